package lab

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/goccy/go-yaml"
	"golang.org/x/crypto/ssh"

	"github.com/haguide/haguide/internal/atomicfile"
	"github.com/haguide/haguide/internal/lines"
)

// Config describes a lab.
type Config struct {
	// Dir keeps the lab's state, keys, cached root file system, package
	// cache and the nodes' disks.
	Dir string
	// Nodes are the node names, in order.
	Nodes []string
	// CIDR is the lab's network; the bridge takes .1, nodes .11 and up.
	CIDR string
	// Bridge is the host bridge's name.
	Bridge string
	// Mirror is the Debian mirror the package proxy fetches from.
	Mirror string
	// Suite is the Debian release of the nodes.
	Suite string
	// Vars are extra inventory variables (the guide's lab values).
	Vars map[string]string
	// Exe is the haguide binary that the nodes' BMCs run for chassis
	// control (`haguide lab chassis`).
	Exe    string
	Logger *slog.Logger
}

// Defaults for Config.
const (
	DefaultDir    = "/var/lib/haguide/lab"
	DefaultCIDR   = "10.0.0.0/24"
	DefaultBridge = "hag0"
	DefaultSuite  = "trixie"
	proxyPort     = 3142
)

// Distro is the id (as package distros has it) of the distro the lab's
// nodes run: Debian, DefaultSuite.
const Distro = "debian"

// Lab is a lab on this machine.
type Lab struct {
	cfg Config
	log *slog.Logger
	// bootLater replaces the BMC's delayed boot process in tests.
	bootLater func(node, token string) error
	// afterStep, when set, is called after each step of installRoot
	// (reimage.go); its error interrupts it there. For tests.
	afterStep func(step string) error
}

// A ConfigError is a value of Config the lab cannot use: Field names it
// ("CIDR", "Bridge"), so that a command can say which of its flags gave it.
type ConfigError struct {
	Field, Value string
	Err          error
}

func (e *ConfigError) Error() string { return fmt.Sprintf("lab %s %s: %v", e.Field, e.Value, e.Err) }
func (e *ConfigError) Unwrap() error { return e.Err }

// ErrOtherLab is a bridge or namespace of this lab's names that another
// lab (another Config.Dir) made and still runs.
var ErrOtherLab = errors.New("another lab is up")

// New checks a configuration and returns its lab.
func New(cfg Config) (*Lab, error) {
	if cfg.Dir == "" {
		cfg.Dir = DefaultDir
	}
	if cfg.CIDR == "" || cfg.Bridge == "" {
		// A lab that is up keeps its own network: later commands that
		// name only its directory (kill, partition, verify) find it.
		st, _ := (&Lab{cfg: cfg}).loadState()
		if st != nil && cfg.CIDR == "" {
			cfg.CIDR = st.CIDR
		}
		if st != nil && cfg.Bridge == "" {
			cfg.Bridge = st.Bridge
		}
	}
	if cfg.CIDR == "" {
		cfg.CIDR = DefaultCIDR
	}
	if cfg.Bridge == "" {
		cfg.Bridge = DefaultBridge
	}
	if cfg.Suite == "" {
		cfg.Suite = DefaultSuite
	}
	if cfg.Mirror == "" {
		cfg.Mirror = hostMirror()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if len(cfg.Nodes) == 0 {
		return nil, errors.New("a lab needs at least one node")
	}
	for _, n := range cfg.Nodes {
		if !validName(n) {
			return nil, fmt.Errorf("node name %q: use lower-case letters, digits and -", n)
		}
	}
	if _, err := plan(cfg.CIDR, len(cfg.Nodes)); err != nil {
		return nil, err
	}
	if len(cfg.Bridge) > 11 || !validName(cfg.Bridge) {
		return nil, &ConfigError{Field: "Bridge", Value: cfg.Bridge, Err: errors.New("use at most 11 lower-case letters and digits (its veths are named after it)")}
	}
	return &Lab{cfg: cfg, log: cfg.Logger}, nil
}

func validName(n string) bool {
	if n == "" || len(n) > 63 {
		return false
	}
	for _, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// addrPlan is the lab's addresses.
type addrPlan struct {
	prefix netip.Prefix
	bridge netip.Addr
	vip    netip.Addr
	nodes  []netip.Addr
	// bmcs are the nodes' BMC addresses, on the host's bridge.
	bmcs []netip.Addr
	// pdu is the PDU's address.
	pdu netip.Addr
	// data are the data networks' addresses, in dataNets' order.
	data []netPlan
}

func plan(cidr string, n int) (addrPlan, error) {
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return addrPlan{}, &ConfigError{Field: "CIDR", Value: cidr, Err: err}
	}
	p = p.Masked()
	if !p.Addr().Is4() || p.Bits() > 27 {
		return addrPlan{}, &ConfigError{Field: "CIDR", Value: cidr, Err: errors.New("want an IPv4 network of /27 or larger")}
	}
	base := p.Addr().As4()
	at := func(i int) netip.Addr {
		b := base
		v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		v += uint32(i)
		return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	}
	ap := addrPlan{prefix: p, bridge: at(1), vip: at(10), pdu: at(pduHost)}
	for i := 0; i < n; i++ {
		a := at(11 + i)
		b := at(bmcFirst + i)
		if !p.Contains(a) || !p.Contains(b) || 11+i >= pduHost {
			return addrPlan{}, &ConfigError{Field: "CIDR", Value: cidr, Err: fmt.Errorf("too small for %d nodes, their BMCs and the PDU", n)}
		}
		ap.nodes = append(ap.nodes, a)
		ap.bmcs = append(ap.bmcs, b)
	}
	if ap.data, err = planData(p, n); err != nil {
		return addrPlan{}, err
	}
	return ap, nil
}

// NodeInfo is one node as status and the inventory show it.
type NodeInfo struct {
	Name  string `json:"name"`
	Addr  string `json:"address"`
	State string `json:"state"` // running, stopped, partitioned
	PID   int    `json:"pid,omitempty"`
	// BMC is the address of the node's BMC, BMCState "answering" while its
	// simulator runs, else "down".
	BMC      string `json:"bmc"`
	BMCState string `json:"bmc_state"`
}

// Info is what a runner needs to reach the lab.
type Info struct {
	Inventory  string     `json:"inventory"`
	Key        string     `json:"key"`
	KnownHosts string     `json:"known_hosts"`
	VIP        string     `json:"vip"`
	Bridge     string     `json:"bridge"`
	Proxy      string     `json:"proxy"`
	Nodes      []NodeInfo `json:"nodes"`
}

// state is what the lab made, written before it is made.
type state struct {
	Bridge   string `json:"bridge"`
	CIDR     string `json:"cidr"`
	ProxyPID int    `json:"proxy_pid,omitempty"`
	// PDUPID is the lab's PDU (snmpd).
	PDUPID int `json:"pdu_pid,omitempty"`
	// LxcfsPID is the lab's LXCFS, which gives each node its own load
	// average (lxcfs.go).
	LxcfsPID int         `json:"lxcfs_pid,omitempty"`
	Nodes    []nodeState `json:"nodes"`
}

type nodeState struct {
	Name  string `json:"name"`
	Addr  string `json:"addr"`
	Netns string `json:"netns"`
	Veth  string `json:"veth"`
	// DataVeths are the host sides of the node's data networks' veths,
	// in dataNets' order.
	DataVeths   []string `json:"data_veths,omitempty"`
	PID         int      `json:"pid,omitempty"`
	Partitioned bool     `json:"partitioned,omitempty"`
	// Cgroups are the node's own cgroup directories (one per hierarchy),
	// recorded when it boots so that down removes exactly those, from
	// whatever cgroup down itself runs in.
	Cgroups []string `json:"cgroups,omitempty"`
	// BMCPID is the node's BMC simulator, BMCAddr its address.
	BMCPID  int    `json:"bmc_pid,omitempty"`
	BMCAddr string `json:"bmc_addr,omitempty"`
	// BootPending names a BMC power on whose boot has not come yet.
	BootPending string `json:"boot_pending,omitempty"`
	// OutletOff: the node's PDU outlet is switched off.
	OutletOff bool `json:"outlet_off,omitempty"`
}

func (l *Lab) path(p ...string) string { return filepath.Join(append([]string{l.cfg.Dir}, p...)...) }

func (l *Lab) loadState() (*state, error) {
	data, err := os.ReadFile(l.path("state.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var st state
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("%s: %w", l.path("state.json"), err)
	}
	return &st, nil
}

func (l *Lab) saveState(st *state) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return writeLabFile(l.path("state.json"), append(data, '\n'), 0o600)
}

// writeLabFile writes one of the lab's files (whole or not at all), making
// its directory.
func writeLabFile(p string, data []byte, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(p, data, mode)
}

// Requirements checks that the lab can run here: root and the host tools.
func Requirements() error {
	if os.Geteuid() != 0 {
		return errors.New("the lab needs root (it makes network namespaces and containers): run it with sudo")
	}
	var missing []string
	for tool, pkg := range map[string]string{"debootstrap": "debootstrap", "systemd-nspawn": "systemd-container", "apt-cacher-ng": "apt-cacher-ng", "ip": "iproute2", "tar": "tar",
		bmcProg: "openipmi", "ipmitool": "ipmitool", "ping": "iputils-ping", pduProg: "snmpd", lxcfsProg: "lxcfs"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, fmt.Sprintf("%s (package %s)", tool, pkg))
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return fmt.Errorf("the lab needs %s: run scripts/deps.sh test (or apt-get install them)", strings.Join(missing, ", "))
	}
	return nil
}

// hostMirror reads the Debian mirror from the host's apt sources.
func hostMirror() string {
	files, _ := filepath.Glob("/etc/apt/sources.list.d/*")
	files = append([]string{"/etc/apt/sources.list"}, files...)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			for _, field := range strings.Fields(line) {
				if strings.HasPrefix(field, "http") && strings.HasSuffix(strings.TrimRight(field, "/"), "/debian") {
					return strings.TrimRight(field, "/") + "/"
				}
			}
		}
	}
	return "http://deb.debian.org/debian/"
}

func (l *Lab) run(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Names of the lab's namespaces and host-side veths derive from its
// bridge, so two labs on one machine never share one.
func (l *Lab) netnsName(node string) string { return l.cfg.Bridge + "-" + node }
func (l *Lab) vethName(i int) string        { return l.cfg.Bridge + "v" + strconv.Itoa(i+1) }

// checkAddresses refuses a network that overlaps any address or route of
// this machine that is not the lab's own bridge.
func (l *Lab) checkAddresses(p addrPlan) error {
	ifs, err := net.Interfaces()
	if err != nil {
		return err
	}
	for _, ifc := range ifs {
		if slices.Contains(l.bridgeNames(), ifc.Name) {
			continue
		}
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			pfx, err := netip.ParsePrefix(a.String())
			if err != nil || !pfx.Addr().Is4() {
				continue
			}
			if pfx.Overlaps(p.prefix) {
				return &ConfigError{Field: "CIDR", Value: p.prefix.String(), Err: fmt.Errorf("overlaps %s on %s: choose another", pfx, ifc.Name)}
			}
			for k, d := range p.data {
				if pfx.Overlaps(d.prefix) {
					return &ConfigError{Field: "CIDR", Value: p.prefix.String(), Err: fmt.Errorf("its %s network %s overlaps %s on %s: choose another", dataNets[k].name, d.prefix, pfx, ifc.Name)}
				}
			}
		}
	}
	return nil
}

// Up brings the lab up: what exists is kept, what is missing is made.
func (l *Lab) Up(ctx context.Context) error {
	if err := Requirements(); err != nil {
		return err
	}
	ap, _ := plan(l.cfg.CIDR, len(l.cfg.Nodes))
	if err := l.checkAddresses(ap); err != nil {
		return err
	}
	st, err := l.loadState()
	if err != nil {
		return err
	}
	if st == nil {
		// A fresh lab: its bridge and namespaces must not exist yet, or
		// they belong to another lab (another --lab-dir) on this machine.
		for _, br := range l.bridgeNames() {
			if _, err := net.InterfaceByName(br); err == nil {
				return &ConfigError{Field: "Bridge", Value: l.cfg.Bridge, Err: fmt.Errorf("%s exists but this lab (%s) did not make it: %w", br, l.cfg.Dir, ErrOtherLab)}
			}
		}
		for _, n := range l.cfg.Nodes {
			if _, err := os.Stat("/run/netns/" + l.netnsName(n)); err == nil {
				return &ConfigError{Field: "Bridge", Value: l.cfg.Bridge, Err: fmt.Errorf("network namespace %s exists but this lab (%s) did not make it: %w", l.netnsName(n), l.cfg.Dir, ErrOtherLab)}
			}
		}
		st = &state{Bridge: l.cfg.Bridge, CIDR: ap.prefix.String()}
	}
	if st.CIDR != ap.prefix.String() || st.Bridge != l.cfg.Bridge {
		return fmt.Errorf("a lab with network %s on %s is up: take it down first (haguide lab down)", st.CIDR, st.Bridge)
	}
	if err := os.MkdirAll(l.cfg.Dir, 0o700); err != nil {
		return err
	}
	if err := l.keys(); err != nil {
		return err
	}
	if err := l.makeTLS(ap.data[netPublic].vip); err != nil {
		return err
	}
	if err := l.bridge(ctx, st, ap); err != nil {
		return err
	}
	if err := l.dataBridges(ctx, ap); err != nil {
		return err
	}
	if err := l.proxy(ctx, st, ap); err != nil {
		return err
	}
	if err := l.lxcfs(ctx, st); err != nil {
		return err
	}
	if err := l.baseImage(ctx, ap); err != nil {
		return err
	}
	for i, n := range l.cfg.Nodes {
		if err := l.node(ctx, st, i, n, ap); err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
	}
	if err := l.bmcs(ctx, st, ap); err != nil {
		return err
	}
	if err := l.pdu(ctx, st, ap); err != nil {
		return err
	}
	if err := l.writeInventory(ap); err != nil {
		return err
	}
	return l.waitSSH(ctx, ap, 3*time.Minute)
}

func (l *Lab) bridge(ctx context.Context, st *state, ap addrPlan) error {
	if _, err := net.InterfaceByName(l.cfg.Bridge); err == nil {
		return nil
	}
	if err := l.saveState(st); err != nil {
		return err
	}
	l.log.Info("creating the lab's bridge", "bridge", l.cfg.Bridge, "address", ap.bridge)
	if err := l.run(ctx, "ip", "link", "add", l.cfg.Bridge, "type", "bridge"); err != nil {
		return err
	}
	if err := l.run(ctx, "ip", "addr", "add", fmt.Sprintf("%s/%d", ap.bridge, ap.prefix.Bits()), "dev", l.cfg.Bridge); err != nil {
		return err
	}
	return l.run(ctx, "ip", "link", "set", l.cfg.Bridge, "up")
}

// The programs whose process IDs the lab keeps in its state.
const (
	nspawnProg = "systemd-nspawn"
	proxyProg  = "apt-cacher-ng"
)

// running reports whether pid is a live process running prog (any
// program when prog is empty). kill(pid, 0) alone is not enough: a process
// that has ended but is not reaped (a zombie; an orphaned nspawn stays
// one for good where PID 1 does not reap, as in some containers) still
// answers it, and after a reboot or a long time the number may belong to
// another program.
func running(pid int, prog string) bool {
	if pid <= 0 || syscall.Kill(pid, 0) != nil {
		return false
	}
	// /proc/PID/stat holds the state after the command name in parentheses.
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) || b[i+2] == 'Z' || b[i+2] == 'X' {
		return false
	}
	if prog == "" {
		return true
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return false
	}
	argv0, _, _ := bytes.Cut(cmdline, []byte{0})
	return filepath.Base(string(argv0)) == prog
}

// proxy runs apt-cacher-ng with the lab's own configuration and cache.
func (l *Lab) proxy(ctx context.Context, st *state, ap addrPlan) error {
	if running(st.ProxyPID, proxyProg) {
		return nil
	}
	conf := l.path("acng", "conf")
	for _, d := range []string{conf, l.path("acng", "cache"), l.path("acng", "log")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	files := map[string]string{
		"backends_debian": l.cfg.Mirror + "\n",
		"acng.conf": fmt.Sprintf(`# The haguide lab's own apt-cacher-ng; the host's is not used.
CacheDir: %s
LogDir: %s
SupportDir: /usr/lib/apt-cacher-ng
Port: %d
BindAddress: %s
SocketPath: %s
PidFile: %s
Remap-debrep: file:deb_mirror*.gz /debian ; file:backends_debian
Remap-secdeb: security.debian.org security.debian.org/debian-security deb.debian.org/debian-security /debian-security cdn-fastly.deb.debian.org/debian-security ; deb.debian.org/debian-security
ExThreshold: 30
`, l.path("acng", "cache"), l.path("acng", "log"), proxyPort, ap.bridge, l.path("acng", "socket"), l.path("acng", "pid")),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(conf, name), []byte(content), 0o644); err != nil {
			return err
		}
	}
	// apt-cacher-ng drops to its own user when run as root: let it write.
	if u, err := lookupUser("apt-cacher-ng"); err == nil {
		for _, d := range []string{l.path("acng", "cache"), l.path("acng", "log"), l.path("acng")} {
			_ = os.Chown(d, u[0], u[1])
		}
	}
	pid, err := startDaemon(exec.Command(proxyProg, "-c", conf, "ForeGround=1"), l.path("acng", "log", "stdout.log"), 0o644)
	if err != nil {
		return fmt.Errorf("start apt-cacher-ng: %w", err)
	}
	st.ProxyPID = pid
	if err := l.saveState(st); err != nil {
		return err
	}
	addr := net.JoinHostPort(ap.bridge.String(), strconv.Itoa(proxyPort))
	for i := 0; i < 50; i++ {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			l.log.Info("package proxy ready", "address", addr)
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("apt-cacher-ng does not answer on %s; see %s", addr, l.path("acng", "log"))
}

// startDaemon starts one of the lab's programs in a session of its own
// (the lab's processes outlive the haguide that started them, and a
// terminal's signals do not reach them), its output appended to logPath
// (made with mode perm; none if ""), and returns its process ID. The
// process is reaped when it ends.
func startDaemon(cmd *exec.Cmd, logPath string, perm os.FileMode) (int, error) {
	if logPath != "" {
		log, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, perm)
		if err != nil {
			return 0, err
		}
		defer log.Close()
		cmd.Stdout, cmd.Stderr = log, log
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	go cmd.Wait()
	return cmd.Process.Pid, nil
}

func lookupUser(name string) ([2]int, error) {
	f, err := os.Open("/etc/passwd")
	if err != nil {
		return [2]int{}, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.Split(sc.Text(), ":")
		if len(parts) > 3 && parts[0] == name {
			uid, _ := strconv.Atoi(parts[2])
			gid, _ := strconv.Atoi(parts[3])
			return [2]int{uid, gid}, nil
		}
	}
	return [2]int{}, fmt.Errorf("no user %s", name)
}

// baseImage debootstraps the nodes' root file system once, through the
// proxy, and keeps it as a tarball.
func (l *Lab) baseImage(ctx context.Context, ap addrPlan) error {
	tarball := l.path("cache", l.cfg.Suite+".tar")
	if _, err := os.Stat(tarball); err == nil {
		return nil
	}
	root := l.path("cache", l.cfg.Suite+".root")
	_ = os.RemoveAll(root)
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	l.log.Info("debootstrap: making the nodes' root file system (once; cached)", "suite", l.cfg.Suite)
	start := time.Now()
	cmd := exec.CommandContext(ctx, "debootstrap", "--variant=minbase",
		"--include=systemd,systemd-sysv,dbus,openssh-server,iproute2,ca-certificates,procps,iputils-ping,less",
		l.cfg.Suite, root, "http://deb.debian.org/debian")
	cmd.Env = append(os.Environ(), fmt.Sprintf("http_proxy=http://%s:%d", ap.bridge, proxyPort))
	if out, err := cmd.CombinedOutput(); err != nil {
		_ = os.RemoveAll(root)
		return fmt.Errorf("debootstrap: %v: %s", err, lines.Tail(string(out), 15))
	}
	// Whole or not at all: the tarball's presence says the cache is done.
	err := atomicfile.WriteFunc(tarball, 0o644, atomicfile.Options{}, func(w io.Writer) error {
		cmd := exec.CommandContext(ctx, "tar", "-C", root, "-cf", "-", ".")
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = w, &stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("tar %s: %v: %s", root, err, lines.Tail(stderr.String(), 10))
		}
		return nil
	})
	if err != nil {
		return err
	}
	l.log.Info("root file system ready", "took", time.Since(start).Round(time.Second))
	return os.RemoveAll(root)
}

// keys makes the lab's SSH client key once.
func (l *Lab) keys() error {
	key := l.path("id_ed25519")
	if _, err := os.Stat(key); err == nil {
		return nil
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	block, err := ssh.MarshalPrivateKey(priv, "haguide-lab")
	if err != nil {
		return err
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		return err
	}
	if err := writeLabFile(key+".pub", ssh.MarshalAuthorizedKey(sp), 0o644); err != nil {
		return err
	}
	return writeLabFile(key, pem.EncodeToMemory(block), 0o600)
}

// node makes (if needed) and boots one node.
func (l *Lab) node(ctx context.Context, st *state, i int, name string, ap addrPlan) error {
	ns := nodeStateFor(st, name)
	if ns == nil {
		st.Nodes = append(st.Nodes, nodeState{Name: name, Addr: ap.nodes[i].String(), Netns: l.netnsName(name), Veth: l.vethName(i)})
		ns = &st.Nodes[len(st.Nodes)-1]
	}
	if len(ns.DataVeths) < len(dataNets) {
		// A lab made before its newer data networks gets theirs now.
		for _, dn := range dataNets[len(ns.DataVeths):] {
			ns.DataVeths = append(ns.DataVeths, l.dataVeth(dn, i))
		}
		if err := l.saveState(st); err != nil {
			return err
		}
	}
	root := l.path("nodes", name, "root")
	if running(ns.PID, nspawnProg) {
		// A node that runs since before the lab had data networks
		// gets its links now, and its public certificate.
		if err := l.installTLS(root); err != nil {
			return err
		}
		return l.dataLinks(ctx, ns, ap)
	}
	// A node without a disk gets one; so does a node whose reimage was
	// interrupted (reimage.go): up finishes it.
	if _, err := os.Stat(filepath.Join(root, "etc", "os-release")); err != nil || l.reimageUnfinished(name) {
		if err := l.installRoot(ctx, name, ap.nodes[i]); err != nil {
			return err
		}
	}
	if err := l.installTLS(root); err != nil {
		return err
	}
	if err := l.network(ctx, ns, ap); err != nil {
		return err
	}
	return l.boot(st, ns)
}

func nodeStateFor(st *state, name string) *nodeState {
	for i := range st.Nodes {
		if st.Nodes[i].Name == name {
			return &st.Nodes[i]
		}
	}
	return nil
}

// fillRoot unpacks the base image into root, an empty directory it
// makes, and gives the disk its name, a new host key (returned), the
// lab's key, package sources, proxy and the lab's certificate.
func (l *Lab) fillRoot(ctx context.Context, name, root string) (ssh.PublicKey, error) {
	ap, err := plan(l.cfg.CIDR, len(l.cfg.Nodes))
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, err
	}
	if err := l.run(ctx, "tar", "-C", root, "-xf", l.path("cache", l.cfg.Suite+".tar")); err != nil {
		return nil, err
	}
	old, _ := filepath.Glob(filepath.Join(root, "etc/ssh/ssh_host_*"))
	for _, f := range old {
		os.Remove(f)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := ssh.MarshalPrivateKey(priv, "root@"+name)
	if err != nil {
		return nil, err
	}
	sp, _ := ssh.NewPublicKey(pub)
	authorized, err := os.ReadFile(l.path("id_ed25519.pub"))
	if err != nil {
		return nil, err
	}
	// Every node is a machine of its own: cloned disks that share
	// /etc/machine-id are a classic trap (DHCP client IDs, journal
	// identities), and the base image carries one.
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	suite := l.cfg.Suite
	files := []struct {
		path string
		data string
		mode os.FileMode
	}{
		{"etc/hostname", name + "\n", 0o644},
		{"etc/machine-id", hex.EncodeToString(id[:]) + "\n", 0o444},
		{"etc/hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n", 0o644},
		{"etc/ssh/ssh_host_ed25519_key", string(pem.EncodeToMemory(block)), 0o600},
		{"etc/ssh/ssh_host_ed25519_key.pub", string(ssh.MarshalAuthorizedKey(sp)), 0o644},
		{"root/.ssh/authorized_keys", string(authorized), 0o600},
		{"etc/apt/apt.conf.d/01haguide-proxy", fmt.Sprintf("Acquire::http::Proxy \"http://%s:%d\";\n", ap.bridge, proxyPort), 0o644},
		// A lab node is thrown away, never recovered after a crash, so
		// dpkg need not fsync every file it unpacks (the OpenStack
		// packages unpack tens of thousands). Real nodes keep dpkg's
		// default; the guide's commands are the same either way.
		{"etc/dpkg/dpkg.cfg.d/01haguide-unsafe-io", "# haguide lab: disposable node, no fsync per unpacked file\nforce-unsafe-io\n", 0o644},
		{"etc/apt/sources.list", "", 0o644},
		{"etc/apt/sources.list.d/debian.sources", fmt.Sprintf(`Types: deb
URIs: http://deb.debian.org/debian
Suites: %[1]s %[1]s-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: %[1]s-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`, suite), 0o644},
		{"etc/ssh/sshd_config.d/haguide.conf", "PermitRootLogin prohibit-password\nUseDNS no\n", 0o644},
		// The lab has no DNS server. Pointing the nodes at the bridge,
		// where nothing listens on port 53, makes a DNS lookup fail at
		// once (port unreachable), as on a network whose resolver refuses;
		// the host's resolver, which debootstrap copied, may be an address
		// the nodes cannot reach, and every lookup would then wait out its
		// timeouts.
		{"etc/resolv.conf", fmt.Sprintf("# haguide lab: no DNS here; names come from /etc/hosts\nnameserver %s\n", ap.bridge), 0o644},
	}
	for _, f := range files {
		p := filepath.Join(root, f.path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, []byte(f.data), f.mode); err != nil {
			return nil, err
		}
	}
	return sp, l.installTLS(root)
}

// recordHostKey replaces the lab's known_hosts line for the node at addr
// with key, atomically.
func (l *Lab) recordHostKey(addr netip.Addr, key ssh.PublicKey) error {
	kh := l.path("known_hosts")
	data, err := os.ReadFile(kh)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return writeLabFile(kh, replaceKnownHost(data, addr.String(), key), 0o644)
}

// nodeMAC is the node's own hardware address, derived from its IPv4
// address (locally administered, unicast): the same every time the node
// boots, as a real NIC's is. A new random one at every start left the
// other nodes' ARP caches pointing at the old one, and the node
// unreachable from them for seconds after it was back.
func nodeMAC(addr string) string {
	ip := net.ParseIP(addr).To4()
	if ip == nil {
		ip = net.IPv4zero.To4()
	}
	return fmt.Sprintf("02:68:67:%02x:%02x:%02x", ip[1], ip[2], ip[3])
}

// network makes a node's namespace and veth on the bridge.
func (l *Lab) network(ctx context.Context, ns *nodeState, ap addrPlan) error {
	if _, err := os.Stat("/run/netns/" + ns.Netns); err != nil {
		if err := l.run(ctx, "ip", "netns", "add", ns.Netns); err != nil {
			return err
		}
	}
	if _, err := net.InterfaceByName(ns.Veth); err != nil {
		steps := [][]string{
			{"ip", "link", "add", ns.Veth, "type", "veth", "peer", "name", "eth0", "address", nodeMAC(ns.Addr), "netns", ns.Netns},
			{"ip", "link", "set", ns.Veth, "master", l.cfg.Bridge},
			{"ip", "-n", ns.Netns, "addr", "add", fmt.Sprintf("%s/%d", ns.Addr, ap.prefix.Bits()), "dev", "eth0"},
			{"ip", "-n", ns.Netns, "link", "set", "eth0", "up"},
			{"ip", "-n", ns.Netns, "link", "set", "lo", "up"},
			{"ip", "-n", ns.Netns, "route", "add", "default", "via", ap.bridge.String()},
		}
		for _, s := range steps {
			if err := l.run(ctx, s[0], s[1:]...); err != nil {
				return err
			}
		}
	}
	if !ns.Partitioned {
		if err := l.run(ctx, "ip", "link", "set", ns.Veth, "up"); err != nil {
			return err
		}
	}
	return l.dataLinks(ctx, ns, ap)
}

// dropNetwork removes a stopped node's veth and namespace, with every
// address and route they carried; network makes them again. It tries both
// and reports what failed.
func (l *Lab) dropNetwork(ctx context.Context, ns *nodeState) error {
	var errs []error
	for _, v := range ns.hostVeths() {
		if _, err := os.Stat("/sys/class/net/" + v); err == nil {
			errs = append(errs, l.run(ctx, "ip", "link", "del", v))
		}
	}
	if _, err := os.Stat("/run/netns/" + ns.Netns); err == nil {
		errs = append(errs, l.run(ctx, "ip", "netns", "del", ns.Netns))
	}
	return errors.Join(errs...)
}

// boot starts a node's container in its own session.
func (l *Lab) boot(st *state, ns *nodeState) error {
	if err := l.diskReady(ns.Name); err != nil {
		return err
	}
	console, err := os.OpenFile(l.path("nodes", ns.Name, "console.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer console.Close()
	dirs, err := makeNodeCgroups(cgroupName(ns), ns.Cgroups)
	if err != nil {
		return err
	}
	dirs = l.keepRealtime(ns.Name, dirs)
	ns.Cgroups = dirs
	if err := l.saveState(st); err != nil {
		return err
	}
	// A node never fails to boot for want of its own load average: if
	// the lab's LXCFS is gone (killed; the next up starts it again), it
	// boots with the host's.
	mnt := l.lxcfsMount()
	if !lxcfsServes(mnt) {
		l.log.Warn("lxcfs does not serve the lab: the node reads the host's load average (haguide lab up starts it again)", "node", ns.Name, "mount", mnt)
		mnt = ""
	}
	cmd := l.nspawnCmd(ns, dirs, mnt)
	cmd.Stdout, cmd.Stderr = console, console
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("systemd-nspawn: %w", err)
	}
	ns.PID = cmd.Process.Pid
	go cmd.Wait()
	l.log.Info("node booting", "node", ns.Name, "address", ns.Addr)
	return l.saveState(st)
}

// nspawnEnv is what a node's systemd-nspawn gets in its environment on
// top of haguide's own.
var nspawnEnv = []string{
	// The node has a network namespace of its own, so its net.* sysctls
	// are its own too: make /proc/sys/net writable (the rest of /proc/sys
	// stays read-only), as on a real host where the guide sets
	// net.ipv4.ip_nonlocal_bind.
	"SYSTEMD_NSPAWN_API_VFS_WRITABLE=network",
	// The node sees only the unified (v2) hierarchy, its own cgroup as
	// the root, writable. On a hybrid host nspawn would otherwise mount
	// the host's v1 controllers read-only, where libvirt fails to start
	// a guest ("Failed to create v1 controller cpu for group: Read-only
	// file system"); in the v2 tree libvirt makes no cgroups when it has
	// no controllers, and runs QEMU in libvirtd's.
	"SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1",
}

// nspawnCmd returns the command that boots a node's container, moved
// first into the node's cgroup directories dirs, with the load average of
// the LXCFS mounted at lxcfsMount ("": the host's).
func (l *Lab) nspawnCmd(ns *nodeState, dirs []string, lxcfsMount string) *exec.Cmd {
	nspawn := []string{"-D", l.path("nodes", ns.Name, "root"), "--boot", "--register=no",
		"--machine=" + ns.Name, "--keep-unit", "--network-namespace-path=/run/netns/" + ns.Netns,
		"--capability=CAP_NET_ADMIN,CAP_NET_RAW,CAP_SYS_NICE,CAP_IPC_LOCK,CAP_SYS_RESOURCE",
		"--console=read-only", "--resolv-conf=off", "--timezone=off", "--link-journal=no"}
	if lxcfsMount != "" {
		nspawn = append(nspawn, lxcfsBinds(lxcfsMount)...)
	}
	name, args := inCgroups(cgroupProcs(dirs), "systemd-nspawn", nspawn...)
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), nspawnEnv...)
	return cmd
}

// waitSSH waits until every node answers on port 22.
func (l *Lab) waitSSH(ctx context.Context, ap addrPlan, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for i, n := range l.cfg.Nodes {
		addr := net.JoinHostPort(ap.nodes[i].String(), "22")
		for {
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s: no SSH on %s after %s; see %s", n, addr, timeout, l.path("nodes", n, "console.log"))
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(300 * time.Millisecond):
			}
		}
	}
	return nil
}

// Info describes the lab for the runner.
func (l *Lab) Info() (*Info, error) {
	ap, _ := plan(l.cfg.CIDR, len(l.cfg.Nodes))
	st, err := l.loadState()
	if err != nil {
		return nil, err
	}
	info := &Info{Inventory: l.path("inventory.yml"), Key: l.path("id_ed25519"), KnownHosts: l.path("known_hosts"),
		VIP: ap.vip.String(), Bridge: l.cfg.Bridge, Proxy: fmt.Sprintf("http://%s:%d", ap.bridge, proxyPort)}
	for i, n := range l.cfg.Nodes {
		ni := NodeInfo{Name: n, Addr: ap.nodes[i].String(), State: "absent", BMC: ap.bmcs[i].String(), BMCState: "absent"}
		if st != nil {
			if ns := nodeStateFor(st, n); ns != nil {
				ni.State = "stopped"
				if running(ns.PID, nspawnProg) {
					ni.State, ni.PID = "running", ns.PID
				}
				if ns.Partitioned {
					ni.State += ", partitioned"
				}
				if l.reimageUnfinished(n) {
					ni.State += ", reimage unfinished"
				}
				ni.BMCState = "down"
				if running(ns.BMCPID, bmcProg) {
					ni.BMCState = "answering"
				}
			}
		}
		info.Nodes = append(info.Nodes, ni)
	}
	return info, nil
}

// Inventory returns the Ansible YAML inventory the lab writes when it
// comes up, and the path it writes it to, without making anything: verify
// and plan check a run's values against it before the lab boots.
func (l *Lab) Inventory() (path string, data []byte, err error) {
	ap, err := plan(l.cfg.CIDR, len(l.cfg.Nodes))
	if err != nil {
		return "", nil, err
	}
	data, err = l.inventory(ap)
	return l.path("inventory.yml"), data, err
}

// writeInventory writes the Ansible YAML inventory of the lab.
func (l *Lab) writeInventory(ap addrPlan) error {
	data, err := l.inventory(ap)
	if err != nil {
		return err
	}
	// The inventory holds the BMC password: for root's eyes only.
	return writeLabFile(l.path("inventory.yml"), data, 0o600)
}

// inventory is the lab's inventory: its nodes and the run's values.
func (l *Lab) inventory(ap addrPlan) ([]byte, error) {
	hostsMap := map[string]map[string]string{}
	tunnel, provider, cluster, public := ap.data[netTunnel], ap.data[netProvider], ap.data[netCluster], ap.data[netPublic]
	for i, n := range l.cfg.Nodes {
		hostsMap[n] = map[string]string{"ansible_host": ap.nodes[i].String(), "ansible_user": "root",
			"ansible_ssh_private_key_file": l.path("id_ed25519"),
			// Each chassis' own address on the tunnel network.
			"TUNNEL_ADDR": tunnel.nodes[i].String()}
	}
	vars := map[string]string{
		"CONTROLLER_VIP":      ap.vip.String(),
		"MANAGEMENT_CIDR":     ap.prefix.String(),
		"TUNNEL_PREFIX":       strconv.Itoa(tunnel.prefix.Bits()),
		"PROVIDER_CIDR":       provider.prefix.String(),
		"PROVIDER_GATEWAY":    provider.gateway.String(),
		"PROVIDER_POOL_START": provider.poolStart.String(),
		"PROVIDER_POOL_END":   provider.poolEnd.String(),
		"FLOATING_IP1":        provider.fips[0].String(),
		"FLOATING_IP2":        provider.fips[1].String(),
		"FLOATING_IP3":        provider.fips[2].String(),
		// The public endpoints: their address, name and the certificate
		// up puts on every node (see tls.go).
		"PUBLIC_VIP":              public.vip.String(),
		"PUBLIC_PREFIX":           strconv.Itoa(public.prefix.Bits()),
		"PUBLIC_NAME":             PublicName,
		"PUBLIC_CERT_BUNDLE":      nodeTLSDir + "/public.pem",
		"PUBLIC_CA_CERT":          nodeTLSDir + "/ca.pem",
		"ansible_ssh_common_args": "-o UserKnownHostsFile=" + l.path("known_hosts"),
	}
	for k, v := range l.cfg.Vars {
		vars[k] = v
	}
	// What the guide's fence devices and power cuts need: each node's BMC
	// and the lab's BMC account.
	for i, n := range l.cfg.Nodes {
		vars[BMCVar(n)] = ap.bmcs[i].String()
		// Corosync's second link (knet link 1), on the cluster network.
		vars[Link1Var(n)] = cluster.nodes[i].String()
	}
	vars["IPMI_USER"], vars["IPMI_CIPHER"] = BMCUser, BMCCipher
	// The second fencing level: the PDU, and the outlet of each node.
	vars[PDUVar] = ap.pdu.String()
	for i, n := range l.cfg.Nodes {
		vars[OutletVar(n)] = strconv.Itoa(i + 1)
	}
	if community := l.readPDUCommunity(); community != "" {
		vars[PDUCommunityVar] = community
	}
	// The password is made when the BMCs first start (up); before that
	// the inventory has none.
	if password := l.readBMCPassword(); password != "" {
		vars["IPMI_PASS"] = password
	}
	doc := map[string]any{"all": map[string]any{"hosts": hostsMap, "vars": vars}}
	data, err := yaml.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return append([]byte("# The haguide lab's nodes; written by haguide lab up.\n"), data...), nil
}
