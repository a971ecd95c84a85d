#!/usr/bin/env bash
# Fuzzing in CI: every target of every cargo-fuzz crate (core/prefilter/fuzz: frame;
# core/fuzz: responses, media; sandbox/fuzz when present) for a short bounded time each, via
# scripts/fuzz.sh (which installs cargo-fuzz when missing). No sanitizer (`-s none`, the
# cheapest build; libFuzzer still catches panics, overflows with debug assertions, timeouts
# and the RSS limit). A crash fails the check and leaves its input in <crate>/artifacts/.
# Cost and the longer local runs: BENCHMARKS.md, "Fuzzing".
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/fuzz.sh "${SMART_ENROLL_FUZZ_SECONDS:-10}"
