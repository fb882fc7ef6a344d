package inimerge

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/*.txtar")

func part(a *txtar.Archive, name string) []byte {
	for _, f := range a.Files {
		if f.Name == name {
			return f.Data
		}
	}
	return nil
}

func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txtar")
	if len(files) == 0 {
		t.Fatal("no cases")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			a, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Merge(part(a, "orig"), part(a, "patch"))
			if err != nil {
				t.Fatal(err)
			}
			if *update {
				for i := range a.Files {
					if a.Files[i].Name == "want" {
						a.Files[i].Data = got
					}
				}
				if err := os.WriteFile(path, txtar.Format(a), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if d := cmp.Diff(string(part(a, "want")), string(got)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			again, err := Merge(got, part(a, "patch"))
			if err != nil || !bytes.Equal(again, got) {
				t.Errorf("not idempotent (-once +twice):\n%s", cmp.Diff(string(got), string(again)))
			}
		})
	}
}

func TestMergeCases(t *testing.T) {
	for _, tt := range []struct{ name, orig, patch, want string }{
		{"replace keeps spacing of the rest", "[a]\nx=1\n  \ny = 2\n", "[a]\nx = 3\n", "[a]\nx = 3\n  \ny = 2\n"},
		{"section with no keys", "[a]\n[b]\nz=1\n", "[a]\nk=v\n", "[a]\nk=v\n[b]\nz=1\n"},
		{"global key into a file with sections", "[a]\nx=1\n", "g=1\n", "g=1\n[a]\nx=1\n"},
		{"crlf and no final newline", "[a]\r\nx=1", "[a]\nx=2\n", "[a]\nx=2\n"},
		{"first section of a repeated name", "[a]\nx=1\n[a]\nx=2\n", "[a]\nx=3\n", "[a]\nx=3\n[a]\nx=2\n"},
		{"comments in the patch are not written", "[a]\n", "# why\n[a]\n; also why\nx=1\n", "[a]\nx=1\n"},
		{"case matters", "[a]\nKey=1\n", "[a]\nkey=2\n", "[a]\nKey=1\nkey=2\n"},
		{"commented default in another section is not used", "[a]\n#x=1\n[b]\ny=1\n", "[b]\nx=2\n", "[a]\n#x=1\n[b]\ny=1\nx=2\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Merge([]byte(tt.orig), []byte(tt.patch))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, string(got)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestPatchErrors(t *testing.T) {
	for _, tt := range []struct{ patch, want string }{
		{"[a]\nok=1\n[b\n", `line 3: "[b" is not key = value`},
		{"[]\n", "line 1: a section needs a name"},
		{"[a]\nx]=1\n", `line 2: "x]=1" is not key = value`},
	} {
		_, err := Merge(nil, []byte(tt.patch))
		var e *Error
		if !errors.As(err, &e) || err.Error() != tt.want {
			t.Errorf("Merge(%q) error %v, want %q", tt.patch, err, tt.want)
		}
	}
}

func FuzzMerge(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.txtar")
	for _, p := range files {
		a, err := txtar.ParseFile(p)
		if err == nil {
			f.Add(part(a, "orig"), part(a, "patch"))
		}
	}
	f.Add([]byte("x\n[a\n=\n"), []byte("[a]\n=\n"))
	f.Fuzz(func(t *testing.T, orig, patch []byte) {
		once, err := Merge(orig, patch)
		if err != nil {
			return
		}
		twice, err := Merge(once, patch)
		if err != nil {
			t.Fatalf("merging into the merged file fails: %v", err)
		}
		if !bytes.Equal(once, twice) {
			t.Fatalf("not idempotent:\n%s", cmp.Diff(string(once), string(twice)))
		}
		// Every key line of the patch is in the result, in its section.
		secs, _ := parsePatch(patch)
		got := split(once)
		for _, s := range secs {
			start, end, ok := bounds(got, s.name)
			if !ok && len(s.keys) > 0 {
				t.Fatalf("section %q missing", s.name)
			}
			body := map[string]bool{}
			for _, l := range got[start:end] {
				body[l.text] = true
			}
			for _, k := range s.keys {
				for _, l := range k.lines {
					if !body[l] {
						t.Fatalf("line %q of [%s] missing from:\n%s", l, s.name, once)
					}
				}
			}
		}
	})
}

func BenchmarkMerge5000(b *testing.B) {
	var orig strings.Builder
	for s := 0; s < 50; s++ {
		fmt.Fprintf(&orig, "[section%d]\n", s)
		for k := 0; k < 99; k++ {
			fmt.Fprintf(&orig, "# help for key%d\n#key%d = default\n", k, k)
		}
	}
	patch := []byte("[section10]\nkey5 = x\nnew = y\n[section49]\nkey98 = z\n[fresh]\na = b\n")
	b.SetBytes(int64(orig.Len()))
	for b.Loop() {
		if _, err := Merge([]byte(orig.String()), patch); err != nil {
			b.Fatal(err)
		}
	}
}
