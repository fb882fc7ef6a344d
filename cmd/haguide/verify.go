package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/haguide/haguide/distros"
	"github.com/haguide/haguide/internal/atomicfile"
	"github.com/haguide/haguide/lab"
	"github.com/haguide/haguide/runner"
	"github.com/haguide/haguide/runner/inventory"
	"github.com/haguide/haguide/runner/transport"
)

type verifyFlags struct {
	planFlags
	reportJSON  string
	junit       string
	keepLab     bool
	sshConfig   string
	knownHosts  []string
	identities  []string
	acceptNew   bool
	insecure    bool
	connTimeout time.Duration
	stateDir    string
}

func newVerifyCmd(g *globalFlags) *cobra.Command {
	var f verifyFlags
	cmd := &cobra.Command{
		Use:   "verify [--distro DISTRO] [-i INVENTORY]",
		Short: "Run every block of the guide on real nodes and check the results",
		Long: `verify runs the guide's blocks in order over SSH on the nodes they name,
for one distro, and checks each result: exit status, expected output, files
written. It stops at the first failing step and says which chapter, step,
node and command failed, with the log's path.

With -i it runs on your nodes, named in an Ansible-style inventory (INI or
YAML) by the guide's node names (controller1, ...). Without -i it boots the
local lab (see haguide lab; needs root) and takes it down at the end unless
--keep-lab is given. When -i names the local lab's own inventory (LAB-DIR/inventory.yml of
--lab-dir, with its nodes up), the run goes the way it goes on your nodes (the
plan for your nodes, your known hosts), and still samples the lab's memory and
counts as on the lab in its report.

Placeholders come from the inventory's variables and --vars FILE; secrets
nobody gives are generated once per run directory and never printed. The run
directory keeps logs, reports and what passed: --resume goes on from the first
step that did not pass.

Every local input (the inventory, --vars and the values the run needs,
--from, --only, --resume, the run directory and the report paths) is checked
before anything connects or the lab boots. haguide plan with the same flags
shows the steps verify will run.

` + exitCodesHelp,
		Example: `  sudo haguide verify --distro debian                    # on a local lab
  haguide verify -i hosts.ini --vars vars.yml           # distro from the nodes
  haguide verify -i hosts.yml --distro rhel --only 4,5
  haguide verify -i hosts.ini --resume                  # after fixing a failure`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runVerify(cmd.Context(), g, &f)
		},
	}
	f.planFlags.add(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.reportJSON, "report-json", "", "also write the JSON report to `FILE`")
	fl.StringVar(&f.junit, "junit", "", "also write a JUnit XML report to `FILE`")
	fl.BoolVar(&f.keepLab, "keep-lab", false, "leave the local lab running at the end")
	fl.StringVar(&f.sshConfig, "ssh-config", "", "OpenSSH client config `FILE` (default ~/.ssh/config)")
	fl.StringSliceVar(&f.knownHosts, "known-hosts", nil, "known_hosts `FILE`s (default ~/.ssh/known_hosts)")
	fl.StringSliceVar(&f.identities, "identity", nil, "private key `FILE`s to try, as ssh -i")
	fl.BoolVar(&f.acceptNew, "accept-new-host-keys", false, "record the keys of hosts not yet in known_hosts (a changed key is always refused)")
	fl.BoolVar(&f.insecure, "insecure-ignore-host-keys", false, "do not check host keys at all (unsafe)")
	fl.DurationVar(&f.connTimeout, "connect-timeout", 20*time.Second, "give up connecting to a node after `DURATION`")
	fl.StringVar(&f.stateDir, "node-state-dir", "", "where each node keeps the shell state between commands (default /var/lib/haguide/shell)")
	_ = fl.MarkHidden("node-state-dir")
	cmd.MarkFlagsMutuallyExclusive("accept-new-host-keys", "insecure-ignore-host-keys")
	return cmd
}

// verifyChecked, when set (by tests), gets what verify settled before it
// connects to anything, and its error ends the run there.
var verifyChecked func(*runInputs, *runSetup) error

func runVerify(ctx context.Context, g *globalFlags, f *verifyFlags) (err error) {
	defer func() {
		if err != nil && ctx.Err() != nil {
			err = &codeError{exitInterrupted, err}
		}
	}()
	// 1. Check every local input before connecting to anything.
	v, err := checkVerify(g, f)
	if err != nil {
		return err
	}
	if verifyChecked != nil {
		return verifyChecked(v.in, v.setup)
	}
	// 2. Reach the targets: boot the lab, connect, read their distro.
	if v.in.lab != nil {
		down, err := v.bootLab(ctx, g, f)
		if err != nil {
			return err
		}
		defer down()
	}
	conns, closeAll, err := dialAll(ctx, v.in.hosts, v.topts, g)
	if err != nil {
		return reachError(err)
	}
	defer closeAll()
	distro, err := checkDistro(ctx, conns, v.in.gd.Settings.Nodes, v.in.distro)
	if err != nil {
		return reachError(err)
	}
	if v.setup == nil {
		if v.setup, err = settle(v.in, distro, &f.planFlags, true); err != nil {
			return err
		}
	}
	if v.setup.resumed != "" {
		fmt.Fprintf(g.stderr, "haguide: resuming at %s\n", v.setup.resumed)
	}
	// 3. Run, and 4. report.
	rep, runErr, err := v.run(ctx, g, f, conns, distro)
	if err != nil {
		return err
	}
	return v.report(ctx, g, f, rep, runErr)
}

// verifyRun is what verify settled before it connects: the inputs, the
// run (nil until the distro is known) and how to connect.
type verifyRun struct {
	in    *runInputs
	setup *runSetup
	topts transport.Options
	peak  memoryPeak
	// sampled is the lab whose memory the run samples: the lab verify
	// boots, or the one whose own inventory -i names; nil for other nodes.
	sampled *lab.Lab
}

// checkVerify checks every local input of verify: the inputs, the key and
// config files to connect with, the run for the distro if it is given,
// and the report paths.
func checkVerify(g *globalFlags, f *verifyFlags) (*verifyRun, error) {
	in, err := inputs(g, &f.planFlags, nil)
	if err != nil {
		return nil, err
	}
	if in.lab == nil && f.inventory == "" {
		return nil, usageError(fmt.Errorf("the local lab runs %s nodes: use --distro %s, or -i with nodes of %s", lab.Distro, lab.Distro, in.distro))
	}
	v := &verifyRun{in: in, topts: transport.Options{
		SSHConfig: f.sshConfig, KnownHosts: f.knownHosts, IdentityFiles: f.identities,
		AcceptNew: f.acceptNew, Insecure: f.insecure, Agent: true,
		ConnectTimeout: f.connTimeout, Logger: g.Logger(), Passphrase: askPassphrase(g),
	}}
	v.sampled = in.lab
	if in.lab == nil {
		v.sampled = ownLab(g, in, f)
		targets := make([]transport.Target, len(in.hosts))
		for i, h := range in.hosts {
			targets[i] = transport.Target{Name: h.Name, IdentityFile: h.IdentityFile}
		}
		if err := transport.CheckFiles(v.topts, targets...); err != nil {
			return nil, usageError(err)
		}
	}
	if in.distro != "" {
		v.setup, err = settle(in, in.distro, &f.planFlags, true)
	} else {
		err = settleAny(in, &f.planFlags)
	}
	if err != nil {
		return nil, err
	}
	if err := checkReportPath("--report-json", f.reportJSON); err != nil {
		return nil, err
	}
	if err := checkReportPath("--junit", f.junit); err != nil {
		return nil, err
	}
	return v, nil
}

// bootLab brings the lab up and connects with its own key and known
// hosts; down takes it down at the end unless --keep-lab.
func (v *verifyRun) bootLab(ctx context.Context, g *globalFlags, f *verifyFlags) (down func(), err error) {
	in := v.in
	info, err := labUp(ctx, g, in.lab)
	if err != nil {
		return nil, reachError(err)
	}
	down = func() {}
	if !f.keepLab {
		down = func() {
			fmt.Fprintln(g.stderr, "haguide: taking the lab down (use --keep-lab to keep it)")
			if err := in.lab.Down(context.WithoutCancel(ctx)); err != nil {
				g.Logger().Error("lab down failed; run `haguide lab down`", "err", err)
			}
		}
	}
	v.topts.KnownHosts = []string{info.KnownHosts}
	v.topts.IdentityFiles = []string{info.Key}
	v.topts.SSHConfig = os.DevNull
	v.topts.Agent = false
	// The lab's BMC password exists once its BMCs have started: take the
	// inventory as up wrote it.
	err = in.readLabInventory()
	if err == nil {
		v.setup, err = settle(in, in.distro, &f.planFlags, true)
	}
	if err != nil {
		down()
		return nil, err
	}
	return down, nil
}

// run runs the plan on the nodes, sampling the lab's memory meanwhile.
// err is an error before the run; runErr the run's own.
func (v *verifyRun) run(ctx context.Context, g *globalFlags, f *verifyFlags, conns map[string]*transport.Conn, distro string) (rep *runner.Report, runErr, err error) {
	runDir, values := v.setup.runDir, v.setup.values
	// Local blocks run this haguide, on this lab and this guide.
	localEnv := append(values.Env(), "PATH="+localPath(), "HAGUIDE_LAB_DIR="+f.labDir)
	if g.Guide != "" {
		abs, err := filepath.Abs(g.Guide)
		if err != nil {
			return nil, nil, err
		}
		localEnv = append(localEnv, "HAGUIDE_GUIDE="+abs)
	}
	runConns := map[string]runner.Conn{}
	for n, c := range conns {
		runConns[n] = c
	}
	color, ci := Color(g.stdout), os.Getenv("CI") != ""
	ex := &runner.Executor{Plan: v.setup.plan, Conns: runConns, Local: &runner.LocalConn{Env: localEnv}, Values: values,
		RunDir: runDir, NodeStateDir: f.stateDir, Progress: g.stdout, Color: color, Timestamps: !color || ci,
		Logger: g.Logger(), Live: color && !ci}
	target := v.in.target()
	if v.in.lab == nil && v.sampled != nil {
		target = "the local lab, through -i"
	}
	fmt.Fprintf(g.stdout, "verify: %s on %s (%s), run directory %s\n", distro, strings.Join(v.in.gd.Settings.Nodes, ", "), target, runDir)
	if v.sampled != nil {
		stopSampling := sampleMemory(v.sampled, &v.peak)
		defer stopSampling()
	}
	rep, runErr = ex.Run(ctx)
	// The plans for the lab and for own nodes are the same; a run through
	// the lab's own inventory ran on the lab.
	rep.Lab = rep.Lab || v.sampled != nil
	return rep, runErr, nil
}

// ownLab returns the local lab when -i names that lab's own inventory
// (LAB-DIR/inventory.yml of --lab-dir) and its nodes run: verify then
// samples its memory, as when it boots the lab, and reports the run as on
// the lab. It returns nil for any other inventory, and when the lab cannot
// be read (the run itself does not need it).
func ownLab(g *globalFlags, in *runInputs, f *verifyFlags) *lab.Lab {
	given, err := os.Stat(f.inventory)
	if err != nil {
		return nil
	}
	own, err := os.Stat(filepath.Join(f.labDir, "inventory.yml"))
	if err != nil || !os.SameFile(given, own) || lab.Supported() != nil {
		return nil
	}
	l, err := newLab(g, in.gd, &labFlags{dir: f.labDir, cidr: os.Getenv("HAGUIDE_LAB_CIDR"), bridge: os.Getenv("HAGUIDE_LAB_BRIDGE")})
	if err != nil {
		return nil
	}
	info, err := l.Info()
	if err != nil {
		return nil
	}
	for _, n := range info.Nodes {
		if !strings.HasPrefix(n.State, "running") {
			return nil
		}
	}
	return l
}

// report prints and writes the run's result first; a report that cannot
// be written is said after it and does not change the exit status.
func (v *verifyRun) report(ctx context.Context, g *globalFlags, f *verifyFlags, rep *runner.Report, runErr error) error {
	runDir := v.setup.runDir
	rep.Commit = guideCommit(g.Guide)
	if use, at := v.peak.get(); use.Total > 0 {
		rep.PeakMemory = use.Total
		rep.Peak = peakReport(rep, use, at)
		printPeak(g.stdout, rep)
	}
	fmt.Fprintln(g.stdout)
	_ = rep.WriteTable(g.stdout)
	fmt.Fprintf(g.stdout, "\n%s in %s; reports in %s\n", rep.Result, rep.Duration, runDir)
	if err := rep.WriteFiles(runDir); err != nil {
		fmt.Fprintf(g.stderr, "haguide: cannot write the reports in %s: %v\n", runDir, err)
	}
	for _, c := range rep.Chapters {
		if c.Passed > 0 && c.Failed == 0 && c.NotRun == 0 {
			fmt.Fprintf(g.stdout, "to show on the site what passed: haguide runs add %s (see docs/site.md)\n", runDir)
			break
		}
	}
	for _, err := range writeReportCopies(rep, f) {
		fmt.Fprintf(g.stderr, "haguide: %v\n", err)
	}
	if ctx.Err() != nil {
		return &codeError{exitInterrupted, fmt.Errorf("interrupted; go on with: haguide verify --resume --run-dir %s (and the same -i/--vars)", runDir)}
	}
	var se *runner.StepError
	if errors.As(runErr, &se) {
		return fmt.Errorf("%w\n  fix it, then go on with: haguide verify --resume --run-dir %s (and the same -i/--vars)", runErr, runDir)
	}
	return runErr
}

// writeReportCopies writes --report-json and --junit; it returns what
// could not be written.
func writeReportCopies(rep *runner.Report, f *verifyFlags) []error {
	write := func(path string, fn func(io.Writer) error) error {
		if path == "" {
			return nil
		}
		return atomicfile.WriteFunc(path, 0o644, atomicfile.Options{}, fn)
	}
	var errs []error
	if err := write(f.reportJSON, rep.WriteJSON); err != nil {
		errs = append(errs, fmt.Errorf("--report-json: %w", err))
	}
	if err := write(f.junit, rep.WriteJUnit); err != nil {
		errs = append(errs, fmt.Errorf("--junit: %w", err))
	}
	return errs
}

// localPath puts the running haguide first on PATH, so the guide's local
// blocks (`haguide lab kill ...`) run this very binary.
func localPath() string {
	p := os.Getenv("PATH")
	if exe, err := os.Executable(); err == nil {
		p = filepath.Dir(exe) + string(os.PathListSeparator) + p
	}
	return p
}

// askPassphrase asks for a key's passphrase on the terminal, if there is one.
func askPassphrase(g *globalFlags) func(string) ([]byte, error) {
	f, ok := g.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	var mu sync.Mutex
	return func(file string) ([]byte, error) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(g.stderr, "Enter passphrase for %s: ", file)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(g.stderr)
		return b, err
	}
}

// dialAll connects to every node at once; any failure is an error naming
// the node.
func dialAll(ctx context.Context, list []inventory.Host, opts transport.Options, g *globalFlags) (map[string]*transport.Conn, func(), error) {
	conns := make(map[string]*transport.Conn, len(list))
	var mu sync.Mutex
	errs := make([]error, len(list)) // in the inventory's order
	failed := false
	var wg sync.WaitGroup
	for i, h := range list {
		wg.Go(func() {
			o := opts
			if h.Become != nil { // ansible_become says whether to use sudo
				o.Sudo = transport.SudoNever
				if *h.Become {
					o.Sudo = transport.SudoAlways
				}
			}
			c, err := transport.Dial(ctx, transport.Target{Name: h.Name, Address: h.Address, Port: h.Port, User: h.User, IdentityFile: h.IdentityFile}, o)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs[i], failed = withFlag(err, ""), true // transport errors name the node
				return
			}
			conns[h.Name] = c
		})
	}
	wg.Wait()
	closeAll := func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}
	if failed {
		closeAll()
		return nil, nil, sameOnce(errs, list)
	}
	if !g.Quiet {
		fmt.Fprintf(g.stderr, "haguide: connected to %d node(s)\n", len(conns))
	}
	return conns, closeAll, nil
}

// sameOnce joins the errors of the nodes, saying an error that is the
// same for several nodes (but for the node's name) once.
func sameOnce(errs []error, hosts []inventory.Host) error {
	type group struct {
		first error
		nodes []string
	}
	var order []string
	groups := map[string]*group{}
	for _, err := range errs {
		if err == nil {
			continue
		}
		key, node := err.Error(), ""
		for _, h := range hosts {
			if strings.Contains(key, h.Name) {
				key, node = strings.ReplaceAll(key, h.Name, "\x00"), h.Name
				break
			}
		}
		gr := groups[key]
		if gr == nil {
			gr = &group{first: err}
			groups[key] = gr
			order = append(order, key)
		} else {
			gr.nodes = append(gr.nodes, node)
		}
	}
	out := make([]error, 0, len(order))
	for _, key := range order {
		gr := groups[key]
		if len(gr.nodes) == 0 {
			out = append(out, gr.first)
			continue
		}
		slices.Sort(gr.nodes)
		out = append(out, fmt.Errorf("%w (and the same for %s)", gr.first, strings.Join(gr.nodes, ", ")))
	}
	return errors.Join(out...)
}

// checkDistro reads every node's /etc/os-release: the nodes must all run
// one distro, and it must be the one --distro names.
func checkDistro(ctx context.Context, conns map[string]*transport.Conn, nodes []string, want string) (string, error) {
	found := map[string][]string{}
	for _, n := range nodes {
		data, err := conns[n].ReadFile(ctx, "/etc/os-release")
		if err != nil {
			return "", fmt.Errorf("%s: read /etc/os-release: %w", n, err)
		}
		id := "unknown"
		if d, _, err := distros.Detect(string(data)); err == nil {
			id = d.ID
		}
		found[id] = append(found[id], n)
	}
	if want != "" {
		for id, ns := range found {
			if id != want {
				return "", fmt.Errorf("--distro %s, but %s run %s: nothing was run", want, strings.Join(ns, ", "), id)
			}
		}
		return want, nil
	}
	if len(found) != 1 {
		var parts []string
		for id, ns := range found {
			parts = append(parts, id+": "+strings.Join(ns, ", "))
		}
		slices.Sort(parts)
		return "", fmt.Errorf("the nodes run different distros (%s): the guide runs one distro at a time", strings.Join(parts, "; "))
	}
	for id := range found {
		if id == "unknown" {
			return "", errors.New("the nodes' /etc/os-release names no distro haguide knows: give --distro")
		}
		return id, nil
	}
	return "", nil
}

// memorySampleEvery is how often verify samples the lab's memory. Reading
// the PSS of every node process walks their page tables in the kernel: at
// every 3 s it cost a fifth of one core on a full control plane, CPU the
// lab's rehearsals measure with. The control plane's memory grows over
// minutes, so 15 s loses little of the peak.
const memorySampleEvery = 15 * time.Second

// memoryPeak holds the largest sample so far and when it was taken.
type memoryPeak struct {
	mu  sync.Mutex
	use lab.MemoryUse
	at  time.Time
}

func (p *memoryPeak) offer(use lab.MemoryUse, at time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if use.Total > p.use.Total {
		p.use, p.at = use, at
	}
}

func (p *memoryPeak) get() (lab.MemoryUse, time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.use, p.at
}

// sampleMemory records the lab's peak memory every memorySampleEvery until
// the returned function is called.
func sampleMemory(l *lab.Lab, peak *memoryPeak) func() {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(memorySampleEvery)
		defer t.Stop()
		for {
			if m, err := l.Memory(); err == nil {
				peak.offer(m, time.Now())
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done) }
}

// peakPrograms is how many programs the report names at the peak.
const peakPrograms = 12

// peakReport turns the peak sample into the report's record of it.
func peakReport(rep *runner.Report, use lab.MemoryUse, at time.Time) *runner.MemoryPeak {
	share := func(in []lab.NamedBytes) []runner.MemoryShare {
		out := make([]runner.MemoryShare, 0, len(in))
		for _, n := range in {
			out = append(out, runner.MemoryShare{Name: n.Name, Bytes: n.Bytes, Processes: n.Processes})
		}
		return out
	}
	return &runner.MemoryPeak{At: at.UTC(), Step: rep.StepAt(at), AnonBytes: use.Anon, Nodes: share(use.Nodes),
		Programs: share(use.Programs[:min(len(use.Programs), peakPrograms)])}
}

// printPeak prints the peak and the largest programs at that moment.
func printPeak(w io.Writer, rep *runner.Report) {
	size := func(b int64) string {
		if b >= 1<<30 {
			return fmt.Sprintf("%.2f GiB", float64(b)/(1<<30))
		}
		return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
	}
	fmt.Fprintf(w, "lab peak memory (PSS of every node process): %s", size(rep.PeakMemory))
	p := rep.Peak
	if p == nil {
		fmt.Fprintln(w)
		return
	}
	fmt.Fprintf(w, " at %s", p.At.Format(time.TimeOnly))
	if p.Step != "" {
		fmt.Fprintf(w, ", during %s", p.Step)
	}
	fmt.Fprintln(w)
	if p.AnonBytes > 0 {
		fmt.Fprintf(w, "  of which anonymous %s (heaps and stacks); the rest is file pages the kernel can drop\n", size(p.AnonBytes))
	}
	for _, n := range p.Nodes {
		fmt.Fprintf(w, "  %-24s %9s  %4d processes\n", n.Name, size(n.Bytes), n.Processes)
	}
	fmt.Fprintln(w, "  largest programs:")
	for _, n := range p.Programs {
		fmt.Fprintf(w, "  %-24s %9s  %4d processes\n", n.Name, size(n.Bytes), n.Processes)
	}
}
