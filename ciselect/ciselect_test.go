package ciselect

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var day = time.Date(2026, 12, 7, 20, 53, 5, 0, time.UTC)

// guide is today's guide with its durations from the clean-clone CI run
// of f826a28 (minutes), each chapter needing every chapter before it,
// and a monitoring chapter of 13 minutes that needs chapters 1-12 only.
func guide() []Chapter {
	minutes := []float64{0.5, 0.1, 0.1, 1.4, 2.7, 3.0, 1.5, 0.8, 6.2, 3.3, 3.9, 8.3, 11.7, 8.6, 13}
	var cs []Chapter
	for i, m := range minutes {
		c := Chapter{
			File: fmt.Sprintf("%02d-c.md", i+1), Label: strconv.Itoa(i + 1),
			Estimate: time.Duration(m * float64(time.Minute)), Known: true,
			Last: &Pass{Commit: "f826a288dfbb", Finished: day},
		}
		for j := range i {
			c.Needs = append(c.Needs, fmt.Sprintf("%02d-c.md", j+1))
		}
		cs = append(cs, c)
	}
	cs[14].Needs = []string{"12-c.md"} // closed by Select: 1-12
	cs[14].Known, cs[14].Last = false, nil
	cs[14].Estimate = 0
	return cs
}

func base() *Pass { return &Pass{Commit: "f826a288dfbb", Finished: day} }

// decisions are a selection's decisions, one line each: "label in
// reason" or "label out: reason".
func decisions(s *Selection) []string {
	var out []string
	for _, d := range s.Chapters {
		in := "" // the reason of a chapter left out starts "out:"
		if d.In {
			in = "in "
		}
		out = append(out, d.Label+" "+in+d.Reason)
	}
	return out
}

func repeat(from, to int, format string) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf(format, i))
	}
	return out
}

func TestSelect(t *testing.T) {
	const out = "out: over budget, last passed at f826a288dfbb on 2026-12-07"
	for _, tc := range []struct {
		name     string
		in       func() Input
		only     string
		estimate time.Duration
		over     bool
		want     []string
	}{{
		name: "the whole guide fits",
		in: func() Input {
			cs := guide()
			cs[14].Estimate, cs[14].Known = 13*time.Minute, true
			return Input{Chapters: cs, Budget: 70 * time.Minute, Base: base()}
		},
		only: "all", estimate: 65*time.Minute + 6*time.Second,
		want: repeat(1, 15, "%d in the whole guide fits the budget"),
	}, {
		name: "the monitoring chapter changed: it and 1-12; 13 and 14 do not fit",
		in: func() Input {
			cs := guide()
			cs[14].Last = &Pass{Commit: "0123456789ab", Finished: day.Add(time.Hour)}
			return Input{Chapters: cs, Budget: 46 * time.Minute, Default: 13 * time.Minute, Base: base(), Changed: []string{"15-c.md"}}
		},
		only: "1,2,3,4,5,6,7,8,9,10,11,12,15", estimate: 44*time.Minute + 48*time.Second,
		want: slices.Concat(repeat(1, 12, "%d in needed by 15"), []string{"13 " + out, "14 " + out, "15 in changed since f826a288dfbb"}),
	}, {
		name: "chapter 14 changed: 1-14 are over the budget and run all the same",
		in: func() Input {
			return Input{Chapters: guide(), Budget: 46 * time.Minute, Default: 13 * time.Minute, Base: base(), Changed: []string{"14-c.md"}}
		},
		only: "1,2,3,4,5,6,7,8,9,10,11,12,13,14", estimate: 52*time.Minute + 6*time.Second, over: true,
		want: slices.Concat(repeat(1, 13, "%d in needed by 14"), []string{"14 in changed since f826a288dfbb", "15 out: over budget, never passed"}),
	}, {
		name: "nothing changed: the stalest that fit, never passed first",
		in: func() Input {
			cs := guide()
			cs[12].Last.Finished = day.Add(-time.Hour) // 13 is staler than 14 but does not fit
			return Input{Chapters: cs, Budget: 46 * time.Minute, Default: 13 * time.Minute, Base: base()}
		},
		only: "1,2,3,4,5,6,7,8,9,10,11,12,15", estimate: 44*time.Minute + 48*time.Second,
		want: slices.Concat(repeat(1, 12, "%d in needed by 15 (stale)"), []string{
			"13 out: over budget, last passed at f826a288dfbb on 2026-12-07", "14 " + out, "15 in stale: never passed"}),
	}, {
		name: "the runner changed: every chapter, over the budget",
		in: func() Input {
			return Input{Chapters: guide(), Budget: 46 * time.Minute, Base: base(), Changed: []string{"15-c.md"}, Everything: "runner/exec.go changed"}
		},
		// 15's estimate is the largest known, 13's 11m42s.
		only: "all", estimate: 52*time.Minute + 6*time.Second + 11*time.Minute + 42*time.Second, over: true,
		want: slices.Concat(repeat(1, 15, "%d in changed: every chapter counts as changed")),
	}, {
		name: "a budget that nothing fits: nothing",
		in: func() Input {
			return Input{Chapters: guide(), Budget: time.Second, Base: base()}
		},
		only: "none",
		want: slices.Concat(repeat(1, 14, "%d "+out), []string{"15 out: over budget, never passed"}),
	}} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Select(tc.in())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, decisions(s)); diff != "" {
				t.Errorf("decisions (-want +got):\n%s", diff)
			}
			if got := s.Only(); got != tc.only {
				t.Errorf("Only() = %s, want %s", got, tc.only)
			}
			if s.Estimate != tc.estimate || s.OverBudget != tc.over {
				t.Errorf("estimate %v, over budget %v; want %v, %v", s.Estimate, s.OverBudget, tc.estimate, tc.over)
			}
		})
	}
}

// A small guide where the order of staleness and the needs interact: a
// chapter that did not fit alone fits once a later one brought its needs.
func TestSelectRoundsRepeat(t *testing.T) {
	m := time.Minute
	cs := []Chapter{
		{File: "a.md", Estimate: 10 * m, Known: true, Last: &Pass{Finished: day.Add(2 * time.Hour)}},
		{File: "b.md", Estimate: 2 * m, Known: true, Needs: []string{"a.md"}, Last: &Pass{Finished: day}},
		{File: "c.md", Estimate: 3 * m, Known: true, Needs: []string{"a.md"}, Last: &Pass{Finished: day.Add(time.Hour)}},
		{File: "d.md", Estimate: 30 * m, Known: true, Last: &Pass{Finished: day.Add(3 * time.Hour)}},
	}
	s, err := Select(Input{Chapters: cs, Budget: 15 * m, Changed: []string{"c.md"}, Base: &Pass{Commit: "abcdef0", Finished: day}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"a.md in needed by c.md",
		"b.md in stale: last passed on 2026-12-07",
		"c.md in changed since abcdef0",
		"d.md out: over budget, last passed on 2026-12-07",
	}
	if diff := cmp.Diff(want, decisions(s)); diff != "" {
		t.Errorf("decisions (-want +got):\n%s", diff)
	}
	var b strings.Builder
	if err := s.Write(&b); err != nil {
		t.Fatal(err)
	}
	wantText := `budget 15m0s; the whole guide: 45m0s estimated, over the budget
selected: 3 of 4 chapters, 15m0s estimated
run  chapter  estimate  why
yes  a.md     10m0s     needed by c.md
yes  b.md     2m0s      stale: last passed on 2026-12-07
yes  c.md     3m0s      changed since abcdef0
no   d.md     30m0s     out: over budget, last passed on 2026-12-07
`
	if diff := cmp.Diff(wantText, b.String()); diff != "" {
		t.Errorf("Write (-want +got):\n%s", diff)
	}
}

func TestSelectErrors(t *testing.T) {
	ok := []Chapter{{File: "a.md"}, {File: "b.md", Needs: []string{"a.md"}}}
	for _, tc := range []struct {
		name string
		in   Input
		want string
	}{
		{"no budget", Input{Chapters: ok}, "the budget must be more than 0, not 0s"},
		{"twice", Input{Chapters: []Chapter{{File: "a.md"}, {File: "a.md"}}, Budget: time.Minute}, "a.md is listed twice"},
		{"no file", Input{Chapters: []Chapter{{Label: "1"}}, Budget: time.Minute}, "chapter 1 has no file"},
		{"unknown need", Input{Chapters: []Chapter{{File: "a.md", Needs: []string{"z.md"}}}, Budget: time.Minute}, "a.md needs z.md, which is not one of the chapters"},
		{"unknown change", Input{Chapters: ok, Budget: time.Minute, Changed: []string{"z.md"}}, "changed chapter z.md is not one of the chapters"},
	} {
		if _, err := Select(tc.in); err == nil || err.Error() != tc.want {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// The default estimate: the given one, else the largest known, else the
// fallback; the table marks it.
func TestDefaultEstimate(t *testing.T) {
	known := Chapter{File: "a.md", Estimate: 7 * time.Minute, Known: true}
	unknown := Chapter{File: "b.md"}
	for _, tc := range []struct {
		in   Input
		want time.Duration
	}{
		{Input{Chapters: []Chapter{known, unknown}}, 7 * time.Minute},
		{Input{Chapters: []Chapter{known, unknown}, Default: time.Minute}, time.Minute},
		{Input{Chapters: []Chapter{unknown}}, FallbackEstimate},
	} {
		tc.in.Budget = time.Hour
		s, err := Select(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if d := s.Chapters[len(s.Chapters)-1]; d.Estimate != tc.want || !d.Guessed {
			t.Errorf("%+v: the unknown chapter's estimate %v (guessed %v), want %v", tc.in, d.Estimate, d.Guessed, tc.want)
		}
	}
}

// Properties over random guides.
func TestSelectProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(34, 6))
	for iter := range 3000 {
		in := randomInput(r)
		s, err := Select(in)
		if err != nil {
			t.Fatalf("%d: %v", iter, err)
		}
		fail := func(format string, a ...any) {
			t.Helper()
			t.Fatalf("%d: %s\ninput %+v\ndecisions %q", iter, fmt.Sprintf(format, a...), in, decisions(s))
		}
		in_ := map[string]bool{}
		var sum, whole time.Duration
		for _, d := range s.Chapters {
			in_[d.File] = d.In
			whole += d.Estimate
			if d.In {
				sum += d.Estimate
			}
			if d.Reason == "" {
				fail("%s has no reason", d.File)
			}
			if d.In == strings.HasPrefix(d.Reason, "out:") {
				fail("%s: in %v, reason %q", d.File, d.In, d.Reason)
			}
		}
		if len(s.Chapters) != len(in.Chapters) {
			fail("%d decisions for %d chapters", len(s.Chapters), len(in.Chapters))
		}
		// Closed under needs, transitively: a needed chapter's needs are
		// checked as a chapter of their own.
		for _, c := range in.Chapters {
			for _, n := range c.Needs {
				if in_[c.File] && !in_[n] {
					fail("%s is in but %s, which it needs, is not", c.File, n)
				}
			}
		}
		// Every changed chapter; every chapter when everything changed.
		for _, f := range in.Changed {
			if !in_[f] {
				fail("changed %s is out", f)
			}
		}
		all := true
		for _, c := range in.Chapters {
			all = all && in_[c.File]
			if in.Everything != "" && !in_[c.File] {
				fail("everything changed, yet %s is out", c.File)
			}
		}
		// Everything when everything fits.
		if whole != s.Whole {
			fail("whole estimate %v, want %v", s.Whole, whole)
		}
		if s.Whole <= in.Budget && !all {
			fail("the whole guide fits (%v of %v), yet not every chapter is in", s.Whole, in.Budget)
		}
		if sum != s.Estimate {
			fail("estimate %v, the chapters in sum to %v", s.Estimate, sum)
		}
		// Within the budget unless the mandatory chapters are not, and
		// then nothing but them.
		if !s.OverBudget && s.Estimate > in.Budget {
			fail("estimate %v over the budget %v", s.Estimate, in.Budget)
		}
		if s.OverBudget && s.Estimate != s.Mandatory {
			fail("over budget, yet %v run beyond the mandatory %v", s.Estimate, s.Mandatory)
		}
		// No chapter left out could have been added.
		if !s.OverBudget {
			for i, c := range in.Chapters {
				if in_[c.File] {
					continue
				}
				more := s.Chapters[i].Estimate
				for _, n := range closure(in.Chapters, c.File) {
					if !in_[n] {
						more += s.Chapters[index(in.Chapters, n)].Estimate
					}
				}
				if s.Estimate+more <= in.Budget {
					fail("%s is out though it fits (%v + %v <= %v)", c.File, s.Estimate, more, in.Budget)
				}
			}
		}
		// Only lists exactly the chapters in, or says all or none.
		var labels []string
		for _, d := range s.Chapters {
			if d.In {
				labels = append(labels, d.Label)
			}
		}
		want := strings.Join(labels, ",")
		switch {
		case all:
			want = "all"
		case len(labels) == 0:
			want = "none"
		}
		if got := s.Only(); got != want || s.All != all {
			fail("Only() = %q (All %v), want %q", got, s.All, want)
		}
	}
}

func randomInput(r *rand.Rand) Input {
	n := r.IntN(9)
	var in Input
	for i := range n {
		c := Chapter{File: fmt.Sprintf("%02d.md", i+1), Label: strconv.Itoa(i + 1)}
		if r.IntN(3) == 0 {
			for j := range i { // every chapter before it
				c.Needs = append(c.Needs, fmt.Sprintf("%02d.md", j+1))
			}
		} else {
			for j := range i {
				if r.IntN(3) == 0 {
					c.Needs = append(c.Needs, fmt.Sprintf("%02d.md", j+1))
				}
			}
		}
		if r.IntN(5) > 0 {
			c.Estimate, c.Known = time.Duration(r.IntN(15)+1)*time.Minute, true
		}
		if r.IntN(5) > 0 {
			c.Last = &Pass{Commit: "abc1234", Finished: day.Add(time.Duration(r.IntN(5)) * time.Hour)}
		}
		if r.IntN(4) == 0 {
			in.Changed = append(in.Changed, c.File)
		}
		in.Chapters = append(in.Chapters, c)
	}
	in.Budget = time.Duration(r.IntN(60)+1) * time.Minute
	if r.IntN(10) == 0 {
		in.Everything = "something changed"
	}
	if r.IntN(3) == 0 {
		in.Default = time.Duration(r.IntN(10)+1) * time.Minute
	}
	return in
}

// closure is what a chapter needs, closed, the slow way.
func closure(cs []Chapter, file string) []string {
	seen := map[string]bool{}
	var visit func(f string)
	visit = func(f string) {
		for _, n := range cs[index(cs, f)].Needs {
			if !seen[n] {
				seen[n] = true
				visit(n)
			}
		}
	}
	visit(file)
	var out []string
	for f := range seen {
		out = append(out, f)
	}
	return out
}

func index(cs []Chapter, file string) int {
	return slices.IndexFunc(cs, func(c Chapter) bool { return c.File == file })
}
