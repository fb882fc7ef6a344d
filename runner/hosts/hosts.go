package hosts

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Host is one node of an inventory.
type Host struct {
	Name         string
	Address      string // ansible_host, or the name
	Port         int    // ansible_port; 0 when not given
	User         string // ansible_user
	IdentityFile string // ansible_ssh_private_key_file
	// Vars are the host's variables with its groups' merged in.
	Vars map[string]string
}

// Inventory is a parsed inventory.
type Inventory struct {
	Name   string
	hosts  map[string]map[string]string // host vars
	order  []string
	groups map[string]*group
}

type group struct {
	name     string
	hosts    []string
	children []string
	vars     map[string]string
}

// Error is a problem in an inventory file, with its position.
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

// Load reads an inventory file.
func Load(path string) (*Inventory, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	return Parse(path, data)
}

// Parse reads an inventory: YAML when it looks like YAML (a top-level
// mapping), INI otherwise.
func Parse(name string, data []byte) (*Inventory, error) {
	inv := &Inventory{Name: name, hosts: map[string]map[string]string{}, groups: map[string]*group{}}
	inv.group("all")
	if looksYAML(data) {
		if err := inv.parseYAML(data); err != nil {
			return nil, err
		}
	} else if err := inv.parseINI(data); err != nil {
		return nil, err
	}
	if err := inv.checkCycles(); err != nil {
		return nil, err
	}
	return inv, nil
}

func looksYAML(data []byte) bool {
	for _, l := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, ";") {
			continue
		}
		if t == "---" {
			return true
		}
		return !strings.HasPrefix(t, "[") && strings.HasSuffix(strings.SplitN(t, " ", 2)[0], ":")
	}
	return false
}

func (inv *Inventory) group(name string) *group {
	g, ok := inv.groups[name]
	if !ok {
		g = &group{name: name, vars: map[string]string{}}
		inv.groups[name] = g
	}
	return g
}

func (inv *Inventory) addHost(g *group, name string, vars map[string]string) {
	hv, ok := inv.hosts[name]
	if !ok {
		hv = map[string]string{}
		inv.hosts[name] = hv
		inv.order = append(inv.order, name)
	}
	for k, v := range vars {
		hv[k] = v
	}
	if !slices.Contains(g.hosts, name) {
		g.hosts = append(g.hosts, name)
	}
}

// parseINI reads Ansible's INI form:
//
//	host1 ansible_host=10.0.0.11
//	[controllers]
//	controller1 ansible_host=10.0.0.11 ansible_user=root
//	[controllers:vars]
//	KEY=value
//	[cloud:children]
//	controllers
func (inv *Inventory) parseINI(data []byte) error {
	cur, mode := inv.group("all"), "hosts"
	for i, raw := range strings.Split(string(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))), "\n") {
		line := strings.TrimSpace(raw)
		errAt := func(format string, args ...any) error {
			return &Error{File: inv.Name, Line: i + 1, Msg: fmt.Sprintf(format, args...)}
		}
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			if !strings.HasSuffix(line, "]") {
				return errAt("a group header must end with ]")
			}
			name := strings.TrimSpace(line[1 : len(line)-1])
			mode = "hosts"
			if base, suffix, ok := strings.Cut(name, ":"); ok {
				switch suffix {
				case "vars", "children":
					mode, name = suffix, base
				default:
					return errAt("unknown section suffix :%s (use :vars or :children)", suffix)
				}
			}
			if name == "" || strings.ContainsAny(name, " \t") {
				return errAt("bad group name %q", name)
			}
			cur = inv.group(name)
			continue
		}
		switch mode {
		case "vars":
			k, v, ok := strings.Cut(line, "=")
			if !ok || strings.TrimSpace(k) == "" {
				return errAt("want KEY=value in a :vars section")
			}
			cur.vars[strings.TrimSpace(k)] = unquote(strings.TrimSpace(v))
		case "children":
			if strings.ContainsAny(line, " \t=") {
				return errAt("a :children section lists group names, one a line")
			}
			if !slices.Contains(cur.children, line) {
				cur.children = append(cur.children, line)
			}
			inv.group(line)
		default:
			fields, err := splitFields(line)
			if err != nil {
				return errAt("%v", err)
			}
			name := fields[0]
			if strings.Contains(name, "=") {
				return errAt("a host line starts with the host's name, not %q", name)
			}
			if strings.ContainsAny(name, "[]") {
				return errAt("host ranges such as %q are not supported: list the hosts", name)
			}
			vars := map[string]string{}
			for _, f := range fields[1:] {
				k, v, ok := strings.Cut(f, "=")
				if !ok || k == "" {
					return errAt("want key=value after the host name, not %q", f)
				}
				vars[k] = unquote(v)
			}
			inv.addHost(cur, name, vars)
		}
	}
	return nil
}

// splitFields splits a host line at blanks, keeping quoted values whole.
func splitFields(line string) ([]string, error) {
	var out []string
	var cur strings.Builder
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			cur.WriteByte(c)
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
			cur.WriteByte(c)
		case c == ' ' || c == '\t':
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		case c == '#' && cur.Len() == 0:
			i = len(line)
		default:
			cur.WriteByte(c)
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed quote")
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out, nil
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// parseYAML reads Ansible's YAML form:
//
//	all:
//	  hosts:
//	    controller1: {ansible_host: 10.0.0.11}
//	  vars: {KEY: value}
//	  children:
//	    controllers:
//	      hosts: {controller1: }
func (inv *Inventory) parseYAML(data []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return &Error{File: inv.Name, Line: yamlLine(err), Msg: "YAML: " + yamlMsg(err)}
	}
	if len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return inv.yerr(root, "an inventory is a mapping of group names")
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if err := inv.yamlGroup(root.Content[i], root.Content[i+1], nil); err != nil {
			return err
		}
	}
	return nil
}

func (inv *Inventory) yerr(n *yaml.Node, format string, args ...any) error {
	return &Error{File: inv.Name, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf(format, args...)}
}

// yamlName checks a host or group name.
func (inv *Inventory) yamlName(n *yaml.Node, what string) error {
	if n.Kind != yaml.ScalarNode || strings.TrimSpace(n.Value) == "" || strings.ContainsAny(n.Value, " \t[]") {
		return inv.yerr(n, "%q is not a %s name", n.Value, what)
	}
	return nil
}

func (inv *Inventory) yamlGroup(nameNode *yaml.Node, n *yaml.Node, parent *group) error {
	if err := inv.yamlName(nameNode, "group"); err != nil {
		return err
	}
	name := nameNode.Value
	g := inv.group(name)
	if parent != nil && !slices.Contains(parent.children, name) {
		parent.children = append(parent.children, name)
	}
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!null" || n.Value == "") {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return inv.yerr(n, "group %s: want a mapping with hosts, vars or children", name)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "hosts":
			if isNull(v) {
				continue
			}
			if v.Kind != yaml.MappingNode {
				return inv.yerr(v, "hosts of %s: want a mapping of host names", name)
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				if err := inv.yamlName(v.Content[j], "host"); err != nil {
					return err
				}
				vars, err := inv.yamlVars(v.Content[j+1])
				if err != nil {
					return err
				}
				inv.addHost(g, v.Content[j].Value, vars)
			}
		case "vars":
			vars, err := inv.yamlVars(v)
			if err != nil {
				return err
			}
			for key, val := range vars {
				g.vars[key] = val
			}
		case "children":
			if isNull(v) {
				continue
			}
			if v.Kind != yaml.MappingNode {
				return inv.yerr(v, "children of %s: want a mapping of group names", name)
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				if err := inv.yamlGroup(v.Content[j], v.Content[j+1], g); err != nil {
					return err
				}
			}
		default:
			return inv.yerr(k, "group %s: unknown key %q (want hosts, vars or children)", name, k.Value)
		}
	}
	return nil
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

func (inv *Inventory) yamlVars(n *yaml.Node) (map[string]string, error) {
	out := map[string]string{}
	if isNull(n) {
		return out, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, inv.yerr(n, "want a mapping of variables")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			return nil, inv.yerr(v, "variable %s: only single values are supported", k.Value)
		}
		out[k.Value] = v.Value
	}
	return out, nil
}

func yamlLine(err error) int {
	msg := err.Error()
	if i := strings.Index(msg, "line "); i >= 0 {
		n, _ := strconv.Atoi(strings.TrimRight(strings.Fields(msg[i+5:])[0], ":"))
		return n
	}
	return 1
}

func yamlMsg(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if _, rest, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(msg, "line ") {
		return rest
	}
	return msg
}

func (inv *Inventory) checkCycles() error {
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
	names := make([]string, 0, len(inv.groups))
	for n := range inv.groups {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := visit(n, nil); err != nil {
			return err
		}
	}
	return nil
}

// depth is a group's distance from all: all 0, its children 1, ...
func (inv *Inventory) depths() map[string]int {
	d := map[string]int{"all": 0}
	parents := map[string][]string{}
	for _, g := range inv.groups {
		for _, c := range g.children {
			parents[c] = append(parents[c], g.name)
		}
	}
	var depth func(string) int
	depth = func(n string) int {
		if v, ok := d[n]; ok {
			return v
		}
		d[n] = 1 // groups without parents sit under all
		best := 1
		for _, p := range parents[n] {
			best = max(best, depth(p)+1)
		}
		d[n] = best
		return best
	}
	for n := range inv.groups {
		depth(n)
	}
	return d
}

// groupsOf returns the groups a host is in, directly or through children.
func (inv *Inventory) groupsOf(host string) []string {
	in := map[string]bool{"all": true}
	changed := true
	for changed {
		changed = false
		for _, g := range inv.groups {
			if in[g.name] {
				continue
			}
			member := slices.Contains(g.hosts, host)
			for _, c := range g.children {
				member = member || (in[c] && inv.hasHostDeep(c, host))
			}
			if member {
				in[g.name] = true
				changed = true
			}
		}
	}
	out := make([]string, 0, len(in))
	for n := range in {
		out = append(out, n)
	}
	return out
}

func (inv *Inventory) hasHostDeep(name, host string) bool {
	g := inv.groups[name]
	if slices.Contains(g.hosts, host) {
		return true
	}
	for _, c := range g.children {
		if inv.hasHostDeep(c, host) {
			return true
		}
	}
	return false
}

// Names lists the inventory's hosts in the order they first appear.
func (inv *Inventory) Names() []string { return slices.Clone(inv.order) }

// Host returns one host with its merged variables.
func (inv *Inventory) Host(name string) (Host, bool) {
	hv, ok := inv.hosts[name]
	if !ok {
		return Host{}, false
	}
	depth := inv.depths()
	groups := inv.groupsOf(name)
	sort.Slice(groups, func(i, j int) bool {
		if depth[groups[i]] != depth[groups[j]] {
			return depth[groups[i]] < depth[groups[j]]
		}
		return groups[i] < groups[j] // Ansible merges siblings by name
	})
	vars := map[string]string{}
	for _, g := range groups {
		for k, v := range inv.groups[g].vars {
			vars[k] = v
		}
	}
	for k, v := range hv {
		vars[k] = v
	}
	h := Host{Name: name, Address: name, Vars: vars}
	if v := vars["ansible_host"]; v != "" {
		h.Address = v
	}
	if v := vars["ansible_port"]; v != "" {
		h.Port, _ = strconv.Atoi(v)
	}
	h.User = vars["ansible_user"]
	h.IdentityFile = vars["ansible_ssh_private_key_file"]
	return h, true
}

// Hosts returns the named hosts in the order given. A name the inventory
// lacks is an error that names it and lists what the inventory has.
func (inv *Inventory) Hosts(names []string) ([]Host, error) {
	out := make([]Host, 0, len(names))
	var missing []string
	for _, n := range names {
		h, ok := inv.Host(n)
		if !ok {
			missing = append(missing, n)
			continue
		}
		if v := h.Vars["ansible_port"]; v != "" && (h.Port <= 0 || h.Port > 65535) {
			return nil, fmt.Errorf("%s: host %s: ansible_port %q is not a port", inv.Name, n, v)
		}
		out = append(out, h)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s has no host %s (the guide's nodes are %s; the inventory has %s)",
			inv.Name, strings.Join(missing, ", "), strings.Join(names, ", "), strings.Join(inv.order, ", "))
	}
	return out, nil
}
