package transport

import (
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

// keyring loads the private keys of one endpoint once (a passphrase is
// asked for at most once per file) and reports what it tried.
type keyring struct {
	log        *slog.Logger
	passphrase func(file string) ([]byte, error)

	mu     sync.Mutex
	loaded map[string]*loadedKey
}

type loadedKey struct {
	signer ssh.Signer
	note   string // why there is no signer, or what the key is
}

func newKeyring(log *slog.Logger, passphrase func(string) ([]byte, error)) *keyring {
	return &keyring{log: log, passphrase: passphrase, loaded: map[string]*loadedKey{}}
}

func (k *keyring) load(file string, optional bool) *loadedKey {
	k.mu.Lock()
	defer k.mu.Unlock()
	if lk, ok := k.loaded[file]; ok {
		return lk
	}
	lk := &loadedKey{}
	k.loaded[file] = lk
	data, err := os.ReadFile(file)
	switch {
	case errors.Is(err, fs.ErrNotExist) && optional:
		lk.note = ""
		return lk
	case err != nil:
		lk.note = fmt.Sprintf("key %s (unreadable: %v)", file, err)
		return lk
	}
	signer, err := ssh.ParsePrivateKey(data)
	var pme *ssh.PassphraseMissingError
	if errors.As(err, &pme) {
		if k.passphrase == nil {
			lk.note = fmt.Sprintf("key %s (encrypted, and no terminal to ask for its passphrase: add it to ssh-agent)", file)
			return lk
		}
		pass, perr := k.passphrase(file)
		if perr != nil {
			lk.note = fmt.Sprintf("key %s (encrypted; passphrase not given: %v)", file, perr)
			return lk
		}
		signer, err = ssh.ParsePrivateKeyWithPassphrase(data, pass)
		clear(pass)
	}
	if err != nil {
		lk.note = fmt.Sprintf("key %s (not usable: %v)", file, err)
		k.log.Warn("cannot use key", "key", file, "err", err)
		return lk
	}
	lk.signer = signer
	lk.note = fmt.Sprintf("key %s (%s)", file, signer.PublicKey().Type())
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
