package guide

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"
)

var update = flag.Bool("update", false, "rewrite golden files")

// loadCase builds a guide file system from testdata/check/base.txtar with
// the case's own files laid over it, and returns the case's "want" text.
func loadCase(t *testing.T, name string) (fstest.MapFS, *txtar.Archive) {
	t.Helper()
	base, err := txtar.ParseFile(filepath.Join("testdata", "check", "base.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	ar, err := txtar.ParseFile(name)
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for _, f := range base.Files {
		fsys[f.Name] = &fstest.MapFile{Data: f.Data}
	}
	for _, f := range ar.Files {
		if f.Name != "want" {
			fsys[f.Name] = &fstest.MapFile{Data: f.Data}
		}
	}
	return fsys, ar
}

func TestCheckGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "check", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		if name == "base" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			fsys, ar := loadCase(t, file)
			_, ds := Check(fsys)
			var got strings.Builder
			for _, d := range ds {
				got.WriteString(d.String() + "\n")
			}
			wantIdx := -1
			for i, f := range ar.Files {
				if f.Name == "want" {
					wantIdx = i
				}
			}
			if wantIdx < 0 {
				t.Fatalf("%s has no want section", file)
			}
			if *update {
				ar.Files[wantIdx].Data = []byte(got.String())
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if diff := cmp.Diff(string(ar.Files[wantIdx].Data), got.String()); diff != "" {
				t.Errorf("check diagnostics differ (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEmbeddedGuide is the guide shipped in the binary: it must pass check.
func TestEmbeddedGuide(t *testing.T) {
	g, ds := Check(Embedded)
	if len(ds) > 0 {
		t.Fatalf("the embedded guide has problems:\n%s", ds.Error())
	}
	if len(g.Chapters) != 15 {
		t.Errorf("the guide has %d chapters, want 15", len(g.Chapters))
	}
}
