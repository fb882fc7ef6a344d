package main

import (
	"cmp"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/haguide/haguide/ciselect"
	"github.com/haguide/haguide/distros"
	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/runner"
	"github.com/haguide/haguide/runs"
)

type ciSelectFlags struct {
	distro   string
	budget   time.Duration
	fallback time.Duration
	runsDir  string
	repo     string
	print    string
}

func newCISelectCmd(g *globalFlags) *cobra.Command {
	var f ciSelectFlags
	cmd := &cobra.Command{
		Use:   "ci-select --distro DISTRO --budget DURATION",
		Short: "Choose the chapters docs CI verifies when the whole guide does not fit its time",
		Long: `ci-select chooses which chapters docs CI verifies (the list for verify
--only) by the rule of docs/ci.md, from the run records of docs/runs
(haguide runs add) and what changed in the git repository since the whole
guide last passed:

  - if the whole guide's estimate (how long each chapter took when it last
    passed on the lab) fits the budget, every chapter;
  - else every chapter that changed since the commit of the last
    whole-guide pass, with the chapters it needs (settings.toml's [needs]);
    every chapter counts as changed when code that runs the guide, its
    settings or CI changed too, when no whole-guide pass is on record, or
    when git cannot compare its commit;
  - then the other chapters, the stalest first, with what they need, while
    the estimate stays within the budget;
  - the changed chapters and their needs run even when they alone exceed
    the budget.

It prints why each chapter is in or out, and the list: "only: 1,2,12" or
"only: all". With --print only it prints the list alone on stdout (all,
none, or the chapters' numbers) and the rest on stderr, for scripts.`,
		Example: `  haguide ci-select --distro debian --budget 46m
  VERIFY_CHAPTERS=$(haguide ci-select --distro debian --budget 46m --print only)`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return ciSelect(g, &f)
		},
	}
	fl := cmd.Flags()
	fl.VarP((*distros.Flag)(&f.distro), "distro", "d", "the `DISTRO` CI verifies ("+strings.Join(distros.IDs(), ", ")+")")
	fl.DurationVar(&f.budget, "budget", 0, "the `DURATION` the chosen chapters' estimate should stay within (46m)")
	fl.DurationVar(&f.fallback, "default-estimate", 0, "the estimate (a `DURATION`) of a chapter with no duration on record (default: the largest on record, or "+ciselect.FallbackEstimate.String()+")")
	fl.StringVar(&f.runsDir, "runs", defaultRunsDir, "the run records' `DIR` (DISTRO.json)")
	fl.StringVar(&f.repo, "repo", ".", "the git repository `DIR` whose changes count")
	fl.StringVar(&f.print, "print", "table", "`WHAT` to print on stdout: table (the reasons and the list) or only (the list; the reasons on stderr)")
	_ = cmd.MarkFlagRequired("distro")
	_ = cmd.MarkFlagRequired("budget")
	_ = cmd.MarkFlagDirname("runs")
	_ = cmd.MarkFlagDirname("repo")
	_ = cmd.RegisterFlagCompletionFunc("distro", cobra.FixedCompletions(distros.IDs(), cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("print", cobra.FixedCompletions([]string{"table", "only"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func ciSelect(g *globalFlags, f *ciSelectFlags) error {
	if f.print != "table" && f.print != "only" {
		return usageError(fmt.Errorf("unknown --print %q: use table or only", f.print))
	}
	if f.budget <= 0 {
		return usageError(fmt.Errorf("--budget %v: give a duration above 0, such as 46m", f.budget))
	}
	if f.fallback < 0 {
		return usageError(fmt.Errorf("--default-estimate %v: give a duration above 0", f.fallback))
	}
	gd, err := g.LoadGuide()
	if err != nil {
		return err
	}
	if err := gd.Settings.CheckDistro(f.distro); err != nil {
		return usageError(fmt.Errorf("--distro %s: %w", f.distro, err))
	}
	recFile := filepath.Join(f.runsDir, f.distro+".json")
	rec, err := readRecord(recFile)
	if err != nil {
		return err
	}
	// CI's verify runs on the lab (verify -i with the lab's inventory
	// counts as the lab): its records are the lab's.
	const lab = true
	in, notes, err := selectionInput(g, gd, f, rec, lab)
	if err != nil {
		return err
	}
	in.Budget, in.Default = f.budget, f.fallback
	s, err := ciselect.Select(in)
	if err != nil {
		return err
	}
	out, info := g.stdout, g.stdout
	if f.print == "only" {
		info = g.stderr
	}
	fmt.Fprintf(info, "ci-select %s: run records %s\n", f.distro, recFile)
	for _, n := range notes {
		fmt.Fprintln(info, n)
	}
	if err := s.Write(info); err != nil {
		return err
	}
	if f.print == "only" {
		_, err = fmt.Fprintln(out, s.Only())
		return err
	}
	_, err = fmt.Fprintf(out, "only: %s\n", s.Only())
	return err
}

// selectionInput gathers the chapters, their needs and estimates, the
// last whole-guide pass and what changed since; notes say, for the log,
// where the changes were seen.
func selectionInput(g *globalFlags, gd *guide.Guide, f *ciSelectFlags, rec *runs.Record, lab bool) (ciselect.Input, []string, error) {
	var in ciselect.Input
	plan, err := runner.NewPlan(gd, f.distro, runner.PlanOptions{Lab: lab})
	if err != nil {
		return in, nil, err
	}
	steps := map[string]int{}
	for _, s := range plan.Steps {
		if s.Skip == "" {
			steps[s.Chapter]++
		}
	}
	var files []string
	for _, c := range gd.Chapters {
		if !distroCovers(gd, c.File, f.distro) {
			continue
		}
		files = append(files, c.File)
		ch := ciselect.Chapter{File: c.File, Label: strconv.Itoa(c.Number)}
		for _, n := range gd.Needs(c.File) {
			if distroCovers(gd, n, f.distro) {
				ch.Needs = append(ch.Needs, n)
			}
		}
		if steps[c.File] == 0 {
			ch.Known = true // nothing to run: no time
		}
		for _, e := range rec.For(c.File) {
			if e.Run.Lab != lab {
				continue
			}
			ch.Last = &ciselect.Pass{Commit: e.Run.Commit, Finished: e.Run.Finished}
			if d, ok := e.Took(); ok {
				ch.Estimate, ch.Known = d, true
			}
		}
		in.Chapters = append(in.Chapters, ch)
	}

	var notes []string
	w := rec.WholePass(lab)
	if w == nil {
		in.Everything = "no whole-guide pass on record"
		notes = append(notes, "every chapter counts as changed: the records hold no run in which the whole guide passed on the lab")
		return in, notes, nil
	}
	in.Base = &ciselect.Pass{Commit: w.Commit, Finished: w.Finished}
	notes = append(notes, fmt.Sprintf("the whole guide last passed at %s on %s (%s)", w.Commit, w.Finished.UTC().Format(time.DateOnly), cmp.Or(w.Source, "no source given")))
	paths, top, err := changedSince(f.repo, w.Commit)
	var guideDir string
	if err == nil {
		guideDir, err = guideInRepo(g, top)
	}
	if err != nil {
		in.Everything = err.Error()
		notes = append(notes, "every chapter counts as changed: "+err.Error())
		return in, notes, nil
	}
	changed, behaviour := ciselect.Classify(paths, guideDir, files)
	in.Changed = changed
	switch {
	case len(behaviour) > 0:
		in.Everything = "what runs the guide changed"
		notes = append(notes, fmt.Sprintf("every chapter counts as changed: %s changed since %s (it can change what any chapter does)", some(behaviour), w.Commit))
	case len(changed) > 0:
		notes = append(notes, fmt.Sprintf("chapters changed since %s: %s", w.Commit, strings.Join(changed, ", ")))
	default:
		notes = append(notes, fmt.Sprintf("no chapter changed since %s", w.Commit))
	}
	return in, notes, nil
}

func distroCovers(gd *guide.Guide, file, distro string) bool {
	return slices.Contains(gd.Settings.DistrosFor(file), distro)
}

// some names a few paths: "a, b and 3 more".
func some(paths []string) string {
	const shown = 3
	if len(paths) <= shown {
		return strings.Join(paths, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(paths[:shown], ", "), len(paths)-shown)
}

// git runs git in the repository dir and returns its output; its error
// says what failed in one line.
func git(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return nil, fmt.Errorf("git %s: %s", args[0], firstLine(stderr.String(), ee.Error()))
	case err != nil:
		return nil, fmt.Errorf("git is not available: %w", err)
	}
	return out, nil
}

// changedSince lists the paths that differ between commit and the work
// tree of the repository at dir (committed or not), and the files git
// does not track yet, relative to the repository's top, which it
// returns too. An error says why they cannot be known.
func changedSince(dir, commit string) (paths []string, top string, err error) {
	out, err := git(dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, "", err
	}
	top = strings.TrimSpace(string(out))
	if _, err := git(dir, "rev-parse", "--verify", "--quiet", commit+"^{commit}"); err != nil {
		return nil, "", fmt.Errorf("commit %s is not in the history of %s (a shallow clone?)", commit, dir)
	}
	diff, err := git(dir, "diff", "--name-only", "--no-renames", commit, "--")
	if err != nil {
		return nil, "", err
	}
	untracked, err := git(dir, "ls-files", "--others", "--exclude-standard", "--full-name")
	if err != nil {
		return nil, "", err
	}
	return append(lines(diff), lines(untracked)...), top, nil
}

// guideInRepo is the folder of the guide that runs, relative to the top
// of its repository: guide for the one built in.
func guideInRepo(g *globalFlags, top string) (string, error) {
	if g.Guide == "" {
		return "guide", nil
	}
	abs, err := filepath.Abs(g.Guide)
	if err == nil {
		abs, err = filepath.EvalSymlinks(abs)
	}
	if err != nil {
		return "", fmt.Errorf("--guide %s: %w", g.Guide, err)
	}
	rel, err := filepath.Rel(top, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("--guide %s is not in the repository %s", g.Guide, top)
	}
	return filepath.ToSlash(rel), nil
}

func lines(b []byte) []string {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func firstLine(s, or string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return cmp.Or(s, or)
}
