# Shared installer helpers (sourced by scripts/install-deps.sh, scripts/test-arm64.sh and
# scripts/check-mobile-targets.sh): each installs only what is missing, quietly.
# shellcheck shell=bash

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
rust_target() {
    rustup target list --installed 2>/dev/null | grep -qx "$1" \
        || rustup target add "$1" >/dev/null 2>&1
}
