package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/haguide/haguide/lab"
	"github.com/haguide/haguide/runner"
)

// The peak sample keeps the largest total and its moment; the report
// names the step running then, the nodes and the largest programs.
func TestMemoryPeakReport(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 11, 0, 0, 0, time.UTC)
	var peak memoryPeak
	small := lab.MemoryUse{Total: 1 << 30}
	var programs []lab.NamedBytes
	for i := range peakPrograms + 3 {
		programs = append(programs, lab.NamedBytes{Name: string(rune('a' + i)), Bytes: int64(100-i) << 20, Processes: 1})
	}
	big := lab.MemoryUse{Total: 3 << 30, Anon: 2 << 30,
		Nodes:    []lab.NamedBytes{{Name: "controller1", Bytes: 2 << 30, Processes: 90}, {Name: "controller2", Bytes: 1 << 30, Processes: 80}},
		Programs: programs}
	peak.offer(small, t0)
	peak.offer(big, t0.Add(time.Minute))
	peak.offer(small, t0.Add(2*time.Minute))
	use, at := peak.get()
	if use.Total != big.Total || !at.Equal(t0.Add(time.Minute)) {
		t.Fatalf("peak = %d at %s, want %d at %s", use.Total, at, big.Total, t0.Add(time.Minute))
	}
	rep := &runner.Report{PeakMemory: use.Total, Steps: []*runner.StepResult{
		{ID: "one/a/1", Started: t0},
		{ID: "one/a/2", Started: t0.Add(50 * time.Second)},
		{ID: "one/a/3", Started: t0.Add(90 * time.Second)},
		{ID: "one/a/4"}, // not run
	}}
	rep.Peak = peakReport(rep, use, at)
	if rep.Peak.Step != "one/a/2" {
		t.Errorf("step at the peak = %q, want one/a/2", rep.Peak.Step)
	}
	if len(rep.Peak.Programs) != peakPrograms || rep.Peak.Programs[0].Name != "a" {
		t.Errorf("programs: %d, first %+v; want the %d largest", len(rep.Peak.Programs), rep.Peak.Programs[0], peakPrograms)
	}
	var out bytes.Buffer
	printPeak(&out, rep)
	lines := bytes.Split(bytes.TrimSpace(out.Bytes()), []byte("\n"))
	want := []string{
		"lab peak memory (PSS of every node process): 3.00 GiB at 11:01:00, during one/a/2",
		"  of which anonymous 2.00 GiB (heaps and stacks); the rest is file pages the kernel can drop",
		"  controller1               2.00 GiB    90 processes",
		"  controller2               1.00 GiB    80 processes",
		"  largest programs:",
		"  a                          100 MiB     1 processes",
	}
	var got []string
	for _, l := range lines[:len(want)] {
		got = append(got, string(l))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("printPeak (-want +got):\n%s", diff)
	}
	if n := len(lines); n != 5+peakPrograms {
		t.Errorf("printPeak printed %d lines, want %d", n, 5+peakPrograms)
	}
}
