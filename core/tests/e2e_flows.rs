//! The engine end to end against the real sandbox over loopback (SQLite in a temp dir):
//! Basic, Full-KYC, skipKYC, back side, liveness retry, attempts exhausted, OTP mismatch,
//! NEEDS_MANUAL_VERIFICATION, observers, analytics and cancellation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Env, drive, signup};
use smart_enroll_core::{
    AnalyticsEvent, AnalyticsEventKind, AnalyticsSink, DocumentCategory, DocumentSide, EnrollError,
    EnrollState, EnrollmentSession, Outcome, PhoneChannel, PhoneGateway, StateObserver, StepKind,
    StepMode,
};
use std::sync::{Arc, Mutex};

fn result(st: &EnrollState) -> &smart_enroll_core::EnrollResult {
    match st {
        EnrollState::Completed { result } => result,
        other => panic!("not completed: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_kyc_completes_with_minimum_requests() {
    let env = Env::start().await;
    let flow = env.flow(|_| {}).await;
    let flow_liveness_min = flow.liveness.liveness_min_score;
    let client = env.client();
    let su = signup("ana@example.com");
    let s = EnrollmentSession::new(client.clone(), flow, su.clone()).unwrap();
    let before = client.stats().requests;
    let seen = drive(&env, &s, &su).await;
    let r = result(seen.last().unwrap());
    assert_eq!(r.outcome, Outcome::Completed);
    assert!(
        r.redirect_url
            .as_deref()
            .unwrap()
            .starts_with("https://example.com/welcome?token=")
    );
    assert!(
        r.redirect_url
            .as_deref()
            .unwrap()
            .ends_with(r.token.expose())
    );
    assert!(r.scores.liveness_score.is_some());
    assert_eq!(r.scores.compare_passed, Some(true));
    // Lifecycle minimum (§7) with an ID card (front and back): registration, email
    // create+validate, phone create+validate, sync signUpForm, document front, document back,
    // sync liveness, selfie, compare, the review's retrieve (`me`), sync end = 13. No GETs,
    // no retries.
    assert_eq!(client.stats().requests - before, 13);
    // The confirmed review is the server's: OCR fields of the document, the scores against
    // the flow's thresholds.
    let review = r.review.as_ref().expect("the confirmed review");
    let EnrollState::AwaitingReview { review: shown } = &seen[seen.len() - 2] else {
        panic!("no review before the end: {seen:?}")
    };
    assert_eq!(review, shown);
    assert_eq!(review.registration_id, r.registration_id);
    let d = review.document.as_ref().expect("document fields");
    assert_eq!(d.status.as_deref(), Some("ACTIVE"));
    assert!(
        d.document_number.as_deref().is_some_and(|n| !n.is_empty()),
        "{d:?}"
    );
    assert!(d.first_name.is_some() || d.full_name.is_some(), "{d:?}");
    assert!(d.date_of_birth.is_some(), "{d:?}");
    let l = review.liveness.expect("liveness score");
    assert_eq!(Some(l.score), r.scores.liveness_score);
    assert_eq!(l.min_score, flow_liveness_min);
    assert!(l.passed && l.score > l.min_score);
    let c = review.compare.expect("compare score");
    assert!(c.passed);
    assert_eq!(review.expected_outcome, Outcome::Completed);
    assert_eq!(client.stats().retries, 0);
    // States seen, in order.
    let names: Vec<&str> = seen.iter().map(smart_enroll_core::state_name).collect();
    assert_eq!(
        names,
        [
            "NotStarted",
            "AwaitingEmailCode",
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

/// With a passport (one side) the Full-KYC lifecycle minimum is 12 requests (the review's
/// retrieve included), plus the one GET of the flow configuration that `begin` makes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_kyc_with_a_passport_sends_twelve_requests() {
    let env = Env::start().await;
    let flow = env.flow(|_| {}).await;
    let client = env.client();
    let su = signup("passport@example.com");
    let s = EnrollmentSession::begin(
        client.clone(),
        flow.project_id.clone(),
        Some(flow.flow_id.clone()),
        su.clone(),
    )
    .await
    .unwrap();
    assert_eq!(s.plan(), smart_enroll_core::plan(&flow, &su).unwrap());
    assert_eq!(client.stats().requests, 1);
    s.start().await.unwrap();
    s.submit_email_code(env.code("passport@example.com").await)
        .await
        .unwrap();
    let st = s
        .submit_phone_code(env.code(&common::phone_to(&su)).await)
        .await
        .unwrap();
    assert!(matches!(
        st,
        EnrollState::AwaitingDocument {
            side: DocumentSide::Front,
            ..
        }
    ));
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
    let st = s.confirm().await.unwrap();
    assert_eq!(result(&st).outcome, Outcome::Completed);
    let stats = client.stats();
    assert_eq!(stats.requests, 1 + 12);
    assert_eq!(stats.retries, 0);
    assert!(stats.bytes_uploaded > 0);
    env.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_flow_with_optional_steps_skipped_completes_without_kyc() {
    let env = Env::start().await;
    let flow = env
        .flow(|f| {
            f.steps.document = StepMode::Optional;
            f.steps.liveness = StepMode::Optional;
        })
        .await;
    let su = signup("basic@example.com");
    let s = EnrollmentSession::new(env.client(), flow, su.clone()).unwrap();
    let mut st = s.start().await.unwrap();
    while !matches!(st, EnrollState::AwaitingDocument { .. }) {
        st = common::step(&env, &s, &su).await.unwrap();
    }
    let EnrollState::AwaitingDocument {
        optional,
        can_skip_kyc,
        ..
    } = st
    else {
        unreachable!()
    };
    assert!(optional && can_skip_kyc);
    let st = s.skip_step().await.unwrap();
    assert!(matches!(
        st,
        EnrollState::AwaitingSelfie { optional: true, .. }
    ));
    let st = s.skip_step().await.unwrap();
    assert!(matches!(st, EnrollState::AwaitingReview { .. }), "{st:?}");
    let st = s.confirm().await.unwrap();
    assert_eq!(result(&st).outcome, Outcome::CompletedWithoutKyc);
    env.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_flow_doing_the_optional_steps_completes() {
    let env = Env::start().await;
    let flow = env
        .flow(|f| {
            f.steps.document = StepMode::Optional;
            f.steps.liveness = StepMode::Optional;
        })
        .await;
    let su = signup("basic2@example.com");
    let s = EnrollmentSession::new(env.client(), flow, su.clone()).unwrap();
    let seen = drive(&env, &s, &su).await;
    assert_eq!(result(seen.last().unwrap()).outcome, Outcome::Completed);
    env.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skip_kyc_when_allowed() {
    let env = Env::start().await;
    let flow = env
        .flow(|f| {
            f.steps.document = StepMode::Optional;
            f.steps.liveness = StepMode::Optional;
            f.sign_up_form.phone_gateway = PhoneGateway::None;
        })
        .await;
    let su = signup("skip@example.com");
    let s = EnrollmentSession::new(env.client(), flow, su.clone()).unwrap();
    s.start().await.unwrap();
    let code = env.code("skip@example.com").await;
    let st = s.submit_email_code(code).await.unwrap();
    assert!(matches!(
        st,
        EnrollState::AwaitingDocument {
            can_skip_kyc: true,
            ..
        }
    ));
    let st = s.skip_kyc().await.unwrap();
    let r = result(&st);
    assert_eq!(r.outcome, Outcome::CompletedWithoutKyc);
    assert!(!r.token.expose().is_empty());
    // Terminal: nothing else is accepted.
    assert!(matches!(
        s.confirm().await,
        Err(EnrollError::InvalidState { .. })
    ));
    env.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skip_kyc_refused_when_kyc_is_mandatory() {
    let env = Env::start().await;
    let flow = env
        .flow(|f| f.sign_up_form.phone_gateway = PhoneGateway::None)
        .await;
    let su = signup("noskip@example.com");
    let s = EnrollmentSession::new(env.client(), flow, su.clone()).unwrap();
    s.start().await.unwrap();
    let code = env.code("noskip@example.com").await;
    let st = s.submit_email_code(code).await.unwrap();
    assert!(matches!(
        st,
        EnrollState::AwaitingDocument {
            can_skip_kyc: false,
            optional: false,
            ..
        }
    ));
    assert!(matches!(
        s.skip_kyc().await,
        Err(EnrollError::InvalidState { .. })
    ));
    assert!(matches!(
        s.skip_step().await,
        Err(EnrollError::InvalidState { .. })
    ));
    env.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_side_required() {
    let env = Env::start().await;
    let flow = env
        .flow(|f| f.sign_up_form.phone_gateway = PhoneGateway::None)
        .await;
    let su = signup("ana+back-side@example.com");
    let s = EnrollmentSession::new(env.client(), flow, su.clone()).unwrap();
    s.start().await.unwrap();
    let code = env.code(su.email.as_deref().unwrap()).await;
    s.submit_email_code(code).await.unwrap();
    let st = s
        .submit_document(
            DocumentSide::Front,
            common::document_image(),
            DocumentCategory::GovernmentId,
        )
        .await
        .unwrap();
    match st {
        EnrollState::AwaitingDocument {
            side,
            accepted_categories,
            ..
        } => {
            assert_eq!(side, DocumentSide::Back);
            assert_eq!(accepted_categories, vec![DocumentCategory::GovernmentId]);
        }
        other => panic!("expected the back side, got {other:?}"),
    }
    // Wrong side is refused locally.
    assert!(matches!(
        s.submit_document(
            DocumentSide::Front,
            common::document_image(),
            DocumentCategory::GovernmentId
        )
        .await,
        Err(EnrollError::InvalidInput { .. })
    ));
    let st = s
        .submit_document(
            DocumentSide::Back,
            common::document_image(),
            DocumentCategory::GovernmentId,
        )
        .await
        .unwrap();
    assert!(matches!(st, EnrollState::AwaitingSelfie { .. }), "{st:?}");
    let seen = drive(&env, &s, &su).await;
    assert_eq!(result(seen.last().unwrap()).outcome, Outcome::Completed);
    env.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn liveness_fails_once_then_succeeds() {
    let env = Env::start().await;
    let flow = env
        .flow(|f| f.sign_up_form.phone_gateway = PhoneGateway::None)
        .await;
    let su = signup("ana+liveness-fail-once@example.com");
    let s = EnrollmentSession::new(env.client(), flow, su.clone()).unwrap();
    let mut st = s.start().await.unwrap();
    while !matches!(st, EnrollState::AwaitingSelfie { .. }) {
        st = common::step(&env, &s, &su).await.unwrap();
    }
    assert!(matches!(
        st,
        EnrollState::AwaitingSelfie {
            attempts_left: 3,
            ..
        }
    ));
    let e = s.submit_selfie(common::selfie()).await.unwrap_err();
    match e {
        EnrollError::LivenessFailed { score } => assert!(score.is_some_and(|s| s < 0.65)),
        other => panic!("expected liveness failure, got {other:?}"),
    }
    assert!(matches!(
        s.state(),
        EnrollState::AwaitingSelfie {
            attempts_left: 2,
            ..
        }
    ));
    let st = s.submit_selfie(common::selfie()).await.unwrap();
    assert!(matches!(st, EnrollState::AwaitingReview { .. }), "{st:?}");
    let st = s.confirm().await.unwrap();
    assert_eq!(result(&st).outcome, Outcome::Completed);
    env.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn liveness_attempts_exhausted_ends_failed() {
    let env = Env::start().await;
    let flow = env
        .flow(|f| {
            f.sign_up_form.phone_gateway = PhoneGateway::None;
            f.liveness.max_attempts = 3;
        })
        .await;
    let su = signup("ana+liveness-fail@example.com");
    let s = EnrollmentSession::new(env.client(), flow, su.clone()).unwrap();
    let mut st = s.start().await.unwrap();
    while !matches!(st, EnrollState::AwaitingSelfie { .. }) {
        st = common::step(&env, &s, &su).await.unwrap();
    }
    for left in [2u32, 1] {
        let e = s.submit_selfie(common::selfie()).await.unwrap_err();
        assert!(matches!(e, EnrollError::LivenessFailed { .. }), "{e:?}");
        assert!(
            matches!(s.state(), EnrollState::AwaitingSelfie { attempts_left, .. } if attempts_left == left)
        );
    }
    let e = s.submit_selfie(common::selfie()).await.unwrap_err();
    assert!(matches!(e, EnrollError::LivenessFailed { .. }), "{e:?}");
    let st = s.state();
    assert_eq!(result(&st).outcome, Outcome::Failed);
    assert!(matches!(
        s.submit_selfie(common::selfie()).await,
        Err(EnrollError::InvalidState { .. })
    ));
    env.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn otp_mismatch_then_success_and_phone_channel_choice() {
    let env = Env::start().await;
    let flow = env
        .flow(|f| f.sign_up_form.phone_gateway = PhoneGateway::Both)
        .await;
    let su = signup("otp@example.com");
    let s = EnrollmentSession::new(env.client(), flow, su.clone()).unwrap();
    let st = s.start().await.unwrap();
    assert!(
        matches!(st, EnrollState::AwaitingEmailCode { ref masked_email, .. } if masked_email == "o***@example.com")
    );
    let good = env.code("otp@example.com").await;
    let wrong = if good == "000000" { "111111" } else { "000000" };
    let e = s.submit_email_code(wrong.into()).await.unwrap_err();
    assert_eq!(e, EnrollError::OtpMismatch);
    assert!(matches!(
        s.state(),
        EnrollState::AwaitingEmailCode {
            needs_new_code: false,
            ..
        }
    ));
    let st = s.submit_email_code(good).await.unwrap();
    assert_eq!(
        st,
        EnrollState::AwaitingPhoneChannel {
            channels: vec![PhoneChannel::Sms, PhoneChannel::Whatsapp],
            optional: false
        }
    );
    let st = s
        .choose_phone_channel(PhoneChannel::Whatsapp)
        .await
        .unwrap();
    assert!(matches!(
        st,
        EnrollState::AwaitingPhoneCode {
            channel: PhoneChannel::Whatsapp,
            ..
        }
    ));
    // Resending inside the cooldown is rate limited with a wait.
    let e = s.resend_phone_code().await.unwrap_err();
    assert!(
        matches!(
            e,
            EnrollError::RateLimited {
                retry_after_ms: Some(_),
                ..
            }
        ),
        "{e:?}"
    );
    let code = env.code(&common::phone_to(&su)).await;
    let st = s.submit_phone_code(code).await.unwrap();
    assert!(matches!(st, EnrollState::AwaitingDocument { .. }));
    env.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn otp_lock_needs_a_new_code() {
    let env = Env::start_with_manual_clock().await;
    let flow = env
        .flow(|f| f.sign_up_form.phone_gateway = PhoneGateway::None)
        .await;
    let su = signup("lock@example.com");
    let s = EnrollmentSession::new(env.client(), flow, su.clone()).unwrap();
    s.start().await.unwrap();
    let good = env.code("lock@example.com").await;
    let wrong = if good == "000000" { "111111" } else { "000000" };
    for _ in 0..4 {
        assert_eq!(
            s.submit_email_code(wrong.into()).await.unwrap_err(),
            EnrollError::OtpMismatch
        );
    }
    assert_eq!(
        s.submit_email_code(wrong.into()).await.unwrap_err(),
        EnrollError::OtpLocked
    );
    assert!(matches!(
        s.state(),
        EnrollState::AwaitingEmailCode {
            needs_new_code: true,
            ..
        }
    ));
    env.clock
        .as_ref()
        .unwrap()
        .advance(std::time::Duration::from_secs(61));
    s.resend_email_code().await.unwrap();
    let fresh = env.code("lock@example.com").await;
    let st = s.submit_email_code(fresh).await.unwrap();
    assert!(matches!(st, EnrollState::AwaitingDocument { .. }), "{st:?}");
    env.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn needs_manual_verification_is_an_outcome() {
    let env = Env::start().await;
    let flow = env
        .flow(|f| f.sign_up_form.phone_gateway = PhoneGateway::None)
        .await;
    let su = signup("ana+manual-review@example.com");
    let s = EnrollmentSession::new(env.client(), flow, su.clone()).unwrap();
    let seen = drive(&env, &s, &su).await;
    assert_eq!(
        result(seen.last().unwrap()).outcome,
        Outcome::NeedsManualVerification
    );
    env.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn low_compare_and_criminal_hit_end_failed() {
    let env = Env::start().await;
    for email in [
        "ana+low-compare@example.com",
        "ana+criminal-hit@example.com",
    ] {
        let flow = env
            .flow(|f| {
                f.sign_up_form.phone_gateway = PhoneGateway::None;
                f.document.verify_criminal_history = true;
                f.document.verify_names = true;
            })
            .await;
        let su = signup(email);
        let s = EnrollmentSession::new(env.client(), flow, su.clone()).unwrap();
        let seen = drive(&env, &s, &su).await;
        let r = result(seen.last().unwrap());
        assert_eq!(r.outcome, Outcome::Failed, "{email}");
    }
    env.shutdown().await;
}

#[derive(Default)]
struct Recorder {
    states: Mutex<Vec<EnrollState>>,
    events: Mutex<Vec<AnalyticsEvent>>,
}

impl StateObserver for Recorder {
    fn on_state_changed(&self, state: EnrollState) {
        self.states.lock().unwrap().push(state);
    }
}

impl AnalyticsSink for Recorder {
    fn on_event(&self, event: AnalyticsEvent) {
        self.events.lock().unwrap().push(event);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn observers_and_analytics_carry_no_personal_data() {
    let env = Env::start().await;
    let flow = env.flow(|_| {}).await;
    let mut su = signup("observed.person@example.com");
    su.full_name = Some("Quintessa Vex".into());
    let s = EnrollmentSession::new(env.client(), flow, su.clone()).unwrap();
    let rec = Arc::new(Recorder::default());
    let handle = s.observe(rec.clone());
    s.set_analytics_sink(Some(rec.clone()));
    assert_eq!(
        rec.states.lock().unwrap().len(),
        1,
        "current state delivered at once"
    );
    let seen = drive(&env, &s, &su).await;
    let states = rec.states.lock().unwrap().clone();
    assert_eq!(states.last(), seen.last());
    for st in &seen[1..] {
        assert!(states.contains(st), "observer missed {st:?}");
    }
    let events = rec.events.lock().unwrap().clone();
    let completed: Vec<StepKind> = events
        .iter()
        .filter(|e| e.kind == AnalyticsEventKind::StepCompleted)
        .map(|e| e.step)
        .collect();
    for k in [
        StepKind::CreateRegistration,
        StepKind::EmailOtp,
        StepKind::PhoneOtp,
        StepKind::SignUpForm,
        StepKind::Document,
        StepKind::Liveness,
        StepKind::FaceCompare,
    ] {
        assert!(completed.contains(&k), "no completion event for {k:?}");
    }
    assert!(
        events
            .iter()
            .any(|e| e.kind == AnalyticsEventKind::EnrollmentFinished
                && e.outcome == Some(Outcome::Completed))
    );
    let dump = format!("{events:?}");
    for secret in ["observed", "3001234567", "Quintessa", "example.com"] {
        assert!(!dump.contains(secret), "analytics leaked {secret}");
    }
    drop(handle);
    assert_eq!(s.observer_count(), 0);
    env.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_input_is_refused_before_any_request() {
    let env = Env::start().await;
    let flow = env
        .flow(|f| f.sign_up_form.phone_gateway = PhoneGateway::None)
        .await;
    let client = env.client();
    let mut bad = signup("not an email");
    assert!(matches!(
        EnrollmentSession::new(client.clone(), flow.clone(), bad.clone()),
        Err(EnrollError::InvalidInput { .. })
    ));
    bad = signup("ok@example.com");
    let s = EnrollmentSession::new(client.clone(), flow, bad.clone()).unwrap();
    s.start().await.unwrap();
    let n = client.stats().requests;
    assert!(matches!(
        s.submit_email_code("12a456".into()).await,
        Err(EnrollError::InvalidInput { .. })
    ));
    let code = env.code("ok@example.com").await;
    s.submit_email_code(code).await.unwrap();
    let n2 = client.stats().requests;
    assert_eq!(
        n2 - n,
        2,
        "bad code sent nothing; good code validated + synced signUpForm"
    );
    for junk in [
        Vec::new(),
        b"GIF89a....".to_vec(),
        vec![0xFF, 0xD8, 0xFF, 0x00],
    ] {
        let e = s
            .submit_document(DocumentSide::Front, junk, DocumentCategory::GovernmentId)
            .await
            .unwrap_err();
        assert!(
            matches!(e, EnrollError::InvalidInput { ref field, .. } if field == "image"),
            "{e:?}"
        );
    }
    assert!(matches!(
        s.state(),
        EnrollState::AwaitingDocument {
            attempts_left: 3,
            ..
        }
    ));
    assert_eq!(
        client.stats().requests,
        n2,
        "no request for undecodable images"
    );
    env.shutdown().await;
}

/// Cancelling while a request hangs (a proxy holds it) ends the operation at once with
/// `Cancelled`; nothing was recorded, and the same step then succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_ends_the_operation_and_it_can_be_retried() {
    use common::proxy::{Fault, start_proxy};
    let env = Env::start().await;
    let flow = env
        .flow(|f| f.sign_up_form.phone_gateway = PhoneGateway::None)
        .await;
    let upstream = env.base.trim_start_matches("http://").parse().unwrap();
    let hang = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let h = hang.clone();
    let proxy = start_proxy(
        upstream,
        Arc::new(move |_m: &str, _p: &str| {
            if h.load(std::sync::atomic::Ordering::SeqCst) {
                Fault::Blackhole
            } else {
                Fault::Pass
            }
        }),
    )
    .await;
    let su = signup("cancel@example.com");
    let s = EnrollmentSession::new(
        common::client_for(&format!("http://{proxy}")),
        flow,
        su.clone(),
    )
    .unwrap();
    let s2 = s.clone();
    let task = tokio::spawn(async move { s2.start().await });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let t0 = std::time::Instant::now();
    s.cancel();
    let r = task.await.unwrap();
    assert_eq!(r, Err(EnrollError::Cancelled));
    assert!(t0.elapsed() < std::time::Duration::from_secs(2));
    assert_eq!(s.state(), EnrollState::NotStarted);
    hang.store(false, std::sync::atomic::Ordering::SeqCst);
    let st = s.start().await.unwrap();
    assert!(
        matches!(st, EnrollState::AwaitingEmailCode { .. }),
        "{st:?}"
    );
    env.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_mismatch_goes_to_manual_verification() {
    let env = Env::start().await;
    let flow = env
        .flow(|f| {
            f.sign_up_form.phone_gateway = PhoneGateway::None;
            f.document.verify_names = true;
        })
        .await;
    let su = signup("ana+names-mismatch@example.com");
    let s = EnrollmentSession::new(env.client(), flow, su.clone()).unwrap();
    let seen = drive(&env, &s, &su).await;
    let r = result(seen.last().unwrap());
    assert_eq!(r.scores.names_match, Some(false));
    assert_eq!(r.outcome, Outcome::NeedsManualVerification);
    env.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn face_already_exists_uses_attempts() {
    let env = Env::start().await;
    let flow = env
        .flow(|f| f.sign_up_form.phone_gateway = PhoneGateway::None)
        .await;
    let su = signup("ana+face-exists@example.com");
    let s = EnrollmentSession::new(env.client(), flow, su.clone()).unwrap();
    let mut st = s.start().await.unwrap();
    while !matches!(st, EnrollState::AwaitingSelfie { .. }) {
        st = common::step(&env, &s, &su).await.unwrap();
    }
    let e = s.submit_selfie(common::selfie()).await.unwrap_err();
    assert_eq!(e, EnrollError::FaceAlreadyExists);
    assert!(matches!(
        s.state(),
        EnrollState::AwaitingSelfie {
            attempts_left: 2,
            ..
        }
    ));
    env.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_credits_is_payment_required_and_uses_no_attempt() {
    let env = Env::start().await;
    let flow = env
        .flow(|f| f.sign_up_form.phone_gateway = PhoneGateway::None)
        .await;
    let su = signup("ana+no-credits@example.com");
    let s = EnrollmentSession::new(env.client(), flow, su.clone()).unwrap();
    let mut last = None;
    for _ in 0..10 {
        match common::step(&env, &s, &su).await {
            Ok(_) => {}
            Err(e) => {
                last = Some(e);
                break;
            }
        }
    }
    let e = last.expect("a billed step must fail");
    assert_eq!(
        e.category(),
        smart_enroll_core::ErrorCategory::PaymentRequired,
        "{e:?}"
    );
    assert!(!e.is_retryable());
    match s.state() {
        EnrollState::AwaitingDocument { attempts_left, .. }
        | EnrollState::AwaitingSelfie { attempts_left, .. } => assert_eq!(attempts_left, 3),
        other => panic!("unexpected state {other:?}"),
    }
    env.shutdown().await;
}

/// Out of attempts while the server is failing: the FAILED sync is pending (`Processing
/// { Finish }`), survives a snapshot, and `resume()` sends it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exhausted_attempts_with_a_failing_final_sync_resume_to_failed() {
    use common::proxy::{Fault, start_proxy};
    use std::sync::atomic::{AtomicBool, Ordering};
    let env = Env::start().await;
    let flow = env
        .flow(|f| f.sign_up_form.phone_gateway = PhoneGateway::None)
        .await;
    let upstream = env.base.trim_start_matches("http://").parse().unwrap();
    let fail_sync = Arc::new(AtomicBool::new(false));
    let fs = fail_sync.clone();
    let proxy = start_proxy(
        upstream,
        Arc::new(move |_m: &str, p: &str| {
            if fs.load(Ordering::SeqCst) && p.contains("/sync") {
                Fault::BadGateway
            } else {
                Fault::Pass
            }
        }),
    )
    .await;
    let su = signup("ana+liveness-fail@example.com");
    let s = EnrollmentSession::new(
        common::client_for(&format!("http://{proxy}")),
        flow,
        su.clone(),
    )
    .unwrap();
    let mut st = s.start().await.unwrap();
    while !matches!(st, EnrollState::AwaitingSelfie { .. }) {
        st = common::step(&env, &s, &su).await.unwrap();
    }
    for _ in 0..2 {
        let e = s.submit_selfie(common::selfie()).await.unwrap_err();
        assert!(matches!(e, EnrollError::LivenessFailed { .. }), "{e:?}");
    }
    fail_sync.store(true, Ordering::SeqCst);
    let e = s.submit_selfie(common::selfie()).await.unwrap_err();
    assert!(
        matches!(e, EnrollError::Server { status: 502, .. }),
        "{e:?}"
    );
    assert_eq!(
        s.state(),
        EnrollState::Processing {
            step: StepKind::Finish
        }
    );
    let snap = s.snapshot().to_json().unwrap();
    fail_sync.store(false, Ordering::SeqCst);
    let restored = EnrollmentSession::restore(
        env.client(),
        smart_enroll_core::Snapshot::from_json(&snap).unwrap(),
    )
    .unwrap();
    let st = restored.resume().await.unwrap();
    assert_eq!(result(&st).outcome, Outcome::Failed);
    env.shutdown().await;
}

/// A phone-only enrollment (email gateway off, no email given) over WhatsApp.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_only_enrollment_over_whatsapp() {
    let env = Env::start().await;
    let flow = env
        .flow(|f| {
            f.sign_up_form.email = false;
            f.sign_up_form.email_gateway = smart_enroll_core::EmailGateway::None;
            f.sign_up_form.phone_gateway = PhoneGateway::Whatsapp;
        })
        .await;
    let mut su = signup("unused@example.com");
    su.email = None;
    su.phone = Some("3109876543".into());
    let s = EnrollmentSession::new(env.client(), flow, su.clone()).unwrap();
    let st = s.start().await.unwrap();
    match &st {
        EnrollState::AwaitingPhoneCode {
            masked_phone,
            channel,
            ..
        } => {
            assert_eq!(masked_phone, "+57 ********43");
            assert_eq!(*channel, PhoneChannel::Whatsapp);
        }
        other => panic!("{other:?}"),
    }
    let seen = drive(&env, &s, &su).await;
    assert_eq!(result(seen.last().unwrap()).outcome, Outcome::Completed);
    env.shutdown().await;
}

/// Codes that start with `0` (about one in ten) travel as the string typed, the leading zero
/// kept, on both the email and the phone validate calls: the real sandbox, with string-only
/// comparison forced (a number would be refused), draws random codes until each channel has
/// produced one (bounded: 150 registrations), and accepts them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_with_a_leading_zero_are_accepted_on_email_and_phone() {
    let env = Env::start_otp_string_only().await;
    let flow = env
        .flow(|f| f.sign_up_form.phone_gateway = smart_enroll_core::PhoneGateway::Sms)
        .await;
    let (mut email_zero, mut phone_zero) = (false, false);
    for i in 0..150 {
        if email_zero && phone_zero {
            break;
        }
        let mut su = signup(&format!("zero{i}@example.com"));
        su.phone = Some(format!("300{i:07}"));
        let s = EnrollmentSession::new(env.client(), flow.clone(), su.clone()).unwrap();
        s.start().await.unwrap();
        let code = env.code(su.email.as_deref().unwrap()).await;
        let st = s.submit_email_code(code.clone()).await.unwrap();
        email_zero |= code.starts_with('0');
        let EnrollState::AwaitingPhoneCode { .. } = st else {
            panic!("{st:?}")
        };
        let code = env.code(&common::phone_to(&su)).await;
        if code.starts_with('0') {
            let st = s.submit_phone_code(code).await.unwrap();
            assert!(matches!(st, EnrollState::AwaitingDocument { .. }), "{st:?}");
            phone_zero = true;
        }
    }
    assert!(
        email_zero && phone_zero,
        "no leading-zero code in 150 draws"
    );
    env.shutdown().await;
}

/// `firstName` / `lastName` go out on create-registration when the flow's sign-up form asks for
/// them (the sandbox stores them; it would otherwise split the full name), and not otherwise.
/// Blank names are refused before any request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_and_last_name_are_sent_when_the_flow_asks_for_them() {
    let env = Env::start().await;
    let names = |email: &str| {
        let mut su = signup(email);
        su.phone = None;
        su.country_code = None;
        su.full_name = Some("Ana Example".into());
        su.first_name = Some("Maria".into());
        su.last_name = Some("Lopez".into());
        su
    };
    let stored = |id: &str| -> serde_json::Value {
        let db = rusqlite::Connection::open_with_flags(
            env.dir.path().join("sandbox.db"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        let doc: String = db
            .query_row(
                "SELECT doc FROM app_registrations WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        serde_json::from_str(&doc).unwrap()
    };
    for asks in [true, false] {
        let flow = env
            .flow(|f| {
                f.sign_up_form.phone_gateway = smart_enroll_core::PhoneGateway::None;
                f.sign_up_form.first_name = asks;
                f.sign_up_form.last_name = asks;
            })
            .await;
        let su = names(&format!("names-{asks}@example.com"));
        let s = EnrollmentSession::new(env.client(), flow, su).unwrap();
        s.start().await.unwrap();
        let reg = stored(&s.snapshot().registration_id().unwrap());
        let (first, last) = if asks {
            ("Maria", "Lopez")
        } else {
            ("Ana", "Example")
        };
        assert_eq!(reg["firstName"], first, "flow asks: {asks}");
        assert_eq!(reg["lastName"], last, "flow asks: {asks}");
        assert_eq!(reg["fullName"], "Ana Example");
    }
    let flow = env.flow(|_| {}).await;
    let mut su = names("blank@example.com");
    su.first_name = Some("  ".into());
    let client = env.client();
    let e = EnrollmentSession::new(client.clone(), flow, su).unwrap_err();
    assert!(
        matches!(&e, EnrollError::InvalidInput { field, .. } if field == "firstName"),
        "{e:?}"
    );
    assert_eq!(client.stats().requests, 0);
    env.shutdown().await;
}
