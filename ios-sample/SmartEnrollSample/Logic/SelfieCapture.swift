import Foundation
import SmartEnroll

/// The bundle resource name (and extension) of the blink step's eye-landmark model: the
/// repository's `models/face_landmark_192.onnx`, a resource of the app (project.yml).
public let landmarkModelResource = (name: "face_landmark_192", ext: "onnx")

/// The bundle resource name (and extension) of the face detector's model: the repository's
/// `models/face_detection_front_128x128_barracuda.onnx`, a resource of the app (project.yml).
/// The SDK library does not embed it (its size goal).
public let faceModelResource = (name: "face_detection_front_128x128_barracuda", ext: "onnx")

/// Hands the face detector's model (`modelBytes` gives the resource's bytes) to the SDK once for the
/// whole process: every `LivenessCapture` and the document face crop use it. Returns false when
/// there is no resource or the SDK refuses it: the selfie screen then runs in quality-only mode
/// and says so, and document fronts are uploaded without their face crop.
@discardableResult
public func installFaceModel(modelBytes: () -> Data?) -> Bool {
    guard let bytes = modelBytes() else { return false }
    do {
        try setFaceDetectorModel(model: bytes)
        return true
    } catch {
        return false
    }
}

/// Head turns of the prefilter's active challenge before the capture; 0 = no challenge, which is
/// what this sample runs (auto-capture only). Set 1-6 to run the challenge: it then includes the
/// blink step too, since `sampleCaptureConfig` already passes the landmark model.
public let sampleChallengeTurns: Int32 = 0

/// The sample's prefilter settings (the same as the Android sample's `sampleCaptureConfig`): the
/// SDK defaults (auto-capture after 5 good frames, JPEG ≤ 1080 px and ≤ 150 KB) and
/// `challengeTurns` head turns, plus one blink step whenever there is a challenge. The SDK library
/// does not embed the blink step's landmark model (2.4 MB, its size budget): the app ships it as a
/// resource and `landmarkModel` reads its bytes. It is read only
/// when the blink step is on (the sample's default runs none, so nothing is read); without it
/// (nil) the challenge runs with head turns only and `blinkError()` says why.
public func sampleCaptureConfig(
    challengeTurns: Int32 = sampleChallengeTurns,
    landmarkModel: () -> Data?
) -> CaptureConfig {
    let blink = challengeTurns > 0
    return CaptureConfig(
        challengeTurns: challengeTurns,
        challengeBlink: blink,
        landmarkModel: blink ? landmarkModel() : nil
    )
}

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
    /// False when ONNX Runtime could not be loaded: quality-only mode, and no auto-capture
    /// (`Decisions.autoCaptureEnabled`); the screen says why.
    public let detectorAvailable: Bool
    /// The captured selfie (JPEG, ready for upload) on the frame that captured it, once.
    public let capturedJpeg: Data?
}

/// The selfie screen's logic, apart from AVFoundation (the same as the Android sample's
/// `SelfieCapture`): each camera frame goes through the SDK prefilter; the result becomes what
/// the screen shows and speaks, and the capture is handed over exactly once, and only when the
/// face detector runs. `rearm()` starts a
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
        // No face detector (quality-only mode): never hand a capture over for upload.
        if feedback.captured && Decisions.autoCaptureEnabled(detectorAvailable: feedback.detectorAvailable) {
            jpeg = capture.result()?.jpeg
            done = jpeg != nil
        } else if feedback.captured {
            // Keep giving light and sharpness guidance; nothing is uploaded.
            capture.reset()
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

    /// The camera was interrupted (another app, a call, the app in the background): the good
    /// frames seen so far no longer count. A capture already handed over stays handed over.
    public func interrupted() {
        lock.lock()
        defer { lock.unlock() }
        if done { return }
        capture.reset()
        announcer.reset()
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
