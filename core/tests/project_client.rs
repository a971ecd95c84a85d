//! `ProjectClient` against the real sandbox over loopback: a real final token from a completed
//! enrollment verifies; forged ones (wrong key, `alg:none`, random text, expired, another
//! project's, a FAILED registration's, another flow's) are refused with their reason; a bad
//! client token is an error, not a verdict.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{Env, signup};
use smart_enroll_core::{
    ClientToken, EnrollError, EnrollResult, EnrollState, EnrollmentSession, FlowConfig, NewFlow,
    Outcome, PhoneGateway, ProjectClient, VerdictReason,
};

async fn enroll(env: &Env, flow: &FlowConfig, email: &str, phone: &str) -> EnrollResult {
    let mut su = signup(email);
    su.phone = Some(phone.into());
    let s = EnrollmentSession::new(env.client(), flow.clone(), su.clone()).unwrap();
    let seen = common::drive(env, &s, &su).await;
    match seen.last().unwrap() {
        EnrollState::Completed { result } => result.clone(),
        other => panic!("{other:?}"),
    }
}

fn no_phone(f: &mut NewFlow) {
    f.sign_up_form.phone_gateway = PhoneGateway::None;
    f.document.verify_names = true;
    f.document.verify_criminal_history = true;
}

/// Claims like the sandbox's, for `reg` with `exp`.
fn claims(reg: &str, project: &str, flow: &str, exp: i64) -> serde_json::Value {
    serde_json::json!({
        "appRegistrationId": reg, "project": project, "projectFlow": flow, "step": "end",
        "accessType": "appRegistration", "iat": exp - 7200, "exp": exp,
    })
}

fn sign(claims: &serde_json::Value, key: &[u8]) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(key),
    )
    .unwrap()
}

fn now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_final_tokens_verify_and_forged_ones_are_refused() {
    let env = Env::start_with_manual_clock().await;
    let flow = env.flow(no_phone).await;
    let other = env.flow(no_phone).await;
    let done = enroll(&env, &flow, "ana@example.com", "3001234567").await;
    assert_eq!(done.outcome, Outcome::Completed);
    let pc = ProjectClient::new(
        env.client(),
        env.admin.clone(),
        flow.project_id.clone(),
        Some(flow.flow_id.clone()),
    );

    // The real token verifies, with the scores and the OCR fields.
    let v = pc.verify_final_token(done.token.expose()).await.unwrap();
    assert!(v.verified, "{v:?}");
    assert!(v.reasons.is_empty());
    assert_eq!(
        v.registration_id.as_deref(),
        Some(done.registration_id.as_str())
    );
    assert_eq!(v.status.as_deref(), Some("COMPLETED"));
    let live = v.liveness.unwrap();
    assert!(live.passed && live.score > live.min_score);
    assert_eq!(live.min_score, flow.liveness.liveness_min_score);
    assert!(v.compare.unwrap().passed);
    let reg = v.registration.clone().unwrap();
    assert_eq!(reg.project_id.as_deref(), Some(flow.project_id.as_str()));
    assert_eq!(reg.flow_id.as_deref(), Some(flow.flow_id.as_str()));
    assert_eq!(reg.names_match, Some(true));
    assert_eq!(
        reg.criminal_check.as_ref().map(|c| c.record_found),
        Some(false)
    );
    let doc = reg.document.clone().unwrap();
    assert!(
        doc.document_number.is_some() && doc.status.is_some(),
        "{doc:?}"
    );
    assert!(reg.created_at.is_some());
    // The same through registration(id).
    assert_eq!(pc.registration(&done.registration_id).await.unwrap(), reg);
    // Whitespace around a pasted token is fine.
    let padded = format!("  {}\n", done.token.expose());
    assert!(pc.verify_final_token(&padded).await.unwrap().verified);

    // Signed with a wrong key: the server refuses it.
    let forged = sign(
        &claims(
            &done.registration_id,
            &flow.project_id,
            &flow.flow_id,
            now_s() + 3600,
        ),
        b"not-the-sandbox-key-not-the-sandbox-key",
    );
    let v = pc.verify_final_token(&forged).await.unwrap();
    assert!(!v.verified);
    assert_eq!(v.reasons, [VerdictReason::RejectedByServer]);
    assert_eq!(v.registration, None, "nothing read for a refused token");

    // alg:none, with or without a signature part.
    let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let p = URL_SAFE_NO_PAD.encode(
        claims(
            &done.registration_id,
            &flow.project_id,
            &flow.flow_id,
            now_s() + 3600,
        )
        .to_string(),
    );
    for t in [format!("{h}.{p}."), format!("{h}.{p}.c2ln")] {
        let v = pc.verify_final_token(&t).await.unwrap();
        assert_eq!(v.reasons, [VerdictReason::Unsigned], "{t}");
        assert!(!v.verified);
    }

    // Random text, empty, an id, a registrant-looking token with garbage inside.
    for t in [
        "",
        "hello",
        &done.registration_id,
        "a.b.c",
        "eyJ.eyJ.x y",
        &"x".repeat(20_000),
    ] {
        let v = pc.verify_final_token(t).await.unwrap();
        assert_eq!(v.reasons, [VerdictReason::Unreadable]);
        assert!(!v.verified && v.registration_id.is_none());
    }

    // A real token of another project: genuine, completed, but not ours.
    let foreign = enroll(&env, &other, "bo@example.com", "3001234568").await;
    let v = pc.verify_final_token(foreign.token.expose()).await.unwrap();
    assert!(!v.verified);
    assert!(
        matches!(&v.reasons[..], [VerdictReason::OtherProject { project_id }] if project_id.as_deref() == Some(other.project_id.as_str())),
        "{:?}",
        v.reasons
    );
    assert!(matches!(
        pc.registration(&foreign.registration_id).await,
        Err(EnrollError::NotFound { .. })
    ));

    // The same project, another flow.
    let second_flow = env
        .client()
        .create_flow(
            &env.admin,
            &NewFlow::preset(&flow.project_id, smart_enroll_core::FlowPreset::Basic),
        )
        .await
        .unwrap();
    let pc_flow2 = ProjectClient::new(
        env.client(),
        env.admin.clone(),
        flow.project_id.clone(),
        Some(second_flow.flow_id.clone()),
    );
    let v = pc_flow2
        .verify_final_token(done.token.expose())
        .await
        .unwrap();
    assert!(
        matches!(&v.reasons[..], [VerdictReason::OtherFlow { .. }]),
        "{v:?}"
    );
    // Without a flow, any flow of the project is accepted.
    let pc_any_flow = ProjectClient::new(
        env.client(),
        env.admin.clone(),
        flow.project_id.clone(),
        None,
    );
    assert!(
        pc_any_flow
            .verify_final_token(done.token.expose())
            .await
            .unwrap()
            .verified
    );
    // The token owner's scope accepts the other project's genuine token.
    let owner = ProjectClient::for_token_owner(env.client(), env.admin.clone());
    assert!(
        owner
            .verify_final_token(foreign.token.expose())
            .await
            .unwrap()
            .verified
    );

    // A genuine final token of a registration that ended FAILED (low compare score).
    let failed = enroll(&env, &flow, "cy+low-compare@example.com", "3001234569").await;
    assert_eq!(failed.outcome, Outcome::Failed);
    let v = pc.verify_final_token(failed.token.expose()).await.unwrap();
    assert!(!v.verified);
    assert_eq!(
        v.reasons,
        [VerdictReason::NotCompleted {
            status: "FAILED".into()
        }]
    );
    assert_eq!(v.status.as_deref(), Some("FAILED"));
    assert!(!v.compare.unwrap().passed);

    // A client token the server refuses: the check cannot be made (an error, not a verdict).
    let bad_admin = ProjectClient::new(
        env.client(),
        ClientToken::new("not-the-client-token"),
        flow.project_id.clone(),
        None,
    );
    assert!(matches!(
        bad_admin.verify_final_token(done.token.expose()).await,
        Err(EnrollError::Forbidden { .. })
    ));
    // An empty project is a usage error.
    let empty = ProjectClient::new(env.client(), env.admin.clone(), " ".into(), None);
    assert!(matches!(
        empty.verify_final_token(done.token.expose()).await,
        Err(EnrollError::InvalidInput { .. })
    ));

    // Past its lifetime (the sandbox clock moves 121 minutes): the server refuses it.
    env.clock
        .as_ref()
        .unwrap()
        .advance(Duration::from_secs(121 * 60));
    let v = pc.verify_final_token(done.token.expose()).await.unwrap();
    assert_eq!(v.reasons, [VerdictReason::RejectedByServer]);
    // The registration itself stays readable with the client token.
    assert!(
        pc.registration(&done.registration_id)
            .await
            .unwrap()
            .is_completed()
    );
    env.shutdown().await;
}
