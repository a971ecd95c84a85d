#!/usr/bin/env python3
"""Counts SIMD instructions in the prefilter's per-frame hot functions of a built library.

    simd_report.py LIB.so [--arch aarch64|x86_64] [--objdump PATH]

LIB.so must keep its symbols (the mobile profile strips them: build it with
CARGO_PROFILE_MOBILE_STRIP=false). For each hot function (the detector's input conversion,
the Face Mesh crop, the luma grids, the sharpness patch and its Laplacian) it disassembles the
function and reports: instructions in total, SIMD vector instructions (AArch64: NEON operands
`vN.<lanes>` / `qN`; x86_64: packed SSE/AVX on `xmm`/`ymm` registers, scalar `ss`/`sd` excluded),
and the same two counts inside loop bodies (instructions between a backward branch and its
target). Evidence of vectorisation, not timing: emulated timings mean nothing.
"""
import re
import subprocess
import sys

HOT = [
    "smart_enroll_prefilter::detector::fill_input",
    "smart_enroll_prefilter::eyes::fill_input",
    "smart_enroll_prefilter::quality::mean_luma",
    "smart_enroll_prefilter::quality::sharpness",
    "smart_enroll_prefilter::quality::laplacian_variance",
]

NEON = re.compile(r"\bv\d+\.(?:16b|8b|8h|4h|4s|2s|2d|1d|b|h|s|d)\b|\bq\d+\b")
# Packed x86 SIMD: an xmm/ymm operand in an instruction that is not a scalar float op/move.
X86_SCALAR = re.compile(r"^(?:v?(?:mov|add|sub|mul|div|sqrt|max|min|cmp|ucomi|comi|cvt\w*)s[sd]|"
                        r"v?cvt\w*|v?movd|v?movq|v?ucomis[sd]|v?comis[sd]|v?xorps|v?pxor)$")


def disasm(out, symbol):
    lines, inside = [], False
    for line in out.splitlines():
        if line.endswith(">:"):
            name = re.sub(r"::h[0-9a-f]{16}$", "", line[line.find("<") + 1:-2])
            inside = name == symbol
            continue
        if inside:
            if not line.strip():
                if lines:
                    break
                continue
            lines.append(line)
    return lines


def parse(lines):
    insns = []
    for line in lines:
        m = re.match(r"\s*([0-9a-f]+):\s+(\S+)\s*(.*)", line)
        if m:
            insns.append((int(m[1], 16), m[2], m[3]))
    return insns


def is_simd(arch, mnemonic, ops):
    if arch == "aarch64":
        return bool(NEON.search(ops))
    if not re.search(r"\b[xy]mm\d+", ops):
        return False
    return not X86_SCALAR.match(mnemonic)


def loop_ranges(arch, insns):
    addrs = [a for a, _, _ in insns]
    ranges = []
    for a, mn, ops in insns:
        if (arch == "aarch64" and (mn.startswith("b") or mn in ("cbz", "cbnz", "tbz", "tbnz"))) or \
           (arch == "x86_64" and mn.startswith("j")):
            m = re.match(r"(?:[wx]\d+, )?(?:#\d+, )?0x([0-9a-f]+)", ops)
            if m:
                t = int(m[1], 16)
                if addrs and addrs[0] <= t < a:
                    ranges.append((t, a))
    return ranges


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    lib = argv[0]
    arch = argv[argv.index("--arch") + 1] if "--arch" in argv else "aarch64"
    objdump = argv[argv.index("--objdump") + 1] if "--objdump" in argv else "llvm-objdump"
    print(f"{lib} ({arch})")
    print(f"{'function':55} {'insns':>6} {'simd':>5} {'loop insns':>10} {'loop simd':>9}  simd mnemonics in loops")
    out = subprocess.run([objdump, "-d", "-C", "--no-show-raw-insn", lib],
                         capture_output=True, text=True, check=True).stdout
    for sym in HOT:
        insns = parse(disasm(out, sym))
        if not insns:
            print(f"{sym:55} (not found: inlined into its caller)")
            continue
        loops = loop_ranges(arch, insns)
        in_loop = [i for i in insns if any(lo <= i[0] <= hi for lo, hi in loops)]
        simd = [i for i in insns if is_simd(arch, i[1], i[2])]
        loop_simd = [i for i in in_loop if is_simd(arch, i[1], i[2])]
        mnemonics = sorted({i[1] for i in loop_simd})
        print(f"{sym:55} {len(insns):6} {len(simd):5} {len(in_loop):10} {len(loop_simd):9}  "
              f"{' '.join(mnemonics[:14])}{' …' if len(mnemonics) > 14 else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
