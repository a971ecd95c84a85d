#!/usr/bin/env bash
# Re-derives models/face_landmark_192.onnx (MediaPipe Face Mesh landmarks, the blink step's
# eye-state signal) from mediapipe's own face_landmark.tflite in the PyPI wheel, and verifies it.
#   scripts/derive-landmark-model.sh           download, convert, canonicalise, verify, install into models/
#   scripts/derive-landmark-model.sh --check   same, but only compare with the committed file (exit 1 on mismatch)
#   scripts/derive-landmark-model.sh --hash    only check the committed file's sha256 (no download; CI)
# The conversion needs TensorFlow (~600 MB): it runs in a throwaway venv, never in CI.
# Set SMART_ENROLL_CONVERT_VENV to reuse a venv between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
MEDIAPIPE="mediapipe==0.10.14"
WHEEL="mediapipe-0.10.14-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
WHEEL_SHA256="a807328339e7356fda0bb14df12fedbf1d33bdf81649c5f8666b0026b1cc30b4"
TFLITE="mediapipe/modules/face_landmark/face_landmark.tflite"
TFLITE_SHA256="1055cb9d4a9ca8b8c688902a3a5194311138ba256bcc94e336d8373a5f30c814"
LICENSE_IN_WHEEL="mediapipe-0.10.14.dist-info/LICENSE"
CONVERTER=(tensorflow-cpu==2.21.0 tf2onnx==1.17.0 onnx==1.23.2 numpy==2.4.6 protobuf==7.36.2 flatbuffers==25.12.19
    onnxruntime==1.23.2 scikit-image==0.26.0)
OPSET=13
FILE="face_landmark_192.onnx"
SHA256="e4a41d6693e5ed8638ba9f581c3f91e937432a25776bf27b0b9a25d5af1e877a"

if [ "${1:-}" = "--hash" ]; then
    got=$(sha256sum "models/$FILE" | cut -d' ' -f1)
    if [ "$got" != "$SHA256" ]; then
        echo "models/$FILE sha256 mismatch: $got (expected $SHA256)" >&2
        exit 1
    fi
    grep -q "$SHA256" models/PROVENANCE.md || { echo "models/PROVENANCE.md does not record sha256 $SHA256" >&2; exit 1; }
    echo "models/$FILE sha256 $SHA256"
    exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
venv="${SMART_ENROLL_CONVERT_VENV:-$tmp/venv}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check "${CONVERTER[@]}"

# The wheel for one fixed platform, so its hash is fixed (the .tflite is the same in all of them).
"$venv/bin/pip" download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --platform manylinux2014_x86_64 --python-version 3.11 --implementation cp --abi cp311 \
    -d "$tmp" "$MEDIAPIPE"
got=$(sha256sum "$tmp/$WHEEL" | cut -d' ' -f1)
if [ "$got" != "$WHEEL_SHA256" ]; then
    echo "mediapipe wheel sha256 mismatch: $got" >&2
    exit 1
fi
(cd "$tmp" && "$venv/bin/python" -m zipfile -e "$WHEEL" wheel >/dev/null)
got=$(sha256sum "$tmp/wheel/$TFLITE" | cut -d' ' -f1)
if [ "$got" != "$TFLITE_SHA256" ]; then
    echo "face_landmark.tflite sha256 mismatch: $got" >&2
    exit 1
fi

PYTHONHASHSEED=0 TF_CPP_MIN_LOG_LEVEL=2 "$venv/bin/python" -m tf2onnx.convert \
    --tflite "$tmp/wheel/$TFLITE" --opset "$OPSET" --output "$tmp/raw.onnx" >"$tmp/convert.log" 2>&1 \
    || { cat "$tmp/convert.log" >&2; exit 1; }
"$venv/bin/python" scripts/canonicalize-onnx.py "$tmp/raw.onnx" "$tmp/$FILE"
got=$(sha256sum "$tmp/$FILE" | cut -d' ' -f1)
if [ "$got" != "$SHA256" ]; then
    echo "converted model sha256 mismatch: $got (expected $SHA256)" >&2
    exit 1
fi
# The conversion must reproduce the TFLite model on a real face.
TF_CPP_MIN_LOG_LEVEL=2 "$venv/bin/python" scripts/verify-landmark-model.py "$tmp/wheel/$TFLITE" "$tmp/$FILE" 2>/dev/null
if [ "${1:-}" = "--check" ]; then
    cmp "$tmp/$FILE" "models/$FILE"
    cmp "$tmp/wheel/$LICENSE_IN_WHEEL" models/LICENSE.mediapipe
    echo "models/$FILE matches $TFLITE from $MEDIAPIPE converted by tf2onnx 1.17.0 (sha256 $SHA256)"
else
    cp "$tmp/$FILE" "models/$FILE"
    cp "$tmp/wheel/$LICENSE_IN_WHEEL" models/LICENSE.mediapipe
    echo "installed models/$FILE from $MEDIAPIPE (sha256 $SHA256)"
fi
