import Foundation
import SmartEnroll

/// The one place where SDK types become the sample's own types: SDK states become screens and
/// SDK errors become `UserError`s.
public enum SdkMapping {
    public static func screenKind(for state: EnrollState, fields: SignUpFields, form: SignUpForm) -> ScreenKind {
        switch state {
        case .notStarted:
            return .signUp(fields: fields, form: form)
        case let .processing(step):
            return .processing(step: "\(step)")
        case let .awaitingEmailCode(maskedEmail, resendAvailableAtMs, needsNewCode, optional):
            return .emailCode(
                maskedEmail: maskedEmail,
                resend: ResendCountdown(availableAtMillis: Int64(resendAvailableAtMs)),
                needsNewCode: needsNewCode,
                optional: optional
            )
        case let .awaitingPhoneChannel(channels, optional):
            return .phoneChannel(channels: channels.map(channel(of:)), optional: optional)
        case let .awaitingPhoneCode(maskedPhone, _, resendAvailableAtMs, needsNewCode, optional):
            return .phoneCode(
                maskedPhone: maskedPhone,
                resend: ResendCountdown(availableAtMillis: Int64(resendAvailableAtMs)),
                needsNewCode: needsNewCode,
                optional: optional
            )
        case let .awaitingDocument(side, acceptedCategories, attemptsLeft, optional, canSkipKyc):
            return .document(
                side: side == .front ? .front : .back,
                categories: acceptedCategories.map(categoryKey(_:)),
                attemptsLeft: Int(attemptsLeft),
                optional: optional,
                canSkipKyc: canSkipKyc
            )
        case let .awaitingSelfie(attemptsLeft, optional, canSkipKyc):
            return .selfie(attemptsLeft: Int(attemptsLeft), optional: optional, canSkipKyc: canSkipKyc)
        case .readyToFinish:
            return .readyToFinish
        case let .completed(result):
            return .result(outcome: outcome(of: result.outcome), token: result.token, redirectUrl: result.redirectUrl)
        }
    }

    public static func channel(of channel: PhoneChannel) -> PhoneChannelChoice {
        switch channel {
        case .sms: return .sms
        case .whatsapp: return .whatsapp
        }
    }

    public static func sdkChannel(_ channel: PhoneChannelChoice) -> PhoneChannel {
        switch channel {
        case .sms: return .sms
        case .whatsapp: return .whatsapp
        }
    }

    public static func sdkSide(_ side: DocumentSide) -> SmartEnroll.DocumentSide {
        side == .front ? .front : .back
    }

    public static func categoryKey(_ category: DocumentCategory) -> String {
        switch category {
        case .governmentId: return "government_id"
        case .passport: return "passport"
        case .driverLicense: return "driver_license"
        }
    }

    public static func sdkCategory(_ key: String) -> DocumentCategory? {
        switch key {
        case "government_id": return .governmentId
        case "passport": return .passport
        case "driver_license": return .driverLicense
        default: return nil
        }
    }

    public static func outcome(of outcome: SmartEnroll.Outcome) -> Outcome {
        switch outcome {
        case .completed: return .completed
        case .completedWithoutKyc: return .completedWithoutKyc
        case .failed: return .failed
        case .needsManualVerification: return .needsManualVerification
        }
    }

    /// The user-facing error for anything an SDK call threw.
    public static func userError(for error: Error, attemptsLeft: Int? = nil) -> UserError {
        if error is CancellationError {
            return Decisions.userError(.cancelled)
        }
        guard let sdkError = error as? SmartEnrollError else {
            return Decisions.userError(.unknown)
        }
        switch sdkError {
        case let .InvalidInput(field, _):
            return Decisions.userError(field == "image" ? .invalidImage : .invalidInput)
        case .InvalidState:
            return Decisions.userError(.invalidState)
        case .Network:
            return Decisions.userError(.network)
        case .SessionExpired:
            return Decisions.userError(.sessionExpired)
        case .WrongCode:
            return Decisions.userError(.otpMismatch)
        case .CodeExpired:
            return Decisions.userError(.otpExpired)
        case let .TooManyAttempts(reason):
            let lower = reason.lowercased()
            return Decisions.userError(lower.contains("otp") || lower.contains("code") ? .otpLocked : .attemptsExhausted)
        case let .ResendCooldown(retryAfterSecs):
            return Decisions.userError(.rateLimited, retryAfterSeconds: Int64(retryAfterSecs))
        case .AlreadyRegistered:
            return Decisions.userError(.alreadyRegistered)
        case let .LivenessFailed(score):
            return Decisions.userError(.livenessFailed, attemptsLeft: attemptsLeft, score: score)
        case .FaceAlreadyExists:
            return Decisions.userError(.faceAlreadyExists)
        case .ImageRejected:
            return Decisions.userError(.invalidImage)
        case let .Server(status, _):
            switch status {
            case 402: return Decisions.userError(.paymentRequired)
            case 404: return Decisions.userError(.configuration)
            default: return Decisions.userError(.server)
            }
        case .Cancelled:
            return Decisions.userError(.cancelled)
        case .Internal:
            return Decisions.userError(.unknown)
        }
    }
}
