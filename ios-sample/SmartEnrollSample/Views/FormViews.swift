import SmartEnroll
import SwiftUI

struct LoadingView: View {
    var body: some View {
        VStack(spacing: 12) {
            ProgressView()
            Text("resuming")
        }
        .frame(maxWidth: .infinity, maxHeight: .infinity)
        .accessibilityElement(children: .combine)
    }
}

/// The sign-up form: only the fields the flow asks for (`fields`, from the flow configuration).
struct SignUpView: View {
    let fields: SignUpFields
    let initial: SignUpForm
    let screen: Screen
    let onSubmit: (SignUpForm) -> Void
    let onRestart: () -> Void

    @State private var fullName = ""
    @State private var firstName = ""
    @State private var lastName = ""
    @State private var email = ""
    @State private var countryCode = ""
    @State private var phone = ""
    @State private var channel: PhoneChannelChoice = .sms
    @State private var acceptedTerms = false
    @State private var acceptedPrivacy = false

    var body: some View {
        Page(title: "signup_title") {
            Text("signup_subtitle")
            if fields.fullName {
                TextField("field_full_name", text: $fullName)
                    .textContentType(.name)
                    .textFieldStyle(.roundedBorder)
                    .frame(minHeight: minTouchTarget)
            }
            if fields.firstName {
                TextField("field_first_name", text: $firstName)
                    .textContentType(.givenName)
                    .textFieldStyle(.roundedBorder)
                    .frame(minHeight: minTouchTarget)
            }
            if fields.lastName {
                TextField("field_last_name", text: $lastName)
                    .textContentType(.familyName)
                    .textFieldStyle(.roundedBorder)
                    .frame(minHeight: minTouchTarget)
            }
            if fields.email {
                TextField("field_email", text: $email)
                    .textContentType(.emailAddress)
                    .keyboardType(.emailAddress)
                    .textInputAutocapitalization(.never)
                    .disableAutocorrection(true)
                    .textFieldStyle(.roundedBorder)
                    .frame(minHeight: minTouchTarget)
            }
            if fields.phone {
                TextField("field_country_code", text: $countryCode, prompt: Text("field_country_code_hint"))
                    .keyboardType(.phonePad)
                    .textFieldStyle(.roundedBorder)
                    .frame(minHeight: minTouchTarget)
                TextField("field_phone", text: $phone)
                    .textContentType(.telephoneNumber)
                    .keyboardType(.phonePad)
                    .textFieldStyle(.roundedBorder)
                    .frame(minHeight: minTouchTarget)
                // The phone code's channel follows the flow's gateway: fixed, or the user's pick.
                if fields.phoneChannels.count > 1 {
                    Picker("signup_code_choose", selection: $channel) {
                        Text("phone_channel_sms").tag(PhoneChannelChoice.sms)
                        Text("phone_channel_whatsapp").tag(PhoneChannelChoice.whatsapp)
                    }
                    .pickerStyle(.segmented)
                    .frame(minHeight: minTouchTarget)
                } else if fields.phoneChannels == [.whatsapp] {
                    Text("signup_code_by_whatsapp")
                } else if fields.phoneChannels == [.sms] {
                    Text("signup_code_by_sms")
                }
            }
            if fields.termsAndConditions {
                Toggle(isOn: $acceptedTerms) { Text("signup_accept_terms") }
                    .frame(minHeight: minTouchTarget)
                if let url = fields.termsUrl {
                    Link(destination: url) { Text("signup_read_terms") }
                        .frame(minHeight: minTouchTarget)
                }
            }
            if fields.privacyNotice {
                Toggle(isOn: $acceptedPrivacy) { Text("signup_accept_privacy") }
                    .frame(minHeight: minTouchTarget)
                if let url = fields.privacyUrl {
                    Link(destination: url) { Text("signup_read_privacy") }
                        .frame(minHeight: minTouchTarget)
                }
            }
            ErrorBanner(error: screen.error, onRetry: submit, onRestart: onRestart)
            BusyIndicator(busy: screen.busy)
            PrimaryButton(title: "signup_submit", enabled: !screen.busy, action: submit)
        }
        .onAppear {
            fullName = initial.fullName
            firstName = initial.firstName
            lastName = initial.lastName
            email = initial.email
            countryCode = initial.countryCode
            phone = initial.phone
            channel = initial.phoneChannel ?? fields.phoneChannels.first ?? .sms
            acceptedTerms = initial.acceptedTerms
            acceptedPrivacy = initial.acceptedPrivacy
        }
    }

    private func submit() {
        onSubmit(SignUpForm(
            fullName: fullName.trimmingCharacters(in: .whitespaces),
            email: email.trimmingCharacters(in: .whitespaces),
            countryCode: countryCode.trimmingCharacters(in: .whitespaces),
            phone: phone.trimmingCharacters(in: .whitespaces),
            firstName: firstName.trimmingCharacters(in: .whitespaces),
            lastName: lastName.trimmingCharacters(in: .whitespaces),
            phoneChannel: fields.phoneChannels.count > 1 ? channel : nil,
            acceptedTerms: acceptedTerms,
            acceptedPrivacy: acceptedPrivacy
        ))
    }
}

/// Email or phone code entry with the resend countdown.
struct OtpView: View {
    let title: LocalizedStringKey
    let destination: String
    let resend: ResendCountdown
    let needsNewCode: Bool
    let optional: Bool
    let screen: Screen
    let clock: SampleClock
    let onSubmit: (String) -> Void
    let onResend: () -> Void
    let onSkip: () -> Void
    let onRetry: () -> Void
    let onRestart: () -> Void

    @State private var code = ""
    @State private var secondsLeft = 0

    var body: some View {
        Page(title: title) {
            Text(String(format: NSLocalizedString("otp_sent_to", comment: ""), destination))
            TextField("otp_field", text: $code)
                .keyboardType(.numberPad)
                .textContentType(.oneTimeCode)
                .textFieldStyle(.roundedBorder)
                .frame(minHeight: minTouchTarget)
                .onChange(of: code) { newValue in
                    let cleaned = normaliseCode(newValue)
                    if cleaned != newValue { code = cleaned }
                }
            if needsNewCode {
                Text("otp_needs_new_code")
                    .onAppear { announce(NSLocalizedString("otp_needs_new_code", comment: "")) }
            }
            ErrorBanner(error: screen.error, onRetry: onRetry, onRestart: onRestart)
            BusyIndicator(busy: screen.busy)
            PrimaryButton(title: "otp_submit", enabled: !screen.busy && !needsNewCode && isCompleteCode(code)) {
                onSubmit(code)
            }
            if secondsLeft > 0 {
                Text(verbatim: String(format: NSLocalizedString("otp_resend_in", comment: ""), formatCountdown(secondsLeft)))
                    .frame(maxWidth: .infinity, minHeight: minTouchTarget)
                    .foregroundColor(.secondary)
            } else {
                QuietButton(title: "otp_resend", enabled: !screen.busy, action: onResend)
            }
            if Decisions.canSkip(optional: optional, busy: screen.busy) {
                QuietButton(title: "action_skip", action: onSkip)
            }
        }
        .task(id: resend) {
            for await left in resend.ticks(clock: clock) {
                secondsLeft = left
            }
        }
    }
}

struct PhoneChannelView: View {
    let channels: [PhoneChannelChoice]
    let optional: Bool
    let screen: Screen
    let onChoose: (PhoneChannelChoice) -> Void
    let onSkip: () -> Void
    let onRetry: () -> Void
    let onRestart: () -> Void

    var body: some View {
        Page(title: "phone_channel_title") {
            ForEach(channels, id: \.self) { channel in
                SecondaryButton(title: channel == .sms ? "phone_channel_sms" : "phone_channel_whatsapp", enabled: !screen.busy) {
                    onChoose(channel)
                }
            }
            if Decisions.canSkip(optional: optional, busy: screen.busy) {
                QuietButton(title: "action_skip", action: onSkip)
            }
            ErrorBanner(error: screen.error, onRetry: onRetry, onRestart: onRestart)
            BusyIndicator(busy: screen.busy)
        }
    }
}

struct ProcessingView: View {
    let screen: Screen
    let onRetry: () -> Void
    let onRestart: () -> Void

    var body: some View {
        Page(title: "working") {
            Text("processing_body")
            ErrorBanner(error: screen.error, onRetry: onRetry, onRestart: onRestart)
            BusyIndicator(busy: screen.busy)
        }
    }
}

/// The review before the end: what the server read from the document, the names check, the
/// liveness and face-match scores with the flow's minimums and the criminal check. "Confirm" ends
/// the enrollment (`confirm()`).
struct ReviewView: View {
    let review: ReviewSummary
    let screen: Screen
    let onConfirm: () -> Void
    let onRestart: () -> Void

    private func scoreText(_ line: ScoreLine) -> String {
        let key = line.passed ? "review_score_passed" : "review_score_not_passed"
        return String(format: NSLocalizedString(key, comment: ""), line.percent, line.minPercent)
    }

    private var criminalKey: String? {
        switch review.criminalCheck {
        case .clear: return "review_criminal_clear"
        case .recordFound: return "review_criminal_record_found"
        case .assessing: return "review_criminal_assessing"
        case nil: return nil
        }
    }

    var body: some View {
        Page(title: "review_title") {
            Text("review_body")
            Text("review_document").font(.headline)
            if review.documentFields.isEmpty {
                Text("review_no_document")
            }
            ForEach(review.documentFields, id: \.labelKey) { field in
                ReviewLine(label: NSLocalizedString(field.labelKey, comment: ""), value: field.value)
            }
            if review.documentCodeCompared && review.disagreements.isEmpty {
                Text("review_document_code_matches")
            }
            if !review.disagreements.isEmpty {
                Text("review_disagreements").font(.headline)
                Text("review_disagreements_body")
                ForEach(review.disagreements, id: \.labelKey) { d in
                    ReviewLine(label: NSLocalizedString(d.labelKey, comment: ""),
                               value: String(format: NSLocalizedString("review_disagreement_values", comment: ""),
                                             d.server, d.document))
                }
            }
            Text("review_checks").font(.headline)
            if let match = review.namesMatch {
                ReviewLine(label: NSLocalizedString("review_names_match", comment: ""),
                           value: NSLocalizedString(match ? "review_names_match_yes" : "review_names_match_no", comment: ""))
            }
            if let liveness = review.liveness {
                ReviewLine(label: NSLocalizedString("review_liveness", comment: ""), value: scoreText(liveness))
            }
            if let compare = review.compare {
                ReviewLine(label: NSLocalizedString("review_compare", comment: ""), value: scoreText(compare))
            }
            if let criminalKey {
                ReviewLine(label: NSLocalizedString("review_criminal_check", comment: ""),
                           value: NSLocalizedString(criminalKey, comment: ""))
            }
            if review.expectedToFail {
                Text("review_expected_failure")
                    .foregroundColor(.red)
                    .onAppear { announce(NSLocalizedString("review_expected_failure", comment: "")) }
            }
            ErrorBanner(error: screen.error, onRetry: onConfirm, onRestart: onRestart)
            BusyIndicator(busy: screen.busy)
            PrimaryButton(title: "review_confirm", enabled: !screen.busy, action: onConfirm)
        }
    }
}

/// A label and its value, read together by VoiceOver.
struct ReviewLine: View {
    let label: String
    let value: String

    var body: some View {
        VStack(alignment: .leading, spacing: 2) {
            Text(verbatim: label).font(.subheadline.bold())
            Text(verbatim: value)
        }
        .accessibilityElement(children: .combine)
    }
}

struct ResultView: View {
    let outcome: Outcome
    let token: String
    let redirectUrl: String?
    let onNewEnrollment: () -> Void

    @Environment(\.openURL) private var openURL
    @State private var showToken = false

    private var outcomeKey: String {
        switch outcome {
        case .completed: return "result_completed"
        case .completedWithoutKyc: return "result_completed_without_kyc"
        case .failed: return "result_failed"
        case .needsManualVerification: return "result_needs_manual_verification"
        }
    }

    var body: some View {
        Page(title: "result_title") {
            Text(LocalizedStringKey(outcomeKey))
                .font(.headline)
                .onAppear { announce(NSLocalizedString(outcomeKey, comment: "")) }
            Text("result_token").font(.subheadline.bold())
            // The token is a credential: hidden until asked for.
            Text(showToken ? token : String(format: NSLocalizedString("result_token_hidden", comment: ""), token.count))
                .font(.footnote.monospaced())
                .textSelection(.enabled)
            QuietButton(title: showToken ? "result_token_hide" : "result_token_show") { showToken.toggle() }
            if let redirectUrl, let url = URL(string: redirectUrl) {
                Text(String(format: NSLocalizedString("result_redirect_url", comment: ""), redirectUrl.components(separatedBy: "?")[0]))
                    .font(.footnote)
                PrimaryButton(title: "result_redirect") { openURL(url) }
            }
            SecondaryButton(title: "result_new_enrollment", action: onNewEnrollment)
        }
    }
}

struct FatalView: View {
    let screen: Screen
    let onRestart: () -> Void

    var body: some View {
        Page(title: "app_name") {
            ErrorBanner(error: screen.error, onRetry: nil, onRestart: onRestart)
            if screen.error?.action != .restart {
                PrimaryButton(title: "action_start_over", action: onRestart)
            }
        }
    }
}
