package distros

import (
	"fmt"
	"strings"
)

// Flag is a command-line flag's value that names one distro (it satisfies
// pflag.Value and flag.Value): Set accepts only the id of a known distro,
// so a command that takes one never sees another.
type Flag string

// String returns the id set, or "".
func (f *Flag) String() string { return string(*f) }

// Set sets the id, if a distro has it.
func (f *Flag) Set(id string) error {
	if _, ok := Lookup(id); !ok {
		return fmt.Errorf("unknown distro (known: %s)", strings.Join(IDs(), ", "))
	}
	*f = Flag(id)
	return nil
}

// Type names the flag's kind in help.
func (f *Flag) Type() string { return "distro" }
