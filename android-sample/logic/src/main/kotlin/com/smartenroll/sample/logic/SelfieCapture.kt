package com.smartenroll.sample.logic

import com.smartenroll.sdk.CameraFrame
import com.smartenroll.sdk.CaptureConfig
import com.smartenroll.sdk.GuidanceCode
import com.smartenroll.sdk.LivenessCapture
import com.smartenroll.sdk.SmartEnrollException
import com.smartenroll.sdk.setFaceDetectorModel
import java.nio.ByteBuffer

/** The asset name of the blink step's eye-landmark model (the repository's
 *  `models/face_landmark_192.onnx`; app/build.gradle.kts copies it into the APK's assets). */
const val LANDMARK_MODEL_ASSET = "face_landmark_192.onnx"

/** The asset name of the face detector's model (the repository's
 *  `models/face_detection_front_128x128_barracuda.onnx`; app/build.gradle.kts copies it into the
 *  APK's assets). The SDK library does not embed it (its size goal). */
const val FACE_MODEL_ASSET = "face_detection_front_128x128_barracuda.onnx"

/**
 * Hands the face detector's model ([read] gives the asset's bytes) to the SDK once for the whole
 * process: every `LivenessCapture` and the document face crop use it. Returns false when there is
 * no asset or the SDK refuses it: the selfie screen then runs in quality-only mode and says so,
 * and document fronts are uploaded without their face crop.
 */
fun installFaceModel(read: () -> ByteArray?): Boolean {
    val bytes = read() ?: return false
    return try {
        setFaceDetectorModel(bytes)
        true
    } catch (e: SmartEnrollException) {
        false
    }
}

/**
 * Head turns of the prefilter's active challenge before the capture; 0 = no challenge, which is
 * what this sample runs (auto-capture only). Set 1-6 to run the challenge: it then includes the
 * blink step too, since [sampleCaptureConfig] already passes the landmark model.
 */
const val SAMPLE_CHALLENGE_TURNS: Int = 0

/**
 * The sample's prefilter settings: the SDK defaults (auto-capture after 5 good frames, JPEG
 * ≤ 1080 px and ≤ 150 KB) and [challengeTurns] head turns, plus one blink step whenever there is
 * a challenge. The SDK library does not embed the blink step's landmark model (2.4 MB, its size
 * budget): the app ships it as an asset and [landmarkModel] reads its bytes.
 * It is read only when the blink step is on (the sample's default runs none, so nothing is read);
 * without it (null) the challenge runs with head turns only and `blinkError()` says why.
 */
fun sampleCaptureConfig(
    challengeTurns: Int = SAMPLE_CHALLENGE_TURNS,
    landmarkModel: () -> ByteArray?,
): CaptureConfig {
    val blink = challengeTurns > 0
    return CaptureConfig(
        // CameraX's PreviewView shows the front camera mirrored: "turn left" is the user's own
        // left, as they see it. (The analysis frames themselves are unmirrored:
        // `CameraFrame.mirrored = false`, so the uploaded selfie is the true scene.)
        previewMirrored = true,
        challengeTurns = challengeTurns,
        challengeBlink = blink,
        landmarkModel = if (blink) landmarkModel() else null,
    )
}

/** The prefilter's guidance code as its stable snake_case key (`FACE_NOT_FOUND` → `face_not_found`). */
fun guidanceKey(code: GuidanceCode): String = code.name.lowercase()

/** What the selfie screen shows for one analysed camera frame. */
data class SelfieFeedback(
    /** The prefilter's guidance key, e.g. `face_too_small`. */
    val guidanceKey: String,
    /** The string resource to show for it (`guidance_<key>`, or the fallback). */
    val resourceName: String,
    /** 0..1: how close the prefilter is to capturing. */
    val readiness: Float,
    /** The guidance key to speak through TalkBack / VoiceOver now, if any. */
    val announce: String?,
    /** False when ONNX Runtime could not be loaded: quality-only mode (light, sharpness). */
    val detectorAvailable: Boolean,
    /** The captured selfie (JPEG, ready for upload) on the frame that captured it, once. */
    val capturedJpeg: ByteArray?,
    /**
     * Quality-only mode (no face detector): a photo that passed the light and sharpness checks
     * is ready, but nothing is uploaded until the user takes it ([SelfieCapture.takeManual]).
     */
    val manualReady: Boolean = false,
)

/**
 * The selfie screen's logic, apart from the camera framework: every camera frame (already in the
 * SDK's `CameraFrame` form, with planes, strides, rotation and `mirrored = false` for CameraX
 * analysis frames) goes through the SDK prefilter; the result becomes what the screen shows and
 * speaks, and the capture is handed over exactly once. [rearm] starts a new attempt, which the
 * screen does only when [Decisions.afterCaptureError] says to retake the photo.
 *
 * Auto-capture needs the face detector: without it ([autoCapture] false, [detectorUnavailableReason]
 * says why) a sharp, well-lit frame of anything would be uploaded, so the capture is held until
 * the user checks the preview and takes it ([takeManual]).
 *
 * `onFrame` runs on the camera's analysis thread and `rearm` on the UI thread: both synchronise.
 */
class SelfieCapture(private val capture: LivenessCapture, clock: Clock) : AutoCloseable {
    private val announcer = GuidanceAnnouncer(clock)
    private var done = false
    private var closed = false
    private var pending: ByteArray? = null

    val detectorAvailable: Boolean = capture.detectorAvailable()

    /** Whether the selfie is taken and handed over automatically (only with the face detector). */
    val autoCapture: Boolean get() = detectorAvailable

    /** Why the face detector is unavailable (no personal data), or null when it loaded. */
    val detectorUnavailableReason: String? =
        if (detectorAvailable) null else (capture.detectorError() ?: "the face detector did not load")

    /**
     * Analyses one frame; returns null once the selfie was captured (until [rearm]). A frame the
     * SDK rejects (a typed `SmartEnrollException.InvalidInput`) is thrown to the caller.
     */
    @Synchronized
    fun onFrame(frame: CameraFrame): SelfieFeedback? {
        if (done || closed) return null
        val feedback = capture.processFrame(frame)
        val key = guidanceKey(feedback.guidance)
        var jpeg: ByteArray? = null
        if (feedback.captured) {
            val captured = capture.result()?.jpeg
            if (autoCapture) {
                jpeg = captured
                done = jpeg != null
            } else if (captured != null) {
                // Held for the user; the next good streak replaces it with a fresher one.
                pending = captured
                capture.reset()
            }
        }
        return SelfieFeedback(
            guidanceKey = key,
            resourceName = Guidance.resourceName(key),
            readiness = feedback.readiness.coerceIn(0f, 1f),
            announce = announcer.onFrame(key, captured = jpeg != null),
            detectorAvailable = feedback.detectorAvailable,
            capturedJpeg = jpeg,
            manualReady = pending != null,
        )
    }

    /**
     * Quality-only mode: the user took the selfie. Returns the latest photo that passed the
     * light and sharpness checks (and stops analysing until [rearm]), or null when none has yet.
     */
    @Synchronized
    fun takeManual(): ByteArray? {
        val jpeg = pending ?: return null
        pending = null
        done = true
        return jpeg
    }

    /** A new attempt (the server refused the photo and attempts remain): analyse and capture again. */
    @Synchronized
    fun rearm() {
        if (closed) return
        capture.reset()
        announcer.reset()
        pending = null
        done = false
    }

    /** Whether the selfie was handed over (auto or [takeManual]) and analysis waits for [rearm]. */
    val isDone: Boolean
        @Synchronized get() = done

    /** Releases the SDK's capture; waits for a frame being analysed on the camera thread. */
    @Synchronized
    override fun close() {
        if (closed) return
        closed = true
        capture.close()
    }
}

/**
 * The camera planes' bytes, copied into arrays reused from frame to frame (one per plane,
 * replaced only when a plane's size changes): no new arrays per frame. The frame built from them
 * is valid until the next [copy] of the same plane, i.e. for one synchronous `processFrame`.
 */
class PlaneBuffers(planes: Int = 3) {
    private val arrays = arrayOfNulls<ByteArray>(planes)

    /** The bytes of [buffer] (from its start to its limit) in the reused array of [plane]. */
    fun copy(plane: Int, buffer: ByteBuffer): ByteArray {
        val view = buffer.duplicate()
        view.rewind()
        val size = view.remaining()
        val array = arrays[plane]?.takeIf { it.size == size } ?: ByteArray(size).also { arrays[plane] = it }
        view.get(array)
        return array
    }
}
