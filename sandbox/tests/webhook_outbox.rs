//! The webhook outbox: events are rows of the SQLite file, committed with the change that caused
//! them, delivered after a restart when a stop cut their retries short, never holding an OTP
//! code. Real loopback HTTP: the sandbox, and an axum receiver in the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use smart_enroll_testkit::{Auth, Server};

/// First POST of each event type: 500; later ones never answer (until the sandbox stops).
const FAIL_THEN_HANG: u8 = 0;
/// Every POST: 200.
const ACCEPT: u8 = 1;

/// A loopback webhook receiver whose behaviour the test switches; it reports every POST it
/// gets as (event type, mode at the time).
struct Receiver {
    url: String,
    mode: Arc<AtomicU8>,
    hits: tokio::sync::mpsc::UnboundedReceiver<(String, u8)>,
    handle: tokio::task::JoinHandle<()>,
}

async fn receiver(mode: u8) -> Receiver {
    let (tx, hits) = tokio::sync::mpsc::unbounded_channel();
    let mode = Arc::new(AtomicU8::new(mode));
    let seen: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let m = Arc::clone(&mode);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(v): axum::Json<Value>| {
            let tx = tx.clone();
            let mode = m.load(Ordering::SeqCst);
            let seen = Arc::clone(&seen);
            async move {
                let kind = v["type"].as_str().unwrap_or("").to_owned();
                let n = {
                    let mut seen = seen.lock().unwrap();
                    let n = seen.entry(kind.clone()).or_default();
                    *n += 1;
                    *n
                };
                tx.send((kind, mode)).unwrap();
                match mode {
                    ACCEPT => StatusCode::OK,
                    _ if n == 1 => StatusCode::INTERNAL_SERVER_ERROR,
                    _ => {
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                        StatusCode::OK
                    }
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let handle = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Receiver {
        url,
        mode,
        hits,
        handle,
    }
}

/// The outbox rows as (event type, attempts, body text), read from the SQLite file directly.
fn outbox_rows(db: &std::path::Path) -> Vec<(String, i64, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut st = conn
        .prepare("SELECT body, attempts FROM webhook_outbox ORDER BY id")
        .unwrap();
    st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .unwrap()
        .map(|r| {
            let (body, attempts) = r.unwrap();
            let v: Value = serde_json::from_str(&body).unwrap();
            (v["type"].as_str().unwrap().to_owned(), attempts, body)
        })
        .collect()
}

/// True if any object in `v` has an `otp`, `code` or `demoOTP` key.
fn has_otp_key(v: &Value) -> bool {
    match v {
        Value::Object(m) => {
            m.contains_key("otp")
                || m.contains_key("code")
                || m.contains_key("demoOTP")
                || m.values().any(has_otp_key)
        }
        Value::Array(a) => a.iter().any(has_otp_key),
        _ => false,
    }
}

async fn next_hit(hits: &mut tokio::sync::mpsc::UnboundedReceiver<(String, u8)>) -> (String, u8) {
    tokio::time::timeout(Duration::from_secs(20), hits.recv())
        .await
        .expect("no webhook POST within 20 s")
        .unwrap()
}

#[tokio::test]
async fn undelivered_events_survive_a_restart_are_delivered_once_and_hold_no_otp() {
    let mut r = receiver(FAIL_THEN_HANG).await;
    let mut s = Server::start_with_backoff(Duration::from_millis(20)).await;
    let (p, f) = s.setup("basic", json!({"webhookUrl": r.url})).await;
    let email = "outbox@example.com";
    let reg = s.register(&p, &f, json!({"email": email})).await;
    let v = s
        .ok(
            Method::POST,
            "/v2/email-validations/app-registration",
            Auth::Bearer(&reg.token),
            Some(json!({"project": p, "validationMethod": "verificationCode",
                "email": email, "type": "onboarding"})),
        )
        .await;
    let id = v["data"]["_id"].as_str().unwrap().to_owned();
    let code = s.outbox_code(email).await;
    s.ok(
        Method::PUT,
        &format!("/v2/email-validations/{id}"),
        Auth::Bearer(&reg.token),
        Some(json!({"email": email, "otp": code})),
    )
    .await;
    let types = [
        "onboarding_app_registration_created",
        "onboarding_email_validation_created",
        "onboarding_email_validation_validated",
    ];

    // Each event: a first attempt answered 500, then a retry that hangs. Once the retry has
    // arrived, the failed attempt is on disk.
    let mut per_type: HashMap<String, usize> = HashMap::new();
    while types
        .iter()
        .any(|t| per_type.get(*t).copied().unwrap_or(0) < 2)
    {
        let (kind, _) = next_hit(&mut r.hits).await;
        assert!(types.contains(&kind.as_str()), "unexpected event {kind}");
        *per_type.entry(kind).or_default() += 1;
    }
    let check_rows = |rows: &[(String, i64, String)]| {
        let mut kinds: Vec<&str> = rows.iter().map(|(k, _, _)| k.as_str()).collect();
        kinds.sort_unstable();
        assert_eq!(kinds, types, "one row per event");
        for (kind, attempts, body) in rows {
            assert_eq!(
                *attempts, 1,
                "{kind}: the 500 counted, the hanging retry not"
            );
            assert!(
                !body.contains(&format!("\"{code}\"")),
                "code stored: {kind}"
            );
            assert!(!has_otp_key(&serde_json::from_str(body).unwrap()), "{kind}");
        }
    };
    check_rows(&outbox_rows(&s.db_path()));

    // Stop while the retries hang: they are abandoned, not counted, and the rows stay.
    tokio::time::timeout(Duration::from_secs(10), s.stop())
        .await
        .expect("shutdown waited for a webhook");
    check_rows(&outbox_rows(&s.db_path()));

    // The receiver recovers; the next start delivers every pending event exactly once.
    r.mode.store(ACCEPT, Ordering::SeqCst);
    while r.hits.try_recv().is_ok() {}
    s.restart().await;
    let mut delivered: HashMap<String, usize> = HashMap::new();
    while delivered.len() < types.len() {
        let (kind, mode) = next_hit(&mut r.hits).await;
        if mode == ACCEPT {
            *delivered.entry(kind).or_default() += 1;
        }
    }
    // A row is deleted only after its delivery: once the table is empty, nothing more can come.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !outbox_rows(&s.db_path()).is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "outbox not emptied");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    while let Ok((kind, mode)) = r.hits.try_recv() {
        assert_eq!(mode, ACCEPT);
        *delivered.entry(kind).or_default() += 1;
    }
    for t in types {
        assert_eq!(delivered.get(t), Some(&1), "{t} delivered {delivered:?}");
    }
    s.stop().await;
    r.handle.abort();
}

#[tokio::test]
async fn an_event_is_committed_with_its_change_or_not_at_all() {
    let r = receiver(FAIL_THEN_HANG).await;
    let s = Server::start().await;
    let (p, f) = s.setup("basic", json!({"webhookUrl": r.url})).await;
    // A refused registration (no contact) commits nothing, so it queues nothing.
    let (status, _) = s
        .post(
            "/v2/app-registrations",
            Auth::None,
            json!({"project": p, "projectFlow": f}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(outbox_rows(&s.db_path()).is_empty());
    s.register(&p, &f, json!({"email": "tx@example.com"})).await;
    let rows = outbox_rows(&s.db_path());
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0, "onboarding_app_registration_created");
    r.handle.abort();
}
