package com.smartenroll.sample.camera

import androidx.camera.core.ImageAnalysis
import androidx.camera.core.ImageProxy
import com.smartenroll.sdk.FrameFeedback
import com.smartenroll.sdk.LivenessCapture
import java.util.concurrent.atomic.AtomicBoolean

/**
 * The CameraX analyzer of the selfie screen: every front-camera frame goes through the SDK's
 * prefilter ([LivenessCapture.processFrame]). The feedback goes to [onFeedback]; when the
 * prefilter captures the selfie, its JPEG goes to [onCaptured] once and analysis stops.
 *
 * Runs on the analysis executor (a background thread); the callbacks are called there too.
 */
class SelfieAnalyzer(
    private val capture: LivenessCapture,
    private val onFeedback: (FrameFeedback) -> Unit,
    private val onCaptured: (ByteArray) -> Unit,
    private val onError: (Throwable) -> Unit,
) : ImageAnalysis.Analyzer {
    private val done = AtomicBoolean(false)

    override fun analyze(image: ImageProxy) {
        image.use { proxy ->
            if (done.get()) return
            val frame = proxy.toSdkFrame(mirrored = true) ?: return
            try {
                val feedback = capture.processFrame(frame)
                onFeedback(feedback)
                if (feedback.captured && done.compareAndSet(false, true)) {
                    val result = capture.result()
                    if (result != null) {
                        onCaptured(result.jpeg)
                    } else {
                        done.set(false)
                    }
                }
            } catch (e: Exception) {
                // A typed SDK error for this frame (e.g. an unexpected buffer layout): report it
                // and keep analysing the next frames.
                onError(e)
            }
        }
    }

    /** Analyse again (after a failed upload, for a new attempt). */
    fun rearm() {
        capture.reset()
        done.set(false)
    }
}
