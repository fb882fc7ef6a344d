package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/haguide/haguide/guide"
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

	stdin          io.Reader
	stdout, stderr io.Writer
	logger         *slog.Logger
}

// Logger returns the logger commands pass to packages: warnings and errors
// by default, info with --verbose... debug with -v twice is not offered;
// --verbose shows debug.
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

func newRootCmd(g *globalFlags) *cobra.Command {
	root := &cobra.Command{
		Use:   "haguide",
		Short: "The OpenStack High Availability Guide: render it, run it, check it",
		Long: `haguide holds the OpenStack High Availability Guide as Markdown chapters
with runnable, distro-tagged blocks. It renders the guide as a static site,
runs every block over SSH on the nodes it names, and checks the guide
without nodes.`,
		Example: `  haguide check                      # lint the guide
  haguide build -o site              # write the static site
  haguide plan --distro debian       # what verify would run, where
  haguide verify --distro debian     # run the guide on a local lab
  haguide verify --distro ubuntu -i inventory.ini --vars vars.yml`,
		Version:       buildVersion(),
		SilenceUsage:  true,
		SilenceErrors: true,
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
	for _, add := range commands {
		root.AddCommand(add(g))
	}
	return root
}

// commands are the subcommands; each file of the package registers its own
// in an init function, so adding a command touches only its own file.
var commands []func(*globalFlags) *cobra.Command

// Main runs haguide with os.Args and returns the exit code.
func Main() int {
	return run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	g := &globalFlags{stdin: stdin, stdout: stdout, stderr: stderr}
	root := newRootCmd(g)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	fmt.Fprintf(stderr, "haguide: %v\n", err)
	return 1
}
