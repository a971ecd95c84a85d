//! Resume from a snapshot at every step boundary, and token expiry, against the real sandbox.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::proxy::{Fault, start_proxy};
use common::{Env, signup};
use smart_enroll_core::{
    EnrollError, EnrollState, EnrollmentSession, Outcome, PhoneGateway, Snapshot, StepKind,
};
use std::sync::Arc;
use std::time::Duration;

/// A flow with every kind of boundary: email, phone channel choice, phone code, ID card front
/// and back, name validation, criminal check, selfie, compare, finish. After EVERY state the
/// session is snapshotted to JSON, dropped, and restored with a brand-new client; the restored
/// session continues to the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_from_a_snapshot_at_every_step_boundary() {
    let env = Env::start().await;
    let flow = env
        .flow(|f| {
            f.sign_up_form.phone_gateway = PhoneGateway::Both;
            f.document.verify_names = true;
            f.document.verify_criminal_history = true;
        })
        .await;
    let su = signup("ana+back-side@example.com");
    let mut s = EnrollmentSession::new(env.client(), flow, su.clone()).unwrap();
    let mut boundaries = Vec::new();
    for _ in 0..40 {
        // Snapshot, serialise, drop, restore with a fresh client.
        let before = s.state();
        let json = s.snapshot().to_json().unwrap();
        drop(s);
        s = EnrollmentSession::restore(env.client(), Snapshot::from_json(&json).unwrap()).unwrap();
        assert_eq!(s.state(), before, "restore changed the state");
        boundaries.push(smart_enroll_core::state_name(&before));
        if before.is_terminal() {
            break;
        }
        common::step(&env, &s, &su)
            .await
            .unwrap_or_else(|e| panic!("step after restore failed in {before:?}: {e:?}"));
    }
    let EnrollState::Completed { result } = s.state() else {
        panic!("not completed: {:?}", s.state());
    };
    assert_eq!(result.outcome, Outcome::Completed);
    assert_eq!(result.scores.names_match, Some(true));
    assert_eq!(result.scores.criminal_record_found, Some(false));
    assert_eq!(
        boundaries,
        [
            "NotStarted",
            "AwaitingEmailCode",
            "AwaitingPhoneChannel",
            "AwaitingPhoneCode",
            "AwaitingDocument",
            "AwaitingDocument",
            "AwaitingSelfie",
            "AwaitingReview",
            "Completed"
        ]
    );
    env.shutdown().await;
}

/// An automatic step interrupted by the server (every `sync` answers 503 through a proxy)
/// leaves the session in `Processing { SignUpForm }` with the validated code kept; its snapshot,
/// restored with a direct client, continues with `resume()`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_an_interrupted_automatic_step() {
    let env = Env::start().await;
    let flow = env
        .flow(|f| f.sign_up_form.phone_gateway = PhoneGateway::None)
        .await;
    let upstream = env.base.trim_start_matches("http://").parse().unwrap();
    let proxy = start_proxy(
        upstream,
        Arc::new(|_m: &str, p: &str| {
            if p.contains("/sync") {
                Fault::BadGateway
            } else {
                Fault::Pass
            }
        }),
    )
    .await;
    let su = signup("interrupted@example.com");
    let s = EnrollmentSession::new(
        common::client_for(&format!("http://{proxy}")),
        flow,
        su.clone(),
    )
    .unwrap();
    s.start().await.unwrap();
    let code = env.code("interrupted@example.com").await;
    let e = s.submit_email_code(code).await.unwrap_err();
    assert!(
        matches!(e, EnrollError::Server { status: 502, .. }),
        "{e:?}"
    );
    assert!(e.is_retryable());
    assert_eq!(
        s.state(),
        EnrollState::Processing {
            step: StepKind::SignUpForm
        }
    );
    let json = s.snapshot().to_json().unwrap();
    let restored =
        EnrollmentSession::restore(env.client(), Snapshot::from_json(&json).unwrap()).unwrap();
    assert_eq!(
        restored.state(),
        EnrollState::Processing {
            step: StepKind::SignUpForm
        }
    );
    let st = restored.resume().await.unwrap();
    assert!(matches!(st, EnrollState::AwaitingDocument { .. }), "{st:?}");
    env.shutdown().await;
}

/// The sandbox clock moves past the registrant token's lifetime: the next call gets 403 and the
/// SDK says `SessionExpired` with the way on. The integrator's backend calls resend-link with
/// the client token; the snapshot restored with that token finishes the enrollment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_expiry_and_recovery_with_resend_link() {
    let env = Env::start_with_manual_clock().await;
    let flow = env
        .flow(|f| f.sign_up_form.phone_gateway = PhoneGateway::None)
        .await;
    let su = signup("expiry@example.com");
    let s = EnrollmentSession::new(env.client(), flow, su.clone()).unwrap();
    s.start().await.unwrap();
    let code = env.code("expiry@example.com").await;
    s.submit_email_code(code).await.unwrap();
    assert!(matches!(s.state(), EnrollState::AwaitingDocument { .. }));
    env.clock
        .as_ref()
        .unwrap()
        .advance(Duration::from_secs(121 * 60));
    let e = s
        .submit_document(
            smart_enroll_core::DocumentSide::Front,
            common::document_image(),
            smart_enroll_core::DocumentCategory::Passport,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, EnrollError::SessionExpired { .. }), "{e:?}");
    assert!(e.to_string().contains("resend-link"));
    assert!(!e.is_retryable());
    assert!(
        matches!(
            s.state(),
            EnrollState::AwaitingDocument {
                attempts_left: 3,
                ..
            }
        ),
        "nothing lost, no attempt used"
    );
    // The integrator's backend (client token) issues a fresh registrant token.
    let reg_id = s.snapshot().registration_id().unwrap();
    let fresh = env.client().resend_link(&env.admin, &reg_id).await.unwrap();
    let restored =
        EnrollmentSession::restore(env.client(), s.snapshot().with_token(fresh)).unwrap();
    let seen = common::drive(&env, &restored, &su).await;
    match seen.last().unwrap() {
        EnrollState::Completed { result } => assert_eq!(result.outcome, Outcome::Completed),
        other => panic!("{other:?}"),
    }
    env.shutdown().await;
}

/// Client calls outside a session (flow config, admin calls) are cancellable too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_calls_can_be_cancelled() {
    let env = Env::start().await;
    let flow = env.flow(|_| {}).await;
    let upstream = env.base.trim_start_matches("http://").parse().unwrap();
    let proxy = start_proxy(upstream, Arc::new(|_m: &str, _p: &str| Fault::Blackhole)).await;
    let client = common::client_for(&format!("http://{proxy}"));
    let c2 = client.clone();
    let project = flow.project_id.clone();
    let task = tokio::spawn(async move { c2.fetch_flow_config(&project, None).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let t0 = std::time::Instant::now();
    client.cancel_all();
    assert_eq!(task.await.unwrap(), Err(EnrollError::Cancelled));
    assert!(t0.elapsed() < Duration::from_secs(2));
    // The direct client still works, and so would this one once the network is back.
    let cfg = env
        .client()
        .fetch_flow_config(&flow.project_id, Some(&flow.flow_id))
        .await
        .unwrap();
    assert_eq!(cfg, flow);
    env.shutdown().await;
}

/// Drives a Full-KYC passport enrollment up to the review.
async fn to_review(env: &Env, email: &str) -> EnrollmentSession {
    let flow = env
        .flow(|f| f.sign_up_form.phone_gateway = PhoneGateway::None)
        .await;
    let mut su = signup(email);
    su.phone = None;
    su.country_code = None;
    let s = EnrollmentSession::new(env.client(), flow, su.clone()).unwrap();
    s.start().await.unwrap();
    s.submit_email_code(env.code(email).await).await.unwrap();
    s.submit_document(
        smart_enroll_core::DocumentSide::Front,
        common::document_image(),
        smart_enroll_core::DocumentCategory::Passport,
    )
    .await
    .unwrap();
    let st = s.submit_selfie(common::selfie()).await.unwrap();
    assert!(matches!(st, EnrollState::AwaitingReview { .. }), "{st:?}");
    s
}

/// The review survives a snapshot: restored, the session shows the same review (no request)
/// and `confirm()` completes with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_review_survives_snapshot_and_restore() {
    let env = Env::start().await;
    let s = to_review(&env, "review-snap@example.com").await;
    let EnrollState::AwaitingReview { review } = s.state() else {
        panic!("{:?}", s.state())
    };
    assert!(review.document.is_some() && review.liveness.is_some());
    let json = s.snapshot().to_json().unwrap();
    drop(s);
    let client = env.client();
    let r =
        EnrollmentSession::restore(client.clone(), Snapshot::from_json(&json).unwrap()).unwrap();
    assert_eq!(
        r.state(),
        EnrollState::AwaitingReview {
            review: review.clone()
        }
    );
    let EnrollState::Completed { result } = r.confirm().await.unwrap() else {
        panic!("{:?}", r.state())
    };
    assert_eq!(result.review, Some(review));
    assert_eq!(client.stats().requests, 1, "only `sync end` was sent");
    env.shutdown().await;
}

/// A version-1 snapshot (before the review existed) migrates: at the finish step it restores
/// to `Processing { Finish }`, and `resume()` retrieves the review from the server. A newer
/// version than this SDK knows gets the typed version error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn version_1_snapshots_migrate_and_unknown_versions_are_refused() {
    assert_eq!(smart_enroll_core::SNAPSHOT_VERSION, 2);
    let env = Env::start().await;
    let s = to_review(&env, "review-v1@example.com").await;
    let EnrollState::AwaitingReview { review } = s.state() else {
        panic!("{:?}", s.state())
    };
    // The same session written in the version-1 layout (loose flags).
    let v2: serde_json::Value = serde_json::from_str(&s.snapshot().to_json().unwrap()).unwrap();
    let p = &v2["progress"];
    assert_eq!(p["document"]["state"]["state"], "done", "{p:#}");
    assert_eq!(p["liveness"]["state"]["state"], "done", "{p:#}");
    assert_eq!(p["finish"]["state"], "reviewing", "{p:#}");
    let otp = |o: &serde_json::Value| {
        serde_json::json!({"validation_id": o["step"]["validation_id"],
            "sent_at_ms": o["step"]["sent_at_ms"], "needs_new_code": false,
            "attempts": o["attempts"]})
    };
    let mut v = serde_json::json!({"version": 1, "taken_at_ms": 1, "progress": {
        "flow": p["flow"], "signup": p["signup"], "plan": p["plan"], "cursor": p["cursor"],
        "registration_id": p["registration"]["id"],
        "information_validation_id": p["registration"]["information_validation_id"],
        "token": p["token"], "email": otp(&p["email"]), "phone": otp(&p["phone"]),
        "phone_channel": p["phone_channel"],
        "document_validation_id": p["document"]["state"]["validation_id"],
        "document_category": p["document"]["state"]["category"], "document_side": "Front",
        "document_attempts": 0, "document_done": true,
        "document_status": p["document"]["state"]["status"],
        "liveness_synced": true, "liveness_attempts": 0, "liveness_done": true,
        "failed_step": null, "skipped": [], "scores": p["scores"], "result": null}});
    let snap = Snapshot::from_json(&v.to_string()).unwrap();
    assert_eq!(snap.version, 2, "migrated");
    let r = EnrollmentSession::restore(env.client(), snap).unwrap();
    assert_eq!(
        r.state(),
        EnrollState::Processing {
            step: StepKind::Finish
        }
    );
    assert!(matches!(
        r.confirm().await,
        Err(EnrollError::InvalidState { .. })
    ));
    let st = r.resume().await.unwrap();
    assert_eq!(st, EnrollState::AwaitingReview { review });
    assert!(matches!(
        r.confirm().await.unwrap(),
        EnrollState::Completed { .. }
    ));
    v["version"] = 3.into();
    let err = Snapshot::from_json(&v.to_string()).unwrap_err();
    assert!(
        matches!(&err, EnrollError::InvalidInput { field, reason }
            if field == "snapshot" && reason.contains("unsupported snapshot version 3")),
        "{err:?}"
    );
    env.shutdown().await;
}

/// `set_auto_confirm(true)`: headless, the session sends `sync end` itself once the review is
/// retrieved; the result carries the review.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_confirm_finishes_with_the_review() {
    let env = Env::start().await;
    let flow = env
        .flow(|f| f.sign_up_form.phone_gateway = PhoneGateway::None)
        .await;
    let mut su = signup("auto@example.com");
    su.phone = None;
    su.country_code = None;
    let s = EnrollmentSession::new(env.client(), flow, su.clone()).unwrap();
    s.set_auto_confirm(true);
    let seen = common::drive(&env, &s, &su).await;
    assert!(
        !seen
            .iter()
            .any(|st| matches!(st, EnrollState::AwaitingReview { .. })),
        "{seen:?}"
    );
    let EnrollState::Completed { result } = s.state() else {
        panic!("{:?}", s.state())
    };
    assert_eq!(result.outcome, Outcome::Completed);
    let review = result.review.expect("the review that was confirmed");
    assert_eq!(review.registration_id, result.registration_id);
    assert!(review.document.is_some());
    env.shutdown().await;
}
