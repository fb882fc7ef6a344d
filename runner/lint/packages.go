package lint

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/haguide/haguide/distros"
	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/runner"
)

// packageState follows, step by step, what the plan of one distro has
// installed on its first node, to check that commands use files and
// units only once a package has brought them (distros.Packages), and
// that firewalld lets through every port something listens on.
type packageState struct {
	distro    string
	installed map[string]bool
	// units are the units the guide writes itself (file blocks).
	units map[string]bool
	// open are the ports opened with firewall-cmd, as "5672/tcp".
	open map[string]bool
	// listens are ports that installed packages listen on, with where
	// the package was installed.
	listens []portUse
	res     *Result
}

type portUse struct {
	port string
	pos  guide.Pos
	why  string
}

func (ps *packageState) problem(pos guide.Pos, file, msg string, args ...any) {
	ps.res.Problems = append(ps.res.Problems, Problem{Pos: pos, Distro: ps.distro, File: file, Msg: fmt.Sprintf(msg, args...)})
}

// checkPackagesEachNode runs checkPackages for every node, since a block
// may run on one node only (the arbitrator on controller3, in chapter 6),
// and reports each problem once.
func checkPackagesEachNode(p *runner.Plan, nodes []string, files map[string]*file, res *Result) {
	if len(nodes) == 0 {
		nodes = []string{""}
	}
	seen := map[string]bool{}
	for i, n := range nodes {
		nres := &Result{}
		checkPackages(p, n, files, nres)
		if i == 0 {
			res.Checked = append(res.Checked, nres.Checked...)
		}
		for _, pr := range nres.Problems {
			if k := pr.String(); !seen[k] {
				seen[k] = true
				res.Problems = append(res.Problems, pr)
			}
		}
	}
}

// checkPackages replays the plan's commands and file blocks in order, as
// they run on one node.
// Blocks for the lab only and for the reader's nodes only are both
// replayed: a reader runs one kind, CI the other, and both must fit the
// distro.
func checkPackages(p *runner.Plan, node string, files map[string]*file, res *Result) {
	ps := &packageState{distro: p.Distro, installed: map[string]bool{}, units: map[string]bool{}, open: map[string]bool{}, res: res}
	for _, s := range p.Steps {
		b := s.Block
		if !b.Attrs.Run || (!s.Local && !slices.Contains(s.Nodes, node)) {
			continue
		}
		switch b.Kind {
		case guide.KindFile:
			name := b.Attrs.File
			if u, ok := strings.CutPrefix(name, "/etc/systemd/system/"); ok && !strings.Contains(u, "/") {
				ps.units[strings.TrimSuffix(u, ".service")] = true
			}
			ps.use(name, b.Pos, "writes")
		case guide.KindConsole:
			for _, cmd := range b.Commands {
				for _, c := range shellCalls(cmd) {
					ps.call(c)
				}
			}
		}
	}
	res.Checked = append(res.Checked, "packages: files and units of "+p.Distro)
	d, _ := distros.Lookup(p.Distro)
	if d.Firewall != "firewalld" {
		return
	}
	res.Checked = append(res.Checked, "firewalld: ports of "+p.Distro)
	for _, u := range ps.listens {
		if !ps.isOpen(u.port) {
			ps.problem(u.pos, "", "firewalld: %s listens on %s, which no firewall-cmd step of %s opens", u.why, u.port, p.Distro)
		}
	}
	checkHAProxyPorts(ps, files)
}

// call looks at one simple command: installs, edits and unit actions.
func (ps *packageState) call(c shellCall) {
	for _, a := range c.appends {
		if a != "" {
			ps.use(a, c.pos, "appends to")
		}
	}
	if len(c.args) == 0 {
		return
	}
	switch c.args[0] {
	case "apt-get", "apt", "dnf", "yum", "zypper":
		ps.install(c)
	case "sed":
		for _, f := range sedFiles(c.args[1:]) {
			ps.use(f, c.pos, "edits")
		}
	case "systemctl":
		ps.systemctl(c)
	case "firewall-cmd":
		ps.firewall(c.args[1:])
	case "journalctl":
		ps.journal(c)
	}
}

// journal checks the units a journalctl command reads (-u UNIT, -uUNIT,
// --unit UNIT, --unit=UNIT): a unit whose service writes to a log file of
// its own on this distro leaves its messages out of the journal, so a
// step that greps them there finds nothing.
func (ps *packageState) journal(c shellCall) {
	for i := 1; i < len(c.args); i++ {
		a, unit := c.args[i], ""
		switch {
		case a == "-u" || a == "--unit":
			if i+1 < len(c.args) {
				i++
				unit = c.args[i]
			}
		case strings.HasPrefix(a, "--unit="):
			unit = strings.TrimPrefix(a, "--unit=")
		case strings.HasPrefix(a, "-u") && !strings.HasPrefix(a, "--"):
			unit = a[2:]
		}
		if unit == "" {
			continue
		}
		if log, ok := distros.UnitLog(ps.distro, unit); ok {
			ps.problem(c.pos, "", "journalctl: %s on %s writes its messages to %s, not to the journal (distros/packages.go)", strings.TrimSuffix(unit, ".service"), ps.distro, log)
		}
	}
}

// install records the packages of an install command (its words after
// "install" that are not options; "pkg-" removes, "-t pattern" is
// zypper's).
func (ps *packageState) install(c shellCall) {
	i := slices.Index(c.args, "install")
	if i < 0 {
		return
	}
	for j := i + 1; j < len(c.args); j++ {
		a := c.args[j]
		switch {
		case a == "-t":
			j++ // zypper -t pattern NAME: NAME is recorded as installed
		case a == "" || strings.HasPrefix(a, "-") || strings.HasSuffix(a, "-"):
		default:
			ps.added(a, c.pos)
		}
	}
}

// added marks a package and those it pulls in as installed, and notes
// the ports they listen on.
func (ps *packageState) added(name string, pos guide.Pos) {
	for _, p := range distros.Packages(ps.distro) {
		if p.Name != name && !slices.Contains(p.PulledBy, name) {
			continue
		}
		if ps.installed[p.Name] {
			continue
		}
		ps.installed[p.Name] = true
		for _, port := range p.Ports {
			ps.listens = append(ps.listens, portUse{port: port, pos: pos, why: p.Name})
		}
	}
	ps.installed[name] = true
}

// use checks that a file a package ships is there: its package is
// installed by now.
func (ps *packageState) use(name string, pos guide.Pos, verb string) {
	p, ok := distros.PackageOf(ps.distro, name)
	if !ok || ps.installed[p.Name] {
		return
	}
	ps.problem(pos, name, "%s a file of package %s, which the plan of %s has not installed yet (distros/packages.go)", verb, p.Name, ps.distro)
}

// systemctl checks the units of start, restart, reload, enable and the
// like: some package of the distro must ship each, and be installed. A
// socket unit is checked as the service of its name.
func (ps *packageState) systemctl(c shellCall) {
	if len(c.args) < 3 {
		return
	}
	switch c.args[1] {
	case "start", "restart", "reload", "stop", "enable", "disable", "is-enabled", "is-active", "try-restart", "reload-or-restart":
	default:
		return
	}
	for _, u := range c.args[2:] {
		if u == "" || strings.HasPrefix(u, "-") || strings.ContainsAny(u, "*?[") {
			continue
		}
		unit := strings.TrimSuffix(u, ".service")
		if ps.units[unit] {
			continue // the guide's own unit
		}
		// A socket comes with the service it activates, of its name.
		unit = strings.TrimSuffix(unit, ".socket")
		if ps.units[unit] || strings.Contains(unit, ".") {
			continue // the guide's own service, or a timer, target
		}
		owners := distros.UnitPackages(ps.distro, unit)
		if len(owners) == 0 {
			ps.problem(c.pos, "", "systemctl: no package of %s ships a unit %s (distros/packages.go)", ps.distro, unit)
			continue
		}
		if !slices.ContainsFunc(owners, func(o string) bool { return ps.installed[o] }) {
			ps.problem(c.pos, "", "systemctl: unit %s comes with %s, which the plan of %s has not installed yet", unit, strings.Join(owners, " or "), ps.distro)
		}
	}
}

// firewall records the ports a firewall-cmd command opens.
func (ps *packageState) firewall(args []string) {
	for _, a := range args {
		if svc, ok := strings.CutPrefix(a, "--add-service="); ok {
			ports, _ := distros.FirewalldService(svc)
			for _, p := range ports {
				ps.open[p] = true
			}
		}
		if port, ok := strings.CutPrefix(a, "--add-port="); ok {
			for _, p := range expandBraces(port) {
				ps.open[p] = true
			}
		}
	}
}

// isOpen reports whether a port ("5672/tcp", or a range "35672-35682/tcp")
// lies within what the firewall-cmd steps opened.
func (ps *packageState) isOpen(port string) bool {
	lo, hi, proto, ok := parsePortRange(port)
	if !ok {
		return false
	}
	for n := lo; n <= hi; n++ {
		covered := false
		for o := range ps.open {
			olo, ohi, oproto, ok := parsePortRange(o)
			if ok && oproto == proto && olo <= n && n <= ohi {
				covered = true
				break
			}
		}
		if !covered {
			return false
		}
	}
	return true
}

// parsePortRange reads "5672/tcp" or "35672-35682/tcp".
func parsePortRange(s string) (lo, hi int, proto string, ok bool) {
	nums, proto, found := strings.Cut(s, "/")
	if !found || (proto != "tcp" && proto != "udp") {
		return 0, 0, "", false
	}
	a, b, isRange := strings.Cut(nums, "-")
	lo, err1 := strconv.Atoi(a)
	hi, err2 := lo, error(nil)
	if isRange {
		hi, err2 = strconv.Atoi(b)
	}
	if err1 != nil || err2 != nil || lo < 1 || hi < lo || hi > 65535 {
		return 0, 0, "", false
	}
	return lo, hi, proto, true
}

// checkHAProxyPorts demands an open port for every address HAProxy binds
// on the VIP or the node (clients and the other controllers reach those),
// and for the controllers' ports its servers use (HAProxy on one node
// checks the services of the others), reported at the file's line.
func checkHAProxyPorts(ps *packageState, files map[string]*file) {
	names := make([]string, 0, len(files))
	for name := range files {
		if strings.HasPrefix(name, "/etc/haproxy/") && strings.HasSuffix(name, ".cfg") {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	seen := map[string]bool{}
	for _, name := range names {
		f := files[name]
		for i, line := range strings.Split(string(f.data), "\n") {
			code, _, _ := strings.Cut(line, "#")
			fields := strings.Fields(code)
			if len(fields) < 2 || (fields[0] != "bind" && fields[0] != "server") {
				continue
			}
			addr := fields[1]
			if fields[0] == "server" {
				if len(fields) < 3 {
					continue
				}
				addr = fields[2]
			}
			host, port := addr[:max(strings.LastIndexByte(addr, ':'), 0)], addr[strings.LastIndexByte(addr, ':')+1:]
			if strings.HasPrefix(host, "127.") || host == "localhost" || port == "" {
				continue
			}
			if seen[port] || ps.isOpen(port+"/tcp") {
				continue
			}
			seen[port] = true
			where := f.pos
			if f.contentPos.Line > 0 {
				where = f.contentPos
				where.Line += i
				where.Col = len(line) - len(strings.TrimLeft(line, " \t")) + 1
			}
			ps.problem(where, name, "firewalld: HAProxy %s %s, and no firewall-cmd step of %s opens %s/tcp", fields[0], addr, ps.distro, port)
		}
	}
}

// sedFiles returns the file operands of a sed command: what follows its
// script (the first non-option word, unless -e or -f gave it).
func sedFiles(args []string) []string {
	var files []string
	script := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-e" || a == "-f" || a == "--expression" || a == "--file":
			script = true
			i++
		case strings.HasPrefix(a, "-") && len(a) > 1:
		case !script:
			script = true
		case a != "" && path.IsAbs(a):
			files = append(files, a)
		}
	}
	return files
}
