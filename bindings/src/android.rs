//! Android: the JNI entry point behind `initAndroid(context)` (Kotlin,
//! `bindings/android/src/main/kotlin/com/smartenroll/sdk/SmartEnrollAndroid.kt`). UniFFI cannot
//! pass an Android `Context`, so this one function is plain JNI, as rustls-platform-verifier
//! documents: it hands the JVM and the app's `Context` to the platform verifier (the device's
//! trust store) once per process. Until it ran, creating a client fails with a `Config` error.

use jni::EnvUnowned;
use jni::errors::ThrowRuntimeExAndDefault;
use jni::objects::{JClass, JObject};

/// `SmartEnrollAndroid.nativeInit(context)`: a failure is thrown to Kotlin as a
/// `RuntimeException`; a panic is caught by `with_env` and thrown the same way.
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_smartenroll_sdk_SmartEnrollAndroid_nativeInit<'local>(
    mut unowned_env: EnvUnowned<'local>,
    _class: JClass<'local>,
    context: JObject<'local>,
) {
    unowned_env
        .with_env(|env| smart_enroll_core::init_android(env, context))
        .resolve::<ThrowRuntimeExAndDefault>();
}
