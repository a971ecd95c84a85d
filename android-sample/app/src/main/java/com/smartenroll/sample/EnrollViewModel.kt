package com.smartenroll.sample

import android.app.Application
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import com.smartenroll.sample.logic.EnrollController
import com.smartenroll.sample.logic.EnrollTarget
import com.smartenroll.sample.logic.SystemClock
import java.util.Locale

/**
 * Keeps the [EnrollController] across configuration changes. The controller restores the
 * encrypted snapshot on creation, so after the process was killed the user lands on the same step.
 * A bad configuration (e.g. an API URL the SDK refuses) is kept in [setupError] and shown instead.
 */
class EnrollViewModel(application: Application) : AndroidViewModel(application) {
    val clock = SystemClock

    private val setup: Result<EnrollController> = runCatching {
        require(BuildConfig.SMART_ENROLL_PROJECT_ID.isNotBlank()) {
            "smartEnroll.projectId is not set in android-sample/local.properties (see the README)"
        }
        EnrollController(
            client = (application as SampleApplication).createClient(),
            target = EnrollTarget(
                projectId = BuildConfig.SMART_ENROLL_PROJECT_ID,
                flowId = BuildConfig.SMART_ENROLL_FLOW_ID.ifBlank { null },
                language = if (Locale.getDefault().language == "es") "es" else "en",
            ),
            store = keystoreSnapshotStore(application),
            scope = viewModelScope,
        ).also { it.start() }
    }

    val controller: EnrollController? = setup.getOrNull()

    /** Why the SDK client could not be created (no personal data: it is about the config). */
    val setupError: String? = setup.exceptionOrNull()?.let { it.javaClass.simpleName + ": " + it.message }

    override fun onCleared() {
        controller?.close()
    }
}
