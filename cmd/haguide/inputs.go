package main

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/haguide/haguide/distros"
	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/lab"
	"github.com/haguide/haguide/runner"
	"github.com/haguide/haguide/runner/inventory"
)

// plan and verify share the stages that decide what a run does, so that
// plan shows what verify will do: the inputs (inputs), the target (the lab
// or the user's nodes) and, for one distro, the step list and the values
// (settle). Both stages only read local files: verify runs them before it
// connects to anything or boots the lab.

// planFlags are the flags plan and verify share: what runs (--distro,
// --from, --only, --resume) and where (-i, --vars, the lab).
type planFlags struct {
	distro    string
	from      string
	only      []string
	inventory string
	vars      string
	runDir    string
	resume    bool
	labDir    string
}

func (f *planFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.VarP((*distros.Flag)(&f.distro), "distro", "d", "the `DISTRO` whose blocks run ("+strings.Join(distros.IDs(), ", ")+")")
	fl.StringVar(&f.from, "from", "", "start at step `ID`; the steps before it count as done")
	fl.StringSliceVar(&f.only, "only", nil, "run only these chapters (number, file or name; repeat or comma-separate)")
	fl.StringVarP(&f.inventory, "inventory", "i", "", "Ansible-style inventory `FILE` (INI or YAML) of your nodes; without it, the local lab ("+lab.Distro+")")
	fl.StringVar(&f.vars, "vars", "", "placeholder values: a YAML `FILE` of NAME: value")
	fl.StringVar(&f.runDir, "run-dir", "", "keep logs, reports, state and generated secrets in `DIR` (default haguide-runs/DISTRO)")
	fl.BoolVar(&f.resume, "resume", false, "go on from the first step the run directory does not record as passed")
	fl.StringVar(&f.labDir, "lab-dir", envOr("HAGUIDE_LAB_DIR", lab.DefaultDir), "the local lab's state `DIR`")
	cmd.MarkFlagsMutuallyExclusive("resume", "from")
	_ = cmd.RegisterFlagCompletionFunc("distro", cobra.FixedCompletions(distros.IDs(), cobra.ShellCompDirectiveNoFileComp))
}

// targetsLab says whether a run goes to the local lab: only without -i,
// and only for the lab's distro (or when the distro is not given).
func targetsLab(distro, inventoryFile string) bool {
	return inventoryFile == "" && (distro == "" || distro == lab.Distro)
}

// runInputs are a run's inputs, read and checked.
type runInputs struct {
	gd *guide.Guide
	// distro is "" when the nodes decide it (verify -i without --distro).
	distro string
	// lab is the lab the run targets, made but not booted; nil for the
	// user's nodes.
	lab *lab.Lab
	// hosts are the guide's nodes in the inventory (the lab's own for the
	// lab); nil when plan has no inventory.
	hosts []inventory.Host
	// vars are the values of --vars, varsOrigin where each is written
	// (file:line).
	vars, varsOrigin map[string]string
}

// target describes where a run goes, for people.
func (in *runInputs) target() string {
	if in.lab != nil {
		return "the local lab"
	}
	return "your nodes"
}

// inputs reads and checks everything a run is given, locally: the guide,
// --distro, the target and its inventory, and --vars. Every error is the
// caller's to fix before anything runs. useLab forces the target (plan's
// --lab); nil chooses as targetsLab does.
func inputs(g *globalFlags, f *planFlags, useLab *bool) (*runInputs, error) {
	gd, err := g.LoadGuide()
	if err != nil {
		return nil, err
	}
	in := &runInputs{gd: gd, distro: f.distro}
	if f.distro != "" {
		if err := gd.Settings.CheckDistro(f.distro); err != nil {
			return nil, usageError(fmt.Errorf("--distro %s: %w", f.distro, err))
		}
	}
	toLab := targetsLab(f.distro, f.inventory)
	if useLab != nil {
		if *useLab && f.inventory != "" {
			return nil, usageError(errors.New("--lab plans for the local lab; -i names your nodes: give one of them"))
		}
		toLab = *useLab
	}
	var inv *inventory.Inventory
	switch {
	case toLab:
		if in.distro == "" {
			in.distro = lab.Distro
		}
		if in.distro != lab.Distro {
			return nil, usageError(fmt.Errorf("the local lab runs %s nodes: use --distro %s, or -i with nodes of %s", lab.Distro, lab.Distro, in.distro))
		}
		if in.lab, err = newLab(g, gd, &labFlags{dir: f.labDir, cidr: os.Getenv("HAGUIDE_LAB_CIDR"), bridge: os.Getenv("HAGUIDE_LAB_BRIDGE")}); err != nil {
			return nil, usageError(err)
		}
		if err := in.readLabInventory(); err != nil {
			return nil, err
		}
	case f.inventory != "":
		if inv, err = inventory.Load(f.inventory); err != nil {
			return nil, usageError(err)
		}
	}
	if inv != nil {
		if in.hosts, err = inv.Hosts(gd.Settings.Nodes); err != nil {
			return nil, usageError(err)
		}
	}
	if f.vars != "" {
		vf, err := runner.ReadVars(f.vars)
		if err != nil {
			return nil, usageError(fmt.Errorf("--vars: %w", err))
		}
		in.vars, in.varsOrigin = vf.Values, vf.Origin
		for _, name := range slices.Sorted(maps.Keys(in.vars)) {
			if _, ok := gd.Settings.Placeholders[name]; !ok {
				return nil, usageError(fmt.Errorf("--vars %s sets %s, which the guide does not declare (see the guide's settings.toml)", in.varsOrigin[name], name))
			}
		}
	}
	return in, nil
}

// runSetup is what a run does for one distro: its steps, where it keeps
// its record, and the values of its placeholders.
type runSetup struct {
	distro string
	runDir string
	plan   *runner.Plan
	// resumed is the step a --resume run starts at.
	resumed string
	// values is nil when there are no hosts to take values from (plan
	// without -i for your nodes).
	values *runner.Values
}

// settle makes the step list and the values of a run for one distro; plan
// and verify both build them here. write is verify's: the run directory
// must be writable and keeps the secrets generated for the run; plan (and
// verify's check before it knows the distro) writes nothing.
func settle(in *runInputs, distro string, f *planFlags, write bool) (*runSetup, error) {
	st := &runSetup{distro: distro, runDir: f.runDir}
	if st.runDir == "" {
		st.runDir = filepath.Join("haguide-runs", distro)
	}
	opts := runner.PlanOptions{Lab: in.lab != nil, From: f.from, Only: f.only}
	p, err := runner.NewPlan(in.gd, distro, opts)
	if err != nil {
		return nil, usageError(withFlag(err, distro))
	}
	if f.resume {
		if opts.From, err = runner.ResumeFrom(st.runDir, p); err != nil {
			return nil, usageError(withFlag(err, distro))
		}
		if p, err = runner.NewPlan(in.gd, distro, opts); err != nil {
			return nil, usageError(withFlag(err, distro))
		}
		st.resumed = opts.From
	}
	st.plan = p
	if write {
		if err := checkWritableDir(st.runDir); err != nil {
			return nil, usageError(fmt.Errorf("run directory: %w", err))
		}
	}
	if in.hosts == nil {
		return st, nil
	}
	vars, origin := map[string]string{}, map[string]string{}
	if in.lab != nil {
		// The lab's own values (small worker counts) unless the lab's
		// inventory or --vars say otherwise.
		for name, v := range in.gd.Settings.LabValues() {
			if _, set := in.hosts[0].Vars[name]; !set {
				vars[name] = v
				origin[name] = in.gd.Settings.PlaceholderPos(name).String() + " (lab value)"
			}
		}
	}
	maps.Copy(vars, in.vars)
	maps.Copy(origin, in.varsOrigin)
	nodes := make([]runner.Node, len(in.hosts))
	for i, h := range in.hosts {
		nodes[i] = runner.Node{Name: h.Name, Address: h.Address, Vars: h.Vars, Origin: h.Origin}
	}
	cfg := runner.ValuesConfig{Settings: in.gd.Settings, Nodes: nodes, Vars: vars, Origin: origin, Needed: p.Placeholders()}
	if write {
		cfg.RunDir = st.runDir
	}
	if st.values, err = runner.NewValues(cfg); err != nil {
		return nil, usageError(withFlag(err, distro))
	}
	return st, nil
}

// settleAny checks a run whose distro the nodes will decide: the inputs
// are refused now, before connecting, when they are wrong for every distro
// the guide covers (a missing value every plan needs, a --from no plan
// has); settle checks them again for the nodes' distro.
func settleAny(in *runInputs, f *planFlags) error {
	var msgs []string
	for _, d := range in.gd.Settings.Distros {
		_, err := settle(in, d, f, false)
		if err == nil {
			return nil
		}
		if msg := fmt.Sprintf("for %s: %v", d, err); !slices.Contains(msgs, msg) {
			msgs = append(msgs, msg)
		}
	}
	return usageError(fmt.Errorf("whatever distro the nodes run, this run cannot go:\n%s", strings.Join(msgs, "\n")))
}

// checkWritableDir checks that dir can be written: it, or the nearest
// directory above it that exists, takes a new file. It makes nothing.
func checkWritableDir(dir string) error {
	d := dir
	for {
		fi, err := os.Stat(d)
		if err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("%s: %s is not a directory", dir, d)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return err
		}
		up := filepath.Dir(d)
		if up == d {
			return err
		}
		d = up
	}
	tmp, err := os.CreateTemp(d, ".haguide-check-*")
	if err != nil {
		return fmt.Errorf("%s: cannot write there: %w", dir, err)
	}
	tmp.Close()
	return os.Remove(tmp.Name())
}

// checkReportPath checks that a report copy can be written at path.
func checkReportPath(flag, path string) error {
	if path == "" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return usageError(fmt.Errorf("%s %s: is a directory", flag, path))
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return usageError(fmt.Errorf("%s %s: no directory %s", flag, path, dir))
	}
	if err := checkWritableDir(dir); err != nil {
		return usageError(fmt.Errorf("%s %s: %w", flag, path, err))
	}
	return nil
}

// readLabInventory takes the lab's hosts and values from its inventory.
func (in *runInputs) readLabInventory() error {
	path, data, err := in.lab.Inventory()
	if err != nil {
		return usageError(err)
	}
	inv, err := inventory.Parse(path, data)
	if err != nil {
		return fmt.Errorf("the lab's inventory: %w", err)
	}
	if in.hosts, err = inv.Hosts(in.gd.Settings.Nodes); err != nil {
		return usageError(err)
	}
	return nil
}
