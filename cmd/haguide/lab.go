package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/lab"
)

type labFlags struct {
	dir, cidr, bridge string
}

func (f *labFlags) add(cmd *cobra.Command) {
	pf := cmd.PersistentFlags()
	pf.StringVar(&f.dir, "lab-dir", envOr("HAGUIDE_LAB_DIR", lab.DefaultDir), "the lab's state `DIR` (keys, caches, disks)")
	pf.StringVar(&f.cidr, "cidr", os.Getenv("HAGUIDE_LAB_CIDR"), "the lab's own `NETWORK`: bridge .1, VIP .10, nodes .11 and up (env HAGUIDE_LAB_CIDR; default: the running lab's, else "+lab.DefaultCIDR+")")
	pf.StringVar(&f.bridge, "bridge", os.Getenv("HAGUIDE_LAB_BRIDGE"), "the host bridge's `NAME` (env HAGUIDE_LAB_BRIDGE; default: the running lab's, else "+lab.DefaultBridge+")")
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// openLab makes the lab for the guide's nodes, with the guide's lab values.
func openLab(g *globalFlags, f *labFlags) (*lab.Lab, error) {
	if err := labSupported(); err != nil {
		return nil, err
	}
	gd, err := g.LoadGuide()
	if err != nil {
		return nil, err
	}
	return newLab(g, gd, f)
}

// labSupported says why the lab cannot run here, if it cannot (it needs
// Linux). plan for the lab works anywhere: it boots nothing.
func labSupported() error {
	if err := lab.Supported(); err != nil {
		return fmt.Errorf("%w (verify -i INVENTORY runs the guide on nodes of your own)", err)
	}
	return nil
}

// newLab makes the lab for a guide's nodes, with its lab values.
func newLab(g *globalFlags, gd *guide.Guide, f *labFlags) (*lab.Lab, error) {
	// The nodes' BMCs call this very binary for chassis control.
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("the lab's BMCs need this program's path: %w", err)
	}
	l, err := lab.New(lab.Config{Dir: f.dir, Nodes: gd.Settings.Nodes, CIDR: f.cidr, Bridge: f.bridge, Vars: gd.Settings.LabValues(), Exe: exe, Logger: g.Logger()})
	return l, withFlag(err, "")
}

func newLabCmd(g *globalFlags) *cobra.Command {
	var f labFlags
	cmd := &cobra.Command{
		Use:   "lab",
		Short: "Run a local lab of Debian 13 nodes for verify (Linux, needs root)",
		Long: `lab runs the guide's nodes (controller1, ...) as systemd-nspawn containers
booting Debian 13 on this machine, each in a network namespace on a bridge of
the lab's own, with apt-cacher-ng as their package proxy (its cache kept
between runs), an SSH key and known_hosts made for the lab, and an inventory
file for verify -i (LAB-DIR/inventory.yml). verify without -i uses it.

Each node has a BMC: OpenIPMI's simulator on the host, on an address of the
lab's own (.21 and up), speaking IPMI v2 (lanplus, cipher suite 3) with the
user and password in the inventory (IPMI_USER, IPMI_PASS). Its power off cuts
the node as kill does, its power on boots it, its status is the node's. The
guide's fence devices (fence_ipmilan) and power cuts (ipmitool) use them as
they use a real server's BMC. A switched PDU, the second fencing level, runs
on the host at .20: net-snmp's snmpd answering SNMP v2c (community
PDU_COMMUNITY in the inventory) like an APC rack PDU, outlet N feeding node
N; switching an outlet off cuts the node and its BMC, on brings both back
(fence_apc_snmp).

Every node also has eth3 on the cluster network (Corosync's second link),
with its address there (CONTROLLERn_LINK1_ADDR in the inventory), and eth4
on the public network, where the guide's PUBLIC_VIP lives; up makes a lab
CA and a certificate for PUBLIC_NAME (LAB-DIR/tls/ca.pem for clients on
this machine) and puts the CA and the bundle on every node, at
PUBLIC_CA_CERT and PUBLIC_CERT_BUNDLE.

Faults for playing with the lab by hand: kill (power loss: every process of
the node ends at once), start, stop (a clean power-off), partition (cut its
network) and heal.

reimage NODE is the lab's stand-in for a server whose disk is gone for good
and gets a fresh operating system: the node, powered off (kill, stop or its
BMC), gets a new root from the lab's base image and a new SSH host key, which
replaces its old one in LAB-DIR/known_hosts; its name, addresses, BMC and PDU
outlet stay. It stays off: start, or a power on through its BMC, boots it
fresh. On your own servers you reinstall the operating system instead.`,
		Example: `  sudo haguide lab up
  sudo haguide lab status
  sudo haguide lab kill controller1 && sudo haguide lab start controller1
  sudo haguide lab partition controller2 && sudo haguide lab heal
  sudo haguide lab kill controller3 && sudo haguide lab reimage controller3 && sudo haguide lab start controller3
  sudo haguide lab down`,
	}
	f.add(cmd)
	withLab := func(use, short string, args cobra.PositionalArgs, fn func(context.Context, *lab.Lab, []string) error) *cobra.Command {
		return &cobra.Command{
			Use: use, Short: short, Args: args,
			ValidArgsFunction: cobra.NoFileCompletions,
			RunE: func(cmd *cobra.Command, a []string) error {
				l, err := openLab(g, &f)
				if err != nil {
					return err
				}
				return fn(cmd.Context(), l, a)
			},
		}
	}
	var format, holding string
	status := withLab("status", "Show the nodes, their addresses and state", cobra.NoArgs, func(_ context.Context, l *lab.Lab, _ []string) error {
		info, err := l.Info()
		if err != nil {
			return err
		}
		if format == "json" {
			enc := json.NewEncoder(g.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(info)
		}
		tw := tabwriter.NewWriter(g.stdout, 2, 8, 2, ' ', 0)
		fmt.Fprintln(tw, "node\taddress\tstate\tBMC\tBMC state")
		for _, n := range info.Nodes {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", n.Name, n.Addr, n.State, n.BMC, n.BMCState)
		}
		tw.Flush()
		fmt.Fprintf(g.stdout, "\nVIP %s, proxy %s\ninventory %s\n", info.VIP, info.Proxy, info.Inventory)
		return nil
	})
	status.Flags().StringVar(&format, "format", "text", "output `format`: text or json")
	cmd.AddCommand(
		withLab("up", "Boot the lab (safe to run again)", cobra.NoArgs, func(ctx context.Context, l *lab.Lab, _ []string) error {
			start := time.Now()
			if err := l.Up(ctx); err != nil {
				return fmt.Errorf("%w\n(haguide lab down removes what was made)", withFlag(err, ""))
			}
			info, _ := l.Info()
			fmt.Fprintf(g.stdout, "lab up in %s; inventory %s\n", time.Since(start).Round(time.Second), info.Inventory)
			return nil
		}),
		withLab("down", "Remove every process, interface and namespace of the lab", cobra.NoArgs, func(ctx context.Context, l *lab.Lab, _ []string) error {
			return l.Down(context.WithoutCancel(ctx))
		}),
		status,
		killCmd(withLab, &holding, g.stdout),
		withLab("stop NODE", "Power a node off cleanly (its services stop in order)", cobra.ExactArgs(1), func(ctx context.Context, l *lab.Lab, a []string) error {
			return l.Stop(ctx, a[0], 2*time.Minute)
		}),
		withLab("start NODE", "Boot a stopped node again", cobra.ExactArgs(1), func(ctx context.Context, l *lab.Lab, a []string) error {
			return l.Start(ctx, a[0])
		}),
		reimageCmd(withLab, g.stdout),
		withLab("partition NODE", "Cut a node's network", cobra.ExactArgs(1), func(ctx context.Context, l *lab.Lab, a []string) error {
			return l.Partition(ctx, a[0])
		}),
		withLab("heal", "Restore every partitioned node's network", cobra.NoArgs, func(ctx context.Context, l *lab.Lab, _ []string) error {
			return l.Heal(ctx)
		}),
		chassisCmd(withLab, g.stdout),
		pduCmd(withLab, g),
	)
	return cmd
}

// labUp brings the lab up for verify and returns its description.
func labUp(ctx context.Context, g *globalFlags, l *lab.Lab) (*lab.Info, error) {
	if err := labSupported(); err != nil {
		return nil, err
	}
	fmt.Fprintln(g.stderr, "haguide: bringing the local lab up (needs root; first time: a few minutes)")
	if err := l.Up(ctx); err != nil {
		_ = l.Down(context.WithoutCancel(ctx))
		return nil, withFlag(err, "")
	}
	return l.Info()
}

// killCmd is `lab kill NODE`, or `lab kill --holding ADDR`: the node that
// holds a virtual IP, as a rehearsal that loses "the VIP holder" needs.
func killCmd(withLab func(string, string, cobra.PositionalArgs, func(context.Context, *lab.Lab, []string) error) *cobra.Command, holding *string, out io.Writer) *cobra.Command {
	cmd := withLab("kill [NODE | --holding ADDR]", "Stop a node hard, as on power loss", cobra.MaximumNArgs(1), func(ctx context.Context, l *lab.Lab, a []string) error {
		node := ""
		switch {
		case *holding != "" && len(a) == 0:
			n, err := l.Holder(ctx, *holding)
			if err != nil {
				return err
			}
			if n == "" {
				return fmt.Errorf("no running node holds %s", *holding)
			}
			node = n
		case *holding == "" && len(a) == 1:
			node = a[0]
		default:
			return fmt.Errorf("name a node, or give --holding ADDR")
		}
		if err := l.Kill(ctx, node); err != nil {
			return err
		}
		fmt.Fprintln(out, "killed "+node)
		return nil
	})
	cmd.Flags().StringVar(holding, "holding", "", "kill the node that holds `ADDR` (a virtual IP)")
	return cmd
}

// reimageCmd is `lab reimage NODE`: the lab's stand-in for reinstalling a
// server's operating system on a new disk.
func reimageCmd(withLab func(string, string, cobra.PositionalArgs, func(context.Context, *lab.Lab, []string) error) *cobra.Command, out io.Writer) *cobra.Command {
	cmd := withLab("reimage NODE", "Give a powered-off node a fresh disk and SSH host key (it stays off)", cobra.ExactArgs(1), func(ctx context.Context, l *lab.Lab, a []string) error {
		start := time.Now()
		if err := l.Reimage(ctx, a[0]); err != nil {
			return err
		}
		fmt.Fprintf(out, "reimaged %s in %s; it is off: haguide lab start %s boots it\n", a[0], time.Since(start).Round(100*time.Millisecond), a[0])
		return nil
	})
	cmd.Long = `reimage stands in for a server whose disk is gone for good and gets its
operating system installed again. The node must be powered off (lab kill,
lab stop, or its BMC's chassis power off). Its root is replaced by a fresh
copy of the lab's base image, made as lab up makes a node's disk, with a new
SSH host key and machine ID; the lab's known_hosts line for the node gets
the new key. Its name, addresses, BMC and PDU outlet stay. It stays off:
lab start, or a power on through its BMC, boots it fresh.

An interrupted reimage leaves the node marked unfinished (lab status shows
it): it does not boot until the next reimage or lab up makes its disk.`
	cmd.Example = `  sudo haguide lab kill controller3
  sudo haguide lab reimage controller3
  sudo haguide lab start controller3`
	return cmd
}

// pduCmd is the program the lab's PDU (snmpd) runs for its outlets:
// `haguide lab pdu`, snmpd's pass_persist protocol on stdin and stdout.
// Hidden: people use fence_apc_snmp or snmpset against the PDU instead.
func pduCmd(withLab func(string, string, cobra.PositionalArgs, func(context.Context, *lab.Lab, []string) error) *cobra.Command, g *globalFlags) *cobra.Command {
	cmd := withLab("pdu", "The outlets of the lab's PDU (called by its snmpd)", cobra.NoArgs, func(ctx context.Context, l *lab.Lab, _ []string) error {
		return l.ServePDU(ctx, g.stdin, g.stdout)
	})
	cmd.Hidden = true
	return cmd
}

// chassisCmd is what a node's BMC runs for chassis control:
// `haguide lab chassis NODE 0x20 get power`, `... set power 0|1`. Hidden:
// people use ipmitool against the BMC instead.
func chassisCmd(withLab func(string, string, cobra.PositionalArgs, func(context.Context, *lab.Lab, []string) error) *cobra.Command, out io.Writer) *cobra.Command {
	cmd := withLab("chassis NODE DEVICE get|set ITEM [VALUE]", "Chassis control for a node's BMC (called by the BMC)", cobra.MinimumNArgs(4), func(ctx context.Context, l *lab.Lab, a []string) error {
		reply, err := l.Chassis(ctx, a[0], a[1:])
		if err != nil {
			return err
		}
		_, err = io.WriteString(out, reply)
		return err
	})
	cmd.Hidden = true
	return cmd
}
