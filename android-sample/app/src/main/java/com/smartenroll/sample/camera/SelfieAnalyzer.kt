package com.smartenroll.sample.camera

import androidx.camera.core.ImageAnalysis
import androidx.camera.core.ImageProxy
import com.smartenroll.sample.logic.SelfieCapture
import com.smartenroll.sample.logic.SelfieFeedback

/**
 * The CameraX analyzer of the selfie screen: converts each front-camera frame to the SDK's
 * `CameraFrame` and hands it to the logic's [SelfieCapture] (prefilter, guidance, announcements,
 * capture). Runs on the analysis executor; [onFeedback] is called there too.
 */
class SelfieAnalyzer(
    private val selfie: SelfieCapture,
    private val onFeedback: (SelfieFeedback) -> Unit,
) : ImageAnalysis.Analyzer {
    override fun analyze(image: ImageProxy) {
        image.use { proxy ->
            val frame = proxy.toSdkFrame(mirrored = true) ?: return
            val feedback = try {
                selfie.onFrame(frame)
            } catch (e: Exception) {
                // The SDK rejected this frame (typed error, e.g. an unusual buffer layout):
                // skip it and analyse the next one.
                null
            }
            if (feedback != null) onFeedback(feedback)
        }
    }
}
