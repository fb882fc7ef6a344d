package runner

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/haguide/haguide/internal/atomicfile"
)

// Statuses of steps and of a step on one node.
const (
	StatusPassed  = "passed"
	StatusFailed  = "failed"
	StatusSkipped = "skipped"
	StatusStarted = "started" // a background block, running on
	StatusNotRun  = "not run" // after a failure or an interruption
)

// Report is the record of a run. It never holds a secret value.
type Report struct {
	Distro  string `json:"distro"`
	Release string `json:"release"`
	// Commit is the guide's commit, when verify knows it (a short hash,
	// "-modified" when its work tree had changes).
	Commit string `json:"commit,omitempty"`
	Lab    bool   `json:"lab"`
	// Whole is true when the run's plan covered the whole guide for its
	// distro (no --only leaving a chapter out, no --from or --resume).
	Whole    bool          `json:"whole,omitempty"`
	Nodes    []string      `json:"nodes"`
	Started  time.Time     `json:"started"`
	Finished time.Time     `json:"finished"`
	Duration string        `json:"duration"`
	Result   string        `json:"result"`
	Totals   Tally         `json:"totals"`
	Chapters []ChapterRow  `json:"chapters"`
	Steps    []*StepResult `json:"steps"`
	// PeakMemory is the lab's peak memory use in bytes, when measured.
	PeakMemory int64 `json:"peak_memory_bytes,omitempty"`
	// Peak says where that memory was, when measured.
	Peak *MemoryPeak `json:"peak_memory,omitempty"`
}

// MemoryPeak is the moment of a run's peak memory: when, during which
// step, and how it was shared out between the nodes and the programs.
type MemoryPeak struct {
	At   time.Time `json:"at"`
	Step string    `json:"step,omitempty"`
	// AnonBytes is the anonymous part of the peak (heaps, stacks); the
	// rest is file pages the kernel could drop. 0 when not measured.
	AnonBytes int64 `json:"anon_bytes,omitempty"`
	// Nodes are in the lab's order; Programs largest first.
	Nodes    []MemoryShare `json:"nodes"`
	Programs []MemoryShare `json:"programs"`
}

// MemoryShare is the memory of one node or one program's processes.
type MemoryShare struct {
	Name      string `json:"name"`
	Bytes     int64  `json:"bytes"`
	Processes int    `json:"processes"`
}

// StepAt returns the ID of the step that was running at t: the last one
// started at or before it, or "" when none was.
func (r *Report) StepAt(t time.Time) string {
	id := ""
	for _, s := range r.Steps {
		if !s.Started.IsZero() && !s.Started.After(t) {
			id = s.ID
		}
	}
	return id
}

// Tally counts steps by outcome.
type Tally struct {
	Steps   int `json:"steps"`
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
	NotRun  int `json:"not_run"`
	// Reasons counts skipped steps by reason.
	Reasons map[string]int `json:"skip_reasons,omitempty"`
}

// ChapterRow is one line of the per-chapter table.
type ChapterRow struct {
	Chapter string `json:"chapter"`
	Title   string `json:"title"`
	Tally
}

// StepResult is the outcome of one step.
type StepResult struct {
	ID           string   `json:"id"`
	Chapter      string   `json:"chapter"`
	ChapterTitle string   `json:"chapter_title"`
	Section      string   `json:"section"`
	Pos          string   `json:"pos"`
	Kind         string   `json:"kind"`
	Where        string   `json:"where"`
	Nodes        []string `json:"nodes"`
	Status       string   `json:"status"`
	// Reason says why a step failed or was skipped; on a step that
	// passed, what a reader should know all the same.
	Reason      string        `json:"reason,omitempty"`
	Attempts    int           `json:"attempts,omitempty"`
	Started     time.Time     `json:"started,omitzero"`
	Duration    string        `json:"duration,omitempty"`
	NodeResults []*NodeResult `json:"node_results,omitempty"`
}

// NodeResult is the outcome of a step on one node.
type NodeResult struct {
	Node     string   `json:"node"`
	Status   string   `json:"status"`
	Attempts int      `json:"attempts,omitempty"`
	Duration string   `json:"duration,omitempty"`
	Log      string   `json:"log,omitempty"`
	Failure  *Failure `json:"failure,omitempty"`
}

// Failure says what failed: the command (as the guide writes it, so no
// secret), where it is written, its exit status, the diff of its output
// and the end of its output, masked.
type Failure struct {
	Command string `json:"command,omitempty"`
	Pos     string `json:"pos,omitempty"`
	Exit    int    `json:"exit"`
	Message string `json:"message"`
	Diff    string `json:"diff,omitempty"`
	Output  string `json:"output,omitempty"`
}

// outcome maps a status onto the four counted outcomes.
func outcome(status string) string {
	switch status {
	case StatusStarted:
		return StatusPassed
	}
	return status
}

func (t *Tally) add(s *StepResult) {
	t.Steps++
	switch outcome(s.Status) {
	case StatusPassed:
		t.Passed++
	case StatusFailed:
		t.Failed++
	case StatusSkipped:
		t.Skipped++
		if t.Reasons == nil {
			t.Reasons = map[string]int{}
		}
		r, _, _ := strings.Cut(s.Reason, ":")
		t.Reasons[r]++
	default:
		t.NotRun++
	}
}

func (r *Report) tally() {
	r.Totals = Tally{}
	r.Chapters = nil
	for _, s := range r.Steps {
		r.Totals.add(s)
		if len(r.Chapters) == 0 || r.Chapters[len(r.Chapters)-1].Chapter != s.Chapter {
			r.Chapters = append(r.Chapters, ChapterRow{Chapter: s.Chapter, Title: s.ChapterTitle})
		}
		r.Chapters[len(r.Chapters)-1].add(s)
	}
	r.Result = StatusPassed
	switch {
	case r.Totals.Failed > 0:
		r.Result = StatusFailed
	case r.Totals.NotRun > 0:
		r.Result = "incomplete"
	}
}

// WriteJSON writes the report as JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTable writes the per-chapter table: steps executed, passed,
// failed, skipped (with their reasons) and not run.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "chapter\tsteps\tpassed\tfailed\tskipped\tnot run\tskipped because\n")
	row := func(name string, t Tally) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%s\n", name, t.Steps, t.Passed, t.Failed, t.Skipped, t.NotRun, reasons(t.Reasons))
	}
	for _, c := range r.Chapters {
		row(c.Chapter, c.Tally)
	}
	row("total ("+r.Distro+")", r.Totals)
	return tw.Flush()
}

// WriteMarkdown writes the per-chapter table as Markdown, for
// docs/coverage.md.
func (r *Report) WriteMarkdown(w io.Writer) error {
	fmt.Fprintf(w, "| chapter (%s) | steps | passed | failed | skipped | not run | skipped because |\n|---|---:|---:|---:|---:|---:|---|\n", r.Distro)
	for _, c := range r.Chapters {
		fmt.Fprintf(w, "| %s | %d | %d | %d | %d | %d | %s |\n", c.Title, c.Steps, c.Passed, c.Failed, c.Skipped, c.NotRun, reasons(c.Reasons))
	}
	t := r.Totals
	_, err := fmt.Fprintf(w, "| **total** | %d | %d | %d | %d | %d | %s |\n", t.Steps, t.Passed, t.Failed, t.Skipped, t.NotRun, reasons(t.Reasons))
	return err
}

// Reasons formats skip reasons and their counts: "lab only (2), run=no (1)".
func Reasons(m map[string]int) string { return reasons(m) }

func reasons(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s (%d)", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// JUnit XML, as CI systems read it: a suite per chapter, a case per step.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

func seconds(d string) string {
	x, err := time.ParseDuration(d)
	if err != nil {
		return "0"
	}
	return fmt.Sprintf("%.3f", x.Seconds())
}

// WriteJUnit writes the report as JUnit XML.
func (r *Report) WriteJUnit(w io.Writer) error {
	js := junitSuites{Name: "haguide verify --distro " + r.Distro, Time: seconds(r.Duration)}
	idx := map[string]int{}
	for _, s := range r.Steps {
		i, ok := idx[s.Chapter]
		if !ok {
			i = len(js.Suites)
			idx[s.Chapter] = i
			js.Suites = append(js.Suites, junitSuite{Name: r.Distro + "/" + s.Chapter})
		}
		su := &js.Suites[i]
		for _, c := range junitCases(r.Distro, s) {
			su.Tests++
			switch {
			case c.Failure != nil:
				su.Failures++
			case c.Skipped != nil:
				su.Skipped++
			}
			su.Cases = append(su.Cases, c)
		}
	}
	for i := range js.Suites {
		var total time.Duration
		for _, s := range r.Steps {
			if r.Distro+"/"+s.Chapter == js.Suites[i].Name {
				d, _ := time.ParseDuration(s.Duration)
				total += d
			}
		}
		js.Suites[i].Time = fmt.Sprintf("%.3f", total.Seconds())
	}
	for _, su := range js.Suites {
		js.Tests += su.Tests
		js.Failures += su.Failures
		js.Skipped += su.Skipped
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(js); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// WriteFiles writes the report into dir as report.json, junit.xml,
// chapters.txt and chapters.md, each atomically.
func (r *Report) WriteFiles(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for name, write := range map[string]func(io.Writer) error{
		"report.json": r.WriteJSON, "junit.xml": r.WriteJUnit, "chapters.txt": r.WriteTable, "chapters.md": r.WriteMarkdown,
	} {
		var b strings.Builder
		if err := write(&b); err != nil {
			return err
		}
		if err := writeNoSync(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// runState is what a run directory remembers for --resume.
type runState struct {
	Passed []string `json:"passed"`
	Failed string   `json:"failed,omitempty"`
}

const stateFile = "state.json"

func loadState(dir string) (*runState, error) {
	st := &runState{}
	if dir == "" {
		return st, nil
	}
	data, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, st); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, stateFile), err)
	}
	return st, nil
}

func (st *runState) save(dir string) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return writeNoSync(filepath.Join(dir, stateFile), append(data, '\n'), 0o600)
}

// A ResumeError says why a run directory has nothing to resume.
type ResumeError struct {
	Dir string
	// Done is true when every step of the plan passed in Dir; false when
	// Dir records no run at all.
	Done bool
	msg  string
}

func (e *ResumeError) Error() string { return e.msg }

// ResumeFrom returns the step a resumed run starts at: the first step of
// the plan that the run directory does not record as passed, or, when that
// step comes after a background block whose job is not stopped before it,
// that block: the job ended with the run that started it, and the steps
// that read or stop it need it running (a rehearsal's load loop).
//
// A resumed run never starts over silently: a run directory that records
// no step (a mistyped directory, or a run that never got to its first
// step), or in which every step of the plan passed, is a *ResumeError.
func ResumeFrom(dir string, p *Plan) (string, error) {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return "", &ResumeError{Dir: dir, msg: fmt.Sprintf("there is no run directory %s: nothing to resume", dir)}
	}
	st, err := loadState(dir)
	if err != nil {
		return "", err
	}
	if len(st.Passed) == 0 && st.Failed == "" {
		return "", &ResumeError{Dir: dir, msg: fmt.Sprintf("%s records no step of a run: nothing to resume", dir)}
	}
	first := slices.IndexFunc(p.Steps, func(s *Step) bool { return s.Skip == "" && !slices.Contains(st.Passed, s.ID) })
	if first < 0 {
		return "", &ResumeError{Dir: dir, Done: true, msg: fmt.Sprintf("every step of the %s plan passed in %s: nothing to resume", p.Distro, dir)}
	}
	return p.Steps[jobStart(p.Steps, first)].ID, nil
}

// jobStart returns the index of the earliest background block before
// step i whose job no step before i stops, or i when there is none.
func jobStart(steps []*Step, i int) int {
	start := i
	running := map[string]int{}
	for j := range i {
		a := steps[j].Block.Attrs
		if a.Background != "" && steps[j].Skip == "" {
			running[a.Background] = j
		}
		if a.Stop != "" {
			delete(running, a.Stop)
		}
	}
	for _, j := range running {
		start = min(start, j)
	}
	return start
}

// progress prints one line for a finished or skipped step.
func (e *Executor) progress(i, total int, sr *StepResult) {
	if e.Progress == nil {
		return
	}
	status := map[string]string{StatusPassed: "ok", StatusFailed: "FAIL", StatusSkipped: "skip", StatusStarted: "bg", StatusNotRun: "-"}[sr.Status]
	color := map[string]string{StatusPassed: "\x1b[32m", StatusFailed: "\x1b[1;31m", StatusSkipped: "\x1b[33m", StatusStarted: "\x1b[36m"}[sr.Status]
	reset := "\x1b[0m"
	if !e.Color {
		color, reset = "", ""
	}
	width := len(fmt.Sprint(total))
	line := fmt.Sprintf("[%*d/%d] %s%-4s%s %s", width, i+1, total, color, status, reset, sr.ID)
	if e.Timestamps {
		line = time.Now().UTC().Format("15:04:05 ") + line
	}
	switch sr.Status {
	case StatusSkipped:
		line += "  (" + sr.Reason + ")"
	default:
		line += "  " + sr.Where + "  " + sr.Duration
		if sr.Attempts > 1 {
			line += fmt.Sprintf("  %d attempts", sr.Attempts)
		}
		if sr.Status == StatusPassed && sr.Reason != "" { // a note, such as a job that ended with its node
			line += "  (" + sr.Reason + ")"
		}
	}
	fmt.Fprintln(e.Progress, line)
	if sr.Status == StatusFailed {
		for _, n := range sr.NodeResults {
			if n.Status != StatusFailed || n.Failure == nil {
				continue
			}
			fmt.Fprintf(e.Progress, "    %s: %s\n", n.Node, n.Failure.Message)
			if n.Failure.Command != "" {
				fmt.Fprintf(e.Progress, "    command (%s): %s\n", n.Failure.Pos, firstLine(n.Failure.Command))
			}
			body := n.Failure.Diff
			if body == "" {
				body = n.Failure.Output
			}
			for _, l := range strings.Split(strings.TrimRight(body, "\n"), "\n") {
				if l != "" {
					fmt.Fprintf(e.Progress, "    | %s\n", l)
				}
			}
			if n.Log != "" {
				fmt.Fprintf(e.Progress, "    log: %s\n", n.Log)
			}
		}
	}
}

// junitCases makes a test case per step and node (block x node x distro,
// as CI systems show them); a skipped step is one case.
func junitCases(distro string, s *StepResult) []junitCase {
	class := distro + "." + strings.TrimSuffix(s.Chapter, ".md")
	if outcome(s.Status) == StatusSkipped || len(s.NodeResults) == 0 {
		c := junitCase{Name: s.ID, Classname: class, Time: seconds(s.Duration)}
		switch outcome(s.Status) {
		case StatusFailed:
			c.Failure = &junitMessage{Message: s.Pos + ": " + s.Reason}
		case StatusSkipped, StatusNotRun:
			c.Skipped = &junitMessage{Message: s.Reason}
		}
		return []junitCase{c}
	}
	var out []junitCase
	for _, n := range s.NodeResults {
		c := junitCase{Name: s.ID + " on " + n.Node, Classname: class, Time: seconds(n.Duration)}
		switch outcome(n.Status) {
		case StatusFailed:
			var text strings.Builder
			msg := ""
			if n.Failure != nil {
				msg = n.Failure.Message
				if n.Failure.Command != "" {
					fmt.Fprintf(&text, "command (%s): %s\n", n.Failure.Pos, n.Failure.Command)
				}
				if n.Failure.Diff != "" {
					fmt.Fprintf(&text, "%s\n", n.Failure.Diff)
				} else if n.Failure.Output != "" {
					fmt.Fprintf(&text, "output:\n%s\n", n.Failure.Output)
				}
			}
			if n.Log != "" {
				fmt.Fprintf(&text, "log: %s\n", n.Log)
			}
			c.Failure = &junitMessage{Message: s.Pos + ": " + msg, Text: text.String()}
		case StatusSkipped, StatusNotRun:
			c.Skipped = &junitMessage{Message: "not run: an earlier node failed"}
		}
		out = append(out, c)
	}
	return out
}

// writeNoSync writes a run directory's log, report or state file: whole
// or not at all, without an fsync per step (a crash loses at most the
// last step's record, which --resume then runs again).
func writeNoSync(path string, data []byte, mode os.FileMode) error {
	return atomicfile.WriteFrom(path, mode, atomicfile.Options{NoSync: true}, bytes.NewReader(data))
}
