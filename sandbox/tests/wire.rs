//! Issue 10's sandbox behaviours over loopback HTTP with a real SQLite file: Idempotency-Key,
//! one-time codes as strings or numbers (and the string-only switch), namesMatch only after a
//! name check, `me` after completion with the final token, the document face crop, and every
//! answer parsing as the `smart-enroll-api` type the client uses.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use smart_enroll_api::{
    AppRegistration, CompareResponse, DocumentValidationResponse, ErrorBody, NameValidationResult,
    OtpValidationCreated, RegistrationStatus, SyncResponse,
};
use smart_enroll_testkit::{Auth, Options, Registration, Server, jpeg_b64, png_b64};

const DOC: &str = "/v2/document-validations/app-registration";
const BIO: &str = "/v2/biometric-validations/app-registration";
const CMP: &str = "/v2/face-recognition/compare/app-registration";

fn key(k: &str) -> [(&str, &str); 1] {
    [("Idempotency-Key", k)]
}

async fn count(s: &Server, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(s.db_path()).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[tokio::test]
async fn idempotency_key_replays_the_first_answer_without_redoing_the_work() {
    let mut s = Server::start().await;
    let reg = s.at_document_step("idem@example.com").await;
    let t = Auth::Bearer(&reg.token);
    let front = json!({"image": png_b64(48, 32, 3), "category": "id"});
    let (s1, h1, v1) = s
        .call_with(
            Method::POST,
            DOC,
            t,
            &key("doc-front-1"),
            Some(front.clone()),
        )
        .await;
    assert_eq!(s1, StatusCode::OK, "{v1}");
    assert!(h1.get("idempotent-replayed").is_none());
    // The response was "lost": the client retries with the same key.
    let (s2, h2, v2) = s
        .call_with(
            Method::POST,
            DOC,
            t,
            &key("doc-front-1"),
            Some(front.clone()),
        )
        .await;
    assert_eq!((s2, &v2), (StatusCode::OK, &v1));
    assert_eq!(h2.get("idempotent-replayed").unwrap(), "true");
    let me = s.me(&reg).await;
    assert_eq!(me.document_attempts, Some(1));
    assert_eq!(
        count(
            &s,
            "SELECT COUNT(*) FROM objects WHERE kind = 'documentValidation'"
        )
        .await,
        1
    );
    // Same key, another body: refused, nothing done.
    let other = json!({"image": png_b64(48, 32, 4), "category": "id"});
    let (st, _, v) = s
        .call_with(Method::POST, DOC, t, &key("doc-front-1"), Some(other))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        v,
        json!({"code": "UnprocessableEntity", "message": "422:idempotency_key_reused"})
    );
    // The answer is in SQLite with the change: it survives a restart.
    s.restart().await;
    let (st, _, v3) = s
        .call_with(Method::POST, DOC, t, &key("doc-front-1"), Some(front))
        .await;
    assert_eq!((st, &v3), (StatusCode::OK, &v1));
    assert_eq!(s.me(&reg).await.document_attempts, Some(1));
    // Back side, biometric and compare: retried twice each, counted once.
    let back = json!({"backImage": jpeg_b64(48, 32, 3), "force": true});
    for _ in 0..3 {
        let (st, _, v) = s
            .call_with(Method::POST, DOC, t, &key("doc-back-1"), Some(back.clone()))
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
    }
    s.sync_ok(&reg, "document", "ONGOING").await;
    s.sync_ok(&reg, "liveness", "ONGOING").await;
    let selfie = json!({"image": png_b64(40, 40, 9), "os": "IOS"});
    let mut answers = Vec::new();
    for _ in 0..3 {
        let (st, _, v) = s
            .call_with(Method::POST, BIO, t, &key("selfie-1"), Some(selfie.clone()))
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        answers.push(v);
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]));
    let mut cmp_ids = Vec::new();
    for _ in 0..2 {
        let (st, _, v) = s.call_with(Method::POST, CMP, t, &key("cmp-1"), None).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let c: smart_enroll_api::Data<CompareResponse> = serde_json::from_value(v).unwrap();
        cmp_ids.push(c.data.compare_face_verification.id);
    }
    assert_eq!(cmp_ids[0], cmp_ids[1]);
    let me = s.me(&reg).await;
    assert_eq!(
        (me.document_attempts, me.liveness_attempts),
        (Some(1), Some(1))
    );
    assert_eq!(
        count(&s, "SELECT COUNT(*) FROM objects WHERE kind = 'person'").await,
        1
    );
    assert_eq!(
        count(
            &s,
            "SELECT COUNT(*) FROM objects WHERE kind = 'compareFaceVerification'"
        )
        .await,
        1
    );
    // Bounded keys.
    let long = "k".repeat(256);
    let (st, _, v) = s.call_with(Method::POST, CMP, t, &key(&long), None).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["message"], "400:invalid_idempotency_key");
    let (st, _, _) = s
        .call_with(Method::POST, CMP, t, &key(&"k".repeat(255)), None)
        .await;
    assert_eq!(st, StatusCode::OK);
}

#[tokio::test]
async fn idempotency_key_on_create_registration_and_otp_and_its_expiry() {
    let s = Options::default().dev().manual_clock().start().await;
    let clock = s.clock.clone().unwrap();
    let (p, f) = s.setup("full_kyc", json!({})).await;
    let body = json!({"project": p, "projectFlow": f, "email": "once@example.com"});
    let path = "/v2/app-registrations";
    let (s1, _, v1) = s
        .call_with(
            Method::POST,
            path,
            Auth::None,
            &key("create-1"),
            Some(body.clone()),
        )
        .await;
    let (s2, _, v2) = s
        .call_with(
            Method::POST,
            path,
            Auth::None,
            &key("create-1"),
            Some(body.clone()),
        )
        .await;
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
    assert_eq!(v1, v2, "a retried create answers the same registration");
    // Without the key the retry is a duplicate.
    let (st, v) = s.post(path, Auth::None, body).await;
    assert_eq!(
        (st, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("email_is_registered_already"))
    );
    let reg = Registration {
        id: v1["data"]["appRegistration"]["_id"]
            .as_str()
            .unwrap()
            .into(),
        token: v1["data"]["token"].as_str().unwrap().into(),
        info: v1["data"]["informationValidation"]["_id"]
            .as_str()
            .unwrap()
            .into(),
        project: p.clone(),
    };
    // OTP create: the retry replays instead of hitting the 60 s resend cooldown.
    let otp = json!({"project": p, "email": "once@example.com", "validationMethod": "verificationCode", "type": "onboarding"});
    let email = "/v2/email-validations/app-registration";
    let t = Auth::Bearer(&reg.token);
    let (a, _, va) = s
        .call_with(Method::POST, email, t, &key("otp-1"), Some(otp.clone()))
        .await;
    let (b, _, vb) = s
        .call_with(Method::POST, email, t, &key("otp-1"), Some(otp.clone()))
        .await;
    assert_eq!((a, b), (StatusCode::OK, StatusCode::OK));
    assert_eq!(va, vb);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM otp_sends").await, 1);
    // A counted wrong code is recorded too: its replay is not a second wrong try.
    let id = va["data"]["_id"].as_str().unwrap();
    let bad = json!({"email": "once@example.com", "otp": "999999"});
    let code = s.outbox_code("once@example.com").await;
    let wrong = if code == "999999" {
        json!({"email": "once@example.com", "otp": "999998"})
    } else {
        bad
    };
    let vpath = format!("/v2/email-validations/{id}");
    for _ in 0..3 {
        let (st, _, v) = s
            .call_with(Method::PUT, &vpath, t, &key("wrong-1"), Some(wrong.clone()))
            .await;
        assert_eq!(
            (st, v["message"].as_str()),
            (StatusCode::FORBIDDEN, Some("403:otp_does_not_match"))
        );
    }
    assert_eq!(
        count(
            &s,
            &format!("SELECT attempts FROM otp_validations WHERE id = '{id}'")
        )
        .await,
        1
    );
    // 24 h later a key is forgotten: the same request (same caller) does the work again.
    let project = json!({"name": "Keyed", "allowedCountries": ["Colombia"]});
    let mut ids = Vec::new();
    for advance in [0, 0, 24 * 3600 + 1] {
        clock.advance(Duration::from_secs(advance));
        let (st, _, v) = s
            .call_with(
                Method::POST,
                "/v2/projects",
                Auth::Client,
                &key("proj-1"),
                Some(project.clone()),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        ids.push(v["data"]["_id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids[0], ids[1]);
    assert_ne!(ids[1], ids[2], "an expired key does the work again");
    // Keys are scoped to the caller: another caller's same key is another request.
    let (st, _, v) = s
        .call_with(
            Method::POST,
            "/v2/projects",
            Auth::Raw("Bearer other-token"),
            &key("proj-1"),
            Some(project),
        )
        .await;
    assert_eq!(
        (st, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("Forbidden"))
    );
}

/// A demo project whose `demoOTP` starts with 0, a registration and its email validation id.
async fn demo(s: &Server, email: &str) -> (Registration, String) {
    let p = s
        .create_project(json!({"demoMode": true, "demoOTP": "012345"}))
        .await;
    let f = s.create_flow(&p, "full_kyc", json!({})).await;
    let reg = s
        .register(&p, f["_id"].as_str().unwrap(), json!({"email": email}))
        .await;
    let created: OtpValidationCreated = s
        .data(
            Method::POST,
            "/v2/email-validations/app-registration",
            Auth::Bearer(&reg.token),
            Some(&json!({"project": p, "email": email, "validationMethod": "verificationCode", "type": "onboarding"})),
        )
        .await;
    (reg, created.id)
}

#[tokio::test]
async fn otp_with_a_leading_zero_as_string_or_number() {
    let s = Server::start().await;
    // Default: the string as typed, or the number zero-padded to 6 digits.
    for (i, otp) in [json!("012345"), json!(12345)].into_iter().enumerate() {
        let email = format!("zero{i}@example.com");
        let (reg, id) = demo(&s, &email).await;
        let v = s
            .ok(
                Method::PUT,
                &format!("/v2/email-validations/{id}"),
                Auth::Bearer(&reg.token),
                Some(json!({"email": email, "otp": otp})),
            )
            .await;
        assert_eq!(v["data"]["status"], "validated", "{otp}");
    }
    // A real (random) code from the outbox works as a string and zero-padded number alike.
    let (p, f) = s.setup("full_kyc", json!({})).await;
    let reg = s
        .register(&p, &f, json!({"email": "real@example.com"}))
        .await;
    let created = s
        .ok(
            Method::POST,
            "/v2/email-validations/app-registration",
            Auth::Bearer(&reg.token),
            Some(json!({"project": p, "email": "real@example.com"})),
        )
        .await;
    let code = s.outbox_code("real@example.com").await;
    let n: u64 = code.parse().unwrap();
    let v = s
        .ok(
            Method::PUT,
            &format!(
                "/v2/email-validations/{}",
                created["data"]["_id"].as_str().unwrap()
            ),
            Auth::Bearer(&reg.token),
            Some(json!({"email": "real@example.com", "otp": n})),
        )
        .await;
    assert_eq!(v["data"]["status"], "validated");
}

#[tokio::test]
async fn otp_string_only_refuses_the_number_form() {
    let s = Options::default().dev().otp_string_only().start().await;
    let (reg, id) = demo(&s, "strict@example.com").await;
    let path = format!("/v2/email-validations/{id}");
    let t = Auth::Bearer(&reg.token);
    let (st, e) = s
        .error(
            Method::PUT,
            &path,
            t,
            Some(json!({"email": "strict@example.com", "otp": 12345})),
        )
        .await;
    assert_eq!(
        (st, e.token()),
        (StatusCode::FORBIDDEN, "otp_does_not_match")
    );
    // Even a number without a leading zero is refused: strings only.
    let (st, _) = s
        .error(
            Method::PUT,
            &path,
            t,
            Some(json!({"email": "strict@example.com", "otp": 123456})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let v = s
        .ok(
            Method::PUT,
            &path,
            t,
            Some(json!({"email": "strict@example.com", "otp": "012345"})),
        )
        .await;
    assert_eq!(v["data"]["status"], "validated");
    // The id-less phone variant and the POST …/validate variant take the string too.
    let (reg2, _) = demo(&s, "strict2@example.com").await;
    let v = s
        .ok(
            Method::POST,
            "/v2/email-validations/validate",
            Auth::Bearer(&reg2.token),
            Some(json!({"email": "strict2@example.com", "otp": "012345"})),
        )
        .await;
    assert_eq!(v["data"]["status"], "validated");
}

#[tokio::test]
async fn names_match_only_after_a_name_check_and_document_face_crop() {
    let s = Server::start().await;
    let reg = s.at_document_step("ana+names-mismatch@example.com").await;
    let t = Auth::Bearer(&reg.token);
    let up: DocumentValidationResponse = s
        .data(
            Method::POST,
            DOC,
            t,
            Some(&json!({"image": png_b64(48, 32, 1), "category": "passport",
            "documentFace": png_b64(16, 16, 2), "country": "Panama", "inputMethod": "CAMERA"})),
        )
        .await;
    let doc = up.document_validation;
    assert_eq!(doc.names_match, None);
    assert_eq!(doc.country.as_deref(), Some("Panama"));
    let face_url = doc.document_face_url.clone().expect("documentFaceUrl");
    let r = s
        .http
        .get(&face_url)
        .bearer_auth(smart_enroll_testkit::CLIENT_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.bytes().await.unwrap().to_vec(),
        smart_enroll_testkit::png_bytes(16, 16, 2)
    );
    let me = s.me(&reg).await;
    let raw = serde_json::to_value(me.document().unwrap()).unwrap();
    assert!(raw.get("namesMatch").is_none(), "omitted, not null: {raw}");
    let (_, v) = s
        .get("/v2/app-registrations/me?populates[]=documentValidation", t)
        .await;
    assert!(
        v["data"]["documentValidation"].get("namesMatch").is_none(),
        "{v}"
    );
    // A bad face crop is refused like any image.
    let (st, e) = s.error(Method::POST, DOC, t, Some(json!({"image": png_b64(8, 8, 1), "documentFace": "bm90IGFuIGltYWdl", "force": true}))).await;
    assert_eq!((st.as_u16(), e.token()), (412, "only_images_in_base64"));
    // The name check sets it.
    let nv: NameValidationResult = s
        .data(
            Method::PUT,
            &format!("/v2/document-validations/{}/validate", doc.id),
            t,
            Some(&json!({})),
        )
        .await;
    // Passports are not a supported document: the check ran but reports unsupported.
    assert_eq!(nv.is_supported, Some(false));
    let reg2 = s.at_document_step("bo+names-mismatch@example.com").await;
    let t2 = Auth::Bearer(&reg2.token);
    let up: DocumentValidationResponse = s
        .data(
            Method::POST,
            DOC,
            t2,
            Some(&json!({"image": png_b64(48, 32, 1), "category": "id", "country": "Colombia"})),
        )
        .await;
    s.ok(
        Method::POST,
        DOC,
        t2,
        Some(json!({"backImage": png_b64(48, 32, 2), "force": true})),
    )
    .await;
    let nv: NameValidationResult = s
        .data(
            Method::PUT,
            &format!(
                "/v2/document-validations/{}/validate",
                up.document_validation.id
            ),
            t2,
            Some(&json!({})),
        )
        .await;
    assert_eq!(nv.names_match, Some(false));
    let me = s.me(&reg2).await;
    assert_eq!(me.document().unwrap().names_match, Some(false));
}

#[tokio::test]
async fn me_stays_readable_after_completion_with_the_final_token() {
    let s = Server::start().await;
    let (p, f) = s.setup("full_kyc", json!({})).await;
    let reg = s
        .register(&p, &f, json!({"email": "done@example.com"}))
        .await;
    let end = s.full_kyc(&reg, "done@example.com", 5).await;
    let end: smart_enroll_api::Data<SyncResponse> = serde_json::from_value(end).unwrap();
    assert_eq!(end.data.status, RegistrationStatus::Completed);
    let fin = Registration {
        token: end.data.token.expose().to_owned(),
        ..reg.clone()
    };
    let me = s.me(&fin).await;
    assert_eq!(me.status, Some(RegistrationStatus::Completed));
    assert_eq!(me.project_id(), Some(p.as_str()));
    assert_eq!(me.project_flow_id(), Some(f.as_str()));
    assert!(me.liveness_score().is_some());
    let doc = me.document().expect("populated document");
    assert!(doc.ocr_extraction.as_ref().unwrap().first_name.is_some());
    assert_eq!(doc.names_match, Some(true));
    assert_eq!(me.compare().unwrap().result.passed, Some(true));
    assert!(me.information().unwrap().criminal_data.is_some());
    let me_post: AppRegistration = s
        .data(
            Method::POST,
            "/v2/app-registrations/me",
            Auth::Bearer(&fin.token),
            Some(&json!({"populates": ["documentValidation", "compareFaceVerification"]})),
        )
        .await;
    assert_eq!(me_post.status, Some(RegistrationStatus::Completed));
    assert!(me_post.document().is_some());
    // Read-only: a completed registration refuses changes.
    let (st, e) = s
        .error(Method::POST, CMP, Auth::Bearer(&fin.token), None)
        .await;
    assert_eq!(
        (st, e.token()),
        (
            StatusCode::CONFLICT,
            "AppRegistration_status_is_not_ongoing"
        )
    );
    let (st, _) = s.sync(&fin, "end", "COMPLETED").await;
    assert_eq!(st, StatusCode::CONFLICT);
}

/// Every `code` or `NNN:token` the sandbox source can emit is in the contract's error tables.
#[test]
fn every_error_code_the_sandbox_can_send_is_documented() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("../docs/api/smart-enroll-v2.md")).unwrap();
    let mut codes = std::collections::BTreeSet::new();
    let mut stack = vec![root.join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // Every string literal passed to an ApiError constructor or an error helper.
            for call in [
                "ApiError::token(",
                "ApiError::named(",
                "ApiError::conflict(",
                "ApiError::not_found(",
                "ApiError::payload_too_large(",
                "conflict(",
                "not_found(",
            ] {
                for (i, _) in text.match_indices(call) {
                    let args = &text[i + call.len()..];
                    // The call's arguments: up to its closing parenthesis.
                    let (mut depth, mut quoted, mut end) = (0i32, false, args.len());
                    for (n, c) in args.char_indices() {
                        match c {
                            '"' => quoted = !quoted,
                            '(' if !quoted => depth += 1,
                            ')' if !quoted => {
                                depth -= 1;
                                if depth < 0 {
                                    end = n;
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                    let parts: Vec<&str> = args[..end].split('"').collect();
                    // Only complete literals: an odd piece followed by a closing quote.
                    for lit in parts.iter().skip(1).step_by(2).take((parts.len() - 1) / 2) {
                        if !lit.is_empty()
                            && lit.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                        {
                            codes.insert((*lit).to_owned());
                        }
                    }
                }
            }
        }
    }
    // Codes built by helpers whose literals sit elsewhere.
    for c in [
        "MissingParameter",
        "Forbidden",
        "BadRequest",
        "invalid_json",
        "PaymentRequired",
        "insufficient_credits",
        "Locked",
        "max_attempts_reached",
        "InternalServerError",
        "internal_error",
        "AppRegistration_status_is_not_ongoing",
        "liveness_failed",
        "signUpForm_validation_not_passed",
        "basicInformation_validation_not_passed",
        "document_validation_not_passed",
        "liveness_validation_not_passed",
        "form_validation_not_passed",
        "only_images_in_base64",
        "image_too_large",
        "PayloadTooLarge",
        "payload_too_large",
    ] {
        codes.insert(c.to_owned());
    }
    assert!(codes.len() > 30, "{codes:?}");
    let missing: Vec<_> = codes
        .iter()
        .filter(|c| !doc.contains(&format!("`{c}`")) && !doc.contains(&format!(":{c}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "error codes missing from docs/api/smart-enroll-v2.md: {missing:?}"
    );
}

/// The error body of every failing answer parses as the client's `ErrorBody`.
#[tokio::test]
async fn error_bodies_parse_as_the_wire_type() {
    let s = Server::start().await;
    for (m, p, body) in [
        (
            Method::POST,
            "/v2/app-registrations",
            Some(json!({"project": 5})),
        ),
        (Method::GET, "/v2/nothing-here", None),
        (Method::POST, CMP, None),
        (Method::PUT, "/v2/app-registrations/x", Some(json!({}))),
    ] {
        let (st, v) = s.call(m, p, Auth::None, body).await;
        assert!(st.is_client_error() || st.is_server_error());
        let e: ErrorBody = serde_json::from_value(v.clone()).unwrap();
        assert!(!e.code.is_empty() && !e.message.is_empty(), "{v}");
        let _: Value = v;
    }
}
