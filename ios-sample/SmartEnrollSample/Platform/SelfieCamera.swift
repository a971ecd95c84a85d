import Combine
import Foundation
import SmartEnroll
import UIKit

/// Owns the prefilter capture object and the front camera for the selfie screen, and publishes
/// the live guidance. VoiceOver announcements go through the logic's `GuidanceAnnouncer`.
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
    private let announcer: GuidanceAnnouncer
    private var started = false

    init(capture: LivenessCapture, clock: SampleClock) {
        session = CameraSession(capture: capture)
        detectorAvailable = capture.detectorAvailable()
        announcer = GuidanceAnnouncer(clock: clock)
    }

    func start(onCaptured: @escaping (Data) -> Void) async {
        guard !started else { return }
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
            let key = guidanceKey(feedback.guidance)
            self.live.guidance = key
            self.live.readiness = feedback.readiness
            if let spoken = self.announcer.onFrame(key: key, captured: feedback.captured) {
                announce(NSLocalizedString(guidanceResourceName(spoken), comment: ""))
            }
        }
        session.onCaptured = { jpeg in onCaptured(jpeg) }
        session.start()
    }

    func rearm() {
        announcer.reset()
        session.rearm()
    }

    func stop() {
        session.stop()
        started = false
    }
}
