package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/runner"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		v := bi.Main.Version
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " " + s.Value[:12]
			}
		}
		if v != "" && v != "(devel)" {
			return v
		}
	}
	return "dev"
}

// globalFlags are the flags and streams every command shares.
type globalFlags struct {
	Guide   string
	Verbose bool
	Quiet   bool

	// ran is set when the command line parsed and the command started.
	ran bool

	stdin          io.Reader
	stdout, stderr io.Writer
	logger         *slog.Logger
}

// Logger returns the logger commands pass to packages: info and above by
// default, debug with --verbose, only warnings and errors with --quiet.
func (g *globalFlags) Logger() *slog.Logger {
	if g.logger == nil {
		level := slog.LevelInfo
		switch {
		case g.Verbose:
			level = slog.LevelDebug
		case g.Quiet:
			level = slog.LevelWarn
		}
		g.logger = slog.New(slog.NewTextHandler(g.stderr, &slog.HandlerOptions{Level: level}))
	}
	return g.logger
}

// GuideFS returns the guide to read: --guide DIR or the embedded one.
func (g *globalFlags) GuideFS() fs.FS {
	if g.Guide != "" {
		return os.DirFS(g.Guide)
	}
	return guide.Embedded
}

// LoadGuide loads and checks the guide; a guide with problems is an error
// that lists them all.
func (g *globalFlags) LoadGuide() (*guide.Guide, error) {
	gd, ds := guide.Check(g.GuideFS())
	if len(ds) > 0 {
		return nil, &guideError{ds: ds, dir: g.guideName()}
	}
	return gd, nil
}

func (g *globalFlags) guideName() string {
	if g.Guide != "" {
		return g.Guide
	}
	return "the embedded guide"
}

// guideError reports a guide that does not pass check.
type guideError struct {
	ds  guide.Diagnostics
	dir string
}

func (e *guideError) Error() string {
	return fmt.Sprintf("%s has %d problem(s); run `haguide check`:\n%s", e.dir, len(e.ds), e.ds.Error())
}

// Color reports whether output to w may use ANSI colour: only on a
// terminal, and never when NO_COLOR is set (https://no-color.org).
func Color(w io.Writer) bool {
	if v, ok := os.LookupEnv("NO_COLOR"); ok && v != "" {
		return false
	}
	if os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// exitError carries an exit code without printing anything more.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// Exit codes: each kind of failure has its own, so that a script or CI can
// tell a guide that does not work from a network that does not.
const (
	exitOther       = 1   // any other error (the site cannot be written, ...)
	exitUsage       = 2   // the command line or a local input is wrong
	exitGuide       = 3   // the guide has problems
	exitUnreachable = 4   // the nodes cannot be reached or are not as required
	exitStepFailed  = 5   // verify: a step failed
	exitInterrupted = 130 // Ctrl-C or SIGTERM
)

// exitCodesHelp is the table of exit codes for --help.
const exitCodesHelp = `Exit status:
  0    success
  1    any other error (a file cannot be written, ...)
  2    usage: a wrong flag or argument, or a local input haguide checks before
       it connects to anything (the inventory, --vars, --from, --only, the run
       directory and report paths, --resume with nothing to resume)
  3    the guide has problems (haguide check lists them)
  4    the nodes cannot be reached, or are not what the run needs (host key,
       login, sudo, their distro), or the local lab does not come up
  5    verify: a step failed (the run stopped there; --resume goes on)
  130  interrupted (Ctrl-C or SIGTERM)`

// codeError gives an error its exit code.
type codeError struct {
	code int
	err  error
}

func (e *codeError) Error() string { return e.err.Error() }
func (e *codeError) Unwrap() error { return e.err }

// usageError marks a wrong flag, argument or local input: exit 2.
func usageError(err error) error {
	if err == nil {
		return nil
	}
	return &codeError{exitUsage, err}
}

// reachError marks nodes that cannot be reached: exit 4.
func reachError(err error) error {
	if err == nil {
		return nil
	}
	return &codeError{exitUnreachable, err}
}

// exitCode is the exit status for an error; ran is false when the error
// came from parsing the command line, before the command ran.
func exitCode(err error, ran bool) int {
	var ce *codeError
	var ee *exitError
	var ge *guideError
	var se *runner.StepError
	switch {
	case errors.As(err, &ce):
		return ce.code
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ge):
		return exitGuide
	case errors.As(err, &se):
		return exitStepFailed
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case !ran:
		return exitUsage
	}
	return exitOther
}

func newRootCmd(g *globalFlags) *cobra.Command {
	root := &cobra.Command{
		Use:   "haguide",
		Short: "The OpenStack High Availability Guide: render it, run it, check it",
		Long: `haguide holds the OpenStack High Availability Guide as Markdown chapters
with runnable, distro-tagged blocks. It renders the guide as a static site,
runs every block over SSH on the nodes it names, and checks the guide
without nodes.

` + exitCodesHelp,
		Example: `  haguide check                      # lint the guide
  haguide build -o site              # write the static site
  haguide plan --distro debian       # what verify would run, where
  haguide verify --distro debian     # run the guide on a local lab
  haguide verify --distro ubuntu -i inventory.ini --vars vars.yml`,
		Version:       buildVersion(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// Everything up to here is the command line: its errors are usage
	// errors. Cobra checks required and exclusive flags after this hook,
	// so the hook checks them first.
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if err := cmd.ValidateRequiredFlags(); err != nil {
			return err
		}
		if err := cmd.ValidateFlagGroups(); err != nil {
			return err
		}
		g.ran = true
		return nil
	}
	root.SetIn(g.stdin)
	root.SetOut(g.stdout)
	root.SetErr(g.stderr)
	pf := root.PersistentFlags()
	pf.StringVar(&g.Guide, "guide", os.Getenv("HAGUIDE_GUIDE"), "read the guide from `DIR` instead of the one built in (env HAGUIDE_GUIDE)")
	pf.BoolVarP(&g.Verbose, "verbose", "v", false, "log more detail")
	pf.BoolVarP(&g.Quiet, "quiet", "q", false, "log only warnings and errors")
	root.MarkFlagsMutuallyExclusive("verbose", "quiet")
	_ = root.MarkPersistentFlagDirname("guide")
	root.AddCommand(
		newCheckCmd(g),
		newBuildCmd(g),
		newServeCmd(g),
		newDistrosCmd(g),
		newPlanCmd(g),
		newVerifyCmd(g),
		newLabCmd(g),
		newRunsCmd(g),
		newCISelectCmd(g),
	)
	return root
}

// Main runs haguide with os.Args and returns the exit code. Ctrl-C and
// SIGTERM cancel the context every command runs with: a command stops
// what it does, says where it was, and haguide exits 130.
func Main() int {
	ctx, stop := interruptContext()
	defer stop()
	return runContext(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
}

// interruptContext is done at the first SIGINT or SIGTERM.
func interruptContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdin, stdout, stderr)
}

// runContext runs haguide until ctx is done: a cancelled ctx is an
// interruption, as Ctrl-C is.
func runContext(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	g := &globalFlags{stdin: stdin, stdout: stdout, stderr: stderr}
	root := newRootCmd(g)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee *exitError
	if !errors.As(err, &ee) {
		fmt.Fprintf(stderr, "haguide: %v\n", err)
	}
	return exitCode(err, g.ran)
}
