//! The dashboard (`GET /dashboard`) and its JSON endpoints under `/sandbox/…`: the client token
//! exactly as the v2 API takes it, masked contact data, the step trail, images, the webhook
//! delivery log, the dev-only outbox list, security headers and `/openapi.json`. Real loopback
//! HTTP against a real sandbox with its SQLite file in a temporary directory, and a loopback
//! webhook receiver.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use smart_enroll_testkit::{Auth, CLIENT_TOKEN, Options, Server};

const DATA_PATHS: &[&str] = &[
    "/sandbox/changes",
    "/sandbox/registrations",
    "/sandbox/projects",
];

/// A loopback webhook receiver answering `status` to every POST.
async fn receiver(status: u16) -> (String, Arc<AtomicU16>) {
    let answer = Arc::new(AtomicU16::new(status));
    let a = Arc::clone(&answer);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let code = a.load(Ordering::SeqCst);
            async move { StatusCode::from_u16(code).unwrap() }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (url, answer)
}

async fn raw_get(s: &Server, path: &str, token: Option<&str>) -> reqwest::Response {
    let mut req = s.http.get(format!("{}{path}", s.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

async fn data(s: &Server, path: &str) -> Value {
    let (status, v) = s.get(path, Auth::Client).await;
    assert_eq!(status, StatusCode::OK, "{path}: {v}");
    v["data"].clone()
}

/// Polls `path` until `done` holds (bounded: 15 s).
async fn wait_for(s: &Server, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let v = data(s, path).await;
        if done(&v) {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{path} never got there: {v}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_page_is_served_with_strict_headers_and_holds_no_data() {
    let s = Server::start().await;
    let (p, f) = s.setup("basic", json!({})).await;
    let reg = s
        .register(&p, &f, json!({"email": "page@example.com"}))
        .await;

    let resp = raw_get(&s, "/dashboard", None).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let h = resp.headers().clone();
    assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("default-src 'none'"));
    assert!(!csp.contains("unsafe"), "{csp}");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
    let html = resp.text().await.unwrap();
    assert!(html.contains(r#"name="token""#) && html.contains(r#"type="submit""#));
    assert!(!html.contains(&reg.id) && !html.contains("page@"));
    assert!(!html.contains("<script>"), "inline script");

    for (path, kind) in [
        ("/dashboard/app.js", "text/javascript"),
        ("/dashboard/app.css", "text/css"),
    ] {
        let resp = raw_get(&s, path, None).await;
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(kind)
        );
        assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
        let body = resp.text().await.unwrap();
        assert!(
            !body.contains("http://") && !body.contains("https://"),
            "{path}"
        );
    }
    let resp = s
        .http
        .get(format!("{}/dashboard/", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.url().path(),
        "/dashboard",
        "a trailing slash leads to the page"
    );
    assert_eq!(resp.status(), StatusCode::OK);
    // The API answers carry the headers too.
    let resp = raw_get(&s, "/sandbox/registrations", Some(CLIENT_TOKEN)).await;
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    assert_eq!(resp.headers()["referrer-policy"], "no-referrer");
}

#[tokio::test]
async fn every_data_endpoint_wants_the_client_token() {
    let s = Server::start().await;
    let (p, f) = s.setup("basic", json!({})).await;
    let reg = s
        .register(&p, &f, json!({"email": "auth@example.com"}))
        .await;
    let detail = format!("/sandbox/registrations/{}", reg.id);
    let mut paths: Vec<&str> = DATA_PATHS.to_vec();
    paths.push(&detail);
    paths.push("/sandbox/outbox/recent");
    for path in paths {
        for token in [
            None,
            Some("wrong-token-0123456789"),
            Some(reg.token.as_str()),
            Some(""),
        ] {
            let resp = raw_get(&s, path, token).await;
            assert_eq!(
                resp.status(),
                StatusCode::FORBIDDEN,
                "{path} with {:?}",
                token.map(|t| t.len())
            );
            let body = resp.text().await.unwrap();
            assert!(!body.contains(&reg.id) && !body.contains("auth@"), "{body}");
        }
        let resp = raw_get(&s, path, Some(CLIENT_TOKEN)).await;
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
    }
    let (status, _) = s
        .get(
            "/sandbox/registrations/000000000000000000000000",
            Auth::Client,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_whole_enrollment_shows_its_trail_images_and_webhooks() {
    let (hook, _) = receiver(200).await;
    let s = Options::default()
        .dev()
        .webhook_backoff(Duration::from_millis(20))
        .start()
        .await;
    let (p, f) = s.setup("full_kyc", json!({"webhookUrl": hook})).await;
    let email = "jane.doe@example.com";
    let reg = s.register(&p, &f, json!({"email": email})).await;
    let seq0 = data(&s, "/sandbox/changes").await["seq"].as_u64().unwrap();
    s.full_kyc(&reg, email, 7).await;
    let seq1 = data(&s, "/sandbox/changes").await["seq"].as_u64().unwrap();
    assert_ne!(seq0, seq1, "the change counter did not move");

    // The list: newest first, masked, filterable.
    let other = s
        .register(&p, &f, json!({"email": "zed@example.com"}))
        .await;
    let list = data(&s, "/sandbox/registrations").await;
    assert_eq!(list["total"], 2);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items[0]["id"].as_str(), Some(other.id.as_str()));
    assert_eq!(items[1]["id"].as_str(), Some(reg.id.as_str()));
    assert_eq!(items[1]["status"], "COMPLETED");
    assert_eq!(items[1]["email"], "j***@example.com");
    assert!(!list.to_string().contains("jane.doe"), "{list}");
    let done = data(&s, "/sandbox/registrations?status=COMPLETED").await;
    assert_eq!(done["total"], 1);
    assert_eq!(done["items"][0]["id"].as_str(), Some(reg.id.as_str()));
    let started = data(&s, "/sandbox/registrations?status=started").await;
    assert_eq!(started["items"][0]["id"].as_str(), Some(other.id.as_str()));
    assert_eq!(started["total"], 1);
    let by_flow = data(
        &s,
        &format!("/sandbox/registrations?project={p}&flow={f}&limit=1"),
    )
    .await;
    assert_eq!(
        (
            by_flow["total"].as_u64(),
            by_flow["items"].as_array().unwrap().len()
        ),
        (Some(2), 1)
    );
    let none = data(&s, "/sandbox/registrations?project=nope").await;
    assert_eq!(none["total"], 0);
    for bad in ["limit=0", "limit=501", "limit=x"] {
        let (status, v) = s
            .get(&format!("/sandbox/registrations?{bad}"), Auth::Client)
            .await;
        // As the v2 list answers a bad `page`: 409 MissingParameter.
        assert_eq!(status, StatusCode::CONFLICT, "{bad}: {v}");
        assert_eq!(v["code"], "MissingParameter");
    }

    // The detail: the step trail in order, each with its status.
    let path = format!("/sandbox/registrations/{}", reg.id);
    let d = wait_for(&s, &path, |d| {
        d["webhooks"]
            .as_array()
            .is_some_and(|w| !w.is_empty() && w.iter().all(|w| w["state"] == "delivered"))
    })
    .await;
    let steps: Vec<&str> = d["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "registration",
            "email",
            "document",
            "liveness",
            "compare",
            "background",
            "end"
        ]
    );
    let step = |name: &str| {
        d["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["step"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(step("email")["status"], "VALIDATED");
    assert_eq!(step("email")["attempts"], 0);
    assert_eq!(step("end")["status"], "COMPLETED");
    assert_eq!(step("document")["status"], "ACTIVE");
    assert!(step("liveness")["score"].as_f64().unwrap() > 0.65);
    assert_eq!(step("liveness")["minScore"], 0.65);
    assert_eq!(step("compare")["passed"], true);
    assert!(
        step("registration")["startedAt"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    assert_eq!(d["registration"]["email"], "j***@example.com");
    assert_eq!(d["document"]["status"], "ACTIVE");
    assert_eq!(d["backgroundCheck"]["status"], "ACTIVE");
    assert_eq!(d["document"]["nameValidation"]["namesMatch"], true);

    // Images: same-origin paths, served with the client token only.
    let kinds: Vec<&str> = d["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    for k in ["documentFront", "documentBack", "selfie"] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    for img in d["images"].as_array().unwrap() {
        let url = img["url"].as_str().unwrap();
        assert!(url.starts_with("/sandbox/images/"), "{url}");
        assert_eq!(raw_get(&s, url, None).await.status(), StatusCode::FORBIDDEN);
        let resp = raw_get(&s, url, Some(CLIENT_TOKEN)).await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("image/")
        );
        assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
        let bytes = resp.bytes().await.unwrap();
        assert!(
            image::load_from_memory(&bytes).is_ok(),
            "{url} is not an image"
        );
    }

    // Webhooks: every event, delivered on the first attempt with HTTP 200, masked, no codes.
    let hooks = d["webhooks"].as_array().unwrap();
    let events: Vec<&str> = hooks.iter().map(|w| w["event"].as_str().unwrap()).collect();
    for e in [
        "onboarding_app_registration_created",
        "onboarding_email_validation_created",
        "onboarding_email_validation_validated",
        "onboarding_document_validation_created",
        "onboarding_biometric_validation_validated",
        "onboarding_face_verification_compare",
    ] {
        assert!(events.contains(&e), "{e} missing from {events:?}");
    }
    for w in hooks {
        assert_eq!(w["attempts"], 1, "{w}");
        assert_eq!(w["httpStatus"], 200, "{w}");
        assert_eq!(w["payload"]["type"], w["event"]);
    }
    let text = d.to_string();
    assert!(!text.contains("jane.doe"), "contact data not masked");
    assert!(!text.contains(&hook), "webhook URL exposed");

    // Projects and flows.
    let projects = data(&s, "/sandbox/projects").await;
    let project = projects
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == p)
        .unwrap();
    assert_eq!(project["flows"][0]["id"].as_str(), Some(f.as_str()));
    assert_eq!(project["flows"][0]["steps"]["document"], "mandatory");
    assert_eq!(project["flows"][0]["hasWebhook"], true);

    // Dev outbox list: the code the v2 outbox gives, the target masked.
    let recent = data(&s, "/sandbox/outbox/recent").await;
    let mine: Vec<&Value> = recent
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["registration"] == reg.id.as_str())
        .collect();
    assert_eq!(mine.len(), 1, "{recent}");
    assert_eq!(mine[0]["to"], "j***@example.com");
    assert_eq!(mine[0]["code"].as_str().unwrap().len(), 6);
    let v2 = s
        .ok(
            reqwest::Method::GET,
            "/sandbox/outbox?to=jane.doe@example.com",
            Auth::None,
            None,
        )
        .await;
    assert_eq!(v2["data"][0]["code"], mine[0]["code"]);
    assert!(!recent.to_string().contains("jane.doe"));
}

#[tokio::test]
async fn failed_webhooks_show_their_status_and_attempts() {
    let (hook, answer) = receiver(500).await;
    let s = Options::default()
        .webhook_backoff(Duration::from_millis(20))
        .start()
        .await;
    let (p, f) = s.setup("basic", json!({"webhookUrl": hook})).await;
    let reg = s
        .register(&p, &f, json!({"email": "fail@example.com"}))
        .await;
    let path = format!("/sandbox/registrations/{}", reg.id);
    let d = wait_for(&s, &path, |d| d["webhooks"][0]["state"] == "failed").await;
    let w = &d["webhooks"][0];
    assert_eq!(w["event"], "onboarding_app_registration_created");
    assert_eq!(w["attempts"], 3);
    assert_eq!(w["httpStatus"], 500);
    assert_eq!(w["payload"]["object"]["email"], "f***@example.com");
    answer.store(200, Ordering::SeqCst);

    // A receiver that is not there: no status, an error, retried then given up.
    let s2 = Options::default()
        .webhook_backoff(Duration::from_millis(20))
        .start()
        .await;
    let (p, f) = s2
        .setup("basic", json!({"webhookUrl": "http://127.0.0.1:9/hook"}))
        .await;
    let reg = s2
        .register(&p, &f, json!({"email": "gone@example.com"}))
        .await;
    let path = format!("/sandbox/registrations/{}", reg.id);
    let d = wait_for(&s2, &path, |d| d["webhooks"][0]["state"] == "failed").await;
    assert_eq!(d["webhooks"][0]["httpStatus"], Value::Null);
    assert!(d["webhooks"][0]["error"].is_string());
    assert!(!d.to_string().contains("127.0.0.1:9"), "URL in the log");
}

#[tokio::test]
async fn the_outbox_list_is_a_404_without_dev() {
    let s = Options::default().start().await;
    for token in [Some(CLIENT_TOKEN), None, Some("wrong-token-0123456789")] {
        let resp = raw_get(&s, "/sandbox/outbox/recent", token).await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    }
    let (_, doc) = s.get("/openapi.json", Auth::None).await;
    let paths = doc["paths"].as_object().unwrap();
    assert!(!paths.contains_key("/sandbox/outbox/recent"));
    for p in [
        "/sandbox/changes",
        "/sandbox/registrations",
        "/sandbox/registrations/{id}",
        "/sandbox/projects",
    ] {
        let op = &paths[p]["get"];
        assert_eq!(op["security"][0]["clientToken"], json!([]), "{p}");
        assert!(op["responses"]["200"].is_object(), "{p}");
    }
    let s = Server::start().await;
    let (_, doc) = s.get("/openapi.json", Auth::None).await;
    assert!(doc["paths"]["/sandbox/outbox/recent"]["get"].is_object());
}
