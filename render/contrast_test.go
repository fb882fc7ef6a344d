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
