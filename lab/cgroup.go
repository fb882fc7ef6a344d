package lab

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// Each node boots in a cgroup of its own. systemd-nspawn gives the
// container the cgroup it was started in (with --keep-unit and no systemd
// on the host to make a scope), so three nodes started from one process
// share one tree: a unit's cgroup on one node then also holds the processes
// of the unit of the same name on the others, which that node cannot see or
// signal. A stop that waits for the cgroup to empty (KillMode=mixed, as
// apache2.service has, or a failed ExecStop, as RabbitMQ's at power-off)
// then waits for the whole TimeoutStopSec, 90 seconds by default.

// cgroupMagic is the statfs type of a cgroup v2 (unified) mount,
// cgroupV1Magic that of a v1 hierarchy.
const (
	cgroupMagic   = 0x63677270
	cgroupV1Magic = 0x27e0eb
)

// cgroupRoot is where the kernel's cgroup file systems are mounted.
const cgroupRoot = "/sys/fs/cgroup"

// selfCgroups parses /proc/self/cgroup ("ID:CONTROLLERS:PATH" lines) into
// the hierarchies a node's cgroups are made in, mapped to the directory of
// this process's cgroup in each: those systemd inside a node uses (the
// named v1 hierarchy "systemd" and the unified one) and, on a host whose
// cpu controller is a v1 hierarchy mounted at cpuMount, that one ("cpu"),
// where lxcfs finds the processes whose load average a node reads (see
// lxcfs.go).
func selfCgroups(data, unifiedMount, cpuMount string) map[string]string {
	dirs := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(data))
	for sc.Scan() {
		id, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		ctrl, path, ok := strings.Cut(rest, ":")
		if !ok || !strings.HasPrefix(path, "/") || strings.Contains(path, "/../") || strings.HasSuffix(path, "/..") {
			continue
		}
		switch {
		case id == "0" && ctrl == "" && unifiedMount != "":
			dirs["unified"] = filepath.Join(unifiedMount, path)
		case ctrl == "name=systemd":
			dirs["systemd"] = filepath.Join(cgroupRoot, "systemd", path)
		case cpuMount != "" && id != "0" && slices.Contains(strings.Split(ctrl, ","), "cpu"):
			dirs["cpu"] = filepath.Join(cpuMount, path)
		}
	}
	return dirs
}

// unifiedMount returns where the cgroup v2 hierarchy is mounted: the root
// itself on a unified host, its "unified" directory on a hybrid one, ""
// when there is none.
func unifiedMount() string {
	for _, dir := range []string{cgroupRoot, filepath.Join(cgroupRoot, "unified")} {
		var st syscall.Statfs_t
		if syscall.Statfs(dir, &st) == nil && st.Type == cgroupMagic {
			return dir
		}
	}
	return ""
}

// cpuMount returns where the v1 hierarchy of the cpu controller is
// mounted (a hybrid or legacy host: /sys/fs/cgroup/cpu, which Debian makes
// a link to cpu,cpuacct), "" when there is none (a unified host, where the
// unified hierarchy has the controller).
func cpuMount() string {
	dir := filepath.Join(cgroupRoot, "cpu")
	var st syscall.Statfs_t
	if syscall.Statfs(dir, &st) == nil && st.Type == cgroupV1Magic {
		return dir
	}
	return ""
}

// nodeCgroupDirs returns the directories of a node's own cgroups, one per
// hierarchy of selfCgroups, under the cgroups this process runs in.
func nodeCgroupDirs(node string) ([]string, error) {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, d := range selfCgroups(string(data), unifiedMount(), cpuMount()) {
		dirs = append(dirs, filepath.Join(d, "haguide-"+node))
	}
	slices.Sort(dirs)
	return dirs, nil
}

// makeNodeCgroups creates a node's cgroups and returns their directories;
// the node's nspawn process moves itself into them (cgroupProcs) before it
// starts. A node started again keeps the cgroups recorded when it first
// booted (so that down finds them wherever start ran from); a node new to
// the lab gets them under the cgroups this process runs in.
func makeNodeCgroups(node string, recorded []string) ([]string, error) {
	if slices.ContainsFunc(recorded, func(d string) bool { return !isNodeCgroup(d, node) }) {
		recorded = nil
	}
	dirs, err := recordedOrOwnCgroups(node, recorded)
	if err != nil {
		return nil, err
	}
	for _, d := range dirs {
		if err := os.Mkdir(d, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("cgroup for %s: %w", node, err)
		}
	}
	return dirs, nil
}

// recordedOrOwnCgroups returns the recorded cgroup directories of a node,
// or, when none are, those under the cgroups this process runs in.
func recordedOrOwnCgroups(node string, recorded []string) ([]string, error) {
	if len(recorded) > 0 {
		return recorded, nil
	}
	return nodeCgroupDirs(node)
}

// cgroupProcs returns the cgroup.procs file of each cgroup directory.
func cgroupProcs(dirs []string) []string {
	procs := make([]string, len(dirs))
	for i, d := range dirs {
		procs[i] = filepath.Join(d, "cgroup.procs")
	}
	return procs
}

// cgroupName is the name in a node's cgroups: its namespace's, which
// derives from the lab's bridge, so two labs never share one; a node that
// a lab made before 2026-12-07 recorded cgroups named after the node
// alone, and keeps them until its lab goes down.
func cgroupName(ns *nodeState) string {
	for _, d := range ns.Cgroups {
		if filepath.Base(d) == "haguide-"+ns.Name {
			return ns.Name
		}
	}
	return ns.Netns
}

// isNodeCgroup reports whether dir can be a node's cgroup as the lab makes
// them: a clean absolute path under the cgroup mounts whose last element
// is haguide-NAME (NAME: the node's namespace, BRIDGE-NODE). Directories
// read back from state.json are checked with it before anything is
// removed.
func isNodeCgroup(dir, node string) bool {
	return filepath.IsAbs(dir) && filepath.Clean(dir) == dir &&
		strings.HasPrefix(dir, cgroupRoot+"/") && filepath.Base(dir) == "haguide-"+node
}

// removeNodeCgroups removes a node's cgroups, deepest first (the node's
// systemd leaves its own tree inside): the directories recorded when it
// booted, or, for a state written before they were recorded, those under
// the cgroups this process runs in. It fails if a process is still in one.
func removeNodeCgroups(node string, recorded []string) error {
	dirs, err := recordedOrOwnCgroups(node, recorded)
	if err != nil {
		return err
	}
	var errs []error
	for _, top := range dirs {
		if !isNodeCgroup(top, node) {
			errs = append(errs, fmt.Errorf("cgroup %q: not a cgroup of node %s; left alone", top, node))
			continue
		}
		var tree []string
		_ = filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				tree = append(tree, p)
			}
			return nil
		})
		// Longest path first: children before their parents.
		slices.SortFunc(tree, func(a, b string) int { return len(b) - len(a) })
		for _, p := range tree {
			if err := syscall.Rmdir(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, fmt.Errorf("cgroup %s: %w", p, err))
				break
			}
		}
	}
	return errors.Join(errs...)
}

// inCgroups wraps a command so that its process first joins the cgroups
// whose cgroup.procs files are given, then execs the command (same PID).
func inCgroups(procs []string, name string, args ...string) (string, []string) {
	if len(procs) == 0 {
		return name, args
	}
	script := `while [ "$1" != -- ]; do echo $$ >"$1" || exit 1; shift; done; shift; exec "$@"`
	out := append([]string{"-c", script, "sh"}, procs...)
	out = append(out, "--", name)
	return "/bin/sh", append(out, args...)
}

// rtRuntime is the realtime budget, in microseconds per cpu.rt_period_us
// (one second), that a node's v1 cpu cgroup gets. Corosync runs with
// SCHED_RR at priority 99; where the kernel schedules realtime tasks per
// group (CONFIG_RT_GROUP_SCHED: the hierarchy has cpu.rt_runtime_us), a
// new group's budget is 0 and no realtime task may run in it, so corosync
// would run as an ordinary task in a node. 50 ms a second is far more than
// corosync uses; the root group has 950 ms, room for 19 nodes.
const rtRuntime = 50000

// keepRealtime gives every cgroup directory of a node that has a realtime
// budget of its own (its v1 cpu cgroup) rtRuntime. A directory that cannot
// have it (the budgets of the parent are spent) is removed and left out of
// the node's cgroups: the node then reads the host's load average, but
// corosync keeps its realtime priority.
func (l *Lab) keepRealtime(node string, dirs []string) []string {
	keep := dirs[:0:0]
	for _, d := range dirs {
		if err := giveRealtime(d); err != nil {
			l.log.Warn("node left out of its cpu cgroup (its load average is the host's)", "node", node, "cgroup", d, "err", err)
			_ = syscall.Rmdir(d)
			continue
		}
		keep = append(keep, d)
	}
	return keep
}

// giveRealtime sets a cgroup's realtime budget to rtRuntime if it has one
// of its own and it is 0.
func giveRealtime(dir string) error {
	f := filepath.Join(dir, "cpu.rt_runtime_us")
	cur, err := os.ReadFile(f)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if strings.TrimSpace(string(cur)) != "0" {
		return nil
	}
	if err := os.WriteFile(f, []byte(strconv.Itoa(rtRuntime)), 0o644); err != nil {
		return fmt.Errorf("realtime budget: %w", err)
	}
	return nil
}
