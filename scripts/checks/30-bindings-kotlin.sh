#!/usr/bin/env bash
# Kotlin host tests of the generated bindings, on a real JVM through JNA against the
# host-built libsmart_enroll_ffi.so (built with the `test-hooks` feature), talking to a real
# sandbox server that the tests start. Also checks that the README's Kotlin sample is the
# compiled file bindings/kotlin/samples/ReadmeSample.kt. Exits non-zero if any test fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
# Exports of scripts/deps/*.env (e.g. the prefilter's test data); scripts/test.sh does the same.
# shellcheck source=scripts/env.sh
source scripts/env.sh

kotlin_home=.tools/kotlin-compiler/node_modules/kotlin-compiler
kotlinc=$kotlin_home/bin/kotlinc-jvm
need_file() {
    [ -e "$1" ] || { echo "30-bindings-kotlin: $1 is missing: run scripts/test.sh (scripts/deps/30-bindings.sh installs it)" >&2; exit 1; }
}
need_file "$kotlinc"
need_file "$kotlin_home/lib/kotlinx-coroutines-core-jvm.jar"
need_file /usr/share/java/jna.jar
need_file /usr/share/java/junit4.jar
need_file /usr/share/java/hamcrest-core.jar
command -v java >/dev/null || { echo "30-bindings-kotlin: java not found (JDK 17 needed)" >&2; exit 1; }

echo "--- README Kotlin sample == bindings/kotlin/samples/ReadmeSample.kt"
python3 bindings/tests/readme_sample_check.py

echo "--- building the host library (test-hooks), the sandbox binary and the bindings"
cargo build --locked -q -p smart-enroll-cli
scripts/gen-bindings.sh --features test-hooks --out target/bindings-test

out=target/kotlin-tests
rm -rf "$out"
mkdir -p "$out"
cp="/usr/share/java/jna.jar:/usr/share/java/junit4.jar:/usr/share/java/hamcrest-core.jar:$kotlin_home/lib/kotlinx-coroutines-core-jvm.jar"

echo "--- compiling (kotlinc-jvm): generated bindings + adapters + README sample + tests"
"$kotlinc" -nowarn -jvm-target 17 -cp "$cp" -d "$out/tests.jar" \
    target/bindings-test/kotlin bindings/kotlin/src bindings/kotlin/samples bindings/tests/kotlin

echo "--- running the JUnit 4 tests on the JVM (JNA -> target/debug/libsmart_enroll_ffi.so)"
echo "    (\"panicked\" and \"Callback interface failure\" lines below are deliberate: the tests check"
echo "     that Rust panics and throwing Kotlin callbacks never crash the SDK)"
# Fixed, pre-touched heap: resident-memory growth in MemoryTest is then native memory.
sandbox_log="$root/$out/sandbox.log"
set +e
RUST_BACKTRACE=0 RUST_LOG=warn SMART_ENROLL_BIN="$root/target/debug/smart-enroll" \
    SMART_ENROLL_SANDBOX_LOG="$sandbox_log" \
    java -Xms384m -Xmx384m -XX:+AlwaysPreTouch -Djna.library.path="$root/target/debug" \
    -cp "$out/tests.jar:$cp:$kotlin_home/lib/kotlin-stdlib.jar" \
    com.smartenroll.sdk.test.TestMainKt
rc=$?
set -e
if [ "$rc" -ne 0 ] && [ -s "$sandbox_log" ]; then
    echo "--- last lines of the sandbox log ($sandbox_log)"
    tail -n 40 "$sandbox_log"
fi
exit "$rc"
