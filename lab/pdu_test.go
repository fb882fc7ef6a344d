package lab

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeOutlets records switches; outlet 3 fails to switch.
type fakeOutlets struct {
	on       map[int]bool
	switched []string
}

func (f *fakeOutlets) Names() []string        { return []string{"controller1", "controller2", "controller3"} }
func (f *fakeOutlets) On(o int) (bool, error) { return f.on[o], nil }
func (f *fakeOutlets) Switch(_ context.Context, o int, on bool) error {
	if o == 3 {
		return errors.New("stuck relay")
	}
	f.switched = append(f.switched, map[bool]string{true: "on", false: "off"}[on]+" "+string(rune('0'+o)))
	f.on[o] = on
	return nil
}

// ServePDU answers snmpd's pass_persist requests as fence_apc_snmp's
// walks, gets and sets need them: the outlet names table, the state of an
// outlet (1 on, 2 off), and a set of the command object that switches it.
func TestServePDU(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		switched       []string
	}{
		{"ping", "PING\n", "PONG\n", nil},
		{"get state", "get\n.1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.1\nget\n.1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.2\n",
			".1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.1\ninteger\n1\n.1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.2\ninteger\n2\n", nil},
		{"get unknown", "get\n.1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.9\nget\nnot-an-oid\n", "NONE\nNONE\n", nil},
		// A walk of the names table, as fence_apc_snmp does for a plug
		// given by name: getnext from the table, then from each answer,
		// until an answer leaves the table.
		{"walk names", "getnext\n.1.3.6.1.4.1.318.1.1.12.3.5.1.1.2\ngetnext\n.1.3.6.1.4.1.318.1.1.12.3.5.1.1.2.1\ngetnext\n.1.3.6.1.4.1.318.1.1.12.3.5.1.1.2.3\n",
			".1.3.6.1.4.1.318.1.1.12.3.5.1.1.2.1\nstring\ncontroller1\n.1.3.6.1.4.1.318.1.1.12.3.5.1.1.2.2\nstring\ncontroller2\n.1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.1\ninteger\n1\n", nil},
		{"getnext from the subtree", "getnext\n.1.3.6.1.4.1.318.1.1.12.3\n", ".1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.1\ninteger\n1\n", nil},
		{"getnext past the end", "getnext\n.1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.3\n", "NONE\n", nil},
		{"set off and on", "set\n.1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.1\ninteger 2\nget\n.1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.1\nset\n.1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.2\ninteger 1\n",
			"DONE\n.1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.1\ninteger\n2\nDONE\n", []string{"off 1", "on 2"}},
		{"set refused", "set\n.1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.1\ninteger 2\nset\n.1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.1\nstring off\nset\n.1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.1\ninteger 3\nset\n.1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.7\ninteger 2\nset\n.1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.3\ninteger 2\n",
			"not-writable\nwrong-type\nwrong-value\nno-creation\ncommit-failed\n", nil},
		{"unknown command", "bogus\n", "NONE\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeOutlets{on: map[int]bool{1: true, 2: false, 3: true}}
			var out strings.Builder
			if err := ServePDU(context.Background(), strings.NewReader(tc.in), &out, f); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, out.String()); d != "" {
				t.Errorf("replies (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.switched, f.switched); d != "" {
				t.Errorf("switched (-want +got):\n%s", d)
			}
		})
	}
}

func TestPDUConfigAndVars(t *testing.T) {
	conf := pduConfig("10.0.0.20", "s3cretCommunity1", "/lab/pdu/outlets")
	for _, want := range []string{"agentAddress udp:10.0.0.20:161\n", "rwcommunity s3cretCommunity1 default\n",
		"sysObjectID .1.3.6.1.4.1.318.1.3.4.5\n", "pass_persist .1.3.6.1.4.1.318.1.1.12.3 /lab/pdu/outlets\n"} {
		if !strings.Contains(conf, want) {
			t.Errorf("snmpd.conf lacks %q:\n%s", want, conf)
		}
	}
	if got := OutletVar("controller-2"); got != "CONTROLLER_2_OUTLET" {
		t.Errorf("OutletVar = %s", got)
	}
	ap, err := plan("10.0.0.0/24", 3)
	if err != nil || ap.pdu.String() != "10.0.0.20" {
		t.Errorf("the PDU's address: %v %v", ap.pdu, err)
	}
	// Nodes up to .19: the PDU's .20 is next.
	if _, err := plan("10.0.0.0/24", 10); err == nil {
		t.Error("plan with a node on the PDU's address: no error")
	}
}

func FuzzServePDU(f *testing.F) {
	f.Add("PING\nget\n.1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.1\n")
	f.Add("getnext\n.1.3\nset\n.1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.2\ninteger 1\n")
	f.Add("set\n..\n\n")
	f.Fuzz(func(t *testing.T, in string) {
		fo := &fakeOutlets{on: map[int]bool{}}
		var out strings.Builder
		_ = ServePDU(context.Background(), strings.NewReader(in), &out, fo)
		// Every reply is NONE, PONG, a set's status, or an object of
		// three lines.
		for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
			if l == "" && out.Len() > 0 {
				t.Fatalf("an empty reply line in %q", out.String())
			}
		}
	})
}

// testPDU drives the lab's PDU as the guide's level-2 fence device does:
// fence_apc_snmp on controller1 reads controller3's outlet, then reboots
// it; controller3 loses its power and its BMC, and comes back with both.
func testPDU(t *testing.T, l *Lab, run func(node, cmd string) (string, error), reach func(from, to string) bool) {
	t.Helper()
	ap, _ := plan(l.cfg.CIDR, len(l.cfg.Nodes))
	community := l.readPDUCommunity()
	if community == "" {
		t.Fatal("the PDU has no community after up")
	}
	if _, err := run("controller3", "touch /run/before-pdu"); err != nil {
		t.Fatal(err)
	}
	fence := "fence_apc_snmp --ip=" + ap.pdu.String() + " --snmp-version=2c --community=" + community + " --plug="
	out, err := run("controller1", "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fence-agents-apc-snmp >/dev/null 2>&1 && "+
		fence+"3 --action=status && "+fence+"controller2 --action=status")
	if err != nil || out != "Status: ON\nStatus: ON\n" {
		t.Fatalf("fence_apc_snmp status of outlets 3 and controller2: %q %v", out, err)
	}
	out, err = run("controller1", fence+"3 --action=off")
	if err != nil || !strings.Contains(out, "Success: Powered OFF") {
		t.Fatalf("fence_apc_snmp off: %q %v", out, err)
	}
	info, _ := l.Info()
	if info.Nodes[2].State != "stopped" || info.Nodes[2].BMCState != "down" {
		t.Fatalf("controller3 after its outlet's off: %+v, want stopped with its BMC down", info.Nodes[2])
	}
	out, err = run("controller1", fence+"3 --action=on")
	if err != nil || !strings.Contains(out, "Success: Powered ON") {
		t.Fatalf("fence_apc_snmp on: %q %v", out, err)
	}
	time.Sleep(BMCBootDelay)
	if !reach("controller1", ap.nodes[2].String()) {
		t.Fatal("controller3 does not answer after its outlet's on")
	}
	if info, _ := l.Info(); info.Nodes[2].BMCState != "answering" {
		t.Fatalf("controller3's BMC after its outlet's on: %+v", info.Nodes[2])
	}
	if out, err := run("controller3", "ls /run/before-pdu 2>&1; true"); err != nil || !strings.Contains(out, "No such file") {
		t.Fatalf("controller3 was not power cycled by its outlet: %q %v", out, err)
	}
}
