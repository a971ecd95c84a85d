package com.smartenroll.sample.logic

import com.smartenroll.sdk.DocumentIdentity
import com.smartenroll.sdk.MrzReading
import com.smartenroll.sdk.SideStatus

/**
 * The live document screen's pure decisions (issue 13), host-tested: which string a guidance key
 * shows, when a captured page is submitted on its own, what the barcode side reader's progress
 * says, and how the document's own data prefills the sign-up form. The iOS app mirrors them in
 * `Logic/DocumentDecisions.swift`.
 */
object DocumentDecisions {
    /** Every guidance key of `DocumentFeedback.guidanceKey`, in the SDK's priority order. */
    val GUIDANCE_KEYS: List<String> = listOf(
        "no_document",
        "move_closer",
        "move_back",
        "align",
        "too_dark",
        "too_bright",
        "blurry",
        "glare",
        "hold_still",
        "ok",
    )

    /** Shown for a key this version of the app does not know (a newer SDK). */
    const val GUIDANCE_FALLBACK = "doc_guidance_unknown"

    /** The string resource of a guidance key: `doc_guidance_<key>`, else the fallback. */
    fun guidanceResource(key: String): String = if (key in GUIDANCE_KEYS) "doc_guidance_$key" else GUIDANCE_FALLBACK

    /** Identical reads in a row that accept a barcode side (the SDK's `SideReader`). */
    const val READS_NEEDED = 3

    /** Failed shots after which the user may continue without the barcode. */
    const val FAILED_SHOTS_ALLOWED = 4

    /** Every string resource the document screen uses (checked in EN and ES by the host tests). */
    val RESOURCE_NAMES: List<String> = GUIDANCE_KEYS.map { "doc_guidance_$it" } + listOf(
        GUIDANCE_FALLBACK,
        "doc_side_reading",
        "doc_side_retry",
        "doc_side_read",
        "doc_side_give_up",
        "doc_mrz_invalid",
        "doc_continue_without_barcode",
        "doc_retake",
        "doc_use_photo",
        "doc_live_title",
    )

    /** What the screen does once a page is captured. */
    enum class AfterCapture {
        /** Upload it now, without asking. */
        SUBMIT,

        /** Show the page and let the user retake it or use it (`doc_mrz_invalid` says why). */
        CONFIRM,
    }

    /**
     * A captured page is submitted on its own unless its machine-readable zone was found but
     * fails its check digits (a blurred or cut MRZ: a retake is likely to read it), or the side
     * should carry an MRZ (a passport's data page) and none was read. An OCR failure alone does
     * not block the upload: the server reads the document itself.
     */
    fun afterCapture(mrz: MrzReading?, expectMrz: Boolean): AfterCapture = when {
        mrz != null && !mrz.valid -> AfterCapture.CONFIRM
        mrz == null && expectMrz -> AfterCapture.CONFIRM
        else -> AfterCapture.SUBMIT
    }

    /** The side reader's progress as a string resource and its arguments, and what it allows. */
    data class SideProgress(
        val resource: String,
        val args: List<Int>,
        /** The side is read: go on. */
        val done: Boolean,
        /** Show "continue without the barcode" (after [FAILED_SHOTS_ALLOWED] failed shots). */
        val canContinueWithout: Boolean,
    )

    fun sideProgress(status: SideStatus): SideProgress = when (status) {
        is SideStatus.Reading ->
            if (status.matches == 0 && status.failures > 0) {
                SideProgress("doc_side_retry", listOf(status.failures, FAILED_SHOTS_ALLOWED), done = false, canContinueWithout = false)
            } else {
                SideProgress("doc_side_reading", listOf(status.matches, READS_NEEDED), done = false, canContinueWithout = false)
            }
        is SideStatus.Read -> SideProgress("doc_side_read", emptyList(), done = true, canContinueWithout = false)
        SideStatus.GiveUp -> SideProgress("doc_side_give_up", emptyList(), done = false, canContinueWithout = true)
    }

    /**
     * The back of a barcode document (a cédula, a driver licence) is submitted once its page is
     * captured and its barcode was read three times alike, or the user chose to continue
     * without it (offered after [FAILED_SHOTS_ALLOWED] failed shots).
     */
    fun backReady(pageCaptured: Boolean, side: SideProgress?, continuedWithout: Boolean): Boolean =
        pageCaptured && (side?.done == true || (continuedWithout && side?.canContinueWithout == true))

    /** The back side of these categories carries a PDF417 barcode worth reading. */
    fun readsBarcode(category: String, side: DocumentSide): Boolean =
        side == DocumentSide.BACK && category in setOf("id", "driver_license")

    /** The front of a passport carries the MRZ (ID cards carry it on the back, if at all). */
    fun expectsMrz(category: String, side: DocumentSide): Boolean =
        category == "passport" && side == DocumentSide.FRONT

    /** The sign-up fields a document fills. */
    data class Prefill(val firstName: String?, val lastName: String?, val fullName: String?)

    /**
     * The names from the document's own data for the sign-up form, in title case (MRZs and
     * barcodes are upper case): only fields the user left empty are filled, never overwritten.
     */
    fun prefill(identity: DocumentIdentity?, current: Prefill = Prefill(null, null, null)): Prefill {
        val given = identity?.givenNames?.let(::titleCase)?.takeIf { it.isNotBlank() }
        val family = identity?.surnames?.let(::titleCase)?.takeIf { it.isNotBlank() }
        val full = listOfNotNull(given, family).joinToString(" ").ifBlank { null }
        fun keep(typed: String?, found: String?) = typed?.takeIf { it.isNotBlank() } ?: found
        return Prefill(
            firstName = keep(current.firstName, given),
            lastName = keep(current.lastName, family),
            fullName = keep(current.fullName, full),
        )
    }

    /** `ANNA MARIA` -> `Anna Maria`; `O'NEIL-DIAZ` -> `O'Neil-Diaz`. */
    fun titleCase(name: String): String {
        val out = StringBuilder(name.length)
        var startOfWord = true
        for (c in name.trim().replace(Regex("\\s+"), " ")) {
            out.append(if (startOfWord) c.uppercaseChar() else c.lowercaseChar())
            startOfWord = !c.isLetter()
        }
        return out.toString()
    }
}
