package runs

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Format is the version of the record's JSON; Parse refuses others.
const Format = 1

// Record is what real runs of the guide showed on one distro.
type Record struct {
	Format int    `json:"format"`
	Distro string `json:"distro"`
	// Chapters are sorted by file, the lab before own nodes; at most
	// one per file and target.
	Chapters []Chapter `json:"chapters"`
	// Whole holds, per target (the lab first), the last run in which
	// the whole guide passed: the run covered every chapter of the
	// distro (no --only leaving one out, no --from or --resume) and
	// every chapter passed, none failed or left unrun. Only runs of a
	// known, unmodified commit count: Run.Commit is that commit. Docs
	// CI chooses what to run from it (docs/ci.md).
	Whole []Run `json:"whole,omitempty"`
}

// Chapter is the last run in which a chapter passed on one target:
// every step the run executed passed and none was left unrun.
type Chapter struct {
	File  string `json:"file"` // 04-cluster-stack.md
	Title string `json:"title"`
	Run   Run    `json:"run"`
	// Steps are the chapter's steps in the run's plan; Passed of them
	// passed and Skipped were not run, counted by reason ("run=no":
	// shown to readers, never run).
	Steps   int            `json:"steps"`
	Passed  int            `json:"passed"`
	Skipped map[string]int `json:"skipped,omitempty"`
	// Duration is how long the chapter's steps took in that run (the
	// sum of their durations), as Go writes durations ("6m12s"); empty
	// in records made before it was kept.
	Duration string `json:"duration,omitempty"`
	// Figures are what the chapter's failover rehearsals measured, in
	// the order the run printed them.
	Figures []Figure `json:"figures,omitempty"`
}

// Run says which run a chapter's record comes from.
type Run struct {
	Finished time.Time `json:"finished"`
	// Commit is the guide's commit (a short hash, "-modified" when the
	// work tree had changes); empty when the run did not know it.
	Commit string `json:"commit,omitempty"`
	// Lab is true for the local lab, false for a reader's own nodes
	// (verify -i).
	Lab bool `json:"lab"`
	// Release is the OpenStack release the run installed.
	Release string `json:"release,omitempty"`
	// Source says where the record came from ("the clean-clone CI run
	// ..."), as whoever added it wrote it.
	Source string `json:"source,omitempty"`
}

// Figure is one measure a failover rehearsal printed.
type Figure struct {
	Section string `json:"section,omitempty"` // the id of the rehearsal's section
	Node    string `json:"node"`
	Text    string `json:"text"` // "longest gap between commits: 9 s"
}

// maxText bounds every text of a record.
const maxText = 300

var (
	distroRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)
	fileRE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.md$`)
	commitRE = regexp.MustCompile(`^[0-9a-f]{7,40}(-modified)?$`)
	// cleanCommitRE is a commit of an unmodified tree.
	cleanCommitRE = regexp.MustCompile(`^[0-9a-f]{7,40}$`)
	idRE          = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$`)
	releaseRE     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)
)

// Parse reads a record and checks every field.
func Parse(data []byte) (*Record, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Record
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("run record: %w", err)
	}
	if dec.More() {
		return nil, errors.New("run record: more than one JSON value")
	}
	if err := r.Check(); err != nil {
		return nil, err
	}
	return &r, nil
}

// Check checks every field of a record.
func (r *Record) Check() error {
	if r.Format != Format {
		return fmt.Errorf("run record: format %d, want %d", r.Format, Format)
	}
	if !distroRE.MatchString(r.Distro) {
		return fmt.Errorf("run record: distro %q is not a distro id", r.Distro)
	}
	var errs []error
	seen := map[key]bool{}
	for i, c := range r.Chapters {
		if err := c.check(); err != nil {
			errs = append(errs, fmt.Errorf("run record %s: chapter %d: %w", r.Distro, i+1, err))
		}
		if seen[c.key()] {
			errs = append(errs, fmt.Errorf("run record %s: %s on %s is recorded twice", r.Distro, c.File, target(c.Run.Lab)))
		}
		seen[c.key()] = true
	}
	wholeSeen := map[bool]bool{}
	for _, w := range r.Whole {
		switch {
		case w.Finished.IsZero():
			errs = append(errs, fmt.Errorf("run record %s: a whole-guide pass has no finishing time", r.Distro))
		case !cleanCommitRE.MatchString(w.Commit):
			errs = append(errs, fmt.Errorf("run record %s: the whole-guide pass of %s: commit %q is not an unmodified commit hash", r.Distro, w.Finished.Format(time.DateOnly), w.Commit))
		case wholeSeen[w.Lab]:
			errs = append(errs, fmt.Errorf("run record %s: two whole-guide passes on %s", r.Distro, target(w.Lab)))
		}
		if w.Release != "" && !releaseRE.MatchString(w.Release) {
			errs = append(errs, fmt.Errorf("run record %s: the whole-guide pass: release %q is not a release name", r.Distro, w.Release))
		}
		if err := text(w.Source, false); err != nil {
			errs = append(errs, fmt.Errorf("run record %s: the whole-guide pass: source: %w", r.Distro, err))
		}
		wholeSeen[w.Lab] = true
	}
	return errors.Join(errs...)
}

func (c *Chapter) check() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if !fileRE.MatchString(c.File) {
		bad("file %q is not a chapter's file name", c.File)
	}
	if err := text(c.Title, true); err != nil {
		bad("title: %w", err)
	}
	if c.Run.Finished.IsZero() {
		bad("no finishing time")
	}
	if c.Run.Commit != "" && !commitRE.MatchString(c.Run.Commit) {
		bad("commit %q is not a commit hash", c.Run.Commit)
	}
	if c.Run.Release != "" && !releaseRE.MatchString(c.Run.Release) {
		bad("release %q is not a release name", c.Run.Release)
	}
	if err := text(c.Run.Source, false); err != nil {
		bad("source: %w", err)
	}
	skipped := 0
	for reason, n := range c.Skipped {
		if err := text(reason, true); err != nil {
			bad("skip reason: %w", err)
		}
		if n <= 0 {
			bad("skip reason %q counts %d steps", reason, n)
		}
		skipped += n
	}
	if c.Duration != "" {
		if d, err := time.ParseDuration(c.Duration); err != nil || d < 0 {
			bad("duration %q is not a duration", c.Duration)
		}
	}
	if c.Passed <= 0 || c.Steps < 0 || c.Passed+skipped != c.Steps {
		bad("%d passed and %d skipped of %d steps is not a pass", c.Passed, skipped, c.Steps)
	}
	for _, f := range c.Figures {
		if f.Section != "" && !idRE.MatchString(f.Section) {
			bad("figure: section %q is not a heading's id", f.Section)
		}
		if !idRE.MatchString(f.Node) {
			bad("figure: node %q is not a node's name", f.Node)
		}
		if err := text(f.Text, true); err != nil {
			bad("figure: %w", err)
		}
	}
	return errors.Join(errs...)
}

// Took is how long the chapter's steps took in the run; false when the
// record does not say.
func (c *Chapter) Took() (time.Duration, bool) {
	d, err := time.ParseDuration(c.Duration)
	return d, err == nil && c.Duration != ""
}

// text checks a text of a record: one printable line of at most maxText
// bytes.
func text(s string, required bool) error {
	switch {
	case s == "" && required:
		return errors.New("empty")
	case len(s) > maxText:
		return fmt.Errorf("longer than %d bytes", maxText)
	case strings.TrimSpace(s) != s:
		return fmt.Errorf("%q has leading or trailing space", s)
	}
	for _, r := range s {
		if r == unicode.ReplacementChar || !unicode.IsPrint(r) {
			return fmt.Errorf("%q has a character that is not printable", s)
		}
	}
	return nil
}

func target(lab bool) string {
	if lab {
		return "the lab"
	}
	return "own nodes"
}

// key names a chapter's entry: its file and target.
type key struct {
	file string
	lab  bool
}

func (c *Chapter) key() key { return key{c.File, c.Run.Lab} }

// sortChapters sorts by file, the lab first.
func sortChapters(cs []Chapter) {
	slices.SortStableFunc(cs, func(a, b Chapter) int {
		if c := cmp.Compare(a.File, b.File); c != 0 {
			return c
		}
		switch {
		case a.Run.Lab == b.Run.Lab:
			return 0
		case a.Run.Lab:
			return -1
		}
		return 1
	})
}

// sortRuns sorts whole-guide passes: the lab first.
func sortRuns(rs []Run) {
	slices.SortStableFunc(rs, func(a, b Run) int {
		switch {
		case a.Lab == b.Lab:
			return 0
		case a.Lab:
			return -1
		}
		return 1
	})
}

// Marshal writes a checked record as indented JSON, its chapters sorted.
func (r *Record) Marshal() ([]byte, error) {
	out := *r
	out.Format = Format
	out.Chapters = slices.Clone(r.Chapters)
	sortChapters(out.Chapters)
	out.Whole = slices.Clone(r.Whole)
	sortRuns(out.Whole)
	if err := out.Check(); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(&out, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("run record: %w", err)
	}
	return append(b, '\n'), nil
}

// Merge returns old with the chapters of add: an entry of add replaces
// the one of old for the same file and target unless old's run finished
// later; from the same run (the same finishing time) it keeps old's
// commit and source where add has none. The whole-guide pass of each
// target is the later of old's and add's. old may be nil.
func Merge(old, add *Record) (*Record, error) {
	if old == nil {
		old = &Record{Format: Format, Distro: add.Distro}
	}
	if old.Distro != add.Distro {
		return nil, fmt.Errorf("run record: cannot merge a %s run into the %s record", add.Distro, old.Distro)
	}
	out := &Record{Format: Format, Distro: old.Distro, Chapters: slices.Clone(old.Chapters), Whole: slices.Clone(old.Whole)}
	for _, w := range add.Whole {
		i := slices.IndexFunc(out.Whole, func(o Run) bool { return o.Lab == w.Lab })
		switch {
		case i < 0:
			out.Whole = append(out.Whole, w)
		case out.Whole[i].Finished.Equal(w.Finished):
			w.Source = cmp.Or(w.Source, out.Whole[i].Source)
			out.Whole[i] = w
		case out.Whole[i].Finished.Before(w.Finished):
			out.Whole[i] = w
		}
	}
	sortRuns(out.Whole)
	for _, c := range add.Chapters {
		i := slices.IndexFunc(out.Chapters, func(o Chapter) bool { return o.key() == c.key() })
		switch {
		case i < 0:
			out.Chapters = append(out.Chapters, c)
		case out.Chapters[i].Run.Finished.Equal(c.Run.Finished):
			// The same run, added again: what it knew before (a commit
			// given by hand, a source) stays unless given anew.
			prev := out.Chapters[i].Run
			c.Run.Commit = cmp.Or(c.Run.Commit, prev.Commit)
			c.Run.Source = cmp.Or(c.Run.Source, prev.Source)
			out.Chapters[i] = c
		case out.Chapters[i].Run.Finished.Before(c.Run.Finished):
			out.Chapters[i] = c
		}
	}
	sortChapters(out.Chapters)
	return out, nil
}

// ReadDir reads the records in a folder: one DISTRO.json per distro,
// keyed by distro. Other files are an error, so that a misnamed record
// does not silently go missing.
func ReadDir(fsys fs.FS) (map[string]*Record, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	out := map[string]*Record{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || path.Ext(name) != ".json" {
			return nil, fmt.Errorf("%s: not a run record (records are DISTRO.json)", name)
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		r, err := Parse(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if want := strings.TrimSuffix(name, ".json"); r.Distro != want {
			return nil, fmt.Errorf("%s: the record of %s is in the file of %s", name, r.Distro, want)
		}
		out[r.Distro] = r
	}
	return out, nil
}

// WholePass returns the last run on a target in which the whole guide
// passed, or nil.
func (r *Record) WholePass(lab bool) *Run {
	if r == nil {
		return nil
	}
	for i := range r.Whole {
		if r.Whole[i].Lab == lab {
			return &r.Whole[i]
		}
	}
	return nil
}

// For returns a distro's entries for a chapter file, the lab first.
func (r *Record) For(file string) []Chapter {
	if r == nil {
		return nil
	}
	var out []Chapter
	for _, c := range r.Chapters {
		if c.File == file {
			out = append(out, c)
		}
	}
	sortChapters(out)
	return out
}
