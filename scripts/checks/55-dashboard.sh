#!/usr/bin/env bash
# The sandbox dashboard in a real browser (sandbox/tests/browser/dashboard_browser.py):
# headless Chromium driven through WebDriver (Selenium) against the real `smart-enroll serve`,
# with a whole `smart-enroll enroll` run. Loopback only, temporary data directories, every
# process stopped on exit, and bounded in time (the script's own 150 s limit, `timeout` here).
# Screenshots of the list and of a detail view go to target/dashboard-artifacts/.
# Installs Chromium, chromium-driver and selenium (quietly, only when missing) if install-deps
# did not.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DEBIAN_FRONTEND=noninteractive
# shellcheck source=scripts/lib/install.sh
source scripts/lib/install.sh
# shellcheck source=scripts/deps/55-dashboard.sh
source scripts/deps/55-dashboard.sh
for tool in /usr/bin/chromium /usr/bin/chromedriver; do
    [ -x "$tool" ] || { echo "55-dashboard: $tool missing" >&2; exit 1; }
done
cargo build -q -p smart-enroll-cli
timeout 180 python3 sandbox/tests/browser/dashboard_browser.py target/debug/smart-enroll
echo "55-dashboard: ok (screenshots in target/dashboard-artifacts/)"
