import Foundation
import SmartEnroll

/// The SDK's on-device prefilter for the selfie screen. The face-detection model is compiled into
/// the SDK; ONNX Runtime is loaded at run time from the app's embedded `onnxruntime.framework`
/// (see the README). Without it the capture works in quality-only mode (light and sharpness)
/// and `detectorAvailable()` is false: the selfie screen says so.
func makeLivenessCapture() throws -> LivenessCapture {
    try LivenessCapture(config: CaptureConfig())
}
