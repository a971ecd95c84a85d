#!/usr/bin/env python3
"""Swift syntax check with tree-sitter-swift (there is no Swift compiler on the CI machines).

    syntax_check.py FILE_OR_DIR...        check every *.swift file; exit 1 on any syntax error
    syntax_check.py --self-test FILE      prove the check can fail: FILE must pass, and copies
                                          of it with planted errors must each be rejected

Reports each ERROR/MISSING node as path:line:column. Installed by scripts/deps/30-bindings.sh
(PyPI tree-sitter + tree-sitter-swift).
"""
import os
import re
import sys

try:
    import tree_sitter
    import tree_sitter_swift
except ImportError as exc:  # pragma: no cover - message for humans
    sys.exit(f"swift syntax check: {exc}; run scripts/test.sh (scripts/deps/30-bindings.sh installs it)")

PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_swift.language()))


# Valid Swift that the tree-sitter-swift grammar (0.7.x) does not parse. Each rewrite keeps the
# line numbers and the meaning; everything else must parse as it is.
GRAMMAR_GAPS = [
    # An attribute wrapped in conditional compilation (`#if swift(>=5.8)` / `@_documentation`
    # / `#endif`): keep the attribute, blank the directive lines.
    (
        re.compile(rb"#if swift\(>=5\.8\)\n(\s*@_documentation\(visibility: private\)\n)\s*#endif"),
        lambda m: b"\n" + m.group(1) + b"\n",
    ),
    # A closure whose body is the empty tuple, `{ () }`, read by the grammar as a parameter
    # list: the same value spelled `Void()`.
    (re.compile(rb"\{ \(\) \}"), lambda m: b"{ Void() }"),
]


def normalise(source: bytes) -> bytes:
    for pattern, repl in GRAMMAR_GAPS:
        source = pattern.sub(repl, source)
    return source


def errors(source: bytes):
    """Yields (line, column, kind) of every syntax error in `source`."""
    tree = PARSER.parse(normalise(source))
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


def swift_files(paths):
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = [d for d in dirs if d not in {".git", "target", ".tools", "node_modules", ".build"}]
                for name in sorted(files):
                    if name.endswith(".swift"):
                        yield os.path.join(root, name)
        else:
            yield path


def check(paths) -> int:
    files = list(swift_files(paths))
    bad = 0
    for path in files:
        with open(path, "rb") as f:
            found = list(errors(f.read()))
        for line, col, kind in found[:20]:
            print(f"{path}:{line}:{col}: {kind}")
        if found:
            bad += 1
    print(f"swift syntax: {len(files)} files checked, {bad} with errors")
    if not files:
        print("swift syntax: no Swift files found", file=sys.stderr)
        return 1
    return 1 if bad else 0


PLANTS = [
    # (description, transformation of the good source)
    ("unbalanced brace", lambda s: s + b"\npublic func planted() {\n    let x = 1\n"),
    ("missing parameter list close", lambda s: s + b"\nfunc planted(a: Int {\n}\n"),
    ("garbage token in a declaration", lambda s: s + b"\nlet = = 3\n"),
    ("type annotation without a type", lambda s: s + b"\nlet planted: = 5\n"),
    ("file cut in the middle of a declaration", lambda s: s[: s.index(b"func ", len(s) // 2) + 12]),
]


def self_test(path) -> int:
    with open(path, "rb") as f:
        good = f.read()
    if list(errors(good)):
        print(f"self-test: {path} should be clean but has syntax errors", file=sys.stderr)
        return 1
    failures = 0
    for name, plant in PLANTS:
        if not list(errors(plant(good))):
            print(f"self-test: planted error NOT detected: {name}", file=sys.stderr)
            failures += 1
        else:
            print(f"self-test: planted error detected: {name}")
    return 1 if failures else 0


def main(argv) -> int:
    if len(argv) >= 2 and argv[0] == "--self-test":
        return self_test(argv[1])
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    return check(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
