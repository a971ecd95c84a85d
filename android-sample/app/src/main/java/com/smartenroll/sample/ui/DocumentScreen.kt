package com.smartenroll.sample.ui

import android.Manifest
import android.content.Context
import android.content.pm.PackageManager
import android.net.Uri
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.camera.core.CameraSelector
import androidx.camera.core.ImageCapture
import androidx.camera.core.ImageCaptureException
import androidx.camera.core.Preview
import androidx.camera.lifecycle.ProcessCameraProvider
import androidx.camera.view.PreviewView
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.selection.selectable
import androidx.compose.foundation.selection.selectableGroup
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.lifecycle.compose.LocalLifecycleOwner
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.viewinterop.AndroidView
import androidx.core.content.ContextCompat
import com.smartenroll.sample.R
import com.smartenroll.sample.logic.Decisions
import com.smartenroll.sample.logic.DocumentSide
import com.smartenroll.sample.logic.Screen
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import java.io.File

/** Largest file accepted from the picker before the SDK re-encodes it (the server takes 10 MiB). */
private const val MAX_PICKED_BYTES = 10 * 1024 * 1024

/**
 * One side of the document: a rear-camera photo (CameraX ImageCapture, written to a file so the
 * EXIF orientation is kept; the SDK applies it and strips the metadata) or an image file picked
 * from storage.
 */
@Composable
fun DocumentScreen(
    screen: Screen.Document,
    onSubmit: (category: String, bytes: ByteArray) -> Unit,
    onSkip: () -> Unit,
    onSkipKyc: () -> Unit,
    onRetry: () -> Unit,
    onRestart: () -> Unit,
) {
    val context = LocalContext.current
    val scope = rememberCoroutineScope()
    var category by rememberSaveable(screen.categories) { mutableStateOf(screen.categories.firstOrNull() ?: "") }
    var hasCamera by remember { mutableStateOf(hasCameraPermission(context)) }
    // A photo that never reached the SDK (capture failed, file unreadable or over 10 MiB).
    var localError by remember { mutableStateOf(false) }
    var cameraPresent by remember { mutableStateOf(true) }
    val permission = rememberLauncherForActivityResult(ActivityResultContracts.RequestPermission()) { hasCamera = it }
    val imageCapture = remember {
        ImageCapture.Builder().setCaptureMode(ImageCapture.CAPTURE_MODE_MAXIMIZE_QUALITY).build()
    }
    val picker = rememberLauncherForActivityResult(ActivityResultContracts.GetContent()) { uri: Uri? ->
        if (uri != null) {
            scope.launch {
                val bytes = withContext(Dispatchers.IO) { readLimited(context, uri) }
                if (bytes != null) {
                    localError = false
                    onSubmit(category, bytes)
                } else {
                    localError = true
                }
            }
        }
    }

    val title = stringResource(
        if (screen.side == DocumentSide.FRONT) R.string.document_title_front else R.string.document_title_back,
    )
    Page(title) {
        Text(stringResource(R.string.document_body), style = MaterialTheme.typography.bodyLarge)
        Text(stringResource(R.string.attempts_left, screen.attemptsLeft), style = MaterialTheme.typography.bodySmall)
        if (screen.side == DocumentSide.FRONT && screen.categories.size > 1) {
            CategoryChooser(screen.categories, category, enabled = !screen.busy) { category = it }
        }
        if (!cameraPresent) {
            Text(stringResource(R.string.camera_unavailable))
        } else if (hasCamera) {
            val previewLabel = stringResource(R.string.camera_preview_document)
            CameraPreview(
                lensFacing = CameraSelector.LENS_FACING_BACK,
                imageCapture = imageCapture,
                onUnavailable = { cameraPresent = false },
                modifier = Modifier
                    .fillMaxWidth()
                    .aspectRatio(4f / 3f)
                    .semantics { contentDescription = previewLabel },
            )
            // A new photo only when no upload runs and the last error (if any) asks for one.
            PrimaryButton(stringResource(R.string.document_take_photo), enabled = Decisions.mayCapture(screen.busy, screen.error)) {
                takePhoto(
                    context,
                    imageCapture,
                    onBytes = { bytes ->
                        localError = false
                        onSubmit(category, bytes)
                    },
                    onFailed = { localError = true },
                )
            }
        } else {
            Text(stringResource(R.string.camera_permission_needed))
            SecondaryButton(stringResource(R.string.camera_permission_grant)) {
                permission.launch(Manifest.permission.CAMERA)
            }
        }
        SecondaryButton(stringResource(R.string.document_pick_file), enabled = Decisions.mayCapture(screen.busy, screen.error)) {
            picker.launch("image/*")
        }
        if (localError) {
            Text(
                stringResource(R.string.error_invalid_image),
                color = MaterialTheme.colorScheme.error,
                modifier = Modifier.semantics { liveRegion = LiveRegionMode.Assertive },
            )
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

@Composable
private fun CategoryChooser(categories: List<String>, selected: String, enabled: Boolean, onSelect: (String) -> Unit) {
    Column(Modifier.selectableGroup()) {
        for (key in categories) {
            val label = documentCategoryStringRes(key)?.let { stringResource(it) } ?: key
            Row(
                Modifier
                    .fillMaxWidth()
                    .heightIn(min = MinTouchTarget)
                    .selectable(selected = key == selected, enabled = enabled, role = Role.RadioButton) { onSelect(key) },
                verticalAlignment = Alignment.CenterVertically,
            ) {
                RadioButton(selected = key == selected, onClick = null)
                Text(label)
            }
        }
    }
}

/** A CameraX preview bound to the screen's lifecycle, with optional extra use cases. */
@Composable
fun CameraPreview(
    lensFacing: Int,
    modifier: Modifier = Modifier,
    imageCapture: ImageCapture? = null,
    imageAnalysis: androidx.camera.core.ImageAnalysis? = null,
    onUnavailable: () -> Unit = {},
) {
    val context = LocalContext.current
    val lifecycleOwner = LocalLifecycleOwner.current
    val previewView = remember { PreviewView(context).apply { scaleType = PreviewView.ScaleType.FILL_CENTER } }
    DisposableEffect(lensFacing, imageCapture, imageAnalysis) {
        val providerFuture = ProcessCameraProvider.getInstance(context)
        var provider: ProcessCameraProvider? = null
        providerFuture.addListener({
            try {
                val p = providerFuture.get()
                provider = p
                val preview = Preview.Builder().build().also { it.setSurfaceProvider(previewView.surfaceProvider) }
                val selector = CameraSelector.Builder().requireLensFacing(lensFacing).build()
                p.unbindAll()
                val useCases = listOfNotNull(preview, imageCapture, imageAnalysis).toTypedArray()
                p.bindToLifecycle(lifecycleOwner, selector, *useCases)
            } catch (e: Exception) {
                // No camera with this lens (or it is in use elsewhere): say so, never crash.
                onUnavailable()
            }
        }, ContextCompat.getMainExecutor(context))
        onDispose { provider?.unbindAll() }
    }
    AndroidView(factory = { previewView }, modifier = modifier)
}

fun hasCameraPermission(context: Context): Boolean =
    ContextCompat.checkSelfPermission(context, Manifest.permission.CAMERA) == PackageManager.PERMISSION_GRANTED

private fun takePhoto(
    context: Context,
    imageCapture: ImageCapture,
    onBytes: (ByteArray) -> Unit,
    onFailed: () -> Unit,
) {
    val file = File.createTempFile("document", ".jpg", context.cacheDir)
    val options = ImageCapture.OutputFileOptions.Builder(file).build()
    imageCapture.takePicture(
        options,
        ContextCompat.getMainExecutor(context),
        object : ImageCapture.OnImageSavedCallback {
            override fun onImageSaved(output: ImageCapture.OutputFileResults) {
                val bytes = file.readBytes()
                file.delete()
                onBytes(bytes)
            }

            override fun onError(exception: ImageCaptureException) {
                file.delete()
                onFailed()
            }
        },
    )
}

/**
 * Reads a picked file, refusing anything over [MAX_PICKED_BYTES] (returns null). The SDK's
 * mobile library decodes JPEG only (no PNG/WebP decoders: size budget), so a picked PNG, WebP
 * or HEIF is decoded by the platform and re-encoded as JPEG here; a JPEG is passed as is (the
 * SDK applies its EXIF orientation).
 */
private fun readLimited(context: Context, uri: Uri): ByteArray? =
    context.contentResolver.openInputStream(uri)?.use { input ->
        val bytes = input.readNBytesCompat(MAX_PICKED_BYTES + 1)
        if (bytes.size > MAX_PICKED_BYTES) null else asJpeg(bytes)
    }

private fun asJpeg(bytes: ByteArray): ByteArray? {
    val isJpeg = bytes.size > 3 && bytes[0] == 0xFF.toByte() && bytes[1] == 0xD8.toByte() &&
        bytes[2] == 0xFF.toByte()
    if (isJpeg) return bytes
    val bitmap = android.graphics.BitmapFactory.decodeByteArray(bytes, 0, bytes.size) ?: return null
    val out = java.io.ByteArrayOutputStream()
    bitmap.compress(android.graphics.Bitmap.CompressFormat.JPEG, 92, out)
    bitmap.recycle()
    return out.toByteArray()
}

private fun java.io.InputStream.readNBytesCompat(limit: Int): ByteArray {
    val out = java.io.ByteArrayOutputStream()
    val buffer = ByteArray(64 * 1024)
    while (out.size() < limit) {
        val n = read(buffer, 0, minOf(buffer.size, limit - out.size()))
        if (n < 0) break
        out.write(buffer, 0, n)
    }
    return out.toByteArray()
}
