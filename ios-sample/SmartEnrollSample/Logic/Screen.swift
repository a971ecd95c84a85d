import Foundation

public enum DocumentSide: Sendable { case front, back }

public enum PhoneChannelChoice: Sendable { case sms, whatsapp }

public enum Outcome: Sendable { case completed, completedWithoutKyc, failed, needsManualVerification }

/// Which sign-up fields the flow asks for, from the public flow configuration
/// (`SmartEnrollClient.fetchFlowConfig`, mapped by `SdkMapping.signUpFields`). The sign-up view
/// shows, and `SignUpRules` checks, only these.
public struct SignUpFields: Equatable, Sendable {
    public var fullName = true
    /// First and last name asked separately (sent as first and last name, and joined as the full name).
    public var firstName = false
    public var lastName = false
    public var email = true
    public var phone = false
    /// How the phone code is sent (the flow's phone gateway): empty when the phone is not
    /// verified, one channel when the flow fixes it, SMS and WhatsApp when the user picks.
    public var phoneChannels: [PhoneChannelChoice] = []
    /// The user must accept the terms and conditions.
    public var termsAndConditions = false
    /// The user must acknowledge the privacy notice.
    public var privacyNotice = false
    /// The project's terms page (HTTPS only), linked next to the terms toggle.
    public var termsUrl: URL?
    /// The project's privacy notice page (HTTPS only), linked next to the privacy toggle.
    public var privacyUrl: URL?

    public init(
        fullName: Bool = true,
        firstName: Bool = false,
        lastName: Bool = false,
        email: Bool = true,
        phone: Bool = false,
        phoneChannels: [PhoneChannelChoice] = [],
        termsAndConditions: Bool = false,
        privacyNotice: Bool = false,
        termsUrl: URL? = nil,
        privacyUrl: URL? = nil
    ) {
        self.fullName = fullName
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.phone = phone
        self.phoneChannels = phoneChannels
        self.termsAndConditions = termsAndConditions
        self.privacyNotice = privacyNotice
        self.termsUrl = termsUrl
        self.privacyUrl = privacyUrl
    }
}

/// What the user typed on the sign-up screen; kept so that an error loses nothing.
public struct SignUpForm: Equatable, Sendable {
    public var fullName = ""
    public var email = ""
    public var countryCode = ""
    public var phone = ""
    public var firstName = ""
    public var lastName = ""
    /// The channel picked on the form when the flow offers both (else the SDK asks later).
    public var phoneChannel: PhoneChannelChoice?
    public var acceptedTerms = false
    public var acceptedPrivacy = false

    public init(
        fullName: String = "",
        email: String = "",
        countryCode: String = "",
        phone: String = "",
        firstName: String = "",
        lastName: String = "",
        phoneChannel: PhoneChannelChoice? = nil,
        acceptedTerms: Bool = false,
        acceptedPrivacy: Bool = false
    ) {
        self.fullName = fullName
        self.email = email
        self.countryCode = countryCode
        self.phone = phone
        self.firstName = firstName
        self.lastName = lastName
        self.phoneChannel = phoneChannel
        self.acceptedTerms = acceptedTerms
        self.acceptedPrivacy = acceptedPrivacy
    }
}

/// Every screen of the sample app. The controller maps each SDK state to one of these; the
/// SwiftUI views only render them and forward the user's actions.
public enum ScreenKind: Equatable, Sendable {
    /// Restoring a stored session or loading the flow configuration.
    case loading
    case signUp(fields: SignUpFields, form: SignUpForm)
    /// An automatic step is running, or stopped on an error ("Try again" resumes it).
    case processing(step: String)
    case emailCode(maskedEmail: String, resend: ResendCountdown, needsNewCode: Bool, optional: Bool)
    case phoneChannel(channels: [PhoneChannelChoice], optional: Bool)
    case phoneCode(maskedPhone: String, resend: ResendCountdown, needsNewCode: Bool, optional: Bool)
    case document(side: DocumentSide, categories: [String], attemptsLeft: Int, optional: Bool, canSkipKyc: Bool)
    case selfie(attemptsLeft: Int, optional: Bool, canSkipKyc: Bool)
    /// Every verification step is done: the user checks what the server read and scored, then
    /// confirms (the SDK syncs `end`).
    case review(ReviewSummary)
    case result(outcome: Outcome, token: String, redirectUrl: String?)
    /// The enrollment cannot continue (session expired, no attempts left...): start over.
    case fatal
}

/// A screen plus the in-flight flag and the last error on it.
public struct Screen: Equatable, Sendable {
    public var kind: ScreenKind
    public var busy: Bool
    public var error: UserError?

    public init(_ kind: ScreenKind, busy: Bool = false, error: UserError? = nil) {
        self.kind = kind
        self.busy = busy
        self.error = error
    }
}

/// Personal data and the final token are never printed (logs, crash reports).
extension SignUpForm: CustomStringConvertible {
    public var description: String {
        func mask(_ value: String) -> String { value.isEmpty ? "\"\"" : "<redacted>" }
        return "SignUpForm(fullName: \(mask(fullName)), firstName: \(mask(firstName)), lastName: \(mask(lastName)), "
            + "email: \(mask(email)), countryCode: \(countryCode), phone: \(mask(phone)), "
            + "phoneChannel: \(String(describing: phoneChannel)), acceptedTerms: \(acceptedTerms), acceptedPrivacy: \(acceptedPrivacy))"
    }
}

extension Screen: CustomStringConvertible {
    public var description: String {
        let kindText: String
        switch kind {
        case let .result(outcome, _, redirectUrl):
            kindText = "result(outcome: \(outcome), token: <redacted>, redirectUrl: \(redirectUrl == nil ? "nil" : "<redacted>"))"
        case let .signUp(fields, form):
            kindText = "signUp(fields: \(fields), form: \(form))"
        case let .review(summary):
            kindText = "review(\(summary))"
        default:
            kindText = "\(kind)"
        }
        return "Screen(\(kindText), busy: \(busy), error: \(error.map { "\($0.kind)" } ?? "nil"))"
    }
}
