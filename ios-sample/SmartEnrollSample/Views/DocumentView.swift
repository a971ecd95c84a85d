import SmartEnroll
import SwiftUI

/// One side of the document: a rear-camera photo or an image from the library.
struct DocumentView: View {
    let side: DocumentSide
    let categories: [String]
    let attemptsLeft: Int
    let optional: Bool
    let canSkipKyc: Bool
    let screen: Screen
    let onSubmit: (String, Data) -> Void
    let onSkip: () -> Void
    let onSkipKyc: () -> Void
    let onRetry: () -> Void
    let onRestart: () -> Void

    @State private var category = ""
    @State private var showCamera = false
    @State private var showLibrary = false
    @State private var localError = false

    var body: some View {
        Page(title: side == .front ? "document_title_front" : "document_title_back") {
            Text("document_body")
            Text(String(format: NSLocalizedString("attempts_left", comment: ""), attemptsLeft)).font(.footnote)
            if side == .front && categories.count > 1 {
                Picker("document_category", selection: $category) {
                    ForEach(categories, id: \.self) { key in
                        Text(LocalizedStringKey("document_category_" + key)).tag(key)
                    }
                }
                .pickerStyle(.inline)
            }
            // After a failed upload a new photo is offered only when the SDK's recovery is
            // `retakePhoto`; a network error offers "Try again" (the same upload), an
            // attempt-consuming outcome stops here and the banner explains.
            let canCapture = Decisions.mayCapture(busy: screen.busy, error: screen.error)
            if CameraPicker.isAvailable {
                PrimaryButton(title: "document_take_photo", enabled: canCapture) { showCamera = true }
            }
            SecondaryButton(title: "document_pick_file", enabled: canCapture) { showLibrary = true }
            if localError {
                Text("error_invalid_image")
                    .foregroundColor(.red)
                    .onAppear { announce(NSLocalizedString("error_invalid_image", comment: "")) }
            }
            ErrorBanner(error: screen.error, onRetry: onRetry, onRestart: onRestart)
            BusyIndicator(busy: screen.busy)
            if Decisions.canSkip(optional: optional, busy: screen.busy) {
                QuietButton(title: "action_skip", action: onSkip)
            }
            if canSkipKyc && !screen.busy {
                QuietButton(title: "kyc_skip", action: onSkipKyc)
            }
        }
        .onAppear { if category.isEmpty { category = categories.first ?? "" } }
        .sheet(isPresented: $showCamera) {
            CameraPicker { data in handle(data) }.ignoresSafeArea()
        }
        .sheet(isPresented: $showLibrary) {
            LibraryPicker { data in handle(data) }
        }
    }

    private func handle(_ data: Data?) {
        guard let data else { return }
        // The server refuses images over 10 MiB; say so here instead of uploading.
        guard data.count <= 10 * 1024 * 1024 else {
            localError = true
            return
        }
        localError = false
        onSubmit(category, data)
    }
}
