package render

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"regexp"
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
// the HTML must stay well formed (balanced, properly nested, unique ids,
// references that resolve), and the sections must follow the TOC.
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
		checkSections(t, p)
	})
}

// checkSections: a page's first section is its title's, then one per TOC
// entry but the list of placeholders' meanings, with its id and text.
func checkSections(t *testing.T, p *Page) {
	t.Helper()
	toc := p.TOC
	if len(p.Placeholders) > 0 {
		toc = toc[:len(toc)-1]
	}
	if len(p.Sections) != len(toc)+1 {
		t.Fatalf("%d sections for %d TOC entries", len(p.Sections), len(toc))
	}
	if s := p.Sections[0]; s.ID != "" || s.Title != p.Title {
		t.Errorf("first section %q %q, want the page's title %q", s.ID, s.Title, p.Title)
	}
	for i, h := range toc {
		if s := p.Sections[i+1]; s.ID != h.ID || s.Title != h.Text {
			t.Errorf("section %d is %q %q, TOC entry %q %q", i+1, s.ID, s.Title, h.ID, h.Text)
		}
	}
	for _, s := range p.Sections {
		if s.Text != strings.Join(strings.Fields(s.Text), " ") {
			t.Errorf("section %q: text not in single-spaced words: %q", s.ID, s.Text)
		}
	}
}

// FuzzFigure turns arbitrary text into a figure: it must never panic, and
// a figure must be well-formed XML whose text elements carry only their
// place (figureStyle draws them).
func FuzzFigure(f *testing.F) {
	src, err := os.ReadFile("../guide/figures/architecture.txt")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{string(src), "+--+\n|a&<|\n+--+\n", "o-->*  ▒▓\n", "\t.-.\n'-'\r\n"} {
		f.Add([]byte(s))
	}
	text := regexp.MustCompile(`<text( [^>]*)?>`)
	place := regexp.MustCompile(`^ x='-?\d+' y='-?\d+'$`)
	f.Fuzz(func(t *testing.T, src []byte) {
		svg, err := Figure(src)
		if err != nil {
			return
		}
		d := xml.NewDecoder(bytes.NewReader(svg))
		for {
			if _, err := d.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("not well-formed XML: %v\n%s", err, svg)
			}
		}
		for _, m := range text.FindAllStringSubmatch(string(svg), -1) {
			if !place.MatchString(m[1]) {
				t.Fatalf("text element with attributes %q", m[1])
			}
		}
	})
}
