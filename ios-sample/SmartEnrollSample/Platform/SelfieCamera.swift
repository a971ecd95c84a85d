import Combine
import Foundation
import SmartEnroll
import UIKit

/// Owns the prefilter capture object and the front camera for the selfie screen, and publishes
/// the live guidance. What to show, speak and upload is decided by the logic's `SelfieCapture`.
/// The app builds one, off the main thread (`AppModel.prepareSelfieCamera`), and reuses it for
/// every selfie screen and retake.
@MainActor
final class SelfieCamera {
    final class Live: ObservableObject {
        @Published var guidance = "face_not_found"
        @Published var readiness: Float = 0
        @Published var cameraAllowed = true
        /// False on devices without a front camera (the simulator has none).
        @Published var cameraPresent = true
        /// True while the system has interrupted the camera (another app, a call, Split View).
        @Published var interrupted = false
        /// Quality-only mode: a photo passed the light and sharpness checks; "Take selfie" sends it.
        @Published var manualReady = false
    }

    let live = Live()
    let session: CameraSession
    private let selfie: SelfieCapture
    private var started = false
    private var onCaptured: ((Data) -> Void)?

    /// Builds the camera around a capture made off the main thread (the SDK loads the models).
    init(selfie: SelfieCapture) {
        self.selfie = selfie
        session = CameraSession(selfie: selfie)
    }

    /// Auto-capture runs only with the face detector; without it the screen says why and the
    /// user takes the selfie ("Take selfie").
    var autoCapture: Bool { selfie.autoCapture }
    /// Why the face detector is unavailable, or nil.
    var detectorUnavailableReason: String? { selfie.detectorUnavailableReason }

    func start(onCaptured: @escaping (Data) -> Void) async {
        guard !started else { return }
        started = true
        self.onCaptured = onCaptured
        // This object outlives one selfie screen (e.g. a second enrollment): start fresh.
        session.rearm()
        guard await CameraSession.requestAccess() else {
            live.cameraAllowed = false
            started = false
            return
        }
        guard await session.configure() else {
            live.cameraPresent = false
            started = false
            return
        }
        session.onFeedback = { [weak self] feedback in
            guard let self else { return }
            self.live.guidance = feedback.guidanceKey
            self.live.readiness = feedback.readiness
            self.live.manualReady = feedback.manualReady
            if let spoken = feedback.announce {
                announce(NSLocalizedString(guidanceResourceName(spoken), comment: ""))
            }
            if let jpeg = feedback.capturedJpeg {
                onCaptured(jpeg)
            }
        }
        session.onInterrupted = { [weak self] interrupted in
            self?.live.interrupted = interrupted
        }
        session.start()
    }

    /// A new capture after a failed upload, only when the logic says the photo is to be retaken.
    func handle(error: UserError) {
        if Decisions.retakeSelfie(error) {
            live.manualReady = false
            session.rearm()
        }
    }

    /// Quality-only mode: the user checked the preview and takes the selfie.
    func takeManual() {
        guard let jpeg = selfie.takeManual() else { return }
        live.manualReady = false
        onCaptured?(jpeg)
    }

    func stop() {
        session.stop()
        started = false
    }
}
