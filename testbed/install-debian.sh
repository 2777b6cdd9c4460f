#!/usr/bin/env bash
# Install the Debian-packaged test peers listed in testbed/debian-packages.txt.
#
# Peers are started by the test fixtures on free ports in temporary dirs, never as system
# services: package maintainer scripts are told not to start daemons (policy-rc.d exit 101), and
# afterwards the script checks that nothing listens on the ports those daemons would take.
# A second run is quick: apt is skipped when every package is already installed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
list=$here/debian-packages.txt
mapfile -t packages < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$list" | grep -v '^$' || true)

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    if [[ ${CHARON_TESTBED-} == required ]]; then
        echo "install-debian: not a Debian system and CHARON_TESTBED=required" >&2
        exit 1
    fi
    echo "install-debian: no apt-get here: Debian peers skipped (integration tests will skip)"
    exit 0
fi

missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
        missing+=("$pkg")
    fi
done

if ((${#missing[@]} == 0)); then
    echo "install-debian: all ${#packages[@]} packages already installed"
else
    sudo=()
    if ((EUID != 0)); then sudo=(sudo); fi
    policy=/usr/sbin/policy-rc.d
    placed_policy=0
    if [[ ! -e $policy ]]; then
        # Keep postinst scripts from starting named, nginx, slapd or prometheus.
        printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
        "${sudo[@]}" chmod 755 "$policy"
        placed_policy=1
    fi
    cleanup() { if ((placed_policy)); then "${sudo[@]}" rm -f "$policy"; fi; }
    trap cleanup EXIT
    echo "install-debian: installing ${missing[*]}"
    # env, not export: sudo would drop an exported variable. The lock timeout lets a concurrent
    # installer finish instead of failing at once.
    apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300)
    "${apt[@]}" update -qq
    "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    if [[ -d /run/systemd/system ]]; then
        # On a systemd host the units would start at the next boot: disable them for good.
        for unit in named bind9 nginx slapd prometheus prometheus-node-exporter; do
            "${sudo[@]}" systemctl disable --now "$unit" >/dev/null 2>&1 || true
        done
    fi
fi

# Fail loudly when a system daemon holds a port the fixtures' peers imitate.
busy=$(ss -Hltnu 2>/dev/null | awk '{print $5}' | grep -E ':(53|80|443|389|636|9090|9100)$' || true)
if [[ -n $busy ]]; then
    echo "install-debian: something listens on a peer port: $busy" >&2
    exit 1
fi
