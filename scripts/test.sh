#!/usr/bin/env bash
# The README's test command. Installs what is missing (idempotent, quiet), then runs
# cargo fmt --check, clippy with -D warnings, every Rust test and every extra check in
# scripts/checks/ (Kotlin on the JVM, Swift syntax, C header, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# Each step line carries the minutes and seconds since the start (the CI limit is 45 minutes).
step() { printf '\n==> %s [%dm%02ds]\n' "$*" $((SECONDS / 60)) $((SECONDS % 60)); }

step "installing prerequisites (scripts/deps/)"
bash scripts/install-deps.sh
# shellcheck source=scripts/env.sh
source scripts/env.sh

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test"
cargo test --workspace --locked --no-fail-fast

shopt -s nullglob
for check in "$root"/scripts/checks/*.sh; do
    step "check: $(basename "$check")"
    bash "$check"
done

step "all checks passed"
