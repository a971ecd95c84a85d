package com.smartenroll.sample.ui

import android.Manifest
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.camera.core.CameraSelector
import androidx.camera.core.ImageAnalysis
import androidx.camera.core.resolutionselector.ResolutionSelector
import androidx.camera.core.resolutionselector.ResolutionStrategy
import android.util.Size
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
import androidx.compose.runtime.SideEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableFloatStateOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberUpdatedState
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.geometry.Size as GeometrySize
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.graphics.drawscope.Stroke
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.platform.LocalView
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.core.content.ContextCompat
import androidx.lifecycle.viewmodel.compose.viewModel
import com.smartenroll.sample.R
import com.smartenroll.sample.SelfieViewModel
import com.smartenroll.sample.camera.SelfieAnalyzer
import com.smartenroll.sample.logic.CaptureRecovery
import com.smartenroll.sample.logic.Clock
import com.smartenroll.sample.logic.Decisions
import com.smartenroll.sample.logic.Screen
import com.smartenroll.sample.logic.SelfieCapture
import java.util.concurrent.Executors
import java.util.concurrent.atomic.AtomicBoolean

/**
 * The selfie: front camera preview with an oval guide, live guidance from the SDK prefilter on
 * every frame (text + readiness bar), spoken through TalkBack when it changes (throttled in the
 * logic module's [SelfieCapture]), and automatic capture: the prefilter's JPEG is uploaded.
 *
 * The [SelfieCapture] lives in [SelfieViewModel] (built off the main thread, kept across
 * configuration changes). The camera stays bound while an upload runs; frames are simply not
 * analysed then. After a failed upload, capture starts again only when the logic says to retake
 * the photo ([Decisions.afterCaptureError]): a network error offers "Try again" (the same
 * photo), an attempt-consuming outcome stops and explains. Without the face detector nothing is
 * uploaded by itself: the screen says why and the user takes the photo.
 */
@Composable
fun SelfieScreen(
    screen: Screen.Selfie,
    clock: Clock,
    onCaptured: (ByteArray) -> Unit,
    onSkip: () -> Unit,
    onSkipKyc: () -> Unit,
    onRetry: () -> Unit,
    onRestart: () -> Unit,
) {
    val context = LocalContext.current
    val view = LocalView.current
    var hasCamera by remember { mutableStateOf(hasCameraPermission(context)) }
    val permission = rememberLauncherForActivityResult(ActivityResultContracts.RequestPermission()) { hasCamera = it }
    var cameraPresent by remember { mutableStateOf(true) }
    var guidance by remember { mutableStateOf("face_not_found") }
    var readiness by remember { mutableFloatStateOf(0f) }
    var manualReady by remember { mutableStateOf(false) }
    val model: SelfieViewModel = viewModel()
    val selfie by model.selfie.collectAsState()
    val mainExecutor = remember { ContextCompat.getMainExecutor(context) }
    val executor = remember { Executors.newSingleThreadExecutor() }
    // Read on the analysis thread: analyse only while the logic allows a capture.
    val mayCapture = Decisions.mayCapture(screen.busy, screen.error)
    val active = remember { AtomicBoolean(false) }
    SideEffect { active.set(mayCapture) }

    val uploadSelfie by rememberUpdatedState(onCaptured)
    val analysis = remember(selfie) {
        selfie?.let { capture ->
            val analyzer = SelfieAnalyzer(capture, active = { active.get() }) { feedback ->
                mainExecutor.execute {
                    guidance = feedback.guidanceKey
                    readiness = feedback.readiness
                    manualReady = feedback.manualReady
                    feedback.announce?.let { spoken ->
                        view.announceForAccessibility(context.getString(guidanceStringRes(spoken)))
                    }
                    feedback.capturedJpeg?.let { uploadSelfie(it) }
                }
            }
            ImageAnalysis.Builder()
                .setOutputImageFormat(ImageAnalysis.OUTPUT_IMAGE_FORMAT_YUV_420_888)
                .setBackpressureStrategy(ImageAnalysis.STRATEGY_KEEP_ONLY_LATEST)
                .setResolutionSelector(
                    ResolutionSelector.Builder()
                        .setResolutionStrategy(
                            ResolutionStrategy(Size(640, 480), ResolutionStrategy.FALLBACK_RULE_CLOSEST_HIGHER_THEN_LOWER),
                        )
                        .build(),
                )
                .build()
                .also { it.setAnalyzer(executor, analyzer) }
        }
    }
    DisposableEffect(analysis) {
        // The view model owns (and closes) the capture; the screen only stops its analysis.
        onDispose { analysis?.clearAnalyzer() }
    }
    DisposableEffect(Unit) {
        onDispose { executor.shutdown() }
    }
    // Ask for the camera as soon as the selfie screen appears (the explanation stays on screen).
    LaunchedEffect(Unit) {
        if (!hasCamera) permission.launch(Manifest.permission.CAMERA)
    }
    // A new attempt only when the logic says so: the server refused the photo and attempts
    // remain (RETAKE), or the screen is shown afresh after an earlier capture (CAPTURE).
    LaunchedEffect(selfie, screen.error, screen.busy) {
        val capture = selfie ?: return@LaunchedEffect
        if (screen.busy) return@LaunchedEffect
        when (Decisions.afterCaptureError(screen.error)) {
            CaptureRecovery.RETAKE -> capture.rearm()
            CaptureRecovery.CAPTURE -> if (capture.isDone) capture.rearm()
            CaptureRecovery.RETRY_UPLOAD, CaptureRecovery.WAIT, CaptureRecovery.STOP -> Unit
        }
    }

    Page(stringResource(R.string.selfie_title)) {
        Text(stringResource(R.string.selfie_body), style = MaterialTheme.typography.bodyLarge)
        Text(stringResource(R.string.attempts_left, screen.attemptsLeft), style = MaterialTheme.typography.bodySmall)
        val capture = selfie
        if (capture != null && !capture.autoCapture) {
            // Quality-only mode: say why auto-capture is off.
            Text(stringResource(R.string.selfie_prefilter_unavailable), style = MaterialTheme.typography.bodySmall)
            Text(
                stringResource(R.string.selfie_detector_reason, capture.detectorUnavailableReason.orEmpty()),
                style = MaterialTheme.typography.bodySmall,
            )
        }
        if (!cameraPresent) {
            Text(stringResource(R.string.camera_unavailable))
        } else if (hasCamera && capture != null) {
            val previewLabel = stringResource(R.string.camera_preview_selfie)
            Box(
                Modifier
                    .fillMaxWidth()
                    .aspectRatio(3f / 4f)
                    .semantics { contentDescription = previewLabel },
            ) {
                CameraPreview(
                    lensFacing = CameraSelector.LENS_FACING_FRONT,
                    imageAnalysis = analysis,
                    onUnavailable = { cameraPresent = false },
                    modifier = Modifier.fillMaxSize(),
                )
                FaceOval(ready = readiness >= 1f)
            }
            Text(
                text = if (screen.busy) stringResource(R.string.selfie_uploading) else stringResource(guidanceStringRes(guidance)),
                style = MaterialTheme.typography.titleMedium,
            )
            val readinessLabel = stringResource(R.string.selfie_readiness, (readiness.coerceIn(0f, 1f) * 100).toInt())
            LinearProgressIndicator(
                progress = { readiness.coerceIn(0f, 1f) },
                modifier = Modifier.fillMaxWidth().semantics { contentDescription = readinessLabel },
            )
            if (!capture.autoCapture) {
                PrimaryButton(stringResource(R.string.selfie_take_photo), enabled = mayCapture && manualReady) {
                    capture.takeManual()?.let(onCaptured)
                }
            }
        } else if (hasCamera) {
            BusyIndicator(true)
        } else {
            Text(stringResource(R.string.camera_permission_needed))
            SecondaryButton(stringResource(R.string.camera_permission_grant)) {
                permission.launch(Manifest.permission.CAMERA)
            }
        }
        ErrorBanner(screen.error, onRetry = onRetry, onRestart = onRestart)
        BusyIndicator(screen.busy)
        if (Decisions.canSkip(screen.optional, screen.busy)) {
            QuietButton(stringResource(R.string.action_skip), onClick = onSkip)
        }
        if (screen.canSkipKyc && !screen.busy) {
            QuietButton(stringResource(R.string.kyc_skip), onClick = onSkipKyc)
        }
    }
}

/** The oval the face should fill; green when the prefilter is ready to capture. */
@Composable
private fun FaceOval(ready: Boolean) {
    val color = if (ready) Color(0xFF2E7D32) else MaterialTheme.colorScheme.primary
    Canvas(Modifier.fillMaxSize()) {
        val w = size.width * 0.62f
        val h = size.height * 0.62f
        drawOval(
            color = color,
            topLeft = Offset((size.width - w) / 2f, (size.height - h) / 2f),
            size = GeometrySize(w, h),
            style = Stroke(width = 4.dp.toPx()),
        )
    }
}
