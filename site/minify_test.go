package site

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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
