import Combine
import Foundation
import SmartEnroll
import UIKit

/// Owns the prefilter capture object and the front camera for the selfie screen, and publishes
/// the live guidance. What to show, speak and upload is decided by the logic's `SelfieCapture`.
@MainActor
final class SelfieCamera {
    final class Live: ObservableObject {
        @Published var guidance = "face_not_found"
        @Published var readiness: Float = 0
        @Published var cameraAllowed = true
        /// False on devices without a front camera (the simulator has none).
        @Published var cameraPresent = true
    }

    let live = Live()
    let session: CameraSession
    let detectorAvailable: Bool
    private let selfie: SelfieCapture
    private var started = false

    init(capture: LivenessCapture, clock: SampleClock) {
        selfie = SelfieCapture(capture: capture, clock: clock)
        session = CameraSession(selfie: selfie)
        detectorAvailable = selfie.detectorAvailable
    }

    func start(onCaptured: @escaping (Data) -> Void) async {
        guard !started else { return }
        // This object outlives one selfie screen (e.g. a second enrollment): start fresh.
        session.rearm()
        guard await CameraSession.requestAccess() else {
            live.cameraAllowed = false
            return
        }
        guard session.configure() else {
            live.cameraPresent = false
            return
        }
        started = true
        session.onFeedback = { [weak self] feedback in
            guard let self else { return }
            self.live.guidance = feedback.guidanceKey
            self.live.readiness = feedback.readiness
            if let spoken = feedback.announce {
                announce(NSLocalizedString(guidanceResourceName(spoken), comment: ""))
            }
            if let jpeg = feedback.capturedJpeg {
                onCaptured(jpeg)
            }
        }
        session.start()
    }

    func rearm() {
        session.rearm()
    }

    func stop() {
        session.stop()
        started = false
    }
}
