package lab

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A switched PDU for the lab, the second fencing level: net-snmp's snmpd
// runs on the host on an address of the lab's own (.20), answering SNMP
// v2c like an APC switched rack PDU, so that the guide's fence_apc_snmp
// devices reach it exactly as they reach a real one. Outlet N feeds node N.
// snmpd hands the APC outlet objects to `haguide lab pdu` (a pass_persist
// program): switching an outlet off cuts the node's power as Kill does and
// its BMC dies with it, as a server's BMC does on standby power; switching
// it on starts the BMC and boots the node after BMCBootDelay.
const (
	// pduHost is the host part of the PDU's address.
	pduHost = 20
	pduProg = "snmpd"
	// PDUVar and PDUCommunityVar are the inventory variables of the PDU's
	// address and its read-write community.
	PDUVar          = "PDU_ADDR"
	PDUCommunityVar = "PDU_COMMUNITY"
)

// The APC PowerNet-MIB objects fence_apc_snmp uses for a switched rack
// PDU (its class ApcRPDU, chosen by the sysObjectID), each a table indexed
// by the outlet number.
const (
	// apcRPDU is the sysObjectID of an APC switched rack PDU.
	apcRPDU = ".1.3.6.1.4.1.318.1.3.4.5"
	// apcOutlets is the subtree snmpd passes to the program.
	apcOutlets = ".1.3.6.1.4.1.318.1.1.12.3"
	// rPDUOutletControlOutletCommand: set 1 to switch on, 2 off; reads the
	// state as 1 or 2.
	oidOutletCommand = apcOutlets + ".3.1.1.4"
	// rPDUOutletStatusOutletName: the outlet's name (the node's).
	oidOutletName = apcOutlets + ".5.1.1.2"
	// rPDUOutletStatusOutletState: 1 on, 2 off.
	oidOutletState = apcOutlets + ".5.1.1.4"
	outletOn       = 1
	outletOff      = 2
)

// OutletVar is the inventory variable that holds the PDU outlet feeding a
// node (CONTROLLER1_OUTLET for controller1).
func OutletVar(node string) string { return nodeVar(node, "_OUTLET") }

// Outlets is what the PDU's program switches: outlet i (from 1) feeds
// Names()[i-1].
type Outlets interface {
	Names() []string
	// On reports whether an outlet is switched on.
	On(outlet int) (bool, error)
	// Switch switches an outlet on or off; it returns once it is done.
	Switch(ctx context.Context, outlet int, on bool) error
}

// pduObject is one object the PDU serves.
type pduObject struct {
	oid []int
	typ string
	val string
}

// pduObjects are the PDU's objects in SNMP order.
func pduObjects(o Outlets) ([]pduObject, error) {
	var out []pduObject
	for i, name := range o.Names() {
		on, err := o.On(i + 1)
		if err != nil {
			return nil, err
		}
		state := strconv.Itoa(outletOff)
		if on {
			state = strconv.Itoa(outletOn)
		}
		for _, obj := range []struct{ base, typ, val string }{
			{oidOutletCommand, "integer", state},
			{oidOutletName, "string", name},
			{oidOutletState, "integer", state},
		} {
			oid, _ := parseOID(obj.base + "." + strconv.Itoa(i+1))
			out = append(out, pduObject{oid: oid, typ: obj.typ, val: obj.val})
		}
	}
	slices.SortFunc(out, func(a, b pduObject) int { return slices.Compare(a.oid, b.oid) })
	return out, nil
}

// parseOID parses a numeric object identifier (".1.3.6...").
func parseOID(s string) ([]int, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), ".")
	if s == "" {
		return nil, errors.New("empty OID")
	}
	parts := strings.Split(s, ".")
	oid := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("OID %q: bad part %q", s, p)
		}
		oid[i] = n
	}
	return oid, nil
}

func formatOID(oid []int) string {
	var b strings.Builder
	for _, n := range oid {
		b.WriteByte('.')
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}

// ServePDU speaks snmpd's pass_persist protocol (snmpd.conf(5)) on r and
// w until r ends: PING, get, getnext and set of the outlet objects.
func ServePDU(ctx context.Context, r io.Reader, w io.Writer, o Outlets) error {
	in := bufio.NewScanner(r)
	line := func() (string, bool) {
		if !in.Scan() {
			return "", false
		}
		return strings.TrimSpace(in.Text()), true
	}
	for {
		cmd, ok := line()
		if !ok {
			return in.Err()
		}
		var reply string
		switch strings.ToLower(cmd) {
		case "":
			continue
		case "ping":
			reply = "PONG\n"
		case "get", "getnext":
			oid, ok := line()
			if !ok {
				return in.Err()
			}
			reply = pduGet(o, oid, strings.EqualFold(cmd, "getnext"))
		case "set":
			oid, ok1 := line()
			value, ok2 := line()
			if !ok1 || !ok2 {
				return in.Err()
			}
			reply = pduSet(ctx, o, oid, value) + "\n"
		default:
			reply = "NONE\n"
		}
		if _, err := io.WriteString(w, reply); err != nil {
			return err
		}
	}
}

// pduGet answers a get (the object itself) or a getnext (the first one
// after it).
func pduGet(o Outlets, s string, next bool) string {
	oid, err := parseOID(s)
	if err != nil {
		return "NONE\n"
	}
	objs, err := pduObjects(o)
	if err != nil {
		return "NONE\n"
	}
	for _, obj := range objs {
		c := slices.Compare(obj.oid, oid)
		if (!next && c == 0) || (next && c > 0) {
			return formatOID(obj.oid) + "\n" + obj.typ + "\n" + obj.val + "\n"
		}
	}
	return "NONE\n"
}

// pduSet switches an outlet through its command object; every other
// object is read-only.
func pduSet(ctx context.Context, o Outlets, s, value string) string {
	oid, err := parseOID(s)
	if err != nil {
		return "not-writable"
	}
	base, _ := parseOID(oidOutletCommand)
	if len(oid) != len(base)+1 || !slices.Equal(oid[:len(base)], base) {
		return "not-writable"
	}
	outlet := oid[len(base)]
	if outlet < 1 || outlet > len(o.Names()) {
		return "no-creation"
	}
	typ, val, _ := strings.Cut(value, " ")
	if !strings.EqualFold(typ, "integer") {
		return "wrong-type"
	}
	var on bool
	switch strings.TrimSpace(val) {
	case strconv.Itoa(outletOn):
		on = true
	case strconv.Itoa(outletOff):
	default:
		return "wrong-value"
	}
	if err := o.Switch(ctx, outlet, on); err != nil {
		return "commit-failed"
	}
	return "DONE"
}

// labOutlets are a lab's outlets: outlet i feeds the lab's node i.
type labOutlets struct{ l *Lab }

func (lo labOutlets) Names() []string { return lo.l.cfg.Nodes }

func (lo labOutlets) node(outlet int) (string, error) {
	if outlet < 1 || outlet > len(lo.l.cfg.Nodes) {
		return "", fmt.Errorf("no outlet %d", outlet)
	}
	return lo.l.cfg.Nodes[outlet-1], nil
}

func (lo labOutlets) On(outlet int) (bool, error) {
	n, err := lo.node(outlet)
	if err != nil {
		return false, err
	}
	_, ns, err := lo.l.nodeState(n)
	if err != nil {
		return false, err
	}
	return !ns.OutletOff, nil
}

func (lo labOutlets) Switch(ctx context.Context, outlet int, on bool) error {
	n, err := lo.node(outlet)
	if err != nil {
		return err
	}
	start := time.Now()
	err = lo.l.switchOutlet(ctx, n, on)
	if f, ferr := os.OpenFile(lo.l.path("pdu", "outlets.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600); ferr == nil {
		fmt.Fprintf(f, "%s outlet %d (%s) on=%v err=%v (%s)\n", start.UTC().Format(time.RFC3339Nano), outlet, n, on, err, time.Since(start).Round(time.Millisecond))
		f.Close()
	}
	return err
}

// ServePDU runs the lab's PDU program on stdin and stdout (snmpd starts
// it). snmpd reads the program's standard error as its replies too, so
// the lab's log goes to LAB-DIR/pdu/pdu.log instead: a log line in the
// pipe would be read as the next reply, and snmpd would answer "no such
// object" and restart the program (seen in the lab: an outlet read as
// off right after a power on).
func (l *Lab) ServePDU(ctx context.Context, r io.Reader, w io.Writer) error {
	f, err := os.OpenFile(l.path("pdu", "pdu.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	quiet := *l
	quiet.log = slog.New(slog.NewTextHandler(f, nil))
	return ServePDU(ctx, r, w, labOutlets{&quiet})
}

// switchOutlet switches a node's outlet. Off: the node loses power at
// once and its BMC with it. On: the BMC starts again and the node boots
// after BMCBootDelay, as a server set to power on when power returns.
func (l *Lab) switchOutlet(ctx context.Context, node string, on bool) error {
	st, ns, unlock, err := l.changeNode(node)
	if err != nil {
		return err
	}
	was := !ns.OutletOff
	ns.OutletOff = !on
	if !on {
		ns.BootPending = ""
	}
	err = l.saveState(st)
	unlock()
	if err != nil || was == on {
		return err
	}
	if !on {
		if err := l.Kill(ctx, node); err != nil {
			return err
		}
		st, ns, unlock, err := l.lockNode(node)
		if err != nil {
			return err
		}
		defer unlock()
		stopBMC(ns)
		ns.BMCPID = 0
		return l.saveState(st)
	}
	ap, _ := plan(l.cfg.CIDR, len(l.cfg.Nodes))
	unlock, err = l.lock()
	if err != nil {
		return err
	}
	st, err = l.loadState()
	if err == nil {
		err = l.bmcs(ctx, st, ap)
	}
	unlock()
	if err != nil {
		return err
	}
	return l.powerOnLater(node)
}

// pduDir is where the PDU keeps its configuration, community and logs.
func (l *Lab) pduDir() string { return l.path("pdu") }

// readPDUCommunity returns the PDU's community, or "" before the lab's
// first up made one.
func (l *Lab) readPDUCommunity() string { return readSecret(l.path("pdu", "community")) }

// pduArgs are the arguments of `haguide lab pdu` for this lab (see
// chassisArgs).
func (l *Lab) pduArgs() []string {
	return []string{"lab", "pdu", "--lab-dir", l.cfg.Dir, "--bridge", l.cfg.Bridge, "--cidr", l.cfg.CIDR}
}

// pduConfig is snmpd's configuration for the lab's PDU.
func pduConfig(addr, community, program string) string {
	return fmt.Sprintf(`# The haguide lab's switched PDU; written by haguide lab up.
agentAddress udp:%[1]s:161
rwcommunity %[2]s default
sysObjectID %[3]s
sysDescr haguide lab switched PDU (APC rPDU objects)
sysName haguide-pdu
pass_persist %[4]s %[5]s
`, addr, community, apcRPDU, apcOutlets, program)
}

// pdu starts the lab's PDU if it is not running.
func (l *Lab) pdu(ctx context.Context, st *state, ap addrPlan) error {
	if running(st.PDUPID, pduProg) {
		return nil
	}
	if l.cfg.Exe == "" {
		return errors.New("the lab's PDU needs the haguide binary's path (Config.Exe)")
	}
	community, err := makeSecret(l.path("pdu", "community"))
	if err != nil {
		return err
	}
	dir := l.pduDir()
	if err := os.MkdirAll(filepath.Join(dir, "persist"), 0o700); err != nil {
		return err
	}
	program := filepath.Join(dir, "outlets")
	files := map[string]struct {
		content string
		mode    os.FileMode
	}{
		"snmpd.conf": {pduConfig(ap.pdu.String(), community, program), 0o600},
		"outlets":    {haguideScript("The outlets of the lab's PDU (snmpd's pass_persist program).", l.cfg.Exe, l.pduArgs()), 0o700},
	}
	for name, f := range files {
		if err := writeLabFile(filepath.Join(dir, name), []byte(f.content), f.mode); err != nil {
			return err
		}
	}
	if err := l.addBMCAddr(ctx, ap.pdu, ap); err != nil {
		return err
	}
	// -f: stay in the foreground (the lab tracks the process); -C: no
	// configuration but the lab's; -Lf: log to the lab's file.
	cmd := exec.Command(pduProg, "-f", "-C", "-c", filepath.Join(dir, "snmpd.conf"), "-Lf", filepath.Join(dir, "snmpd.log"))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SNMP_PERSISTENT_DIR="+filepath.Join(dir, "persist"), "MIBS=")
	pid, err := startDaemon(cmd, "", 0)
	if err != nil {
		return fmt.Errorf("the lab's PDU: start %s: %w", pduProg, err)
	}
	st.PDUPID = pid
	if err := l.saveState(st); err != nil {
		return err
	}
	l.log.Info("PDU started", "address", ap.pdu)
	return nil
}
