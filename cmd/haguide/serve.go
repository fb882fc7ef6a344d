package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/haguide/haguide/site"
)

func newServeCmd(g *globalFlags) *cobra.Command {
	var addr, runsDir string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Preview the site, rebuilding it when the guide changes",
		Long: `serve builds the site in memory and serves it over HTTP. With --guide DIR it
watches DIR (and figures/ in it): every change rebuilds the site and reloads
the pages open in a browser. A rebuild that fails keeps serving the last good
site, with the error (file:line:col) at the top of every page, until the
guide is fixed. Without --guide it serves the guide built into haguide and
watches nothing.

The run records (--runs, as for build) are read once, at the start.

serve is for writing the guide; publish with haguide build.`,
		Example: `  haguide serve --guide guide
  haguide serve --guide guide --addr 127.0.0.1:9000
  make serve`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir := ""
			if g.Guide != "" {
				st, err := os.Stat(g.Guide)
				if err != nil || !st.IsDir() {
					return fmt.Errorf("--guide %s: not a folder", g.Guide)
				}
				if dir, err = filepath.Abs(g.Guide); err != nil {
					return err
				}
			}
			ctx := cmd.Context()
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("--addr %s: %w", addr, err)
			}
			recs, err := readRuns(runsDir, cmd.Flags().Changed("runs"))
			if err != nil {
				return err
			}
			srv := site.NewServer(g.GuideFS(), dir, site.Options{Version: buildVersion(), Runs: recs}, g.Logger())
			if err := srv.Rebuild(); err != nil {
				fmt.Fprintf(g.stderr, "haguide: the first build failed; serving the error until the guide is fixed:\n%v\n", err)
			}
			fmt.Fprintf(g.stdout, "serving %s on http://%s/\n", g.guideName(), ln.Addr())
			if dir == "" {
				fmt.Fprintln(g.stdout, "watching nothing: pass --guide DIR to rebuild on change")
			} else {
				fmt.Fprintf(g.stdout, "watching %s; Ctrl-C stops\n", dir)
			}
			hs := &http.Server{
				Handler:           srv,
				ReadHeaderTimeout: 10 * time.Second,
				// Requests end with the command, so that open event
				// streams let Shutdown finish.
				BaseContext: func(net.Listener) context.Context { return ctx },
			}
			werr := make(chan error, 1)
			go func() { werr <- srv.Watch(ctx) }()
			serr := make(chan error, 1)
			go func() { serr <- hs.Serve(ln) }()
			select {
			case <-ctx.Done():
			case err := <-werr:
				if err != nil {
					_ = hs.Close()
					return err
				}
			case err := <-serr:
				return err
			}
			sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			// Event streams never end by themselves: close what is left.
			if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
				return err
			}
			_ = hs.Close()
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8000", "listen on `ADDR` (host:port; port 0 picks a free one)")
	cmd.Flags().StringVar(&runsDir, "runs", defaultRunsDir, "read the run records from `DIR` (haguide runs add)")
	_ = cmd.MarkFlagDirname("runs")
	return cmd
}
