package runner

import (
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"
	"sync"
)

// commandEnv is set for every command: nothing may wait for a person, and
// output is plain, in one language, so expected output can match it.
var commandEnv = []string{
	"DEBIAN_FRONTEND=noninteractive",
	"APT_LISTCHANGES_FRONTEND=none",
	"NEEDRESTART_MODE=a",
	"NEEDRESTART_SUSPEND=1",
	"SYSTEMD_PAGER=",
	"SYSTEMD_COLORS=0",
	"PAGER=cat",
	"GIT_PAGER=cat",
	"TERM=dumb",
	"LANG=C.UTF-8",
	"LC_ALL=C.UTF-8",
}

// shellQuote quotes s as one word for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// wrapCommand builds the command line that runs one of the guide's
// commands on a node the way a reader's terminal would: in the working
// directory and with the variables and shell functions that the commands
// before it left, which stateDir keeps on the node. A terminal keeps plain
// shell variables too (TOKEN=$(...) on one line, $TOKEN on the next), so
// the command runs with allexport on: what it assigns is saved with the
// exported variables. The state is saved again when the
// command ends, however it ends. stderr is joined to stdout so the output
// keeps its order, as on a terminal; stdin is empty.
//
// fixed names the variables the connection itself gives every command
// (the local one's PATH, with the running haguide first, and its
// HAGUIDE_ settings): the state never keeps them, so that a resumed run
// uses its own and not those of the run it resumes.
func wrapCommand(stateDir, command string, fixed []string) string {
	var b strings.Builder
	b.WriteString("exec 2>&1 </dev/null\n")
	for _, e := range commandEnv {
		k, v, _ := strings.Cut(e, "=")
		fmt.Fprintf(&b, "export %s=%s\n", k, shellQuote(v))
	}
	fmt.Fprintf(&b, "__hg_state=%s\n", shellQuote(stateDir))
	// One state file holds the exported variables and the directory; it
	// is sourced before the command and rewritten (through a rename)
	// after it, with builtins only but for the one mv.
	b.WriteString(`if [ -f "$__hg_state/state" ]; then . "$__hg_state/state"; else (umask 077 && mkdir -p "$__hg_state") || exit 125; cd; fi
__hg_save() {
  __hg_rc=$?
  set +a
  export -n PWD OLDPWD SHLVL SSH_CLIENT SSH_CONNECTION SSH_TTY SSH_AUTH_SOCK HAGUIDE_RUN _ __hg_rc` + unexported(fixed) + ` 2>/dev/null
  { export -p; declare -f; printf 'cd %q 2>/dev/null || cd\n' "$PWD"; } >"$__hg_state/state.tmp" && mv -f "$__hg_state/state.tmp" "$__hg_state/state"
  exit $__hg_rc
}
trap __hg_save EXIT
unset __hg_rc
set -a
`)
	b.WriteString(command)
	b.WriteString("\n")
	return "exec bash --noprofile --norc -c " + shellQuote(b.String()) + " haguide"
}

// unexported lists the names of fixed that are shell variable names, each
// after a space, for the state's export -n.
func unexported(fixed []string) string {
	var b strings.Builder
	for _, n := range fixed {
		if shellName.MatchString(n) {
			b.WriteString(" " + n)
		}
	}
	return b.String()
}

var shellName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// wrapBackground builds the command line of a background job: the block's
// commands run in a session of their own, whose id is written to pidFile so
// a later stop can end the job and all it started.
func wrapBackground(stateDir, pidFile, script string, fixed []string) string {
	inner := wrapCommand(stateDir, script, fixed)
	return fmt.Sprintf("mkdir -p %s || exit 125; setsid bash -c %s </dev/null & echo $! >%s; wait $!",
		shellQuote(path.Dir(pidFile)), shellQuote(inner), shellQuote(pidFile))
}

// stopBackground ends a background job started with wrapBackground.
func stopBackground(pidFile string) string {
	q := shellQuote(pidFile)
	return "exec bash --noprofile --norc -c " + shellQuote(fmt.Sprintf(`if [ -f %[1]s ]; then p=$(cat %[1]s); kill -TERM -- -"$p" 2>/dev/null; `+
		`for i in $(seq 50); do kill -0 -- -"$p" 2>/dev/null || break; sleep 0.2; done; `+
		`kill -KILL -- -"$p" 2>/dev/null; rm -f %[1]s; fi; true`, q))
}

// syncWriter serialises writes from the two output streams.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
