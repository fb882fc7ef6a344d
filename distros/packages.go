package distros

import (
	"slices"
	"strings"
)

// Package is what the guide relies on from one package of a distro: the
// files it ships that the guide edits, the systemd units it ships, and
// the ports its service listens on for other hosts. `haguide check
// --configs` uses it to find a file edited, or a unit started, before the
// plan installs its package, a unit the distro does not have, and a port
// that the distro's firewall is not told to open. The lists hold what
// the guide touches, not the packages' whole contents; the sources are
// in docs/links.md.
type Package struct {
	Name string
	// PulledBy are packages the guide installs that bring this one in.
	PulledBy []string
	// Files are absolute paths of files the package ships.
	Files []string
	// Units are the systemd units it ships, without ".service".
	Units []string
	// Ports are "5672/tcp" or "35672-35682/tcp".
	Ports []string
	// Log is the file where the service of its Units writes its messages
	// instead of the journal, when it does: `journalctl -u UNIT` shows
	// little more than systemd's own start and stop there.
	Log string
}

// Common pieces of the tables below.
var (
	galeraPorts   = []string{"4567/tcp", "4567/udp", "4568/tcp", "4444/tcp"}
	rabbitPorts   = []string{"5672/tcp", "4369/tcp", "25672/tcp", "35672-35682/tcp"}
	etcdPorts     = []string{"2379/tcp", "2380/tcp"}
	ovnPorts      = []string{"6641-6644/tcp"}
	clusterPorts  = []string{"2224/tcp", "5405/udp"}
	debianCommons = []Package{
		{Name: "chrony", Units: []string{"chrony"}},
		{Name: "corosync", PulledBy: []string{"pacemaker"}, Files: []string{"/etc/corosync/corosync.conf"}, Units: []string{"corosync"}, Ports: []string{"5405/udp"}},
		{Name: "pacemaker", Units: []string{"pacemaker"}},
		{Name: "cluster-glue", PulledBy: []string{"pacemaker", "crmsh"}},
		{Name: "openhpid", PulledBy: []string{"pacemaker", "crmsh"}, Units: []string{"openhpid"}},
		{Name: "openipmi", PulledBy: []string{"fence-agents-ipmilan"}, Units: []string{"openipmi"}},
		{Name: "haproxy", Units: []string{"haproxy"}},
		{Name: "mariadb-server", Units: []string{"mariadb"}, Ports: galeraPorts},
		{Name: "galera-arbitrator-4", Files: []string{"/etc/default/garb"}, Units: []string{"garb"}},
		{Name: "rabbitmq-server", Units: []string{"rabbitmq-server"}, Ports: rabbitPorts},
		{Name: "memcached", Files: []string{"/etc/memcached.conf"}, Units: []string{"memcached"}, Ports: []string{"11211/tcp"}},
		{Name: "etcd-server", Files: []string{"/etc/default/etcd"}, Units: []string{"etcd"}, Ports: etcdPorts},
		{Name: "ovn-central", Files: []string{"/etc/default/ovn-central"}, Units: []string{"ovn-central"}, Ports: ovnPorts},
		{Name: "keystone", Files: []string{"/etc/keystone/keystone.conf"}},
		{Name: "glance-common", PulledBy: []string{"glance", "glance-api"}, Files: []string{"/etc/glance/glance-api.conf"}},
		{Name: "glance-api", PulledBy: []string{"glance"}, Units: []string{"glance-api"}},
		{Name: "placement-common", PulledBy: []string{"placement-api"}, Files: []string{"/etc/placement/placement.conf"}},
		{Name: "nova-common", PulledBy: []string{"nova-api", "nova-conductor", "nova-scheduler", "nova-novncproxy", "nova-consoleproxy"}, Files: []string{"/etc/nova/nova.conf", "/etc/nova/api-paste.ini"}},
		{Name: "nova-api", Units: []string{"nova-api"}},
		{Name: "nova-conductor", Units: []string{"nova-conductor"}},
		{Name: "nova-scheduler", Units: []string{"nova-scheduler"}},
		{Name: "cinder-common", PulledBy: []string{"cinder-api", "cinder-scheduler"}, Files: []string{"/etc/cinder/cinder.conf"}},
		{Name: "cinder-scheduler", Units: []string{"cinder-scheduler"}},
		{Name: "heat-common", PulledBy: []string{"heat-api", "heat-api-cfn", "heat-engine"}, Files: []string{"/etc/heat/heat.conf"}},
		{Name: "heat-api", Units: []string{"heat-api"}},
		{Name: "heat-api-cfn", Units: []string{"heat-api-cfn"}},
		{Name: "heat-engine", Units: []string{"heat-engine"}},
		{Name: "ceilometer-common", PulledBy: []string{"ceilometer-agent-central"}, Files: []string{"/etc/ceilometer/ceilometer.conf"}},
		{Name: "ceilometer-agent-central", Units: []string{"ceilometer-agent-central"}},
		{Name: "neutron-common", PulledBy: []string{"neutron-server"}, Files: []string{"/etc/neutron/neutron.conf", "/etc/neutron/api-paste.ini"}},
		{Name: "openvswitch-switch", PulledBy: []string{"ovn-host"}, Units: []string{"openvswitch-switch", "ovs-vswitchd", "ovsdb-server"}},
		{Name: "ovn-host", Units: []string{"ovn-host", "ovn-controller"}},
		{Name: "neutron-ovn-metadata-agent", Files: []string{"/etc/neutron/neutron_ovn_metadata_agent.ini"}, Units: []string{"neutron-ovn-metadata-agent"}},
		{Name: "nova-compute", PulledBy: []string{"nova-compute-kvm", "nova-compute-qemu"}, Units: []string{"nova-compute"}},
		{Name: "libvirt-daemon-system", PulledBy: []string{"nova-compute-kvm", "nova-compute-qemu"}, Units: []string{"libvirtd"}},
	}
)

var packages = map[string][]Package{
	// Debian 13: read from the trixie packages' file lists; its uwsgi API
	// services ship a unit of their own each.
	"debian": append(slices.Clone(debianCommons),
		Package{Name: "apache2", PulledBy: []string{"openstack-dashboard-apache"}, Files: []string{"/etc/apache2/ports.conf"}, Units: []string{"apache2"}},
		Package{Name: "openstack-dashboard-apache", Files: []string{"/etc/apache2/sites-available/openstack-dashboard.conf"}},
		Package{Name: "keystone", Units: []string{"keystone"}},
		Package{Name: "placement-api", Units: []string{"placement-api"}},
		Package{Name: "nova-api", Units: []string{"nova-api", "nova-api-metadata"}},
		Package{Name: "nova-consoleproxy", Files: []string{"/etc/default/nova-consoleproxy"}, Units: []string{"nova-novncproxy", "nova-serialproxy", "nova-spicehtml5proxy"}},
		// nova-compute-qemu depends on qemu-system (every architecture);
		// the guide installs the x86 one.
		Package{Name: "nova-compute-kvm", Files: []string{"/etc/nova/nova-compute.conf"}},
		Package{Name: "cinder-api", Units: []string{"cinder-api"}},
		Package{Name: "neutron-api", PulledBy: []string{"neutron-server"}, Units: []string{"neutron-api", "neutron-rpc-server"}},
		Package{Name: "neutron-ovn-maintenance-worker", Units: []string{"neutron-ovn-maintenance-worker"}},
		Package{Name: "neutron-periodic-workers", Units: []string{"neutron-periodic-workers"}},
		Package{Name: "ovn-common", PulledBy: []string{"ovn-central"}, Units: []string{"ovn-northd", "ovn-ovsdb-server-nb", "ovn-ovsdb-server-sb"}},
	),
	// Ubuntu 24.04 with the Cloud Archive: Keystone, Placement and
	// Cinder's API run in Apache (sites-available/keystone.conf,
	// placement-api.conf, conf-available/cinder-wsgi.conf); there is no
	// cinder-api unit.
	"ubuntu": append(slices.Clone(debianCommons),
		Package{Name: "apache2", PulledBy: []string{"keystone", "placement-api", "cinder-api", "openstack-dashboard"}, Files: []string{"/etc/apache2/ports.conf"}, Units: []string{"apache2"}},
		Package{Name: "keystone", Files: []string{"/etc/apache2/sites-available/keystone.conf"}},
		Package{Name: "placement-api", Files: []string{"/etc/apache2/sites-available/placement-api.conf"}},
		Package{Name: "cinder-api", Files: []string{"/etc/apache2/conf-available/cinder-wsgi.conf"}},
		Package{Name: "openstack-dashboard", Files: []string{"/etc/openstack-dashboard/local_settings.py"}},
		Package{Name: "nova-novncproxy", Units: []string{"nova-novncproxy"}},
		Package{Name: "nova-compute-qemu", Files: []string{"/etc/nova/nova-compute.conf"}},
		// 2025.1 still runs the one neutron-server daemon (eventlet, as
		// neutron): Ubuntu ships neutron-api, neutron-rpc-server and
		// neutron-periodic-workers only from 2025.2 (docs/links.md).
		Package{Name: "neutron-server", Units: []string{"neutron-server"}},
		Package{Name: "neutron-plugin-ml2", Files: []string{"/etc/neutron/plugins/ml2/ml2_conf.ini"}},
		Package{Name: "ovn-common", PulledBy: []string{"ovn-central"}, Units: []string{"ovn-northd", "ovn-ovsdb-server-nb", "ovn-ovsdb-server-sb"}},
	),
	// CentOS Stream / RHEL 9 with RDO: services are openstack-NAME units,
	// Apache is httpd.
	"rhel": {
		{Name: "chrony", Files: []string{"/etc/chrony.conf"}, Units: []string{"chronyd"}},
		{Name: "pcs", Units: []string{"pcsd"}, Ports: []string{"2224/tcp"}},
		{Name: "corosync", PulledBy: []string{"pacemaker", "pcs"}, Units: []string{"corosync"}, Ports: []string{"5405/udp"}},
		{Name: "pacemaker", Units: []string{"pacemaker"}},
		{Name: "haproxy", Units: []string{"haproxy"}},
		// log-error in my.cnf.d/mariadb-server.cnf (Fedora's packaging).
		{Name: "mariadb-server", PulledBy: []string{"mariadb-server-galera"}, Units: []string{"mariadb"}, Ports: galeraPorts, Log: "/var/log/mariadb/mariadb.log"},
		{Name: "galera", PulledBy: []string{"mariadb-server-galera"}, Files: []string{"/etc/sysconfig/garb"}, Units: []string{"garbd"}},
		{Name: "rabbitmq-server", Units: []string{"rabbitmq-server"}, Ports: rabbitPorts},
		{Name: "memcached", Files: []string{"/etc/sysconfig/memcached"}, Units: []string{"memcached"}, Ports: []string{"11211/tcp"}},
		{Name: "etcd", Files: []string{"/etc/etcd/etcd.conf"}, Units: []string{"etcd"}, Ports: etcdPorts},
		{Name: "httpd", PulledBy: []string{"openstack-dashboard", "openstack-placement-api", "python3-mod_wsgi"}, Files: []string{"/etc/httpd/conf/httpd.conf"}, Units: []string{"httpd"}},
		{Name: "openstack-keystone", Files: []string{"/etc/keystone/keystone.conf", "/usr/share/keystone/wsgi-keystone.conf"}},
		{Name: "openstack-glance", Files: []string{"/etc/glance/glance-api.conf"}, Units: []string{"openstack-glance-api"}},
		{Name: "openstack-placement-common", PulledBy: []string{"openstack-placement-api"}, Files: []string{"/etc/placement/placement.conf"}},
		{Name: "openstack-placement-api", Files: []string{"/etc/httpd/conf.d/00-placement-api.conf"}},
		{Name: "openstack-nova-common", PulledBy: []string{"openstack-nova-api", "openstack-nova-conductor", "openstack-nova-scheduler", "openstack-nova-novncproxy"}, Files: []string{"/etc/nova/nova.conf", "/etc/nova/api-paste.ini"}},
		{Name: "openstack-nova-api", Units: []string{"openstack-nova-api"}},
		{Name: "openstack-nova-conductor", Units: []string{"openstack-nova-conductor"}},
		{Name: "openstack-nova-scheduler", Units: []string{"openstack-nova-scheduler"}},
		{Name: "openstack-nova-novncproxy", Units: []string{"openstack-nova-novncproxy"}},
		{Name: "openstack-cinder", Files: []string{"/etc/cinder/cinder.conf"}, Units: []string{"openstack-cinder-api", "openstack-cinder-scheduler"}},
		{Name: "openstack-heat-common", PulledBy: []string{"openstack-heat-api", "openstack-heat-api-cfn", "openstack-heat-engine"}, Files: []string{"/etc/heat/heat.conf"}},
		{Name: "openstack-heat-api", Units: []string{"openstack-heat-api"}},
		{Name: "openstack-heat-api-cfn", Units: []string{"openstack-heat-api-cfn"}},
		{Name: "openstack-heat-engine", Units: []string{"openstack-heat-engine"}},
		{Name: "openstack-dashboard", Files: []string{"/etc/openstack-dashboard/local_settings"}},
		{Name: "openstack-ceilometer-common", PulledBy: []string{"openstack-ceilometer-central"}, Files: []string{"/etc/ceilometer/ceilometer.conf"}},
		{Name: "openstack-ceilometer-central", Units: []string{"openstack-ceilometer-central"}},
		{Name: "ovn-central", PulledBy: []string{"rdo-ovn-central"}, Files: []string{"/etc/sysconfig/ovn"}, Units: []string{"ovn-northd"}, Ports: ovnPorts},
		{Name: "openstack-neutron-common", PulledBy: []string{"openstack-neutron"}, Files: []string{"/etc/neutron/neutron.conf"}},
		{Name: "openstack-neutron", Files: []string{"/etc/neutron/api-paste.ini"}, Units: []string{"neutron-server"}},
		{Name: "openstack-neutron-ml2", Files: []string{"/etc/neutron/plugins/ml2/ml2_conf.ini"}},
		// Open vSwitch and OVN come from the CentOS NFV SIG with the
		// version in their names (openvswitch3.3, ovn24.03-host); the
		// rdo-* packages pull the ones RDO tested.
		{Name: "openvswitch", PulledBy: []string{"rdo-openvswitch", "rdo-ovn-host"}, Units: []string{"openvswitch", "ovs-vswitchd", "ovsdb-server"}, Ports: []string{"6081/udp"}},
		{Name: "ovn-host", PulledBy: []string{"rdo-ovn-host"}, Units: []string{"ovn-controller"}},
		{Name: "openstack-neutron-ovn-metadata-agent", Files: []string{"/etc/neutron/neutron_ovn_metadata_agent.ini"}, Units: []string{"neutron-ovn-metadata-agent"}},
		{Name: "openstack-nova-compute", Units: []string{"openstack-nova-compute"}, Ports: []string{"5900-5999/tcp"}},
		// RHEL 9 runs libvirt's modular daemons, socket-activated;
		// openstack-nova-compute requires the driver packages, not the
		// monolithic libvirtd (package libvirt-daemon), whose unit the
		// modular ones conflict with.
		{Name: "libvirt-daemon-driver-qemu", PulledBy: []string{"openstack-nova-compute"}, Units: []string{"virtqemud"}},
		{Name: "libvirt-daemon-driver-nodedev", PulledBy: []string{"openstack-nova-compute"}, Units: []string{"virtnodedevd"}},
		{Name: "libvirt-daemon-driver-secret", PulledBy: []string{"openstack-nova-compute"}, Units: []string{"virtsecretd"}},
	},
	// SLES 16 with SUSE Linux Enterprise High Availability 16 (the
	// ha_sles pattern), chapters 4 to 8 only.
	"suse": {
		{Name: "corosync", PulledBy: []string{"ha_sles"}, Files: []string{"/etc/corosync/corosync.conf"}, Units: []string{"corosync"}, Ports: clusterPorts[1:]},
		{Name: "pacemaker", PulledBy: []string{"ha_sles"}, Units: []string{"pacemaker"}},
		{Name: "haproxy", Units: []string{"haproxy"}},
		{Name: "mariadb", Units: []string{"mariadb"}, Ports: galeraPorts},
		// The arbitrator: galera-4 creates a garb user and fills a
		// sysconfig file (its metadata); the unit's name is not confirmed
		// (chapter 6's note lists it).
		{Name: "galera-4", Files: []string{"/etc/sysconfig/garb"}, Units: []string{"garbd"}},
		{Name: "rabbitmq-server", Units: []string{"rabbitmq-server"}, Ports: rabbitPorts},
		{Name: "memcached", Files: []string{"/etc/sysconfig/memcached"}, Units: []string{"memcached"}, Ports: []string{"11211/tcp"}},
	},
}

// firewalldServices are the ports of firewalld's predefined services that
// the guide opens (firewalld's services/*.xml).
var firewalldServices = map[string][]string{
	"high-availability": {"2224/tcp", "3121/tcp", "5403/tcp", "5404/udp", "5405-5412/udp", "9929/tcp", "9929/udp", "21064/tcp"},
	"galera":            {"3306/tcp", "4444/tcp", "4567/tcp", "4568/tcp", "4567/udp"},
	"http":              {"80/tcp"},
	"https":             {"443/tcp"},
	"ntp":               {"123/udp"},
}

// Packages returns what the guide relies on from the packages of a
// distro; nil for an unknown one.
func Packages(distro string) []Package { return slices.Clone(packages[distro]) }

// PackageOf returns the package of a distro that ships the file at path.
func PackageOf(distro, path string) (Package, bool) {
	for _, p := range packages[distro] {
		if slices.Contains(p.Files, path) {
			return p, true
		}
	}
	return Package{}, false
}

// UnitPackages returns the packages of a distro that ship a unit.
func UnitPackages(distro, unit string) []string {
	unit = strings.TrimSuffix(unit, ".service")
	var out []string
	for _, p := range packages[distro] {
		if slices.Contains(p.Units, unit) {
			out = append(out, p.Name)
		}
	}
	return out
}

// UnitLog returns the file where a unit of a distro writes its messages
// instead of the journal, if a package of the distro says so.
func UnitLog(distro, unit string) (string, bool) {
	unit = strings.TrimSuffix(unit, ".service")
	for _, p := range packages[distro] {
		if p.Log != "" && slices.Contains(p.Units, unit) {
			return p.Log, true
		}
	}
	return "", false
}

// FirewalldService returns the ports of one of firewalld's predefined
// services that the guide uses.
func FirewalldService(name string) ([]string, bool) {
	ports, ok := firewalldServices[name]
	return slices.Clone(ports), ok
}

// HealthRoute is an API that HAProxy may check with GET /healthcheck,
// and whether the paste file its package installs on a distro answers
// there: oslo.middleware's health check first in Pipeline (a paste
// section, "pipeline:meta") of File. Where the packaged file does not
// (Routed false), a guide that checks /healthcheck must put the filter
// there itself; where Pipeline is empty, no such edit is known (the API
// has no health check, or only where it never matches) and the check
// must stay GET /. The table holds the APIs whose packaged file differs
// from what the guide's checks need on some distro; docs/links.md gives
// the sources.
type HealthRoute struct {
	API      string
	Port     int
	File     string
	Pipeline string
	Routed   bool
}

var (
	novaMetadata = HealthRoute{API: "Nova's metadata API", Port: 8775, File: "/etc/nova/api-paste.ini", Pipeline: "pipeline:meta"}
	// Debian's paste file has the filter only under /v2.1, where it
	// never matches /healthcheck; upstream's has none.
	novaCompute = HealthRoute{API: "Nova's compute API", Port: 8774, File: "/etc/nova/api-paste.ini"}
	// Placement 13.0.0 (2025.1) has no health check.
	placement = HealthRoute{API: "Placement", Port: 8778}
)

// healthRoutes: Debian's nova-common writes a paste file of its own with
// the filter in the metadata pipeline; RDO installs upstream's file,
// which has none, and Ubuntu is taken to.
var healthRoutes = map[string][]HealthRoute{
	"debian": {{API: novaMetadata.API, Port: novaMetadata.Port, File: novaMetadata.File, Pipeline: novaMetadata.Pipeline, Routed: true}, novaCompute, placement},
	"ubuntu": {novaMetadata, novaCompute, placement},
	"rhel":   {novaMetadata, novaCompute, placement},
}

// HealthRouteAt returns what the table knows about /healthcheck on the
// API at a port of a distro.
func HealthRouteAt(distro string, port int) (HealthRoute, bool) {
	for _, r := range healthRoutes[distro] {
		if r.Port == port {
			return r, true
		}
	}
	return HealthRoute{}, false
}
