#!/usr/bin/env bash
# Time from `haguide lab up` to every node SSH-ready, and of `haguide lab
# down`, beside a bare shell bring-up of the same three nodes that does the
# same work by hand, in the same run:
#   cold        a fresh lab directory: no root file system cached and an
#               empty package proxy cache, so debootstrap downloads every
#               package from the mirror through the proxy;
#   cold root   the root tarball deleted, the proxy's cache kept (warm):
#               debootstrap runs, but its packages come from the proxy;
#   warm        root tarball cached; WARM rounds (default 3), the order
#               swapped every other round.
# The bare bring-up: a bridge, its own apt-cacher-ng (own config and cache,
# as the lab's), debootstrap through it and a tarball when none is cached,
# then per node tar, a host key, netns, veth, systemd-nspawn; ready when
# ssh-keyscan gets every node's key. haguide's time also ends with that
# ssh-keyscan loop, so both mean the same "SSH-ready". Down: haguide lab
# down; the bare one kills nspawn, the nodes' processes and the proxy, and
# deletes veths, namespaces, bridge and the nodes' disks.
# ORDER says which goes first in each phase (default "haguide bare"; run
# again with "bare haguide"). Needs root. Uses only its own labs: haguide
# on bridge hagb0 / 10.0.77.0/24 in /var/lib/haguide/lab-bench-up, the bare
# one on hagb1 / 10.0.78.0/24 in /var/lib/haguide/lab-bench-bare. Both lab
# directories are deleted first (cold means cold). Prints Markdown.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/haguide}
ORDER=${ORDER:-haguide bare}
WARM=${WARM:-3}
PHASES=${PHASES:-cold coldroot $(seq -f 'warm%g' -s ' ' "$WARM")}
HGDIR=${HGDIR:-/var/lib/haguide/lab-bench-up}
B=${BAREDIR:-/var/lib/haguide/lab-bench-bare}
HG=(--lab-dir "$HGDIR" --bridge hagb0 --cidr 10.0.77.0/24)
HGADDRS=(10.0.77.11 10.0.77.12 10.0.77.13)
BBR=hagb1 BNET=10.0.78
MIRROR=${MIRROR:-http://deb.debian.org/debian/}
INCLUDE=systemd,systemd-sysv,dbus,openssh-server,iproute2,ca-certificates,procps,iputils-ping,less
case "$HGDIR$B" in *lab-bench*lab-bench*) ;; *) echo "lab directories must be under /var/lib/haguide/lab-bench*" >&2; exit 1 ;; esac

now() { date +%s.%N; }
secs() { python3 -c "import sys; print(f'{float(sys.argv[2])-float(sys.argv[1]):.1f}')" "$1" "$2"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
keyscan() { local a; for a in "$@"; do until ssh-keyscan -T 1 "$a" 2>/dev/null | grep -q .; do sleep 0.2; done; done; }

hg_up() { "$BIN" lab up "${HG[@]}" -q >/dev/null; keyscan "${HGADDRS[@]}"; }
hg_down() { "$BIN" lab down "${HG[@]}" -q >/dev/null; }

bare_up() {
  ip link add $BBR type bridge && ip addr add $BNET.1/24 dev $BBR && ip link set $BBR up
  mkdir -p "$B/acng/conf" "$B/acng/cache" "$B/acng/log" "$B/cache"
  echo "$MIRROR" >"$B/acng/conf/backends_debian"
  cat >"$B/acng/conf/acng.conf" <<EOT
CacheDir: $B/acng/cache
LogDir: $B/acng/log
SupportDir: /usr/lib/apt-cacher-ng
Port: 3142
BindAddress: $BNET.1
SocketPath: $B/acng/socket
PidFile: $B/acng/pid
Remap-debrep: file:deb_mirror*.gz /debian ; file:backends_debian
Remap-secdeb: security.debian.org security.debian.org/debian-security deb.debian.org/debian-security /debian-security cdn-fastly.deb.debian.org/debian-security ; deb.debian.org/debian-security
ExThreshold: 30
EOT
  chown apt-cacher-ng: "$B/acng" "$B/acng/cache" "$B/acng/log" 2>/dev/null || true
  setsid apt-cacher-ng -c "$B/acng/conf" ForeGround=1 >>"$B/acng/log/stdout.log" 2>&1 &
  echo $! >"$B/acng.pid"
  until bash -c "</dev/tcp/$BNET.1/3142" 2>/dev/null; do sleep 0.1; done
  if [ ! -f "$B/cache/trixie.tar" ]; then
    rm -rf "$B/cache/root"
    http_proxy=http://$BNET.1:3142 debootstrap --variant=minbase --include=$INCLUDE trixie "$B/cache/root" http://deb.debian.org/debian >"$B/debootstrap.log" 2>&1
    tar -C "$B/cache/root" -cf "$B/cache/trixie.tar" . && rm -rf "$B/cache/root"
  fi
  for i in 1 2 3; do
    mkdir -p "$B/n$i" && tar -C "$B/n$i" -xf "$B/cache/trixie.tar"
    rm -f "$B"/n$i/etc/ssh/ssh_host_*; ssh-keygen -q -t ed25519 -N '' -f "$B/n$i/etc/ssh/ssh_host_ed25519_key"
    ip netns add $BBR-n$i
    ip link add ${BBR}v$i type veth peer name eth0 netns $BBR-n$i
    ip link set ${BBR}v$i master $BBR up
    ip -n $BBR-n$i addr add $BNET.1$i/24 dev eth0; ip -n $BBR-n$i link set eth0 up; ip -n $BBR-n$i link set lo up
    setsid systemd-nspawn -D "$B/n$i" --boot --register=no --machine=hagb1n$i --keep-unit \
      --network-namespace-path=/run/netns/$BBR-n$i --capability=CAP_NET_ADMIN >/dev/null 2>&1 &
    echo $! >"$B/pid$i"
  done
  keyscan $BNET.11 $BNET.12 $BNET.13
}
bare_down() {
  local i pid p
  for i in 1 2 3; do
    pid=$(cat "$B/pid$i" 2>/dev/null || true)
    if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; fi
  done
  for i in 1 2 3; do
    for p in $(ip netns pids $BBR-n$i 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
    ip link del ${BBR}v$i 2>/dev/null || true
    ip netns del $BBR-n$i 2>/dev/null || true
    rm -rf "$B/n$i" "$B/pid$i"
  done
  pid=$(cat "$B/acng.pid" 2>/dev/null || true)
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; fi
  rm -f "$B/acng.pid"
  ip link del $BBR 2>/dev/null || true
}
cleanup() { hg_down >/dev/null 2>&1 || true; bare_down >/dev/null 2>&1 || true; }
trap cleanup EXIT

# Start from nothing.
cleanup
rm -rf "$HGDIR" "$B"

declare -A T L
for phase in $PHASES; do
  # cold: both directories are fresh (deleted above); coldroot: the root
  # tarballs go, the proxies' caches stay.
  [ "$phase" = coldroot ] && rm -f "$HGDIR/cache/trixie.tar" "$B/cache/trixie.tar"
  order=$ORDER
  case $phase in warm[02468]) order=$(echo "$ORDER" | awk '{ for (i = NF; i > 0; i--) printf "%s ", $i }') ;; esac
  for tool in $order; do
    L[$phase,$tool]=$(load)
    echo "$phase $tool: load ${L[$phase,$tool]}" >&2
    t0=$(now); "${tool/haguide/hg}_up"; t1=$(now)
    t2=$(now); "${tool/haguide/hg}_down"; t3=$(now)
    T[$phase,$tool,up]=$(secs "$t0" "$t1") T[$phase,$tool,down]=$(secs "$t2" "$t3")
    echo "  up ${T[$phase,$tool,up]} s, down ${T[$phase,$tool,down]} s" >&2
  done
done

ratio() { python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$1" "$2"; }
name() { case $1 in cold) echo "cold (fresh lab directory: no root, proxy cache empty)" ;; coldroot) echo "cold root, warm proxy cache" ;; warm*) echo "warm (root cached), round ${1#warm}" ;; esac; }
echo "Order in each phase: $ORDER (reversed in even warm rounds)."
echo
echo "| 3 nodes | tool | load average at start | up to SSH-ready (s) | down (s) | up, haguide / bare |"
echo "|---|---|---|---:|---:|---:|"
for phase in $PHASES; do
  for tool in $ORDER; do
    r=""
    [ "$tool" = haguide ] && r=$(ratio "${T[$phase,haguide,up]}" "${T[$phase,bare,up]}")
    echo "| $(name "$phase") | $tool | ${L[$phase,$tool]} | ${T[$phase,$tool,up]} | ${T[$phase,$tool,down]} | $r |"
  done
done
w_hg=() w_bare=()
for phase in $PHASES; do case $phase in warm*) w_hg+=("${T[$phase,haguide,up]}") w_bare+=("${T[$phase,bare,up]}") ;; esac; done
if [ ${#w_hg[@]} -gt 0 ]; then
  median() { python3 -c "import statistics, sys; print(f'{statistics.median(float(x) for x in sys.argv[1:]):.1f}')" "$@"; }
  m_hg=$(median "${w_hg[@]}") m_bare=$(median "${w_bare[@]}")
  echo
  echo "Warm, median of the rounds: haguide $m_hg s, bare $m_bare s, ratio $(ratio "$m_hg" "$m_bare")."
fi
