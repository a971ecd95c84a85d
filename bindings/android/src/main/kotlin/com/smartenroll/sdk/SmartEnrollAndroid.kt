package com.smartenroll.sdk

import android.content.Context

/**
 * Android set-up of the SDK's TLS trust store: the library verifies server certificates with
 * the device's own trust store (Android's `X509TrustManager`, so user-installed and enterprise
 * CAs and the OS's distrust updates apply), which needs the app's [Context] once per process.
 *
 * Call [initAndroid] before creating the first `SmartEnrollClient` (e.g. in
 * `Application.onCreate`); until then creating a client fails with a `Config` error. Calling it
 * again does nothing. The app must also ship the verifier's small Kotlin component,
 * `org.rustls:rustls-platform-verifier` (see bindings/android/build.gradle.kts).
 */
object SmartEnrollAndroid {
    init {
        // JNA (the generated bindings) opens the library for UniFFI calls; JNI lookups of
        // `external` functions need it loaded through System.loadLibrary too (same file).
        System.loadLibrary("smart_enroll_ffi")
    }

    @JvmStatic
    private external fun nativeInit(context: Context)

    /** Hands the application context to the TLS trust store. Throws on a JNI failure. */
    @JvmStatic
    fun initAndroid(context: Context) {
        nativeInit(context.applicationContext ?: context)
    }
}

/** Shorthand for [SmartEnrollAndroid.initAndroid]. */
fun initAndroid(context: Context) = SmartEnrollAndroid.initAndroid(context)
