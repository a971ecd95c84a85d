#!/usr/bin/env bash
# ARM64: runs the Rust test suites for aarch64-unknown-linux-gnu under qemu-aarch64 (user-mode
# emulation, through cargo's `runner` setting), with the arm64 ONNX Runtime, so the prefilter's
# tests run the real BlazeFace and Face Mesh models on the real test photos on arm64 code; then
# compile-checks the FFI crate for Android (aarch64 + x86_64) and tries iOS.
#
#   scripts/test-arm64.sh [--packages "core prefilter ..."] [--no-suites] [--no-mobile-check]
#
# --packages     run only these suites (short names: core prefilter api ffi); default: all of
#                smart-enroll-core, smart-enroll-prefilter, smart-enroll-ffi, and
#                smart-enroll-api when `cargo metadata` lists it.
# --no-suites    skip the qemu test suites (only the Android/iOS compile checks).
# --no-mobile-check  skip the Android/iOS compile checks.
#
# Idempotent and quiet; installs what is missing (run as root for apt):
#   - rustup targets aarch64-unknown-linux-gnu, aarch64-linux-android, x86_64-linux-android;
#   - Debian gcc-aarch64-linux-gnu (cross linker + arm64 glibc/libstdc++), qemu-user, clang;
#   - the host prerequisites of the prefilter tests (scripts/deps/20-prefilter.sh: the photos);
#   - the manylinux aarch64 wheel of onnxruntime==1.23.2 from PyPI, downloaded with
#     `pip download` and unpacked under target/arm64/ (never installed into the host Python).
#
# Skipped on arm64: the four tests of core/prefilter/tests/stills.rs
# (`an_off_centre_face_in_a_tall_photo…`, `quality_problems_of_a_tall_portrait…`,
# `two_portraits_side_by_side…`, `false_rejections_on_real_good_portraits`). They run the stills'
# second detection pass (a model run per tile and per face, up to 24 tiles per photo; the last one
# over 203 portraits for a BENCHMARKS.md figure): seconds on x86_64, more than 13 minutes under
# qemu user-mode emulation, which the CI time limit cannot hold. The tile pass is plain Rust over
# the same model call that the other prefilter tests run on arm64 (`tests/cross_arch.rs` checks
# the detector's boxes against golden values). Every other test that runs on x86_64 (`cargo test`) runs here as well, plus the core's media
# tests in the mobile library's configuration (`--no-default-features`).
# (Benches are not run: emulated timings mean nothing; scripts/checks/30-* need a host JVM
# loading the library, i.e. an x86_64 library.)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export DEBIAN_FRONTEND=noninteractive

packages=""
suites=1
mobile_check=1
while [ $# -gt 0 ]; do
    case "$1" in
        --packages) packages=$2; shift 2 ;;
        --no-suites) suites=0; shift ;;
        --no-mobile-check) mobile_check=0; shift ;;
        -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
        *) echo "test-arm64.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done

target=aarch64-unknown-linux-gnu
ort_version=1.23.2
sysroot=/usr/aarch64-linux-gnu

# --- prerequisites -------------------------------------------------------------------------
# shellcheck source=scripts/lib/install.sh
source scripts/lib/install.sh

rust_target "$target"
apt_install gcc-aarch64-linux-gnu libc6-dev-arm64-cross libstdc++6-arm64-cross qemu-user
# The host side of the prefilter tests: Rust components and the test photos.
bash scripts/install-deps.sh 00-rust 01-base 20-prefilter
# shellcheck source=scripts/deps/20-prefilter.env
source scripts/deps/20-prefilter.env

# The arm64 ONNX Runtime: the PyPI manylinux aarch64 wheel, unpacked (not installed).
ort_dir=$root/target/arm64/onnxruntime-$ort_version
ort_lib=$ort_dir/libonnxruntime.so.$ort_version
if [ ! -f "$ort_dir/COMPLETE" ]; then
    rm -rf "$ort_dir"
    mkdir -p "$ort_dir/wheel"
    python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
        --platform manylinux_2_27_aarch64 --dest "$ort_dir/wheel" "onnxruntime==$ort_version"
    python3 - "$ort_dir" <<'PY'
import glob, os, sys, zipfile
out = sys.argv[1]
wheel, = glob.glob(os.path.join(out, "wheel", "onnxruntime-*aarch64*.whl"))
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        name = os.path.basename(info.filename)
        if info.filename.startswith("onnxruntime/capi/") and name.startswith("libonnxruntime"):
            with z.open(info) as src, open(os.path.join(out, name), "wb") as dst:
                dst.write(src.read())
PY
    rm -rf "$ort_dir/wheel"
    touch "$ort_dir/COMPLETE"
fi
# Refuse an x86_64 library here (ELF e_machine 183 = AArch64), so a wrong file fails loudly.
python3 - "$ort_lib" <<'PY'
import struct, sys
with open(sys.argv[1], "rb") as f:
    head = f.read(20)
assert head[:4] == b"\x7fELF" and struct.unpack_from("<H", head, 18)[0] == 183, \
    f"{sys.argv[1]} is not an AArch64 ELF library"
PY

# --- cross build + emulation settings --------------------------------------------------------
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L $sysroot"
export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc
export AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar
# The x86_64 suite gets the host wheel's library through .cargo/config.toml's ORT_DYLIB_PATH;
# that one is x86_64, so the arm64 tests are pointed at the arm64 library (an ORT_DYLIB_PATH
# set here wins over the config's, see runtime_candidates in core/prefilter/src/detector.rs).
export ORT_DYLIB_PATH=$ort_lib
# The tests that need ONNX Runtime fail (never skip) when it does not load
# (core/prefilter/tests/common: `prefilter()` panics on a detector error); the golden test also
# asserts it ran on this library (SMART_ENROLL_EXPECT_ORT names the file it must have loaded).
export SMART_ENROLL_EXPECT_ORT=$ort_lib

if [ "$suites" -eq 1 ]; then
    # Which suites: the workspace's SDK crates (smart-enroll-api once it exists).
    available=$(cargo metadata --no-deps --format-version 1 --locked \
        | python3 -c 'import json,sys; print(" ".join(p["name"] for p in json.load(sys.stdin)["packages"]))')
    if [ -z "$packages" ]; then
        packages="core prefilter ffi"
        case " $available " in *" smart-enroll-api "*) packages="core prefilter api ffi" ;; esac
    fi
    pkg_args=()
    for p in $packages; do
        case " $available " in
            *" smart-enroll-$p "*) pkg_args+=(-p "smart-enroll-$p") ;;
            *) echo "test-arm64.sh: no package smart-enroll-$p in this workspace" >&2; exit 2 ;;
        esac
    done
    log=$root/target/arm64/test.log
    echo "arm64: cargo test --target $target ${pkg_args[*]} (under qemu-aarch64; ORT $ort_version arm64)"
    status=0
    cargo test --locked --quiet --target "$target" "${pkg_args[@]}" --no-fail-fast \
        -- --skip an_off_centre_face_in_a_tall_photo --skip quality_problems_of_a_tall_portrait \
        --skip two_portraits_side_by_side --skip false_rejections_on_real_good_portraits \
        >"$log" 2>&1 || status=$?
    # The mobile library's own configuration of the core (no default features: no PNG/WebP
    # decoders, no embedded landmark model): its media tests, on arm64 (a PNG/WebP gets the
    # typed UnsupportedFormat error; JPEG works).
    case " ${pkg_args[*]} " in
        *" smart-enroll-core "*)
            cargo test --locked --quiet --target "$target" -p smart-enroll-core \
                --no-default-features --lib media:: >>"$log" 2>&1 || status=$? ;;
    esac
    # Totals over every test binary (unit, integration and doc tests).
    python3 - "$log" <<'PY'
import re, sys
passed = failed = ignored = binaries = 0
for line in open(sys.argv[1], errors="replace"):
    m = re.search(r"test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored", line)
    if m:
        binaries += 1
        passed += int(m[1]); failed += int(m[2]); ignored += int(m[3])
print(f"arm64: {passed} passed, {failed} failed, {ignored} ignored in {binaries} test binaries")
PY
    if [ "$status" -ne 0 ]; then
        grep -vE '^(\.+|test result: ok.*|running [0-9]+ tests?|)$' "$log" | tail -80 >&2
        echo "arm64 test suite FAILED (full log: $log)" >&2
        exit "$status"
    fi
fi

if [ "$mobile_check" -eq 1 ]; then
    bash scripts/check-mobile-targets.sh
fi
echo "arm64 checks passed"
