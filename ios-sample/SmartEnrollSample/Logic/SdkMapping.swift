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
        case let .interrupted(step, _, _):
            // A failed automatic step: the processing screen offers "retry" (resume()).
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
        case let .awaitingReview(review):
            return .review(reviewSummary(review))
        case let .completed(result):
            return .result(outcome: outcome(of: result.outcome), token: result.token.reveal(), redirectUrl: result.redirectUrl?.reveal())
        }
    }

    /// The review screen's content. Only the fields the server read are listed; the names are the
    /// full name, else first and last name; the document type is the server's type code with its
    /// category (`CC · ID`).
    public static func reviewSummary(_ review: Review) -> ReviewSummary {
        func text(_ value: String?) -> String? {
            guard let trimmed = value?.trimmingCharacters(in: .whitespaces), !trimmed.isEmpty else { return nil }
            return trimmed
        }
        var fields: [ReviewField] = []
        if let document = review.document {
            let names = text(document.fullName)
                ?? text([text(document.firstName), text(document.lastName)].compactMap { $0 }.joined(separator: " "))
            var type: [String] = []
            for part in [text(document.documentType), text(document.category)] {
                if let part, !type.contains(part) { type.append(part) }
            }
            let values: [(String, String?)] = [
                ("review_field_names", names),
                ("review_field_document_type", text(type.joined(separator: " · "))),
                ("review_field_document_number", text(document.documentNumber)),
                ("review_field_date_of_birth", text(document.dateOfBirth)),
                ("review_field_expiration_date", text(document.expirationDate)),
                ("review_field_nationality", text(document.nationality)),
            ]
            for (key, value) in values {
                if let value { fields.append(ReviewField(labelKey: key, value: value)) }
            }
        }
        return ReviewSummary(
            documentFields: fields,
            namesMatch: review.namesMatch,
            liveness: review.liveness.map(scoreLine(_:)),
            compare: review.compare.map(scoreLine(_:)),
            criminalCheck: review.criminalCheck.map(criminalCheck(of:)),
            expectedToFail: review.expectedOutcome == .failed,
            disagreements: review.disagreements.map {
                ReviewDisagreement(labelKey: ReviewDisagreement.labelKey(field: $0.field),
                                   server: $0.server, document: $0.document)
            },
            documentCodeCompared: review.machineReadable != nil && review.document != nil
        )
    }

    public static func scoreLine(_ check: ScoreCheck) -> ScoreLine {
        ScoreLine(
            percent: ReviewSummary.percent(check.score),
            minPercent: ReviewSummary.percent(check.minScore),
            passed: check.passed
        )
    }

    public static func criminalCheck(of check: CriminalCheck) -> CriminalCheckResult {
        if check.recordFound || check.status.uppercased() == "FAILED" {
            return .recordFound
        }
        return check.status.uppercased() == "ASSESSING" ? .assessing : .clear
    }

    /// The sign-up fields a flow asks for; the phone channels follow its phone gateway.
    public static func signUpFields(flow: FlowSummary) -> SignUpFields {
        let form = flow.signUpForm
        var channels: [PhoneChannelChoice] = []
        if form.phone {
            switch form.phoneGateway {
            case .sms: channels = [.sms]
            case .whatsapp: channels = [.whatsapp]
            case .both: channels = [.sms, .whatsapp]
            case .none: channels = []
            }
        }
        return SignUpFields(
            fullName: form.fullName,
            firstName: form.firstName,
            lastName: form.lastName,
            email: form.email,
            phone: form.phone,
            phoneChannels: channels,
            termsAndConditions: form.showTermsAndConditions,
            privacyNotice: form.showPrivacyNotice,
            termsUrl: form.showTermsAndConditions ? webLink(flow.termsUrl) : nil,
            privacyUrl: form.showPrivacyNotice ? webLink(flow.privacyUrl) : nil
        )
    }

    /// A page the app may open in the browser: an `https://` URL with a host, else nil (the
    /// server's text is never handed to the system as another kind of link).
    public static func webLink(_ text: String?) -> URL? {
        guard let text = text?.trimmingCharacters(in: .whitespaces),
              let url = URL(string: text),
              url.scheme?.lowercased() == "https",
              let host = url.host, !host.isEmpty
        else { return nil }
        return url
    }

    /// The SDK's sign-up data: only the fields the flow asks for are sent.
    public static func signUpData(fields: SignUpFields, form: SignUpForm, language: String) -> SignUpData {
        func value(_ asked: Bool, _ text: String) -> String? {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            return asked && !trimmed.isEmpty ? trimmed : nil
        }
        return SignUpData(
            email: value(fields.email, form.email),
            phone: value(fields.phone, form.phone),
            countryCode: value(fields.phone, form.countryCode),
            fullName: SignUpRules.name(fields, form),
            firstName: value(fields.firstName, form.firstName),
            lastName: value(fields.lastName, form.lastName),
            language: language
        )
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
        if let missing = error as? InvalidSignUpField {
            return Decisions.userError(.invalidInput, field: missing.field)
        }
        if error is FlowNotActive {
            return Decisions.userError(.configuration)
        }
        guard let sdkError = error as? SmartEnrollError else {
            return Decisions.userError(.unknown)
        }
        switch sdkError {
        case .Network:
            return Decisions.userError(.network)
        case .Timeout:
            return Decisions.userError(.timeout)
        case .Server, .MalformedResponse:
            return Decisions.userError(.server)
        case let .RateLimited(_, retryAfterMs):
            let seconds = retryAfterMs.map { max(1, (Int64($0) + 999) / 1000) }
            return Decisions.userError(.rateLimited, retryAfterSeconds: seconds)
        case let .InvalidInput(field, _):
            return field == "image" ? Decisions.userError(.invalidImage) : Decisions.userError(.invalidInput, field: field)
        case .OtpMismatch:
            return Decisions.userError(.otpMismatch)
        case .OtpLocked:
            return Decisions.userError(.otpLocked)
        case .OtpExpired:
            return Decisions.userError(.otpExpired)
        case let .LivenessFailed(score):
            return Decisions.userError(.livenessFailed, attemptsLeft: attemptsLeft, score: score)
        case .FaceAlreadyExists:
            return Decisions.userError(.faceAlreadyExists)
        case .AttemptsExhausted:
            return Decisions.userError(.attemptsExhausted)
        case .AlreadyRegistered:
            return Decisions.userError(.alreadyRegistered)
        case .SessionExpired:
            return Decisions.userError(.sessionExpired)
        case .NotFound, .Forbidden, .Config:
            return Decisions.userError(.configuration)
        case .PaymentRequired:
            return Decisions.userError(.paymentRequired)
        case let .Rejected(status, _):
            // The image rejections of the API (only_images_in_base64, image_too_large).
            return Decisions.userError([412, 413, 415].contains(status) ? .invalidImage : .unknown)
        case .CertificatePinMismatch, .UntrustedCertificate:
            // Someone may be intercepting the connection (captive portal, proxy); the SDK never
            // retries these.
            return Decisions.userError(.insecureConnection)
        case .InvalidState:
            return Decisions.userError(.invalidState)
        case .Cancelled:
            return Decisions.userError(.cancelled)
        case .TextRecognitionFailed:
            // Only from DocumentCapture.result() when the app's OCR threw (the capture is kept).
            return Decisions.userError(.unknown)
        case .FaceDetectorUnavailable, .Internal:
            // FaceDetectorUnavailable only comes from creating a LivenessCapture, and
            // SelfieCapture falls back to quality-only mode before it could reach a screen.
            return Decisions.userError(.unknown)
        }
    }
}
