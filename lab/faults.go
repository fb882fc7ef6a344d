package lab

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// netnsPIDs lists the processes inside a node's network namespace.
func netnsPIDs(netns string) []int {
	out, err := exec.Command("ip", "netns", "pids", netns).Output()
	if err != nil {
		return nil
	}
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		if p, err := strconv.Atoi(f); err == nil {
			pids = append(pids, p)
		}
	}
	return pids
}

// initPID finds the container's init: the process whose PID inside its
// own PID namespace is 1.
func initPID(netns string) int {
	for _, p := range netnsPIDs(netns) {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p))
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) > 1 && f[0] == "NSpid:" && f[len(f)-1] == "1" {
				return p
			}
		}
	}
	return 0
}

func (l *Lab) index(node string) (int, error) {
	i := slices.Index(l.cfg.Nodes, node)
	if i < 0 {
		return 0, fmt.Errorf("no node %s in the lab (nodes: %s)", node, strings.Join(l.cfg.Nodes, ", "))
	}
	return i, nil
}

func (l *Lab) nodeState(node string) (*state, *nodeState, error) {
	if _, err := l.index(node); err != nil {
		return nil, nil, err
	}
	st, err := l.loadState()
	if err != nil {
		return nil, nil, err
	}
	if st == nil {
		return nil, nil, fmt.Errorf("the lab is not up (haguide lab up)")
	}
	ns := nodeStateFor(st, node)
	if ns == nil {
		return nil, nil, fmt.Errorf("%s was never started (haguide lab up)", node)
	}
	return st, ns, nil
}

// Kill stops a node hard, as on power loss: its network goes down at once
// and every process of it ends (through the container's init; ending the
// nspawn process alone leaves the node's processes running).
func (l *Lab) Kill(ctx context.Context, node string) error {
	st, ns, unlock, err := l.changeNode(node)
	if err != nil {
		return err
	}
	defer unlock()
	// Every cable at once, so that the bridges forget the node's
	// addresses now, as a switch does when the link goes.
	for _, v := range ns.hostVeths() {
		_ = l.run(ctx, "ip", "link", "set", v, "down")
	}
	l.killAll(ns, 10*time.Second)
	if running(ns.PID, nspawnProg) {
		return fmt.Errorf("%s: systemd-nspawn (pid %d) did not end", node, ns.PID)
	}
	// The node is down: forget its process, so that no later command
	// takes a new process with the same number for it. A power on its
	// BMC had pending is cancelled too, as a power off through the BMC
	// cancels it: a node that is off stays off.
	ns.PID = 0
	ns.BootPending = ""
	return l.saveState(st)
}

// killAll ends every process of a node and waits for nspawn to exit.
func (l *Lab) killAll(ns *nodeState, wait time.Duration) {
	if p := initPID(ns.Netns); p > 0 {
		_ = syscall.Kill(p, syscall.SIGKILL)
	}
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		left := netnsPIDs(ns.Netns)
		for _, p := range left {
			_ = syscall.Kill(p, syscall.SIGKILL)
		}
		if len(left) == 0 && !running(ns.PID, nspawnProg) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	if running(ns.PID, nspawnProg) {
		_ = syscall.Kill(ns.PID, syscall.SIGKILL)
	}
}

// Start boots a stopped node again, its disk as it was, and waits for SSH.
func (l *Lab) Start(ctx context.Context, node string) error {
	if err := l.PowerOn(ctx, node); err != nil {
		return err
	}
	i, _ := l.index(node)
	ap, _ := plan(l.cfg.CIDR, len(l.cfg.Nodes))
	one := *l
	one.cfg.Nodes = []string{node}
	ap1 := ap
	ap1.nodes = ap.nodes[i : i+1]
	return one.waitSSH(ctx, ap1, 2*time.Minute)
}

// PowerOn boots a stopped node again, its disk as it was, and returns
// once it is booting, as a BMC's power on does.
func (l *Lab) PowerOn(ctx context.Context, node string) error {
	st, ns, unlock, err := l.changeNode(node)
	if err != nil {
		return err
	}
	defer unlock()
	if running(ns.PID, nspawnProg) {
		return nil
	}
	if err := l.diskReady(node); err != nil {
		return err
	}
	// A node that powered itself off may have left a process behind in
	// its namespace (LAB-NOTES: a node's nspawn can exit before all of
	// them): a power cycle leaves nothing running, so end them first.
	l.killAll(ns, 10*time.Second)
	ap, _ := plan(l.cfg.CIDR, len(l.cfg.Nodes))
	// A node boots with a fresh network, as after a power cycle: what was
	// added while it ran (the VIP Pacemaker had started on it, routes,
	// neighbours) must not come back with it, or the VIP is up on two
	// nodes the moment it boots.
	if err := l.dropNetwork(ctx, ns); err != nil {
		return err
	}
	if err := l.network(ctx, ns, ap); err != nil {
		return err
	}
	return l.boot(st, ns)
}

// changeNode is lockNode for a change to a node, which needs root and the
// host's tools (Requirements).
func (l *Lab) changeNode(node string) (st *state, ns *nodeState, unlock func(), err error) {
	if err := Requirements(); err != nil {
		return nil, nil, nil, err
	}
	return l.lockNode(node)
}

// lockNode takes the lab's lock and reads a node's state; unlock releases
// the lock.
func (l *Lab) lockNode(node string) (st *state, ns *nodeState, unlock func(), err error) {
	if unlock, err = l.lock(); err != nil {
		return nil, nil, nil, err
	}
	if st, ns, err = l.nodeState(node); err != nil {
		unlock()
		return nil, nil, nil, err
	}
	return st, ns, unlock, nil
}

// lock serialises changes to the lab's state between processes: a BMC's
// power cut, a chapter's fault and verify's own calls may come at once.
func (l *Lab) lock() (func(), error) {
	if err := os.MkdirAll(l.cfg.Dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(l.path("lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", l.path("lock"), err)
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

// Partition cuts a node's network; Heal restores it.
func (l *Lab) Partition(ctx context.Context, node string) error {
	st, ns, unlock, err := l.changeNode(node)
	if err != nil {
		return err
	}
	defer unlock()
	if err := l.run(ctx, "ip", "link", "set", ns.Veth, "down"); err != nil {
		return err
	}
	ns.Partitioned = true
	return l.saveState(st)
}

// Heal restores the network of every partitioned node.
func (l *Lab) Heal(ctx context.Context) error {
	if err := Requirements(); err != nil {
		return err
	}
	unlock, err := l.lock()
	if err != nil {
		return err
	}
	defer unlock()
	st, err := l.loadState()
	if err != nil || st == nil {
		return err
	}
	for i := range st.Nodes {
		ns := &st.Nodes[i]
		if ns.Partitioned {
			if err := l.run(ctx, "ip", "link", "set", ns.Veth, "up"); err != nil {
				return err
			}
			ns.Partitioned = false
		}
	}
	return l.saveState(st)
}

// Down removes everything the lab made: processes, veths, namespaces, the
// proxy and the bridge, and the nodes' disks. The root file system cache,
// the package cache and the SSH key stay for the next Up.
func (l *Lab) Down(ctx context.Context) error {
	st, err := l.loadState()
	if err != nil {
		return err
	}
	if st == nil {
		return nil
	}
	var errs []string
	// Ask every node to power off at once, then give them together up to
	// 15 seconds before what is left is killed.
	for i := range st.Nodes {
		if running(st.Nodes[i].PID, nspawnProg) {
			_ = syscall.Kill(st.Nodes[i].PID, syscall.SIGTERM)
		}
	}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) && slices.ContainsFunc(st.Nodes, func(n nodeState) bool { return running(n.PID, nspawnProg) }) {
		time.Sleep(100 * time.Millisecond)
	}
	for i := range st.Nodes {
		stopBMC(&st.Nodes[i])
		if running(st.Nodes[i].BMCPID, bmcProg) {
			errs = append(errs, fmt.Sprintf("%s: BMC (pid %d) still runs", st.Nodes[i].Name, st.Nodes[i].BMCPID))
		}
	}
	for i := range st.Nodes {
		ns := &st.Nodes[i]
		// A node whose nspawn ended may still have processes: end them
		// through its init before the namespace goes.
		l.killAll(ns, 10*time.Second)
		if left := netnsPIDs(ns.Netns); len(left) > 0 {
			errs = append(errs, fmt.Sprintf("%s: processes %v still run", ns.Name, left))
		}
		if err := l.dropNetwork(ctx, ns); err != nil {
			errs = append(errs, err.Error())
		}
		if err := removeNodeCgroups(cgroupName(ns), ns.Cgroups); err != nil {
			errs = append(errs, err.Error())
		}
		if err := os.RemoveAll(l.path("nodes", ns.Name)); err != nil {
			errs = append(errs, err.Error())
		}
	}
	// The nodes' views of LXCFS went with their mount namespaces.
	if err := stopLxcfs(st.LxcfsPID, l.lxcfsMount()); err != nil {
		errs = append(errs, err.Error())
	}
	removeLxcfsRuntime()
	stopProcess(st.PDUPID, pduProg, 5*time.Second)
	if running(st.PDUPID, pduProg) {
		errs = append(errs, fmt.Sprintf("the PDU (pid %d) still runs", st.PDUPID))
	}
	stopProcess(st.ProxyPID, proxyProg, 10*time.Second)
	if _, err := os.Stat("/sys/class/net/" + st.Bridge); err == nil {
		if err := l.run(ctx, "ip", "link", "del", st.Bridge); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if err := l.dropDataBridges(ctx, st.Bridge); err != nil {
		errs = append(errs, err.Error())
	}
	if len(errs) > 0 {
		return fmt.Errorf("lab down left things behind (run it again): %s", strings.Join(errs, "; "))
	}
	_ = os.Remove(l.path("inventory.yml"))
	// The BMCs' and the PDU's configurations, state and secrets go with
	// them, and the lab's CA and certificate: a new lab, a new CA.
	for _, d := range []string{l.path("bmc"), l.pduDir(), l.path("tls")} {
		if err := os.RemoveAll(d); err != nil {
			return err
		}
	}
	// Another down (a second terminal, a CI trap) may have finished first.
	if err := os.Remove(l.path("state.json")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// MemoryUse is what the lab's nodes use at one moment: the proportional
// set size (PSS) of every process in their namespaces, in bytes, in all,
// per node and per program.
type MemoryUse struct {
	Total int64
	// Anon is the anonymous part of Total (the kernel's Pss_Anon): heaps
	// and stacks, which only swap could free. The rest is file pages
	// (programs, libraries, mapped files such as Galera's gcache) that the
	// kernel can drop or write back under pressure.
	Anon int64
	// Nodes is each node's sum, in the lab's node order.
	Nodes []NamedBytes
	// Programs sums the processes of each program (the kernel's name of
	// the process: the script's name for an interpreted daemon, so that
	// nova-api and neutron-server are told apart), largest first.
	Programs []NamedBytes
}

// NamedBytes is the memory of a node or of a program's processes.
type NamedBytes struct {
	Name      string
	Bytes     int64
	Processes int
}

// Memory returns the memory the lab's nodes use now.
func (l *Lab) Memory() (MemoryUse, error) {
	st, err := l.loadState()
	if err != nil || st == nil {
		return MemoryUse{}, err
	}
	var procs []procMemory
	for _, ns := range st.Nodes {
		for _, p := range netnsPIDs(ns.Netns) {
			rollup, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", p))
			if err != nil {
				continue // gone since the listing, or a kernel thread
			}
			comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", p))
			pss, anon := parseRollup(rollup)
			procs = append(procs, procMemory{node: ns.Name, program: strings.TrimSpace(string(comm)),
				pss: pss, anon: anon})
		}
	}
	var order []string
	for _, ns := range st.Nodes {
		order = append(order, ns.Name)
	}
	return sumMemory(order, procs), nil
}

// procMemory is one process's PSS and its anonymous part, with its node
// and program.
type procMemory struct {
	node, program string
	pss, anon     int64
}

// parseRollup reads a /proc/PID/smaps_rollup in one pass and returns its
// Pss and Pss_Anon lines in bytes; a line the kernel does not have (Pss_Anon
// is from 5.8) or cannot be read counts 0.
func parseRollup(data []byte) (pss, anon int64) {
	for line := range strings.Lines(string(data)) {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		var dst *int64
		switch f[0] {
		case "Pss:":
			dst = &pss
		case "Pss_Anon:":
			dst = &anon
		default:
			continue
		}
		if kb, err := strconv.ParseInt(f[1], 10, 64); err == nil {
			*dst = kb * 1024
		}
	}
	return pss, anon
}

// sumMemory adds processes up per node (in order) and per program
// (largest first, then by name).
func sumMemory(order []string, procs []procMemory) MemoryUse {
	var m MemoryUse
	nodes := map[string]*NamedBytes{}
	for _, n := range order {
		m.Nodes = append(m.Nodes, NamedBytes{Name: n})
	}
	for i := range m.Nodes {
		nodes[m.Nodes[i].Name] = &m.Nodes[i]
	}
	programs := map[string]*NamedBytes{}
	for _, p := range procs {
		m.Total += p.pss
		m.Anon += p.anon
		if n := nodes[p.node]; n != nil {
			n.Bytes += p.pss
			n.Processes++
		}
		name := p.program
		if name == "" {
			name = "?"
		}
		pr := programs[name]
		if pr == nil {
			pr = &NamedBytes{Name: name}
			programs[name] = pr
		}
		pr.Bytes += p.pss
		pr.Processes++
	}
	for _, pr := range programs {
		m.Programs = append(m.Programs, *pr)
	}
	slices.SortFunc(m.Programs, func(a, b NamedBytes) int {
		if c := cmp.Compare(b.Bytes, a.Bytes); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return m
}

// Holder returns the node whose network holds addr (a virtual IP), or ""
// when none does.
func (l *Lab) Holder(ctx context.Context, addr string) (string, error) {
	st, err := l.loadState()
	if err != nil {
		return "", err
	}
	if st == nil {
		return "", fmt.Errorf("the lab is not up (haguide lab up)")
	}
	for _, ns := range st.Nodes {
		if !running(ns.PID, nspawnProg) {
			continue
		}
		out, err := exec.CommandContext(ctx, "ip", "-n", ns.Netns, "-o", "addr", "show").Output()
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(out)) {
			if a, _, _ := strings.Cut(f, "/"); a == addr {
				return ns.Name, nil
			}
		}
	}
	return "", nil
}

// Stop shuts a node down cleanly, as an operator powering it off: its
// systemd stops every service in order. It waits up to timeout, then
// kills what is left.
func (l *Lab) Stop(ctx context.Context, node string, timeout time.Duration) error {
	if err := Requirements(); err != nil {
		return err
	}
	_, ns, err := l.nodeState(node)
	if err != nil {
		return err
	}
	if !running(ns.PID, nspawnProg) {
		return nil
	}
	// SIGTERM to systemd-nspawn asks the container's init to power off.
	_ = syscall.Kill(ns.PID, syscall.SIGTERM)
	deadline := time.Now().Add(timeout)
	for running(ns.PID, nspawnProg) && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	if running(ns.PID, nspawnProg) {
		l.log.Warn("node did not power off in time; killing it", "node", node, "timeout", timeout)
	}
	l.killAll(ns, 10*time.Second)
	return nil
}
