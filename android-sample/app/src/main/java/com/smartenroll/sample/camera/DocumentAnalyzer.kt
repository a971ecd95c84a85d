package com.smartenroll.sample.camera

import android.graphics.BitmapFactory
import androidx.camera.core.ImageAnalysis
import androidx.camera.core.ImageProxy
import com.google.android.gms.tasks.Tasks
import com.google.mlkit.vision.common.InputImage
import com.google.mlkit.vision.text.TextRecognition
import com.google.mlkit.vision.text.latin.TextRecognizerOptions
import com.smartenroll.sdk.CapturedDocument
import com.smartenroll.sdk.DocumentCapture
import com.smartenroll.sdk.DocumentFeedback
import com.smartenroll.sdk.SideReader
import com.smartenroll.sdk.SideStatus
import com.smartenroll.sdk.SmartEnrollException
import com.smartenroll.sdk.TextRecognizer
import com.smartenroll.sdk.TextRecognizerException
import java.util.concurrent.TimeUnit

/**
 * The SDK's `TextRecognizer` on ML Kit's on-device Latin text recognition: the SDK hands over the
 * captured page as JPEG; it is decoded to a bitmap and recognised synchronously (the SDK calls it
 * on the analysis thread, never the main thread). Failures become the SDK's typed error.
 */
class MlKitTextRecognizer : TextRecognizer {
    private val client = TextRecognition.getClient(TextRecognizerOptions.DEFAULT_OPTIONS)

    override fun recognizeText(jpeg: ByteArray): String {
        val bitmap = BitmapFactory.decodeByteArray(jpeg, 0, jpeg.size)
            ?: throw TextRecognizerException.Failed("the page could not be decoded")
        return try {
            Tasks.await(client.process(InputImage.fromBitmap(bitmap, 0)), 10, TimeUnit.SECONDS).text
        } catch (e: Exception) {
            // The exception's class only: ML Kit's messages may quote recognised text.
            throw TextRecognizerException.Failed("ML Kit: ${e.javaClass.simpleName}")
        } finally {
            bitmap.recycle()
        }
    }

    fun close() = client.close()
}

/** What the live document screen shows, produced on the analysis thread. */
data class DocumentUiState(
    val feedback: DocumentFeedback? = null,
    /** The captured page (with its MRZ, barcode and face crop), once captured. */
    val captured: CapturedDocument? = null,
    /** The ML Kit recognizer failed on the captured page (the page itself is kept). */
    val ocrFailed: Boolean = false,
    /** The back side's barcode reader's last status (back side only). */
    val side: SideStatus? = null,
)

/**
 * The CameraX analyzer of the live document screen (back camera, `YUV_420_888`): each frame goes
 * to the SDK's [DocumentCapture] for guidance and auto-capture; on the back side, a frame every
 * [shotIntervalMs] also goes to the [SideReader] (PDF417, three identical reads). Runs on the
 * analysis executor; [onState] is called there too.
 */
class DocumentAnalyzer(
    private val capture: DocumentCapture,
    private val side: SideReader?,
    private val onState: (DocumentUiState) -> Unit,
    private val shotIntervalMs: Long = 700,
) : ImageAnalysis.Analyzer {
    private var state = DocumentUiState()
    private var lastShotMs = 0L
    private var sideSettled = false

    /** Starts over after a retake. */
    fun reset() {
        capture.reset()
        side?.reset()
        sideSettled = false
        state = DocumentUiState()
    }

    override fun analyze(image: ImageProxy) {
        image.use { proxy ->
            if (state.captured != null && (side == null || sideSettled)) return
            val frame = proxy.toSdkFrame(mirrored = false) ?: return
            try {
                if (state.captured == null) {
                    val feedback = capture.processFrame(frame)
                    state = state.copy(feedback = feedback)
                    if (feedback.captured) {
                        state = try {
                            state.copy(captured = capture.result(), ocrFailed = false)
                        } catch (e: SmartEnrollException.TextRecognitionFailed) {
                            // Keep the page without its MRZ: the server reads the document too.
                            capture.setTextRecognizer(null)
                            state.copy(captured = capture.result(), ocrFailed = true)
                        }
                    }
                }
                val now = System.currentTimeMillis()
                if (side != null && !sideSettled && now - lastShotMs >= shotIntervalMs) {
                    lastShotMs = now
                    val status = side.pushFrame(frame)
                    // GiveUp only offers "continue without": three identical reads later still count.
                    sideSettled = status is SideStatus.Read
                    state = state.copy(side = status)
                }
            } catch (e: SmartEnrollException) {
                // A frame the SDK refused (typed error): skip it and analyse the next one.
                return
            }
            onState(state)
        }
    }
}
