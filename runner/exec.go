package runner

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/internal/lines"
	"github.com/haguide/haguide/runner/expect"
	"github.com/haguide/haguide/runner/inimerge"
)

// LocalNode is the name results use for the machine running haguide.
const LocalNode = "local"

// Executor runs a plan.
type Executor struct {
	Plan *Plan
	// Conns are the connections to the nodes by the guide's node names.
	Conns map[string]Conn
	// Local runs nodes=local blocks; nil makes them fail.
	Local Conn
	// Values fill placeholders and mask secrets.
	Values *Values
	// RunDir keeps logs, the state for --resume and the reports.
	RunDir string
	// NodeStateDir is where each node keeps its shell state between
	// commands; it should name the run so that runs do not share it.
	NodeStateDir string
	// Progress receives one line per step; nil is quiet.
	Progress io.Writer
	// Color colours the progress lines.
	Color bool
	// Timestamps starts every progress line with the time (for logs:
	// when not on a terminal, or under CI).
	Timestamps bool
	Logger     *slog.Logger
	// Backoff is the first pause between attempts of a wait= block
	// (default 1s); it doubles up to 15s.
	Backoff time.Duration
	// HeartbeatEvery is how often a long step says it still runs
	// (default 30s).
	HeartbeatEvery time.Duration

	// Live redraws one status line on a terminal while a step runs:
	// each node's state and the time so far.
	Live bool

	mu   sync.Mutex
	jobs map[string][]*bgJob
	live map[string]string

	// bootIDFile is where nodes read their boot id (tests change it to
	// play a node that restarted); empty is the kernel's.
	bootIDFile string
}

type bgJob struct {
	name    string
	node    string
	pidFile string
	token   string // in the environment of every process of the job
	boot    string // the node's boot id when the job started
	conn    Conn
	done    chan struct{}
	exit    int
	err     error
	out     bytes.Buffer
	cancel  context.CancelFunc
}

// Run executes the plan in order, each step on all its nodes before the
// next begins, and stops at the first failing step. It returns the report
// whatever happens; err says why the run stopped early.
func (e *Executor) Run(ctx context.Context) (*Report, error) {
	if e.Logger == nil {
		e.Logger = slog.New(slog.DiscardHandler)
	}
	if e.Backoff == 0 {
		e.Backoff = time.Second
	}
	e.jobs = map[string][]*bgJob{}
	rep := &Report{Distro: e.Plan.Distro, Release: e.Plan.Release, Lab: e.Plan.Lab, Whole: e.Plan.Whole, Nodes: e.Plan.Nodes, Started: time.Now().UTC()}
	state, err := loadState(e.RunDir)
	if err != nil {
		return rep, err
	}
	if err := e.CheckCommands(); err != nil {
		return rep, err
	}
	// The steps this run runs have not passed yet: a run that fails
	// early must not leave the record of an earlier run's later steps,
	// or --resume would start after the failure.
	again := map[string]bool{}
	for _, s := range e.Plan.Steps {
		again[s.ID] = s.Skip == "" && !s.Before
	}
	if n := len(state.Passed); n > 0 {
		if state.Passed = slices.DeleteFunc(state.Passed, func(id string) bool { return again[id] }); len(state.Passed) < n {
			if err := state.save(e.RunDir); err != nil {
				e.Logger.Warn("cannot save the run state", "err", err)
			}
		}
	}
	total := len(e.Plan.Steps)
	var runErr error
	for i, s := range e.Plan.Steps {
		sr := &StepResult{ID: s.ID, Chapter: s.Chapter, ChapterTitle: s.ChapterTitle, Section: s.Section,
			Pos: s.Block.Pos.String(), Kind: s.Kind, Where: s.Where(), Nodes: s.Nodes}
		if s.Local {
			sr.Nodes = []string{LocalNode}
		}
		rep.Steps = append(rep.Steps, sr)
		switch {
		case runErr != nil:
			sr.Status, sr.Reason = StatusNotRun, "an earlier step failed"
			continue
		case s.Before:
			sr.Status, sr.Reason = StatusSkipped, "before --from: done in an earlier run"
			e.progress(i, total, sr)
			continue
		case s.Skip != "":
			sr.Status, sr.Reason = StatusSkipped, s.Skip
			e.progress(i, total, sr)
			continue
		}
		if err := ctx.Err(); err != nil {
			sr.Status, sr.Reason = StatusNotRun, "interrupted"
			runErr = err
			continue
		}
		e.runStep(ctx, i, s, sr)
		e.progress(i, total, sr)
		if sr.Status == StatusFailed {
			runErr = &StepError{Step: sr}
			state.Failed = s.ID
		} else {
			state.Passed = appendUnique(state.Passed, s.ID)
			state.Failed = ""
		}
		if err := state.save(e.RunDir); err != nil {
			e.Logger.Warn("cannot save the run state", "err", err)
		}
	}
	e.stopAllJobs()
	rep.Finished = time.Now().UTC()
	rep.Duration = rep.Finished.Sub(rep.Started).Round(time.Millisecond).String()
	rep.tally()
	return rep, runErr
}

// valuesNode is the node whose values a command on node uses: "" for the
// local machine.
func valuesNode(node string) string {
	if node == LocalNode {
		return ""
	}
	return node
}

// shellFile reports whether a file block is shell: a script, or a file
// that a shell sources (/etc/default/...).
func shellFile(b *guide.Block) bool {
	switch b.Lang {
	case "sh", "bash", "shell":
		return true
	}
	return false
}

// fileContent fills a file block's placeholders for a node: a shell file
// as a shell command is filled (see Values.Command), any other as text,
// which the values' types keep safe.
func (e *Executor) fileContent(node string, b *guide.Block) (string, error) {
	if shellFile(b) {
		return e.Values.Command(node, b.Content)
	}
	return e.Values.Fill(node, b.Content), nil
}

// CheckCommands places the values in every command the plan runs, and in
// every shell file it writes, on every node, and reports each whose values
// cannot be placed safely (see Values.Command), before anything runs.
func (e *Executor) CheckCommands() error {
	var bad []string
	for _, s := range e.Plan.Steps {
		if s.Before || s.Skip != "" {
			continue
		}
		nodes := s.Nodes
		if s.Local {
			nodes = []string{LocalNode}
		}
		if s.Block.Kind == guide.KindFile {
			for _, n := range nodes {
				if _, err := e.fileContent(valuesNode(n), s.Block); err != nil {
					bad = append(bad, fmt.Sprintf("%s: step %s on %s: %v", s.Block.ContentPos, s.ID, n, err))
				}
			}
			continue
		}
		for _, cmd := range s.Block.Commands {
			for _, n := range nodes {
				if _, err := e.Values.Command(valuesNode(n), cmd.Text); err != nil {
					bad = append(bad, fmt.Sprintf("%s: step %s on %s: %v", cmd.Pos, s.ID, n, err))
				}
			}
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("values cannot be placed safely in these commands, so nothing was run:\n  %s", strings.Join(bad, "\n  "))
	}
	return nil
}

// StepError is the error of a run that stopped at a failing step.
type StepError struct{ Step *StepResult }

func (e *StepError) Error() string {
	s := e.Step
	for _, n := range s.NodeResults {
		if n.Status == StatusFailed {
			msg := fmt.Sprintf("step %s (%s) failed on %s", s.ID, s.Pos, n.Node)
			if n.Failure != nil && n.Failure.Command != "" {
				msg += ": `" + firstLine(n.Failure.Command) + "`"
			}
			if n.Failure != nil && n.Failure.Message != "" {
				msg += ": " + n.Failure.Message
			}
			if n.Log != "" {
				msg += "\n  log: " + n.Log
			}
			return msg
		}
	}
	return fmt.Sprintf("step %s (%s) failed: %s", s.ID, s.Pos, s.Reason)
}

func firstLine(s string) string {
	l, rest, _ := strings.Cut(s, "\n")
	if rest != "" {
		l += " ..."
	}
	return l
}

func (e *Executor) runStep(ctx context.Context, i int, s *Step, sr *StepResult) {
	start := time.Now()
	sr.Started = start
	defer func() { sr.Duration = time.Since(start).Round(time.Millisecond).String() }()
	b := s.Block
	var notes []string
	if b.Attrs.Stop != "" {
		e.mu.Lock()
		_, started := e.jobs[b.Attrs.Stop]
		e.mu.Unlock()
		var msg string
		var n []string
		if started {
			msg, n = e.stopJob(ctx, b.Attrs.Stop)
		} else {
			n = e.stopUnstarted(ctx, i, b.Attrs.Stop)
		}
		if msg != "" {
			sr.Status, sr.Reason = StatusFailed, msg
			return
		}
		notes = n
	}
	nodes := s.Nodes
	if s.Local {
		nodes = []string{LocalNode}
	}
	if e.Progress != nil {
		e.mu.Lock()
		e.live = map[string]string{}
		e.mu.Unlock()
		stop := e.heartbeat(s, start)
		defer stop()
	}
	sr.NodeResults = make([]*NodeResult, len(nodes))
	run := func(j int, node string) {
		nr := &NodeResult{Node: node}
		sr.NodeResults[j] = nr
		e.runOnNode(ctx, i, s, node, nr)
	}
	if s.Parallel && len(nodes) > 1 {
		var wg sync.WaitGroup
		for j, n := range nodes {
			wg.Go(func() { run(j, n) })
		}
		wg.Wait()
	} else {
		for j, n := range nodes {
			run(j, n)
			if sr.NodeResults[j].Status == StatusFailed {
				for k := j + 1; k < len(nodes); k++ {
					sr.NodeResults[k] = &NodeResult{Node: nodes[k], Status: StatusNotRun}
				}
				break
			}
		}
	}
	sr.Status = StatusPassed
	if b.Attrs.Background != "" {
		sr.Status = StatusStarted
	}
	sr.Reason = strings.Join(notes, "; ")
	for _, nr := range sr.NodeResults {
		if nr.Status == StatusFailed {
			sr.Status = StatusFailed
		}
		sr.Attempts = max(sr.Attempts, nr.Attempts)
	}
}

// heartbeat says every HeartbeatEvery that a long step still runs, so a
// package installation of some minutes does not look like a hang.
func (e *Executor) heartbeat(s *Step, start time.Time) func() {
	every := e.HeartbeatEvery
	if every == 0 {
		every = 30 * time.Second
	}
	if e.Live {
		every = 250 * time.Millisecond
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		spin := 0
		for {
			select {
			case <-done:
				if e.Live {
					e.mu.Lock()
					fmt.Fprint(e.Progress, "\r\x1b[K")
					e.mu.Unlock()
				}
				return
			case <-t.C:
				e.mu.Lock()
				if e.Live {
					// One line, redrawn: the step, each node's state and
					// the time so far.
					spin++
					fmt.Fprintf(e.Progress, "\r\x1b[K%c %s  %s  %s", `|/-\`[spin%4], s.ID, e.nodeStates(s), time.Since(start).Round(time.Second))
				} else {
					fmt.Fprintf(e.Progress, "      %s still running (%s, %s)\n", s.ID, time.Since(start).Round(time.Second), s.Where())
				}
				e.mu.Unlock()
			}
		}
	}()
	return func() { close(done); <-finished }
}

// setLive records what a node is doing, for the live view.
func (e *Executor) setLive(node, state string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.live == nil {
		e.live = map[string]string{}
	}
	e.live[node] = state
}

// nodeStates lists each node of a step with its state; e.mu is held.
func (e *Executor) nodeStates(s *Step) string {
	nodes := s.Nodes
	if s.Local {
		nodes = []string{LocalNode}
	}
	parts := make([]string, len(nodes))
	for i, n := range nodes {
		st := e.live[n]
		if st == "" {
			st = "waiting"
		}
		parts[i] = n + ": " + st
	}
	return strings.Join(parts, ", ")
}

func (e *Executor) conn(node string) (Conn, error) {
	if node == LocalNode {
		if e.Local == nil {
			return nil, errors.New("no local runner configured")
		}
		return e.Local, nil
	}
	c, ok := e.Conns[node]
	if !ok {
		return nil, fmt.Errorf("no connection to %s", node)
	}
	return c, nil
}

// stateDir is where a node keeps its shell state.
func (e *Executor) stateDir(node string) string {
	if node == LocalNode {
		// Absolute: the wrapper runs commands from $HOME, not from
		// where haguide started.
		dir, err := filepath.Abs(filepath.Join(e.RunDir, "local-shell"))
		if err != nil {
			return filepath.Join(e.RunDir, "local-shell")
		}
		return dir
	}
	dir := e.NodeStateDir
	if dir == "" {
		dir = "/var/lib/haguide/shell"
	}
	return dir + "/" + node
}

func (e *Executor) logPath(i int, s *Step, node string) string {
	name := fmt.Sprintf("%03d-%s", i+1, strings.NewReplacer("/", "_", " ", "_").Replace(s.ID))
	return filepath.Join(e.RunDir, "logs", name, node+".log")
}

// runOnNode runs one step on one node, with the retries wait= asks for.
func (e *Executor) runOnNode(ctx context.Context, i int, s *Step, node string, nr *NodeResult) {
	start := time.Now()
	defer func() { nr.Duration = time.Since(start).Round(time.Millisecond).String() }()
	var log bytes.Buffer
	defer func() {
		p := e.logPath(i, s, node)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err == nil {
			if err := writeNoSync(p, []byte(e.Values.Mask(log.String())), 0o600); err == nil {
				nr.Log = p
			}
		}
	}()
	c, err := e.conn(node)
	if err != nil {
		nr.Status, nr.Failure = StatusFailed, &Failure{Message: err.Error()}
		return
	}
	b := s.Block
	if b.Attrs.Background != "" {
		nr.Status, nr.Attempts = StatusStarted, 1
		if f := e.startJob(ctx, s, node, c, &log); f != nil {
			nr.Status, nr.Failure = StatusFailed, f
		}
		return
	}
	wait := b.Attrs.Wait
	deadline := start.Add(wait)
	pause := e.Backoff
	for attempt := 1; ; attempt++ {
		nr.Attempts = attempt
		if attempt == 1 {
			e.setLive(node, "running")
		} else {
			e.setLive(node, fmt.Sprintf("attempt %d", attempt))
		}
		fmt.Fprintf(&log, "### attempt %d at %s\n", attempt, time.Now().UTC().Format(time.RFC3339))
		f := e.attempt(ctx, s, node, c, &log)
		if f != nil {
			f.Message = e.Values.Mask(f.Message) // a safety net: messages may quote output
		}
		if f == nil {
			nr.Status, nr.Failure = StatusPassed, nil
			e.setLive(node, "ok")
			return
		}
		nr.Status, nr.Failure = StatusFailed, f
		e.setLive(node, "failed, "+firstLine(f.Message))
		if ctx.Err() != nil || wait == 0 || time.Now().Add(pause).After(deadline) {
			if wait > 0 && ctx.Err() == nil {
				f.Message = strings.TrimSpace(f.Message + fmt.Sprintf(" (still failing after %d attempts in %s)", attempt, wait))
			}
			return
		}
		e.Logger.Debug("retrying", "step", s.ID, "node", node, "attempt", attempt, "pause", pause)
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(pause*2, 15*time.Second)
	}
}

// attempt runs a step's block once on a node and returns what failed.
func (e *Executor) attempt(ctx context.Context, s *Step, node string, c Conn, log *bytes.Buffer) *Failure {
	b := s.Block
	timeout := b.Attrs.Timeout
	if timeout == 0 {
		timeout = guide.DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if b.Kind == guide.KindFile {
		content, err := e.fileContent(valuesNode(node), b)
		if err != nil {
			return &Failure{Message: fmt.Sprintf("%s: %v", b.Attrs.File, err)}
		}
		return e.writeFile(ctx, b, c, content, log)
	}
	for _, cmd := range b.Commands {
		text, err := e.Values.Command(valuesNode(node), cmd.Text)
		if err != nil {
			return &Failure{Command: cmd.Text, Pos: cmd.Pos.String(), Message: err.Error()}
		}
		if d := e.Values.Describe(valuesNode(node), cmd.Text); d != "" {
			fmt.Fprintf(log, "### values: %s\n", d)
		}
		fmt.Fprintf(log, "%s %s\n", cmd.Prompt, text)
		var out bytes.Buffer
		w := &syncWriter{w: &out}
		exit, err := c.Run(ctx, wrapCommand(e.stateDir(node), text, e.fixedEnv(node)), nil, w, w)
		log.Write(out.Bytes())
		fmt.Fprintf(log, "### exit %d\n", exit)
		f := &Failure{Command: cmd.Text, Pos: cmd.Pos.String(), Exit: exit, Output: lines.Tail(e.Values.Mask(out.String()), 40)}
		switch {
		case ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
			f.Message = fmt.Sprintf("timed out after %s", timeout)
			return f
		case err != nil:
			f.Message = err.Error()
			return f
		case exit != 0:
			f.Message = fmt.Sprintf("exit status %d", exit)
			return f
		}
		if cmd.Expected != nil {
			want := make([]string, len(cmd.Expected))
			for i, l := range cmd.Expected {
				want[i] = e.Values.Fill(valuesNode(node), l)
			}
			if r := expect.Match(want, out.String()); !r.OK {
				f.Message = "output differs from what the guide shows"
				f.Diff = e.Values.Mask(r.Diff)
				fmt.Fprintf(log, "### output differs:\n%s\n", f.Diff)
				return f
			}
		}
	}
	return nil
}

// writeFile writes a file block on a node, merging ini keys for apply=merge.
func (e *Executor) writeFile(ctx context.Context, b *guide.Block, c Conn, content string, log *bytes.Buffer) *Failure {
	// A merge given no mode or owner keeps the file's (WriteFile's 0 and
	// ""); a replace has the defaults from the guide's parser.
	mode, owner := b.Attrs.Mode, b.Attrs.Owner
	if b.Attrs.Apply != "merge" {
		if mode == 0 {
			mode = guide.DefaultMode
		}
		if owner == "" {
			owner = guide.DefaultOwner
		}
	}
	if mode != 0 && mode.Perm()&0o004 != 0 && e.Values.Mask(content) != content {
		return &Failure{Message: fmt.Sprintf("%s would hold a secret readable by every user on the node (mode %04o): give the block a mode without the others' read bit, e.g. mode=0640 and the owner:group of the service that reads it", b.Attrs.File, uint32(mode.Perm()))}
	}
	data := []byte(content)
	if b.Attrs.Apply == "merge" {
		orig, err := c.ReadFile(ctx, b.Attrs.File)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return &Failure{Message: fmt.Sprintf("read %s for merging: %v", b.Attrs.File, err)}
		}
		merged, err := inimerge.Merge(orig, data)
		if err != nil {
			return &Failure{Message: fmt.Sprintf("merge into %s: %v", b.Attrs.File, err)}
		}
		fmt.Fprintf(log, "### merge into %s (%s, %s); keys set:\n%s", b.Attrs.File, orKept(owner), modeOrKept(mode), content)
		data = merged
	} else {
		fmt.Fprintf(log, "### write %s (%s, %s):\n%s", b.Attrs.File, owner, mode, content)
	}
	dir := path.Dir(b.Attrs.File)
	if err := c.WriteFile(ctx, b.Attrs.File, data, mode, owner); err != nil {
		return &Failure{Message: fmt.Sprintf("write %s: %v (does %s exist? an earlier step installs the package that makes it)", b.Attrs.File, err, dir)}
	}
	return nil
}

// fixedEnv names the variables the node's connection sets on every
// command: the local connection's Env; an SSH connection sets none.
func (e *Executor) fixedEnv(node string) []string {
	lc, ok := e.Local.(*LocalConn)
	if node != LocalNode || !ok {
		return nil
	}
	var names []string
	for _, kv := range lc.Env {
		if k, _, ok := strings.Cut(kv, "="); ok {
			names = append(names, k)
		}
	}
	return names
}

// startJob starts a background block on a node and returns once the job
// runs and its pid file is written on the node, or with what failed.
func (e *Executor) startJob(ctx context.Context, s *Step, node string, c Conn, log *bytes.Buffer) *Failure {
	b := s.Block
	var script strings.Builder
	for _, cmd := range b.Commands {
		text, err := e.Values.Command(valuesNode(node), cmd.Text)
		if err != nil {
			return &Failure{Command: cmd.Text, Pos: cmd.Pos.String(), Message: err.Error()}
		}
		script.WriteString(text)
		script.WriteString("\n")
		fmt.Fprintf(log, "%s %s\n", cmd.Prompt, text)
	}
	pidDir := e.stateDir(node)
	job := &bgJob{name: b.Attrs.Background, node: node, conn: c, done: make(chan struct{}),
		pidFile: pidDir + "/bg-" + b.Attrs.Background + ".pid", token: newJobToken()}
	jctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	job.cancel = cancel
	out := &syncWriter{w: &job.out}
	marks := &markWriter{out: out, running: make(chan struct{})}
	cmd := wrapBackground(pidDir, job.pidFile, job.token, e.bootFile(), script.String(), e.fixedEnv(node))
	go func() {
		defer close(job.done)
		job.exit, job.err = c.Run(jctx, cmd, nil, out, marks)
	}()
	// Registered whatever happens next: a job that did not say it runs
	// may run all the same, and the end of the run stops it.
	e.mu.Lock()
	if e.jobs == nil {
		e.jobs = map[string][]*bgJob{}
	}
	e.jobs[job.name] = append(e.jobs[job.name], job)
	e.mu.Unlock()
	timeout := b.Attrs.Timeout
	if timeout == 0 {
		timeout = guide.DefaultTimeout
	}
	started := func() *Failure {
		if slices.Contains(marks.lines(), "stopped") {
			fmt.Fprintf(log, "### a job %q that an earlier run left was still running here: stopped it\n", job.name)
		}
		job.boot = marks.boot
		fmt.Fprintf(log, "### started in the background as %q (pid %s)\n", job.name, marks.pid)
		return nil
	}
	select {
	case <-marks.running:
		return started()
	case <-job.done:
		select {
		case <-marks.running: // it started and ended at once: stop says how
			return started()
		default:
		}
		msg := fmt.Sprintf("the background job did not start (exit %d)", job.exit)
		if job.err != nil {
			msg = fmt.Sprintf("the background job did not start: %v", job.err)
		}
		fmt.Fprintf(log, "### %s\n%s", msg, job.out.String())
		return &Failure{Message: msg, Exit: job.exit, Output: lines.Tail(e.Values.Mask(job.out.String()), 40)}
	case <-time.After(timeout):
		fmt.Fprintf(log, "### the background job did not start within %s\n", timeout)
		return &Failure{Message: fmt.Sprintf("the background job did not start within %s", timeout)}
	case <-ctx.Done():
		return &Failure{Message: "interrupted while the background job started"}
	}
}

func (e *Executor) bootFile() string {
	if e.bootIDFile != "" {
		return e.bootIDFile
	}
	return bootIDFile
}

// newJobToken returns a token that names one background job.
func newJobToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// markWriter takes a background job's stderr: the wrapper's jobMark lines
// are kept, the rest goes to the job's output.
type markWriter struct {
	out     io.Writer
	running chan struct{} // closed at the "running" line

	mu        sync.Mutex
	partial   []byte
	marks     []string
	pid, boot string
}

func (m *markWriter) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.partial = append(m.partial, p...)
	for {
		i := bytes.IndexByte(m.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(m.partial[:i+1])
		m.partial = m.partial[i+1:]
		mark, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), jobMark)
		if !ok {
			_, _ = io.WriteString(m.out, line)
			continue
		}
		m.marks = append(m.marks, mark)
		if f := strings.Fields(mark); len(f) >= 2 && f[0] == "running" && m.pid == "" {
			m.pid = f[1]
			if len(f) > 2 {
				m.boot = f[2]
			}
			close(m.running)
		}
	}
}

func (m *markWriter) lines() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.marks)
}

// stopJob ends a background job on every node it runs on, with every
// process it started. msg says why the stop fails: the job had failed
// before it was stopped, or could not be reached to be stopped. notes say
// what a reader should know though the stop passes: a job that ended
// because its node restarted.
func (e *Executor) stopJob(ctx context.Context, name string) (msg string, notes []string) {
	e.mu.Lock()
	jobs := e.jobs[name]
	delete(e.jobs, name)
	e.mu.Unlock()
	var msgs []string
	for _, j := range jobs {
		endedEarly := false
		select {
		case <-j.done:
			endedEarly = true
		default:
		}
		var out bytes.Buffer
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		_, err := j.conn.Run(sctx, stopBackground(j.pidFile, j.token, j.boot, e.bootFile()), nil, &out, io.Discard)
		cancel()
		outcome := "unknown"
		for _, l := range strings.Split(out.String(), "\n") {
			if m, ok := strings.CutPrefix(l, jobMark); ok {
				outcome = m
			}
		}
		// Once nothing of the job runs, its command line ends at once; a
		// connection to a node that went away, or could not be asked,
		// may never say so.
		wait := 5 * time.Second
		if outcome == "restarted" || outcome == "unknown" {
			wait = 0
		}
		cancelled := false
		select {
		case <-j.done:
		case <-time.After(wait):
			cancelled = true
			j.cancel()
			<-j.done
		}
		j.cancel()
		// Nothing ran when the stop came: the job had ended by itself.
		endedEarly = endedEarly || outcome == "none"
		lost := j.err != nil && !cancelled
		who := fmt.Sprintf("background job %s on %s", name, j.node)
		switch {
		case outcome == "restarted":
			notes = append(notes, who+" ended when the node restarted (its boot id changed): what it wrote on disk is all there is")
		case err != nil || outcome == "unknown":
			msgs = append(msgs, fmt.Sprintf("%s could not be stopped: %v", who, orText(err, "the stop command said nothing")))
		case endedEarly && j.err == nil && j.exit != 0:
			msgs = append(msgs, fmt.Sprintf("%s ended before it was stopped (exit %d): %s", who, j.exit, lines.Tail(e.Values.Mask(j.out.String()), 10)))
		case endedEarly && lost && outcome == "none":
			msgs = append(msgs, fmt.Sprintf("%s: the connection to it was lost (%v) and it no longer ran when it was stopped", who, j.err))
		case lost:
			notes = append(notes, fmt.Sprintf("%s: the connection to it was lost (%v); it still ran, and was stopped", who, j.err))
		}
	}
	for _, n := range notes {
		e.Logger.Warn(n)
	}
	return strings.Join(msgs, "; "), notes
}

// stopUnstarted handles the stop at step i of a job this run did not
// start (its block is before --from, or skipped): a run that was killed
// may have left it running on its nodes, and this ends it. The notes say
// which it was.
func (e *Executor) stopUnstarted(ctx context.Context, i int, name string) []string {
	var start *Step
	for _, s := range e.Plan.Steps[:i] {
		if s.Block.Attrs.Background == name {
			start = s
		}
	}
	if start == nil {
		return nil
	}
	why := "it is before --from"
	if start.Skip != "" {
		why = "it is skipped: " + start.Skip
	} else if !start.Before {
		return nil // it started and was stopped, or failed to start
	}
	nodes := start.Nodes
	if start.Local {
		nodes = []string{LocalNode}
	}
	var notes []string
	for _, node := range nodes {
		c, err := e.conn(node)
		if err != nil {
			continue
		}
		var out bytes.Buffer
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		_, err = c.Run(sctx, stopBackground(e.stateDir(node)+"/bg-"+name+".pid", "", "", e.bootFile()), nil, &out, io.Discard)
		cancel()
		if err == nil && strings.Contains(out.String(), jobMark+"stopped") {
			notes = append(notes, fmt.Sprintf("background job %s on %s was started by an earlier run and still ran: stopped it", name, node))
		}
	}
	if len(notes) == 0 {
		notes = append(notes, fmt.Sprintf("background job %s was not started in this run (%s, step %s): nothing to stop", name, why, start.ID))
	}
	for _, n := range notes {
		e.Logger.Warn(n)
	}
	return notes
}

// orText returns err's text, or text when err is nil.
func orText(err error, text string) string {
	if err != nil {
		return err.Error()
	}
	return text
}

// stopAllJobs ends background jobs no block stopped.
func (e *Executor) stopAllJobs() {
	e.mu.Lock()
	names := make([]string, 0, len(e.jobs))
	for n := range e.jobs {
		names = append(names, n)
	}
	e.mu.Unlock()
	for _, n := range names {
		e.Logger.Warn("stopping a background job no block stopped", "job", n)
		e.stopJob(context.Background(), n)
	}
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// orKept and modeOrKept name a merge's owner and mode for the step's log:
// "as it was" when the file keeps its own.
func orKept(owner string) string {
	if owner == "" {
		return "owner as it was"
	}
	return owner
}

func modeOrKept(mode fs.FileMode) string {
	if mode == 0 {
		return "mode as it was"
	}
	return mode.String()
}
