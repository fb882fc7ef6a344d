package lab

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRollupPss(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want int64
	}{
		{"kernel format", "55d0c0a00000-7ffd3a9f6000 ---p 00000000 00:00 0    [rollup]\nRss:               12288 kB\nPss:                4321 kB\nPss_Dirty:          1000 kB\n", 4321 * 1024},
		{"no Pss line", "Rss: 12 kB\n", 0},
		{"empty", "", 0},
		{"garbage number", "Pss: lots kB\n", 0},
	} {
		if got := rollupPss([]byte(tc.in)); got != tc.want {
			t.Errorf("%s: rollupPss = %d, want %d", tc.name, got, tc.want)
		}
	}
}

// The test's own process has a smaps_rollup with a Pss line, as every
// process of a lab node has.
func TestRollupPssOfThisProcess(t *testing.T) {
	data, err := os.ReadFile("/proc/self/smaps_rollup")
	if err != nil {
		t.Skip("no /proc/self/smaps_rollup here:", err)
	}
	if got := rollupPss(data); got <= 0 {
		t.Errorf("rollupPss of this process = %d, want > 0:\n%s", got, data)
	}
}

func TestSumMemory(t *testing.T) {
	got := sumMemory([]string{"c1", "c2", "c3"}, []procMemory{
		{"c2", "nova-api", 300},
		{"c1", "nova-api", 200},
		{"c1", "mariadbd", 500},
		{"c2", "", 10},
		{"c1", "beam.smp", 500},
		{"c1", "nova-api", 100},
	})
	want := MemoryUse{
		Total: 1610,
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
