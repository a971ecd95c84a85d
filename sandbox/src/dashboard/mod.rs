//! The sandbox dashboard: `GET /dashboard` (an HTML page, its script and its style sheet, all
//! embedded in the binary) and the JSON endpoints behind it under `/sandbox/…`.
//!
//! The page holds the client token in `sessionStorage` only and sends it as
//! `Authorization: Bearer` on every call; the endpoints take the client token exactly as the v2
//! API does ([`ClientAuth`]), so the dashboard adds no unauthenticated data path. They expose
//! what a client token can already read through the v2 API (contact data masked as the CLI
//! masks it), plus the webhook delivery log ([`webhook_log`]); the OTP outbox list exists only
//! with `--dev` (404 otherwise, as `GET /sandbox/outbox`). Live updates: the page polls
//! `GET /sandbox/changes` (a change counter) every second and reloads what changed.

pub(crate) mod api;
pub(crate) mod webhook_log;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::server::AppState;

pub(crate) use api::{handler_for, spec};

const INDEX_HTML: &str = include_str!("../../assets/dashboard/index.html");
const APP_JS: &str = include_str!("../../assets/dashboard/app.js");
const APP_CSS: &str = include_str!("../../assets/dashboard/app.css");

/// The page's Content-Security-Policy: scripts and styles from this origin only (no inline
/// script or style), images from this origin or `blob:` (images are fetched with the token and
/// shown from blob URLs), calls to this origin only, no framing, no plugins.
pub(crate) const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' blob:; connect-src 'self'; form-action 'self'; base-uri 'none'; \
     frame-ancestors 'none'; object-src 'none'";

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    resp
}

/// `GET /dashboard` and its two assets (not API routes: they are not in `/openapi.json`).
pub(crate) fn pages() -> Router<AppState> {
    Router::new()
        .route(
            "/dashboard",
            get(|| async { asset("text/html; charset=utf-8", INDEX_HTML) }),
        )
        .route(
            "/dashboard/",
            get(|| async { axum::response::Redirect::permanent("/dashboard") }),
        )
        .route(
            "/dashboard/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }),
        )
        .route(
            "/dashboard/app.css",
            get(|| async { asset("text/css; charset=utf-8", APP_CSS) }),
        )
}

/// Adds `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer` to every answer of
/// the sandbox (the dashboard's, the API's and the images').
pub(crate) async fn security_headers(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        HeaderName::from_static("referrer-policy"),
        HeaderValue::from_static("no-referrer"),
    );
    resp
}

/// Masks an email for display as the CLI does (`smart_enroll_core::secret::mask_email`): the
/// first character of the local part, `***`, the domain (`j***@example.com`).
pub(crate) fn mask_email(email: &str) -> String {
    match email.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_owned(),
    }
}

/// Masks a phone number as the CLI does (`smart_enroll_core::secret::mask_phone`): only the
/// last two digits are kept (`+57 ********67`).
pub(crate) fn mask_phone(country_code: &str, phone: &str) -> String {
    let n = phone.chars().count();
    let tail: String = phone.chars().skip(n.saturating_sub(2)).collect();
    let stars = "*".repeat(n.saturating_sub(2));
    if country_code.is_empty() {
        format!("{stars}{tail}")
    } else {
        format!("{country_code} {stars}{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_like_the_cli() {
        assert_eq!(mask_email("jane.doe@example.com"), "j***@example.com");
        assert_eq!(mask_email("broken"), "***");
        assert_eq!(mask_phone("+57", "3001234567"), "+57 ********67");
        assert_eq!(mask_phone("+1", "1"), "+1 1");
    }

    #[test]
    fn the_page_has_no_inline_script_or_style_and_loads_nothing_from_elsewhere() {
        assert!(INDEX_HTML.contains(r#"<script src="/dashboard/app.js" defer></script>"#));
        assert_eq!(INDEX_HTML.matches("<script").count(), 1);
        for bad in [
            "<style",
            " style=",
            " onclick",
            " onload",
            " onsubmit",
            "javascript:",
            "http:",
            "https:",
            "//",
        ] {
            assert!(!INDEX_HTML.contains(bad), "{bad} in index.html");
        }
        for bad in ["http:", "https:", "@import", "url("] {
            assert!(!APP_CSS.contains(bad), "{bad} in app.css");
        }
        for bad in [
            "http:",
            "https:",
            "eval(",
            "new Function",
            "innerHTML",
            "localStorage",
            "document.cookie",
            "console.",
        ] {
            assert!(!APP_JS.contains(bad), "{bad} in app.js");
        }
        assert!(APP_JS.contains("sessionStorage") && APP_JS.contains("'Bearer '"));
        assert!(!CSP.contains("unsafe") && CSP.contains("script-src 'self'"));
    }
}
