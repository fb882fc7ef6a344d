package distros

import (
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
	if !PerDistro("install:keystone/keystone-install") || PerDistro("install:nova/verify") || PerDistro("docs:nova/x") {
		t.Error("PerDistro is wrong")
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
