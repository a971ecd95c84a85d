package com.smartenroll.sample.camera

import com.smartenroll.sdk.CaptureConfig
import com.smartenroll.sdk.LivenessCapture

/**
 * The SDK's on-device prefilter for the selfie screen. The face-detection model is compiled into
 * the SDK; ONNX Runtime comes from the `onnxruntime-android` AAR (app/build.gradle.kts), whose
 * `libonnxruntime.so` the SDK loads by name. If it cannot be loaded, the capture still works in
 * quality-only mode (light and sharpness) and `detectorAvailable()` is false: the screen says so.
 *
 * Auto-capture after 5 consecutive good frames, JPEG ≤ 1080 px and ≤ 150 KB (the SDK defaults).
 */
fun createLivenessCapture(): LivenessCapture = LivenessCapture(CaptureConfig())
