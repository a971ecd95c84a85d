package com.smartenroll.sample.logic

import com.smartenroll.sdk.DocumentCategory as SdkDocumentCategory
import com.smartenroll.sdk.DocumentSide as SdkDocumentSide
import com.smartenroll.sdk.EnrollState
import com.smartenroll.sdk.ErrorCategory
import com.smartenroll.sdk.FlowSummary
import com.smartenroll.sdk.CriminalCheck
import com.smartenroll.sdk.PhoneGateway
import com.smartenroll.sdk.ScoreCheck
import com.smartenroll.sdk.SignUpData
import com.smartenroll.sdk.Outcome as SdkOutcome
import com.smartenroll.sdk.PhoneChannel as SdkPhoneChannel
import com.smartenroll.sdk.Review as SdkReview
import com.smartenroll.sdk.SmartEnrollException

/**
 * The one place where SDK types become the sample's own types: SDK states become [Screen]s and
 * SDK exceptions become [UserError]s. Everything else in the app works on the sample's types.
 */
object SdkMapping {
    /** The screen for an SDK state. [previous] keeps what the user typed on the sign-up screen. */
    fun screenFor(state: EnrollState, fields: SignUpFields, form: SignUpForm): Screen = when (state) {
        is EnrollState.NotStarted -> Screen.SignUp(fields, form)
        is EnrollState.Processing -> Screen.Processing(step = state.step.name.lowercase())
        // A failed automatic step: the screen stops its spinner and offers "retry" (resume()).
        is EnrollState.Interrupted -> Screen.Processing(
            step = state.step.name.lowercase(),
            busy = false,
            error = interruptionError(state.error),
        )
        is EnrollState.AwaitingEmailCode -> Screen.EmailCode(
            maskedEmail = state.maskedEmail,
            resend = ResendCountdown(state.resendAvailableAtMs),
            needsNewCode = state.needsNewCode,
            optional = state.optional,
        )
        is EnrollState.AwaitingPhoneChannel -> Screen.PhoneChannelChoice(
            channels = state.channels.map(::channelOf),
            optional = state.optional,
        )
        is EnrollState.AwaitingPhoneCode -> Screen.PhoneCode(
            maskedPhone = state.maskedPhone,
            channel = channelOf(state.channel),
            resend = ResendCountdown(state.resendAvailableAtMs),
            needsNewCode = state.needsNewCode,
            optional = state.optional,
        )
        is EnrollState.AwaitingDocument -> Screen.Document(
            side = if (state.side == SdkDocumentSide.FRONT) DocumentSide.FRONT else DocumentSide.BACK,
            categories = state.acceptedCategories.map(::categoryKey),
            attemptsLeft = state.attemptsLeft,
            optional = state.optional,
            canSkipKyc = state.canSkipKyc,
        )
        is EnrollState.AwaitingSelfie -> Screen.Selfie(
            attemptsLeft = state.attemptsLeft,
            optional = state.optional,
            canSkipKyc = state.canSkipKyc,
        )
        is EnrollState.AwaitingReview -> Screen.Review(reviewSummary(state.review))
        is EnrollState.Completed -> Screen.Result(
            outcome = outcomeOf(state.result.outcome),
            token = state.result.token.reveal(),
            redirectUrl = state.result.redirectUrl?.reveal(),
        )
    }

    /**
     * The review screen's content. Only the fields the server read are listed; the names are the
     * full name, else first and last name; the document type is the server's type code with its
     * category (`CC · ID`).
     */
    fun reviewSummary(review: SdkReview): ReviewSummary {
        val d = review.document
        fun text(value: String?) = value?.trim()?.takeIf { it.isNotEmpty() }
        val fields = if (d == null) emptyList() else listOf(
            "review_field_names" to (text(d.fullName)
                ?: listOfNotNull(text(d.firstName), text(d.lastName)).joinToString(" ").ifEmpty { null }),
            "review_field_document_type" to
                listOfNotNull(text(d.documentType), text(d.category)).distinct().joinToString(" · ").ifEmpty { null },
            "review_field_document_number" to text(d.documentNumber),
            "review_field_date_of_birth" to text(d.dateOfBirth),
            "review_field_expiration_date" to text(d.expirationDate),
            "review_field_nationality" to text(d.nationality),
        ).mapNotNull { (key, value) -> value?.let { ReviewField(key, it) } }
        return ReviewSummary(
            documentFields = fields,
            namesMatch = review.namesMatch,
            liveness = review.liveness?.let(::scoreLine),
            compare = review.compare?.let(::scoreLine),
            criminalCheck = review.criminalCheck?.let(::criminalCheckOf),
            expectedToFail = review.expectedOutcome == SdkOutcome.FAILED,
            disagreements = review.disagreements.map {
                ReviewDisagreement(ReviewSummary.disagreementLabelKey(it.field), it.server, it.document)
            },
            documentCodeCompared = review.machineReadable != null && d != null,
        )
    }

    fun scoreLine(check: ScoreCheck): ScoreLine =
        ScoreLine(ReviewSummary.percent(check.score), ReviewSummary.percent(check.minScore), check.passed)

    fun criminalCheckOf(check: CriminalCheck): CriminalCheckResult = when {
        check.recordFound || check.status.equals("FAILED", ignoreCase = true) -> CriminalCheckResult.RECORD_FOUND
        check.status.equals("ASSESSING", ignoreCase = true) -> CriminalCheckResult.ASSESSING
        else -> CriminalCheckResult.CLEAR
    }

    /** The sign-up fields a flow asks for; the phone channels follow its phone gateway. */
    fun signUpFields(flow: FlowSummary): SignUpFields {
        val f = flow.signUpForm
        return SignUpFields(
            fullName = f.fullName,
            firstName = f.firstName,
            lastName = f.lastName,
            email = f.email,
            phone = f.phone,
            phoneChannels = if (!f.phone) emptyList() else when (f.phoneGateway) {
                PhoneGateway.SMS -> listOf(PhoneChannel.SMS)
                PhoneGateway.WHATSAPP -> listOf(PhoneChannel.WHATSAPP)
                PhoneGateway.BOTH -> listOf(PhoneChannel.SMS, PhoneChannel.WHATSAPP)
                PhoneGateway.NONE -> emptyList()
            },
            termsAndConditions = f.showTermsAndConditions,
            privacyNotice = f.showPrivacyNotice,
            termsUrl = webLink(flow.termsUrl).takeIf { f.showTermsAndConditions },
            privacyUrl = webLink(flow.privacyUrl).takeIf { f.showPrivacyNotice },
        )
    }

    /**
     * A page the app may open in the browser: an `https://` URL with a host, else null (the
     * server's text is never handed to the system as another kind of link: `intent:`,
     * `javascript:`, `file:`...).
     */
    fun webLink(url: String?): String? {
        val text = url?.trim() ?: return null
        val uri = runCatching { java.net.URI(text) }.getOrNull() ?: return null
        return text.takeIf { uri.scheme.equals("https", ignoreCase = true) && !uri.host.isNullOrEmpty() }
    }

    /** The SDK's sign-up data: only the fields the flow asks for are sent. */
    fun signUpData(fields: SignUpFields, form: SignUpForm, language: String): SignUpData = SignUpData(
        email = form.email.trim().takeIf { fields.email && it.isNotEmpty() },
        phone = form.phone.trim().takeIf { fields.phone && it.isNotEmpty() },
        countryCode = form.countryCode.trim().takeIf { fields.phone && it.isNotEmpty() },
        fullName = SignUpRules.nameOf(fields, form),
        firstName = form.firstName.trim().takeIf { fields.firstName && it.isNotEmpty() },
        lastName = form.lastName.trim().takeIf { fields.lastName && it.isNotEmpty() },
        language = language,
    )

    fun channelOf(channel: SdkPhoneChannel): PhoneChannel = when (channel) {
        SdkPhoneChannel.SMS -> PhoneChannel.SMS
        SdkPhoneChannel.WHATSAPP -> PhoneChannel.WHATSAPP
    }

    fun sdkChannel(channel: PhoneChannel): SdkPhoneChannel = when (channel) {
        PhoneChannel.SMS -> SdkPhoneChannel.SMS
        PhoneChannel.WHATSAPP -> SdkPhoneChannel.WHATSAPP
    }

    fun sdkSide(side: DocumentSide): SdkDocumentSide = when (side) {
        DocumentSide.FRONT -> SdkDocumentSide.FRONT
        DocumentSide.BACK -> SdkDocumentSide.BACK
    }

    /** A stable key for a document category (also the string resource suffix). */
    fun categoryKey(category: SdkDocumentCategory): String = category.name.lowercase()

    fun sdkCategory(key: String): SdkDocumentCategory? =
        SdkDocumentCategory.entries.firstOrNull { it.name.lowercase() == key }

    fun outcomeOf(outcome: SdkOutcome): Outcome = when (outcome) {
        SdkOutcome.COMPLETED -> Outcome.COMPLETED
        SdkOutcome.COMPLETED_WITHOUT_KYC -> Outcome.COMPLETED_WITHOUT_KYC
        SdkOutcome.FAILED -> Outcome.FAILED
        SdkOutcome.NEEDS_MANUAL_VERIFICATION -> Outcome.NEEDS_MANUAL_VERIFICATION
    }

    /**
     * The user-facing error for anything an SDK call threw. [attemptsLeft] is the current step's
     * remaining attempts (decides between "retake" and "start over" for liveness failures).
     */
    /**
     * The error an interrupted automatic step shows on the stream's `Interrupted` state (the
     * exception itself went to the call that ran the step).
     */
    fun interruptionError(category: ErrorCategory): UserError = Decisions.userError(
        when (category) {
            ErrorCategory.NETWORK -> ErrorKind.NETWORK
            ErrorCategory.TIMEOUT -> ErrorKind.TIMEOUT
            ErrorCategory.SERVER -> ErrorKind.SERVER
            ErrorCategory.SESSION_EXPIRED -> ErrorKind.SESSION_EXPIRED
            ErrorCategory.CANCELLED -> ErrorKind.CANCELLED
            else -> ErrorKind.UNKNOWN
        },
    )

    fun userErrorFor(error: Throwable, attemptsLeft: Int? = null): UserError = when (error) {
        is SmartEnrollException -> sdkUserError(error, attemptsLeft)
        is InvalidSignUpField -> Decisions.userError(ErrorKind.INVALID_INPUT, field = error.field)
        is FlowNotActive -> Decisions.userError(ErrorKind.CONFIGURATION)
        is kotlinx.coroutines.CancellationException -> Decisions.userError(ErrorKind.CANCELLED)
        else -> Decisions.userError(ErrorKind.UNKNOWN)
    }

    /**
     * Every SDK error, without an `else`: the compiler refuses this `when` when a new SDK
     * version adds an error, so the app decides how to show it instead of showing "unknown".
     */
    private fun sdkUserError(error: SmartEnrollException, attemptsLeft: Int?): UserError = when (error) {
        is SmartEnrollException.Network -> Decisions.userError(ErrorKind.NETWORK)
        is SmartEnrollException.Timeout -> Decisions.userError(ErrorKind.TIMEOUT)
        is SmartEnrollException.Server, is SmartEnrollException.MalformedResponse ->
            Decisions.userError(ErrorKind.SERVER)
        is SmartEnrollException.RateLimited -> Decisions.userError(
            ErrorKind.RATE_LIMITED,
            retryAfterSeconds = error.retryAfterMs?.let { ms -> ((ms + 999) / 1000).coerceAtLeast(1) },
        )
        is SmartEnrollException.InvalidInput ->
            if (error.field == "image") Decisions.userError(ErrorKind.INVALID_IMAGE)
            else Decisions.userError(ErrorKind.INVALID_INPUT, field = error.field)
        is SmartEnrollException.OtpMismatch -> Decisions.userError(ErrorKind.OTP_MISMATCH)
        is SmartEnrollException.OtpLocked -> Decisions.userError(ErrorKind.OTP_LOCKED)
        is SmartEnrollException.OtpExpired -> Decisions.userError(ErrorKind.OTP_EXPIRED)
        is SmartEnrollException.LivenessFailed ->
            Decisions.userError(ErrorKind.LIVENESS_FAILED, attemptsLeft = attemptsLeft, score = error.score)
        is SmartEnrollException.FaceAlreadyExists -> Decisions.userError(ErrorKind.FACE_ALREADY_EXISTS)
        is SmartEnrollException.AttemptsExhausted -> Decisions.userError(ErrorKind.ATTEMPTS_EXHAUSTED)
        is SmartEnrollException.AlreadyRegistered -> Decisions.userError(ErrorKind.ALREADY_REGISTERED)
        is SmartEnrollException.SessionExpired -> Decisions.userError(ErrorKind.SESSION_EXPIRED)
        is SmartEnrollException.NotFound, is SmartEnrollException.Forbidden, is SmartEnrollException.Config ->
            Decisions.userError(ErrorKind.CONFIGURATION)
        is SmartEnrollException.PaymentRequired -> Decisions.userError(ErrorKind.PAYMENT_REQUIRED)
        is SmartEnrollException.Rejected -> when (error.status) {
            // The image rejections of the API (only_images_in_base64, image_too_large).
            412, 413, 415 -> Decisions.userError(ErrorKind.INVALID_IMAGE)
            else -> Decisions.userError(ErrorKind.UNKNOWN)
        }
        // A pinned key that did not match, or a certificate no trusted root vouches for: someone
        // may be intercepting the connection (a captive portal, a proxy). Never retried by the SDK.
        is SmartEnrollException.CertificatePinMismatch, is SmartEnrollException.UntrustedCertificate ->
            Decisions.userError(ErrorKind.INSECURE_CONNECTION)
        is SmartEnrollException.InvalidState -> Decisions.userError(ErrorKind.INVALID_STATE)
        is SmartEnrollException.Cancelled -> Decisions.userError(ErrorKind.CANCELLED)
        // Only from DocumentCapture.result() when the app's OCR threw (the capture is kept).
        is SmartEnrollException.TextRecognitionFailed -> Decisions.userError(ErrorKind.UNKNOWN)
        // Only from creating a LivenessCapture; SelfieCapture falls back to quality-only mode
        // before it could reach a screen.
        is SmartEnrollException.FaceDetectorUnavailable, is SmartEnrollException.Internal ->
            Decisions.userError(ErrorKind.UNKNOWN)
    }
}
