//! Uploads whose answer is lost AFTER the server committed them: a loopback proxy forwards the
//! upload to the real sandbox, lets it process and store it, then resets the connection instead
//! of answering, and loses the answers of the next requests too (1, 2 or 3 in a row). For
//! every upload step (document front, document back, selfie, face compare) the enrollment must
//! complete with exactly one attempt and one validation of each kind on the server, counted in
//! the sandbox's own SQLite file.
//!
//! Each case runs twice: with the sandbox's `Idempotency-Key` extension in play, and with the
//! header stripped by the proxy (idempotency OFF, as on a server that does not promise it):
//! then the `me` check alone prevents the double count, since a re-send would count again.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::proxy::{Fault, start_proxy_with, start_recording_proxy};
use common::{Env, signup};
use smart_enroll_core::{
    ClientConfig, DocumentCategory, DocumentSide, EnrollState, EnrollmentSession, InsecureHttp,
    Outcome, PhoneGateway, SmartEnrollClient,
};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Front,
    Back,
    Selfie,
    Compare,
}

/// Loses the answer of the target upload and of the `drops - 1` requests that follow it.
struct Dropper {
    target: Target,
    drops: usize,
    document_posts: usize,
    armed: bool,
    remaining: usize,
    lost: Vec<String>,
    /// Every request seen, in order (method and path without ids).
    log: Vec<String>,
}

impl Dropper {
    fn decide(&mut self, method: &str, path: &str) -> Fault {
        let path = path.split('?').next().unwrap_or("").to_owned();
        self.log.push(format!("{method} {path}"));
        let hit = method == "POST"
            && match self.target {
                Target::Front | Target::Back => {
                    if path == "/v2/document-validations/app-registration" {
                        self.document_posts += 1;
                        let nth = if self.target == Target::Front { 1 } else { 2 };
                        self.document_posts == nth
                    } else {
                        false
                    }
                }
                Target::Selfie => path == "/v2/biometric-validations/app-registration",
                Target::Compare => path == "/v2/face-recognition/compare/app-registration",
            };
        if hit && !self.armed {
            self.armed = true;
            self.remaining = self.drops;
        }
        if self.armed && self.remaining > 0 {
            self.remaining -= 1;
            self.lost.push(format!("{method} {path}"));
            return Fault::LoseAnswer;
        }
        Fault::Pass
    }
}

fn client_via(proxy: SocketAddr, max_retries: u32) -> SmartEnrollClient {
    let mut c = ClientConfig::new(format!("http://{proxy}"));
    c.allow_insecure_http = InsecureHttp::Loopback;
    c.retry.base_delay_ms = 5;
    c.retry.max_delay_ms = 50;
    c.retry.max_retries = max_retries;
    c.request_timeout_ms = 10_000;
    SmartEnrollClient::new(c).unwrap()
}

/// What the sandbox stored for a registration: (documentAttempts, livenessAttempts) and the
/// number of stored objects of each kind.
struct Stored {
    document_attempts: u64,
    liveness_attempts: u64,
    document_validations: u64,
    biometric_validations: u64,
    compares: u64,
    persons: u64,
}

fn stored(env: &Env, registration_id: &str) -> Stored {
    let db = rusqlite::Connection::open_with_flags(
        env.dir.path().join("sandbox.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let doc: String = db
        .query_row(
            "SELECT doc FROM app_registrations WHERE id = ?1",
            [registration_id],
            |r| r.get(0),
        )
        .unwrap();
    let reg: serde_json::Value = serde_json::from_str(&doc).unwrap();
    let count = |kind: &str| -> u64 {
        let n: i64 = db
            .query_row(
                "SELECT COUNT(*) FROM objects WHERE registration_id = ?1 AND kind = ?2",
                [registration_id, kind],
                |r| r.get(0),
            )
            .unwrap();
        u64::try_from(n).unwrap()
    };
    Stored {
        document_attempts: reg["documentAttempts"].as_u64().unwrap(),
        liveness_attempts: reg["livenessAttempts"].as_u64().unwrap(),
        document_validations: count("documentValidation"),
        biometric_validations: count("biometricValidation"),
        compares: count("compareFaceVerification"),
        persons: count("person"),
    }
}

/// Enrolls through a proxy that loses `drops` answers in a row, starting at `target`; the app
/// tries a step again when it gets a retryable error (as the generic driver's caller would).
async fn scenario(
    env: &Env,
    upstream: SocketAddr,
    target: Target,
    drops: usize,
    retries: u32,
    idempotency_off: bool,
) {
    let flow = env
        .flow(|f| f.sign_up_form.phone_gateway = PhoneGateway::None)
        .await;
    let dropper = Arc::new(Mutex::new(Dropper {
        target,
        drops,
        document_posts: 0,
        armed: false,
        remaining: 0,
        lost: Vec::new(),
        log: Vec::new(),
    }));
    let d = dropper.clone();
    let proxy = start_proxy_with(
        upstream,
        Arc::new(move |m: &str, p: &str| d.lock().unwrap().decide(m, p)),
        None,
        idempotency_off,
    )
    .await;
    let email =
        format!("lost-{target:?}-{drops}-{retries}-{idempotency_off}@example.com").to_lowercase();
    let mut su = signup(&email);
    su.phone = None;
    su.country_code = None;
    let s = EnrollmentSession::new(client_via(proxy, retries), flow, su.clone()).unwrap();
    let mut app_retries = 0;
    for _ in 0..30 {
        if s.state().is_terminal() {
            break;
        }
        let r = match s.state() {
            EnrollState::AwaitingDocument { side, .. } => {
                s.submit_document(
                    side,
                    common::document_image(),
                    DocumentCategory::GovernmentId,
                )
                .await
            }
            _ => common::step(env, &s, &su).await,
        };
        match r {
            Ok(_) => {}
            Err(e) if e.is_retryable() => app_retries += 1,
            Err(e) => panic!(
                "{target:?} x{drops}: non-retryable error in {:?}: {e:?}",
                s.state()
            ),
        }
    }
    let EnrollState::Completed { result } = s.state() else {
        panic!("{target:?} x{drops}: did not complete: {:?}", s.state());
    };
    assert_eq!(result.outcome, Outcome::Completed, "{target:?} x{drops}");
    let g = dropper.lock().unwrap();
    assert_eq!(g.lost.len(), drops, "{target:?}: answers lost {:?}", g.lost);
    assert!(
        g.log.iter().any(|l| l == "POST /v2/app-registrations/me"),
        "{target:?} x{drops}: the server was never asked: {:?}",
        g.log
    );
    let st = stored(env, &result.registration_id);
    let what = format!(
        "{target:?} x{drops} (client retries {retries}, app retries {app_retries}, \
         idempotency off {idempotency_off})"
    );
    assert_eq!(st.document_attempts, 1, "{what}: document attempts");
    assert_eq!(st.liveness_attempts, 1, "{what}: liveness attempts");
    assert_eq!(st.document_validations, 1, "{what}: document validations");
    assert_eq!(st.biometric_validations, 1, "{what}: biometric validations");
    assert_eq!(st.persons, 1, "{what}: persons");
    assert_eq!(st.compares, 1, "{what}: compare results");
    // The review still reflects the server's single result.
    let review = result.review.expect("review");
    assert!(review.liveness.is_some_and(|l| l.passed), "{what}");
    assert!(review.compare.is_some_and(|c| c.passed), "{what}");
}

async fn every_drop_count(target: Target) {
    let env = Env::start().await;
    let upstream: SocketAddr = env.base.trim_start_matches("http://").parse().unwrap();
    for idempotency_off in [false, true] {
        for drops in 1..=3 {
            // Client retries cover the recovery in the session's own call...
            scenario(&env, upstream, target, drops, 4, idempotency_off).await;
        }
        // ...and without client retries the upload stays pending: the app's next try asks the
        // server first instead of uploading again.
        scenario(&env, upstream, target, 1, 0, idempotency_off).await;
    }
    env.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_front_upload_answers_cost_nothing() {
    every_drop_count(Target::Front).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_back_upload_answers_cost_nothing() {
    every_drop_count(Target::Back).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_selfie_upload_answers_cost_nothing() {
    every_drop_count(Target::Selfie).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_compare_answers_cost_nothing() {
    every_drop_count(Target::Compare).await;
}

/// The uploads carry an `Idempotency-Key`; a re-send of the same logical upload (its first
/// try was reset before reaching the server, as the `me` check then shows) reuses it, and the
/// next upload gets a new one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_carry_an_idempotency_key_reused_on_resends() {
    let env = Env::start().await;
    let upstream: SocketAddr = env.base.trim_start_matches("http://").parse().unwrap();
    let flow = env
        .flow(|f| f.sign_up_form.phone_gateway = PhoneGateway::None)
        .await;
    let heads = Arc::new(Mutex::new(Vec::<String>::new()));
    let h = heads.clone();
    let resets = Arc::new(Mutex::new(0usize));
    let r = resets.clone();
    let proxy = start_recording_proxy(
        upstream,
        Arc::new(move |m: &str, p: &str| {
            let mut n = r.lock().unwrap();
            if m == "POST" && p == "/v2/document-validations/app-registration" && *n == 0 {
                *n += 1;
                Fault::Reset
            } else {
                Fault::Pass
            }
        }),
        Some(Arc::new(move |head: &str| {
            h.lock().unwrap().push(head.to_owned())
        })),
    )
    .await;
    let mut su = signup("idem@example.com");
    su.phone = None;
    su.country_code = None;
    let s = EnrollmentSession::new(client_via(proxy, 4), flow, su.clone()).unwrap();
    s.start().await.unwrap();
    s.submit_email_code(env.code("idem@example.com").await)
        .await
        .unwrap();
    let st = s
        .submit_document(
            DocumentSide::Front,
            common::document_image(),
            DocumentCategory::Passport,
        )
        .await
        .unwrap();
    assert!(matches!(st, EnrollState::AwaitingSelfie { .. }), "{st:?}");
    s.submit_selfie(common::selfie()).await.unwrap();
    let key_of = |head: &str| -> Option<String> {
        head.lines().find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("idempotency-key:")
                .map(|v| v.trim().to_owned())
        })
    };
    let heads = heads.lock().unwrap().clone();
    let docs: Vec<Option<String>> = heads
        .iter()
        .filter(|h| h.starts_with("POST /v2/document-validations/app-registration "))
        .map(|h| key_of(h))
        .collect();
    assert_eq!(
        docs.len(),
        2,
        "the reset front upload is sent again: {heads:?}"
    );
    let k = docs[0].clone().expect("an Idempotency-Key on the upload");
    assert_eq!(k.len(), 32);
    assert_eq!(
        docs[1].as_deref(),
        Some(k.as_str()),
        "same key on the re-send"
    );
    let selfie: Vec<Option<String>> = heads
        .iter()
        .filter(|h| h.starts_with("POST /v2/biometric-validations/app-registration "))
        .map(|h| key_of(h))
        .collect();
    assert_eq!(selfie.len(), 1);
    assert!(
        selfie[0].as_deref().is_some_and(|s| s != k),
        "a new key per upload"
    );
    // Between the two document tries the client asked the server what it holds.
    let first = heads
        .iter()
        .position(|h| h.starts_with("POST /v2/document-validations/"))
        .unwrap();
    assert!(
        heads[first + 1].starts_with("POST /v2/app-registrations/me "),
        "{heads:?}"
    );
    // Safe requests carry no key.
    assert!(
        heads
            .iter()
            .filter(|h| h.starts_with("PUT "))
            .all(|h| key_of(h).is_none())
    );
    env.shutdown().await;
}
