package runner

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/haguide/haguide/runs"
)

// FigureLine matches the lines of a rehearsal's output that report a
// measure: a gap without service, writes committed and lost, rounds
// that failed, a state transfer's donor and duration, how a Horizon
// session fared, the timed steps of a restore drill. The guide's
// rehearsals print their results this way, and only such lines go into a
// run record.
var FigureLine = regexp.MustCompile(`^(longest gap|no answer for|rounds ok|committed writes|committed:|ok [0-9]+ failed|state transfer:|session in |restore drill: )[ -~]{0,200}$`)

// ReadReport reads a run's report.json.
func ReadReport(path string) (*Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if r.Distro == "" || r.Finished.IsZero() {
		return nil, fmt.Errorf("%s: not the report of a finished run", path)
	}
	return &r, nil
}

// Record is the run record of this report for the site (package runs):
// every chapter that passed (a step passed, none failed, none left
// unrun), with how long its steps took and what its rehearsals printed
// in the logs under logs (the run directory's logs folder; nil for no
// figures); and, when the run covered the whole guide (Whole), every
// chapter passed and the commit is known and unmodified, the run as the
// whole guide's last pass. source says where the run comes from.
func (r *Report) Record(logs fs.FS, source string) (*runs.Record, error) {
	rec := &runs.Record{Format: runs.Format, Distro: r.Distro}
	run := runs.Run{Finished: r.Finished.UTC(), Commit: r.Commit, Lab: r.Lab, Release: r.Release, Source: source}
	took := map[string]time.Duration{}
	for _, s := range r.Steps {
		if d, err := time.ParseDuration(s.Duration); err == nil {
			took[s.Chapter] += d
		}
	}
	whole := r.Whole && len(r.Chapters) > 0 && !strings.HasSuffix(r.Commit, "-modified") && r.Commit != ""
	for _, c := range r.Chapters {
		if c.Failed > 0 || c.NotRun > 0 || c.Passed == 0 {
			whole = false
			continue
		}
		ch := runs.Chapter{File: c.Chapter, Title: c.Title, Run: run, Steps: c.Steps, Passed: c.Passed, Skipped: c.Reasons}
		if d, ok := took[c.Chapter]; ok {
			ch.Duration = d.Round(time.Second).String()
		}
		for _, s := range r.Steps {
			if s.Chapter != c.Chapter || logs == nil {
				continue
			}
			figs, err := stepFigures(logs, s)
			if err != nil {
				return nil, err
			}
			ch.Figures = append(ch.Figures, figs...)
		}
		rec.Chapters = append(rec.Chapters, ch)
	}
	if whole {
		rec.Whole = []runs.Run{run}
	}
	if _, err := rec.Marshal(); err != nil { // checks it
		return nil, err
	}
	return rec, nil
}

// StepFigure is a figure line that one step printed on one node.
type StepFigure struct {
	Step string // the step's ID
	runs.Figure
}

// Figures returns what every step of the run printed as figures (lines
// that FigureLine matches), in the run's order, whether its chapter passed
// or not; logs is the run directory's logs folder.
func (r *Report) Figures(logs fs.FS) ([]StepFigure, error) {
	var out []StepFigure
	if logs == nil {
		return nil, nil
	}
	for _, s := range r.Steps {
		figs, err := stepFigures(logs, s)
		if err != nil {
			return nil, err
		}
		for _, f := range figs {
			out = append(out, StepFigure{Step: s.ID, Figure: f})
		}
	}
	return out, nil
}

// stepFigures are the figure lines of a step's logs, node by node.
func stepFigures(logs fs.FS, s *StepResult) ([]runs.Figure, error) {
	var out []runs.Figure
	for _, n := range s.NodeResults {
		if n.Log == "" {
			continue
		}
		// The log's path is as the run wrote it; its last two parts
		// are its place under logs/.
		name := filepath.ToSlash(filepath.Join(filepath.Base(filepath.Dir(n.Log)), filepath.Base(n.Log)))
		f, err := logs.Open(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue // a log the run could not write
		}
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if FigureLine.MatchString(line) {
				out = append(out, runs.Figure{Section: s.Section, Node: n.Node, Text: line})
			}
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return out, nil
}
