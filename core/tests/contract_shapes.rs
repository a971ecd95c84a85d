//! The client against the contract's own example shapes (smart-enroll-v2.md §5, §10): a local
//! axum server answers with the documented JSON (ids only, scores as strings, unknown fields,
//! `passed` missing, the AppRegistration-shaped biometric answer), records what the client
//! sends, and a whole Full-KYC enrollment runs through it. The requests are checked against the
//! documented primary forms the client promises to send.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{post, put};
use axum::{Json, http::HeaderMap};
use serde_json::{Value, json};
use smart_enroll_core::{
    ClientConfig, DocumentCategory, DocumentSide, EnrollState, EnrollmentSession, FlowConfig,
    InsecureHttp, Outcome, SignUpData, SmartEnrollClient,
};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Seen {
    requests: Vec<(String, Value, Option<String>)>,
    biometric_variant: u8,
    end_status: Option<&'static str>,
}

type S = Arc<Mutex<Seen>>;

fn auth(h: &HeaderMap) -> Option<String> {
    h.get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn rec(s: &S, what: &str, body: Value, h: &HeaderMap) {
    s.lock()
        .unwrap()
        .requests
        .push((what.to_owned(), body, auth(h)));
}

async fn create_reg(State(s): State<S>, h: HeaderMap, Json(b): Json<Value>) -> Json<Value> {
    rec(&s, "createRegistration", b, &h);
    Json(
        json!({"data":{"appRegistration":{"_id":"674de8df21c72be3cc42b8a7","status":"STARTED","currentStep":"1"},
        "informationValidation":{"_id":"674de8df21c72be3cc42b8a8"},"token":"tok-1"},
        "signature":{"dateTime":"x","message":"Certified by Verifik.co"},"id":"AB12"}),
    )
}

async fn email_create(State(s): State<S>, h: HeaderMap, Json(b): Json<Value>) -> Json<Value> {
    rec(&s, "emailCreate", b, &h);
    Json(
        json!({"data":{"_id":"674de8df21c72be3cc42b8b0","status":"sent","otp":"$2a$10$abc","expiresAt":"2030-01-01T00:00:00Z"}}),
    )
}

/// The code sent was `012345`. Like a server that compares strings (the hosted app's own
/// client sends a string), only the string `"012345"` matches: the number 12345 does not.
async fn email_validate(
    State(s): State<S>,
    Path(id): Path<String>,
    h: HeaderMap,
    Json(b): Json<Value>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    assert_eq!(id, "674de8df21c72be3cc42b8b0");
    let ok = b["otp"] == json!("012345");
    rec(&s, "emailValidate", b, &h);
    if !ok {
        return (
            axum::http::StatusCode::FORBIDDEN,
            Json(json!({"code":"otp_does_not_match","message":"403:otp_does_not_match"})),
        )
            .into_response();
    }
    Json(json!({"data":{"_id":id,"status":"validated"}})).into_response()
}

/// `POST /v2/app-registrations/me {populates}` (§5.3, §10 #7): the populated registration in
/// the documented shapes (scores as strings, `__v`, `documentNumber` candidates,
/// `OCRExtraction`).
async fn me(State(s): State<S>, h: HeaderMap, Json(b): Json<Value>) -> Json<Value> {
    let populates: Vec<String> = b["populates"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    rec(&s, "me", b, &h);
    let want = |n: &str| populates.iter().any(|p| p == n);
    let doc = if want("documentValidation") {
        json!({"_id":"674de8df21c72be3cc42b8c0","status":"ACTIVE","documentCategory":"Passport",
            "documentType":"P","documentNumber":"AB123|AB128","requiresBackSide":false,"__v":0,
            "OCRExtraction":{"firstName":"ANA","lastName":"EXAMPLE","documentNumber":"AB123",
                "dateOfBirth":"1990-02-03","expirationDate":"2031-04-05","nationality":"COL"}})
    } else {
        json!("674de8df21c72be3cc42b8c0")
    };
    let bio = if want("biometricValidation") {
        json!({"_id":"674de8df21c72be3cc42b8d0","livenessScore":"0.93","status":"validated"})
    } else {
        json!("674de8df21c72be3cc42b8d0")
    };
    let cmp = if want("compareFaceVerification") {
        json!({"_id":"674de8df21c72be3cc42b8e0","type":"compare","status":"success",
            "result":{"score":"0.85","compare_min_score":0.85}})
    } else {
        json!("674de8df21c72be3cc42b8e0")
    };
    Json(
        json!({"data":{"_id":"674de8df21c72be3cc42b8a7","status":"ONGOING","__v":3,
        "project":"674de8df21c72be3cc42b800","projectFlow":"674de8df21c72be3cc42b801",
        "documentValidation":doc,"biometricValidation":bio,"compareFaceVerification":cmp,
        "informationValidation":"674de8df21c72be3cc42b8a8"}}),
    )
}

async fn sync(
    State(s): State<S>,
    Path(id): Path<String>,
    h: HeaderMap,
    Json(b): Json<Value>,
) -> Json<Value> {
    assert_eq!(id, "674de8df21c72be3cc42b8a7");
    let step = b["step"].as_str().unwrap_or("").to_owned();
    let mut status = b["status"].as_str().unwrap_or("").to_owned();
    rec(&s, &format!("sync:{step}"), b, &h);
    let n = s.lock().unwrap().requests.len();
    if step == "end"
        && let Some(forced) = s.lock().unwrap().end_status
    {
        status = forced.to_owned();
    }
    Json(
        json!({"data":{"token":format!("tok-{n}"),"step":step,"status":status,"appRegistrationId":id,
        "steps":{"signUpForm":"mandatory","document":"mandatory","liveness":"mandatory","basicInformation":"skip","form":"skip"}}}),
    )
}

async fn document(State(s): State<S>, h: HeaderMap, Json(b): Json<Value>) -> Json<Value> {
    rec(&s, "document", b, &h);
    Json(
        json!({"data":{"documentValidation":{"_id":"674de8df21c72be3cc42b8c0","status":"ACTIVE",
        "documentCategory":"Passport","validationMethod":"SCAN_PROMPT","inputMethod":"FILE_UPLOAD",
        "documentType":"P","documentNumber":"AB123|AB128","requiresBackSide":false,
        "OCRExtraction":{"firstName":"ANA","lastName":"EXAMPLE"},"url":"https://x/y.jpg"}}}),
    )
}

async fn biometric(State(s): State<S>, h: HeaderMap, Json(b): Json<Value>) -> Json<Value> {
    rec(&s, "biometric", b, &h);
    let variant = s.lock().unwrap().biometric_variant;
    Json(match variant {
        // Docs: a 200 shaped like an AppRegistration, with ids only.
        0 => json!({"data":{"_id":"674de8df21c72be3cc42b8a7","status":"ONGOING",
            "biometricValidation":"674de8df21c72be3cc42b8d0","person":"674de8df21c72be3cc42b8d1"}}),
        // Hosted app: objects, score as a string.
        _ => {
            json!({"data":{"biometricValidation":{"_id":"674de8df21c72be3cc42b8d0","livenessScore":"0.91"},
            "person":{"_id":"674de8df21c72be3cc42b8d1"}}})
        }
    })
}

async fn compare(State(s): State<S>, h: HeaderMap) -> Json<Value> {
    rec(&s, "compare", Value::Null, &h);
    // Older docs: no `passed`; score as a string.
    Json(
        json!({"data":{"appRegistration":"674de8df21c72be3cc42b8a7","compareFaceVerification":{"type":"compare",
        "result":{"score":"0.85","compare_min_score":0.85},"status":"success"}}}),
    )
}

async fn serve(state: S) -> String {
    let app = Router::new()
        .route("/v2/app-registrations", post(create_reg))
        .route("/v2/email-validations/app-registration", post(email_create))
        .route("/v2/email-validations/{id}", put(email_validate))
        .route("/v2/app-registrations/{id}/sync", put(sync))
        .route("/v2/app-registrations/me", post(me))
        .route("/v2/document-validations/app-registration", post(document))
        .route(
            "/v2/biometric-validations/app-registration",
            post(biometric),
        )
        .route(
            "/v2/face-recognition/compare/app-registration",
            post(compare),
        )
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn flow() -> FlowConfig {
    // §6 flow shape, with unknown fields and a string number.
    FlowConfig::from_kyc_response(
        "674de8df21c72be3cc42b800",
        None,
        &json!({"data":{"_id":"674de8df21c72be3cc42b800","name":"Demo","allowedCountries":["Colombia"],
            "termsAndConditionsUrl":"https://app.example/terms","privacyUrl":"https://app.example/privacy",
            "projectFlows":[{
            "_id":"674de8df21c72be3cc42b801","type":"onboarding","status":"active",
            "redirectUrl":"https://app.example/continue?from=kyc","project":"674de8df21c72be3cc42b800",
            "onboardingSettings":{"steps":{"signUpForm":"mandatory","basicInformation":"skip",
                "document":"mandatory","liveness":"mandatory","form":"skip"},
              "signUpForm":{"email":true,"phone":false,"emailGateway":"mailgun","phoneGateway":"none","extraFields":[]},
              "document":{"usePassport":true,"useGovernmentID":true,"useLicense":false,"compareMinScore":"0.8","maxAttempts":3},
              "liveness":{"livenessMinScore":0.65,"searchMode":"FAST","searchMinScore":0.8,"maxAttempts":3,"kycType":"x"}},
            "security":{"strategy":"none"}}]},"planCode":"basic"}),
    )
    .unwrap()
}

async fn run(
    variant: u8,
    end_status: Option<&'static str>,
) -> (EnrollState, Vec<(String, Value, Option<String>)>) {
    let state: S = Arc::new(Mutex::new(Seen {
        biometric_variant: variant,
        end_status,
        ..Seen::default()
    }));
    let base = serve(state.clone()).await;
    let mut cfg = ClientConfig::new(&base);
    cfg.allow_insecure_http = InsecureHttp::Loopback;
    let client = SmartEnrollClient::new(cfg).unwrap();
    let su = SignUpData {
        email: Some("ana@example.com".into()),
        full_name: Some("Ana Example".into()),
        ..SignUpData::default()
    };
    let s = EnrollmentSession::new(client, flow(), su).unwrap();
    s.start().await.unwrap();
    s.submit_email_code("012345".into()).await.unwrap();
    let doc = image::RgbImage::from_fn(640, 420, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut png = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(doc)
        .write_to(&mut png, image::ImageFormat::Png)
        .unwrap();
    s.submit_document(
        DocumentSide::Front,
        png.into_inner(),
        DocumentCategory::Passport,
    )
    .await
    .unwrap();
    let selfie = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../cli/assets/sample-selfie.jpg"
    ))
    .expect("cli/assets/sample-selfie.jpg is part of the repository");
    let st = s.submit_selfie(selfie).await.unwrap();
    let EnrollState::AwaitingReview { review } = &st else {
        panic!("{st:?}")
    };
    // The review is the server's data (retrieved with `me`), not the session's tally.
    let d = review.document.as_ref().expect("document fields");
    assert_eq!(d.first_name.as_deref(), Some("ANA"));
    assert_eq!(d.last_name.as_deref(), Some("EXAMPLE"));
    assert_eq!(d.document_number.as_deref(), Some("AB123"));
    assert_eq!(d.date_of_birth.as_deref(), Some("1990-02-03"));
    assert_eq!(d.expiration_date.as_deref(), Some("2031-04-05"));
    assert_eq!(d.nationality.as_deref(), Some("COL"));
    assert_eq!(d.category.as_deref(), Some("Passport"));
    assert_eq!(d.status.as_deref(), Some("ACTIVE"));
    assert_eq!(review.registration_id, "674de8df21c72be3cc42b8a7");
    let l = review.liveness.expect("liveness");
    assert_eq!((l.score, l.min_score, l.passed), (0.93, 0.65, true));
    let c = review.compare.expect("compare");
    // The answer's own `compare_min_score` (0.85) is the threshold the server judged with.
    assert_eq!((c.score, c.min_score, c.passed), (0.85, 0.85, true));
    assert_eq!(review.criminal_check, None, "not populated: no check ran");
    assert_eq!(review.expected_outcome, Outcome::Completed);
    let shown_review = review.clone();
    let st = s.confirm().await.unwrap();
    if let EnrollState::Completed { result } = &st {
        assert_eq!(result.review.as_ref(), Some(&shown_review));
    }
    let reqs = state.lock().unwrap().requests.clone();
    (st, reqs)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documented_shapes_complete_and_requests_use_the_primary_forms() {
    let (st, reqs) = run(1, None).await;
    let EnrollState::Completed { result } = st else {
        panic!("{st:?}")
    };
    assert_eq!(result.outcome, Outcome::Completed);
    // The server's registration (`me`) is the authority for the scores.
    assert_eq!(result.scores.liveness_score, Some(0.93));
    assert_eq!(result.scores.compare_score, Some(0.85));
    assert_eq!(
        result.scores.compare_passed,
        Some(true),
        "0.85 >= flow compareMinScore 0.8"
    );
    let last_token = format!("tok-{}", reqs.len());
    assert_eq!(result.token.expose(), last_token);
    assert_eq!(
        result.redirect_url.as_deref(),
        Some(format!("https://app.example/continue?from=kyc&token={last_token}").as_str())
    );
    let names: Vec<&str> = reqs.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "createRegistration",
            "emailCreate",
            "emailValidate",
            "sync:signUpForm",
            "document",
            "sync:liveness",
            "biometric",
            "compare",
            "me",
            "sync:end"
        ]
    );
    let by = |n: &str| reqs.iter().find(|r| r.0 == n).unwrap();
    // Create-registration carries no token (§10 #3); everything else the newest registrant token.
    let (_, b, a) = by("createRegistration");
    assert_eq!(a, &None);
    assert_eq!(b["project"], "674de8df21c72be3cc42b800");
    assert_eq!(b["projectFlow"], "674de8df21c72be3cc42b801");
    assert_eq!(b["email"], "ana@example.com");
    assert_eq!(by("emailCreate").2.as_deref(), Some("Bearer tok-1"));
    for w in reqs.windows(2).skip(1) {
        assert!(w[1].2.is_some(), "{} had no token", w[1].0);
    }
    // OTP as the string typed (§10 #2), the leading zero kept: this server accepts nothing
    // else.
    let (_, b, _) = by("emailValidate");
    assert_eq!(b["otp"], json!("012345"));
    assert_eq!(b["email"], "ana@example.com");
    let (_, b, _) = by("emailCreate");
    assert_eq!(b["validationMethod"], "verificationCode");
    assert_eq!(b["type"], "onboarding");
    // Documents: raw base64 JPEG, v2 category, no data: prefix (§10 #12/#13).
    let (_, b, _) = by("document");
    let img = b["image"].as_str().unwrap();
    assert!(img.starts_with("/9j/"), "raw base64 JPEG expected");
    assert_eq!(b["category"], "passport");
    // `country`: the project's first allowed country (public KYC configuration).
    assert_eq!(b["country"], "Colombia");
    // This document (a colour gradient) has no face: no crop is sent (tests/document_face.rs
    // uploads one that has).
    assert!(b.get("documentFace").is_none(), "no face, no crop");
    assert_eq!(b["force"], false);
    // Selfie: data URI, os from the config.
    let (_, b, _) = by("biometric");
    assert!(
        b["image"]
            .as_str()
            .unwrap()
            .starts_with("data:image/jpeg;base64,/9j/")
    );
    assert_eq!(b["os"], "DESKTOP");
    let (_, b, _) = by("me");
    let mut populates: Vec<&str> = b["populates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    populates.sort_unstable();
    assert_eq!(
        populates,
        [
            "biometricValidation",
            "compareFaceVerification",
            "documentValidation",
            "informationValidation",
            "projectFlow"
        ]
    );
    let (_, b, _) = by("sync:end");
    assert_eq!(b, &json!({"step":"end","status":"COMPLETED"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_registration_shaped_biometric_answer_and_server_chosen_outcome() {
    let (st, _) = run(0, Some("NEEDS_MANUAL_VERIFICATION")).await;
    let EnrollState::Completed { result } = st else {
        panic!("{st:?}")
    };
    // The biometric answer had ids only (no score to read); the score comes from the
    // registration retrieved before `end`.
    assert_eq!(result.scores.liveness_score, Some(0.93));
    assert!(result.review.is_some());
    assert_eq!(result.outcome, Outcome::NeedsManualVerification);
}
