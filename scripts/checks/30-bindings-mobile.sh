#!/usr/bin/env bash
# Mobile packaging checks that can run on this (Linux, NDK-less, Xcode-less) machine:
#   1. ELF segment alignment report (readelf -lW) of every .so built under target/; Android
#      libraries (target/bindings/android/jniLibs, */*-linux-android*/) must be 16 KB aligned.
#      Self-test: a library linked with -z max-page-size=16384 passes, one linked with 4 KB
#      pages is flagged.
#   2. scripts/build-android.sh and scripts/build-ios.sh fail fast, non-zero, with a clear
#      message naming the missing tools, when run with a PATH lacking cargo-ndk / xcodebuild.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v readelf >/dev/null || { echo "30-bindings-mobile: readelf missing: run scripts/test.sh (binutils)" >&2; exit 1; }

# Smallest LOAD alignment of an ELF file, in bytes.
min_load_align() {
    local min=""
    for a in $(readelf -lW "$1" | awk '$1=="LOAD"{print $NF}'); do
        a=$((a))
        if [ -z "$min" ] || [ "$a" -lt "$min" ]; then min=$a; fi
    done
    [ -n "$min" ] || return 1
    echo "$min"
}

echo "--- self-test of the alignment check"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo 'int smart_enroll_probe(void) { return 42; }' >"$tmp/probe.c"
gcc -shared -fPIC -Wl,-z,max-page-size=16384 -Wl,-z,common-page-size=16384 -o "$tmp/aligned.so" "$tmp/probe.c"
gcc -shared -fPIC -Wl,-z,max-page-size=4096 -Wl,-z,common-page-size=4096 -o "$tmp/unaligned.so" "$tmp/probe.c"
[ "$(min_load_align "$tmp/aligned.so")" -ge 16384 ] || { echo "self-test: 16 KB library not recognised" >&2; exit 1; }
[ "$(min_load_align "$tmp/unaligned.so")" -lt 16384 ] || { echo "self-test: 4 KB library not flagged" >&2; exit 1; }
echo "16 KB-linked probe passes, 4 KB-linked probe is flagged"

echo "--- ELF LOAD segment alignment of every .so built"
mapfile -t libs < <(find target -name '*.so' -type f -not -path '*/deps/*' -not -path '*/build/*' \
    -not -path '*/.fingerprint/*' 2>/dev/null | sort)
[ ${#libs[@]} -gt 0 ] || { echo "30-bindings-mobile: no .so under target/ (the Kotlin check builds one)" >&2; exit 1; }
bad=0
printf '%-70s %10s  %s\n' "library" "min align" "verdict"
for so in "${libs[@]}"; do
    align=$(min_load_align "$so") || { echo "$so: no LOAD segments" >&2; bad=1; continue; }
    case "$so" in
        *jniLibs/*|*-linux-android*/*)
            if [ "$align" -ge 16384 ]; then verdict="ok (Android, 16 KB pages)"; else verdict="FAIL (Android needs 16 KB)"; bad=1; fi ;;
        *) if [ "$align" -ge 16384 ]; then verdict="16 KB-ready"; else verdict="host library (4 KB pages are fine here)"; fi ;;
    esac
    printf '%-70s %10s  %s\n' "$so" "$(printf '0x%x' "$align")" "$verdict"
done
[ "$bad" -eq 0 ] || { echo "30-bindings-mobile: misaligned Android libraries" >&2; exit 1; }

echo "--- mobile build scripts fail fast without their tools"
bindir="$tmp/bin"
mkdir -p "$bindir"
for tool in cargo rustup; do
    p=$(command -v "$tool" || true)
    [ -n "$p" ] && ln -s "$p" "$bindir/$tool"
done
restricted="$bindir:/usr/bin:/bin"
for tool in cargo-ndk xcodebuild lipo; do
    if PATH=$restricted command -v "$tool" >/dev/null 2>&1; then
        echo "30-bindings-mobile: $tool is on the restricted PATH; cannot test the fail-fast path" >&2
        exit 1
    fi
done
expect_fail_fast() { # script, then the strings its error must contain
    local script=$1; shift
    rm -rf target/bindings/android target/bindings/ios
    set +e
    env -u ANDROID_NDK_HOME -u ANDROID_HOME -u ANDROID_SDK_ROOT PATH="$restricted" \
        bash "$script" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    set -e
    if [ "$rc" -eq 0 ]; then echo "$script succeeded without its tools" >&2; exit 1; fi
    for needle in "$@"; do
        grep -qF -- "$needle" "$tmp/err" || { echo "$script: message lacks '$needle':" >&2; cat "$tmp/err" >&2; exit 1; }
    done
    if [ -e target/bindings/android ] || [ -e target/bindings/ios ]; then
        echo "$script started building before failing" >&2; exit 1
    fi
    echo "$script: exit $rc, message:"
    sed 's/^/    /' "$tmp/err"
}
expect_fail_fast scripts/build-android.sh "missing:" "cargo-ndk (install it: cargo install cargo-ndk)" "ANDROID_NDK_HOME"
expect_fail_fast scripts/build-ios.sh "missing:" "xcodebuild" "macOS"
bash scripts/build-android.sh --help >/dev/null
bash scripts/build-ios.sh --help >/dev/null
echo "both scripts fail fast with a clear message; --help works"
