import Foundation

public enum DocumentSide: Sendable { case front, back }

public enum PhoneChannelChoice: Sendable { case sms, whatsapp }

public enum Outcome: Sendable { case completed, completedWithoutKyc, failed, needsManualVerification }

/// Which sign-up fields the flow asks for.
public struct SignUpFields: Equatable, Sendable {
    public var fullName = true
    public var email = true
    public var phone = false

    public init(fullName: Bool = true, email: Bool = true, phone: Bool = false) {
        self.fullName = fullName
        self.email = email
        self.phone = phone
    }
}

/// What the user typed on the sign-up screen; kept so that an error loses nothing.
public struct SignUpForm: Equatable, Sendable {
    public var fullName = ""
    public var email = ""
    public var countryCode = ""
    public var phone = ""

    public init(fullName: String = "", email: String = "", countryCode: String = "", phone: String = "") {
        self.fullName = fullName
        self.email = email
        self.countryCode = countryCode
        self.phone = phone
    }
}

/// Every screen of the sample app. The controller maps each SDK state to one of these; the
/// SwiftUI views only render them and forward the user's actions.
public enum ScreenKind: Equatable, Sendable {
    /// Restoring a stored session.
    case loading
    case signUp(fields: SignUpFields, form: SignUpForm)
    /// An automatic step is running, or stopped on an error ("Try again" resumes it).
    case processing(step: String)
    case emailCode(maskedEmail: String, resend: ResendCountdown, needsNewCode: Bool, optional: Bool)
    case phoneChannel(channels: [PhoneChannelChoice], optional: Bool)
    case phoneCode(maskedPhone: String, resend: ResendCountdown, needsNewCode: Bool, optional: Bool)
    case document(side: DocumentSide, categories: [String], attemptsLeft: Int, optional: Bool, canSkipKyc: Bool)
    case selfie(attemptsLeft: Int, optional: Bool, canSkipKyc: Bool)
    case readyToFinish
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
        return "SignUpForm(fullName: \(mask(fullName)), email: \(mask(email)), countryCode: \(countryCode), phone: \(mask(phone)))"
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
        default:
            kindText = "\(kind)"
        }
        return "Screen(\(kindText), busy: \(busy), error: \(error.map { "\($0.kind)" } ?? "nil"))"
    }
}
