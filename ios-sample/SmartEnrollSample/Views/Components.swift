import SmartEnroll
import SwiftUI
import UIKit

/// Minimum size of anything tappable (Apple HIG: 44 pt).
let minTouchTarget: CGFloat = 44

/// A scrollable page with a heading (marked as a header for VoiceOver).
struct Page<Content: View>: View {
    let title: LocalizedStringKey
    @ViewBuilder let content: Content

    var body: some View {
        ScrollView {
            VStack(alignment: .leading, spacing: 16) {
                Text(title)
                    .font(.title2.bold())
                    .accessibilityAddTraits(.isHeader)
                content
            }
            .padding(24)
            .frame(maxWidth: .infinity, alignment: .leading)
        }
    }
}

struct PrimaryButton: View {
    let title: LocalizedStringKey
    var enabled = true
    let action: () -> Void

    var body: some View {
        Button(action: action) {
            Text(title).frame(maxWidth: .infinity, minHeight: minTouchTarget)
        }
        .buttonStyle(.borderedProminent)
        .disabled(!enabled)
    }
}

struct SecondaryButton: View {
    let title: LocalizedStringKey
    var enabled = true
    let action: () -> Void

    var body: some View {
        Button(action: action) {
            Text(title).frame(maxWidth: .infinity, minHeight: minTouchTarget)
        }
        .buttonStyle(.bordered)
        .disabled(!enabled)
    }
}

struct QuietButton: View {
    let title: LocalizedStringKey
    var enabled = true
    let action: () -> Void

    var body: some View {
        Button(action: action) {
            Text(title).frame(maxWidth: .infinity, minHeight: minTouchTarget)
        }
        .disabled(!enabled)
    }
}

struct BusyIndicator: View {
    let busy: Bool

    var body: some View {
        if busy {
            HStack(spacing: 8) {
                ProgressView()
                Text("working")
            }
            .accessibilityElement(children: .combine)
        }
    }
}

/// Posts a VoiceOver announcement (no-op when VoiceOver is off).
func announce(_ text: String) {
    UIAccessibility.post(notification: .announcement, argument: text)
}

/// The localised text of an error, with the wait when there is one.
func errorText(_ error: UserError) -> String {
    let base = NSLocalizedString(error.messageKey, comment: "")
    if let wait = error.retryAfterSeconds, wait > 0 {
        return base + " " + String(format: NSLocalizedString("error_wait_seconds", comment: ""), Int(wait))
    }
    return base
}

/// The current screen's error, announced by VoiceOver when it appears, with the recovery button
/// the logic chose.
struct ErrorBanner: View {
    let error: UserError?
    var onRetry: (() -> Void)?
    let onRestart: () -> Void

    var body: some View {
        if let error, error.action != .none {
            VStack(alignment: .leading, spacing: 8) {
                Text(errorText(error))
                    .foregroundColor(.red)
                    .onAppear { announce(errorText(error)) }
                switch error.action {
                // "Try again" repeats the action that failed (the controller keeps it). For the
                // other recoveries the screen's own controls are the way on.
                case .retry:
                    if let onRetry {
                        SecondaryButton(title: "action_try_again", action: onRetry)
                    }
                case .restart:
                    SecondaryButton(title: "action_start_over", action: onRestart)
                default:
                    EmptyView()
                }
            }
        }
    }
}
