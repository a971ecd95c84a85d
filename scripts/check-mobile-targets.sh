#!/usr/bin/env bash
# Compile checks of the FFI crate (smart-enroll-ffi, alone, as the mobile builds do) for the
# phone targets, without their SDKs: `cargo check` runs every build script and type-checks every
# crate, including the Android-only code (android_logger, `cfg(target_os = "android")` paths)
# and the Apple-only code (tracing-oslog). Nothing is linked: there is no Android NDK or Xcode
# here (scripts/build-android.sh / build-ios.sh link the real libraries on a machine that has
# them). Called by scripts/test-arm64.sh; idempotent and quiet.
#
# C code in dependencies (ring's crypto primitives, tracing-oslog's shim) is compiled by Debian's
# clang with `--target=<triple>`; Android's bionic headers are not here, so the C compiler is
# given the glibc headers of the same architecture (the cross packages' for arm64, the host's for
# x86_64): enough for ring, which uses only freestanding headers plus <string.h>.
#
# iOS (aarch64-apple-ios, aarch64-apple-ios-sim) is tried and reported, never fatal:
#  - aarch64-apple-ios-sim: `rustup target add` fails here (the rust-std download answers 404
#    for this toolchain on this mirror), so it cannot be checked;
#  - aarch64-apple-ios: the standard library installs, but `ring`'s build script fails: cc-rs
#    runs `xcrun` (Xcode's tool locator) to find the SDK for Apple targets, which is not here
#    ("failed to find tool \"xcrun\""). The outcome is printed below either way.
#
# SMART_ENROLL_MOBILE_CHECK=phone (what CI sets, scripts/checks/50-arm64.sh) checks only the
# phones' ABI, aarch64-linux-android, to keep the CI run short; the default, `all`, checks both
# Android targets and tries iOS.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

# shellcheck source=scripts/lib/install.sh
source scripts/lib/install.sh

apt_install clang llvm libc6-dev-arm64-cross libc6-dev
log_dir=target/arm64
mkdir -p "$log_dir"

check() { # TRIPLE CLANG_TARGET INCLUDE_DIRS...
    local triple=$1 clang_target=$2
    shift 2
    local var=${triple//-/_}
    local cflags="--target=$clang_target"
    for dir in "$@"; do cflags+=" -isystem $dir"; done
    env "CC_$var=clang" "AR_$var=llvm-ar" "CFLAGS_$var=$cflags" \
        cargo check --locked --quiet -p smart-enroll-ffi --lib --target "$triple" \
        >"$log_dir/check-$triple.log" 2>&1
}

scope=${SMART_ENROLL_MOBILE_CHECK:-all}
case $scope in all|phone) ;; *) echo "SMART_ENROLL_MOBILE_CHECK must be all or phone" >&2; exit 2 ;; esac

rust_target aarch64-linux-android
check aarch64-linux-android aarch64-linux-android24 /usr/aarch64-linux-gnu/include \
    || { tail -40 "$log_dir/check-aarch64-linux-android.log" >&2; echo "aarch64-linux-android: cargo check FAILED" >&2; exit 1; }
echo "aarch64-linux-android: smart-enroll-ffi compiles (cargo check)"
if [ "$scope" = phone ]; then
    echo "x86_64-linux-android and iOS: not checked in this run (SMART_ENROLL_MOBILE_CHECK=phone; run scripts/check-mobile-targets.sh for all)"
    exit 0
fi
rust_target x86_64-linux-android
check x86_64-linux-android x86_64-linux-android24 /usr/include/x86_64-linux-gnu /usr/include \
    || { tail -40 "$log_dir/check-x86_64-linux-android.log" >&2; echo "x86_64-linux-android: cargo check FAILED" >&2; exit 1; }
echo "x86_64-linux-android: smart-enroll-ffi compiles (cargo check)"

# iOS: best effort, reported.
for triple in aarch64-apple-ios aarch64-apple-ios-sim; do
    if ! rust_target "$triple"; then
        echo "$triple: not checked: \`rustup target add $triple\` failed here"
        continue
    fi
    case $triple in
        aarch64-apple-ios) clang_target=arm64-apple-ios15.0 ;;
        *) clang_target=arm64-apple-ios15.0-simulator ;;
    esac
    if check "$triple" "$clang_target" /usr/aarch64-linux-gnu/include; then
        echo "$triple: smart-enroll-ffi compiles (cargo check)"
    else
        echo "$triple: not checkable without the iOS SDK: $(grep -m1 -E 'error|fatal' "$log_dir/check-$triple.log" | cut -c1-200)"
    fi
done
