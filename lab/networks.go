package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
)

// The lab's data-plane networks, beside the management network (the
// bridge, eth0 in every node, which carries SSH and everything the control
// plane says). Each is a host bridge of its own, named after the lab's
// bridge with a suffix, with one veth per node:
//
//   - tunnel (suffix "t", eth1 in the node): the chassis' Geneve tunnels.
//     The host has no address on it; the guide gives each node its
//     TUNNEL_ADDR on the Open vSwitch bridge that takes eth1.
//   - provider (suffix "x", eth2 in the node): the external network that
//     floating IPs live on. The host's address on it (PROVIDER_GATEWAY) is
//     the outside client the guide pings instances from; the host does
//     not route for it.
//   - cluster (suffix "c", eth3 in the node): Corosync's second link
//     (knet link 1), beside the management network (link 0). The lab
//     gives each node its address on it (CONTROLLER1_LINK1_ADDR, ...), as
//     a server's second network comes configured; the host has none.
//   - public (suffix "p", eth4 in the node): the network users reach the
//     cloud's public endpoints on, where the guide puts PUBLIC_VIP (the
//     prefix's .10) with TLS at HAProxy. The lab gives each node an
//     address on it, and the host takes .1, the outside client.
//
// Their prefixes follow the lab's own: a lab on 10.0.0.0/24 tunnels on
// 10.0.1.0/24, has its provider network on 10.0.2.0/24, Corosync's
// second link on 10.0.3.0/24 and its public network on 10.0.4.0/24, so
// that two labs on one machine, which must differ in their CIDR, differ
// here too.
type dataNet struct {
	// name is what errors and the status call it.
	name string
	// suffix follows the lab's bridge in the host bridge's and the host
	// veths' names.
	suffix string
	// ifname is the node's side.
	ifname string
	// mac is the first three bytes of the node side's address, which
	// stays the same at every boot (see nodeMAC): a chassis whose tunnel
	// MAC changed would be unreachable through its peers' userspace
	// tunnel neighbour caches for up to 15 minutes.
	mac string
	// block is the prefix's place after the lab's own network, in blocks
	// of its size.
	block int
	// hostAddr: the host bridge takes the prefix's .1.
	hostAddr bool
	// pool: Neutron gives out addresses from the network (its pool and
	// the guide's floating IPs).
	pool bool
	// nodeAddr: the lab gives the node's side its address (the guide
	// configures none on it).
	nodeAddr bool
}

var dataNets = []dataNet{
	{name: "tunnel", suffix: "t", ifname: "eth1", mac: "02:68:74", block: 1},
	{name: "provider", suffix: "x", ifname: "eth2", mac: "02:68:78", block: 2, hostAddr: true, pool: true},
	{name: "cluster", suffix: "c", ifname: "eth3", mac: "02:68:63", block: 3, nodeAddr: true},
	{name: "public", suffix: "p", ifname: "eth4", mac: "02:68:70", block: 4, hostAddr: true, nodeAddr: true},
}

// The data networks by their place in dataNets.
const (
	netTunnel = iota
	netProvider
	netCluster
	netPublic
)

// netPlan is one data network's addresses.
type netPlan struct {
	prefix netip.Prefix
	// gateway is the host's address (provider and public).
	gateway netip.Addr
	// vip is the public network's virtual IP (PUBLIC_VIP): .10, as on the
	// management network.
	vip netip.Addr
	// nodes are the nodes' addresses on it (the guide sets them).
	nodes []netip.Addr
	// poolStart and poolEnd bound the addresses Neutron gives out
	// (provider only): the upper half of the network, without its
	// broadcast address.
	poolStart, poolEnd netip.Addr
	// fips are the three addresses just below the pool that the guide
	// gives its floating IPs (FLOATING_IP1 to 3), so that the host, the
	// outside client, knows them.
	fips []netip.Addr
}

// planData derives the data networks' addresses from the lab's network.
func planData(p netip.Prefix, n int) ([]netPlan, error) {
	size := uint64(1) << (32 - p.Bits())
	b := p.Addr().As4()
	base := uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
	at := func(v uint64) netip.Addr {
		return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	}
	var out []netPlan
	for _, dn := range dataNets {
		start := base + uint64(dn.block)*size
		if start+size-1 > 0xffffffff {
			return nil, &ConfigError{Field: "CIDR", Value: p.String(), Err: fmt.Errorf("leaves no room for the lab's %s network after it (the next blocks of its size): choose a lower one", dn.name)}
		}
		np := netPlan{prefix: netip.PrefixFrom(at(start), p.Bits())}
		for i := 0; i < n; i++ {
			np.nodes = append(np.nodes, at(start+11+uint64(i)))
		}
		if dn.hostAddr {
			np.gateway = at(start + 1)
		}
		if dn.name == "public" {
			np.vip = at(start + 10)
		}
		if dn.pool {
			np.poolStart, np.poolEnd = at(start+size/2), at(start+size-2)
			for i := uint64(3); i > 0; i-- {
				np.fips = append(np.fips, at(start+size/2-i))
			}
		}
		out = append(out, np)
	}
	return out, nil
}

// dataBridgeName names a data network's host bridge after the lab's
// bridge; dataBridge is this lab's.
func dataBridgeName(bridge string, dn dataNet) string { return bridge + dn.suffix }
func (l *Lab) dataBridge(dn dataNet) string           { return dataBridgeName(l.cfg.Bridge, dn) }
func (l *Lab) dataVeth(dn dataNet, i int) string {
	return l.cfg.Bridge + dn.suffix + strconv.Itoa(i+1)
}

// bridgeNames are every host bridge the lab makes.
func (l *Lab) bridgeNames() []string {
	out := []string{l.cfg.Bridge}
	for _, dn := range dataNets {
		out = append(out, l.dataBridge(dn))
	}
	return out
}

// dataBridges makes the data networks' host bridges.
func (l *Lab) dataBridges(ctx context.Context, ap addrPlan) error {
	for k, dn := range dataNets {
		br := l.dataBridge(dn)
		if _, err := net.InterfaceByName(br); err == nil {
			continue
		}
		l.log.Info("creating a data network's bridge", "network", dn.name, "bridge", br, "prefix", ap.data[k].prefix)
		steps := [][]string{{"ip", "link", "add", br, "type", "bridge"}}
		if dn.hostAddr {
			steps = append(steps, []string{"ip", "addr", "add", fmt.Sprintf("%s/%d", ap.data[k].gateway, ap.data[k].prefix.Bits()), "dev", br})
		}
		steps = append(steps, []string{"ip", "link", "set", br, "up"})
		for _, s := range steps {
			if err := l.run(ctx, s[0], s[1:]...); err != nil {
				return err
			}
		}
	}
	return nil
}

// dataLinks gives a node its data networks' veths: without addresses on
// eth1 and eth2 (the guide puts them on Open vSwitch bridges), with the
// node's own on eth3 and eth4.
func (l *Lab) dataLinks(ctx context.Context, ns *nodeState, ap addrPlan) error {
	i := slices.Index(l.cfg.Nodes, ns.Name)
	for k, dn := range dataNets {
		if k >= len(ns.DataVeths) {
			break
		}
		host := ns.DataVeths[k]
		if _, err := net.InterfaceByName(host); err != nil {
			steps := [][]string{
				{"ip", "link", "add", host, "type", "veth", "peer", "name", dn.ifname, "address", dataMAC(dn, ns.Addr), "netns", ns.Netns},
				{"ip", "link", "set", host, "master", l.dataBridge(dn)},
				{"ip", "-n", ns.Netns, "link", "set", dn.ifname, "up"},
			}
			if dn.nodeAddr && i >= 0 && i < len(ap.data[k].nodes) {
				steps = append(steps, []string{"ip", "-n", ns.Netns, "addr", "add",
					fmt.Sprintf("%s/%d", ap.data[k].nodes[i], ap.data[k].prefix.Bits()), "dev", dn.ifname})
			}
			for _, s := range steps {
				if err := l.run(ctx, s[0], s[1:]...); err != nil {
					return err
				}
			}
		}
		if err := l.run(ctx, "ip", "link", "set", host, "up"); err != nil {
			return err
		}
	}
	return nil
}

// dataMAC is a node's stable address on a data network.
func dataMAC(dn dataNet, addr string) string {
	return dn.mac + nodeMAC(addr)[len("02:68:67"):]
}

// hostVeths are a node's host-side veths: management first.
func (ns *nodeState) hostVeths() []string {
	return append([]string{ns.Veth}, ns.DataVeths...)
}

// dropDataBridges removes the data networks' host bridges of the lab whose
// bridge is named bridge (the one its state records).
func (l *Lab) dropDataBridges(ctx context.Context, bridge string) error {
	var errs []error
	for _, dn := range dataNets {
		br := dataBridgeName(bridge, dn)
		if _, err := os.Stat("/sys/class/net/" + br); err == nil {
			errs = append(errs, l.run(ctx, "ip", "link", "del", br))
		}
	}
	return errors.Join(errs...)
}
