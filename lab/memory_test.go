package lab

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseRollup(t *testing.T) {
	const kernel = "55d0c0a00000-7ffd3a9f6000 ---p 00000000 00:00 0    [rollup]\nRss:               12288 kB\nPss:                4321 kB\nPss_Dirty:          1000 kB\nPss_Anon:            900 kB\nPss_File:           3421 kB\n"
	for _, tc := range []struct {
		name, in  string
		pss, anon int64
	}{
		{"a 6.x kernel", kernel, 4321 * 1024, 900 * 1024},
		{"no Pss_Anon line (before 5.8)", "Rss: 12 kB\nPss: 8 kB\nPss_Dirty: 1 kB\n", 8 * 1024, 0},
		{"no Pss line", "Rss: 12 kB\n", 0, 0},
		{"empty", "", 0, 0},
		{"garbage number", "Pss: lots kB\nPss_Anon: 3 kB\n", 0, 3 * 1024},
		{"no trailing newline", "Pss_Anon: 2 kB\nPss: 5 kB", 5 * 1024, 2 * 1024},
	} {
		pss, anon := parseRollup([]byte(tc.in))
		if pss != tc.pss || anon != tc.anon {
			t.Errorf("%s: parseRollup = (%d, %d), want (%d, %d)", tc.name, pss, anon, tc.pss, tc.anon)
		}
	}
}

// The test's own process has a smaps_rollup with a Pss line, as every
// process of a lab node has.
func TestRollupOfThisProcess(t *testing.T) {
	data, err := os.ReadFile("/proc/self/smaps_rollup")
	if err != nil {
		t.Skip("no /proc/self/smaps_rollup here:", err)
	}
	pss, anon := parseRollup(data)
	if pss <= 0 || anon <= 0 || anon > pss {
		t.Errorf("this process: Pss %d, Pss_Anon %d; want 0 < Pss_Anon <= Pss:\n%s", pss, anon, data)
	}
}

func TestSumMemory(t *testing.T) {
	got := sumMemory([]string{"c1", "c2", "c3"}, []procMemory{
		{"c2", "nova-api", 300, 250},
		{"c1", "nova-api", 200, 150},
		{"c1", "mariadbd", 500, 100},
		{"c2", "", 10, 0},
		{"c1", "beam.smp", 500, 400},
		{"c1", "nova-api", 100, 50},
	})
	want := MemoryUse{
		Total: 1610,
		Anon:  950,
		Nodes: []NamedBytes{{"c1", 1300, 4}, {"c2", 310, 2}, {"c3", 0, 0}},
		Programs: []NamedBytes{
			{"nova-api", 600, 3},
			{"beam.smp", 500, 1},
			{"mariadbd", 500, 1},
			{"?", 10, 1},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sumMemory (-want +got):\n%s", diff)
	}
}

func TestNodeMAC(t *testing.T) {
	for addr, want := range map[string]string{
		"10.0.0.13":     "02:68:67:00:00:0d",
		"10.0.99.11":    "02:68:67:00:63:0b",
		"192.168.1.254": "02:68:67:a8:01:fe",
		"not an ip":     "02:68:67:00:00:00",
	} {
		if got := nodeMAC(addr); got != want {
			t.Errorf("nodeMAC(%q) = %s, want %s", addr, got, want)
		}
	}
}

// FuzzParseRollup: any input is read without a panic, and a figure comes
// only from a line that names it.
func FuzzParseRollup(f *testing.F) {
	f.Add([]byte("Rss: 12 kB\nPss: 8 kB\nPss_Anon: 3 kB\n"))
	f.Add([]byte("Pss:\nPss_Anon: -1 kB"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pss, anon := parseRollup(data)
		if pss != 0 && !strings.Contains(string(data), "Pss:") {
			t.Errorf("Pss %d from input without a Pss: line", pss)
		}
		if anon != 0 && !strings.Contains(string(data), "Pss_Anon:") {
			t.Errorf("Pss_Anon %d from input without a Pss_Anon: line", anon)
		}
	})
}
