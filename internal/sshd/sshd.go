// Package sshd is an SSH server for tests: it listens on 127.0.0.1,
// accepts one client key, and runs "exec" requests with /bin/sh on this
// machine, so tests of the SSH transport use a real SSH conversation and
// real processes. It answers keepalives, forwards direct-tcpip channels
// (for ProxyJump), passes signals on, and can be stopped and started again
// on the same port to play a node that reboots.
package sshd

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

	"golang.org/x/crypto/ssh"
)

// Server is a running test server.
type Server struct {
	t          testing.TB
	addr       string
	hostKey    ssh.Signer
	client     ssh.Signer
	clientPriv ed25519.PrivateKey
	config     *ssh.ServerConfig

	mu    sync.Mutex
	ln    net.Listener
	conns []net.Conn
}

// New starts a server; it stops when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t}
	s.hostKey, _ = newSigner(t)
	s.client, s.clientPriv = newSigner(t)
	s.config = &ssh.ServerConfig{
		PublicKeyCallback: func(_ ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if string(key.Marshal()) == string(s.client.PublicKey().Marshal()) {
				return nil, nil
			}
			return nil, errors.New("unknown key")
		},
	}
	s.config.AddHostKey(s.hostKey)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	s.serve(ln)
	t.Cleanup(s.Close)
	return s
}

func newSigner(t testing.TB) (ssh.Signer, ed25519.PrivateKey) {
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

// Addr is host:port.
func (s *Server) Addr() string { return s.addr }

// Host and Port split Addr.
func (s *Server) Host() string { h, _, _ := net.SplitHostPort(s.addr); return h }

// Port is the server's port.
func (s *Server) Port() int { _, p, _ := net.SplitHostPort(s.addr); n, _ := strconv.Atoi(p); return n }

// ClientSigner is the key the server accepts.
func (s *Server) ClientSigner() ssh.Signer { return s.client }

// HostKey is the server's host key.
func (s *Server) HostKey() ssh.PublicKey { return s.hostKey.PublicKey() }

// WriteClientKey writes the accepted private key in OpenSSH form to
// path, encrypted with passphrase when it is not empty.
func (s *Server) WriteClientKey(path, passphrase string) {
	var block *pem.Block
	var err error
	if passphrase == "" {
		block, err = ssh.MarshalPrivateKey(s.clientPriv, "test")
	} else {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(s.clientPriv, "test", []byte(passphrase))
	}
	if err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		s.t.Fatal(err)
	}
}

// KnownHostsLine is the server's line for a known_hosts file.
func (s *Server) KnownHostsLine() string {
	return fmt.Sprintf("[%s]:%d %s", s.Host(), s.Port(), string(ssh.MarshalAuthorizedKey(s.HostKey())))
}

// Close stops the server and drops every connection.
func (s *Server) Close() {
	s.mu.Lock()
	if s.ln != nil {
		s.ln.Close()
		s.ln = nil
	}
	for _, c := range s.conns {
		c.Close()
	}
	s.conns = nil
	s.mu.Unlock()
}

// Restart drops every connection and listens again on the same port, as a
// node does that rebooted.
func (s *Server) Restart() {
	s.Close()
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		s.t.Fatal(err)
	}
	s.serve(ln)
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
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			go s.handle(c)
		}
	}()
}

func (s *Server) handle(c net.Conn) {
	sc, chans, reqs, err := ssh.NewServerConn(c, s.config)
	if err != nil {
		c.Close()
		return
	}
	defer sc.Close()
	go func() {
		for r := range reqs {
			if r.WantReply {
				r.Reply(r.Type == "keepalive@openssh.com", nil)
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
			go s.session(ch, creqs)
		case "direct-tcpip":
			go s.forward(nc)
		default:
			nc.Reject(ssh.UnknownChannelType, "no")
		}
	}
}

func (s *Server) forward(nc ssh.NewChannel) {
	var p struct {
		Host     string
		Port     uint32
		OrigHost string
		OrigPort uint32
	}
	if err := ssh.Unmarshal(nc.ExtraData(), &p); err != nil {
		nc.Reject(ssh.ConnectionFailed, "bad request")
		return
	}
	dst, err := net.Dial("tcp", net.JoinHostPort(p.Host, strconv.Itoa(int(p.Port))))
	if err != nil {
		nc.Reject(ssh.ConnectionFailed, err.Error())
		return
	}
	ch, reqs, err := nc.Accept()
	if err != nil {
		dst.Close()
		return
	}
	go ssh.DiscardRequests(reqs)
	go func() { io.Copy(ch, dst); ch.CloseWrite() }()
	io.Copy(dst, ch)
	dst.Close()
	ch.Close()
}

var signals = map[string]syscall.Signal{"TERM": syscall.SIGTERM, "KILL": syscall.SIGKILL, "INT": syscall.SIGINT, "HUP": syscall.SIGHUP}

func (s *Server) session(ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	var env []string
	var cmd *exec.Cmd
	done := make(chan struct{})
	for r := range reqs {
		switch r.Type {
		case "env":
			var kv struct{ K, V string }
			if ssh.Unmarshal(r.Payload, &kv) == nil {
				env = append(env, kv.K+"="+kv.V)
			}
			r.Reply(true, nil)
		case "exec":
			var p struct{ Cmd string }
			if err := ssh.Unmarshal(r.Payload, &p); err != nil || cmd != nil {
				r.Reply(false, nil)
				continue
			}
			cmd = exec.Command("/bin/sh", "-c", p.Cmd)
			cmd.Env = append(os.Environ(), env...)
			cmd.Stdin, cmd.Stdout, cmd.Stderr = ch, ch, ch.Stderr()
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			if err := cmd.Start(); err != nil {
				r.Reply(false, nil)
				return
			}
			r.Reply(true, nil)
			go func() {
				err := cmd.Wait()
				code := 0
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
						ch.SendRequest("exit-signal", false, ssh.Marshal(struct {
							Signal string
							Core   bool
							Msg    string
							Lang   string
						}{signalName(ws.Signal()), false, "", ""}))
						ch.Close()
						close(done)
						return
					}
					code = ee.ExitCode()
				}
				b := make([]byte, 4)
				binary.BigEndian.PutUint32(b, uint32(code))
				ch.SendRequest("exit-status", false, b)
				ch.Close()
				close(done)
			}()
		case "signal":
			var p struct{ Sig string }
			if ssh.Unmarshal(r.Payload, &p) == nil && cmd != nil && cmd.Process != nil {
				if sig, ok := signals[p.Sig]; ok {
					syscall.Kill(-cmd.Process.Pid, sig)
				}
			}
		default:
			if r.WantReply {
				r.Reply(false, nil)
			}
		}
	}
	// The channel closed: end what still runs, as sshd does on hangup.
	if cmd != nil && cmd.Process != nil {
		select {
		case <-done:
		default:
			syscall.Kill(-cmd.Process.Pid, syscall.SIGHUP)
		}
	}
}

func signalName(s syscall.Signal) string {
	for n, v := range signals {
		if v == s {
			return n
		}
	}
	return "KILL"
}
