package expect

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden diffs")

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
		{"missing line", []string{"a", "b"}, "a\n", false},
		{"extra line", []string{"a"}, "a\nb\n", false},
		{"ellipsis any lines", []string{"a", "...", "z"}, "a\nb\nc\nz\n", true},
		{"ellipsis zero lines", []string{"a", "...", "z"}, "a\nz\n", true},
		{"ellipsis at start and end", []string{"...", "Online: [ c1 c2 c3 ]", "..."}, "x\nOnline: [ c1 c2 c3 ]\ny\n", true},
		{"ellipsis only", []string{"..."}, "anything\nat all\n", true},
		{"ellipsis only, empty output", []string{"..."}, "", true},
		{"indented ellipsis line", []string{"a", "  ...  ", "b"}, "a\nq\nb", true},
		{"inline ellipsis", []string{"wsrep_cluster_size ... 3"}, "wsrep_cluster_size\t3\n", false},
		{"inline ellipsis matches", []string{"| wsrep_cluster_size | 3 |"}, "| wsrep_cluster_size | 3 |", true},
		{"inline prefix and suffix", []string{"inet 10.0.0.10/...scope global ..."}, "inet 10.0.0.10/32 scope global eth0", true},
		{"inline several", []string{"a...b...c"}, "aXXbYYc", true},
		{"inline order matters", []string{"a...c...b"}, "abc", false},
		{"inline overlapping prefix suffix", []string{"ab...ba"}, "aba", false},
		{"empty want, empty got", nil, "", true},
		{"empty want, output", nil, "x\n", false},
		{"literal regex characters", []string{"[x] (y)*"}, "[x] (y)*", true},
		{"two ellipses between", []string{"...", "mid", "...", "end"}, "mid\nend\n", true},
		{"ellipsis cannot skip an expected line", []string{"a", "...", "b", "c"}, "a\nc\n", false},
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

func TestDiffGolden(t *testing.T) {
	cases := map[string]struct {
		want []string
		got  string
	}{
		"changed-line": {[]string{"Cluster name: openstack", "...", "Online: [ controller1 controller2 controller3 ]", "..."},
			"Cluster name: openstack\nStack: corosync\nCurrent DC: controller1\nOnline: [ controller1 controller2 ]\nOFFLINE: [ controller3 ]\nFull list of resources:\n"},
		"missing-tail": {[]string{"a", "b", "c", "d"}, "a\nb\n"},
		"long-output":  {[]string{"start", "end"}, "start\n" + strings.Repeat("noise\n", 200) + "the end\n"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			r := Match(c.want, c.got)
			if r.OK {
				t.Fatal("want a mismatch")
			}
			path := filepath.Join("testdata", name+".diff")
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
			if n := strings.Count(r.Diff, "\n"); n > MaxDiffLines+4 {
				t.Errorf("diff has %d lines", n)
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
	} {
		if got := LineMatch(tt.want, tt.got); got != tt.ok {
			t.Errorf("LineMatch(%q, %q) = %v", tt.want, tt.got, got)
		}
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("a\n...\nz", "a\nb\nz\n")
	f.Add("x...y", "x--y")
	f.Add("", "")
	f.Add("...\n...", "\x1b[1mq\r\n")
	f.Fuzz(func(t *testing.T, want, got string) {
		r := Match(strings.Split(want, "\n"), got)
		if r.OK != (r.Diff == "") {
			t.Fatalf("OK %v with diff %q", r.OK, r.Diff)
		}
		// Output always matches itself, unless it holds the wildcard.
		if !strings.Contains(got, Ellipsis) {
			if r := Match(Lines(got), got); !r.OK {
				t.Fatalf("output does not match itself:\n%s", r.Diff)
			}
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

func BenchmarkMismatch10k(b *testing.B) {
	got := strings.Repeat("line\n", 10000)
	want := []string{"line", "...", "other", "line"}
	for b.Loop() {
		if Match(want, got).OK {
			b.Fatal("match")
		}
	}
}
