package com.smartenroll.sample.ui

import android.Manifest
import android.util.Size
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.camera.core.CameraSelector
import androidx.camera.core.ImageAnalysis
import androidx.camera.core.resolutionselector.ResolutionSelector
import androidx.camera.core.resolutionselector.ResolutionStrategy
import androidx.compose.foundation.Canvas
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.graphics.Path
import androidx.compose.ui.graphics.drawscope.Stroke
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import androidx.core.content.ContextCompat
import com.smartenroll.sample.R
import com.smartenroll.sample.camera.DocumentAnalyzer
import com.smartenroll.sample.camera.DocumentUiState
import com.smartenroll.sample.camera.MlKitTextRecognizer
import com.smartenroll.sample.logic.DocumentDecisions
import com.smartenroll.sample.logic.Screen
import com.smartenroll.sdk.DocumentCapture
import com.smartenroll.sdk.DocumentCaptureConfig
import com.smartenroll.sdk.DocumentIdentity
import com.smartenroll.sdk.SideReader
import com.smartenroll.sdk.SideStatus
import com.smartenroll.sdk.documentIdentity
import java.util.concurrent.Executors

/** The string of a document guidance resource name ([DocumentDecisions.guidanceResource]). */
fun documentGuidanceRes(resource: String): Int = when (resource) {
    "doc_guidance_no_document" -> R.string.doc_guidance_no_document
    "doc_guidance_move_closer" -> R.string.doc_guidance_move_closer
    "doc_guidance_move_back" -> R.string.doc_guidance_move_back
    "doc_guidance_align" -> R.string.doc_guidance_align
    "doc_guidance_too_dark" -> R.string.doc_guidance_too_dark
    "doc_guidance_too_bright" -> R.string.doc_guidance_too_bright
    "doc_guidance_blurry" -> R.string.doc_guidance_blurry
    "doc_guidance_glare" -> R.string.doc_guidance_glare
    "doc_guidance_hold_still" -> R.string.doc_guidance_hold_still
    "doc_guidance_ok" -> R.string.doc_guidance_ok
    else -> R.string.doc_guidance_unknown
}

/** The string of a side-reader progress resource name ([DocumentDecisions.sideProgress]). */
private fun sideProgressRes(resource: String): Int = when (resource) {
    "doc_side_reading" -> R.string.doc_side_reading
    "doc_side_retry" -> R.string.doc_side_retry
    "doc_side_read" -> R.string.doc_side_read
    else -> R.string.doc_side_give_up
}

/**
 * The document step: the live capture first ([DocumentCaptureScreen]); "Use this photo" on a
 * page it could not read well, or a camera problem, falls back to the photo / file picker
 * ([DocumentScreen]).
 */
@Composable
fun DocumentStep(
    screen: Screen.Document,
    onSubmit: (category: String, bytes: ByteArray, identity: DocumentIdentity?) -> Unit,
    onSkip: () -> Unit,
    onSkipKyc: () -> Unit,
    onRetry: () -> Unit,
    onRestart: () -> Unit,
) {
    var live by rememberSaveable(screen.side) { mutableStateOf(true) }
    if (live && screen.error == null && screen.categories.isNotEmpty()) {
        DocumentCaptureScreen(
            screen = screen,
            onSubmit = onSubmit,
            onManual = { live = false },
        )
    } else {
        DocumentScreen(screen, { category, bytes -> onSubmit(category, bytes, null) }, onSkip, onSkipKyc, onRetry, onRestart)
    }
}

/**
 * The live document screen: the back camera's frames (CameraX ImageAnalysis, `YUV_420_888`) go to
 * the SDK's `DocumentCapture`, which finds the page (its quad is drawn over the preview), says
 * what to do (localised guidance) and captures a flat page by itself; ML Kit reads its MRZ. On
 * the back of an ID card the PDF417 side reader runs too (three identical reads; after four
 * failed shots the user may continue without it). The decisions are [DocumentDecisions]'.
 */
@Composable
fun DocumentCaptureScreen(
    screen: Screen.Document,
    onSubmit: (category: String, bytes: ByteArray, identity: DocumentIdentity?) -> Unit,
    onManual: () -> Unit,
) {
    val context = LocalContext.current
    val category = screen.categories.first()
    val readsBarcode = DocumentDecisions.readsBarcode(category, screen.side)
    val expectMrz = DocumentDecisions.expectsMrz(category, screen.side)
    var hasCamera by remember { mutableStateOf(hasCameraPermission(context)) }
    val permission = rememberLauncherForActivityResult(ActivityResultContracts.RequestPermission()) { hasCamera = it }
    var cameraPresent by remember { mutableStateOf(true) }
    var ui by remember { mutableStateOf(DocumentUiState()) }
    var continuedWithout by remember { mutableStateOf(false) }
    var submitted by remember { mutableStateOf(false) }
    val recognizer = remember { MlKitTextRecognizer() }
    val capture = remember {
        DocumentCapture(DocumentCaptureConfig()).also { it.setTextRecognizer(recognizer) }
    }
    val side = remember(readsBarcode) { if (readsBarcode) SideReader() else null }
    val executor = remember { Executors.newSingleThreadExecutor() }
    val mainExecutor = remember { ContextCompat.getMainExecutor(context) }
    val analyzer = remember(capture, side) {
        DocumentAnalyzer(capture, side, onState = { state -> mainExecutor.execute { ui = state } })
    }
    val analysis = remember(analyzer) {
        ImageAnalysis.Builder()
            .setOutputImageFormat(ImageAnalysis.OUTPUT_IMAGE_FORMAT_YUV_420_888)
            .setBackpressureStrategy(ImageAnalysis.STRATEGY_KEEP_ONLY_LATEST)
            .setResolutionSelector(
                ResolutionSelector.Builder()
                    .setResolutionStrategy(
                        // The barcode's modules need pixels: 1280x720 (the SDK works on a
                        // downscaled luma copy for the outline anyway).
                        ResolutionStrategy(Size(1280, 720), ResolutionStrategy.FALLBACK_RULE_CLOSEST_HIGHER_THEN_LOWER),
                    )
                    .build(),
            )
            .build()
            .also { it.setAnalyzer(executor, analyzer) }
    }
    DisposableEffect(Unit) {
        onDispose {
            analysis.clearAnalyzer()
            executor.shutdown()
            capture.close()
            side?.close()
            recognizer.close()
        }
    }
    LaunchedEffect(Unit) {
        if (!hasCamera) permission.launch(Manifest.permission.CAMERA)
    }

    val page = ui.captured
    val sideProgress = ui.side?.let(DocumentDecisions::sideProgress)
    val after = page?.let { DocumentDecisions.afterCapture(it.mrz, expectMrz) }
    // What the page's own MRZ / barcode says (the side reader's settled barcode first): the
    // session compares it with the server's OCR in the review.
    val identity = page?.let {
        documentIdentity(it.mrz, (ui.side as? SideStatus.Read)?.reading ?: it.barcode)
    }
    // Auto-submit: the page is good (and, on a barcode side, the barcode is settled).
    val ready = page != null && after == DocumentDecisions.AfterCapture.SUBMIT &&
        (!readsBarcode || DocumentDecisions.backReady(true, sideProgress, continuedWithout))
    LaunchedEffect(ready) {
        if (ready && !submitted && page != null) {
            submitted = true
            onSubmit(category, page.jpeg, identity)
        }
    }

    Page(stringResource(R.string.doc_live_title)) {
        if (!cameraPresent || !hasCamera) {
            Text(stringResource(R.string.camera_unavailable))
            SecondaryButton(stringResource(R.string.doc_use_photo), onClick = onManual)
            return@Page
        }
        val guidanceKey = ui.feedback?.guidanceKey ?: "no_document"
        val guidance = stringResource(documentGuidanceRes(DocumentDecisions.guidanceResource(guidanceKey)))
        val previewLabel = stringResource(R.string.doc_live_title)
        Box(
            Modifier
                .fillMaxWidth()
                .aspectRatio(3f / 4f)
                .semantics { contentDescription = previewLabel },
        ) {
            CameraPreview(
                lensFacing = CameraSelector.LENS_FACING_BACK,
                imageAnalysis = if (page == null || (readsBarcode && sideProgress?.done != true)) analysis else null,
                onUnavailable = { cameraPresent = false },
                modifier = Modifier.fillMaxSize(),
            )
            QuadOverlay(ui, Modifier.fillMaxSize())
        }
        Text(
            guidance,
            style = MaterialTheme.typography.titleMedium,
            modifier = Modifier.semantics { liveRegion = LiveRegionMode.Polite },
        )
        LinearProgressIndicator(progress = { ui.feedback?.readiness ?: 0f }, modifier = Modifier.fillMaxWidth())
        if (sideProgress != null) {
            val text = if (sideProgress.args.size == 2) {
                stringResource(sideProgressRes(sideProgress.resource), sideProgress.args[0], sideProgress.args[1])
            } else {
                stringResource(sideProgressRes(sideProgress.resource))
            }
            Text(text, modifier = Modifier.semantics { liveRegion = LiveRegionMode.Polite })
            if (sideProgress.canContinueWithout && !continuedWithout) {
                SecondaryButton(stringResource(R.string.doc_continue_without_barcode)) { continuedWithout = true }
            }
        }
        if (page != null && after == DocumentDecisions.AfterCapture.CONFIRM) {
            Text(stringResource(R.string.doc_mrz_invalid))
            PrimaryButton(stringResource(R.string.doc_use_photo), enabled = !submitted) {
                submitted = true
                onSubmit(category, page.jpeg, identity)
            }
            SecondaryButton(stringResource(R.string.doc_retake)) {
                executor.execute { analyzer.reset() }
                ui = DocumentUiState()
                continuedWithout = false
            }
        }
        QuietButton(stringResource(R.string.doc_use_photo), onClick = onManual)
    }
}

/**
 * The found page's outline over the preview: the SDK's corners are in the upright analysis
 * frame's pixels (`frameWidth` x `frameHeight`); the preview fills the same 3:4 box (centre
 * crop), so they are scaled by the larger factor and centred, as `PreviewView.FILL_CENTER` does.
 */
@Composable
private fun QuadOverlay(ui: DocumentUiState, modifier: Modifier) {
    val feedback = ui.feedback ?: return
    val corners = feedback.corners ?: return
    if (corners.size != 4 || feedback.frameWidth <= 0 || feedback.frameHeight <= 0) return
    val good = feedback.guidanceKey == "hold_still" || feedback.guidanceKey == "ok"
    Canvas(modifier) {
        val scale = maxOf(size.width / feedback.frameWidth, size.height / feedback.frameHeight)
        val dx = (size.width - feedback.frameWidth * scale) / 2f
        val dy = (size.height - feedback.frameHeight * scale) / 2f
        val points = corners.map { Offset(dx + it.x * scale, dy + it.y * scale) }
        val path = Path().apply {
            moveTo(points[0].x, points[0].y)
            for (p in points.drop(1)) lineTo(p.x, p.y)
            close()
        }
        drawPath(path, color = if (good) Color(0xFF2E7D32) else Color(0xFFF9A825), style = Stroke(width = 6f))
    }
}
