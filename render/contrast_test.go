package render

import (
	"strings"
	"testing"

	"github.com/alecthomas/chroma/v2"
)

func TestContrast(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want float64
	}{
		{"#000000", "#ffffff", 21},
		{"#ffffff", "#ffffff", 1},
		{"#6a737d", "#f7f7f7", 4.49}, // github's .bp, short of AA
		{"#767676", "#ffffff", 4.54},
	} {
		got := contrast(chroma.ParseColour(tc.a), chroma.ParseColour(tc.b))
		if got < tc.want-0.005 || got > tc.want+0.005 {
			t.Errorf("contrast(%s, %s) = %.3f, want %.2f", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestReadable(t *testing.T) {
	for _, tc := range []struct{ fg, bg, want string }{
		{"#6a737d", "#f7f7f7", ""},        // darkened until AA
		{"#1f2328", "#f7f7f7", "#1f2328"}, // enough already
		{"#30363d", "#0d1117", ""},        // lightened on a dark background
		{"#e6edf3", "#0d1117", "#e6edf3"},
	} {
		fg, bg := chroma.ParseColour(tc.fg), chroma.ParseColour(tc.bg)
		got := readable(fg, bg)
		if c := contrast(got, bg); c < minContrast {
			t.Errorf("readable(%s, %s) = %s: contrast %.2f", tc.fg, tc.bg, got, c)
		}
		if tc.want != "" && got.String() != tc.want {
			t.Errorf("readable(%s, %s) = %s, want it unchanged", tc.fg, tc.bg, got)
		}
		if tc.want == "" && got == fg {
			t.Errorf("readable(%s, %s) left it as it was", tc.fg, tc.bg)
		}
	}
}

// Every colour the site's two styles give code reaches AA on its
// background.
func TestChromaCSSContrast(t *testing.T) {
	for _, name := range []string{"github", "github-dark"} {
		s, err := chromaStyle(name)
		if err != nil {
			t.Fatal(err)
		}
		bg := s.Get(chroma.Background).Background
		for sel, d := range themeRules(s) {
			for _, decl := range strings.Split(d, ";") {
				if v, ok := strings.CutPrefix(decl, "color:#"); ok && !strings.Contains(d, "background-color") {
					if c := contrast(chroma.ParseColour("#"+v), bg); c < minContrast {
						t.Errorf("%s%s: #%s on %s is %.2f:1", name, sel, v, bg, c)
					}
				}
			}
		}
	}
}

// TestSameClasses checks that each class SameClasses maps has the same
// declarations as its target in both themes, and that github's string
// classes share one.
func TestSameClasses(t *testing.T) {
	got, err := SameClasses("github", "github-dark")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"s1", "s2", "si", "sx", "c1", "kn", "mi", "ow", "vm"} {
		if got[c] == "" {
			t.Errorf("%s maps to nothing", c)
		}
	}
	if got["s1"] != "s" || got["s2"] != "s" {
		t.Errorf("s1 -> %q, s2 -> %q, want s", got["s1"], got["s2"])
	}
	for _, c := range []string{"s", "k", "o", "nb"} {
		if to, ok := got[c]; ok {
			t.Errorf("%s maps to %s, but no class of its set is shorter", c, to)
		}
	}
	if got["se"] == "s" || got["o"] == "m" {
		t.Errorf("classes that differ in the dark theme merged: %v", got)
	}
	ls, _ := chromaStyle("github")
	ds, _ := chromaStyle("github-dark")
	lr, dr := themeRules(ls), themeRules(ds)
	for from, to := range got {
		if lr[" ."+from] != lr[" ."+to] || dr[" ."+from] != dr[" ."+to] {
			t.Errorf("%s -> %s: light %q vs %q, dark %q vs %q", from, to, lr[" ."+from], lr[" ."+to], dr[" ."+from], dr[" ."+to])
		}
	}
	if _, err := SameClasses("github", "no-such-style"); err == nil {
		t.Error("an unknown style: no error")
	}
}
