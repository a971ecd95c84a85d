#!/usr/bin/env bash
# Installs everything the tests need (or, given group names such as `00-rust 20-prefilter`, just
# those groups). Idempotent and quiet: each scripts/deps/*.sh installs one group of tools only
# when it is missing. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

# apt-get update at most once per run of this script, and only when a package is missing.
apt_updated=0
apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing Debian packages: ${missing[*]} (run as root or install them)" >&2
        return 1
    fi
    if [ "$apt_updated" -eq 0 ]; then
        apt-get update -qq >/dev/null
        apt_updated=1
    fi
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
pip_install() {
    local missing=()
    for spec in "$@"; do
        python3 -m pip show -q "${spec%%[=<>]*}" >/dev/null 2>&1 || missing+=("$spec")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    # PIP_BREAK_SYSTEM_PACKAGES: a distribution Python (PEP 668) would refuse otherwise; harmless
    # for a pyenv/venv Python.
    PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install -q --disable-pip-version-check \
        --root-user-action=ignore "${missing[@]}"
}
export -f apt_install pip_install

# With arguments (e.g. `install-deps.sh 00-rust 20-prefilter`), only those groups.
shopt -s nullglob
deps=(scripts/deps/*.sh)
if [ $# -gt 0 ]; then
    deps=()
    for name in "$@"; do deps+=("scripts/deps/${name%.sh}.sh"); done
fi
for dep in "${deps[@]}"; do
    # shellcheck source=/dev/null
    source "$dep"
done
