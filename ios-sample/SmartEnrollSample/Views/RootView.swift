import SmartEnroll
import SwiftUI

/// Renders the controller's current screen; every action calls straight into the controller.
struct RootView: View {
    @ObservedObject var controller: EnrollController
    let clock: SampleClock
    /// Built off the main thread by the app; nil until ready.
    let selfieCamera: SelfieCamera?
    let selfieCameraFailed: Bool

    var body: some View {
        let screen = controller.screen
        switch screen.kind {
        case .loading:
            LoadingView()
        case let .signUp(fields, form):
            SignUpView(fields: fields, initial: form, screen: screen,
                       onSubmit: { input in run { await controller.signUp(input) } },
                       onRestart: controller.restart)
        case .processing:
            ProcessingView(screen: screen, onRetry: { run { await controller.retry() } }, onRestart: controller.restart)
        case let .emailCode(masked, resend, needsNewCode, optional):
            OtpView(title: "otp_email_title", destination: masked, resend: resend, needsNewCode: needsNewCode,
                    optional: optional, screen: screen, clock: clock,
                    onSubmit: { code in run { await controller.submitEmailCode(code) } },
                    onResend: { run { await controller.resendEmailCode() } },
                    onSkip: { run { await controller.skipStep() } },
                    onRetry: { run { await controller.retry() } },
                    onRestart: controller.restart)
        case let .phoneChannel(channels, optional):
            PhoneChannelView(channels: channels, optional: optional, screen: screen,
                             onChoose: { channel in run { await controller.choosePhoneChannel(channel) } },
                             onSkip: { run { await controller.skipStep() } },
                             onRetry: { run { await controller.retry() } },
                             onRestart: controller.restart)
        case let .phoneCode(masked, resend, needsNewCode, optional):
            OtpView(title: "otp_phone_title", destination: masked, resend: resend, needsNewCode: needsNewCode,
                    optional: optional, screen: screen, clock: clock,
                    onSubmit: { code in run { await controller.submitPhoneCode(code) } },
                    onResend: { run { await controller.resendPhoneCode() } },
                    onSkip: { run { await controller.skipStep() } },
                    onRetry: { run { await controller.retry() } },
                    onRestart: controller.restart)
        case let .document(side, categories, attemptsLeft, optional, canSkipKyc):
            DocumentStepView(side: side, categories: categories, attemptsLeft: attemptsLeft, optional: optional,
                         canSkipKyc: canSkipKyc, screen: screen,
                         onSubmit: { category, data, identity in
                             run { await controller.submitDocument(category: category, image: data, identity: identity) }
                         },
                         onSkip: { run { await controller.skipStep() } },
                         onSkipKyc: { run { await controller.skipKyc() } },
                         onRetry: { run { await controller.retry() } },
                         onRestart: controller.restart)
        case let .selfie(attemptsLeft, optional, canSkipKyc):
            if let camera = selfieCamera {
                SelfieView(attemptsLeft: attemptsLeft, optional: optional, canSkipKyc: canSkipKyc, screen: screen,
                           camera: camera,
                           onCaptured: { jpeg in run { await controller.submitSelfie(jpeg) } },
                           onSkip: { run { await controller.skipStep() } },
                           onSkipKyc: { run { await controller.skipKyc() } },
                           onRetry: { run { await controller.retry() } },
                           onRestart: controller.restart)
            } else if !selfieCameraFailed {
                LoadingView()
            } else {
                Page(title: "selfie_title") {
                    Text("error_unknown")
                    SecondaryButton(title: "action_start_over", action: controller.restart)
                }
            }
        case let .review(summary):
            ReviewView(review: summary, screen: screen, onConfirm: { run { await controller.confirm() } },
                       onRestart: controller.restart)
        case let .result(outcome, token, redirectUrl):
            ResultView(outcome: outcome, token: token, redirectUrl: redirectUrl, onNewEnrollment: controller.restart)
        case .fatal:
            FatalView(screen: screen, onRestart: controller.restart)
        }
    }

    private func run(_ work: @escaping @MainActor () async -> Void) {
        Task { @MainActor in await work() }
    }
}

/// Shown when the app's configuration (Config.xcconfig) is missing or invalid.
struct ConfigurationErrorView: View {
    let detail: String

    var body: some View {
        Page(title: "app_name") {
            Text("error_configuration")
            Text(verbatim: detail).font(.footnote.monospaced())
        }
    }
}
