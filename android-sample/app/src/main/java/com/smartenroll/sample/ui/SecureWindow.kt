package com.smartenroll.sample.ui

import android.app.Activity
import android.content.Context
import android.content.ContextWrapper
import android.view.WindowManager
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.ui.platform.LocalContext

/**
 * `FLAG_SECURE` on the activity's window while [secure] is true: no screenshots, no screen
 * recording, and a blank thumbnail in the recent-apps view. The sensitive screens are chosen by
 * the logic module (`Decisions.secureScreen`: document, selfie, review, result with the token).
 */
@Composable
fun SecureWindow(secure: Boolean) {
    val activity = LocalContext.current.findActivity() ?: return
    DisposableEffect(activity, secure) {
        val flag = WindowManager.LayoutParams.FLAG_SECURE
        if (secure) activity.window.addFlags(flag) else activity.window.clearFlags(flag)
        onDispose { activity.window.clearFlags(flag) }
    }
}

private tailrec fun Context.findActivity(): Activity? = when (this) {
    is Activity -> this
    is ContextWrapper -> baseContext.findActivity()
    else -> null
}
