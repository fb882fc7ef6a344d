#!/usr/bin/env bash
# Per-step overhead of running commands on a node, side by side in one run:
# haguide verify (one SSH connection per node, a session per command, the
# shell-state wrapper), OpenSSH with ControlMaster, a fresh ssh per step,
# and Ansible (pipelining, ControlPersist). 100 trivial steps on one idle lab
# node each. Needs root; boots its own small lab (bridge hagb0) and takes it
# down. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100}
BIN=${BIN:-bin/haguide}
DIR=$(mktemp -d /tmp/haguide-bench.XXXXXX)
LABDIR=${LABDIR:-/var/lib/haguide/lab-bench}
trap '$BIN lab down --lab-dir "$LABDIR" --bridge hagb0 --cidr 10.0.77.0/24 --guide "$DIR/g" >/dev/null 2>&1 || true; rm -rf "$DIR"' EXIT

mkdir -p "$DIR/g"
cat >"$DIR/g/settings.toml" <<EOT
release = "2025.1"
distros = ["debian"]
nodes = ["bench1"]
EOT
printf '# Bench\n\n1. [Steps](steps.md)\n' >"$DIR/g/SUMMARY.md"
{ printf '# Bench\n\n## Steps\n\n'; for i in $(seq "$N"); do printf '```console\n# true\n```\n\n'; done; } >"$DIR/g/steps.md"

$BIN lab up --lab-dir "$LABDIR" --bridge hagb0 --cidr 10.0.77.0/24 --guide "$DIR/g" >/dev/null
INV="$LABDIR/inventory.yml" KEY="$LABDIR/id_ed25519" KH="$LABDIR/known_hosts" ADDR=10.0.77.11
SSHOPTS=(-o BatchMode=yes -o UserKnownHostsFile="$KH" -i "$KEY" -F /dev/null)

ms() { python3 -c "import sys; print(f'{(float(sys.argv[2])-float(sys.argv[1]))*1000/$N:.1f}')" "$1" "$2"; }
now() { date +%s.%N; }

t0=$(now); $BIN verify --guide "$DIR/g" -i "$INV" --known-hosts "$KH" --ssh-config /dev/null --run-dir "$DIR/run" -q >/dev/null; t1=$(now)
haguide=$(ms "$t0" "$t1")

ssh "${SSHOPTS[@]}" -o ControlMaster=yes -o ControlPath="$DIR/cm" -o ControlPersist=60 -fN root@$ADDR
t0=$(now); for i in $(seq "$N"); do ssh "${SSHOPTS[@]}" -o ControlPath="$DIR/cm" root@$ADDR true; done; t1=$(now)
cm=$(ms "$t0" "$t1")
ssh "${SSHOPTS[@]}" -o ControlPath="$DIR/cm" -O exit root@$ADDR 2>/dev/null || true

t0=$(now); for i in $(seq "$N"); do ssh "${SSHOPTS[@]}" root@$ADDR true; done; t1=$(now)
fresh=$(ms "$t0" "$t1")

ansible=n/a
if command -v ansible-playbook >/dev/null; then
  { echo "- hosts: bench1"; echo "  gather_facts: false"; echo "  tasks:"; for i in $(seq "$N"); do echo "    - raw: 'true'"; done; } >"$DIR/play.yml"
  t0=$(now)
  ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_PIPELINING=True ANSIBLE_SSH_ARGS="-o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=$KH" \
    ansible-playbook -i "$INV" "$DIR/play.yml" >/dev/null
  t1=$(now)
  ansible=$(ms "$t0" "$t1")
fi

echo "| tool ($N trivial steps, one idle lab node) | ms per step |"
echo "|---|---:|"
echo "| haguide verify (whole run: connect, plan, reports) | $haguide |"
echo "| ssh with ControlMaster | $cm |"
echo "| ssh, a new connection each step | $fresh |"
echo "| ansible-playbook, raw module (no Python on the node), ControlPersist | $ansible |"
