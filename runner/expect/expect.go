package expect

import (
	"fmt"
	"regexp"
	"strings"
)

// Ellipsis is the wildcard, as a whole line or inside one.
const Ellipsis = "..."

// MaxDiffLines caps the diff of a mismatch.
const MaxDiffLines = 60

// Result is the outcome of a match.
type Result struct {
	OK bool
	// Diff shows, for a mismatch, the expected lines with "-" and the
	// output with "+", around where they part.
	Diff string
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)`)

// Lines normalises output into lines: LF line ends, no ANSI codes, no
// trailing spaces, no trailing blank lines.
func Lines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = ansi.ReplaceAllString(s, "")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

func normWant(want []string) []string {
	out := make([]string, len(want))
	for i, l := range want {
		out[i] = strings.TrimRight(l, " \t\r")
		if strings.TrimSpace(l) == Ellipsis {
			out[i] = Ellipsis
		}
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// LineMatch reports whether one output line matches one expected line,
// with "..." inside the expected line matching any text.
func LineMatch(want, got string) bool {
	if !strings.Contains(want, Ellipsis) {
		return want == got
	}
	parts := strings.Split(want, Ellipsis)
	first, last := parts[0], parts[len(parts)-1]
	if !strings.HasPrefix(got, first) {
		return false
	}
	rest := got[len(first):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(rest, p)
		if i < 0 {
			return false
		}
		rest = rest[i+len(p):]
	}
	return strings.HasSuffix(rest, last)
}

// Match compares the whole output got with the expected lines want.
func Match(want []string, got string) Result {
	w, g := normWant(want), Lines(got)
	m, n := len(w), len(g)
	// ok[i][j]: w[i:] matches g[j:].
	ok := make([][]bool, m+1)
	for i := range ok {
		ok[i] = make([]bool, n+1)
	}
	ok[m][n] = true
	for i := m - 1; i >= 0; i-- {
		for j := n; j >= 0; j-- {
			if w[i] == Ellipsis {
				ok[i][j] = ok[i+1][j] || (j < n && ok[i][j+1])
			} else {
				ok[i][j] = j < n && ok[i+1][j+1] && LineMatch(w[i], g[j])
			}
		}
	}
	if ok[0][0] {
		return Result{OK: true}
	}
	return Result{Diff: diff(w, g)}
}

type op struct {
	kind byte // ' ', '-', '+', '~' (lines an ellipsis took)
	text string
}

// diff aligns want and got with the fewest unmatched lines (an ellipsis
// takes any run of output for free) and prints the alignment as a
// unified diff with three lines of context.
func diff(w, g []string) string {
	m, n := len(w), len(g)
	if m*n > 4_000_000 {
		return fallbackDiff(w, g)
	}
	const inf = 1 << 30
	// cost[i][j]: cheapest alignment of w[i:] with g[j:].
	cost := make([][]int32, m+1)
	for i := range cost {
		cost[i] = make([]int32, n+1)
	}
	// Costs: a line only in one side 2, a changed line (a similar
	// line on each side, shown as - and +) 1, output an ellipsis takes 0.
	const gapCost, changeCost = 2, 1
	for j := n - 1; j >= 0; j-- {
		cost[m][j] = cost[m][j+1] + gapCost
	}
	for i := m - 1; i >= 0; i-- {
		cost[i][n] = cost[i+1][n] + gapCost
		if w[i] == Ellipsis {
			cost[i][n] = cost[i+1][n]
		}
		for j := n - 1; j >= 0; j-- {
			best := int32(inf)
			if w[i] == Ellipsis {
				best = min(cost[i+1][j], cost[i][j+1])
			} else {
				switch {
				case LineMatch(w[i], g[j]):
					best = cost[i+1][j+1]
				case similar(w[i], g[j]):
					best = cost[i+1][j+1] + changeCost
				}
				best = min(best, cost[i+1][j]+gapCost, cost[i][j+1]+gapCost)
			}
			cost[i][j] = best
		}
	}
	var ops []op
	i, j := 0, 0
	for i < m || j < n {
		switch {
		case i < m && w[i] == Ellipsis:
			if j < n && cost[i][j] == cost[i][j+1] {
				ops = append(ops, op{'~', g[j]})
				j++
			} else {
				ops = append(ops, op{' ', Ellipsis})
				i++
			}
		case i < m && j < n && LineMatch(w[i], g[j]) && cost[i][j] == cost[i+1][j+1]:
			ops = append(ops, op{' ', g[j]})
			i, j = i+1, j+1
		case i < m && j < n && similar(w[i], g[j]) && cost[i][j] == cost[i+1][j+1]+changeCost:
			ops = append(ops, op{'-', w[i]}, op{'+', g[j]})
			i, j = i+1, j+1
		case i < m && cost[i][j] == cost[i+1][j]+gapCost:
			ops = append(ops, op{'-', w[i]})
			i++
		default:
			ops = append(ops, op{'+', g[j]})
			j++
		}
	}
	return render(ops)
}

// similar reports whether two lines look like one line changed: they
// share most of their text at the start and the end.
func similar(a, b string) bool {
	n := min(len(a), len(b))
	p := 0
	for p < n && a[p] == b[p] {
		p++
	}
	q := 0
	for q < n-p && a[len(a)-1-q] == b[len(b)-1-q] {
		q++
	}
	return (p+q)*5 >= max(len(a), len(b))*3 && p+q >= 3
}

// render prints the changed ops with context. Output lines an ellipsis
// took are shown as context too (they are often the near miss a reader
// looks for), and long runs of them are folded.
func render(ops []op) string {
	const context = 3
	// The ellipsis lines of the guide say nothing the context lines do
	// not; leave them out.
	kept := ops[:0:0]
	for _, o := range ops {
		if o.kind == ' ' && o.text == Ellipsis {
			continue
		}
		kept = append(kept, o)
	}
	ops = kept
	show := make([]bool, len(ops))
	for k, o := range ops {
		if o.kind == '-' || o.kind == '+' {
			for d := max(0, k-context); d <= min(len(ops)-1, k+context); d++ {
				show[d] = true
			}
		}
	}
	var out []string
	gap := false
	for k := 0; k < len(ops); k++ {
		if !show[k] {
			gap = true
			continue
		}
		if gap && len(out) > 0 {
			out = append(out, "@@")
		}
		gap = false
		prefix := string(ops[k].kind)
		if prefix == "~" {
			prefix = " "
		}
		out = append(out, prefix+" "+ops[k].text)
	}
	if len(out) > MaxDiffLines {
		cut := len(out) - MaxDiffLines
		out = append(out[:MaxDiffLines], fmt.Sprintf("[%d more diff line(s) not shown]", cut))
	}
	return "--- expected (the guide)\n+++ output\n" + strings.Join(out, "\n") + "\n"
}

func fallbackDiff(w, g []string) string {
	var ops []op
	for _, l := range w {
		ops = append(ops, op{'-', l})
	}
	for _, l := range g[max(0, len(g)-20):] {
		ops = append(ops, op{'+', l})
	}
	return render(ops)
}
