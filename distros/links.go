package distros

import (
	"fmt"
	"slices"
	"strings"
)

// DocsBase is the root of the OpenStack documentation site.
const DocsBase = "https://docs.openstack.org/"

// page describes one page of an Installation Guide: whether it exists once
// per distro (name-ubuntu.html, name-rdo.html, name-obs.html) and whether it
// has a Debian page of its own.
type page struct {
	perDistro bool
	debian    bool
}

// installGuidePages are pages of the general Installation Guide
// (docs.openstack.org/install-guide/, which is not versioned by release).
var installGuidePages = map[string]page{
	"index":                             {},
	"overview":                          {},
	"environment":                       {},
	"environment-security":              {},
	"environment-networking":            {},
	"environment-networking-controller": {},
	"environment-networking-verify":     {},
	"environment-ntp":                   {},
	"environment-ntp-controller":        {},
	"environment-ntp-other":             {},
	"environment-ntp-verify":            {},
	"environment-packages":              {perDistro: true},
	"environment-sql-database":          {perDistro: true},
	"environment-messaging":             {perDistro: true},
	"environment-memcached":             {perDistro: true},
	"environment-etcd":                  {perDistro: true},
	"openstack-services":                {},
	"launch-instance":                   {},
}

// servicePages are the install pages of each service's own guide
// (docs.openstack.org/SERVICE/RELEASE/install/PAGE.html).
var servicePages = map[string]map[string]page{
	"keystone": {
		"index": {}, "get-started": {},
		"keystone-install": {perDistro: true},
		"keystone-users":   {perDistro: true},
		"keystone-verify":  {perDistro: true},
		"keystone-openrc":  {perDistro: true},
	},
	"glance": {
		"index": {}, "get-started": {},
		"install": {perDistro: true},
		"verify":  {},
		"note_configuration_vary_by_distribution": {},
	},
	"placement": {
		"index":          {},
		"install":        {},
		"verify":         {},
		"install-ubuntu": {},
		"install-rdo":    {},
		"install-obs":    {},
	},
	"nova": {
		"index": {}, "overview": {}, "get-started-compute": {},
		"controller-install": {perDistro: true},
		"compute-install":    {perDistro: true},
		"verify":             {},
	},
	"neutron": {
		"index": {}, "overview": {}, "concepts": {},
		"install":            {perDistro: true},
		"controller-install": {perDistro: true},
		"compute-install":    {perDistro: true},
		"verify":             {},
		"ovn/manual_install": {},
	},
	"cinder": {
		"index": {}, "get-started-block-storage": {},
		"cinder-controller-install": {perDistro: true},
		"cinder-storage-install":    {perDistro: true},
		"cinder-backup-install":     {perDistro: true},
		"cinder-verify":             {},
	},
	"heat": {
		"index": {}, "get_started": {},
		"install":         {perDistro: true},
		"verify":          {},
		"launch-instance": {},
	},
	"horizon": {
		"index":      {},
		"install":    {perDistro: true},
		"verify":     {perDistro: true},
		"next-steps": {},
	},
	"ceilometer": {
		"index": {}, "get_started": {},
		"install-controller": {perDistro: true},
		"install-compute":    {perDistro: true},
		"verify":             {},
	},
	"aodh": {
		"index": {}, "get_started": {},
		"install":    {perDistro: true},
		"verify":     {},
		"next-steps": {},
	},
}

// docsProjects are the projects docs: links may name.
var docsProjects = []string{
	"keystone", "glance", "placement", "nova", "neutron", "cinder", "heat", "horizon",
	"ceilometer", "aodh", "oslo.messaging", "oslo.cache", "oslo.db", "oslo.config",
	"keystonemiddleware", "tooz", "python-openstackclient", "networking-ovn",
	"install-guide", "ha-guide", "operations-guide", "security-guide", "nova-specs",
}

// suffixFor returns the page suffix a distro reads for a page.
func suffixFor(distroID string, p page) string {
	d, ok := Lookup(distroID)
	if !ok {
		d, _ = Lookup("ubuntu")
	}
	if d.ID == "debian" && p.debian {
		return "debian"
	}
	return d.InstallSuffix
}

// ResolveLink turns one of the guide's short documentation references into
// a URL for a release and a distro:
//
//	install:SERVICE/PAGE        a page of a service's Installation Guide
//	install-guide:PAGE          a page of the general Installation Guide
//	docs:PROJECT/PATH           any page of a project's docs for the release
//
// An anchor (#...) is kept. An empty or unknown distro reads Ubuntu's pages.
func ResolveLink(release, distroID, dest string) (string, error) {
	kind, ref, ok := strings.Cut(dest, ":")
	if !ok {
		return "", fmt.Errorf("%q is not a documentation reference", dest)
	}
	ref, anchor, _ := strings.Cut(ref, "#")
	if anchor != "" {
		anchor = "#" + anchor
	}
	switch kind {
	case "install-guide":
		p, ok := installGuidePages[ref]
		if !ok {
			return "", fmt.Errorf("unknown Installation Guide page %q (known: %s)", ref, strings.Join(sortedKeys(installGuidePages), ", "))
		}
		return DocsBase + "install-guide/" + pageName(ref, distroID, p) + ".html" + anchor, nil
	case "install":
		svc, name, ok := strings.Cut(ref, "/")
		pages, known := servicePages[svc]
		if !ok || !known {
			return "", fmt.Errorf("unknown service %q in %q: use install:SERVICE/PAGE with one of %s", svc, dest, strings.Join(sortedKeys(servicePages), ", "))
		}
		p, ok := pages[name]
		if !ok {
			return "", fmt.Errorf("unknown %s install page %q (known: %s)", svc, name, strings.Join(sortedKeys(pages), ", "))
		}
		return DocsBase + svc + "/" + release + "/install/" + pageName(name, distroID, p) + ".html" + anchor, nil
	case "docs":
		proj, rest, ok := strings.Cut(ref, "/")
		if !ok || rest == "" {
			return "", fmt.Errorf("%q needs a page: docs:PROJECT/PATH", dest)
		}
		if !slices.Contains(docsProjects, proj) {
			return "", fmt.Errorf("unknown project %q in %q (known: %s)", proj, dest, strings.Join(docsProjects, ", "))
		}
		if strings.Contains(rest, "..") || strings.HasSuffix(rest, "/") {
			return "", fmt.Errorf("%q is not a page path", dest)
		}
		return DocsBase + proj + "/" + release + "/" + rest + ".html" + anchor, nil
	}
	return "", fmt.Errorf("unknown reference kind %q in %q: want install:, install-guide: or docs: as the prefix", kind, dest)
}

// PerDistro reports whether a reference resolves differently per distro,
// so a site can switch it with the reader's distro tab.
func PerDistro(dest string) bool {
	kind, ref, _ := strings.Cut(dest, ":")
	ref, _, _ = strings.Cut(ref, "#")
	switch kind {
	case "install-guide":
		return installGuidePages[ref].perDistro
	case "install":
		svc, name, _ := strings.Cut(ref, "/")
		return servicePages[svc][name].perDistro
	}
	return false
}

func pageName(name, distroID string, p page) string {
	if !p.perDistro {
		return name
	}
	return name + "-" + suffixFor(distroID, p)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
