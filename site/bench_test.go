package site

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkBuild builds the whole real guide: load and check, render every
// page and the print view, lay out, index for search, check the links and
// write the folder. It reports the bytes written per build and per page.
func BenchmarkBuild(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "public")
	fsys := realGuide()
	var s *Site
	for b.Loop() {
		var err error
		if s, err = Build(fsys, dir, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(s.Size()), "site-bytes")
	b.ReportMetric(float64(len(s.Pages)), "pages")
}

// BenchmarkHugo builds the same chapters with Hugo (Debian's hugo package),
// for comparison in the same run: each chapter with a title front matter,
// a minimal layout, and chroma highlighting with classes as haguide uses.
// It runs the hugo command, so its time includes starting the process.
func BenchmarkHugo(b *testing.B) {
	hugo, err := exec.LookPath("hugo")
	if err != nil {
		b.Skip("hugo is not installed (apt-get install hugo)")
	}
	g, err := Load(realGuide())
	if err != nil {
		b.Fatal(err)
	}
	src := b.TempDir()
	// The config and layout in testdata/hugo (scripts/bench-site.sh
	// uses them too), and the chapters.
	if err := os.CopyFS(src, os.DirFS(filepath.Join("testdata", "hugo"))); err != nil {
		b.Fatal(err)
	}
	files := map[string]string{}
	for i, c := range g.Pages() {
		name := "content/" + c.File
		if c == g.Front {
			name = "content/_index.md" // Hugo's home page
		}
		files[name] = fmt.Sprintf("---\ntitle: %q\nweight: %d\n---\n%s", c.Title, i+1, c.Source)
	}
	for name, body := range files {
		p := filepath.Join(src, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	out := filepath.Join(b.TempDir(), "public")
	for b.Loop() {
		cmd := exec.Command(hugo, "--quiet", "--source", src, "--destination", out, "--cleanDestinationDir")
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("hugo: %v\n%s", err, msg)
		}
	}
	size := 0
	_ = filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if st, err := d.Info(); err == nil {
				size += int(st.Size())
			}
		}
		return nil
	})
	b.ReportMetric(float64(size), "site-bytes")
}
