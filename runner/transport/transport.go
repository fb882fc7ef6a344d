package transport

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/haguide/haguide/internal/shquote"
)

// Target is a node to connect to, as the inventory names it. Address is
// matched against ssh_config's Host patterns, as ssh does with the name
// on its command line; Port, User and IdentityFile, when set, win over
// ssh_config.
type Target struct {
	Name         string // the guide's node name, used in messages
	Address      string // host name or address; empty uses Name
	Port         int    // 0: ssh_config's, or 22
	User         string // empty: ssh_config's, or the local user
	IdentityFile string // tried after Options.IdentityFiles
}

// SudoMode says when commands run under sudo.
type SudoMode int

const (
	// SudoAuto runs commands under `sudo -n` when the user is not root.
	SudoAuto SudoMode = iota
	// SudoNever runs commands as the user logged in.
	SudoNever
	// SudoAlways runs commands under `sudo -n`, root or not.
	SudoAlways
)

// Options say how to connect. The zero value checks ~/.ssh/known_hosts,
// reads ~/.ssh/config, tries the default key files and refuses unknown
// hosts.
type Options struct {
	// SSHConfig is an OpenSSH client config file; empty reads
	// ~/.ssh/config if there is one; os.DevNull or "none" reads none.
	SSHConfig string
	// KnownHosts are known_hosts files; empty uses ssh_config's
	// UserKnownHostsFile or ~/.ssh/known_hosts. New keys are recorded in
	// the first.
	KnownHosts []string
	// AcceptNew records the key of a host not yet known; a changed key
	// is refused all the same.
	AcceptNew bool
	// Insecure skips host key checks entirely (an explicit opt-out).
	Insecure bool
	// IdentityFiles are private keys to try before the target's and
	// ssh_config's.
	IdentityFiles []string
	// Agent offers the keys of ssh-agent (SSH_AUTH_SOCK).
	Agent bool
	// Passphrase is asked for the passphrase of an encrypted key file,
	// once per file; nil leaves such keys out (with a note in the error
	// when authentication fails).
	Passphrase func(file string) ([]byte, error)
	// Keepalive is the interval of keepalive@openssh.com requests
	// (default 15s; negative: none). KeepaliveMax unanswered ones in a
	// row (default 3) close the connection.
	Keepalive    time.Duration
	KeepaliveMax int
	// ConnectTimeout bounds one TCP connect plus SSH handshake (default
	// 20s).
	ConnectTimeout time.Duration
	// ReconnectTimeout is how long Run keeps dialling a node whose
	// connection was lost, with backoff (default 2m; negative: no
	// reconnect).
	ReconnectTimeout time.Duration
	// Sudo says when to wrap commands in `sudo -n` (default: when the
	// user is not root).
	Sudo SudoMode
	// Logger gets connection events; nil discards them.
	Logger *slog.Logger
}

func (o *Options) defaults() {
	if o.Keepalive == 0 {
		o.Keepalive = 15 * time.Second
	}
	if o.KeepaliveMax <= 0 {
		o.KeepaliveMax = 3
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 20 * time.Second
	}
	if o.ReconnectTimeout == 0 {
		o.ReconnectTimeout = 2 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// DialError is a node (or jump host) that could not be reached.
type DialError struct {
	Node string
	Addr string // host:port
	Via  string // the jump host, if any
	Err  error
}

func (e *DialError) Error() string {
	via := ""
	if e.Via != "" {
		via = " via " + e.Via
	}
	reason := e.Err.Error()
	var ne net.Error
	switch {
	case errors.Is(e.Err, syscall.ECONNREFUSED):
		reason = "connection refused (is sshd running, and is the port right?)"
	case errors.Is(e.Err, context.DeadlineExceeded), errors.As(e.Err, &ne) && ne.Timeout():
		reason = "timed out (is the node up and reachable?)"
	}
	return fmt.Sprintf("%s: cannot connect to %s%s: %s", e.Node, e.Addr, via, reason)
}

func (e *DialError) Unwrap() error { return e.Err }

// ErrClosed is returned by a Conn used after Close.
var ErrClosed = errors.New("transport: connection closed")

// ConnLostError is a connection that broke while a command ran: the
// command's outcome is unknown.
type ConnLostError struct {
	Node string
	Err  error
}

func (e *ConnLostError) Error() string {
	return fmt.Sprintf("%s: the connection was lost before the command ended (did the node reboot or drop off the network?): %v", e.Node, e.Err)
}

func (e *ConnLostError) Unwrap() error { return e.Err }

// SudoError is a user that cannot run sudo without a password.
type SudoError struct {
	Node, User string
	Output     string
}

func (e *SudoError) Error() string {
	return fmt.Sprintf("%s: %s is not root and cannot run sudo without a password (%s): allow it passwordless sudo (NOPASSWD), or connect as root",
		e.Node, e.User, strings.TrimSpace(e.Output))
}

// maxSessions keeps concurrent sessions on one connection below
// OpenSSH's MaxSessions (10 by default).
const maxSessions = 8

// Conn is the connection to one node. Its methods are safe for
// concurrent use; each Run is its own SSH session.
type Conn struct {
	target Target
	route  route
	opts   Options
	log    *slog.Logger
	keys   *keyring
	hk     *hostKeys
	sudo   bool
	slots  chan struct{}

	dialMu sync.Mutex // one redial at a time
	mu     sync.Mutex
	cur    *client
	closed bool
}

// client is one live SSH connection with the jump connections under it.
type client struct {
	ssh   *ssh.Client
	jumps []*ssh.Client
	dead  chan struct{} // closed when the connection ended
}

func (cl *client) alive() bool {
	select {
	case <-cl.dead:
		return false
	default:
		return true
	}
}

func (cl *client) close() {
	cl.ssh.Close()
	for i := len(cl.jumps) - 1; i >= 0; i-- {
		cl.jumps[i].Close()
	}
}

// Dial connects to a node. It fails at once (no retry) with a
// *DialError, *HostKeyError, *AuthError or *SudoError that says what to
// do.
func Dial(ctx context.Context, t Target, opts Options) (*Conn, error) {
	opts.defaults()
	name := t.Name
	if name == "" {
		name = t.Address
	}
	t.Name = name
	cfg, err := loadSSHConfig(opts.SSHConfig)
	if err != nil {
		return nil, err
	}
	r, err := cfg.resolve(t, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	files := append([]string(nil), opts.KnownHosts...)
	if len(files) == 0 {
		files = r.knownHosts
	}
	if len(files) == 0 {
		files = []string{filepath.Join(homeDir(), ".ssh", "known_hosts")}
	}
	for i, f := range files {
		files[i] = expandPath(f, r.node)
	}
	c := &Conn{
		target: t, route: r, opts: opts, log: opts.Logger.With("node", name),
		keys:  newKeyring(opts.Logger, opts.Passphrase),
		hk:    &hostKeys{node: name, files: files, acceptNew: opts.AcceptNew || r.acceptNew, insecure: opts.Insecure, log: opts.Logger.With("node", name)},
		slots: make(chan struct{}, maxSessions),
	}
	switch opts.Sudo {
	case SudoAlways:
		c.sudo = true
	case SudoAuto:
		c.sudo = r.node.user != "root"
	}
	cl, err := c.dial(ctx)
	if err != nil {
		return nil, err
	}
	c.cur = cl
	if c.sudo {
		var out, errb bytes.Buffer
		code, err := c.exec(ctx, "sudo -n true", nil, &out, &errb)
		if err != nil {
			c.Close()
			return nil, err
		}
		if code != 0 {
			c.Close()
			return nil, &SudoError{Node: name, User: r.node.user, Output: strings.TrimSpace(errb.String() + " " + out.String())}
		}
	}
	return c, nil
}

// Name is the node's name.
func (c *Conn) Name() string { return c.target.Name }

// Addr is the host:port connected to (after ssh_config).
func (c *Conn) Addr() string { return c.route.node.addr() }

// User is the user logged in as.
func (c *Conn) User() string { return c.route.node.user }

// Sudo reports whether commands run under sudo.
func (c *Conn) Sudo() bool { return c.sudo }

// dial connects through the jump hosts to the node.
func (c *Conn) dial(ctx context.Context) (*client, error) {
	cl := &client{dead: make(chan struct{})}
	var via *ssh.Client
	viaName := ""
	hops := append(append([]endpoint(nil), c.route.jumps...), c.route.node)
	for i, e := range hops {
		sc, err := c.connect(ctx, via, viaName, e)
		if err != nil {
			for _, j := range cl.jumps {
				j.Close()
			}
			return nil, err
		}
		if i < len(hops)-1 {
			cl.jumps = append(cl.jumps, sc)
			via, viaName = sc, e.alias
			continue
		}
		cl.ssh = sc
	}
	go func() {
		_ = cl.ssh.Wait()
		close(cl.dead)
		for _, j := range cl.jumps {
			j.Close()
		}
	}()
	go c.keepalive(cl)
	c.log.Debug("connected", "addr", c.route.node.addr(), "user", c.route.node.user, "jumps", len(cl.jumps))
	return cl, nil
}

func (c *Conn) connect(ctx context.Context, via *ssh.Client, viaName string, e endpoint) (*ssh.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.ConnectTimeout)
	defer cancel()
	addr := e.addr()
	var nc net.Conn
	var err error
	if via != nil {
		nc, err = via.DialContext(ctx, "tcp", addr)
	} else {
		d := net.Dialer{KeepAlive: 30 * time.Second}
		nc, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, &DialError{Node: c.target.Name, Addr: addr, Via: viaName, Err: err}
	}
	methods, tried, release := c.keys.methods(e, c.opts.Agent)
	defer release()
	cfg := &ssh.ClientConfig{
		User:              e.user,
		Auth:              methods,
		HostKeyCallback:   c.hk.callback(),
		HostKeyAlgorithms: c.hk.algorithms(addr),
		Timeout:           c.opts.ConnectTimeout,
	}
	// The handshake must not outlive the context either.
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Now()) })
	sc, chans, reqs, err := ssh.NewClientConn(nc, addr, cfg)
	stopped := stop()
	if err != nil {
		nc.Close()
		var he *HostKeyError
		switch {
		case errors.As(err, &he):
			return nil, he
		case isAuthFailure(err):
			return nil, &AuthError{Node: c.target.Name, User: e.user, Addr: addr, Tried: tried, Err: err}
		case !stopped || ctx.Err() != nil:
			return nil, &DialError{Node: c.target.Name, Addr: addr, Via: viaName, Err: ctx.Err()}
		}
		return nil, &DialError{Node: c.target.Name, Addr: addr, Via: viaName, Err: fmt.Errorf("ssh handshake: %w", err)}
	}
	if !stopped { // the context ended as the handshake did: the deadline may be set
		sc.Close()
		return nil, &DialError{Node: c.target.Name, Addr: addr, Via: viaName, Err: ctx.Err()}
	}
	return ssh.NewClient(sc, chans, reqs), nil
}

// keepalive sends keepalive@openssh.com requests and closes a connection
// whose peer stopped answering, so that nothing waits on it forever.
// Any reply, a failure included (what OpenSSH sends), proves the peer
// alive.
func (c *Conn) keepalive(cl *client) {
	if c.opts.Keepalive < 0 {
		return
	}
	t := time.NewTicker(c.opts.Keepalive)
	defer t.Stop()
	reply := make(chan error, 1)
	pending, missed := false, 0
	for {
		select {
		case <-cl.dead:
			return
		case err := <-reply:
			pending, missed = false, 0
			if err != nil {
				cl.close()
				return
			}
		case <-t.C:
			if pending {
				missed++
				if missed >= c.opts.KeepaliveMax {
					c.log.Warn("no answer to keepalives; closing the connection", "missed", missed, "interval", c.opts.Keepalive)
					cl.close()
					return
				}
				continue
			}
			pending = true
			go func() {
				_, _, err := cl.ssh.SendRequest("keepalive@openssh.com", true, nil)
				reply <- err
			}()
		}
	}
}

// session opens a session, dialling the node again when the connection
// was lost.
func (c *Conn) session(ctx context.Context) (*ssh.Session, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	cl := c.cur
	c.mu.Unlock()
	if cl.alive() {
		s, err := cl.ssh.NewSession()
		if err == nil {
			return s, nil
		}
		var oce *ssh.OpenChannelError
		if errors.As(err, &oce) {
			return nil, fmt.Errorf("%s: the node refused a session: %w", c.target.Name, err)
		}
		cl.close()
	}
	cl, err := c.reconnect(ctx, cl)
	if err != nil {
		return nil, err
	}
	return cl.ssh.NewSession()
}

// reconnect replaces a lost connection, trying with backoff until
// ReconnectTimeout. Host key and authentication failures end it at once.
func (c *Conn) reconnect(ctx context.Context, lost *client) (*client, error) {
	c.dialMu.Lock()
	defer c.dialMu.Unlock()
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	if c.cur != lost && c.cur.alive() { // another Run got there first
		cl := c.cur
		c.mu.Unlock()
		return cl, nil
	}
	c.mu.Unlock()
	if c.opts.ReconnectTimeout < 0 {
		return nil, &ConnLostError{Node: c.target.Name, Err: errors.New("reconnecting is turned off")}
	}
	deadline := time.Now().Add(c.opts.ReconnectTimeout)
	pause := 250 * time.Millisecond
	for attempt := 1; ; attempt++ {
		c.log.Info("connection lost; dialling again", "attempt", attempt)
		cl, err := c.dial(ctx)
		if err == nil {
			c.mu.Lock()
			if c.closed {
				c.mu.Unlock()
				cl.close()
				return nil, ErrClosed
			}
			c.cur = cl
			c.mu.Unlock()
			c.log.Info("connected again", "attempt", attempt)
			return cl, nil
		}
		var he *HostKeyError
		var ae *AuthError
		if errors.As(err, &he) || errors.As(err, &ae) {
			return nil, err
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if time.Now().Add(pause).After(deadline) {
			return nil, fmt.Errorf("%s: connection lost and not back within %s: %w", c.target.Name, c.opts.ReconnectTimeout, err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(pause):
		}
		pause = min(pause*2, 5*time.Second)
	}
}

// runEnv is the environment variable that marks a run's processes.
const runEnv = "HAGUIDE_RUN"

// command builds the command line for a script: sh -c, under sudo when
// needed, with the run's token in the environment.
func (c *Conn) command(script, token string) string {
	cmd := "env " + runEnv + "=" + token + " /bin/sh -c " + shquote.Quote(script)
	if c.sudo {
		return "exec sudo -n -H -- " + cmd
	}
	return "exec " + cmd
}

// Run runs script on the node as `sh -c` does, without a terminal, with
// stdin (nil: empty) and the two output streams, under sudo when the
// user is not root. exit is the script's status (128+N when signal N
// ended it). err is non-nil only when the script could not be started or
// its end was not seen (a lost connection, a cancelled context); exit is
// then -1. A cancelled context sends TERM, ends every process the run
// started, and returns promptly.
func (c *Conn) Run(ctx context.Context, script string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	return c.run(ctx, script, stdin, stdout, stderr)
}

func (c *Conn) run(ctx context.Context, script string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	token := newToken()
	return c.execToken(ctx, c.command(script, token), token, stdin, stdout, stderr)
}

// exec runs a command line as it is, without sudo or a token.
func (c *Conn) exec(ctx context.Context, cmd string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	return c.execToken(ctx, cmd, "", stdin, stdout, stderr)
}

func (c *Conn) execToken(ctx context.Context, cmd, token string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	if err := ctx.Err(); err != nil {
		return -1, err
	}
	select {
	case c.slots <- struct{}{}:
		defer func() { <-c.slots }()
	case <-ctx.Done():
		return -1, ctx.Err()
	}
	if stdin == nil {
		stdin = bytes.NewReader(nil)
	}
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	// Opening a session and starting the command wait for the peer,
	// which may have stalled: the context must be able to end the wait.
	type started struct {
		s   *ssh.Session
		err error
	}
	startc := make(chan started, 1)
	go func() {
		s, err := c.session(ctx)
		if err != nil {
			startc <- started{nil, err}
			return
		}
		s.Stdin, s.Stdout, s.Stderr = stdin, stdout, stderr
		if err := s.Start(cmd); err != nil {
			s.Close()
			startc <- started{nil, &ConnLostError{Node: c.target.Name, Err: err}}
			return
		}
		startc <- started{s, nil}
	}()
	var s *ssh.Session
	select {
	case st := <-startc:
		if st.err != nil {
			return -1, st.err
		}
		s = st.s
	case <-ctx.Done():
		go func() { // it may still start: then end it
			if st := <-startc; st.s != nil {
				done := make(chan error, 1)
				go func() { done <- st.s.Wait() }()
				c.stop(st.s, done, token)
			}
		}()
		return -1, ctx.Err()
	}
	defer s.Close()
	done := make(chan error, 1)
	go func() { done <- s.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		c.stop(s, done, token)
		return -1, ctx.Err()
	}
	var ee *ssh.ExitError
	var missing *ssh.ExitMissingError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &ee):
		if sig := ee.Signal(); sig != "" {
			return 128 + signalNumber(sig), nil
		}
		return ee.ExitStatus(), nil
	case errors.As(err, &missing), errors.Is(err, io.EOF):
		return -1, &ConnLostError{Node: c.target.Name, Err: err}
	}
	return -1, &ConnLostError{Node: c.target.Name, Err: err}
}

// stopGrace is how long a cancelled run gets to end after TERM.
const stopGrace = 2 * time.Second

// stop ends a cancelled run: TERM through the session, then TERM and
// KILL to every process carrying the run's token (what OpenSSH's signal
// does not reach: the script's children), then the session is closed.
func (c *Conn) stop(s *ssh.Session, done <-chan error, token string) {
	_ = s.Signal(ssh.SIGTERM)
	if token == "" {
		select {
		case <-done:
		case <-time.After(stopGrace):
		}
		s.Close()
		return
	}
	sctx, cancel := context.WithTimeout(context.Background(), stopGrace+5*time.Second)
	defer cancel()
	script := `k() { for f in $(grep -lsxzF ` + shquote.Quote(runEnv+"="+token) + ` /proc/[0-9]*/environ); do ` +
		`p=${f#/proc/}; kill -"$1" "${p%/environ}" 2>/dev/null; done; }; k TERM; sleep 0.5; k KILL; exit 0`
	// The sweep is its own short session, without a token of its own.
	cmd := "/bin/sh -c " + shquote.Quote(script)
	if c.sudo {
		cmd = "sudo -n -- " + cmd
	}
	sweepDone := make(chan error, 1)
	go func() {
		ss, err := c.liveSession()
		if err != nil {
			sweepDone <- err
			return
		}
		defer ss.Close()
		sweepDone <- ss.Run(cmd)
	}()
	var err error
	select {
	case err = <-sweepDone:
	case <-sctx.Done():
		err = sctx.Err()
	}
	if err != nil {
		c.log.Warn("could not make sure the cancelled command ended", "err", err)
	}
	select {
	case <-done:
	case <-time.After(stopGrace):
	}
	s.Close()
}

// liveSession opens a session on the current connection, without
// reconnecting.
func (c *Conn) liveSession() (*ssh.Session, error) {
	c.mu.Lock()
	cl, closed := c.cur, c.closed
	c.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	if !cl.alive() {
		return nil, errors.New("connection lost")
	}
	return cl.ssh.NewSession()
}

func newToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

var signalNumbers = map[string]int{
	"HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "ABRT": 6, "FPE": 8, "KILL": 9, "USR1": 10,
	"SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15,
}

func signalNumber(name string) int {
	if n, ok := signalNumbers[strings.TrimPrefix(name, "SIG")]; ok {
		return n
	}
	return 0
}

// Close ends the connection. Runs in progress end with an error.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	if c.cur != nil {
		c.cur.close()
	}
	return nil
}
