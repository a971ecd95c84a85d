#!/usr/bin/env bash
# Installs everything the tests need (or, given group names such as `00-rust 20-prefilter`, just
# those groups). Idempotent and quiet: each scripts/deps/*.sh installs one group of tools only
# when it is missing. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

# shellcheck source=scripts/lib/install.sh
source scripts/lib/install.sh
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
