//! The sandbox over real HTTP on loopback with a real SQLite file: every endpoint's happy path
//! and documented errors, auth (IDOR, tampering, expiry), OTP rules, documents, biometrics,
//! sync rules, lifecycles, persistence across restarts and webhooks.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use smart_enroll_sandbox::{NOT_IMPLEMENTED, ROUTES};
use smart_enroll_testkit::{Auth, Server, assert_err, jpeg_b64, png_b64, urlenc};

// ------------------------------------------------------------------ routes, openapi, bad input

#[tokio::test]
async fn openapi_lists_every_route_and_every_route_is_served() {
    let s = Server::start().await;
    let doc = s.ok(Method::GET, "/openapi.json", Auth::None, None).await;
    assert_eq!(doc["openapi"].as_str().unwrap().chars().next(), Some('3'));
    for r in ROUTES {
        let op = &doc["paths"][r.path][r.method.to_ascii_lowercase()];
        let unimplemented = NOT_IMPLEMENTED.contains(&(r.method, r.path));
        assert_eq!(
            op.is_object(),
            !unimplemented,
            "{} {}: only implemented operations are in /openapi.json",
            r.method,
            r.path
        );
        let path = r
            .path
            .replace("{id}", "000000000000000000000000")
            .replace("{file}", "x.png");
        let method = Method::from_bytes(r.method.as_bytes()).unwrap();
        let (status, body) = s.call(method, &path, Auth::None, None).await;
        assert!(
            body["code"].is_string() || body["data"].is_object() || body["openapi"].is_string(),
            "{} {} answered non-JSON {status}: {body}",
            r.method,
            r.path
        );
        assert!(
            !(status == StatusCode::NOT_FOUND && body["message"] == "404:route_not_found"),
            "{} {} is not routed",
            r.method,
            r.path
        );
        assert_eq!(
            status == StatusCode::NOT_IMPLEMENTED,
            unimplemented,
            "{} {} answered {status}",
            r.method,
            r.path
        );
    }
    // Every documented path in the contract's §4 table is in the route table.
    for (m, p) in [
        ("POST", "/v2/projects"),
        ("POST", "/v2/project-flows"),
        ("POST", "/v2/app-registrations"),
        ("GET", "/v2/app-registrations/{id}"),
        ("PUT", "/v2/app-registrations/{id}/sync"),
        ("POST", "/v2/email-validations/app-registration"),
        ("PUT", "/v2/email-validations/{id}"),
        ("POST", "/v2/phone-validations/app-registration"),
        ("PUT", "/v2/phone-validations"),
        ("POST", "/v2/document-validations/app-registration"),
        ("PUT", "/v2/document-validations/{id}/validate"),
        ("POST", "/v2/biometric-validations/app-registration"),
        ("POST", "/v2/face-recognition/compare/app-registration"),
        ("PUT", "/v2/information-validations/{id}/background-check"),
    ] {
        assert!(
            ROUTES.iter().any(|r| r.method == m && r.path == p),
            "{m} {p} not served"
        );
    }
    let (st, v) = s.get("/v2/nope", Auth::None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(v["message"], "404:route_not_found");
    let (st, v) = s
        .call(Method::DELETE, "/v2/projects", Auth::Client, None)
        .await;
    assert_eq!(st, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(v["code"], "MethodNotAllowed");
    // An undocumented method on a documented path: 405 (what an API fuzzer expects), not 501.
    assert_err(
        &s.put(
            "/v2/app-registrations/000000000000000000000000",
            Auth::Client,
            json!({}),
        )
        .await,
        405,
        "method_not_allowed",
    );
    // The undocumented endpoints the sandbox routes answer 501 (and are not in /openapi.json).
    assert_err(
        &s.post("/v2/zk-proof", Auth::Client, json!({})).await,
        501,
        "not_implemented",
    );
    let (st, v) = s.get("/health", Auth::None).await;
    assert_eq!((st, &v["data"]["status"]), (StatusCode::OK, &json!("ok")));
}

#[tokio::test]
async fn bad_input_gets_documented_json_errors() {
    let s = Server::start().await;
    let url = format!("{}/v2/projects", s.base);
    // Malformed JSON.
    let r = s
        .http
        .post(&url)
        .bearer_auth(smart_enroll_testkit::CLIENT_TOKEN)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v,
        json!({"code": "BadRequest", "message": "400:invalid_json"})
    );
    // A JSON array is not an object.
    let r = s
        .http
        .post(&url)
        .bearer_auth(smart_enroll_testkit::CLIENT_TOKEN)
        .body("[1,2]")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Missing and mistyped fields: one MissingParameter list.
    let (st, v) = s
        .post(
            "/v2/projects",
            Auth::Client,
            json!({"allowedCountries": "Colombia", "demoMode": 3}),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(v["code"], "MissingParameter");
    assert_eq!(
        v["message"],
        "missing name\n. invalid allowedCountries\n. invalid demoMode"
    );
    // A body over 16 MiB.
    let big = vec![b' '; 16 * 1024 * 1024 + 10];
    let r = s
        .http
        .post(&url)
        .bearer_auth(smart_enroll_testkit::CLIENT_TOKEN)
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["code"], "PayloadTooLarge");
    // A path segment that is not valid UTF-8 once decoded: JSON, not axum's plain text.
    let r = s
        .http
        .get(format!("{}/v2/app-registrations/%FF%FE", s.base))
        .bearer_auth(smart_enroll_testkit::CLIENT_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v,
        json!({"code": "BadRequest", "message": "400:invalid_path"})
    );
    // Absent and wrong client tokens.
    let body = json!({"name": "x", "allowedCountries": ["Colombia"]});
    assert_eq!(
        s.post("/v2/projects", Auth::None, body.clone()).await.1,
        json!({"code": "Forbidden", "message": "Access forbidden"})
    );
    assert_eq!(
        s.post(
            "/v2/projects",
            Auth::Bearer("wrong-token-123"),
            body.clone()
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    // The raw `JWT <t>` and bare forms are accepted too.
    assert_eq!(
        s.post(
            "/v2/projects",
            Auth::Raw(&format!("JWT {}", smart_enroll_testkit::CLIENT_TOKEN)),
            body.clone()
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(
        s.post(
            "/v2/projects",
            Auth::Raw(smart_enroll_testkit::CLIENT_TOKEN),
            body
        )
        .await
        .0,
        StatusCode::OK
    );
}

// ------------------------------------------------------------------ projects and flows

#[tokio::test]
async fn projects_flows_and_public_config() {
    let s = Server::start().await;
    let p = s
        .create_project(json!({"demoMode": true, "demoOTP": "123456"}))
        .await;
    assert_eq!(p.len(), 24);
    // v2 flow with explicit settings.
    let f = s
        .create_flow(
            &p,
            "basic",
            json!({"webhookUrl": "http://127.0.0.1:9/hook",
        "onboardingSettings": {"document": {"compareMinScore": 0.9, "maxAttempts": 4}}}),
        )
        .await;
    let os = &f["onboardingSettings"];
    assert_eq!(os["steps"]["document"], "optional");
    assert_eq!(os["document"]["compareMinScore"], 0.9);
    assert_eq!(os["document"]["maxAttempts"], 4);
    assert_eq!(os["liveness"]["livenessMinScore"], 0.65);
    assert_eq!(f["status"], "active");
    // v3 body mapped to v2 with defaults.
    let v3 = s.create_flow(&p, "full_kyc", json!({"type": null, "name": "v3 flow", "target": "personal",
        "documents": {"attemptLimit": 5, "verificationMethods": ["SCAN_STUDIO"], "documentTypes": ["passport"]},
        "liveness": {"attemptLimit": 4, "minScore": 0.7, "searchMinScore": 0.85, "searchMode": "ACCURATE"}})).await;
    let os = &v3["onboardingSettings"];
    assert_eq!(v3["type"], "onboarding");
    assert_eq!(os["document"]["maxAttempts"], 5);
    assert_eq!(os["document"]["usePassport"], true);
    assert_eq!(os["document"]["useGovernmentID"], false);
    assert_eq!(os["liveness"]["livenessMinScore"], 0.7);
    assert_eq!(os["liveness"]["searchMode"], "ACCURATE");
    assert_eq!(os["steps"]["liveness"], "mandatory");
    // Errors.
    assert_err(
        &s.post(
            "/v2/project-flows",
            Auth::Client,
            json!({"project": "000000000000000000000000", "type": "onboarding"}),
        )
        .await,
        404,
        "project_not_found",
    );
    let (st, v) = s.post("/v2/project-flows", Auth::Client, json!({"project": p, "type": "onboarding",
        "onboardingSettings": {"document": {"compareMinScore": 2.0}, "steps": {"document": "sometimes"}}})).await;
    assert_eq!(st, StatusCode::CONFLICT);
    let msg = v["message"].as_str().unwrap();
    assert!(
        msg.contains("invalid onboardingSettings.document.compareMinScore"),
        "{msg}"
    );
    assert!(
        msg.contains("invalid onboardingSettings.steps.document"),
        "{msg}"
    );
    assert_err(
        &s.post("/v2/project-flows", Auth::Client, json!({"project": p}))
            .await,
        409,
        "MissingParameter",
    );
    assert_eq!(
        s.post(
            "/v2/project-flows",
            Auth::None,
            json!({"project": p, "type": "onboarding"})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (st, v) = s
        .post(
            "/v2/project-flows",
            Auth::Client,
            json!({"project": p, "type": "onboarding", "webhookUrl": "ftp://x"}),
        )
        .await;
    assert_eq!(
        (st, v["message"].as_str().unwrap()),
        (StatusCode::CONFLICT, "invalid webhookUrl")
    );
    // Public configuration: no token, flows listed, demoOTP hidden.
    let v = s
        .ok(
            Method::GET,
            &format!("/v2/projects/kyc?id={p}&type=onboarding"),
            Auth::None,
            None,
        )
        .await;
    assert_eq!(v["data"]["_id"], p.as_str());
    assert_eq!(v["data"]["projectFlows"].as_array().unwrap().len(), 2);
    assert!(v["data"].get("demoOTP").is_none());
    assert!(v["planCode"].is_string());
    let v = s
        .ok(
            Method::GET,
            &format!(
                "/v2/projects/kyc?id={p}&projectFlow={}",
                f["_id"].as_str().unwrap()
            ),
            Auth::None,
            None,
        )
        .await;
    assert_eq!(v["data"]["projectFlows"].as_array().unwrap().len(), 1);
    assert_err(
        &s.get("/v2/projects/kyc?type=onboarding", Auth::None).await,
        409,
        "MissingParameter",
    );
    assert_err(
        &s.get("/v2/projects/kyc?id=000000000000000000000000", Auth::None)
            .await,
        404,
        "project_not_found",
    );
}

// ------------------------------------------------------------------ registrations

#[tokio::test]
async fn registration_create_retrieve_list_and_me() {
    let s = Server::start().await;
    let (p, f) = s.setup("basic", json!({})).await;
    let (st, v) = s.post("/v2/app-registrations", Auth::None, json!({})).await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(
        v["message"],
        "missing project\n. missing projectFlow\n. Needs an email or a phone at least"
    );
    let (_, v) = s
        .post(
            "/v2/app-registrations",
            Auth::None,
            json!({"project": p, "projectFlow": f, "phone": "3001234567"}),
        )
        .await;
    assert_eq!(v["message"], "missing countryCode");
    let (_, v) = s
        .post(
            "/v2/app-registrations",
            Auth::None,
            json!({"project": "  ", "projectFlow": 7, "email": "a@example.com"}),
        )
        .await;
    assert_eq!(v["message"], "missing project\n. invalid projectFlow");
    let (_, v) = s.post("/v2/app-registrations", Auth::None, json!({"project": p, "projectFlow": f, "phone": "30a", "countryCode": "57", "email": 5})).await;
    assert_eq!(
        v["message"],
        "invalid email\n. invalid phone\n. invalid countryCode"
    );
    assert_err(&s.post("/v2/app-registrations", Auth::None, json!({"project": "000000000000000000000000", "projectFlow": f, "email": "a@example.com"})).await, 404, "project_not_found");
    assert_err(&s.post("/v2/app-registrations", Auth::None, json!({"project": p, "projectFlow": "000000000000000000000000", "email": "a@example.com"})).await, 404, "projectFlow_not_found");

    let a = s
        .register(
            &p,
            &f,
            json!({"email": "Ana@Example.com", "phone": "3001234567", "countryCode": "+57"}),
        )
        .await;
    assert_err(
        &s.post(
            "/v2/app-registrations",
            Auth::None,
            json!({"project": p, "projectFlow": f, "email": "ana@example.com"}),
        )
        .await,
        409,
        "email_is_registered_already",
    );
    assert_err(
        &s.post(
            "/v2/app-registrations",
            Auth::None,
            json!({"project": p, "projectFlow": f, "phone": "3001234567", "countryCode": "+57"}),
        )
        .await,
        409,
        "phone_is_registered_already",
    );
    // A client token on create is accepted too.
    let _b = s.post("/v2/app-registrations", Auth::Client, json!({"project": p, "projectFlow": f, "email": "b@example.com", "firstName": "Bo", "lastName": "Li"})).await;

    // Retrieve with populates.
    let v = s.ok(Method::GET, &format!("/v2/app-registrations/{}?populates[]=project&populates[]=projectFlow&populates[]=informationValidation", a.id), Auth::Client, None).await;
    let d = &v["data"];
    assert_eq!(d["status"], "STARTED");
    assert_eq!(d["email"], "ana@example.com");
    assert_eq!(d["project"]["_id"], p.as_str());
    assert_eq!(d["projectFlow"]["_id"], f.as_str());
    assert_eq!(d["informationValidation"]["_id"], a.info.as_str());
    assert_eq!(d["emailValidation"], Value::Null);
    assert_eq!(
        s.get(
            &format!("/v2/app-registrations/{}", a.id),
            Auth::Bearer(&a.token)
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_err(
        &s.get(
            "/v2/app-registrations/000000000000000000000000",
            Auth::Client,
        )
        .await,
        404,
        "AppRegistration_not_found",
    );
    assert_err(
        &s.get(
            &format!("/v2/app-registrations/{}?populates[]=bogus", a.id),
            Auth::Client,
        )
        .await,
        409,
        "MissingParameter",
    );

    // List.
    let v = s
        .ok(
            Method::GET,
            "/v2/app-registrations?page=1&perPage=1",
            Auth::Client,
            None,
        )
        .await;
    assert_eq!(
        (
            v["total"].as_i64(),
            v["page"].as_i64(),
            v["perPage"].as_i64()
        ),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(v["data"].as_array().unwrap().len(), 1);
    let v2 = s
        .ok(
            Method::GET,
            "/v2/app-registrations?page=2&perPage=1",
            Auth::Client,
            None,
        )
        .await;
    assert_ne!(v["data"][0]["_id"], v2["data"][0]["_id"]);
    assert_err(
        &s.get("/v2/app-registrations?perPage=1000", Auth::Client)
            .await,
        409,
        "MissingParameter",
    );
    assert_eq!(
        s.get("/v2/app-registrations", Auth::Bearer(&a.token))
            .await
            .0,
        StatusCode::FORBIDDEN
    );

    // /me, GET and POST.
    let v = s
        .ok(
            Method::GET,
            "/v2/app-registrations/me?populates[]=project",
            Auth::Bearer(&a.token),
            None,
        )
        .await;
    assert_eq!(v["data"]["_id"], a.id.as_str());
    assert_eq!(v["data"]["project"]["_id"], p.as_str());
    let v = s
        .ok(
            Method::POST,
            "/v2/app-registrations/me",
            Auth::Bearer(&a.token),
            Some(json!({"populates": ["projectFlow"]})),
        )
        .await;
    assert_eq!(v["data"]["projectFlow"]["_id"], f.as_str());
    assert_eq!(
        s.get("/v2/app-registrations/me", Auth::Client).await.0,
        StatusCode::FORBIDDEN
    );

    // Resend-link: client token only; a new working token.
    let v = s
        .ok(
            Method::POST,
            &format!("/v2/app-registrations/{}/resend-link", a.id),
            Auth::Client,
            Some(json!({"sendEmail": true})),
        )
        .await;
    let t2 = v["data"]["token"].as_str().unwrap().to_owned();
    assert!(v["data"]["link"].as_str().unwrap().contains(&t2));
    assert_eq!(
        s.get("/v2/app-registrations/me", Auth::Bearer(&t2)).await.0,
        StatusCode::OK
    );
    assert_eq!(
        s.post(
            &format!("/v2/app-registrations/{}/resend-link", a.id),
            Auth::Bearer(&a.token),
            json!({})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_err(
        &s.post(
            "/v2/app-registrations/000000000000000000000000/resend-link",
            Auth::Client,
            json!({}),
        )
        .await,
        404,
        "AppRegistration_not_found",
    );
}

// ------------------------------------------------------------------ OTP

async fn create_email_otp(
    s: &Server,
    reg: &smart_enroll_testkit::Registration,
    email: &str,
) -> (StatusCode, Value) {
    s.post("/v2/email-validations/app-registration", Auth::Bearer(&reg.token),
        json!({"project": reg.project, "validationMethod": "verificationCode", "email": email, "type": "onboarding"})).await
}

async fn create_phone_otp(
    s: &Server,
    reg: &smart_enroll_testkit::Registration,
    phone: &str,
    gateway: Option<&str>,
) -> (StatusCode, Value) {
    let mut body = json!({"project": reg.project, "validationMethod": "verificationCode", "phone": phone,
        "countryCode": "+57", "type": "onboarding"});
    if let Some(g) = gateway {
        body["phoneGateway"] = json!(g);
    }
    s.post(
        "/v2/phone-validations/app-registration",
        Auth::Bearer(&reg.token),
        body,
    )
    .await
}

#[tokio::test]
async fn otp_create_resend_cooldown_and_validate_variants() {
    let s = Server::start_manual().await;
    let clock = s.clock.clone().unwrap();
    let (p, f) = s.setup("basic", json!({})).await;
    let email = "otp@example.com";
    let reg = s
        .register(
            &p,
            &f,
            json!({"email": email, "phone": "3001112233", "countryCode": "+57"}),
        )
        .await;

    let (st, v) = create_email_otp(&s, &reg, email).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let id = v["data"]["_id"].as_str().unwrap().to_owned();
    assert_eq!(v["data"]["status"], "sent");
    let expires = v["data"]["expiresAt"].clone();
    let code = s.outbox_code(email).await;
    assert!(!v["data"]["otp"].as_str().unwrap().contains(&code));
    // Inside the cooldown: 429 + Retry-After.
    let r = s.http.post(format!("{}/v2/email-validations/app-registration", s.base)).bearer_auth(&reg.token)
        .json(&json!({"project": p, "validationMethod": "verificationCode", "email": email, "type": "onboarding"}))
        .send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v,
        json!({"code": "TooManyRequests", "message": "429:otp_resend_cooldown"})
    );
    // After it: the same code, same id, original expiry.
    clock.advance(Duration::from_secs(61));
    let (st, v) = create_email_otp(&s, &reg, email).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["data"]["_id"], id.as_str());
    assert_eq!(v["data"]["expiresAt"], expires);
    let ob = s
        .ok(
            Method::GET,
            &format!("/sandbox/outbox?to={}", urlenc(email)),
            Auth::None,
            None,
        )
        .await;
    let items = ob["data"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["code"], items[1]["code"]);
    assert_eq!(items[0]["channel"], "email");
    assert_eq!(items[0]["to"], email);
    assert!(items[0]["createdAt"].as_str().unwrap() > items[1]["createdAt"].as_str().unwrap());
    assert_eq!(items[0]["expiresAt"], expires);

    // Wrong code, then the right one as a number (zero-padded) via the id-less PUT.
    let wrong = if code == "000000" { "000001" } else { "000000" };
    assert_err(
        &s.put(
            &format!("/v2/email-validations/{id}"),
            Auth::Bearer(&reg.token),
            json!({"email": email, "otp": wrong}),
        )
        .await,
        403,
        "otp_does_not_match",
    );
    assert_err(
        &s.put(
            &format!("/v2/email-validations/{id}"),
            Auth::Bearer(&reg.token),
            json!({"email": email}),
        )
        .await,
        409,
        "MissingParameter",
    );
    assert_err(
        &s.put(
            "/v2/email-validations/000000000000000000000000",
            Auth::Bearer(&reg.token),
            json!({"otp": "123456"}),
        )
        .await,
        404,
        "email_validation_not_found",
    );
    let num: u64 = code.parse().unwrap();
    let v = s
        .ok(
            Method::PUT,
            "/v2/email-validations",
            Auth::Bearer(&reg.token),
            Some(json!({"email": email, "otp": num})),
        )
        .await;
    assert_eq!(v["data"], json!({"_id": id, "status": "validated"}));

    // Phone over WhatsApp: outbox by digits and by E.164; validate with POST …/validate.
    let (st, v) = create_phone_otp(&s, &reg, "3001112233", Some("whatsapp")).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let by_digits = s
        .ok(
            Method::GET,
            "/sandbox/outbox?to=3001112233",
            Auth::None,
            None,
        )
        .await;
    let by_e164 = s
        .ok(
            Method::GET,
            &format!("/sandbox/outbox?to={}", urlenc("+573001112233")),
            Auth::None,
            None,
        )
        .await;
    assert_eq!(by_digits["data"], by_e164["data"]);
    // An unencoded `+` (decoded as a space) still finds the phone.
    let raw_plus = s
        .ok(
            Method::GET,
            "/sandbox/outbox?to=+573001112233",
            Auth::None,
            None,
        )
        .await;
    assert_eq!(raw_plus["data"], by_e164["data"]);
    assert_eq!(by_digits["data"][0]["channel"], "whatsapp");
    let pcode = by_digits["data"][0]["code"].as_str().unwrap().to_owned();
    assert_err(
        &s.post(
            "/v2/phone-validations/validate",
            Auth::Bearer(&reg.token),
            json!({"phone": "3001112233", "otp": pcode}),
        )
        .await,
        409,
        "MissingParameter",
    );
    let v = s
        .ok(
            Method::POST,
            "/v2/phone-validations/validate",
            Auth::Bearer(&reg.token),
            Some(json!({"phone": "3001112233", "countryCode": "+57", "otp": pcode})),
        )
        .await;
    assert_eq!(v["data"]["status"], "validated");
    // Contact mismatch and foreign project.
    assert_err(
        &create_phone_otp(&s, &reg, "3009999999", None).await,
        409,
        "phone_does_not_match_registration",
    );
    assert_err(
        &create_email_otp(&s, &reg, "other@example.com").await,
        409,
        "email_does_not_match_registration",
    );
    assert_err(
        &s.get("/sandbox/outbox", Auth::None).await,
        409,
        "MissingParameter",
    );
    assert_eq!(
        s.ok(
            Method::GET,
            "/sandbox/outbox?to=nobody%40example.com",
            Auth::None,
            None
        )
        .await["data"],
        json!([])
    );
}

#[tokio::test]
async fn otp_lockout_after_five_wrong_tries_and_expiry() {
    let s = Server::start_manual().await;
    let clock = s.clock.clone().unwrap();
    let (p, f) = s.setup("basic", json!({})).await;
    let email = "lock@example.com";
    let reg = s
        .register(
            &p,
            &f,
            json!({"email": email, "phone": "3004445566", "countryCode": "+57"}),
        )
        .await;
    let (_, v) = create_email_otp(&s, &reg, email).await;
    let id = v["data"]["_id"].as_str().unwrap().to_owned();
    let code = s.outbox_code(email).await;
    let wrong = if code == "111111" { "222222" } else { "111111" };
    let path = format!("/v2/email-validations/{id}");
    for _ in 0..4 {
        assert_err(
            &s.put(&path, Auth::Bearer(&reg.token), json!({"otp": wrong}))
                .await,
            403,
            "otp_does_not_match",
        );
    }
    let fifth = s
        .put(&path, Auth::Bearer(&reg.token), json!({"otp": wrong}))
        .await;
    assert_eq!(
        fifth.1,
        json!({"code": "Locked", "message": "423:otp_attempts_exceeded"})
    );
    assert_eq!(fifth.0, StatusCode::LOCKED);
    // Even the right code is refused now.
    assert_err(
        &s.put(&path, Auth::Bearer(&reg.token), json!({"otp": code}))
            .await,
        423,
        "otp_attempts_exceeded",
    );
    // The cooldown runs after a lock too; then a new create issues a fresh code.
    let (st, v) = create_email_otp(&s, &reg, email).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert_eq!(v["message"], "429:otp_resend_cooldown");
    clock.advance(Duration::from_secs(60));
    let (st, v) = create_email_otp(&s, &reg, email).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let id2 = v["data"]["_id"].as_str().unwrap().to_owned();
    assert_ne!(id, id2);
    let code2 = s.outbox_code(email).await;
    // Expiry: 10 minutes.
    clock.advance(Duration::from_secs(10 * 60));
    assert_err(
        &s.put(
            &format!("/v2/email-validations/{id2}"),
            Auth::Bearer(&reg.token),
            json!({"otp": code2}),
        )
        .await,
        412,
        "emailValidation_has_expired",
    );
    let (st, _) = create_phone_otp(&s, &reg, "3004445566", None).await;
    assert_eq!(st, StatusCode::OK);
    let pcode = s.outbox_code("3004445566").await;
    clock.advance(Duration::from_secs(10 * 60 + 1));
    assert_err(
        &s.put(
            "/v2/phone-validations",
            Auth::Bearer(&reg.token),
            json!({"phone": "3004445566", "countryCode": "+57", "otp": pcode}),
        )
        .await,
        412,
        "phoneValidation_has_expired",
    );
    // After expiry a create issues a new code that works.
    let (st, _) = create_email_otp(&s, &reg, email).await;
    assert_eq!(st, StatusCode::OK);
    let code3 = s.outbox_code(email).await;
    let v = s
        .ok(
            Method::PUT,
            "/v2/email-validations",
            Auth::Bearer(&reg.token),
            Some(json!({"email": email, "otp": code3})),
        )
        .await;
    assert_eq!(v["data"]["status"], "validated");
}

#[tokio::test]
async fn demo_projects_accept_their_demo_otp_and_outbox_needs_dev() {
    let s = Server::start().await;
    let p = s
        .create_project(json!({"demoMode": true, "demoOTP": "123456"}))
        .await;
    let f = s.create_flow(&p, "basic", json!({})).await["_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reg = s
        .register(&p, &f, json!({"email": "demo@example.com"}))
        .await;
    let (_, v) = create_email_otp(&s, &reg, "demo@example.com").await;
    let id = v["data"]["_id"].as_str().unwrap();
    let v = s
        .ok(
            Method::PUT,
            &format!("/v2/email-validations/{id}"),
            Auth::Bearer(&reg.token),
            Some(json!({"otp": 123456})),
        )
        .await;
    assert_eq!(v["data"]["status"], "validated");
    assert_err(
        &s.post(
            "/v2/projects",
            Auth::Client,
            json!({"name": "d", "allowedCountries": [], "demoMode": true}),
        )
        .await,
        409,
        "MissingParameter",
    );

    let off = Server::start_with(false, None).await;
    let (st, v) = off
        .get("/sandbox/outbox?to=demo%40example.com", Auth::None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(v["code"], "NotFound");
}

// ------------------------------------------------------------------ tokens and access control

fn b64url(v: &Value) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

fn jwt_secret(s: &Server) -> Vec<u8> {
    let conn = rusqlite::Connection::open(s.db_path()).unwrap();
    conn.query_row("SELECT value FROM meta WHERE key = 'jwt_secret'", [], |r| {
        r.get(0)
    })
    .unwrap()
}

#[tokio::test]
async fn tokens_idor_tampering_and_expiry() {
    let s = Server::start_manual().await;
    let clock = s.clock.clone().unwrap();
    let (p, f) = s.setup("full_kyc", json!({})).await;
    let a = s.register(&p, &f, json!({"email": "a@example.com"})).await;
    let b = s.register(&p, &f, json!({"email": "b@example.com"})).await;
    let ta = Auth::Bearer(&a.token);

    // IDOR: A can neither read nor change B.
    assert_eq!(
        s.put(
            &format!("/v2/app-registrations/{}/sync", b.id),
            ta,
            json!({"step": "instructions", "status": "ONGOING"})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (_, v) = create_email_otp(&s, &b, "b@example.com").await;
    let b_otp = v["data"]["_id"].as_str().unwrap().to_owned();
    assert_eq!(
        s.put(
            &format!("/v2/email-validations/{b_otp}"),
            ta,
            json!({"otp": "123456"})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.put(
            &format!("/v2/information-validations/{}/background-check", b.info),
            ta,
            json!({})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.get(&format!("/v2/app-registrations/{}", b.id), ta)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    // B's document and biometric ids are off limits too.
    let b_code = s.outbox_code("b@example.com").await;
    s.ok(
        Method::PUT,
        &format!("/v2/email-validations/{b_otp}"),
        Auth::Bearer(&b.token),
        Some(json!({"otp": b_code})),
    )
    .await;
    let doc = s
        .ok(
            Method::POST,
            "/v2/document-validations/app-registration",
            Auth::Bearer(&b.token),
            Some(json!({"image": png_b64(32, 32, 1), "category": "passport"})),
        )
        .await;
    let doc_id = doc["data"]["documentValidation"]["_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        s.put(
            &format!("/v2/document-validations/{doc_id}/validate"),
            ta,
            json!({})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.put(
            &format!("/v2/document-validations/{doc_id}/manual-verification"),
            ta,
            json!({"reason": "name_mismatch"})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let bio = s
        .ok(
            Method::POST,
            "/v2/biometric-validations/app-registration",
            Auth::Bearer(&b.token),
            Some(json!({"image": png_b64(32, 32, 2), "os": "IOS"})),
        )
        .await;
    let bio_id = bio["data"]["biometricValidation"]["_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        s.call(
            Method::DELETE,
            &format!("/v2/biometric-validations/{bio_id}"),
            ta,
            None
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    // B's records are untouched.
    let v = s
        .ok(
            Method::GET,
            &format!(
                "/v2/app-registrations/{}?populates[]=biometricValidation",
                b.id
            ),
            Auth::Client,
            None,
        )
        .await;
    assert_eq!(v["data"]["biometricValidation"]["_id"], bio_id.as_str());

    // Tampering: bad signature, alg none, wrong kind, absent, client token as registrant.
    let mut parts: Vec<String> = a.token.split('.').map(str::to_owned).collect();
    let sig = parts[2].clone();
    let last = sig.chars().last().unwrap();
    parts[2] = format!(
        "{}{}",
        &sig[..sig.len() - 1],
        if last == 'A' { 'B' } else { 'A' }
    );
    let bad_sig = parts.join(".");
    assert_eq!(
        s.get("/v2/app-registrations/me", Auth::Bearer(&bad_sig))
            .await
            .1,
        json!({"code": "Forbidden", "message": "Access forbidden"})
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let claims = json!({"appRegistrationId": b.id, "project": p, "projectFlow": f, "step": "1",
        "accessType": "appRegistration", "iat": now, "exp": now + 3600});
    let none = format!(
        "{}.{}.",
        b64url(&json!({"alg": "none", "typ": "JWT"})),
        b64url(&claims)
    );
    assert_eq!(
        s.get("/v2/app-registrations/me", Auth::Bearer(&none))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let hs512 = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(&jwt_secret(&s)),
    )
    .unwrap();
    assert_eq!(
        s.get("/v2/app-registrations/me", Auth::Bearer(&hs512))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let sign = |c: &Value| {
        jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            c,
            &jsonwebtoken::EncodingKey::from_secret(&jwt_secret(&s)),
        )
        .unwrap()
    };
    // Correctly signed with the real secret: accepted (proves the check below is the kind).
    assert_eq!(
        s.get("/v2/app-registrations/me", Auth::Bearer(&sign(&claims)))
            .await
            .0,
        StatusCode::OK
    );
    let mut wrong_kind = claims.clone();
    wrong_kind["accessType"] = json!("client");
    assert_eq!(
        s.get("/v2/app-registrations/me", Auth::Bearer(&sign(&wrong_kind)))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.get("/v2/app-registrations/me", Auth::None).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.get("/v2/app-registrations/me", Auth::Client).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.post(
            "/v2/projects",
            ta,
            json!({"name": "x", "allowedCountries": []})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );

    // Expiry (120 min) on the injected clock; a sync token is fresh.
    let synced = s.sync_ok(&a, "instructions", "ONGOING").await;
    let fresh = synced["data"]["token"].as_str().unwrap().to_owned();
    clock.advance(Duration::from_secs(60 * 60));
    let fresher = s
        .sync_ok(
            &smart_enroll_testkit::Registration {
                token: fresh.clone(),
                ..a.clone()
            },
            "instructions",
            "ONGOING",
        )
        .await["data"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    clock.advance(Duration::from_secs(60 * 60 + 1));
    assert_eq!(
        s.get("/v2/app-registrations/me", ta).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.get("/v2/app-registrations/me", Auth::Bearer(&fresh))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.get("/v2/app-registrations/me", Auth::Bearer(&fresher))
            .await
            .0,
        StatusCode::OK
    );
    // Resend-link tokens last 30 minutes.
    let v = s
        .ok(
            Method::POST,
            &format!("/v2/app-registrations/{}/resend-link", a.id),
            Auth::Client,
            Some(json!({})),
        )
        .await;
    let link_token = v["data"]["token"].as_str().unwrap().to_owned();
    clock.advance(Duration::from_secs(29 * 60));
    assert_eq!(
        s.get("/v2/app-registrations/me", Auth::Bearer(&link_token))
            .await
            .0,
        StatusCode::OK
    );
    clock.advance(Duration::from_secs(60));
    assert_eq!(
        s.get("/v2/app-registrations/me", Auth::Bearer(&link_token))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}

// ------------------------------------------------------------------ documents

/// A PNG whose header claims `w`×`h` (no pixel data): enough for the megapixel check.
fn png_header_only(w: u32, h: u32) -> String {
    use base64::Engine as _;
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn chunk(png: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let body = [kind, data].concat();
        png.extend_from_slice(&body);
        png.extend_from_slice(&crc32(&body).to_be_bytes());
    }
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut png, b"IEND", &[]);
    base64::engine::general_purpose::STANDARD.encode(png)
}

#[tokio::test]
async fn documents_upload_rules_and_errors() {
    let s = Server::start().await;
    let (p, f) = s
        .setup(
            "full_kyc",
            json!({"onboardingSettings": {"document": {"maxAttempts": 3}}}),
        )
        .await;
    let email = "doc+names-mismatch@example.com";
    let reg = s.register(&p, &f, json!({"email": email})).await;
    let t = Auth::Bearer(&reg.token);
    let path = "/v2/document-validations/app-registration";
    // Sign-up form first.
    assert_err(
        &s.post(path, t, json!({"image": png_b64(32, 32, 3)})).await,
        409,
        "signUpForm_validation_not_passed",
    );
    s.verify_email(&reg, email).await;
    // Image errors.
    assert_err(&s.post(path, t, json!({})).await, 409, "MissingParameter");
    assert_err(
        &s.post(path, t, json!({"image": "abc"})).await,
        412,
        "only_images_in_base64",
    );
    assert_err(
        &s.post(path, t, json!({"image": "%%%%".repeat(40)})).await,
        412,
        "only_images_in_base64",
    );
    {
        use base64::Engine as _;
        let gif = base64::engine::general_purpose::STANDARD
            .encode([b"GIF89a".as_slice(), &[1u8; 200]].concat());
        assert_err(
            &s.post(path, t, json!({"image": gif})).await,
            412,
            "only_images_in_base64",
        );
        // A PNG signature with garbage after it is not decodable.
        let broken = base64::engine::general_purpose::STANDARD
            .encode([b"\x89PNG\r\n\x1a\n".as_slice(), &[7u8; 200]].concat());
        assert_err(
            &s.post(path, t, json!({"image": broken})).await,
            412,
            "only_images_in_base64",
        );
        let huge =
            base64::engine::general_purpose::STANDARD.encode(vec![0u8; 10 * 1024 * 1024 + 100]);
        let (st, v) = s.post(path, t, json!({"image": huge})).await;
        assert_eq!(
            (st, v),
            (
                StatusCode::PAYLOAD_TOO_LARGE,
                json!({"code": "PayloadTooLarge", "message": "413:image_too_large"})
            )
        );
    }
    assert_err(
        &s.post(path, t, json!({"image": png_header_only(8000, 6000)}))
            .await,
        413,
        "image_too_large",
    );
    assert_err(
        &s.post(
            path,
            t,
            json!({"image": png_b64(16, 16, 1), "category": "visa"}),
        )
        .await,
        409,
        "MissingParameter",
    );
    // Nothing was stored by the failures.
    let v = s
        .ok(
            Method::GET,
            &format!("/v2/app-registrations/{}", reg.id),
            Auth::Client,
            None,
        )
        .await;
    assert_eq!(v["data"]["documentValidation"], Value::Null);
    assert_eq!(v["data"]["documentAttempts"], 0);
    let images: usize = std::fs::read_dir(s.dir.path().join("images"))
        .unwrap()
        .count();
    assert_eq!(images, 0);

    // Passport: one side, ACTIVE, OCR derived from the sign-up data.
    let v = s.ok(Method::POST, path, t, Some(json!({"image": jpeg_b64(40, 30, 4), "category": "passport", "inputMethod": "FILE_UPLOAD"}))).await;
    let d = &v["data"]["documentValidation"];
    assert_eq!(
        (d["requiresBackSide"].as_bool(), d["status"].as_str()),
        (Some(false), Some("ACTIVE"))
    );
    assert_eq!(d["documentCategory"], "Passport");
    assert_eq!(d["OCRExtraction"]["firstName"], "ANA");
    assert_eq!(d["OCRExtraction"]["lastName"], "MARIA LOPEZ");
    assert!(d["documentNumber"].as_str().unwrap().starts_with('P'));
    // namesMatch appears only once a name check ran (the names-mismatch trigger acts there).
    assert!(d.get("namesMatch").is_none(), "{d}");
    let doc_id = d["_id"].as_str().unwrap().to_owned();
    // The image is served to the client token only.
    let url = d["url"].as_str().unwrap().to_owned();
    assert_eq!(
        s.http.get(&url).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let img = s
        .http
        .get(&url)
        .bearer_auth(smart_enroll_testkit::CLIENT_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(img.headers()["content-type"], "image/jpeg");
    // No force: already_exists.
    assert_err(
        &s.post(path, t, json!({"image": png_b64(32, 32, 5)})).await,
        409,
        "already_exists",
    );
    // Passports are not supported by the name validation.
    let v = s
        .ok(
            Method::PUT,
            &format!("/v2/document-validations/{doc_id}/validate"),
            t,
            Some(json!({})),
        )
        .await;
    assert_eq!(
        (
            v["data"]["isSupported"].as_bool(),
            v["data"]["reason"].as_str()
        ),
        (Some(false), Some("document_not_supported"))
    );
    assert_err(
        &s.put(
            "/v2/document-validations/000000000000000000000000/validate",
            t,
            json!({}),
        )
        .await,
        404,
        "document_validation_not_found",
    );
    // ID card with force: a new attempt, ASSESSING until the back arrives.
    let v = s
        .ok(
            Method::POST,
            path,
            t,
            Some(json!({"image": png_b64(32, 32, 6), "category": "government_id", "force": true})),
        )
        .await;
    let d = &v["data"]["documentValidation"];
    assert_eq!(
        (d["requiresBackSide"].as_bool(), d["status"].as_str()),
        (Some(true), Some("ASSESSING"))
    );
    assert_eq!(d["documentType"], "CC");
    let id_doc = d["_id"].as_str().unwrap().to_owned();
    assert_err(
        &s.put(
            &format!("/v2/document-validations/{id_doc}/validate"),
            t,
            json!({}),
        )
        .await,
        400,
        "missing_ocr_extraction_data",
    );
    let v = s
        .ok(
            Method::POST,
            path,
            t,
            Some(json!({"backImage": png_b64(32, 32, 7), "force": true})),
        )
        .await;
    assert_eq!(v["data"]["documentValidation"]["_id"], id_doc.as_str());
    assert_eq!(v["data"]["documentValidation"]["status"], "ACTIVE");
    assert!(v["data"]["documentValidation"]["backUrl"].is_string());
    let v = s
        .ok(
            Method::PUT,
            &format!("/v2/document-validations/{id_doc}/validate?force=true"),
            t,
            Some(json!({})),
        )
        .await;
    assert_eq!(v["data"]["namesMatch"], false);
    assert!(v["data"]["fullNameMatchPercentage"].as_f64().unwrap() < 90.0);
    // Third attempt allowed, the fourth is locked (maxAttempts 3).
    s.ok(
        Method::POST,
        path,
        t,
        Some(json!({"image": png_b64(32, 32, 8), "category": "passport", "force": true})),
    )
    .await;
    let (st, v) = s
        .post(path, t, json!({"image": png_b64(32, 32, 9), "force": true}))
        .await;
    assert_eq!(
        (st, v),
        (
            StatusCode::LOCKED,
            json!({"code": "Locked", "message": "423:max_attempts_reached"})
        )
    );
    // Manual verification.
    assert_err(
        &s.put(
            &format!("/v2/document-validations/{id_doc}/manual-verification"),
            t,
            json!({"reason": "bored"}),
        )
        .await,
        409,
        "MissingParameter",
    );
    assert_err(
        &s.put(
            &format!("/v2/document-validations/{id_doc}/manual-verification"),
            t,
            json!({}),
        )
        .await,
        409,
        "MissingParameter",
    );
    let v = s
        .ok(
            Method::PUT,
            &format!("/v2/document-validations/{id_doc}/manual-verification"),
            t,
            Some(json!({"reason": "name_mismatch"})),
        )
        .await;
    assert_eq!(
        v["data"]["documentValidation"]["status"],
        "NEEDS_MANUAL_VERIFICATION"
    );
}

#[tokio::test]
async fn document_triggers_credits_and_background_check() {
    let s = Server::start().await;
    let (p, f) = s.setup("full_kyc", json!({})).await;
    let path = "/v2/document-validations/app-registration";
    // back-side forces a back even for passports; criminal-hit fails the check.
    let email = "x+back-side+criminal-hit@example.com";
    let reg = s.register(&p, &f, json!({"email": email})).await;
    let t = Auth::Bearer(&reg.token);
    s.verify_email(&reg, email).await;
    let bg = format!("/v2/information-validations/{}/background-check", reg.info);
    assert_err(
        &s.put(&bg, t, json!({})).await,
        404,
        "document_validation_not_found",
    );
    let v = s
        .ok(
            Method::POST,
            path,
            t,
            Some(json!({"image": png_b64(20, 20, 1), "category": "passport"})),
        )
        .await;
    assert_eq!(v["data"]["documentValidation"]["requiresBackSide"], true);
    s.ok(
        Method::POST,
        path,
        t,
        Some(json!({"backImage": png_b64(20, 20, 2), "force": true})),
    )
    .await;
    let v = s.ok(Method::PUT, &bg, t, Some(json!({}))).await;
    assert_eq!(v["data"]["status"], "FAILED");
    assert_eq!(
        v["data"]["criminalData"]["world_api_interpol"]["status"],
        "found"
    );
    assert_eq!(
        v["data"]["criminalData"]["world_api_fbi"],
        json!({"foundInFBI": false, "status": "clear"})
    );
    assert!(
        !v["data"]["criminalData"]["foundKeys"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_err(
        &s.put(
            "/v2/information-validations/000000000000000000000000/background-check",
            t,
            json!({}),
        )
        .await,
        404,
        "informationValidation_not_found",
    );
    // no-credits: 402 on billed calls.
    let poor = "y+no-credits@example.com";
    let reg = s.register(&p, &f, json!({"email": poor})).await;
    let t = Auth::Bearer(&reg.token);
    s.verify_email(&reg, poor).await;
    let (st, v) = s.post(path, t, json!({"image": png_b64(20, 20, 3)})).await;
    assert_eq!(
        (st, v),
        (
            StatusCode::PAYMENT_REQUIRED,
            json!({"code": "PaymentRequired", "message": "402:insufficient_credits"})
        )
    );
    let with_phone = s.register(&p, &f, json!({"email": "y2+no-credits@example.com", "phone": "3107654321", "countryCode": "+57"})).await;
    assert_err(
        &create_phone_otp(&s, &with_phone, "3107654321", None).await,
        402,
        "insufficient_credits",
    );
    assert_err(
        &s.post(
            "/v2/biometric-validations/app-registration",
            t,
            json!({"image": png_b64(20, 20, 4), "os": "IOS"}),
        )
        .await,
        402,
        "insufficient_credits",
    );
    // A flow without the criminal check: Feature_not_available.
    let f2 = s
        .create_flow(
            &p,
            "full_kyc",
            json!({"onboardingSettings": {"document": {"verifyCriminalHistory": false}}}),
        )
        .await;
    let reg = s
        .register(
            &p,
            f2["_id"].as_str().unwrap(),
            json!({"email": "z@example.com"}),
        )
        .await;
    s.verify_email(&reg, "z@example.com").await;
    s.ok(
        Method::POST,
        path,
        Auth::Bearer(&reg.token),
        Some(json!({"image": png_b64(20, 20, 5), "category": "passport"})),
    )
    .await;
    assert_err(
        &s.put(
            &format!("/v2/information-validations/{}/background-check", reg.info),
            Auth::Bearer(&reg.token),
            json!({}),
        )
        .await,
        409,
        "Feature_not_available",
    );
    // A flow that skips documents.
    let f3 = s
        .create_flow(
            &p,
            "basic",
            json!({"onboardingSettings": {"steps": {"document": "skip"}}}),
        )
        .await;
    let reg = s
        .register(
            &p,
            f3["_id"].as_str().unwrap(),
            json!({"email": "w@example.com"}),
        )
        .await;
    s.verify_email(&reg, "w@example.com").await;
    assert_err(
        &s.post(
            path,
            Auth::Bearer(&reg.token),
            json!({"image": png_b64(20, 20, 6)}),
        )
        .await,
        404,
        "document_settings_not_set",
    );
}

// ------------------------------------------------------------------ biometrics and compare

#[tokio::test]
async fn biometrics_triggers_attempts_and_compare() {
    let s = Server::start().await;
    let (p, f) = s.setup("full_kyc", json!({"onboardingSettings": {"liveness": {"maxAttempts": 3, "livenessMinScore": 0.7}}})).await;
    let bio = "/v2/biometric-validations/app-registration";
    let cmp = "/v2/face-recognition/compare/app-registration";

    // liveness-fail: every attempt fails with a score below the minimum, then 423.
    let e = "l+liveness-fail@example.com";
    let reg = s.register(&p, &f, json!({"email": e})).await;
    let t = Auth::Bearer(&reg.token);
    assert_err(
        &s.post(
            bio,
            t,
            json!({"image": png_b64(20, 20, 1), "os": "ANDROID"}),
        )
        .await,
        409,
        "signUpForm_validation_not_passed",
    );
    s.verify_email(&reg, e).await;
    assert_err(
        &s.post(bio, t, json!({"os": "ANDROID"})).await,
        409,
        "MissingParameter",
    );
    let (_, v) = s
        .post(
            bio,
            t,
            json!({"image": png_b64(20, 20, 1), "os": "PLAYSTATION"}),
        )
        .await;
    assert_eq!(v["message"], "invalid os");
    for _ in 0..3 {
        let (st, v) = s
            .post(
                bio,
                t,
                json!({"image": png_b64(20, 20, 1), "os": "ANDROID"}),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT);
        assert_eq!(v["code"], "liveness_failed");
        let score: f64 = v["message"]
            .as_str()
            .unwrap()
            .strip_prefix("409:liveness_failed@")
            .unwrap()
            .parse()
            .unwrap();
        assert!(score < 0.7, "{score}");
    }
    assert_err(
        &s.post(
            bio,
            t,
            json!({"image": png_b64(20, 20, 1), "os": "ANDROID"}),
        )
        .await,
        423,
        "max_attempts_reached",
    );
    let v = s
        .ok(
            Method::GET,
            &format!("/v2/app-registrations/{}", reg.id),
            Auth::Client,
            None,
        )
        .await;
    assert_eq!(
        (v["data"]["livenessAttempts"].as_u64(), &v["data"]["person"]),
        (Some(3), &Value::Null)
    );

    // liveness-fail-once: first fails, second passes; person_already_set without force.
    let e = "o+liveness-fail-once+low-compare@example.com";
    let reg = s.register(&p, &f, json!({"email": e})).await;
    let t = Auth::Bearer(&reg.token);
    s.verify_email(&reg, e).await;
    assert_err(
        &s.post(bio, t, json!({"image": png_b64(20, 20, 2), "os": "IOS"}))
            .await,
        409,
        "liveness_failed",
    );
    let v = s
        .ok(
            Method::POST,
            bio,
            t,
            Some(json!({"image": png_b64(20, 20, 2), "os": "IOS"})),
        )
        .await;
    let score = v["data"]["biometricValidation"]["livenessScore"]
        .as_f64()
        .unwrap();
    assert!(score > 0.7 && score <= 0.99, "{score}");
    assert_eq!(v["data"]["_id"], reg.id.as_str());
    assert!(v["data"]["person"].is_string());
    assert_err(
        &s.post(bio, t, json!({"image": png_b64(20, 20, 3), "os": "IOS"}))
            .await,
        409,
        "person_already_set",
    );
    // Compare needs a document face.
    assert_err(
        &s.post(cmp, t, json!({})).await,
        409,
        "document_and_selfie_required",
    );
    s.ok(
        Method::POST,
        "/v2/document-validations/app-registration",
        t,
        Some(json!({"image": png_b64(24, 24, 4), "category": "passport"})),
    )
    .await;
    let v = s.ok(Method::POST, cmp, t, None).await;
    let r = &v["data"]["compareFaceVerification"]["result"];
    assert_eq!(r["passed"], false);
    assert!(r["score"].as_f64().unwrap() < r["compare_min_score"].as_f64().unwrap());
    assert_eq!(r["compare_min_score"], 0.8);
    assert_eq!(v["data"]["compareFaceVerification"]["status"], "failed");
    // Same inputs, same score (deterministic).
    let again = s.ok(Method::POST, cmp, t, None).await;
    assert_eq!(
        again["data"]["compareFaceVerification"]["result"]["score"],
        r["score"]
    );
    // Force replaces the person (a new attempt); delete removes it.
    let v = s
        .ok(
            Method::POST,
            bio,
            t,
            Some(json!({"image": png_b64(20, 20, 5), "os": "IOS", "force": true})),
        )
        .await;
    let bio_id = v["data"]["biometricValidation"]["_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_err(
        &s.call(
            Method::DELETE,
            "/v2/biometric-validations/000000000000000000000000",
            t,
            None,
        )
        .await,
        404,
        "biometric_validation_not_found",
    );
    let v = s
        .ok(
            Method::DELETE,
            &format!("/v2/biometric-validations/{bio_id}"),
            t,
            None,
        )
        .await;
    assert_eq!(v["data"]["deleted"], true);
    assert_err(
        &s.post(cmp, t, json!({})).await,
        409,
        "document_and_selfie_required",
    );

    // face-exists: 409 Face_already_exists even with force, counted as an attempt.
    let e = "f+face-exists@example.com";
    let reg = s.register(&p, &f, json!({"email": e})).await;
    let t = Auth::Bearer(&reg.token);
    s.verify_email(&reg, e).await;
    let (st, v) = s
        .post(
            bio,
            t,
            json!({"image": png_b64(20, 20, 6), "os": "DESKTOP", "force": true}),
        )
        .await;
    assert_eq!(
        (st, v),
        (
            StatusCode::CONFLICT,
            json!({"code": "Face_already_exists", "message": "409:Face_already_exists"})
        )
    );
    let v = s.ok(Method::GET, "/v2/app-registrations/me", t, None).await;
    assert_eq!(v["data"]["livenessAttempts"], 1);

    // No trigger: passes, compare passes with score >= min.
    let e = "n@example.com";
    let reg = s.register(&p, &f, json!({"email": e})).await;
    let t = Auth::Bearer(&reg.token);
    s.verify_email(&reg, e).await;
    s.ok(
        Method::POST,
        "/v2/document-validations/app-registration",
        t,
        Some(json!({"image": png_b64(24, 24, 7), "category": "passport"})),
    )
    .await;
    // WebP (as a data URI) is accepted too; the selfie URL serves it back with its type.
    let v = s.ok(Method::POST, bio, t, Some(json!({"image": format!("data:image/webp;base64,{}", smart_enroll_testkit::webp_b64(24, 24, 8)), "os": "android"}))).await;
    let url = v["data"]["biometricValidation"]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(url.ends_with(".webp"), "{url}");
    let r = s
        .http
        .get(&url)
        .bearer_auth(smart_enroll_testkit::CLIENT_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "image/webp");
    let v = s.ok(Method::POST, cmp, t, None).await;
    let r = &v["data"]["compareFaceVerification"]["result"];
    assert_eq!(r["passed"], true);
    assert!(r["score"].as_f64().unwrap() >= 0.8);
    assert_eq!(v["data"]["appRegistration"], reg.id.as_str());
}

// ------------------------------------------------------------------ sync rules and lifecycles

#[tokio::test]
async fn sync_step_status_table_and_completeness() {
    let s = Server::start().await;
    let (p, f) = s.setup("full_kyc", json!({})).await;
    let e = "s@example.com";
    let reg = s.register(&p, &f, json!({"email": e})).await;
    assert_err(
        &s.sync(&reg, "dance", "ONGOING").await,
        409,
        "step_not_supported",
    );
    assert_err(
        &s.sync(&reg, "document", "COMPLETED").await,
        409,
        "MissingParameter",
    );
    assert_err(
        &s.put(
            &format!("/v2/app-registrations/{}/sync", reg.id),
            Auth::Bearer(&reg.token),
            json!({}),
        )
        .await,
        409,
        "MissingParameter",
    );
    assert_err(
        &s.sync(&reg, "signUpForm", "ONGOING").await,
        409,
        "signUpForm_validation_not_passed",
    );
    s.sync_ok(&reg, "instructions", "ONGOING").await;
    s.verify_email(&reg, e).await;
    let v = s.sync_ok(&reg, "signUpForm", "ONGOING").await;
    assert_eq!(v["data"]["steps"]["document"], "mandatory");
    assert_eq!(v["data"]["status"], "ONGOING");
    assert_eq!(v["data"]["appRegistrationId"], reg.id.as_str());
    assert_err(
        &s.sync(&reg, "skipKYC", "COMPLETED_WITHOUT_KYC").await,
        409,
        "kyc_steps_are_mandatory",
    );
    assert_err(
        &s.sync(&reg, "end", "COMPLETED").await,
        409,
        "document_validation_not_passed",
    );
    s.ok(
        Method::POST,
        "/v2/document-validations/app-registration",
        Auth::Bearer(&reg.token),
        Some(json!({"image": png_b64(24, 24, 1), "category": "passport"})),
    )
    .await;
    assert_err(
        &s.sync(&reg, "end", "COMPLETED").await,
        409,
        "liveness_validation_not_passed",
    );
    // POST works like PUT; FAILED ends it; then nothing more.
    let (st, v) = s
        .post(
            &format!("/v2/app-registrations/{}/sync", reg.id),
            Auth::Bearer(&reg.token),
            json!({"step": "end", "status": "FAILED"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["data"]["status"], "FAILED");
    assert!(v["data"]["token"].is_string());
    assert_err(
        &s.sync(&reg, "end", "COMPLETED").await,
        409,
        "AppRegistration_status_is_not_ongoing",
    );
    assert_err(
        &s.post(
            "/v2/document-validations/app-registration",
            Auth::Bearer(&reg.token),
            json!({"image": png_b64(24, 24, 2), "force": true}),
        )
        .await,
        409,
        "AppRegistration_status_is_not_ongoing",
    );
}

#[tokio::test]
async fn basic_lifecycle_and_skip_kyc() {
    let s = Server::start().await;
    let (p, f) = s.setup("basic", json!({})).await;
    // Basic: email + phone OTP, then skipKYC (nothing mandatory after the sign-up form).
    let e = "basic@example.com";
    let reg = s
        .register(
            &p,
            &f,
            json!({"email": e, "phone": "3201234567", "countryCode": "+57"}),
        )
        .await;
    s.verify_email(&reg, e).await;
    assert_err(
        &s.sync(&reg, "skipKYC", "COMPLETED_WITHOUT_KYC").await,
        409,
        "signUpForm_validation_not_passed",
    );
    let (st, _) = create_phone_otp(&s, &reg, "3201234567", None).await;
    assert_eq!(st, StatusCode::OK);
    let code = s.outbox_code("+573201234567").await;
    s.ok(
        Method::PUT,
        "/v2/phone-validations",
        Auth::Bearer(&reg.token),
        Some(json!({"phone": "3201234567", "countryCode": "+57", "otp": code})),
    )
    .await;
    let v = s.sync_ok(&reg, "skipKYC", "COMPLETED_WITHOUT_KYC").await;
    assert_eq!(v["data"]["status"], "COMPLETED_WITHOUT_KYC");
    let final_token = v["data"]["token"].as_str().unwrap().to_owned();
    let me = s
        .ok(
            Method::GET,
            "/v2/app-registrations/me?populates[]=emailValidation&populates[]=phoneValidation",
            Auth::Bearer(&final_token),
            None,
        )
        .await;
    assert_eq!(me["data"]["status"], "COMPLETED_WITHOUT_KYC");
    assert_eq!(me["data"]["emailValidation"]["status"], "validated");
    assert_eq!(me["data"]["phoneValidation"]["status"], "validated");
    assert!(me["data"]["emailValidation"].get("code").is_none());

    // Basic with the optional document and selfie, ending COMPLETED.
    let e = "basic2@example.com";
    let reg = s.register(&p, &f, json!({"email": e})).await;
    let t = Auth::Bearer(&reg.token);
    s.verify_email(&reg, e).await;
    s.sync_ok(&reg, "signUpForm", "ONGOING").await;
    s.ok(
        Method::POST,
        "/v2/document-validations/app-registration",
        t,
        Some(json!({"image": png_b64(24, 24, 1), "category": "passport"})),
    )
    .await;
    s.ok(
        Method::POST,
        "/v2/biometric-validations/app-registration",
        t,
        Some(json!({"image": png_b64(24, 24, 2), "os": "IOS"})),
    )
    .await;
    s.ok(
        Method::POST,
        "/v2/face-recognition/compare/app-registration",
        t,
        None,
    )
    .await;
    let v = s.sync_ok(&reg, "end", "COMPLETED").await;
    assert_eq!(v["data"]["status"], "COMPLETED");

    // A phone-only registration (no triggers possible) through skipKYC.
    let reg = s
        .register(&p, &f, json!({"phone": "3209876543", "countryCode": "+57"}))
        .await;
    create_phone_otp(&s, &reg, "3209876543", None).await;
    let code = s.outbox_code("3209876543").await;
    s.ok(
        Method::PUT,
        "/v2/phone-validations",
        Auth::Bearer(&reg.token),
        Some(json!({"phone": "3209876543", "countryCode": "+57", "otp": code})),
    )
    .await;
    assert_eq!(
        s.sync_ok(&reg, "end", "COMPLETED_WITHOUT_KYC").await["data"]["status"],
        "COMPLETED_WITHOUT_KYC"
    );
}

#[tokio::test]
async fn full_kyc_lifecycle_and_manual_review() {
    let s = Server::start().await;
    let (p, f) = s.setup("full_kyc", json!({})).await;
    let e = "full@example.com";
    let reg = s.register(&p, &f, json!({"email": e})).await;
    let v = s.full_kyc(&reg, e, 1).await;
    assert_eq!(v["data"]["status"], "COMPLETED");
    assert_eq!(v["data"]["step"], "end");
    let all = "populates[]=documentValidation&populates[]=biometricValidation&populates[]=compareFaceVerification&populates[]=informationValidation&populates[]=person&populates[]=face&populates[]=documentFace";
    let r = s
        .ok(
            Method::GET,
            &format!("/v2/app-registrations/{}?{all}", reg.id),
            Auth::Client,
            None,
        )
        .await;
    let d = &r["data"];
    assert_eq!(d["status"], "COMPLETED");
    assert_eq!(d["documentValidation"]["status"], "ACTIVE");
    assert_eq!(d["biometricValidation"]["status"], "validated");
    assert_eq!(d["compareFaceVerification"]["result"]["passed"], true);
    assert_eq!(d["informationValidation"]["status"], "ACTIVE");
    assert!(d["person"]["_id"].is_string());
    assert!(d["face"]["url"].as_str().unwrap().starts_with(&s.base));
    assert!(d["documentFace"]["url"].is_string());

    let e = "mr+manual-review@example.com";
    let reg = s.register(&p, &f, json!({"email": e})).await;
    let v = s.full_kyc(&reg, e, 2).await;
    assert_eq!(v["data"]["status"], "NEEDS_MANUAL_VERIFICATION");
    assert!(v["data"]["token"].is_string());
}

// ------------------------------------------------------------------ persistence

#[tokio::test]
async fn restart_mid_enrollment_keeps_everything() {
    let mut s = Server::start().await;
    let (p, f) = s.setup("full_kyc", json!({})).await;
    let e = "persist@example.com";
    let reg = s.register(&p, &f, json!({"email": e})).await;
    s.verify_email(&reg, e).await;
    s.sync_ok(&reg, "signUpForm", "ONGOING").await;
    let t = Auth::Bearer(&reg.token);
    s.ok(
        Method::POST,
        "/v2/document-validations/app-registration",
        t,
        Some(json!({"image": png_b64(24, 24, 1), "category": "id"})),
    )
    .await;
    let old_base = s.base.clone();
    // A file no row references (as if a request died between writing it and committing) is
    // removed at the next start; referenced images stay.
    let stray = s
        .dir
        .path()
        .join("images")
        .join("0123456789abcdef01234567.png");
    std::fs::write(&stray, b"half-written").unwrap();
    let before = std::fs::read_dir(s.dir.path().join("images"))
        .unwrap()
        .count();
    s.restart().await;
    assert!(!stray.exists());
    assert_eq!(
        std::fs::read_dir(s.dir.path().join("images"))
            .unwrap()
            .count(),
        before - 1
    );
    assert_ne!(s.base, "");
    let _ = old_base;
    // Same token (secret persisted), same data; finish the enrollment.
    let t = Auth::Bearer(&reg.token);
    let me = s
        .ok(
            Method::GET,
            "/v2/app-registrations/me?populates[]=documentValidation",
            t,
            None,
        )
        .await;
    assert_eq!(me["data"]["documentValidation"]["status"], "ASSESSING");
    assert_eq!(me["data"]["emailValidated"], true);
    s.ok(
        Method::POST,
        "/v2/document-validations/app-registration",
        t,
        Some(json!({"backImage": png_b64(24, 24, 2), "force": true})),
    )
    .await;
    s.ok(
        Method::POST,
        "/v2/biometric-validations/app-registration",
        t,
        Some(json!({"image": png_b64(24, 24, 3), "os": "IOS"})),
    )
    .await;
    s.ok(
        Method::POST,
        "/v2/face-recognition/compare/app-registration",
        t,
        None,
    )
    .await;
    s.restart().await;
    let v = s.sync_ok(&reg, "end", "COMPLETED").await;
    assert_eq!(v["data"]["status"], "COMPLETED");
    let list = s
        .ok(Method::GET, "/v2/app-registrations", Auth::Client, None)
        .await;
    assert_eq!(list["total"], 1);
    s.stop().await;
}

#[tokio::test]
async fn generated_client_token_is_printed_once_and_persisted() {
    let dir = tempfile::tempdir().unwrap();
    let sb =
        smart_enroll_sandbox::Sandbox::start(smart_enroll_sandbox::SandboxConfig::new(dir.path()))
            .await
            .unwrap();
    let token = sb
        .generated_client_token()
        .expect("generated at first start");
    let base = sb.base_url();
    assert!(base.starts_with("http://127.0.0.1:"));
    sb.shutdown().await;
    let sb =
        smart_enroll_sandbox::Sandbox::start(smart_enroll_sandbox::SandboxConfig::new(dir.path()))
            .await
            .unwrap();
    assert_eq!(sb.generated_client_token(), None);
    let http = smart_enroll_testkit::http_client();
    let r = http
        .post(format!("{}/v2/projects", sb.base_url()))
        .bearer_auth(&token)
        .json(&json!({"name": "p", "allowedCountries": ["Chile"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let conn = rusqlite::Connection::open(dir.path().join("sandbox.db")).unwrap();
    let stored: Vec<u8> = conn
        .query_row(
            "SELECT value FROM meta WHERE key='client_token_sha256'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored.len(), 32);
    assert!(!String::from_utf8_lossy(&stored).contains(&token));
    sb.shutdown().await;
    let mut bad = smart_enroll_sandbox::SandboxConfig::new(dir.path());
    bad.client_token = Some("short".into());
    assert!(smart_enroll_sandbox::Sandbox::start(bad).await.is_err());
}

// ------------------------------------------------------------------ webhooks

/// A loopback webhook receiver that fails the first `fail_first` deliveries with 500.
async fn receiver(
    fail_first: usize,
) -> (
    String,
    tokio::sync::mpsc::UnboundedReceiver<Value>,
    tokio::task::JoinHandle<()>,
) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Value>();
    let seen = Arc::new(AtomicUsize::new(0));
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(v): axum::Json<Value>| {
            let tx = tx.clone();
            let seen = Arc::clone(&seen);
            async move {
                let n = seen.fetch_add(1, Ordering::SeqCst);
                tx.send(v).unwrap();
                if n < fail_first {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let handle = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (url, rx, handle)
}

/// Receives events until every type in `want` has arrived (deliveries run in parallel, so
/// their order is not fixed).
async fn collect_all(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<Value>,
    want: &[&str],
) -> Vec<Value> {
    let mut got: Vec<Value> = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !want.iter().all(|w| got.iter().any(|v| v["type"] == *w)) {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(v)) => got.push(v),
            _ => panic!("webhooks {want:?} not all received; got {got:?}"),
        }
    }
    got
}

#[tokio::test]
async fn webhooks_are_posted_without_otps_and_retried() {
    let s = Server::start().await;
    let (url, mut rx, handle) = receiver(0).await;
    let (p, f) = s.setup("full_kyc", json!({"webhookUrl": url})).await;
    let e = "hook@example.com";
    let reg = s.register(&p, &f, json!({"email": e})).await;
    s.full_kyc(&reg, e, 3).await;
    let want = [
        "onboarding_app_registration_created",
        "onboarding_email_validation_created",
        "onboarding_email_validation_validated",
        "onboarding_app_registration_sync_sign_up_form",
        "onboarding_document_validation_created",
        "onboarding_document_validation_source_lookup",
        "onboarding_information_validation_background_check",
        "onboarding_biometric_validation_validated",
        "onboarding_face_verification_compare",
        "onboarding_app_registration_completed",
    ];
    let events = collect_all(&mut rx, &want).await;
    let code = s.outbox_code(e).await;
    for ev in &events {
        assert!(ev["object"].is_object());
        let text = ev.to_string();
        assert!(
            !text.contains("\"otp\"") && !text.contains("\"code\""),
            "{text}"
        );
        assert!(!text.contains(&format!("\"{code}\"")), "{text}");
    }
    handle.abort();

    // A receiver failing twice gets the same event three times (bounded retries).
    let (url, mut rx, handle) = receiver(2).await;
    let f2 = s.create_flow(&p, "basic", json!({"webhookUrl": url})).await;
    s.register(
        &p,
        f2["_id"].as_str().unwrap(),
        json!({"email": "retry@example.com"}),
    )
    .await;
    let mut got = Vec::new();
    for _ in 0..3 {
        let v = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .unwrap()
            .unwrap();
        got.push(v);
    }
    assert!(
        got.iter()
            .all(|v| v["type"] == "onboarding_app_registration_created")
    );
    assert_eq!(got[0], got[2]);
    // Nothing more after success.
    assert!(
        tokio::time::timeout(Duration::from_millis(800), rx.recv())
            .await
            .is_err()
    );
    handle.abort();
}

// ------------------------------------------------------------------ logs

#[derive(Clone, Default)]
struct LogBuf(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogBuf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_carry_no_personal_data_codes_or_tokens() {
    let buf = LogBuf::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .without_time()
        .with_writer(move || writer.clone())
        .finish();
    // Process-wide: it also sees what other tests in this binary log, which is fine.
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let s = Server::start().await;
    let (p, f) = s
        .setup(
            "full_kyc",
            json!({"webhookUrl": "http://127.0.0.1:9/unreachable"}),
        )
        .await;
    let email = "secret.person+manual-review@example.com";
    let reg = s.register(&p, &f, json!({"email": email, "phone": "3157778899", "countryCode": "+57", "fullName": "Zebulon Quixote"})).await;
    let t = Auth::Bearer(&reg.token);
    let (_, v) = create_email_otp(&s, &reg, email).await;
    let id = v["data"]["_id"].as_str().unwrap().to_owned();
    let code = s.outbox_code(email).await;
    let wrong = if code == "000000" { "000001" } else { "000000" };
    s.put(
        &format!("/v2/email-validations/{id}"),
        t,
        json!({"otp": wrong}),
    )
    .await;
    s.ok(
        Method::PUT,
        &format!("/v2/email-validations/{id}"),
        t,
        Some(json!({"otp": code})),
    )
    .await;
    create_phone_otp(&s, &reg, "3157778899", None).await;
    let pcode = s.outbox_code("3157778899").await;
    s.ok(
        Method::PUT,
        "/v2/phone-validations",
        t,
        Some(json!({"phone": "3157778899", "countryCode": "+57", "otp": pcode})),
    )
    .await;
    let img = png_b64(24, 24, 9);
    s.ok(
        Method::POST,
        "/v2/document-validations/app-registration",
        t,
        Some(json!({"image": img, "category": "passport"})),
    )
    .await;
    s.post(
        "/v2/document-validations/app-registration",
        t,
        json!({"image": "not an image at all, clearly"}),
    )
    .await;
    s.ok(
        Method::POST,
        "/v2/biometric-validations/app-registration",
        t,
        Some(json!({"image": png_b64(24, 24, 10), "os": "IOS"})),
    )
    .await;
    let end = s.sync_ok(&reg, "end", "COMPLETED").await;
    let final_token = end["data"]["token"].as_str().unwrap().to_owned();
    // Give the webhook task time to fail and log its attempts.
    tokio::time::sleep(Duration::from_millis(1200)).await;

    let logs = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains(&reg.id),
        "the registration id is logged, so logging works: {logs}"
    );
    assert!(
        logs.contains("webhook"),
        "webhook failures are logged: {logs}"
    );
    for secret in [
        email,
        "secret.person",
        "3157778899",
        "+573157778899",
        reg.token.as_str(),
        final_token.as_str(),
        smart_enroll_testkit::CLIENT_TOKEN,
        "Zebulon",
        "Quixote",
        &img[..40],
    ] {
        assert!(!logs.contains(secret), "log output contains {secret:?}");
    }
    // Six-digit codes as standalone tokens (other tests' hex ids share this global log and may
    // contain the same six digits inside a longer word).
    for c in [&code, &pcode] {
        let standalone = logs.match_indices(c.as_str()).any(|(i, _)| {
            let before = logs[..i].chars().next_back();
            let after = logs[i + c.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        });
        assert!(!standalone, "log output contains the code {c}");
    }
}

#[tokio::test]
async fn shutdown_stops_webhook_deliveries_that_hang() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    // A receiver that accepts the request and never answers.
    let app = axum::Router::new().route(
        "/hang",
        axum::routing::post(move || {
            let tx = tx.clone();
            async move {
                tx.send(()).unwrap();
                tokio::time::sleep(Duration::from_secs(3600)).await;
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hang", listener.local_addr().unwrap());
    let hang = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let mut s = Server::start().await;
    let (p, f) = s.setup("basic", json!({"webhookUrl": url})).await;
    s.register(&p, &f, json!({"email": "hang@example.com"}))
        .await;
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .unwrap()
        .unwrap();
    // The delivery is stuck inside its HTTP call (5 s timeout, 3 attempts): shutdown must not
    // wait for it.
    tokio::time::timeout(Duration::from_secs(4), s.stop())
        .await
        .expect("shutdown waited for a webhook");
    hang.abort();
}

#[tokio::test]
async fn hostile_bodies_on_every_route_get_json_4xx_never_500() {
    let s = Server::start().await;
    let (p, f) = s.setup("full_kyc", json!({})).await;
    let reg = s
        .register(&p, &f, json!({"email": "fuzz@example.com"}))
        .await;
    let deep = (0..200).fold(json!(1), |acc, _| json!({"a": acc}));
    let fields = [
        "project",
        "projectFlow",
        "email",
        "phone",
        "countryCode",
        "otp",
        "image",
        "backImage",
        "documentFace",
        "os",
        "force",
        "step",
        "status",
        "reason",
        "populates",
        "category",
        "onboardingSettings",
        "allowedCountries",
        "name",
        "type",
        "demoOTP",
        "id",
    ];
    let mut bodies = vec![json!(null), json!([]), json!("text"), json!(42), deep];
    for wrong in [
        json!(null),
        json!(7),
        json!(-1.5),
        json!(true),
        json!([1]),
        json!({"x": 1}),
        json!(""),
        json!("x".repeat(5000)),
        json!("data:image/png;base64,"),
        json!("💥\u{0}"),
    ] {
        let mut b = serde_json::Map::new();
        for k in fields {
            b.insert(k.to_owned(), wrong.clone());
        }
        bodies.push(Value::Object(b));
    }
    let mut checked = 0;
    for r in ROUTES {
        let path = r
            .path
            .replace("{id}", &reg.id)
            .replace("{file}", "nothing.png");
        let method = Method::from_bytes(r.method.as_bytes()).unwrap();
        for auth in [Auth::Client, Auth::Bearer(&reg.token)] {
            for body in &bodies {
                let (st, v) = s
                    .call(method.clone(), &path, auth, Some(body.clone()))
                    .await;
                assert!(
                    st.as_u16() < 500 || st.as_u16() == 501,
                    "{} {path} {body} -> {st}: {v}",
                    r.method
                );
                assert!(v.is_object(), "{} {path} -> non-JSON {st}", r.method);
                if !st.is_success() {
                    assert!(v["code"].is_string() && v["message"].is_string(), "{v}");
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 500);
    // The registration survived all of it, unchanged in status.
    let v = s
        .ok(
            Method::GET,
            &format!("/v2/app-registrations/{}", reg.id),
            Auth::Client,
            None,
        )
        .await;
    assert!(v["data"]["status"] == "STARTED" || v["data"]["status"] == "ONGOING");
}
