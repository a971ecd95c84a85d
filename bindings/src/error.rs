//! The one FFI error type. Every core error becomes a [`SmartEnrollError`] in exactly one place
//! (`impl From<smart_enroll_core::EnrollError>` below). Kotlin sees it as
//! `SmartEnrollException` (one subclass per variant), Swift as `SmartEnrollError`.
//!
//! No variant carries personal data (codes, tokens, e-mails, phones, names, images), and no
//! field is named `message` (it would clash with `Throwable.message` in Kotlin).

/// Why an SDK call failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error, uniffi::Error)]
pub enum SmartEnrollError {
    /// An argument was rejected before anything was sent (bad e-mail format, empty image...).
    #[error("invalid input ({field}): {reason}")]
    InvalidInput { field: String, reason: String },
    /// The operation is not allowed in the session's current state.
    #[error("not allowed now: {reason}")]
    InvalidState { reason: String },
    /// The network failed or timed out; the operation can be retried.
    #[error("network error: {reason}")]
    Network { reason: String },
    /// The registrant session is no longer valid (401/403, expired token): start again.
    #[error("session expired or unauthorized")]
    SessionExpired,
    /// The one-time code did not match.
    #[error("the code does not match")]
    WrongCode,
    /// The one-time code expired: resend it.
    #[error("the code has expired")]
    CodeExpired,
    /// Too many attempts (codes, documents or selfies); `reason` says which limit.
    #[error("too many attempts: {reason}")]
    TooManyAttempts { reason: String },
    /// A resend was asked too soon; retry after `retry_after_secs`.
    #[error("resend not allowed yet; retry after {retry_after_secs} s")]
    ResendCooldown { retry_after_secs: u64 },
    /// This e-mail or phone is already registered in the project.
    #[error("already registered ({channel})")]
    AlreadyRegistered { channel: String },
    /// The server rejected the selfie's liveness; `score` when the server gave one.
    #[error("liveness check failed")]
    LivenessFailed { score: Option<f64> },
    /// The face already belongs to another registrant.
    #[error("this face is already enrolled")]
    FaceAlreadyExists,
    /// An image was rejected (format, size, unreadable).
    #[error("image rejected: {reason}")]
    ImageRejected { reason: String },
    /// Any other server error: the HTTP status and the API's error token (never personal data).
    #[error("server error {status}: {code}")]
    Server { status: u16, code: String },
    /// The operation was cancelled (session cancelled, or the caller's coroutine/task was).
    #[error("cancelled")]
    Cancelled,
    /// A bug inside the SDK (including a caught panic); safe to report.
    #[error("internal error: {reason}")]
    Internal { reason: String },
}
