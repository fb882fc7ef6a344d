package lab

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRollupField(t *testing.T) {
	const kernel = "55d0c0a00000-7ffd3a9f6000 ---p 00000000 00:00 0    [rollup]\nRss:               12288 kB\nPss:                4321 kB\nPss_Dirty:          1000 kB\nPss_Anon:            900 kB\nPss_File:           3421 kB\n"
	for _, tc := range []struct {
		name, in, field string
		want            int64
	}{
		{"Pss", kernel, "Pss:", 4321 * 1024},
		{"Pss_Anon", kernel, "Pss_Anon:", 900 * 1024},
		{"no such line (an older kernel)", kernel, "Pss_Shmem:", 0},
		{"no Pss line", "Rss: 12 kB\n", "Pss:", 0},
		{"empty", "", "Pss:", 0},
		{"garbage number", "Pss: lots kB\n", "Pss:", 0},
	} {
		if got := rollupField([]byte(tc.in), tc.field); got != tc.want {
			t.Errorf("%s: rollupField(%q) = %d, want %d", tc.name, tc.field, got, tc.want)
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
	pss, anon := rollupField(data, "Pss:"), rollupField(data, "Pss_Anon:")
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
