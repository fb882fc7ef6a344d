package lab

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/haguide/haguide/internal/shquote"
)

// A BMC per node: OpenIPMI's simulator (ipmi_sim) runs on the host for each
// node, listening for IPMI v2 (RMCP+, lanplus) on an address of the lab's
// own (.21 and up), so that the guide's fence devices and power cuts reach
// a lab node exactly as they reach a server: `ipmitool -I lanplus` from the
// workstation, `fence_ipmilan` from the other nodes. The simulator hands
// chassis control to a program, `haguide lab chassis NODE`, which powers the
// node off as Kill does (every process ends at once) and on as Start does
// (a boot with the disk as it was), and reports the node's real state.
const (
	bmcPort = 623
	// BMCUser is the user every lab BMC knows, with admin rights.
	BMCUser = "haguide"
	// BMCCipher is the RMCP+ cipher suite the simulator offers: 3
	// (HMAC-SHA1, AES-128). ipmi_sim has no suite 17.
	BMCCipher = "3"
	// bmcFirst is the host part of the first node's BMC address.
	bmcFirst = 21
	bmcProg  = "ipmi_sim"
)

// BMCVar is the inventory variable that holds a node's BMC address
// (CONTROLLER1_BMC for controller1), as the guide's placeholders name it.
func BMCVar(node string) string { return nodeVar(node, "_BMC") }

// nodeVar is the inventory variable of a node's value: the node's name in
// capitals, - and . as _, then suffix.
func nodeVar(node, suffix string) string {
	return strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(node)) + suffix
}

// Link1Var is the inventory variable that holds a node's address on the
// cluster network, Corosync's second link (CONTROLLER1_LINK1_ADDR).
func Link1Var(node string) string { return nodeVar(node, "_LINK1_ADDR") }

// bmcDir is where a node's BMC keeps its configuration and state.
func (l *Lab) bmcDir(node string) string { return l.path("bmc", node) }

// bmcPassword returns the lab's BMC password, making it on first use. It
// is 16 letters and digits (IPMI v2 allows 20).
func (l *Lab) bmcPassword() (string, error) { return makeSecret(l.path("bmc", "password")) }

// readBMCPassword returns the lab's BMC password, or "" before the lab's
// first up made one.
func (l *Lab) readBMCPassword() string { return readSecret(l.path("bmc", "password")) }

// makeSecret returns the secret kept in file p, making it on first use:
// 16 letters and digits.
func makeSecret(p string) (string, error) {
	if s := readSecret(p); s != "" {
		return s, nil
	}
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	buf := make([]byte, 16)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	for i := range buf {
		buf[i] = alphabet[int(buf[i])%len(alphabet)]
	}
	if err := writeLabFile(p, append(buf, '\n'), 0o600); err != nil {
		return "", err
	}
	return string(buf), nil
}

// readSecret returns the secret kept in file p, or "" if there is none.
func readSecret(p string) string {
	b, err := os.ReadFile(p)
	if s := strings.TrimSpace(string(b)); err == nil && len(s) >= 12 {
		return s
	}
	return ""
}

// bmcConfig is the simulator's LAN configuration for one node.
func bmcConfig(node string, addr netip.Addr, chassis, password string, guid [16]byte) string {
	return fmt.Sprintf(`# The BMC of the haguide lab's node %[1]s; written by haguide lab up.
name "%[1]s"
set_working_mc 0x20
  startlan 1
    addr %[2]s %[3]d
    priv_limit admin
    allowed_auths_callback none md5 straight
    allowed_auths_user none md5 straight
    allowed_auths_operator none md5 straight
    allowed_auths_admin none md5 straight
    guid %[4]x
  endlan
  chassis_control "%[5]s 0x20"
user 2 true "%[6]s" "%[7]s" admin 10 none md5 straight
`, node, addr, bmcPort, guid, chassis, BMCUser, password)
}

// bmcCommands starts one management controller: without mc_setbmc the
// simulator never listens.
const bmcCommands = `mc_setbmc 0x20
mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02
mc_enable 0x20
`

// chassisArgs are the arguments of `haguide lab chassis` for a node of
// this lab: its directory, bridge and network given outright, so that no
// HAGUIDE_LAB_* variable of the environment the simulator was started in
// can point it at another lab.
func (l *Lab) chassisArgs(node string) []string {
	return []string{"lab", "chassis", "--lab-dir", l.cfg.Dir, "--bridge", l.cfg.Bridge, "--cidr", l.cfg.CIDR, node}
}

// haguideScript is a script that runs this haguide binary with args, as
// the BMC simulator runs it for chassis control and snmpd for the PDU's
// outlets; what says what it is for.
func haguideScript(what, exe string, args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = shquote.Quote(a)
	}
	return fmt.Sprintf("#!/bin/sh\n# %s\nexec %s %s \"$@\"\n", what, shquote.Quote(exe), strings.Join(quoted, " "))
}

// bmcs starts every node's BMC that is not running.
func (l *Lab) bmcs(ctx context.Context, st *state, ap addrPlan) error {
	if l.cfg.Exe == "" {
		return errors.New("the lab's BMCs need the haguide binary's path (Config.Exe)")
	}
	password, err := l.bmcPassword()
	if err != nil {
		return err
	}
	for i, n := range l.cfg.Nodes {
		ns := nodeStateFor(st, n)
		if ns == nil {
			return fmt.Errorf("%s has no state", n)
		}
		addr := ap.bmcs[i]
		ns.BMCAddr = addr.String()
		if running(ns.BMCPID, bmcProg) {
			continue
		}
		if err := l.saveState(st); err != nil {
			return err
		}
		if err := l.addBMCAddr(ctx, addr, ap); err != nil {
			return err
		}
		dir := l.bmcDir(n)
		if err := os.MkdirAll(filepath.Join(dir, "state"), 0o700); err != nil {
			return err
		}
		var guid [16]byte
		_, _ = rand.Read(guid[:])
		chassis := filepath.Join(dir, "chassis")
		files := map[string]string{
			"lan.conf": bmcConfig(n, addr, chassis, password, guid),
			"cmds":     bmcCommands,
			"chassis":  haguideScript("Chassis control of a lab node's BMC: power state, off and on.", l.cfg.Exe, l.chassisArgs(n)),
		}
		for name, content := range files {
			mode := os.FileMode(0o600)
			if name == "chassis" {
				mode = 0o700
			}
			if err := writeLabFile(filepath.Join(dir, name), []byte(content), mode); err != nil {
				return err
			}
		}
		// -n: no console (with stdin at /dev/null it would abort).
		cmd := exec.Command(bmcProg, "-c", filepath.Join(dir, "lan.conf"), "-f", filepath.Join(dir, "cmds"), "-n", "-s", filepath.Join(dir, "state"))
		cmd.Dir = dir
		pid, err := startDaemon(cmd, filepath.Join(dir, "ipmi_sim.log"), 0o600)
		if err != nil {
			return fmt.Errorf("%s's BMC: start %s: %w", n, bmcProg, err)
		}
		ns.BMCPID = pid
		if err := l.saveState(st); err != nil {
			return err
		}
		l.log.Info("BMC started", "node", n, "address", addr)
	}
	// Each must answer an IPMI session as a client will open it.
	for i, n := range l.cfg.Nodes {
		if err := waitBMC(ctx, ap.bmcs[i].String(), password, 10*time.Second); err != nil {
			return fmt.Errorf("%s's BMC: %w; see %s", n, err, filepath.Join(l.bmcDir(n), "ipmi_sim.log"))
		}
	}
	return nil
}

// addBMCAddr puts a BMC's address on the lab's bridge (a host address:
// the nodes reach it through the bridge, nothing else does).
func (l *Lab) addBMCAddr(ctx context.Context, addr netip.Addr, ap addrPlan) error {
	out, _ := exec.CommandContext(ctx, "ip", "-o", "addr", "show", "dev", l.cfg.Bridge).Output()
	if strings.Contains(string(out), " "+addr.String()+"/") {
		return nil
	}
	return l.run(ctx, "ip", "addr", "add", fmt.Sprintf("%s/32", addr), "dev", l.cfg.Bridge)
}

// waitBMC waits until the BMC at addr answers a power status query.
func waitBMC(ctx context.Context, addr, password string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last error
	for {
		_, err := ipmitool(ctx, addr, password, "chassis", "power", "status")
		if err == nil {
			return nil
		}
		last = err
		if time.Now().After(deadline) {
			return fmt.Errorf("no IPMI answer on %s after %s: %w", addr, timeout, last)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// ipmitool runs one ipmitool command against a lab BMC, the password in
// the environment (never on a command line other processes can read).
func ipmitool(ctx context.Context, addr, password string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	full := append([]string{"-I", "lanplus", "-C", BMCCipher, "-H", addr, "-p", fmt.Sprint(bmcPort), "-U", BMCUser, "-E"}, args...)
	cmd := exec.CommandContext(ctx, "ipmitool", full...)
	cmd.Env = append(os.Environ(), "IPMI_PASSWORD="+password)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("ipmitool %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// stopBMC ends a node's BMC process.
func stopBMC(ns *nodeState) { stopProcess(ns.BMCPID, bmcProg, 5*time.Second) }

// stopProcess ends a process of the lab's (pid, running prog): SIGTERM,
// then SIGKILL if it is still there after wait.
func stopProcess(pid int, prog string, wait time.Duration) {
	if !running(pid, prog) {
		return
	}
	_ = syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(wait)
	for running(pid, prog) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if running(pid, prog) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// Chassis is the simulator's chassis control for a node, called as
// `haguide lab chassis NODE DEVICE get power` (it prints "power:1" or
// "power:0"), `... set power 0|1` and `... set reset 1`. Power off ends the
// node as Kill does; power on boots it as Start does but returns at once
// (a BMC answers before the server has booted); reset is both.
func (l *Lab) Chassis(ctx context.Context, node string, args []string) (string, error) {
	start := time.Now()
	reply, err := l.chassis(ctx, node, args)
	// Every request and its answer, for when a fence device misbehaves.
	if f, ferr := os.OpenFile(filepath.Join(l.bmcDir(node), "chassis.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600); ferr == nil {
		fmt.Fprintf(f, "%s %q -> %q err=%v (%s)\n", start.UTC().Format(time.RFC3339Nano), strings.Join(args, " "),
			strings.TrimSpace(reply), err, time.Since(start).Round(time.Millisecond))
		f.Close()
	}
	return reply, err
}

func (l *Lab) chassis(ctx context.Context, node string, args []string) (string, error) {
	if len(args) < 3 {
		return "", fmt.Errorf("chassis: want DEVICE get|set ITEM [VALUE], got %q", args)
	}
	op, item := args[1], args[2]
	switch {
	case op == "get" && item == "power":
		on, err := l.PowerState(node)
		if err != nil {
			return "", err
		}
		if on {
			return "power:1\n", nil
		}
		return "power:0\n", nil
	case op == "set" && item == "power" && len(args) > 3 && args[3] == "0":
		if err := l.setBootPending(node, ""); err != nil {
			return "", err
		}
		return "", l.Kill(ctx, node)
	case op == "set" && item == "power" && len(args) > 3 && args[3] == "1":
		return "", l.powerOnLater(node)
	case op == "set" && item == "reset":
		if err := l.Kill(ctx, node); err != nil {
			return "", err
		}
		return "", l.powerOnLater(node)
	case op == "boot" && len(args) == 3:
		// The delayed boot that powerOnLater started: args[2] is its token.
		return "", l.bootAfter(ctx, node, args[2], BMCBootDelay)
	case op == "get":
		// Items the simulator may ask for that a lab node does not
		// have (boot device, ...): nothing to report.
		return "", nil
	case op == "set":
		return "", nil
	}
	return "", fmt.Errorf("chassis: unknown request %q", strings.Join(args, " "))
}

// BMCBootDelay is how long a lab node's BMC waits between power on and
// the boot, as a server's firmware does before its OS starts. Without it
// a container is back in the cluster within a second, before the fence
// device that switched it on has reported success; Pacemaker then tells
// the node it was "just fenced", and the node stops its cluster stack
// (seen in the lab on 2026-12-07).
const BMCBootDelay = 10 * time.Second

// powerOnLater answers a power on at once (the node reports power on from
// now) and boots the node after BMCBootDelay, in a process of its own.
func (l *Lab) powerOnLater(node string) error {
	if on, err := l.PowerState(node); err != nil || on {
		return err
	}
	token := rand.Text()
	if err := l.setBootPending(node, token); err != nil {
		return err
	}
	if l.bootLater != nil {
		return l.bootLater(node, token)
	}
	if l.cfg.Exe == "" {
		return errors.New("the lab's BMCs need the haguide binary's path (Config.Exe)")
	}
	log, err := os.OpenFile(filepath.Join(l.bmcDir(node), "chassis.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := exec.Command(l.cfg.Exe, append(l.chassisArgs(node), "0x20", "boot", token)...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s's BMC: the delayed boot: %w", node, err)
	}
	return cmd.Process.Release()
}

// setBootPending records (or, with "", clears) a power on that has not
// booted the node yet.
func (l *Lab) setBootPending(node, token string) error {
	st, ns, unlock, err := l.lockNode(node)
	if err != nil {
		return err
	}
	defer unlock()
	ns.BootPending = token
	return l.saveState(st)
}

// bootAfter waits, then boots the node if its power on is still the one
// that token names (a power off since cancels it).
func (l *Lab) bootAfter(ctx context.Context, node, token string, delay time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(delay):
	}
	_, ns, err := l.nodeState(node)
	if err != nil || ns.BootPending != token {
		return err
	}
	if err := l.PowerOn(ctx, node); err != nil {
		return err
	}
	return l.setBootPending(node, "")
}

// PowerState reports whether a node is powered on (its container runs).
func (l *Lab) PowerState(node string) (bool, error) {
	_, ns, err := l.nodeState(node)
	if err != nil {
		return false, err
	}
	return running(ns.PID, nspawnProg) || ns.BootPending != "", nil
}
