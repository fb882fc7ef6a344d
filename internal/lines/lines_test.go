package lines

import "testing"

func TestTail(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"", 3, ""},
		{"a\nb\n", 3, "a\nb"},
		{"a\nb\nc\n\n", 3, "a\nb\nc"},
		{"a\nb\nc\nd\ne\n", 2, "[3 lines before]\nd\ne"},
		{"one", 1, "one"},
	}
	for _, tt := range tests {
		if got := Tail(tt.in, tt.n); got != tt.want {
			t.Errorf("Tail(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
