package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/runner"
)

func init() { commands = append(commands, newPlanCmd) }

// planFlags are the flags plan and verify share.
type planFlags struct {
	distro string
	from   string
	only   []string
	lab    bool
}

func (f *planFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVarP(&f.distro, "distro", "d", "", "the distro whose blocks run (ubuntu, debian, rhel, suse)")
	fl.StringVar(&f.from, "from", "", "start at step `ID`; the steps before it count as done")
	fl.StringSliceVar(&f.only, "only", nil, "run only these chapters (number, file or name; repeat or comma-separate)")
	_ = cmd.RegisterFlagCompletionFunc("distro", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"ubuntu", "debian", "rhel", "suse"}, cobra.ShellCompDirectiveNoFileComp
	})
}

func newPlanCmd(g *globalFlags) *cobra.Command {
	var pf planFlags
	var format string
	var withCommands bool
	cmd := &cobra.Command{
		Use:   "plan --distro DISTRO",
		Short: "Print what verify would run, where, in order, without connecting",
		Long: `plan prints every step verify would run for a distro, in order: the step id
to use with --from, where it runs (all nodes in parallel, one node, each node in
turn, the local machine), the files it writes, the commands, and the steps that
are skipped with their reasons. It connects to nothing. Placeholders are shown
by name; secrets are never printed.`,
		Example: `  haguide plan --distro debian
  haguide plan --distro rhel --only 5,6 --commands
  haguide plan --distro ubuntu --format json | jq '.steps[].id'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if pf.distro == "" {
				return fmt.Errorf("--distro is required for plan (one of ubuntu, debian, rhel, suse)")
			}
			gd, err := g.LoadGuide()
			if err != nil {
				return err
			}
			p, err := runner.NewPlan(gd, pf.distro, runner.PlanOptions{Lab: pf.lab, From: pf.from, Only: pf.only})
			if err != nil {
				return err
			}
			switch format {
			case "json":
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(planJSON(p))
			case "text":
				writePlan(g.stdout, p, withCommands)
				return nil
			case "markdown":
				writePlanTable(g.stdout, p)
				return nil
			}
			return fmt.Errorf("--format %q: want text, json or markdown", format)
		},
	}
	pf.add(cmd)
	cmd.Flags().BoolVar(&pf.lab, "lab", true, "plan for the local lab: blocks marked when=lab run")
	cmd.Flags().StringVar(&format, "format", "text", "output `format`: text, json, or markdown (a per-chapter table of steps run and skipped, for docs/coverage.md)")
	cmd.Flags().BoolVar(&withCommands, "commands", false, "show every command and file content")
	return cmd
}

type planStepJSON struct {
	*runner.Step
	Where    string   `json:"where"`
	Pos      string   `json:"pos"`
	File     string   `json:"file,omitempty"`
	Mode     string   `json:"mode,omitempty"`
	Owner    string   `json:"owner,omitempty"`
	Apply    string   `json:"apply,omitempty"`
	Wait     string   `json:"wait,omitempty"`
	Timeout  string   `json:"timeout,omitempty"`
	Commands []string `json:"commands,omitempty"`
	Content  string   `json:"content,omitempty"`
}

func planJSON(p *runner.Plan) any {
	steps := make([]planStepJSON, len(p.Steps))
	for i, s := range p.Steps {
		a := s.Block.Attrs
		j := planStepJSON{Step: s, Where: s.Where(), Pos: s.Pos().String(), File: a.File, Apply: a.Apply}
		if a.File != "" {
			j.Mode = fmt.Sprintf("%04o", modeOr(a))
			j.Owner = ownerOr(a)
			j.Content = s.Block.Content
		}
		if a.Wait > 0 {
			j.Wait = a.Wait.String()
		}
		if a.Timeout > 0 {
			j.Timeout = a.Timeout.String()
		}
		for _, c := range s.Block.Commands {
			j.Commands = append(j.Commands, c.Text)
		}
		steps[i] = j
	}
	return struct {
		*runner.Plan
		Steps []planStepJSON `json:"steps"`
	}{p, steps}
}

func modeOr(a guide.Attrs) uint32 {
	if a.Mode == 0 {
		return uint32(guide.DefaultMode)
	}
	return uint32(a.Mode)
}

func ownerOr(a guide.Attrs) string {
	if a.Owner == "" {
		return guide.DefaultOwner
	}
	return a.Owner
}

// writePlan prints a plan for people.
func writePlan(w io.Writer, p *runner.Plan, withCommands bool) {
	run, skipped := 0, 0
	for _, s := range p.Steps {
		if s.Skip != "" || s.Before {
			skipped++
		} else {
			run++
		}
	}
	fmt.Fprintf(w, "Plan for %s, OpenStack %s, nodes %s: %d steps run, %d skipped.\n",
		p.Distro, p.Release, strings.Join(p.Nodes, ", "), run, skipped)
	chapter := ""
	for _, s := range p.Steps {
		if s.Chapter != chapter {
			chapter = s.Chapter
			fmt.Fprintf(w, "\n%d. %s (%s)\n", s.Number, s.ChapterTitle, s.Chapter)
		}
		a := s.Block.Attrs
		var what string
		switch {
		case a.File != "" && a.Apply == "merge":
			what = fmt.Sprintf("merge keys into %s", a.File)
		case a.File != "":
			what = fmt.Sprintf("write %s (%s %04o)", a.File, ownerOr(a), modeOr(a))
		default:
			what = fmt.Sprintf("%d command(s)", len(s.Block.Commands))
		}
		if a.Background != "" {
			what += ", in the background as " + a.Background
		}
		if a.Stop != "" {
			what += ", after stopping " + a.Stop
		}
		if a.Wait > 0 {
			what += ", retried up to " + a.Wait.String()
		}
		switch {
		case s.Before:
			fmt.Fprintf(w, "  %-44s done before --from\n", s.ID)
			continue
		case s.Skip != "":
			fmt.Fprintf(w, "  %-44s skipped: %s\n", s.ID, s.Skip)
			continue
		}
		fmt.Fprintf(w, "  %-44s %s: %s\n", s.ID, s.Where(), what)
		if !withCommands {
			continue
		}
		if a.File != "" {
			for _, l := range strings.Split(strings.TrimRight(s.Block.Content, "\n"), "\n") {
				fmt.Fprintf(w, "      | %s\n", l)
			}
			continue
		}
		for _, c := range s.Block.Commands {
			for i, l := range strings.Split(c.Text, "\n") {
				prefix := "      " + c.Prompt + " "
				if i > 0 {
					prefix = "        "
				}
				fmt.Fprintf(w, "%s%s\n", prefix, l)
			}
		}
	}
}

// writePlanTable writes the per-chapter count of steps that run and that
// are skipped, with the reasons, as a Markdown table.
func writePlanTable(w io.Writer, p *runner.Plan) {
	type row struct {
		title     string
		run, skip int
		reasons   map[string]int
	}
	var rows []*row
	byFile := map[string]*row{}
	for _, s := range p.Steps {
		r := byFile[s.Chapter]
		if r == nil {
			r = &row{title: fmt.Sprintf("%d. %s", s.Number, s.ChapterTitle), reasons: map[string]int{}}
			byFile[s.Chapter] = r
			rows = append(rows, r)
		}
		if s.Skip != "" {
			r.skip++
			reason, _, _ := strings.Cut(s.Skip, ":")
			r.reasons[reason]++
		} else {
			r.run++
		}
	}
	fmt.Fprintf(w, "| chapter (%s) | steps run | skipped | skipped because |\n|---|---:|---:|---|\n", p.Distro)
	total := row{reasons: map[string]int{}}
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %d | %d | %s |\n", r.title, r.run, r.skip, runner.Reasons(r.reasons))
		total.run += r.run
		total.skip += r.skip
		for k, v := range r.reasons {
			total.reasons[k] += v
		}
	}
	fmt.Fprintf(w, "| **total** | %d | %d | %s |\n", total.run, total.skip, runner.Reasons(total.reasons))
}
