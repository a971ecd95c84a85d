import AVFoundation
import Foundation
import SmartEnroll
import UIKit

/// The front camera for the selfie: an `AVCaptureSession` whose video output delivers
/// `420YpCbCr8BiPlanarFullRange` buffers. Set-up, start and stop run on one serial session queue
/// (never the main thread: `startRunning` blocks); frames arrive on their own serial queue. Each
/// buffer becomes the SDK's `CameraFrame` (`FrameAdapter`, no copy on our side) and goes through
/// the logic's `SelfieCapture`; the feedback is delivered on the main queue. Interruptions
/// (another app takes the camera, a call, Split View) pause the analysis and are reported.
final class CameraSession: NSObject, AVCaptureVideoDataOutputSampleBufferDelegate, @unchecked Sendable {
    let session = AVCaptureSession()
    /// Set-up, start, stop (Apple: never call startRunning on the main thread).
    private let sessionQueue = DispatchQueue(label: "smart-enroll.sample.camera.session")
    /// Sample buffers and the prefilter.
    private let frameQueue = DispatchQueue(label: "smart-enroll.sample.camera.frames", qos: .userInitiated)
    private let selfie: SelfieCapture
    private let output = AVCaptureVideoDataOutput()
    /// Read and written on `frameQueue` only.
    private var orientation: UIDeviceOrientation = .portrait
    private var configured: Bool?
    private var observers: [NSObjectProtocol] = []

    /// Called on the main queue for each analysed frame.
    var onFeedback: ((SelfieFeedback) -> Void)?
    /// Called on the main queue: true while the session is interrupted.
    var onInterrupted: ((Bool) -> Void)?

    init(selfie: SelfieCapture) {
        self.selfie = selfie
        super.init()
        let center = NotificationCenter.default
        observers.append(center.addObserver(forName: .AVCaptureSessionWasInterrupted, object: session, queue: .main) { [weak self] _ in
            self?.frameQueue.async { self?.selfie.interrupted() }
            self?.onInterrupted?(true)
        })
        observers.append(center.addObserver(forName: .AVCaptureSessionInterruptionEnded, object: session, queue: .main) { [weak self] _ in
            self?.onInterrupted?(false)
        })
        observers.append(center.addObserver(forName: .AVCaptureSessionRuntimeError, object: session, queue: .main) { [weak self] note in
            // Media services were reset: the session must be started again.
            let error = note.userInfo?[AVCaptureSessionErrorKey] as? AVError
            if error?.code == .mediaServicesWereReset {
                self?.restartIfRunningWanted()
            }
        })
    }

    deinit {
        for observer in observers { NotificationCenter.default.removeObserver(observer) }
    }

    /// Asks for camera access if needed; returns whether the camera can be used.
    static func requestAccess() async -> Bool {
        switch AVCaptureDevice.authorizationStatus(for: .video) {
        case .authorized: return true
        case .notDetermined: return await AVCaptureDevice.requestAccess(for: .video)
        default: return false
        }
    }

    /// Sets up the front camera once, on the session queue; later calls (the screen shown again)
    /// reuse it. Returns false when there is no front camera (the simulator has none).
    func configure() async -> Bool {
        // A detached task waits for the session queue, never the main thread.
        await Task.detached(priority: .userInitiated) { [self] in
            sessionQueue.sync { configureOnQueue() }
        }.value
    }

    private func configureOnQueue() -> Bool {
        if let configured { return configured }
        session.beginConfiguration()
        defer { session.commitConfiguration() }
        session.sessionPreset = .vga640x480
        guard let device = AVCaptureDevice.default(.builtInWideAngleCamera, for: .video, position: .front),
              let input = try? AVCaptureDeviceInput(device: device),
              session.canAddInput(input) else {
            configured = false
            return false
        }
        session.addInput(input)
        output.videoSettings = [
            kCVPixelBufferPixelFormatTypeKey as String: kCVPixelFormatType_420YpCbCr8BiPlanarFullRange,
        ]
        output.alwaysDiscardsLateVideoFrames = true
        output.setSampleBufferDelegate(self, queue: frameQueue)
        guard session.canAddOutput(output) else {
            configured = false
            return false
        }
        session.addOutput(output)
        configured = true
        return true
    }

    private var runningWanted = false

    func start() {
        UIDevice.current.beginGeneratingDeviceOrientationNotifications()
        updateOrientation(UIDevice.current.orientation)
        sessionQueue.async { [self] in
            runningWanted = true
            if configured == true && !session.isRunning { session.startRunning() }
        }
    }

    func stop() {
        sessionQueue.async { [self] in
            runningWanted = false
            if session.isRunning { session.stopRunning() }
        }
        UIDevice.current.endGeneratingDeviceOrientationNotifications()
    }

    private func restartIfRunningWanted() {
        sessionQueue.async { [self] in
            if runningWanted && configured == true && !session.isRunning { session.startRunning() }
        }
    }

    /// Analyse again after a failed upload whose recovery is a new photo (a new attempt).
    func rearm() {
        frameQueue.async { [selfie] in selfie.rearm() }
    }

    /// Called on the main queue when the device turns (face-up/down keep the last orientation).
    func updateOrientation(_ newValue: UIDeviceOrientation) {
        guard newValue.isPortrait || newValue.isLandscape else { return }
        frameQueue.async { [self] in orientation = newValue }
    }

    func captureOutput(_ output: AVCaptureOutput, didOutput sampleBuffer: CMSampleBuffer, from connection: AVCaptureConnection) {
        guard let pixelBuffer = CMSampleBufferGetImageBuffer(sampleBuffer) else { return }
        let time = CMSampleBufferGetPresentationTimeStamp(sampleBuffer)
        let ms = Int64(max(0, CMTimeGetSeconds(time) * 1000))
        // The planes are handed to the SDK straight from the locked pixel buffer (the FFI call
        // copies them once); a frame the SDK rejects (typed InvalidInput) is skipped; nil means
        // already captured.
        let feedback: SelfieFeedback?? = FrameAdapter.withFrame(from: pixelBuffer, orientation: orientation, timestampMs: ms) { frame in
            try? selfie.onFrame(frame)
        }
        guard let result = feedback, let shown = result else { return }
        DispatchQueue.main.async { [weak self] in self?.onFeedback?(shown) }
    }
}
