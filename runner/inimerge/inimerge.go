package inimerge

import (
	"fmt"
	"strings"
)

type kind int

const (
	blank kind = iota
	comment
	section
	key
	continuation
)

type line struct {
	text string
	kind kind
	name string // section name or key
}

func classify(text string, prev kind) line {
	t := strings.TrimSpace(text)
	switch {
	case t == "":
		return line{text: text, kind: blank}
	case t[0] == '#' || t[0] == ';':
		return line{text: text, kind: comment}
	case t[0] == '[' && t[len(t)-1] == ']':
		return line{text: text, kind: section, name: strings.TrimSpace(t[1 : len(t)-1])}
	case (text[0] == ' ' || text[0] == '\t') && (prev == key || prev == continuation):
		return line{text: text, kind: continuation}
	}
	k, _, _ := strings.Cut(t, "=")
	return line{text: text, kind: key, name: strings.TrimSpace(k)}
}

func split(data []byte) []line {
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	if s == "" {
		return nil
	}
	s = strings.TrimSuffix(s, "\n")
	var out []line
	prev := blank
	for _, t := range strings.Split(s, "\n") {
		t = strings.TrimRight(t, "\r")
		l := classify(t, prev)
		out = append(out, l)
		prev = l.kind
	}
	return out
}

// patchKey is one key of the patch with every line that sets it.
type patchKey struct {
	name  string
	lines []string
}

type patchSection struct {
	name string
	keys []*patchKey
}

// Error is a patch line that is not a section, key, comment or blank.
type Error struct {
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

func parsePatch(data []byte) ([]*patchSection, error) {
	var secs []*patchSection
	cur := &patchSection{}
	secs = append(secs, cur)
	var last *patchKey
	for i, l := range split(data) {
		switch l.kind {
		case blank, comment:
			last = nil
		case section:
			if l.name == "" {
				return nil, &Error{i + 1, "a section needs a name"}
			}
			cur = nil
			for _, s := range secs {
				if s.name == l.name {
					cur = s
				}
			}
			if cur == nil {
				cur = &patchSection{name: l.name}
				secs = append(secs, cur)
			}
			last = nil
		case continuation:
			if last == nil {
				return nil, &Error{i + 1, "an indented line continues no key"}
			}
			last.lines = append(last.lines, l.text)
		case key:
			if l.name == "" || strings.ContainsAny(l.name, "[]") {
				return nil, &Error{i + 1, fmt.Sprintf("%q is not key = value", strings.TrimSpace(l.text))}
			}
			var pk *patchKey
			for _, k := range cur.keys {
				if k.name == l.name {
					pk = k
				}
			}
			if pk == nil {
				pk = &patchKey{name: l.name}
				cur.keys = append(cur.keys, pk)
			}
			// A key line is written from the start of the line, so it
			// cannot read as the continuation of the key before it.
			pk.lines = append(pk.lines, strings.TrimLeft(l.text, " \t"))
			last = pk
		}
	}
	return secs, nil
}

// Merge sets the patch's keys in orig and returns the new file. The
// result ends with a newline.
func Merge(orig, patch []byte) ([]byte, error) {
	secs, err := parsePatch(patch)
	if err != nil {
		return nil, err
	}
	lines := split(orig)
	for _, ps := range secs {
		if len(ps.keys) == 0 && ps.name == "" {
			continue
		}
		lines = mergeSection(lines, ps)
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.text)
		b.WriteByte('\n')
	}
	return []byte(b.String()), nil
}

// bounds returns the lines of the first section named name: from its
// header (or 0 for the global section) to the next header. ok is false
// when the file has no such section.
func bounds(lines []line, name string) (start, end int, ok bool) {
	start = -1
	if name == "" {
		start = 0
	} else {
		for i, l := range lines {
			if l.kind == section && l.name == name {
				start = i
				break
			}
		}
		if start < 0 {
			return 0, 0, false
		}
	}
	end = len(lines)
	for i := start + 1; i < len(lines); i++ {
		if lines[i].kind == section {
			end = i
			break
		}
	}
	if name == "" && start == 0 && len(lines) > 0 && lines[0].kind == section {
		end = 0
	}
	return start, end, true
}

func mergeSection(lines []line, ps *patchSection) []line {
	start, end, ok := bounds(lines, ps.name)
	if !ok {
		// A new section at the end, after one blank line.
		if len(lines) > 0 && lines[len(lines)-1].kind != blank {
			lines = append(lines, line{kind: blank})
		}
		lines = append(lines, line{text: "[" + ps.name + "]", kind: section, name: ps.name})
		for _, k := range ps.keys {
			for _, t := range k.lines {
				lines = append(lines, line{text: t, kind: key, name: k.name})
			}
		}
		return lines
	}
	for _, k := range ps.keys {
		lines, end = setKey(lines, start, end, ps.name, k)
	}
	return lines
}

// keyLines returns the new lines that set a key.
func keyLines(k *patchKey) []line {
	out := make([]line, 0, len(k.lines))
	prev := blank
	for _, t := range k.lines {
		l := classify(t, prev)
		if l.kind != continuation {
			l = line{text: t, kind: key, name: k.name}
		}
		out = append(out, l)
		prev = l.kind
	}
	return out
}

// setKey sets one key in the section lines[start:end] and returns the
// new lines and the section's new end.
func setKey(lines []line, start, end int, secName string, k *patchKey) ([]line, int) {
	body := start
	if secName != "" {
		body = start + 1
	}
	// Find every occurrence of the key with its continuation lines.
	first := -1
	var out []line
	out = append(out, lines[:body]...)
	for i := body; i < end; i++ {
		l := lines[i]
		if l.kind == key && l.name == k.name {
			j := i + 1
			for j < end && lines[j].kind == continuation {
				j++
			}
			if first < 0 {
				first = len(out)
				out = append(out, keyLines(k)...)
			}
			i = j - 1
			continue
		}
		out = append(out, l)
	}
	if first >= 0 {
		newEnd := len(out)
		out = append(out, lines[end:]...)
		return out, newEnd
	}
	// Not there: after a commented-out default, or after the last key.
	at := -1
	for i := body; i < end; i++ {
		if lines[i].kind == comment && commentedKey(lines[i].text) == k.name {
			at = i + 1
		}
	}
	// Inserting before an indented key would make that key read as the
	// continuation of the new one.
	if at >= 0 && at < end && lines[at].kind == key && lines[at].text != strings.TrimLeft(lines[at].text, " \t") {
		at = -1
	}
	if at < 0 {
		at = body
		for i := body; i < end; i++ {
			if lines[i].kind == key || lines[i].kind == continuation {
				at = i + 1
			}
		}
	}
	ins := keyLines(k)
	out = make([]line, 0, len(lines)+len(ins))
	out = append(out, lines[:at]...)
	out = append(out, ins...)
	out = append(out, lines[at:]...)
	return out, end + len(ins)
}

// commentedKey returns the key a commented-out setting names
// ("#connection = <None>" names connection), or "".
func commentedKey(text string) string {
	t := strings.TrimLeft(strings.TrimSpace(text), "#;")
	t = strings.TrimLeft(t, " \t")
	k, _, ok := strings.Cut(t, "=")
	k = strings.TrimSpace(k)
	if !ok || k == "" || strings.ContainsAny(k, " \t") {
		return ""
	}
	return k
}
