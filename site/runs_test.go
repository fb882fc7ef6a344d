package site

import (
	"strings"
	"testing"
	"time"

	"github.com/haguide/haguide/runs"
)

// Without records there is no "last passed" section; with them every
// chapter page has one and the front page none.
func TestLastRunsSection(t *testing.T) {
	without := renderSite(t, testGuide(nil), Options{})
	with := renderSite(t, testGuide(nil), Options{Runs: map[string]*runs.Record{}})
	for _, page := range []string{"index.html", "01-intro.html", "02-cluster.html"} {
		if strings.Contains(string(without.Files[page]), lastRunsID) {
			t.Errorf("%s without records has the last-passed section", page)
		}
		wantSection := page != "index.html"
		if got := strings.Contains(string(with.Files[page]), `<h2 id="`+lastRunsID+`">`); got != wantSection {
			t.Errorf("%s with records: section %v, want %v", page, got, wantSection)
		}
	}
	if n := strings.Count(string(with.Files["01-intro.html"]), "never executed"); n != 3 {
		t.Errorf("01-intro.html with empty records says never executed %d times, want 3 (each distro)", n)
	}
}

func TestPassText(t *testing.T) {
	at := time.Date(2026, 12, 7, 23, 30, 0, 0, time.FixedZone("", -3600))
	for _, tc := range []struct {
		c    runs.Chapter
		want string
	}{
		{runs.Chapter{Run: runs.Run{Finished: at, Lab: true}, Steps: 4, Passed: 4},
			"passed on the lab on 2026-12-08: 4 of 4 steps passed"},
		{runs.Chapter{Run: runs.Run{Finished: at, Commit: "0245d2d12345-modified", Release: "2025.1"}, Steps: 9, Passed: 6, Skipped: map[string]int{"run=no": 1, "lab only": 2}},
			"passed on your own nodes (verify -i) on 2026-12-08, commit 0245d2d12345-modified, OpenStack 2025.1: 6 of 9 steps passed, 3 not run (lab only: 2, run=no: 1)"},
	} {
		if got := passText(tc.c); got != tc.want {
			t.Errorf("passText = %q, want %q", got, tc.want)
		}
	}
}
