package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
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
