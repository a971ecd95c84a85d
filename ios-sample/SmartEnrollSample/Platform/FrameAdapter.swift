import CoreVideo
import Foundation
import SmartEnroll
import UIKit

/// Builds the SDK's frame record from an AVFoundation pixel buffer in
/// `kCVPixelFormatType_420YpCbCr8BiPlanarFullRange` (NV12): the Y plane and the interleaved CbCr
/// plane with their bytes-per-row, copied once (the FFI needs owned bytes), plus the rotation
/// that turns the sensor image upright for the current device orientation and the front-camera
/// mirroring. Returns nil for any other pixel format.
enum FrameAdapter {
    static func frame(from pixelBuffer: CVPixelBuffer, orientation: UIDeviceOrientation, timestampMs: Int64) -> CameraFrame? {
        guard CVPixelBufferGetPixelFormatType(pixelBuffer) == kCVPixelFormatType_420YpCbCr8BiPlanarFullRange,
              CVPixelBufferGetPlaneCount(pixelBuffer) == 2 else {
            return nil
        }
        CVPixelBufferLockBaseAddress(pixelBuffer, .readOnly)
        defer { CVPixelBufferUnlockBaseAddress(pixelBuffer, .readOnly) }

        var planes: [FramePlane] = []
        for index in 0..<2 {
            guard let base = CVPixelBufferGetBaseAddressOfPlane(pixelBuffer, index) else { return nil }
            let bytesPerRow = CVPixelBufferGetBytesPerRowOfPlane(pixelBuffer, index)
            let rows = CVPixelBufferGetHeightOfPlane(pixelBuffer, index)
            let data = Data(bytes: base, count: bytesPerRow * rows)
            planes.append(FramePlane(data: data, rowStride: Int32(bytesPerRow), pixelStride: index == 0 ? 1 : 2))
        }
        let (rotation, mirrored) = frontCameraTransform(for: orientation)
        return CameraFrame(
            format: .nv12,
            width: Int32(CVPixelBufferGetWidth(pixelBuffer)),
            height: Int32(CVPixelBufferGetHeight(pixelBuffer)),
            planes: planes,
            rotationDegrees: rotation,
            mirrored: mirrored,
            timestampMs: timestampMs
        )
    }

    /// The front camera's buffers arrive in the sensor's landscape orientation and unmirrored.
    /// Clockwise rotation to make them upright, then a left-right mirror for the selfie view
    /// (the same transforms as EXIF `leftMirrored`, `downMirrored`, `rightMirrored`, `upMirrored`).
    static func frontCameraTransform(for orientation: UIDeviceOrientation) -> (Int32, Bool) {
        switch orientation {
        case .landscapeLeft: return (180, true)
        case .portraitUpsideDown: return (270, true)
        case .landscapeRight: return (0, true)
        default: return (90, true)
        }
    }
}
