import Foundation

/// A sign-up field the flow asks for is empty or not accepted; `field` names it, never its value.
public struct InvalidSignUpField: Error, Equatable {
    public let field: String
}

/// The flow exists but is not active (draft or paused): nobody can enroll in it.
public struct FlowNotActive: Error, Equatable {}

/// The sign-up form's local checks, for the fields the flow asks for only (`SignUpFields`): each
/// one must be filled in, the terms / privacy notice accepted when shown. Formats (e-mail, phone,
/// country code) are checked by the SDK, which names the field in its `InvalidInput` error.
/// The same rules as the Android sample's `SignUpRules`.
public enum SignUpRules {
    /// The first field that stops the form from being sent (`fullName`, `email`, `terms`...), or nil.
    public static func invalidField(_ fields: SignUpFields, _ form: SignUpForm) -> String? {
        func blank(_ value: String) -> Bool { value.trimmingCharacters(in: .whitespaces).isEmpty }
        if fields.fullName && blank(form.fullName) { return "fullName" }
        if fields.firstName && blank(form.firstName) { return "firstName" }
        if fields.lastName && blank(form.lastName) { return "lastName" }
        if fields.email && blank(form.email) { return "email" }
        if fields.phone && blank(form.countryCode) { return "countryCode" }
        if fields.phone && blank(form.phone) { return "phone" }
        if fields.phone, let channel = form.phoneChannel, !fields.phoneChannels.contains(channel) { return "phoneChannel" }
        if fields.termsAndConditions && !form.acceptedTerms { return "terms" }
        if fields.privacyNotice && !form.acceptedPrivacy { return "privacy" }
        return nil
    }

    /// The name sent to the server: the full name, or first and last name joined.
    public static func name(_ fields: SignUpFields, _ form: SignUpForm) -> String? {
        let full = fields.fullName ? form.fullName.trimmingCharacters(in: .whitespaces) : ""
        if !full.isEmpty { return full }
        var parts: [String] = []
        if fields.firstName { parts.append(form.firstName.trimmingCharacters(in: .whitespaces)) }
        if fields.lastName { parts.append(form.lastName.trimmingCharacters(in: .whitespaces)) }
        let joined = parts.filter { !$0.isEmpty }.joined(separator: " ")
        return joined.isEmpty ? nil : joined
    }

    /// The channel to answer the SDK's channel question with: the form's pick, if the flow offers it.
    public static func chosenChannel(_ fields: SignUpFields, _ form: SignUpForm, offered: [PhoneChannelChoice]) -> PhoneChannelChoice? {
        guard fields.phone, let pick = form.phoneChannel, offered.contains(pick) else { return nil }
        return pick
    }
}
