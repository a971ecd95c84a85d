//! The one FFI error type. Every core error becomes a [`SmartEnrollError`] in this one file:
//! `impl From<smart_enroll_core::EnrollError>` (the flow), `impl From<PrefilterError>` (the
//! prefilter), `impl From<DocumentError>` and `impl From<TextRecognizerError>` (the document
//! capture and the app's OCR). Kotlin sees it as the sealed class `SmartEnrollException` (one subclass per
//! variant), Swift as the enum `SmartEnrollError`.
//!
//! Its `Display` text is the core error's (a test checks every variant), exported to the
//! bindings: Kotlin's `message` (see `bindings/uniffi-bindgen`, which points the generated
//! `message` at it) and Swift's `description` / `localizedDescription` / `message`. The
//! category, [`ErrorCategory`], is derived from this enum (`strum::EnumDiscriminants`).
//!
//! No variant carries personal data (codes, tokens, e-mails, phones, names, images): only HTTP
//! statuses, the API's error tokens, field and step names. No field is named `message` (it would
//! clash with `Throwable.message` in Kotlin); free text is in `reason`/`detail`.

use std::str::FromStr;

use smart_enroll_core::prefilter::PrefilterError;
use smart_enroll_core::{EnrollError, ErrorCategory as CoreErrorCategory};
use smart_enroll_document::DocumentError;

/// Why an SDK call failed. Mirrors the core's error one to one, plus `FaceDetectorUnavailable`,
/// `TextRecognitionFailed` and `Internal`. The message (Kotlin `message`, Swift `description`) is the human-readable
/// English text of the error, without personal data.
#[derive(Debug, Clone, PartialEq, thiserror::Error, uniffi::Error, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(ErrorCategory),
    doc = "Broad class of a failure (one per `SmartEnrollError` variant), for analytics and UI decisions.",
    derive(uniffi::Enum, strum::EnumString, strum::IntoStaticStr, strum::EnumIter)
)]
#[uniffi::export(Display)]
pub enum SmartEnrollError {
    /// The server could not be reached or the connection broke; retry later.
    #[error("network error: {detail}")]
    Network { detail: String },
    /// The request timed out; retry later.
    #[error("request timed out: {detail}")]
    Timeout { detail: String },
    /// The server failed (5xx) with its error token.
    #[error("server error {status} ({code})")]
    Server { status: i32, code: String },
    /// Too many requests (e.g. the one-time-code resend cooldown); retry after `retry_after_ms`
    /// when known.
    #[error("rate limited ({code}){}", retry_hint(*.retry_after_ms))]
    RateLimited {
        code: String,
        retry_after_ms: Option<i64>,
    },
    /// Bad input, checked locally before any request or rejected by the server. `field` names
    /// the input (`email`, `phone`, `otp`, `image`, `snapshot`...); `reason` the broken rule,
    /// never the value.
    #[error("invalid {field}: {reason}")]
    InvalidInput { field: String, reason: String },
    /// The one-time code does not match; the user may type it again.
    #[error("the one-time code does not match")]
    OtpMismatch,
    /// Too many wrong codes: request a new code (resend).
    #[error("too many wrong codes: request a new code")]
    OtpLocked,
    /// The code expired: request a new code (resend).
    #[error("the one-time code expired: request a new code")]
    OtpExpired,
    /// The selfie failed the server's liveness check (`score` when the server gave one).
    #[error("liveness check failed{}", score_hint(*.score))]
    LivenessFailed { score: Option<f64> },
    /// This face is already enrolled in the project.
    #[error("this face is already registered in the project")]
    FaceAlreadyExists,
    /// The attempt limit of a step (`document`, `liveness`, `emailOtp`...) was reached.
    #[error("no attempts left for step {step}")]
    AttemptsExhausted { step: String },
    /// This e-mail or phone (`field`) is already registered in the project. Your backend can
    /// recover that registration: resend-link, then `restoreEnrollment(snapshot, freshToken)`.
    #[error("this {field} is already registered in the project")]
    AlreadyRegistered { field: String },
    /// The registrant session expired or was rejected: start again, or have your backend call
    /// resend-link and restore the snapshot with `restoreEnrollment(snapshot, freshToken)`.
    #[error(
        "the enrollment session expired ({reason}): start a new enrollment, or have your backend call resend-link and restore the snapshot with the new token"
    )]
    SessionExpired { reason: String },
    /// The project, flow or registration does not exist.
    #[error("not found ({code})")]
    NotFound { code: String },
    /// Not allowed.
    #[error("forbidden ({code})")]
    Forbidden { code: String },
    /// The project has no credits or plan for this operation.
    #[error("payment required ({code})")]
    PaymentRequired { code: String },
    /// Any other rejection by the server (4xx).
    #[error("rejected by the server: {status} ({code})")]
    Rejected { status: i32, code: String },
    /// The call does not fit the session's current state.
    #[error("invalid state: {reason}")]
    InvalidState { reason: String },
    /// The server's answer was not a valid response.
    #[error("malformed response: {reason}")]
    MalformedResponse { reason: String },
    /// The operation was cancelled (`cancel()`, or the caller's coroutine / task was cancelled).
    #[error("cancelled")]
    Cancelled,
    /// The client configuration is invalid (bad base URL, plain HTTP not allowed, malformed
    /// pin or extra root certificate...).
    #[error("configuration error: {reason}")]
    Config { reason: String },
    /// The server's certificate chain verified, but none of its certificates has a key in
    /// `ClientConfig.pinnedPublicKeys`: the connection may be intercepted. Not retried; do not
    /// retry it either.
    #[error(
        "certificate pin mismatch for {host}: no certificate of the server's verified chain has a pinned public key"
    )]
    CertificatePinMismatch { host: String },
    /// The server's certificate was refused (unknown issuer, expired, wrong host name). A
    /// private CA can be trusted with `ClientConfig.extraRootCertificatesPem`. Not retried.
    #[error("untrusted server certificate for {host}: {reason}")]
    UntrustedCertificate { host: String, reason: String },
    /// The prefilter's face detector could not be loaded (ONNX Runtime or model missing or
    /// broken); the prefilter can still run in quality-only mode.
    #[error("face detector unavailable: {reason}")]
    FaceDetectorUnavailable { reason: String },
    /// The app's `TextRecognizer` failed (it threw) while the document capture read the MRZ
    /// of the captured page. The capture is kept: `result()` may be called again.
    #[error("text recognition failed: {reason}")]
    TextRecognitionFailed { reason: String },
    /// A bug inside the SDK, including a caught Rust panic. Safe to report.
    #[error("internal error: {reason}")]
    Internal { reason: String },
}

/// What an app's `TextRecognizer` throws when its OCR fails (Kotlin
/// `TextRecognizerException.Failed`, Swift `TextRecognizerError.Failed`). Any other exception
/// it throws arrives as `Failed` too (its text in `reason`), never as a crash. The document
/// capture reports it as [`SmartEnrollError::TextRecognitionFailed`].
#[derive(Debug, Clone, PartialEq, thiserror::Error, uniffi::Error)]
#[uniffi::export(Display)]
pub enum TextRecognizerError {
    /// The OCR failed; `reason` says why (no recognised text, no personal data).
    #[error("text recognition failed: {reason}")]
    Failed { reason: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for TextRecognizerError {
    /// An exception of another type thrown by the app's recognizer.
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Failed {
            reason: format!("the recognizer threw: {}", e.reason),
        }
    }
}

impl From<TextRecognizerError> for SmartEnrollError {
    fn from(e: TextRecognizerError) -> Self {
        match e {
            TextRecognizerError::Failed { reason } => Self::TextRecognitionFailed { reason },
        }
    }
}

impl From<DocumentError> for SmartEnrollError {
    fn from(e: DocumentError) -> Self {
        use DocumentError as D;
        let reason = e.to_string();
        match e {
            D::Frame(_) => Self::InvalidInput {
                field: "frame".into(),
                reason,
            },
            D::ImageDecode { .. } => Self::InvalidInput {
                field: "image".into(),
                reason,
            },
            D::InvalidConfig { .. } => Self::InvalidInput {
                field: "documentCaptureConfig".into(),
                reason,
            },
            D::TextRecognition { reason } => Self::TextRecognitionFailed { reason },
            D::Encode { .. } => Self::Internal { reason },
        }
    }
}

/// `"; retry after N ms"` when the server said how long to wait (as the core's text).
fn retry_hint(retry_after_ms: Option<i64>) -> String {
    retry_after_ms
        .map(|ms| format!("; retry after {ms} ms"))
        .unwrap_or_default()
}

/// `" (score 0.45)"` when the server gave a score (as the core's text).
fn score_hint(score: Option<f64>) -> String {
    score.map(|s| format!(" (score {s})")).unwrap_or_default()
}

/// A `u64` count or time for the bindings' signed types (no JVM/Java-friendly unsigned).
pub(crate) fn signed(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

#[uniffi::export]
impl SmartEnrollError {
    /// The error's category (e.g. for analytics, or to pick a screen).
    pub fn category(&self) -> ErrorCategory {
        ErrorCategory::from(self)
    }
}

impl From<CoreErrorCategory> for ErrorCategory {
    /// By name: both enums are derived from their error enums, whose variants have the same
    /// names (`a_core_category_maps_to_the_same_named_ffi_category` checks every one).
    fn from(c: CoreErrorCategory) -> Self {
        let name: &'static str = c.into();
        ErrorCategory::from_str(name).unwrap_or(ErrorCategory::Internal)
    }
}

impl From<EnrollError> for SmartEnrollError {
    fn from(e: EnrollError) -> Self {
        use EnrollError as E;
        match e {
            E::Network { detail } => Self::Network { detail },
            E::Timeout { detail } => Self::Timeout { detail },
            E::Server { status, code } => Self::Server {
                status: i32::from(status),
                code,
            },
            E::RateLimited {
                code,
                retry_after_ms,
            } => Self::RateLimited {
                code,
                retry_after_ms: retry_after_ms.map(signed),
            },
            E::InvalidInput { field, reason } => Self::InvalidInput { field, reason },
            E::OtpMismatch => Self::OtpMismatch,
            E::OtpLocked => Self::OtpLocked,
            E::OtpExpired => Self::OtpExpired,
            E::LivenessFailed { score } => Self::LivenessFailed { score },
            E::FaceAlreadyExists => Self::FaceAlreadyExists,
            E::AttemptsExhausted { step } => Self::AttemptsExhausted { step },
            E::AlreadyRegistered { field } => Self::AlreadyRegistered { field },
            E::SessionExpired { reason } => Self::SessionExpired { reason },
            E::NotFound { code } => Self::NotFound { code },
            E::Forbidden { code } => Self::Forbidden { code },
            E::PaymentRequired { code } => Self::PaymentRequired { code },
            E::Rejected { status, code } => Self::Rejected {
                status: i32::from(status),
                code,
            },
            E::InvalidState { reason } => Self::InvalidState { reason },
            E::MalformedResponse { reason } => Self::MalformedResponse { reason },
            E::Cancelled => Self::Cancelled,
            E::Config { reason } => Self::Config { reason },
            E::CertificatePinMismatch { host } => Self::CertificatePinMismatch { host },
            E::UntrustedCertificate { host, reason } => Self::UntrustedCertificate { host, reason },
        }
    }
}

impl From<PrefilterError> for SmartEnrollError {
    fn from(e: PrefilterError) -> Self {
        use PrefilterError as P;
        let reason = e.to_string();
        match e {
            P::Frame(_) => Self::InvalidInput {
                field: "frame".into(),
                reason,
            },
            P::ImageDecode { .. } => Self::InvalidInput {
                field: "image".into(),
                reason,
            },
            P::Config { .. } => Self::InvalidInput {
                field: "captureConfig".into(),
                reason,
            },
            P::RuntimeNotFound { .. }
            | P::RuntimeLoad { .. }
            | P::ModelMissing { .. }
            | P::ModelInvalid { .. }
            | P::DetectorUnavailable { .. } => Self::FaceDetectorUnavailable { reason },
            P::Inference { .. } | P::Encode { .. } => Self::Internal { reason },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    /// One error of each core category, with field values such as the SDK produces. The match
    /// is exhaustive: a new core error variant must be added here, and is then checked below.
    fn sample(c: CoreErrorCategory) -> EnrollError {
        use CoreErrorCategory as C;
        let s = |v: &str| v.to_owned();
        match c {
            C::Network => EnrollError::Network {
                detail: s("connection refused"),
            },
            C::Timeout => EnrollError::Timeout {
                detail: s("POST /v2/app-registrations"),
            },
            C::Server => EnrollError::Server {
                status: 503,
                code: s("service_unavailable"),
            },
            C::RateLimited => EnrollError::RateLimited {
                code: s("otp_resend_cooldown"),
                retry_after_ms: Some(42_000),
            },
            C::InvalidInput => EnrollError::InvalidInput {
                field: s("email"),
                reason: s("is not an e-mail address"),
            },
            C::OtpMismatch => EnrollError::OtpMismatch,
            C::OtpLocked => EnrollError::OtpLocked,
            C::OtpExpired => EnrollError::OtpExpired,
            C::LivenessFailed => EnrollError::LivenessFailed { score: Some(0.4) },
            C::FaceAlreadyExists => EnrollError::FaceAlreadyExists,
            C::AttemptsExhausted => EnrollError::AttemptsExhausted {
                step: s("liveness"),
            },
            C::AlreadyRegistered => EnrollError::AlreadyRegistered { field: s("email") },
            C::SessionExpired => EnrollError::SessionExpired {
                reason: s("server answered 403"),
            },
            C::NotFound => EnrollError::NotFound {
                code: s("project_not_found"),
            },
            C::Forbidden => EnrollError::Forbidden {
                code: s("forbidden"),
            },
            C::PaymentRequired => EnrollError::PaymentRequired {
                code: s("no_credits"),
            },
            C::Rejected => EnrollError::Rejected {
                status: 409,
                code: s("conflict"),
            },
            C::InvalidState => EnrollError::InvalidState {
                reason: s("already started"),
            },
            C::MalformedResponse => EnrollError::MalformedResponse {
                reason: s("missing data.token"),
            },
            C::Cancelled => EnrollError::Cancelled,
            C::Config => EnrollError::Config {
                reason: s("plain HTTP is not allowed"),
            },
            C::CertificatePinMismatch => EnrollError::CertificatePinMismatch {
                host: s("api.example.com"),
            },
            C::UntrustedCertificate => EnrollError::UntrustedCertificate {
                host: s("api.example.com"),
                reason: s("unknown issuer"),
            },
        }
    }

    #[test]
    fn every_core_error_maps_to_its_category_with_the_same_text() {
        let mut seen = 0;
        for c in CoreErrorCategory::iter() {
            let core_error = sample(c);
            assert_eq!(core_error.category(), c);
            let text = core_error.to_string();
            let ffi = SmartEnrollError::from(core_error);
            let core_name: &'static str = c.into();
            let ffi_name: &'static str = ffi.category().into();
            assert_eq!(ffi_name, core_name, "{ffi:?}");
            assert_eq!(ErrorCategory::from(c), ffi.category());
            // The message the apps see is the core's text, and never empty.
            assert_eq!(ffi.to_string(), text, "{c:?}");
            assert!(!text.is_empty());
            seen += 1;
        }
        assert_eq!(seen, CoreErrorCategory::iter().count());
        // Every FFI category but the two FFI-only ones comes from a core category.
        let from_core: Vec<ErrorCategory> =
            CoreErrorCategory::iter().map(ErrorCategory::from).collect();
        for c in ErrorCategory::iter() {
            let ffi_only = matches!(
                c,
                ErrorCategory::FaceDetectorUnavailable
                    | ErrorCategory::TextRecognitionFailed
                    | ErrorCategory::Internal
            );
            assert_eq!(from_core.contains(&c), !ffi_only, "{c:?}");
        }
    }

    #[test]
    fn typed_fields_survive_the_mapping() {
        assert_eq!(
            SmartEnrollError::from(sample(CoreErrorCategory::RateLimited)),
            SmartEnrollError::RateLimited {
                code: "otp_resend_cooldown".into(),
                retry_after_ms: Some(42_000)
            }
        );
        assert_eq!(
            SmartEnrollError::from(sample(CoreErrorCategory::Server)),
            SmartEnrollError::Server {
                status: 503,
                code: "service_unavailable".into()
            }
        );
        assert_eq!(
            SmartEnrollError::OtpMismatch.to_string(),
            "the one-time code does not match"
        );
        assert_eq!(signed(u64::MAX), i64::MAX);
    }

    #[test]
    fn prefilter_errors_map_to_input_detector_or_internal() {
        let e = SmartEnrollError::from(PrefilterError::Config {
            reason: "good_frames must be >= 1".into(),
        });
        assert_eq!(e.category(), ErrorCategory::InvalidInput);
        assert!(e.to_string().contains("good_frames"), "{e}");
    }
}
