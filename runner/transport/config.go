package transport

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kevinburke/ssh_config"
)

// endpoint is one SSH server to log in to: the node or a jump host.
type endpoint struct {
	alias string   // the name as given (matched against Host patterns)
	host  string   // after HostName
	port  int      // after Port
	user  string   // after User
	keys  []string // identity files, ~ expanded, in the order to try
	// defaultKeys is true when keys are OpenSSH's defaults, which may be
	// missing without complaint.
	defaultKeys bool
}

func (e endpoint) addr() string { return net.JoinHostPort(e.host, strconv.Itoa(e.port)) }

// route is how to reach a node: the jump hosts in order, then the node.
type route struct {
	jumps      []endpoint
	node       endpoint
	knownHosts []string // UserKnownHostsFile of the node, if set
	acceptNew  bool     // StrictHostKeyChecking accept-new
}

// sshConfig is an OpenSSH client configuration, or none.
type sshConfig struct {
	cfg  *ssh_config.Config
	path string
}

func loadSSHConfig(path string) (*sshConfig, error) {
	explicit := path != ""
	if !explicit {
		path = filepath.Join(homeDir(), ".ssh", "config")
	}
	if path == os.DevNull || path == "none" {
		return &sshConfig{}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !explicit {
			return &sshConfig{}, nil
		}
		return nil, fmt.Errorf("ssh config: %w", err)
	}
	defer f.Close()
	cfg, err := ssh_config.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("ssh config %s: %w", path, err)
	}
	return &sshConfig{cfg: cfg, path: path}, nil
}

// CheckFiles reads the local files a run names, as Dial will: the
// ssh_config file, opts' identity files and those of the targets. A missing
// or bad one is then one error, naming every target it is for, before any
// node is dialled, not the same error once per node.
func CheckFiles(opts Options, targets ...Target) error {
	if _, err := loadSSHConfig(opts.SSHConfig); err != nil {
		return err
	}
	for _, f := range opts.IdentityFiles {
		if err := checkKeyFile(f); err != nil {
			return err
		}
	}
	users := map[string][]string{}
	var files []string
	for _, t := range targets {
		if t.IdentityFile == "" {
			continue
		}
		if users[t.IdentityFile] == nil {
			files = append(files, t.IdentityFile)
		}
		users[t.IdentityFile] = append(users[t.IdentityFile], t.Name)
	}
	for _, f := range files {
		if err := checkKeyFile(f); err != nil {
			return fmt.Errorf("%s: %w", strings.Join(users[f], ", "), err)
		}
	}
	return nil
}

// checkKeyFile checks that a key file named on purpose can be read. A path
// with tokens that depend on the host (%h, %r) is left to Dial.
func checkKeyFile(f string) error {
	if strings.Contains(f, "%h") || strings.Contains(f, "%r") {
		return nil
	}
	fh, err := os.Open(expandPath(f, endpoint{}))
	if err != nil {
		return fmt.Errorf("identity file: %w", err)
	}
	return fh.Close()
}

func (c *sshConfig) get(alias, key string) string {
	if c.cfg == nil {
		return ""
	}
	v, _ := c.cfg.Get(alias, key)
	return strings.TrimSpace(v)
}

func (c *sshConfig) getAll(alias, key string) []string {
	if c.cfg == nil {
		return nil
	}
	vs, _ := c.cfg.GetAll(alias, key)
	return vs
}

func homeDir() string {
	if h, err := os.UserHomeDir(); err == nil {
		return h
	}
	return "/"
}

func localUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "root"
}

// expandPath expands ~ and the tokens OpenSSH allows in IdentityFile and
// UserKnownHostsFile: %d (home), %u (local user), %h (host), %r (remote
// user), %%.
func expandPath(p string, e endpoint) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		p = filepath.Join(homeDir(), p[1:])
	}
	if !strings.Contains(p, "%") {
		return p
	}
	r := strings.NewReplacer("%%", "%", "%d", homeDir(), "%u", localUser(), "%h", e.host, "%r", e.user)
	return r.Replace(p)
}

// resolveEndpoint applies ssh_config to one name. Values already set in
// e (from the inventory or a ProxyJump spec) win over the file, as
// command-line options do for ssh.
func (c *sshConfig) resolveEndpoint(e endpoint, extraKeys []string) (endpoint, error) {
	if e.host == "" {
		e.host = e.alias
		if hn := c.get(e.alias, "HostName"); hn != "" {
			e.host = strings.ReplaceAll(strings.ReplaceAll(hn, "%h", e.alias), "%%", "%")
		}
	}
	if e.port == 0 {
		if p := c.get(e.alias, "Port"); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > 65535 {
				return e, fmt.Errorf("ssh config %s: Port %q for %s is not a port", c.path, p, e.alias)
			}
			e.port = n
		} else {
			e.port = 22
		}
	}
	if e.user == "" {
		e.user = c.get(e.alias, "User")
	}
	if e.user == "" {
		e.user = localUser()
	}
	keys := append([]string(nil), extraKeys...)
	for _, k := range c.getAll(e.alias, "IdentityFile") {
		if k != "" && !strings.EqualFold(k, "none") {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		// OpenSSH tries its default keys only when none are named.
		e.defaultKeys = true
		for _, k := range []string{"id_rsa", "id_ecdsa", "id_ecdsa_sk", "id_ed25519", "id_ed25519_sk"} {
			keys = append(keys, filepath.Join("~", ".ssh", k))
		}
	}
	seen := map[string]bool{}
	for _, k := range keys {
		k = expandPath(k, e)
		if !seen[k] {
			seen[k] = true
			e.keys = append(e.keys, k)
		}
	}
	return e, nil
}

// maxJumps bounds ProxyJump chains (and loops through jump hosts' own
// ProxyJump settings).
const maxJumps = 8

// resolve works out the route to a target.
func (c *sshConfig) resolve(t Target, opts Options) (route, error) {
	alias := t.Address
	if alias == "" {
		alias = t.Name
	}
	if alias == "" {
		return route{}, errors.New("target has neither a name nor an address")
	}
	keys := append([]string(nil), opts.IdentityFiles...)
	if t.IdentityFile != "" {
		keys = append(keys, t.IdentityFile)
	}
	node, err := c.resolveEndpoint(endpoint{alias: alias, port: t.Port, user: t.User}, keys)
	if err != nil {
		return route{}, err
	}
	r := route{node: node}
	if f := c.get(alias, "UserKnownHostsFile"); f != "" && !strings.EqualFold(f, "none") {
		for _, p := range strings.Fields(f) {
			r.knownHosts = append(r.knownHosts, expandPath(p, node))
		}
	}
	r.acceptNew = strings.EqualFold(c.get(alias, "StrictHostKeyChecking"), "accept-new")
	r.jumps, err = c.jumpsFor(alias, 0)
	if err != nil {
		return route{}, err
	}
	return r, nil
}

// jumpsFor returns the jump hosts in front of alias: its ProxyJump list,
// each hop resolved through the config, the first hop's own ProxyJump in
// front of it (OpenSSH connects to the first hop with its own settings).
func (c *sshConfig) jumpsFor(alias string, depth int) ([]endpoint, error) {
	pj := c.get(alias, "ProxyJump")
	if pj == "" || strings.EqualFold(pj, "none") {
		return nil, nil
	}
	if depth >= maxJumps {
		return nil, fmt.Errorf("ssh config: ProxyJump for %s goes deeper than %d hops (a loop?)", alias, maxJumps)
	}
	var out []endpoint
	for i, spec := range strings.Split(pj, ",") {
		e, err := parseJump(strings.TrimSpace(spec))
		if err != nil {
			return nil, fmt.Errorf("ssh config: ProxyJump of %s: %w", alias, err)
		}
		if i == 0 {
			before, err := c.jumpsFor(e.alias, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, before...)
		}
		e, err = c.resolveEndpoint(e, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if len(out) > maxJumps {
		return nil, fmt.Errorf("ssh config: more than %d jump hosts in front of %s", maxJumps, alias)
	}
	return out, nil
}

// parseJump reads one ProxyJump element: [user@]host[:port] or
// ssh://[user@]host[:port].
func parseJump(spec string) (endpoint, error) {
	if spec == "" {
		return endpoint{}, errors.New("empty jump host")
	}
	if strings.HasPrefix(spec, "ssh://") {
		u, err := url.Parse(spec)
		if err != nil || u.Hostname() == "" {
			return endpoint{}, fmt.Errorf("jump host %q is not ssh://[user@]host[:port]", spec)
		}
		e := endpoint{alias: u.Hostname(), user: u.User.Username()}
		if p := u.Port(); p != "" {
			e.port, _ = strconv.Atoi(p)
		}
		return e, nil
	}
	var e endpoint
	if u, rest, ok := strings.Cut(spec, "@"); ok {
		e.user, spec = u, rest
	}
	host, port := spec, ""
	if h, p, err := net.SplitHostPort(spec); err == nil {
		host, port = h, p
	} else if strings.HasPrefix(spec, "[") && strings.HasSuffix(spec, "]") {
		host = spec[1 : len(spec)-1]
	}
	if host == "" {
		return endpoint{}, fmt.Errorf("jump host %q has no host", spec)
	}
	e.alias = host
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return endpoint{}, fmt.Errorf("jump host %q: bad port %q", spec, port)
		}
		e.port = n
	}
	return e, nil
}
