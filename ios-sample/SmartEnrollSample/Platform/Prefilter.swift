import Foundation
import SmartEnroll

/// The SDK's on-device prefilter for the selfie screen. The face-detection model ships as the app
/// resource `face_detection_front_128x128_barracuda.onnx` (the SDK library does not embed it; see
/// `installFaceModelResource`); ONNX Runtime is linked into the app (the onnxruntime Swift
/// package, static) and the SDK finds its entry point `OrtGetApiBase` in the app's executable
/// (README: "Face detection"). Without it the capture works in quality-only mode (light and
/// sharpness), `detectorAvailable()` is false, nothing is captured automatically and the selfie
/// screen says why.
///
/// Called off the main thread (`AppModel.prepareSelfieCamera`): it loads the models and ONNX
/// Runtime.
///
/// The sample runs no active challenge (`sampleChallengeTurns` = 0). The blink step's
/// eye-landmark model ships as the app resource `face_landmark_192.onnx` (project.yml; the SDK
/// library does not embed it) and is passed as `CaptureConfig.landmarkModel`, so turning the
/// challenge on (one constant) also brings the blink step. Its bytes are read only then.
func makeLivenessCapture() throws -> LivenessCapture {
    try LivenessCapture(config: sampleCaptureConfig(landmarkModel: readLandmarkModel))
}

/// Hands the face detector's model resource to the SDK once for the process (`AppModel` does,
/// before creating the client): the selfie's detector and the document face crop use it. False
/// when the resource is missing: quality-only selfie capture, fronts without their face crop.
@discardableResult
func installFaceModelResource() -> Bool {
    installFaceModel {
        guard let url = Bundle.main.url(
            forResource: faceModelResource.name, withExtension: faceModelResource.ext
        ) else { return nil }
        return try? Data(contentsOf: url, options: .mappedIfSafe)
    }
}

/// The landmark model resource's bytes, or nil (then the challenge runs without the blink step).
private func readLandmarkModel() -> Data? {
    guard let url = Bundle.main.url(
        forResource: landmarkModelResource.name, withExtension: landmarkModelResource.ext
    ) else { return nil }
    return try? Data(contentsOf: url, options: .mappedIfSafe)
}
