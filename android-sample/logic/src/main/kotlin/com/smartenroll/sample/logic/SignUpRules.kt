package com.smartenroll.sample.logic

/** A sign-up field the flow asks for is empty or not accepted; [field] names it, never its value. */
class InvalidSignUpField(val field: String) : Exception("sign-up field missing: $field")

/** The flow exists but is not active (draft or paused): nobody can enroll in it. */
class FlowNotActive : Exception("the flow is not active")

/**
 * The sign-up form's local checks, for the fields the flow asks for only ([SignUpFields]): each
 * one must be filled in, the terms / privacy notice accepted when shown. Formats (e-mail, phone,
 * country code) are checked by the SDK, which names the field in its `InvalidInput` error.
 */
object SignUpRules {
    /** The first field that stops the form from being sent (`fullName`, `email`, `terms`...), or null. */
    fun invalidField(fields: SignUpFields, form: SignUpForm): String? = when {
        fields.fullName && form.fullName.isBlank() -> "fullName"
        fields.firstName && form.firstName.isBlank() -> "firstName"
        fields.lastName && form.lastName.isBlank() -> "lastName"
        fields.email && form.email.isBlank() -> "email"
        fields.phone && form.countryCode.isBlank() -> "countryCode"
        fields.phone && form.phone.isBlank() -> "phone"
        fields.phone && form.phoneChannel != null && form.phoneChannel !in fields.phoneChannels -> "phoneChannel"
        fields.termsAndConditions && !form.acceptedTerms -> "terms"
        fields.privacyNotice && !form.acceptedPrivacy -> "privacy"
        else -> null
    }

    /**
     * The full name sent to the server: the full name, or first and last name joined (which are
     * also sent on their own, see [SdkMapping.signUpData]).
     */
    fun nameOf(fields: SignUpFields, form: SignUpForm): String? {
        val full = if (fields.fullName) form.fullName.trim() else ""
        if (full.isNotEmpty()) return full
        val parts = listOfNotNull(
            form.firstName.trim().takeIf { fields.firstName },
            form.lastName.trim().takeIf { fields.lastName },
        ).filter { it.isNotEmpty() }
        return parts.joinToString(" ").ifEmpty { null }
    }

    /** The channel to answer the SDK's channel question with: the form's pick, if the flow offers it. */
    fun chosenChannel(fields: SignUpFields, form: SignUpForm, offered: List<PhoneChannel>): PhoneChannel? =
        form.phoneChannel?.takeIf { fields.phone && it in offered }
}
