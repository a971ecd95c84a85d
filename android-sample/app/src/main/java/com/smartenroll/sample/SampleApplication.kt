package com.smartenroll.sample

import android.app.Application
import com.smartenroll.sample.camera.installFaceModelAsset
import com.smartenroll.sample.logic.cleartextHosts
import com.smartenroll.sdk.ClientConfig
import com.smartenroll.sdk.InsecureHttp
import com.smartenroll.sdk.Platform
import com.smartenroll.sdk.SmartEnrollClient
import com.smartenroll.sdk.initAndroid

/**
 * Creates the SDK client (one per process: the view model keeps it). The sandbox URL,
 * project and flow come from `BuildConfig` (set in `local.properties`, see the README).
 */
class SampleApplication : Application() {
    /**
     * Creates the client, after `initAndroid` (the platform TLS trust store) and handing the SDK
     * the face detector's model asset (the library does not embed it); throws the SDK's typed
     * exception when the configuration is invalid.
     */
    fun createClient(): SmartEnrollClient {
        // The TLS trust store is Android's own (user and enterprise CAs, distrust updates): the
        // SDK needs the context once before its first client.
        initAndroid(this)
        installFaceModelAsset(this)
        return SmartEnrollClient(
            ClientConfig(
                baseUrl = BuildConfig.SMART_ENROLL_API_URL,
                // Debug builds talk plain HTTP to the sandbox on the development machine: only
                // to the hosts of the `smartEnroll.cleartextHosts` Gradle property (default
                // 10.0.2.2, the emulator's alias for it). This list is what enforces the rule:
                // the SDK's TLS stack (rustls) does not read the network security config.
                // Release builds are HTTPS-only.
                allowInsecureHttp = cleartextHosts(BuildConfig.CLEARTEXT_HOSTS)
                    .takeIf { BuildConfig.DEBUG && it.isNotEmpty() }
                    ?.let { InsecureHttp.Hosts(it) }
                    ?: InsecureHttp.Never,
                userAgent = "smart-enroll-android-sample/" + BuildConfig.VERSION_NAME,
                platform = Platform.ANDROID,
            ),
        )
    }
}
