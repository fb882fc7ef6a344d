// Package lint checks the files a guide writes without any node: for one
// distro it replays every file block of the plan, as the first node would
// get it (placeholders filled with the examples the settings give,
// apply=merge applied), and then checks the result with the tool made for
// it where the machine has one: `haproxy -c` for HAProxy's configuration
// (and, by reading the files, settings it accepts that the lab found not
// to work on the guide's packages, and checks of /healthcheck on an API
// whose paste file, as the distro's package installs it and the guide
// edits it, has no health check: distros.HealthRouteAt),
// parsers for ini, JSON and YAML files, and python3's parser for Python
// programs (parsed, never run). Shell commands are already parsed by
// guide.Check; here their installs, edits, systemctl actions,
// journalctl reads and firewall-cmd steps are replayed against
// distros.Packages, to find a package's file used before its install, a
// unit the distro lacks, a unit's messages looked for in the journal where
// the distro's service writes them to a file, and a port firewalld is not
// told to open.
package lint
