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
    }
}

rootProject.name = "smart-enroll-android"
