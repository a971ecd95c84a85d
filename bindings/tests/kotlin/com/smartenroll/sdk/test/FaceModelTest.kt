package com.smartenroll.sdk.test

import com.smartenroll.sdk.CaptureConfig
import com.smartenroll.sdk.LivenessCapture
import com.smartenroll.sdk.SmartEnrollException
import com.smartenroll.sdk.setFaceDetectorModel
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test

/**
 * The face detector's model is an app asset: the mobile library (smart-enroll-ffi built alone,
 * without the core's `embedded-face-model` feature) does not embed it. TestMain runs this class
 * first, before any other test hands the model to the process.
 */
class FaceModelTest {
    @Test
    fun withoutTheModelThereIsNoDetectorUntilTheAppSetsIt() {
        // Nothing set yet: quality-only mode, and the reason says what to pass.
        LivenessCapture(CaptureConfig()).use { capture ->
            assertFalse(capture.detectorAvailable())
            val reason = capture.detectorError() ?: error("no detectorError without the face model")
            assertTrue(reason, reason.contains("face_detection_front_128x128_barracuda.onnx"))
            assertTrue(reason, reason.contains("not embedded in this build"))
            assertTrue(reason, reason.contains("CaptureConfig.faceModel"))
            assertTrue(reason, reason.contains("setFaceDetectorModel"))
        }
        // The model in this capture's config only: it loads (ONNX Runtime is installed by
        // scripts/deps/20-prefilter.sh), and nothing is set for the process.
        LivenessCapture(CaptureConfig(faceModel = Fixtures.faceModel)).use { capture ->
            assertEquals(null, capture.detectorError())
            assertTrue(capture.detectorAvailable())
        }
        LivenessCapture(CaptureConfig()).use { assertFalse(it.detectorAvailable()) }
        // Set once for the process: every capture without its own model uses it.
        setFaceDetectorModel(Fixtures.faceModel)
        LivenessCapture(CaptureConfig()).use { capture ->
            assertEquals(null, capture.detectorError())
            assertTrue(capture.detectorAvailable())
        }
    }

    @Test
    fun wrongModelBytesAreATypedErrorNotACrash() {
        try {
            setFaceDetectorModel(ByteArray(0))
            fail("an empty model was accepted")
        } catch (e: SmartEnrollException.InvalidInput) {
            assertEquals("model", e.field)
        }
        val model = Fixtures.faceModel
        for ((what, bytes) in listOf("garbage" to ByteArray(64) { it.toByte() }, "truncated" to model.copyOf(model.size / 3))) {
            LivenessCapture(CaptureConfig(faceModel = bytes)).use { capture ->
                assertFalse(what, capture.detectorAvailable())
                assertNotNull(what, capture.detectorError())
            }
        }
    }
}
