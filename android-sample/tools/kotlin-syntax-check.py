#!/usr/bin/env python3
"""Kotlin syntax check with tree-sitter-kotlin, for the Android app sources that cannot be compiled
on these machines (no Android SDK): every *.kt / *.kts file under the given paths must parse.

    kotlin-syntax-check.py PATH...            exit 1 on any syntax error (path:line:col)
    kotlin-syntax-check.py --self-test FILE   FILE must pass, and copies with planted errors must fail
"""
import pathlib
import sys

try:
    import tree_sitter
    import tree_sitter_kotlin
except ImportError as exc:  # pragma: no cover - message for humans
    sys.exit(f"kotlin syntax check: {exc}; run scripts/test.sh (scripts/deps/40-samples.sh installs it)")

PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_kotlin.language()))


def errors(source: bytes):
    tree = PARSER.parse(source)
    if not tree.root_node.has_error:
        return
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            kind = f"missing {node.type}" if node.is_missing else "unexpected syntax"
            yield node.start_point[0] + 1, node.start_point[1] + 1, kind
            continue
        if node.has_error:
            stack.extend(node.children)


def files(paths):
    for p in map(pathlib.Path, paths):
        if p.is_dir():
            yield from sorted(q for q in p.rglob("*") if q.suffix in (".kt", ".kts"))
        else:
            yield p


def self_test(path: str) -> int:
    source = pathlib.Path(path).read_bytes()
    if list(errors(source)):
        print(f"self-test: {path} must parse cleanly", file=sys.stderr)
        return 1
    planted = [
        source + b"\nclass Broken {\n",  # an unclosed block
        source.replace(b")", b"", 1),  # an unclosed call
        source.replace(b"{", b"", 1),  # a missing brace
        source + b"\nval = = )\n",  # garbage
    ]
    for i, bad in enumerate(planted):
        if not list(errors(bad)):
            print(f"self-test: planted error {i} was not detected", file=sys.stderr)
            return 1
    print(f"kotlin syntax self-test: {len(planted)} planted errors detected")
    return 0


def main(argv) -> int:
    if argv[:1] == ["--self-test"]:
        return self_test(argv[1])
    count = 0
    bad = 0
    for f in files(argv):
        count += 1
        for line, col, kind in errors(f.read_bytes()):
            print(f"{f}:{line}:{col}: {kind}", file=sys.stderr)
            bad += 1
    if count == 0:
        print("kotlin syntax check: no files", file=sys.stderr)
        return 1
    print(f"kotlin syntax check: {count} files, {bad} errors")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
