package lint

import (
	"context"
	"io/fs"
	"os"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/runner"
)

// loadFor loads a one-chapter guide covering the given distros.
func loadFor(t *testing.T, distros, chapter string) *guide.Guide {
	t.Helper()
	g, err := guide.Load(fstest.MapFS{
		"SUMMARY.md": {Data: []byte("# T\n\n1. [One](one.md)\n")},
		"settings.toml": {Data: []byte(`release = "2025.1"
distros = [` + distros + `]
nodes = ["controller1", "controller2"]
[placeholders.CONTROLLER_VIP]
meaning = "vip"
example = "10.0.0.10"
type = "ipv4"
`)},
		"one.md": {Data: []byte(chapter)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestPackages replays the mistakes issue 30 found in the Ubuntu and RHEL
// blocks (a package's file edited before its install, a unit Ubuntu does
// not have, ports firewalld never opens), and their fixed forms.
func TestPackages(t *testing.T) {
	tests := []struct {
		name, distros, distro, chapter string
		want                           []string
	}{
		{
			name: "edit before install", distros: `"ubuntu"`, distro: "ubuntu",
			chapter: "# One\n\n```console\n# sed -i -e 's/^Listen 5000$/Listen NODE_ADDR:5000/' \\\n    /etc/apache2/sites-available/keystone.conf\n# apt-get install -y keystone\n```\n",
			want:    []string{"one.md:4:3: [ubuntu] /etc/apache2/sites-available/keystone.conf: edits a file of package keystone, which the plan of ubuntu has not installed yet (distros/packages.go)"},
		},
		{
			name: "edit after install, and >> through a dependency", distros: `"ubuntu"`, distro: "ubuntu",
			chapter: "# One\n\n```console\n# apt-get install -y keystone\n# sed -i 's/^Listen 80$/Listen NODE_ADDR:80/' /etc/apache2/ports.conf\n# echo x >>/etc/apache2/ports.conf\n```\n",
		},
		{
			name: "append and merge before install", distros: `"rhel"`, distro: "rhel",
			chapter: "# One\n\n```console\n# echo x >>/etc/openstack-dashboard/local_settings\n```\n\n```ini {file=/etc/nova/nova.conf apply=merge}\n[DEFAULT]\ndebug = true\n```\n",
			want: []string{
				"one.md:4:3: [rhel] /etc/openstack-dashboard/local_settings: appends to a file of package openstack-dashboard, which the plan of rhel has not installed yet (distros/packages.go)",
				"one.md:7:1: [rhel] /etc/nova/nova.conf: writes a file of package openstack-nova-common, which the plan of rhel has not installed yet (distros/packages.go)",
			},
		},
		{
			name: "unit the distro lacks, unit not installed, own unit", distros: `"ubuntu"`, distro: "ubuntu",
			chapter: "# One\n\n```ini {file=/etc/systemd/system/galera-check.service}\n[Service]\nExecStart=/bin/true\n```\n\n```console\n# apt-get install -y cinder-api cinder-scheduler\n# systemctl restart cinder-api cinder-scheduler galera-check\n# systemctl enable --now heat-api\n# systemctl reset-failed 'openhpid.*'\n```\n",
			want: []string{
				"one.md:10:3: [ubuntu] systemctl: no package of ubuntu ships a unit cinder-api (distros/packages.go)",
				"one.md:11:3: [ubuntu] systemctl: unit heat-api comes with heat-api, which the plan of ubuntu has not installed yet",
			},
		},
		{
			name: "Ubuntu 2025.1 runs one neutron-server, not Debian's split units", distros: `"ubuntu"`, distro: "ubuntu",
			chapter: "# One\n\n```console\n# apt-get install -y neutron-server neutron-plugin-ml2\n# systemctl restart neutron-server\n# systemctl restart neutron-api neutron-rpc-server neutron-ovn-maintenance-worker neutron-periodic-workers\n```\n",
			want: []string{
				"one.md:6:3: [ubuntu] systemctl: no package of ubuntu ships a unit neutron-api (distros/packages.go)",
				"one.md:6:3: [ubuntu] systemctl: no package of ubuntu ships a unit neutron-rpc-server (distros/packages.go)",
				"one.md:6:3: [ubuntu] systemctl: no package of ubuntu ships a unit neutron-ovn-maintenance-worker (distros/packages.go)",
				"one.md:6:3: [ubuntu] systemctl: no package of ubuntu ships a unit neutron-periodic-workers (distros/packages.go)",
			},
		},
		{
			name: "monolithic libvirtd on RHEL 9, modular sockets, own socket", distros: `"rhel"`, distro: "rhel",
			chapter: "# One\n\n```ini {file=/etc/systemd/system/probe.socket}\n[Socket]\nListenStream=/run/probe\n```\n\n```console\n# dnf install -y openstack-nova-compute\n# firewall-cmd --permanent --add-port=5900-5999/tcp\n# systemctl enable --now libvirtd openstack-nova-compute\n# systemctl enable --now virtqemud.socket virtnodedevd.socket probe.socket\n# systemctl start libvirtd.socket virtproxyd.socket\n```\n",
			want: []string{
				"one.md:11:3: [rhel] systemctl: no package of rhel ships a unit libvirtd (distros/packages.go)",
				"one.md:13:3: [rhel] systemctl: no package of rhel ships a unit libvirtd (distros/packages.go)",
				"one.md:13:3: [rhel] systemctl: no package of rhel ships a unit virtproxyd (distros/packages.go)",
			},
		},
		{
			name: "ports firewalld does not open", distros: `"rhel"`, distro: "rhel",
			chapter: "# One\n\n```console\n# dnf install -y rabbitmq-server memcached\n# firewall-cmd --permanent --add-port={5672,4369,25672}/tcp --add-port=35672-35682/tcp\n```\n\n" +
				"```cfg {file=/etc/haproxy/haproxy.cfg}\nlisten stats\n    bind CONTROLLER_VIP:8404\n    bind 127.0.0.1:3306\n    server controller1 CONTROLLER1_ADDR:5672 check\n```\n",
			want: []string{
				"one.md:4:3: [rhel] firewalld: memcached listens on 11211/tcp, which no firewall-cmd step of rhel opens",
				"one.md:10:5: [rhel] /etc/haproxy/haproxy.cfg: firewalld: HAProxy bind 10.0.0.10:8404, and no firewall-cmd step of rhel opens 8404/tcp",
			},
		},
		{
			name: "firewalld services", distros: `"rhel"`, distro: "rhel",
			chapter: "# One\n\n```console\n# dnf install -y pcs mariadb-server-galera\n# firewall-cmd --permanent --add-service=high-availability --add-service=galera\n```\n",
		},
		{
			name: "a package on one node only", distros: `"debian"`, distro: "debian",
			chapter: "# One\n\n```console {nodes=controller2}\n# apt-get install -y galera-arbitrator-4\n```\n\n" +
				"```sh {nodes=controller2 file=/etc/default/garb}\nGALERA_GROUP=x\n```\n\n" +
				"```console {nodes=controller2}\n# systemctl start garb\n# systemctl start garbx\n```\n\n" +
				"```console {nodes=controller1}\n# systemctl start garb\n```\n\n" +
				"```console\n# systemctl start garbx\n```\n",
			want: []string{
				"one.md:17:3: [debian] systemctl: unit garb comes with galera-arbitrator-4, which the plan of debian has not installed yet",
				"one.md:21:3: [debian] systemctl: no package of debian ships a unit garbx (distros/packages.go)",
				"one.md:13:3: [debian] systemctl: no package of debian ships a unit garbx (distros/packages.go)",
			},
		},
		{
			name: "MariaDB's messages outside the journal on RHEL", distros: `"rhel"`, distro: "rhel",
			chapter: "# One\n\n```console\n# dnf install -y mariadb-server-galera\n# firewall-cmd --permanent --add-service=galera\n# journalctl -u mariadb --since today | grep -q 'Running IST'\n# journalctl -b --unit=mariadb.service | grep IST\n# journalctl -umariadb -n 5\n# journalctl -u pacemaker -n 5\n# tail -c +1 /var/log/mariadb/mariadb.log | grep -q 'Running IST'\n```\n\n```console {run=no reason=\"shown\"}\n# journalctl -u mariadb\n```\n",
			want: []string{
				"one.md:6:3: [rhel] journalctl: mariadb on rhel writes its messages to /var/log/mariadb/mariadb.log, not to the journal (distros/packages.go)",
				"one.md:7:3: [rhel] journalctl: mariadb on rhel writes its messages to /var/log/mariadb/mariadb.log, not to the journal (distros/packages.go)",
				"one.md:8:3: [rhel] journalctl: mariadb on rhel writes its messages to /var/log/mariadb/mariadb.log, not to the journal (distros/packages.go)",
			},
		},
		{
			name: "MariaDB in the journal on Debian", distros: `"debian"`, distro: "debian",
			chapter: "# One\n\n```console\n# apt-get install -y mariadb-server\n# journalctl -u mariadb --since today | grep -q 'Running IST'\n```\n",
		},
		{
			name: "no firewall on Debian", distros: `"debian"`, distro: "debian",
			chapter: "# One\n\n```console\n# apt-get install -y memcached\n# systemctl restart memcached\n```\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Distro(context.Background(), loadFor(t, tt.distros, tt.chapter), tt.distro, Options{HAProxy: "-"})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range res.Problems {
				got = append(got, p.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSedFiles(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"-i", "s/a/b/", "/etc/x"}, []string{"/etc/x"}},
		{[]string{"-i", "-e", "s/a/b/", "-e", "s/c/d/", "/etc/x", "/etc/y"}, []string{"/etc/x", "/etc/y"}},
		{[]string{"-n", "/a/,$p", "/etc/x"}, []string{"/etc/x"}},
		{[]string{"s/a/b/"}, nil},
		{[]string{"-i", "s/a/b/", "", "relative"}, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, sedFiles(tt.args)); diff != "" {
			t.Errorf("sedFiles(%q) (-want +got):\n%s", tt.args, diff)
		}
	}
}

func TestPortRanges(t *testing.T) {
	ps := &packageState{open: map[string]bool{"35672-35682/tcp": true, "80/tcp": true, "5405-5412/udp": true}}
	for port, want := range map[string]bool{
		"80/tcp": true, "35675/tcp": true, "35672-35682/tcp": true, "35672-35690/tcp": false,
		"5405/udp": true, "5405/tcp": false, "81/tcp": false, "x/tcp": false, "80": false, "0/tcp": false,
	} {
		if got := ps.isOpen(port); got != want {
			t.Errorf("isOpen(%q) = %v, want %v", port, got, want)
		}
	}
	if diff := cmp.Diff([]string{"1/tcp", "2/tcp", "x"}, append(expandBraces("{1,2}/tcp"), expandBraces("x")...)); diff != "" {
		t.Errorf("expandBraces (-want +got):\n%s", diff)
	}
}

func FuzzPortRange(f *testing.F) {
	for _, s := range []string{"80/tcp", "35672-35682/tcp", "5405/udp", "-/tcp", "9-1/udp", "99999/tcp"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lo, hi, proto, ok := parsePortRange(s)
		if ok && (lo < 1 || hi < lo || hi > 65535 || (proto != "tcp" && proto != "udp")) {
			t.Fatalf("parsePortRange(%q) = %d, %d, %q", s, lo, hi, proto)
		}
		_ = expandBraces(s)
		_ = sedFiles([]string{"-i", s, s})
	})
}

// TestGuidePackages runs the package, unit and firewall checks on the real
// guide (HAGUIDE_GUIDE=DIR for another), for every distro. On the guide
// before issue 30 it failed on Ubuntu (Apache sites edited before their
// install, a cinder-api unit) and RHEL and SUSE (ports never opened).
func TestGuidePackages(t *testing.T) {
	g := realGuide(t)
	for _, d := range g.Settings.Distros {
		p, err := runner.NewPlan(g, d, runner.PlanOptions{Lab: true})
		if err != nil {
			t.Fatal(err)
		}
		res := &Result{}
		checkPackagesEachNode(p, g.Settings.Nodes, map[string]*file{}, res)
		for _, pr := range res.Problems {
			t.Errorf("%s", pr)
		}
	}
}

// realGuide loads the guide embedded in the binary, or the one in the
// directory HAGUIDE_GUIDE names.
func realGuide(t *testing.T) *guide.Guide {
	t.Helper()
	var fsys fs.FS = guide.Embedded
	if d := os.Getenv("HAGUIDE_GUIDE"); d != "" {
		fsys = os.DirFS(d)
	}
	g, err := guide.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return g
}
