package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/internal/sshtest"
	"github.com/haguide/haguide/lab"
	"github.com/haguide/haguide/runner"
	"github.com/haguide/haguide/runner/inventory"
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

// plan is what verify will do: for every distro of the embedded guide and
// each target (the lab, your nodes), plan with verify's flags lists the
// steps verify settles before it connects, with the same skips.
func TestPlanIsVerify(t *testing.T) {
	gd, ds := guide.Check(guide.Embedded)
	if len(ds) > 0 {
		t.Fatal(ds)
	}
	dir := t.TempDir()
	var inv, vars strings.Builder
	for i, n := range gd.Settings.Nodes {
		fmt.Fprintf(&inv, "%s ansible_host=127.0.0.%d ansible_port=1\n", n, i+1)
	}
	for _, name := range slices.Sorted(maps.Keys(gd.Settings.Placeholders)) {
		if ph := gd.Settings.Placeholders[name]; !ph.Secret {
			fmt.Fprintf(&vars, "%s: %q\n", name, ph.Example)
		}
	}
	invFile, varsFile := filepath.Join(dir, "hosts.ini"), filepath.Join(dir, "vars.yml")
	os.WriteFile(invFile, []byte(inv.String()), 0o600)
	os.WriteFile(varsFile, []byte(vars.String()), 0o600)
	stopped := errors.New("stopped before connecting")
	type step struct{ ID, Skip string }
	var fromVerify []step
	var verifyLab bool
	verifyChecked = func(in *runInputs, st *runSetup) error {
		fromVerify, verifyLab = nil, in.lab != nil
		for _, s := range st.plan.Steps {
			fromVerify = append(fromVerify, step{s.ID, s.Skip})
		}
		return stopped
	}
	defer func() { verifyChecked = nil }()
	for _, d := range gd.Settings.Distros {
		for _, target := range []struct {
			name string
			args []string
		}{
			{"your nodes", []string{"-i", invFile, "--vars", varsFile}},
			{"the local lab", nil},
		} {
			t.Run(d+" on "+target.name, func(t *testing.T) {
				args := append([]string{"--distro", d, "--lab-dir", filepath.Join(dir, "lab"), "--run-dir", filepath.Join(dir, "run-"+d)}, target.args...)
				var out, errs bytes.Buffer
				code := run(append([]string{"plan", "--format", "json"}, args...), nil, &out, &errs)
				if code != 0 {
					t.Fatalf("plan exited %d: %s", code, errs.String())
				}
				var p struct {
					Target string
					Lab    bool
					Steps  []step
				}
				if err := json.Unmarshal(out.Bytes(), &p); err != nil {
					t.Fatal(err)
				}
				wantTarget := target.name
				if d != lab.Distro {
					wantTarget = "your nodes" // the lab runs debian only
				}
				if p.Target != wantTarget || p.Lab != (wantTarget == "the local lab") {
					t.Errorf("plan targets %q (lab %v), want %q", p.Target, p.Lab, wantTarget)
				}
				fromVerify = nil
				errs.Reset()
				code = run(append([]string{"verify"}, args...), nil, &out, &errs)
				if target.args == nil && d != lab.Distro {
					// verify needs -i for a distro the lab does not run.
					if code != exitUsage || !strings.Contains(errs.String(), "the local lab runs debian nodes") {
						t.Errorf("verify without -i for %s: exit %d: %s", d, code, errs.String())
					}
					return
				}
				if !strings.Contains(errs.String(), stopped.Error()) {
					t.Fatalf("verify exited %d: %s", code, errs.String())
				}
				if verifyLab != p.Lab {
					t.Errorf("verify targets the lab: %v; plan: %v", verifyLab, p.Lab)
				}
				if diff := cmp.Diff(fromVerify, p.Steps); diff != "" {
					t.Errorf("verify's steps (-) differ from plan's (+):\n%s", diff)
				}
				if len(p.Steps) < 50 {
					t.Errorf("only %d steps", len(p.Steps))
				}
			})
		}
	}
}

// A run interrupted while a step runs (Ctrl-C or SIGTERM cancel the same
// context) exits 130 at once, and still reports.
func TestInterruptedExitStatus(t *testing.T) {
	dir := t.TempDir()
	s := sshtest.New(t, sshtest.Options{})
	key := filepath.Join(dir, "id")
	s.WriteClientKey(key, "")
	files := map[string]string{
		"hosts.ini":       fmt.Sprintf("controller1 ansible_host=%s ansible_port=%d ansible_user=root ansible_ssh_private_key_file=%s\n", s.Host(), s.Port(), key),
		"known_hosts":     s.KnownHostsLine(),
		"g/settings.toml": "release = \"2025.1\"\ndistros = [\"debian\"]\nnodes = [\"controller1\"]\n",
		"g/SUMMARY.md":    "# Demo\n\n1. [Demo](01-demo.md)\n",
		"g/01-demo.md":    "# Demo\n\n## Steps\n\n```console {nodes=local}\n# touch " + dir + "/started && sleep 30\n```\n",
	}
	os.Mkdir(filepath.Join(dir, "g"), 0o755)
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for {
			if _, err := os.Stat(filepath.Join(dir, "started")); err == nil {
				cancel()
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	start := time.Now()
	var out, errs bytes.Buffer
	code := runContext(ctx, []string{"verify", "--guide", filepath.Join(dir, "g"), "-i", filepath.Join(dir, "hosts.ini"),
		"--known-hosts", filepath.Join(dir, "known_hosts"), "--ssh-config", os.DevNull, "--distro", "debian",
		"--node-state-dir", filepath.Join(dir, "state"), "--run-dir", filepath.Join(dir, "run")}, nil, &out, &errs)
	if code != exitInterrupted {
		t.Errorf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitInterrupted, out.String(), errs.String())
	}
	if !strings.Contains(errs.String(), "haguide: interrupted; go on with: haguide verify --resume --run-dir") {
		t.Errorf("stderr does not say the run was interrupted:\n%s", errs.String())
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the interrupted run took %s", d)
	}
	if _, err := os.Stat(filepath.Join(dir, "run", "report.json")); err != nil {
		t.Errorf("no report: %v", err)
	}
}

// Each kind of error has its own exit status.
func TestExitCode(t *testing.T) {
	step := &runner.StepError{Step: &runner.StepResult{ID: "a/b/1"}}
	for _, tc := range []struct {
		err  error
		ran  bool
		want int
	}{
		{errors.New("unknown flag: --x"), false, exitUsage},
		{errors.New("cannot write the site"), true, exitOther},
		{usageError(errors.New("--vars: no such file")), true, exitUsage},
		{&guideError{}, true, exitGuide},
		{reachError(errors.New("controller1: cannot connect")), true, exitUnreachable},
		{fmt.Errorf("%w\n  fix it, then go on with: --resume", step), true, exitStepFailed},
		{context.Canceled, true, exitInterrupted},
		{&codeError{exitInterrupted, reachError(errors.New("dial: operation was canceled"))}, true, exitInterrupted},
		{&exitError{code: exitGuide}, true, exitGuide},
	} {
		if got := exitCode(tc.err, tc.ran); got != tc.want {
			t.Errorf("exitCode(%v, %v) = %d, want %d", tc.err, tc.ran, got, tc.want)
		}
	}
}

// An error that is the same on several nodes but for their names is said
// once, naming the others; different errors are each said.
func TestSameOnce(t *testing.T) {
	hosts := []inventory.Host{{Name: "controller1"}, {Name: "controller2"}, {Name: "controller3"}}
	errs := []error{
		errors.New("controller1: ssh config: open x: no such file or directory"),
		nil,
		errors.New("controller3: ssh config: open x: no such file or directory"),
	}
	want := "controller1: ssh config: open x: no such file or directory (and the same for controller3)"
	if got := sameOnce(errs, hosts).Error(); got != want {
		t.Errorf("sameOnce = %q, want %q", got, want)
	}
	errs[1] = errors.New("controller2: cannot connect to 10.0.0.12:22: connection refused")
	want = "controller1: ssh config: open x: no such file or directory (and the same for controller3)\ncontroller2: cannot connect to 10.0.0.12:22: connection refused"
	if got := sameOnce(errs, hosts).Error(); got != want {
		t.Errorf("sameOnce = %q, want %q", got, want)
	}
}

// verify -i samples a lab's memory only when the inventory is that lab's
// own and its nodes run: another inventory, or the lab's inventory with the
// lab down, is a reader's nodes. (The lab up is .ci/run's whole-guide run,
// which checks that its report has the peak.)
func TestOwnLab(t *testing.T) {
	dir := t.TempDir()
	labDir := filepath.Join(dir, "lab")
	if err := os.MkdirAll(labDir, 0o755); err != nil {
		t.Fatal(err)
	}
	labInv := filepath.Join(labDir, "inventory.yml")
	other := filepath.Join(dir, "inventory.yml")
	for _, p := range []string{labInv, other} {
		if err := os.WriteFile(p, []byte("all: {}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	gd, err := guide.Load(os.DirFS("../../guide"))
	if err != nil {
		t.Fatal(err)
	}
	g := &globalFlags{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	for _, tc := range []struct{ name, inventory string }{
		{"another inventory", other},
		{"the lab's inventory, lab down", labInv},
		{"no such file", filepath.Join(dir, "missing.yml")},
	} {
		f := &verifyFlags{planFlags: planFlags{inventory: tc.inventory, labDir: labDir}}
		if l := ownLab(g, &runInputs{gd: gd}, f); l != nil {
			t.Errorf("%s: ownLab = a lab, want nil", tc.name)
		}
	}
}
