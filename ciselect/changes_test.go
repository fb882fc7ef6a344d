package ciselect

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestClassify(t *testing.T) {
	chapters := []string{"01-a.md", "12-data-plane.md"}
	for _, tc := range []struct {
		name      string
		guideDir  string
		paths     []string
		changed   []string
		behaviour []string
	}{
		{"chapters, once each", "guide", []string{"guide/12-data-plane.md", "guide/01-a.md", "guide/12-data-plane.md"}, []string{"12-data-plane.md", "01-a.md"}, nil},
		{"what changes no chapter", "guide", []string{"docs/ci.md", "README.md", "site/site.go", "render/render.go", "guide/figures/x.svg", "guide/index.md",
			"guide/99-other-distro.md", "runner/exec_test.go", "lab/testdata/smoke/SUMMARY.md", "guide/testdata/check/needs.txtar", "docs/runs/debian.json"}, nil, nil},
		{"what changes every chapter", "guide", []string{"runner/exec.go", "cmd/haguide/verify.go", "lab/lab.go", "internal/lines/lines.go", "distros/distros.go",
			"guide/settings.toml", "guide/SUMMARY.md", "guide/load.go", "go.mod", "go.sum", ".ci/run", "scripts/deps.sh"},
			nil, []string{"runner/exec.go", "cmd/haguide/verify.go", "lab/lab.go", "internal/lines/lines.go", "distros/distros.go",
				"guide/settings.toml", "guide/SUMMARY.md", "guide/load.go", "go.mod", "go.sum", ".ci/run", "scripts/deps.sh"}},
		{"not quite", "guide", []string{"scripts/coverage.sh", ".ci/other", "go.work", "guide/sub/x.go", "cmdline/x.go"}, nil, nil},
		{"a guide of its own", "cmd/haguide/testdata/g/", []string{"cmd/haguide/testdata/g/01-a.md", "cmd/haguide/testdata/g/settings.toml",
			"cmd/haguide/testdata/g/notes.go", "guide/12-data-plane.md", "guide/check.go", "runner/plan.go"},
			[]string{"01-a.md"}, []string{"cmd/haguide/testdata/g/settings.toml", "guide/check.go", "runner/plan.go"}},
		{"a guide at the top of its repository", ".", []string{"01-a.md", "settings.toml", "runner/x.go", "notes.md"}, []string{"01-a.md"}, []string{"settings.toml", "runner/x.go"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			changed, behaviour := Classify(tc.paths, tc.guideDir, chapters)
			if diff := cmp.Diff(tc.changed, changed); diff != "" {
				t.Errorf("changed (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.behaviour, behaviour); diff != "" {
				t.Errorf("behaviour (-want +got):\n%s", diff)
			}
		})
	}
}
