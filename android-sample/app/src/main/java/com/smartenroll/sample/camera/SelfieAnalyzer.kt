package com.smartenroll.sample.camera

import androidx.camera.core.ImageAnalysis
import androidx.camera.core.ImageProxy
import com.smartenroll.sample.logic.PlaneBuffers
import com.smartenroll.sample.logic.SelfieCapture
import com.smartenroll.sample.logic.SelfieFeedback

/**
 * The CameraX analyzer of the selfie screen: converts each front-camera frame to the SDK's
 * `CameraFrame` (plane arrays reused across frames) and hands it to the logic's [SelfieCapture]
 * (prefilter, guidance, announcements, capture). Runs on the analysis executor; [onFeedback] is
 * called there too. While [active] is false (an upload runs, or the last error does not ask for
 * a new photo) frames are dropped at once: the camera stays bound, nothing is re-bound per upload.
 */
class SelfieAnalyzer(
    private val selfie: SelfieCapture,
    private val active: () -> Boolean,
    private val onFeedback: (SelfieFeedback) -> Unit,
) : ImageAnalysis.Analyzer {
    private val buffers = PlaneBuffers()

    override fun analyze(image: ImageProxy) {
        image.use { proxy ->
            if (!active()) return
            val frame = proxy.toSdkFrame(buffers) ?: return
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
