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

// line is one line of a file: its text without the line end, the line
// end as it was, and what it is.
// trailing is the white space that does not count at the end of a line.
const trailing = " \t\r\v\f"

// trim removes the white space classify ignores around a line.
func trim(text string) string {
	return strings.TrimLeft(strings.TrimRight(text, trailing), " \t")
}

type line struct {
	text string
	eol  string // "\n", "\r\n", or "" for a last line without one
	kind kind
	name string // section name or key
}

// classify reads a line the way oslo.config's parser does: trailing
// white space does not count, a blank line ends a value, an indented
// line right after a key (or its continuation) continues the value,
// "[...]" is a section, "#" and ";" start comments, and the rest are
// keys.
func classify(text string, prev kind) line {
	r := strings.TrimRight(text, trailing)
	if r == "" {
		return line{text: text, kind: blank}
	}
	if (r[0] == ' ' || r[0] == '\t') && (prev == key || prev == continuation) {
		return line{text: text, kind: continuation}
	}
	t := strings.TrimLeft(r, " \t")
	switch {
	case t[0] == '[' && t[len(t)-1] == ']':
		return line{text: text, kind: section, name: strings.TrimSpace(t[1 : len(t)-1])}
	case t[0] == '#' || t[0] == ';':
		return line{text: text, kind: comment}
	}
	return line{text: text, kind: key, name: keyName(t)}
}

// keyName returns the key of a key line (trimmed, not blank): the text
// before the first "=" or ":", whichever comes first (oslo accepts
// both); for a key without a value (MariaDB's skip-name-resolve), the
// whole line less a trailing comment.
func keyName(t string) string {
	eq, co := strings.IndexByte(t, '='), strings.IndexByte(t, ':')
	switch {
	case eq >= 0 && (co < 0 || eq < co):
		return strings.TrimSpace(t[:eq])
	case co >= 0:
		return strings.TrimSpace(t[:co])
	}
	if i := strings.IndexAny(t, " \t"); i >= 0 {
		if rest := strings.TrimLeft(t[i:], " \t"); rest[0] == '#' || rest[0] == ';' {
			return t[:i]
		}
	}
	return t
}

// file is a parsed ini file.
type file struct {
	bom   bool   // it starts with a UTF-8 byte order mark
	eol   string // the line end new lines get: the file's first one
	lines []line
}

func parseFile(data []byte) *file {
	s := string(data)
	f := &file{eol: "\n"}
	if rest, ok := strings.CutPrefix(s, "\ufeff"); ok {
		f.bom, s = true, rest
	}
	seenEOL := false
	prev := blank
	for len(s) > 0 {
		text, eol := s, ""
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			text, eol, s = s[:i], "\n", s[i+1:]
			if strings.HasSuffix(text, "\r") {
				text, eol = text[:len(text)-1], "\r\n"
			}
			if !seenEOL {
				f.eol, seenEOL = eol, true
			}
		} else {
			s = ""
			// The line end this last line gets completes a CR it ends
			// with into CRLF.
			if t, ok := strings.CutSuffix(text, "\r"); ok {
				text, eol = t, "\r\n"
				if !seenEOL {
					f.eol = eol
				}
			}
		}
		l := classify(text, prev)
		l.eol = eol
		f.lines = append(f.lines, l)
		prev = l.kind
	}
	return f
}

func (f *file) bytes() []byte {
	n := 3
	for _, l := range f.lines {
		n += len(l.text) + 2
	}
	b := make([]byte, 0, n)
	if f.bom {
		b = append(b, "\ufeff"...)
	}
	for _, l := range f.lines {
		b = append(b, l.text...)
		if l.eol == "" {
			b = append(b, f.eol...)
		} else {
			b = append(b, l.eol...)
		}
	}
	return b
}

// patchKey is one key of the patch with every line that sets it (more
// than one for a multi-valued option, and continuation lines).
type patchKey struct {
	name  string
	lines []line
}

type patchSection struct {
	name   string
	header string // the patch's header line, trimmed
	keys   []*patchKey
}

// Error is a patch line that is not a section, key, comment or blank.
type Error struct {
	Line int // from 1
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

func parsePatch(data []byte) ([]*patchSection, error) {
	p := parseFile(data)
	cur := &patchSection{}
	secs := []*patchSection{cur}
	var last *patchKey
	for i, l := range p.lines {
		n := i + 1
		t := trim(l.text)
		switch l.kind {
		case blank, comment:
			last = nil
		case section:
			if l.name == "" {
				return nil, &Error{n, fmt.Sprintf("%q: a section needs a name", t)}
			}
			cur = nil
			for _, s := range secs {
				if s.name == l.name {
					cur = s
				}
			}
			if cur == nil {
				cur = &patchSection{name: l.name, header: t}
				secs = append(secs, cur)
			}
			last = nil
		case continuation:
			last.lines = append(last.lines, line{text: strings.TrimRight(l.text, trailing), kind: continuation})
		case key:
			// Messages quote names, never values: a patch may hold
			// passwords by the time it is merged.
			switch {
			case l.text[0] == ' ' || l.text[0] == '\t':
				// oslo.config reads an indented line as the
				// continuation of the key before it, and there is none.
				return nil, &Error{n, fmt.Sprintf("key %q is indented, but there is no key before it to continue", firstWord(l.name))}
			case t[0] == '[':
				return nil, &Error{n, fmt.Sprintf("%q is neither a [section] nor key = value", firstWord(l.name))}
			case l.name == "":
				return nil, &Error{n, "no key before the = (or :)"}
			case strings.ContainsAny(l.name, " \t") && l.name[0] != '!':
				return nil, &Error{n, fmt.Sprintf("%q is followed by a space, not by = (a key has no spaces)", firstWord(l.name))}
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
			// Written from the start of the line, so that it cannot
			// read as the continuation of the line before it.
			pk.lines = append(pk.lines, line{text: t, kind: key, name: l.name})
			last = pk
		}
	}
	return secs, nil
}

// Merge sets the patch's keys in orig, section by section, and returns
// the new file; see the package documentation for where lines go. The
// result ends with a line end. An error (*Error) names the first patch
// line that is neither a section header, a key, a comment nor blank.
func Merge(orig, patch []byte) ([]byte, error) {
	secs, err := parsePatch(patch)
	if err != nil {
		return nil, err
	}
	f := parseFile(orig)
	for _, ps := range secs {
		f.mergeSection(ps)
	}
	return f.bytes(), nil
}

// span is the body of one occurrence of a section: lines [start, end),
// without its header.
type span struct{ start, end int }

// spans returns the bodies of every occurrence of the section name ("" is
// the part before the first header) in file order.
func (f *file) spans(name string) []span {
	var out []span
	in := name == ""
	start := 0
	for i, l := range f.lines {
		if l.kind != section {
			continue
		}
		if in {
			out = append(out, span{start, i})
		}
		in = l.name == name
		start = i + 1
	}
	if in {
		out = append(out, span{start, len(f.lines)})
	}
	return out
}

func (f *file) mergeSection(ps *patchSection) {
	if ps.name != "" && len(f.spans(ps.name)) == 0 {
		// A new section at the end, after a blank line.
		if n := len(f.lines); n > 0 && f.lines[n-1].kind != blank {
			f.lines = append(f.lines, line{kind: blank})
		}
		f.lines = append(f.lines, line{text: ps.header, kind: section, name: ps.name})
		for _, k := range ps.keys {
			f.lines = append(f.lines, k.lines...)
		}
		return
	}
	for _, k := range ps.keys {
		f.setKey(ps.name, k)
	}
}

// setKey sets one key in every occurrence of the section secName.
func (f *file) setKey(secName string, k *patchKey) {
	spans := f.spans(secName)
	// Replace the first occurrence of the key (with its continuation
	// lines) and drop the others: one key, the patch's values.
	var out []line
	done, replaced := 0, false
	for _, sp := range spans {
		for i := sp.start; i < sp.end; i++ {
			l := f.lines[i]
			if l.kind != key || l.name != k.name {
				continue
			}
			j := i + 1
			for j < sp.end && f.lines[j].kind == continuation {
				j++
			}
			if out == nil {
				out = make([]line, 0, len(f.lines)+len(k.lines))
			}
			out = append(out, f.lines[done:i]...)
			if !replaced {
				out = append(out, k.lines...)
				replaced = true
			}
			done = j
			i = j - 1
		}
	}
	if replaced {
		f.lines = append(out, f.lines[done:]...)
		return
	}
	at := f.insertAt(spans, k.name)
	out = make([]line, 0, len(f.lines)+len(k.lines))
	out = append(out, f.lines[:at]...)
	out = append(out, k.lines...)
	out = append(out, f.lines[at:]...)
	f.lines = out
}

// insertAt returns where a key the section does not have goes: right
// after a commented-out setting of it ("#connection = <None>"), as a
// reader editing the file would put it, or else after the section's last
// key line, or else right after the header.
func (f *file) insertAt(spans []span, name string) int {
	at, end := -1, 0
	for _, sp := range spans {
		for i := sp.start; i < sp.end; i++ {
			if f.lines[i].kind == comment && commentNames(f.lines[i].text, name) {
				at, end = i+1, sp.end
				break
			}
		}
		if at >= 0 {
			break
		}
	}
	if at < 0 {
		at, end = spans[0].start, spans[0].end
		for _, sp := range spans {
			for i := sp.start; i < sp.end; i++ {
				if k := f.lines[i].kind; k == key || k == continuation {
					at, end = i+1, sp.end
				}
			}
		}
	}
	// MariaDB reads bind-address and bind_address as one option, the
	// last line winning: the new line goes after any such spelling of
	// its key, so that it is the last (oslo.config reads such a line
	// only as a deprecated alias, behind the current name).
	alias := foldDash(name)
	for _, sp := range spans {
		for i := max(sp.start, at); i < sp.end; i++ {
			if l := f.lines[i]; l.kind == key && foldDash(l.name) == alias {
				j := i + 1
				for j < sp.end && f.lines[j].kind == continuation {
					j++
				}
				at, end = j, sp.end
			}
		}
	}
	// A new key line before an indented line would make that line the
	// new key's continuation; go past such lines.
	for at < end && f.lines[at].kind != blank && (f.lines[at].text[0] == ' ' || f.lines[at].text[0] == '\t') {
		at++
	}
	return at
}

// commentNames reports whether a comment line is a commented-out setting
// of the key name: "#name = x", "# name: x", ";name", "#name  # why".
func commentNames(text, name string) bool {
	t := strings.TrimLeft(text, " \t")
	t = strings.TrimLeft(t, "#;")
	t = strings.TrimLeft(t, " \t")
	rest, ok := strings.CutPrefix(t, name)
	if !ok {
		return false
	}
	rest = strings.TrimLeft(rest, " \t")
	return rest == "" || strings.IndexByte("=:#;", rest[0]) >= 0
}

// foldDash spells a key with "_" for every "-".
func foldDash(k string) string { return strings.ReplaceAll(k, "-", "_") }

// firstWord returns s up to its first white space.
func firstWord(s string) string {
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i]
	}
	return s
}
