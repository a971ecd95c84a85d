//! Client configuration: base URL, plain-HTTP policy, TLS trust (pins, extra roots), timeouts,
//! User-Agent and retries.

use crate::error::EnrollError;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// When plain `http://` base URLs are accepted. HTTPS is always accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum InsecureHttp {
    /// HTTPS only (the default; use this in release builds).
    #[default]
    Never,
    /// Plain HTTP to loopback addresses only (`127.0.0.0/8`, `::1`, `localhost`).
    Loopback,
    /// Plain HTTP to loopback and to these exact hosts, e.g. the Android emulator's `10.0.2.2`
    /// in a debug build.
    Hosts {
        /// Host names or IP addresses allowed over plain HTTP.
        hosts: Vec<String>,
    },
}

/// The device platform, sent as `os` with the selfie (`ANDROID`, `IOS`, `DESKTOP`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Platform {
    /// Android.
    Android,
    /// iOS.
    Ios,
    /// Anything else (CLI, tests).
    #[default]
    Desktop,
}

impl Platform {
    pub(crate) fn as_api(self) -> &'static str {
        match self {
            Platform::Android => "ANDROID",
            Platform::Ios => "IOS",
            Platform::Desktop => "DESKTOP",
        }
    }
}

/// Retry policy for requests that are safe to repeat: exponential backoff with full jitter,
/// `base_delay_ms * 2^attempt` capped at `max_delay_ms`. A server `Retry-After` (delay-seconds
/// or an HTTP-date) replaces the backoff when it is not longer than `max_delay_ms`; a longer one
/// is never waited for, whatever the status (429 and 5xx alike): the error is returned at once,
/// so a `503` with `Retry-After: 3600` costs one request, not an hour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    /// Retries after the first try (0 disables retries).
    pub max_retries: u32,
    /// First backoff step in milliseconds.
    pub base_delay_ms: u64,
    /// Longest single wait in milliseconds.
    pub max_delay_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay_ms: 200,
            max_delay_ms: 5_000,
        }
    }
}

/// Configuration of a [`crate::SmartEnrollClient`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientConfig {
    /// API base URL without the `/v2` part, e.g. `https://api.verifik.co`.
    pub base_url: String,
    /// When plain HTTP is accepted.
    pub allow_insecure_http: InsecureHttp,
    /// TCP+TLS connect timeout in milliseconds.
    pub connect_timeout_ms: u64,
    /// Whole-request timeout in milliseconds (uploads included).
    pub request_timeout_ms: u64,
    /// Extra User-Agent text; the SDK name and version are always sent.
    pub user_agent: Option<String>,
    /// Retry policy for requests safe to repeat.
    pub retry: RetryPolicy,
    /// The platform reported with the selfie.
    pub platform: Platform,
    /// Public-key pins, OkHttp's form: `sha256/` + base64 of the SHA-256 of a certificate's
    /// DER SubjectPublicKeyInfo (e.g. `openssl x509 -pubkey -noout | openssl pkey -pubin
    /// -outform der | openssl dgst -sha256 -binary | base64`). When not empty, an HTTPS server
    /// is accepted only if its chain verifies as usual *and* a certificate on the verified path
    /// (server certificate, intermediate or root) has one of these keys; otherwise requests
    /// fail with [`EnrollError::CertificatePinMismatch`]. Pin a backup key too. Checked by
    /// [`crate::SmartEnrollClient::new`] (a malformed pin is a `Config` error). No effect on
    /// plain HTTP.
    #[serde(default)]
    pub pinned_public_keys: Vec<String>,
    /// Extra trusted root certificates, PEM text (each entry may hold several certificates),
    /// trusted in addition to the platform's trust store (see [`crate::SmartEnrollClient`]'s
    /// TLS notes): a private CA of a staging server or of
    /// a TLS-terminating proxy. Parsed by [`crate::SmartEnrollClient::new`] (malformed PEM is a
    /// `Config` error).
    #[serde(default)]
    pub extra_root_certificates_pem: Vec<String>,
}

impl ClientConfig {
    /// A configuration with defaults: HTTPS only, 10 s connect, 60 s request, 3 retries.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            allow_insecure_http: InsecureHttp::Never,
            connect_timeout_ms: 10_000,
            request_timeout_ms: 60_000,
            user_agent: None,
            retry: RetryPolicy::default(),
            platform: Platform::Desktop,
            pinned_public_keys: Vec::new(),
            extra_root_certificates_pem: Vec::new(),
        }
    }

    /// Validates the base URL against the plain-HTTP policy and returns it parsed, without a
    /// trailing slash.
    pub(crate) fn parsed_base_url(&self) -> Result<url::Url, EnrollError> {
        let cfg = |reason: String| EnrollError::Config { reason };
        let mut u = url::Url::parse(self.base_url.trim())
            .map_err(|e| cfg(format!("base_url is not a valid URL: {e}")))?;
        if u.cannot_be_a_base() || u.host_str().is_none() {
            return Err(cfg("base_url must be an absolute http(s) URL".into()));
        }
        if u.query().is_some() || u.fragment().is_some() {
            return Err(cfg("base_url must not have a query or fragment".into()));
        }
        match u.scheme() {
            "https" => {}
            "http" => {
                let host = u.host_str().unwrap_or_default().to_owned();
                if !self.http_allowed(&host) {
                    return Err(cfg(format!(
                        "plain HTTP to {host} is not allowed: use HTTPS, or allow it in ClientConfig.allow_insecure_http (loopback, or explicit hosts such as 10.0.2.2 in debug builds)"
                    )));
                }
            }
            other => return Err(cfg(format!("unsupported URL scheme {other}"))),
        }
        let path = u.path().trim_end_matches('/').to_owned();
        u.set_path(&path);
        Ok(u)
    }

    fn http_allowed(&self, host: &str) -> bool {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let loopback = bare.eq_ignore_ascii_case("localhost")
            || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
        match &self.allow_insecure_http {
            InsecureHttp::Never => false,
            InsecureHttp::Loopback => loopback,
            InsecureHttp::Hosts { hosts } => {
                loopback || hosts.iter().any(|h| h.eq_ignore_ascii_case(bare))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_always_ok_http_only_when_allowed() {
        assert!(
            ClientConfig::new("https://api.verifik.co/")
                .parsed_base_url()
                .is_ok()
        );
        let mut c = ClientConfig::new("http://127.0.0.1:8080");
        assert!(matches!(
            c.parsed_base_url(),
            Err(EnrollError::Config { .. })
        ));
        c.allow_insecure_http = InsecureHttp::Loopback;
        assert!(c.parsed_base_url().is_ok());
        c.base_url = "http://[::1]:9".into();
        assert!(c.parsed_base_url().is_ok());
        c.base_url = "http://10.0.2.2:8080".into();
        assert!(c.parsed_base_url().is_err());
        c.allow_insecure_http = InsecureHttp::Hosts {
            hosts: vec!["10.0.2.2".into()],
        };
        assert!(c.parsed_base_url().is_ok());
        c.base_url = "http://example.com".into();
        assert!(c.parsed_base_url().is_err());
        c.base_url = "ftp://example.com".into();
        assert!(c.parsed_base_url().is_err());
        c.base_url = "not a url".into();
        assert!(c.parsed_base_url().is_err());
    }
}
