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
        landmarkModel: blink ? landmarkModel() : nil,
        // AVCaptureVideoPreviewLayer shows the front camera mirrored: "turn left" is the user's
        // own left, as they see it. (The frames themselves are not mirrored:
        // `CameraFrame.mirrored = false`, so the uploaded selfie is the true scene.)
        previewMirrored: true
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
    /// False when ONNX Runtime could not be loaded: quality-only mode, and no auto-capture;
    /// the screen says why.
    public let detectorAvailable: Bool

    /// The captured selfie (JPEG, ready for upload) on the frame that captured it, once.
    public let capturedJpeg: Data?
    /// Quality-only mode: a photo that passed the light and sharpness checks is ready, but
    /// nothing is uploaded until the user takes it (`SelfieCapture.takeManual`).
    public var manualReady: Bool = false
}

/// The selfie screen's logic, apart from AVFoundation (the same as the Android sample's
/// `SelfieCapture`): each camera frame (`mirrored = false` for AVFoundation video-data frames)
/// goes through the SDK prefilter; the result becomes what the screen shows and speaks, and the
/// capture is handed over exactly once. `rearm()` starts a new attempt, which the screen does
/// only when `Decisions.afterCaptureError` says to retake the photo.
///
/// Auto-capture needs the face detector: without it (`autoCapture` false,
/// `detectorUnavailableReason` says why) a sharp, well-lit frame of anything would be uploaded,
/// so the capture is held until the user checks the preview and takes it (`takeManual()`).
/// Thread-safe: frames arrive on the camera queue.
public final class SelfieCapture: @unchecked Sendable {
    private let capture: LivenessCapture
    private let announcer: GuidanceAnnouncer
    private let lock = NSLock()
    private var done = false
    private var pending: Data?

    /// Whether ONNX Runtime and the face model loaded.
    public let detectorAvailable: Bool
    /// Why the face detector is unavailable (no personal data), or nil when it loaded.
    public let detectorUnavailableReason: String?

    public init(capture: LivenessCapture, clock: SampleClock) {
        self.capture = capture
        self.announcer = GuidanceAnnouncer(clock: clock)
        let available = capture.detectorAvailable()
        detectorAvailable = available
        detectorUnavailableReason = available ? nil : (capture.detectorError() ?? "the face detector did not load")
    }

    /// Whether the selfie is taken and handed over automatically (only with the face detector).
    public var autoCapture: Bool { detectorAvailable }

    /// Analyses one frame; nil once the selfie was handed over (until `rearm()`).
    public func onFrame(_ frame: CameraFrame) throws -> SelfieFeedback? {
        lock.lock()
        defer { lock.unlock() }
        if done { return nil }
        let feedback = try capture.processFrame(frame: frame)
        let key = guidanceKey(feedback.guidance)
        var jpeg: Data?
        if feedback.captured {
            let captured = capture.result()?.jpeg
            if autoCapture {
                jpeg = captured
                done = jpeg != nil
            } else if let captured {
                // Held for the user; the next good streak replaces it with a fresher one.
                pending = captured
                capture.reset()
            }
        }
        return SelfieFeedback(
            guidanceKey: key,
            resourceName: guidanceResourceName(key),
            readiness: min(max(feedback.readiness, 0), 1),
            announce: announcer.onFrame(key: key, captured: jpeg != nil),
            detectorAvailable: feedback.detectorAvailable,
            capturedJpeg: jpeg,
            manualReady: pending != nil
        )
    }

    /// Quality-only mode: the user took the selfie. Returns the latest photo that passed the
    /// light and sharpness checks (and stops analysing until `rearm()`), or nil when none has yet.
    public func takeManual() -> Data? {
        lock.lock()
        defer { lock.unlock() }
        guard let jpeg = pending else { return nil }
        pending = nil
        done = true
        return jpeg
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

    /// A new attempt (the server refused the photo and attempts remain): analyse and capture again.
    public func rearm() {
        lock.lock()
        defer { lock.unlock() }
        capture.reset()
        announcer.reset()
        pending = nil
        done = false
    }
}
