#!/usr/bin/env bash
# Builds the Smart Enroll iOS XCFramework and the Swift package around it (macOS + Xcode only).
#
#   scripts/build-ios.sh
#   scripts/build-ios.sh --check-app path/to/SmartEnrollSample.app
#
# --check-app only checks a built app (no build): its executable must export `_OrtGetApiBase`,
# the statically linked ONNX Runtime's entry point the SDK looks up at run time
# (ios-sample/README.md, "Face detection"); else the selfie runs without face detection.
#
# Steps:
#   1. checks every tool first and stops with a clear message listing what is missing;
#   2. cargo builds the static library with the size-tuned `mobile` profile for
#      aarch64-apple-ios (devices), aarch64-apple-ios-sim and x86_64-apple-ios (simulators);
#      the two simulator slices are merged with lipo;
#   3. the in-repo uniffi-bindgen generates the Swift bindings, the C header and the modulemap;
#   4. xcodebuild -create-xcframework assembles bindings/swift/SmartEnrollFFI.xcframework
#      (device + simulator libraries, each with the header and module.modulemap);
#   5. the generated SmartEnroll.swift goes into the Swift package bindings/swift
#      (Package.swift: binaryTarget SmartEnrollFFI + target SmartEnroll with the generated code
#      and the hand-written AsyncStream adapter); a zip and its checksum are made for a remote
#      binaryTarget(url:checksum:).
#
# Needs: macOS with Xcode (xcodebuild, lipo, swift), rustup with the three Apple targets.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
    -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {print}' "$0"; exit 0 ;;
    --check-app)
        app="${2:?build-ios.sh: --check-app needs the path of a built .app}"
        exe="$app/$(basename "$app" .app)"
        [ -f "$exe" ] || { echo "build-ios.sh: no executable at $exe" >&2; exit 1; }
        if nm -gU "$exe" 2>/dev/null | awk '{print $NF}' | grep -qx _OrtGetApiBase; then
            echo "$exe exports _OrtGetApiBase: the SDK will find the linked ONNX Runtime"
            exit 0
        fi
        echo "build-ios.sh: $exe does not export _OrtGetApiBase: link onnxruntime with" >&2
        echo "  OTHER_LDFLAGS = -Wl,-u,_OrtGetApiBase and STRIP_STYLE = non-global (ios-sample/project.yml)" >&2
        exit 1
        ;;
    "") ;;
    *) echo "build-ios.sh: unknown argument: $1" >&2; exit 2 ;;
esac

targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)

# --- 1. fail fast ---------------------------------------------------------------------------
missing=()
have() { command -v "$1" >/dev/null 2>&1; }
[ "$(uname -s)" = Darwin ] || missing+=("macOS (the iOS build needs Xcode; this is $(uname -s))")
have cargo || missing+=("cargo (install Rust: https://rustup.rs)")
have rustup || missing+=("rustup (install Rust with rustup: https://rustup.rs)")
have xcodebuild || missing+=("xcodebuild (install Xcode and run: xcode-select --install)")
have lipo || missing+=("lipo (part of the Xcode command-line tools)")
if have rustup; then
    for t in "${targets[@]}"; do
        rustup target list --installed 2>/dev/null | grep -qx "$t" \
            || missing+=("rust target $t (rustup target add $t)")
    done
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "build-ios.sh: cannot build the iOS XCFramework; missing:" >&2
    printf '  - %s\n' "${missing[@]}" >&2
    exit 1
fi

# --- 2. static libraries --------------------------------------------------------------------
export IPHONEOS_DEPLOYMENT_TARGET=15.0
for t in "${targets[@]}"; do
    cargo build --locked -p smart-enroll-ffi --profile mobile --target "$t"
done
lib=libsmart_enroll_ffi.a
work=target/bindings/ios
rm -rf "$work"
mkdir -p "$work/sim" "$work/headers"
lipo -create \
    "target/aarch64-apple-ios-sim/mobile/$lib" \
    "target/x86_64-apple-ios/mobile/$lib" \
    -output "$work/sim/$lib"

# --- 3. Swift bindings, header, modulemap -----------------------------------------------------
scripts/gen-bindings.sh --out "$work/gen"
cp "$work/gen/swift/SmartEnrollFFI.h" "$work/headers/"
cp "$work/gen/swift/SmartEnrollFFI.modulemap" "$work/headers/module.modulemap"

# --- 4. XCFramework ----------------------------------------------------------------------------
xcf=bindings/swift/SmartEnrollFFI.xcframework
rm -rf "$xcf"
xcodebuild -create-xcframework \
    -library "target/aarch64-apple-ios/mobile/$lib" -headers "$work/headers" \
    -library "$work/sim/$lib" -headers "$work/headers" \
    -output "$xcf"

# --- 5. Swift package ----------------------------------------------------------------------------
cp "$work/gen/swift/SmartEnroll.swift" bindings/swift/Sources/SmartEnroll/SmartEnroll.swift
(cd bindings/swift && rm -f SmartEnrollFFI.xcframework.zip \
    && zip -qry SmartEnrollFFI.xcframework.zip SmartEnrollFFI.xcframework)
if have swift; then
    checksum=$(cd bindings/swift && swift package compute-checksum SmartEnrollFFI.xcframework.zip)
    echo "checksum for a remote binaryTarget: $checksum"
fi
echo "XCFramework: $xcf"
echo "Swift package: bindings/swift (add it in Xcode: File > Add Package Dependencies > Add Local)"
