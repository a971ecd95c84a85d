import java.util.Properties

plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
    id("org.jetbrains.kotlin.plugin.compose")
}

// Sandbox settings, from android-sample/local.properties (not committed), e.g.
//   smartEnroll.apiUrl=http://10.0.2.2:8080
//   smartEnroll.projectId=<id printed by `smart-enroll setup`>
//   smartEnroll.flowId=<id printed by `smart-enroll setup`>
val localProperties = Properties().apply {
    val file = rootProject.file("local.properties")
    if (file.exists()) file.inputStream().use { load(it) }
}

fun setting(name: String, default: String): String =
    (localProperties.getProperty(name) ?: providers.gradleProperty(name).orNull ?: default)
        .replace("\\", "\\\\")
        .replace("\"", "\\\"")

// The models are not in the SDK library (its size budget): the app ships the repository's
// models/face_landmark_192.onnx (the blink step's eye landmarks, 2.4 MB; passed in
// CaptureConfig.landmarkModel) and models/face_detection_front_128x128_barracuda.onnx (the face
// detector, 442 KB; passed once to setFaceDetectorModel) as APK assets (camera/Prefilter.kt).
val landmarkModelAssets = layout.buildDirectory.dir("generated/landmark-model-assets")
val copyLandmarkModel by tasks.registering(Copy::class) {
    from(rootProject.file("../models/face_landmark_192.onnx"))
    from(rootProject.file("../models/face_detection_front_128x128_barracuda.onnx"))
    into(landmarkModelAssets)
}
tasks.named("preBuild") { dependsOn(copyLandmarkModel) }

android {
    namespace = "com.smartenroll.sample"
    compileSdk = 35

    defaultConfig {
        applicationId = "com.smartenroll.sample"
        minSdk = 24
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
        buildConfigField("String", "SMART_ENROLL_PROJECT_ID", "\"${setting("smartEnroll.projectId", "")}\"")
        buildConfigField("String", "SMART_ENROLL_FLOW_ID", "\"${setting("smartEnroll.flowId", "")}\"")
    }

    buildTypes {
        debug {
            // The sandbox on the development machine, as the emulator sees it.
            buildConfigField("String", "SMART_ENROLL_API_URL", "\"${setting("smartEnroll.apiUrl", "http://10.0.2.2:8080")}\"")
        }
        release {
            // Release builds are HTTPS-only: point them at your real Smart Enroll API.
            buildConfigField("String", "SMART_ENROLL_API_URL", "\"${setting("smartEnroll.releaseApiUrl", "https://api.verifik.co")}\"")
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
        }
    }

    sourceSets {
        getByName("main") {
            assets.srcDir(landmarkModelAssets)
        }
    }

    buildFeatures {
        compose = true
        buildConfig = true
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin {
    jvmToolchain(17)
}

dependencies {
    implementation(project(":logic"))
    // The SDK AAR (built from bindings/android, see settings.gradle.kts).
    implementation("com.smartenroll:smart-enroll-android:0.1.0")
    // ONNX Runtime for the on-device face detector: the SDK loads libonnxruntime.so by name.
    implementation("com.microsoft.onnxruntime:onnxruntime-android:1.20.0")

    implementation(platform("androidx.compose:compose-bom:2024.12.01"))
    implementation("androidx.compose.ui:ui")
    implementation("androidx.compose.material3:material3")
    implementation("androidx.activity:activity-compose:1.9.3")
    implementation("androidx.lifecycle:lifecycle-viewmodel-compose:2.8.7")
    implementation("androidx.lifecycle:lifecycle-runtime-compose:2.8.7")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.10.2")

    val camerax = "1.4.1"
    implementation("androidx.camera:camera-core:$camerax")
    implementation("androidx.camera:camera-camera2:$camerax")
    implementation("androidx.camera:camera-lifecycle:$camerax")
    implementation("androidx.camera:camera-view:$camerax")
    // On-device OCR for the document screen's MRZ (the SDK's TextRecognizer): bundled Latin model.
    implementation("com.google.mlkit:text-recognition:16.0.1")
}
