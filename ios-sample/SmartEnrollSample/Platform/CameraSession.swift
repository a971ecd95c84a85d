import AVFoundation
import Foundation
import SmartEnroll
import UIKit

/// The front camera for the selfie: an `AVCaptureSession` whose video output delivers
/// `420YpCbCr8BiPlanarFullRange` buffers on a background queue. Each buffer becomes the SDK's
/// `CameraFrame` and goes through the logic's `SelfieCapture` (prefilter, guidance,
/// announcements, capture); the feedback is delivered on the main queue.
final class CameraSession: NSObject, AVCaptureVideoDataOutputSampleBufferDelegate {
    let session = AVCaptureSession()
    private let queue = DispatchQueue(label: "smart-enroll.sample.camera")
    private let selfie: SelfieCapture
    private let output = AVCaptureVideoDataOutput()
    private var orientation: UIDeviceOrientation = .portrait

    var onFeedback: ((SelfieFeedback) -> Void)?

    init(selfie: SelfieCapture) {
        self.selfie = selfie
        super.init()
    }

    /// Asks for camera access if needed; returns whether the camera can be used.
    static func requestAccess() async -> Bool {
        switch AVCaptureDevice.authorizationStatus(for: .video) {
        case .authorized: return true
        case .notDetermined: return await AVCaptureDevice.requestAccess(for: .video)
        default: return false
        }
    }

    /// Sets up the front camera once; later calls (the screen shown again) reuse it.
    func configure() -> Bool {
        if !session.inputs.isEmpty { return true }
        session.beginConfiguration()
        defer { session.commitConfiguration() }
        session.sessionPreset = .vga640x480
        guard let device = AVCaptureDevice.default(.builtInWideAngleCamera, for: .video, position: .front),
              let input = try? AVCaptureDeviceInput(device: device),
              session.canAddInput(input) else {
            return false
        }
        session.addInput(input)
        output.videoSettings = [
            kCVPixelBufferPixelFormatTypeKey as String: kCVPixelFormatType_420YpCbCr8BiPlanarFullRange,
        ]
        output.alwaysDiscardsLateVideoFrames = true
        output.setSampleBufferDelegate(self, queue: queue)
        guard session.canAddOutput(output) else { return false }
        session.addOutput(output)
        return true
    }

    func start() {
        UIDevice.current.beginGeneratingDeviceOrientationNotifications()
        orientation = UIDevice.current.orientation
        queue.async { [session] in session.startRunning() }
    }

    func stop() {
        queue.async { [session] in session.stopRunning() }
        UIDevice.current.endGeneratingDeviceOrientationNotifications()
    }

    /// Analyse again after a failed upload (a new attempt).
    func rearm() {
        queue.async { [selfie] in selfie.rearm() }
    }

    /// Called on the main queue when the device turns (face-up/down keep the last orientation).
    func updateOrientation(_ newValue: UIDeviceOrientation) {
        guard newValue.isPortrait || newValue.isLandscape else { return }
        queue.async { [self] in orientation = newValue }
    }

    func captureOutput(_ output: AVCaptureOutput, didOutput sampleBuffer: CMSampleBuffer, from connection: AVCaptureConnection) {
        guard let pixelBuffer = CMSampleBufferGetImageBuffer(sampleBuffer) else { return }
        let time = CMSampleBufferGetPresentationTimeStamp(sampleBuffer)
        let ms = Int64(max(0, CMTimeGetSeconds(time) * 1000))
        guard let frame = FrameAdapter.frame(from: pixelBuffer, orientation: orientation, timestampMs: ms) else { return }
        // A frame the SDK rejects (typed InvalidInput) is skipped; nil means already captured.
        guard let feedback = try? selfie.onFrame(frame) else { return }
        DispatchQueue.main.async { [weak self] in self?.onFeedback?(feedback) }
    }
}
