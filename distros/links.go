package distros

import (
	"fmt"
	"slices"
	"strings"
)

// DocsBase is the root of the OpenStack documentation site.
const DocsBase = "https://docs.openstack.org/"

// The tables below were checked against the sources of the 2025.1 documents
// (branch stable/2025.1 of each project, doc/source/install/*.rst, and the
// toctrees that list them); docs/links.md records what was read. A page with
// perDistro set exists once per distro as NAME-ubuntu, NAME-rdo and NAME-obs;
// debian says that it also has a NAME-debian page. Where a project also has a
// plain NAME page (an overview whose toctree lists the distro pages: glance,
// heat and nova have them), the short reference still resolves to the
// reader's distro page; the overview is reachable as docs:PROJECT/install/NAME.

// page describes one page of an Installation Guide: whether it exists once
// per distro (name-ubuntu.html, name-rdo.html, name-obs.html) and whether it
// has a Debian page of its own.
type page struct {
	perDistro bool
	debian    bool
}

var (
	plain     = page{}
	perDistro = page{perDistro: true}
	withDeb   = page{perDistro: true, debian: true}
)

// installGuidePages are pages of the general Installation Guide
// (docs.openstack.org/install-guide/, which is not versioned by release).
// Its environment-*.rst pages glob their distro pages (environment-packages-*);
// the Debian pages of 2016-2017 (Debian 8 backports) are gone from it.
var installGuidePages = map[string]page{
	"index":                             plain,
	"overview":                          plain,
	"environment":                       plain,
	"environment-security":              plain,
	"environment-networking":            plain,
	"environment-networking-controller": plain,
	"environment-networking-compute":    plain,
	"environment-networking-verify":     plain,
	"environment-ntp":                   plain,
	"environment-ntp-controller":        plain,
	"environment-ntp-other":             plain,
	"environment-ntp-verify":            plain,
	"environment-packages":              perDistro,
	"environment-sql-database":          perDistro,
	"environment-messaging":             perDistro,
	"environment-memcached":             perDistro,
	"environment-etcd":                  perDistro,
	"openstack-services":                plain,
	"launch-instance":                   plain,
}

// servicePages are the install pages of each service's own guide
// (docs.openstack.org/SERVICE/RELEASE/install/PAGE.html), as of the
// stable/2025.1 branches.
var servicePages = map[string]map[string]page{
	"keystone": {
		"index":            plain,
		"get-started":      perDistro,
		"keystone-install": perDistro,
		"keystone-users":   perDistro,
		"keystone-verify":  perDistro,
		"keystone-openrc":  perDistro,
	},
	"glance": {
		"index":       plain,
		"get-started": plain,
		"install":     withDeb,
		"verify":      plain,
	},
	"placement": {
		"index":     plain,
		"install":   perDistro,
		"verify":    plain,
		"from-pypi": plain,
	},
	"nova": {
		"index":               plain,
		"overview":            plain,
		"get-started-compute": plain,
		"controller-install":  perDistro,
		"compute-install":     perDistro,
		"verify":              plain,
	},
	"neutron": {
		"index":                             plain,
		"overview":                          plain,
		"concepts":                          plain,
		"common/get-started-networking":     plain,
		"install":                           perDistro,
		"environment-networking":            perDistro,
		"environment-networking-controller": perDistro,
		"environment-networking-compute":    perDistro,
		"environment-networking-verify":     perDistro,
		"controller-install":                perDistro,
		"controller-install-option1":        perDistro,
		"controller-install-option2":        perDistro,
		"compute-install":                   perDistro,
		"compute-install-option1":           perDistro,
		"compute-install-option2":           perDistro,
		"verify":                            plain,
		"verify-option1":                    plain,
		"verify-option2":                    plain,
		"ovn/index":                         plain,
		"ovn/manual_install":                plain,
	},
	"cinder": {
		"index":                     perDistro,
		"get-started-block-storage": plain,
		"cinder-controller-install": perDistro,
		"cinder-storage-install":    perDistro,
		"cinder-backup-install":     perDistro,
		"cinder-verify":             plain,
	},
	"heat": {
		"index":           plain,
		"get_started":     plain,
		"install":         withDeb,
		"verify":          plain,
		"launch-instance": plain,
		"next-steps":      plain,
	},
	"horizon": {
		"index":               plain,
		"system-requirements": plain,
		"install":             withDeb,
		"verify":              withDeb,
		"next-steps":          plain,
		"from-source":         plain,
		"plugin-registry":     plain,
	},
	"ceilometer": {
		"index":                   plain,
		"get_started":             plain,
		"install-controller":      plain,
		"install-base":            perDistro,
		"install-compute":         perDistro,
		"cinder/install-cinder":   perDistro,
		"glance/install-glance":   perDistro,
		"heat/install-heat":       perDistro,
		"neutron/install-neutron": perDistro,
		"swift/install-swift":     perDistro,
		"verify":                  plain,
		"next-steps":              plain,
	},
	"aodh": {
		"index":       plain,
		"get_started": plain,
		"install":     perDistro,
		"verify":      plain,
		"next-steps":  plain,
	},
}

// docsProjects are the projects docs: links may name, and whether their
// documentation is published per release (PROJECT/RELEASE/PATH.html) or once
// (PROJECT/PATH.html: the guides kept in openstack-manuals and elsewhere).
var docsProjects = map[string]bool{
	"keystone": true, "glance": true, "placement": true, "nova": true, "neutron": true,
	"cinder": true, "heat": true, "horizon": true, "ceilometer": true, "aodh": true,
	"oslo.messaging": true, "oslo.cache": true, "oslo.db": true, "oslo.config": true,
	"oslo.concurrency": true, "oslo.middleware": true, "keystonemiddleware": true,
	"keystoneauth": true, "tooz": true, "python-openstackclient": true,
	"glance_store": true, "ovsdbapp": true,
	"install-guide": false, "ha-guide": false, "operations-guide": false,
	"security-guide": false, "arch-design": false,
}

// variantSuffixes are the page suffixes a distro page can carry, for
// references that name one distro's page on purpose (install:placement/install-rdo).
var variantSuffixes = []string{"ubuntu", "rdo", "obs", "debian"}

// lookupPage finds a page by its short name, or by the name of one distro's
// variant of a per-distro page; fixed is then the full page name to use.
func lookupPage(pages map[string]page, name string) (p page, fixed string, ok bool) {
	if p, ok := pages[name]; ok {
		return p, "", true
	}
	for _, sfx := range variantSuffixes {
		base, found := strings.CutSuffix(name, "-"+sfx)
		if !found {
			continue
		}
		bp, ok := pages[base]
		if ok && bp.perDistro && (sfx != "debian" || bp.debian) {
			return plain, name, true
		}
	}
	return page{}, "", false
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
		p, fixed, ok := lookupPage(installGuidePages, ref)
		if !ok {
			return "", fmt.Errorf("unknown Installation Guide page %q (known: %s)", ref, strings.Join(sortedKeys(installGuidePages), ", "))
		}
		return DocsBase + "install-guide/" + pageName(ref, fixed, distroID, p) + ".html" + anchor, nil
	case "install":
		svc, name, ok := strings.Cut(ref, "/")
		pages, known := servicePages[svc]
		if !ok || !known {
			return "", fmt.Errorf("unknown service %q in %q: use install:SERVICE/PAGE with one of %s", svc, dest, strings.Join(sortedKeys(servicePages), ", "))
		}
		p, fixed, ok := lookupPage(pages, name)
		if !ok {
			return "", fmt.Errorf("unknown %s install page %q (known: %s)", svc, name, strings.Join(sortedKeys(pages), ", "))
		}
		return DocsBase + svc + "/" + release + "/install/" + pageName(name, fixed, distroID, p) + ".html" + anchor, nil
	case "docs":
		proj, rest, ok := strings.Cut(ref, "/")
		if !ok || rest == "" {
			return "", fmt.Errorf("%q needs a page: docs:PROJECT/PATH", dest)
		}
		versioned, known := docsProjects[proj]
		if !known {
			return "", fmt.Errorf("unknown project %q in %q (known: %s)", proj, dest, strings.Join(sortedKeys(docsProjects), ", "))
		}
		if strings.Contains(rest, "..") || strings.HasSuffix(rest, "/") {
			return "", fmt.Errorf("%q is not a page path", dest)
		}
		if !versioned {
			return DocsBase + proj + "/" + rest + ".html" + anchor, nil
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

func pageName(name, fixed, distroID string, p page) string {
	if fixed != "" {
		return fixed
	}
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
