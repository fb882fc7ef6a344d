package lab

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLxcfsArgs(t *testing.T) {
	l := &Lab{cfg: Config{Dir: "/var/lib/haguide/lab-h7"}}
	want := []string{"--foreground", "--enable-loadavg", "--pidfile=/var/lib/haguide/lab-h7/lxcfs.pid", "/var/lib/haguide/lab-h7/lxcfs"}
	if d := cmp.Diff(want, l.lxcfsArgs()); d != "" {
		t.Errorf("lxcfs command line (-want +got):\n%s", d)
	}
}

func TestLxcfsBinds(t *testing.T) {
	for _, tc := range []struct {
		mount string
		want  []string
	}{
		{"/var/lib/haguide/lab/lxcfs", []string{"--bind-ro=/var/lib/haguide/lab/lxcfs/proc:/var/lib/lxcfs/proc", "--bind-ro=/var/lib/lxcfs/proc/loadavg:/proc/loadavg"}},
		{"/tmp/x/lxcfs/", []string{"--bind-ro=/tmp/x/lxcfs/proc:/var/lib/lxcfs/proc", "--bind-ro=/var/lib/lxcfs/proc/loadavg:/proc/loadavg"}},
	} {
		if d := cmp.Diff(tc.want, lxcfsBinds(tc.mount)); d != "" {
			t.Errorf("lxcfsBinds(%q) (-want +got):\n%s", tc.mount, d)
		}
	}
}

// A mountinfo taken on the lab's host (hybrid cgroups, the lab's LXCFS
// up), with a mount point that has a space.
const testMountinfo = `22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
31 22 0:26 / /sys/fs/cgroup/cpu rw,relatime shared:9 - cgroup cgroup rw,cpu
412 22 0:70 / /var/lib/haguide/lab-h7/lxcfs rw,nosuid,nodev,relatime shared:209 - fuse.lxcfs lxcfs rw,user_id=0,group_id=0,allow_other
413 22 0:71 / /var/lib/haguide/lab\040x/lxcfs rw,relatime - fuse.lxcfs lxcfs rw
414 22 0:72 / /var/lib/haguide/over rw,relatime shared:3 - tmpfs tmpfs rw
415 414 0:73 / /var/lib/haguide/over rw,relatime shared:4 master:2 - fuse.lxcfs lxcfs rw
`

func TestMountType(t *testing.T) {
	for _, tc := range []struct {
		dir, want string
	}{
		{"/var/lib/haguide/lab-h7/lxcfs", "fuse.lxcfs"},
		{"/var/lib/haguide/lab x/lxcfs", "fuse.lxcfs"},
		{"/sys/fs/cgroup/cpu", "cgroup"},
		// The last mount at a place is what is seen there.
		{"/var/lib/haguide/over", "fuse.lxcfs"},
		{"/var/lib/haguide/lab-h7", ""},
		{"/var/lib/haguide/lab-h7/lxcfs/proc", ""},
		{"/var/lib/haguide/lab\\040x/lxcfs", ""},
	} {
		if got := mountType(testMountinfo, tc.dir); got != tc.want {
			t.Errorf("mountType(%q) = %q, want %q", tc.dir, got, tc.want)
		}
	}
	for _, bad := range []string{"", "\n\n", "1 2 3\n", "1 2 3 4 /x\n", "1 2 3 4 /x opts -\n"} {
		if got := mountType(bad, "/x"); got != "" {
			t.Errorf("mountType(%q, /x) = %q, want none", bad, got)
		}
	}
}

func TestUnescapeMount(t *testing.T) {
	for in, want := range map[string]string{
		`/a\040b`:     "/a b",
		`/a\011b\012`: "/a\tb\n",
		`/a\134b`:     `/a\b`,
		`/a\`:         `/a\`,
		`/a\04`:       `/a\04`,
		`/a\999`:      `/a\999`,
		`/a\777`:      `/a\777`,
		`/plain`:      "/plain",
	} {
		if got := unescapeMount(in); got != want {
			t.Errorf("unescapeMount(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzMountType: any mountinfo text and directory are read without a
// panic, and a type found is a field of the text.
func FuzzMountType(f *testing.F) {
	f.Add(testMountinfo, "/var/lib/haguide/lab-h7/lxcfs")
	f.Add("1 2 3 4 /a\\040 - x y z\n", "/a ")
	f.Add("1 2 3 4 /a\\", "/a\\")
	f.Fuzz(func(t *testing.T, mountinfo, dir string) {
		if typ := mountType(mountinfo, dir); typ != "" && !strings.Contains(mountinfo, typ) {
			t.Errorf("type %q is not in the text", typ)
		}
		_ = unescapeMount(dir)
	})
}

// stopLxcfs with nothing running removes an empty mount point, and never
// a directory that holds anything.
func TestStopLxcfsLeavesNonEmpty(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "lxcfs")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := stopLxcfs(0, empty); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(empty); !os.IsNotExist(err) {
		t.Errorf("empty mount point still there (%v)", err)
	}
	if err := stopLxcfs(0, empty); err != nil {
		t.Errorf("a second stop: %v", err)
	}
	full := filepath.Join(dir, "full")
	if err := os.MkdirAll(filepath.Join(full, "proc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := stopLxcfs(0, full); err == nil {
		t.Error("stopLxcfs removed or accepted a directory that is not empty")
	}
	if _, err := os.Stat(filepath.Join(full, "proc")); err != nil {
		t.Errorf("its content: %v", err)
	}
}

// startDaemon: the program runs in a session of its own, its output
// appended to the log, made with the mode given.
func TestStartDaemon(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "d.log")
	if err := os.WriteFile(logPath, []byte("before\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The session ID (field 6 of /proc/self/stat) is the process's own.
	pid, err := startDaemon(exec.Command("sh", "-c", `echo out; echo err >&2; set -- $(cat /proc/$$/stat); [ "$6" = $$ ] && echo own-session`), logPath, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100 && running(pid, ""); i++ {
		time.Sleep(20 * time.Millisecond)
	}
	got, _ := os.ReadFile(logPath)
	if d := cmp.Diff("before\nout\nerr\nown-session\n", string(got)); d != "" {
		t.Errorf("log (-want +got):\n%s", d)
	}
	fresh := filepath.Join(dir, "new.log")
	if _, err := startDaemon(exec.Command("true"), fresh, 0o600); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(fresh); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("new log: %v %v, want mode 0600", fi, err)
	}
	if _, err := startDaemon(exec.Command(filepath.Join(dir, "no-such-program")), "", 0); err == nil {
		t.Error("a program that does not exist started")
	}
	if _, err := startDaemon(exec.Command("true"), filepath.Join(dir, "no-dir", "x.log"), 0o600); err == nil {
		t.Error("a log that cannot be made was accepted")
	}
}
