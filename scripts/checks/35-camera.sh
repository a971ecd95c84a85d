#!/usr/bin/env bash
# The desktop camera (`smart-enroll camera`, CLI feature `camera`, off by default) builds and is
# lint-clean; its frame conversions (YUYV, NV12, MJPEG, RGB, grey → prefilter frames, in
# core/prefilter/src/webcam.rs) are unit-tested on synthetic buffers by `cargo test` already and
# again here with the feature's dependency graph. Without a camera (CI) the command must exit
# with a clear error, which is checked too. Needs libclang-dev (scripts/deps/35-camera.sh).
# Cost: about 100 s of CPU (clippy of the CLI's dependency graph with the feature, ~40 s; the
# debug build of the binary, ~60 s), i.e. about 1.5-2 minutes on the CI's two cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo clippy --quiet --locked -p smart-enroll-cli --features camera --all-targets -- -D warnings
cargo test --quiet --locked -p smart-enroll-prefilter --lib webcam
cargo build --quiet --locked -p smart-enroll-cli --features camera
if ls /dev/video* >/dev/null 2>&1; then
    echo "camera check: a video device exists; not opening it in CI"
else
    set +e
    err=$(SMART_ENROLL_LOG=off target/debug/smart-enroll camera --timeout 1 2>&1 >/dev/null)
    rc=$?
    set -e
    if [ "$rc" -ne 1 ] || ! grep -q "no camera found" <<<"$err"; then
        echo "camera without a device: expected exit 1 and 'no camera found', got $rc: $err" >&2
        exit 1
    fi
fi
echo "camera feature builds; conversions tested; no-camera error is clear"
