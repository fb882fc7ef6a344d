package render

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/styles"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/render/codeblocks"
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
	t.Parallel()
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
		checkSections(t, p)
		// The markup render documents for tab groups, and HasTabs, agree.
		if got, want := p.HasTabs, strings.Contains(string(p.HTML), `<div class="tabs"`); got != want {
			t.Errorf("%s: HasTabs = %v, the HTML has tab groups: %v", c.File, got, want)
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
	if _, err := ChromaCSS("no-such-style", "github-dark"); err == nil || !strings.Contains(err.Error(), "github-dark") {
		t.Errorf("unknown style: error %v, want one naming the known styles", err)
	}
}

// TestChromaStylesMatchChroma: the styles this package carries are the
// ones of the chroma it is built with (go get -u chroma: copy them again
// from its styles/ when this fails).
func TestChromaStylesMatchChroma(t *testing.T) {
	if diff := cmp.Diff([]string{"github", "github-dark"}, ChromaStyles()); diff != "" {
		t.Errorf("styles (-want +got):\n%s", diff)
	}
	for _, name := range ChromaStyles() {
		ours, err := chromaStyle(name)
		if err != nil {
			t.Fatal(err)
		}
		theirs, ok := styles.Registry[name]
		if !ok {
			t.Fatalf("chroma has no style %s", name)
		}
		for tt := range chroma.StandardTypes {
			if a, b := ours.Get(tt), theirs.Get(tt); a != b {
				t.Errorf("%s: %s is %v here, %v in chroma", name, tt, a, b)
			}
		}
	}
	// And the CSS is the same as from chroma's own registry.
	a, err := ChromaCSS("GitHub", "github-dark")
	if err != nil {
		t.Fatal(err)
	}
	b, err := ChromaCSS("github", "github-dark")
	if err != nil || a != b {
		t.Errorf("style names are not case-insensitive: %v", err)
	}
}

// TestFigure: a figure is an SVG that scales, whose characters are text
// elements with only their place (figureStyle draws them all), in the
// order of the diagram, escaped; goat's other shapes stay as it draws them.
func TestFigure(t *testing.T) {
	tests := []struct {
		name, src string
		texts     []string // every text element's content, in order
		want      []string // in the SVG
	}{
		{"boxes", "+-----+     +-----+\n| a   |---->| b   |\n+-----+     +-----+\n",
			[]string{"a", "b"}, []string{"viewBox=", "<polygon ", "<path "}},
		{"escaped", "<a & b>\n", []string{"&lt;", "a", "&amp;", "b", "&gt;"}, nil},
		{"circles keep their fill", "o-->*\n", nil, []string{"fill='#fff'", "fill='currentColor'"}},
	}
	text := regexp.MustCompile(`<text( [^>]*)?>([^<]*)</text>`)
	place := regexp.MustCompile(`^ x='\d+' y='\d+'$`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svg, err := Figure([]byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(svg), "<svg") || !strings.Contains(string(svg), "text{text-anchor:middle;fill:currentColor}") {
				t.Errorf("not a figure's SVG: %.300s", svg)
			}
			var texts []string
			for _, m := range text.FindAllStringSubmatch(string(svg), -1) {
				if !place.MatchString(m[1]) {
					t.Errorf("text element with attributes %q, want only x and y", m[1])
				}
				texts = append(texts, m[2])
			}
			if diff := cmp.Diff(tt.texts, texts); diff != "" {
				t.Errorf("texts (-want +got):\n%s", diff)
			}
			if n := strings.Count(string(svg), "<text"); n != len(texts) {
				t.Errorf("%d text elements, %d read", n, len(texts))
			}
			for _, w := range tt.want {
				if !strings.Contains(string(svg), w) {
					t.Errorf("no %q in\n%s", w, svg)
				}
			}
		})
	}
	if _, err := Figure([]byte("  \n")); err == nil {
		t.Error("empty figure: no error")
	}
}

func TestHTMLIsValid(t *testing.T) {
	t.Parallel()
	everyPage(t, func(c *guide.Chapter, p *Page) {
		for _, prob := range checkHTML(string(p.HTML)) {
			t.Errorf("%s: %s", c.File, prob)
		}
	})
}

// everyPage renders every page of the test guide and of the embedded one
// and checks each with check; a page that does not render is an error.
func everyPage(t *testing.T, check func(c *guide.Chapter, p *Page)) {
	t.Helper()
	for _, g := range []*guide.Guide{loadTestGuide(t), loadEmbedded(t)} {
		r := New(g, Options{})
		for _, c := range g.Pages() {
			p, err := r.Page(c)
			if err != nil {
				t.Errorf("%s: %v", c.File, err)
				continue
			}
			check(c, p)
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
	t.Parallel()
	everyPage(t, func(c *guide.Chapter, p *Page) {
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
		// The page's list of placeholders comes last, with an id no
		// heading can have (an underscore).
		if len(p.Placeholders) > 0 {
			if n := len(got); n == 0 || got[n-1] != "values_to_replace" {
				t.Errorf("%s: the TOC does not end with the list of placeholders: %v", c.File, got)
			} else {
				got = got[:n-1]
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: ids (-model +rendered):\n%s", c.File, diff)
		}
	})
}

// Every block of the model is rendered, with its step id, and the code
// holds exactly what the site's copy button copies (site.js
// blockCopyText, mirrored by copyText here): the text of each span.cmd
// joined by newlines in a console block (no prompt, no output), else the
// code without its final newlines; and the page's placeholders are listed.
func TestEveryBlockRendered(t *testing.T) {
	t.Parallel()
	everyPage(t, func(c *guide.Chapter, p *Page) {
		page := string(p.HTML)
		// A block with nothing to run is its reason, not a figure.
		noops := 0
		for _, b := range c.Blocks {
			if codeblocks.IsNoop(b) {
				noops++
			}
		}
		if got, want := strings.Count(page, `<figure class="block `)+strings.Count(page, `<p class="block-noop">`), len(c.Blocks)+strings.Count(string(c.Source), "\n    an indented"); got != want || strings.Count(page, `<p class="block-noop">`) != noops {
			t.Errorf("%s: %d blocks rendered, the model has %d", c.File, got, want)
		}
		// Distro variants share their step id.
		got := copyTexts(t, page)
		want := map[string][]string{}
		for _, b := range c.Blocks {
			if b.ID != "" {
				want[b.ID] = append(want[b.ID], codeblocks.CopyText(b))
			}
		}
		for _, m := range []map[string][]string{got, want} {
			for _, v := range m {
				slices.Sort(v)
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: what each step's copy button copies (-model +page):\n%s", c.File, diff)
		}
		for _, name := range p.Placeholders {
			if !strings.Contains(page, `<dd id="ph-`+name+`"`) {
				t.Errorf("%s: %s has no entry in the list", c.File, name)
			}
		}
	})
}

// copyTexts maps each block's step id to the texts its copy buttons copy.
func copyTexts(t *testing.T, page string) map[string][]string {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(page), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		t.Fatal(err)
	}
	hasClass := func(n *html.Node, cls string) bool {
		for _, a := range n.Attr {
			if a.Key == "class" && slices.Contains(strings.Fields(a.Val), cls) {
				return true
			}
		}
		return false
	}
	var text func(n *html.Node, b *strings.Builder)
	text = func(n *html.Node, b *strings.Builder) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			text(c, b)
		}
	}
	var find func(n *html.Node, match func(*html.Node) bool, out *[]*html.Node)
	find = func(n *html.Node, match func(*html.Node) bool, out *[]*html.Node) {
		if n.Type == html.ElementNode && match(n) {
			*out = append(*out, n)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			find(c, match, out)
		}
	}
	out := map[string][]string{}
	var figs []*html.Node
	for _, n := range nodes {
		find(n, func(n *html.Node) bool { return n.Data == "figure" }, &figs)
	}
	for _, f := range figs {
		step := ""
		for _, a := range f.Attr {
			if a.Key == "data-step" {
				step = a.Val
			}
		}
		var codes, cmds []*html.Node
		find(f, func(n *html.Node) bool { return n.Data == "code" && n.Parent.Data == "pre" }, &codes)
		if len(codes) != 1 {
			t.Errorf("step %s: %d code elements in a pre", step, len(codes))
			continue
		}
		find(codes[0], func(n *html.Node) bool { return hasClass(n, "cmd") }, &cmds)
		var parts []string
		for _, c := range cmds {
			var b strings.Builder
			text(c, &b)
			parts = append(parts, b.String())
		}
		if len(cmds) == 0 {
			var b strings.Builder
			text(codes[0], &b)
			parts = []string{strings.TrimRight(b.String(), "\n")}
		}
		if step != "" {
			out[step] = append(out[step], strings.Join(parts, "\n"))
		}
	}
	return out
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
	t.Parallel()
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
