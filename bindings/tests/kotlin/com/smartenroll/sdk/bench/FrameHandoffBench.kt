package com.smartenroll.sdk.bench

import com.smartenroll.sdk.CameraFrame
import com.smartenroll.sdk.CaptureConfig
import com.smartenroll.sdk.FramePlane
import com.smartenroll.sdk.LivenessCapture
import com.smartenroll.sdk.PixelFormat
import com.smartenroll.sdk.setFaceDetectorModel
import com.smartenroll.sdk.testHooksMarshalFrame
import com.smartenroll.sdk.testHooksNativeFrameLoop
import java.io.File
import kotlin.random.Random

/**
 * Per-frame cost of handing a camera frame to the prefilter from Kotlin (JNA marshalling, the
 * plane copied into Rust, the feedback record lifted back) as a ratio against the same frames
 * processed in a loop inside Rust, measured in the same run. Run by bindings/tools/bench-ffi.sh
 * (release library with `test-hooks`); compiled, not run, by the CI check.
 */
fun main(args: Array<String>) {
    val width = 640
    val height = 480
    val rounds = args.getOrNull(0)?.toInt() ?: 7
    val perRound = args.getOrNull(1)?.toInt() ?: 60
    // A 640x480 NV21 frame without a face (noise around mid-grey): the detector runs on every
    // frame and the feedback is always the same kind, so every frame costs the same.
    val rnd = Random(42)
    val nv21 = ByteArray(width * height * 3 / 2) { (112 + rnd.nextInt(32)).toByte() }
    val frame = CameraFrame(
        format = PixelFormat.NV21, width = width, height = height,
        planes = listOf(FramePlane(nv21, width, 1)), rotationDegrees = 270, mirrored = true,
    )
    // The face detector's model, as an app hands over its asset (the library does not embed it).
    setFaceDetectorModel(File("models/face_detection_front_128x128_barracuda.onnx").readBytes())
    LivenessCapture(CaptureConfig()).use { capture ->
        println("detector available: ${capture.detectorAvailable()}")
        // Warm-up: JIT, caches, ONNX Runtime session.
        repeat(30) { capture.processFrame(frame) }
        testHooksNativeFrameLoop(capture, frame, 30u)
        repeat(30) { testHooksMarshalFrame(frame) }
        val viaFfi = mutableListOf<Double>()
        val native = mutableListOf<Double>()
        val marshal = mutableListOf<Double>()
        repeat(rounds) {
            val t0 = System.nanoTime()
            repeat(perRound) { capture.processFrame(frame) }
            viaFfi += (System.nanoTime() - t0).toDouble() / perRound
            native += testHooksNativeFrameLoop(capture, frame, perRound.toUInt()).toDouble() / perRound
            val t1 = System.nanoTime()
            repeat(perRound) { testHooksMarshalFrame(frame) }
            marshal += (System.nanoTime() - t1).toDouble() / perRound
        }
        val f = viaFfi.sorted()[rounds / 2]
        val n = native.sorted()[rounds / 2]
        val m = marshal.sorted()[rounds / 2]
        println("frame ${width}x$height NV21, $rounds rounds x $perRound frames, medians:")
        println("  Rust loop (baseline):   %.3f ms/frame".format(n / 1e6))
        println("  Kotlin -> JNA -> Rust:  %.3f ms/frame".format(f / 1e6))
        println("  ratio FFI / baseline:   %.3f (overhead %.3f ms/frame)".format(f / n, (f - n) / 1e6))
        println("  of which marshalling a frame alone: %.3f ms (ratio to baseline %.3f)".format(m / 1e6, m / n))
    }
}
