package lab

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/haguide/haguide/internal/tlscert"
	"github.com/haguide/haguide/runner/inventory"
)

func TestPlan(t *testing.T) {
	p, err := plan("10.0.0.0/24", 3)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{p.bridge.String(), p.vip.String(), p.nodes[0].String(), p.nodes[2].String()}
	if d := cmp.Diff([]string{"10.0.0.1", "10.0.0.10", "10.0.0.11", "10.0.0.13"}, got); d != "" {
		t.Error(d)
	}
	for _, bad := range []string{"10.0.0.0/28", "fd00::/64", "nonsense"} {
		if _, err := plan(bad, 3); err == nil {
			t.Errorf("plan(%s) accepted", bad)
		}
	}
	if _, err := plan("10.0.0.0/27", 30); err == nil {
		t.Error("30 nodes fit in a /27?")
	}
}

// The data networks follow the lab's own, in blocks of its size, so that
// two labs whose networks differ differ there too.
func TestPlanDataNetworks(t *testing.T) {
	type dnet struct{ Prefix, Gateway, First, Last, PoolStart, PoolEnd, FIP1, FIP3, VIP string }
	str := func(a netip.Addr) string {
		if !a.IsValid() {
			return ""
		}
		return a.String()
	}
	for _, tc := range []struct {
		cidr string
		want []dnet
	}{
		{"10.0.0.0/24", []dnet{
			{"10.0.1.0/24", "", "10.0.1.11", "10.0.1.13", "", "", "", "", ""},
			{"10.0.2.0/24", "10.0.2.1", "10.0.2.11", "10.0.2.13", "10.0.2.128", "10.0.2.254", "10.0.2.125", "10.0.2.127", ""},
			{"10.0.3.0/24", "", "10.0.3.11", "10.0.3.13", "", "", "", "", ""},
			{"10.0.4.0/24", "10.0.4.1", "10.0.4.11", "10.0.4.13", "", "", "", "", "10.0.4.10"},
		}},
		{"10.3.0.0/24", []dnet{
			{"10.3.1.0/24", "", "10.3.1.11", "10.3.1.13", "", "", "", "", ""},
			{"10.3.2.0/24", "10.3.2.1", "10.3.2.11", "10.3.2.13", "10.3.2.128", "10.3.2.254", "10.3.2.125", "10.3.2.127", ""},
			{"10.3.3.0/24", "", "10.3.3.11", "10.3.3.13", "", "", "", "", ""},
			{"10.3.4.0/24", "10.3.4.1", "10.3.4.11", "10.3.4.13", "", "", "", "", "10.3.4.10"},
		}},
		{"192.168.64.0/27", []dnet{
			{"192.168.64.32/27", "", "192.168.64.43", "192.168.64.45", "", "", "", "", ""},
			{"192.168.64.64/27", "192.168.64.65", "192.168.64.75", "192.168.64.77", "192.168.64.80", "192.168.64.94", "192.168.64.77", "192.168.64.79", ""},
			{"192.168.64.96/27", "", "192.168.64.107", "192.168.64.109", "", "", "", "", ""},
			{"192.168.64.128/27", "192.168.64.129", "192.168.64.139", "192.168.64.141", "", "", "", "", "192.168.64.138"},
		}},
	} {
		p, err := plan(tc.cidr, 3)
		if err != nil {
			t.Fatalf("%s: %v", tc.cidr, err)
		}
		var got []dnet
		for _, d := range p.data {
			fip := func(i int) string {
				if i >= len(d.fips) {
					return ""
				}
				return d.fips[i].String()
			}
			got = append(got, dnet{d.prefix.String(), str(d.gateway), str(d.nodes[0]), str(d.nodes[2]), str(d.poolStart), str(d.poolEnd), fip(0), fip(2), str(d.vip)})
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", tc.cidr, d)
		}
	}
	// No room after the lab's network: refused, naming the network.
	_, err := plan("255.255.254.0/24", 3)
	if err == nil || !strings.Contains(err.Error(), "provider") {
		t.Errorf("plan(255.255.254.0/24) = %v, want the provider network refused", err)
	}
	_, err = plan("255.255.253.0/24", 3)
	if err == nil || !strings.Contains(err.Error(), "cluster") {
		t.Errorf("plan(255.255.253.0/24) = %v, want the cluster network refused", err)
	}
	_, err = plan("255.255.252.0/24", 3)
	if err == nil || !strings.Contains(err.Error(), "public") {
		t.Errorf("plan(255.255.252.0/24) = %v, want the public network refused", err)
	}
}

func TestDataMAC(t *testing.T) {
	got := []string{nodeMAC("10.0.0.11"), dataMAC(dataNets[netTunnel], "10.0.0.11"), dataMAC(dataNets[netProvider], "10.0.0.11"), dataMAC(dataNets[netCluster], "10.0.0.11"), dataMAC(dataNets[netPublic], "10.0.0.11")}
	if d := cmp.Diff([]string{"02:68:67:00:00:0b", "02:68:74:00:00:0b", "02:68:78:00:00:0b", "02:68:63:00:00:0b", "02:68:70:00:00:0b"}, got); d != "" {
		t.Error(d)
	}
}

func TestNspawnCmd(t *testing.T) {
	l := &Lab{cfg: Config{Dir: "/var/lib/haguide/lab"}}
	ns := &nodeState{Name: "controller1", Netns: "hag0-controller1"}
	dirs := []string{"/sys/fs/cgroup/cpu/haguide-hag0-controller1", "/sys/fs/cgroup/systemd/haguide-hag0-controller1", "/sys/fs/cgroup/unified/haguide-hag0-controller1"}
	wrapper := []string{"/bin/sh", "-c", `while [ "$1" != -- ]; do echo $$ >"$1" || exit 1; shift; done; shift; exec "$@"`, "sh",
		"/sys/fs/cgroup/cpu/haguide-hag0-controller1/cgroup.procs", "/sys/fs/cgroup/systemd/haguide-hag0-controller1/cgroup.procs", "/sys/fs/cgroup/unified/haguide-hag0-controller1/cgroup.procs", "--"}
	nspawn := []string{"systemd-nspawn", "-D", "/var/lib/haguide/lab/nodes/controller1/root", "--boot", "--register=no",
		"--machine=controller1", "--keep-unit", "--network-namespace-path=/run/netns/hag0-controller1",
		"--capability=CAP_NET_ADMIN,CAP_NET_RAW,CAP_SYS_NICE,CAP_IPC_LOCK,CAP_SYS_RESOURCE",
		"--console=read-only", "--resolv-conf=off", "--timezone=off", "--link-journal=no"}
	cat := func(parts ...[]string) []string { return slices.Concat(parts...) }
	for _, tc := range []struct {
		name  string
		dirs  []string
		lxcfs string
		want  []string
	}{
		{"cgroups and lxcfs", dirs, "/var/lib/haguide/lab/lxcfs", cat(wrapper, nspawn, []string{
			// The directory comes in first, outside /proc; the file
			// below /proc is bound from inside the node.
			"--bind-ro=/var/lib/haguide/lab/lxcfs/proc:/var/lib/lxcfs/proc",
			"--bind-ro=/var/lib/lxcfs/proc/loadavg:/proc/loadavg"})},
		{"cgroups, lxcfs gone: the host's load", dirs, "", cat(wrapper, nspawn)},
		{"no cgroups", nil, "/l/lxcfs", cat(nspawn, []string{"--bind-ro=/l/lxcfs/proc:/var/lib/lxcfs/proc", "--bind-ro=/var/lib/lxcfs/proc/loadavg:/proc/loadavg"})},
	} {
		cmd := l.nspawnCmd(ns, tc.dirs, tc.lxcfs)
		if d := cmp.Diff(tc.want, cmd.Args); d != "" {
			t.Errorf("%s: command (-want +got):\n%s", tc.name, d)
		}
		// The node's own environment settings come last, so they win over
		// haguide's (the last of two equal names counts).
		env := cmd.Env[len(cmd.Env)-2:]
		if d := cmp.Diff([]string{"SYSTEMD_NSPAWN_API_VFS_WRITABLE=network", "SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1"}, env); d != "" {
			t.Errorf("%s: environment (-want +got):\n%s", tc.name, d)
		}
	}
}

func TestNewChecks(t *testing.T) {
	for _, cfg := range []Config{
		{Nodes: nil},
		{Nodes: []string{"Controller1"}},
		{Nodes: []string{"c1"}, Bridge: "a-very-long-bridge-name"},
		{Nodes: []string{"c1"}, CIDR: "10.0.0.0/30"},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}

func TestInventoryAndKeys(t *testing.T) {
	dir := t.TempDir()
	l, err := New(Config{Dir: dir, Nodes: []string{"controller1", "controller2"}, Vars: map[string]string{"API_PROCESSES": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	ap, _ := plan(l.cfg.CIDR, 2)
	if err := l.keys(); err != nil {
		t.Fatal(err)
	}
	if err := l.writeInventory(ap); err != nil {
		t.Fatal(err)
	}
	inv, err := inventory.Load(filepath.Join(dir, "inventory.yml"))
	if err != nil {
		t.Fatal(err)
	}
	// The inventory verify checks before the lab boots is the one it writes.
	path, before, err := l.Inventory()
	written, _ := os.ReadFile(filepath.Join(dir, "inventory.yml"))
	if err != nil || path != filepath.Join(dir, "inventory.yml") || string(before) != string(written) {
		t.Errorf("Inventory() = %s, %v; want %s and the file written:\n%s\n%s", path, err, filepath.Join(dir, "inventory.yml"), before, written)
	}
	hs, err := inv.Hosts([]string{"controller1", "controller2"})
	if err != nil {
		t.Fatal(err)
	}
	if hs[1].Address != "10.0.0.12" || hs[0].User != "root" || hs[0].Vars["CONTROLLER_VIP"] != "10.0.0.10" || hs[0].Vars["API_PROCESSES"] != "1" {
		t.Errorf("hosts %+v", hs)
	}
	// The data networks' values: the tunnel address per host, the
	// provider network and every node's cluster network address (Corosync's
	// link 1, which every node's corosync.conf lists) for all.
	vals := map[string]string{}
	for _, k := range []string{"TUNNEL_PREFIX", "PROVIDER_CIDR", "PROVIDER_GATEWAY", "PROVIDER_POOL_START", "PROVIDER_POOL_END", "FLOATING_IP1", "FLOATING_IP3", "CONTROLLER1_LINK1_ADDR", "CONTROLLER2_LINK1_ADDR", "PDU_ADDR", "CONTROLLER2_OUTLET",
		"PUBLIC_VIP", "PUBLIC_PREFIX", "PUBLIC_NAME", "PUBLIC_CERT_BUNDLE", "PUBLIC_CA_CERT"} {
		vals[k] = hs[0].Vars[k]
	}
	vals["TUNNEL_ADDR 1"], vals["TUNNEL_ADDR 2"] = hs[0].Vars["TUNNEL_ADDR"], hs[1].Vars["TUNNEL_ADDR"]
	if d := cmp.Diff(map[string]string{"TUNNEL_PREFIX": "24", "PROVIDER_CIDR": "10.0.2.0/24", "PROVIDER_GATEWAY": "10.0.2.1",
		"PROVIDER_POOL_START": "10.0.2.128", "PROVIDER_POOL_END": "10.0.2.254", "FLOATING_IP1": "10.0.2.125", "FLOATING_IP3": "10.0.2.127", "TUNNEL_ADDR 1": "10.0.1.11", "TUNNEL_ADDR 2": "10.0.1.12",
		"CONTROLLER1_LINK1_ADDR": "10.0.3.11", "CONTROLLER2_LINK1_ADDR": "10.0.3.12", "PDU_ADDR": "10.0.0.20", "CONTROLLER2_OUTLET": "2",
		"PUBLIC_VIP": "10.0.4.10", "PUBLIC_PREFIX": "24", "PUBLIC_NAME": "cloud.haguide.test", "PUBLIC_CERT_BUNDLE": "/root/haguide-tls/public.pem", "PUBLIC_CA_CERT": "/root/haguide-tls/ca.pem"}, vals); d != "" {
		t.Errorf("data network values (-want +got):\n%s", d)
	}
	key, err := os.ReadFile(hs[0].IdentityFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ssh.ParsePrivateKey(key); err != nil {
		t.Errorf("lab key: %v", err)
	}
	// Host keys are recorded per node, replacing an old line.
	signer, _ := ssh.ParsePrivateKey(key)
	for i := 0; i < 2; i++ {
		if err := l.recordHostKey(ap.nodes[1], signer.PublicKey()); err != nil {
			t.Fatal(err)
		}
	}
	data, _ := os.ReadFile(filepath.Join(dir, "known_hosts"))
	if n := strings.Count(string(data), "10.0.0.12 "); n != 1 {
		t.Errorf("known_hosts has %d lines for controller2:\n%s", n, data)
	}
	if _, err := knownhosts.New(filepath.Join(dir, "known_hosts")); err != nil {
		t.Errorf("known_hosts does not parse: %v", err)
	}
}

// TestLabIntegration boots real nodes. It needs root, the host tools and
// HAGUIDE_LAB_TEST=1 (it takes a minute and the network namespaces).
func TestLabIntegration(t *testing.T) {
	if os.Getenv("HAGUIDE_LAB_TEST") != "1" {
		t.Skip("set HAGUIDE_LAB_TEST=1 to boot a real lab (root)")
	}
	if err := Requirements(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	dir := os.Getenv("HAGUIDE_LAB_TEST_DIR") // keeps the caches between runs
	if dir == "" {
		dir = t.TempDir()
	}
	// The nodes' BMCs run haguide for chassis control: build it.
	exe := filepath.Join(t.TempDir(), "haguide")
	if out, err := exec.Command("go", "build", "-o", exe, "../cmd/haguide").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// The lab's own bridge and network: HAGUIDE_LAB_BRIDGE and
	// HAGUIDE_LAB_CIDR, as the lab's commands take them, so that the
	// test runs beside another lab on the same machine.
	bridge, cidr := os.Getenv("HAGUIDE_LAB_BRIDGE"), os.Getenv("HAGUIDE_LAB_CIDR")
	if bridge == "" {
		bridge = "hagtest0"
	}
	if cidr == "" {
		cidr = "10.0.99.0/24"
	}
	l, err := New(Config{Dir: dir, Nodes: []string{"controller1", "controller2", "controller3"}, CIDR: cidr, Bridge: bridge, Exe: exe})
	if err != nil {
		t.Fatal(err)
	}
	ap, _ := plan(l.cfg.CIDR, 3)
	addr := func(i int) string { return ap.nodes[i].String() }
	public, cluster := ap.data[netPublic], ap.data[netCluster]
	t.Cleanup(func() { l.Down(context.Background()) })
	before := snapshot(t, bridge, dir)
	// An interrupted up (Ctrl-C half way) leaves a state down cleans.
	short, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	if err := l.Up(short); err == nil {
		t.Log("up finished before the interruption (warm cache)")
	}
	cancel()
	if err := l.Down(ctx); err != nil {
		t.Fatalf("down after an interrupted up: %v", err)
	}
	if d := cmp.Diff(before, snapshot(t, bridge, dir)); d != "" {
		t.Fatalf("an interrupted up and a down left things behind (-before +after):\n%s", d)
	}
	if err := l.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Up(ctx); err != nil { // twice is safe
		t.Fatalf("second up: %v", err)
	}
	info, _ := l.Info()
	run := func(node, cmd string) (string, error) {
		key, _ := os.ReadFile(info.Key)
		signer, _ := ssh.ParsePrivateKey(key)
		cb, err := knownhosts.New(info.KnownHosts)
		if err != nil {
			return "", err
		}
		i := slices.Index(l.cfg.Nodes, node)
		c, err := ssh.Dial("tcp", net.JoinHostPort(addr(i), "22"), &ssh.ClientConfig{User: "root", Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)}, HostKeyCallback: cb, Timeout: 5 * time.Second})
		if err != nil {
			return "", err
		}
		defer c.Close()
		s, _ := c.NewSession()
		defer s.Close()
		out, err := s.CombinedOutput(cmd)
		return string(out), err
	}
	out, err := run("controller2", "hostname; grep ^VERSION_CODENAME /etc/os-release; systemctl is-system-running --wait")
	if err != nil || !strings.Contains(out, "controller2\nVERSION_CODENAME=trixie\n") {
		t.Fatalf("controller2: %q %v", out, err)
	}
	// Each node has a machine ID of its own.
	ids := map[string]bool{}
	for _, n := range []string{"controller1", "controller2", "controller3"} {
		out, err := run(n, "cat /etc/machine-id")
		if err != nil || len(strings.TrimSpace(out)) != 32 {
			t.Fatalf("%s: machine-id %q %v", n, out, err)
		}
		ids[out] = true
	}
	if len(ids) != 3 {
		t.Errorf("the nodes share machine IDs: %v", ids)
	}
	// Each node's cgroups are its own cgroup v2 tree, writable (libvirt
	// cannot start a guest in read-only v1 controller hierarchies).
	out, err = run("controller1", "stat -f -c %T /sys/fs/cgroup; mkdir /sys/fs/cgroup/haguide-probe && rmdir /sys/fs/cgroup/haguide-probe && echo writable")
	if err != nil || out != "cgroup2fs\nwritable\n" {
		t.Fatalf("controller1's cgroups: %q %v", out, err)
	}
	// No DNS in the lab: the resolver is the bridge, which refuses at once.
	out, err = run("controller2", "grep ^nameserver /etc/resolv.conf; getent ahosts no-such-name.example; echo status=$?")
	if err != nil || out != "nameserver "+ap.bridge.String()+"\nstatus=2\n" {
		t.Fatalf("controller2's resolver: %q %v", out, err)
	}
	out, err = run("controller1", "apt-get update 2>&1 | tail -3")
	if err != nil || !strings.Contains(out, "Reading package lists") {
		t.Fatalf("apt through the proxy: %q %v", out, err)
	}
	testLoadAverage(t, run)
	// reach tries for a few seconds: a link that comes back up needs a
	// moment before neighbours find it again.
	reach := func(from, to string) bool {
		_, err := run(from, "for i in $(seq 20); do timeout 1 bash -c '</dev/tcp/"+to+"/22' && exit 0; sleep 0.5; done; exit 1")
		return err == nil
	}
	// The public network: every node has its address there, and the
	// lab's certificate for PUBLIC_VIP, signed by the CA the host keeps.
	if !reach("controller1", public.nodes[2].String()) {
		t.Fatal("controller1 does not reach controller3 on the public network")
	}
	caPEM, err := run("controller2", "cat /root/haguide-tls/ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := run("controller2", "stat -c %a /root/haguide-tls/public.pem && cat /root/haguide-tls/public.pem")
	if err != nil {
		t.Fatal(err)
	}
	if err := tlscert.Verify([]byte(caPEM), []byte(strings.TrimPrefix(bundle, "600\n")), PublicName, public.vip, time.Now()); err != nil || !strings.HasPrefix(bundle, "600\n") {
		t.Fatalf("controller2's public certificate: %v (%.20q)", err, bundle)
	}
	if host, _ := os.ReadFile(l.CACert()); string(host) != caPEM {
		t.Fatal("controller2's CA is not the host's")
	}
	testReimage(t, l, run)
	testBMCs(t, l, run, reach)
	testPDU(t, l, run, reach)
	if !reach("controller1", addr(2)) {
		t.Fatal("controller1 does not reach controller3")
	}
	// An address added while the node ran (a VIP) must not survive a
	// power cycle.
	extra := fmt.Sprintf("%s/%d", ap.pdu, ap.prefix.Bits()) // any address of the network
	if _, err := run("controller3", "ip addr add "+extra+" dev eth0"); err != nil {
		t.Fatal(err)
	}
	macBefore, err := run("controller3", "cat /sys/class/net/eth0/address")
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Kill(ctx, "controller3"); err != nil {
		t.Fatal(err)
	}
	if reach("controller1", addr(2)) {
		t.Fatal("controller3 answers after kill")
	}
	// Kill cuts every cable, the cluster network's too (Corosync's
	// second link must not outlive the first).
	if reach("controller1", cluster.nodes[2].String()) {
		t.Fatal("controller3 answers on the cluster network after kill")
	}
	if reach("controller1", public.nodes[2].String()) {
		t.Fatal("controller3 answers on the public network after kill")
	}
	st, _ := l.loadState()
	if pids := netnsPIDs(nodeStateFor(st, "controller3").Netns); len(pids) != 0 {
		t.Fatalf("processes of a killed node still run: %v", pids)
	}
	if err := l.Start(ctx, "controller3"); err != nil {
		t.Fatal(err)
	}
	// At once, from a peer whose ARP cache still holds the node: the
	// node comes back with the hardware address it had.
	if _, err := run("controller1", "timeout 2 bash -c '</dev/tcp/"+addr(2)+"/22'"); err != nil {
		t.Fatalf("controller3 does not answer controller1 right after start: %v", err)
	}
	if macAfter, err := run("controller3", "cat /sys/class/net/eth0/address"); err != nil || macAfter != macBefore {
		t.Fatalf("controller3's MAC after kill and start: %q, before %q (%v)", macAfter, macBefore, err)
	}
	if out, err := run("controller3", "ip -4 -o addr show dev eth0"); err != nil || strings.Contains(out, extra) || !strings.Contains(out, addr(2)+"/") {
		t.Fatalf("controller3's addresses after kill and start: %q %v", out, err)
	}
	testDataNetworks(t, ap, run, reach)
	if err := l.Partition(ctx, "controller2"); err != nil {
		t.Fatal(err)
	}
	if reach("controller1", addr(1)) {
		t.Fatal("a partitioned node answers")
	}
	if err := l.Heal(ctx); err != nil {
		t.Fatal(err)
	}
	if !reach("controller1", addr(1)) {
		t.Fatal("a healed node does not answer")
	}
	// The holder of an address, and a clean stop.
	vip := fmt.Sprintf("%s/%d", ap.vip, ap.prefix.Bits())
	if _, err := run("controller2", "ip addr add "+vip+" dev eth0"); err != nil {
		t.Fatal(err)
	}
	if h, err := l.Holder(ctx, ap.vip.String()); err != nil || h != "controller2" {
		t.Fatalf("Holder = %q, %v", h, err)
	}
	if err := l.Stop(ctx, "controller1", time.Minute); err != nil {
		t.Fatal(err)
	}
	if info, _ := l.Info(); info.Nodes[0].State != "stopped" {
		t.Fatalf("after stop: %+v", info.Nodes[0])
	}
	if err := l.Down(ctx); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(before, snapshot(t, bridge, dir)); d != "" {
		t.Fatalf("down left things behind (-before +after):\n%s", d)
	}
	if _, err := os.Stat(l.CACert()); err == nil {
		t.Fatal("down kept the lab's CA")
	}
	// Nothing is left: no namespace, interface or process of the lab.
	out2, _ := exec.Command("ip", "netns", "list").Output()
	links, _ := exec.Command("ip", "-br", "link").Output()
	if bytes.Contains(out2, []byte(bridge+"-")) || bytes.Contains(links, []byte(bridge)) {
		t.Fatalf("left behind:\n%s\n%s", out2, links)
	}
	if ps, _ := exec.Command("pgrep", "-f", "systemd-nspawn -D "+dir).Output(); len(ps) > 0 {
		t.Fatalf("nspawn still runs: %s", ps)
	}
}

// snapshot lists this lab's links, namespaces, nspawn and proxy processes
// and mounts (those that name its bridge or its directory), to compare
// before and after. Other labs may come and go on a shared machine while
// the test runs; only what this lab made is its business.
// testLoadAverage: each node reads its own load average (LXCFS, lxcfs.go),
// as a machine of its own does: a busy loop in controller1 raises its load
// and not controller2's.
func testLoadAverage(t *testing.T, run func(node, cmd string) (string, error)) {
	t.Helper()
	// The first read also makes LXCFS start counting the node's load.
	for _, n := range []string{"controller1", "controller2"} {
		out, err := run(n, "grep -c ' /proc/loadavg .* - fuse.lxcfs ' /proc/self/mountinfo; cat /proc/loadavg")
		if err != nil || !strings.HasPrefix(out, "1\n") {
			t.Fatalf("%s: /proc/loadavg is not LXCFS's: %q %v", n, out, err)
		}
	}
	if _, err := run("controller1", "nohup timeout 20 sh -c 'while :; do :; done' >/dev/null 2>&1 &"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Second)
	load := func(n string) float64 {
		out, err := run(n, "cat /proc/loadavg")
		f := strings.Fields(out)
		if err != nil || len(f) == 0 {
			t.Fatalf("%s: /proc/loadavg: %q %v", n, out, err)
		}
		v, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			t.Fatalf("%s: /proc/loadavg: %q: %v", n, out, err)
		}
		return v
	}
	// One task running for 20 s: 1-exp(-20/60) = 0.28 in a minute's
	// average, less what LXCFS's 5 s steps lose.
	busy, idle := load("controller1"), load("controller2")
	t.Logf("load average after 20 s of one busy loop in controller1: controller1 %.2f, controller2 %.2f", busy, idle)
	if busy < 0.15 || busy <= idle {
		t.Errorf("load average: controller1 (busy) %.2f, controller2 (idle) %.2f: want controller1's own, at least 0.15 and above controller2's", busy, idle)
	}
}

func snapshot(t *testing.T, bridge, dir string) []string {
	t.Helper()
	var out []string
	for _, c := range [][]string{{"ip", "-o", "link", "show"}, {"ip", "netns", "list"}} {
		b, err := exec.Command(c[0], c[1:]...).Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if f := strings.Fields(l); len(f) > 1 && c[1] == "-o" {
				out = append(out, "link "+strings.TrimSuffix(f[1], ":"))
			} else if l != "" {
				out = append(out, "netns "+strings.Fields(l)[0])
			}
		}
	}
	b, _ := exec.Command("pgrep", "-a", "-f", "systemd-nspawn|apt-cacher-ng|ipmi_sim|lxcfs").Output()
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if f := strings.Fields(l); len(f) > 1 {
			out = append(out, "process "+strings.Join(f[1:], " "))
		}
	}
	m, _ := os.ReadFile("/proc/mounts")
	for _, l := range strings.Split(string(m), "\n") {
		if strings.Contains(l, "netns") || strings.Contains(l, "haguide") || strings.Contains(l, "lxcfs") {
			out = append(out, "mount "+strings.Fields(l)[1])
		}
	}
	mine := out[:0]
	for _, e := range out {
		if strings.Contains(e, bridge) || strings.Contains(e, dir) {
			mine = append(mine, e)
		}
	}
	slices.Sort(mine)
	return mine
}

// A lab that is up keeps its network when a later command names only its
// directory; an explicit bridge or network still wins.
func TestNewAdoptsRunningLabNetwork(t *testing.T) {
	dir := t.TempDir()
	st := `{"bridge":"hag7","cidr":"10.0.7.0/24","nodes":[]}`
	if err := os.WriteFile(filepath.Join(dir, "state.json"), []byte(st), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := New(Config{Dir: dir, Nodes: []string{"n1"}})
	if err != nil {
		t.Fatal(err)
	}
	if l.cfg.Bridge != "hag7" || l.cfg.CIDR != "10.0.7.0/24" {
		t.Errorf("from state: bridge %q, network %q; want hag7, 10.0.7.0/24", l.cfg.Bridge, l.cfg.CIDR)
	}
	l, err = New(Config{Dir: dir, Nodes: []string{"n1"}, Bridge: "hag8", CIDR: "10.0.8.0/24"})
	if err != nil {
		t.Fatal(err)
	}
	if l.cfg.Bridge != "hag8" || l.cfg.CIDR != "10.0.8.0/24" {
		t.Errorf("explicit: bridge %q, network %q; want hag8, 10.0.8.0/24", l.cfg.Bridge, l.cfg.CIDR)
	}
	l, err = New(Config{Dir: t.TempDir(), Nodes: []string{"n1"}})
	if err != nil {
		t.Fatal(err)
	}
	if l.cfg.Bridge != DefaultBridge || l.cfg.CIDR != DefaultCIDR {
		t.Errorf("no lab: bridge %q, network %q; want the defaults", l.cfg.Bridge, l.cfg.CIDR)
	}
}

// A child that has exited but is not reaped yet is not running: Start
// after Kill must boot the node again, not take the zombie for the running
// node. A live process running another program is not the node either.
func TestRunningSeesZombiesAndOtherPrograms(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	// The kernel fills in a new program's command line a moment after
	// the parent returns from starting it.
	for end := time.Now().Add(5 * time.Second); !running(pid, "sleep") && time.Now().Before(end); {
		time.Sleep(time.Millisecond)
	}
	if !running(pid, "sleep") || !running(pid, "") {
		t.Errorf("running(%d) = false for a live sleep", pid)
	}
	if running(pid, nspawnProg) {
		t.Errorf("running(%d, %q) = true for sleep", pid, nspawnProg)
	}
	_ = cmd.Process.Kill()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if i := bytes.LastIndexByte(b, ')'); i > 0 && i+2 < len(b) && b[i+2] == 'Z' {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if running(pid, "sleep") {
		t.Errorf("running(%d) = true for a zombie", pid)
	}
	_ = cmd.Wait()
	if running(pid, "") {
		t.Errorf("running(%d) = true after it was reaped", pid)
	}
	if !running(os.Getpid(), "") {
		t.Error("running(self) = false")
	}
	for _, pid := range []int{0, -1} {
		if running(pid, "") {
			t.Errorf("running(%d) = true", pid)
		}
	}
}

// testDataNetworks checks the data networks of a lab (addresses ap):
// each node's eth1, eth2 and eth3 with their stable hardware addresses,
// nodes reaching each other on the tunnel network, the host reaching a
// node on the provider network, where it is the outside client, and the
// cluster network (Corosync's link 1) up with the lab's addresses, also
// on a node that was just killed and started again (controller3).
func testDataNetworks(t *testing.T, ap addrPlan, run func(node, cmd string) (string, error), reach func(from, to string) bool) {
	t.Helper()
	c3 := ap.nodes[2].String()
	tunnel, provider, cluster := ap.data[netTunnel], ap.data[netProvider], ap.data[netCluster]
	cidr := func(d netPlan, i int) string { return fmt.Sprintf("%s/%d", d.nodes[i], d.prefix.Bits()) }
	out, err := run("controller3", "cat /sys/class/net/eth1/address /sys/class/net/eth2/address /sys/class/net/eth3/address")
	if want := dataMAC(dataNets[netTunnel], c3) + "\n" + dataMAC(dataNets[netProvider], c3) + "\n" + dataMAC(dataNets[netCluster], c3) + "\n"; err != nil || out != want {
		t.Fatalf("controller3's data links: %q %v, want %q", out, err, want)
	}
	if out, err := run("controller3", "ip -4 -o addr show dev eth3 | awk '{print $4}'"); err != nil || out != cidr(cluster, 2)+"\n" {
		t.Fatalf("controller3's address on the cluster network: %q %v", out, err)
	}
	if !reach("controller1", cluster.nodes[2].String()) {
		t.Fatal("controller1 does not reach controller3 on the cluster network")
	}
	for node, cmd := range map[string]string{
		"controller1": "ip addr add " + cidr(tunnel, 0) + " dev eth1",
		"controller3": "ip addr add " + cidr(tunnel, 2) + " dev eth1 && ip addr add " + cidr(provider, 2) + " dev eth2",
	} {
		if out, err := run(node, cmd); err != nil {
			t.Fatalf("%s: %s: %q %v", node, cmd, out, err)
		}
	}
	if !reach("controller1", tunnel.nodes[2].String()) {
		t.Fatal("controller1 does not reach controller3 on the tunnel network")
	}
	var c net.Conn
	for i := 0; i < 20; i++ {
		if c, err = net.DialTimeout("tcp", net.JoinHostPort(provider.nodes[2].String(), "22"), time.Second); err == nil {
			c.Close()
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("the host does not reach controller3 on the provider network: %v", err)
	}
	// Like every address a node adds, these are gone after a power cycle.
	for node, dev := range map[string]string{"controller1": "eth1", "controller3": "eth2"} {
		if _, err := run(node, "ip addr flush dev "+dev); err != nil {
			t.Fatal(err)
		}
	}
}
