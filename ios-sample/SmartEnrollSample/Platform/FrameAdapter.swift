import CoreVideo
import Foundation
import SmartEnroll
import UIKit

/// Builds the SDK's frame record from an AVFoundation pixel buffer in
/// `kCVPixelFormatType_420YpCbCr8BiPlanarFullRange` (NV12): the Y plane and the interleaved CbCr
/// plane with their bytes-per-row, plus the rotation that turns the sensor image upright for the
/// current device orientation. `AVCaptureVideoDataOutput` buffers are never mirrored (only the
/// preview layer mirrors itself), so `mirrored` is false: the SDK uploads the true scene, and
/// `CaptureConfig.previewMirrored` (the preview the user sees) decides only left/right words.
enum FrameAdapter {
    /// Runs `body` with the frame while the pixel buffer is locked. The planes are wrapped, not
    /// copied (`Data(bytesNoCopy:)`): the SDK call inside `body` copies them once across the FFI,
    /// so no per-frame arrays are allocated here. nil for any other pixel format.
    static func withFrame<T>(
        from pixelBuffer: CVPixelBuffer,
        orientation: UIDeviceOrientation,
        timestampMs: Int64,
        _ body: (CameraFrame) -> T
    ) -> T? {
        guard CVPixelBufferGetPixelFormatType(pixelBuffer) == kCVPixelFormatType_420YpCbCr8BiPlanarFullRange,
              CVPixelBufferGetPlaneCount(pixelBuffer) == 2 else {
            return nil
        }
        guard CVPixelBufferLockBaseAddress(pixelBuffer, .readOnly) == kCVReturnSuccess else { return nil }
        defer { CVPixelBufferUnlockBaseAddress(pixelBuffer, .readOnly) }

        guard let yBase = CVPixelBufferGetBaseAddressOfPlane(pixelBuffer, 0),
              let uvBase = CVPixelBufferGetBaseAddressOfPlane(pixelBuffer, 1) else { return nil }
        let yRow = CVPixelBufferGetBytesPerRowOfPlane(pixelBuffer, 0)
        let uvRow = CVPixelBufferGetBytesPerRowOfPlane(pixelBuffer, 1)
        // Valid only until the unlock above: `body` must not keep the frame.
        let yPlane = Data(bytesNoCopy: yBase, count: yRow * CVPixelBufferGetHeightOfPlane(pixelBuffer, 0), deallocator: .none)
        let uvPlane = Data(bytesNoCopy: uvBase, count: uvRow * CVPixelBufferGetHeightOfPlane(pixelBuffer, 1), deallocator: .none)
        let frame = CameraFrame(
            format: .nv12,
            width: Int32(CVPixelBufferGetWidth(pixelBuffer)),
            height: Int32(CVPixelBufferGetHeight(pixelBuffer)),
            planes: [
                FramePlane(data: yPlane, rowStride: Int32(yRow), pixelStride: 1),
                FramePlane(data: uvPlane, rowStride: Int32(uvRow), pixelStride: 2),
            ],
            rotationDegrees: frontCameraRotation(for: orientation),
            mirrored: bufferMirrored,
            timestampMs: timestampMs
        )
        return body(frame)
    }

    /// `AVCaptureVideoDataOutput` delivers the front camera's frames as the sensor sees the
    /// scene, not mirrored (the connection's `isVideoMirrored` is left off).
    static let bufferMirrored = false

    /// The front camera's buffers arrive in the sensor's landscape orientation: the clockwise
    /// rotation that makes them upright for each device orientation.
    static func frontCameraRotation(for orientation: UIDeviceOrientation) -> Int32 {
        switch orientation {
        case .landscapeLeft: return 180
        case .portraitUpsideDown: return 270
        case .landscapeRight: return 0
        default: return 90
        }
    }
}
