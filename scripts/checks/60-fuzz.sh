#!/usr/bin/env bash
# Fuzzing in CI: every target of every cargo-fuzz crate (core/prefilter/fuzz: frame;
# core/fuzz: responses, media; sandbox/fuzz when present) for a short bounded time each, via
# scripts/fuzz.sh (which installs cargo-fuzz when missing). No sanitizer (`-s none`, the
# cheapest build; libFuzzer still catches panics, overflows with debug assertions, timeouts
# and the RSS limit). A crash fails the check and leaves its input in <crate>/artifacts/.
# Cost and the longer local runs: BENCHMARKS.md, "Fuzzing".
set -euo pipefail
cd "$(dirname "$0")/../.."
# Unoptimised builds (FUZZ_BUILD=dev): three fuzz crates built from scratch on 2 cores must fit
# the CI time limit; 10 s per target still runs each thousands to millions of inputs.
FUZZ_BUILD=${FUZZ_BUILD:-dev} bash scripts/fuzz.sh "${SMART_ENROLL_FUZZ_SECONDS:-10}"
