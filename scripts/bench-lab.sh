#!/usr/bin/env bash
# Time from `haguide lab up` to every node SSH-ready (warm: root tarball
# cached), and `haguide lab down`, beside a bare shell bring-up of the same
# three nodes (tar, netns, veth, bridge, nspawn, wait for ssh) in the same
# run. Needs root and a lab that was up once (for the cached tarball).
# Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/haguide}
LABDIR=${LABDIR:-/var/lib/haguide/lab}
TAR="$LABDIR/cache/trixie.tar"
[ -f "$TAR" ] || { echo "no cached root at $TAR: run haguide lab up once" >&2; exit 1; }
now() { date +%s.%N; }
secs() { python3 -c "import sys; print(f'{float(sys.argv[2])-float(sys.argv[1]):.1f}')" "$1" "$2"; }

# haguide
$BIN lab down --lab-dir "$LABDIR" >/dev/null 2>&1 || true
t0=$(now); $BIN lab up --lab-dir "$LABDIR" -q >/dev/null; t1=$(now)
t2=$(now); $BIN lab down --lab-dir "$LABDIR" >/dev/null; t3=$(now)
hg_up=$(secs "$t0" "$t1"); hg_down=$(secs "$t2" "$t3")

# bare shell, same steps by hand
B=$(mktemp -d /tmp/bare-lab.XXXXXX)
bare_down() {
  for i in 1 2 3; do
    pid=$(cat "$B/pid$i" 2>/dev/null || true)
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
  done
  for i in 1 2 3; do
    for p in $(ip netns pids hagx0-n$i 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
    ip link del hagx0v$i 2>/dev/null || true
    ip netns del hagx0-n$i 2>/dev/null || true
  done
  ip link del hagx0 2>/dev/null || true
  rm -rf "$B"
}
trap bare_down EXIT
t0=$(now)
ip link add hagx0 type bridge && ip addr add 10.0.88.1/24 dev hagx0 && ip link set hagx0 up
for i in 1 2 3; do
  mkdir -p "$B/n$i" && tar -C "$B/n$i" -xf "$TAR"
  rm -f "$B"/n$i/etc/ssh/ssh_host_*; ssh-keygen -q -t ed25519 -N '' -f "$B/n$i/etc/ssh/ssh_host_ed25519_key"
  ip netns add hagx0-n$i
  ip link add hagx0v$i type veth peer name eth0 netns hagx0-n$i
  ip link set hagx0v$i master hagx0 up
  ip -n hagx0-n$i addr add 10.0.88.1$i/24 dev eth0; ip -n hagx0-n$i link set eth0 up; ip -n hagx0-n$i link set lo up
  setsid systemd-nspawn -D "$B/n$i" --boot --register=no --machine=bare$i --keep-unit \
    --network-namespace-path=/run/netns/hagx0-n$i --capability=CAP_NET_ADMIN >/dev/null 2>&1 &
  echo $! >"$B/pid$i"
done
for i in 1 2 3; do until ssh-keyscan -T 1 10.0.88.1$i >/dev/null 2>&1; do sleep 0.2; done; done
t1=$(now)
t2=$(now); bare_down; trap - EXIT; t3=$(now)
bare_up=$(secs "$t0" "$t1"); bare_down_t=$(secs "$t2" "$t3")

echo "| 3 nodes, warm (root cached) | up to SSH-ready (s) | down (s) |"
echo "|---|---:|---:|"
echo "| haguide lab | $hg_up | $hg_down |"
echo "| bare shell (tar, netns, veth, bridge, nspawn, ssh-keyscan) | $bare_up | $bare_down_t |"
