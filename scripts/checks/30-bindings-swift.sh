#!/usr/bin/env bash
# Swift side of the bindings, without a Swift compiler (none on these machines):
#   1. tree-sitter-swift syntax check of the generated Swift and of every *.swift in the repo;
#   2. self-test: the same check must reject copies of the generated Swift with planted errors,
#      and the checker run on a planted-error file must exit non-zero;
#   3. the generated C header (the Swift module's FFI surface) compiles with gcc -Werror.
set -euo pipefail
cd "$(dirname "$0")/../.."

python3 -c 'import tree_sitter, tree_sitter_swift' 2>/dev/null || {
    echo "30-bindings-swift: tree-sitter-swift is missing: run scripts/test.sh (scripts/deps/30-bindings.sh installs it)" >&2
    exit 1
}
command -v gcc >/dev/null || { echo "30-bindings-swift: gcc missing: run scripts/test.sh" >&2; exit 1; }

echo "--- generating the bindings (host library + uniffi-bindgen)"
scripts/gen-bindings.sh --out target/bindings
swift_dir=target/bindings/swift
for f in SmartEnroll.swift SmartEnrollFFI.h SmartEnrollFFI.modulemap; do
    [ -s "$swift_dir/$f" ] || { echo "30-bindings-swift: $swift_dir/$f was not generated" >&2; exit 1; }
done

echo "--- tree-sitter-swift: generated Swift + every *.swift in the repository"
python3 bindings/tests/swift/syntax_check.py "$swift_dir" .

echo "--- self-test: planted errors must be caught"
python3 bindings/tests/swift/syntax_check.py --self-test "$swift_dir/SmartEnroll.swift"
planted=$(mktemp -d)
trap 'rm -rf "$planted"' EXIT
cp bindings/swift/Sources/SmartEnroll/EnrollmentSession+AsyncStream.swift "$planted/Broken.swift"
printf '\nextension EnrollmentSession {\n    func broken( {\n}\n' >>"$planted/Broken.swift"
if python3 bindings/tests/swift/syntax_check.py "$planted" >/dev/null 2>&1; then
    echo "30-bindings-swift: the syntax check accepted a file with a planted error" >&2
    exit 1
fi
echo "planted-error file rejected (exit non-zero), as it must be"

echo "--- gcc -Werror on the generated C header"
# _Nonnull/_Nullable are Clang nullability qualifiers (the header targets Clang/Xcode); gcc
# does not know them, so they are defined away. Everything else must be clean C11.
gcc -std=c11 -Wall -Wextra -Wpedantic -Werror -D_Nonnull= -D_Nullable= -D_Null_unspecified= \
    -I "$swift_dir" -fsyntax-only bindings/tests/c/header_check.c
echo "SmartEnrollFFI.h compiles with gcc -Werror (C11, -Wall -Wextra -Wpedantic)"
