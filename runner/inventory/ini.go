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
		indent := len(raw) - len(strings.TrimLeft(raw, " \t"))
		l := iniLine{file: inv.Name, no: i + 1, indent: indent, text: strings.TrimRight(raw[indent:], " \t\r")}
		var err error
		switch {
		case l.text == "" || l.text[0] == '#' || l.text[0] == ';':
		case l.text[0] == '[':
			cur, mode, err = inv.iniSection(l)
		case mode == "vars":
			err = iniVar(cur, l)
		case mode == "children":
			err = inv.iniChild(cur, l)
		default:
			err = inv.iniHosts(cur, l)
		}
		if err != nil {
			return err
		}
	}
	if g := inv.groups["ungrouped"]; len(g.hosts) == 0 && len(g.children) == 0 && len(g.vars) == 0 {
		delete(inv.groups, "ungrouped")
	}
	return nil
}

// iniLine is one line of an INI inventory, its indent cut off.
type iniLine struct {
	file       string
	no, indent int
	text       string
}

// errAt is an error at column col of the line's text (1-based, after the
// indent).
func (l iniLine) errAt(col int, format string, args ...any) error {
	return &Error{File: l.file, Line: l.no, Col: l.indent + col, Msg: fmt.Sprintf(format, args...)}
}

// iniSection reads a section header: [group], [group:vars] or
// [group:children].
func (inv *Inventory) iniSection(l iniLine) (*group, string, error) {
	line := l.text
	end := strings.IndexByte(line, ']')
	if end < 0 {
		return nil, "", l.errAt(1, "a section header ends with ]")
	}
	if rest := strings.TrimSpace(line[end+1:]); rest != "" && rest[0] != '#' && rest[0] != ';' {
		return nil, "", l.errAt(strings.Index(line, rest)+1, "unexpected %q after the section header", rest)
	}
	name, mode := strings.TrimSpace(line[1:end]), "hosts"
	if base, suffix, ok := strings.Cut(name, ":"); ok {
		switch suffix {
		case "vars", "children":
			mode, name = suffix, base
		default:
			return nil, "", l.errAt(3+len(base), "unknown section suffix :%s (want :vars or :children)", suffix)
		}
	}
	if !validName(name) {
		return nil, "", l.errAt(2, "%q is not a group name", name)
	}
	return inv.group(name), mode, nil
}

// iniVar reads a key=value line of a [group:vars] section.
func iniVar(cur *group, l iniLine) error {
	k, v, ok := strings.Cut(l.text, "=")
	k = strings.TrimSpace(k)
	if !ok || k == "" || strings.ContainsAny(k, " \t") {
		return l.errAt(1, "want key=value in [%s:vars]", cur.name)
	}
	v = unquote(strings.TrimSpace(v))
	if err := checkVar(k, v); err != nil {
		return l.errAt(strings.IndexByte(l.text, '=')+2, "%v", err)
	}
	cur.vars[k] = value{text: v, line: l.no}
	return nil
}

// iniChild reads a group name of a [group:children] section.
func (inv *Inventory) iniChild(cur *group, l iniLine) error {
	name := l.text
	if j := strings.IndexAny(name, " \t"); j >= 0 {
		if rest := strings.TrimSpace(name[j:]); rest[0] != '#' && rest[0] != ';' {
			return l.errAt(j+1, "[%s:children] lists group names, one a line", cur.name)
		}
		name = name[:j]
	}
	if !validName(name) {
		return l.errAt(1, "%q is not a group name", name)
	}
	if name == cur.name {
		return l.errAt(1, "group %s cannot contain itself", name)
	}
	cur.addChild(inv.group(name))
	return nil
}

// iniHosts reads a host line: a host name or pattern (controller[1:3]),
// then key=value variables.
func (inv *Inventory) iniHosts(cur *group, l iniLine) error {
	fields, err := splitFields(l.text)
	if err != nil {
		return l.errAt(1, "%v", err)
	}
	if len(fields) == 0 {
		return nil
	}
	pattern := fields[0]
	if strings.Contains(pattern.text, "=") {
		return l.errAt(pattern.col, "a host line starts with the host's name, not %q", pattern.text)
	}
	names, port, err := expandHosts(pattern.text)
	if err != nil {
		return l.errAt(pattern.col, "%v", err)
	}
	vars := map[string]value{}
	if port != 0 {
		vars["ansible_port"] = value{text: fmt.Sprint(port), line: l.no}
	}
	for _, f := range fields[1:] {
		k, v, ok := strings.Cut(f.text, "=")
		if !ok || k == "" {
			return l.errAt(f.col, "want key=value after the host name, not %q", f.text)
		}
		if err := checkVar(k, v); err != nil {
			return l.errAt(f.col, "%v", err)
		}
		vars[k] = value{text: v, line: l.no}
	}
	if len(inv.order)+len(names) > maxHosts {
		return l.errAt(pattern.col, "more than %d hosts", maxHosts)
	}
	for _, n := range names {
		inv.addHost(cur, n, l.no, vars)
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
