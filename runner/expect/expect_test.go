package expect

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden diffs in testdata")

func TestLines(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", []string{}},
		{"only newlines", "\n\n\r\n", []string{}},
		{"no final newline", "a\nb", []string{"a", "b"}},
		{"crlf", "a\r\nb\r\n", []string{"a", "b"}},
		{"trailing white space", "a \t\nb\v\f \n", []string{"a", "b"}},
		{"leading white space and blank lines kept", "\n  a\n\nb\n\n", []string{"", "  a", "", "b"}},
		{"colours", "\x1b[1;32mactive\x1b[0m (running)", []string{"active (running)"}},
		{"cursor and erase", "\x1b[?25l\x1b[2K\x1b[1Gdone\x1b[?25h", []string{"done"}},
		{"charset selection", "\x1b(Bplain\x1b)0", []string{"plain"}},
		{"hyperlink", "see \x1b]8;;https://example.org\x1b\\here\x1b]8;;\x1b\\.", []string{"see here."}},
		{"window title with bel", "\x1b]0;title\x07prompt", []string{"prompt"}},
		{"unfinished escape at line end", "a\x1b[12\nb\x1b", []string{"a", "b"}},
		{"open osc ends at the line", "a\x1b]0;x\nb", []string{"a", "b"}},
		{"progress rewritten with cr", "  0%\r 50%\r100% done\n", []string{"100% done"}},
		{"cr then erase", "working...\r\x1b[Kfinished  \r\n", []string{"finished"}},
		{"utf-8 kept", "état ✓\n", []string{"état ✓"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Lines(tt.in)
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("Lines(%q) (-want +got):\n%s", tt.in, d)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name string
		want []string
		got  string
		ok   bool
	}{
		{"exact", []string{"a", "b"}, "a\nb\n", true},
		{"exact no final newline", []string{"a", "b"}, "a\nb", true},
		{"crlf, ansi and trailing space", []string{"active", "ok"}, "\x1b[32mactive\x1b[0m  \r\nok\r\n\n\n", true},
		{"trailing blank expected lines", []string{"a", "", ""}, "a", true},
		{"trailing space in expected line", []string{"a  "}, "a", true},
		{"leading space is literal", []string{" a"}, "a", false},
		{"blank line in the middle is literal", []string{"a", "b"}, "a\n\nb", false},
		{"missing line", []string{"a", "b"}, "a\n", false},
		{"extra line", []string{"a"}, "a\nb\n", false},
		{"ellipsis any lines", []string{"a", "...", "z"}, "a\nb\nc\nz\n", true},
		{"ellipsis zero lines", []string{"a", "...", "z"}, "a\nz\n", true},
		{"ellipsis at start and end", []string{"...", "Online: [ c1 c2 c3 ]", "..."}, "x\nOnline: [ c1 c2 c3 ]\ny\n", true},
		{"ellipsis only", []string{"..."}, "anything\nat all\n", true},
		{"ellipsis only, empty output", []string{"..."}, "", true},
		{"two ellipsis lines in a row", []string{"a", "...", "...", "b"}, "a\nb", true},
		{"indented ellipsis line", []string{"a", "  ...  ", "b"}, "a\nq\nb", true},
		{"ellipsis takes blank lines", []string{"a", "...", "b"}, "a\n\n\nb", true},
		{"inline ellipsis", []string{"wsrep_cluster_size ... 3"}, "wsrep_cluster_size\t3\n", false},
		{"inline ellipsis matches", []string{"| wsrep_cluster_size | ... |"}, "| wsrep_cluster_size | 3     |", true},
		{"inline prefix and suffix", []string{"inet 10.0.0.10/...scope global ..."}, "inet 10.0.0.10/32 scope global eth0", true},
		{"inline empty text", []string{"a...b"}, "ab", true},
		{"inline several", []string{"a...b...c"}, "aXXbYYc", true},
		{"inline order matters", []string{"a...c...b"}, "abc", false},
		{"inline overlapping prefix suffix", []string{"ab...ba"}, "aba", false},
		{"inline stays within a line", []string{"a...b"}, "a\nb", false},
		{"four dots", []string{"wait...."}, "wait, then.", true},
		{"inline ellipsis is not a line wildcard", []string{"x ..."}, "x 1\nx 2", false},
		{"empty want, empty got", nil, "", true},
		{"empty want, blank output", nil, "\n \n", true},
		{"empty want, output", nil, "x\n", false},
		{"literal regex characters", []string{"[x] (y)*.+?^$"}, "[x] (y)*.+?^$", true},
		{"regex characters do not match anything", []string{"a.c"}, "abc", false},
		{"two ellipses between", []string{"...", "mid", "...", "end"}, "mid\nend\n", true},
		{"ellipsis cannot skip an expected line", []string{"a", "...", "b", "c"}, "a\nc\n", false},
		{"want element holding newlines", []string{"a\nb"}, "a\nb", true},
		{"last match wins for a later line", []string{"...", "x", "y"}, "x\ny\nx\ny\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Match(tt.want, tt.got)
			if r.OK != tt.ok {
				t.Errorf("Match(%q, %q).OK = %v, want %v\n%s", tt.want, tt.got, r.OK, tt.ok, r.Diff)
			}
			if r.OK != (r.Diff == "") {
				t.Errorf("OK %v with diff %q", r.OK, r.Diff)
			}
		})
	}
}

func TestLineMatch(t *testing.T) {
	for _, tt := range []struct {
		want, got string
		ok        bool
	}{
		{"abc", "abc", true},
		{"abc", "abd", false},
		{"...", "", true},
		{"a...", "abc", true},
		{"...c", "abc", true},
		{"a...c", "ac", true},
		{"a...a", "a", false},
		{"a...b...b", "abb", true},
		{"a...b...b", "ab", false},
		{"......", "anything", true},
	} {
		if got := LineMatch(tt.want, tt.got); got != tt.ok {
			t.Errorf("LineMatch(%q, %q) = %v", tt.want, tt.got, got)
		}
	}
}

// goldenCases are mismatches whose diffs are kept in testdata/NAME.diff.
var goldenCases = []struct {
	name string
	want []string
	got  string
}{
	{"changed-line",
		[]string{"Cluster name: openstack", "...", "Online: [ controller1 controller2 controller3 ]", "..."},
		"Cluster name: openstack\nStack: corosync\nCurrent DC: controller1\nOnline: [ controller1 controller2 ]\nOFFLINE: [ controller3 ]\nFull list of resources:\n"},
	{"missing-tail", []string{"a", "b", "c", "d"}, "a\nb\n"},
	{"no-output", []string{"active"}, "\n"},
	{"long-output", []string{"start", "end"}, "start\n" + strings.Repeat("noise\n", 200) + "the end\n"},
	{"inline-wildcard",
		[]string{"+--------------------+-------+", "| Variable_name      | Value |", "+--------------------+-------+", "| wsrep_cluster_size | 3     |", "+--------------------+-------+"},
		"+--------------------+-------+\n| Variable_name      | Value |\n+--------------------+-------+\n| wsrep_cluster_size | 2     |\n+--------------------+-------+\n"},
	{"two-hunks", numbered("line", 1, 30, map[int]string{5: "changed five", 25: "changed twenty-five"}),
		strings.Join(numbered("line", 1, 30, nil), "\n")},
	{"ellipsis-context",
		[]string{"...", "● haproxy.service - HAProxy Load Balancer", "     Active: active (running) since ...", "..."},
		"\x1b[0;1;32m●\x1b[0m haproxy.service - HAProxy Load Balancer\n     Loaded: loaded\n     Active: failed (Result: exit-code) since Tue 2026-11-24\n   Main PID: 1234\n"},
	{"extra-lines", []string{"ok"}, "ok\nwarning: something\nwarning: else\n"},
	{"tabs-and-controls", []string{"wsrep_cluster_size 3"}, "wsrep_cluster_size\t3\nbell\x07\x08\n"},
	{"huge", numbered("want", 1, 3000, nil), strings.Join(numbered("got", 1, 3000, nil), "\n")},
}

// numbered returns lines "prefix N" for N in [from, to], with some
// replaced.
func numbered(prefix string, from, to int, replace map[int]string) []string {
	var out []string
	for i := from; i <= to; i++ {
		if r, ok := replace[i]; ok {
			out = append(out, r)
			continue
		}
		out = append(out, fmt.Sprintf("%s %d", prefix, i))
	}
	return out
}

func TestDiffGolden(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			r := Match(c.want, c.got)
			if r.OK {
				t.Fatal("want a mismatch")
			}
			path := filepath.Join("testdata", c.name+".diff")
			if *update {
				if err := os.WriteFile(path, []byte(r.Diff), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			golden, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(string(golden), r.Diff); d != "" {
				t.Errorf("diff differs from %s (-golden +got):\n%s", path, d)
			}
			checkDiffShape(t, r.Diff)
		})
	}
}

// checkDiffShape checks what every diff must be: headed, capped, and
// with at least one changed line.
func checkDiffShape(t *testing.T, d string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(d, "\n"), "\n")
	if len(lines) < 3 || lines[0] != "--- expected (the guide)" || !strings.HasPrefix(lines[1], "+++ output") {
		t.Fatalf("diff without its header:\n%s", d)
	}
	if len(lines) > MaxDiffLines+3 {
		t.Errorf("diff has %d lines, more than %d", len(lines), MaxDiffLines+3)
	}
	changed := false
	for _, l := range lines[2:] {
		changed = changed || strings.HasPrefix(l, "- ") || strings.HasPrefix(l, "+ ")
	}
	if !changed {
		t.Errorf("diff shows no changed line:\n%s", d)
	}
}

// refMatch is the obvious recursive matcher, memoised so fuzzing stays
// fast; Match must agree with it.
func refMatch(w, g []string) bool {
	memo := map[[2]int]bool{}
	var rec func(i, j int) bool
	rec = func(i, j int) bool {
		k := [2]int{i, j}
		if v, ok := memo[k]; ok {
			return v
		}
		var v bool
		switch {
		case i == len(w):
			v = j == len(g)
		case w[i] == Ellipsis:
			for k := j; k <= len(g) && !v; k++ {
				v = rec(i+1, k)
			}
		default:
			v = j < len(g) && refLine(w[i], g[j]) && rec(i+1, j+1)
		}
		memo[k] = v
		return v
	}
	return rec(0, 0)
}

// refLine matches one line character by character, "..." by trying
// every length.
func refLine(p, s string) bool {
	memo := map[[2]int]bool{}
	var rec func(a, b int) bool
	rec = func(a, b int) bool {
		k := [2]int{a, b}
		if v, ok := memo[k]; ok {
			return v
		}
		var v bool
		switch {
		case strings.HasPrefix(p[a:], Ellipsis):
			for c := b; c <= len(s) && !v; c++ {
				v = rec(a+len(Ellipsis), c)
			}
		case a == len(p):
			v = b == len(s)
		default:
			v = b < len(s) && p[a] == s[b] && rec(a+1, b+1)
		}
		memo[k] = v
		return v
	}
	return rec(0, 0)
}

func FuzzMatch(f *testing.F) {
	f.Add("a\n...\nz", "a\nb\nz\n")
	f.Add("x...y", "x--y")
	f.Add("", "")
	f.Add("...\n...", "\x1b[1mq\r\n")
	f.Add("a...b...c\n...", "aXbYc\nmore\n")
	f.Add("....", "..\x1b[m.\n")
	f.Fuzz(func(t *testing.T, want, got string) {
		wl := strings.Split(want, "\n")
		r := Match(wl, got)
		if r.OK != (r.Diff == "") {
			t.Fatalf("OK %v with diff %q", r.OK, r.Diff)
		}
		if !r.OK {
			checkDiffShape(t, r.Diff)
		}
		if len(want) <= 200 && len(got) <= 200 {
			if ref := refMatch(normWant(wl), Lines(got)); ref != r.OK {
				t.Fatalf("Match says %v, the reference matcher %v", r.OK, ref)
			}
		}
		// Output matches itself, as its normalised lines or as it is
		// (a "..." in it can only widen what the lines match).
		if r := Match(Lines(got), got); !r.OK {
			t.Fatalf("output does not match its lines:\n%s", r.Diff)
		}
		if r := Match(strings.Split(got, "\n"), got); !r.OK {
			t.Fatalf("output does not match itself:\n%s", r.Diff)
		}
		if r := Match([]string{Ellipsis}, got); !r.OK {
			t.Fatalf("... does not match %q", got)
		}
	})
}

func BenchmarkMatch10k(b *testing.B) {
	got := strings.Repeat("some line of output that goes on\n", 10000) + "last\n"
	want := []string{"some line of output that goes on", "...", "last"}
	b.SetBytes(int64(len(got)))
	for b.Loop() {
		if !Match(want, got).OK {
			b.Fatal("no match")
		}
	}
}

func BenchmarkMatch10kEveryLine(b *testing.B) {
	lines := numbered("Listening on 10.0.0.11 port", 1, 10000, nil)
	got := strings.Join(lines, "\n") + "\n"
	want := append([]string(nil), lines...)
	want[5000] = "Listening on ... port ..."
	b.SetBytes(int64(len(got)))
	for b.Loop() {
		if !Match(want, got).OK {
			b.Fatal("no match")
		}
	}
}

func BenchmarkMismatch10k(b *testing.B) {
	got := strings.Repeat("line\n", 10000)
	want := []string{"line", "...", "other", "line"}
	b.SetBytes(int64(len(got)))
	for b.Loop() {
		if Match(want, got).OK {
			b.Fatal("match")
		}
	}
}

func BenchmarkMismatch10kEveryLine(b *testing.B) {
	lines := numbered("row", 1, 10000, nil)
	got := strings.Join(lines, "\n") + "\n"
	want := numbered("row", 1, 10000, map[int]string{5000: "row five thousand"})
	b.SetBytes(int64(len(got)))
	for b.Loop() {
		if Match(want, got).OK {
			b.Fatal("match")
		}
	}
}

// BenchmarkWorstCase10k is the most a mismatch can cost: an alignment
// table near its cap, with "..." lines keeping every span open and
// inline wildcards in every other expected line.
func BenchmarkWorstCase10k(b *testing.B) {
	got := strings.Repeat("node controller1 is up and running fine\n", 10000)
	var want []string
	for range 400 {
		want = append(want, "...", "node ... is ... running badly")
	}
	b.SetBytes(int64(len(got)))
	for b.Loop() {
		if Match(want, got).OK {
			b.Fatal("match")
		}
	}
}
