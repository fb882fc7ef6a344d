package runner

import (
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/haguide/haguide/internal/shquote"
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
	return shellCommand(stateDir, command, fixed, true)
}

// shellCommand is wrapCommand; save=false leaves the state as it was (a
// background job starts from it but must not overwrite what the commands
// run meanwhile have left when it ends).
func shellCommand(stateDir, command string, fixed []string, save bool) string {
	var b strings.Builder
	b.WriteString("exec 2>&1 </dev/null\n")
	for _, e := range commandEnv {
		k, v, _ := strings.Cut(e, "=")
		fmt.Fprintf(&b, "export %s=%s\n", k, shquote.Quote(v))
	}
	fmt.Fprintf(&b, "__hg_state=%s\n", shquote.Quote(stateDir))
	// One state file holds the exported variables and the directory; it
	// is sourced before the command and rewritten (through a rename)
	// after it, with builtins only but for the one mv.
	b.WriteString(`if [ -f "$__hg_state/state" ]; then . "$__hg_state/state"; else (umask 077 && mkdir -p "$__hg_state") || exit 125; cd; fi
`)
	if save {
		b.WriteString(`__hg_save() {
  __hg_rc=$?
  set +a
  export -n PWD OLDPWD SHLVL SSH_CLIENT SSH_CONNECTION SSH_TTY SSH_AUTH_SOCK HAGUIDE_RUN ` + jobEnv + ` _ __hg_rc` + unexported(fixed) + ` 2>/dev/null
  { export -p; declare -f; printf 'cd %q 2>/dev/null || cd\n' "$PWD"; } >"$__hg_state/state.tmp" && mv -f "$__hg_state/state.tmp" "$__hg_state/state"
  exit $__hg_rc
}
trap __hg_save EXIT
`)
	}
	b.WriteString(`unset __hg_rc
set -a
`)
	b.WriteString(command)
	b.WriteString("\n")
	return "exec bash --noprofile --norc -c " + shquote.Quote(b.String()) + " haguide"
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

// jobEnv marks every process of a background job: its value, a token
// of the job's own, is inherited by all the job starts, even by what leaves
// the job's session, so a stop finds them all.
const jobEnv = "HAGUIDE_JOB"

// bootIDFile changes at every boot of a Linux node: a job recorded under
// another boot id ended with the node.
const bootIDFile = "/proc/sys/kernel/random/boot_id"

// jobMark starts the lines a background job's wrapper writes on stderr
// for the runner: "running PID BOOTID" once the job runs and its pid file
// is written, and the outcome of a stop ("stopped", "none", "restarted").
const jobMark = "haguide-job: "

// jobStopFunc defines __hg_stop PIDFILE TOKEN BOOT: it ends every process
// of a background job: each one whose environment carries the job's token,
// and each one of the job's session (unless the node booted since the job
// started: its pid may be another process's now). TERM, again to what is
// still there (a process may have started one more as it was listed), and
// KILL to what is left after 5 s. Without TOKEN it takes the token and boot id from the pid file (a
// job an earlier run left). It prints one line: "stopped" when something
// was running, "restarted" when the node booted since the job started,
// "none" otherwise. It needs bash, grep -z and /proc.
const jobStopFunc = `__hg_stop() {
  local f=$1 tok=$2 boot=$3 sid= ftok= fboot= now= restarted= p= i=0
  if [ -f "$f" ]; then read -r sid ftok fboot <"$f"; fi
  if [ -z "$tok" ]; then tok=$ftok boot=$fboot; fi
  if [ -z "$tok" ]; then echo "` + jobMark + `none"; return 0; fi
  [ "$ftok" = "$tok" ] || sid=
  read -r now 2>/dev/null <"$__hg_boot_file"
  if [ -n "$boot" ] && [ "$boot" != "$now" ]; then sid= restarted=1; fi
  __hg_pids() {
    local e l
    grep -lsxzF "` + jobEnv + `=$tok" /proc/[0-9]*/environ | while read -r e; do e=${e#/proc/}; echo "${e%/environ}"; done
    [ -n "$sid" ] || return 0
    for e in /proc/[0-9]*/stat; do
      read -r l 2>/dev/null <"$e" || continue
      l=${l##*) }; set -- $l
      [ "$4" = "$sid" ] && [ "$1" != Z ] && { e=${e#/proc/}; echo "${e%/stat}"; }
    done
  }
  p=$(__hg_pids)
  if [ -n "$p" ]; then
    kill -TERM $p 2>/dev/null
    while [ $i -lt 100 ]; do p=$(__hg_pids); [ -n "$p" ] || break; kill -TERM $p 2>/dev/null; sleep 0.05; i=$((i+1)); done
    [ -z "$p" ] || kill -KILL $p 2>/dev/null
    echo "` + jobMark + `stopped"
  elif [ -n "$restarted" ]; then
    echo "` + jobMark + `restarted"
  else
    echo "` + jobMark + `none"
  fi
  if [ "$ftok" = "$tok" ]; then rm -f "$f"; fi
}
`

// wrapBackground builds the command line of a background job: first it
// ends what a job of the same pid file that an earlier run left still runs
// (a run that was killed cannot stop its jobs), then it starts the block's
// commands in a session of their own, with token in their environment
// (jobEnv). The job writes its pid, the token and the node's boot id to
// pidFile, then says so on stderr (jobMark "running ..."), and only then
// runs the commands. The command line ends when the job ends. The job
// starts from the node's shell state but does not save it.
func wrapBackground(stateDir, pidFile, token, bootFile, script string, fixed []string) string {
	pf := shquote.Quote(pidFile)
	job := fmt.Sprintf(`read -r __hg_b 2>/dev/null <%s; echo "$$ $%s $__hg_b" >%s.tmp && mv -f %s.tmp %s || exit 125; echo "%srunning $$ $__hg_b" >&2; unset __hg_b
%s`, shquote.Quote(bootFile), jobEnv, pf, pf, pf, jobMark, shellCommand(stateDir, script, fixed, false))
	outer := fmt.Sprintf(`__hg_boot_file=%s
%s
mkdir -p %s || exit 125
__hg_stop %s '' '' >&2
%s=%s setsid -w bash --noprofile --norc -c %s </dev/null &
wait $!
`, shquote.Quote(bootFile), jobStopFunc, shquote.Quote(path.Dir(pidFile)), pf, jobEnv, shquote.Quote(token), shquote.Quote(job))
	return "exec bash --noprofile --norc -c " + shquote.Quote(outer)
}

// stopBackground ends a background job started with wrapBackground; it
// prints the outcome as jobMark "stopped", "none" or "restarted".
func stopBackground(pidFile, token, boot, bootFile string) string {
	script := fmt.Sprintf("__hg_boot_file=%s\n%s\n__hg_stop %s %s %s\n", shquote.Quote(bootFile), jobStopFunc,
		shquote.Quote(pidFile), shquote.Quote(token), shquote.Quote(boot))
	return "exec bash --noprofile --norc -c " + shquote.Quote(script)
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
