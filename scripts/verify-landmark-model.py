"""Numerical check of the converted landmark model (run by scripts/derive-landmark-model.sh):
the TFLite original (tf.lite.Interpreter) and the ONNX conversion (onnxruntime) get the same real
face crop (scikit-image's public-domain astronaut photo, input in [0, 1]) and must agree.

    python verify-landmark-model.py FACE_LANDMARK.tflite FACE_LANDMARK.onnx
"""

import math
import sys

import numpy as np
import onnxruntime
import tensorflow as tf
from skimage import data, transform

tflite_path, onnx_path = sys.argv[1], sys.argv[2]
# The astronaut's face, square, with the margin MediaPipe gives a detection (1.5x the box).
face = data.astronaut()[10:250, 110:350].astype(np.float32) / 255.0
x = transform.resize(face, (192, 192), order=1, anti_aliasing=True)[None].astype(np.float32)

interp = tf.lite.Interpreter(model_path=tflite_path)
interp.allocate_tensors()
interp.set_tensor(interp.get_input_details()[0]["index"], x)
interp.invoke()
ref = {d["name"]: interp.get_tensor(d["index"]).reshape(-1) for d in interp.get_output_details()}

sess = onnxruntime.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
names = [o.name for o in sess.get_outputs()]
got = dict(zip(names, (o.reshape(-1) for o in sess.run(names, {sess.get_inputs()[0].name: x}))))

lm_diff = float(np.abs(ref["conv2d_21"] - got["conv2d_21"]).max())
flag_diff = float(np.abs(ref["conv2d_31"] - got["conv2d_31"]).max())
presence = 1.0 / (1.0 + math.exp(-float(got["conv2d_31"][0])))
print(f"landmarks max |tflite - onnx| = {lm_diff:.2e} px (of 192), face flag diff {flag_diff:.2e}, presence {presence:.3f}")
if lm_diff > 1e-2 or flag_diff > 1e-2 or presence < 0.5:
    sys.exit("the ONNX conversion does not reproduce the TFLite model")
