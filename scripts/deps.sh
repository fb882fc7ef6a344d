#!/usr/bin/env bash
# Installs what haguide needs on a Debian machine, idempotently.
#   scripts/deps.sh          Go (if missing) for building and serving the guide
#   scripts/deps.sh test     plus what the tests use: chromium for the browser
#                            test, nodejs to compare the search index with
#                            MiniSearch's own, the lab's host tools, haproxy
#                            and shellcheck for static checks of the guide's
#                            blocks, hugo for the site benchmark
set -euo pipefail

want=(git ca-certificates make)
case "${1:-}" in
  test|ci)
    want+=(chromium debootstrap systemd-container apt-cacher-ng iproute2 nftables openipmi ipmitool
           haproxy shellcheck hugo ansible openssh-client)
    # Debian's nodejs, unless a node is already on the PATH (from another
    # packaging, which Debian's package would conflict with).
    command -v node >/dev/null 2>&1 || want+=(nodejs)
    ;;
  "") ;;
  *) echo "usage: $0 [test]" >&2; exit 2 ;;
esac
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

# Debian's golang-go may be older than go.mod asks for: the go command then
# fetches the right toolchain from the module proxy by itself.
export PATH="$PATH:/usr/local/go/bin:$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin"
if [ "${1:-}" = test ] || [ "${1:-}" = ci ]; then
  command -v staticcheck >/dev/null 2>&1 || go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
fi
