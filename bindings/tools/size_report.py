#!/usr/bin/env python3
"""Attributes the code and data of an UNSTRIPPED libsmart_enroll_ffi.so to crates.

    size_report.py LIB.so [--stripped STRIPPED.so] [--top N]

Sums `nm --print-size --size-sort -C` symbol sizes by crate (the first path segment of the
demangled name; `<T as crate::Trait>` impls count for the crate of T). With LTO much code is
inlined across crates, so this is an estimate: inlined code is billed to the function it was
inlined into. What no symbol covers (headers, relocations, unwind tables, anonymous constants
such as the embedded model) is reported as "(no symbol)".

Build the input with the mobile profile but without stripping:
    CARGO_PROFILE_MOBILE_STRIP=false cargo build -p smart-enroll-ffi --profile mobile
"""
import collections
import os
import re
import subprocess
import sys

STD = {"core", "alloc", "std", "hashbrown", "std_detect", "compiler_builtins", "adler2",
       "miniz_oxide_std", "gimli", "addr2line", "rustc_demangle", "object", "panic_unwind"}


def crate_of(name: str) -> str:
    n = name.strip()
    # <Foo as Bar>::baz -> Foo ; <&Foo as ...> -> Foo ; <[T]>::x -> T
    while n.startswith("<"):
        n = n[1:]
        n = n.lstrip("&*").removeprefix("mut ").removeprefix("dyn ").lstrip("[(")
    m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)::", n)
    if not m:
        return "(C / runtime: " + (n.split("@")[0][:20] or "?") + ")" if n.startswith(("ring_", "GFp_", "OPENSSL", "CRYPTO")) else "(other symbols)"
    c = m.group(1)
    if c in STD:
        return "std (core/alloc/std)"
    return c


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    lib = argv[0]
    top = int(argv[argv.index("--top") + 1]) if "--top" in argv else 25
    out = subprocess.run(["nm", "--print-size", "--size-sort", "-C", lib],
                         capture_output=True, text=True, check=True).stdout
    sizes = collections.Counter()
    for line in out.splitlines():
        parts = line.split(None, 3)
        if len(parts) < 4:
            continue
        size = int(parts[1], 16)
        name = parts[3]
        if name.startswith(("ring_core_", "ring_", "ecp_nistz256")):
            sizes["ring (C/asm)"] += size
        elif name.startswith(("uniffi_smart_enroll_ffi_", "ffi_smart_enroll_ffi_", "UNIFFI_META")):
            sizes["smart_enroll_ffi (exported FFI)"] += size
        else:
            sizes[crate_of(name)] += size
    total = os.path.getsize(argv[argv.index("--stripped") + 1]) if "--stripped" in argv else os.path.getsize(lib)
    covered = sum(sizes.values())
    print(f"{lib}: shares of {total} bytes (stripped size); symbols cover {covered} bytes")
    print(f"{'crate':40} {'bytes':>10} {'share':>7}")
    for crate, size in sizes.most_common(top):
        print(f"{crate:40} {size:>10} {100 * size / total:6.1f}%")
    print(f"{'(no symbol: headers, unwind, anon data)':40} {total - covered:>10} {100 * (total - covered) / total:6.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
