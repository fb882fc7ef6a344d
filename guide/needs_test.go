package guide

import (
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func TestNeeds(t *testing.T) {
	chapter := func(title string) *fstest.MapFile { return &fstest.MapFile{Data: []byte("# " + title + "\n\nText.\n")} }
	fsys := fstest.MapFS{
		"settings.toml": {Data: []byte(`release = "2025.1"
distros = ["debian"]
nodes = ["controller1"]

[needs]
"03-c.md" = ["01-a.md"]
"05-e.md" = ["03-c.md"]
"06-f.md" = []
`)},
		"SUMMARY.md": {Data: []byte("# G\n\n[About](index.md)\n\n1. [A](01-a.md)\n2. [B](02-b.md)\n3. [C](03-c.md)\n4. [D](04-d.md)\n5. [E](05-e.md)\n6. [F](06-f.md)\n7. [G](07-g.md)\n")},
		"index.md":   chapter("About"),
		"01-a.md":    chapter("A"),
		"02-b.md":    chapter("B"),
		"03-c.md":    chapter("C"),
		"04-d.md":    chapter("D"),
		"05-e.md":    chapter("E"),
		"06-f.md":    chapter("F"),
		"07-g.md":    chapter("G"),
	}
	g, ds := Check(fsys)
	if ds != nil {
		t.Fatal(ds)
	}
	for _, tc := range []struct {
		file string
		want []string
	}{
		{"01-a.md", []string{}},
		{"02-b.md", []string{"01-a.md"}},
		// Listed: only what it names.
		{"03-c.md", []string{"01-a.md"}},
		// Not listed: every chapter before it, 03-c.md's needs among them.
		{"04-d.md", []string{"01-a.md", "02-b.md", "03-c.md"}},
		// Closed: 03-c.md brings 01-a.md.
		{"05-e.md", []string{"01-a.md", "03-c.md"}},
		{"06-f.md", []string{}},
		{"07-g.md", []string{"01-a.md", "02-b.md", "03-c.md", "04-d.md", "05-e.md", "06-f.md"}},
		// Not chapters.
		{"index.md", nil},
		{"08-h.md", nil},
	} {
		if diff := cmp.Diff(tc.want, g.Needs(tc.file)); diff != "" {
			t.Errorf("Needs(%s) (-want +got):\n%s", tc.file, diff)
		}
	}
}

// The shipped guide: each chapter needs every chapter before it (chapter
// 14 uses chapter 13's measuring loops), except what settings.toml's
// [needs] lists: chapter 15 runs on the cluster of chapters 1-12 and uses
// nothing of 13 and 14.
func TestEmbeddedNeeds(t *testing.T) {
	g, ds := Check(Embedded)
	if ds != nil {
		t.Fatal(ds)
	}
	fewer := map[string]int{"15-replacing-and-recovering.md": 12}
	for i, c := range g.Chapters {
		want, ok := fewer[c.File]
		if !ok {
			want = i
		}
		if got := len(g.Needs(c.File)); got != want {
			t.Errorf("%s needs %d chapters, want %d", c.File, got, want)
		}
	}
}
