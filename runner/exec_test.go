package runner

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/internal/sshtest"
	"github.com/haguide/haguide/runner/transport"
)

const testSettings = `release = "2025.1"
release_name = "Epoxy"
distros = ["debian", "ubuntu"]
nodes = ["n1", "n2", "n3"]

[placeholders.DB_PASS]
meaning = "a password"
example = "db-secret"
type = "password"
secret = true

[placeholders.WORK_DIR]
meaning = "where the test writes"
example = "/tmp/x"
type = "path"
`

// testGuide makes a one-chapter guide from chapter text.
func testGuide(t *testing.T, chapter string) *guide.Guide {
	t.Helper()
	fsys := fstest.MapFS{
		"SUMMARY.md":    {Data: []byte("# Test\n\n1. [One](one.md)\n")},
		"settings.toml": {Data: []byte(testSettings)},
		"one.md":        {Data: []byte(chapter)},
	}
	g, err := guide.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// localExecutor runs a guide with every node a local shell: real
// processes, real files, real shell state, without SSH.
func localExecutor(t *testing.T, chapter string, vars map[string]string) (*Executor, string) {
	t.Helper()
	g := testGuide(t, chapter)
	work := t.TempDir()
	if vars == nil {
		vars = map[string]string{}
	}
	vars["WORK_DIR"] = work
	p, err := NewPlan(g, "debian", PlanOptions{Lab: true})
	if err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(work, "run")
	var nodes []Node
	conns := map[string]Conn{}
	for i, n := range g.Settings.Nodes {
		nodes = append(nodes, Node{Name: n, Address: "10.0.0." + string(rune('1'+i))})
		conns[n] = &LocalConn{}
	}
	v, err := NewValues(ValuesConfig{Settings: g.Settings, Nodes: nodes, Vars: vars, RunDir: run, Needed: p.Placeholders()})
	if err != nil {
		t.Fatal(err)
	}
	return &Executor{Plan: p, Conns: conns, Local: &LocalConn{}, Values: v, RunDir: run,
		NodeStateDir: filepath.Join(work, "state"), Backoff: 10 * time.Millisecond}, work
}

func statuses(r *Report) []string {
	var out []string
	for _, s := range r.Steps {
		out = append(out, s.ID+" "+s.Status)
	}
	return out
}

func TestShellStateCarries(t *testing.T) {
	e, work := localExecutor(t, "# One\n\n## State\n\n"+
		"```console {nodes=all}\n# mkdir -p WORK_DIR/NODE_NAME && cd WORK_DIR/NODE_NAME\n# export GREETING=\"hello from NODE_NAME\"\n```\n\n"+
		"```console {nodes=each}\n# pwd\nWORK_DIR/NODE_NAME\n# echo \"$GREETING\" >greeting && cat greeting\nhello from NODE_NAME\n"+
		"# WHO=$(echo NODE_NAME)\n# shout() { echo \"$1!\"; }\n```\n\n"+
		"```console {nodes=all}\n# shout \"$WHO\"\nNODE_NAME!\n```\n", nil)
	rep, err := e.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"one/state/1 passed", "one/state/2 passed", "one/state/3 passed"}, statuses(rep)); diff != "" {
		t.Fatal(diff)
	}
	for _, n := range []string{"n1", "n2", "n3"} {
		b, err := os.ReadFile(filepath.Join(work, n, "greeting"))
		if err != nil || string(b) != "hello from "+n+"\n" {
			t.Errorf("%s: greeting %q, %v", n, b, err)
		}
	}
	if rep.Result != StatusPassed || rep.Totals.Passed != 3 {
		t.Errorf("result %s, totals %+v", rep.Result, rep.Totals)
	}
}

// A relative run directory (the CLI's default) still carries the local
// shell's state: the wrapper changes to $HOME before it saves it.
func TestLocalStateWithRelativeRunDir(t *testing.T) {
	e, work := localExecutor(t, "# One\n\n## Local\n\n"+
		"```console {nodes=local when=lab reason=\"test\"}\n# export GREETING=hello\n```\n\n"+
		"```console {nodes=local when=lab reason=\"test\"}\n# echo \"$GREETING\"\nhello\n```\n", nil)
	t.Chdir(work)
	t.Setenv("HOME", t.TempDir())
	e.RunDir = "run"
	rep, err := e.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"one/local/1 passed", "one/local/2 passed"}, statuses(rep)); diff != "" {
		t.Fatal(diff)
	}
}

func TestFailureStopsTheRun(t *testing.T) {
	e, work := localExecutor(t, "# One\n\n## Fail\n\n"+
		"```console {nodes=first}\n# echo before\n# false\n# touch WORK_DIR/after\n```\n\n"+
		"```console\n# touch WORK_DIR/never\n```\n", nil)
	var progress bytes.Buffer
	e.Progress = &progress
	rep, err := e.Run(context.Background())
	var se *StepError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a StepError", err)
	}
	if diff := cmp.Diff([]string{"one/fail/1 failed", "one/fail/2 not run"}, statuses(rep)); diff != "" {
		t.Fatal(diff)
	}
	for _, f := range []string{"after", "never"} {
		if _, err := os.Stat(filepath.Join(work, f)); err == nil {
			t.Errorf("%s exists: the run went on after a failure", f)
		}
	}
	msg := err.Error()
	for _, want := range []string{"one/fail/1", "one.md:5:1", "on n1", "`false`", "exit status 1", "log: "} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if !strings.Contains(progress.String(), "FAIL") {
		t.Errorf("progress lacks FAIL:\n%s", progress.String())
	}
	if rep.Result != StatusFailed {
		t.Errorf("result %s", rep.Result)
	}
}

func TestExpectedOutputDiff(t *testing.T) {
	e, _ := localExecutor(t, "# One\n\n## Out\n\n"+
		"```console {nodes=n2}\n# printf 'a\\nb\\nc\\n'\na\n...\nc\n# printf 'one\\ntwo\\n'\none\nthree\n```\n", nil)
	rep, err := e.Run(context.Background())
	if err == nil {
		t.Fatal("want a failure")
	}
	f := rep.Steps[0].NodeResults[0].Failure
	if f == nil || f.Diff == "" || !strings.Contains(f.Diff, "three") || !strings.Contains(f.Diff, "two") {
		t.Fatalf("failure %+v, want a diff showing three and two", f)
	}
	if f.Command != "printf 'one\\ntwo\\n'" {
		t.Errorf("failed command %q", f.Command)
	}
}

func TestWaitRetries(t *testing.T) {
	e, work := localExecutor(t, "# One\n\n## Wait\n\n"+
		"```console {nodes=first wait=30s}\n# echo x >>WORK_DIR/count && test $(wc -l <WORK_DIR/count) -ge 3\n```\n", nil)
	rep, err := e.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Steps[0].Attempts; got != 3 {
		t.Errorf("attempts = %d, want 3", got)
	}
	b, _ := os.ReadFile(filepath.Join(work, "count"))
	if n := strings.Count(string(b), "\n"); n != 3 {
		t.Errorf("ran %d times, want 3", n)
	}
}

func TestWaitGivesUp(t *testing.T) {
	e, _ := localExecutor(t, "# One\n\n## Wait\n\n```console {nodes=first wait=1s}\n# false\n```\n", nil)
	e.Backoff = 200 * time.Millisecond
	rep, err := e.Run(context.Background())
	if err == nil {
		t.Fatal("want a failure")
	}
	f := rep.Steps[0].NodeResults[0].Failure
	if !strings.Contains(f.Message, "still failing after") {
		t.Errorf("message %q", f.Message)
	}
}

func TestTimeout(t *testing.T) {
	e, _ := localExecutor(t, "# One\n\n## Slow\n\n```console {nodes=first timeout=1s}\n# sleep 30\n```\n", nil)
	done := make(chan struct{})
	var rep *Report
	go func() {
		defer close(done)
		rep, _ = e.Run(context.Background())
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("a timed-out command kept the run waiting")
	}
	if f := rep.Steps[0].NodeResults[0].Failure; f == nil || !strings.Contains(f.Message, "timed out after 1s") {
		t.Errorf("failure %+v", f)
	}
}

func TestFileBlocks(t *testing.T) {
	e, work := localExecutor(t, "# One\n\n## Files\n\n"+
		"```console {nodes=first}\n# mkdir -p WORK_DIR/etc && printf '[DEFAULT]\\n# a comment\\ndebug = true\\n\\n[database]\\nconnection = sqlite://\\n' >WORK_DIR/etc/svc.conf\n```\n\n"+
		"```ini {nodes=first file=/etc/svc.conf apply=merge}\n[database]\nconnection = mysql+pymysql://svc:DB_PASS@db/svc\n\n[cache]\nenabled = true\n```\n\n"+
		"```text {nodes=first file=/etc/plain.txt mode=0600}\nhello NODE_NAME\n```\n", nil)
	// Files go under the test's directory, as if it were the node's root.
	e.Conns["n1"] = &rootedConn{LocalConn: &LocalConn{}, root: work}
	rep, err := e.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(work, "etc/svc.conf"))
	secret, _ := e.Values.Lookup("n1", "DB_PASS")
	want := "[DEFAULT]\n# a comment\ndebug = true\n\n[database]\nconnection = mysql+pymysql://svc:" + secret + "@db/svc\n\n[cache]\nenabled = true\n"
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("merged file (-want +got):\n%s", diff)
	}
	st, err := os.Stat(filepath.Join(work, "etc/plain.txt"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("plain.txt: %v %v", st, err)
	}
	if b, _ := os.ReadFile(filepath.Join(work, "etc/plain.txt")); string(b) != "hello n1\n" {
		t.Errorf("plain.txt = %q", b)
	}
	// The log shows the keys set, with the secret masked.
	log, _ := os.ReadFile(rep.Steps[1].NodeResults[0].Log)
	if strings.Contains(string(log), secret) || !strings.Contains(string(log), "<DB_PASS>") {
		t.Errorf("log does not mask the secret:\n%s", log)
	}
}

// A merge given no mode keeps the file's own (a package's 0640 stays
// 0640), and a file block that would leave a secret readable by every
// user fails before anything is written.
func TestFileModesAndSecrets(t *testing.T) {
	e, work := localExecutor(t, "# One\n\n## Files\n\n"+
		"```console {nodes=first}\n# mkdir -p WORK_DIR/etc && printf '[database]\\nconnection = sqlite://\\n' >WORK_DIR/etc/svc.conf && chmod 0640 WORK_DIR/etc/svc.conf\n```\n\n"+
		"```ini {nodes=first file=/etc/svc.conf apply=merge}\n[database]\nconnection = mysql+pymysql://svc:DB_PASS@db/svc\n```\n\n"+
		"```ini {nodes=first file=/etc/open.conf mode=0644}\n[database]\npassword = DB_PASS\n```\n", nil)
	e.Conns["n1"] = &rootedConn{LocalConn: &LocalConn{}, root: work}
	rep, err := e.Run(context.Background())
	if err == nil {
		t.Fatal("run passed; want the world-readable secret refused")
	}
	if st, err := os.Stat(filepath.Join(work, "etc/svc.conf")); err != nil || st.Mode().Perm() != 0o640 {
		t.Errorf("merged svc.conf: %v %v, want mode 0640 kept", st, err)
	}
	if _, err := os.Stat(filepath.Join(work, "etc/open.conf")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("open.conf written: %v", err)
	}
	last := rep.Steps[len(rep.Steps)-1]
	if last.Status != "failed" || len(last.NodeResults) == 0 || last.NodeResults[0].Failure == nil || !strings.Contains(last.NodeResults[0].Failure.Message, "/etc/open.conf would hold a secret readable by every user on the node (mode 0644)") {
		t.Errorf("last step: %+v", last)
	}
}

func TestSecretsNeverLeak(t *testing.T) {
	e, _ := localExecutor(t, "# One\n\n## Secret\n\n"+
		"```console {nodes=first}\n# echo \"the password is DB_PASS\"\n# echo DB_PASS; false\n```\n", nil)
	var progress bytes.Buffer
	e.Progress = &progress
	rep, _ := e.Run(context.Background())
	secret, _ := e.Values.Lookup("n1", "DB_PASS")
	if len(secret) < 16 {
		t.Fatalf("generated secret %q too short", secret)
	}
	var all bytes.Buffer
	rep.WriteJSON(&all)
	rep.WriteJUnit(&all)
	all.Write(progress.Bytes())
	filepath.Walk(e.RunDir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && filepath.Base(p) != SecretsFile {
			b, _ := os.ReadFile(p)
			all.Write(b)
		}
		return nil
	})
	if strings.Contains(all.String(), secret) {
		t.Fatalf("the secret appears in the run's output:\n%s", all.String())
	}
	if !strings.Contains(all.String(), "<DB_PASS>") {
		t.Errorf("the masked secret does not appear at all")
	}
	// The secret is kept in the run directory for the next run, privately.
	st, err := os.Stat(filepath.Join(e.RunDir, SecretsFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("secrets file: %v %v", st, err)
	}
}

func TestBackgroundStop(t *testing.T) {
	e, work := localExecutor(t, "# One\n\n## Load\n\n"+
		"```console {nodes=local background=load}\n# while true; do echo tick >>WORK_DIR/ticks; sleep 0.05; done\n```\n\n"+
		"```console {nodes=first wait=10s}\n# test $(wc -l <WORK_DIR/ticks) -ge 3\n```\n\n"+
		"```console {nodes=local stop=load}\n# wc -l <WORK_DIR/ticks >WORK_DIR/count\n```\n", nil)
	rep, err := e.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"one/load/1 started", "one/load/2 passed", "one/load/3 passed"}, statuses(rep)); diff != "" {
		t.Fatal(diff)
	}
	a, _ := os.ReadFile(filepath.Join(work, "ticks"))
	time.Sleep(300 * time.Millisecond)
	b, _ := os.ReadFile(filepath.Join(work, "ticks"))
	if len(a) != len(b) {
		t.Errorf("the background loop still runs after stop: %d -> %d bytes", len(a), len(b))
	}
}

func TestSkipsAndReports(t *testing.T) {
	e, _ := localExecutor(t, "# One\n\n## Mixed\n\n"+
		"```console\n# true\n```\n\n"+
		"```console {run=no reason=\"needs a BMC\"}\n# fence_ipmilan --help\n```\n\n"+
		"```console {distro=ubuntu}\n# true\n```\n\n"+
		"```console {distro=debian}\n# true\n```\n", nil)
	rep, err := e.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Totals.Steps != 3 || rep.Totals.Passed != 2 || rep.Totals.Skipped != 1 || rep.Totals.Reasons["run=no"] != 1 {
		t.Errorf("totals %+v", rep.Totals)
	}
	var j bytes.Buffer
	if err := rep.WriteJUnit(&j); err != nil {
		t.Fatal(err)
	}
	var parsed junitSuites
	if err := xml.Unmarshal(j.Bytes(), &parsed); err != nil {
		t.Fatalf("JUnit does not parse: %v\n%s", err, j.String())
	}
	if parsed.Tests != 7 || parsed.Skipped != 1 || len(parsed.Suites) != 1 || parsed.Suites[0].Cases[3].Skipped == nil || parsed.Suites[0].Cases[0].Name != "one/mixed/1 on n1" {
		t.Errorf("JUnit %+v", parsed)
	}
	var tbl bytes.Buffer
	rep.WriteTable(&tbl)
	if !strings.Contains(tbl.String(), "run=no (1)") {
		t.Errorf("table:\n%s", tbl.String())
	}
}

func TestResume(t *testing.T) {
	chapter := "# One\n\n## R\n\n```console {nodes=first}\n# echo 1 >>WORK_DIR/one\n```\n\n" +
		"```console {nodes=first}\n# test -f WORK_DIR/ok\n```\n\n```console {nodes=first}\n# echo 3 >>WORK_DIR/three\n```\n"
	e, work := localExecutor(t, chapter, nil)
	if _, err := e.Run(context.Background()); err == nil {
		t.Fatal("want the second step to fail")
	}
	from, err := ResumeFrom(e.RunDir, e.Plan)
	if err != nil || from != "one/r/2" {
		t.Fatalf("ResumeFrom = %q, %v", from, err)
	}
	os.WriteFile(filepath.Join(work, "ok"), nil, 0o644)
	p, err := NewPlan(testGuide(t, chapter), "debian", PlanOptions{From: from})
	if err != nil {
		t.Fatal(err)
	}
	e.Plan = p
	if _, err := e.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(work, "one")); string(b) != "1\n" {
		t.Errorf("the first step ran again: %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(work, "three")); string(b) != "3\n" {
		t.Errorf("the third step did not run: %q", b)
	}
}

// --resume never starts over silently: a run directory that does not
// exist or records nothing, or one where every step passed, is a
// *ResumeError that says which (the CLI then says how to start a new run).
func TestResumeRefuses(t *testing.T) {
	chapter := "# One\n\n## R\n\n```console {nodes=first}\n# true\n```\n\n```console {nodes=first}\n# true\n```\n"
	p, err := NewPlan(testGuide(t, chapter), "debian", PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, state string // state "-" leaves the directory out
		from, err   string
	}{
		{name: "no directory", state: "-", err: "^there is no run directory .*: nothing to resume$"},
		{name: "nothing recorded", err: "records no step of a run: nothing to resume$"},
		{name: "empty record", state: `{"passed": []}`, err: "records no step of a run"},
		{name: "all passed", state: `{"passed": ["one/r/1", "one/r/2"]}`, err: "^every step of the debian plan passed in .*: nothing to resume$"},
		{name: "first failed", state: `{"passed": [], "failed": "one/r/1"}`, from: "one/r/1"},
		{name: "second to do", state: `{"passed": ["one/r/1"]}`, from: "one/r/2"},
		{name: "bad record", state: `{`, err: "state.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			if tc.state != "-" {
				os.Mkdir(dir, 0o700)
			}
			if tc.state != "-" && tc.state != "" {
				os.WriteFile(filepath.Join(dir, stateFile), []byte(tc.state), 0o600)
			}
			from, err := ResumeFrom(dir, p)
			if tc.err == "" {
				if err != nil || from != tc.from {
					t.Fatalf("ResumeFrom = %q, %v; want %q", from, err, tc.from)
				}
				return
			}
			if err == nil || !regexp.MustCompile(tc.err).MatchString(err.Error()) {
				t.Fatalf("ResumeFrom = %q, %v; want an error matching %q", from, err, tc.err)
			}
			var re *ResumeError
			want := tc.name != "bad record"
			if isResume := errors.As(err, &re); isResume != want || isResume && re.Done != (tc.name == "all passed") {
				t.Errorf("ResumeFrom's error %#v: a ResumeError %v, want %v (Done only when all passed)", err, isResume, want)
			}
		})
	}
}

// A new run forgets that the steps it runs passed before: when it fails,
// --resume goes on from its failure, not after the earlier run's steps.
func TestNewRunForgetsEarlierPasses(t *testing.T) {
	chapter := "# One\n\n## R\n\n```console {nodes=first}\n# true\n```\n\n" +
		"```console {nodes=first}\n# test -f WORK_DIR/ok\n```\n\n```console {nodes=first}\n# true\n```\n"
	e, work := localExecutor(t, chapter, nil)
	os.WriteFile(filepath.Join(work, "ok"), nil, 0o644)
	if _, err := e.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(work, "ok"))
	if _, err := e.Run(context.Background()); err == nil {
		t.Fatal("want the second step to fail")
	}
	from, err := ResumeFrom(e.RunDir, e.Plan)
	if err != nil || from != "one/r/2" {
		t.Fatalf("ResumeFrom = %q, %v; want one/r/2, the step that failed", from, err)
	}
}

// A run that failed while a background job ran resumes at the block that
// starts the job: the job ended with the run, and the steps after it need
// it. A job already stopped does not move the resume point.
func TestResumeRestartsTheJob(t *testing.T) {
	chapter := "# One\n\n## R\n\n" +
		"```console {nodes=local background=done}\n# sleep 30\n```\n\n" +
		"```console {nodes=local stop=done}\n# true\n```\n\n" +
		"```console {nodes=first}\n# echo 1 >>WORK_DIR/one\n```\n\n" +
		"```console {nodes=local background=load}\n# while true; do echo tick >>WORK_DIR/ticks; sleep 0.05; done\n```\n\n" +
		"```console {nodes=first}\n# echo 2 >>WORK_DIR/two\n```\n\n" +
		"```console {nodes=first}\n# test -f WORK_DIR/ok\n```\n\n" +
		"```console {nodes=first wait=5s}\n# test -s WORK_DIR/ticks\n```\n\n" +
		"```console {nodes=local stop=load}\n# test -s WORK_DIR/ticks\n```\n"
	e, work := localExecutor(t, chapter, nil)
	if _, err := e.Run(context.Background()); err == nil {
		t.Fatal("want the sixth step to fail")
	}
	from, err := ResumeFrom(e.RunDir, e.Plan)
	if err != nil || from != "one/r/4" {
		t.Fatalf("ResumeFrom = %q, %v; want one/r/4, the start of the load job", from, err)
	}
	os.WriteFile(filepath.Join(work, "ok"), nil, 0o644)
	os.Remove(filepath.Join(work, "ticks"))
	if e.Plan, err = NewPlan(testGuide(t, chapter), "debian", PlanOptions{Lab: true, From: from}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	for f, want := range map[string]string{"one": "1\n", "two": "2\n2\n"} {
		if b, _ := os.ReadFile(filepath.Join(work, f)); string(b) != want {
			t.Errorf("%s: %q, want %q", f, b, want)
		}
	}
}

// A resumed run gives its local commands its own PATH and settings, not
// those the run it resumes left in the shell state (the haguide binary
// may have moved in between), while what the guide exported carries on.
func TestResumeKeepsTheLocalEnv(t *testing.T) {
	chapter := "# One\n\n## L\n\n```console {nodes=local when=lab reason=\"test\"}\n# export GREETING=hello\n```\n\n" +
		"```console {nodes=local when=lab reason=\"test\"}\n# echo \"$GREETING $HG_TEST_BIN\"\nhello second\n```\n"
	e, _ := localExecutor(t, chapter, nil)
	e.Local = &LocalConn{Env: []string{"HG_TEST_BIN=first"}}
	if _, err := e.Run(context.Background()); err == nil {
		t.Fatal("want the second step to fail with the first run's variable")
	}
	e.Local = &LocalConn{Env: []string{"HG_TEST_BIN=second"}}
	p, err := NewPlan(testGuide(t, chapter), "debian", PlanOptions{Lab: true, From: "one/l/2"})
	if err != nil {
		t.Fatal(err)
	}
	e.Plan = p
	if rep, err := e.Run(context.Background()); err != nil {
		t.Fatalf("%v: %+v", err, rep.Steps[len(rep.Steps)-1].NodeResults[0].Failure)
	}
}

// rootedConn is a local node whose files live under root.
type rootedConn struct {
	*LocalConn
	root string
}

func (r *rootedConn) WriteFile(ctx context.Context, p string, data []byte, mode os.FileMode, owner string) error {
	return r.LocalConn.WriteFile(ctx, filepath.Join(r.root, p), data, mode, "")
}

func (r *rootedConn) ReadFile(ctx context.Context, p string) ([]byte, error) {
	return r.LocalConn.ReadFile(ctx, filepath.Join(r.root, p))
}

func TestLocalEnvHasNoSecrets(t *testing.T) {
	e, _ := localExecutor(t, "# One\n\n## L\n\n```console {nodes=local}\n# echo DB_PASS >/dev/null\n```\n", nil)
	secret, _ := e.Values.Lookup("", "DB_PASS")
	for _, kv := range e.Values.Env() {
		if strings.Contains(kv, secret) {
			t.Fatalf("Env exports the secret: %s", kv)
		}
	}
	if _, err := e.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(e.RunDir, "local-shell"))
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("shell state dir: %v %v", st, err)
	}
}

func TestHeartbeat(t *testing.T) {
	e, _ := localExecutor(t, "# One\n\n## Slow\n\n```console {nodes=first}\n# sleep 0.5\n```\n", nil)
	progress := &sshtest.Buffer{}
	e.Progress = progress
	e.HeartbeatEvery = 100 * time.Millisecond
	if _, err := e.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(progress.String(), "one/slow/1 still running (") {
		t.Errorf("no heartbeat in:\n%s", progress.String())
	}
}

func TestLiveView(t *testing.T) {
	e, _ := localExecutor(t, "# One\n\n## Slow\n\n```console {nodes=all}\n# sleep 0.6\n```\n", nil)
	sb := &sshtest.Buffer{}
	e.Progress, e.Live = sb, true
	if _, err := e.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := sb.String()
	for _, want := range []string{"\r\x1b[K", "one/slow/1  n1: running, n2: running, n3: running", "[1/1] ok"} {
		if !strings.Contains(out, want) {
			t.Errorf("live view lacks %q:\n%q", want, out)
		}
	}
	if strings.Contains(out, "still running") {
		t.Errorf("heartbeat lines in the live view:\n%q", out)
	}
}

// when=lab runs only against the lab, when=own-nodes only elsewhere; the
// other is skipped with its reason.
func TestWhenPicksTheTarget(t *testing.T) {
	g := testGuide(t, "# One\n\n## Fault\n\n"+
		"```console\n# true\n```\n\n"+
		"```console {nodes=local when=lab reason=\"the lab kills the node\"}\n# haguide lab kill n1\n```\n\n"+
		"```console {nodes=local when=own-nodes reason=\"a real BMC\"}\n# ipmitool chassis power off\n```\n")
	for _, tc := range []struct {
		lab  bool
		want []string
	}{
		{true, []string{"one/fault/1 ", "one/fault/2 ", "one/fault/3 own nodes only: a real BMC"}},
		{false, []string{"one/fault/1 ", "one/fault/2 lab only: the lab kills the node", "one/fault/3 "}},
	} {
		p, err := NewPlan(g, "debian", PlanOptions{Lab: tc.lab})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range p.Steps {
			got = append(got, s.ID+" "+s.Skip)
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("lab=%v (-want +got):\n%s", tc.lab, d)
		}
	}
}

// processesWith lists the processes with arg among their arguments.
func processesWith(t *testing.T, arg string) []string {
	t.Helper()
	files, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	var pids []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, a := range strings.Split(string(b), "\x00") {
			if a == arg {
				pids = append(pids, filepath.Base(filepath.Dir(f)))
				break
			}
		}
	}
	return pids
}

// slowStart opens the session of a background job late, as a loaded node
// or a slow link does.
type slowStart struct {
	Conn
	delay time.Duration
}

func (s *slowStart) Run(ctx context.Context, cmd string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	if strings.Contains(cmd, "setsid") {
		time.Sleep(s.delay)
	}
	return s.Conn.Run(ctx, cmd, stdin, stdout, stderr)
}

// A background block returns once its job runs and its pid is recorded,
// even when the job's session opens late, so a stop that follows at once
// finds it; the stop ends every process the job started: in its process
// group, those that left the group (a subshell's child, reparented), those
// that left the session (setsid) and those that dropped the job's
// environment variable but stayed in the session.
func TestBackgroundJobStartsAndStopsEverything(t *testing.T) {
	e, _ := localExecutor(t, "# One\n\n## Job\n\n"+
		"```console {nodes=local background=job}\n# (sleep 40.11 &); setsid sleep 40.12 & env -i PATH=$PATH sleep 40.13 & sleep 40.14\n```\n\n"+
		"```console {nodes=local}\n# test -s WORK_DIR/run/local-shell/bg-job.pid\n```\n\n"+
		"```console {nodes=local stop=job}\n# ! test -e WORK_DIR/run/local-shell/bg-job.pid\n```\n", nil)
	e.Local = &slowStart{Conn: e.Local, delay: 200 * time.Millisecond}
	args := []string{"40.11", "40.12", "40.13", "40.14"}
	killSleeps(t, args...)
	start := time.Now()
	rep, err := e.Run(context.Background())
	took := time.Since(start)
	if err != nil {
		t.Fatalf("%v (took %s)", err, took)
	}
	if diff := cmp.Diff([]string{"one/job/1 started", "one/job/2 passed", "one/job/3 passed"}, statuses(rep)); diff != "" {
		t.Error(diff)
	}
	for _, a := range args {
		if p := processesWith(t, a); len(p) > 0 {
			t.Errorf("sleep %s still runs after the stop: pids %v", a, p)
		}
	}
	if took > time.Second {
		t.Errorf("the run took %s, want well under a second", took)
	}
}

// killSleeps ends, when the test ends, what a failing test left running.
func killSleeps(t *testing.T, args ...string) {
	t.Cleanup(func() {
		for _, a := range args {
			for _, p := range processesWith(t, a) {
				if pid, err := strconv.Atoi(p); err == nil {
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		}
	})
}

// A job whose node restarted between its start and its stop is gone with
// the node: the stop says so without waiting for it, and its block still
// runs to read what the job wrote on disk (the probe of a rehearsal).
func TestStopAfterTheNodeRestarted(t *testing.T) {
	e, work := localExecutor(t, "# One\n\n## Cut\n\n"+
		"```console {nodes=local background=probe}\n# while :; do echo up >>WORK_DIR/probe.log; sleep 0.01; done\n```\n\n"+
		"```console {nodes=local}\n# until test -s WORK_DIR/probe.log; do sleep 0.01; done\n"+
		"# echo boot-2 >WORK_DIR/boot_id\n# kill -KILL -- -$(cut -d' ' -f1 WORK_DIR/run/local-shell/bg-probe.pid)\n```\n\n"+
		"```console {nodes=local stop=probe}\n# grep -c up WORK_DIR/probe.log >/dev/null\n```\n", nil)
	e.bootIDFile = filepath.Join(work, "boot_id")
	if err := os.WriteFile(e.bootIDFile, []byte("boot-1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rep, err := e.Run(context.Background())
	took := time.Since(start)
	if err != nil {
		t.Fatalf("%v (took %s)", err, took)
	}
	stop := rep.Steps[2]
	if stop.Status != StatusPassed || !strings.Contains(stop.Reason, "background job probe on local ended when the node restarted") {
		t.Errorf("stop step: %s %q", stop.Status, stop.Reason)
	}
	if took > time.Second {
		t.Errorf("the run took %s, want well under a second", took)
	}
}

// A run that was killed could not stop its jobs: the next start of the
// same job ends what the earlier one left, so two loops never write the
// same log.
func TestStartEndsTheJobAnEarlierRunLeft(t *testing.T) {
	e, _ := localExecutor(t, "# One\n\n## J\n\n"+
		"```console {nodes=local background=job}\n# sleep 40.21\n```\n\n"+
		"```console {nodes=local stop=job}\n# true\n```\n", nil)
	killSleeps(t, "40.21")
	var log bytes.Buffer
	if f := e.startJob(context.Background(), e.Plan.Steps[0], LocalNode, e.Local, &log); f != nil {
		t.Fatalf("start: %s\n%s", f.Message, log.String())
	}
	var first []string
	for deadline := time.Now().Add(2 * time.Second); len(first) == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		first = processesWith(t, "40.21") // the job's shell runs: its command follows
	}
	if len(first) != 1 {
		t.Fatalf("the first job runs as %v", first)
	}
	rep, err := e.Run(context.Background()) // forgets the first job, as a new haguide would
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(rep.Steps[0].NodeResults[0].Log)
	if !strings.Contains(string(b), `### a job "job" that an earlier run left was still running here: stopped it`) {
		t.Errorf("the start's log does not say it stopped the earlier job:\n%s", b)
	}
	if p := processesWith(t, "40.21"); len(p) > 0 {
		t.Errorf("still running after the run: %v (the first job was %v)", p, first)
	}
}

// Over SSH (OpenSSH's ways: a signal reaches the command only, and a
// closed channel hangs nothing up), a background job starts, says where it
// runs and is stopped with all it started, as on the machine itself.
func TestBackgroundJobOverSSH(t *testing.T) {
	e, _ := localExecutor(t, "# One\n\n## Job\n\n"+
		"```console {nodes=first background=job}\n# (sleep 40.31 &); setsid sleep 40.32 & sleep 40.33\n```\n\n"+
		"```console {nodes=first stop=job}\n# true\n```\n", nil)
	killSleeps(t, "40.31", "40.32", "40.33")
	s := sshtest.New(t, sshtest.Options{LikeOpenSSH: true})
	dir := t.TempDir()
	key, kh := filepath.Join(dir, "id"), filepath.Join(dir, "known_hosts")
	s.WriteClientKey(key, "")
	if err := os.WriteFile(kh, []byte(s.KnownHostsLine()), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := transport.Dial(context.Background(), transport.Target{Name: "n1", Address: s.Host(), Port: s.Port(), User: "root", IdentityFile: key},
		transport.Options{SSHConfig: os.DevNull, KnownHosts: []string{kh}, ConnectTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	e.Conns["n1"] = c
	start := time.Now()
	rep, err := e.Run(context.Background())
	took := time.Since(start)
	if err != nil {
		t.Fatalf("%v (took %s)", err, took)
	}
	if diff := cmp.Diff([]string{"one/job/1 started", "one/job/2 passed"}, statuses(rep)); diff != "" {
		t.Error(diff)
	}
	for _, a := range []string{"40.31", "40.32", "40.33"} {
		if p := processesWith(t, a); len(p) > 0 {
			t.Errorf("sleep %s still runs after the stop: pids %v", a, p)
		}
	}
	if took > time.Second {
		t.Errorf("the run took %s, want well under a second", took)
	}
}

// A run that starts after a job's block (--from) did not start the job:
// the stop ends what an earlier run that was killed left of it, and says
// so; with nothing left, it says that the job was not started.
func TestStopOfAJobStartedBeforeFrom(t *testing.T) {
	chapter := "# One\n\n## J\n\n" +
		"```console {nodes=local background=job}\n# sleep 40.41\n```\n\n" +
		"```console {nodes=local}\n# true\n```\n\n" +
		"```console {nodes=local stop=job}\n# true\n```\n"
	e, _ := localExecutor(t, chapter, nil)
	killSleeps(t, "40.41")
	var log bytes.Buffer
	if f := e.startJob(context.Background(), e.Plan.Steps[0], LocalNode, e.Local, &log); f != nil {
		t.Fatalf("start: %s\n%s", f.Message, log.String())
	}
	p, err := NewPlan(testGuide(t, chapter), "debian", PlanOptions{From: "one/j/2"})
	if err != nil {
		t.Fatal(err)
	}
	e.Plan = p
	for _, want := range []string{
		"background job job on local was started by an earlier run and still ran: stopped it",
		"background job job was not started in this run (it is before --from, step one/j/1): nothing to stop",
	} {
		rep, err := e.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got := rep.Steps[2].Reason; got != want {
			t.Errorf("stop step's note:\n got %q\nwant %q", got, want)
		}
		if p := processesWith(t, "40.41"); len(p) > 0 {
			t.Errorf("still running after the run: %v", p)
		}
	}
}

// brokenConn cannot run anything: the node is unreachable.
type brokenConn struct{ Conn }

func (brokenConn) Run(context.Context, string, io.Reader, io.Writer, io.Writer) (int, error) {
	return -1, errors.New("connection refused")
}

// What a job that ends by itself, or never starts, makes of its steps.
func TestBackgroundJobOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name, job string
		broken    bool
		want      []string
		reason    string
	}{
		{name: "fails", job: "echo oops; exit 3", want: []string{"one/j/1 started", "one/j/2 passed", "one/j/3 failed", "one/j/4 not run"},
			reason: "background job job on local ended before it was stopped (exit 3): oops"},
		{name: "ends well", job: "true", want: []string{"one/j/1 started", "one/j/2 passed", "one/j/3 passed", "one/j/4 passed"}},
		{name: "does not start", job: "true", broken: true, want: []string{"one/j/1 failed", "one/j/2 not run", "one/j/3 not run", "one/j/4 not run"},
			reason: "an earlier step failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := localExecutor(t, "# One\n\n## J\n\n"+
				"```console {nodes=local background=job}\n# "+tc.job+"\n```\n\n"+
				"```console {nodes=local wait=5s}\n# ! test -e WORK_DIR/run/local-shell/bg-job.pid || ! kill -0 $(cut -d' ' -f1 WORK_DIR/run/local-shell/bg-job.pid) 2>/dev/null\n```\n\n"+
				"```console {nodes=local stop=job}\n# true\n```\n\n"+
				"```console {nodes=local}\n# true\n```\n", nil)
			if tc.broken {
				e.Local = brokenConn{e.Local}
			}
			rep, _ := e.Run(context.Background())
			if diff := cmp.Diff(tc.want, statuses(rep)); diff != "" {
				t.Error(diff)
			}
			if got := rep.Steps[2].Reason; got != tc.reason {
				t.Errorf("stop step's reason:\n got %q\nwant %q", got, tc.reason)
			}
			if tc.broken {
				if f := rep.Steps[0].NodeResults[0].Failure; f == nil || f.Message != "the background job did not start: connection refused" {
					t.Errorf("start failure %+v", f)
				}
			}
		})
	}
}
