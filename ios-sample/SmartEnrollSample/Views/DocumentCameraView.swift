import AVFoundation
import SmartEnroll
import SwiftUI

/// The document step: the live capture first (`DocumentCameraView`); "Use this photo" on a page
/// it could not read well, no camera, or an upload error falls back to the photo / file picker
/// (`DocumentView`).
struct DocumentStepView: View {
    let side: DocumentSide
    let categories: [String]
    let attemptsLeft: Int
    let optional: Bool
    let canSkipKyc: Bool
    let screen: Screen
    /// The category, the page's JPEG and what its MRZ or barcode says (`nil` from the picker).
    let onSubmit: (String, Data, DocumentIdentity?) -> Void
    let onSkip: () -> Void
    let onSkipKyc: () -> Void
    let onRetry: () -> Void
    let onRestart: () -> Void

    @State private var live = true
    /// Made once, when the step first shows (not on every body evaluation).
    @State private var camera: DocumentCamera?
    @State private var cameraFailed = false

    var body: some View {
        if live && !cameraFailed && screen.error == nil, let category = categories.first {
            if let camera {
                DocumentCameraView(side: side, category: category, screen: screen, camera: camera,
                                   onSubmit: onSubmit, onManual: { live = false })
            } else {
                ProgressView().onAppear {
                    let readsBarcode = DocumentDecisions.readsBarcode(category: category, side: side)
                    camera = try? DocumentCamera(readsBarcode: readsBarcode)
                    cameraFailed = camera == nil
                }
            }
        } else {
            DocumentView(side: side, categories: categories, attemptsLeft: attemptsLeft, optional: optional,
                         canSkipKyc: canSkipKyc, screen: screen, onSubmit: { onSubmit($0, $1, nil) }, onSkip: onSkip,
                         onSkipKyc: onSkipKyc, onRetry: onRetry, onRestart: onRestart)
        }
    }
}

/// The live document screen: the back camera (AVFoundation video data output) feeds the SDK's
/// `DocumentCapture`; the found page's quad is drawn over the preview, the guidance is shown in
/// the user's language, the page is captured by itself and Vision reads its MRZ. On the back of
/// an ID card the PDF417 side reader runs too (three identical reads; after four failed shots
/// the user may continue without it).
struct DocumentCameraView: View {
    let side: DocumentSide
    let category: String
    let screen: Screen
    let camera: DocumentCamera
    let onSubmit: (String, Data, DocumentIdentity?) -> Void
    let onManual: () -> Void

    @ObservedObject private var live: DocumentCamera.Live
    @State private var continuedWithout = false
    @State private var submitted = false

    init(side: DocumentSide, category: String, screen: Screen, camera: DocumentCamera,
         onSubmit: @escaping (String, Data, DocumentIdentity?) -> Void, onManual: @escaping () -> Void) {
        self.side = side
        self.category = category
        self.screen = screen
        self.camera = camera
        self.onSubmit = onSubmit
        self.onManual = onManual
        _live = ObservedObject(wrappedValue: camera.live)
    }

    private var readsBarcode: Bool { DocumentDecisions.readsBarcode(category: category, side: side) }
    private var sideProgress: DocumentDecisions.SideProgress? { live.side.map(DocumentDecisions.sideProgress) }
    private var after: DocumentDecisions.AfterCapture? {
        live.captured.map {
            DocumentDecisions.afterCapture(mrz: $0.mrz, expectMrz: DocumentDecisions.expectsMrz(category: category, side: side))
        }
    }
    /// What the page's own MRZ / barcode says (the side reader's settled barcode first): the
    /// session compares it with the server's OCR in the review.
    private func identity(of page: CapturedDocument) -> DocumentIdentity? {
        var barcode = page.barcode
        if case let .read(reading) = live.side { barcode = reading }
        return documentIdentity(mrz: page.mrz, barcode: barcode)
    }
    private var ready: Bool {
        guard live.captured != nil, after == .submit else { return false }
        return !readsBarcode || DocumentDecisions.backReady(pageCaptured: true, side: sideProgress,
                                                            continuedWithout: continuedWithout)
    }

    var body: some View {
        Page(title: "doc_live_title") {
            if !live.cameraPresent {
                Text("camera_unavailable")
                SecondaryButton(title: "doc_use_photo", action: onManual)
            } else {
                ZStack {
                    CameraPreview(session: camera.session)
                    QuadOverlay(feedback: live.feedback)
                }
                .aspectRatio(3.0 / 4.0, contentMode: .fit)
                .accessibilityLabel(Text("doc_live_title"))
                Text(LocalizedStringKey(DocumentDecisions.guidanceResource(live.feedback?.guidanceKey ?? "no_document")))
                    .font(.headline)
                    .accessibilityAddTraits(.updatesFrequently)
                ProgressView(value: Double(live.feedback?.readiness ?? 0))
                if let progress = sideProgress {
                    Text(progressText(progress))
                    if progress.canContinueWithout && !continuedWithout {
                        SecondaryButton(title: "doc_continue_without_barcode") { continuedWithout = true }
                    }
                }
                if let page = live.captured, after == .confirm {
                    Text("doc_mrz_invalid")
                    PrimaryButton(title: "doc_use_photo", enabled: !submitted) {
                        submitted = true
                        onSubmit(category, page.jpeg, identity(of: page))
                    }
                    SecondaryButton(title: "doc_retake") {
                        continuedWithout = false
                        camera.retake()
                    }
                }
                QuietButton(title: "doc_use_photo", action: onManual)
            }
        }
        .task {
            guard await CameraSession.requestAccess(), camera.configure() else {
                live.cameraPresent = false
                return
            }
            camera.start()
        }
        .onDisappear { camera.stop() }
        .onChange(of: ready) { isReady in
            if isReady, !submitted, let page = live.captured {
                submitted = true
                onSubmit(category, page.jpeg, identity(of: page))
            }
        }
    }

    private func progressText(_ progress: DocumentDecisions.SideProgress) -> String {
        let format = NSLocalizedString(progress.resource, comment: "")
        return progress.args.count == 2 ? String(format: format, progress.args[0], progress.args[1]) : format
    }
}

/// The found page's outline: the SDK's corners are in the upright frame's pixels
/// (`frameWidth` × `frameHeight`); the preview fills the same box (aspect fill), so they are
/// scaled by the larger factor and centred, as `.resizeAspectFill` does.
struct QuadOverlay: View {
    let feedback: DocumentFeedback?

    var body: some View {
        GeometryReader { geometry in
            if let feedback, let corners = feedback.corners, corners.count == 4,
               feedback.frameWidth > 0, feedback.frameHeight > 0 {
                let fw = CGFloat(feedback.frameWidth)
                let fh = CGFloat(feedback.frameHeight)
                let scale = max(geometry.size.width / fw, geometry.size.height / fh)
                let dx = (geometry.size.width - fw * scale) / 2
                let dy = (geometry.size.height - fh * scale) / 2
                let good = feedback.guidanceKey == "hold_still" || feedback.guidanceKey == "ok"
                Path { path in
                    let points = corners.map { CGPoint(x: dx + CGFloat($0.x) * scale, y: dy + CGFloat($0.y) * scale) }
                    path.addLines(points)
                    path.closeSubpath()
                }
                .stroke(good ? Color.green : Color.yellow, lineWidth: 3)
            }
        }
        .allowsHitTesting(false)
    }
}
