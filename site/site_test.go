package site

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/runs"
)

// testGuide is a small guide; files replace or add to it (an empty
// content deletes a file).
func testGuide(files map[string]string) fstest.MapFS {
	base := map[string]string{
		"settings.toml": `release = "2025.1"
distros = ["ubuntu", "debian", "rhel"]
nodes = ["controller1", "controller2"]
source_url = "https://example.org/src/guide/"

[placeholders.CONTROLLER_VIP]
meaning = "The virtual IP"
example = "10.0.0.10"
type = "ipv4"
`,
		"SUMMARY.md": "# Test guide\n\n[About](index.md)\n\n1. [Intro](01-intro.md)\n2. [Cluster](02-cluster.md)\n",
		"index.md":   "# About\n\nRead [the intro](01-intro.md#install).\n",
		"01-intro.md": "# Intro\n\nClients reach `CONTROLLER_VIP`.\n\n## Install\n\n" +
			"```console {distro=ubuntu,debian nodes=all}\n# apt install pacemaker\nReading package lists...\n```\n\n" +
			"```console {distro=rhel nodes=all}\n# dnf install pacemaker\n```\n\n" +
			"See [Keystone](install:keystone/keystone-install) and [the cluster](02-cluster.md#corosync).\n",
		"02-cluster.md": "# Cluster\n\n## Corosync\n\nBack to [install](#corosync) and [the top](01-intro.md).\n",
	}
	fsys := fstest.MapFS{}
	for n, c := range base {
		fsys[n] = &fstest.MapFile{Data: []byte(c)}
	}
	for n, c := range files {
		if c == "" {
			delete(fsys, n)
			continue
		}
		fsys[n] = &fstest.MapFile{Data: []byte(c)}
	}
	return fsys
}

// renderSite renders a test guide with readable HTML (Options.Readable),
// for the tests of the layout's markup; TestMinifiedPages compares it with
// what is served.
func renderSite(t *testing.T, fsys fstest.MapFS, opts Options) *Site {
	t.Helper()
	opts.Readable = true
	g, err := Load(fsys)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	s, err := Render(g, opts)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return s
}

func TestRenderFiles(t *testing.T) {
	s := renderSite(t, testGuide(nil), Options{})
	want := []string{
		".haguide-site", "01-intro.html", "02-cluster.html", "404.html", "assets/chroma.css",
		"assets/favicon.svg", "assets/search-index.js",
		"assets/search-text/01-intro.js", "assets/search-text/02-cluster.js", "assets/search-text/index.js", "assets/search.js", "assets/site.css", "assets/site.js", "assets/values.js", "index.html", "print.html", "sitemap.xml",
	}
	var got []string
	for n := range s.Files {
		if n == "assets/minisearch.js" || strings.HasPrefix(n, "assets/LICENSE") {
			continue
		}
		got = append(got, n)
	}
	if diff := cmp.Diff(want, sorted(got)); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"index.html", "01-intro.html", "02-cluster.html"}, s.Pages); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestLayout checks what the layout puts around each page.
func TestLayout(t *testing.T) {
	s := renderSite(t, testGuide(nil), Options{Version: "v9"})
	tests := []struct {
		file string
		want []string // regular expressions the page must match
		not  []string
	}{
		{"01-intro.html", []string{
			`<html lang="en" class="no-js" data-distros="ubuntu debian rhel" data-nodes="controller1 controller2">`,
			`<a class="skip-link" href="#content">`,
			`<main id="content"`,
			`<a href="01-intro.html" aria-current="page"><span class="num">1.</span> Intro</a>`,
			`<nav class="breadcrumbs"[^>]*><ol><li><a href="index.html">About</a></li><li><a href="01-intro.html" aria-current="page">1. Intro</a></li></ol></nav>`,
			`<a class="prev" rel="prev" href="index.html">`,
			`<a class="next" rel="next" href="02-cluster.html">`,
			`<a class="edit external" href="https://example.org/src/guide/01-intro.md">Edit this page</a>`,
			`<li class="toc-h2"><a href="#install">Install</a></li>`,
			`<option value="rhel">RHEL / CentOS Stream</option>`,
			`assets/site.css\?v=[0-9a-f]{8}`,
			`<title>Intro · Test guide</title>`,
			`haguide v9`,
			`<div class="tabs" id="tabs-1">`,
			`<div id="ph-tip" class="ph-tip" aria-hidden="true" hidden></div>`,
			// The placeholders' meanings, once, at the end of the page,
			// and in its TOC.
			`<section class="ph-list">`,
			`<dd id="ph-CONTROLLER_VIP" data-type="ipv4" data-example="10.0.0.10">`,
			`<button type="button" class="values-open js-only" id="values-open" hidden><span class="long">Your values</span><span class="short">Values</span></button>`,
			`<li class="toc-h2"><a href="#values_to_replace">Values to replace</a></li>`,
			`data-ui="assets/search.js\?v=[0-9a-f]{8}"`,
		}, []string{`title="The`, `data-copy`, `role="tab`}},
		{"index.html", []string{`<a class="next" rel="next" href="01-intro.html">`}, []string{`class="prev"`, `class="toc"`, `rel="canonical"`}},
		{"02-cluster.html", []string{`<a class="prev" rel="prev" href="01-intro.html">`}, []string{`class="next"`}},
		{"print.html", []string{
			`<section class="print-chapter" id="chapter-01-intro">`,
			`<li><a href="#chapter-02-cluster">2. Cluster</a></li>`,
			`id="01-intro--install"`,
			`href="#02-cluster--corosync"`,
			`<dd id="01-intro--ph-CONTROLLER_VIP" data-type="ipv4"`,
		}, []string{`class="prev-next"`,
			// Each chapter's list is no landmark: they would share a name
			// (axe-core: landmark-unique).
			`<section class="ph-list" aria-`}},
		{"404.html", []string{`<h1>Page not found</h1>`, `href="index.html"`}, nil},
		{"sitemap.xml", []string{`<loc>./</loc>`, `<loc>01-intro.html</loc>`}, []string{`print.html`, `404.html`}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b := string(s.Files[tt.file])
			for _, w := range tt.want {
				if !regexp.MustCompile(w).MatchString(b) {
					t.Errorf("%s does not match %s", tt.file, w)
				}
			}
			for _, w := range tt.not {
				if regexp.MustCompile(w).MatchString(b) {
					t.Errorf("%s matches %s", tt.file, w)
				}
			}
		})
	}
}

func TestBaseURL(t *testing.T) {
	s := renderSite(t, testGuide(nil), Options{BaseURL: "https://example.org/ha"})
	sm := string(s.Files["sitemap.xml"])
	for _, w := range []string{"<loc>https://example.org/ha/</loc>", "<loc>https://example.org/ha/02-cluster.html</loc>"} {
		if !strings.Contains(sm, w) {
			t.Errorf("sitemap lacks %s:\n%s", w, sm)
		}
	}
	if p := string(s.Files["02-cluster.html"]); !strings.Contains(p, `<link rel="canonical" href="https://example.org/ha/02-cluster.html">`) {
		t.Error("02-cluster.html has no canonical link")
	}
	nf := string(s.Files["404.html"])
	if !strings.Contains(nf, `href="https://example.org/ha/assets/site.css?v=`) {
		t.Errorf("404.html does not link its assets absolutely")
	}
}

// TestGuideProblems: the build fails with file:line:col on what the guide
// check and the renderer find.
func TestGuideProblems(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"broken anchor", map[string]string{"02-cluster.md": "# Cluster\n\n## Corosync\n\nSee [x](01-intro.md#nope).\n"},
			`02-cluster.md:5:5: broken link: 01-intro.md has no heading with id "nope"`},
		{"broken page", map[string]string{"02-cluster.md": "# Cluster\n\n## Corosync\n\nSee [x](03-none.md).\n"},
			`02-cluster.md:5:5: broken link: 03-none.md is not a page of the guide`},
		{"unknown install page", map[string]string{"02-cluster.md": "# Cluster\n\n## Corosync\n\nSee [x](install:keystone/nope).\n"},
			`02-cluster.md:5:5: unknown keystone install page "nope"`},
		{"missing image", map[string]string{"02-cluster.md": "# Cluster\n\n## Corosync\n\n![Arch](figures/arch.svg)\n"},
			`02-cluster.md:5:1: image figures/arch.svg does not exist`},
		{"image without alt", map[string]string{"02-cluster.md": "# Cluster\n\n## Corosync\n\n![](figures/arch.svg)\n", "figures/arch.txt": "+--+\n|  |\n+--+\n"},
			`02-cluster.md:5:1: image figures/arch.svg has no alt text`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Build(testGuide(tt.files), filepath.Join(t.TempDir(), "out"), Options{})
			var ds guide.Diagnostics
			if !errors.As(err, &ds) {
				t.Fatalf("Build: %v, want guide.Diagnostics", err)
			}
			if !strings.HasPrefix(ds.Error(), tt.want) {
				t.Errorf("got  %s\nwant %s", ds.Error(), tt.want)
			}
		})
	}
}

func TestFigureFromText(t *testing.T) {
	s := renderSite(t, testGuide(map[string]string{
		"02-cluster.md":    "# Cluster\n\n## Corosync\n\n![Three controllers](figures/arch.svg)\n",
		"figures/arch.txt": "+------+     +------+\n| ctl1 |-----| ctl2 |\n+------+     +------+\n",
		"figures/.gitkeep": "x",
		"figures/logo.png": "\x89PNG",
	}), Options{})
	svg := string(s.Files["figures/arch.svg"])
	if !strings.HasPrefix(svg, "<svg") || !strings.Contains(svg, `class="diagram"`) || !strings.Contains(svg, "<text") {
		t.Errorf("figures/arch.svg is not the diagram's SVG: %.200q", svg)
	}
	if _, ok := s.Files["figures/logo.png"]; !ok {
		t.Error("figures/logo.png is not copied")
	}
	if _, ok := s.Files["figures/.gitkeep"]; ok {
		t.Error("figures/.gitkeep is copied")
	}
	if !strings.Contains(string(s.Files["02-cluster.html"]), `src="figures/arch.svg"`) {
		t.Error("the page does not show figures/arch.svg")
	}
}

func TestCheckLinks(t *testing.T) {
	page := func(body string) []byte {
		return []byte(`<!DOCTYPE html><html><body><h1 id="top">T</h1>` + body + `</body></html>`)
	}
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"fine", `<a href="#top">x</a><a href="b.html#sec">y</a><a href="b.html">z</a><a href="https://example.org/">e</a><img src="f.svg" alt="f"><a href="b.html?distro=rhel#sec">q</a>`, nil},
		{"missing file", `<a href="c.html">x</a>`, []string{`a.html: href "c.html": no file c.html in the site`}},
		{"missing anchor", `<a href="b.html#nope">x</a>`, []string{`a.html: href "b.html#nope": b.html has no id "nope"`}},
		{"missing local anchor", `<a href="#nope">x</a>`, []string{`a.html: href "#nope": a.html has no id "nope"`}},
		{"absolute", `<a href="/b.html">x</a>`, []string{`a.html: href "/b.html" is absolute: the site must work from any folder`}},
		{"missing image", `<img src="g.svg" alt="g">`, []string{`a.html: src "g.svg": no file g.svg in the site`}},
		{"duplicate id", `<p id="top">again</p>`, []string{`a.html: id "top" is used twice`}},
		{"script text is no markup", `<script>var s = '<a href="nope.html" id="top">';</script><style>a[href="#x"] {}</style>`, nil},
		{"entities in values", `<a href="b.html#s&#101;c">x</a><a href="a.html#t&#111;p">y</a>`, nil},
		{"self-closing", `<link rel="icon" href="g.svg"/>`, []string{`a.html: href "g.svg": no file g.svg in the site`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string][]byte{
				"a.html": page(tt.body),
				"b.html": page(`<h2 id="sec">S</h2>`),
				"f.svg":  []byte("<svg/>"),
			}
			if diff := cmp.Diff(tt.want, CheckLinks(files)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// realGuide is the guide in this repository, or the one in $HAGUIDE_GUIDE
// (as for the CLI), for testing against a guide other than the working
// tree's.
func realGuide() fs.FS {
	if d := os.Getenv("HAGUIDE_GUIDE"); d != "" {
		return os.DirFS(d)
	}
	return guide.Embedded
}

// realRuns are the run records in this repository (docs/runs), which
// the published site shows.
func realRuns(t *testing.T) map[string]*runs.Record {
	t.Helper()
	recs, err := runs.ReadDir(os.DirFS(filepath.Join("..", "docs", "runs")))
	if err != nil {
		t.Fatalf("docs/runs: %v", err)
	}
	return recs
}

// TestRealGuide builds the guide in this repository, with its run
// records, and checks that every internal href of every page resolves to
// a file and an anchor (a rehearsal's figure links to its section),
// reading the written folder back.
func TestRealGuide(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "public")
	recs := realRuns(t)
	if os.Getenv("HAGUIDE_GUIDE") == "" && len(recs["debian"].For("06-database.md")) == 0 {
		t.Error("docs/runs has no Debian record of chapter 6")
	}
	s, err := Build(realGuide(), dir, Options{Runs: recs})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	files := map[string][]byte{}
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(s.Files) {
		t.Errorf("wrote %d files, built %d", len(files), len(s.Files))
	}
	hrefs := 0
	for n, b := range files {
		if strings.HasSuffix(n, ".html") {
			hrefs += strings.Count(string(b), "href=")
		}
	}
	if hrefs < 100 {
		t.Errorf("only %d links in the real guide; is the check looking?", hrefs)
	}
	for _, p := range CheckLinks(files) {
		t.Error(p)
	}
	g, _ := guide.Check(realGuide())
	if len(s.Pages) != len(g.Pages()) {
		t.Errorf("%d pages for %d SUMMARY entries", len(s.Pages), len(g.Pages()))
	}
}

// TestSearchIndexVersion: the index's link changes when what it indexes
// changes, and only then (it is versioned by its sections, so that the
// layout need not wait for the index).
func TestSearchIndexVersion(t *testing.T) {
	ver := regexp.MustCompile(`assets/search-index\.js\?v=([0-9a-f]{8})`)
	get := func(s *Site) string {
		m := ver.FindStringSubmatch(string(s.Files["01-intro.html"]))
		if m == nil {
			t.Fatal("no versioned link to the search index")
		}
		return m[1]
	}
	a := get(renderSite(t, testGuide(nil), Options{}))
	b := get(renderSite(t, testGuide(nil), Options{Version: "other"}))
	c := get(renderSite(t, testGuide(map[string]string{"index.md": "# About\n\nRead [the intro](01-intro.md#install) twice.\n"}), Options{}))
	if a != b {
		t.Errorf("the same guide gave versions %s and %s", a, b)
	}
	if a == c {
		t.Errorf("another text kept version %s", a)
	}
	s := renderSite(t, testGuide(nil), Options{})
	if len(s.Files["assets/search-index.js"]) == 0 || s.SearchIndex != len(s.Files["assets/search-index.js"]) {
		t.Errorf("search index: %d bytes, SearchIndex %d", len(s.Files["assets/search-index.js"]), s.SearchIndex)
	}
}

// TestValuesJS checks that the built values.js carries what it takes
// from the guide: the value types' forms, the placeholders' types and the
// secrets' alphabet and length, with no marker left.
func TestValuesJS(t *testing.T) {
	s := renderSite(t, testGuide(nil), Options{})
	js := string(s.Files["assets/values.js"])
	for _, want := range []string{
		strconv.Quote(guide.SecretAlphabet),
		`SECRET_LEN=` + strconv.Itoa(guide.SecretLength),
		// (minified: keys unquoted, true as !0)
		`cidr:{form:"an IPv4 network in CIDR notation`,
		`password:{form:"8 to 128 letters, digits, dots, hyphens and underscores, beginning with a letter or digit",secret:!0}`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("values.js lacks %s", want)
		}
	}
	if strings.Contains(js, "haguide:") {
		t.Error("values.js keeps a marker")
	}
	if !strings.Contains(js, `PLACEHOLDERS={CONTROLLER_VIP:"ipv4"}`) {
		t.Error("values.js lacks the placeholders' types")
	}
	if _, err := valuesJS([]byte("var x = 1;"), nil); err == nil {
		t.Error("valuesJS filled a script without its markers")
	}
}

// TestDistroScopeNotice checks the notice a chapter carries for each
// distro it does not cover (distro_scope), naming the chapters that do.
func TestDistroScopeNotice(t *testing.T) {
	settings := `release = "2025.1"
distros = ["ubuntu", "debian", "rhel"]
nodes = ["controller1", "controller2"]

[distro_scope]
rhel = ["01-intro.md"]

[placeholders.CONTROLLER_VIP]
meaning = "The virtual IP"
example = "10.0.0.10"
type = "ipv4"
`
	s := renderSite(t, testGuide(map[string]string{"settings.toml": settings}), Options{})
	tests := []struct{ file, want string }{
		{"01-intro.html", ""},
		{"02-cluster.html", `<p class="distro-scope" data-distro="rhel" hidden>This chapter does not cover RHEL / CentOS Stream: the guide covers it in chapter 1 only. Where a step differs by distribution, Ubuntu&#39;s commands are shown, marked as such; none is written for RHEL / CentOS Stream.</p>`},
		{"index.html", ""},
	}
	for _, tt := range tests {
		page := string(s.Files[tt.file])
		got := regexp.MustCompile(`<p class="distro-scope".*</p>`).FindString(page)
		if got != tt.want {
			t.Errorf("%s: notice %q, want %q", tt.file, got, tt.want)
		}
	}
}
