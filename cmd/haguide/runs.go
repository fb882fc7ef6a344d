package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/haguide/haguide/internal/atomicfile"
	"github.com/haguide/haguide/runner"
	"github.com/haguide/haguide/runs"
)

// defaultRunsDir is where the repository keeps its run records.
const defaultRunsDir = "docs/runs"

func newRunsCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "Keep the records of real runs that the site shows",
		Long: `The site shows on each chapter when it last passed a real run of haguide
verify, per distro: the records in docs/runs, one DISTRO.json per distro
(see docs/site.md). runs add makes or updates them from run directories.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newRunsAddCmd(g), newRunsFiguresCmd(g))
	return cmd
}

func newRunsAddCmd(g *globalFlags) *cobra.Command {
	var dir, source, commit string
	cmd := &cobra.Command{
		Use:   "add RUN_DIR...",
		Short: "Record what runs of verify passed, for the site",
		Long: `add reads the report (report.json) and the logs of each run directory of
haguide verify and records, per chapter, that the run passed it: date, the
guide's commit, the lab or own nodes, steps passed and not run, and what
the chapter's failover rehearsals printed ("longest gap ...", "committed
writes: ..."), and how long the chapter's steps took. The record of the
run's distro, DIR/DISTRO.json, keeps per chapter and target the latest run
that passed it; a chapter that failed or was not run keeps its earlier
record. A run that covered the whole guide (no --only leaving a chapter
out, no --from or --resume) and passed every chapter, at a known and
unmodified commit, becomes the record's last whole-guide pass ("whole"),
which haguide ci-select starts from; a run of some chapters never moves
it. Nothing secret is recorded.`,
		Example: `  haguide runs add --source "clean-clone CI run" ci-runs/own-nodes ci-runs/debian
  haguide build --runs docs/runs`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			for _, runDir := range args {
				if err := addRun(g, dir, runDir, source, commit); err != nil {
					return err
				}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&dir, "dir", defaultRunsDir, "the records' `DIR`")
	fl.StringVar(&source, "source", "", "where the runs come from, in a few words (\"clean-clone CI run\")")
	fl.StringVar(&commit, "commit", "", "the guide's commit, for a report that does not name it")
	_ = cmd.MarkFlagDirname("dir")
	return cmd
}

// addRun merges what a run directory passed into the record of its
// distro.
func addRun(g *globalFlags, dir, runDir, source, commit string) error {
	rep, err := runner.ReadReport(filepath.Join(runDir, "report.json"))
	if err != nil {
		return err
	}
	if commit != "" {
		rep.Commit = commit
	}
	rec, err := rep.Record(os.DirFS(filepath.Join(runDir, "logs")), source)
	if err != nil {
		return fmt.Errorf("%s: %w", runDir, err)
	}
	file := filepath.Join(dir, rep.Distro+".json")
	old, err := readRecord(file)
	if err != nil {
		return err
	}
	merged, err := runs.Merge(old, rec)
	if err != nil {
		return err
	}
	out, err := merged.Marshal()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := atomicfile.Write(file, out, 0o644); err != nil {
		return err
	}
	if !g.Quiet {
		fmt.Fprintf(g.stdout, "%s: %d of %d chapters passed on %s (%s); recorded in %s\n",
			runDir, len(rec.Chapters), len(rep.Chapters), rep.Distro, map[bool]string{true: "the lab", false: "own nodes"}[rep.Lab], file)
		if w := rec.WholePass(rep.Lab); w != nil {
			fmt.Fprintf(g.stdout, "%s: the whole guide passed at %s (a whole-guide pass)\n", runDir, w.Commit)
		}
	}
	return nil
}

// readRecord reads a distro's run record; nil when there is none.
func readRecord(file string) (*runs.Record, error) {
	data, err := os.ReadFile(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, err
	}
	rec, err := runs.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return rec, nil
}

func newRunsFiguresCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "figures RUN_DIR",
		Short: "Print what a run's failover rehearsals measured, as a Markdown table",
		Long: `figures prints, as rows of a Markdown table (step, node, figure), every
line that a step of the run printed as a measure: the lines that runs add
records for the site ("longest gap ...", "committed writes: ...", "state
transfer: ..."), here for every step, also of chapters that did not pass.
It prints nothing when the run printed no figures. scripts/coverage.sh
uses it for docs/coverage.md.`,
		Example: `  haguide runs figures ci-runs/debian`,
		Args:    cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			rep, err := runner.ReadReport(filepath.Join(args[0], "report.json"))
			if err != nil {
				return err
			}
			figs, err := rep.Figures(os.DirFS(filepath.Join(args[0], "logs")))
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if len(figs) == 0 {
				return nil
			}
			fmt.Fprintln(g.stdout, "| step | node | figure |")
			fmt.Fprintln(g.stdout, "|---|---|---|")
			for _, f := range figs {
				fmt.Fprintf(g.stdout, "| `%s` | %s | %s |\n", f.Step, f.Node, strings.ReplaceAll(f.Text, "|", `\|`))
			}
			return nil
		},
	}
}

// readRuns reads the run records for the site: dir's records; none when
// dir is the default and missing (a guide without records).
func readRuns(dir string, given bool) (map[string]*runs.Record, error) {
	if st, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) && !given {
		return nil, nil
	} else if err != nil || !st.IsDir() {
		return nil, fmt.Errorf("--runs %s: not a folder", dir)
	}
	recs, err := runs.ReadDir(os.DirFS(dir))
	if err != nil {
		return nil, fmt.Errorf("--runs %s: %w", dir, err)
	}
	return recs, nil
}

// guideCommit is the commit of the guide a run reads: git's for --guide
// DIR; for the embedded guide the binary's own, or, when the binary was
// built without VCS stamping (GOFLAGS=-buildvcs=false), env
// HAGUIDE_GUIDE_COMMIT (.ci/run sets it); "" when unknown.
func guideCommit(guideDir string) string {
	if guideDir == "" {
		rev, modified := os.Getenv("HAGUIDE_GUIDE_COMMIT"), false
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, s := range bi.Settings {
				switch s.Key {
				case "vcs.revision":
					rev = s.Value
				case "vcs.modified":
					modified = s.Value == "true"
				}
			}
		}
		return shortCommit(rev, modified)
	}
	rev, err := exec.Command("git", "-C", guideDir, "rev-parse", "HEAD").Output()
	if err != nil {
		return ""
	}
	status, err := exec.Command("git", "-C", guideDir, "status", "--porcelain", "--", ".").Output()
	return shortCommit(strings.TrimSpace(string(rev)), err != nil || len(status) > 0)
}

// shortCommit is a commit as run records keep it; "" for what is not a
// full commit hash.
func shortCommit(rev string, modified bool) string {
	if len(rev) < 12 || strings.Trim(rev, "0123456789abcdef") != "" {
		return ""
	}
	if modified {
		return rev[:12] + "-modified"
	}
	return rev[:12]
}
