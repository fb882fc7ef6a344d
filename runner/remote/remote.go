package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kevinburke/ssh_config"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"
)

// Target is a node to connect to, as the inventory names it.
type Target struct {
	Name         string
	Address      string
	Port         int
	User         string
	IdentityFile string
}

// Options are how to connect.
type Options struct {
	// SSHConfig is an OpenSSH client config file; empty reads
	// ~/.ssh/config if it exists; os.DevNull reads none.
	SSHConfig string
	// KnownHosts files; empty uses ~/.ssh/known_hosts. New keys are
	// recorded in the first.
	KnownHosts []string
	// AcceptNew records the key of a host not yet known (never a
	// changed one).
	AcceptNew bool
	// Insecure skips host key checks entirely.
	Insecure bool
	// IdentityFiles are private keys to try, before ssh_config's and the
	// default ones.
	IdentityFiles []string
	// Agent uses ssh-agent through SSH_AUTH_SOCK.
	Agent bool
	// Passphrase asks for a key's passphrase; nil fails on encrypted keys
	// not in the agent.
	Passphrase func(file string) ([]byte, error)
	// Keepalive is the keepalive interval (default 15s); three missed
	// replies close the connection.
	Keepalive time.Duration
	// ConnectTimeout bounds one dial (default 20s).
	ConnectTimeout time.Duration
	// ReconnectTimeout is how long Run keeps dialling a node whose
	// connection broke (default 3m).
	ReconnectTimeout time.Duration
	Logger           *slog.Logger
}

// Conn is a connection to one node.
type Conn struct {
	name   string
	target resolved
	opts   Options
	auth   []ssh.AuthMethod
	hkcb   ssh.HostKeyCallback

	mu     sync.Mutex
	client *ssh.Client
	closed bool
	sudo   bool
	stop   chan struct{}
}

type resolved struct {
	addr  string // host:port
	user  string
	keys  []string
	jumps []string // ProxyJump hops, [user@]host[:port]
}

// Dial connects to a node.
func Dial(ctx context.Context, t Target, opts Options) (*Conn, error) {
	if opts.Keepalive == 0 {
		opts.Keepalive = 15 * time.Second
	}
	if opts.ConnectTimeout == 0 {
		opts.ConnectTimeout = 20 * time.Second
	}
	if opts.ReconnectTimeout == 0 {
		opts.ReconnectTimeout = 3 * time.Minute
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	r, err := resolve(t, opts)
	if err != nil {
		return nil, err
	}
	hkcb, err := hostKeyCallback(opts)
	if err != nil {
		return nil, err
	}
	c := &Conn{name: t.Name, target: r, opts: opts, hkcb: hkcb, sudo: r.user != "root"}
	c.auth = c.authMethods()
	client, err := c.dial(ctx)
	if err != nil {
		return nil, err
	}
	c.client = client
	c.stop = make(chan struct{})
	go c.keepalive(client, c.stop)
	return c, nil
}

func home() string {
	h, _ := os.UserHomeDir()
	return h
}

func expand(p string) string {
	if strings.HasPrefix(p, "~/") {
		return filepath.Join(home(), p[2:])
	}
	return p
}

// resolve applies ssh_config to a target: the inventory's values win, as
// Ansible passes them on the ssh command line.
func resolve(t Target, opts Options) (resolved, error) {
	cfgPath := opts.SSHConfig
	if cfgPath == "" {
		cfgPath = filepath.Join(home(), ".ssh", "config")
	}
	var cfg *ssh_config.Config
	if cfgPath != os.DevNull {
		f, err := os.Open(cfgPath)
		switch {
		case err == nil:
			cfg, err = ssh_config.Decode(f)
			f.Close()
			if err != nil {
				return resolved{}, fmt.Errorf("%s: %w", cfgPath, err)
			}
		case errors.Is(err, fs.ErrNotExist) && opts.SSHConfig == "":
		default:
			return resolved{}, err
		}
	}
	get := func(key string) string {
		if cfg == nil {
			return ""
		}
		v, _ := cfg.Get(t.Address, key)
		return v
	}
	host := t.Address
	if hn := get("HostName"); hn != "" {
		host = strings.ReplaceAll(hn, "%h", t.Address)
	}
	port := t.Port
	if port == 0 {
		if p := get("Port"); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil {
				return resolved{}, fmt.Errorf("ssh_config Port %q for %s", p, t.Address)
			}
			port = n
		}
	}
	if port == 0 {
		port = 22
	}
	user := t.User
	if user == "" {
		user = get("User")
	}
	if user == "" {
		user = os.Getenv("USER")
	}
	if user == "" {
		user = "root"
	}
	r := resolved{addr: net.JoinHostPort(host, strconv.Itoa(port)), user: user}
	r.keys = append(r.keys, opts.IdentityFiles...)
	if t.IdentityFile != "" {
		r.keys = append(r.keys, t.IdentityFile)
	}
	if cfg != nil {
		if ids, err := cfg.GetAll(t.Address, "IdentityFile"); err == nil {
			for _, id := range ids {
				if id != "" && id != ssh_config.Default("IdentityFile") {
					r.keys = append(r.keys, id)
				}
			}
		}
	}
	for _, d := range []string{"id_ed25519", "id_ecdsa", "id_rsa"} {
		r.keys = append(r.keys, filepath.Join("~", ".ssh", d))
	}
	if pj := get("ProxyJump"); pj != "" && !strings.EqualFold(pj, "none") {
		r.jumps = strings.Split(pj, ",")
	}
	return r, nil
}

func hostKeyCallback(opts Options) (ssh.HostKeyCallback, error) {
	if opts.Insecure {
		return ssh.InsecureIgnoreHostKey(), nil //nolint:gosec // the user opted out
	}
	files := opts.KnownHosts
	if len(files) == 0 {
		files = []string{filepath.Join(home(), ".ssh", "known_hosts")}
	}
	var existing []string
	for _, f := range files {
		f = expand(f)
		if _, err := os.Stat(f); err == nil {
			existing = append(existing, f)
		}
	}
	var base ssh.HostKeyCallback
	if len(existing) > 0 {
		cb, err := knownhosts.New(existing...)
		if err != nil {
			return nil, fmt.Errorf("known_hosts: %w", err)
		}
		base = cb
	}
	record := expand(files[0])
	var mu sync.Mutex
	return func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		var err error
		if base != nil {
			err = base(hostname, remote, key)
		} else {
			err = &knownhosts.KeyError{}
		}
		var ke *knownhosts.KeyError
		if err == nil || !errors.As(err, &ke) {
			return err
		}
		if len(ke.Want) > 0 {
			return fmt.Errorf("the host key of %s has CHANGED (%s %s): someone may be intercepting the connection, or the node was reinstalled; check, then remove its old line from %s",
				hostname, key.Type(), ssh.FingerprintSHA256(key), knownLine(ke.Want[0]))
		}
		if !opts.AcceptNew {
			return fmt.Errorf("%s is not in known_hosts (%s %s): add it, or pass --accept-new-host-keys to record it",
				hostname, key.Type(), ssh.FingerprintSHA256(key))
		}
		mu.Lock()
		defer mu.Unlock()
		if err := os.MkdirAll(filepath.Dir(record), 0o700); err != nil {
			return err
		}
		f, err := os.OpenFile(record, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		line := knownhosts.Line([]string{knownhosts.Normalize(hostname)}, key)
		if _, err := fmt.Fprintln(f, line); err != nil {
			return err
		}
		// Later connections to it must match what was recorded.
		if cb, err := knownhosts.New(record); err == nil && base == nil {
			base = cb
		} else if err == nil {
			prev := base
			base = func(h string, a net.Addr, k ssh.PublicKey) error {
				if err := cb(h, a, k); err == nil {
					return nil
				}
				return prev(h, a, k)
			}
		}
		return nil
	}, nil
}

func knownLine(k knownhosts.KnownKey) string {
	return fmt.Sprintf("%s:%d", k.Filename, k.Line)
}

func (c *Conn) authMethods() []ssh.AuthMethod {
	var methods []ssh.AuthMethod
	if c.opts.Agent {
		if sock := os.Getenv("SSH_AUTH_SOCK"); sock != "" {
			if conn, err := net.Dial("unix", sock); err == nil {
				methods = append(methods, ssh.PublicKeysCallback(agent.NewClient(conn).Signers))
			}
		}
	}
	methods = append(methods, ssh.PublicKeysCallback(func() ([]ssh.Signer, error) {
		var signers []ssh.Signer
		seen := map[string]bool{}
		for _, k := range c.target.keys {
			p := expand(k)
			if seen[p] {
				continue
			}
			seen[p] = true
			data, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			s, err := ssh.ParsePrivateKey(data)
			var pme *ssh.PassphraseMissingError
			if errors.As(err, &pme) {
				if c.opts.Passphrase == nil {
					c.opts.Logger.Warn("skipping an encrypted key: no terminal to ask its passphrase on (use ssh-agent)", "key", p)
					continue
				}
				pass, perr := c.opts.Passphrase(p)
				if perr != nil {
					continue
				}
				s, err = ssh.ParsePrivateKeyWithPassphrase(data, pass)
			}
			if err != nil {
				c.opts.Logger.Warn("cannot use key", "key", p, "err", err)
				continue
			}
			signers = append(signers, s)
		}
		return signers, nil
	}))
	return methods
}

func (c *Conn) clientConfig(user string) *ssh.ClientConfig {
	return &ssh.ClientConfig{User: user, Auth: c.auth, HostKeyCallback: c.hkcb, Timeout: c.opts.ConnectTimeout}
}

// dial connects, through the ProxyJump hops if any.
func (c *Conn) dial(ctx context.Context) (*ssh.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.ConnectTimeout)
	defer cancel()
	var via *ssh.Client
	for _, hop := range c.target.jumps {
		user, hostport := c.target.user, hop
		if u, h, ok := strings.Cut(hop, "@"); ok {
			user, hostport = u, h
		}
		if _, _, err := net.SplitHostPort(hostport); err != nil {
			hostport = net.JoinHostPort(hostport, "22")
		}
		next, err := c.connect(ctx, via, hostport, user)
		if err != nil {
			return nil, fmt.Errorf("ProxyJump %s: %w", hop, err)
		}
		via = next
	}
	return c.connect(ctx, via, c.target.addr, c.target.user)
}

func (c *Conn) connect(ctx context.Context, via *ssh.Client, addr, user string) (*ssh.Client, error) {
	var nc net.Conn
	var err error
	if via != nil {
		nc, err = via.DialContext(ctx, "tcp", addr)
	} else {
		d := net.Dialer{Timeout: c.opts.ConnectTimeout, KeepAlive: 30 * time.Second}
		nc, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = nc.SetDeadline(dl)
	}
	sc, chans, reqs, err := ssh.NewClientConn(nc, addr, c.clientConfig(user))
	if err != nil {
		nc.Close()
		if strings.Contains(err.Error(), "unable to authenticate") {
			return nil, fmt.Errorf("%s@%s refused every key (tried ssh-agent: %v, key files: %s): %w",
				user, addr, c.opts.Agent && os.Getenv("SSH_AUTH_SOCK") != "", strings.Join(c.target.keys, ", "), err)
		}
		return nil, fmt.Errorf("ssh %s@%s: %w", user, addr, err)
	}
	_ = nc.SetDeadline(time.Time{})
	return ssh.NewClient(sc, chans, reqs), nil
}

// keepalive sends keepalives and closes a connection that stops
// answering, so the next Run dials again instead of hanging.
func (c *Conn) keepalive(client *ssh.Client, stop chan struct{}) {
	t := time.NewTicker(c.opts.Keepalive)
	defer t.Stop()
	missed := 0
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		done := make(chan error, 1)
		go func() { _, _, err := client.SendRequest("keepalive@openssh.com", true, nil); done <- err }()
		select {
		case err := <-done:
			if err != nil {
				client.Close()
				return
			}
			missed = 0
		case <-time.After(c.opts.Keepalive):
			missed++
			if missed >= 3 {
				c.opts.Logger.Warn("node stopped answering keepalives; closing", "node", c.name)
				client.Close()
				return
			}
		}
	}
}

// session opens a session, dialling the node again if the connection
// broke (a reboot), with backoff up to ReconnectTimeout.
func (c *Conn) session(ctx context.Context) (*ssh.Session, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errors.New("connection closed")
	}
	if s, err := c.client.NewSession(); err == nil {
		return s, nil
	}
	deadline := time.Now().Add(c.opts.ReconnectTimeout)
	pause := 500 * time.Millisecond
	var last error
	for {
		c.opts.Logger.Info("connection lost; dialling again", "node", c.name)
		client, err := c.dial(ctx)
		if err == nil {
			close(c.stop)
			c.client.Close()
			c.client = client
			c.stop = make(chan struct{})
			go c.keepalive(client, c.stop)
			return client.NewSession()
		}
		last = err
		if ctx.Err() != nil || time.Now().Add(pause).After(deadline) {
			return nil, fmt.Errorf("%s: connection lost and not back after %s: %w", c.name, c.opts.ReconnectTimeout, last)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(pause):
		}
		pause = min(pause*2, 10*time.Second)
	}
}

// Run runs cmd on the node as `sh -c` would, under sudo when the user is
// not root. err is non-nil only when the command could not run or its end
// was not seen; exit is then -1. A cancelled context signals the command
// and closes the session, so Run never hangs.
func (c *Conn) Run(ctx context.Context, cmd string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	s, err := c.session(ctx)
	if err != nil {
		return -1, err
	}
	defer s.Close()
	if c.sudo {
		cmd = "sudo -n -H -- sh -c " + quote(cmd)
	}
	if stdin == nil {
		stdin = bytes.NewReader(nil)
	}
	// The session copies the two streams in two goroutines: serialise
	// their writes, since callers often pass one writer for both.
	var mu sync.Mutex
	s.Stdin, s.Stdout, s.Stderr = stdin, lockedWriter{&mu, stdout}, lockedWriter{&mu, stderr}
	if err := s.Start(cmd); err != nil {
		return -1, err
	}
	done := make(chan error, 1)
	go func() { done <- s.Wait() }()
	select {
	case err = <-done:
	case <-ctx.Done():
		_ = s.Signal(ssh.SIGTERM)
		select {
		case err = <-done:
		case <-time.After(3 * time.Second):
			_ = s.Signal(ssh.SIGKILL)
			s.Close()
			select {
			case err = <-done:
			case <-time.After(2 * time.Second):
			}
		}
		if err == nil {
			err = ctx.Err()
		}
	}
	var ee *ssh.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &ee):
		if ee.Signal() != "" {
			return 128 + signalNumber(ee.Signal()), nil
		}
		return ee.ExitStatus(), nil
	}
	var missing *ssh.ExitMissingError
	if errors.As(err, &missing) {
		return -1, fmt.Errorf("%s: the connection closed before the command ended (did the node reboot or lose its network?)", c.name)
	}
	return -1, err
}

func signalNumber(name string) int {
	switch name {
	case "HUP":
		return 1
	case "INT":
		return 2
	case "KILL":
		return 9
	case "TERM":
		return 15
	}
	return 0
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// exitMissingFile is the status ReadFile's command uses for a missing file.
const exitMissingFile = 44

// ReadFile reads a file on the node.
func (c *Conn) ReadFile(ctx context.Context, p string) ([]byte, error) {
	var out, errb bytes.Buffer
	q := quote(p)
	code, err := c.Run(ctx, fmt.Sprintf("if [ -e %s ]; then cat -- %s; else exit %d; fi", q, q, exitMissingFile), nil, &out, &errb)
	switch {
	case err != nil:
		return nil, err
	case code == exitMissingFile:
		return nil, fmt.Errorf("%s:%s: %w", c.name, p, fs.ErrNotExist)
	case code != 0:
		return nil, fmt.Errorf("%s: read %s: %s", c.name, p, strings.TrimSpace(errb.String()))
	}
	return out.Bytes(), nil
}

// WriteFile replaces a file on the node atomically: the data goes to a
// temporary file beside it, which gets its mode and owner and is then
// renamed over the target. The directory must exist.
func (c *Conn) WriteFile(ctx context.Context, p string, data []byte, mode os.FileMode, owner string) error {
	if !path.IsAbs(p) {
		return fmt.Errorf("%s: not an absolute path", p)
	}
	dir, base := path.Dir(p), path.Base(p)
	script := fmt.Sprintf(`set -e
[ -d %[1]s ] || { echo "directory %[1]s does not exist" >&2; exit 3; }
t=$(mktemp %[2]s)
trap 'rm -f "$t"' EXIT
cat >"$t"
chmod %04[3]o "$t"
`, quote(dir), quote(path.Join(dir, "."+base+".haguide-XXXXXX")), uint32(mode.Perm()))
	if owner != "" {
		script += "chown " + quote(owner) + ` "$t"` + "\n"
	}
	script += `mv -f "$t" ` + quote(p) + "\ntrap - EXIT\n"
	var errb bytes.Buffer
	code, err := c.Run(ctx, script, bytes.NewReader(data), io.Discard, &errb)
	if err != nil {
		return err
	}
	if code != 0 {
		return fmt.Errorf("%s: write %s: %s (exit %d)", c.name, p, strings.TrimSpace(errb.String()), code)
	}
	return nil
}

// Close ends the connection.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	close(c.stop)
	return c.client.Close()
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
