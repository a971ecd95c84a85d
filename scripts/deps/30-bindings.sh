# Prerequisites of the bindings checks (scripts/checks/30-*.sh): sourced by scripts/install-deps.sh.
# - JNA and JUnit 4 from Debian (libjna-java, junit4; hamcrest comes with junit4);
# - the Kotlin compiler from npm (kotlin-compiler, pinned), into the project-local .tools/
#   (gitignored); its lib/ also ships kotlinx-coroutines-core-jvm, which the tests use;
# - tree-sitter with the Swift grammar from PyPI, for the Swift syntax check.
# Idempotent: each step runs only when its result is missing.
apt_install libjna-java junit4 binutils gcc

kotlin_version=2.4.20
kotlin_prefix=.tools/kotlin-compiler
if [ ! -x "$kotlin_prefix/node_modules/kotlin-compiler/bin/kotlinc-jvm" ] \
    || ! grep -q "\"version\": \"$kotlin_version\"" "$kotlin_prefix/node_modules/kotlin-compiler/package.json" 2>/dev/null; then
    mkdir -p "$kotlin_prefix"
    npm install --silent --no-audit --no-fund --prefix "$kotlin_prefix" "kotlin-compiler@$kotlin_version" >/dev/null
fi

pip_install tree-sitter==0.26.1 tree-sitter-swift==0.7.4
