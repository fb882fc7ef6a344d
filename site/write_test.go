package site

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	site := func(body string) *Site {
		return &Site{Files: map[string][]byte{"index.html": []byte(body), "assets/a.css": []byte("a{}"), markerFile: nil}}
	}
	tests := []struct {
		name    string
		prepare func(dir string) // what is at dir before
		wantErr string
	}{
		{"missing", func(string) {}, ""},
		{"empty folder", func(dir string) { must(t, os.Mkdir(dir, 0o755)) }, ""},
		{"an older site", func(dir string) {
			must(t, Write(site("old"), dir))
			must(t, os.WriteFile(filepath.Join(dir, "stale.html"), []byte("x"), 0o644))
		}, ""},
		{"someone's folder", func(dir string) {
			must(t, os.Mkdir(dir, 0o755))
			must(t, os.WriteFile(filepath.Join(dir, "thesis.tex"), []byte("x"), 0o644))
		}, "is a folder with other files in it"},
		{"a file", func(dir string) { must(t, os.WriteFile(dir, []byte("x"), 0o644)) }, "is not a folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "public")
			tt.prepare(dir)
			err := Write(site("new"), dir)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Write: %v, want an error with %q", err, tt.wantErr)
				}
			} else {
				if err != nil {
					t.Fatalf("Write: %v", err)
				}
				b, err := os.ReadFile(filepath.Join(dir, "index.html"))
				if err != nil || string(b) != "new" {
					t.Errorf("index.html = %q, %v; want new", b, err)
				}
				if _, err := os.Stat(filepath.Join(dir, "stale.html")); err == nil {
					t.Error("a file of the old site is left")
				}
			}
			// Nothing is left beside the output folder.
			ents, _ := os.ReadDir(parent)
			for _, e := range ents {
				if e.Name() != "public" {
					t.Errorf("left beside the site: %s", e.Name())
				}
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
