#!/usr/bin/env bash
# Runs every target of every cargo-fuzz crate for a bounded time each:
#   core/prefilter/fuzz  frame      (frame descriptors and buffers)
#   core/fuzz            responses  (the client's readers of every server answer)
#                        media      (image decoding and upload preparation)
#   sandbox/fuzz         (its targets: the sandbox's JSON bodies), when that directory exists
#
#   scripts/fuzz.sh [SECONDS]     SECONDS per target (default 60)
#
# Installs cargo-fuzz when missing (cargo install --locked, quiet); needs the nightly toolchain.
# Environment: FUZZ_SANITIZER (cargo fuzz -s: none by default, the cheapest; `address` for a
# local hunt); FUZZ_BUILD (release by default; dev in CI: unoptimised, quicker to build).
# Corpora live under target/fuzz-corpus/<crate>/<target> (kept between runs, never committed);
# crashes are written by libFuzzer to <crate>/artifacts/<target>/ and fail the run. Prints one
# summary line per target: executions, corpus files and bytes, coverage.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
secs=${1:-60}
sanitizer=${FUZZ_SANITIZER:-none}
# FUZZ_BUILD=dev builds the targets without optimisations (much faster to compile, slower per
# input): what CI uses for its short runs. The default is cargo-fuzz's optimised build.
build_args=(--debug-assertions -s "$sanitizer")
case ${FUZZ_BUILD:-release} in
    release) ;;
    dev) build_args+=(--dev) ;;
    *) echo "fuzz: FUZZ_BUILD must be release or dev" >&2; exit 2 ;;
esac

export CARGO_TARGET_DIR="$root/target/fuzz"
export CARGO_INCREMENTAL=0

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz"
    cargo install --locked --quiet cargo-fuzz
fi
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal >/dev/null

crates=(core/prefilter/fuzz core/fuzz)
[ -f sandbox/fuzz/Cargo.toml ] && crates+=(sandbox/fuzz)

summary=()
for crate in "${crates[@]}"; do
    echo "--- fuzz: building $crate (sanitizer $sanitizer)"
    (cd "$crate" && cargo +nightly fuzz build "${build_args[@]}")
    mapfile -t targets < <(cd "$crate" && cargo +nightly fuzz list)
    for target in "${targets[@]}"; do
        corpus="$root/target/fuzz-corpus/$crate/$target"
        mkdir -p "$corpus"
        seeds="$root/$crate/seeds/$target"
        log="$root/target/fuzz-corpus/$crate/$target.log"
        echo "--- fuzz: $crate $target for ${secs}s"
        seed_args=()
        [ -d "$seeds" ] && seed_args=("$seeds")
        if ! (cd "$crate" && cargo +nightly fuzz run "${build_args[@]}" \
            "$target" "$corpus" "${seed_args[@]}" -- \
            -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
            >"$log" 2>&1); then
            tail -n 60 "$log"
            echo "fuzz: $crate $target FAILED (crash input in $crate/artifacts/$target/; log $log)" >&2
            exit 1
        fi
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
        cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
        files=$(find "$corpus" -type f | wc -l)
        bytes=$(du -sb "$corpus" | cut -f1)
        summary+=("$(printf '%-22s %-10s %6ss %10s execs  cov %-6s corpus %5s files %9s bytes' \
            "$crate" "$target" "$secs" "${runs:-?}" "${cov:-?}" "$files" "$bytes")")
    done
done
echo "--- fuzz summary (no crash)"
printf '%s\n' "${summary[@]}"
