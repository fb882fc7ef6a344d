package transport

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/haguide/haguide/internal/sshtest"
)

// node is a test server with a key file and a known_hosts file that
// trusts it.
type node struct {
	*sshtest.Server
	dir, key, knownHosts string
}

func newNode(t *testing.T, o sshtest.Options) *node {
	t.Helper()
	s := sshtest.New(t, o)
	dir := t.TempDir()
	n := &node{Server: s, dir: dir, key: filepath.Join(dir, "id"), knownHosts: filepath.Join(dir, "known_hosts")}
	s.WriteClientKey(n.key, "")
	if err := os.WriteFile(n.knownHosts, []byte(s.KnownHostsLine()), 0o600); err != nil {
		t.Fatal(err)
	}
	return n
}

func (n *node) target() Target {
	return Target{Name: "node1", Address: n.Host(), Port: n.Port(), User: "root", IdentityFile: n.key}
}

func (n *node) options() Options {
	return Options{SSHConfig: os.DevNull, KnownHosts: []string{n.knownHosts}, ConnectTimeout: 10 * time.Second}
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

func run(t *testing.T, c *Conn, script, stdin string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code, err := c.Run(context.Background(), script, strings.NewReader(stdin), &o, &e)
	if err != nil {
		t.Fatalf("Run(%q): %v", script, err)
	}
	return code, o.String(), e.String()
}

func TestRun(t *testing.T) {
	n := newNode(t, sshtest.Options{})
	c := dial(t, n.target(), n.options())
	for _, tc := range []struct {
		script, stdin  string
		code           int
		stdout, stderr string
	}{
		{"echo hello", "", 0, "hello\n", ""},
		{"echo out; echo err >&2; exit 3", "", 3, "out\n", "err\n"},
		{"read a; read b; echo \"$b $a\"", "one\ntwo\n", 0, "two one\n", ""},
		{"cat", "all of stdin\nand more", 0, "all of stdin\nand more", ""},
		{"false", "", 1, "", ""},
		{"exit 255", "", 255, "", ""},
		{"kill -TERM $$", "", 143, "", ""},
		{"printf '%s' \"it's quoted\"", "", 0, "it's quoted", ""},
		{"echo $HAGUIDE_RUN | wc -c", "", 0, "25\n", ""},
		{"set -e\nfalse\necho not reached", "", 1, "", ""},
	} {
		code, out, errs := run(t, c, tc.script, tc.stdin)
		got := []any{code, out, errs}
		if d := cmp.Diff([]any{tc.code, tc.stdout, tc.stderr}, got); d != "" {
			t.Errorf("%q: (-want +got):\n%s", tc.script, d)
		}
	}
	if n.Logins() != 1 {
		t.Errorf("%d logins for many runs, want one connection", n.Logins())
	}
	if c.Sudo() || c.User() != "root" || c.Name() != "node1" || c.Addr() != n.Addr() {
		t.Errorf("sudo %v user %s name %s addr %s", c.Sudo(), c.User(), c.Name(), c.Addr())
	}
}

func TestConcurrentRuns(t *testing.T) {
	n := newNode(t, sshtest.Options{})
	c := dial(t, n.target(), n.options())
	var wg sync.WaitGroup
	errs := make(chan error, 30)
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var o bytes.Buffer
			code, err := c.Run(context.Background(), fmt.Sprintf("echo %d", i), nil, &o, nil)
			if err != nil || code != 0 || o.String() != fmt.Sprintf("%d\n", i) {
				errs <- fmt.Errorf("run %d: code %d out %q err %v", i, code, o.String(), err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestUnknownHostKeyRefused(t *testing.T) {
	n := newNode(t, sshtest.Options{})
	o := n.options()
	o.KnownHosts = []string{filepath.Join(t.TempDir(), "empty_known_hosts")}
	_, err := Dial(context.Background(), n.target(), o)
	var he *HostKeyError
	if !errors.As(err, &he) || he.Changed {
		t.Fatalf("got %v, want an unknown host key error", err)
	}
	for _, want := range []string{"node1", "not known", "accept new keys", "known_hosts", ssh.FingerprintSHA256(n.HostKey())} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
	if _, err := os.Stat(o.KnownHosts[0]); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("known_hosts was written without AcceptNew: %v", err)
	}
}

func TestAcceptNewRecords(t *testing.T) {
	n := newNode(t, sshtest.Options{})
	o := n.options()
	kh := filepath.Join(t.TempDir(), "sub", "known_hosts")
	o.KnownHosts = []string{kh}
	o.AcceptNew = true
	c := dial(t, n.target(), o)
	if code, out, _ := run(t, c, "echo ok", ""); code != 0 || out != "ok\n" {
		t.Fatalf("code %d out %q", code, out)
	}
	data, err := os.ReadFile(kh)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != n.KnownHostsLine() {
		t.Errorf("recorded %q, want %q", data, n.KnownHostsLine())
	}
	// Known now: no AcceptNew needed, and nothing recorded twice.
	o.AcceptNew = false
	dial(t, n.target(), o)
	if again, _ := os.ReadFile(kh); !bytes.Equal(again, data) {
		t.Errorf("known_hosts changed on a known host: %q", again)
	}
}

func TestChangedHostKeyRefused(t *testing.T) {
	n := newNode(t, sshtest.Options{})
	k, _ := sshtest.NewSigner(t)
	n.SetHostKey(k)
	o := n.options()
	o.AcceptNew = true // never covers a changed key
	_, err := Dial(context.Background(), n.target(), o)
	var he *HostKeyError
	if !errors.As(err, &he) || !he.Changed {
		t.Fatalf("got %v, want a changed host key error", err)
	}
	for _, want := range []string{"HAS CHANGED", n.knownHosts + ":1", "Refusing"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
}

func TestChangedHostKeyAfterReboot(t *testing.T) {
	n := newNode(t, sshtest.Options{})
	c := dial(t, n.target(), n.options())
	k, _ := sshtest.NewSigner(t)
	n.SetHostKey(k)
	n.Restart()
	_, err := c.Run(context.Background(), "true", nil, nil, nil)
	var he *HostKeyError
	if !errors.As(err, &he) || !he.Changed {
		t.Fatalf("got %v, want a changed host key error on reconnect", err)
	}
}

func TestHostKeyOfTheKnownType(t *testing.T) {
	// The server also has an ECDSA key, which x/crypto would prefer to
	// the Ed25519 key known_hosts has: the client must ask for the
	// known type rather than see a "changed" key.
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	n := newNode(t, sshtest.Options{ExtraHostKeys: []ssh.Signer{ec}})
	c := dial(t, n.target(), n.options())
	if code, _, _ := run(t, c, "true", ""); code != 0 {
		t.Errorf("exit %d", code)
	}
}

func TestInsecure(t *testing.T) {
	n := newNode(t, sshtest.Options{})
	o := n.options()
	o.KnownHosts = []string{filepath.Join(t.TempDir(), "none")}
	o.Insecure = true
	c := dial(t, n.target(), o)
	if code, _, _ := run(t, c, "true", ""); code != 0 {
		t.Errorf("exit %d", code)
	}
}

func TestAuthFailure(t *testing.T) {
	n := newNode(t, sshtest.Options{})
	other := filepath.Join(t.TempDir(), "other")
	sshtest.New(t, sshtest.Options{}).WriteClientKey(other, "")
	tg := n.target()
	tg.IdentityFile = other
	missing := filepath.Join(t.TempDir(), "missing")
	o := n.options()
	o.IdentityFiles = []string{missing}
	_, err := Dial(context.Background(), tg, o)
	var ae *AuthError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want an authentication error", err)
	}
	for _, want := range []string{"node1", "root@" + n.Addr(), "key " + other + " (ssh-ed25519)", "key " + missing + " (unreadable"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
}

func TestEncryptedKey(t *testing.T) {
	n := newNode(t, sshtest.Options{})
	enc := filepath.Join(n.dir, "id_enc")
	n.WriteClientKey(enc, "sesame")
	tg := n.target()
	tg.IdentityFile = enc

	_, err := Dial(context.Background(), tg, n.options())
	if err == nil || !strings.Contains(err.Error(), "encrypted, and no terminal") {
		t.Errorf("without a prompt: got %v", err)
	}

	o := n.options()
	asked := 0
	o.Passphrase = func(file string) ([]byte, error) {
		asked++
		if file != enc {
			t.Errorf("asked for %s", file)
		}
		return []byte("sesame"), nil
	}
	c := dial(t, tg, o)
	n.Restart() // a reconnect must not ask again
	if code, _, _ := run(t, c, "true", ""); code != 0 {
		t.Errorf("exit %d", code)
	}
	dial(t, tg, o) // nor another node's connection with the same key
	if asked != 1 {
		t.Errorf("asked %d times, want once", asked)
	}
}

func TestWrongPassphrase(t *testing.T) {
	n := newNode(t, sshtest.Options{})
	enc := filepath.Join(n.dir, "id_enc")
	n.WriteClientKey(enc, "sesame")
	tg := n.target()
	tg.IdentityFile = enc
	o := n.options()
	answers := []string{"wrong", "sesame"}
	o.Passphrase = func(string) ([]byte, error) {
		a := answers[0]
		answers = answers[1:]
		return []byte(a), nil
	}
	dial(t, tg, o)
	if len(answers) != 0 {
		t.Errorf("not asked again after a wrong passphrase")
	}

	enc2 := filepath.Join(n.dir, "id_enc2")
	n.WriteClientKey(enc2, "other")
	tg.IdentityFile = enc2
	asked := 0
	o.Passphrase = func(string) ([]byte, error) { asked++; return []byte("wrong"), nil }
	_, err := Dial(context.Background(), tg, o)
	if asked != 3 || err == nil || !strings.Contains(err.Error(), "wrong passphrase") {
		t.Errorf("asked %d times, err %v", asked, err)
	}
}

func TestAgent(t *testing.T) {
	n := newNode(t, sshtest.Options{})
	_, priv, _ := ed25519.GenerateKey(nil)
	signer, _ := ssh.NewSignerFromKey(priv)
	n2 := newNode(t, sshtest.Options{AuthorizedKeys: []ssh.PublicKey{signer.PublicKey()}})
	_ = n
	kr := agent.NewKeyring()
	if err := kr.Add(agent.AddedKey{PrivateKey: priv}); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "agent.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { _ = agent.ServeAgent(kr, c); c.Close() }()
		}
	}()
	t.Setenv("SSH_AUTH_SOCK", sock)
	tg := n2.target()
	tg.IdentityFile = ""
	o := n2.options()
	o.Agent = true
	t.Setenv("HOME", t.TempDir()) // no default keys to fall back on
	c := dial(t, tg, o)
	if code, _, _ := run(t, c, "true", ""); code != 0 {
		t.Errorf("exit %d", code)
	}
}

func TestDialRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	ln.Close()
	_, err = Dial(context.Background(), Target{Name: "node9", Address: "127.0.0.1", Port: addr.Port, User: "root"},
		Options{SSHConfig: os.DevNull, KnownHosts: []string{filepath.Join(t.TempDir(), "kh")}})
	var de *DialError
	if !errors.As(err, &de) {
		t.Fatalf("got %v, want a dial error", err)
	}
	want := fmt.Sprintf("node9: cannot connect to 127.0.0.1:%d: connection refused", addr.Port)
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got  %s\nwant %s...", err, want)
	}
}

func TestDialTimeout(t *testing.T) {
	// A listener that never speaks SSH.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	o := Options{SSHConfig: os.DevNull, KnownHosts: []string{filepath.Join(t.TempDir(), "kh")}, ConnectTimeout: 200 * time.Millisecond}
	port := ln.Addr().(*net.TCPAddr).Port
	_, err = Dial(context.Background(), Target{Name: "node9", Address: "127.0.0.1", Port: port, User: "root"}, o)
	if err == nil || !strings.Contains(err.Error(), "node9: cannot connect to 127.0.0.1:"+strconv.Itoa(port)+": timed out") {
		t.Errorf("got %v", err)
	}
}

// waitGone waits until no process has pid, for at most a few seconds.
func waitGone(pid int) bool {
	for range 100 {
		if syscall.Kill(pid, 0) != nil {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

func TestCancelEndsEverything(t *testing.T) {
	n := newNode(t, sshtest.Options{LikeOpenSSH: true})
	c := dial(t, n.target(), n.options())
	pidFile := filepath.Join(n.dir, "pid")
	ctx, cancel := context.WithCancel(context.Background())
	type result struct {
		code int
		err  error
	}
	done := make(chan result, 1)
	go func() {
		code, err := c.Run(ctx, "sleep 300 & echo $! >"+pidFile+"; sleep 300; wait", nil, nil, nil)
		done <- result{code, err}
	}()
	var pid int
	for pid == 0 {
		b, _ := os.ReadFile(pidFile)
		pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	var r result
	select {
	case r = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
	if r.code != -1 || !errors.Is(r.err, context.Canceled) {
		t.Errorf("got %d %v, want -1 and context.Canceled", r.code, r.err)
	}
	if !waitGone(pid) {
		t.Errorf("the background sleep (pid %d) outlived the cancelled run", pid)
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	// The connection is still good.
	if code, out, _ := run(t, c, "echo after", ""); code != 0 || out != "after\n" {
		t.Errorf("after cancel: %d %q", code, out)
	}
}

func TestReconnectAfterRestart(t *testing.T) {
	n := newNode(t, sshtest.Options{})
	c := dial(t, n.target(), n.options())
	run(t, c, "true", "")
	n.Restart()
	if code, out, _ := run(t, c, "echo back", ""); code != 0 || out != "back\n" {
		t.Errorf("after restart: %d %q", code, out)
	}
	if n.Logins() != 2 {
		t.Errorf("%d logins, want 2", n.Logins())
	}
}

func TestReconnectWaitsForTheNode(t *testing.T) {
	n := newNode(t, sshtest.Options{})
	c := dial(t, n.target(), n.options())
	n.Close() // down for a while
	go func() {
		time.Sleep(700 * time.Millisecond)
		n.Restart()
	}()
	if code, out, _ := run(t, c, "echo up", ""); code != 0 || out != "up\n" {
		t.Errorf("got %d %q", code, out)
	}
}

func TestReconnectGivesUp(t *testing.T) {
	n := newNode(t, sshtest.Options{})
	o := n.options()
	o.ReconnectTimeout = 300 * time.Millisecond
	c := dial(t, n.target(), o)
	n.Close()
	code, err := c.Run(context.Background(), "true", nil, nil, nil)
	if code != -1 || err == nil || !strings.Contains(err.Error(), "node1: connection lost and not back within 300ms") {
		t.Errorf("got %d %v", code, err)
	}
}

func TestConnectionLostDuringRun(t *testing.T) {
	n := newNode(t, sshtest.Options{})
	c := dial(t, n.target(), n.options())
	var o bytes.Buffer
	done := make(chan error, 1)
	var code int
	go func() {
		var err error
		code, err = c.Run(context.Background(), "echo started; sleep 60", nil, &syncWriter{w: &o}, nil)
		done <- err
	}()
	for !strings.Contains(readSync(&o), "started") {
		time.Sleep(10 * time.Millisecond)
	}
	n.DropConnections()
	err := <-done
	var le *ConnLostError
	if code != -1 || !errors.As(err, &le) {
		t.Errorf("got %d %v, want -1 and a ConnLostError", code, err)
	}
}

var bufMu sync.Mutex

type syncWriter struct{ w *bytes.Buffer }

func (s *syncWriter) Write(p []byte) (int, error) {
	bufMu.Lock()
	defer bufMu.Unlock()
	return s.w.Write(p)
}

func readSync(b *bytes.Buffer) string {
	bufMu.Lock()
	defer bufMu.Unlock()
	return b.String()
}

func TestKeepaliveFindsAStalledPeer(t *testing.T) {
	n := newNode(t, sshtest.Options{})
	o := n.options()
	o.Keepalive = 50 * time.Millisecond
	o.KeepaliveMax = 2
	o.ReconnectTimeout = -1
	c := dial(t, n.target(), o)
	run(t, c, "true", "")
	n.Stall(true)
	defer n.Stall(false)
	code, err := c.Run(context.Background(), "echo never", nil, nil, nil)
	if code != -1 || err == nil {
		t.Errorf("got %d %v, want an error from the stalled node", code, err)
	}
}

func TestCancelWhileStalled(t *testing.T) {
	n := newNode(t, sshtest.Options{})
	c := dial(t, n.target(), n.options()) // keepalive 15s: it will not help here
	n.Stall(true)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Run(ctx, "true", nil, nil, nil)
		done <- err
	}()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run on a stalled node did not return after cancel")
	}
}

func fakeSudo(t *testing.T, fail bool) string {
	dir := t.TempDir()
	script := "#!/bin/sh\n"
	if fail {
		script += "echo 'sudo: a password is required' >&2; exit 1\n"
	}
	script += "while [ $# -gt 0 ]; do case $1 in --) shift; break;; -*) shift;; *) break;; esac; done\nSUDO_USED=1 exec \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "sudo"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return "PATH=" + dir + ":" + os.Getenv("PATH")
}

func TestSudo(t *testing.T) {
	n := newNode(t, sshtest.Options{Env: []string{fakeSudo(t, false)}})
	tg := n.target()
	tg.User = "admin"
	c := dial(t, tg, n.options())
	if !c.Sudo() {
		t.Fatal("no sudo for a user that is not root")
	}
	if code, out, _ := run(t, c, "echo $SUDO_USED", ""); code != 0 || out != "1\n" {
		t.Errorf("got %d %q, want the command under sudo", code, out)
	}
	execs := n.Execs()
	if last := execs[len(execs)-1]; last.User != "admin" || !strings.HasPrefix(last.Command, "exec sudo -n -H -- env HAGUIDE_RUN=") {
		t.Errorf("ran %+v", last)
	}

	o := n.options()
	o.Sudo = SudoNever
	c2 := dial(t, tg, o)
	if _, out, _ := run(t, c2, "echo ${SUDO_USED:-no}", ""); out != "no\n" {
		t.Errorf("SudoNever: %q", out)
	}
}

func TestSudoNeedsPassword(t *testing.T) {
	n := newNode(t, sshtest.Options{Env: []string{fakeSudo(t, true)}})
	tg := n.target()
	tg.User = "admin"
	_, err := Dial(context.Background(), tg, n.options())
	var se *SudoError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "node1: admin is not root and cannot run sudo without a password (sudo: a password is required)") {
		t.Errorf("got %v", err)
	}
}

func TestWriteFile(t *testing.T) {
	n := newNode(t, sshtest.Options{})
	c := dial(t, n.target(), n.options())
	dir := t.TempDir()
	p := filepath.Join(dir, "keystone.conf")
	ctx := context.Background()
	// Mode 0 and an empty owner keep the replaced file's (0644 and the
	// writer's for a new file).
	for i, tc := range []struct {
		path     string
		data     string
		mode     os.FileMode
		owner    string
		wantMode os.FileMode
		wantUID  int
	}{
		{p, "[DEFAULT]\ndebug = false\n", 0o640, "", 0o640, 0},
		{p, "second version, no newline", 0o600, "nobody", 0o600, 65534},
		{p, "", 0, "", 0o600, 65534},
		{p, strings.Repeat("big\n", 300000), 0o644 | os.ModeSetgid, "root:root", 0o644 | os.ModeSetgid, 0},
		{p, "kept again", 0, "", 0o644 | os.ModeSetgid, 0},
		{p, "mode given, owner kept", 0o640, "", 0o640, 0},
		{filepath.Join(dir, "new.conf"), "new file", 0, "", 0o644, 0},
	} {
		p := tc.path
		if err := c.WriteFile(ctx, p, []byte(tc.data), tc.mode, tc.owner); err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		got, err := os.ReadFile(p)
		if err != nil || string(got) != tc.data {
			t.Errorf("%d: content %.40q (%d bytes), err %v", i, got, len(got), err)
		}
		fi, _ := os.Stat(p)
		if fi.Mode() != tc.wantMode {
			t.Errorf("%d: mode %v, want %v", i, fi.Mode(), tc.wantMode)
		}
		if os.Getuid() == 0 {
			if uid := int(fi.Sys().(*syscall.Stat_t).Uid); uid != tc.wantUID {
				t.Errorf("%d: owner %d, want %d", i, uid, tc.wantUID)
			}
		}
		// ReadFile gives the same back.
		back, err := c.ReadFile(ctx, p)
		if err != nil || !bytes.Equal(back, got) {
			t.Errorf("%d: ReadFile: %d bytes, %v", i, len(back), err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("left behind: %v", entries)
	}
}

func TestWriteFileErrors(t *testing.T) {
	n := newNode(t, sshtest.Options{})
	c := dial(t, n.target(), n.options())
	ctx := context.Background()
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}

	err := c.WriteFile(ctx, filepath.Join(dir, "nodir", "f"), []byte("x"), 0o644, "")
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "directory "+filepath.Join(dir, "nodir")+" does not exist") {
		t.Errorf("missing directory: %v", err)
	}
	err = c.WriteFile(ctx, p, []byte("new"), 0o644, "no-such-user-here")
	if err == nil || !strings.Contains(err.Error(), "node1: write "+p) {
		t.Errorf("bad owner: %v", err)
	}
	if got, _ := os.ReadFile(p); string(got) != "old" {
		t.Errorf("a failed write changed the file to %q", got)
	}
	if err := c.WriteFile(ctx, "relative/f", nil, 0o644, ""); err == nil {
		t.Error("a relative path was accepted")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}

func TestReadFileMissing(t *testing.T) {
	n := newNode(t, sshtest.Options{})
	c := dial(t, n.target(), n.options())
	p := filepath.Join(t.TempDir(), "nope")
	_, err := c.ReadFile(context.Background(), p)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), p) {
		t.Errorf("got %v", err)
	}
}

func writeConfig(t *testing.T, text string) string {
	p := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSSHConfig(t *testing.T) {
	n := newNode(t, sshtest.Options{User: "root"})
	cfg := writeConfig(t, fmt.Sprintf(`Host ctl*
  HostName %s
  Port %d
  User root
  IdentityFile %s
`, n.Host(), n.Port(), n.key))
	o := n.options()
	o.SSHConfig = cfg
	c := dial(t, Target{Name: "controller1", Address: "ctl1"}, o)
	if code, out, _ := run(t, c, "echo via config", ""); code != 0 || out != "via config\n" {
		t.Errorf("got %d %q", code, out)
	}
	if c.Addr() != n.Addr() || c.User() != "root" {
		t.Errorf("addr %s user %s", c.Addr(), c.User())
	}
}

// CheckFiles finds a missing or bad ssh_config or identity file before
// any node is dialled.
func TestCheckFiles(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "key")
	os.WriteFile(key, nil, 0o600)
	for _, tc := range []struct {
		opts Options
		err  string
	}{
		{Options{SSHConfig: os.DevNull, IdentityFiles: []string{key}}, ""},
		{Options{SSHConfig: filepath.Join(dir, "missing")}, "ssh config: open .*missing: no such file"},
		{Options{SSHConfig: os.DevNull, IdentityFiles: []string{key, filepath.Join(dir, "nokey")}}, "identity file: .*nokey: no such file"},
		{Options{SSHConfig: os.DevNull, IdentityFiles: []string{"%d/%h/nokey"}}, ""}, // per host: Dial's to check
	} {
		err := CheckFiles(tc.opts)
		if (err == nil) != (tc.err == "") || err != nil && !regexp.MustCompile(tc.err).MatchString(err.Error()) {
			t.Errorf("CheckFiles(%+v) = %v, want %q", tc.opts, err, tc.err)
		}
	}
	// A key file the targets name is checked once, naming them all.
	targets := []Target{{Name: "n1", IdentityFile: key}, {Name: "n2", IdentityFile: dir + "/nokey"}, {Name: "n3", IdentityFile: dir + "/nokey"}}
	err := CheckFiles(Options{SSHConfig: os.DevNull}, targets...)
	if want := "n2, n3: identity file: open " + dir + "/nokey: no such file or directory"; err == nil || err.Error() != want {
		t.Errorf("CheckFiles(targets) = %v, want %s", err, want)
	}
}

func TestResolve(t *testing.T) {
	t.Setenv("HOME", "/home/u")
	cfg := writeConfig(t, `Host node*
  HostName %h.lab.example
  User ops
  ProxyJump jump2,admin@jump3:2202

Host node9
  Port 2222
  IdentityFile ~/.ssh/node9

Host jump2
  HostName 192.0.2.2
  ProxyJump ssh://root@jump1:2201

Host *
  IdentityFile ~/.ssh/all
`)
	sc, err := loadSSHConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r, err := sc.resolve(Target{Name: "n", Address: "node9", User: "admin"}, Options{IdentityFiles: []string{"/k/cli"}})
	if err != nil {
		t.Fatal(err)
	}
	want := route{
		node: endpoint{alias: "node9", host: "node9.lab.example", port: 2222, user: "admin",
			keys: []string{"/k/cli", "/home/u/.ssh/node9", "/home/u/.ssh/all"}},
		jumps: []endpoint{
			{alias: "jump1", host: "jump1", port: 2201, user: "root", keys: []string{"/home/u/.ssh/all"}},
			{alias: "jump2", host: "192.0.2.2", port: 22, user: "u", keys: []string{"/home/u/.ssh/all"}},
			{alias: "jump3", host: "jump3", port: 2202, user: "admin", keys: []string{"/home/u/.ssh/all"}},
		},
	}
	// The local user name is whoever runs the test.
	want.jumps[1].user = localUser()
	if d := cmp.Diff(want, r, cmp.AllowUnexported(route{}, endpoint{})); d != "" {
		t.Errorf("route (-want +got):\n%s", d)
	}

	loop := writeConfig(t, "Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n")
	sc, _ = loadSSHConfig(loop)
	if _, err := sc.resolve(Target{Address: "a"}, Options{}); err == nil || !strings.Contains(err.Error(), "a loop?") {
		t.Errorf("loop: %v", err)
	}
	if _, err := loadSSHConfig(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("an explicit missing ssh config was not an error")
	}
}

func TestProxyJump(t *testing.T) {
	jump1 := newNode(t, sshtest.Options{})
	jump2 := newNode(t, sshtest.Options{})
	target := newNode(t, sshtest.Options{})
	kh := filepath.Join(t.TempDir(), "known_hosts")
	lines := jump1.KnownHostsLine() + jump2.KnownHostsLine() + target.KnownHostsLine()
	if err := os.WriteFile(kh, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, fmt.Sprintf(`Host j1
  HostName %s
  Port %d
  User root
  IdentityFile %s
Host j2
  HostName %s
  Port %d
  User root
  IdentityFile %s
Host node
  HostName %s
  Port %d
  User root
  IdentityFile %s
  ProxyJump j1,j2
`, jump1.Host(), jump1.Port(), jump1.key, jump2.Host(), jump2.Port(), jump2.key, target.Host(), target.Port(), target.key))
	o := Options{SSHConfig: cfg, KnownHosts: []string{kh}}
	c := dial(t, Target{Name: "controller1", Address: "node"}, o)
	if code, out, _ := run(t, c, "echo through two jumps", ""); code != 0 || out != "through two jumps\n" {
		t.Errorf("got %d %q", code, out)
	}
	for name, n := range map[string]*node{"j1": jump1, "j2": jump2, "node": target} {
		if n.Logins() != 1 {
			t.Errorf("%s: %d logins", name, n.Logins())
		}
		if name != "node" && len(n.Execs()) != 0 {
			t.Errorf("%s ran commands: %v", name, n.Execs())
		}
	}
	// A reboot of the node: the route is dialled again, jumps included.
	target.Restart()
	if code, _, _ := run(t, c, "true", ""); code != 0 {
		t.Errorf("after restart: %d", code)
	}

	// An unknown jump host is refused like any host.
	if err := os.WriteFile(kh, []byte(jump2.KnownHostsLine()+target.KnownHostsLine()), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Dial(context.Background(), Target{Name: "controller1", Address: "node"}, o)
	var he *HostKeyError
	if !errors.As(err, &he) || he.Host != jump1.Addr() {
		t.Errorf("got %v, want jump1's key refused", err)
	}
}

func TestClose(t *testing.T) {
	n := newNode(t, sshtest.Options{})
	c := dial(t, n.target(), n.options())
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background(), "true", nil, nil, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Run after Close: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func BenchmarkRun(b *testing.B) {
	s := sshtest.New(b, sshtest.Options{})
	dir := b.TempDir()
	key := filepath.Join(dir, "id")
	s.WriteClientKey(key, "")
	kh := filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(kh, []byte(s.KnownHostsLine()), 0o600); err != nil {
		b.Fatal(err)
	}
	c, err := Dial(context.Background(), Target{Name: "bench", Address: s.Host(), Port: s.Port(), User: "root", IdentityFile: key},
		Options{SSHConfig: os.DevNull, KnownHosts: []string{kh}})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if code, err := c.Run(ctx, "true", nil, nil, nil); code != 0 || err != nil {
			b.Fatal(code, err)
		}
	}
}

// BenchmarkLocalBaseline runs what the test server runs for one Run,
// without SSH: BenchmarkRun minus this is the transport's own cost.
func BenchmarkLocalBaseline(b *testing.B) {
	c := &Conn{}
	cmd := c.command("true", newToken())
	for b.Loop() {
		if err := exec.Command("/bin/sh", "-c", cmd).Run(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestFileNamesAreQuoted(t *testing.T) {
	n := newNode(t, sshtest.Options{})
	c := dial(t, n.target(), n.options())
	dir := filepath.Join(t.TempDir(), "a dir; $(touch pwned)")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "it's \"a\" file`x`")
	ctx := context.Background()
	if err := c.WriteFile(ctx, p, []byte("data"), 0o600, ""); err != nil {
		t.Fatal(err)
	}
	if got, err := c.ReadFile(ctx, p); err != nil || string(got) != "data" {
		t.Errorf("got %q %v", got, err)
	}
	if _, err := os.Stat("pwned"); err == nil {
		os.Remove("pwned")
		t.Error("a file name was run as a command")
	}
}

func FuzzParseJump(f *testing.F) {
	for _, s := range []string{"host", "user@host:2222", "ssh://u@h:22", "[::1]:22", "u@[fe80::1]", "@:", "ssh://"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		e, err := parseJump(spec)
		if err != nil {
			return
		}
		if e.alias == "" || e.port < 0 || e.port > 65535 {
			t.Errorf("parseJump(%q) = %+v", spec, e)
		}
	})
}
