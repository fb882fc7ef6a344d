package sshtest

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

func dial(t *testing.T, s *Server, user string, auth ...ssh.AuthMethod) *ssh.Client {
	t.Helper()
	if len(auth) == 0 {
		auth = []ssh.AuthMethod{ssh.PublicKeys(s.ClientSigner())}
	}
	c, err := ssh.Dial("tcp", s.Addr(), &ssh.ClientConfig{
		User: user, Auth: auth, HostKeyCallback: ssh.FixedHostKey(s.HostKey()), Timeout: 10 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func run(t *testing.T, c *ssh.Client, cmd, stdin string) (stdout, stderr string, err error) {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	var o, e bytes.Buffer
	sess.Stdin, sess.Stdout, sess.Stderr = strings.NewReader(stdin), &o, &e
	err = sess.Run(cmd)
	return o.String(), e.String(), err
}

func TestExec(t *testing.T) {
	s := New(t, Options{Env: []string{"FROM_SERVER=yes"}})
	c := dial(t, s, "tester")
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.Setenv("FROM_CLIENT", "ok"); err != nil {
		t.Fatal(err)
	}
	var o, e bytes.Buffer
	sess.Stdin, sess.Stdout, sess.Stderr = strings.NewReader("in\n"), &o, &e
	err = sess.Run(`read x; echo "$x $FROM_CLIENT $FROM_SERVER"; echo oops >&2; exit 7`)
	var ee *ssh.ExitError
	if !errors.As(err, &ee) || ee.ExitStatus() != 7 {
		t.Fatalf("err %v, want exit status 7", err)
	}
	if o.String() != "in ok yes\n" || e.String() != "oops\n" {
		t.Errorf("stdout %q stderr %q", o.String(), e.String())
	}
	want := []Exec{{User: "tester", Command: `read x; echo "$x $FROM_CLIENT $FROM_SERVER"; echo oops >&2; exit 7`, Env: []string{"FROM_CLIENT=ok"}}}
	if d := cmp.Diff(want, s.Execs()); d != "" {
		t.Errorf("execs (-want +got):\n%s", d)
	}
	if _, _, err := run(t, c, "true", ""); err != nil {
		t.Errorf("true: %v", err)
	}
	if s.Logins() != 1 {
		t.Errorf("%d logins, want 1", s.Logins())
	}
}

func TestSignal(t *testing.T) {
	s := New(t, Options{})
	sess := started(t, s, "echo started; exec sleep 60")
	if err := sess.Signal(ssh.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := sess.Wait()
	var ee *ssh.ExitError
	if !errors.As(err, &ee) || ee.Signal() != "TERM" {
		t.Fatalf("err %v, want exit-signal TERM", err)
	}
}

func TestAuth(t *testing.T) {
	other, _ := NewSigner(t)
	s := New(t, Options{User: "admin", Password: "sesame", AuthorizedKeys: []ssh.PublicKey{other.PublicKey()}})
	dial(t, s, "admin", ssh.Password("sesame"))
	dial(t, s, "admin", ssh.PublicKeys(other))
	for _, tc := range []struct {
		user string
		auth ssh.AuthMethod
	}{
		{"admin", ssh.Password("wrong")},
		{"root", ssh.Password("sesame")},
		{"root", ssh.PublicKeys(s.ClientSigner())},
	} {
		_, err := ssh.Dial("tcp", s.Addr(), &ssh.ClientConfig{User: tc.user, Auth: []ssh.AuthMethod{tc.auth},
			HostKeyCallback: ssh.FixedHostKey(s.HostKey())})
		if err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
			t.Errorf("%s: got %v, want an authentication failure", tc.user, err)
		}
	}
}

func TestKeepaliveAnsweredLikeOpenSSH(t *testing.T) {
	s := New(t, Options{})
	c := dial(t, s, "root")
	ok, _, err := c.SendRequest("keepalive@openssh.com", true, nil)
	if err != nil || ok {
		t.Errorf("keepalive: ok %v err %v; want a failure reply", ok, err)
	}
}

func TestDirectTCPIP(t *testing.T) {
	s := New(t, Options{})
	target := New(t, Options{})
	c := dial(t, s, "root")
	nc, err := c.Dial("tcp", target.Addr())
	if err != nil {
		t.Fatal(err)
	}
	conn, chans, reqs, err := ssh.NewClientConn(nc, target.Addr(), &ssh.ClientConfig{
		User: "root", Auth: []ssh.AuthMethod{ssh.PublicKeys(target.ClientSigner())},
		HostKeyCallback: ssh.FixedHostKey(target.HostKey())})
	if err != nil {
		t.Fatal(err)
	}
	inner := ssh.NewClient(conn, chans, reqs)
	defer inner.Close()
	if out, _, err := run(t, inner, "echo through", ""); err != nil || out != "through\n" {
		t.Errorf("got %q %v", out, err)
	}
	if target.Logins() != 1 {
		t.Errorf("target saw %d logins", target.Logins())
	}
}

func TestRestart(t *testing.T) {
	s := New(t, Options{})
	c := dial(t, s, "root")
	addr := s.Addr()
	s.Restart()
	waitClosed(t, c)
	if s.Addr() != addr {
		t.Errorf("address changed: %s -> %s", addr, s.Addr())
	}
	c2 := dial(t, s, "root")
	if out, _, err := run(t, c2, "echo back", ""); err != nil || out != "back\n" {
		t.Errorf("got %q %v", out, err)
	}
}

func TestRestartKillsCommands(t *testing.T) {
	s := New(t, Options{})
	sess := started(t, s, "echo started; sleep 60")
	s.Restart()
	err := sess.Wait()
	var missing *ssh.ExitMissingError
	if err == nil || errors.As(err, new(*ssh.ExitError)) && !errors.As(err, &missing) {
		t.Errorf("got %v, want the session to end without a status", err)
	}
	s.mu.Lock()
	n := len(s.procs)
	s.mu.Unlock()
	if n != 0 {
		t.Errorf("%d commands still tracked after restart", n)
	}
}

func TestStall(t *testing.T) {
	s := New(t, Options{})
	c := dial(t, s, "root")
	s.Stall(true)
	done := make(chan error, 1)
	go func() {
		_, _, err := c.SendRequest("keepalive@openssh.com", true, nil)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("a stalled server answered (err %v)", err)
	case <-time.After(200 * time.Millisecond):
	}
	s.Stall(false)
	if err := <-done; err != nil {
		t.Errorf("after the stall: %v", err)
	}
}

func TestSetHostKey(t *testing.T) {
	s := New(t, Options{})
	old := s.HostKey()
	k, _ := NewSigner(t)
	s.SetHostKey(k)
	_, err := ssh.Dial("tcp", s.Addr(), &ssh.ClientConfig{User: "root", Auth: []ssh.AuthMethod{ssh.PublicKeys(s.ClientSigner())},
		HostKeyCallback: ssh.FixedHostKey(old)})
	if err == nil {
		t.Error("the old host key was still accepted")
	}
	// KnownHostsLine follows the new key.
	_, _, _, _, rest, err := ssh.ParseKnownHosts([]byte(s.KnownHostsLine()))
	if err != nil || len(bytes.TrimSpace(rest)) != 0 {
		t.Fatalf("known_hosts line %q: %v", s.KnownHostsLine(), err)
	}
	if !strings.HasPrefix(s.KnownHostsLine(), knownhosts.Normalize(s.Addr())+" ") {
		t.Errorf("line %q does not start with %s", s.KnownHostsLine(), knownhosts.Normalize(s.Addr()))
	}
}

func TestDropConnections(t *testing.T) {
	s := New(t, Options{})
	c := dial(t, s, "root")
	s.DropConnections()
	waitClosed(t, c)
	c2 := dial(t, s, "root")
	if out, _, err := run(t, c2, "echo still", ""); err != nil || out != "still\n" {
		t.Errorf("got %q %v", out, err)
	}
}

// waitClosed waits for a client connection to end.
func waitClosed(t *testing.T, c *ssh.Client) {
	t.Helper()
	done := make(chan struct{})
	go func() { _ = c.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the connection did not end")
	}
}

// started starts cmd in a session of its own on s and returns once it
// printed "started".
func started(t *testing.T, s *Server, cmd string) *ssh.Session {
	t.Helper()
	sess, err := dial(t, s, "root").NewSession()
	if err != nil {
		t.Fatal(err)
	}
	o := &Buffer{}
	sess.Stdout = o
	if err := sess.Start(cmd); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(o.String(), "started") {
		time.Sleep(5 * time.Millisecond)
	}
	return sess
}
