#!/usr/bin/env bash
# Installs what haguide needs on a Debian machine, idempotently.
#   scripts/deps.sh          Go (if missing) for building, checking and
#                            serving the guide
#   scripts/deps.sh verify   plus the local lab's host tools (make verify)
#   scripts/deps.sh test     plus the lab's tools and what the tests use:
#                            chromium for the browser test, nodejs to compare
#                            the search index with MiniSearch's own, haproxy
#                            and shellcheck for static checks of the guide's
#                            blocks and of the scripts, hugo and ansible for
#                            the benchmarks, and axe-core for the
#                            accessibility test (make test, make deps)
set -euo pipefail

# The local lab's host tools (lab/).
lab=(debootstrap systemd-container apt-cacher-ng lxcfs iproute2 nftables openipmi ipmitool snmpd snmp openssh-client iputils-ping)
# What the tests and benchmarks use besides.
tests=(chromium haproxy shellcheck hugo ansible)

want=(git ca-certificates make)
case "${1:-}" in
  "") ;;
  verify) want+=("${lab[@]}") ;;
  test|ci)
    want+=("${lab[@]}" "${tests[@]}")
    # Debian's nodejs, unless a node is already on the PATH (from another
    # packaging, which Debian's package would conflict with).
    command -v node >/dev/null 2>&1 || want+=(nodejs)
    command -v npm >/dev/null 2>&1 || want+=(npm)
    ;;
  *) echo "usage: $0 [verify|test]" >&2; exit 2 ;;
esac

# Debian's golang-go may be older than go.mod asks for: the go command then
# fetches the right toolchain from the module proxy by itself. staticcheck
# is a tool of go.mod (go tool staticcheck), at the version it pins.
command -v go >/dev/null 2>&1 || [ -x /usr/local/go/bin/go ] || want+=(golang-go)

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "deps: installing ${missing[*]}" >&2
  # Services that packages start on install (apt-cacher-ng, haproxy) are kept
  # from starting on the host: haguide runs its own instances.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod 755 /usr/sbin/policy-rc.d
    trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# axe-core for the site's accessibility test, from the npm registry at the
# version site/testdata/axe/package-lock.json pins (its node_modules is
# not committed).
case "${1:-}" in
  test|ci)
    axe="$(dirname "$0")/../site/testdata/axe"
    if [ ! -f "$axe/node_modules/axe-core/axe.min.js" ]; then
      echo "deps: installing axe-core (npm ci in site/testdata/axe)" >&2
      npm ci --prefix "$axe" --no-audit --no-fund --silent
    fi
    ;;
esac
