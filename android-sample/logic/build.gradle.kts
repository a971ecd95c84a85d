// The sample's framework-free logic: plain Kotlin (no android.* imports) over the Smart Enroll
// bindings and kotlinx-coroutines. It is an Android library module only so that it can depend
// on the SDK's AAR; nothing in it uses the Android framework.
//
// Everything in src/main compiles against android.jar: no JDK-only API (java.net.http, java.awt,
// javax.imageio). The host tests use those (a real sandbox over HTTP, real photos), so they are
// not in this module: they live in ../host-tests/src/test/kotlin and run on a plain JVM against
// the real host-built SDK library and a real sandbox, from scripts/checks/40-samples.sh (from
// the repository root: scripts/test.sh). This module has no unit tests of its own.
plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
}

android {
    namespace = "com.smartenroll.sample.logic"
    compileSdk = 35

    defaultConfig {
        minSdk = 24
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    sourceSets {
        getByName("main").java.srcDirs("src/main/kotlin")
    }
}

// No `jvmToolchain`: the build runs on whatever JDK 17+ Gradle runs on (Android Studio's bundled
// JDK 21 included); compileOptions and the Kotlin jvmTarget below fix the bytecode level.
kotlin {
    compilerOptions {
        jvmTarget.set(org.jetbrains.kotlin.gradle.dsl.JvmTarget.JVM_17)
    }
}

dependencies {
    api("com.smartenroll:smart-enroll-android:0.1.0")
    api("org.jetbrains.kotlinx:kotlinx-coroutines-core:1.10.2")
}
