package site

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/haguide/haguide/runs"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// assetVersion is the content hash in asset links, which changes with
// every edit of an asset; goldens hold a stand-in.
var assetVersion = regexp.MustCompile(`\?v=[0-9a-f]{8}`)

// TestGolden compares the whole output for the small test guide with
// testdata/golden (go test ./site/ -run Golden -update rewrites them).
func TestGolden(t *testing.T) {
	s := renderSite(t, testGuide(nil), Options{Version: "v1.2.3", Runs: goldenRuns()})
	for _, name := range []string{"index.html", "01-intro.html", "02-cluster.html", "print.html", "404.html", "sitemap.xml"} {
		t.Run(name, func(t *testing.T) {
			got := assetVersion.ReplaceAllString(string(s.Files[name]), "?v=HASH")
			file := filepath.Join("testdata", "golden", name)
			if *update {
				must(t, os.MkdirAll(filepath.Dir(file), 0o755))
				must(t, os.WriteFile(file, []byte(got), 0o644))
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(got, "\n")); diff != "" {
				t.Errorf("%s differs from its golden file (-want +got); -update rewrites it:\n%s", name, diff)
			}
		})
	}
}

// goldenRuns are the run records of the golden site: Debian passed
// chapter 1 on the lab (with a rehearsal's figures, one in a section the
// page does not have) and on own nodes; Ubuntu has a record without
// chapter 2; RHEL has none.
func goldenRuns() map[string]*runs.Record {
	at := time.Date(2026, 12, 7, 7, 48, 44, 0, time.UTC)
	run := runs.Run{Finished: at, Commit: "16b12d8abcde", Lab: true, Release: "2025.1", Source: "CI run <b>1</b>"}
	own := run
	own.Lab, own.Source, own.Commit, own.Finished = false, "", "", at.Add(-time.Hour)
	intro := runs.Chapter{File: "01-intro.md", Title: "Intro", Run: run, Steps: 3, Passed: 2, Skipped: map[string]int{"run=no": 1},
		Figures: []runs.Figure{
			{Section: "install", Node: "controller1", Text: "longest gap without service: 6.3 s"},
			{Section: "install", Node: "controller1", Text: "rounds ok: 64 failed: 1"},
			{Section: "gone", Node: "controller2", Text: "committed writes: 50, lost: 0"},
		}}
	ownIntro := intro
	ownIntro.Run, ownIntro.Figures = own, nil
	return map[string]*runs.Record{
		"debian": {Format: runs.Format, Distro: "debian", Chapters: []runs.Chapter{ownIntro, intro}},
		"ubuntu": {Format: runs.Format, Distro: "ubuntu", Chapters: []runs.Chapter{{File: "01-intro.md", Title: "Intro", Run: run, Steps: 1, Passed: 1}}},
	}
}
