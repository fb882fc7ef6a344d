package lab

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeNode starts a process whose command line names systemd-nspawn, so
// that the lab takes it for a running node.
func fakeNode(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := &exec.Cmd{Path: "/bin/sleep", Args: []string{nspawnProg, "60"}}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for end := time.Now().Add(5 * time.Second); !running(cmd.Process.Pid, nspawnProg) && time.Now().Before(end); {
		time.Sleep(time.Millisecond)
	}
	return cmd
}

func TestChassisPowerState(t *testing.T) {
	dir := t.TempDir()
	node := fakeNode(t)
	st := state{Bridge: "hag9", CIDR: "10.0.9.0/24", Nodes: []nodeState{
		{Name: "controller1", PID: node.Process.Pid},
		{Name: "controller2"},
	}}
	data, _ := json.Marshal(st)
	if err := os.WriteFile(filepath.Join(dir, "state.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := New(Config{Dir: dir, Nodes: []string{"controller1", "controller2", "controller3"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, tc := range []struct {
		node string
		args []string
		want string
		err  string
	}{
		{"controller1", []string{"0x20", "get", "power"}, "power:1\n", ""},
		{"controller2", []string{"0x20", "get", "power"}, "power:0\n", ""},
		{"controller3", []string{"0x20", "get", "power"}, "", "never started"},
		{"controller4", []string{"0x20", "get", "power"}, "", "no node controller4"},
		{"controller1", []string{"0x20", "get", "boot"}, "", ""},
		{"controller1", []string{"0x20", "get"}, "", "want DEVICE get|set"},
		{"controller1", []string{"0x20", "frob", "power"}, "", "unknown request"},
	} {
		got, err := l.Chassis(ctx, tc.node, tc.args)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Chassis(%s, %q) error %v, want one with %q", tc.node, tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Chassis(%s, %q) = %q, %v; want %q", tc.node, tc.args, got, err, tc.want)
		}
	}
	// A power on answers at once: the node reports power on while its boot
	// waits (BMCBootDelay), and a boot whose power on was replaced does
	// nothing.
	var booted []string
	l.bootLater = func(node, token string) error { booted = append(booted, node+" "+token); return nil }
	if _, err := l.Chassis(ctx, "controller2", []string{"0x20", "set", "power", "1"}); err != nil {
		t.Fatal(err)
	}
	if got, err := l.Chassis(ctx, "controller2", []string{"0x20", "get", "power"}); err != nil || got != "power:1\n" {
		t.Errorf("controller2 while its boot waits: %q, %v", got, err)
	}
	if len(booted) != 1 || !strings.HasPrefix(booted[0], "controller2 ") {
		t.Fatalf("delayed boots started: %q", booted)
	}
	if err := l.bootAfter(ctx, "controller2", "not-the-token", 0); err != nil {
		t.Errorf("a stale boot: %v", err)
	}
	if _, ns, _ := l.nodeState("controller2"); ns.BootPending == "" || ns.PID != 0 {
		t.Errorf("a stale boot changed the node: %+v", ns)
	}
	if err := l.setBootPending("controller2", ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.Chassis(ctx, "controller2", []string{"0x20", "get", "power"}); got != "power:0\n" {
		t.Errorf("controller2 after its pending boot was cancelled: %q", got)
	}
	// Powering on a node that runs starts no boot.
	if _, err := l.Chassis(ctx, "controller1", []string{"0x20", "set", "power", "1"}); err != nil || len(booted) != 1 {
		t.Errorf("power on of a running node: %v, boots %q", err, booted)
	}

	// The node's process ends: its BMC reports the power off.
	_ = node.Process.Kill()
	_ = node.Wait()
	if got, err := l.Chassis(ctx, "controller1", []string{"0x20", "get", "power"}); err != nil || got != "power:0\n" {
		t.Errorf("after the node ended: %q, %v", got, err)
	}
}

func TestBMCFiles(t *testing.T) {
	ap, err := plan("10.0.5.0/24", 3)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range ap.bmcs {
		got = append(got, a.String())
	}
	if d := cmp.Diff([]string{"10.0.5.21", "10.0.5.22", "10.0.5.23"}, got); d != "" {
		t.Errorf("BMC addresses (-want +got):\n%s", d)
	}
	// Ten nodes would put node addresses on the BMCs'.
	if _, err := plan("10.0.5.0/24", 11); err == nil {
		t.Error("11 nodes accepted: their addresses run into the BMCs'")
	}
	conf := bmcConfig("controller2", ap.bmcs[1], "/lab/bmc/controller2/chassis", "pw123", [16]byte{1, 2})
	for _, want := range []string{
		"addr 10.0.5.22 623\n",
		`chassis_control "/lab/bmc/controller2/chassis 0x20"`,
		`user 2 true "haguide" "pw123" admin 10 none md5 straight`,
		"guid 01020000000000000000000000000000\n",
	} {
		if !strings.Contains(conf, want) {
			t.Errorf("lan.conf lacks %q:\n%s", want, conf)
		}
	}
	l, err := New(Config{Dir: "/var/lib/it's", Nodes: []string{"controller2"}, Bridge: "hag5", CIDR: "10.0.5.0/24"})
	if err != nil {
		t.Fatal(err)
	}
	script := haguideScript("Chassis control.", "/opt/it's/haguide", l.chassisArgs("controller2"))
	if want := `exec '/opt/it'\''s/haguide' 'lab' 'chassis' '--lab-dir' '/var/lib/it'\''s' '--bridge' 'hag5' '--cidr' '10.0.5.0/24' 'controller2' "$@"`; !strings.Contains(script, want) {
		t.Errorf("chassis script:\n%s\nwant a line %s", script, want)
	}
	script = haguideScript("Outlets.", "/opt/haguide", l.pduArgs())
	if want := "# Outlets.\nexec '/opt/haguide' 'lab' 'pdu' '--lab-dir' '/var/lib/it'\\''s' '--bridge' 'hag5' '--cidr' '10.0.5.0/24' \"$@\"\n"; !strings.HasSuffix(script, want) {
		t.Errorf("PDU script:\n%s\nwant the end %s", script, want)
	}
	if got := BMCVar("controller-2.a"); got != "CONTROLLER_2_A_BMC" {
		t.Errorf("BMCVar = %s", got)
	}
}

func TestBMCPasswordKept(t *testing.T) {
	l, err := New(Config{Dir: t.TempDir(), Nodes: []string{"c1"}})
	if err != nil {
		t.Fatal(err)
	}
	p1, err := l.bmcPassword()
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := l.bmcPassword()
	if len(p1) != 16 || p1 != p2 || strings.Trim(p1, "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") != "" {
		t.Errorf("passwords %q, %q", p1, p2)
	}
	if fi, err := os.Stat(l.path("bmc", "password")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("password file: %v %v", fi.Mode(), err)
	}
}

// testBMCs drives the lab's BMCs as the guide does: ipmitool from the
// host (power status, off, on) and fence_ipmilan from a node (a fence's
// reboot). Part of TestLabIntegration.
func testBMCs(t *testing.T, l *Lab, run func(node, cmd string) (string, error), reach func(from, to string) bool) {
	t.Helper()
	ctx := context.Background()
	info, err := l.Info()
	if err != nil {
		t.Fatal(err)
	}
	password, err := l.bmcPassword()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range info.Nodes {
		if n.BMCState != "answering" {
			t.Fatalf("%s's BMC: %+v", n.Name, n)
		}
		out, err := ipmitool(ctx, n.BMC, password, "chassis", "power", "status")
		if err != nil || strings.TrimSpace(out) != "Chassis Power is on" {
			t.Fatalf("%s's BMC power status: %q %v", n.Name, out, err)
		}
	}
	// A wrong password is refused.
	if _, err := ipmitool(ctx, info.Nodes[0].BMC, password+"x", "chassis", "power", "status"); err == nil {
		t.Fatal("a BMC accepted a wrong password")
	}
	c3 := info.Nodes[2]
	if _, err := ipmitool(ctx, c3.BMC, password, "chassis", "power", "off"); err != nil {
		t.Fatal(err)
	}
	if reach("controller1", c3.Addr) {
		t.Fatal("controller3 answers after its BMC's power off")
	}
	if out, _ := ipmitool(ctx, c3.BMC, password, "chassis", "power", "status"); strings.TrimSpace(out) != "Chassis Power is off" {
		t.Fatalf("status after power off: %q", out)
	}
	if _, err := ipmitool(ctx, c3.BMC, password, "chassis", "power", "on"); err != nil {
		t.Fatal(err)
	}
	// The BMC reports power on at once; the node boots BMCBootDelay later.
	if out, _ := ipmitool(ctx, c3.BMC, password, "chassis", "power", "status"); strings.TrimSpace(out) != "Chassis Power is on" {
		t.Fatalf("status right after power on: %q", out)
	}
	time.Sleep(BMCBootDelay)
	if !reach("controller1", c3.Addr) {
		t.Fatal("controller3 does not answer after its BMC's power on")
	}
	// fence_ipmilan from controller1 reboots controller3: it boots again
	// (a mark in its /run, a tmpfs, is gone) and answers. The password
	// goes through a file only root on the node reads.
	if _, err := run("controller3", "touch /run/before-fence"); err != nil {
		t.Fatal(err)
	}
	fence := "fence_ipmilan --ip=" + c3.BMC + " --username=" + BMCUser + " --password-script='cat /root/bmc-pass' --lanplus --cipher=" + BMCCipher
	out, err := run("controller1", "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fence-agents-ipmilan >/dev/null 2>&1 && "+
		"umask 077 && printf %s '"+password+"' >/root/bmc-pass && "+fence+" --action=status")
	if err != nil || !strings.Contains(out, "Status: ON") {
		t.Fatalf("fence_ipmilan status of controller3: %q %v", out, err)
	}
	out, err = run("controller1", fence+" --action=reboot")
	if err != nil || !strings.Contains(out, "Success: Rebooted") {
		t.Fatalf("fence_ipmilan reboot of controller3: %q %v", out, err)
	}
	time.Sleep(BMCBootDelay)
	if !reach("controller1", c3.Addr) {
		t.Fatal("controller3 does not answer after the fence's reboot")
	}
	if out, err := run("controller3", "ls /run/before-fence 2>&1; true"); err != nil || !strings.Contains(out, "No such file") {
		t.Fatalf("controller3 was not rebooted by the fence: %q %v", out, err)
	}
}
