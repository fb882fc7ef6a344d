// Package sshtest is an in-process SSH server for tests, built on
// golang.org/x/crypto/ssh. It listens on 127.0.0.1, accepts the client
// keys (and optionally the password) it is given, and runs "exec" requests
// with /bin/sh -c on this machine, so tests of an SSH client talk real SSH
// and run real processes.
//
// It answers keepalive@openssh.com as OpenSSH does (a failure reply, which
// still proves the peer alive), forwards "direct-tcpip" channels (what
// ProxyJump uses), passes "signal" requests on to the command's process
// group and hangs the command up when its channel closes, and reports how
// a command ended with exit-status or exit-signal. For faults it can be
// restarted on the same port (a node that reboots), drop every connection,
// stall (stop reading, as a peer that vanished from the network), and
// present another host key.
package sshtest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// Options configure a Server. The zero value accepts the key of
// [Server.ClientSigner] for any user.
type Options struct {
	// AuthorizedKeys are the client keys accepted; the server's own
	// generated client key is always accepted too.
	AuthorizedKeys []ssh.PublicKey
	// Password, when set, is accepted by password authentication.
	Password string
	// User, when set, is the only user name accepted.
	User string
	// HostKey is the server's host key; nil generates an ed25519 one.
	HostKey ssh.Signer
	// ExtraHostKeys are further host keys, of other types, as a real
	// server has (RSA, ECDSA and Ed25519); the client picks one.
	ExtraHostKeys []ssh.Signer
	// Env is added to every command's environment (after the server's
	// own and the client's "env" requests), e.g. a PATH with fake tools.
	Env []string
	// Dir is the commands' working directory; empty is the current one.
	Dir string
	// LikeOpenSSH makes "signal" requests reach only the process the
	// session started, and a closed channel leave the command running,
	// as OpenSSH's sshd does for sessions without a terminal. By
	// default both reach the command's whole process group.
	LikeOpenSSH bool
}

// Exec is one command the server was asked to run.
type Exec struct {
	User    string
	Command string
	Env     []string // from the client's "env" requests
}

// Server is a running test server.
type Server struct {
	t          testing.TB
	opts       Options
	addr       string
	client     ssh.Signer
	clientPriv ed25519.PrivateKey

	mu       sync.Mutex
	hostKey  ssh.Signer
	ln       net.Listener
	conns    map[net.Conn]bool
	procs    map[*exec.Cmd]bool
	execs    []Exec
	logins   int
	stalled  bool
	unstall  chan struct{} // closed when a stall ends
	listenMu sync.Mutex
}

// New starts a server on 127.0.0.1 with a free port; it stops when the
// test ends.
func New(t testing.TB, o Options) *Server {
	t.Helper()
	s := &Server{t: t, opts: o, conns: map[net.Conn]bool{}, procs: map[*exec.Cmd]bool{}, unstall: make(chan struct{})}
	close(s.unstall)
	s.client, s.clientPriv = NewSigner(t)
	s.hostKey = o.HostKey
	if s.hostKey == nil {
		s.hostKey, _ = NewSigner(t)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	s.serve(ln)
	t.Cleanup(s.Close)
	return s
}

// NewSigner generates an ed25519 key.
func NewSigner(t testing.TB) (ssh.Signer, ed25519.PrivateKey) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s, priv
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.addr }

// Host is the host part of Addr.
func (s *Server) Host() string { h, _, _ := net.SplitHostPort(s.addr); return h }

// Port is the port part of Addr.
func (s *Server) Port() int {
	_, p, _ := net.SplitHostPort(s.addr)
	n, _ := strconv.Atoi(p)
	return n
}

// ClientSigner is a client key the server accepts.
func (s *Server) ClientSigner() ssh.Signer { return s.client }

// HostKey is the host key the server presents now.
func (s *Server) HostKey() ssh.PublicKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hostKey.PublicKey()
}

// SetHostKey makes the server present another host key from the next
// connection on, as a reinstalled node or a man in the middle does.
func (s *Server) SetHostKey(k ssh.Signer) {
	s.mu.Lock()
	s.hostKey = k
	s.mu.Unlock()
}

// KnownHostsLine is the server's line for a known_hosts file, with a
// trailing newline.
func (s *Server) KnownHostsLine() string {
	return fmt.Sprintf("[%s]:%d %s", s.Host(), s.Port(), ssh.MarshalAuthorizedKey(s.HostKey()))
}

// WriteClientKey writes the private key of ClientSigner in OpenSSH form
// to path (mode 0600), encrypted when passphrase is not empty.
func (s *Server) WriteClientKey(path, passphrase string) {
	s.t.Helper()
	var block *pem.Block
	var err error
	if passphrase == "" {
		block, err = ssh.MarshalPrivateKey(s.clientPriv, "sshtest")
	} else {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(s.clientPriv, "sshtest", []byte(passphrase))
	}
	if err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		s.t.Fatal(err)
	}
}

// Execs returns the commands run so far, in order.
func (s *Server) Execs() []Exec {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Exec(nil), s.execs...)
}

// Logins counts the SSH connections that authenticated.
func (s *Server) Logins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins
}

// Close stops listening, ends a stall, drops every connection and kills
// every command still running. It is safe to call more than once.
func (s *Server) Close() {
	s.listenMu.Lock()
	defer s.listenMu.Unlock()
	s.mu.Lock()
	if s.ln != nil {
		s.ln.Close()
		s.ln = nil
	}
	s.mu.Unlock()
	s.Stall(false)
	s.DropConnections()
	s.killAll()
}

// DropConnections closes every connection, as a network failure would,
// but keeps listening. Commands are hung up as their channels close.
func (s *Server) DropConnections() {
	s.mu.Lock()
	conns := s.conns
	s.conns = map[net.Conn]bool{}
	s.mu.Unlock()
	for c := range conns {
		c.Close()
	}
}

func (s *Server) killAll() {
	s.mu.Lock()
	procs := s.procs
	s.procs = map[*exec.Cmd]bool{}
	s.mu.Unlock()
	for c := range procs {
		if c.Process != nil {
			_ = syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
		}
	}
}

// Restart drops everything and listens again on the same port, as a
// node that rebooted: its processes are gone, its host key is the same.
func (s *Server) Restart() {
	s.t.Helper()
	s.Close()
	s.listenMu.Lock()
	defer s.listenMu.Unlock()
	var ln net.Listener
	var err error
	for range 50 { // the port may take a moment to be free again
		if ln, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Errorf("sshtest: listen again on %s: %v", s.addr, err)
		return
	}
	s.serve(ln)
}

// Stall makes every connection stop reading (on) or read again (off):
// a peer that is gone from the network without closing anything. New
// connections are accepted but stall too.
func (s *Server) Stall(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if on == s.stalled {
		return
	}
	s.stalled = on
	if on {
		s.unstall = make(chan struct{})
	} else {
		close(s.unstall)
	}
}

// gate returns a channel that is closed when reading may go on.
func (s *Server) gate() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.unstall
}

type stallConn struct {
	net.Conn
	s *Server
}

func (c stallConn) Read(p []byte) (int, error) {
	<-c.s.gate()
	n, err := c.Conn.Read(p)
	if n > 0 {
		// What arrived during a stall is not seen until it ends.
		<-c.s.gate()
	}
	return n, err
}

func (s *Server) serve(ln net.Listener) {
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			if s.ln != ln {
				s.mu.Unlock()
				c.Close()
				return
			}
			s.conns[c] = true
			s.mu.Unlock()
			go s.handle(stallConn{c, s}, c)
		}
	}()
}

func (s *Server) config() *ssh.ServerConfig {
	cfg := &ssh.ServerConfig{
		PublicKeyCallback: func(m ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if s.opts.User != "" && m.User() != s.opts.User {
				return nil, fmt.Errorf("user %s not allowed", m.User())
			}
			want := append([]ssh.PublicKey{s.client.PublicKey()}, s.opts.AuthorizedKeys...)
			for _, k := range want {
				if string(k.Marshal()) == string(key.Marshal()) {
					return nil, nil
				}
			}
			return nil, errors.New("unknown key")
		},
	}
	if s.opts.Password != "" {
		cfg.PasswordCallback = func(m ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			if (s.opts.User == "" || m.User() == s.opts.User) && string(pw) == s.opts.Password {
				return nil, nil
			}
			return nil, errors.New("wrong password")
		}
	}
	for _, k := range s.opts.ExtraHostKeys {
		cfg.AddHostKey(k)
	}
	s.mu.Lock()
	cfg.AddHostKey(s.hostKey) // last, so that it wins over an extra key of its type
	s.mu.Unlock()
	return cfg
}

func (s *Server) handle(c net.Conn, raw net.Conn) {
	defer func() {
		raw.Close()
		s.mu.Lock()
		delete(s.conns, raw)
		s.mu.Unlock()
	}()
	sc, chans, reqs, err := ssh.NewServerConn(c, s.config())
	if err != nil {
		return
	}
	defer sc.Close()
	s.mu.Lock()
	s.logins++
	s.mu.Unlock()
	go func() {
		for r := range reqs {
			// OpenSSH answers requests it does not know, keepalives
			// included, with a failure.
			if r.WantReply {
				_ = r.Reply(false, nil)
			}
		}
	}()
	for nc := range chans {
		switch nc.ChannelType() {
		case "session":
			ch, creqs, err := nc.Accept()
			if err != nil {
				continue
			}
			go s.session(sc.User(), ch, creqs)
		case "direct-tcpip":
			go forward(nc)
		default:
			_ = nc.Reject(ssh.UnknownChannelType, "unsupported channel type")
		}
	}
}

func forward(nc ssh.NewChannel) {
	var p struct {
		Host     string
		Port     uint32
		OrigHost string
		OrigPort uint32
	}
	if err := ssh.Unmarshal(nc.ExtraData(), &p); err != nil {
		_ = nc.Reject(ssh.ConnectionFailed, "bad direct-tcpip request")
		return
	}
	dst, err := net.Dial("tcp", net.JoinHostPort(p.Host, strconv.Itoa(int(p.Port))))
	if err != nil {
		_ = nc.Reject(ssh.ConnectionFailed, err.Error())
		return
	}
	ch, reqs, err := nc.Accept()
	if err != nil {
		dst.Close()
		return
	}
	go ssh.DiscardRequests(reqs)
	go func() {
		_, _ = io.Copy(ch, dst)
		_ = ch.CloseWrite()
	}()
	_, _ = io.Copy(dst, ch)
	dst.Close()
	ch.Close()
}

var signals = map[string]syscall.Signal{
	"ABRT": syscall.SIGABRT, "ALRM": syscall.SIGALRM, "FPE": syscall.SIGFPE, "HUP": syscall.SIGHUP,
	"ILL": syscall.SIGILL, "INT": syscall.SIGINT, "KILL": syscall.SIGKILL, "PIPE": syscall.SIGPIPE,
	"QUIT": syscall.SIGQUIT, "SEGV": syscall.SIGSEGV, "TERM": syscall.SIGTERM, "USR1": syscall.SIGUSR1,
	"USR2": syscall.SIGUSR2,
}

func signalName(sig syscall.Signal) string {
	for n, v := range signals {
		if v == sig {
			return n
		}
	}
	return strconv.Itoa(int(sig))
}

func (s *Server) session(user string, ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	var env []string
	var cmd *exec.Cmd
	done := make(chan struct{})
	for r := range reqs {
		switch r.Type {
		case "env":
			var kv struct{ Name, Value string }
			ok := ssh.Unmarshal(r.Payload, &kv) == nil
			if ok {
				env = append(env, kv.Name+"="+kv.Value)
			}
			if r.WantReply {
				_ = r.Reply(ok, nil)
			}
		case "exec":
			var p struct{ Command string }
			if err := ssh.Unmarshal(r.Payload, &p); err != nil || cmd != nil {
				_ = r.Reply(false, nil)
				continue
			}
			s.mu.Lock()
			s.execs = append(s.execs, Exec{User: user, Command: p.Command, Env: append([]string(nil), env...)})
			s.mu.Unlock()
			cmd = exec.Command("/bin/sh", "-c", p.Command)
			cmd.Env = append(append(os.Environ(), env...), s.opts.Env...)
			cmd.Dir = s.opts.Dir
			cmd.Stdout, cmd.Stderr = ch, ch.Stderr()
			// Stdin is copied outside of Wait, as sshd does: a command
			// that ends without reading all of it has ended.
			stdin, err := cmd.StdinPipe()
			if err != nil {
				_ = r.Reply(false, nil)
				return
			}
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			// A daemon left holding the output must not keep the
			// session open once the command has ended.
			cmd.WaitDelay = time.Second
			if err := cmd.Start(); err != nil {
				_ = r.Reply(false, nil)
				return
			}
			go func() {
				_, _ = io.Copy(stdin, ch)
				stdin.Close()
			}()
			s.mu.Lock()
			s.procs[cmd] = true
			s.mu.Unlock()
			_ = r.Reply(true, nil)
			go s.wait(cmd, ch, done)
		case "signal":
			var p struct{ Signal string }
			if ssh.Unmarshal(r.Payload, &p) == nil && cmd != nil {
				if sig, ok := signals[p.Signal]; ok {
					pid := -cmd.Process.Pid
					if s.opts.LikeOpenSSH {
						pid = cmd.Process.Pid
					}
					_ = syscall.Kill(pid, sig)
				}
			}
		default: // pty-req, shell, subsystem, ...: not offered
			if r.WantReply {
				_ = r.Reply(false, nil)
			}
		}
	}
	// The channel closed: hang up what still runs.
	if cmd != nil && !s.opts.LikeOpenSSH {
		select {
		case <-done:
		default:
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGHUP)
		}
	}
}

func (s *Server) wait(cmd *exec.Cmd, ch ssh.Channel, done chan struct{}) {
	defer close(done)
	err := cmd.Wait()
	s.mu.Lock()
	delete(s.procs, cmd)
	s.mu.Unlock()
	code := 0
	if st := cmd.ProcessState; st != nil {
		if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			_, _ = ch.SendRequest("exit-signal", false, ssh.Marshal(struct {
				Signal     string
				CoreDumped bool
				Message    string
				Lang       string
			}{signalName(ws.Signal()), ws.CoreDump(), "", ""}))
			ch.Close()
			return
		}
		code = st.ExitCode()
	} else if err != nil {
		code = 255
	}
	b := make([]byte, 4)
	binary.BigEndian.PutUint32(b, uint32(code))
	_, _ = ch.SendRequest("exit-status", false, b)
	ch.Close()
}
