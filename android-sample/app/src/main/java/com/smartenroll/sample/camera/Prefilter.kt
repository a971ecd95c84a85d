package com.smartenroll.sample.camera

import android.content.Context
import android.util.Log
import com.smartenroll.sample.logic.FACE_MODEL_ASSET
import com.smartenroll.sample.logic.LANDMARK_MODEL_ASSET
import com.smartenroll.sample.logic.installFaceModel
import com.smartenroll.sample.logic.sampleCaptureConfig
import com.smartenroll.sdk.LivenessCapture
import java.io.IOException

/**
 * The SDK's on-device prefilter for the selfie screen. The face-detection model ships as the APK
 * asset `face_detection_front_128x128_barracuda.onnx` (the SDK library does not embed it; see
 * [installFaceModelAsset]); ONNX Runtime comes from the `onnxruntime-android` AAR (app/build.gradle.kts), whose
 * `libonnxruntime.so` the SDK loads by name. If it cannot be loaded, the capture still works in
 * quality-only mode (light and sharpness) and `detectorAvailable()` is false: the screen says so.
 *
 * Auto-capture after 5 consecutive good frames, JPEG ≤ 1080 px and ≤ 150 KB (the SDK defaults).
 * The sample runs no active challenge (`SAMPLE_CHALLENGE_TURNS` = 0). The blink step's
 * eye-landmark model ships as the APK asset `face_landmark_192.onnx` (copied from the
 * repository's models/ by app/build.gradle.kts; the SDK library does not embed it) and is passed
 * as `CaptureConfig.landmarkModel`, so turning the challenge on (one constant) also brings the
 * blink step. Its bytes are read only then.
 */
fun createLivenessCapture(context: Context): LivenessCapture =
    LivenessCapture(sampleCaptureConfig { readLandmarkModel(context) })

/**
 * Hands the face detector's model asset to the SDK once for the process (SampleApplication does,
 * before creating the client): the selfie's detector and the document face crop use it. False
 * when the asset is missing: quality-only selfie capture, fronts without their face crop.
 */
fun installFaceModelAsset(context: Context): Boolean =
    installFaceModel {
        try {
            context.assets.open(FACE_MODEL_ASSET).use { it.readBytes() }
        } catch (e: IOException) {
            Log.w("SmartEnrollSample", "face detector model asset unavailable; quality-only capture", e)
            null
        }
    }

/** The landmark model asset's bytes, or null (then the challenge runs without the blink step). */
private fun readLandmarkModel(context: Context): ByteArray? =
    try {
        context.assets.open(LANDMARK_MODEL_ASSET).use { it.readBytes() }
    } catch (e: IOException) {
        Log.w("SmartEnrollSample", "landmark model asset unavailable; no blink step", e)
        null
    }
