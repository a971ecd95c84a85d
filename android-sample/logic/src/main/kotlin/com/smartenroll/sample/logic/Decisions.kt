package com.smartenroll.sample.logic

/**
 * What went wrong, as the sample app's logic sees it. The controller maps every SDK exception to
 * one of these in a single place (`EnrollController.kindOf`); the UI never inspects SDK errors.
 */
enum class ErrorKind {
    /** No connection, DNS failure, connection reset. */
    NETWORK,
    TIMEOUT,

    /** 5xx or an unexpected server answer. */
    SERVER,

    /** The server asks to wait (resend cooldown, 429); see [UserError.retryAfterSeconds]. */
    RATE_LIMITED,

    /** A field the user typed is not valid (email, phone, country code, code format). */
    INVALID_INPUT,
    OTP_MISMATCH,
    OTP_EXPIRED,

    /** Too many wrong codes: a new code must be requested. */
    OTP_LOCKED,

    /** The photo could not be read or is too large. */
    INVALID_IMAGE,
    LIVENESS_FAILED,
    FACE_ALREADY_EXISTS,
    ATTEMPTS_EXHAUSTED,
    ALREADY_REGISTERED,

    /** The registrant token expired or was refused (401/403): the enrollment must restart. */
    SESSION_EXPIRED,
    PAYMENT_REQUIRED,
    CANCELLED,

    /** The app is misconfigured (bad API URL, unknown project or flow). */
    CONFIGURATION,

    /**
     * The server's certificate failed the pinning or trust check: the connection may be
     * intercepted (captive portal, proxy). Another network may work.
     */
    INSECURE_CONNECTION,

    /** A call that does not fit the current state (a bug in the app, or a stale screen). */
    INVALID_STATE,
    UNKNOWN,
}

/** The action the screen offers after an error. */
enum class RecoveryAction {
    /** Let the user run the same action again (button "Try again"). */
    RETRY,

    /** Let the user correct what they typed; the form stays filled in. */
    FIX_INPUT,

    /** Offer the action again once [UserError.retryAfterSeconds] have passed. */
    WAIT,

    /** Ask for a fresh code (OTP locked or expired). */
    RESEND_CODE,

    /** Take a new photo. */
    RETAKE_PHOTO,

    /** Throw the session away and start a new enrollment. */
    RESTART,

    /** Nothing to do: the operation was cancelled by the user. */
    NONE,
}

/**
 * An error as shown to the user: a message key (a string resource name, localised in EN and ES),
 * the recovery the screen offers, and an optional wait.
 */
data class UserError(
    val kind: ErrorKind,
    val action: RecoveryAction,
    val messageKey: String,
    val retryAfterSeconds: Long? = null,
    /** For liveness failures: the server's score, when it reported one. */
    val score: Double? = null,
    /** For invalid input: the field to correct (`email`, `phone`, `terms`...), when known. */
    val field: String? = null,
)

/** The retry decisions of the sample app: which recovery each kind of error gets. */
object Decisions {
    // The SDK already retries what is safe to repeat (with backoff); what reaches the app is
    // shown to the user with the recovery below.

    fun recoveryFor(kind: ErrorKind, attemptsLeft: Int? = null): RecoveryAction = when (kind) {
        ErrorKind.NETWORK, ErrorKind.TIMEOUT, ErrorKind.SERVER, ErrorKind.INSECURE_CONNECTION -> RecoveryAction.RETRY
        ErrorKind.RATE_LIMITED -> RecoveryAction.WAIT
        ErrorKind.INVALID_INPUT, ErrorKind.OTP_MISMATCH -> RecoveryAction.FIX_INPUT
        ErrorKind.OTP_EXPIRED, ErrorKind.OTP_LOCKED -> RecoveryAction.RESEND_CODE
        ErrorKind.INVALID_IMAGE -> RecoveryAction.RETAKE_PHOTO
        ErrorKind.LIVENESS_FAILED ->
            if (attemptsLeft == null || attemptsLeft > 0) RecoveryAction.RETAKE_PHOTO else RecoveryAction.RESTART
        ErrorKind.FACE_ALREADY_EXISTS, ErrorKind.ATTEMPTS_EXHAUSTED, ErrorKind.ALREADY_REGISTERED,
        ErrorKind.SESSION_EXPIRED, ErrorKind.PAYMENT_REQUIRED, ErrorKind.CONFIGURATION,
        -> RecoveryAction.RESTART
        ErrorKind.CANCELLED -> RecoveryAction.NONE
        ErrorKind.INVALID_STATE, ErrorKind.UNKNOWN -> RecoveryAction.RETRY
    }

    fun messageKeyFor(kind: ErrorKind): String = "error_" + kind.name.lowercase()

    fun userError(
        kind: ErrorKind,
        attemptsLeft: Int? = null,
        retryAfterSeconds: Long? = null,
        score: Double? = null,
        field: String? = null,
    ): UserError = UserError(kind, recoveryFor(kind, attemptsLeft), messageKeyFor(kind), retryAfterSeconds, score, field)

    /** Whether the "Skip this step" button is offered: only for steps the flow made optional. */
    fun canSkip(optional: Boolean, busy: Boolean): Boolean = optional && !busy

    /**
     * Whether the selfie screen should keep the camera open for another try after an upload
     * failed: only when the failure is about the photo and attempts remain.
     */
    fun retakeSelfie(error: UserError): Boolean = afterCaptureError(error) == CaptureRecovery.RETAKE

    /**
     * What a capture screen (selfie, document) does after its upload failed. Capture starts again
     * only when the recovery is [RecoveryAction.RETAKE_PHOTO] (the photo was refused and attempts
     * remain); a network, timeout or server error keeps the photo and offers "Try again" (the
     * same upload, on the user's tap); a wait waits; everything else (an attempt-consuming
     * outcome such as `FACE_ALREADY_EXISTS`, attempts exhausted, an expired session) stops the
     * capture and explains, with "Start over". Never a new upload without a user action.
     */
    fun afterCaptureError(error: UserError?): CaptureRecovery = when (error?.action) {
        null -> CaptureRecovery.CAPTURE
        RecoveryAction.RETAKE_PHOTO -> CaptureRecovery.RETAKE
        RecoveryAction.RETRY -> CaptureRecovery.RETRY_UPLOAD
        RecoveryAction.WAIT -> CaptureRecovery.WAIT
        // Cancelled by the user: nothing restarts by itself; the screen's own button goes on.
        RecoveryAction.NONE -> CaptureRecovery.RETRY_UPLOAD
        RecoveryAction.RESTART, RecoveryAction.FIX_INPUT, RecoveryAction.RESEND_CODE -> CaptureRecovery.STOP
    }

    /**
     * Whether a capture screen may capture now (the selfie's analysis runs, the document's
     * "Take photo" is enabled): not while an upload runs, and after an error only when it asks
     * for a new photo.
     */
    /**
     * Whether the window must be kept out of screenshots and the recent-apps thumbnail
     * (`FLAG_SECURE` on Android): the ID document, the selfie, the review of what the server
     * read, and the result with its token.
     */
    fun secureScreen(screen: Screen): Boolean =
        screen is Screen.Document || screen is Screen.Selfie || screen is Screen.Review || screen is Screen.Result

    fun mayCapture(busy: Boolean, error: UserError?): Boolean =
        !busy && afterCaptureError(error).let { it == CaptureRecovery.CAPTURE || it == CaptureRecovery.RETAKE }
}

/** What a capture screen does after an upload ([Decisions.afterCaptureError]). */
enum class CaptureRecovery {
    /** No error: capture as usual. */
    CAPTURE,

    /** The photo was refused and attempts remain: capture a new one. */
    RETAKE,

    /** A transient failure (network, timeout, server): keep the photo, offer "Try again". */
    RETRY_UPLOAD,

    /** The server asks to wait: offer the upload again after the wait. */
    WAIT,

    /** Attempts used up, the face already enrolled, the session gone...: stop and explain. */
    STOP,
}
