package inventory

import (
	"fmt"
	"strings"
)

// parseINI reads Ansible's INI form:
//
//	bastion ansible_host=192.0.2.1        # before any section: ungrouped
//	[controllers]
//	controller[1:3] ansible_user=root
//	[controllers:vars]
//	CONTROLLER_VIP=10.0.0.10
//	[cloud:children]
//	controllers
func (inv *Inventory) parseINI(data []byte) error {
	cur, mode := inv.group("ungrouped"), "hosts"
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = strings.TrimPrefix(text, "\ufeff")
	for i, raw := range strings.Split(text, "\n") {
		lineNo := i + 1
		indent := len(raw) - len(strings.TrimLeft(raw, " \t"))
		line := strings.TrimRight(raw[indent:], " \t\r")
		errAt := func(col int, format string, args ...any) error {
			return &Error{File: inv.Name, Line: lineNo, Col: col, Msg: fmt.Sprintf(format, args...)}
		}
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			end := strings.IndexByte(line, ']')
			if end < 0 {
				return errAt(indent+1, "a section header ends with ]")
			}
			if rest := strings.TrimSpace(line[end+1:]); rest != "" && rest[0] != '#' && rest[0] != ';' {
				return errAt(indent+strings.Index(line, rest)+1, "unexpected %q after the section header", rest)
			}
			name := strings.TrimSpace(line[1:end])
			mode = "hosts"
			if base, suffix, ok := strings.Cut(name, ":"); ok {
				switch suffix {
				case "vars", "children":
					mode, name = suffix, base
				default:
					return errAt(indent+3+len(base), "unknown section suffix :%s (want :vars or :children)", suffix)
				}
			}
			if !validName(name) {
				return errAt(indent+2, "%q is not a group name", name)
			}
			cur = inv.group(name)
			continue
		}
		switch mode {
		case "vars":
			k, v, ok := strings.Cut(line, "=")
			k = strings.TrimSpace(k)
			if !ok || k == "" || strings.ContainsAny(k, " \t") {
				return errAt(indent+1, "want key=value in [%s:vars]", cur.name)
			}
			v = unquote(strings.TrimSpace(v))
			if err := checkVar(k, v); err != nil {
				return errAt(indent+strings.IndexByte(line, '=')+2, "%v", err)
			}
			cur.vars[k] = value{text: v, line: lineNo}
		case "children":
			name := line
			if j := strings.IndexAny(name, " \t"); j >= 0 {
				if rest := strings.TrimSpace(name[j:]); rest[0] != '#' && rest[0] != ';' {
					return errAt(indent+j+1, "[%s:children] lists group names, one a line", cur.name)
				}
				name = name[:j]
			}
			if !validName(name) {
				return errAt(indent+1, "%q is not a group name", name)
			}
			if name == cur.name {
				return errAt(indent+1, "group %s cannot contain itself", name)
			}
			cur.addChild(inv.group(name))
		default:
			fields, err := splitFields(line)
			if err != nil {
				return errAt(indent+1, "%v", err)
			}
			if len(fields) == 0 {
				continue
			}
			pattern := fields[0]
			if strings.Contains(pattern.text, "=") {
				return errAt(indent+pattern.col, "a host line starts with the host's name, not %q", pattern.text)
			}
			names, port, err := expandHosts(pattern.text)
			if err != nil {
				return errAt(indent+pattern.col, "%v", err)
			}
			vars := map[string]value{}
			if port != 0 {
				vars["ansible_port"] = value{text: fmt.Sprint(port), line: lineNo}
			}
			for _, f := range fields[1:] {
				k, v, ok := strings.Cut(f.text, "=")
				if !ok || k == "" {
					return errAt(indent+f.col, "want key=value after the host name, not %q", f.text)
				}
				if err := checkVar(k, v); err != nil {
					return errAt(indent+f.col, "%v", err)
				}
				vars[k] = value{text: v, line: lineNo}
			}
			if len(inv.order)+len(names) > maxHosts {
				return errAt(indent+pattern.col, "more than %d hosts", maxHosts)
			}
			for _, n := range names {
				inv.addHost(cur, n, lineNo, vars)
			}
		}
	}
	if g := inv.groups["ungrouped"]; len(g.hosts) == 0 && len(g.children) == 0 && len(g.vars) == 0 {
		delete(inv.groups, "ungrouped")
	}
	return nil
}

type field struct {
	text string // with quotes removed
	col  int    // 1-based column of its first byte
}

// splitFields splits a host line at blanks as a shell would: quotes keep
// blanks, and a # that starts a word starts a comment.
func splitFields(line string) ([]field, error) {
	var out []field
	var cur strings.Builder
	in, start := false, 0
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '"' || c == '\'':
			if !in {
				in, start = true, i
			}
			quote = c
		case c == ' ' || c == '\t':
			if in {
				out = append(out, field{cur.String(), start + 1})
				cur.Reset()
				in = false
			}
		case c == '#' && !in:
			i = len(line)
		default:
			if !in {
				in, start = true, i
			}
			cur.WriteByte(c)
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed %c quote", quote)
	}
	if in {
		out = append(out, field{cur.String(), start + 1})
	}
	return out, nil
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}
