#!/usr/bin/env bash
# ARM64 in CI: the aarch64-unknown-linux-gnu test suites under qemu-aarch64 with the arm64 ONNX
# Runtime, and the Android (and best-effort iOS) compile checks of the FFI crate, through
# scripts/test-arm64.sh. Runs when CI=true (scripts/test.sh in CI) or SMART_ENROLL_ARM64=1;
# skipped otherwise, since a first run cross-compiles every dependency (~10 min on 2 cores) and
# installs Debian packages (root). Run scripts/test-arm64.sh directly for the same thing.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "${CI:-}" != true ] && [ "${SMART_ENROLL_ARM64:-}" != 1 ]; then
    echo "50-arm64: skipped (runs when CI=true or SMART_ENROLL_ARM64=1; or run scripts/test-arm64.sh)"
    exit 0
fi
# In CI the Android compile check covers the phones' ABI (aarch64-linux-android) only, to keep
# the whole run under its time limit; scripts/test-arm64.sh run by hand checks both Android
# targets and tries iOS.
# The suites likewise: CI runs the core and prefilter suites under qemu (the prefilter's real
# models, NEON loops and golden values; the core's media, TLS and client tests), which is most of
# the cost; the api and FFI suites run with `scripts/test-arm64.sh` by hand
# (SMART_ENROLL_ARM64_PACKAGES overrides the CI set).
args=()
if [ "${CI:-}" = true ]; then
    export SMART_ENROLL_MOBILE_CHECK=${SMART_ENROLL_MOBILE_CHECK:-phone}
    args=(--packages "${SMART_ENROLL_ARM64_PACKAGES:-core prefilter}")
fi
exec bash scripts/test-arm64.sh "${args[@]}"
