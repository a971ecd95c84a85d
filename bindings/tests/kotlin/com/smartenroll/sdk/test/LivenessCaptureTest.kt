package com.smartenroll.sdk.test

import com.smartenroll.sdk.CameraFrame
import com.smartenroll.sdk.CaptureConfig
import com.smartenroll.sdk.FramePlane
import com.smartenroll.sdk.GuidanceCode
import com.smartenroll.sdk.LivenessCapture
import com.smartenroll.sdk.PixelFormat
import com.smartenroll.sdk.SmartEnrollException
import com.smartenroll.sdk.setFaceDetectorModel
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.BeforeClass
import org.junit.Test
import java.awt.image.BufferedImage
import java.io.ByteArrayInputStream
import java.io.ByteArrayOutputStream
import java.io.File
import javax.imageio.ImageIO

/** The prefilter through the bindings, on the repository's real sample selfie photo. */
class LivenessCaptureTest {
    companion object {
        /** As an app does at start-up: the face detector's model, from its asset, for the process. */
        @JvmStatic
        @BeforeClass
        fun setFaceModel() = setFaceDetectorModel(Fixtures.faceModel)
    }

    /** The sample selfie as an RGBA camera frame (optionally stored rotated by 90° clockwise
     *  counter-rotation, i.e. a sensor image that needs `rotationDegrees = 90`). */
    private fun selfieFrame(sensorRotated: Boolean): CameraFrame {
        val img = ImageIO.read(ByteArrayInputStream(Fixtures.selfie))
        val (w, h) = if (sensorRotated) img.height to img.width else img.width to img.height
        val rgba = ByteArray(w * h * 4)
        for (y in 0 until h) for (x in 0 until w) {
            // Upright pixel (u, v) = rotate the sensor pixel (x, y) by 90° clockwise.
            val (u, v) = if (sensorRotated) (h - 1 - y) to x else x to y
            val p = img.getRGB(u, v)
            val i = (y * w + x) * 4
            rgba[i] = (p shr 16).toByte(); rgba[i + 1] = (p shr 8).toByte(); rgba[i + 2] = p.toByte(); rgba[i + 3] = -1
        }
        return CameraFrame(
            format = PixelFormat.RGBA, width = w, height = h,
            planes = listOf(FramePlane(rgba, (w * 4), 4)),
            rotationDegrees = if (sensorRotated) 90 else 0,
        )
    }

    /** The blink step's landmark model, as an app ships it (an asset whose bytes it passes in
     *  `CaptureConfig.landmarkModel`; the library does not embed it). */
    private val landmarkModel: ByteArray by lazy {
        val f = File(System.getProperty("user.dir"), "models/face_landmark_192.onnx")
        check(f.isFile) { "${f.path} missing: run the tests from the repository root (scripts/test.sh)" }
        f.readBytes()
    }

    private fun requireDetector(capture: LivenessCapture) {
        if (!capture.detectorAvailable()) {
            fail("face detector unavailable (ONNX Runtime missing): run scripts/test.sh (scripts/deps/20-prefilter.sh installs it)")
        }
    }

    @Test
    fun goodFramesAutoCaptureAnUprightJpeg() {
        for (rotated in listOf(false, true)) {
            LivenessCapture(CaptureConfig(goodFrames = 3)).use { capture ->
                requireDetector(capture)
                val frame = selfieFrame(rotated)
                var captured = false
                val seen = mutableListOf<GuidanceCode>()
                for (i in 0 until 30) {
                    val fb = capture.processFrame(frame.copy(timestampMs = (i * 33).toLong()))
                    seen += fb.guidance
                    assertTrue(fb.detectorAvailable)
                    assertEquals("one face in $seen", 1, fb.faces.size)
                    if (fb.captured) { captured = true; break }
                }
                assertTrue("captured (rotated=$rotated); guidance seen: $seen", captured)
                val result = capture.result() ?: error("no result after a capture")
                val jpeg = ImageIO.read(ByteArrayInputStream(result.jpeg))
                assertEquals(result.width, jpeg.width)
                assertEquals(result.height, jpeg.height)
                // A face crop is portrait or square, whatever the sensor orientation was.
                assertTrue(jpeg.height >= jpeg.width * 0.9)
                capture.reset()
                assertEquals(null, capture.result())
            }
        }
    }

    @Test
    fun theChallengeIsAvailableWithTheDetectorAndReportedOtherwise() {
        LivenessCapture(CaptureConfig(challengeTurns = 2)).use { capture ->
            requireDetector(capture)
            assertTrue(capture.challengeAvailable())
            assertEquals(null, capture.challengeUnavailableReason())
        }
        // No challenge configured: nothing to run, nothing to explain.
        LivenessCapture(CaptureConfig()).use { capture ->
            assertEquals(false, capture.challengeAvailable())
            assertEquals(null, capture.challengeUnavailableReason())
        }
    }

    @Test
    fun badFramesAreInvalidInputBeforeAnyPixelIsRead() {
        LivenessCapture(CaptureConfig()).use { capture ->
            val good = selfieFrame(false)
            val cases = listOf(
                good.copy(width = 0),
                good.copy(width = -640),
                good.copy(rotationDegrees = 45),
                good.copy(rotationDegrees = -90),
                good.copy(planes = listOf(FramePlane(good.planes[0].data, -good.planes[0].rowStride, 4))),
                good.copy(planes = listOf(FramePlane(ByteArray(16), good.planes[0].rowStride, 4))),
                good.copy(format = PixelFormat.YUV420),
            )
            for (bad in cases) {
                try {
                    capture.processFrame(bad)
                    fail("accepted a bad frame: $bad")
                } catch (e: SmartEnrollException.InvalidInput) {
                    assertEquals("frame", e.field)
                }
            }
            // The capture still works afterwards.
            assertTrue(capture.processFrame(good).faces.isNotEmpty() || !capture.detectorAvailable())
        }
    }

    private fun jpeg(img: BufferedImage): ByteArray =
        ByteArrayOutputStream().also { check(ImageIO.write(img, "jpg", it)) }.toByteArray()

    /** The photo-picker path: a real portrait at the top of a tall photo (as official portraits
     *  are framed) is usable, with `FACE_OFF_CENTER` only as advice; a darkened copy is
     *  `TOO_DARK`; two portraits side by side are `MULTIPLE_FACES`; garbage is `InvalidInput`. */
    @Test
    fun analyzePhotoJudgesAStillOnWhatTheServerNeeds() {
        LivenessCapture(CaptureConfig()).use { capture ->
            requireDetector(capture)
            val portrait = ImageIO.read(ByteArrayInputStream(Fixtures.selfie))
            val (w, h) = portrait.width to portrait.height
            val tall = BufferedImage(w + 60, h * 2, BufferedImage.TYPE_INT_RGB)
            tall.createGraphics().apply {
                color = java.awt.Color(205, 205, 200)
                fillRect(0, 0, tall.width, tall.height)
                drawImage(portrait, 30, 0, null)
                dispose()
            }
            val ok = capture.analyzePhoto(jpeg(tall))
            assertTrue("$ok", ok.usable)
            assertEquals(GuidanceCode.HOLD_STILL, ok.guidance)
            assertEquals(listOf(GuidanceCode.FACE_OFF_CENTER), ok.advice)
            assertEquals(1, ok.faces.size)

            val dark = BufferedImage(tall.width, tall.height, BufferedImage.TYPE_INT_RGB)
            for (y in 0 until tall.height) for (x in 0 until tall.width) {
                val p = tall.getRGB(x, y)
                val r = ((p shr 16) and 0xff) / 5
                val g = ((p shr 8) and 0xff) / 5
                val b = (p and 0xff) / 5
                dark.setRGB(x, y, (r shl 16) or (g shl 8) or b)
            }
            val darkCheck = capture.analyzePhoto(jpeg(dark))
            assertEquals("$darkCheck", GuidanceCode.TOO_DARK, darkCheck.guidance)
            assertTrue(!darkCheck.usable)

            val two = BufferedImage(w * 2, h, BufferedImage.TYPE_INT_RGB)
            two.createGraphics().apply {
                drawImage(portrait, 0, 0, null)
                drawImage(portrait, 2 * w, 0, -w, h, null) // mirrored copy on the right
                dispose()
            }
            val twoCheck = capture.analyzePhoto(jpeg(two))
            assertEquals("$twoCheck", GuidanceCode.MULTIPLE_FACES, twoCheck.guidance)
            assertEquals(2, twoCheck.faces.size)

            try {
                capture.analyzePhoto("not a photo".toByteArray())
                fail("accepted garbage")
            } catch (e: SmartEnrollException.InvalidInput) {
                assertEquals("image", e.field)
            }
        }
    }

    @Test
    fun blinkIsOffByDefaultAndNeedsTurns() {
        assertEquals(false, CaptureConfig().challengeBlink)
        assertEquals(null, CaptureConfig().landmarkModel)
        // Without the blink step the model bytes are not even loaded.
        LivenessCapture(CaptureConfig(challengeTurns = 1, landmarkModel = ByteArray(16))).use {
            assertEquals(false, it.blinkAvailable())
            assertEquals(null, it.blinkError())
        }
        try {
            LivenessCapture(CaptureConfig(challengeTurns = 0, challengeBlink = true)).close()
            fail("a blink step without a challenge was accepted")
        } catch (e: SmartEnrollException.InvalidInput) {
            assertEquals("captureConfig", e.field)
        }
    }

    @Test
    fun unsetCaptureSettingsTakeThePrefiltersDefaultsAndNegativeOnesAreRefused() {
        // null: the prefilter's own defaults (no copy of them in the bindings).
        assertEquals(null, CaptureConfig().goodFrames)
        assertEquals(null, CaptureConfig().jpegMaxBytes)
        assertEquals(null, CaptureConfig().previewMirrored)
        LivenessCapture(CaptureConfig()).close()
        for (bad in listOf(
            CaptureConfig(goodFrames = -1),
            CaptureConfig(jpegMaxSide = -1080),
            CaptureConfig(jpegMaxBytes = -1),
            CaptureConfig(challengeTurns = -2),
        )) {
            try {
                LivenessCapture(bad).close()
                fail("accepted $bad")
            } catch (e: SmartEnrollException.InvalidInput) {
                assertEquals("captureConfig", e.field)
                assertTrue(e.message!!, e.message!!.contains("must not be negative"))
            }
        }
    }

    @Test
    fun theLibraryDoesNotEmbedTheLandmarkModel() {
        // Built like the mobile libraries (smart-enroll-ffi alone, without the prefilter's
        // embedded-landmark-model feature): without the app's bytes there is no blink step, and
        // the reason says the model must be passed. The head turns still run.
        LivenessCapture(CaptureConfig(challengeTurns = 2, challengeBlink = true)).use { capture ->
            requireDetector(capture)
            assertEquals(false, capture.blinkAvailable())
            val reason = capture.blinkError() ?: error("no blinkError without the landmark model")
            assertTrue(reason, reason.contains("face_landmark_192.onnx"))
            assertTrue(reason, reason.contains("not embedded in this build"))
            assertTrue(reason, reason.contains("CaptureConfig.landmarkModel"))
            val fb = capture.processFrame(selfieFrame(false).copy(timestampMs = 0))
            assertTrue("${fb.guidance}", fb.guidance in listOf(GuidanceCode.TURN_HEAD_LEFT, GuidanceCode.TURN_HEAD_RIGHT))
        }
    }

    @Test
    fun wrongLandmarkModelBytesLeaveTheChallengeWithoutBlink() {
        val frame = selfieFrame(false)
        val cases = listOf(
            "not an ONNX model" to ByteArray(4096) { 0x5a },
            "truncated" to landmarkModel.copyOf(landmarkModel.size / 3),
        )
        for ((what, bytes) in cases) {
            LivenessCapture(CaptureConfig(challengeTurns = 2, challengeBlink = true, landmarkModel = bytes)).use { capture ->
                requireDetector(capture)
                assertEquals(what, false, capture.blinkAvailable())
                val reason = capture.blinkError() ?: error("$what: no blinkError")
                assertTrue("$what: $reason", reason.contains("Face Mesh landmarks 192x192"))
                // The head-turn challenge runs without the blink step.
                val fb = capture.processFrame(frame.copy(timestampMs = 0))
                assertTrue("$what: ${fb.guidance}", fb.guidance in listOf(GuidanceCode.TURN_HEAD_LEFT, GuidanceCode.TURN_HEAD_RIGHT))
            }
        }
    }

    @Test
    fun aStillPhotoFailsTheBlinkStep() {
        val frame = selfieFrame(false)
        // The blink step lands at a random place among the steps (1 turn + 1 blink): take the
        // first capture whose challenge starts with it (each try has a 1/2 chance).
        for (attempt in 0 until 40) {
            LivenessCapture(CaptureConfig(challengeTurns = 1, challengeBlink = true, landmarkModel = landmarkModel)).use { capture ->
                requireDetector(capture)
                assertTrue("blink step unavailable: ${capture.blinkError()}", capture.blinkAvailable())
                assertEquals(null, capture.blinkError())
                val first = capture.processFrame(frame.copy(timestampMs = 0))
                if (first.guidance != GuidanceCode.BLINK) {
                    assertTrue("${first.guidance}", first.guidance in listOf(GuidanceCode.TURN_HEAD_LEFT, GuidanceCode.TURN_HEAD_RIGHT))
                    assertEquals(null, first.eyeOpenness)
                    return@use
                }
                // The photo keeps its eyes open: the step times out (default 6 s). The eyes are
                // measured on every frame that arrives while the step is active.
                val seen = mutableListOf(first.guidance)
                for (i in 1..16) {
                    val fb = capture.processFrame(frame.copy(timestampMs = (i * 500).toLong()))
                    seen += fb.guidance
                    assertTrue("captured during the challenge: $seen", !fb.captured)
                    if (fb.guidance == GuidanceCode.BLINK) {
                        val open = fb.eyeOpenness ?: error("no eye openness during the blink step")
                        assertTrue("open eyes: $open", open > 0.15f)
                    }
                }
                assertEquals("guidance seen: $seen", GuidanceCode.CHALLENGE_FAILED, seen.last())
                assertTrue(seen.subList(0, 12).all { it == GuidanceCode.BLINK })
                assertEquals(null, capture.result())
                return
            }
        }
        fail("no challenge started with the blink step in 40 tries")
    }
}
