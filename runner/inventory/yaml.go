package inventory

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/haguide/haguide/internal/yamltext"
)

// parseYAML reads Ansible's YAML form:
//
//	all:
//	  vars: {ansible_user: root}
//	  children:
//	    controllers:
//	      hosts:
//	        controller1: {ansible_host: 10.0.0.11}
//	        controller[2:3]:
func (inv *Inventory) parseYAML(data []byte) error {
	doc, err := yamltext.Parse(data)
	if err != nil {
		var ye *yamltext.Error
		if errors.As(err, &ye) {
			return &Error{File: inv.Name, Line: ye.Line, Col: ye.Col, Msg: "YAML: " + ye.Msg}
		}
		return &Error{File: inv.Name, Line: 1, Msg: "YAML: " + err.Error()}
	}
	budget := maxValueNodes
	inv.budget = &budget
	root := doc.Root
	if root == nil || root.Kind() == yamltext.Null {
		return nil
	}
	pairs, ok := root.Pairs()
	if !ok {
		return inv.yerr(root, "an inventory is a mapping of group names (all: ...)")
	}
	for _, p := range pairs {
		if err := inv.yamlGroup(p.Key, p.Value, nil, 0); err != nil {
			return err
		}
	}
	return nil
}

// maxDepth bounds how deep groups and values may nest.
const maxDepth = 100

func (inv *Inventory) yerr(n *yamltext.Node, format string, args ...any) error {
	return &Error{File: inv.Name, Line: n.Line(), Col: n.Col(), Msg: fmt.Sprintf(format, args...)}
}

func (inv *Inventory) yamlGroup(nameNode, n *yamltext.Node, parent *group, depth int) error {
	if depth > maxDepth {
		return inv.yerr(nameNode, "groups nest deeper than %d", maxDepth)
	}
	// Aliases can repeat a subtree many times over.
	if *inv.budget--; *inv.budget < 0 {
		return inv.yerr(nameNode, "more than %d groups and values, aliases expanded", maxValueNodes)
	}
	name, ok := nameNode.Text()
	if !ok || !validName(name) {
		return inv.yerr(nameNode, "%q is not a group name", nameNode.String())
	}
	g := inv.group(name)
	if parent != nil {
		if parent == g {
			return inv.yerr(nameNode, "group %s cannot contain itself", g.name)
		}
		parent.addChild(g)
	}
	if n.Kind() == yamltext.Null {
		return nil
	}
	pairs, ok := n.Pairs()
	if !ok {
		return inv.yerr(n, "group %s: want a mapping of hosts, vars and children", g.name)
	}
	for _, p := range pairs {
		k, v := p.Key, p.Value
		key, _ := k.Text()
		switch key {
		case "hosts":
			if v.Kind() == yamltext.Null {
				continue
			}
			hosts, ok := v.Pairs()
			if !ok {
				return inv.yerr(v, "hosts of %s: want a mapping of host names (a list is not one)", g.name)
			}
			for _, h := range hosts {
				hn, ok := h.Key.Text()
				if !ok {
					return inv.yerr(h.Key, "want a host name")
				}
				names, port, err := expandHosts(hn)
				if err != nil {
					return inv.yerr(h.Key, "%v", err)
				}
				vars, err := inv.yamlVars(h.Value)
				if err != nil {
					return err
				}
				if _, ok := vars["ansible_port"]; !ok && port != 0 {
					vars["ansible_port"] = value{text: strconv.Itoa(port), line: h.Key.Line()}
				}
				if *inv.budget -= len(names) * (1 + len(vars)); *inv.budget < 0 || len(inv.order)+len(names) > maxHosts {
					return inv.yerr(h.Key, "more than %d hosts", maxHosts)
				}
				for _, name := range names {
					inv.addHost(g, name, h.Key.Line(), vars)
				}
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
			if v.Kind() == yamltext.Null {
				continue
			}
			children, ok := v.Pairs()
			if !ok {
				return inv.yerr(v, "children of %s: want a mapping of group names", g.name)
			}
			for _, c := range children {
				if err := inv.yamlGroup(c.Key, c.Value, g, depth+1); err != nil {
					return err
				}
			}
		default:
			return inv.yerr(k, "group %s: unknown key %q (want hosts, vars or children)", g.name, k.String())
		}
	}
	return nil
}

// yamlVars reads a mapping of variables. Scalars keep the text written;
// the variables haguide reads must be single values; other lists and
// mappings become JSON.
func (inv *Inventory) yamlVars(n *yamltext.Node) (map[string]value, error) {
	out := map[string]value{}
	if n.Kind() == yamltext.Null {
		return out, nil
	}
	pairs, ok := n.Pairs()
	if !ok {
		return nil, inv.yerr(n, "want a mapping of variables")
	}
	for _, p := range pairs {
		k, v := p.Key, p.Value
		if *inv.budget--; *inv.budget < 0 {
			return nil, inv.yerr(k, "more than %d groups and values, aliases expanded", maxValueNodes)
		}
		name, ok := k.Text()
		if !ok || name == "" {
			return nil, inv.yerr(k, "want a variable name")
		}
		val, ok := v.Text()
		if !ok {
			if readByHaguide(name) {
				return nil, inv.yerr(v, "%s", yamltext.WantScalar(name, v.Kind()))
			}
			if v.Kind() != yamltext.Null {
				x, err := jsonValue(v, 0, inv.budget)
				if err != nil {
					return nil, inv.yerr(v, "variable %s: %v", name, err)
				}
				b, err := json.Marshal(x)
				if err != nil {
					return nil, inv.yerr(v, "variable %s: %v", name, err)
				}
				val = string(b)
			}
		}
		if err := checkVar(name, val); err != nil {
			return nil, inv.yerr(v, "%v", err)
		}
		out[name] = value{text: val, line: v.Line()}
	}
	return out, nil
}

// maxValueNodes bounds the size of one variable's value, aliases
// expanded.
const maxValueNodes = 100000

// jsonValue turns a YAML value into what encoding/json writes.
func jsonValue(n *yamltext.Node, depth int, budget *int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nested deeper than %d", maxDepth)
	}
	if *budget--; *budget < 0 {
		return nil, fmt.Errorf("more than %d values", maxValueNodes)
	}
	if text, ok := n.Text(); ok {
		switch n.Type() {
		case "int", "float":
			if json.Valid([]byte(text)) {
				return json.RawMessage(text), nil
			}
		case "bool":
			if b, ok := parseBool(text); ok {
				return b, nil
			}
		}
		return text, nil
	}
	if items, ok := n.Items(); ok {
		out := make([]any, 0, len(items))
		for _, c := range items {
			v, err := jsonValue(c, depth+1, budget)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	if pairs, ok := n.Pairs(); ok {
		out := map[string]any{}
		for _, p := range pairs {
			k, ok := p.Key.Text()
			if !ok {
				return nil, fmt.Errorf("line %d: a key that is not a single value", p.Key.Line())
			}
			v, err := jsonValue(p.Value, depth+1, budget)
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	}
	return nil, nil
}

// readByHaguide reports whether haguide reads a variable: the connection
// variables and UPPER_SNAKE names, which is how the guide's placeholders
// are spelled. Their values must be single values.
func readByHaguide(name string) bool {
	switch name {
	case "ansible_host", "ansible_ssh_host", "ansible_port", "ansible_ssh_port", "ansible_user", "ansible_ssh_user",
		"ansible_ssh_private_key_file", "ansible_private_key_file", "ansible_become", "ansible_become_user", "ansible_group_priority":
		return true
	}
	return name != "" && strings.ToUpper(name) == name && name[0] >= 'A' && name[0] <= 'Z'
}
