package site

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"
)

// TestMinifyCSS pins what the site's stylesheet relies on: the minifier
// keeps a descendant combinator before ":", the spaces calc() needs,
// and strings as they are.
func TestMinifyCSS(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a {\n  color: red;\n}\n", "a{color:red}"},
		{"/* c */ .x  .y , .z > .w { margin : 0 auto ; }", ".x .y,.z>.w{margin:0 auto}"},
		{"a :hover { x: 1 }", "a :hover{x:1}"},
		{"a { width: calc(100% - 2rem + 1px); }", "a{width:calc(100% - 2rem + 1px)}"},
		{`.p::before { content: "a : { /* b */ } ;" }`, `.p::before{content:"a : { /* b */ } ;"}`},
		{"a { color: var(--fg, #000000); }", "a{color:var(--fg,#000000)}"},
	}
	for _, tt := range tests {
		got, err := minifyAsset("test.css", "text/css", []byte(tt.in))
		if err != nil || string(got) != tt.want {
			t.Errorf("minifyAsset(%q)\n = %q, %v\nwant %q", tt.in, got, err, tt.want)
		}
	}
}

// TestMinifyError: a script the minifier cannot parse is an error that
// names the asset, not a silently broken file.
func TestMinifyError(t *testing.T) {
	_, err := minifyAsset("assets/broken.js", "text/javascript", []byte("var a = ;"))
	if err == nil || !strings.Contains(err.Error(), "assets/broken.js") {
		t.Fatalf("err = %v, want an error naming assets/broken.js", err)
	}
}

// minified reads an embedded asset and minifies it.
func minified(t *testing.T, name, mediatype string) (src, min []byte) {
	t.Helper()
	src, err := embedded.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	min, err = minifyAsset(name, mediatype, src)
	if err != nil {
		t.Fatal(err)
	}
	return src, min
}

// TestMinifiedAssets: the minified scripts still parse (under node, when
// it is installed; the browser test runs them), keep their names, and the
// minified CSS keeps every rule and is smaller.
func TestMinifiedAssets(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"assets/site.js", "assets/search.js", "assets/values.js"} {
		src, min := minified(t, name, "text/javascript")
		if len(min) >= len(src) {
			t.Errorf("minified %s is %d bytes of %d", name, len(min), len(src))
		}
		if name == "assets/site.js" && !strings.Contains(string(min), "function effectiveTheme(") {
			t.Errorf("minified site.js lost its function names")
		}
		node, skip, err := findNode(exec.LookPath, os.Getenv("HAGUIDE_NODE"), os.Getenv("CI") == "true")
		if err != nil {
			t.Fatal(err)
		}
		if skip != "" {
			t.Log(skip)
			continue
		}
		f := filepath.Join(t.TempDir(), filepath.Base(name))
		must(t, os.WriteFile(f, min, 0o644))
		if out, err := exec.Command(node, "--check", f).CombinedOutput(); err != nil {
			t.Errorf("minified %s does not parse: %v\n%s", name, err, out)
		}
	}
	css, minCSS := minified(t, "assets/site.css", "text/css")
	if a, b := strings.Count(string(css), "{")-strings.Count(string(css), "/*{"), strings.Count(string(minCSS), "{"); a != b {
		t.Errorf("site.css has %d blocks, minified %d", a, b)
	}
	if len(minCSS) > len(css)*9/10 {
		t.Errorf("minified site.css is %d bytes of %d", len(minCSS), len(css))
	}
}

// TestMinifyMarkup pins what the pages, the stylesheets and the scripts
// rely on in minified HTML and SVG: every end tag and the document's
// tags stay, pre keeps its text to the byte, a space between inline
// elements stays, and an SVG keeps its text, ids, classes and the
// fill="#fff" its dark-scheme rule selects.
func TestMinifyMarkup(t *testing.T) {
	tests := []struct {
		name, mediatype, in string
		want                []string // in the output
		not                 []string // not in the output
	}{
		{"document", "text/html",
			"<!DOCTYPE html>\n<html lang=\"en\" class=\"no-js\">\n<head>\n<title>T</title>\n</head>\n<body>\n<p>a</p>\n</body>\n</html>\n",
			[]string{`<html lang=en class=no-js><head><title>T</title></head><body><p>a</p></body></html>`}, []string{"\n"}},
		{"pre keeps its text", "text/html",
			"<pre class=\"chroma\" tabindex=\"0\"><code><span class=\"cmd user\">a   b</span>\n  <var>X</var>\n\n</code></pre>",
			[]string{"<pre class=chroma tabindex=0><code><span class=\"cmd user\">a   b</span>\n  <var>X</var>\n\n</code></pre>"}, nil},
		{"inline space", "text/html",
			"<p>Set <var>A</var> and\n   <code>b</code>.</p>",
			[]string{"<p>Set <var>A</var> and\n<code>b</code>.</p>"}, nil},
		{"end tags", "text/html",
			"<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n<dl><dt>x</dt><dd id=\"ph-X\">y</dd></dl>",
			[]string{"<ul><li>a</li><li>b</li></ul><dl><dt>x</dt><dd id=ph-X>y</dd></dl>"}, nil},
		{"attributes", "text/html",
			`<button type="button" class="values-open js-only" hidden aria-pressed="false" data-root="">x</button><a href="a.html?distro=rhel#s" data-href-rhel="https://x.org/a b">y</a>`,
			[]string{`type=button`, `class="values-open js-only"`, ` hidden `, `aria-pressed=false`, `href="a.html?distro=rhel#s"`, `data-href-rhel="https://x.org/a b"`}, nil},
		{"svg figure", "image/svg+xml",
			"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"diagram\" viewBox=\"0 0 80 40\" width=\"80\" height=\"40\">\n" +
				"<style>@media (prefers-color-scheme: dark){[fill=\"#fff\"]{fill:#0d1117}}</style>\n" +
				"<g id=\"net\" transform='translate(8,16)'>\n<circle cx='8' cy='8' r='6' stroke='currentColor' stroke-width='2' fill='#fff'></circle>\n" +
				"<text text-anchor='middle' x='16' y='4' fill='currentColor' style='font-size:1em'>&amp;</text>\n</g>\n</svg>\n",
			[]string{`class="diagram"`, `viewBox="0 0 80 40"`, `id="net"`, `fill="#fff"`, `[fill="#fff"]{fill:#0d1117}`, `>&amp;</text>`}, []string{"\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte(tt.in)
			got, err := minifyAsset("x", tt.mediatype, in)
			if err != nil {
				t.Fatal(err)
			}
			if string(in) != tt.in {
				t.Errorf("the input changed to %q", in)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(got), w) {
					t.Errorf("no %q in\n%s", w, got)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(string(got), w) {
					t.Errorf("%q in\n%s", w, got)
				}
			}
		})
	}
}

// TestMinifiedPages: minifying a page changes no element, attribute or
// text a reader, a script or a screen reader sees, only whitespace that
// shows nothing and the quotes; for every page of the test guide and
// the real guide (the print view too), against Options.Readable.
func TestMinifiedPages(t *testing.T) {
	t.Parallel()
	for _, fsys := range []fs.FS{testGuide(nil), realGuide()} {
		g, err := Load(fsys)
		if err != nil {
			t.Fatal(err)
		}
		var sites [2]*Site
		for i, readable := range []bool{true, false} {
			if sites[i], err = Render(g, Options{Readable: readable}); err != nil {
				t.Fatal(err)
			}
		}
		pages := 0
		for name, readable := range sites[0].Files {
			if path.Ext(name) != ".html" {
				continue
			}
			pages++
			min := sites[1].Files[name]
			if diff := cmp.Diff(markupTokens(t, readable), markupTokens(t, min)); diff != "" {
				t.Errorf("%s: minified (+) differs from readable (-):\n%s", name, diff)
			}
			if len(min) >= len(readable) {
				t.Errorf("%s: minified %d bytes of %d", name, len(min), len(readable))
			}
		}
		if pages < 3 {
			t.Errorf("compared %d pages", pages)
		}
	}
}

var spaces = regexp.MustCompile(`\s+`)

// markupTokens is an HTML page as its tags, attributes and text, with
// runs of white space as one space outside pre and text that is only
// white space left out.
func markupTokens(t *testing.T, b []byte) []string {
	t.Helper()
	var out []string
	pre := 0
	z := html.NewTokenizer(bytes.NewReader(b))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				t.Fatal(z.Err())
			}
			return out
		case html.TextToken:
			text := string(z.Text())
			if pre == 0 {
				text = spaces.ReplaceAllString(text, " ")
			}
			if strings.TrimSpace(text) != "" {
				out = append(out, text)
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if tok.Data == "pre" && tt == html.StartTagToken {
				pre++
			} else if tok.Data == "pre" && tt == html.EndTagToken {
				pre--
			}
			out = append(out, tok.String())
		default:
			out = append(out, strings.ToLower(z.Token().String()))
		}
	}
}
