package com.smartenroll.sdk.test

import com.smartenroll.sdk.CameraFrame
import com.smartenroll.sdk.DocumentCapture
import com.smartenroll.sdk.DocumentCaptureConfig
import com.smartenroll.sdk.DocumentGuidance
import com.smartenroll.sdk.FramePlane
import com.smartenroll.sdk.PixelFormat
import com.smartenroll.sdk.SmartEnrollException
import com.smartenroll.sdk.TextRecognizer
import com.smartenroll.sdk.TextRecognizerException
import com.smartenroll.sdk.documentGuidanceKey
import com.smartenroll.sdk.documentIdentity
import com.smartenroll.sdk.parseBarcodePayload
import com.smartenroll.sdk.readBarcodes
import com.smartenroll.sdk.readMrz
import com.smartenroll.sdk.readMrzInImage
import com.smartenroll.sdk.setFaceDetectorModel
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.BeforeClass
import org.junit.Test
import java.awt.Color
import java.awt.Font
import java.awt.image.BufferedImage
import java.io.ByteArrayInputStream
import java.util.concurrent.atomic.AtomicInteger
import javax.imageio.ImageIO

/** Synthetic camera scenes for the document capture: a bright ID-1 card on a dark table. */
object DocumentScenes {
    const val W = 640
    const val H = 480

    /** The card's corners in the upright frame, clockwise from the top-left (ID-1: 85.6 × 54). */
    val cardCorners = listOf(110f to 90f, 530f to 90f, 530f to 355f, 110f to 355f)

    /** The scene as an RGB image: a dark background; optionally the card, with the sample
     *  selfie as its portrait and a few lines of text. */
    fun scene(withCard: Boolean): BufferedImage {
        val img = BufferedImage(W, H, BufferedImage.TYPE_INT_RGB)
        val g = img.createGraphics()
        g.color = Color(28, 30, 34)
        g.fillRect(0, 0, W, H)
        if (withCard) {
            val (x0, y0) = cardCorners[0]
            val (x1, y1) = cardCorners[2]
            // A matte white card under room light (mean page luma below the too-bright limit).
            g.color = Color(205, 207, 200)
            g.fillRect(x0.toInt(), y0.toInt(), (x1 - x0).toInt(), (y1 - y0).toInt())
            val portrait = ImageIO.read(ByteArrayInputStream(Fixtures.selfie))
            g.drawImage(portrait, x0.toInt() + 18, y0.toInt() + 40, 160, 200, null)
            g.color = Color(30, 40, 90)
            g.font = Font(Font.SANS_SERIF, Font.BOLD, 20)
            g.drawString("REPUBLICA DE PRUEBA", x0.toInt() + 190, y0.toInt() + 34)
            g.font = Font(Font.MONOSPACED, Font.PLAIN, 16)
            for ((i, line) in listOf("APELLIDOS  ERIKSSON", "NOMBRES  ANNA MARIA", "NUIP 1.234.567.890").withIndex()) {
                g.drawString(line, x0.toInt() + 190, y0.toInt() + 80 + i * 30)
            }
        }
        g.dispose()
        return img
    }

    /** [img] as an NV21 camera frame (BT.601 luma; neutral chroma), stored so that it needs
     *  [rotationDegrees] (0 or 90) to stand upright, as a CameraX back-camera frame does. */
    fun nv21(img: BufferedImage, rotationDegrees: Int = 0): CameraFrame {
        val (w, h) = if (rotationDegrees == 90) img.height to img.width else img.width to img.height
        val data = ByteArray(w * h * 3 / 2) { if (it < w * h) 0 else 128.toByte() }
        for (y in 0 until h) for (x in 0 until w) {
            // Sensor pixel (x, y) turned 90° clockwise is upright pixel (h - 1 - y, x).
            val (u, v) = if (rotationDegrees == 90) (h - 1 - y) to x else x to y
            val p = img.getRGB(u, v)
            val r = (p shr 16) and 255
            val gr = (p shr 8) and 255
            val b = p and 255
            data[y * w + x] = ((299 * r + 587 * gr + 114 * b) / 1000).toByte()
        }
        return CameraFrame(
            format = PixelFormat.NV21, width = w, height = h,
            planes = listOf(FramePlane(data, w, 1)),
            rotationDegrees = rotationDegrees,
        )
    }

    /** The ICAO 9303 TD3 specimen (Doc 9303 part 4), as an OCR engine returns it. */
    const val TD3 = "PASSPORT\nP<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n"

    val keys = setOf(
        "no_document", "move_closer", "move_back", "align", "blurry", "glare",
        "too_dark", "too_bright", "hold_still", "ok",
    )
}

/** A Kotlin [TextRecognizer], as an app writes one around ML Kit / Vision: here it returns a
 *  fixed text (or throws) and records what it was given. */
class FakeRecognizer(private val text: String?, private val throwUnexpected: Boolean = false) : TextRecognizer {
    val calls = AtomicInteger()
    @Volatile var lastImage: BufferedImage? = null

    override fun recognizeText(jpeg: ByteArray): String {
        calls.incrementAndGet()
        lastImage = ImageIO.read(ByteArrayInputStream(jpeg))
        if (throwUnexpected) throw IllegalStateException("ML Kit model not downloaded yet")
        return text ?: throw TextRecognizerException.Failed("OCR engine unavailable")
    }
}

/**
 * The document capture through the bindings: what holds whatever the detector decides (typed
 * errors for bad buffers, the guidance keys, the coordinate space, the OCR hand-over and its
 * failures). The detection, MRZ and barcode results themselves are in [DocumentReadingTest].
 */
class DocumentCaptureTest {
    companion object {
        @JvmStatic
        @BeforeClass
        fun setFaceModel() = setFaceDetectorModel(Fixtures.faceModel)
    }

    @Test
    fun everyFrameGivesOneStableKeyInTheUprightFramesSpace() {
        DocumentCapture(DocumentCaptureConfig(goodFrames = 3)).use { capture ->
            assertNull(capture.result())
            for (rotation in listOf(0, 90)) for (withCard in listOf(false, true)) {
                val frame = DocumentScenes.nv21(DocumentScenes.scene(withCard), rotation)
                val fb = capture.processFrame(frame)
                assertTrue(fb.guidanceKey in DocumentScenes.keys)
                assertEquals(documentGuidanceKey(fb.guidance), fb.guidanceKey)
                // The corners' space is the upright frame, whatever the sensor's orientation.
                assertEquals(DocumentScenes.W, fb.frameWidth)
                assertEquals(DocumentScenes.H, fb.frameHeight)
                assertTrue(fb.readiness in 0f..1f)
                fb.corners?.let { c ->
                    assertEquals(4, c.size)
                    for (p in c) assertTrue("$p", p.x in 0f..DocumentScenes.W.toFloat() && p.y in 0f..DocumentScenes.H.toFloat())
                }
                if (!withCard) {
                    // An empty dark table: nothing to find, nothing counted.
                    assertEquals(DocumentGuidance.NO_DOCUMENT, fb.guidance)
                    assertNull(fb.corners)
                    assertFalse(fb.captured)
                }
                if (fb.captured) assertNotNull(capture.result())
            }
            capture.reset()
            assertNull(capture.result())
        }
        // Every guidance value has its own key.
        assertEquals(DocumentScenes.keys, DocumentGuidance.entries.map { documentGuidanceKey(it) }.toSet())
    }

    @Test
    fun wrongBuffersAndSettingsAreTypedErrorsNotCrashes() {
        DocumentCapture(DocumentCaptureConfig()).use { capture ->
            val good = DocumentScenes.nv21(DocumentScenes.scene(true))
            val plane = good.planes[0]
            val cases = listOf(
                good.copy(planes = listOf(FramePlane(plane.data.copyOf(DocumentScenes.W * DocumentScenes.H), plane.rowStride, 1))),
                good.copy(planes = listOf(FramePlane(ByteArray(16), plane.rowStride, 1))),
                good.copy(planes = listOf(FramePlane(plane.data, -plane.rowStride, 1))),
                good.copy(planes = listOf(FramePlane(plane.data, 10, 1))),
                good.copy(width = 0),
                good.copy(height = -480),
                good.copy(rotationDegrees = 45),
                good.copy(format = PixelFormat.YUV420),
                good.copy(format = PixelFormat.RGBA),
            )
            for (bad in cases) {
                try {
                    capture.processFrame(bad)
                    fail("accepted a bad frame: $bad")
                } catch (e: SmartEnrollException.InvalidInput) {
                    assertEquals("frame", e.field)
                    assertTrue(e.message!!.isNotEmpty())
                }
            }
            // The capture still works after the refusals.
            val fb = capture.processFrame(good)
            assertTrue(fb.guidanceKey in DocumentScenes.keys)
        }
        for (config in listOf(DocumentCaptureConfig(goodFrames = 0), DocumentCaptureConfig(maxLongEdge = -1), DocumentCaptureConfig(maxJpegBytes = 0))) {
            try {
                DocumentCapture(config).close()
                fail("accepted $config")
            } catch (e: SmartEnrollException.InvalidInput) {
                assertEquals("documentCaptureConfig", e.field)
            }
        }
        try {
            readBarcodes("not an image".toByteArray())
            fail("decoded garbage")
        } catch (e: SmartEnrollException.InvalidInput) {
            assertEquals("image", e.field)
        }
    }

    @Test
    fun theRecognizerGetsTheUprightPageAndItsFailuresAreTyped() {
        val photo = Fixtures.document("FRONT")
        // Non-MRZ text: the recognizer ran on a decodable JPEG of the photo; no MRZ in it.
        val plain = FakeRecognizer("REPUBLICA DE PRUEBA\nFRONT\n")
        assertNull(readMrzInImage(photo, plain))
        assertEquals(1, plain.calls.get())
        val seen = plain.lastImage ?: error("the recognizer got no decodable JPEG")
        assertEquals(856, seen.width)
        assertEquals(540, seen.height)
        // A typed failure of the app's OCR, and any other exception it throws: typed, no crash.
        for (recognizer in listOf(FakeRecognizer(null), FakeRecognizer("x", throwUnexpected = true))) {
            try {
                readMrzInImage(photo, recognizer)
                fail("a failing recognizer was not reported")
            } catch (e: SmartEnrollException.TextRecognitionFailed) {
                assertTrue(e.message, e.reason.isNotEmpty())
            }
            assertEquals(1, recognizer.calls.get())
        }
        // Not an image: refused before the recognizer is called.
        val unused = FakeRecognizer(DocumentScenes.TD3)
        try {
            readMrzInImage("garbage".toByteArray(), unused)
            fail("decoded garbage")
        } catch (e: SmartEnrollException.InvalidInput) {
            assertEquals("image", e.field)
        }
        assertEquals(0, unused.calls.get())
        // Text without an MRZ, and no data: nothing found, nothing to prefill.
        assertNull(readMrz("hello world\nnot an MRZ <<< at all"))
        assertNull(documentIdentity(null, null))
        val unknown = parseBarcodePayload("hello")
        assertEquals("pdf417", unknown.format)
        assertEquals("hello", unknown.text)
    }
}
