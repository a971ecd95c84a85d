package com.smartenroll.sample.logic

/** A side of an identity document. */
enum class DocumentSide { FRONT, BACK }

/** How the phone code is delivered, when the flow lets the user choose. */
enum class PhoneChannel { SMS, WHATSAPP }

/** The final outcome of an enrollment, as the server stored it. */
enum class Outcome { COMPLETED, COMPLETED_WITHOUT_KYC, FAILED, NEEDS_MANUAL_VERIFICATION }

/**
 * Which sign-up fields the flow asks for, from the public flow configuration
 * (`SmartEnrollClient.fetchFlowConfig`, mapped by [SdkMapping.signUpFields]). The sign-up screen
 * shows, and [SignUpRules] checks, only these.
 */
data class SignUpFields(
    val fullName: Boolean = true,
    /** First and last name asked separately (sent as first and last name, and joined as the full name). */
    val firstName: Boolean = false,
    val lastName: Boolean = false,
    val email: Boolean = true,
    val phone: Boolean = false,
    /**
     * How the phone code is sent (the flow's phone gateway): empty when the phone is not
     * verified, one channel when the flow fixes it, SMS and WhatsApp when the user picks.
     */
    val phoneChannels: List<PhoneChannel> = emptyList(),
    /** The user must accept the terms and conditions. */
    val termsAndConditions: Boolean = false,
    /** The user must acknowledge the privacy notice. */
    val privacyNotice: Boolean = false,
    /** The project's terms page (HTTPS only), linked next to the terms checkbox. */
    val termsUrl: String? = null,
    /** The project's privacy notice page (HTTPS only), linked next to the privacy checkbox. */
    val privacyUrl: String? = null,
)

/** What the user typed on the sign-up screen. Kept in the screen state so errors lose nothing. */
data class SignUpForm(
    val fullName: String = "",
    val email: String = "",
    val countryCode: String = "",
    val phone: String = "",
    val firstName: String = "",
    val lastName: String = "",
    /** The channel picked on the form when the flow offers both (else the SDK asks later). */
    val phoneChannel: PhoneChannel? = null,
    val acceptedTerms: Boolean = false,
    val acceptedPrivacy: Boolean = false,
) {
    /** Personal data: never printed (logs, crash reports, test failures). */
    override fun toString(): String =
        "SignUpForm(fullName=${mask(fullName)}, firstName=${mask(firstName)}, lastName=${mask(lastName)}, " +
            "email=${mask(email)}, countryCode=$countryCode, phone=${mask(phone)}, phoneChannel=$phoneChannel, " +
            "acceptedTerms=$acceptedTerms, acceptedPrivacy=$acceptedPrivacy)"

    private fun mask(value: String) = if (value.isEmpty()) "\"\"" else "<redacted>"
}

/**
 * Every screen of the sample app. The controller maps each SDK state to exactly one of these; the
 * Android (Compose) and iOS (SwiftUI) layers only render them and forward the user's actions.
 *
 * [busy] is true while an SDK call for this screen is in flight (buttons disabled, progress
 * shown). [error] is the last failure on this screen, kept until the next action.
 */
sealed interface Screen {
    val busy: Boolean
    val error: UserError?

    /** Restoring a stored session or loading the flow configuration. */
    data class Loading(override val busy: Boolean = true, override val error: UserError? = null) : Screen

    data class SignUp(
        val fields: SignUpFields,
        val form: SignUpForm,
        override val busy: Boolean = false,
        override val error: UserError? = null,
    ) : Screen

    /** An automatic step is running, or stopped on an error: `retry` resumes it. */
    data class Processing(
        val step: String,
        override val busy: Boolean = true,
        override val error: UserError? = null,
    ) : Screen

    data class EmailCode(
        val maskedEmail: String,
        val resend: ResendCountdown?,
        /** The last code locked or expired: only "resend" helps. */
        val needsNewCode: Boolean,
        val optional: Boolean,
        /** Codes left before the code locks, when the SDK reported it after a wrong code. */
        val attemptsLeft: Int? = null,
        override val busy: Boolean = false,
        override val error: UserError? = null,
    ) : Screen

    data class PhoneChannelChoice(
        val channels: List<PhoneChannel>,
        val optional: Boolean,
        override val busy: Boolean = false,
        override val error: UserError? = null,
    ) : Screen

    data class PhoneCode(
        val maskedPhone: String,
        val channel: PhoneChannel,
        val resend: ResendCountdown?,
        val needsNewCode: Boolean,
        val optional: Boolean,
        val attemptsLeft: Int? = null,
        override val busy: Boolean = false,
        override val error: UserError? = null,
    ) : Screen

    data class Document(
        val side: DocumentSide,
        /** The accepted document categories' keys (`id`, `passport`, `driver_license`). */
        val categories: List<String>,
        val attemptsLeft: Int,
        val optional: Boolean,
        /** The flow lets the user finish without the KYC steps ("skip verification"). */
        val canSkipKyc: Boolean,
        override val busy: Boolean = false,
        override val error: UserError? = null,
    ) : Screen

    data class Selfie(
        val attemptsLeft: Int,
        val optional: Boolean,
        val canSkipKyc: Boolean,
        override val busy: Boolean = false,
        override val error: UserError? = null,
    ) : Screen

    /**
     * Every verification step is done: the user checks what the server read and scored
     * ([review]), then confirms; the SDK syncs `end`.
     */
    data class Review(
        val review: ReviewSummary,
        override val busy: Boolean = false,
        override val error: UserError? = null,
    ) : Screen

    /** The end: outcome, final token (for the integrator's own session) and redirect URL. */
    data class Result(
        val outcome: Outcome,
        val token: String,
        val redirectUrl: String?,
    ) : Screen {
        override val busy: Boolean get() = false
        override val error: UserError? get() = null

        /** Never prints the token (nor the redirect URL, which carries it). */
        override fun toString(): String =
            "Result(outcome=$outcome, token=<redacted>, redirectUrl=${if (redirectUrl == null) "null" else "<redacted>"})"
    }

    /** A failure the enrollment cannot continue from (session expired, no attempts left...). */
    data class Fatal(override val error: UserError) : Screen {
        override val busy: Boolean get() = false
    }
}

/** Returns a copy of [this] with [busy] and [error] replaced (screens without them are unchanged). */
fun Screen.with(busy: Boolean, error: UserError?): Screen = when (this) {
    is Screen.Loading -> copy(busy = busy, error = error)
    is Screen.SignUp -> copy(busy = busy, error = error)
    is Screen.EmailCode -> copy(busy = busy, error = error)
    is Screen.PhoneChannelChoice -> copy(busy = busy, error = error)
    is Screen.PhoneCode -> copy(busy = busy, error = error)
    is Screen.Processing -> copy(busy = busy, error = error)
    is Screen.Document -> copy(busy = busy, error = error)
    is Screen.Selfie -> copy(busy = busy, error = error)
    is Screen.Review -> copy(busy = busy, error = error)
    is Screen.Result -> this
    is Screen.Fatal -> if (error != null) copy(error = error) else this
}
