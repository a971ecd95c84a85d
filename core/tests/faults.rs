//! Faults between the client and the real sandbox: a loopback TCP proxy written here drops,
//! delays, black-holes and resets connections, answers 502 or 429 itself, or forwards a request
//! and then loses the answer. The enrollment still completes, and the sandbox holds no
//! duplicate registrations. Every fault is injected a bounded number of times, so the test
//! always ends.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::proxy::{Fault, start_proxy};
use common::{Env, signup};
use smart_enroll_core::{
    ClientConfig, EnrollError, EnrollState, EnrollmentSession, InsecureHttp, Outcome, PhoneGateway,
    SmartEnrollClient,
};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// Which faults a request kind gets on its first tries (then it passes).
struct Schedule {
    seen: HashMap<String, usize>,
    injected: HashMap<Fault, usize>,
}

impl Schedule {
    fn next(&mut self, method: &str, path: &str) -> Fault {
        // Route kind without ids: `PUT /v2/app-registrations/:id/sync` etc.
        let kind: String = path
            .split('?')
            .next()
            .unwrap_or("")
            .split('/')
            .map(|seg| {
                if seg.len() >= 16 && seg.chars().all(|c| c.is_ascii_alphanumeric()) {
                    ":id"
                } else {
                    seg
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let key = format!("{method} {kind}");
        let n = self.seen.entry(key.clone()).or_insert(0);
        *n += 1;
        let nth = *n;
        // Create-registration is not safe to repeat once it may have reached the server: it
        // only gets faults that never forward, and the caller tries again.
        let seq: &[Fault] = match key.as_str() {
            "POST /v2/app-registrations" => &[Fault::BadGateway, Fault::Drop],
            "POST /v2/email-validations/app-registration" => &[Fault::LoseAnswer, Fault::Reset],
            "PUT /v2/email-validations/:id" => &[Fault::Drop, Fault::LoseAnswer],
            "POST /v2/phone-validations/app-registration" => &[Fault::TooMany, Fault::Delay],
            "PUT /v2/phone-validations" => &[Fault::BadGateway, Fault::Reset],
            "PUT /v2/app-registrations/:id/sync" => &[Fault::LoseAnswer, Fault::Blackhole],
            "POST /v2/document-validations/app-registration" => &[Fault::Reset, Fault::Delay],
            "POST /v2/biometric-validations/app-registration" => &[Fault::LoseAnswer],
            "POST /v2/face-recognition/compare/app-registration" => &[Fault::TooMany, Fault::Drop],
            _ => &[],
        };
        let f = seq.get(nth - 1).copied().unwrap_or(Fault::Pass);
        *self.injected.entry(f).or_insert(0) += 1;
        f
    }
}

fn faulty_client(proxy: SocketAddr) -> SmartEnrollClient {
    let mut c = ClientConfig::new(format!("http://{proxy}"));
    c.allow_insecure_http = InsecureHttp::Loopback;
    c.retry.base_delay_ms = 20;
    c.retry.max_delay_ms = 2_000;
    c.retry.max_retries = 4;
    c.request_timeout_ms = 4_000;
    SmartEnrollClient::new(c).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrollment_completes_through_faults_without_duplicates() {
    let env = Env::start().await;
    let flow = env
        .flow(|f| f.sign_up_form.phone_gateway = PhoneGateway::Sms)
        .await;
    let upstream: SocketAddr = env.base.trim_start_matches("http://").parse().unwrap();
    let schedule = Arc::new(Mutex::new(Schedule {
        seen: HashMap::new(),
        injected: HashMap::new(),
    }));
    let sch = schedule.clone();
    let proxy = start_proxy(
        upstream,
        Arc::new(move |m: &str, p: &str| sch.lock().unwrap().next(m, p)),
    )
    .await;
    let client = faulty_client(proxy);
    let su = signup("faults@example.com");
    let s = EnrollmentSession::new(client.clone(), flow.clone(), su.clone()).unwrap();
    let mut user_retries = 0;
    for _ in 0..60 {
        if s.state().is_terminal() {
            break;
        }
        match common::step(&env, &s, &su).await {
            Ok(_) => {}
            // What the app does with a retryable error: try the same step again.
            Err(e) if e.is_retryable() => user_retries += 1,
            Err(e) => panic!("non-retryable error in {:?}: {e:?}", s.state()),
        }
    }
    let EnrollState::Completed { result } = s.state() else {
        panic!("did not complete: {:?}", s.state());
    };
    assert_eq!(result.outcome, Outcome::Completed);
    let stats = client.stats();
    let injected = schedule.lock().unwrap().injected.clone();
    for f in [
        Fault::Delay,
        Fault::Drop,
        Fault::Reset,
        Fault::Blackhole,
        Fault::BadGateway,
        Fault::TooMany,
        Fault::LoseAnswer,
    ] {
        assert!(
            injected.get(&f).copied().unwrap_or(0) >= 1,
            "{f:?} was never injected"
        );
    }
    assert!(stats.retries >= 8, "client retries: {stats:?}");
    // Create-registration is never repeated by the client after a non-connect failure: the two
    // failed tries were answered by the proxy, so the caller tried again twice.
    assert!(user_retries >= 2, "user-level retries: {user_retries}");
    // No duplicates: exactly one registration exists for this project.
    let admin = env.client();
    let page = admin.list_registrations(&env.admin, 1, 100).await.unwrap();
    let mine: Vec<_> = page
        .items
        .iter()
        .filter(|r| r.project_id.as_deref() == Some(flow.project_id.as_str()))
        .collect();
    assert_eq!(mine.len(), 1, "registrations: {mine:?}");
    assert_eq!(mine[0].id, result.registration_id);
    assert_eq!(mine[0].status, "COMPLETED");
    // Retrying a finished enrollment is refused locally.
    assert!(matches!(
        s.confirm().await,
        Err(EnrollError::InvalidState { .. })
    ));
    env.shutdown().await;
}

/// Without client retries, an upload whose answer is lost leaves the session where it was
/// (no attempt used); trying again meets `already_exists` / `person_already_set` on the server
/// and the engine replaces the first upload (`force:true`) instead of failing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_upload_answers_are_recovered_by_the_next_try() {
    let env = Env::start().await;
    let flow = env
        .flow(|f| f.sign_up_form.phone_gateway = PhoneGateway::None)
        .await;
    let upstream: SocketAddr = env.base.trim_start_matches("http://").parse().unwrap();
    let seen = Arc::new(Mutex::new(HashMap::<String, usize>::new()));
    let sn = seen.clone();
    let proxy = start_proxy(
        upstream,
        Arc::new(move |m: &str, p: &str| {
            let upload = p.starts_with("/v2/document-validations/app-registration")
                || p.starts_with("/v2/biometric-validations/app-registration");
            let mut g = sn.lock().unwrap();
            let n = g.entry(format!("{m} {p}")).or_insert(0);
            *n += 1;
            if upload && *n == 1 {
                Fault::LoseAnswer
            } else {
                Fault::Pass
            }
        }),
    )
    .await;
    let mut cfg = ClientConfig::new(format!("http://{proxy}"));
    cfg.allow_insecure_http = InsecureHttp::Loopback;
    cfg.retry.max_retries = 0;
    let client = SmartEnrollClient::new(cfg).unwrap();
    let su = signup("lost@example.com");
    let s = EnrollmentSession::new(client, flow, su.clone()).unwrap();
    s.start().await.unwrap();
    s.submit_email_code(env.code("lost@example.com").await)
        .await
        .unwrap();
    let doc = common::document_image();
    let passport = smart_enroll_core::DocumentCategory::Passport;
    let front = smart_enroll_core::DocumentSide::Front;
    let e = s
        .submit_document(front, doc.clone(), passport)
        .await
        .unwrap_err();
    assert_eq!(
        e.category(),
        smart_enroll_core::ErrorCategory::Network,
        "{e:?}"
    );
    assert!(matches!(
        s.state(),
        EnrollState::AwaitingDocument {
            attempts_left: 3,
            ..
        }
    ));
    let st = s.submit_document(front, doc, passport).await.unwrap();
    assert!(
        matches!(
            st,
            EnrollState::AwaitingSelfie {
                attempts_left: 3,
                ..
            }
        ),
        "{st:?}"
    );
    let e = s.submit_selfie(common::selfie()).await.unwrap_err();
    assert_eq!(
        e.category(),
        smart_enroll_core::ErrorCategory::Network,
        "{e:?}"
    );
    let st = s.submit_selfie(common::selfie()).await.unwrap();
    assert!(matches!(st, EnrollState::AwaitingReview { .. }), "{st:?}");
    let st = s.confirm().await.unwrap();
    let EnrollState::Completed { result } = st else {
        panic!("{st:?}")
    };
    assert_eq!(result.outcome, Outcome::Completed);
    env.shutdown().await;
}
