import AVFoundation
import SmartEnroll
import SwiftUI
import UIKit

/// The live camera image behind the face guide.
struct CameraPreview: UIViewRepresentable {
    let session: AVCaptureSession

    final class PreviewView: UIView {
        override class var layerClass: AnyClass { AVCaptureVideoPreviewLayer.self }
        var previewLayer: AVCaptureVideoPreviewLayer { layer as! AVCaptureVideoPreviewLayer }
    }

    func makeUIView(context: Context) -> PreviewView {
        let view = PreviewView()
        view.previewLayer.session = session
        view.previewLayer.videoGravity = .resizeAspectFill
        return view
    }

    func updateUIView(_ uiView: PreviewView, context: Context) {}
}

/// The selfie: front camera with an oval guide, live guidance from the SDK prefilter on every
/// frame, spoken by VoiceOver when it changes (throttled by `GuidanceAnnouncer`), and automatic
/// capture: the prefilter's JPEG is uploaded.
struct SelfieView: View {
    let attemptsLeft: Int
    let optional: Bool
    let canSkipKyc: Bool
    let screen: Screen
    let camera: SelfieCamera
    let onCaptured: (Data) -> Void
    let onSkip: () -> Void
    let onSkipKyc: () -> Void
    let onRetry: () -> Void
    let onRestart: () -> Void

    @ObservedObject private var feedback: SelfieCamera.Live

    init(
        attemptsLeft: Int, optional: Bool, canSkipKyc: Bool, screen: Screen, camera: SelfieCamera,
        onCaptured: @escaping (Data) -> Void, onSkip: @escaping () -> Void,
        onSkipKyc: @escaping () -> Void, onRetry: @escaping () -> Void, onRestart: @escaping () -> Void
    ) {
        self.attemptsLeft = attemptsLeft
        self.optional = optional
        self.canSkipKyc = canSkipKyc
        self.screen = screen
        self.camera = camera
        self.onCaptured = onCaptured
        self.onSkip = onSkip
        self.onSkipKyc = onSkipKyc
        self.onRetry = onRetry
        self.onRestart = onRestart
        self.feedback = camera.live
    }

    var body: some View {
        Page(title: "selfie_title") {
            Text("selfie_body")
            Text(String(format: NSLocalizedString("attempts_left", comment: ""), attemptsLeft)).font(.footnote)
            if !camera.autoCapture {
                // Face detection did not load: nothing is captured automatically (else any sharp,
                // well-lit frame would be uploaded, face or not); the user takes the selfie. The
                // README says how to add ONNX Runtime.
                Text("selfie_prefilter_unavailable").font(.footnote)
                    .accessibilityIdentifier("selfie_detector_unavailable")
                if let reason = camera.detectorUnavailableReason {
                    Text(verbatim: String(format: NSLocalizedString("selfie_detector_reason", comment: ""), reason))
                        .font(.footnote)
                        .foregroundColor(.secondary)
                }
            }
            if !feedback.cameraPresent {
                Text("camera_unavailable")
            } else if feedback.cameraAllowed {
                ZStack {
                    CameraPreview(session: camera.session.session)
                    if feedback.interrupted {
                        // The system paused the camera (another app, a call); it resumes by itself.
                        Color.black.opacity(0.6)
                        Image(systemName: "pause.circle").font(.largeTitle).foregroundColor(.white)
                            .accessibilityHidden(true)
                    }
                    Ellipse()
                        .stroke(feedback.readiness >= 1 ? Color.green : Color.accentColor, lineWidth: 4)
                        .padding(40)
                }
                .aspectRatio(3 / 4, contentMode: .fit)
                .accessibilityElement()
                .accessibilityLabel(Text("camera_preview_selfie"))
                Text(screen.busy ? "selfie_uploading" : LocalizedStringKey(guidanceResourceName(feedback.guidance)))
                    .font(.headline)
                ProgressView(value: Double(min(max(feedback.readiness, 0), 1)))
                    .accessibilityLabel(Text(String(
                        format: NSLocalizedString("selfie_readiness", comment: ""),
                        Int(min(max(feedback.readiness, 0), 1) * 100)
                    )))
            } else {
                Text("camera_permission_needed")
                SecondaryButton(title: "camera_permission_grant") {
                    if let url = URL(string: UIApplication.openSettingsURLString) {
                        UIApplication.shared.open(url)
                    }
                }
            }
            if !camera.autoCapture && feedback.cameraAllowed && feedback.cameraPresent {
                PrimaryButton(
                    title: "selfie_take_photo",
                    enabled: feedback.manualReady && Decisions.mayCapture(busy: screen.busy, error: screen.error),
                    action: { camera.takeManual() }
                )
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
        .task { await camera.start(onCaptured: onCaptured) }
        .onDisappear { camera.stop() }
        .onChange(of: screen.error) { error in
            // Only a "retake" recovery captures again; a network error keeps the photo and shows
            // "Try again"; an attempt-consuming outcome stops and the banner explains.
            if let error, !screen.busy { camera.handle(error: error) }
        }
        .onReceive(NotificationCenter.default.publisher(for: UIDevice.orientationDidChangeNotification)) { _ in
            camera.session.updateOrientation(UIDevice.current.orientation)
        }
    }
}
