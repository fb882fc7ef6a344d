package distros

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		name, osRelease, want, wantErr string
	}{
		{"debian 13", "PRETTY_NAME=\"Debian GNU/Linux 13 (trixie)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"13\"\nID=debian\n", "debian", ""},
		{"ubuntu 24.04", "NAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\nID=ubuntu\nID_LIKE=debian\n", "ubuntu", ""},
		{"centos stream 9", "NAME=\"CentOS Stream\"\nVERSION_ID=\"9\"\nID=\"centos\"\nID_LIKE=\"rhel fedora\"\n", "rhel", ""},
		{"rhel 9", "ID=\"rhel\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"9.4\"\n", "rhel", ""},
		{"rocky", "ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n", "rhel", ""},
		{"oracle via ID_LIKE", "ID=\"ol\"\nID_LIKE=\"fedora rhel\"\n", "rhel", ""},
		{"sles", "ID=\"sles\"\nID_LIKE=\"suse\"\nVERSION_ID=\"15.6\"\n", "suse", ""},
		{"leap", "ID=\"opensuse-leap\"\nID_LIKE=\"suse opensuse\"\n", "suse", ""},
		{"mint via ID_LIKE", "ID=linuxmint\nID_LIKE=\"ubuntu debian\"\n", "ubuntu", ""},
		{"comments and blanks", "# comment\n\n  ID = 'debian'  \n", "debian", ""},
		{"unknown", "ID=gentoo\nPRETTY_NAME=\"Gentoo Linux\"\n", "", `unsupported distribution "gentoo" (Gentoo Linux)`},
		{"empty", "", "", "os-release has no ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _, err := Detect(tt.osRelease)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if gotErr != tt.wantErr || d.ID != tt.want {
				t.Errorf("Detect = %q, %q; want %q, %q", d.ID, gotErr, tt.want, tt.wantErr)
			}
		})
	}
}

func TestParseOSRelease(t *testing.T) {
	got := ParseOSRelease("ID=\"centos\"\nID_LIKE=\"rhel fedora\"\nVERSION_ID=\"9\"\nPRETTY_NAME=\"CentOS \\\"Stream\\\" 9\"\nJUNK\n")
	want := OSRelease{ID: "centos", IDLike: []string{"rhel", "fedora"}, VersionID: "9", Pretty: `CentOS "Stream" 9`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestResolveLink(t *testing.T) {
	tests := []struct {
		distro, dest, want, wantErr string
	}{
		{"ubuntu", "install:keystone/keystone-install", "https://docs.openstack.org/keystone/2025.1/install/keystone-install-ubuntu.html", ""},
		{"rhel", "install:keystone/keystone-install", "https://docs.openstack.org/keystone/2025.1/install/keystone-install-rdo.html", ""},
		{"suse", "install:keystone/keystone-install#anchor", "https://docs.openstack.org/keystone/2025.1/install/keystone-install-obs.html#anchor", ""},
		{"debian", "install:keystone/keystone-install", "https://docs.openstack.org/keystone/2025.1/install/keystone-install-ubuntu.html", ""},
		{"", "install:keystone/keystone-install", "https://docs.openstack.org/keystone/2025.1/install/keystone-install-ubuntu.html", ""},
		{"rhel", "install:nova/verify", "https://docs.openstack.org/nova/2025.1/install/verify.html", ""},
		{"rhel", "install-guide:environment-packages", "https://docs.openstack.org/install-guide/environment-packages-rdo.html", ""},
		{"rhel", "install-guide:environment-ntp", "https://docs.openstack.org/install-guide/environment-ntp.html", ""},
		{"debian", "docs:oslo.messaging/configuration/opts#oslo_messaging_rabbit", "https://docs.openstack.org/oslo.messaging/2025.1/configuration/opts.html#oslo_messaging_rabbit", ""},
		{"debian", "install:glance/install", "https://docs.openstack.org/glance/2025.1/install/install-debian.html", ""},
		{"ubuntu", "install:glance/install", "https://docs.openstack.org/glance/2025.1/install/install-ubuntu.html", ""},
		{"debian", "install:heat/install", "https://docs.openstack.org/heat/2025.1/install/install-debian.html", ""},
		{"debian", "install:horizon/verify", "https://docs.openstack.org/horizon/2025.1/install/verify-debian.html", ""},
		{"debian", "install:nova/controller-install", "https://docs.openstack.org/nova/2025.1/install/controller-install-ubuntu.html", ""},
		{"rhel", "install:placement/install", "https://docs.openstack.org/placement/2025.1/install/install-rdo.html", ""},
		{"suse", "install:cinder/cinder-controller-install", "https://docs.openstack.org/cinder/2025.1/install/cinder-controller-install-obs.html", ""},
		{"rhel", "install:keystone/get-started", "https://docs.openstack.org/keystone/2025.1/install/get-started-rdo.html", ""},
		{"rhel", "install:ceilometer/install-controller", "https://docs.openstack.org/ceilometer/2025.1/install/install-controller.html", ""},
		{"rhel", "install:ceilometer/install-base", "https://docs.openstack.org/ceilometer/2025.1/install/install-base-rdo.html", ""},
		{"debian", "install:neutron/ovn/manual_install", "https://docs.openstack.org/neutron/2025.1/install/ovn/manual_install.html", ""},
		{"debian", "install:neutron/controller-install-option2", "https://docs.openstack.org/neutron/2025.1/install/controller-install-option2-ubuntu.html", ""},
		{"debian", "install:aodh/install", "https://docs.openstack.org/aodh/2025.1/install/install-ubuntu.html", ""},
		// One distro's page named on purpose resolves the same for every reader.
		{"debian", "install:placement/install-rdo", "https://docs.openstack.org/placement/2025.1/install/install-rdo.html", ""},
		{"rhel", "install:glance/install-debian#prerequisites", "https://docs.openstack.org/glance/2025.1/install/install-debian.html#prerequisites", ""},
		{"rhel", "install-guide:environment-sql-database-ubuntu", "https://docs.openstack.org/install-guide/environment-sql-database-ubuntu.html", ""},
		{"debian", "docs:nova/install/controller-install", "https://docs.openstack.org/nova/2025.1/install/controller-install.html", ""},
		{"debian", "docs:ha-guide/intro-ha", "https://docs.openstack.org/ha-guide/intro-ha.html", ""},
		{"debian", "install:keystone/keystone-install-debian", "", "unknown keystone install page"},
		{"debian", "install:nova/verify-ubuntu", "", "unknown nova install page"},
		{"debian", "install:placement/controller-install", "", "unknown placement install page"},
		{"debian", "install-guide:environment-packages-debian", "", "unknown Installation Guide page"},
		{"debian", "docs:networking-ovn/x", "", "unknown project"},
		{"debian", "install:keystone/nope", "", "unknown keystone install page"},
		{"debian", "install:nope/x", "", "unknown service \"nope\""},
		{"debian", "install:keystone", "", "unknown service \"keystone\""},
		{"debian", "install-guide:nope", "", "unknown Installation Guide page"},
		{"debian", "docs:nope/x", "", "unknown project"},
		{"debian", "docs:nova", "", "needs a page"},
		{"debian", "docs:nova/../x", "", "is not a page path"},
		{"debian", "ftp:x", "", "unknown reference kind"},
		{"debian", "plain", "", "is not a documentation reference"},
	}
	for _, tt := range tests {
		t.Run(tt.distro+" "+tt.dest, func(t *testing.T) {
			got, err := ResolveLink("2025.1", tt.distro, tt.dest)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ResolveLink = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	for dest, want := range map[string]bool{
		"install:keystone/keystone-install":  true,
		"install:glance/install#x":           true,
		"install-guide:environment-packages": true,
		"install:nova/verify":                false,
		"install:placement/install-rdo":      false,
		"install-guide:environment-ntp":      false,
		"docs:nova/x":                        false,
		"install:nope/x":                     false,
	} {
		if got := PerDistro(dest); got != want {
			t.Errorf("PerDistro(%q) = %v, want %v", dest, got, want)
		}
	}
}

// TestPageTables checks that every page of the tables resolves for every
// distro, and that a Debian page is only claimed by a per-distro page.
func TestPageTables(t *testing.T) {
	for svc, pages := range servicePages {
		for name, p := range pages {
			if p.debian && !p.perDistro {
				t.Errorf("%s/%s: debian without perDistro", svc, name)
			}
			for _, d := range IDs() {
				u, err := ResolveLink("2025.1", d, "install:"+svc+"/"+name)
				if err != nil || !strings.HasPrefix(u, DocsBase+svc+"/2025.1/install/"+name) || !strings.HasSuffix(u, ".html") {
					t.Errorf("install:%s/%s for %s = %q, %v", svc, name, d, u, err)
				}
			}
		}
	}
	for name, p := range installGuidePages {
		if p.debian {
			t.Errorf("install-guide:%s claims a Debian page; the general guide has none", name)
		}
	}
}

func TestTable(t *testing.T) {
	for _, d := range All() {
		if d.ID == "" || d.Name == "" || d.Family == "" || d.PackageTool == "" || d.InstallSuffix == "" || len(d.OSReleaseIDs) == 0 {
			t.Errorf("incomplete distro %+v", d)
		}
		if got, ok := Lookup(d.ID); !ok || got.ID != d.ID {
			t.Errorf("Lookup(%q) failed", d.ID)
		}
	}
	if diff := cmp.Diff([]string{"ubuntu", "debian", "rhel", "suse"}, IDs()); diff != "" {
		t.Errorf("IDs (-want +got):\n%s", diff)
	}
}

// TestPackageTables checks the per-distro package tables: every distro
// has one, paths are absolute, a file has one owner, ports are
// "N/proto" or "N-M/proto".
func TestPackageTables(t *testing.T) {
	portRe := regexp.MustCompile(`^[1-9][0-9]{0,4}(-[1-9][0-9]{0,4})?/(tcp|udp)$`)
	for _, d := range IDs() {
		ps := Packages(d)
		if len(ps) == 0 {
			t.Errorf("%s: no package table", d)
		}
		owner := map[string]string{}
		for _, p := range ps {
			if p.Name == "" {
				t.Errorf("%s: package without a name: %+v", d, p)
			}
			for _, f := range p.Files {
				if !strings.HasPrefix(f, "/") {
					t.Errorf("%s/%s: relative path %q", d, p.Name, f)
				}
				if o, ok := owner[f]; ok && o != p.Name {
					t.Errorf("%s: %s shipped by %s and %s", d, f, o, p.Name)
				}
				owner[f] = p.Name
				if got, ok := PackageOf(d, f); !ok || got.Name != p.Name {
					t.Errorf("PackageOf(%s, %s) = %q, %v", d, f, got.Name, ok)
				}
			}
			for _, port := range p.Ports {
				if !portRe.MatchString(port) {
					t.Errorf("%s/%s: bad port %q", d, p.Name, port)
				}
			}
			for _, u := range p.Units {
				if !slices.Contains(UnitPackages(d, u+".service"), p.Name) {
					t.Errorf("UnitPackages(%s, %s) misses %s", d, u, p.Name)
				}
			}
			if p.Log != "" && (!strings.HasPrefix(p.Log, "/") || len(p.Units) == 0) {
				t.Errorf("%s/%s: log %q needs an absolute path and a unit", d, p.Name, p.Log)
			}
		}
	}
	if log, ok := UnitLog("rhel", "mariadb.service"); !ok || log != "/var/log/mariadb/mariadb.log" {
		t.Errorf(`UnitLog("rhel", "mariadb.service") = %q, %v`, log, ok)
	}
	if log, ok := UnitLog("debian", "mariadb"); ok {
		t.Errorf("Debian's MariaDB logs to the journal, got %q", log)
	}
	if got := UnitPackages("ubuntu", "cinder-api"); len(got) != 0 {
		t.Errorf("ubuntu has no cinder-api unit (Apache runs it), got %v", got)
	}
	if ports, ok := FirewalldService("high-availability"); !ok || !slices.Contains(ports, "2224/tcp") {
		t.Errorf("high-availability = %v, %v", ports, ok)
	}
	if _, ok := FirewalldService("nope"); ok {
		t.Error("unknown firewalld service found")
	}
	if Packages("nope") != nil {
		t.Error("unknown distro has packages")
	}
}

func TestFlag(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{in: "debian", want: "debian"},
		{in: "rhel", want: "rhel"},
		{in: "plan9", want: "ubuntu", wantErr: true},
		{in: "", want: "ubuntu", wantErr: true},
		{in: "Debian", want: "ubuntu", wantErr: true},
	}
	for _, tt := range tests {
		f := Flag("ubuntu")
		err := f.Set(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("Set(%q) error = %v, want an error: %v", tt.in, err, tt.wantErr)
		}
		if got := f.String(); got != tt.want {
			t.Errorf("after Set(%q): %q, want %q (a refused id changes nothing)", tt.in, got, tt.want)
		}
	}
}
