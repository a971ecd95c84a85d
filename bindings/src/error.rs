//! The one FFI error type. Every core error becomes a [`SmartEnrollError`] in this one file:
//! `impl From<core::EnrollError>` (the flow) and `impl From<PrefilterError>` (the prefilter).
//! Kotlin sees it as the sealed class `SmartEnrollException` (one subclass per variant), Swift
//! as the enum `SmartEnrollError`.
//!
//! No variant carries personal data (codes, tokens, e-mails, phones, names, images): only HTTP
//! statuses, the API's error tokens, field and step names. No field is named `message` (it would
//! clash with `Throwable.message` in Kotlin); free text is in `reason`/`detail`.

use smart_enroll_core as core;

/// Why an SDK call failed. Mirrors the core's error one to one, plus `Internal`.
#[derive(Debug, Clone, PartialEq, thiserror::Error, uniffi::Error)]
pub enum SmartEnrollError {
    /// The server could not be reached or the connection broke; retry later.
    #[error("network error: {detail}")]
    Network { detail: String },
    /// The request timed out; retry later.
    #[error("request timed out: {detail}")]
    Timeout { detail: String },
    /// The server failed (5xx) with its error token.
    #[error("server error {status} ({code})")]
    Server { status: u16, code: String },
    /// Too many requests (e.g. the one-time-code resend cooldown); retry after `retry_after_ms`
    /// when known.
    #[error("rate limited ({code})")]
    RateLimited {
        code: String,
        retry_after_ms: Option<u64>,
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
    #[error("liveness check failed")]
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
    #[error("the enrollment session expired ({reason})")]
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
    Rejected { status: u16, code: String },
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
    #[error("certificate pin mismatch for {host}")]
    CertificatePinMismatch { host: String },
    /// The server's certificate was refused (unknown issuer, expired, wrong host name). A
    /// private CA can be trusted with `ClientConfig.extraRootCertificatesPem`. Not retried.
    #[error("untrusted server certificate for {host}: {reason}")]
    UntrustedCertificate { host: String, reason: String },
    /// The prefilter's face detector could not be loaded (ONNX Runtime or model missing or
    /// broken); the prefilter can still run in quality-only mode.
    #[error("face detector unavailable: {reason}")]
    FaceDetectorUnavailable { reason: String },
    /// A bug inside the SDK, including a caught Rust panic. Safe to report.
    #[error("internal error: {reason}")]
    Internal { reason: String },
}

impl From<core::EnrollError> for SmartEnrollError {
    fn from(e: core::EnrollError) -> Self {
        use core::EnrollError as E;
        match e {
            E::Network { detail } => Self::Network { detail },
            E::Timeout { detail } => Self::Timeout { detail },
            E::Server { status, code } => Self::Server { status, code },
            E::RateLimited {
                code,
                retry_after_ms,
            } => Self::RateLimited {
                code,
                retry_after_ms,
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
            E::Rejected { status, code } => Self::Rejected { status, code },
            E::InvalidState { reason } => Self::InvalidState { reason },
            E::MalformedResponse { reason } => Self::MalformedResponse { reason },
            E::Cancelled => Self::Cancelled,
            E::Config { reason } => Self::Config { reason },
            E::CertificatePinMismatch { host } => Self::CertificatePinMismatch { host },
            E::UntrustedCertificate { host, reason } => Self::UntrustedCertificate { host, reason },
        }
    }
}

impl From<core::prefilter::PrefilterError> for SmartEnrollError {
    fn from(e: core::prefilter::PrefilterError) -> Self {
        use core::prefilter::PrefilterError as P;
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

    #[test]
    fn every_core_error_maps_without_personal_data() {
        let cases = [
            core::EnrollError::OtpMismatch,
            core::EnrollError::InvalidInput {
                field: "email".into(),
                reason: "is not an e-mail address".into(),
            },
            core::EnrollError::RateLimited {
                code: "otp_resend_cooldown".into(),
                retry_after_ms: Some(42_000),
            },
            core::EnrollError::LivenessFailed { score: Some(0.4) },
            core::EnrollError::Cancelled,
        ];
        for e in cases {
            let shown = e.to_string();
            let ffi = SmartEnrollError::from(e);
            assert!(!ffi.to_string().is_empty());
            assert!(!shown.contains('@'));
        }
        assert_eq!(
            SmartEnrollError::from(core::EnrollError::RateLimited {
                code: "otp_resend_cooldown".into(),
                retry_after_ms: Some(42_000)
            }),
            SmartEnrollError::RateLimited {
                code: "otp_resend_cooldown".into(),
                retry_after_ms: Some(42_000)
            }
        );
    }
}
