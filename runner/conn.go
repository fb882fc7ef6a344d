package runner

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/haguide/haguide/internal/atomicfile"
)

// Conn is what the executor needs of a node: run a shell command line,
// write a file atomically and read one. runner/transport's SSH connection
// is one; [LocalConn] runs on the machine running haguide.
type Conn interface {
	// Run runs cmd as `sh -c` would, with stdin and the two output
	// streams. err is non-nil only when the command could not be run or
	// its end could not be seen (the connection broke); exit is then -1.
	Run(ctx context.Context, cmd string, stdin io.Reader, stdout, stderr io.Writer) (exit int, err error)
	// WriteFile replaces path atomically with data, mode and owner
	// ("user" or "user:group"). Mode 0 keeps the replaced file's mode
	// (0644 for a new file); an empty owner keeps its owner (the writer's
	// for a new file).
	WriteFile(ctx context.Context, path string, data []byte, mode os.FileMode, owner string) error
	// ReadFile reads a file; a missing one is an error that matches
	// fs.ErrNotExist.
	ReadFile(ctx context.Context, path string) ([]byte, error)
}

// LocalConn runs commands on the machine running haguide: the lab's fault
// commands and checks made from outside the cluster.
type LocalConn struct {
	// Env is added to the environment of every command.
	Env []string
	// Dir is the working directory of commands; empty is the current one.
	Dir string
}

// Run runs cmd with /bin/sh -c in its own process group, so a cancelled
// context ends the command and everything it started.
func (l *LocalConn) Run(ctx context.Context, cmd string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	c := exec.Command("/bin/sh", "-c", cmd)
	c.Env = append(os.Environ(), l.Env...)
	c.Dir = l.Dir
	c.Stdin, c.Stdout, c.Stderr = stdin, stdout, stderr
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A command may leave a process behind that holds its output open
	// (a daemon started without redirection): stop reading soon after
	// the command itself has ended.
	c.WaitDelay = 3 * time.Second
	if err := c.Start(); err != nil {
		return -1, err
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			_ = syscall.Kill(-c.Process.Pid, syscall.SIGTERM)
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				_ = syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
			}
		case <-done:
		}
	}()
	err := c.Wait()
	close(done)
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), nil
		}
		return ee.ExitCode(), nil
	}
	return -1, err
}

// WriteFile writes path through a temporary file in the same directory.
func (l *LocalConn) WriteFile(_ context.Context, path string, data []byte, mode os.FileMode, owner string) error {
	var o atomicfile.Options
	old, err := os.Stat(path)
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrNotExist):
		old = nil
	default:
		return err
	}
	if mode == 0 {
		mode = 0o644
		if old != nil {
			mode = old.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
		}
	}
	switch {
	case owner != "":
		o.Prepare = func(tmp string) error { return chownName(tmp, owner) }
	case old != nil:
		if st, ok := old.Sys().(*syscall.Stat_t); ok && (int(st.Uid) != os.Getuid() || int(st.Gid) != os.Getgid()) {
			o.Prepare = func(tmp string) error { return os.Chown(tmp, int(st.Uid), int(st.Gid)) }
		}
	}
	return atomicfile.WriteFrom(path, mode, o, bytes.NewReader(data))
}

// ReadFile reads a local file.
func (l *LocalConn) ReadFile(_ context.Context, path string) ([]byte, error) {
	return os.ReadFile(path)
}

func chownName(path, owner string) error {
	u, g, _ := strings.Cut(owner, ":")
	uid, gid := -1, -1
	if u != "" {
		usr, err := user.Lookup(u)
		if err != nil {
			return err
		}
		uid, _ = strconv.Atoi(usr.Uid)
		if g == "" {
			gid, _ = strconv.Atoi(usr.Gid)
		}
	}
	if g != "" {
		grp, err := user.LookupGroup(g)
		if err != nil {
			return err
		}
		gid, _ = strconv.Atoi(grp.Gid)
	}
	if uid == os.Getuid() && (gid == -1 || gid == os.Getgid()) {
		return nil
	}
	return os.Chown(path, uid, gid)
}
