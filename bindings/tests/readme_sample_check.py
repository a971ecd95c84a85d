#!/usr/bin/env python3
"""Checks that the README's bindings section shows exactly the compiled/checked sample files:
the ```kotlin block == bindings/kotlin/samples/ReadmeSample.kt and the ```swift block ==
bindings/swift/samples/ReadmeSample.swift. Exit 1 with a diff otherwise."""
import difflib
import re
import sys
from pathlib import Path

root = Path(__file__).resolve().parents[2]
readme = (root / "README.md").read_text()
m = re.search(r"<!-- section:bindings -->(.*?)<!-- /section:bindings -->", readme, re.S)
if not m:
    sys.exit("README.md has no bindings section")
section = m.group(1)
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
