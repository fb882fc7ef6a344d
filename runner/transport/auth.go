package transport

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// AuthError is a server that accepted none of the methods tried.
type AuthError struct {
	Node string
	User string
	Addr string
	// Tried describes each method and key offered, or why a key was
	// left out (missing, encrypted without a way to ask, unreadable).
	Tried []string
	Err   error
}

func (e *AuthError) Error() string {
	return fmt.Sprintf("%s: %s@%s refused to authenticate us (tried: %s): %v",
		e.Node, e.User, e.Addr, joinOr(e.Tried, "nothing: no agent and no key file"), e.Err)
}

func (e *AuthError) Unwrap() error { return e.Err }

// keyring loads the private keys of endpoints and reports what it tried.
// Decrypted keys are shared by every Conn of the process (keyed by path
// and content), so a passphrase is asked for once per file, not once per
// node or per reconnect.
type keyring struct {
	log        *slog.Logger
	passphrase func(file string) ([]byte, error)
}

type loadedKey struct {
	signer ssh.Signer
	note   string // what the key is, or why there is no signer
}

var (
	// promptMu serialises passphrase prompts: one question at a time.
	promptMu sync.Mutex
	keysMu   sync.Mutex
	keyCache = map[string]*loadedKey{} // path NUL sha256(content)
)

// passphraseTries is how many times a wrong passphrase is asked again.
const passphraseTries = 3

func newKeyring(log *slog.Logger, passphrase func(string) ([]byte, error)) *keyring {
	return &keyring{log: log, passphrase: passphrase}
}

func cached(id string) *loadedKey {
	keysMu.Lock()
	defer keysMu.Unlock()
	return keyCache[id]
}

func (k *keyring) load(file string, optional bool) *loadedKey {
	data, err := os.ReadFile(file)
	switch {
	case errors.Is(err, fs.ErrNotExist) && optional:
		return &loadedKey{}
	case err != nil:
		return &loadedKey{note: fmt.Sprintf("key %s (unreadable: %v)", file, err)}
	}
	sum := sha256.Sum256(data)
	id := file + "\x00" + hex.EncodeToString(sum[:])
	if lk := cached(id); lk != nil {
		return lk
	}
	lk := &loadedKey{}
	signer, err := ssh.ParsePrivateKey(data)
	var pme *ssh.PassphraseMissingError
	switch {
	case errors.As(err, &pme):
		if k.passphrase == nil {
			// Not cached: a later Conn may have a way to ask.
			return &loadedKey{note: fmt.Sprintf("key %s (encrypted, and no terminal to ask for its passphrase: add it to ssh-agent)", file)}
		}
		promptMu.Lock()
		defer promptMu.Unlock()
		if lk := cached(id); lk != nil { // asked meanwhile for another node
			return lk
		}
		for try := 1; try <= passphraseTries; try++ {
			pass, perr := k.passphrase(file)
			if perr != nil {
				lk.note = fmt.Sprintf("key %s (encrypted; no passphrase given: %v)", file, perr)
				break
			}
			signer, err = ssh.ParsePrivateKeyWithPassphrase(data, pass)
			clear(pass)
			if err == nil {
				break
			}
			lk.note = fmt.Sprintf("key %s (wrong passphrase: %v)", file, err)
			if !errors.Is(err, x509.IncorrectPasswordError) && !strings.Contains(err.Error(), "incorrect") {
				break
			}
		}
		if err == nil {
			lk.note = ""
		}
	case err != nil:
		lk.note = fmt.Sprintf("key %s (not usable: %v)", file, err)
		k.log.Warn("cannot use key", "key", file, "err", err)
	}
	if lk.note == "" && signer != nil {
		lk.signer = signer
		lk.note = fmt.Sprintf("key %s (%s)", file, signer.PublicKey().Type())
	}
	keysMu.Lock()
	keyCache[id] = lk
	keysMu.Unlock()
	return lk
}

// methods returns the auth methods for an endpoint, a description of
// each, and a function to release the agent connection.
func (k *keyring) methods(e endpoint, useAgent bool) ([]ssh.AuthMethod, []string, func()) {
	var signers []ssh.Signer
	var tried []string
	release := func() {}
	if useAgent {
		if sock := os.Getenv("SSH_AUTH_SOCK"); sock == "" {
			tried = append(tried, "ssh-agent (SSH_AUTH_SOCK is not set)")
		} else if conn, err := net.Dial("unix", sock); err != nil {
			tried = append(tried, fmt.Sprintf("ssh-agent (cannot reach %s: %v)", sock, err))
		} else {
			release = func() { conn.Close() }
			as, err := agent.NewClient(conn).Signers()
			if err != nil {
				tried = append(tried, fmt.Sprintf("ssh-agent (%v)", err))
			} else {
				tried = append(tried, fmt.Sprintf("ssh-agent (%d keys)", len(as)))
				signers = append(signers, as...)
			}
		}
	}
	for _, f := range e.keys {
		lk := k.load(f, e.defaultKeys)
		if lk.note != "" {
			tried = append(tried, lk.note)
		}
		if lk.signer != nil {
			signers = append(signers, lk.signer)
		}
	}
	var methods []ssh.AuthMethod
	if len(signers) > 0 {
		methods = append(methods, ssh.PublicKeys(signers...))
	}
	return methods, tried, release
}

func isAuthFailure(err error) bool {
	return err != nil && strings.Contains(err.Error(), "unable to authenticate")
}
