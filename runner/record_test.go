package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/haguide/haguide/runs"
)

func TestReportRecord(t *testing.T) {
	finished := time.Date(2026, 12, 7, 7, 48, 44, 0, time.UTC)
	step := func(chapter, section, status, log string) *StepResult {
		s := &StepResult{ID: chapter + "/" + section, Chapter: chapter, ChapterTitle: strings.ToUpper(chapter), Section: section, Status: status}
		if status == StatusSkipped {
			s.Reason = "run=no"
		}
		if log != "" {
			s.NodeResults = []*NodeResult{{Node: "controller3", Status: status, Log: log}}
		}
		return s
	}
	timed := func(s *StepResult, d string) *StepResult { s.Duration = d; return s }
	rep := &Report{Distro: "debian", Release: "2025.1", Commit: "16b12d8abcde", Lab: true, Finished: finished, Steps: []*StepResult{
		timed(step("01-a.md", "intro", StatusPassed, ""), "1m30.4s"),
		step("01-a.md", "intro", StatusSkipped, ""),
		timed(step("01-a.md", "rehearsal", StatusPassed, "ci-runs/debian/logs/003-01-a_rehearsal_3/controller3.log"), "45.3s"),
		step("01-a.md", "rehearsal", StatusStarted, "/elsewhere/logs/004-01-a_rehearsal_4/controller3.log"), // no such log
		step("02-b.md", "x", StatusPassed, ""),
		step("02-b.md", "x", StatusFailed, ""), // not a pass: left out
		step("03-c.md", "x", StatusPassed, ""),
		step("03-c.md", "x", StatusNotRun, ""), // not a pass: left out
	}}
	rep.tally()
	logs := fstest.MapFS{"003-01-a_rehearsal_3/controller3.log": {Data: []byte(strings.Join([]string{
		"$ ./probe",
		"longest gap between commits: 9 s",
		"committed: 46, failed attempts: 2, lost: 0",
		"longest gap \x1b[31m", // not printable: not a figure
		"  rounds ok: 64 failed: 1  ",
		"state transfer: writer UP, 0 failed checks, 0 falls",
		"session in other's memcached: kept; first request 0.05 s",
		"restore drill: backup 9.1 s, prepare 2.0 s, rejoin 14.2 s (IST)",
		"restore drill",               // a figure's prefix ends with its colon and a blank
		"sessions in use",             // not a figure's start
		"the password is longest gap", // a figure only at the start
	}, "\n"))}}
	got, err := rep.Record(logs, "a test")
	if err != nil {
		t.Fatal(err)
	}
	run := runs.Run{Finished: finished, Commit: "16b12d8abcde", Lab: true, Release: "2025.1", Source: "a test"}
	want := &runs.Record{Format: runs.Format, Distro: "debian", Chapters: []runs.Chapter{{
		File: "01-a.md", Title: "01-A.MD", Run: run, Steps: 4, Passed: 3, Skipped: map[string]int{"run=no": 1}, Duration: "2m16s",
		Figures: []runs.Figure{
			{Section: "rehearsal", Node: "controller3", Text: "longest gap between commits: 9 s"},
			{Section: "rehearsal", Node: "controller3", Text: "committed: 46, failed attempts: 2, lost: 0"},
			{Section: "rehearsal", Node: "controller3", Text: "rounds ok: 64 failed: 1"},
			{Section: "rehearsal", Node: "controller3", Text: "state transfer: writer UP, 0 failed checks, 0 falls"},
			{Section: "rehearsal", Node: "controller3", Text: "session in other's memcached: kept; first request 0.05 s"},
			{Section: "rehearsal", Node: "controller3", Text: "restore drill: backup 9.1 s, prepare 2.0 s, rejoin 14.2 s (IST)"},
		},
	}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Record (-want +got):\n%s", diff)
	}
	noFigures, err := rep.Record(nil, "")
	if err != nil || len(noFigures.Chapters) != 1 || noFigures.Chapters[0].Figures != nil {
		t.Errorf("Record without logs = %+v, %v", noFigures, err)
	}
}

// A run that covered the whole guide and passed every chapter of it, at a
// known and unmodified commit, is the whole guide's last pass.
func TestReportRecordWhole(t *testing.T) {
	finished := time.Date(2026, 12, 7, 7, 48, 44, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		whole  bool
		commit string
		last   string // the last chapter's last step's status
		want   bool
	}{
		{"whole and passed", true, "16b12d8abcde", StatusPassed, true},
		{"a part of the guide", false, "16b12d8abcde", StatusPassed, false},
		{"a chapter failed", true, "16b12d8abcde", StatusFailed, false},
		{"a chapter not run", true, "16b12d8abcde", StatusNotRun, false},
		{"a modified tree", true, "16b12d8abcde-modified", StatusPassed, false},
		{"no commit", true, "", StatusPassed, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := &Report{Distro: "debian", Release: "2025.1", Commit: tc.commit, Lab: true, Whole: tc.whole, Finished: finished, Steps: []*StepResult{
				{ID: "01-a/x/1", Chapter: "01-a.md", ChapterTitle: "A", Status: StatusPassed, Duration: "2s"},
				{ID: "02-b/x/1", Chapter: "02-b.md", ChapterTitle: "B", Status: StatusPassed},
				{ID: "02-b/x/2", Chapter: "02-b.md", ChapterTitle: "B", Status: tc.last},
			}}
			rep.tally()
			got, err := rep.Record(nil, "")
			if err != nil {
				t.Fatal(err)
			}
			var want []runs.Run
			if tc.want {
				want = []runs.Run{{Finished: finished, Commit: tc.commit, Lab: true, Release: "2025.1"}}
			}
			if diff := cmp.Diff(want, got.Whole); diff != "" {
				t.Errorf("Record's whole-guide pass (-want +got):\n%s", diff)
			}
			// Durations: the sum of the chapter's steps'; none when
			// no step says.
			if d := got.Chapters[0].Duration; d != "2s" {
				t.Errorf("01-a.md's duration = %q, want 2s", d)
			}
			if len(got.Chapters) > 1 && got.Chapters[1].Duration != "" {
				t.Errorf("02-b.md's duration = %q, want none", got.Chapters[1].Duration)
			}
		})
	}
}

func TestReportFigures(t *testing.T) {
	step := func(id, status, log string) *StepResult {
		return &StepResult{ID: id, Chapter: strings.Split(id, "/")[0] + ".md", Section: "r", Status: status,
			NodeResults: []*NodeResult{{Node: "controller1", Status: status, Log: log}}}
	}
	rep := &Report{Distro: "debian", Finished: time.Now(), Steps: []*StepResult{
		step("01-a/r/1", StatusPassed, "run/logs/001-01-a_r_1/controller1.log"),
		step("02-b/r/1", StatusFailed, "run/logs/002-02-b_r_1/controller1.log"), // its chapter failed: still shown
		step("02-b/r/2", StatusNotRun, ""),
	}}
	logs := fstest.MapFS{
		"001-01-a_r_1/controller1.log": {Data: []byte("ok\nlongest gap without service: 3 s\n")},
		"002-02-b_r_1/controller1.log": {Data: []byte("committed writes: 4, lost: 1\nnot a figure\n")},
	}
	got, err := rep.Figures(logs)
	if err != nil {
		t.Fatal(err)
	}
	want := []StepFigure{
		{Step: "01-a/r/1", Figure: runs.Figure{Section: "r", Node: "controller1", Text: "longest gap without service: 3 s"}},
		{Step: "02-b/r/1", Figure: runs.Figure{Section: "r", Node: "controller1", Text: "committed writes: 4, lost: 1"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Figures (-want +got):\n%s", diff)
	}
	if none, err := rep.Figures(nil); none != nil || err != nil {
		t.Errorf("Figures(nil) = %v, %v; want nothing", none, err)
	}
}

func TestReadReport(t *testing.T) {
	dir := t.TempDir()
	rep := &Report{Distro: "debian", Commit: "16b12d8", Finished: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), Duration: "1s"}
	if err := rep.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	got, err := ReadReport(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rep, got); diff != "" {
		t.Errorf("ReadReport (-want +got):\n%s", diff)
	}
	bad := filepath.Join(dir, "bad.json")
	for content, want := range map[string]string{"{": "unexpected end", `{"distro":"debian"}`: "not the report of a finished run"} {
		if err := os.WriteFile(bad, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadReport(bad); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadReport(%q): %v, want %q", content, err, want)
		}
	}
}
