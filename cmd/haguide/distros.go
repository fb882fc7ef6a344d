package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/haguide/haguide/distros"
)

func newDistrosCmd(g *globalFlags) *cobra.Command {
	var ids bool
	cmd := &cobra.Command{
		Use:   "distros",
		Short: "List the distros the guide covers",
		Long: `distros lists the distros the guide covers, with the release it targets and
where the OpenStack packages come from. --distro takes their ids; scripts
that run something for every distro read them with --ids.`,
		Example: `  haguide distros
  for d in $(haguide distros --ids); do haguide plan --distro "$d"; done`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			gd, err := g.LoadGuide()
			if err != nil {
				return err
			}
			if ids {
				for _, id := range gd.Settings.Distros {
					fmt.Fprintln(g.stdout, id)
				}
				return nil
			}
			tw := tabwriter.NewWriter(g.stdout, 2, 8, 2, ' ', 0)
			fmt.Fprintln(tw, "id\tdistro\trelease\tOpenStack packages")
			for _, id := range gd.Settings.Distros {
				d, _ := distros.Lookup(id) // the guide's check knows them all
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.ID, d.Name, d.Version, d.OpenStackSource)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&ids, "ids", false, "print only the ids, one a line")
	return cmd
}
