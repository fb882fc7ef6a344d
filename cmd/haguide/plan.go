package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/haguide/haguide/distros"
	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/lab"
	"github.com/haguide/haguide/runner"
)

func newPlanCmd(g *globalFlags) *cobra.Command {
	var pf planFlags
	var format string
	var withCommands, useLab bool
	cmd := &cobra.Command{
		Use:   "plan --distro DISTRO [-i INVENTORY] [--vars FILE]",
		Short: "Print what verify would run, where, in order, without connecting",
		Long: `plan prints every step verify would run for a distro, in order: the step id
to use with --from, where it runs (all nodes in parallel, one node, each node in
turn, the local machine), the files it writes, the commands, and the steps that
are skipped with their reasons. It connects to nothing.

It takes verify's flags and builds the step list as verify does: for the local
lab without -i (debian only), for your nodes with -i (or for a distro the lab
does not run); its first line says which. With -i and --vars it checks the
values as verify would and lists them; secrets are never printed.
--resume shows where a resumed run starts.

` + exitCodesHelp,
		Example: `  haguide plan --distro debian                       # what verify does on the lab
  haguide plan --distro rhel -i hosts.ini --vars vars.yml --commands
  haguide plan --distro ubuntu --only 5,6 --format json | jq '.steps[].id'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if pf.distro == "" {
				return usageError(fmt.Errorf("--distro is required for plan (one of %s)", strings.Join(distros.IDs(), ", ")))
			}
			if !slices.Contains([]string{"text", "json", "markdown"}, format) {
				return usageError(fmt.Errorf("--format %q: want text, json or markdown", format))
			}
			var forced *bool
			if cmd.Flags().Changed("lab") {
				forced = &useLab
			}
			in, err := inputs(g, &pf, forced)
			if err != nil {
				return err
			}
			st, err := settle(in, pf.distro, &pf, false)
			if err != nil {
				return err
			}
			switch format {
			case "json":
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(planJSON(in, st))
			case "markdown":
				writePlanTable(g.stdout, st.plan)
				return nil
			}
			writePlan(g.stdout, in, st, withCommands)
			return nil
		},
	}
	pf.add(cmd)
	cmd.Flags().BoolVar(&useLab, "lab", false, "plan for the local lab (when=lab blocks run) or, with --lab=false, for your nodes; default: the lab for "+lab.Distro+" without -i, as verify")
	cmd.Flags().StringVar(&format, "format", "text", "output `format`: text, json, or markdown (a per-chapter table of steps run and skipped, for docs/coverage.md)")
	cmd.Flags().BoolVar(&withCommands, "commands", false, "show every command and file content")
	return cmd
}

// planValues lists the values of the placeholders a plan uses, each with
// its value, or its value on each node when they differ; a secret shows as
// <NAME>. It is nil when the values are not known.
func planValues(st *runSetup, settings *guide.Settings) []planValue {
	if st.values == nil {
		return nil
	}
	var out []planValue
	for _, name := range st.plan.Placeholders() {
		if settings.IsBuiltin(name) {
			continue
		}
		pv := planValue{Name: name, Secret: st.values.Secret(name)}
		if pv.Secret {
			pv.Value = "<" + name + ">"
			out = append(out, pv)
			continue
		}
		per := map[string]string{}
		for _, n := range st.plan.Nodes {
			v, _ := st.values.Lookup(n, name)
			per[n] = v
		}
		if v, ok := st.values.Lookup("", name); ok && !differs(per, v) {
			pv.Value = v
		} else {
			pv.PerNode = per
		}
		out = append(out, pv)
	}
	return out
}

func differs(per map[string]string, v string) bool {
	for _, x := range per {
		if x != v {
			return true
		}
	}
	return false
}

// planValue is one placeholder's value in a plan.
type planValue struct {
	Name    string            `json:"name"`
	Value   string            `json:"value,omitempty"`
	PerNode map[string]string `json:"per_node,omitempty"`
	Secret  bool              `json:"secret,omitempty"`
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

func planJSON(in *runInputs, st *runSetup) any {
	p := st.plan
	steps := make([]planStepJSON, len(p.Steps))
	for i, s := range p.Steps {
		a := s.Block.Attrs
		j := planStepJSON{Step: s, Where: s.Where(), Pos: s.Pos().String(), File: a.File, Apply: a.Apply}
		if a.File != "" {
			j.Mode, j.Owner = "as it was", "as it was" // a merge given neither keeps the file's
			if a.Mode != 0 || a.Apply != "merge" {
				j.Mode = fmt.Sprintf("%04o", modeOr(a))
			}
			if a.Owner != "" || a.Apply != "merge" {
				j.Owner = ownerOr(a)
			}
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
		Target  string         `json:"target"`
		Resumed string         `json:"resumed_at,omitempty"`
		Values  []planValue    `json:"values,omitempty"`
		Steps   []planStepJSON `json:"steps"`
	}{p, in.target(), st.resumed, planValues(st, in.gd.Settings), steps}
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
func writePlan(w io.Writer, in *runInputs, st *runSetup, withCommands bool) {
	p := st.plan
	run, skipped := 0, 0
	for _, s := range p.Steps {
		if s.Skip != "" || s.Before {
			skipped++
		} else {
			run++
		}
	}
	fmt.Fprintf(w, "Plan for %s on %s, OpenStack %s, nodes %s: %d steps run, %d skipped.\n",
		p.Distro, in.target(), p.Release, strings.Join(p.Nodes, ", "), run, skipped)
	if st.resumed != "" {
		fmt.Fprintf(w, "Resumed at %s, the first step %s does not record as passed.\n", st.resumed, st.runDir)
	}
	if vals := planValues(st, in.gd.Settings); vals != nil {
		fmt.Fprintln(w, "\nValues (secrets masked):")
		for _, v := range vals {
			if v.PerNode == nil {
				fmt.Fprintf(w, "  %s = %s\n", v.Name, v.Value)
				continue
			}
			var parts []string
			for _, n := range p.Nodes {
				parts = append(parts, n+": "+v.PerNode[n])
			}
			fmt.Fprintf(w, "  %s = %s\n", v.Name, strings.Join(parts, ", "))
		}
	} else if in.lab == nil {
		fmt.Fprintln(w, "Placeholders are shown by name: give -i (and --vars) to check their values as verify does.")
	}
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
