package com.smartenroll.sample

import android.app.Application
import com.smartenroll.sample.camera.installFaceModelAsset
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
                // Debug builds talk plain HTTP to the sandbox on the development machine, which
                // the emulator reaches as 10.0.2.2 (the network security config allows only that
                // host). Release builds are HTTPS-only.
                allowInsecureHttp = if (BuildConfig.DEBUG) InsecureHttp.Hosts(listOf("10.0.2.2")) else InsecureHttp.Never,
                userAgent = "smart-enroll-android-sample/" + BuildConfig.VERSION_NAME,
                platform = Platform.ANDROID,
            ),
        )
    }
}
