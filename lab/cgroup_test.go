package lab

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSelfCgroups(t *testing.T) {
	for _, tc := range []struct {
		name, data, unified string
		want                map[string]string
	}{
		{"hybrid", "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/c7f6\n0::/\n", cgroupRoot + "/unified",
			map[string]string{"systemd": cgroupRoot + "/systemd", "unified": cgroupRoot + "/unified"}},
		{"unified host, in a session scope", "0::/user.slice/user-0.slice/session-3.scope\n", cgroupRoot,
			map[string]string{"unified": cgroupRoot + "/user.slice/user-0.slice/session-3.scope"}},
		{"legacy only: no unified mount", "1:name=systemd:/a\n0::/\n", "",
			map[string]string{"systemd": cgroupRoot + "/systemd/a"}},
		{"garbage and escapes are skipped", "x\n1:name=systemd\n2:name=systemd:relative\n0::/../etc\n0::/a/..\n", cgroupRoot,
			map[string]string{}},
	} {
		if diff := cmp.Diff(tc.want, selfCgroups(tc.data, tc.unified)); diff != "" {
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
	procs, err := makeNodeCgroups(node)
	if err != nil {
		t.Fatal(err)
	}
	defer removeNodeCgroups(node)
	if len(procs) == 0 {
		t.Fatal("no cgroups made")
	}
	name, args := inCgroups(procs, "cat", "/proc/self/cgroup")
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	got := selfCgroups(string(out), unifiedMount())
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
	if err := removeNodeCgroups(node); err != nil {
		t.Fatal(err)
	}
	for _, p := range procs {
		if _, err := os.Stat(strings.TrimSuffix(p, "/cgroup.procs")); !os.IsNotExist(err) {
			t.Errorf("%s still there after removeNodeCgroups (%v)", p, err)
		}
	}
}

// FuzzSelfCgroups: any /proc/PID/cgroup text is read without a panic, and
// every directory found lies under the cgroup mounts.
func FuzzSelfCgroups(f *testing.F) {
	f.Add("9:name=systemd:/\n0::/\n")
	f.Add("0::/a/../../b\n1:name=systemd:/x:y\n")
	f.Fuzz(func(t *testing.T, data string) {
		for h, dir := range selfCgroups(data, cgroupRoot+"/unified") {
			if !strings.HasPrefix(dir, cgroupRoot+"/") {
				t.Errorf("%s: %q lies outside %s", h, dir, cgroupRoot)
			}
		}
	})
}
