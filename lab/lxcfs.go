package lab

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/haguide/haguide/internal/lines"
)

// Each node reads its own load average, as a machine of its own does. The
// nodes are containers on one host, and /proc/loadavg is the host's: with
// three nodes on two cores every node saw the load of all three, and
// Pacemaker's controller throttled a node's recovery on load that was not
// its own (docs/lab-loadavg.md). The lab runs one LXCFS, whose proc/loadavg
// is the load of the cgroup of the reading container's init (with -l), and
// binds it over each node's /proc/loadavg.

// lxcfsProg is LXCFS's program (Debian package lxcfs).
const lxcfsProg = "lxcfs"

// nodeLxcfsDir is where a node sees LXCFS's proc directory. systemd-nspawn
// cannot bind a host file below the container's /proc (it makes those
// mounts after it has entered the container, and looks for their source
// there: systemd issue 26897), so the directory comes in first, outside
// /proc, and the files are bound from there.
const nodeLxcfsDir = "/var/lib/lxcfs/proc"

// lxcfsFiles are the files of LXCFS's proc that a node sees over its own
// /proc: only the load average. Its cpuinfo and stat count the CPUs of the
// node's cpuset, which is the host's (two CPUs either way, as Pacemaker
// counts them), and its meminfo follows a memory cgroup the lab does not
// give a node of its own. Its uptime is the node's, but its idle time
// comes from the cpuacct cgroup, again the host's, and reads as idle all
// along (docs/lab-loadavg.md).
var lxcfsFiles = []string{"loadavg"}

func (l *Lab) lxcfsMount() string { return l.path("lxcfs") }

// mntDetach is Linux's MNT_DETACH (a lazy unmount), which package syscall
// names only when built for Linux; the lab runs only there (Supported).
const mntDetach = 0x2

// lxcfsArgs is LXCFS's command line: in the foreground (the lab keeps its
// process ID), the load average per cgroup (-l), its own PID file (the
// default, /run/lxcfs.pid, is the host's LXCFS's, and locked while it
// runs) and its own mount point.
func (l *Lab) lxcfsArgs() []string {
	return []string{"--foreground", "--enable-loadavg", "--pidfile=" + l.path("lxcfs.pid"), l.lxcfsMount()}
}

// lxcfsBinds are the systemd-nspawn options that show a node the files of
// LXCFS's proc mounted at mount, read-only, in order: the directory first.
func lxcfsBinds(mount string) []string {
	binds := []string{"--bind-ro=" + filepath.Join(mount, "proc") + ":" + nodeLxcfsDir}
	for _, f := range lxcfsFiles {
		binds = append(binds, "--bind-ro="+nodeLxcfsDir+"/"+f+":/proc/"+f)
	}
	return binds
}

// lxcfs starts the lab's LXCFS unless it runs and serves its mount.
func (l *Lab) lxcfs(ctx context.Context, st *state) error {
	mnt := l.lxcfsMount()
	if running(st.LxcfsPID, lxcfsProg) && lxcfsServes(mnt) {
		return nil
	}
	// An LXCFS that died leaves its mount behind, unusable ("Transport
	// endpoint is not connected").
	if err := stopLxcfs(st.LxcfsPID, mnt); err != nil {
		return err
	}
	if err := os.MkdirAll(mnt, 0o755); err != nil {
		return err
	}
	logPath := l.path("lxcfs.log")
	pid, err := startDaemon(exec.Command(lxcfsProg, l.lxcfsArgs()...), logPath, 0o644)
	if err != nil {
		return fmt.Errorf("start lxcfs: %w", err)
	}
	st.LxcfsPID = pid
	if err := l.saveState(st); err != nil {
		return err
	}
	for i := 0; i < 50; i++ {
		if lxcfsServes(mnt) {
			l.log.Info("lxcfs serves the nodes' load average", "mount", mnt)
			return nil
		}
		if !running(st.LxcfsPID, lxcfsProg) {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	tail, _ := os.ReadFile(logPath)
	return fmt.Errorf("lxcfs does not serve %s (the nodes' load averages): %s", mnt, lines.Tail(string(tail), 5))
}

// lxcfsServes reports whether LXCFS is mounted at mnt and answers.
func lxcfsServes(mnt string) bool {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil || mountType(string(data), mnt) != "fuse.lxcfs" {
		return false
	}
	_, err = os.ReadFile(filepath.Join(mnt, "proc", "loadavg"))
	return err == nil
}

// stopLxcfs ends the lab's LXCFS (pid), unmounts mnt if it is still
// mounted (an LXCFS killed or dead leaves it) and removes the empty mount
// point.
func stopLxcfs(pid int, mnt string) error {
	// LXCFS unmounts its file system when it ends on SIGTERM.
	stopProcess(pid, lxcfsProg, 5*time.Second)
	if running(pid, lxcfsProg) {
		return fmt.Errorf("lxcfs (pid %d) still runs", pid)
	}
	if data, err := os.ReadFile("/proc/self/mountinfo"); err == nil && mountType(string(data), mnt) != "" {
		if err := syscall.Unmount(mnt, mntDetach); err != nil {
			return fmt.Errorf("unmount %s: %w", mnt, err)
		}
	}
	// Only an empty directory: never what may still be a mount.
	if err := syscall.Rmdir(mnt); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("lxcfs mount point %s: %w", mnt, err)
	}
	return nil
}

// mountType returns the file system type of the mount at dir in a
// /proc/PID/mountinfo text (the last one mounted there), "" if none is.
// Fields: ID PARENT MAJOR:MINOR ROOT MOUNTPOINT OPTIONS [OPTIONAL...] -
// TYPE SOURCE SUPEROPTIONS; the mount point escapes space, tab, newline
// and backslash in octal.
func mountType(mountinfo, dir string) string {
	typ := ""
	sc := bufio.NewScanner(strings.NewReader(mountinfo))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 || unescapeMount(f[4]) != dir {
			continue
		}
		for i := 5; i+1 < len(f); i++ {
			if f[i] == "-" {
				typ = f[i+1]
				break
			}
		}
	}
	return typ
}

// unescapeMount undoes the kernel's octal escapes (\040 for a space) in a
// path of mountinfo; a malformed escape stays as it is.
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// removeLxcfsRuntime removes the directories LXCFS makes for itself on
// the host (/run/lxcfs/controllers and /run/lxcfs/root, where it mounts
// the cgroup hierarchies in a mount namespace of its own) once no LXCFS
// runs on the host at all: another one's namespace may still use them.
// They are empty on the host; only empty directories are removed.
func removeLxcfsRuntime() {
	if len(pidsOf(lxcfsProg)) > 0 {
		return
	}
	for _, d := range []string{"/run/lxcfs/controllers", "/run/lxcfs/root", "/run/lxcfs"} {
		_ = syscall.Rmdir(d)
	}
}

// pidsOf lists the processes on the host whose program is prog.
func pidsOf(prog string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err == nil && running(pid, prog) {
			pids = append(pids, pid)
		}
	}
	return pids
}
