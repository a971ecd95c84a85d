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
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableFloatStateOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
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
import com.smartenroll.sample.R
import com.smartenroll.sample.camera.SelfieAnalyzer
import com.smartenroll.sample.camera.createLivenessCapture
import com.smartenroll.sample.logic.Clock
import com.smartenroll.sample.logic.Decisions
import com.smartenroll.sample.logic.Screen
import com.smartenroll.sample.logic.SelfieCapture
import java.util.concurrent.Executors

/**
 * The selfie: front camera preview with an oval guide, live guidance from the SDK prefilter on
 * every frame (text + readiness bar), spoken through TalkBack when it changes (throttled in the
 * logic module's [SelfieCapture]), and automatic capture: the prefilter's JPEG is uploaded.
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
    val selfie = remember { SelfieCapture(createLivenessCapture(context), clock) }
    val executor = remember { Executors.newSingleThreadExecutor() }
    val mainExecutor = remember { ContextCompat.getMainExecutor(context) }

    val analyzer = remember(selfie) {
        SelfieAnalyzer(selfie) { feedback ->
            mainExecutor.execute {
                guidance = feedback.guidanceKey
                readiness = feedback.readiness
                feedback.announce?.let { spoken ->
                    view.announceForAccessibility(context.getString(guidanceStringRes(spoken)))
                }
                feedback.capturedJpeg?.let(onCaptured)
            }
        }
    }
    val analysis = remember(analyzer) {
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
    DisposableEffect(Unit) {
        onDispose {
            analysis.clearAnalyzer()
            executor.shutdown()
            selfie.close()
        }
    }
    // Ask for the camera as soon as the selfie screen appears (the explanation stays on screen).
    LaunchedEffect(Unit) {
        if (!hasCamera) permission.launch(Manifest.permission.CAMERA)
    }
    // A failed upload (e.g. liveness failed) leaves this screen up with an error: analyse again.
    LaunchedEffect(screen.error, screen.busy) {
        if (!screen.busy && screen.error != null) {
            selfie.rearm()
        }
    }

    Page(stringResource(R.string.selfie_title)) {
        Text(stringResource(R.string.selfie_body), style = MaterialTheme.typography.bodyLarge)
        Text(stringResource(R.string.attempts_left, screen.attemptsLeft), style = MaterialTheme.typography.bodySmall)
        if (!selfie.detectorAvailable) {
            Text(stringResource(R.string.selfie_prefilter_unavailable), style = MaterialTheme.typography.bodySmall)
        }
        if (!cameraPresent) {
            Text(stringResource(R.string.camera_unavailable))
        } else if (hasCamera) {
            val previewLabel = stringResource(R.string.camera_preview_selfie)
            Box(
                Modifier
                    .fillMaxWidth()
                    .aspectRatio(3f / 4f)
                    .semantics { contentDescription = previewLabel },
            ) {
                CameraPreview(
                    lensFacing = CameraSelector.LENS_FACING_FRONT,
                    imageAnalysis = if (screen.busy) null else analysis,
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
