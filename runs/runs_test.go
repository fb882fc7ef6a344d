package runs

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
)

var day = time.Date(2026, 12, 7, 7, 48, 44, 0, time.UTC)

func chapter(file string, lab bool, finished time.Time) Chapter {
	return Chapter{
		File: file, Title: "The cluster stack",
		Run:   Run{Finished: finished, Commit: "16b12d8", Lab: lab, Release: "2025.1", Source: "CI"},
		Steps: 10, Passed: 9, Skipped: map[string]int{"run=no": 1}, Duration: "6m12s",
		Figures: []Figure{{Section: "failover-rehearsal", Node: "controller3", Text: "longest gap between commits: 9 s"}},
	}
}

func record(cs ...Chapter) *Record { return &Record{Format: Format, Distro: "debian", Chapters: cs} }

func TestRoundTrip(t *testing.T) {
	r := record(chapter("05-database.md", false, day), chapter("04-cluster-stack.md", true, day), chapter("05-database.md", true, day.Add(time.Hour)))
	data, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse(Marshal(r)): %v\n%s", err, data)
	}
	want := record(chapter("04-cluster-stack.md", true, day), chapter("05-database.md", true, day.Add(time.Hour)), chapter("05-database.md", false, day))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	again, err := got.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(data) {
		t.Errorf("Marshal is not stable:\n%s\n%s", data, again)
	}
}

func TestParseErrors(t *testing.T) {
	valid := `{"format":1,"distro":"debian","chapters":[{"file":"01-intro.md","title":"Intro","run":{"finished":"2026-12-07T07:48:44Z","commit":"16b12d8","lab":true},"steps":2,"passed":1,"skipped":{"run=no":1},"duration":"1m2.5s","figures":[{"section":"s","node":"n","text":"t: 1 s"}]}],"whole":[{"finished":"2026-12-07T07:48:44Z","commit":"16b12d8","lab":true,"source":"CI"}]}`
	if _, err := Parse([]byte(valid)); err != nil {
		t.Fatalf("the valid record: %v", err)
	}
	for _, tc := range []struct{ name, old, new, want string }{
		{"not JSON", valid, "{", "unexpected EOF"},
		{"two values", valid, valid + "{}", "more than one JSON value"},
		{"unknown field", `"format":1`, `"format":1,"secret":"x"`, `unknown field "secret"`},
		{"format", `"format":1`, `"format":2`, "format 2, want 1"},
		{"distro", `"distro":"debian"`, `"distro":"Debian 13"`, "is not a distro id"},
		{"file", `"file":"01-intro.md"`, `"file":"../etc/passwd"`, "is not a chapter's file name"},
		{"markup in title", `"title":"Intro"`, `"title":"a\nb"`, "not printable"},
		{"empty title", `"title":"Intro"`, `"title":""`, "title: empty"},
		{"no time", `"finished":"2026-12-07T07:48:44Z",`, ``, "no finishing time"},
		{"commit", `"commit":"16b12d8"`, `"commit":"main; rm -rf"`, "is not a commit hash"},
		{"release", `"lab":true`, `"lab":true,"release":"<b>"`, "is not a release name"},
		{"long source", `"lab":true`, `"lab":true,"source":"` + strings.Repeat("x", 301) + `"`, "longer than 300 bytes"},
		{"not a pass", `"passed":1`, `"passed":0`, "is not a pass"},
		{"counts disagree", `"steps":2`, `"steps":3`, "1 passed and 1 skipped of 3 steps"},
		{"skip count", `{"run=no":1}`, `{"run=no":0}`, "counts 0 steps"},
		{"figure node", `"node":"n"`, `"node":"<n>"`, "is not a node's name"},
		{"figure section", `"section":"s"`, `"section":"#s"`, "is not a heading's id"},
		{"figure text", `"text":"t: 1 s"`, `"text":" t"`, "leading or trailing space"},
		{"duration", `"duration":"1m2.5s"`, `"duration":"6 minutes"`, `duration "6 minutes" is not a duration`},
		{"negative duration", `"duration":"1m2.5s"`, `"duration":"-1s"`, `duration "-1s" is not a duration`},
		{"whole without time", `"finished":"2026-12-07T07:48:44Z","commit":"16b12d8","lab":true,"source"`, `"commit":"16b12d8","lab":true,"source"`, "a whole-guide pass has no finishing time"},
		{"whole of a modified tree", `"commit":"16b12d8","lab":true,"source"`, `"commit":"16b12d8-modified","lab":true,"source"`, `commit "16b12d8-modified" is not an unmodified commit hash`},
		{"whole without commit", `"commit":"16b12d8","lab":true,"source"`, `"lab":true,"source"`, `commit "" is not an unmodified commit hash`},
		{"whole twice", `"source":"CI"}]`, `"source":"CI"},{"finished":"2026-12-08T07:48:44Z","commit":"16b12d9","lab":true}]`, "two whole-guide passes on the lab"},
		{"whole source", `"source":"CI"}]`, `"source":"C\tI"}]`, "the whole-guide pass: source:"},
		{"twice", `}]}]`, `}]},{"file":"01-intro.md","title":"Intro","run":{"finished":"2026-12-07T07:48:44Z","lab":true},"steps":1,"passed":1}]`, "01-intro.md on the lab is recorded twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := strings.Replace(valid, tc.old, tc.new, 1)
			if in == valid && tc.old != tc.new {
				t.Fatalf("%q is not in the valid record", tc.old)
			}
			_, err := Parse([]byte(in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse: %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestMerge(t *testing.T) {
	old := record(chapter("01-a.md", true, day), chapter("02-b.md", true, day), chapter("03-c.md", true, day.Add(2*time.Hour)))
	add := record(chapter("02-b.md", true, day.Add(time.Hour)), chapter("03-c.md", true, day.Add(time.Hour)), chapter("02-b.md", false, day), chapter("04-d.md", true, day))
	before, err := old.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Merge(old, add)
	if err != nil {
		t.Fatal(err)
	}
	want := record(
		chapter("01-a.md", true, day),                  // not in add: kept
		chapter("02-b.md", true, day.Add(time.Hour)),   // later: replaced
		chapter("02-b.md", false, day),                 // another target: beside it
		chapter("03-c.md", true, day.Add(2*time.Hour)), // old is later: kept
		chapter("04-d.md", true, day),                  // new
	)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Merge (-want +got):\n%s", diff)
	}
	if after, _ := old.Marshal(); string(after) != string(before) {
		t.Errorf("Merge changed old:\n%s", after)
	}
	// The same run again, without the commit and source it was given:
	// they stay; a new source wins.
	again := chapter("01-a.md", true, day)
	again.Run.Commit, again.Run.Source, again.Passed, again.Skipped = "", "", 10, nil
	same, err := Merge(old, record(again))
	if err != nil {
		t.Fatal(err)
	}
	if r := same.Chapters[0]; r.Run.Commit != "16b12d8" || r.Run.Source != "CI" || r.Passed != 10 {
		t.Errorf("the same run again: %+v", r)
	}
	again.Run.Source = "new"
	if same, _ = Merge(old, record(again)); same.Chapters[0].Run.Source != "new" {
		t.Errorf("the same run with a new source: %+v", same.Chapters[0].Run)
	}
	first, err := Merge(nil, add)
	if err != nil || len(first.Chapters) != 4 || first.Distro != "debian" {
		t.Errorf("Merge(nil, add) = %+v, %v", first, err)
	}
	if _, err := Merge(old, &Record{Format: Format, Distro: "ubuntu"}); err == nil {
		t.Error("Merge of an ubuntu run into the debian record: no error")
	}
}

func TestMergeWhole(t *testing.T) {
	whole := func(commit string, lab bool, finished time.Time, source string) Run {
		return Run{Finished: finished, Commit: commit, Lab: lab, Release: "2025.1", Source: source}
	}
	old := record(chapter("01-a.md", true, day))
	old.Whole = []Run{whole("1111111", true, day, "CI"), whole("2222222", false, day.Add(time.Hour), "own")}
	for _, tc := range []struct {
		name string
		add  []Run
		want []Run
	}{
		{"none: kept", nil, old.Whole},
		{"later on the lab: replaced", []Run{whole("3333333", true, day.Add(time.Hour), "CI")},
			[]Run{whole("3333333", true, day.Add(time.Hour), "CI"), old.Whole[1]}},
		{"earlier on own nodes: kept", []Run{whole("3333333", false, day, "own")}, old.Whole},
		{"the same run without a source: keeps it", []Run{whole("1111111", true, day, "")}, old.Whole},
	} {
		t.Run(tc.name, func(t *testing.T) {
			add := record(chapter("02-b.md", true, day))
			add.Whole = tc.add
			got, err := Merge(old, add)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got.Whole); diff != "" {
				t.Errorf("Merge's whole-guide passes (-want +got):\n%s", diff)
			}
		})
	}
	first, err := Merge(nil, &Record{Format: Format, Distro: "debian", Whole: []Run{whole("3333333", false, day, ""), whole("4444444", true, day, "")}})
	if err != nil {
		t.Fatal(err)
	}
	if got := first.WholePass(true); got == nil || got.Commit != "4444444" {
		t.Errorf("WholePass(lab) = %+v", got)
	}
	if got := old.WholePass(false); got == nil || got.Commit != "2222222" {
		t.Errorf("WholePass(own nodes) = %+v", got)
	}
	if got := record().WholePass(true); got != nil {
		t.Errorf("WholePass of a record without = %+v", got)
	}
	if d, ok := (&Chapter{Duration: "6m12s"}).Took(); !ok || d != 6*time.Minute+12*time.Second {
		t.Errorf("Took = %v, %v", d, ok)
	}
	if _, ok := (&Chapter{}).Took(); ok {
		t.Error("Took of a chapter without a duration is known")
	}
}

func TestReadDir(t *testing.T) {
	data, err := record(chapter("01-a.md", true, day)).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadDir(fstest.MapFS{"debian.json": {Data: data}})
	if err != nil {
		t.Fatal(err)
	}
	if got["debian"] == nil || len(got["debian"].For("01-a.md")) != 1 || len(got["debian"].For("02-b.md")) != 0 {
		t.Errorf("ReadDir = %+v", got)
	}
	if (*Record)(nil).For("01-a.md") != nil {
		t.Error("a nil record has entries")
	}
	for name, fsys := range map[string]fstest.MapFS{
		"is in the file of ubuntu": {"ubuntu.json": {Data: data}},
		"not a run record":         {"README.md": {Data: []byte("x")}},
		"ubuntu.json: run record":  {"ubuntu.json": {Data: []byte("[]")}},
	} {
		if _, err := ReadDir(fsys); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("ReadDir: %v, want an error with %q", err, name)
		}
	}
}

// FuzzParse: Parse never panics, and what it accepts writes back to the
// same record.
func FuzzParse(f *testing.F) {
	data, err := record(chapter("01-a.md", true, day), chapter("01-a.md", false, day)).Marshal()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`{"format":1,"distro":"debian","chapters":[]}`))
	f.Add([]byte(`{"format":1,"distro":"debian","chapters":[],"whole":[{"finished":"2026-12-07T07:48:44Z","commit":"16b12d8","lab":true}]}`))
	f.Add([]byte(`{"format":1,"distro":"x","chapters":[{"file":"a.md","title":"\u00e9","run":{"finished":"2026-12-07T07:48:44+01:00"},"steps":1,"passed":1}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse(data)
		if err != nil {
			return
		}
		out, err := r.Marshal()
		if err != nil {
			t.Fatalf("Marshal of a parsed record: %v", err)
		}
		r2, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(Marshal(Parse(data))): %v\n%s", err, out)
		}
		out2, err := r2.Marshal()
		if err != nil || string(out2) != string(out) {
			t.Fatalf("not stable: %v\n%s\n%s", err, out, out2)
		}
	})
}
