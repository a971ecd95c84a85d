package com.smartenroll.sample.logic

import com.smartenroll.sdk.DocumentGuidance
import com.smartenroll.sdk.DocumentIdentity
import com.smartenroll.sdk.MrzFields
import com.smartenroll.sdk.MrzFormat
import com.smartenroll.sdk.MrzReading
import com.smartenroll.sdk.SideReader
import com.smartenroll.sdk.SideStatus
import com.smartenroll.sdk.documentGuidanceKey
import com.smartenroll.sdk.parseBarcodePayload
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import java.io.File
import javax.xml.parsers.DocumentBuilderFactory

/** The live document screen's decisions, and its strings in both apps. */
class DocumentDecisionsTest {
    private fun mrz(valid: Boolean) = MrzReading(
        format = MrzFormat.TD3,
        valid = valid,
        fields = MrzFields(
            surname = "ERIKSSON", givenNames = "ANNA MARIA", documentNumber = "L898902C3",
            nationality = "UTO", dateOfBirth = "1974-08-12", sex = "F", expiryDate = "2012-04-15",
            issuingState = "UTO",
        ),
        failedChecks = if (valid) emptyList() else listOf("composite"),
    )

    @Test
    fun everySdkGuidanceKeyHasItsOwnStringAndUnknownKeysFallBack() {
        // The SDK's keys (through the real library) are exactly the screen's.
        assertEquals(
            DocumentDecisions.GUIDANCE_KEYS.toSet(),
            DocumentGuidance.entries.map { documentGuidanceKey(it) }.toSet(),
        )
        assertEquals("doc_guidance_glare", DocumentDecisions.guidanceResource("glare"))
        assertEquals("doc_guidance_no_document", DocumentDecisions.guidanceResource("no_document"))
        assertEquals(DocumentDecisions.GUIDANCE_FALLBACK, DocumentDecisions.guidanceResource("shadow"))
        assertEquals(DocumentDecisions.GUIDANCE_FALLBACK, DocumentDecisions.guidanceResource("face_not_found"))
    }

    @Test
    fun aPageIsSubmittedOnItsOwnUnlessItsMrzFailsOrIsMissingWhereExpected() {
        assertEquals(DocumentDecisions.AfterCapture.SUBMIT, DocumentDecisions.afterCapture(mrz(true), expectMrz = true))
        assertEquals(DocumentDecisions.AfterCapture.SUBMIT, DocumentDecisions.afterCapture(null, expectMrz = false))
        assertEquals(DocumentDecisions.AfterCapture.CONFIRM, DocumentDecisions.afterCapture(mrz(false), expectMrz = false))
        assertEquals(DocumentDecisions.AfterCapture.CONFIRM, DocumentDecisions.afterCapture(null, expectMrz = true))
    }

    @Test
    fun theSideReadersProgressSaysHowFarItIsAndWhenTheUserMayGoOn() {
        val reading = parseBarcodePayload("PUBDSK_1 0123456789ERIKSSON")
        assertEquals(
            DocumentDecisions.SideProgress("doc_side_reading", listOf(2, 3), done = false, canContinueWithout = false),
            DocumentDecisions.sideProgress(SideStatus.Reading(2, 0)),
        )
        assertEquals(
            DocumentDecisions.SideProgress("doc_side_retry", listOf(3, 4), done = false, canContinueWithout = false),
            DocumentDecisions.sideProgress(SideStatus.Reading(0, 3)),
        )
        val read = DocumentDecisions.sideProgress(SideStatus.Read(reading))
        assertTrue(read.done)
        assertFalse(read.canContinueWithout)
        val gaveUp = DocumentDecisions.sideProgress(SideStatus.GiveUp)
        assertFalse(gaveUp.done)
        assertTrue(gaveUp.canContinueWithout)
        // The back goes up with its barcode read, or after the user chose to go on without it
        // (offered only once the reader gave up).
        assertTrue(DocumentDecisions.backReady(true, read, continuedWithout = false))
        assertFalse(DocumentDecisions.backReady(false, read, continuedWithout = false))
        assertFalse(DocumentDecisions.backReady(true, DocumentDecisions.sideProgress(SideStatus.Reading(2, 0)), continuedWithout = true))
        assertTrue(DocumentDecisions.backReady(true, gaveUp, continuedWithout = true))
        assertFalse(DocumentDecisions.backReady(true, gaveUp, continuedWithout = false))
        assertTrue(DocumentDecisions.readsBarcode("id", DocumentSide.BACK))
        assertFalse(DocumentDecisions.readsBarcode("id", DocumentSide.FRONT))
        assertFalse(DocumentDecisions.readsBarcode("passport", DocumentSide.BACK))
        assertTrue(DocumentDecisions.expectsMrz("passport", DocumentSide.FRONT))
        assertFalse(DocumentDecisions.expectsMrz("id", DocumentSide.FRONT))
        // The real reader's first statuses map to progress, never to "done" or "give up".
        SideReader().use { side ->
            val first = DocumentDecisions.sideProgress(side.push(null))
            assertFalse(first.done || first.canContinueWithout)
        }
    }

    @Test
    fun theDocumentPrefillsOnlyWhatTheUserLeftEmptyInTitleCase() {
        val id = DocumentIdentity(givenNames = "ANNA MARIA", surnames = "ERIKSSON DE LA O'NEIL", documentNumber = "L898902C3", dateOfBirth = "1974-08-12")
        assertEquals(
            DocumentDecisions.Prefill("Anna Maria", "Eriksson De La O'Neil", "Anna Maria Eriksson De La O'Neil"),
            DocumentDecisions.prefill(id),
        )
        val typed = DocumentDecisions.prefill(id, DocumentDecisions.Prefill("Ana", " ", null))
        assertEquals("Ana", typed.firstName)
        assertEquals("Eriksson De La O'Neil", typed.lastName)
        assertEquals(DocumentDecisions.Prefill(null, null, null), DocumentDecisions.prefill(null))
        assertEquals(
            DocumentDecisions.Prefill(null, "Perez", "Perez"),
            DocumentDecisions.prefill(DocumentIdentity(null, "PEREZ", null, null)),
        )
    }

    private fun strings(dir: String): Set<String> {
        val file = File(repoRoot, "android-sample/app/src/main/res/$dir/strings.xml")
        val nodes = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file).getElementsByTagName("string")
        return (0 until nodes.length).map { nodes.item(it).attributes.getNamedItem("name").nodeValue }.toSet()
    }

    @Test
    fun bothAppsHaveEveryDocumentStringAndMapEveryKey() {
        val en = strings("values")
        val es = strings("values-es")
        for (name in DocumentDecisions.RESOURCE_NAMES) {
            assertTrue("$name missing (en)", name in en)
            assertTrue("$name missing (es)", name in es)
        }
        val screen = File(repoRoot, "android-sample/app/src/main/java/com/smartenroll/sample/ui/DocumentCaptureScreen.kt").readText()
        for (key in DocumentDecisions.GUIDANCE_KEYS) {
            assertTrue("documentGuidanceRes misses $key", screen.contains("\"doc_guidance_$key\" -> R.string.doc_guidance_$key"))
        }
        val ios = File(repoRoot, "ios-sample/SmartEnrollSample/Logic/DocumentDecisions.swift").readText()
        for (key in DocumentDecisions.GUIDANCE_KEYS) assertTrue("iOS misses $key", ios.contains("\"$key\""))
        for (name in DocumentDecisions.RESOURCE_NAMES) {
            assertTrue("iOS Localizable.strings misses $name", File(repoRoot, "ios-sample/SmartEnrollSample/Resources/es.lproj/Localizable.strings").readText().contains("\"$name\" = "))
        }
    }
}
