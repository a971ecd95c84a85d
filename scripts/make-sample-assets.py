#!/usr/bin/env python3
"""Re-derives cli/assets/sample-selfie.jpg from scikit-image's public-domain sample data.

The source is `skimage.data.astronaut()`: a NASA portrait of astronaut Eileen Collins (NASA
Great Images database), "no known copyright restrictions, released into the public domain" per
scikit-image. This script crops the head and shoulders and writes a baseline JPEG without
metadata. The demo embeds the result with `include_bytes!`, so Python is needed only to
re-derive the asset, never at run time.

Usage: pip install scikit-image==0.26.0 pillow && python3 scripts/make-sample-assets.py
"""

import io
import os
import sys

from PIL import Image
from skimage import data

# (left, top, right, bottom) in the 512x512 source: the face with hair, neck ring and shoulders.
CROP = (96, 0, 352, 320)
QUALITY = 90
MAX_BYTES = 100 * 1024


def main() -> int:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out_path = os.path.join(root, "cli", "assets", "sample-selfie.jpg")
    source = Image.fromarray(data.astronaut()).convert("RGB")
    assert source.size == (512, 512), source.size
    face = source.crop(CROP)
    buf = io.BytesIO()
    # No exif/icc arguments: Pillow writes a plain JFIF file.
    face.save(buf, format="JPEG", quality=QUALITY, optimize=True)
    jpeg = buf.getvalue()
    if len(jpeg) > MAX_BYTES:
        print(f"sample selfie is {len(jpeg)} bytes, over {MAX_BYTES}", file=sys.stderr)
        return 1
    with open(out_path, "wb") as f:
        f.write(jpeg)
    print(f"wrote {out_path}: {face.size[0]}x{face.size[1]}, {len(jpeg)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
