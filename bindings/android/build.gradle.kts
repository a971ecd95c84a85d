plugins {
    id("com.android.library") version "8.7.3"
    id("org.jetbrains.kotlin.android") version "2.1.0"
    `maven-publish`
}

group = "com.smartenroll"
version = providers.gradleProperty("smartEnrollVersion").getOrElse("0.1.0")

// The version of rustls-platform-verifier-android in the workspace's Cargo.lock: its Kotlin
// component must match the Rust crate exactly.
val rustlsPlatformVerifierVersion: String = rootDir.resolve("../../Cargo.lock").readLines().let { lines ->
    val i = lines.indexOfFirst { it.trim() == "name = \"rustls-platform-verifier-android\"" }
    check(i >= 0) { "rustls-platform-verifier-android not found in Cargo.lock" }
    lines[i + 1].substringAfter('"').substringBefore('"')
}

// Outputs of scripts/build-android.sh (cargo-ndk + uniffi-bindgen), outside the source tree.
val generated = rootDir.resolve("../../target/bindings/android")

android {
    namespace = "com.smartenroll.sdk"
    compileSdk = 35

    defaultConfig {
        minSdk = 24
        consumerProguardFiles("consumer-rules.pro")
    }

    sourceSets {
        getByName("main") {
            java.srcDirs(generated.resolve("kotlin"), rootDir.resolve("../kotlin/src"))
            jniLibs.srcDirs(generated.resolve("jniLibs"))
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    packaging {
        // The .so files are already stripped by the `mobile` cargo profile.
        jniLibs.keepDebugSymbols += "**/libsmart_enroll_ffi.so"
    }

    publishing {
        singleVariant("release") { withSourcesJar() }
    }
}

// No `jvmToolchain`: it needs a toolchain resolver, and the sample includes this build, so
// Android Studio's sync (bundled JDK 21) would fail. compileOptions and jvmTarget fix the
// bytecode level on any JDK 17+.
kotlin {
    compilerOptions {
        jvmTarget.set(org.jetbrains.kotlin.gradle.dsl.JvmTarget.JVM_17)
    }
}

dependencies {
    // The generated bindings call the native library through JNA; the @aar flavour carries
    // JNA's own per-ABI libjnidispatch.so.
    api("net.java.dev.jna:jna:5.17.0@aar")
    // Suspend functions and Flow<EnrollState> in the public API.
    api("org.jetbrains.kotlinx:kotlinx-coroutines-core:1.10.2")
    // The TLS platform verifier's Kotlin half (called from Rust through JNI after
    // initAndroid(context)); its version must be the rustls-platform-verifier-android crate's
    // in Cargo.lock.
    implementation("rustls:rustls-platform-verifier:$rustlsPlatformVerifierVersion")
}

publishing {
    publications {
        register<MavenPublication>("release") {
            artifactId = "smart-enroll-android"
            afterEvaluate { from(components["release"]) }
        }
    }
}
