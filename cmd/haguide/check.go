package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/runner/lint"
)

func newCheckCmd(g *globalFlags) *cobra.Command {
	var format, haproxy string
	var configs bool
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Lint the guide without nodes",
		Long: `check reads the whole guide and reports every problem at once as
file:line:col: message: unknown attributes and values, tab groups that leave a
distro without a block, undeclared or unused placeholders, run=no without a
reason, SUMMARY entries without a file, broken links and anchors, duplicate
heading ids, shell syntax errors, and expected output with no command.
It exits 3 when it finds anything (see haguide --help for every exit status).`,
		Example: `  haguide check
  haguide check --guide ./guide
  haguide check --format json | jq .`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			gd, ds := guide.Check(g.GuideFS())
			switch format {
			case "json":
				if ds == nil {
					ds = guide.Diagnostics{}
				}
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(ds); err != nil {
					return err
				}
			case "text":
				bold, reset := "", ""
				if Color(g.stderr) {
					bold, reset = "\x1b[1m", "\x1b[0m"
				}
				for _, d := range ds {
					fmt.Fprintf(g.stderr, "%s%s%s: %s\n", bold, d.Pos, reset, d.Msg)
				}
				if len(ds) == 0 && !g.Quiet {
					blocks := 0
					for _, c := range gd.Pages() {
						blocks += len(c.Blocks)
					}
					fmt.Fprintf(g.stdout, "ok: %d chapters, %d blocks, %d runnable\n", len(gd.Chapters), blocks, len(gd.Blocks("")))
				}
			default:
				return usageError(fmt.Errorf("unknown --format %q: use text or json", format))
			}
			if len(ds) > 0 {
				if format == "text" {
					fmt.Fprintf(g.stderr, "%d problem(s)\n", len(ds))
				}
				return &exitError{code: exitGuide}
			}
			if configs {
				return checkConfigs(cmd.Context(), g, gd, haproxy)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output `format`: text or json")
	cmd.Flags().BoolVar(&configs, "configs", false, "also check the files the guide writes, for every distro (haproxy -c and known HAProxy pitfalls, ini, JSON, YAML, Python), and its packages, units and firewall ports")
	cmd.Flags().StringVar(&haproxy, "haproxy", "", "the haproxy `binary` for --configs (default: haproxy on PATH)")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// checkConfigs replays the file blocks of every distro and checks the
// files with the tools made for them.
func checkConfigs(ctx context.Context, g *globalFlags, gd *guide.Guide, haproxy string) error {
	problems := 0
	for _, d := range gd.Settings.Distros {
		res, err := lint.Distro(ctx, gd, d, lint.Options{HAProxy: haproxy})
		if err != nil {
			return err
		}
		for _, p := range res.Problems {
			fmt.Fprintln(g.stderr, p)
		}
		problems += len(res.Problems)
		for _, s := range res.Skipped {
			fmt.Fprintf(g.stderr, "haguide: [%s] %s\n", d, s)
			if os.Getenv("CI") == "true" {
				return fmt.Errorf("CI must make every check: %s", s)
			}
		}
		if !g.Quiet {
			fmt.Fprintf(g.stdout, "configs %s: %d check(s), %d problem(s)\n", d, len(res.Checked), len(res.Problems))
		}
	}
	if problems > 0 {
		return &exitError{code: exitGuide}
	}
	return nil
}
