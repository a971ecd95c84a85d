package com.smartenroll.sample.ui

import androidx.annotation.StringRes
import com.smartenroll.sample.R
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

@StringRes
fun documentCategoryStringRes(key: String): Int? = when (key) {
    "id" -> R.string.document_category_id
    "passport" -> R.string.document_category_passport
    "driver_license" -> R.string.document_category_driver_license
    else -> null
}
