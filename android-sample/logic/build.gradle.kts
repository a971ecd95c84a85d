// The sample's framework-free logic: plain Kotlin (no android.* imports) over the Smart Enroll
// bindings and kotlinx-coroutines. It is an Android library module only so that it can depend
// on the SDK's AAR; nothing in it uses the Android framework.
//
// Its host tests (src/test/kotlin) run against the real host-built SDK library and a real
// sandbox server, which Gradle does not set up: scripts/checks/40-samples.sh compiles and runs
// them (from the repository root: scripts/test.sh). Gradle's unit-test task is switched off.
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

kotlin {
    jvmToolchain(17)
}

tasks.withType<Test>().configureEach {
    enabled = false
}

dependencies {
    api("com.smartenroll:smart-enroll-android:0.1.0")
    api("org.jetbrains.kotlinx:kotlinx-coroutines-core:1.10.2")
    // The host tests compile in Gradle too (`./gradlew build`); they run from the check script.
    testImplementation("junit:junit:4.13.2")
}
