package com.smartenroll.sample.ui

import androidx.annotation.StringRes
import com.smartenroll.sample.R
import com.smartenroll.sample.logic.CriminalCheckResult
import com.smartenroll.sample.logic.ErrorKind
import com.smartenroll.sample.logic.Outcome

/**
 * Compile-time mapping from the logic module's keys to string resources (EN in `values/`, ES in
 * `values-es/`). The host tests check that every key has both translations.
 */
@StringRes
fun errorStringRes(kind: ErrorKind): Int = when (kind) {
    ErrorKind.NETWORK -> R.string.error_network
    ErrorKind.TIMEOUT -> R.string.error_timeout
    ErrorKind.SERVER -> R.string.error_server
    ErrorKind.RATE_LIMITED -> R.string.error_rate_limited
    ErrorKind.INVALID_INPUT -> R.string.error_invalid_input
    ErrorKind.OTP_MISMATCH -> R.string.error_otp_mismatch
    ErrorKind.OTP_EXPIRED -> R.string.error_otp_expired
    ErrorKind.OTP_LOCKED -> R.string.error_otp_locked
    ErrorKind.INVALID_IMAGE -> R.string.error_invalid_image
    ErrorKind.LIVENESS_FAILED -> R.string.error_liveness_failed
    ErrorKind.FACE_ALREADY_EXISTS -> R.string.error_face_already_exists
    ErrorKind.ATTEMPTS_EXHAUSTED -> R.string.error_attempts_exhausted
    ErrorKind.ALREADY_REGISTERED -> R.string.error_already_registered
    ErrorKind.SESSION_EXPIRED -> R.string.error_session_expired
    ErrorKind.PAYMENT_REQUIRED -> R.string.error_payment_required
    ErrorKind.CANCELLED -> R.string.error_cancelled
    ErrorKind.CONFIGURATION -> R.string.error_configuration
    ErrorKind.INSECURE_CONNECTION -> R.string.error_insecure_connection
    ErrorKind.INVALID_STATE -> R.string.error_invalid_state
    ErrorKind.UNKNOWN -> R.string.error_unknown
}

@StringRes
fun outcomeStringRes(outcome: Outcome): Int = when (outcome) {
    Outcome.COMPLETED -> R.string.result_completed
    Outcome.COMPLETED_WITHOUT_KYC -> R.string.result_completed_without_kyc
    Outcome.FAILED -> R.string.result_failed
    Outcome.NEEDS_MANUAL_VERIFICATION -> R.string.result_needs_manual_verification
}

/** The label of a review field ([com.smartenroll.sample.logic.ReviewSummary.FIELD_KEYS]). */
@StringRes
fun reviewFieldStringRes(key: String): Int = when (key) {
    "review_field_names" -> R.string.review_field_names
    "review_field_document_type" -> R.string.review_field_document_type
    "review_field_document_number" -> R.string.review_field_document_number
    "review_field_date_of_birth" -> R.string.review_field_date_of_birth
    "review_field_expiration_date" -> R.string.review_field_expiration_date
    "review_field_nationality" -> R.string.review_field_nationality
    else -> R.string.review_field_other
}

@StringRes
fun criminalCheckStringRes(result: CriminalCheckResult): Int = when (result) {
    CriminalCheckResult.CLEAR -> R.string.review_criminal_clear
    CriminalCheckResult.RECORD_FOUND -> R.string.review_criminal_record_found
    CriminalCheckResult.ASSESSING -> R.string.review_criminal_assessing
}

@StringRes
fun documentCategoryStringRes(key: String): Int? = when (key) {
    "government_id" -> R.string.document_category_government_id
    "passport" -> R.string.document_category_passport
    "driver_license" -> R.string.document_category_driver_license
    else -> null
}

/** The string for a prefilter guidance key ([com.smartenroll.sample.logic.Guidance]). */
@StringRes
fun guidanceStringRes(key: String): Int = when (key) {
    "face_not_found" -> R.string.guidance_face_not_found
    "multiple_faces" -> R.string.guidance_multiple_faces
    "face_too_close" -> R.string.guidance_face_too_close
    "face_too_small" -> R.string.guidance_face_too_small
    "face_off_center" -> R.string.guidance_face_off_center
    "head_turned" -> R.string.guidance_head_turned
    "head_tilted" -> R.string.guidance_head_tilted
    "too_dark" -> R.string.guidance_too_dark
    "too_bright" -> R.string.guidance_too_bright
    "blurry" -> R.string.guidance_blurry
    "moving" -> R.string.guidance_moving
    "turn_head_left" -> R.string.guidance_turn_head_left
    "turn_head_right" -> R.string.guidance_turn_head_right
    "look_straight" -> R.string.guidance_look_straight
    "blink" -> R.string.guidance_blink
    "challenge_failed" -> R.string.guidance_challenge_failed
    "hold_still" -> R.string.guidance_hold_still
    "captured" -> R.string.guidance_captured
    else -> R.string.guidance_unknown
}
