package transport

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// HostKeyError is a host key that was refused: unknown, or different
// from the one known_hosts has.
type HostKeyError struct {
	Node    string // the node this connection is for
	Host    string // host:port as dialled (a jump host's, maybe)
	Key     ssh.PublicKey
	Changed bool     // known_hosts has another key for Host
	Known   []string // file:line of the known keys when Changed
	Files   []string // the known_hosts files consulted
}

func (e *HostKeyError) Error() string {
	fp := e.Key.Type() + " " + ssh.FingerprintSHA256(e.Key)
	if e.Changed {
		return fmt.Sprintf("%s: WARNING: THE HOST KEY OF %s HAS CHANGED (now %s; known_hosts has another key at %s). "+
			"Someone may be intercepting the connection, or the node was reinstalled. Refusing to connect: "+
			"check the new key out of band, then remove the old line and connect again",
			e.Node, e.Host, fp, joinOr(e.Known, "?"))
	}
	return fmt.Sprintf("%s: the host key of %s is not known (%s; looked in %s): "+
		"add it to known_hosts, or accept new keys to record it on first contact",
		e.Node, e.Host, fp, joinOr(e.Files, "no known_hosts file"))
}

func joinOr(s []string, none string) string {
	if len(s) == 0 {
		return none
	}
	var b bytes.Buffer
	for i, x := range s {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(x)
	}
	return b.String()
}

// recordMu serialises appends to known_hosts files within this process.
var recordMu sync.Mutex

// hostKeys checks host keys against known_hosts files.
type hostKeys struct {
	node      string
	files     []string // all files to read; new keys go to the first
	acceptNew bool
	insecure  bool
	log       *slog.Logger
}

// check returns a HostKeyCallback. It reads the files on each call, so
// keys recorded by another connection meanwhile count.
func (h *hostKeys) callback() ssh.HostKeyCallback {
	if h.insecure {
		return ssh.InsecureIgnoreHostKey() //nolint:gosec // asked for with Options.Insecure
	}
	return func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		recordMu.Lock()
		defer recordMu.Unlock()
		err := h.lookup(hostname, remote, key)
		var ke *knownhosts.KeyError
		if err == nil || !errors.As(err, &ke) {
			return err
		}
		he := &HostKeyError{Node: h.node, Host: hostname, Key: key, Files: h.existing()}
		if len(ke.Want) > 0 {
			he.Changed = true
			for _, k := range ke.Want {
				he.Known = append(he.Known, fmt.Sprintf("%s:%d", k.Filename, k.Line))
			}
			return he
		}
		if !h.acceptNew {
			return he
		}
		return h.record(hostname, key)
	}
}

func (h *hostKeys) existing() []string {
	var out []string
	for _, f := range h.files {
		if _, err := os.Stat(f); err == nil {
			out = append(out, f)
		}
	}
	return out
}

// lookup checks a key; a host no file knows is a KeyError without Want.
func (h *hostKeys) lookup(hostname string, remote net.Addr, key ssh.PublicKey) error {
	files := h.existing()
	if len(files) == 0 {
		return &knownhosts.KeyError{}
	}
	cb, err := knownhosts.New(files...)
	if err != nil {
		return fmt.Errorf("known_hosts: %w", err)
	}
	return cb(hostname, remote, key)
}

// algorithms returns the host key algorithms of the keys known for a
// host, so the server is asked for a key of a type known_hosts has rather
// than one it does not (which would look like a changed key). Nil when
// none is known.
func (h *hostKeys) algorithms(hostport string) []string {
	if h.insecure {
		return nil
	}
	recordMu.Lock()
	defer recordMu.Unlock()
	_, probe, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil
	}
	signer, err := ssh.NewSignerFromKey(probe)
	if err != nil {
		return nil
	}
	addr, _ := net.ResolveTCPAddr("tcp", hostport)
	if addr == nil {
		addr = &net.TCPAddr{}
	}
	var ke *knownhosts.KeyError
	if err := h.lookup(hostport, addr, signer.PublicKey()); !errors.As(err, &ke) || len(ke.Want) == 0 {
		return nil
	}
	var algos []string
	seen := map[string]bool{}
	add := func(a ...string) {
		for _, x := range a {
			if !seen[x] {
				seen[x] = true
				algos = append(algos, x)
			}
		}
	}
	for _, k := range ke.Want {
		switch t := k.Key.Type(); t {
		case ssh.KeyAlgoRSA:
			add(ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA)
		default:
			add(t)
		}
	}
	return algos
}

// record appends a new host's key to the first known_hosts file.
func (h *hostKeys) record(hostname string, key ssh.PublicKey) error {
	if len(h.files) == 0 {
		return errors.New("no known_hosts file to record the new host key in")
	}
	f := h.files[0]
	if err := os.MkdirAll(filepath.Dir(f), 0o700); err != nil {
		return fmt.Errorf("record host key: %w", err)
	}
	// Start on a new line if the file does not end with one.
	prefix := ""
	if data, err := os.ReadFile(f); err == nil && len(data) > 0 && data[len(data)-1] != '\n' {
		prefix = "\n"
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("record host key: %w", err)
	}
	out, err := os.OpenFile(f, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("record host key: %w", err)
	}
	line := prefix + knownhosts.Line([]string{knownhosts.Normalize(hostname)}, key) + "\n"
	if _, err := out.WriteString(line); err != nil {
		out.Close()
		return fmt.Errorf("record host key in %s: %w", f, err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("record host key in %s: %w", f, err)
	}
	if h.log != nil {
		h.log.Info("recorded the host key of a new host", "host", hostname, "key", key.Type()+" "+ssh.FingerprintSHA256(key), "file", f)
	}
	return nil
}
