package com.smartenroll.sample.camera

import android.graphics.ImageFormat
import androidx.camera.core.ImageProxy
import com.smartenroll.sample.logic.PlaneBuffers
import com.smartenroll.sdk.CameraFrame
import com.smartenroll.sdk.FramePlane
import com.smartenroll.sdk.PixelFormat

/**
 * Turns a CameraX `YUV_420_888` [ImageProxy] into the SDK's frame record: the three planes with
 * their row and pixel strides exactly as the camera delivered them (no conversion on the Kotlin
 * side; the prefilter reads luma and a small RGB patch straight from them), copied into
 * [buffers]' arrays, which are reused from frame to frame, and the rotation that makes the image
 * upright. `mirrored` is false: ImageAnalysis frames are not mirror images, even from the front
 * camera (only the preview mirrors itself, which `CaptureConfig.previewMirrored` tells the SDK),
 * so the uploaded selfie is the true scene.
 *
 * The frame is valid until the next call with the same [buffers] (one synchronous
 * `processFrame`). Returns null for any other image format (ImageAnalysis is configured for
 * YUV_420_888).
 */
fun ImageProxy.toSdkFrame(buffers: PlaneBuffers): CameraFrame? {
    if (format != ImageFormat.YUV_420_888 || planes.size != 3) return null
    val sdkPlanes = planes.mapIndexed { index, plane ->
        FramePlane(
            data = buffers.copy(index, plane.buffer),
            rowStride = plane.rowStride,
            pixelStride = plane.pixelStride,
        )
    }
    return CameraFrame(
        format = PixelFormat.YUV420,
        width = width,
        height = height,
        planes = sdkPlanes,
        rotationDegrees = normalisedRotation(imageInfo.rotationDegrees),
        mirrored = false,
        timestampMs = imageInfo.timestamp / 1_000_000L,
    )
}

/** CameraX `rotationDegrees` (clockwise, to make the image upright) as 0, 90, 180 or 270. */
fun normalisedRotation(degrees: Int): Int = ((degrees % 360) + 360) % 360 / 90 * 90
