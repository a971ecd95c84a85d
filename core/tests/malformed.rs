//! Malformed server responses (HTML error pages, truncated JSON, wrong types, bad ids) from a
//! tiny local axum server: every one gives a typed error, never a panic, and loses nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use smart_enroll_core::{
    ClientConfig, EnrollError, EnrollState, EnrollmentSession, ErrorCategory, FlowConfig,
    InsecureHttp, SignUpData, SmartEnrollClient,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Serves the same answer on every path; counts the hits.
async fn serve(
    status: u16,
    content_type: &'static str,
    body: &'static str,
    headers: &'static [(&'static str, &'static str)],
) -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let app = Router::new().fallback(move || {
        let h = h.clone();
        async move {
            h.fetch_add(1, Ordering::SeqCst);
            let mut hm = HeaderMap::new();
            hm.insert("content-type", HeaderValue::from_static(content_type));
            for (k, v) in headers {
                hm.insert(*k, HeaderValue::from_static(v));
            }
            (StatusCode::from_u16(status).unwrap(), hm, body).into_response()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (format!("http://{addr}"), hits)
}

fn client(base: &str) -> SmartEnrollClient {
    let mut c = ClientConfig::new(base);
    c.allow_insecure_http = InsecureHttp::Loopback;
    c.retry.base_delay_ms = 1;
    c.retry.max_delay_ms = 20;
    c.retry.max_retries = 2;
    c.request_timeout_ms = 5_000;
    SmartEnrollClient::new(c).unwrap()
}

fn flow() -> FlowConfig {
    let v = serde_json::json!({"_id": "f1", "project": "p1", "status": "active",
        "onboardingSettings": {"steps": {"signUpForm": "mandatory", "document": "mandatory",
        "liveness": "mandatory"}, "signUpForm": {"email": true, "emailGateway": "mailgun",
        "phoneGateway": "none"}}});
    FlowConfig::from_flow_json(&v).unwrap()
}

fn signup() -> SignUpData {
    SignUpData {
        email: Some("ana@example.com".into()),
        ..SignUpData::default()
    }
}

#[tokio::test]
async fn html_page_with_200_is_malformed() {
    let (base, hits) = serve(200, "text/html", "<html><body>Welcome</body></html>", &[]).await;
    let e = client(&base)
        .fetch_flow_config("p1", None)
        .await
        .unwrap_err();
    assert_eq!(e.category(), ErrorCategory::MalformedResponse, "{e:?}");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "malformed 2xx is not retried"
    );
}

#[tokio::test]
async fn truncated_json_is_malformed() {
    let (base, _) = serve(
        200,
        "application/json",
        r#"{"data":{"projectFlows":[{"_id":"f1","onboardingSett"#,
        &[],
    )
    .await;
    let e = client(&base)
        .fetch_flow_config("p1", None)
        .await
        .unwrap_err();
    assert!(matches!(e, EnrollError::MalformedResponse { .. }), "{e:?}");
}

#[tokio::test]
async fn wrong_types_are_malformed() {
    for body in [
        r#"{"data":{"projectFlows":"nope"}}"#,
        r#"{"data":{"projectFlows":[{"_id":["x"]}]}}"#,
        r#"{"data":7}"#,
        r#"[1,2,3]"#,
        r#""just a string""#,
    ] {
        let leaked: &'static str = Box::leak(body.to_owned().into_boxed_str());
        let (base, _) = serve(200, "application/json", leaked, &[]).await;
        let e = client(&base)
            .fetch_flow_config("p1", None)
            .await
            .unwrap_err();
        assert_eq!(
            e.category(),
            ErrorCategory::MalformedResponse,
            "{body}: {e:?}"
        );
    }
}

#[tokio::test]
async fn html_bad_gateway_is_a_retried_server_error() {
    let (base, hits) = serve(502, "text/html", "<html>502 Bad Gateway</html>", &[]).await;
    let e = client(&base)
        .fetch_flow_config("p1", None)
        .await
        .unwrap_err();
    assert!(
        matches!(e, EnrollError::Server { status: 502, .. }),
        "{e:?}"
    );
    assert!(e.is_retryable());
    assert_eq!(hits.load(Ordering::SeqCst), 3, "first try + 2 retries");
}

#[tokio::test]
async fn long_retry_after_is_not_waited_for() {
    let (base, hits) = serve(
        429,
        "application/json",
        r#"{"code":"TooManyRequests","message":"429:otp_resend_cooldown"}"#,
        &[("retry-after", "60")],
    )
    .await;
    let e = client(&base)
        .fetch_flow_config("p1", None)
        .await
        .unwrap_err();
    assert_eq!(
        e,
        EnrollError::RateLimited {
            code: "otp_resend_cooldown".into(),
            retry_after_ms: Some(60_000)
        }
    );
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn registration_without_token_or_with_bad_id_loses_nothing() {
    for body in [
        r#"{"data":{"appRegistration":{"_id":"674de8df21c72be3cc42b8a7"}}}"#,
        r#"{"data":{"appRegistration":{"_id":"../../admin"},"token":"eyJ.x.y"}}"#,
        r#"{"data":{"appRegistration":{"status":"STARTED"},"token":"eyJ.x.y"}}"#,
        r#"{"data":{"appRegistration":"#,
        "<!doctype html><title>oops</title>",
    ] {
        let leaked: &'static str = Box::leak(body.to_owned().into_boxed_str());
        let (base, _) = serve(200, "application/json", leaked, &[]).await;
        let s = EnrollmentSession::new(client(&base), flow(), signup()).unwrap();
        let e = s.start().await.unwrap_err();
        assert_eq!(
            e.category(),
            ErrorCategory::MalformedResponse,
            "{body}: {e:?}"
        );
        assert_eq!(s.state(), EnrollState::NotStarted, "{body}");
    }
}

#[tokio::test]
async fn error_bodies_of_every_shape_map_to_typed_errors() {
    let cases: &[(u16, &str, ErrorCategory)] = &[
        (
            409,
            r#"{"code":"email_is_registered_already","message":"409:email_is_registered_already"}"#,
            ErrorCategory::AlreadyRegistered,
        ),
        (
            404,
            r#"{"code":"projectFlow_not_found","message":"404:projectFlow_not_found"}"#,
            ErrorCategory::NotFound,
        ),
        (
            402,
            "<html>Payment Required</html>",
            ErrorCategory::PaymentRequired,
        ),
        (
            409,
            r#"{"code":"MissingParameter","message":"missing project\n. missing email"}"#,
            ErrorCategory::Rejected,
        ),
        (400, r#"{"code":"#, ErrorCategory::Rejected),
        (418, "", ErrorCategory::Rejected),
    ];
    for (status, body, cat) in cases {
        let leaked: &'static str = Box::leak(body.to_string().into_boxed_str());
        let (base, hits) = serve(*status, "application/json", leaked, &[]).await;
        let s = EnrollmentSession::new(client(&base), flow(), signup()).unwrap();
        let e = s.start().await.unwrap_err();
        assert_eq!(e.category(), *cat, "{status} {body}: {e:?}");
        assert_eq!(hits.load(Ordering::SeqCst), 1, "4xx are never retried");
        assert_eq!(s.state(), EnrollState::NotStarted);
    }
}

#[tokio::test]
async fn oversized_answers_are_refused_without_buffering_them() {
    let big: &'static str =
        Box::leak(format!("{{\"data\":\"{}\"}}", "x".repeat(5 * 1024 * 1024)).into_boxed_str());
    let (base, _) = serve(200, "application/json", big, &[]).await;
    let e = client(&base)
        .fetch_flow_config("p1", None)
        .await
        .unwrap_err();
    assert_eq!(e.category(), ErrorCategory::MalformedResponse, "{e:?}");
    assert!(e.to_string().contains("larger than"));
}

/// A client whose cap on a server-requested wait is `max_delay_ms`.
fn client_capped(base: &str, max_delay_ms: u64) -> SmartEnrollClient {
    let mut c = ClientConfig::new(base);
    c.allow_insecure_http = InsecureHttp::Loopback;
    c.retry.base_delay_ms = 1;
    c.retry.max_delay_ms = max_delay_ms;
    c.retry.max_retries = 2;
    c.request_timeout_ms = 5_000;
    SmartEnrollClient::new(c).unwrap()
}

fn http_date_in(secs: i64) -> &'static str {
    let now = std::time::SystemTime::now();
    let t = if secs >= 0 {
        now + std::time::Duration::from_secs(secs.unsigned_abs())
    } else {
        now - std::time::Duration::from_secs(secs.unsigned_abs())
    };
    Box::leak(httpdate::fmt_http_date(t).into_boxed_str())
}

fn retry_after(value: &'static str) -> &'static [(&'static str, &'static str)] {
    Box::leak(vec![("retry-after", value)].into_boxed_slice())
}

#[tokio::test]
async fn a_5xx_asking_for_an_hour_is_not_waited_for() {
    // Delay-seconds and an HTTP-date an hour ahead: one request, no wait, the typed 503.
    for value in ["3600", http_date_in(3600)] {
        let (base, hits) = serve(
            503,
            "application/json",
            r#"{"code":"ServiceUnavailable","message":"503:maintenance"}"#,
            retry_after(value),
        )
        .await;
        let c = client_capped(&base, 2_000);
        let e = c.fetch_flow_config("p1", None).await.unwrap_err();
        assert!(
            matches!(e, EnrollError::Server { status: 503, .. }),
            "{value}: {e:?}"
        );
        assert!(e.is_retryable(), "the app may try again later");
        assert_eq!(hits.load(Ordering::SeqCst), 1, "{value}: not retried");
        let stats = c.stats();
        assert_eq!((stats.retries, stats.retry_wait_ms), (0, 0), "{value}");
    }
}

#[tokio::test]
async fn a_short_retry_after_on_a_5xx_is_the_recorded_wait() {
    // `Retry-After: 1` under a 2 s cap: waited (twice, 1 s each) instead of the 1 ms backoff.
    let (base, hits) = serve(
        503,
        "application/json",
        r#"{"code":"ServiceUnavailable","message":"503:maintenance"}"#,
        &[("retry-after", "1")],
    )
    .await;
    let c = client_capped(&base, 2_000);
    let e = c.fetch_flow_config("p1", None).await.unwrap_err();
    assert!(
        matches!(e, EnrollError::Server { status: 503, .. }),
        "{e:?}"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 3);
    let stats = c.stats();
    assert_eq!((stats.retries, stats.retry_wait_ms), (2, 2_000));
}

#[tokio::test]
async fn an_http_date_in_the_past_means_retry_now() {
    let (base, hits) = serve(503, "text/plain", "down", retry_after(http_date_in(-3600))).await;
    let c = client_capped(&base, 2_000);
    let e = c.fetch_flow_config("p1", None).await.unwrap_err();
    assert!(
        matches!(e, EnrollError::Server { status: 503, .. }),
        "{e:?}"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 3);
    assert_eq!(c.stats().retry_wait_ms, 0);
}

#[tokio::test]
async fn a_429_with_an_http_date_reports_the_wait_and_is_not_waited_for() {
    let (base, hits) = serve(
        429,
        "application/json",
        r#"{"code":"TooManyRequests","message":"429:otp_resend_cooldown"}"#,
        retry_after(http_date_in(120)),
    )
    .await;
    let c = client_capped(&base, 2_000);
    let e = c.fetch_flow_config("p1", None).await.unwrap_err();
    let EnrollError::RateLimited {
        retry_after_ms: Some(ms),
        ..
    } = e
    else {
        panic!("{e:?}")
    };
    // Second granularity of HTTP-dates: 119..=120 s.
    assert!((118_000..=120_000).contains(&ms), "{ms}");
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}
