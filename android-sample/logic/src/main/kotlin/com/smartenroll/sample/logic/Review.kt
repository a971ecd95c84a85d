package com.smartenroll.sample.logic

import kotlin.math.roundToInt

/** The criminal background check, as the review screen words it. */
enum class CriminalCheckResult {
    /** No source reported a record (server status `ACTIVE`). */
    CLEAR,

    /** At least one source reported a record (server status `FAILED`). */
    RECORD_FOUND,

    /** The check has not finished yet (server status `ASSESSING`). */
    ASSESSING,
}

/** A score next to the flow's minimum, in whole percent (0.92 -> 92), and the verdict. */
data class ScoreLine(val percent: Int, val minPercent: Int, val passed: Boolean)

/**
 * One line of what the server read from the document: [labelKey] is the string resource of the
 * label (one of [ReviewSummary.FIELD_KEYS]), [value] the text the server extracted.
 */
data class ReviewField(val labelKey: String, val value: String) {
    /** Personal data: the value is never printed. */
    override fun toString(): String = "ReviewField($labelKey=<redacted>)"
}

/**
 * One field where the server's OCR and the document's own machine-readable zone or barcode
 * (read on the device, handed to the session with `setDocumentData`) disagree: [labelKey] is
 * the string resource of the field's label (one of [ReviewSummary.FIELD_KEYS]), [server] what
 * the server read, [document] what the document's code says.
 */
data class ReviewDisagreement(val labelKey: String, val server: String, val document: String) {
    /** Personal data: the values are never printed. */
    override fun toString(): String = "ReviewDisagreement($labelKey, <redacted>)"
}

/**
 * What the review screen shows before the user confirms (SDK state `AwaitingReview`): the
 * document's OCR fields, whether the names match the sign-up, the liveness and face-match scores
 * with the flow's minimums, and the criminal check. Mapped from the SDK's `Review` by
 * [SdkMapping.reviewSummary]; "Confirm" calls `confirm()`, which ends the enrollment.
 */
data class ReviewSummary(
    /** The document's fields in [FIELD_KEYS] order, only those the server read; empty without a document. */
    val documentFields: List<ReviewField>,
    /** `null` when no name check ran. */
    val namesMatch: Boolean?,
    val liveness: ScoreLine?,
    val compare: ScoreLine?,
    /** `null` when no criminal check ran. */
    val criminalCheck: CriminalCheckResult?,
    /** A check did not pass: confirming records the enrollment as not verified. */
    val expectedToFail: Boolean,
    /**
     * Where the server's OCR and the document's machine-readable data disagree (informational:
     * the user sees what to check); empty when they agree or the app had no such data.
     */
    val disagreements: List<ReviewDisagreement> = emptyList(),
    /** The app read the document's MRZ or barcode and the server's OCR was compared with it. */
    val documentCodeCompared: Boolean = false,
) {
    /** The OCR values are personal data: only their labels are printed. */
    override fun toString(): String =
        "ReviewSummary(documentFields=${documentFields.map { it.labelKey }}, namesMatch=$namesMatch, " +
            "liveness=$liveness, compare=$compare, criminalCheck=$criminalCheck, expectedToFail=$expectedToFail, " +
            "disagreements=${disagreements.map { it.labelKey }}, documentCodeCompared=$documentCodeCompared)"

    companion object {
        /** The labels of the document's fields, in the order the screen shows them. */
        val FIELD_KEYS = listOf(
            "review_field_names",
            "review_field_document_type",
            "review_field_document_number",
            "review_field_date_of_birth",
            "review_field_expiration_date",
            "review_field_nationality",
        )

        /** The label of a field the SDK's `FieldDisagreement.field` names. */
        fun disagreementLabelKey(field: String): String = when (field) {
            "first_name", "last_name", "full_name" -> "review_field_names"
            "document_number" -> "review_field_document_number"
            "date_of_birth" -> "review_field_date_of_birth"
            else -> "review_field_other"
        }

        /** A 0..1 score in whole percent, clamped to 0..100. */
        fun percent(score: Double): Int =
            if (score.isNaN()) 0 else (score * 100).roundToInt().coerceIn(0, 100)
    }
}
