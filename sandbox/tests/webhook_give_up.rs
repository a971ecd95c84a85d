//! A receiver that always fails gets exactly 3 attempts; then the outbox row is gone and a
//! warning names the event type only (not the URL, which may hold a secret, nor the body).
//!
//! Its own test binary with a single test: it captures logs with a scoped subscriber, and
//! tracing caches call-site interest process-wide (see `outbox_warning.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{Value, json};

#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn three_failed_attempts_then_the_row_is_dropped_and_no_fourth_post() {
    let logs = Captured::default();
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let (tx, mut hits) = tokio::sync::mpsc::unbounded_channel::<Value>();
    let app = axum::Router::new().route(
        "/hook-secret-path",
        axum::routing::post(move |axum::Json(v): axum::Json<Value>| {
            let tx = tx.clone();
            async move {
                tx.send(v).unwrap();
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook-secret-path", listener.local_addr().unwrap());
    let receiver = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let mut s = smart_enroll_testkit::Server::start_with_backoff(Duration::from_millis(20)).await;
    let (p, f) = s.setup("basic", json!({"webhookUrl": url})).await;
    s.register(&p, &f, json!({"email": "give-up@example.com"}))
        .await;
    for _ in 0..3 {
        let v = tokio::time::timeout(Duration::from_secs(20), hits.recv())
            .await
            .expect("attempt missing")
            .unwrap();
        assert_eq!(v["type"], "onboarding_app_registration_created");
    }
    // The row goes after the third failure; only a row can cause a POST.
    let count = |db: &std::path::Path| -> i64 {
        rusqlite::Connection::open(db)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM webhook_outbox", [], |r| r.get(0))
            .unwrap()
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while count(&s.db_path()) > 0 {
        assert!(tokio::time::Instant::now() < deadline, "row not dropped");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    s.stop().await;
    assert!(hits.try_recv().is_err(), "a fourth POST arrived");
    receiver.abort();

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    let given_up: Vec<&str> = text.lines().filter(|l| l.contains("given up")).collect();
    assert_eq!(given_up.len(), 1, "{text}");
    assert!(
        given_up[0].contains("onboarding_app_registration_created"),
        "{text}"
    );
    assert!(!text.contains("hook-secret-path"), "URL logged: {text}");
    assert!(!text.contains("give-up@example.com"), "body logged: {text}");
}
