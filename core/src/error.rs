//! The one public error type, its categories, and the mapping from the API's error envelope
//! (`{code, message: "NNN:token[@score]"}`, contract §3).
//!
//! Error messages never contain personal data: only HTTP statuses, the server's error tokens
//! (like `otp_does_not_match`), field names and step names.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Every error the SDK core returns.
///
/// Its category, [`ErrorCategory`] (one variant per error variant, same names and docs), is
/// derived from this enum (`strum::EnumDiscriminants`), so the two cannot drift apart.
#[derive(Debug, Clone, PartialEq, thiserror::Error, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(ErrorCategory),
    doc = "Broad class of an [`EnrollError`], for UI decisions and analytics: one per variant.",
    derive(Hash, Serialize, Deserialize, strum::EnumIter, strum::IntoStaticStr)
)]
pub enum EnrollError {
    /// The server could not be reached or the connection broke.
    #[error("network error: {detail}")]
    Network {
        /// What failed (no personal data).
        detail: String,
    },
    /// The request timed out.
    #[error("request timed out: {detail}")]
    Timeout {
        /// What timed out (no personal data).
        detail: String,
    },
    /// The server failed with a 5xx status.
    #[error("server error {status} ({code})")]
    Server {
        /// HTTP status.
        status: u16,
        /// The server's error token.
        code: String,
    },
    /// Too many requests; retry after the given delay when known.
    #[error("rate limited ({code}){}", retry_hint(*.retry_after_ms))]
    RateLimited {
        /// The server's error token, e.g. `otp_resend_cooldown`.
        code: String,
        /// The server's `Retry-After`, in milliseconds.
        retry_after_ms: Option<u64>,
    },
    /// Bad input (checked locally before any request, or rejected by the server).
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The field name (`email`, `phone`, `countryCode`, `otp`, `image`, ...).
        field: String,
        /// The rule that was broken (never the value).
        reason: String,
    },
    /// The one-time code does not match; the user may type it again.
    #[error("the one-time code does not match")]
    OtpMismatch,
    /// Too many wrong codes: request a new code (resend).
    #[error("too many wrong codes: request a new code")]
    OtpLocked,
    /// The code expired: request a new code (resend).
    #[error("the one-time code expired: request a new code")]
    OtpExpired,
    /// The selfie failed the server's liveness check.
    #[error("liveness check failed{}", score_hint(*.score))]
    LivenessFailed {
        /// The liveness score the server reported (`liveness_failed@0.45`).
        score: Option<f64>,
    },
    /// The face is already enrolled in this project.
    #[error("this face is already registered in the project")]
    FaceAlreadyExists,
    /// The attempt limit for a step was reached.
    #[error("no attempts left for step {step}")]
    AttemptsExhausted {
        /// The step (`document`, `liveness`, `emailOtp`, ...).
        step: String,
    },
    /// The email or phone is already registered; the integrator's backend can recover the
    /// registration with resend-link.
    #[error("this {field} is already registered in the project")]
    AlreadyRegistered {
        /// `email` or `phone`.
        field: String,
    },
    /// The registrant token expired or was rejected. Start a new enrollment, or have your
    /// backend call resend-link (client token) and restore the snapshot with the new token.
    #[error(
        "the enrollment session expired ({reason}): start a new enrollment, or have your backend call resend-link and restore the snapshot with the new token"
    )]
    SessionExpired {
        /// Why (`token exp claim passed`, `server answered 403`).
        reason: String,
    },
    /// The project, flow or registration does not exist.
    #[error("not found ({code})")]
    NotFound {
        /// The server's error token.
        code: String,
    },
    /// The client token is not allowed to do this.
    #[error("forbidden ({code})")]
    Forbidden {
        /// The server's error token.
        code: String,
    },
    /// The project has no credits or plan for this operation.
    #[error("payment required ({code})")]
    PaymentRequired {
        /// The server's error token.
        code: String,
    },
    /// Any other client error from the server.
    #[error("rejected by the server: {status} ({code})")]
    Rejected {
        /// HTTP status.
        status: u16,
        /// The server's error token.
        code: String,
    },
    /// The call does not fit the session's current state.
    #[error("invalid state: {reason}")]
    InvalidState {
        /// What was expected.
        reason: String,
    },
    /// The server's answer is not a valid response (HTML, truncated JSON, wrong types).
    #[error("malformed response: {reason}")]
    MalformedResponse {
        /// What was wrong (no body content).
        reason: String,
    },
    /// The operation was cancelled.
    #[error("cancelled")]
    Cancelled,
    /// The client configuration is invalid.
    #[error("configuration error: {reason}")]
    Config {
        /// What is wrong.
        reason: String,
    },
    /// The server's certificate chain verified, but none of its certificates has a public key
    /// in `ClientConfig::pinned_public_keys`: the connection may be intercepted. A security
    /// failure, never retried.
    #[error(
        "certificate pin mismatch for {host}: no certificate of the server's verified chain has a pinned public key"
    )]
    CertificatePinMismatch {
        /// The API host.
        host: String,
    },
    /// The server's certificate was refused: not issued by a trusted root (add a private CA with
    /// `ClientConfig::extra_root_certificates_pem`), expired, or not valid for the host. Not
    /// retried.
    #[error("untrusted server certificate for {host}: {reason}")]
    UntrustedCertificate {
        /// The API host.
        host: String,
        /// Why it was refused.
        reason: String,
    },
}

/// `"; retry after N ms"` when the server said how long to wait, else nothing.
fn retry_hint(retry_after_ms: Option<u64>) -> String {
    retry_after_ms
        .map(|ms| format!("; retry after {ms} ms"))
        .unwrap_or_default()
}

/// `" (score 0.45)"` when the server gave a score, else nothing.
fn score_hint(score: Option<f64>) -> String {
    score.map(|s| format!(" (score {s})")).unwrap_or_default()
}

impl EnrollError {
    /// The error's category.
    pub fn category(&self) -> ErrorCategory {
        ErrorCategory::from(self)
    }

    /// Whether the same call may succeed if simply tried again later (network trouble,
    /// timeouts, 5xx, rate limiting). The client already retried these where safe.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.category(),
            ErrorCategory::Network
                | ErrorCategory::Timeout
                | ErrorCategory::Server
                | ErrorCategory::RateLimited
        )
    }

    pub(crate) fn invalid_state(reason: impl Into<String>) -> Self {
        EnrollError::InvalidState {
            reason: reason.into(),
        }
    }

    pub(crate) fn malformed(reason: impl Into<String>) -> Self {
        EnrollError::MalformedResponse {
            reason: reason.into(),
        }
    }
}

impl From<crate::validate::ValidationError> for EnrollError {
    fn from(e: crate::validate::ValidationError) -> Self {
        EnrollError::InvalidInput {
            field: e.field().as_str().to_owned(),
            reason: e.to_string(),
        }
    }
}

/// A normalised API error (contract §3): status, token and optional score.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiFailure {
    pub status: u16,
    pub token: String,
    pub score: Option<f64>,
    pub retry_after: Option<Duration>,
}

/// Which token authenticated the failing call: a 401/403 means an ended session for a
/// registrant call, and a permission problem for a client-token call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthKind {
    None,
    Client,
    Registrant,
}

fn default_token(status: u16) -> &'static str {
    match status {
        400 => "BadRequest",
        401 => "Unauthorized",
        402 => "PaymentRequired",
        403 => "Forbidden",
        404 => "NotFound",
        409 => "Conflict",
        412 => "PreconditionFailed",
        413 => "PayloadTooLarge",
        422 => "UnprocessableEntity",
        423 => "Locked",
        429 => "TooManyRequests",
        504 => "Timeout",
        s if s >= 500 => "ServerError",
        _ => "Unknown",
    }
}

/// Keeps an error token only if it looks like a token (no spaces, short), so free-text messages
/// that might echo input never reach `EnrollError`'s Display.
fn sanitize_token(t: &str) -> Option<String> {
    let t = t.trim();
    let ok = !t.is_empty()
        && t.len() <= 80
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
    ok.then(|| t.to_owned())
}

/// Normalises an error response per contract §3: status from HTTP, else `body.status`, else the
/// `NNN:` prefix; token after `NNN:` without `@score`, else `code`, else a default by status.
/// Never fails: unparseable bodies (HTML, truncated JSON) keep the HTTP status and a default
/// token.
pub(crate) fn parse_failure(
    http_status: u16,
    body: &[u8],
    retry_after: Option<Duration>,
) -> ApiFailure {
    /// Any of the §3 error shapes, each field of any JSON type (read leniently below).
    #[derive(serde::Deserialize)]
    struct RawError {
        code: Option<serde_json::Value>,
        message: Option<serde_json::Value>,
        status: Option<serde_json::Value>,
    }
    let raw: Option<RawError> = serde_json::from_slice(body).ok();
    let code = raw
        .as_ref()
        .and_then(|r| r.code.as_ref())
        .and_then(|c| c.as_str())
        .and_then(sanitize_token);
    let message = raw
        .as_ref()
        .and_then(|r| r.message.as_ref())
        .and_then(|m| m.as_str());
    let mut prefix_status = None;
    let mut token = None;
    let mut score = None;
    if let Some(msg) = message
        && let Some((num, rest)) = msg.split_once(':')
        && num.len() == 3
        && let Ok(n) = num.parse::<u16>()
    {
        prefix_status = Some(n);
        // `token@score`: only a numeric suffix is a score; anything else keeps the whole text
        // (which then fails the token check if it is free text).
        let (tok, sc) = match rest.rsplit_once('@') {
            Some((t, s)) => match s.trim().parse::<f64>() {
                Ok(v) => (t, Some(v)),
                Err(_) => (rest, None),
            },
            None => (rest, None),
        };
        token = sanitize_token(tok);
        score = sc.filter(|s| s.is_finite());
    }
    let body_status = raw.as_ref().and_then(|r| r.status.as_ref()).and_then(|s| {
        s.as_u64()
            .or_else(|| s.as_str().and_then(|s| s.parse().ok()))
    });
    let status = if (100..=599).contains(&http_status) {
        http_status
    } else {
        body_status
            .and_then(|s| u16::try_from(s).ok())
            .or(prefix_status)
            .unwrap_or(500)
    };
    let token = token
        .or(code)
        .unwrap_or_else(|| default_token(status).to_owned());
    ApiFailure {
        status,
        token,
        score,
        retry_after,
    }
}

/// Maps a normalised failure to the public error. `step` names the step for attempt errors.
pub(crate) fn map_failure(f: &ApiFailure, auth: AuthKind, step: &str) -> EnrollError {
    let t = f.token.as_str();
    let lower = t.to_ascii_lowercase();
    let code = f.token.clone();
    match lower.as_str() {
        "otp_does_not_match" => return EnrollError::OtpMismatch,
        "otp_attempts_exceeded" => return EnrollError::OtpLocked,
        "emailvalidation_has_expired" | "phonevalidation_has_expired" => {
            return EnrollError::OtpExpired;
        }
        "liveness_failed" => return EnrollError::LivenessFailed { score: f.score },
        "face_already_exists" => return EnrollError::FaceAlreadyExists,
        "max_attempts_reached" => {
            return EnrollError::AttemptsExhausted {
                step: step.to_owned(),
            };
        }
        "email_is_registered_already" => {
            return EnrollError::AlreadyRegistered {
                field: "email".into(),
            };
        }
        "phone_is_registered_already" => {
            return EnrollError::AlreadyRegistered {
                field: "phone".into(),
            };
        }
        "paymentrequired"
        | "insufficient_credits"
        | "plan_not_found"
        | "cliensmartenrollplan_not_found"
        | "clientsmartenrollplan_not_found"
        | "feature_not_available" => return EnrollError::PaymentRequired { code },
        "only_images_in_base64"
        | "image_too_large"
        | "could_not_compress_image"
        | "image_is_required"
        | "insecure_image_url" => {
            return EnrollError::InvalidInput {
                field: "image".into(),
                reason: code,
            };
        }
        _ => {}
    }
    match f.status {
        401 | 403 if auth == AuthKind::Registrant => EnrollError::SessionExpired {
            reason: format!("server answered {} ({code})", f.status),
        },
        401 | 403 => EnrollError::Forbidden { code },
        402 => EnrollError::PaymentRequired { code },
        404 => EnrollError::NotFound { code },
        408 => EnrollError::Timeout {
            detail: format!("server answered 408 ({code})"),
        },
        423 => EnrollError::AttemptsExhausted {
            step: step.to_owned(),
        },
        429 => EnrollError::RateLimited {
            code,
            retry_after_ms: f
                .retry_after
                .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        },
        s if s >= 500 => EnrollError::Server { status: s, code },
        s => EnrollError::Rejected { status: s, code },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail(status: u16, body: &str) -> ApiFailure {
        parse_failure(status, body.as_bytes(), None)
    }

    #[test]
    fn rate_limited_display_says_the_wait_only_when_known() {
        let known = EnrollError::RateLimited {
            code: "otp_resend_cooldown".into(),
            retry_after_ms: Some(60_000),
        };
        assert_eq!(
            known.to_string(),
            "rate limited (otp_resend_cooldown); retry after 60000 ms"
        );
        let unknown = EnrollError::RateLimited {
            code: "TooManyRequests".into(),
            retry_after_ms: None,
        };
        assert_eq!(unknown.to_string(), "rate limited (TooManyRequests)");
    }

    #[test]
    fn colon_coded() {
        let f = fail(
            404,
            r#"{"code":"project_not_found","message":"404:project_not_found"}"#,
        );
        assert_eq!(f.status, 404);
        assert_eq!(f.token, "project_not_found");
        assert_eq!(
            map_failure(&f, AuthKind::None, "x"),
            EnrollError::NotFound {
                code: "project_not_found".into()
            }
        );
    }

    #[test]
    fn scored_liveness() {
        let f = fail(
            409,
            r#"{"code":"liveness_failed","message":"409:liveness_failed@0.45"}"#,
        );
        assert_eq!(f.token, "liveness_failed");
        assert_eq!(f.score, Some(0.45));
        assert_eq!(
            map_failure(&f, AuthKind::Registrant, "liveness"),
            EnrollError::LivenessFailed { score: Some(0.45) }
        );
    }

    #[test]
    fn status_from_body_or_prefix_when_http_status_missing() {
        let f = fail(0, r#"{"code":"x","message":"409:already_exists"}"#);
        assert_eq!(f.status, 409);
        assert_eq!(f.token, "already_exists");
        let f = fail(0, r#"{"code":"x","status":412,"message":"409:a"}"#);
        assert_eq!(f.status, 412);
    }

    #[test]
    fn missing_parameter_and_generic() {
        let f = fail(
            409,
            r#"{"code":"MissingParameter","message":"missing project\n. missing email"}"#,
        );
        assert_eq!(f.token, "MissingParameter");
        assert!(matches!(
            map_failure(&f, AuthKind::None, "x"),
            EnrollError::Rejected { status: 409, .. }
        ));
        let f = fail(403, r#"{"code":"Forbidden","message":"Access forbidden"}"#);
        assert_eq!(f.token, "Forbidden");
        assert!(matches!(
            map_failure(&f, AuthKind::Registrant, "x"),
            EnrollError::SessionExpired { .. }
        ));
        assert!(matches!(
            map_failure(&f, AuthKind::Client, "x"),
            EnrollError::Forbidden { .. }
        ));
    }

    #[test]
    fn defaults_for_html_and_garbage() {
        let f = fail(502, "<html><body>Bad gateway</body></html>");
        assert_eq!(f.token, "ServerError");
        assert!(map_failure(&f, AuthKind::None, "x").is_retryable());
        let f = fail(402, "{\"code\":");
        assert_eq!(f.token, "PaymentRequired");
        assert!(matches!(
            map_failure(&f, AuthKind::None, "x"),
            EnrollError::PaymentRequired { .. }
        ));
    }

    #[test]
    fn free_text_codes_are_dropped() {
        let f = fail(
            409,
            r#"{"code":"jane@example.com is bad","message":"409:jane@example.com is bad"}"#,
        );
        assert!(!f.token.contains("jane"));
        let e = map_failure(&f, AuthKind::None, "x");
        assert!(!e.to_string().contains("jane"));
    }

    #[test]
    fn otp_and_limits() {
        let cases = [
            (403, "otp_does_not_match", ErrorCategory::OtpMismatch),
            (423, "otp_attempts_exceeded", ErrorCategory::OtpLocked),
            (
                412,
                "emailValidation_has_expired",
                ErrorCategory::OtpExpired,
            ),
            (
                423,
                "max_attempts_reached",
                ErrorCategory::AttemptsExhausted,
            ),
            (409, "Face_already_exists", ErrorCategory::FaceAlreadyExists),
            (
                409,
                "email_is_registered_already",
                ErrorCategory::AlreadyRegistered,
            ),
            (402, "insufficient_credits", ErrorCategory::PaymentRequired),
            (413, "image_too_large", ErrorCategory::InvalidInput),
            (429, "otp_resend_cooldown", ErrorCategory::RateLimited),
            (503, "unavailable", ErrorCategory::Server),
        ];
        for (status, token, cat) in cases {
            let body = format!(r#"{{"code":"X","message":"{status}:{token}"}}"#);
            let f = fail(status, &body);
            assert_eq!(
                map_failure(&f, AuthKind::Registrant, "s").category(),
                cat,
                "{token}"
            );
        }
    }

    #[test]
    fn retry_after_is_reported() {
        let f = parse_failure(
            429,
            br#"{"code":"TooManyRequests","message":"429:otp_resend_cooldown"}"#,
            Some(Duration::from_secs(42)),
        );
        assert_eq!(
            map_failure(&f, AuthKind::Registrant, "emailOtp"),
            EnrollError::RateLimited {
                code: "otp_resend_cooldown".into(),
                retry_after_ms: Some(42_000)
            }
        );
    }
}
