package runner

import (
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/haguide/haguide/guide"
)

// Plan.Whole is true only when every page with steps for the distro is in
// the plan and no step comes before --from.
func TestPlanWhole(t *testing.T) {
	step := "# %s\n\n## S\n\n```console {nodes=first}\n# true\n```\n"
	page := func(title string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte(fmt.Sprintf(step, title))}
	}
	g, err := guide.Load(fstest.MapFS{
		"settings.toml": {Data: []byte("release = \"2025.1\"\ndistros = [\"debian\", \"rhel\"]\nnodes = [\"controller1\"]\n[distro_scope]\nrhel = [\"01-a.md\"]\n")},
		"SUMMARY.md":    {Data: []byte("# G\n\n[About](index.md)\n\n1. [A](01-a.md)\n2. [B](02-b.md)\n")},
		"index.md":      {Data: []byte("# About\n\nNo steps.\n")},
		"01-a.md":       page("A"),
		"02-b.md":       page("B"),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		distro string
		opts   PlanOptions
		want   bool
	}{
		{"debian", PlanOptions{}, true},
		{"debian", PlanOptions{Only: []string{"1", "2"}}, true},
		{"debian", PlanOptions{Only: []string{"2"}}, false},
		{"debian", PlanOptions{From: "02-b/s/1"}, false},
		// rhel covers chapter 1 only: that is its whole guide.
		{"rhel", PlanOptions{Only: []string{"01-a"}}, true},
	} {
		p, err := NewPlan(g, tc.distro, tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		if p.Whole != tc.want {
			t.Errorf("%s %+v: Whole = %v, want %v", tc.distro, tc.opts, p.Whole, tc.want)
		}
	}
}
