package main

import (
	"errors"
	"fmt"

	"github.com/haguide/haguide/lab"
	"github.com/haguide/haguide/runner"
	"github.com/haguide/haguide/runner/transport"
)

// labFieldFlags names the flag of each lab.Config field a ConfigError names.
var labFieldFlags = map[string]string{"CIDR": "--cidr", "Bridge": "--bridge"}

// withFlag says which flag gave a value the packages refused, and the flag
// that fixes it where one does: the packages say what is wrong, only the
// command knows its flags. distro is the run's (for --from's pointer to
// plan). Other errors are returned as they are.
func withFlag(err error, distro string) error {
	var (
		ce *lab.ConfigError
		he *transport.HostKeyError
		re *runner.ResumeError
		me *runner.MissingValuesError
	)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, runner.ErrNoStep):
		return fmt.Errorf("--from %w (see `haguide plan --distro %s`)", err, distro)
	case errors.Is(err, runner.ErrNoChapter):
		return fmt.Errorf("--only %w", err)
	case errors.As(err, &re) && re.Done:
		return fmt.Errorf("--resume: %w; to run the guide again from the start, leave out --resume", err)
	case errors.As(err, &re):
		return fmt.Errorf("--resume: %w (is it the --run-dir of the run to go on with?); to start a new run, leave out --resume", err)
	case errors.As(err, &me):
		return fmt.Errorf("%w\nset them in the inventory's vars or a --vars file", err)
	case errors.As(err, &ce) && labFieldFlags[ce.Field] != "":
		err = fmt.Errorf("%s %s: %w", labFieldFlags[ce.Field], ce.Value, ce.Err)
		if errors.Is(err, lab.ErrOtherLab) {
			err = fmt.Errorf("%w; take it down with its --lab-dir, or give this one another --bridge and --cidr", err)
		}
		return err
	case errors.As(err, &he) && !he.Changed:
		return fmt.Errorf("%w (--accept-new-host-keys)", err)
	}
	return err
}
