package render

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

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

func TestHTMLIsValid(t *testing.T) {
	for _, g := range []*guide.Guide{loadTestGuide(t), loadEmbedded(t)} {
		r := New(g, Options{})
		for _, c := range g.Pages() {
			p, err := r.Page(c)
			if err != nil {
				t.Errorf("%s: %v", c.File, err)
				continue
			}
			for _, prob := range checkHTML(string(p.HTML)) {
				t.Errorf("%s: %s", c.File, prob)
			}
		}
	}
}

// The checker must be able to fail.
func TestCheckHTMLFindsProblems(t *testing.T) {
	for _, bad := range []string{
		`<h1>a</h1><p><div>x</div></p>`,
		`<h1>a</h1><a href="#nowhere">x</a>`,
		`<h1>a</h1><h3>skip</h3>`,
		`<h1 id="a">a</h1><p id="a">dup</p>`,
		`<h1>a</h1><img src="x.svg" alt="">`,
		`<h1>a</h1><span>open`,
		`<h1>a</h1><a href="x"><button>b</button></a>`,
		`<h1>a</h1>fish & chips`,
	} {
		if len(checkHTML(bad)) == 0 {
			t.Errorf("no problem found in %q", bad)
		}
	}
}

// Heading ids are the model's section ids, so links checked by
// `haguide check` land.
func TestHeadingIDsMatchModel(t *testing.T) {
	for _, g := range []*guide.Guide{loadTestGuide(t), loadEmbedded(t)} {
		r := New(g, Options{})
		for _, c := range g.Pages() {
			p, err := r.Page(c)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, s := range c.Sections {
				if s.Level > 1 {
					want = append(want, s.ID)
				}
			}
			var got []string
			for _, h := range p.TOC {
				got = append(got, h.ID)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: ids (-model +rendered):\n%s", c.File, diff)
			}
		}
	}
}

// Every block of the model is rendered, with its step id and one copy
// button.
func TestEveryBlockRendered(t *testing.T) {
	g := loadTestGuide(t)
	r := New(g, Options{})
	for _, c := range g.Pages() {
		p, err := r.Page(c)
		if err != nil {
			t.Fatal(err)
		}
		html := string(p.HTML)
		if got, want := strings.Count(html, `<figure class="block `), len(c.Blocks)+strings.Count(string(c.Source), "\n    an indented"); got != want {
			t.Errorf("%s: %d blocks rendered, the model has %d", c.File, got, want)
		}
		if got, want := strings.Count(html, `<button type="button" class="copy"`), strings.Count(html, `<figure class="block `); got != want {
			t.Errorf("%s: %d copy buttons for %d blocks", c.File, got, want)
		}
		for _, b := range c.Blocks {
			if b.ID != "" && !strings.Contains(html, `data-step="`+b.ID+`"`) {
				t.Errorf("%s: step %s not in the page", c.File, b.ID)
			}
		}
	}
}

// Problems in a page come back as file:line:col diagnostics, with the page.
func TestPageProblems(t *testing.T) {
	g := fuzzGuide(t, []byte("# T\n\n#### Skipped\n\n![](figures/x.svg)\n\n[x](install:nosuch/page)\n"))
	p, err := New(g, Options{}).Page(g.Chapters[0])
	if p == nil {
		t.Fatal("no page")
	}
	var ds guide.Diagnostics
	if !errors.As(err, &ds) {
		t.Fatalf("error %v is not guide.Diagnostics", err)
	}
	want := []string{
		"01-x.md:3:1: heading level 4 follows level 1",
		"01-x.md:5:1: image figures/x.svg has no alt text",
		`01-x.md:7:1: unknown service "nosuch"`,
	}
	if len(ds) != len(want) {
		t.Fatalf("diagnostics:\n%v", ds)
	}
	for i, w := range want {
		if !strings.HasPrefix(ds[i].String(), w) {
			t.Errorf("diagnostic %d = %q, want prefix %q", i, ds[i], w)
		}
	}
}

// A Renderer serves many pages at once (run with -race).
func TestConcurrentPages(t *testing.T) {
	g := loadTestGuide(t)
	r := New(g, Options{})
	want := map[string]string{}
	for _, c := range g.Pages() {
		p, err := r.Page(c)
		if err != nil {
			t.Fatal(err)
		}
		want[c.File] = string(p.HTML)
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		for _, c := range g.Pages() {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p, err := r.Page(c)
				if err != nil || string(p.HTML) != want[c.File] {
					t.Errorf("%s: concurrent render differs (%v)", c.File, err)
				}
			}()
		}
	}
	wg.Wait()
}

func TestDistroOrderOption(t *testing.T) {
	g := loadTestGuide(t)
	p, err := New(g, Options{Distros: []string{"rhel", "ubuntu", "debian", "suse"}}).Page(g.Page("01-prose.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(p.HTML), `href="https://docs.openstack.org/keystone/2025.1/install/keystone-install-rdo.html"`) {
		t.Error("the first distro of Options.Distros does not give the default href")
	}
}
