package lab

import (
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSelfCgroups(t *testing.T) {
	for _, tc := range []struct {
		name, data, unified, cpu string
		want                     map[string]string
	}{
		{"hybrid", "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/c7f6\n1:cpu:/\n0::/\n", cgroupRoot + "/unified", cgroupRoot + "/cpu",
			map[string]string{"systemd": cgroupRoot + "/systemd", "unified": cgroupRoot + "/unified", "cpu": cgroupRoot + "/cpu"}},
		{"hybrid, cpu and cpuacct in one hierarchy (Debian)", "9:name=systemd:/a\n3:cpu,cpuacct:/a\n2:cpuset:/\n0::/a\n", cgroupRoot + "/unified", cgroupRoot + "/cpu",
			map[string]string{"systemd": cgroupRoot + "/systemd/a", "unified": cgroupRoot + "/unified/a", "cpu": cgroupRoot + "/cpu/a"}},
		{"hybrid, no cpu hierarchy mounted", "9:name=systemd:/\n1:cpu:/\n0::/\n", cgroupRoot + "/unified", "",
			map[string]string{"systemd": cgroupRoot + "/systemd", "unified": cgroupRoot + "/unified"}},
		{"unified host, in a session scope", "0::/user.slice/user-0.slice/session-3.scope\n", cgroupRoot, "",
			map[string]string{"unified": cgroupRoot + "/user.slice/user-0.slice/session-3.scope"}},
		{"legacy only: no unified mount", "1:name=systemd:/a\n0::/\n", "", "",
			map[string]string{"systemd": cgroupRoot + "/systemd/a"}},
		{"garbage and escapes are skipped", "x\n1:name=systemd\n2:name=systemd:relative\n0::/../etc\n0::/a/..\n3:cpu:/../x\n4:cpuset:/\n", cgroupRoot, cgroupRoot + "/cpu",
			map[string]string{}},
	} {
		if diff := cmp.Diff(tc.want, selfCgroups(tc.data, tc.unified, tc.cpu)); diff != "" {
			t.Errorf("%s: selfCgroups (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestInCgroups(t *testing.T) {
	name, args := inCgroups(nil, "systemd-nspawn", "-D", "root")
	if diff := cmp.Diff([]string{"systemd-nspawn", "-D", "root"}, append([]string{name}, args...)); diff != "" {
		t.Errorf("no cgroups: the command must run as it is (-want +got):\n%s", diff)
	}
	name, args = inCgroups([]string{"/a/cgroup.procs", "/b/cgroup.procs"}, "systemd-nspawn", "-D", "root")
	if name != "/bin/sh" || args[0] != "-c" || args[2] != "sh" {
		t.Fatalf("want a /bin/sh -c wrapper, got %s %q", name, args)
	}
	if diff := cmp.Diff([]string{"/a/cgroup.procs", "/b/cgroup.procs", "--", "systemd-nspawn", "-D", "root"}, args[3:]); diff != "" {
		t.Errorf("wrapper arguments (-want +got):\n%s", diff)
	}
}

// A process started through inCgroups runs in the node's own cgroup in
// every hierarchy systemd uses, and the cgroups go away afterwards. Needs
// root and a cgroup v2 mount, as the lab does.
func TestNodeCgroupsForReal(t *testing.T) {
	if os.Geteuid() != 0 || unifiedMount() == "" {
		t.Skip("needs root and a cgroup v2 mount")
	}
	node := fmt.Sprintf("test-%d", os.Getpid())
	dirs, err := makeNodeCgroups(node, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer removeNodeCgroups(node, dirs)
	if len(dirs) == 0 {
		t.Fatal("no cgroups made")
	}
	procs := cgroupProcs(dirs)
	name, args := inCgroups(procs, "cat", "/proc/self/cgroup")
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	got := selfCgroups(string(out), unifiedMount(), cpuMount())
	if len(got) != len(procs) {
		t.Errorf("the process is in %d hierarchies of interest, want %d:\n%s", len(got), len(procs), out)
	}
	for h, dir := range got {
		if !strings.HasSuffix(dir, "/haguide-"+node) {
			t.Errorf("%s hierarchy: process in %s, want its node's cgroup haguide-%s", h, dir, node)
		}
	}
	// A node's systemd leaves a tree behind; removal takes it too.
	for _, p := range procs {
		if err := os.MkdirAll(strings.TrimSuffix(p, "cgroup.procs")+"payload/system.slice", 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := removeNodeCgroups(node, dirs); err != nil {
		t.Fatal(err)
	}
	for _, p := range procs {
		if _, err := os.Stat(strings.TrimSuffix(p, "/cgroup.procs")); !os.IsNotExist(err) {
			t.Errorf("%s still there after removeNodeCgroups (%v)", p, err)
		}
	}
	// Started again (perhaps from another cgroup), a node keeps the
	// cgroups recorded at its first boot: here one at the top of the
	// unified hierarchy, wherever this process runs.
	recorded := []string{filepath.Join(unifiedMount(), "haguide-"+node)}
	again, err := makeNodeCgroups(node, recorded)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(recorded, again); diff != "" {
		t.Errorf("cgroups at a second boot (-recorded +used):\n%s", diff)
	}
	if err := removeNodeCgroups(node, recorded); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(recorded[0]); !os.IsNotExist(err) {
		t.Errorf("%s still there after removeNodeCgroups (%v)", recorded[0], err)
	}
}

// Only a node's own cgroup directories are ever removed, whatever
// state.json says.
func TestIsNodeCgroup(t *testing.T) {
	for _, tc := range []struct {
		dir  string
		want bool
	}{
		{cgroupRoot + "/unified/payload/haguide-controller1", true},
		{cgroupRoot + "/systemd/haguide-controller1", true},
		{cgroupRoot + "/unified/payload/haguide-controller2", false},
		{cgroupRoot + "/unified/payload/../haguide-controller1", false},
		{cgroupRoot + "/unified/payload/haguide-controller1/", false},
		{"/tmp/haguide-controller1", false},
		{"haguide-controller1", false},
		{cgroupRoot, false},
		{"", false},
	} {
		if got := isNodeCgroup(tc.dir, "controller1"); got != tc.want {
			t.Errorf("isNodeCgroup(%q, controller1) = %v, want %v", tc.dir, got, tc.want)
		}
	}
}

// A recorded directory that is not the node's cgroup is left alone, with
// an error that names it.
func TestRemoveNodeCgroupsRefuses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "haguide-controller1")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	err := removeNodeCgroups("controller1", []string{dir})
	if err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("removeNodeCgroups of %s: got %v, want an error naming it", dir, err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("%s was touched: %v", dir, err)
	}
}

// FuzzSelfCgroups: any /proc/PID/cgroup text is read without a panic, and
// every directory found lies under the cgroup mounts.
func FuzzSelfCgroups(f *testing.F) {
	f.Add("9:name=systemd:/\n0::/\n")
	f.Add("0::/a/../../b\n1:name=systemd:/x:y\n")
	f.Fuzz(func(t *testing.T, data string) {
		for h, dir := range selfCgroups(data, cgroupRoot+"/unified", cgroupRoot+"/cpu") {
			if !strings.HasPrefix(dir, cgroupRoot+"/") {
				t.Errorf("%s: %q lies outside %s", h, dir, cgroupRoot)
			}
		}
	})
}

// A node keeps the cgroup name it was started with: labs made before the
// names carried the bridge recorded haguide-NODE, and down must still
// remove those.
func TestCgroupName(t *testing.T) {
	for _, tc := range []struct {
		ns   nodeState
		want string
	}{
		{nodeState{Name: "controller1", Netns: "hag0-controller1"}, "hag0-controller1"},
		{nodeState{Name: "controller1", Netns: "hag0-controller1", Cgroups: []string{cgroupRoot + "/unified/haguide-hag0-controller1"}}, "hag0-controller1"},
		{nodeState{Name: "controller1", Netns: "hag0-controller1", Cgroups: []string{cgroupRoot + "/unified/haguide-controller1"}}, "controller1"},
	} {
		if got := cgroupName(&tc.ns); got != tc.want {
			t.Errorf("cgroupName(%+v) = %q, want %q", tc.ns, got, tc.want)
		}
	}
}

// A node's v1 cpu cgroup gets a realtime budget (corosync runs SCHED_RR)
// when it has none; one that cannot is left out of the node's cgroups.
func TestKeepRealtime(t *testing.T) {
	dir := t.TempDir()
	mk := func(name, budget string) string {
		d := filepath.Join(dir, name)
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if budget != "" {
			if err := os.WriteFile(filepath.Join(d, "cpu.rt_runtime_us"), []byte(budget), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	fresh, set, unified := mk("cpu", "0\n"), mk("cpu-set", "20000\n"), mk("unified", "")
	// A budget that cannot be read or set (the kernel refuses one that
	// the parent's budgets cannot cover): here the file is a directory.
	refused := mk("refused", "")
	if err := os.Mkdir(filepath.Join(refused, "cpu.rt_runtime_us"), 0o755); err != nil {
		t.Fatal(err)
	}
	l := &Lab{log: slog.New(slog.DiscardHandler)}
	want := []string{fresh, set, unified}
	if d := cmp.Diff(want, l.keepRealtime("controller1", []string{fresh, set, unified, refused})); d != "" {
		t.Errorf("cgroups kept (-want +got):\n%s", d)
	}
	for d, budget := range map[string]string{fresh: "50000", set: "20000\n"} {
		got, _ := os.ReadFile(filepath.Join(d, "cpu.rt_runtime_us"))
		if string(got) != budget {
			t.Errorf("%s: budget %q, want %q", d, got, budget)
		}
	}
	if _, err := os.Stat(filepath.Join(unified, "cpu.rt_runtime_us")); !os.IsNotExist(err) {
		t.Errorf("a cgroup without a realtime budget got one (%v)", err)
	}
}
