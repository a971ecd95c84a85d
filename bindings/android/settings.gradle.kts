// The Smart Enroll Android library: the generated Kotlin bindings, the hand-written Kotlin
// adapters (bindings/kotlin/src) and the per-ABI libsmart_enroll_ffi.so, packaged as an AAR.
// Built by scripts/build-android.sh, which first produces the native libraries and the
// generated Kotlin under target/bindings/android/ (see bindings/README.md, "Use it from Android (Kotlin)").
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
        // The Kotlin component of rustls-platform-verifier (the TLS trust store, see
        // SmartEnrollAndroid.kt), published by the rustls project as a Maven repository.
        maven {
            url = uri("https://github.com/rustls/rustls-platform-verifier/raw/maven-archive/android-release-support/maven/")
            content { includeGroup("rustls") }
        }
    }
}

rootProject.name = "smart-enroll-android"
