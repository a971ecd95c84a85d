#!/usr/bin/env bash
# Builds the Smart Enroll Android library (AAR) for arm64-v8a, armeabi-v7a and x86_64.
#
#   scripts/build-android.sh [--abi ABI]... [--skip-gradle] [--apk]
#
# Steps:
#   1. checks every tool first and stops with a clear message listing what is missing;
#   2. cargo-ndk builds libsmart_enroll_ffi.so per ABI with the size-tuned `mobile` profile
#      (opt-level s, LTO, codegen-units 1, stripped, panic=unwind), linked with 16 KB page
#      alignment (-z max-page-size=16384, needed for Android 15+ devices with 16 KB pages;
#      NDK r28+ does it by default, the flag makes older NDKs do it too);
#   3. the in-repo uniffi-bindgen generates the Kotlin bindings;
#   4. Gradle packages bindings/android (generated Kotlin + bindings/kotlin adapters + the .so
#      files) into target/android/smart-enroll-android-release.aar, which depends on
#      net.java.dev.jna:jna@aar and kotlinx-coroutines;
#   5. with --apk, the sample app's debug and release APKs (android-sample, its own Gradle
#      wrapper);
#   6. scripts/check-16k-alignment.py over every .so of the AAR and, with --apk, of both APKs
#      (ONNX Runtime's from its AAR included): 16 KB-aligned LOAD segments, and 16 KB-aligned
#      zip offsets for the uncompressed libraries of an APK.
#
# Needs: rustup with the three Android targets, cargo-ndk (cargo install cargo-ndk),
# ANDROID_NDK_HOME (NDK r26+; r28+ recommended), ANDROID_HOME (SDK with platform 35),
# JDK 17. Gradle comes from the committed wrapper (bindings/android/gradlew, which downloads
# the Gradle version pinned in bindings/android/gradle/wrapper/gradle-wrapper.properties on its
# first run); set GRADLE=/path/to/gradle to use another Gradle 8.9+ instead.
set -euo pipefail
cd "$(dirname "$0")/.."

abis=()
skip_gradle=0
build_apk=0
while [ $# -gt 0 ]; do
    case "$1" in
        --abi) abis+=("$2"); shift 2 ;;
        --skip-gradle) skip_gradle=1; shift ;;
        --apk) build_apk=1; shift ;;
        -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
        *) echo "build-android.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done
[ ${#abis[@]} -eq 0 ] && abis=(arm64-v8a armeabi-v7a x86_64)

rust_target() {
    case "$1" in
        arm64-v8a) echo aarch64-linux-android ;;
        armeabi-v7a) echo armv7-linux-androideabi ;;
        x86_64) echo x86_64-linux-android ;;
        x86) echo i686-linux-android ;;
        *) return 1 ;;
    esac
}

# --- 1. fail fast: collect everything that is missing, then stop --------------------------
missing=()
have() { command -v "$1" >/dev/null 2>&1; }
have cargo || missing+=("cargo (install Rust: https://rustup.rs)")
have rustup || missing+=("rustup (install Rust with rustup: https://rustup.rs)")
have cargo-ndk || missing+=("cargo-ndk (install it: cargo install cargo-ndk)")
have python3 || missing+=("python3 (reads cargo metadata)")
if [ -z "${ANDROID_NDK_HOME:-}" ] || [ ! -d "${ANDROID_NDK_HOME:-/nonexistent}" ]; then
    missing+=("ANDROID_NDK_HOME (set it to an Android NDK r26+, r28+ recommended, e.g. \$ANDROID_HOME/ndk/28.0.13004108)")
fi
for abi in "${abis[@]}"; do
    target=$(rust_target "$abi") || { echo "build-android.sh: unknown ABI $abi" >&2; exit 2; }
    if have rustup && ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
        missing+=("rust target $target (rustup target add $target)")
    fi
done
gradle=${GRADLE:-$(pwd)/bindings/android/gradlew}
if [ "$skip_gradle" -eq 0 ]; then
    have "$gradle" || missing+=("gradle: $gradle is not executable (restore the wrapper with scripts/fetch-gradle-wrapper.sh, or set GRADLE=/path/to/gradle; or pass --skip-gradle)")
    have java || missing+=("java (JDK 17)")
    if [ -z "${ANDROID_HOME:-${ANDROID_SDK_ROOT:-}}" ]; then
        missing+=("ANDROID_HOME (set it to the Android SDK, with platform android-35)")
    fi
fi
if [ "$build_apk" -eq 1 ]; then
    [ "$skip_gradle" -eq 0 ] || { echo "build-android.sh: --apk needs Gradle (drop --skip-gradle)" >&2; exit 2; }
    [ -x android-sample/gradlew ] || missing+=("android-sample/gradlew (restore the wrapper with scripts/fetch-gradle-wrapper.sh)")
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "build-android.sh: cannot build the Android library; missing:" >&2
    printf '  - %s\n' "${missing[@]}" >&2
    exit 1
fi

# --- 2. native libraries ------------------------------------------------------------------
out=target/bindings/android
rm -rf "$out"
mkdir -p "$out/jniLibs" target/android
page_flags="-C link-arg=-Wl,-z,max-page-size=16384 -C link-arg=-Wl,-z,common-page-size=16384"
export CARGO_TARGET_AARCH64_LINUX_ANDROID_RUSTFLAGS="$page_flags"
export CARGO_TARGET_ARMV7_LINUX_ANDROIDEABI_RUSTFLAGS="$page_flags"
export CARGO_TARGET_X86_64_LINUX_ANDROID_RUSTFLAGS="$page_flags"
export CARGO_TARGET_I686_LINUX_ANDROID_RUSTFLAGS="$page_flags"
ndk_args=()
for abi in "${abis[@]}"; do ndk_args+=(-t "$abi"); done
cargo ndk "${ndk_args[@]}" --platform 24 build --locked -p smart-enroll-ffi --profile mobile
# Copy each ABI's library into the jniLibs layout (done here rather than with cargo-ndk's -o,
# whose handling of custom profiles differs between versions).
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
for abi in "${abis[@]}"; do
    mkdir -p "$out/jniLibs/$abi"
    cp "$target_dir/$(rust_target "$abi")/mobile/libsmart_enroll_ffi.so" "$out/jniLibs/$abi/"
done

# Check the alignment now (every LOAD segment aligned to 16 KB or more), before packaging.
python3 scripts/check-16k-alignment.py "$out/jniLibs"

# --- 3. Kotlin bindings (the API is the same for every ABI; generated from the host build) ---
scripts/gen-bindings.sh --out "$out/gen"
mv "$out/gen/kotlin" "$out/kotlin"
rm -rf "$out/gen"

# --- 4. AAR --------------------------------------------------------------------------------
if [ "$skip_gradle" -eq 1 ]; then
    echo "native libraries in $out/jniLibs, Kotlin in $out/kotlin (Gradle skipped)"
    exit 0
fi
(cd bindings/android && "$gradle" --no-daemon -q assembleRelease)
cp bindings/android/build/outputs/aar/*-release.aar target/android/smart-enroll-android-release.aar
echo "AAR: target/android/smart-enroll-android-release.aar"
check=(target/android/smart-enroll-android-release.aar)

# --- 5. the sample app's APKs (every .so they ship, ONNX Runtime's included) -------------------
if [ "$build_apk" -eq 1 ]; then
    (cd android-sample && ./gradlew --no-daemon -q :app:assembleDebug :app:assembleRelease)
    while IFS= read -r apk; do check+=("$apk"); done < <(find android-sample/app/build/outputs/apk -name '*.apk' | sort)
fi

# --- 6. 16 KB alignment of every native library in what was built ------------------------------
python3 scripts/check-16k-alignment.py "${check[@]}"
echo "publish to ~/.m2 with: (cd bindings/android && $gradle publishToMavenLocal)"
