package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/site"
)

func newBuildCmd(g *globalFlags) *cobra.Command {
	var out, baseURL, runsDir string
	cmd := &cobra.Command{
		Use:   "build",
		Short: "Write the guide as a static site",
		Long: `build checks the guide, renders every page and writes the static site into
the output folder: HTML pages, a print view of the whole guide, the search
index, sitemap.xml and 404.html, with every asset embedded. The folder works
from file:// and from any static host, without network.

The site is written beside the output folder first and then swapped in, so
a failed build leaves the previous site as it was. The output folder must be
missing, empty, or a site haguide built.

With run records (--runs, by default docs/runs when it exists: see haguide
runs add), every chapter says per distro when it last passed a run of
haguide verify, or that none executed it.

A broken internal link or anchor, an unknown Installation Guide reference or
a missing image fails the build with file:line:col, like haguide check.`,
		Example: `  haguide build                      # into ./public
  haguide build --out /srv/www/ha-guide --base-url https://example.org/ha-guide/
  haguide build --guide ./guide -o /tmp/site && xdg-open /tmp/site/index.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			recs, err := readRuns(runsDir, cmd.Flags().Changed("runs"))
			if err != nil {
				return err
			}
			s, err := site.Build(g.GuideFS(), out, site.Options{BaseURL: baseURL, Version: buildVersion(), Runs: recs})
			if err != nil {
				if ds, ok := err.(guide.Diagnostics); ok {
					for _, d := range ds {
						fmt.Fprintln(g.stderr, d)
					}
					return fmt.Errorf("%s: %d problem(s); nothing written", g.guideName(), len(ds))
				}
				if errors.Is(err, site.ErrOccupied) {
					return fmt.Errorf("--out: %w", err)
				}
				return err
			}
			if !g.Quiet {
				fmt.Fprintf(g.stdout, "wrote %s: %d pages, %d files, %d KB (search index %d KB)\n",
					out, len(s.Pages), len(s.Files), (s.Size()+1023)/1024, (s.SearchIndex+1023)/1024)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "public", "write the site into `DIR`")
	cmd.Flags().StringVar(&baseURL, "base-url", os.Getenv("HAGUIDE_BASE_URL"), "the site's public `URL`, for absolute links in sitemap.xml and 404.html (env HAGUIDE_BASE_URL)")
	cmd.Flags().StringVar(&runsDir, "runs", defaultRunsDir, "read the run records from `DIR` (haguide runs add)")
	_ = cmd.MarkFlagDirname("out")
	_ = cmd.MarkFlagDirname("runs")
	return cmd
}
