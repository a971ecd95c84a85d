package com.smartenroll.sample.logic

import com.smartenroll.sdk.CameraFrame
import com.smartenroll.sdk.CaptureConfig
import com.smartenroll.sdk.FramePlane
import com.smartenroll.sdk.GuidanceCode
import com.smartenroll.sdk.LivenessCapture
import com.smartenroll.sdk.PixelFormat
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.BeforeClass
import org.junit.Test
import java.io.ByteArrayInputStream
import java.io.File
import javax.imageio.ImageIO
import kotlin.math.roundToInt

/**
 * The selfie screen's logic on the real prefilter, fed frames laid out exactly as the Android
 * app hands them over from CameraX: YUV_420_888 with padded row strides, semi-planar chroma
 * (pixel stride 2), the front sensor's 270° rotation, and unmirrored (CameraX analysis frames
 * are not mirrored, even from the front camera: `mirrored = false`).
 */
class SelfieCaptureTest {
    @Test
    fun everyGuidanceCodeOfTheSdkIsLocalised() {
        assertEquals(Guidance.KEYS, GuidanceCode.entries.map { guidanceKey(it) })
    }

    @Test
    fun cameraFramesOfTheSampleSelfieAreCapturedOnceWithGuidanceAndAnnouncements() {
        val clock = ManualClock(start = 0)
        SelfieCapture(LivenessCapture(CaptureConfig(goodFrames = 3)), clock).use { selfie ->
            requireDetector(selfie)
            val frame = cameraXFrame(sampleSelfie())
            val spoken = mutableListOf<String>()
            var jpeg: ByteArray? = null
            for (i in 0 until 40) {
                clock.advance(33)
                val fb = selfie.onFrame(frame.copy(timestampMs = (i * 33).toLong())) ?: break
                assertTrue(fb.guidanceKey in Guidance.KEYS)
                assertEquals(Guidance.resourceName(fb.guidanceKey), fb.resourceName)
                assertTrue(fb.readiness in 0f..1f)
                fb.announce?.let { spoken += it }
                if (fb.capturedJpeg != null) {
                    jpeg = fb.capturedJpeg
                    break
                }
            }
            assertNotNull("the sample selfie was captured", jpeg)
            val image = ImageIO.read(ByteArrayInputStream(jpeg!!))
            assertTrue("upload-ready JPEG", image.width in 1..1080 && image.height in 1..1080 && jpeg.size <= 150_000)
            assertEquals("the capture is announced", "captured", spoken.last())
            // Captured once: later frames are ignored until a new attempt.
            assertNull(selfie.onFrame(frame))
            selfie.rearm()
            assertNotNull(selfie.onFrame(frame))
        }
    }

    /**
     * Without the face detector (here: a model the SDK cannot load) a sharp, well-lit frame of
     * anything would pass: auto-capture is off, the reason is there for the screen, and the
     * photo is handed over only when the user takes it.
     */
    @Test
    fun withoutTheDetectorNothingIsUploadedUntilTheUserTakesThePhoto() {
        val clock = ManualClock(start = 0)
        SelfieCapture(LivenessCapture(CaptureConfig(goodFrames = 3, faceModel = ByteArray(64) { 7 })), clock).use { selfie ->
            assertEquals(false, selfie.detectorAvailable)
            assertEquals(false, selfie.autoCapture)
            val reason = selfie.detectorUnavailableReason
            assertTrue("the reason: $reason", !reason.isNullOrBlank())
            assertNull("nothing to take yet", selfie.takeManual())
            // Quality-only mode judges light and sharpness alone (it would pass a sharp frame
            // of anything): a good frame is never handed over by itself.
            val frame = cameraXFrame(sampleSelfie())
            var ready = false
            for (i in 0 until 30) {
                clock.advance(33)
                val fb = selfie.onFrame(frame.copy(timestampMs = (i * 33).toLong()))!!
                assertNull("never uploaded automatically", fb.capturedJpeg)
                assertEquals(false, fb.detectorAvailable)
                ready = ready || fb.manualReady
            }
            assertTrue("a photo passed light and sharpness", ready)
            val jpeg = selfie.takeManual()
            assertNotNull(jpeg)
            assertTrue(ImageIO.read(ByteArrayInputStream(jpeg!!)).width > 0)
            // Taken: analysis stops until a new attempt.
            assertNull(selfie.onFrame(frame))
            selfie.rearm()
            assertNotNull(selfie.onFrame(frame))
        }
        // With the detector, the same sample config auto-captures.
        SelfieCapture(LivenessCapture(CaptureConfig()), clock).use { selfie ->
            requireDetector(selfie)
            assertTrue(selfie.autoCapture)
            assertNull(selfie.detectorUnavailableReason)
        }
    }

    /** The camera planes are copied into the same arrays frame after frame. */
    @Test
    fun planeBuffersAreReusedAcrossFrames() {
        val buffers = PlaneBuffers()
        val a = java.nio.ByteBuffer.wrap(ByteArray(100) { it.toByte() })
        a.position(40) // a consumed buffer: the copy still starts at the plane's start
        val first = buffers.copy(0, a)
        assertEquals(100, first.size)
        assertEquals(0.toByte(), first[0])
        val b = java.nio.ByteBuffer.wrap(ByteArray(100) { (it + 1).toByte() })
        val second = buffers.copy(0, b)
        assertTrue("the same array", first === second)
        assertEquals(1.toByte(), second[0])
        assertTrue("a plane of its own", buffers.copy(1, b) !== second)
        val bigger = buffers.copy(0, java.nio.ByteBuffer.wrap(ByteArray(120)))
        assertEquals(120, bigger.size)
        assertTrue(buffers.copy(0, java.nio.ByteBuffer.wrap(ByteArray(120))) === bigger)
    }

    @Test
    fun theSampleShowsAMirroredPreviewAndHandsOverUnmirroredFrames() {
        assertEquals(true, sampleCaptureConfig { null }.previewMirrored)
        assertEquals(false, cameraXFrame(sampleSelfie()).mirrored)
    }

    @Test
    fun aDarkFrameAsksForLight() {
        val clock = ManualClock(start = 0)
        SelfieCapture(LivenessCapture(CaptureConfig()), clock).use { selfie ->
            requireDetector(selfie)
            val w = 640
            val h = 480
            val dark = yuvFrame(w, h, IntArray(w * h) { 0x080808 }, rotation = 270)
            val fb = selfie.onFrame(dark)!!
            assertTrue(fb.guidanceKey, fb.guidanceKey == "too_dark" || fb.guidanceKey == "face_not_found")
            assertEquals("guidance_" + fb.guidanceKey, fb.resourceName)
            assertNull(fb.capturedJpeg)
        }
    }

    @Test
    fun theSampleConfigPassesTheLandmarkModelAssetWhenTheChallengeIsOn() {
        val asset = File(repoRoot, "models/$LANDMARK_MODEL_ASSET")
        check(asset.isFile) { "${asset.path} is missing" }
        var reads = 0
        val read = { reads++; asset.readBytes() }
        // The sample's default: no challenge, so no blink step and the model is not read.
        val plain = sampleCaptureConfig(landmarkModel = read)
        assertEquals(0, plain.challengeTurns)
        assertEquals(false, plain.challengeBlink)
        assertNull(plain.landmarkModel)
        assertEquals(0, reads)
        LivenessCapture(plain).use { capture ->
            assertEquals(false, capture.blinkAvailable())
            assertNull(capture.blinkError())
        }
        // One flag on: the challenge runs with the blink step, on the asset's bytes.
        val challenge = sampleCaptureConfig(challengeTurns = 1, landmarkModel = read)
        assertEquals(1, reads)
        assertTrue(challenge.challengeBlink)
        val capture = LivenessCapture(challenge)
        SelfieCapture(capture, ManualClock(start = 0)).use { selfie ->
            requireDetector(selfie)
            assertTrue("blink unavailable: ${capture.blinkError()}", capture.blinkAvailable())
            assertNull(capture.blinkError())
        }
        // The SDK library does not embed the model: an app whose asset is missing gets no blink
        // step, and the reason.
        LivenessCapture(sampleCaptureConfig(challengeTurns = 1) { null }).use { noAsset ->
            assertEquals(false, noAsset.blinkAvailable())
            val reason = noAsset.blinkError()
            assertTrue("$reason", reason != null && reason.contains("not embedded in this build"))
        }
    }

    @Test
    fun theFaceModelAssetIsHandedToTheSdkOnlyWhenItIsThere() {
        assertEquals(false, installFaceModel { null })
        assertEquals(false, installFaceModel { ByteArray(0) })
        assertTrue(installFaceModel { File(repoRoot, "models/$FACE_MODEL_ASSET").readBytes() })
        LivenessCapture(CaptureConfig()).use { assertTrue(it.detectorAvailable()) }
    }

    private fun requireDetector(selfie: SelfieCapture) {
        if (!selfie.detectorAvailable) {
            fail("face detector unavailable (ONNX Runtime missing): run scripts/test.sh (scripts/deps/20-prefilter.sh installs it)")
        }
    }

    companion object {
        /** As the app does before creating the client: the face detector's model asset. */
        @JvmStatic
        @BeforeClass
        fun installTheFaceModelAsset() {
            val asset = File(repoRoot, "models/$FACE_MODEL_ASSET")
            check(asset.isFile) { "${asset.path} is missing" }
            check(installFaceModel { asset.readBytes() }) { "the SDK refused the face model asset" }
        }

        /**
         * The photo as the front sensor of a portrait phone delivers it to CameraX's
         * ImageAnalysis: stored so that rotating it 270° clockwise gives the upright photo back
         * (unmirrored; only the preview mirrors itself).
         */
        fun cameraXFrame(photo: ByteArray): CameraFrame {
            val upright = ImageIO.read(ByteArrayInputStream(photo))
            val uw = upright.width
            val uh = upright.height
            // Even sensor dimensions (4:2:0 chroma).
            val sw = uh - uh % 2
            val sh = uw - uw % 2
            val rgb = IntArray(sw * sh)
            for (y in 0 until sh) for (x in 0 until sw) {
                // rotate 270° cw: (x, y) -> (y, sw-1-x).
                rgb[y * sw + x] = upright.getRGB(y, sw - 1 - x)
            }
            return yuvFrame(sw, sh, rgb, rotation = 270)
        }

        /** A YUV_420_888 frame as CameraX gives it: row padding, interleaved chroma planes. */
        fun yuvFrame(w: Int, h: Int, rgb: IntArray, rotation: Int): CameraFrame {
            val yStride = w + 64
            val cStride = w + 64
            val yPlane = ByteArray(yStride * (h - 1) + w)
            val uv = ByteArray(cStride * (h / 2 - 1) + w)
            for (y in 0 until h) for (x in 0 until w) {
                val p = rgb[y * w + x]
                val r = (p shr 16) and 0xFF
                val g = (p shr 8) and 0xFF
                val b = p and 0xFF
                yPlane[y * yStride + x] = (0.299 * r + 0.587 * g + 0.114 * b).roundToInt().coerceIn(0, 255).toByte()
                if (y % 2 == 0 && x % 2 == 0) {
                    val u = (-0.169 * r - 0.331 * g + 0.5 * b + 128).roundToInt().coerceIn(0, 255)
                    val v = (0.5 * r - 0.419 * g - 0.081 * b + 128).roundToInt().coerceIn(0, 255)
                    val i = (y / 2) * cStride + x
                    uv[i] = u.toByte()
                    uv[i + 1] = v.toByte()
                }
            }
            // Like CameraX's semi-planar buffers: U and V share memory, V one byte later.
            val uPlane = uv.copyOfRange(0, uv.size - 1)
            val vPlane = uv.copyOfRange(1, uv.size)
            return CameraFrame(
                format = PixelFormat.YUV420,
                width = w,
                height = h,
                planes = listOf(
                    FramePlane(yPlane, yStride, 1),
                    FramePlane(uPlane, cStride, 2),
                    FramePlane(vPlane, cStride, 2),
                ),
                rotationDegrees = rotation,
                mirrored = false,
            )
        }

        /** The sample selfie as the prefilter captures it from camera frames (what the app uploads). */
        val capturedSelfie: ByteArray by lazy {
            LivenessCapture(CaptureConfig(goodFrames = 3)).use { capture ->
                SelfieCapture(capture, ManualClock()).let { selfie ->
                    val frame = cameraXFrame(sampleSelfie())
                    (0 until 40).firstNotNullOfOrNull { i -> selfie.onFrame(frame.copy(timestampMs = (i * 33).toLong()))?.capturedJpeg }
                        ?: error("the prefilter did not capture the sample selfie (detector available: ${selfie.detectorAvailable})")
                }
            }
        }
    }
}
