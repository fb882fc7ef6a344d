package ciselect

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// FallbackEstimate is the estimate of a chapter when no chapter has a
// known one and Input.Default is not given.
const FallbackEstimate = 10 * time.Minute

// Chapter is one chapter of the guide, as the selection sees it.
type Chapter struct {
	// File is the chapter's file, "12-data-plane.md".
	File string
	// Label is how verify --only names it: its number, "12".
	Label string
	// Needs are the files of the chapters it needs (Select closes them
	// transitively).
	Needs []string
	// Estimate is how long the chapter took when it last passed; it
	// counts only when Known.
	Estimate time.Duration
	Known    bool
	// Last is the chapter's last pass; nil when it never passed.
	Last *Pass
}

// Pass is a run in which a chapter, or the whole guide, passed.
type Pass struct {
	// Commit is the guide's commit; empty when the run did not know it.
	Commit   string
	Finished time.Time
}

// Input is what Select chooses from.
type Input struct {
	// Chapters are in guide order.
	Chapters []Chapter
	// Budget is the time the selection's estimate should stay within.
	Budget time.Duration
	// Default is the estimate of a chapter with none known; 0 for the
	// largest known estimate.
	Default time.Duration
	// Base is the last pass of the whole guide; nil when there is none.
	Base *Pass
	// Changed are the files of the chapters that changed since Base.
	Changed []string
	// Everything, when set, says why every chapter counts as changed.
	Everything string
}

// Decision is whether one chapter runs, and why.
type Decision struct {
	File  string
	Label string
	In    bool
	// Estimate is the chapter's estimate; Guessed when it is the
	// default one.
	Estimate time.Duration
	Guessed  bool
	Reason   string
}

// Selection is what Select chose.
type Selection struct {
	// All is true when every chapter runs.
	All bool
	// Chapters are every chapter, in guide order.
	Chapters []Decision
	// Budget is the input's; Estimate is the estimate of the chapters
	// that run, Whole that of the whole guide and Mandatory that of the
	// mandatory chapters.
	Budget, Estimate, Whole, Mandatory time.Duration
	// OverBudget is true when the mandatory chapters alone exceed the
	// budget and run all the same.
	OverBudget bool
	// Default is the estimate given to chapters with none known.
	Default time.Duration
}

// Select applies the rule of the package's documentation.
func Select(in Input) (*Selection, error) {
	if in.Budget <= 0 {
		return nil, fmt.Errorf("the budget must be more than 0, not %v", in.Budget)
	}
	at := map[string]int{}
	for i, c := range in.Chapters {
		if c.File == "" {
			return nil, fmt.Errorf("chapter %d has no file", i+1)
		}
		if _, dup := at[c.File]; dup {
			return nil, fmt.Errorf("%s is listed twice", c.File)
		}
		at[c.File] = i
	}
	for _, c := range in.Chapters {
		for _, n := range c.Needs {
			if _, ok := at[n]; !ok {
				return nil, fmt.Errorf("%s needs %s, which is not one of the chapters", c.File, n)
			}
		}
	}
	changed := make([]bool, len(in.Chapters))
	for _, f := range in.Changed {
		i, ok := at[f]
		if !ok {
			return nil, fmt.Errorf("changed chapter %s is not one of the chapters", f)
		}
		changed[i] = true
	}
	if in.Everything != "" {
		for i := range changed {
			changed[i] = true
		}
	}

	s := &Selection{Budget: in.Budget, Default: defaultEstimate(in)}
	est := make([]time.Duration, len(in.Chapters))
	for i, c := range in.Chapters {
		d := Decision{File: c.File, Label: cmp.Or(c.Label, c.File), Estimate: c.Estimate}
		if !c.Known {
			d.Estimate, d.Guessed = s.Default, true
		}
		est[i] = d.Estimate
		s.Whole += d.Estimate
		s.Chapters = append(s.Chapters, d)
	}
	closure := closures(in.Chapters, at)

	if s.Whole <= in.Budget {
		for i := range s.Chapters {
			s.Chapters[i].In, s.Chapters[i].Reason = true, "the whole guide fits the budget"
		}
		s.All, s.Estimate, s.Mandatory = true, s.Whole, s.Whole
		return s, nil
	}

	sel := make([]bool, len(in.Chapters))
	neededBy := make([][]string, len(in.Chapters))
	since := "since the last whole-guide pass"
	if in.Base != nil && in.Base.Commit != "" {
		since = "since " + in.Base.Commit
	}
	for i := range in.Chapters {
		if !changed[i] {
			continue
		}
		sel[i] = true
		if in.Everything != "" {
			s.Chapters[i].Reason = "changed: every chapter counts as changed"
		} else {
			s.Chapters[i].Reason = "changed " + since
		}
		for _, n := range closure[i] {
			sel[n] = true
			neededBy[n] = append(neededBy[n], s.Chapters[i].Label)
		}
	}
	for i := range in.Chapters {
		if sel[i] {
			s.Mandatory += est[i]
			if s.Chapters[i].Reason == "" {
				s.Chapters[i].Reason = "needed by " + strings.Join(neededBy[i], ", ")
			}
		}
	}
	total := s.Mandatory
	s.OverBudget = total > in.Budget

	// The rest, stalest first, while they fit.
	order := make([]int, len(in.Chapters))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		la, lb := in.Chapters[a].Last, in.Chapters[b].Last
		switch {
		case la == nil && lb == nil:
			return 0
		case la == nil:
			return -1
		case lb == nil:
			return 1
		}
		return la.Finished.Compare(lb.Finished)
	})
	for added := !s.OverBudget; added; {
		added = false
		for _, i := range order {
			if sel[i] {
				continue
			}
			var more time.Duration
			for _, n := range append(slices.Clone(closure[i]), i) {
				if !sel[n] {
					more += est[n]
				}
			}
			if total+more > in.Budget {
				continue
			}
			total += more
			added = true
			sel[i] = true
			s.Chapters[i].Reason = "stale: " + lastPassed(in.Chapters[i].Last)
			for _, n := range closure[i] {
				if !sel[n] {
					sel[n] = true
					s.Chapters[n].Reason = "needed by " + s.Chapters[i].Label + " (stale)"
				}
			}
		}
	}

	s.All = true
	for i := range s.Chapters {
		d := &s.Chapters[i]
		d.In = sel[i]
		if d.In {
			s.Estimate += d.Estimate
			continue
		}
		s.All = false
		d.Reason = "out: over budget, " + lastPassed(in.Chapters[i].Last)
	}
	return s, nil
}

// defaultEstimate is the estimate of a chapter with none known.
func defaultEstimate(in Input) time.Duration {
	if in.Default > 0 {
		return in.Default
	}
	var largest time.Duration
	known := false
	for _, c := range in.Chapters {
		if c.Known {
			largest, known = max(largest, c.Estimate), true
		}
	}
	if !known {
		return FallbackEstimate
	}
	return largest
}

// closures returns, per chapter, the indexes of every chapter it needs,
// closed transitively, in guide order; never the chapter itself.
func closures(cs []Chapter, at map[string]int) [][]int {
	out := make([][]int, len(cs))
	for i := range cs {
		seen := map[int]bool{i: true}
		stack := []int{i}
		for len(stack) > 0 {
			j := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, n := range cs[j].Needs {
				if k := at[n]; !seen[k] {
					seen[k] = true
					stack = append(stack, k)
				}
			}
		}
		for k := range cs {
			if seen[k] && k != i {
				out[i] = append(out[i], k)
			}
		}
	}
	return out
}

// lastPassed says when a chapter last passed.
func lastPassed(p *Pass) string {
	switch {
	case p == nil:
		return "never passed"
	case p.Commit == "":
		return "last passed on " + p.Finished.UTC().Format(time.DateOnly)
	}
	return "last passed at " + p.Commit + " on " + p.Finished.UTC().Format(time.DateOnly)
}

// Only is the selection as verify --only takes it: the labels of the
// chapters that run, comma-separated; "all" when every chapter runs,
// "none" when none does (nothing changed and no chapter fits).
func (s *Selection) Only() string {
	if s.All {
		return "all"
	}
	var out []string
	for _, d := range s.Chapters {
		if d.In {
			out = append(out, d.Label)
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ",")
}

// Write prints the selection for people: a summary, then a line per
// chapter with its estimate and why it is in or out.
func (s *Selection) Write(w io.Writer) error {
	n := 0
	for _, d := range s.Chapters {
		if d.In {
			n++
		}
	}
	var b strings.Builder
	fits := "over the budget"
	if s.Whole <= s.Budget {
		fits = "within the budget"
	}
	fmt.Fprintf(&b, "budget %v; the whole guide: %v estimated, %s\n", s.Budget, s.Whole, fits)
	fmt.Fprintf(&b, "selected: %d of %d chapters, %v estimated", n, len(s.Chapters), s.Estimate)
	if s.OverBudget {
		fmt.Fprintf(&b, "; the mandatory chapters alone (%v) exceed the budget: they run all the same", s.Mandatory)
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "run\tchapter\testimate\twhy")
	guessed := false
	for _, d := range s.Chapters {
		run, mark := "no", ""
		if d.In {
			run = "yes"
		}
		if d.Guessed {
			mark, guessed = " *", true
		}
		fmt.Fprintf(tw, "%s\t%s\t%v%s\t%s\n", run, d.File, d.Estimate, mark, d.Reason)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if guessed {
		fmt.Fprintf(&b, "* no duration on record: the default estimate, %v\n", s.Default)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
