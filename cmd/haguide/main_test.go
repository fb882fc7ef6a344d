package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/haguide/haguide/internal/sshtest"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"haguide": func() { os.Exit(Main()) },
	})
}

// TestScripts runs the CLI scripts in testdata/script: each is a txtar
// archive of commands and the files they use.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			e.Setenv("NO_COLOR", "1")
			// Never the machine's own lab: plan reads a lab's network.
			e.Setenv("HAGUIDE_LAB_DIR", filepath.Join(e.WorkDir, ".lab"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// status N PROG ARGS... runs PROG as exec does and checks that
			// it exits with status N.
			"status": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) < 2 {
					ts.Fatalf("usage: status N PROG ARGS...")
				}
				want, err := strconv.Atoi(args[0])
				ts.Check(err)
				got := 0
				if err := ts.Exec(args[1], args[2:]...); err != nil {
					var ee *exec.ExitError
					if !errors.As(err, &ee) {
						ts.Fatalf("%s: %v", args[1], err)
					}
					got = ee.ExitCode()
				}
				if got != want {
					ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
				}
			},
			// env-stdout NAME sets NAME to the last command's stdout,
			// without the trailing newline.
			"env-stdout": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: env-stdout NAME")
				}
				ts.Setenv(args[0], strings.TrimRight(ts.ReadFile("stdout"), "\n"))
			},
			// sshd-nodes NAME... starts an SSH server per node on
			// 127.0.0.1 and writes inventory.ini, known_hosts and the
			// client key id into $WORK; every host has the inventory
			// variable WORK_DIR=$WORK.
			"sshd-nodes": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) == 0 {
					ts.Fatalf("usage: sshd-nodes NAME...")
				}
				work := ts.Getenv("WORK")
				var inv, kh strings.Builder
				key := filepath.Join(work, "id")
				for _, n := range args {
					s := sshtest.New(t, sshtest.Options{})
					s.WriteClientKey(key+"-"+n, "")
					fmt.Fprintf(&inv, "%s ansible_host=%s ansible_port=%d ansible_user=root ansible_ssh_private_key_file=%s WORK_DIR=%s\n", n, s.Host(), s.Port(), key+"-"+n, work)
					kh.WriteString(s.KnownHostsLine())
				}
				ts.Check(os.WriteFile(filepath.Join(work, "inventory.ini"), []byte(inv.String()), 0o600))
				ts.Check(os.WriteFile(filepath.Join(work, "known_hosts"), []byte(kh.String()), 0o600))
			},
		},
	})
}

// SIGTERM (and SIGINT) end the context Main runs the commands with.
func TestInterruptContext(t *testing.T) {
	ctx, stop := interruptContext()
	defer stop()
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("SIGTERM did not end the context")
	}
}
