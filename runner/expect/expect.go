package expect

import "strings"

// Ellipsis is the wildcard, as a whole line or inside one.
const Ellipsis = "..."

// MaxDiffLines caps the body of a mismatch's diff (the two header lines
// and the note saying how much was cut are not counted).
const MaxDiffLines = 60

// maxDiffCells bounds the alignment table of a diff (one byte a cell).
// Larger mismatches, after their common head and tail are taken off, get
// a plain "expected this, got that" diff.
const maxDiffCells = 8 << 20

// Result is the outcome of a match.
type Result struct {
	OK bool
	// Diff shows, for a mismatch, the expected lines with "-" and the
	// output with "+", around where they part; "" when OK.
	Diff string
}

// Lines normalises output into lines the way Match sees them: split at
// LF (a CR before it dropped), ANSI escape sequences removed, trailing
// white space removed, a carriage return inside a line read the way a
// terminal shows it (only the text after the last one), and trailing
// blank lines removed.
func Lines(s string) []string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = normLine(l)
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// normLine normalises one line (without its LF).
func normLine(l string) string {
	l = stripANSI(l)
	l = strings.TrimRight(l, " \t\r\v\f")
	if i := strings.LastIndexByte(l, '\r'); i >= 0 {
		// A progress display rewrites its line; what stays on the
		// screen is the last version.
		l = strings.TrimRight(l[i+1:], " \t\v\f")
	}
	return l
}

// stripANSI removes escape sequences: CSI (colours, cursor, erase),
// OSC/DCS/SOS/PM/APC strings up to BEL or ST (window titles,
// hyperlinks), and the short two- and three-byte sequences (charset
// selection such as ESC ( B, keypad modes). It works on one line: a
// string left open at the end of the line ends there.
func stripANSI(s string) string {
	if strings.IndexByte(s, 0x1b) < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if s[i] != 0x1b {
			b.WriteByte(s[i])
			i++
			continue
		}
		i++
		if i >= len(s) {
			break
		}
		switch s[i] {
		case '[':
			// Parameters and intermediates, then one final byte.
			i++
			for i < len(s) && s[i] >= 0x20 && s[i] <= 0x3f {
				i++
			}
			if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
				i++
			}
		case ']', 'P', 'X', '^', '_':
			i++
			for i < len(s) {
				if s[i] == 0x07 {
					i++
					break
				}
				if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
					i += 2
					break
				}
				i++
			}
		default:
			for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
				i++
			}
			if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
				i++
			}
		}
	}
	return b.String()
}

// normWant normalises the expected lines like output lines; a line that
// is "..." once trimmed is the line wildcard.
func normWant(want []string) []string {
	out := make([]string, 0, len(want))
	for _, w := range want {
		for l := range strings.SplitSeq(w, "\n") {
			l = normLine(l)
			if strings.TrimSpace(l) == Ellipsis {
				l = Ellipsis
			}
			out = append(out, l)
		}
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// LineMatch reports whether one output line matches one expected line,
// with "..." inside the expected line matching any text (also none).
// Everything else is compared literally.
func LineMatch(want, got string) bool {
	return compile(want).match(got)
}

// pattern is an expected line ready to be matched many times.
type pattern struct {
	text  string
	parts []string // text split at "..."; nil when it has none
}

func compile(want string) pattern {
	p := pattern{text: want}
	if strings.Contains(want, Ellipsis) {
		p.parts = strings.Split(want, Ellipsis)
	}
	return p
}

func compileAll(w []string) []pattern {
	ps := make([]pattern, len(w))
	for i, l := range w {
		ps[i] = compile(l)
	}
	return ps
}

func (p pattern) match(got string) bool {
	if p.parts == nil {
		return p.text == got
	}
	first, last := p.parts[0], p.parts[len(p.parts)-1]
	if !strings.HasPrefix(got, first) {
		return false
	}
	rest := got[len(first):]
	// The leftmost place for each middle part leaves the most room for
	// the rest, so this greedy search never misses a match.
	for _, q := range p.parts[1 : len(p.parts)-1] {
		i := strings.Index(rest, q)
		if i < 0 {
			return false
		}
		rest = rest[i+len(q):]
	}
	return strings.HasSuffix(rest, last)
}

// Match compares the whole output got with the expected lines want.
// Both are normalised first (see [Lines]); a want line "..." matches any
// number of output lines, "..." inside a line any text within it, and
// every output line must be matched. It takes O(len(want) x len(got))
// line comparisons and O(len(got)) memory, whatever the input.
func Match(want []string, got string) Result {
	w, g := normWant(want), Lines(got)
	if matches(w, g) {
		return Result{OK: true}
	}
	return Result{Diff: diff(w, g)}
}

// matches runs the dynamic programme: row i says whether w[i:] matches
// g[j:], for every j. Two rows are kept, and only the span of a row that
// can be true: below an expected line it is the span of the row after
// it moved up by one, below a "..." line everything up to that span's
// end. So a long literal block costs O(len(got)), not O(len(want) x
// len(got)), and no input costs more than that.
func matches(w, g []string) bool {
	m, n := len(w), len(g)
	ps := compileAll(w)
	next := make([]bool, n+1) // row i+1, valid in [lo, hi]
	cur := make([]bool, n+1)  // row i
	next[n] = true
	lo, hi := n, n
	for i := m - 1; i >= 0; i-- {
		if w[i] == Ellipsis {
			// w[i:] matches g[j:] for every j up to the last place
			// where w[i+1:] matches.
			for j := 0; j <= hi; j++ {
				cur[j] = true
			}
			lo = 0
		} else {
			nlo, nhi := n+1, -1
			for j := max(lo-1, 0); j <= hi-1; j++ {
				cur[j] = next[j+1] && ps[i].match(g[j])
				if cur[j] {
					nlo, nhi = min(nlo, j), j
				}
			}
			if nhi < 0 {
				return false
			}
			lo, hi = nlo, nhi
		}
		cur, next = next, cur
	}
	return lo == 0 && next[0]
}
