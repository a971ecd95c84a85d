#!/usr/bin/env python3
"""Keeps the iOS sample's Localizable.strings (en, es) equal to the Android sample's strings.xml.

The Android resources are the source of truth: every key there becomes a key in
Localizable.strings, with Android's `%1$s` / `%1$d` placeholders turned into `%@` / `%d`.

    ios-sample/tools/sync-strings.py           # rewrite the two Localizable.strings files
    ios-sample/tools/sync-strings.py --check   # exit 1 (and say which) if they differ
"""
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAIRS = [
    ("values", "en"),
    ("values-es", "es"),
]


def render(values_dir: str) -> str:
    src = ROOT / "android-sample/app/src/main/res" / values_dir / "strings.xml"
    root = ET.parse(src).getroot()
    lines = [
        f"/* Generated from android-sample/app/src/main/res/{values_dir}/strings.xml by",
        "   ios-sample/tools/sync-strings.py; scripts/checks/40-samples.sh fails when they drift apart. */",
        "",
    ]
    for element in root.findall("string"):
        text = "".join(element.itertext())
        text = text.replace("\\'", "'").replace('\\"', '"')
        text = re.sub(r"%\d+\$s", "%@", text)
        text = re.sub(r"%\d+\$d", "%d", text)
        text = text.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'"{element.get("name")}" = "{text}";')
    return "\n".join(lines) + "\n"


def main() -> int:
    check = "--check" in sys.argv[1:]
    stale = []
    for values_dir, lang in PAIRS:
        out = ROOT / "ios-sample/SmartEnrollSample/Resources" / f"{lang}.lproj" / "Localizable.strings"
        wanted = render(values_dir)
        if check:
            if not out.exists() or out.read_text(encoding="utf-8") != wanted:
                stale.append(str(out.relative_to(ROOT)))
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(wanted, encoding="utf-8")
    if stale:
        print("out of date (run ios-sample/tools/sync-strings.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
