package site

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestMinifyCSS(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a {\n  color: red;\n}\n", "a{color:red;}"},
		{"/* c */ .x  .y , .z > .w { margin : 0 auto ; }", ".x .y,.z>.w{margin :0 auto;}"}, // a space before : may be a selector's
		// A space before : or ( is a descendant combinator or needed by
		// the media query syntax.
		{"a :hover { x: 1 }", "a :hover{x:1}"},
		{"@media (max-width: 48rem) and (min-width: 1px) {\n  a { b: c }\n}", "@media (max-width:48rem) and (min-width:1px){a{b:c}}"},
		// calc needs its spaces around + and -.
		{"a { width: calc(100% - 2rem + 1px); }", "a{width:calc(100% - 2rem + 1px);}"},
		// Strings stay as they are, comments and quotes in them too.
		{`.p::before { content: "# " / ""; content: "a : { /* b */ } ;" }`, `.p::before{content:"# " / "";content:"a : { /* b */ } ;"}`},
		{`a { content: 'it\'s  ;' }`, `a{content:'it\'s  ;'}`},
		{"a{}/* unclosed", "a{}"},
	}
	for _, tt := range tests {
		if got := minifyCSS(tt.in); got != tt.want {
			t.Errorf("minifyCSS(%q)\n = %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func TestMinifyJS(t *testing.T) {
	in := "(function () {\n  'use strict';\n  // a comment\n\n  var a = 1; // kept: after code\n  var url = 'http://x'; /* kept */\n  return a\n})();\n"
	want := "(function () {\n'use strict';\nvar a = 1; // kept: after code\nvar url = 'http://x'; /* kept */\nreturn a\n})();\n"
	if got := minifyJS(in); got != want {
		t.Errorf("minifyJS =\n%s\nwant\n%s", got, want)
	}
}

// TestMinifiedAssets: the site's scripts have nothing minifyJS would
// change the meaning of (template literals, strings continued over lines),
// the minified scripts still parse (under node, when it is installed), and
// the minified CSS keeps every rule.
func TestMinifiedAssets(t *testing.T) {
	for _, name := range []string{"assets/site.js", "assets/search.js"} {
		src, err := embedded.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			if strings.Contains(line, "`") || strings.HasSuffix(line, `\`) {
				t.Errorf("%s:%d: a template literal or a string continued over lines, which minifyJS would change: %s", name, i+1, line)
			}
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
		must(t, os.WriteFile(f, []byte(minifyJS(string(src))), 0o644))
		if out, err := exec.Command(node, "--check", f).CombinedOutput(); err != nil {
			t.Errorf("minified %s does not parse: %v\n%s", name, err, out)
		}
	}
	css, err := embedded.ReadFile("assets/site.css")
	if err != nil {
		t.Fatal(err)
	}
	min := minifyCSS(string(css))
	if a, b := strings.Count(string(css), "{")-strings.Count(string(css), "/*{"), strings.Count(min, "{"); a != b {
		t.Errorf("site.css has %d blocks, minified %d", a, b)
	}
	if len(min) > len(css)*9/10 {
		t.Errorf("minified site.css is %d bytes of %d", len(min), len(css))
	}
}
