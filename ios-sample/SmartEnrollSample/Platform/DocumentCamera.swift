import AVFoundation
import Combine
import Foundation
import SmartEnroll
import UIKit
import Vision

/// The SDK's `TextRecognizer` on Vision: the SDK hands over the captured page as JPEG, which
/// `VNRecognizeTextRequest` reads synchronously (the SDK calls it on the camera queue, never the
/// main thread). Failures become the SDK's typed error.
final class VisionTextRecognizer: TextRecognizer {
    func recognizeText(jpeg: Data) throws -> String {
        let request = VNRecognizeTextRequest()
        request.recognitionLevel = .accurate
        // MRZ lines are not words: no language correction.
        request.usesLanguageCorrection = false
        do {
            try VNImageRequestHandler(data: jpeg, options: [:]).perform([request])
        } catch {
            // The error's type only: its text may quote recognised content.
            throw TextRecognizerError.Failed(reason: "Vision: \(type(of: error))")
        }
        let lines = (request.results ?? []).compactMap { $0.topCandidates(1).first?.string }
        return lines.joined(separator: "\n")
    }
}

/// The back camera for the live document screen: an `AVCaptureSession` (1280×720, NV12) whose
/// video output feeds the SDK's `DocumentCapture` (outline, guidance, auto-capture; the MRZ
/// through Vision) and, on a barcode side, the `SideReader` (a shot every 0.7 s). The state is
/// published on the main queue; the decisions are `DocumentDecisions`'.
final class DocumentCamera: NSObject, AVCaptureVideoDataOutputSampleBufferDelegate {
    final class Live: ObservableObject {
        @Published var feedback: DocumentFeedback?
        @Published var captured: CapturedDocument?
        @Published var ocrFailed = false
        @Published var side: SideStatus?
        @Published var cameraPresent = true
    }

    let live = Live()
    let session = AVCaptureSession()
    private let queue = DispatchQueue(label: "smart-enroll.sample.document-camera")
    private let output = AVCaptureVideoDataOutput()
    private let capture: DocumentCapture
    private let sideReader: SideReader?
    private var orientation: UIDeviceOrientation = .portrait
    private var hasPage = false
    private var sideSettled = false
    private var lastShotMs: Int64 = 0

    init(readsBarcode: Bool) throws {
        capture = try DocumentCapture(config: DocumentCaptureConfig())
        capture.setTextRecognizer(recognizer: VisionTextRecognizer())
        sideReader = readsBarcode ? SideReader() : nil
        super.init()
    }

    /// Sets up the back camera once; false without one (the simulator).
    func configure() -> Bool {
        if !session.inputs.isEmpty { return true }
        session.beginConfiguration()
        defer { session.commitConfiguration() }
        session.sessionPreset = .hd1280x720
        guard let device = AVCaptureDevice.default(.builtInWideAngleCamera, for: .video, position: .back),
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
        orientation = UIDevice.current.orientation
        queue.async { [session] in session.startRunning() }
    }

    func stop() {
        queue.async { [session] in session.stopRunning() }
    }

    /// Starts over after a retake.
    func retake() {
        queue.async { [self] in
            capture.reset()
            sideReader?.reset()
            hasPage = false
            sideSettled = false
            DispatchQueue.main.async { [live] in
                live.captured = nil
                live.ocrFailed = false
                live.side = nil
            }
        }
    }

    /// The back camera's buffers arrive in the sensor's landscape orientation, unmirrored:
    /// the clockwise rotation that makes them upright.
    static func backCameraRotation(for orientation: UIDeviceOrientation) -> Int32 {
        switch orientation {
        case .landscapeLeft: return 0
        case .portraitUpsideDown: return 270
        case .landscapeRight: return 180
        default: return 90
        }
    }

    func captureOutput(_ output: AVCaptureOutput, didOutput sampleBuffer: CMSampleBuffer, from connection: AVCaptureConnection) {
        if hasPage && (sideReader == nil || sideSettled) { return }
        guard let pixelBuffer = CMSampleBufferGetImageBuffer(sampleBuffer) else { return }
        let ms = Int64(max(0, CMTimeGetSeconds(CMSampleBufferGetPresentationTimeStamp(sampleBuffer)) * 1000))
        guard var frame = FrameAdapter.frame(from: pixelBuffer, orientation: orientation, timestampMs: ms) else { return }
        frame.rotationDegrees = Self.backCameraRotation(for: orientation)
        frame.mirrored = false
        do {
            if !hasPage {
                let feedback = try capture.processFrame(frame: frame)
                var page: CapturedDocument?
                var ocrFailed = false
                if feedback.captured {
                    do {
                        page = try capture.result()
                    } catch SmartEnrollError.TextRecognitionFailed {
                        // Keep the page without its MRZ: the server reads the document too.
                        capture.setTextRecognizer(recognizer: nil)
                        page = try capture.result()
                        ocrFailed = true
                    }
                    hasPage = page != nil
                }
                DispatchQueue.main.async { [live] in
                    live.feedback = feedback
                    if let page {
                        live.captured = page
                        live.ocrFailed = ocrFailed
                    }
                }
            }
            if let sideReader, !sideSettled, ms - lastShotMs >= 700 {
                lastShotMs = ms
                let status = try sideReader.pushFrame(frame: frame)
                // GiveUp only offers "continue without": three identical reads later still count.
                if case .read = status { sideSettled = true }
                DispatchQueue.main.async { [live] in live.side = status }
            }
        } catch {
            // A frame the SDK refused (typed error): skip it and analyse the next one.
        }
    }
}
