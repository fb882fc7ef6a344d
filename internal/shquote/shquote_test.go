package shquote

import (
	"os/exec"
	"testing"
)

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "''"},
		{"plain", "'plain'"},
		{"it's", `'it'\''s'`},
		{"$HOME `x` \"y\" \\ *", "'$HOME `x` \"y\" \\ *'"},
		{"a\nb", "'a\nb'"},
	}
	sh, err := exec.LookPath("sh")
	for _, tt := range tests {
		if got := Quote(tt.in); got != tt.want {
			t.Errorf("Quote(%q) = %s, want %s", tt.in, got, tt.want)
		}
		if err != nil {
			continue
		}
		// The shell reads the word back as the string.
		out, err := exec.Command(sh, "-c", "printf %s "+Quote(tt.in)).Output()
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != tt.in {
			t.Errorf("sh read %q back as %q", tt.in, out)
		}
	}
}
