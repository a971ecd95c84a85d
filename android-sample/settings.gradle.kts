// Smart Enroll Android sample: a Compose app (`:app`) over a framework-free logic module (`:logic`).
// Both depend on the Smart Enroll Android library (the AAR that scripts/build-android.sh builds,
// see android-sample/README.md, "Run the Android sample on an emulator").
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

rootProject.name = "smart-enroll-sample"
include(":app", ":logic")

// The Smart Enroll Android library (bindings/android: generated Kotlin + adapters + the native
// libraries that scripts/build-android.sh puts in target/bindings/android). Including its build
// makes Gradle build the AAR and substitute it for com.smartenroll:smart-enroll-android.
includeBuild("../bindings/android")
