// Package remote is the runner's SSH transport, on golang.org/x/crypto/ssh
// (never the ssh binary), behaving as OpenSSH users expect: ~/.ssh/config
// (Host, HostName, User, Port, IdentityFile, ProxyJump), ssh-agent, key
// files with a passphrase asked for on a terminal, known_hosts checked by
// default with an explicit opt-in to record new keys (a changed key is
// always refused), sudo when the user is not root. One connection per node
// carries every command, kept alive with keepalives and dialled again after
// the node reboots. Files are written atomically: a temporary file in the
// same directory, its mode and owner set, then renamed over the target.
package remote
