package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/haguide/haguide/guide"
)

func init() { commands = append(commands, newCheckCmd) }

func newCheckCmd(g *globalFlags) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Lint the guide without nodes",
		Long: `check reads the whole guide and reports every problem at once as
file:line:col: message: unknown attributes and values, tab groups that leave a
distro without a block, undeclared or unused placeholders, run=no without a
reason, SUMMARY entries without a file, broken links and anchors, duplicate
heading ids, shell syntax errors, and expected output with no command.
It exits 1 when it finds anything.`,
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
				return fmt.Errorf("unknown --format %q: use text or json", format)
			}
			if len(ds) > 0 {
				if format == "text" {
					fmt.Fprintf(g.stderr, "%d problem(s)\n", len(ds))
				}
				return &exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output `format`: text or json")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}
