#![doc = include_str!("../README.md")]

uniffi::setup_scaffolding!("smart_enroll");

#[cfg(target_os = "android")]
mod android;
pub mod document;
pub mod error;
#[cfg(feature = "test-hooks")]
pub mod hooks;
mod live;
pub mod logging;
pub mod prefilter;
mod runtime;
pub mod session;
pub mod types;

pub use error::SmartEnrollError;
pub use session::{EnrollmentSession, ObserverHandle, SmartEnrollClient, StateObserver};

/// The SDK version (the crate version), e.g. `0.1.0`.
#[uniffi::export]
pub fn sdk_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
