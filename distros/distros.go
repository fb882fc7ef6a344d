package distros

import (
	"bufio"
	"fmt"
	"slices"
	"strings"
)

// Distro describes one supported distribution.
type Distro struct {
	// ID is the guide's name for the distro, used in distro= attributes.
	ID string
	// Name is the human name shown on tabs.
	Name string
	// Version is the release the guide targets.
	Version string
	// OSReleaseIDs are the ID values of /etc/os-release that belong to it.
	OSReleaseIDs []string
	// Family is the os-release ID_LIKE family: debian, rhel or suse.
	Family string
	// PackageTool installs packages: apt, dnf or zypper.
	PackageTool string
	// OpenStackSource says where the OpenStack packages come from.
	OpenStackSource string
	// InstallSuffix is the suffix of the Installation Guide's pages for this
	// distro (keystone-install-ubuntu.html), or the suffix of the distro whose
	// pages it reads when it has none of its own.
	InstallSuffix string
	// ClusterStackOnly is true for a distro the guide covers only for the
	// cluster stack, not for OpenStack services.
	ClusterStackOnly bool
	// Firewall is the firewall a default install runs ("firewalld"), or
	// "" for none.
	Firewall string
}

var all = []Distro{
	{
		ID: "ubuntu", Name: "Ubuntu", Version: "24.04 LTS",
		OSReleaseIDs: []string{"ubuntu"}, Family: "debian", PackageTool: "apt",
		OpenStackSource: "Ubuntu Cloud Archive", InstallSuffix: "ubuntu",
	},
	{
		ID: "debian", Name: "Debian", Version: "13",
		OSReleaseIDs: []string{"debian"}, Family: "debian", PackageTool: "apt",
		OpenStackSource: "Debian's own packages", InstallSuffix: "ubuntu",
	},
	{
		ID: "rhel", Name: "RHEL / CentOS Stream", Version: "9",
		OSReleaseIDs: []string{"rhel", "centos", "rocky", "almalinux"}, Family: "rhel", PackageTool: "dnf",
		OpenStackSource: "RDO", InstallSuffix: "rdo", Firewall: "firewalld",
	},
	{
		ID: "suse", Name: "SUSE", Version: "SLES 16 with SUSE Linux Enterprise High Availability 16",
		OSReleaseIDs: []string{"sles", "opensuse-leap", "opensuse-tumbleweed", "opensuse"}, Family: "suse", PackageTool: "zypper",
		OpenStackSource: "none (cluster stack only)", InstallSuffix: "obs", ClusterStackOnly: true, Firewall: "firewalld",
	},
}

// All returns every distro the project knows, in a stable order.
func All() []Distro { return slices.Clone(all) }

// IDs returns the ids of every known distro.
func IDs() []string {
	ids := make([]string, len(all))
	for i, d := range all {
		ids[i] = d.ID
	}
	return ids
}

// Lookup returns the distro with the given id.
func Lookup(id string) (Distro, bool) {
	for _, d := range all {
		if d.ID == id {
			return d, true
		}
	}
	return Distro{}, false
}

// OSRelease holds the fields of /etc/os-release that detection uses.
type OSRelease struct {
	ID        string
	IDLike    []string
	VersionID string
	Pretty    string
}

// ParseOSRelease reads the KEY=value lines of an os-release file.
func ParseOSRelease(text string) OSRelease {
	var r OSRelease
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		v = unquote(strings.TrimSpace(v))
		switch strings.TrimSpace(k) {
		case "ID":
			r.ID = strings.ToLower(v)
		case "ID_LIKE":
			r.IDLike = strings.Fields(strings.ToLower(v))
		case "VERSION_ID":
			r.VersionID = v
		case "PRETTY_NAME":
			r.Pretty = v
		}
	}
	return r
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		v = v[1 : len(v)-1]
		v = strings.NewReplacer(`\"`, `"`, `\\`, `\`, `\$`, `$`, "\\`", "`").Replace(v)
	}
	return v
}

// Detect returns the distro an os-release file describes. It matches ID
// first, then the ID_LIKE family for derivatives the table does not name.
func Detect(osRelease string) (Distro, OSRelease, error) {
	r := ParseOSRelease(osRelease)
	if r.ID == "" {
		return Distro{}, r, fmt.Errorf("os-release has no ID")
	}
	for _, d := range all {
		if slices.Contains(d.OSReleaseIDs, r.ID) {
			return d, r, nil
		}
	}
	for _, like := range r.IDLike {
		for _, d := range all {
			if slices.Contains(d.OSReleaseIDs, like) || d.Family == like {
				return d, r, nil
			}
		}
	}
	return Distro{}, r, fmt.Errorf("unsupported distribution %q (%s)", r.ID, r.Pretty)
}
