package inventory

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
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
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := yamlError(err)
		return &Error{File: inv.Name, Line: line, Msg: "YAML: " + msg}
	}
	if len(doc.Content) == 0 {
		return nil
	}
	budget := maxValueNodes
	inv.budget = &budget
	root := doc.Content[0]
	if isNull(root) {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		return inv.yerr(root, "an inventory is a mapping of group names (all: ...)")
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if err := inv.yamlGroup(root.Content[i], root.Content[i+1], nil, 0); err != nil {
			return err
		}
	}
	return nil
}

// maxDepth bounds how deep groups and values may nest.
const maxDepth = 100

func (inv *Inventory) yerr(n *yaml.Node, format string, args ...any) error {
	return &Error{File: inv.Name, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf(format, args...)}
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && (n.Tag == "!!null" || n.Value == "" && n.Style == 0)
}

// resolve follows aliases (*name) to the node they stand for.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < maxDepth; i++ {
		n = n.Alias
	}
	return n
}

func (inv *Inventory) yamlGroup(nameNode, n *yaml.Node, parent *group, depth int) error {
	nameNode, n = resolve(nameNode), resolve(n)
	if depth > maxDepth {
		return inv.yerr(nameNode, "groups nest deeper than %d", maxDepth)
	}
	// Aliases can repeat a subtree many times over.
	if *inv.budget--; *inv.budget < 0 {
		return inv.yerr(nameNode, "more than %d groups and values, aliases expanded", maxValueNodes)
	}
	if nameNode.Kind != yaml.ScalarNode || !validName(nameNode.Value) {
		return inv.yerr(nameNode, "%q is not a group name", nameNode.Value)
	}
	g := inv.group(nameNode.Value)
	if parent != nil {
		if parent == g {
			return inv.yerr(nameNode, "group %s cannot contain itself", g.name)
		}
		parent.addChild(g)
	}
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return inv.yerr(n, "group %s: want a mapping of hosts, vars and children", g.name)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		switch k.Value {
		case "hosts":
			if isNull(v) {
				continue
			}
			if v.Kind != yaml.MappingNode {
				return inv.yerr(v, "hosts of %s: want a mapping of host names (a list is not one)", g.name)
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				hn := resolve(v.Content[j])
				if hn.Kind != yaml.ScalarNode {
					return inv.yerr(hn, "want a host name")
				}
				names, port, err := expandHosts(hn.Value)
				if err != nil {
					return inv.yerr(hn, "%v", err)
				}
				vars, err := inv.yamlVars(v.Content[j+1])
				if err != nil {
					return err
				}
				if _, ok := vars["ansible_port"]; !ok && port != 0 {
					vars["ansible_port"] = strconv.Itoa(port)
				}
				if *inv.budget -= len(names) * (1 + len(vars)); *inv.budget < 0 || len(inv.order)+len(names) > maxHosts {
					return inv.yerr(hn, "more than %d hosts", maxHosts)
				}
				for _, name := range names {
					inv.addHost(g, name, vars)
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
			if isNull(v) {
				continue
			}
			if v.Kind != yaml.MappingNode {
				return inv.yerr(v, "children of %s: want a mapping of group names", g.name)
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				if err := inv.yamlGroup(v.Content[j], v.Content[j+1], g, depth+1); err != nil {
					return err
				}
			}
		default:
			return inv.yerr(k, "group %s: unknown key %q (want hosts, vars or children)", g.name, k.Value)
		}
	}
	return nil
}

// yamlVars reads a mapping of variables. Scalars keep their text; lists
// and mappings become JSON.
func (inv *Inventory) yamlVars(n *yaml.Node) (map[string]string, error) {
	n = resolve(n)
	out := map[string]string{}
	if isNull(n) {
		return out, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, inv.yerr(n, "want a mapping of variables")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if *inv.budget--; *inv.budget < 0 {
			return nil, inv.yerr(k, "more than %d groups and values, aliases expanded", maxValueNodes)
		}
		if k.Kind != yaml.ScalarNode || k.Value == "" {
			return nil, inv.yerr(k, "want a variable name")
		}
		var val string
		if v.Kind == yaml.ScalarNode {
			if v.Tag != "!!null" {
				val = v.Value
			}
		} else {
			x, err := jsonValue(v, 0, inv.budget)
			if err != nil {
				return nil, inv.yerr(v, "variable %s: %v", k.Value, err)
			}
			b, err := json.Marshal(x)
			if err != nil {
				return nil, inv.yerr(v, "variable %s: %v", k.Value, err)
			}
			val = string(b)
		}
		if err := checkVar(k.Value, val); err != nil {
			return nil, inv.yerr(v, "%v", err)
		}
		out[k.Value] = val
	}
	return out, nil
}

// maxValueNodes bounds the size of one variable's value, aliases
// expanded.
const maxValueNodes = 100000

// jsonValue turns a YAML value into what encoding/json writes.
func jsonValue(n *yaml.Node, depth int, budget *int) (any, error) {
	n = resolve(n)
	if depth > maxDepth {
		return nil, fmt.Errorf("nested deeper than %d", maxDepth)
	}
	if *budget--; *budget < 0 {
		return nil, fmt.Errorf("more than %d values", maxValueNodes)
	}
	switch n.Kind {
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return nil, nil
		case "!!int", "!!float":
			if json.Valid([]byte(n.Value)) {
				return json.RawMessage(n.Value), nil
			}
		case "!!bool":
			if b, ok := parseBool(n.Value); ok {
				return b, nil
			}
		}
		return n.Value, nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := jsonValue(c, depth+1, budget)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := resolve(n.Content[i])
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: a key that is not a single value", k.Line)
			}
			v, err := jsonValue(n.Content[i+1], depth+1, budget)
			if err != nil {
				return nil, err
			}
			out[k.Value] = v
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported YAML value")
}

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlError splits yaml.v3's "yaml: line N: msg" into its parts.
func yamlError(err error) (int, string) {
	msg := strings.TrimSpace(err.Error())
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n, m[2]
	}
	return 1, strings.TrimPrefix(msg, "yaml: ")
}
