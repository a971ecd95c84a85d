#!/usr/bin/env bash
# The sample apps' checks:
#  1. the logic module (android-sample/logic, plain Kotlin) compiled with the npm kotlinc against
#     the generated bindings and unit-tested on the JVM (the tests: android-sample/host-tests,
#     outside the Android module, since they use JDK-only APIs) through JNA against the host-built
#     library, driving whole enrollments against a real sandbox that the tests start; the same
#     run checks the iOS sample's calls into the generated Swift (labels, enum cases);
#  2. a tree-sitter syntax check of every Kotlin file of the Android app (Compose, CameraX: no
#     Android SDK here to compile them) and of every Swift file of the iOS app, each with a
#     planted-error self-test;
#  3. the iOS Localizable.strings are in sync with the Android strings.xml (EN and ES).
# Exits non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
# Exports of scripts/deps/*.env (ORT_DYLIB_PATH for the JVM's prefilter, the test photos), as
# scripts/test.sh does, so this check also runs on its own.
# shellcheck source=scripts/env.sh
source scripts/env.sh

kotlin_home=.tools/kotlin-compiler/node_modules/kotlin-compiler
kotlinc=$kotlin_home/bin/kotlinc-jvm
need_file() {
    [ -e "$1" ] || { echo "40-samples: $1 is missing: run scripts/test.sh (scripts/deps/30-bindings.sh and 40-samples.sh install it)" >&2; exit 1; }
}
need_file "$kotlinc"
need_file "$kotlin_home/lib/kotlinx-coroutines-core-jvm.jar"
need_file /usr/share/java/jna.jar
need_file /usr/share/java/junit4.jar
need_file /usr/share/java/hamcrest-core.jar
command -v java >/dev/null || { echo "40-samples: java not found (JDK 17 needed)" >&2; exit 1; }

# The logic module compiles for Android (android.jar, no JDK-only API such as java.net.http or
# java.awt): its host tests live outside it, in android-sample/host-tests, compiled here only.
if [ -d android-sample/logic/src/test ] && find android-sample/logic/src/test -name '*.kt' | grep -q .; then
    echo "40-samples: Kotlin files under android-sample/logic/src/test: the host tests belong in android-sample/host-tests/src/test/kotlin (Gradle compiles logic/src/test against android.jar)" >&2
    exit 1
fi

echo "--- Android app sources: Kotlin syntax (tree-sitter-kotlin)"
python3 android-sample/tools/kotlin-syntax-check.py --self-test android-sample/app/src/main/java/com/smartenroll/sample/ui/FormScreens.kt
python3 android-sample/tools/kotlin-syntax-check.py android-sample

echo "--- iOS app sources: Swift syntax (tree-sitter-swift)"
python3 bindings/tests/swift/syntax_check.py --self-test ios-sample/SmartEnrollSample/Logic/EnrollController.swift
python3 bindings/tests/swift/syntax_check.py ios-sample

echo "--- 16 KB alignment checker (scripts/check-16k-alignment.py, run by build-android.sh) self-test"
align_tmp=$(mktemp -d)
trap 'rm -rf "$align_tmp"' EXIT
mkdir -p "$align_tmp/good/lib/x86_64" "$align_tmp/bad/lib/x86_64"
echo 'int f(void) { return 1; }' > "$align_tmp/f.c"
gcc -shared -fPIC -Wl,-z,max-page-size=16384 -o "$align_tmp/good/lib/x86_64/libgood.so" "$align_tmp/f.c"
gcc -shared -fPIC -Wl,-z,max-page-size=4096 -Wl,-z,common-page-size=4096 -o "$align_tmp/bad/lib/x86_64/libbad.so" "$align_tmp/f.c"
python3 scripts/check-16k-alignment.py "$align_tmp/good" >/dev/null
if python3 scripts/check-16k-alignment.py "$align_tmp/good" "$align_tmp/bad" >/dev/null 2>&1; then
    echo "40-samples: the alignment check passed a library with 4 KB LOAD alignment" >&2; exit 1
fi
# An APK storing the good library uncompressed at an offset that is not 16 KB aligned fails.
python3 - "$align_tmp" <<'PY'
import sys, zipfile
d = sys.argv[1]
with zipfile.ZipFile(f"{d}/app.apk", "w", zipfile.ZIP_STORED) as z:
    z.writestr("AndroidManifest.xml", b"x" * 100)
    z.write(f"{d}/good/lib/x86_64/libgood.so", "lib/x86_64/libgood.so")
PY
if python3 scripts/check-16k-alignment.py "$align_tmp/app.apk" >/dev/null 2>&1; then
    echo "40-samples: the alignment check passed an APK with an unaligned uncompressed library" >&2; exit 1
fi

echo "--- iOS Localizable.strings == Android strings.xml (en, es)"
python3 ios-sample/tools/sync-strings.py --check

echo "--- host library (same features as the bindings check), sandbox binary, bindings"
cargo build --locked -q -p smart-enroll-cli
scripts/gen-bindings.sh --features test-hooks --out target/bindings-samples

out=target/samples-tests
rm -rf "$out"
mkdir -p "$out"
cp="/usr/share/java/jna.jar:/usr/share/java/junit4.jar:/usr/share/java/hamcrest-core.jar:$kotlin_home/lib/kotlinx-coroutines-core-jvm.jar"
generated=kotlin/com/smartenroll/sdk/smart_enroll.kt

# The bindings check (30-bindings-kotlin.sh) already compiled the same generated bindings and
# adapters into target/kotlin-tests/tests.jar: reuse it when it was built from identical
# generated code, and compile only the sample's logic and tests (kotlinc is slow).
if [ -f target/kotlin-tests/tests.jar ] && [ -f "target/bindings-test/$generated" ] \
    && cmp -s "target/bindings-test/$generated" "target/bindings-samples/$generated" \
    && [ target/kotlin-tests/tests.jar -nt "target/bindings-test/$generated" ]; then
    echo "--- compiling (kotlinc-jvm): sample logic + host tests, against the bindings check's jar"
    bindings_cp=target/kotlin-tests/tests.jar
    "$kotlinc" -nowarn -jvm-target 17 -cp "$cp:$bindings_cp" -d "$out/logic-tests.jar" \
        android-sample/logic/src/main/kotlin android-sample/host-tests/src/test/kotlin
    run_cp="$out/logic-tests.jar:$bindings_cp"
else
    echo "--- compiling (kotlinc-jvm): generated bindings + adapters + sample logic + host tests"
    "$kotlinc" -nowarn -jvm-target 17 -cp "$cp" -d "$out/logic-tests.jar" \
        target/bindings-samples/kotlin bindings/kotlin/src \
        android-sample/logic/src/main/kotlin android-sample/host-tests/src/test/kotlin
    run_cp="$out/logic-tests.jar"
fi

echo "--- running the sample logic host tests (JUnit 4, JNA -> target/debug/libsmart_enroll_ffi.so, real sandbox)"
RUST_LOG=warn RUST_BACKTRACE=0 SMART_ENROLL_BIN="$root/target/debug/smart-enroll" \
    java -Xmx512m -Djava.awt.headless=true -Djna.library.path="$root/target/debug" \
    -Dsmartenroll.repo="$root" -Dsmartenroll.swiftBindings="$root/target/bindings-samples/swift/SmartEnroll.swift" \
    -cp "$run_cp:$cp:$kotlin_home/lib/kotlin-stdlib.jar" \
    com.smartenroll.sample.logic.HostTestMainKt
