#!/usr/bin/env python3
"""Checks that README.md (its tour) shows exactly the compiled/checked sample files:
a ```kotlin block == bindings/kotlin/samples/ReadmeSample.kt and a ```swift block ==
bindings/swift/samples/ReadmeSample.swift. Exit 1 with a diff otherwise.
(cli/tests/docs.rs checks the same under `cargo test`.)"""
import difflib
import re
import sys
from pathlib import Path

root = Path(__file__).resolve().parents[2]
section = (root / "README.md").read_text()
failed = False
for lang, path in [("kotlin", "bindings/kotlin/samples/ReadmeSample.kt"),
                   ("swift", "bindings/swift/samples/ReadmeSample.swift")]:
    blocks = re.findall(r"```" + lang + r"\n(.*?)```", section, re.S)
    sample = (root / path).read_text()
    if sample not in blocks:
        failed = True
        print(f"README {lang} sample differs from {path}:", file=sys.stderr)
        shown = blocks[0] if blocks else ""
        sys.stderr.writelines(difflib.unified_diff(
            sample.splitlines(True), shown.splitlines(True), path, f"README.md ({lang} block)"))
    else:
        print(f"README {lang} sample == {path}")
sys.exit(1 if failed else 0)
