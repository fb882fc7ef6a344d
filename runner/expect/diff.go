package expect

import (
	"fmt"
	"math"
	"strings"
)

// op is one line of an alignment of expected lines with output lines.
type op struct {
	kind byte // ' ' matched, '~' taken by a "..." line, '-' expected only, '+' output only
	text string
	// wi and gi count the expected and output lines before this one.
	wi, gi int
}

// Moves of the alignment table.
const (
	moveEat    = iota + 1 // a "..." line takes one output line
	moveEnd               // a "..." line takes no more
	moveMatch             // the lines match
	moveChange            // a similar line: shown as - and +
	moveDel               // an expected line that is not there
	moveIns               // an output line not expected
)

// Costs of an alignment: a line on one side only costs 2, a changed line
// (a similar line on each side) 1, a matched line or one that a "..."
// takes nothing.
const gapCost, changeCost = 2, 1

// diff shows the cheapest alignment of want with got as a unified diff.
func diff(w, g []string) string {
	m, n := len(w), len(g)
	// Lines that match at the head and the tail are part of a cheapest
	// alignment, and taking them off keeps the table small.
	ps := compileAll(w)
	pre := 0
	for pre < m && pre < n && w[pre] != Ellipsis && ps[pre].match(g[pre]) {
		pre++
	}
	suf := 0
	for suf < m-pre && suf < n-pre && w[m-1-suf] != Ellipsis && ps[m-1-suf].match(g[n-1-suf]) {
		suf++
	}
	ops := make([]op, 0, m+n)
	for k := range pre {
		ops = append(ops, op{' ', g[k], k, k})
	}
	ops = align(ops, ps[pre:m-suf], g[pre:n-suf], pre, pre)
	for k := suf; k > 0; k-- {
		ops = append(ops, op{' ', g[n-k], m - k, n - k})
	}
	return render(ops, n == 0)
}

// align appends the cheapest alignment of w with g; wo and go are their
// offsets in the whole.
func align(ops []op, w []pattern, g []string, wo, gOff int) []op {
	m, n := len(w), len(g)
	if (m+1)*(n+1) > maxDiffCells {
		for i, p := range w {
			ops = append(ops, op{'-', p.text, wo + i, gOff})
		}
		for j, l := range g {
			ops = append(ops, op{'+', l, wo + m, gOff + j})
		}
		return ops
	}
	// dir[i*(n+1)+j] is the first move of a cheapest alignment of w[i:]
	// with g[j:]; costs are kept for two rows only.
	dir := make([]byte, (m+1)*(n+1))
	next := make([]int32, n+1) // row i+1
	cur := make([]int32, n+1)  // row i
	for j := n - 1; j >= 0; j-- {
		next[j] = next[j+1] + gapCost
		dir[m*(n+1)+j] = moveIns
	}
	for i := m - 1; i >= 0; i-- {
		at := i * (n + 1)
		if w[i].text == Ellipsis {
			cur[n], dir[at+n] = next[n], moveEnd
			for j := n - 1; j >= 0; j-- {
				// Ties go to taking output lines: the lines a "..."
				// took are shown as context, often the near miss.
				if cur[j+1] <= next[j] {
					cur[j], dir[at+j] = cur[j+1], moveEat
				} else {
					cur[j], dir[at+j] = next[j], moveEnd
				}
			}
		} else {
			cur[n], dir[at+n] = next[n]+gapCost, moveDel
			for j := n - 1; j >= 0; j-- {
				best, d := int32(math.MaxInt32), byte(0)
				switch {
				case w[i].match(g[j]):
					best, d = next[j+1], moveMatch
				case similar(w[i].text, g[j]):
					best, d = next[j+1]+changeCost, moveChange
				}
				if c := next[j] + gapCost; c < best {
					best, d = c, moveDel
				}
				if c := cur[j+1] + gapCost; c < best {
					best, d = c, moveIns
				}
				cur[j], dir[at+j] = best, d
			}
		}
		cur, next = next, cur
	}
	for i, j := 0, 0; i < m || j < n; {
		wi, gi := wo+i, gOff+j
		switch dir[i*(n+1)+j] {
		case moveEat:
			ops = append(ops, op{'~', g[j], wi, gi})
			j++
		case moveEnd:
			i++
		case moveMatch:
			ops = append(ops, op{' ', g[j], wi, gi})
			i, j = i+1, j+1
		case moveChange:
			ops = append(ops, op{'-', w[i].text, wi, gi}, op{'+', g[j], wi + 1, gi})
			i, j = i+1, j+1
		case moveDel:
			ops = append(ops, op{'-', w[i].text, wi, gi})
			i++
		default:
			ops = append(ops, op{'+', g[j], wi, gi})
			j++
		}
	}
	return ops
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

// render prints the alignment as hunks of changes with three lines of
// context, headed "@@ -W +G @@" (the first expected and output line of the
// hunk, from 1). Runs of more than foldRun added or missing lines show
// their first and last foldKeep lines; the whole is capped at
// MaxDiffLines lines.
func render(ops []op, noOutput bool) string {
	const context, foldRun, foldKeep = 3, 12, 5
	show := make([]bool, len(ops))
	for k, o := range ops {
		if o.kind == '-' || o.kind == '+' {
			for d := max(0, k-context); d <= min(len(ops)-1, k+context); d++ {
				show[d] = true
			}
		}
	}
	var out []string
	emit := func(run []op) {
		for _, o := range run {
			p := "  "
			if o.kind == '-' || o.kind == '+' {
				p = string(o.kind) + " "
			}
			out = append(out, p+visible(o.text))
		}
	}
	for k := 0; k < len(ops); {
		if !show[k] {
			k++
			continue
		}
		e := k
		for e < len(ops) && show[e] {
			e++
		}
		out = append(out, fmt.Sprintf("@@ -%d +%d @@", ops[k].wi+1, ops[k].gi+1))
		for r := k; r < e; {
			s := r
			for r < e && ops[r].kind == ops[s].kind {
				r++
			}
			run := ops[s:r]
			if len(run) <= foldRun || run[0].kind == ' ' || run[0].kind == '~' {
				emit(run)
				continue
			}
			what := "lines of output"
			if run[0].kind == '-' {
				what = "expected lines"
			}
			emit(run[:foldKeep])
			out = append(out, fmt.Sprintf("@@ %d more %s @@", len(run)-2*foldKeep, what))
			emit(run[len(run)-foldKeep:])
		}
		k = e
	}
	if len(out) > MaxDiffLines {
		cut := len(out) - MaxDiffLines
		out = append(out[:MaxDiffLines:MaxDiffLines], fmt.Sprintf("[%d more diff lines not shown]", cut))
	}
	head := "--- expected (the guide)\n+++ output\n"
	if noOutput {
		head = "--- expected (the guide)\n+++ output (none)\n"
	}
	return head + strings.Join(out, "\n") + "\n"
}

// visible writes control characters as Go escapes (\t, \x07), so that a
// tab is told from spaces and nothing in the output acts on the terminal
// that shows the diff.
func visible(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t':
			b.WriteString(`\t`)
		case isControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 }
