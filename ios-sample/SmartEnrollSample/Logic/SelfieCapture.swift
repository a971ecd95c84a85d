import Foundation
import SmartEnroll

/// What the selfie screen shows for one analysed camera frame.
public struct SelfieFeedback {
    /// The prefilter's guidance key, e.g. `face_too_small`.
    public let guidanceKey: String
    /// The Localizable.strings key to show for it (`guidance_<key>`, or the fallback).
    public let resourceName: String
    /// 0...1: how close the prefilter is to capturing.
    public let readiness: Float
    /// The guidance key to speak through VoiceOver now, if any.
    public let announce: String?
    /// False when ONNX Runtime could not be loaded: quality-only mode.
    public let detectorAvailable: Bool
    /// The captured selfie (JPEG, ready for upload) on the frame that captured it, once.
    public let capturedJpeg: Data?
}

/// The selfie screen's logic, apart from AVFoundation (the same as the Android sample's
/// `SelfieCapture`): each camera frame goes through the SDK prefilter; the result becomes what
/// the screen shows and speaks, and the capture is handed over exactly once. `rearm()` starts a
/// new attempt after a failed upload. Thread-safe: frames arrive on the camera queue.
public final class SelfieCapture: @unchecked Sendable {
    private let capture: LivenessCapture
    private let announcer: GuidanceAnnouncer
    private let lock = NSLock()
    private var done = false

    public init(capture: LivenessCapture, clock: SampleClock) {
        self.capture = capture
        self.announcer = GuidanceAnnouncer(clock: clock)
    }

    public var detectorAvailable: Bool { capture.detectorAvailable() }

    /// Analyses one frame; nil once the selfie was captured (until `rearm()`).
    public func onFrame(_ frame: CameraFrame) throws -> SelfieFeedback? {
        lock.lock()
        defer { lock.unlock() }
        if done { return nil }
        let feedback = try capture.processFrame(frame: frame)
        let key = guidanceKey(feedback.guidance)
        var jpeg: Data?
        if feedback.captured {
            jpeg = capture.result()?.jpeg
            done = jpeg != nil
        }
        return SelfieFeedback(
            guidanceKey: key,
            resourceName: guidanceResourceName(key),
            readiness: min(max(feedback.readiness, 0), 1),
            announce: announcer.onFrame(key: key, captured: jpeg != nil),
            detectorAvailable: feedback.detectorAvailable,
            capturedJpeg: jpeg
        )
    }

    /// A new attempt (e.g. the server's liveness check failed).
    public func rearm() {
        lock.lock()
        defer { lock.unlock() }
        capture.reset()
        announcer.reset()
        done = false
    }
}
