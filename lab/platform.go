package lab

import (
	"fmt"
	"runtime"
)

// Supported says whether the lab can run on this system: it needs Linux
// (systemd-nspawn, network namespaces, cgroups). Elsewhere haguide still
// checks, builds, serves and plans the guide, and verify runs on nodes of
// one's own.
func Supported() error { return supportedOn(runtime.GOOS) }

func supportedOn(goos string) error {
	if goos == "linux" {
		return nil
	}
	return fmt.Errorf("lab: the local lab needs Linux (systemd-nspawn, network namespaces), not %s", goos)
}
