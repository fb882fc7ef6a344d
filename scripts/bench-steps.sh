#!/usr/bin/env bash
# Per-step overhead of running commands on nodes, side by side in one run:
# N trivial steps (`true`, default 200) on 3 lab nodes, every step on all
# three nodes in parallel and the next step only when all three are done
# (as verify runs `nodes=all` blocks), by
#   - haguide verify (one SSH connection per node, a session per command,
#     the shell-state wrapper, logs and reports),
#   - OpenSSH with ControlMaster (one master per node, 3 clients a step),
#   - OpenSSH with a new connection each step (for reference),
#   - ansible-playbook (Debian's ansible; pipelining, ControlPersist, the
#     linear strategy: a task ends on every host before the next starts),
#     with the raw module and with the command module (Python on the node).
# ROUNDS rounds (default 3), the tools interleaved within each round; the
# table gives each round and the median. Needs root; boots its own lab of
# 3 nodes (bridge hagb0, 10.0.77.0/24, LABDIR) and takes it down at the end.
# Prints Markdown.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-200}
ROUNDS=${ROUNDS:-3}
BIN=${BIN:-bin/haguide}
LABDIR=${LABDIR:-/var/lib/haguide/lab-bench}
BRIDGE=${BRIDGE:-hagb0}
CIDR=${CIDR:-10.0.77.0/24}
NET=${CIDR%.0/*}
NODES=(bench1 bench2 bench3)
ADDRS=("$NET.11" "$NET.12" "$NET.13")
DIR=$(mktemp -d /tmp/haguide-bench.XXXXXX)
LAB=(--lab-dir "$LABDIR" --bridge "$BRIDGE" --cidr "$CIDR" --guide "$DIR/g")
cleanup() {
  for a in "${ADDRS[@]}"; do ssh -o ControlPath="$DIR/cm-$a" -O exit "root@$a" >/dev/null 2>&1 || true; done
  "$BIN" lab down "${LAB[@]}" >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT

mkdir -p "$DIR/g"
cat >"$DIR/g/settings.toml" <<EOT
release = "2025.1"
distros = ["debian"]
nodes = ["${NODES[0]}", "${NODES[1]}", "${NODES[2]}"]
EOT
printf '# Bench\n\n1. [Steps](steps.md)\n' >"$DIR/g/SUMMARY.md"
# shellcheck disable=SC2016 # the backticks are Markdown's fences
{ printf '# Bench\n\n## Steps\n\n'; for _ in $(seq "$N"); do printf '```console {nodes=all}\n# true\n```\n\n'; done; } >"$DIR/g/steps.md"

load() { cut -d' ' -f1-3 /proc/loadavg; }
now() { date +%s.%N; }
ms() { python3 -c "import sys; print(f'{(float(sys.argv[2])-float(sys.argv[1]))*1000/$N:.1f}')" "$1" "$2"; }

echo "lab up ($LABDIR, $BRIDGE, $CIDR), load $(load)" >&2
"$BIN" lab up "${LAB[@]}" -q >/dev/null
INV="$LABDIR/inventory.yml" KEY="$LABDIR/id_ed25519" KH="$LABDIR/known_hosts"
SSHOPTS=(-F /dev/null -o BatchMode=yes -o UserKnownHostsFile="$KH" -i "$KEY")
for a in "${ADDRS[@]}"; do until ssh "${SSHOPTS[@]}" -o ConnectTimeout=2 "root@$a" true 2>/dev/null; do sleep 0.3; done; done

# The command module needs Python on the nodes: install it through the lab's
# package proxy (not timed).
PY=yes
for a in "${ADDRS[@]}"; do
  ssh "${SSHOPTS[@]}" "root@$a" 'command -v python3 >/dev/null || { apt-get -qq update && DEBIAN_FRONTEND=noninteractive apt-get -qq install -y python3 >/dev/null; }' >&2 || PY=no
done

# Ansible: one play on all three nodes, N tasks.
HAVE_ANSIBLE=no
if command -v ansible-playbook >/dev/null; then
  HAVE_ANSIBLE=yes
  for m in raw command; do
    { echo "- hosts: all"; echo "  gather_facts: false"; echo "  tasks:"
      for _ in $(seq "$N"); do echo "    - $m: 'true'"; done; } >"$DIR/play-$m.yml"
  done
  mkdir -p "$DIR/acp"
  export ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_PIPELINING=True ANSIBLE_FORKS=5 \
    ANSIBLE_SSH_ARGS="-o ControlMaster=auto -o ControlPersist=120s" ANSIBLE_SSH_CONTROL_PATH_DIR="$DIR/acp" \
    ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_RETRY_FILES_ENABLED=False ANSIBLE_LOCAL_TEMP="$DIR/atmp"
fi

# One master per node for the multiplexed ssh.
for a in "${ADDRS[@]}"; do
  ssh "${SSHOPTS[@]}" -o ControlMaster=yes -o ControlPath="$DIR/cm-$a" -o ControlPersist=600 -fN "root@$a"
done

# Each tool runs N steps on the three nodes; prints ms per step.
run_haguide() {
  rm -rf "$DIR/run"
  local t0 t1
  t0=$(now)
  "$BIN" verify --guide "$DIR/g" -i "$INV" --known-hosts "$KH" --ssh-config /dev/null --run-dir "$DIR/run" -q >/dev/null
  t1=$(now)
  echo "$(ms "$t0" "$t1") $(python3 - "$DIR/run/report.json" "$N" <<'EOF'
import json, re, sys
# The steps alone (from the report): the run without connecting, the
# os-release check and the reports.
r = json.load(open(sys.argv[1]))
def secs(d):
    t = 0.0
    for v, u in re.findall(r'([0-9.]+)(ms|µs|us|ns|s|m|h)', d):
        t += float(v) * {'h': 3600, 'm': 60, 's': 1, 'ms': 1e-3, 'µs': 1e-6, 'us': 1e-6, 'ns': 1e-9}[u]
    return t
print(f"{sum(secs(s.get('duration') or s.get('Duration') or '0s') for s in r['steps']) * 1000 / int(sys.argv[2]):.1f}")
EOF
)"
}
run_cm() {
  local t0 t1 a
  t0=$(now)
  for _ in $(seq "$N"); do
    for a in "${ADDRS[@]}"; do ssh "${SSHOPTS[@]}" -o ControlPath="$DIR/cm-$a" "root@$a" true & done
    wait
  done
  t1=$(now); ms "$t0" "$t1"
}
run_fresh() {
  local t0 t1 a
  t0=$(now)
  for _ in $(seq "$N"); do
    for a in "${ADDRS[@]}"; do ssh "${SSHOPTS[@]}" -o ControlPath=none "root@$a" true & done
    wait
  done
  t1=$(now); ms "$t0" "$t1"
}
run_ansible() {
  local t0 t1
  t0=$(now)
  ansible-playbook -i "$INV" "$DIR/play-$1.yml" >"$DIR/ansible-$1.log" 2>&1 || { echo "ansible $1 failed: see below" >&2; tail -20 "$DIR/ansible-$1.log" >&2; echo n/a; return; }
  t1=$(now); ms "$t0" "$t1"
}

declare -A R
for r in $(seq "$ROUNDS"); do
  echo "round $r, load $(load)" >&2
  R[load,$r]=$(load)
  read -r "R[hg,$r]" "R[hgsteps,$r]" < <(run_haguide)
  R[cm,$r]=$(run_cm)
  if [ "$HAVE_ANSIBLE" = yes ]; then
    R[araw,$r]=$(run_ansible raw)
    if [ "$PY" = yes ]; then R[acmd,$r]=$(run_ansible command); else R[acmd,$r]=n/a; fi
  else
    R[araw,$r]=n/a R[acmd,$r]=n/a
  fi
  R[fresh,$r]=$(run_fresh)
  R[load_end,$r]=$(load)
  echo "  haguide ${R[hg,$r]} (steps ${R[hgsteps,$r]}), ssh cm ${R[cm,$r]}, ansible raw ${R[araw,$r]}, command ${R[acmd,$r]}, fresh ssh ${R[fresh,$r]}" >&2
done

median() { python3 -c "import statistics, sys; v=[float(x) for x in sys.argv[1:] if x != 'n/a']; print(f'{statistics.median(v):.1f}' if v else 'n/a')" "$@"; }
col() { local k=$1 r; for r in $(seq "$ROUNDS"); do printf '%s\n' "${R[$k,$r]}"; done; }

rows=(hg "haguide verify, whole run (connect, os-release, steps, logs, reports)"
      hgsteps "haguide verify, the steps alone (sum of the report's step times)"
      cm "ssh with ControlMaster, 3 in parallel a step"
      fresh "ssh, a new connection each step, 3 in parallel"
      araw "ansible-playbook, raw module, pipelining, ControlPersist"
      acmd "ansible-playbook, command module (Python on the node), pipelining, ControlPersist")
printf '| ms per step (%s trivial steps on 3 lab nodes) |' "$N"
for r in $(seq "$ROUNDS"); do printf ' round %s |' "$r"; done; echo ' median |'
printf '|---|'; for r in $(seq "$ROUNDS"); do printf -- '---:|'; done; printf -- '---:|\n'
printf '| load average (1, 5, 15 min) at the start of the round |'
for r in $(seq "$ROUNDS"); do printf ' %s |' "${R[load,$r]}"; done; echo ' |'
declare -A M
for ((k = 0; k < ${#rows[@]}; k += 2)); do
  key=${rows[k]}
  mapfile -t vals < <(col "$key")
  M[$key]=$(median "${vals[@]}")
  printf '| %s |' "${rows[k+1]}"
  for r in $(seq "$ROUNDS"); do printf ' %s |' "${R[$key,$r]}"; done
  echo " ${M[$key]} |"
done
echo
ratio() { python3 -c "import sys; a, b = sys.argv[1:]; print('n/a' if 'n/a' in (a, b) else f'{float(a)/float(b):.2f}')" "$1" "$2"; }
echo "Medians: haguide / multiplexed ssh = $(ratio "${M[hg]}" "${M[cm]}") (whole run), $(ratio "${M[hgsteps]}" "${M[cm]}") (steps alone); goal at most 1.2."
echo "Ansible / haguide = $(ratio "${M[araw]}" "${M[hg]}") (raw), $(ratio "${M[acmd]}" "${M[hg]}") (command); goal at least 10."
