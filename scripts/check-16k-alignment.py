#!/usr/bin/env python3
"""Checks that every native library is ready for Android's 16 KB memory pages.

    scripts/check-16k-alignment.py PATH...

Each PATH is an APK, an AAR (any zip) or a directory; every `.so` inside is checked (our own
library and third-party ones alike, such as ONNX Runtime's from its AAR):

- ELF: every PT_LOAD segment is aligned to 16 KB (0x4000) or more (32- and 64-bit ELF);
- in an APK, a `.so` stored uncompressed (how AGP packages them by default for
  `extractNativeLibs=false`) must start at a 16 KB-aligned offset in the zip, the rule
  `zipalign -c -P 16` checks.

Prints one line per library and exits 1 when any fails (or no `.so` was found), 2 on bad usage.
No Android SDK needed: the ELF program headers are read here.
"""
import os
import struct
import sys
import zipfile

PAGE = 16384
PT_LOAD = 1


def load_alignments(data: bytes):
    """The p_align of every PT_LOAD segment, or raises ValueError for a non-ELF file."""
    if len(data) < 52 or data[:4] != b"\x7fELF":
        raise ValueError("not an ELF file")
    cls, enc = data[4], data[5]
    if enc not in (1, 2):
        raise ValueError("unknown ELF byte order")
    e = "<" if enc == 1 else ">"
    if cls == 2:  # 64-bit
        phoff, = struct.unpack_from(e + "Q", data, 0x20)
        phentsize, phnum = struct.unpack_from(e + "HH", data, 0x36)
        fmt, align_at = e + "I", 0x30
        align_fmt = e + "Q"
    elif cls == 1:  # 32-bit
        phoff, = struct.unpack_from(e + "I", data, 0x1C)
        phentsize, phnum = struct.unpack_from(e + "HH", data, 0x2A)
        fmt, align_at = e + "I", 0x1C
        align_fmt = e + "I"
    else:
        raise ValueError("unknown ELF class")
    aligns = []
    for i in range(phnum):
        off = phoff + i * phentsize
        if off + phentsize > len(data):
            raise ValueError("truncated program headers")
        p_type, = struct.unpack_from(fmt, data, off)
        if p_type == PT_LOAD:
            aligns.append(struct.unpack_from(align_fmt, data, off + align_at)[0])
    return aligns


def check_elf(name: str, data: bytes, problems: list) -> None:
    try:
        aligns = load_alignments(data)
    except (ValueError, struct.error) as err:
        problems.append(f"{name}: {err}")
        return
    bad = [a for a in aligns if a < PAGE]
    if not aligns:
        problems.append(f"{name}: no LOAD segment")
    elif bad:
        problems.append(f"{name}: LOAD segment aligned to {hex(min(bad))} (< 16 KB)")
    else:
        print(f"{name}: every LOAD segment 16 KB aligned")


def check_zip(path: str, problems: list) -> int:
    count = 0
    is_apk = path.endswith(".apk")
    with zipfile.ZipFile(path) as z, open(path, "rb") as raw:
        for info in z.infolist():
            if not info.filename.endswith(".so"):
                continue
            count += 1
            name = f"{path}!{info.filename}"
            check_elf(name, z.read(info), problems)
            if is_apk and info.compress_type == zipfile.ZIP_STORED:
                raw.seek(info.header_offset)
                header = raw.read(30)
                name_len, extra_len = struct.unpack_from("<HH", header, 26)
                data_offset = info.header_offset + 30 + name_len + extra_len
                if data_offset % PAGE:
                    problems.append(f"{name}: stored at zip offset {data_offset}, not 16 KB aligned (zipalign -P 16)")
    return count


def main(argv) -> int:
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    problems: list = []
    count = 0
    for path in argv[1:]:
        if os.path.isdir(path):
            for root, _, files in os.walk(path):
                for f in sorted(files):
                    if f.endswith(".so"):
                        count += 1
                        full = os.path.join(root, f)
                        with open(full, "rb") as fh:
                            check_elf(full, fh.read(), problems)
        elif zipfile.is_zipfile(path):
            count += check_zip(path, problems)
        else:
            problems.append(f"{path}: not a directory, APK or AAR")
    if count == 0:
        problems.append("no .so found in " + " ".join(argv[1:]))
    for p in problems:
        print(f"check-16k-alignment: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
