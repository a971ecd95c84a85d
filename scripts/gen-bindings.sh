#!/usr/bin/env bash
# Generates the Kotlin and Swift bindings (and the C header + modulemap) from a built
# smart-enroll-ffi library, with the in-repo uniffi-bindgen (same pinned uniffi).
#
#   scripts/gen-bindings.sh [--lib PATH] [--out DIR] [--profile NAME] [--features LIST] [--no-build]
#
# Defaults: builds the host library (debug profile) and the bindgen in two SEPARATE cargo
# invocations (so the bindgen's features never leak into the library), then writes
#   DIR/kotlin/com/smartenroll/sdk/smart_enroll.kt
#   DIR/swift/SmartEnroll.swift, SmartEnrollFFI.h, SmartEnrollFFI.modulemap
# with DIR = target/bindings. The mobile scripts call it with --lib pointing at a built slice.
set -euo pipefail
cd "$(dirname "$0")/.."

out=target/bindings
lib=""
profile=dev
features=""
build=1
while [ $# -gt 0 ]; do
    case "$1" in
        --lib) lib=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --profile) profile=$2; shift 2 ;;
        --features) features=$2; shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "gen-bindings.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done

command -v cargo >/dev/null || { echo "gen-bindings.sh: cargo not found on PATH (install Rust: https://rustup.rs)" >&2; exit 1; }

profile_dir=$profile
[ "$profile" = dev ] && profile_dir=debug
if [ -z "$lib" ]; then
    case "$(uname -s)" in
        Darwin) lib=target/$profile_dir/libsmart_enroll_ffi.dylib ;;
        *) lib=target/$profile_dir/libsmart_enroll_ffi.so ;;
    esac
    if [ "$build" -eq 1 ]; then
        feature_args=()
        [ -n "$features" ] && feature_args=(--features "$features")
        cargo build --locked -q -p smart-enroll-ffi --profile "$profile" "${feature_args[@]}"
    fi
fi
if [ "$build" -eq 1 ]; then
    cargo build --locked -q -p smart-enroll-uniffi-bindgen
fi
bindgen=target/debug/uniffi-bindgen
[ -x "$bindgen" ] || { echo "gen-bindings.sh: $bindgen missing (run without --no-build)" >&2; exit 1; }
[ -f "$lib" ] || { echo "gen-bindings.sh: library $lib not found" >&2; exit 1; }

rm -rf "$out/kotlin" "$out/swift"
mkdir -p "$out/kotlin" "$out/swift"
"$bindgen" generate --library "$lib" --language kotlin --out-dir "$out/kotlin" --no-format >/dev/null
"$bindgen" generate --library "$lib" --language swift --out-dir "$out/swift" --no-format >/dev/null
echo "bindings generated in $out (kotlin/, swift/)"
