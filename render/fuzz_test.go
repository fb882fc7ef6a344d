package render

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/haguide/haguide/guide"
)

// fuzzGuide makes a guide of the test settings and one chapter.
func fuzzGuide(t testing.TB, chapter []byte) *guide.Guide {
	settings, err := os.ReadFile("testdata/guide/settings.toml")
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{
		"settings.toml": {Data: settings},
		"SUMMARY.md":    {Data: []byte("# Fuzz\n\n1. [Chapter](01-x.md)\n")},
		"01-x.md":       {Data: chapter},
	}
	g, _ := guide.Load(fsys) // a broken chapter still loads
	return g
}

// FuzzPage renders arbitrary Markdown as a chapter: it must never panic,
// and the HTML must stay well formed (balanced, properly nested, unique
// ids, references that resolve).
func FuzzPage(f *testing.F) {
	for _, file := range []string{"01-prose.md", "02-blocks.md", "index.md"} {
		data, err := os.ReadFile("testdata/guide/" + file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("# T\n\n> [!NOTE]\n"))
	f.Add([]byte("# T\n\n```console {distro=ubuntu}\n# a\n```\n```console {distro=rhel}\n# b\n```\n"))
	f.Add([]byte("# A_B\n## A_B\n## a-b\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		g := fuzzGuide(t, src)
		if len(g.Chapters) != 1 {
			return
		}
		p, _ := New(g, Options{}).Page(g.Chapters[0])
		if p == nil {
			t.Fatal("no page")
		}
		for _, prob := range checkHTML(string(p.HTML)) {
			// Heading order and alt text are the author's to fix (and
			// Page reports them); the structure is ours.
			if strings.Contains(prob, "heading") || strings.Contains(prob, "<h") || strings.Contains(prob, "alt text") || strings.Contains(prob, "href refers") {
				continue
			}
			t.Errorf("%s\n%s", prob, p.HTML)
		}
	})
}
