// Package transport is the runner's SSH transport, on golang.org/x/crypto/ssh
// (it never runs the ssh program).
//
// It connects the way OpenSSH users expect: ~/.ssh/config (Host, HostName,
// User, Port, IdentityFile, ProxyJump with chains, UserKnownHostsFile),
// ssh-agent, key files whose passphrase is asked for through a callback,
// and known_hosts checked by default. An unknown host key is refused unless
// the caller opts in to record new keys (AcceptNew); a changed key is never
// accepted. Insecure turns every check off and must be asked for.
//
// One [Conn] per node carries every command as its own session. Keepalives
// (keepalive@openssh.com) find a peer that stopped answering, and the next
// Run after a lost connection dials again with backoff until
// Options.ReconnectTimeout: a node that rebooted is picked up again.
//
// Run runs a script as `sh -c` does, without a terminal, under `sudo -n`
// when the user is not root. Each run carries a token in its environment,
// so a cancelled run ends every process it started, not only the one the
// SSH "signal" request reaches. WriteFile replaces a file atomically
// (temporary file, mode, owner, size check, rename); ReadFile reads one and
// reports a missing file as fs.ErrNotExist.
package transport
