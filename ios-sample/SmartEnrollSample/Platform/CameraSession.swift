import AVFoundation
import Foundation
import SmartEnroll
import UIKit

/// The front camera for the selfie: an `AVCaptureSession` whose video output delivers
/// `420YpCbCr8BiPlanarFullRange` buffers on a background queue. Each buffer goes through the SDK
/// prefilter (`LivenessCapture.processFrame`); the feedback and the captured JPEG are delivered
/// on the main queue.
final class CameraSession: NSObject, AVCaptureVideoDataOutputSampleBufferDelegate {
    let session = AVCaptureSession()
    private let queue = DispatchQueue(label: "smart-enroll.sample.camera")
    private let capture: LivenessCapture
    private let output = AVCaptureVideoDataOutput()
    private var captured = false
    private var orientation: UIDeviceOrientation = .portrait

    var onFeedback: ((FrameFeedback) -> Void)?
    var onCaptured: ((Data) -> Void)?

    init(capture: LivenessCapture) {
        self.capture = capture
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

    func configure() -> Bool {
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
        queue.async { [self] in
            capture.reset()
            captured = false
        }
    }

    /// Called on the main queue when the device turns (face-up/down keep the last orientation).
    func updateOrientation(_ newValue: UIDeviceOrientation) {
        guard newValue.isPortrait || newValue.isLandscape else { return }
        queue.async { [self] in orientation = newValue }
    }

    func captureOutput(_ output: AVCaptureOutput, didOutput sampleBuffer: CMSampleBuffer, from connection: AVCaptureConnection) {
        guard !captured, let pixelBuffer = CMSampleBufferGetImageBuffer(sampleBuffer) else { return }
        let time = CMSampleBufferGetPresentationTimeStamp(sampleBuffer)
        let ms = UInt64(max(0, CMTimeGetSeconds(time) * 1000))
        guard let frame = FrameAdapter.frame(from: pixelBuffer, orientation: orientation, timestampMs: ms) else { return }
        guard let feedback = try? capture.processFrame(frame: frame) else { return }
        DispatchQueue.main.async { [weak self] in self?.onFeedback?(feedback) }
        if feedback.captured, let result = capture.result() {
            captured = true
            DispatchQueue.main.async { [weak self] in self?.onCaptured?(result.jpeg) }
        }
    }
}
