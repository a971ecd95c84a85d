package com.smartenroll.sample.camera

import android.graphics.ImageFormat
import androidx.camera.core.ImageProxy
import com.smartenroll.sdk.CameraFrame
import com.smartenroll.sdk.FramePlane
import com.smartenroll.sdk.PixelFormat

/**
 * Turns a CameraX `YUV_420_888` [ImageProxy] into the SDK's frame record: the three planes with
 * their row and pixel strides exactly as the camera delivered them (no conversion on the Kotlin
 * side; the prefilter reads luma and a small RGB patch straight from them), the rotation that
 * makes the image upright, and the front-camera mirroring.
 *
 * Returns null for any other image format (ImageAnalysis is configured for YUV_420_888).
 */
fun ImageProxy.toSdkFrame(mirrored: Boolean): CameraFrame? {
    if (format != ImageFormat.YUV_420_888 || planes.size != 3) return null
    val sdkPlanes = planes.map { plane ->
        val buffer = plane.buffer.duplicate()
        buffer.rewind()
        val bytes = ByteArray(buffer.remaining())
        buffer.get(bytes)
        FramePlane(
            data = bytes,
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
        mirrored = mirrored,
        timestampMs = imageInfo.timestamp / 1_000_000L,
    )
}

/** CameraX `rotationDegrees` (clockwise, to make the image upright) as 0, 90, 180 or 270. */
fun normalisedRotation(degrees: Int): Int = ((degrees % 360) + 360) % 360 / 90 * 90
