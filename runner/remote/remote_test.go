package remote

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/haguide/haguide/internal/sshd"
)

// setup starts a server and returns a target and options that trust it.
func setup(t *testing.T) (*sshd.Server, Target, Options) {
	t.Helper()
	s := sshd.New(t)
	dir := t.TempDir()
	key := filepath.Join(dir, "id")
	s.WriteClientKey(key, "")
	kh := filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(kh, []byte(s.KnownHostsLine()), 0o600); err != nil {
		t.Fatal(err)
	}
	return s, Target{Name: "node1", Address: s.Host(), Port: s.Port(), User: "root", IdentityFile: key},
		Options{SSHConfig: os.DevNull, KnownHosts: []string{kh}, ConnectTimeout: 5 * time.Second}
}

func dial(t *testing.T, tg Target, o Options) *Conn {
	t.Helper()
	c, err := Dial(context.Background(), tg, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestRun(t *testing.T) {
	_, tg, o := setup(t)
	c := dial(t, tg, o)
	var out, errb bytes.Buffer
	code, err := c.Run(context.Background(), "echo out; echo err >&2; read x; echo got $x; exit 3", strings.NewReader("input\n"), &out, &errb)
	if err != nil || code != 3 {
		t.Fatalf("code %d err %v", code, err)
	}
	if out.String() != "out\ngot input\n" || errb.String() != "err\n" {
		t.Errorf("stdout %q stderr %q", out.String(), errb.String())
	}
	// The connection carries many commands.
	for i := 0; i < 20; i++ {
		if code, err := c.Run(context.Background(), "true", nil, &out, &errb); code != 0 || err != nil {
			t.Fatalf("run %d: %d %v", i, code, err)
		}
	}
}

func TestCancelEndsTheCommand(t *testing.T) {
	_, tg, o := setup(t)
	c := dial(t, tg, o)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	done := make(chan struct{})
	var code int
	go func() {
		defer close(done)
		code, _ = c.Run(ctx, "sleep 60", nil, &bytes.Buffer{}, &bytes.Buffer{})
	}()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if code == 0 {
		t.Errorf("a cancelled command reported success")
	}
}

func TestHostKeys(t *testing.T) {
	s, tg, o := setup(t)
	// Unknown host: refused by default, with a way out in the message.
	empty := filepath.Join(t.TempDir(), "known_hosts")
	o.KnownHosts = []string{empty}
	_, err := Dial(context.Background(), tg, o)
	if err == nil || !strings.Contains(err.Error(), "not in known_hosts") || !strings.Contains(err.Error(), "--accept-new-host-keys") {
		t.Fatalf("unknown host: %v", err)
	}
	// AcceptNew records it; the next connection checks against it.
	o.AcceptNew = true
	dial(t, tg, o)
	b, _ := os.ReadFile(empty)
	if !strings.Contains(string(b), s.HostKey().Type()) {
		t.Fatalf("known_hosts after accept-new: %q", b)
	}
	o.AcceptNew = false
	dial(t, tg, o)
	// A changed key is refused, even with AcceptNew.
	other := sshd.New(t)
	// The other server's key, recorded for this server's address.
	changed := strings.Replace(other.KnownHostsLine(), "]:"+strconv.Itoa(other.Port()), "]:"+strconv.Itoa(s.Port()), 1)
	os.WriteFile(empty, []byte(changed), 0o600)
	o.AcceptNew = true
	_, err = Dial(context.Background(), tg, o)
	if err == nil || !strings.Contains(err.Error(), "CHANGED") {
		t.Fatalf("changed key: %v", err)
	}
	// Opting out skips the check.
	o.AcceptNew, o.Insecure = false, true
	dial(t, tg, o)
}

func TestAuthFailure(t *testing.T) {
	_, tg, o := setup(t)
	tg.IdentityFile = filepath.Join(t.TempDir(), "none")
	o.IdentityFiles = nil
	_, err := Dial(context.Background(), tg, o)
	if err == nil || !strings.Contains(err.Error(), "refused every key") {
		t.Fatalf("err = %v", err)
	}
}

func TestEncryptedKey(t *testing.T) {
	s, tg, o := setup(t)
	s.WriteClientKey(tg.IdentityFile, "sesame")
	asked := ""
	o.Passphrase = func(f string) ([]byte, error) { asked = f; return []byte("sesame"), nil }
	dial(t, tg, o)
	if asked != tg.IdentityFile {
		t.Errorf("asked for %q", asked)
	}
}

func TestReconnectAfterReboot(t *testing.T) {
	s, tg, o := setup(t)
	c := dial(t, tg, o)
	s.Restart()
	var out bytes.Buffer
	code, err := c.Run(context.Background(), "echo back", nil, &out, &out)
	if err != nil || code != 0 || out.String() != "back\n" {
		t.Fatalf("after restart: %d %v %q", code, err, out.String())
	}
}

func TestFiles(t *testing.T) {
	_, tg, o := setup(t)
	c := dial(t, tg, o)
	dir := t.TempDir()
	p := filepath.Join(dir, "conf")
	if _, err := c.ReadFile(context.Background(), p); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	if err := c.WriteFile(context.Background(), p, []byte("a = 1\n"), 0o640, "root:root"); err != nil {
		t.Fatal(err)
	}
	got, err := c.ReadFile(context.Background(), p)
	if err != nil || string(got) != "a = 1\n" {
		t.Fatalf("read back %q %v", got, err)
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v", st.Mode())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	err = c.WriteFile(context.Background(), filepath.Join(dir, "nodir", "x"), []byte("x"), 0o644, "")
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing directory: %v", err)
	}
	// A failure half way (an owner that does not exist) leaves the old
	// file as it was and no temporary file.
	err = c.WriteFile(context.Background(), p, []byte("b = 2\n"), 0o640, "no-such-user-here")
	if err == nil {
		t.Fatal("want an error for an unknown owner")
	}
	if got, _ := os.ReadFile(p); string(got) != "a = 1\n" {
		t.Errorf("file changed by a failed write: %q", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left after a failed write: %v", entries)
	}
}

func TestProxyJumpAndSSHConfig(t *testing.T) {
	target, tg, o := setup(t)
	jump := sshd.New(t)
	// The jump host accepts the same key: write its key file too.
	dir := t.TempDir()
	jumpKey := filepath.Join(dir, "jump")
	jump.WriteClientKey(jumpKey, "")
	kh := o.KnownHosts[0]
	f, _ := os.OpenFile(kh, os.O_APPEND|os.O_WRONLY, 0o600)
	f.WriteString(jump.KnownHostsLine())
	f.Close()
	cfg := filepath.Join(dir, "config")
	os.WriteFile(cfg, []byte("Host node1-alias\n  HostName "+target.Host()+"\n  Port "+strconv.Itoa(target.Port())+
		"\n  ProxyJump root@"+jump.Addr()+"\n  IdentityFile "+jumpKey+"\n"), 0o600)
	o.SSHConfig = cfg
	tg.Address, tg.Port = "node1-alias", 0
	c := dial(t, tg, o)
	var out bytes.Buffer
	if code, err := c.Run(context.Background(), "echo via jump", nil, &out, &out); code != 0 || err != nil {
		t.Fatalf("%d %v %s", code, err, out.String())
	}
}

func BenchmarkRun(b *testing.B) {
	s := sshd.New(b)
	dir := b.TempDir()
	key := filepath.Join(dir, "id")
	s.WriteClientKey(key, "")
	c, err := Dial(context.Background(), Target{Name: "n", Address: s.Host(), Port: s.Port(), User: "root", IdentityFile: key},
		Options{SSHConfig: os.DevNull, Insecure: true})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	for b.Loop() {
		if code, err := c.Run(context.Background(), "true", nil, &bytes.Buffer{}, &bytes.Buffer{}); code != 0 || err != nil {
			b.Fatal(code, err)
		}
	}
}
