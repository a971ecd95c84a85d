#!/usr/bin/env bash
# FFI hand-off benchmark (see BENCHMARKS.md, "Bindings"): builds the release library with the
# `test-hooks` feature, generates its Kotlin bindings, compiles and runs
# bindings/tests/kotlin/com/smartenroll/sdk/bench/FrameHandoffBench.kt on the JVM.
#   bindings/tools/bench-ffi.sh [ROUNDS] [FRAMES_PER_ROUND]
# Needs what scripts/test.sh installs (kotlinc in .tools/, JNA from apt, ONNX Runtime from pip).
set -euo pipefail
cd "$(dirname "$0")/../.."
kotlin_home=.tools/kotlin-compiler/node_modules/kotlin-compiler
[ -x "$kotlin_home/bin/kotlinc-jvm" ] || { echo "kotlinc missing: run scripts/test.sh first" >&2; exit 1; }
cargo build --locked -q --release -p smart-enroll-ffi --features test-hooks
scripts/gen-bindings.sh --lib target/release/libsmart_enroll_ffi.so --out target/bindings-bench
cp="/usr/share/java/jna.jar:$kotlin_home/lib/kotlinx-coroutines-core-jvm.jar"
"$kotlin_home/bin/kotlinc-jvm" -nowarn -jvm-target 17 -cp "$cp" -d target/bindings-bench/bench.jar \
    target/bindings-bench/kotlin bindings/kotlin/src bindings/tests/kotlin/com/smartenroll/sdk/bench
RUST_LOG=warn java -Djna.library.path=target/release \
    -cp "target/bindings-bench/bench.jar:$cp:$kotlin_home/lib/kotlin-stdlib.jar" \
    com.smartenroll.sdk.bench.FrameHandoffBenchKt "$@"
