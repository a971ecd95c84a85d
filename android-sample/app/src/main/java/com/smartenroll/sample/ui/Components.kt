package com.smartenroll.sample.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ColumnScope
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import com.smartenroll.sample.R
import com.smartenroll.sample.logic.RecoveryAction
import com.smartenroll.sample.logic.UserError

/** A scrollable, padded page with a heading (marked as a heading for screen readers). */
@Composable
fun Page(title: String, content: @Composable ColumnScope.() -> Unit) {
    Column(
        modifier = Modifier
            .fillMaxSize()
            .verticalScroll(rememberScrollState())
            .padding(24.dp),
        verticalArrangement = Arrangement.spacedBy(16.dp),
    ) {
        Text(
            text = title,
            style = MaterialTheme.typography.headlineSmall,
            modifier = Modifier.semantics { heading() },
        )
        content()
    }
}

@Composable
fun PrimaryButton(text: String, enabled: Boolean = true, onClick: () -> Unit) {
    Button(
        onClick = onClick,
        enabled = enabled,
        modifier = Modifier.fillMaxWidth().heightIn(min = MinTouchTarget),
    ) { Text(text) }
}

@Composable
fun SecondaryButton(text: String, enabled: Boolean = true, onClick: () -> Unit) {
    OutlinedButton(
        onClick = onClick,
        enabled = enabled,
        modifier = Modifier.fillMaxWidth().heightIn(min = MinTouchTarget),
    ) { Text(text) }
}

@Composable
fun QuietButton(text: String, enabled: Boolean = true, onClick: () -> Unit) {
    TextButton(
        onClick = onClick,
        enabled = enabled,
        modifier = Modifier.fillMaxWidth().heightIn(min = MinTouchTarget),
    ) { Text(text) }
}

@Composable
fun BusyIndicator(busy: Boolean) {
    if (busy) {
        val label = stringResource(R.string.working)
        Column(Modifier.fillMaxWidth(), horizontalAlignment = Alignment.CenterHorizontally) {
            CircularProgressIndicator(Modifier.semantics(mergeDescendants = true) {})
            Text(label, style = MaterialTheme.typography.bodySmall)
        }
    }
}

/**
 * The error of the current screen, in a polite live region so TalkBack reads it when it appears,
 * with the recovery button the logic module chose ([RecoveryAction]).
 */
@Composable
fun ErrorBanner(error: UserError?, onRetry: (() -> Unit)?, onRestart: () -> Unit) {
    if (error == null || error.action == RecoveryAction.NONE) return
    Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Text(
            text = errorText(error),
            color = MaterialTheme.colorScheme.error,
            modifier = Modifier.semantics { liveRegion = LiveRegionMode.Assertive },
        )
        when (error.action) {
            // "Try again" repeats the action that failed (the controller keeps it).
            RecoveryAction.RETRY ->
                if (onRetry != null) SecondaryButton(stringResource(R.string.action_try_again), onClick = onRetry)
            RecoveryAction.RESTART -> SecondaryButton(stringResource(R.string.action_start_over), onClick = onRestart)
            // The screen's own controls are the way on: the resend countdown (WAIT), the form
            // (FIX_INPUT), the resend button (RESEND_CODE), the camera (RETAKE_PHOTO).
            RecoveryAction.WAIT, RecoveryAction.FIX_INPUT, RecoveryAction.RESEND_CODE,
            RecoveryAction.RETAKE_PHOTO, RecoveryAction.NONE,
            -> Unit
        }
    }
}

@Composable
fun errorText(error: UserError): String {
    val base = stringResource(errorStringRes(error.kind))
    val wait = error.retryAfterSeconds
    return if (wait != null && wait > 0) base + " " + stringResource(R.string.error_wait_seconds, wait.toInt()) else base
}
