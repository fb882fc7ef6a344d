// Package lab runs a local lab of real Debian 13 nodes on this machine for
// haguide verify: systemd-nspawn containers booting systemd, one network
// namespace per node on a bridge of the lab's own, apt-cacher-ng on the
// bridge as their package proxy, an SSH key and known_hosts made for the
// lab, and an inventory file the runner reads. Each node runs in cgroups of
// its own (see cgroup.go): nodes that shared one tree waited out each
// other's units at every stop. Each node reads its own load average from
// the lab's LXCFS (see lxcfs.go), not the host's, as Pacemaker's throttle
// would on machines of their own.
//
// Everything the lab makes (bridge, veths, namespaces, processes) is
// written to a state file before it is made, so Down removes all of it,
// also after a crash or an interrupted Up. Only the lab's own addresses,
// interfaces and namespaces are ever touched.
//
// Faults for failover rehearsals: Kill ends every process of a node at
// once, as on power loss (through the container's init: killing the nspawn
// process alone leaves the node running); Start boots it again with its
// disk as it was; Partition cuts its network and Heal restores it.
package lab
