# Liveness prefilter (core/prefilter): ONNX Runtime for the host (loaded at run time by `ort`
# load-dynamic; the prefilter finds the wheel's libonnxruntime.so by itself) and the real photos
# the tests use: scikit-image's public-domain sample images, exported once to PNGs.
pip_install onnxruntime==1.23.2 scikit-image==0.26.0

prefilter_data="${SMART_ENROLL_PREFILTER_TEST_DATA:-$PWD/target/prefilter-test-data}"
if [ ! -f "$prefilter_data/COMPLETE" ]; then
    mkdir -p "$prefilter_data"
    python3 - "$prefilter_data" <<'PY'
import os, sys
import numpy as np
from skimage import data, io
out = sys.argv[1]
for name in ("astronaut", "camera", "coffee", "chelsea", "rocket"):
    io.imsave(os.path.join(out, name + ".png"), getattr(data, name)(), check_contrast=False)
# lfw_subset: 200 grayscale 25x25 crops, the first 100 are faces, the last 100 are not.
lfw = data.lfw_subset()
assert lfw.shape == (200, 25, 25), lfw.shape
for i, img in enumerate(lfw):
    kind = "face" if i < 100 else "nonface"
    io.imsave(os.path.join(out, f"lfw_{kind}_{i:03d}.png"),
              (np.clip(img, 0.0, 1.0) * 255.0).round().astype(np.uint8), check_contrast=False)
PY
    touch "$prefilter_data/COMPLETE"
fi

# The library loads ONNX Runtime only from an explicit path, ORT_DYLIB_PATH or the platform's
# library name; the tests get the wheel's library through ORT_DYLIB_PATH, which .cargo/config.toml
# and scripts/deps/20-prefilter.env point at this link.
ort_link="$PWD/target/onnxruntime/libonnxruntime.so"
ort_lib=$(python3 - <<'PY'
import glob, os, onnxruntime
libs = sorted(glob.glob(os.path.join(os.path.dirname(onnxruntime.__file__), "capi", "libonnxruntime.so*")))
print(libs[-1] if libs else "")
PY
)
if [ -n "$ort_lib" ] && [ "$(readlink -f "$ort_link" 2>/dev/null)" != "$(readlink -f "$ort_lib")" ]; then
    mkdir -p "$(dirname "$ort_link")"
    ln -sfn "$ort_lib" "$ort_link"
fi
