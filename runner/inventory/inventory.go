package inventory

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Host is one node of an inventory, with its merged variables.
type Host struct {
	Name         string
	Address      string // ansible_host, or the name
	Port         int    // ansible_port; 0 when not given
	User         string // ansible_user; empty when not given
	IdentityFile string // ansible_ssh_private_key_file
	// Become is ansible_become: nil when the inventory does not say.
	Become *bool
	// BecomeUser is ansible_become_user.
	BecomeUser string
	// Vars are all of the host's variables, its groups' merged in.
	Vars map[string]string
	// Origin tells where each of Vars is written, as file:line; Origin[""]
	// is where the host is listed.
	Origin map[string]string
}

// Inventory is a parsed inventory.
type Inventory struct {
	// Name is the file the inventory came from.
	Name   string
	hosts  map[string]map[string]value // each host's own vars
	listed map[string]int              // the line where each host is first listed
	order  []string                    // hosts in order of first appearance
	groups map[string]*group
	member map[string][]string // the groups each host is listed in
	budget *int                // what YAML parsing may still visit
}

type group struct {
	name     string
	hosts    []string
	children []string
	parents  []string
	vars     map[string]value
}

// value is a variable's text and the line where it is written.
type value struct {
	text string
	line int
}

// Error is a problem in an inventory file, with its position. Col is 0
// when only the line is known.
type Error struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *Error) Error() string {
	if e.Col > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// maxHosts bounds what host ranges may expand to.
const maxHosts = 10000

// Load reads an inventory file.
func Load(path string) (*Inventory, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	return Parse(path, data)
}

// Parse reads an inventory. Files named *.yml, *.yaml or *.json are YAML
// (JSON is YAML), *.ini and *.cfg are INI; otherwise the content decides:
// a first line that is a [section] or a host is INI, a mapping key is YAML.
func Parse(name string, data []byte) (*Inventory, error) {
	inv := &Inventory{Name: name, hosts: map[string]map[string]value{}, listed: map[string]int{}, groups: map[string]*group{}, member: map[string][]string{}}
	inv.group("all")
	var err error
	if isYAML(name, data) {
		err = inv.parseYAML(data)
	} else {
		err = inv.parseINI(data)
	}
	if err != nil {
		return nil, err
	}
	if err := inv.link(); err != nil {
		return nil, err
	}
	return inv, nil
}

func isYAML(name string, data []byte) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yml", ".yaml", ".json":
		return true
	case ".ini", ".cfg":
		return false
	}
	for _, l := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(l)
		if t == "" || t[0] == '#' || t[0] == ';' {
			continue
		}
		if t == "---" || t[0] == '{' {
			return true
		}
		if t[0] == '[' {
			return false
		}
		first, _, _ := strings.Cut(t, " ")
		return strings.HasSuffix(first, ":") || strings.Contains(t, ": ")
	}
	return false
}

func (inv *Inventory) group(name string) *group {
	g, ok := inv.groups[name]
	if !ok {
		g = &group{name: name, vars: map[string]value{}}
		inv.groups[name] = g
	}
	return g
}

func (inv *Inventory) addHost(g *group, name string, line int, vars map[string]value) {
	hv, ok := inv.hosts[name]
	if !ok {
		hv = map[string]value{}
		inv.hosts[name] = hv
		inv.listed[name] = line
		inv.order = append(inv.order, name)
	}
	for k, v := range vars {
		hv[k] = v
	}
	if !slices.Contains(inv.member[name], g.name) {
		g.hosts = append(g.hosts, name)
		inv.member[name] = append(inv.member[name], g.name)
	}
}

func (g *group) addChild(c *group) {
	if !slices.Contains(g.children, c.name) {
		g.children = append(g.children, c.name)
	}
}

// link records each group's parents, puts groups without a parent under
// all, and refuses groups that contain themselves.
func (inv *Inventory) link() error {
	names := inv.groupNames()
	for _, n := range names {
		for _, c := range inv.groups[n].children {
			cg := inv.groups[c]
			if !slices.Contains(cg.parents, n) {
				cg.parents = append(cg.parents, n)
			}
		}
	}
	all := inv.groups["all"]
	for _, n := range names {
		if g := inv.groups[n]; n != "all" && len(g.parents) == 0 {
			g.parents = []string{"all"}
			all.addChild(g)
		}
	}
	state := map[string]int{}
	var visit func(string, []string) error
	visit = func(name string, path []string) error {
		switch state[name] {
		case 1:
			return fmt.Errorf("%s: groups contain each other: %s", inv.Name, strings.Join(append(path, name), " -> "))
		case 2:
			return nil
		}
		state[name] = 1
		for _, c := range inv.groups[name].children {
			if err := visit(c, append(path, name)); err != nil {
				return err
			}
		}
		state[name] = 2
		return nil
	}
	for _, n := range names {
		if err := visit(n, nil); err != nil {
			return err
		}
	}
	return nil
}

func (inv *Inventory) groupNames() []string {
	names := make([]string, 0, len(inv.groups))
	for n := range inv.groups {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// depth is a group's longest distance from all, as Ansible counts it.
func (inv *Inventory) depth(name string, memo map[string]int) int {
	if d, ok := memo[name]; ok {
		return d
	}
	d := 0
	for _, p := range inv.groups[name].parents {
		d = max(d, inv.depth(p, memo)+1)
	}
	memo[name] = d
	return d
}

// groupsOf returns every group a host is in, directly or through
// children, all included.
func (inv *Inventory) groupsOf(host string) []string {
	in := map[string]bool{}
	var up func(string)
	up = func(n string) {
		if in[n] {
			return
		}
		in[n] = true
		for _, p := range inv.groups[n].parents {
			up(p)
		}
	}
	up("all")
	for _, n := range inv.member[host] {
		up(n)
	}
	out := make([]string, 0, len(in))
	for n := range in {
		out = append(out, n)
	}
	return out
}

// Names lists the inventory's hosts in the order they first appear.
func (inv *Inventory) Names() []string { return slices.Clone(inv.order) }

// Groups lists the inventory's groups by name, all and ungrouped included
// when they exist.
func (inv *Inventory) Groups() []string { return inv.groupNames() }

// GroupHosts lists the hosts in a group and its children, in the order
// they first appear in the inventory; false when there is no such group.
func (inv *Inventory) GroupHosts(name string) ([]string, bool) {
	if _, ok := inv.groups[name]; !ok {
		return nil, false
	}
	within := map[string]bool{}
	var down func(string)
	down = func(n string) {
		if within[n] {
			return
		}
		within[n] = true
		for _, c := range inv.groups[n].children {
			down(c)
		}
	}
	down(name)
	var out []string
	for _, h := range inv.order {
		for _, g := range inv.member[h] {
			if within[g] || name == "all" {
				out = append(out, h)
				break
			}
		}
		if name == "all" && len(inv.member[h]) == 0 {
			out = append(out, h)
		}
	}
	return out, true
}

// Host returns one host with its merged variables.
func (inv *Inventory) Host(name string) (Host, bool) {
	hv, ok := inv.hosts[name]
	if !ok {
		return Host{}, false
	}
	memo := map[string]int{}
	groups := inv.groupsOf(name)
	prio := func(g string) int {
		p, err := strconv.Atoi(inv.groups[g].vars["ansible_group_priority"].text)
		if err != nil {
			return 1
		}
		return p
	}
	sort.Slice(groups, func(i, j int) bool {
		a, b := groups[i], groups[j]
		if da, db := inv.depth(a, memo), inv.depth(b, memo); da != db {
			return da < db
		}
		if pa, pb := prio(a), prio(b); pa != pb {
			return pa < pb
		}
		return a < b
	})
	vars := map[string]string{}
	origin := map[string]string{"": fmt.Sprintf("%s:%d", inv.Name, inv.listed[name])}
	set := func(vs map[string]value) {
		for k, v := range vs {
			vars[k] = v.text
			origin[k] = fmt.Sprintf("%s:%d", inv.Name, v.line)
		}
	}
	for _, g := range groups {
		set(inv.groups[g].vars)
	}
	set(hv)
	h := Host{Name: name, Address: name, Vars: vars, Origin: origin}
	pick := func(keys ...string) string {
		for _, k := range keys {
			if v, ok := vars[k]; ok {
				return v
			}
		}
		return ""
	}
	if v := pick("ansible_host", "ansible_ssh_host"); v != "" {
		h.Address = v
	}
	if v := pick("ansible_port", "ansible_ssh_port"); v != "" {
		h.Port, _ = strconv.Atoi(v) // checked when parsed
	}
	h.User = pick("ansible_user", "ansible_ssh_user")
	h.IdentityFile = pick("ansible_ssh_private_key_file", "ansible_private_key_file")
	if v := pick("ansible_become"); v != "" {
		b, _ := parseBool(v)
		h.Become = &b
	}
	h.BecomeUser = pick("ansible_become_user")
	return h, true
}

// Hosts returns the named hosts in the order given. Names the inventory
// lacks are an error that names them and lists the hosts it has.
func (inv *Inventory) Hosts(names []string) ([]Host, error) {
	out := make([]Host, 0, len(names))
	var missing []string
	for _, n := range names {
		h, ok := inv.Host(n)
		if !ok {
			missing = append(missing, n)
			continue
		}
		out = append(out, h)
	}
	if len(missing) > 0 {
		have := "no hosts at all"
		if len(inv.order) > 0 {
			have = strings.Join(inv.order, ", ")
		}
		noun := "host"
		if len(missing) > 1 {
			noun = "hosts"
		}
		return nil, fmt.Errorf("inventory %s has no %s %s (it has %s)", inv.Name, noun, strings.Join(missing, ", "), have)
	}
	return out, nil
}

// checkVar checks the connection variables whose values have a form.
func checkVar(k, v string) error {
	switch k {
	case "ansible_port", "ansible_ssh_port":
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("%s=%s is not a port (1-65535)", k, v)
		}
	case "ansible_become":
		if _, ok := parseBool(v); !ok {
			return fmt.Errorf("%s=%s is not a boolean (true or false)", k, v)
		}
	case "ansible_group_priority":
		if _, err := strconv.Atoi(v); err != nil {
			return fmt.Errorf("%s=%s is not a number", k, v)
		}
	}
	return nil
}

func parseBool(v string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "yes", "on", "1", "y", "t":
		return true, true
	case "false", "no", "off", "0", "n", "f":
		return false, true
	}
	return false, false
}

// validName reports whether a host or group name is usable.
func validName(s string) bool {
	return s != "" && !strings.ContainsAny(s, " \t\r\n[]=")
}

// expandHosts expands a host pattern: node[1:3] is node1, node2, node3;
// db[01:10:2] keeps the leading zero and steps by 2; [a:c] runs letters.
// A trailing :PORT is split off.
func expandHosts(pattern string) (names []string, port int, err error) {
	// host:port, but not an IPv6 address nor the colon of a range.
	if i := strings.LastIndexByte(pattern, ':'); i > 0 && hasPort(pattern, i) {
		p, perr := strconv.Atoi(pattern[i+1:])
		if perr != nil || p < 1 || p > 65535 {
			return nil, 0, fmt.Errorf("%q: %q after the colon is not a port", pattern, pattern[i+1:])
		}
		pattern, port = pattern[:i], p
	}
	names, err = expandRange(pattern)
	if err != nil {
		return nil, 0, err
	}
	for _, n := range names {
		if !validName(n) {
			return nil, 0, fmt.Errorf("%q is not a host name", n)
		}
	}
	return names, port, nil
}

// hasPort reports whether the colon at i starts a port: it is the only
// colon outside ranges, and after every range.
func hasPort(pattern string, i int) bool {
	if strings.Count(pattern, "[") != strings.Count(pattern, "]") || strings.LastIndexByte(pattern, ']') > i {
		return false
	}
	outside := 0
	depth := 0
	for _, c := range pattern {
		switch {
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == ':' && depth == 0:
			outside++
		}
	}
	return outside == 1
}

func expandRange(p string) ([]string, error) {
	open := strings.IndexByte(p, '[')
	if open < 0 {
		if strings.IndexByte(p, ']') >= 0 {
			return nil, fmt.Errorf("%q: ] without [", p)
		}
		return []string{p}, nil
	}
	end := strings.IndexByte(p[open:], ']')
	if end < 0 {
		return nil, fmt.Errorf("%q: [ without ]", p)
	}
	end += open
	head, spec, tail := p[:open], p[open+1:end], p[end+1:]
	parts := strings.Split(spec, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return nil, fmt.Errorf("%q: a range is [START:END] or [START:END:STEP]", p)
	}
	step := 1
	if len(parts) == 3 {
		s, err := strconv.Atoi(parts[2])
		if err != nil || s < 1 {
			return nil, fmt.Errorf("%q: the step of a range is a positive number", p)
		}
		step = s
	}
	var items []string
	lo, hi := parts[0], parts[1]
	if a, errA := strconv.Atoi(lo); errA == nil {
		b, errB := strconv.Atoi(hi)
		if errB != nil || a < 0 || b < a {
			return nil, fmt.Errorf("%q: the range %s:%s does not run upward", p, lo, hi)
		}
		if (b-a)/step+1 > maxHosts {
			return nil, fmt.Errorf("%q: more than %d hosts", p, maxHosts)
		}
		width := 0
		if len(lo) > 1 && lo[0] == '0' {
			width = len(lo)
		}
		for i := a; i <= b; i += step {
			items = append(items, fmt.Sprintf("%0*d", width, i))
		}
	} else {
		if len(lo) != 1 || len(hi) != 1 || !isLetter(lo[0]) || !isLetter(hi[0]) || hi[0] < lo[0] {
			return nil, fmt.Errorf("%q: a range runs from a number to a number or a letter to a letter", p)
		}
		for c := int(lo[0]); c <= int(hi[0]); c += step {
			items = append(items, string(rune(c)))
		}
	}
	rest, err := expandRange(tail)
	if err != nil {
		return nil, err
	}
	if len(items)*len(rest) > maxHosts {
		return nil, fmt.Errorf("%q: more than %d hosts", p, maxHosts)
	}
	out := make([]string, 0, len(items)*len(rest))
	for _, it := range items {
		for _, r := range rest {
			out = append(out, head+it+r)
		}
	}
	return out, nil
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
