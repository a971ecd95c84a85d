package com.smartenroll.sdk.test

import com.smartenroll.sdk.BarcodeKind
import com.smartenroll.sdk.DocumentCapture
import com.smartenroll.sdk.DocumentCaptureConfig
import com.smartenroll.sdk.DocumentGuidance
import com.smartenroll.sdk.MrzFormat
import com.smartenroll.sdk.SideReader
import com.smartenroll.sdk.SideStatus
import com.smartenroll.sdk.SmartEnrollException
import com.smartenroll.sdk.documentIdentity
import com.smartenroll.sdk.parseBarcodePayload
import com.smartenroll.sdk.readMrz
import com.smartenroll.sdk.readMrzInImage
import com.smartenroll.sdk.setFaceDetectorModel
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.BeforeClass
import org.junit.Test
import java.io.ByteArrayInputStream
import javax.imageio.ImageIO
import kotlin.math.abs

/**
 * What the document crate finds and reads, through the bindings: the card's outline and the
 * auto-capture on synthetic frames (the detector), the ICAO TD3 specimen through a Kotlin
 * recognizer (the MRZ parser), three identical reads of a side (the side reader).
 */
class DocumentReadingTest {
    companion object {
        @JvmStatic
        @BeforeClass
        fun setFaceModel() = setFaceDetectorModel(Fixtures.faceModel)
    }

    private fun assertTd3(r: com.smartenroll.sdk.MrzReading?) {
        assertNotNull("no MRZ found in the TD3 specimen", r)
        r!!
        assertEquals(MrzFormat.TD3, r.format)
        assertTrue("check digits: ${r.failedChecks}", r.valid)
        assertEquals(emptyList<String>(), r.failedChecks)
        val f = r.fields
        assertEquals("ERIKSSON", f.surname)
        assertEquals("ANNA MARIA", f.givenNames)
        assertEquals("L898902C3", f.documentNumber)
        assertEquals("UTO", f.nationality)
        assertEquals("UTO", f.issuingState)
        assertEquals("1974-08-12", f.dateOfBirth)
        assertEquals("2012-04-15", f.expiryDate)
        assertEquals("F", f.sex)
    }

    @Test
    fun theCardIsFoundCapturedFlattenedAndItsMrzAndFaceRead() {
        val recognizer = FakeRecognizer(DocumentScenes.TD3)
        DocumentCapture(DocumentCaptureConfig(goodFrames = 3)).use { capture ->
            capture.setTextRecognizer(recognizer)
            val frame = DocumentScenes.nv21(DocumentScenes.scene(true), rotationDegrees = 90)
            val seen = mutableListOf<String>()
            var captured = false
            for (i in 0 until 30) {
                val fb = capture.processFrame(frame.copy(timestampMs = i * 33L))
                seen += fb.guidanceKey
                val corners = fb.corners
                if (corners == null) fail("no outline on frame $i ($seen)")
                // Within 3 % of the frame's width of the drawn card's corners, clockwise from
                // the top-left.
                for ((p, truth) in corners!!.zip(DocumentScenes.cardCorners)) {
                    assertTrue("corner $p vs $truth ($seen)", abs(p.x - truth.first) < 20f && abs(p.y - truth.second) < 20f)
                }
                if (fb.captured) { captured = true; break }
            }
            assertTrue("captured; guidance seen: $seen", captured)
            assertTrue("guidance $seen", seen.last() == "ok" || seen.last() == "hold_still")
            val doc = capture.result() ?: error("no result after a capture")
            val page = ImageIO.read(ByteArrayInputStream(doc.jpeg))
            assertEquals(doc.width, page.width)
            assertEquals(doc.height, page.height)
            // A flat, upright ID-1 page (85.6 × 54 = 1.585).
            val aspect = page.width.toFloat() / page.height
            assertTrue("aspect $aspect", abs(aspect - 1.585f) < 0.08f)
            assertEquals(4, doc.corners.size)
            // The recognizer read the captured page, once, and the MRZ came back parsed.
            assertEquals(1, recognizer.calls.get())
            val ocrPage = recognizer.lastImage ?: error("the recognizer got no decodable JPEG")
            assertEquals(page.width, ocrPage.width)
            assertTd3(doc.mrz)
            assertNull(doc.barcode)
            // The portrait on the card: the upload's documentFace.
            val face = ImageIO.read(ByteArrayInputStream(doc.faceJpeg ?: error("no face crop")))
            assertTrue(face.width in 16..480 && face.height in 16..480)
            // Kept: a second call does not run the OCR again.
            val again = capture.result() ?: error("the capture was lost")
            assertTrue(again.jpeg.contentEquals(doc.jpeg))
            assertEquals(doc.mrz, again.mrz)
            assertTrue(again.faceJpeg.contentEquals(doc.faceJpeg))
            assertEquals(1, recognizer.calls.get())
            // Prefill from the document's own data.
            val id = documentIdentity(doc.mrz, doc.barcode) ?: error("no identity")
            assertEquals("ERIKSSON", id.surnames)
            assertEquals("ANNA MARIA", id.givenNames)
            assertEquals("L898902C3", id.documentNumber)
            assertEquals("1974-08-12", id.dateOfBirth)
            // A throwing recognizer: typed, and the capture is kept.
            capture.setTextRecognizer(FakeRecognizer(null))
            try {
                capture.result()
                fail("a failing recognizer was not reported")
            } catch (e: SmartEnrollException.TextRecognitionFailed) {
                assertTrue(e.reason.isNotEmpty())
            }
            capture.setTextRecognizer(null)
            val without = capture.result() ?: error("the capture was lost")
            assertEquals(doc.jpeg.size, without.jpeg.size)
            assertNull(without.mrz)
            capture.reset()
            assertNull(capture.result())
            val fb = capture.processFrame(DocumentScenes.nv21(DocumentScenes.scene(false)))
            assertEquals(DocumentGuidance.NO_DOCUMENT, fb.guidance)
        }
    }

    @Test
    fun aKotlinRecognizerReturningTheTd3SpecimenGivesAValidReading() {
        assertTd3(readMrz(DocumentScenes.TD3))
        assertTd3(readMrzInImage(Fixtures.document("PASSPORT"), FakeRecognizer(DocumentScenes.TD3)))
        // One corrupted check digit (the birth date's 2 -> 3): found, but not valid.
        val bad = readMrz(DocumentScenes.TD3.replace("7408122F", "7408123F")) ?: error("no MRZ")
        assertEquals(false, bad.valid)
        assertTrue(bad.failedChecks.toString(), "date_of_birth" in bad.failedChecks)
        assertNull(documentIdentity(bad, null))
    }

    @Test
    fun aSideIsReadAfterThreeIdenticalReadsAndGivenUpAfterFourFailedShots() {
        // A synthetic AAMVA payload: header, one DL subfile designator (offset 31, its length).
        val subfile = "DLDAQD1234562\nDCSPUBLIC\nDACJOHN\nDBB01011970\r"
        val payload = "@\n\u001e\rANSI 636014090001DL0031" + subfile.length.toString().padStart(4, '0') + subfile
        val reading = parseBarcodePayload(payload)
        assertEquals(BarcodeKind.AAMVA, reading.kind)
        SideReader().use { side ->
            assertEquals(SideStatus.Reading(1, 0), side.push(reading))
            assertEquals(SideStatus.Reading(2, 0), side.push(reading))
            assertEquals(SideStatus.Read(reading), side.push(reading))
            side.reset()
            // A different decode breaks the run.
            side.push(reading)
            val other = parseBarcodePayload(payload.replace("D1234562", "D7654321"))
            assertEquals(SideStatus.Reading(1, 0), side.push(other))
            side.reset()
            repeat(3) { assertTrue(side.push(null) is SideStatus.Reading) }
            assertEquals(SideStatus.GiveUp, side.push(null))
        }
    }
}
