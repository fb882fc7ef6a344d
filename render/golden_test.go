package render

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/haguide/haguide/guide"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// loadTestGuide loads the synthetic guide under testdata/guide, which uses
// every feature the renderer has.
func loadTestGuide(t testing.TB) *guide.Guide {
	t.Helper()
	g, err := guide.Load(os.DirFS("testdata/guide"))
	if err != nil {
		t.Fatalf("load testdata/guide: %v", err)
	}
	return g
}

// The synthetic guide must itself be a valid guide, or the golden files
// would show the rendering of blocks the model rejects.
func TestTestGuideIsValid(t *testing.T) {
	g := loadTestGuide(t)
	if ds := g.Check(); len(ds) > 0 {
		t.Fatalf("testdata/guide does not pass check:\n%v", ds)
	}
}

// golden renders a page as the golden file records it: the title, the
// table of contents, whether it has tab groups, its sections with their
// text, then the HTML.
func golden(p *Page) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!-- title: %s -->\n", p.Title)
	for _, h := range p.TOC {
		fmt.Fprintf(&b, "<!-- toc: %d #%s %s -->\n", h.Level, h.ID, h.Text)
	}
	fmt.Fprintf(&b, "<!-- tabs: %v -->\n", p.HasTabs)
	for _, s := range p.Sections {
		fmt.Fprintf(&b, "<!-- section #%s %s: %s -->\n", s.ID, s.Title, strings.ReplaceAll(s.Text, "--", "- -"))
	}
	b.WriteString(string(p.HTML))
	return b.String()
}

func TestGolden(t *testing.T) {
	g := loadTestGuide(t)
	r := New(g, Options{})
	for _, c := range g.Pages() {
		t.Run(c.Slug, func(t *testing.T) {
			p, err := r.Page(c)
			if err != nil {
				t.Fatal(err)
			}
			compareGolden(t, filepath.Join("testdata", "golden", c.Slug+".html"), golden(p))
		})
	}
}

// The print view of the whole guide is one valid document: ids unique
// across chapters, every link between chapters landing.
func TestGoldenPrint(t *testing.T) {
	g := loadTestGuide(t)
	r := New(g, Options{})
	var all strings.Builder
	for _, c := range g.Pages() {
		p, err := r.PrintPage(c)
		if err != nil {
			t.Fatal(err)
		}
		all.WriteString(string(p.HTML))
	}
	compareGolden(t, filepath.Join("testdata", "golden", "print.html"), all.String())
	for _, prob := range checkHTML(all.String()) {
		if !strings.Contains(prob, "second <h1>") {
			t.Error(prob)
		}
	}
}

func compareGolden(t *testing.T, file, got string) {
	t.Helper()
	{
		{
			if *update {
				if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", file, diff)
			}
		}
	}
}
