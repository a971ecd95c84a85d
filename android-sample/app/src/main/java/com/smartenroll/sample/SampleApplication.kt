package com.smartenroll.sample

import android.app.Application
import com.smartenroll.sdk.ClientConfig
import com.smartenroll.sdk.SmartEnrollClient

/**
 * Holds the one SDK client of the process (it owns the HTTP connection pool). The sandbox URL,
 * project and flow come from `BuildConfig` (set in `local.properties`, see the README).
 */
class SampleApplication : Application() {
    val client: SmartEnrollClient by lazy {
        SmartEnrollClient(
            ClientConfig(
                baseUrl = BuildConfig.SMART_ENROLL_API_URL,
                // Debug builds talk plain HTTP to the sandbox on the development machine, which
                // the emulator reaches as 10.0.2.2 (the network security config allows only that
                // host). Release builds are HTTPS-only.
                allowInsecureHosts = if (BuildConfig.DEBUG) listOf("10.0.2.2") else emptyList(),
                userAgent = "smart-enroll-android-sample/" + BuildConfig.VERSION_NAME,
                platform = "ANDROID",
            ),
        )
    }
}
