package render

import (
	"strings"
	"testing"

	"github.com/haguide/haguide/guide"
)

func loadEmbedded(t testing.TB) *guide.Guide {
	t.Helper()
	g, err := guide.Load(guide.Embedded)
	if err != nil {
		t.Fatalf("load the embedded guide: %v", err)
	}
	return g
}

func TestEmbeddedGuideRenders(t *testing.T) {
	g := loadEmbedded(t)
	r := New(g, Options{})
	for _, c := range g.Pages() {
		p, err := r.Page(c)
		if err != nil {
			t.Errorf("%s: %v", c.File, err)
			continue
		}
		if p.Title == "" || !strings.Contains(string(p.HTML), "<h1") {
			t.Errorf("%s: no title: %q", c.File, p.Title)
		}
	}
}

func TestChromaCSS(t *testing.T) {
	css, err := ChromaCSS("github", "github-dark")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".chroma{", "[data-theme=dark] .chroma", "@media (prefers-color-scheme: dark)", ":root:not([data-theme=light]) .chroma"} {
		if !strings.Contains(css, want) {
			t.Errorf("CSS lacks %q", want)
		}
	}
	if _, err := ChromaCSS("no-such-style", "github-dark"); err == nil {
		t.Error("unknown style: no error")
	}
}

func TestFigure(t *testing.T) {
	svg, err := Figure([]byte("+-----+     +-----+\n| a   |---->| b   |\n+-----+     +-----+\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(svg), "<svg") || !strings.Contains(string(svg), "viewBox") {
		t.Errorf("not an SVG: %.200s", svg)
	}
	if _, err := Figure([]byte("  \n")); err == nil {
		t.Error("empty figure: no error")
	}
}
