//! Issue 11: the sandbox under abuse. Every test talks to a real sandbox over loopback HTTP (or a
//! raw TCP socket where HTTP clients would hide the behaviour) with a real SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Cursor;
use std::time::{Duration, Instant};

use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use smart_enroll_sandbox::{Sandbox, SandboxConfig};
use smart_enroll_testkit::{Auth, CLIENT_TOKEN, Registration, Server, assert_err, png_b64};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 90]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// A small JPEG whose header claims `w`×`h` (a decode bomb).
fn bomb(w: u16, h: u16) -> Vec<u8> {
    let mut j = jpeg(32, 32);
    let sof = j.windows(2).position(|x| x == [0xFF, 0xC0]).unwrap();
    j[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    j[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    j
}

/// Sends raw bytes and reads until the server closes or `limit` passes.
async fn raw(addr: std::net::SocketAddr, bytes: &[u8], limit: Duration) -> (String, bool) {
    let mut sock = TcpStream::connect(addr).await.unwrap();
    sock.write_all(bytes).await.unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + limit;
    let mut closed = false;
    while Instant::now() < deadline {
        match tokio::time::timeout_at(deadline.into(), sock.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => {
                closed = true;
                break;
            }
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
            Err(_) => break,
        }
    }
    (String::from_utf8_lossy(&out).into_owned(), closed)
}

fn json_body(answer: &str) -> Value {
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or("");
    serde_json::from_str(body).unwrap_or(Value::Null)
}

async fn create_email_otp(s: &Server, reg: &Registration, email: &str) -> (StatusCode, Value) {
    s.post(
        "/v2/email-validations/app-registration",
        Auth::Bearer(&reg.token),
        json!({"project": reg.project, "validationMethod": "verificationCode",
               "email": email, "type": "onboarding"}),
    )
    .await
}

#[tokio::test]
async fn an_upload_is_refused_before_its_body_is_read() {
    let s = Server::start().await;
    // Sign-up not passed (the full-KYC flow sends email codes): the upload must be refused.
    let reg = s.at_sign_up("full_kyc", "early@example.com").await;
    let addr = s.sandbox.as_ref().unwrap().local_addr();
    for (path, token) in [
        (
            "/v2/document-validations/app-registration",
            reg.token.as_str(),
        ),
        (
            "/v2/biometric-validations/app-registration",
            reg.token.as_str(),
        ),
        ("/v2/document-validations/app-registration", "not-a-token"),
    ] {
        // Announces 12 MB but sends 20 bytes: a server reading the body first waits forever.
        let head = format!(
            "POST {path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\n\
             content-type: application/json\r\ncontent-length: 12000000\r\n\r\n{{\"image\": \"AAAA"
        );
        let (answer, _) = raw(addr, head.as_bytes(), Duration::from_secs(5)).await;
        let v = json_body(&answer);
        if token == "not-a-token" {
            assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
        } else {
            assert!(answer.starts_with("HTTP/1.1 409"), "{path}: {answer:?}");
            assert_eq!(v["message"], "409:signUpForm_validation_not_passed", "{v}");
        }
    }
}

#[tokio::test]
async fn selfies_over_12_megapixels_are_refused_from_the_header() {
    let s = Server::start().await;
    let reg = s.at_liveness_step("bigselfie@example.com", 3).await;
    // 4000x4000 = 16 MP: allowed for a document side, not for a selfie.
    let (st, v) = s
        .post(
            "/v2/biometric-validations/app-registration",
            Auth::Bearer(&reg.token),
            json!({"image": b64(&bomb(4000, 4000)), "os": "ANDROID"}),
        )
        .await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert_eq!(v["message"], "413:image_too_large");
    // The bomb (6000x6600, under 40 MP) as a document side is decoded and refused: no pixels.
    let (st, v) = s
        .post(
            "/v2/document-validations/app-registration",
            Auth::Bearer(&reg.token),
            json!({"image": b64(&bomb(6000, 6600)), "force": true}),
        )
        .await;
    assert!(st.is_client_error(), "{st} {v}");
    assert_ne!(st, StatusCode::OK);
}

#[tokio::test]
async fn truncated_jpegs_are_refused_as_documents_and_selfies() {
    let s = Server::start().await;
    let reg = s.at_document_step("cut@example.com").await;
    let full = jpeg(120, 80);
    let cut = &full[..full.len() * 3 / 4];
    let (st, v) = s
        .post(
            "/v2/document-validations/app-registration",
            Auth::Bearer(&reg.token),
            json!({"image": b64(cut), "category": "id"}),
        )
        .await;
    assert_eq!(st.as_u16(), 412, "{v}");
    assert_eq!(v["message"], "412:only_images_in_base64");
    let reg = s.at_liveness_step("cut2@example.com", 9).await;
    let (st, v) = s
        .post(
            "/v2/biometric-validations/app-registration",
            Auth::Bearer(&reg.token),
            json!({"image": b64(cut), "os": "ANDROID"}),
        )
        .await;
    assert_eq!(st.as_u16(), 412, "{v}");
}

#[tokio::test]
async fn otp_codes_and_guesses_are_limited_per_hour() {
    let s = Server::start_manual().await;
    let clock = s.clock.clone().unwrap();
    let email = "brute@example.com";
    let reg = s.at_sign_up("full_kyc", email).await;
    let mut evaluated = 0;
    for round in 0..5 {
        let (st, v) = create_email_otp(&s, &reg, email).await;
        assert_eq!(st, StatusCode::OK, "round {round}: {v}");
        let id = v["data"]["_id"].as_str().unwrap().to_owned();
        let code = s.outbox_code(email).await;
        let wrong = if code == "000000" { "999999" } else { "000000" };
        for _ in 0..5 {
            let (st, _) = s
                .put(
                    &format!("/v2/email-validations/{id}"),
                    Auth::Bearer(&reg.token),
                    json!({"otp": wrong}),
                )
                .await;
            assert!(st == StatusCode::FORBIDDEN || st == StatusCode::LOCKED);
            evaluated += 1;
        }
        // Locked: a new code right away is refused (cooldown after a lock).
        let (st, v) = create_email_otp(&s, &reg, email).await;
        assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");
        assert_eq!(v["message"], "429:otp_resend_cooldown");
        clock.advance(Duration::from_secs(61));
    }
    assert_eq!(evaluated, 25);
    // The 6th code within the hour: 429 otp_code_limit with Retry-After.
    let resp = s
        .http
        .post(format!("{}/v2/email-validations/app-registration", s.base))
        .bearer_auth(&reg.token)
        .json(
            &json!({"project": reg.project, "validationMethod": "verificationCode",
                      "email": email, "type": "onboarding"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3600).contains(&retry), "{retry}");
    let v: Value = resp.json().await.unwrap();
    assert_eq!(
        v,
        json!({"code": "TooManyRequests", "message": "429:otp_code_limit"})
    );
    // After the hour, codes are issued again.
    clock.advance(Duration::from_secs(retry));
    let (st, v) = create_email_otp(&s, &reg, email).await;
    assert_eq!(st, StatusCode::OK, "{v}");
}

#[tokio::test]
async fn at_most_25_guesses_are_compared_per_hour() {
    let s = Server::start_manual().await;
    let clock = s.clock.clone().unwrap();
    let email = "guess@example.com";
    let reg = s.at_sign_up("full_kyc", email).await;
    // The first code's guesses come 9 minutes after it was issued: when it leaves the hour
    // (and a 6th code may be issued), its guesses are still inside the hour. Without a guess
    // limit, 30 codes would be compared within one hour.
    let mut elapsed = 0u64;
    let mut advance = |secs: u64| {
        clock.advance(Duration::from_secs(secs));
        elapsed += secs;
        elapsed
    };
    for i in 0..5 {
        let (st, v) = create_email_otp(&s, &reg, email).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let id = v["data"]["_id"].as_str().unwrap().to_owned();
        if i == 0 {
            advance(540);
        }
        for _ in 0..5 {
            let (st, v) = s
                .put(
                    &format!("/v2/email-validations/{id}"),
                    Auth::Bearer(&reg.token),
                    json!({"otp": "000001"}),
                )
                .await;
            assert!(
                st == StatusCode::FORBIDDEN || st == StatusCode::LOCKED,
                "{v}"
            );
        }
        advance(61);
    }
    let now = advance(0);
    advance(3601 - now);
    let (st, v) = create_email_otp(&s, &reg, email).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let id = v["data"]["_id"].as_str().unwrap().to_owned();
    let mut compared = 0;
    let mut limited = 0;
    for _ in 0..5 {
        let (st, v) = s
            .put(
                &format!("/v2/email-validations/{id}"),
                Auth::Bearer(&reg.token),
                json!({"otp": "000001"}),
            )
            .await;
        match st {
            StatusCode::FORBIDDEN | StatusCode::LOCKED => compared += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(v["message"], "429:otp_guess_limit");
                limited += 1;
            }
            other => panic!("{other} {v}"),
        }
    }
    // All 25 earlier guesses are within the hour: none of these is compared.
    assert_eq!((compared, limited), (0, 5));
}

#[tokio::test]
async fn a_validated_channel_stays_validated() {
    let s = Server::start().await;
    let email = "done@example.com";
    let reg = s.at_sign_up("full_kyc", email).await;
    let id = s.verify_email(&reg, email).await;
    for _ in 0..7 {
        assert_err(
            &s.put(
                &format!("/v2/email-validations/{id}"),
                Auth::Bearer(&reg.token),
                json!({"otp": "123450"}),
            )
            .await,
            409,
            "otp_already_validated",
        );
    }
    assert_err(
        &create_email_otp(&s, &reg, email).await,
        409,
        "otp_already_validated",
    );
    let me = s.me(&reg).await;
    let v = serde_json::to_value(&me).unwrap();
    assert_eq!(v["emailValidated"], true, "{v}");
    // And the sign-up still counts: the next step is open.
    s.sync_ok(&reg, "signUpForm", "ONGOING").await;
}

#[tokio::test]
async fn long_strings_are_refused_naming_the_field() {
    let s = Server::start().await;
    let (p, f) = s.setup("basic", json!({})).await;
    let long = "x".repeat(257);
    let (st, v) = s
        .post(
            "/v2/app-registrations",
            Auth::None,
            json!({"project": p, "projectFlow": f, "email": "long@example.com",
                   "fullName": "a".repeat(7_000_000 / 100)}),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "MissingParameter");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("invalid fullName (longer than 256 characters)"),
        "{v}"
    );
    // Exactly 256 characters (multi-byte ones) is fine.
    let ok_name = "é".repeat(256);
    let (st, v) = s
        .post(
            "/v2/app-registrations",
            Auth::None,
            json!({"project": p, "projectFlow": f, "email": "ok256@example.com",
                   "fullName": ok_name}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    // Nested fields are named by their path.
    let (st, v) = s
        .post(
            "/v2/projects",
            Auth::Client,
            json!({"name": "P", "allowedCountries": ["Colombia", long],
                   "branding": {"logo": {"alt": long}}}),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    let msg = v["message"].as_str().unwrap();
    assert!(msg.contains("invalid allowedCountries[1]"), "{msg}");
    assert!(msg.contains("invalid branding.logo.alt"), "{msg}");
}

#[tokio::test]
async fn public_configuration_has_no_webhook_or_security() {
    let s = Server::start().await;
    let p = s.create_project(json!({})).await;
    let flow = s
        .create_flow(
            &p,
            "basic",
            json!({"webhookUrl": "http://127.0.0.1:9/hook",
                   "security": {"strategy": "none", "source": "NONE"}}),
        )
        .await;
    assert_eq!(flow["webhookUrl"], "http://127.0.0.1:9/hook", "{flow}");
    let (st, v) = s
        .get(
            &format!("/v2/projects/kyc?id={p}&type=onboarding"),
            Auth::None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let flows = v["data"]["projectFlows"].as_array().unwrap();
    assert_eq!(flows.len(), 1);
    let f = flows[0].as_object().unwrap();
    for key in ["webhookUrl", "webhook", "security"] {
        assert!(!f.contains_key(key), "{key} in {v}");
    }
    assert!(f.contains_key("onboardingSettings"));
    assert!(!v.to_string().contains("127.0.0.1:9"), "{v}");
}

#[tokio::test]
async fn webhook_urls_on_metadata_addresses_are_refused() {
    let s = Server::start().await;
    let p = s.create_project(json!({})).await;
    for bad in [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/h",
        "http://0.0.0.0:8080/h",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://[::ffff:169.254.169.254]/",
    ] {
        let (st, v) = s
            .post(
                "/v2/project-flows",
                Auth::Client,
                json!({"project": p, "type": "onboarding", "preset": "basic", "webhookUrl": bad}),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{bad}: {v}");
        assert!(
            v["message"]
                .as_str()
                .unwrap()
                .contains("invalid webhookUrl"),
            "{v}"
        );
    }
    let (st, v) = s
        .post(
            "/v2/project-flows",
            Auth::Client,
            json!({"project": p, "type": "onboarding", "preset": "basic",
                   "webhookUrl": "http://localhost:8088/hook"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
}

#[tokio::test]
async fn end_completed_against_contrary_evidence_needs_manual_verification() {
    let s = Server::start().await;
    for email in [
        "ana+low-compare@example.com",
        "ana+criminal-hit@example.com",
    ] {
        let (p, f) = s.setup("full_kyc", json!({})).await;
        let reg = s.register(&p, &f, json!({"email": email})).await;
        s.verify_email(&reg, email).await;
        s.sync_ok(&reg, "signUpForm", "ONGOING").await;
        let t = Auth::Bearer(&reg.token);
        let path = "/v2/document-validations/app-registration";
        s.ok(
            Method::POST,
            path,
            t,
            Some(json!({"image": png_b64(48, 32, 1), "category": "passport"})),
        )
        .await;
        s.put(
            &format!("/v2/information-validations/{}/background-check", reg.info),
            t,
            json!({}),
        )
        .await;
        s.ok(
            Method::POST,
            "/v2/biometric-validations/app-registration",
            t,
            Some(json!({"image": png_b64(40, 40, 2), "os": "ANDROID"})),
        )
        .await;
        s.post(
            "/v2/face-recognition/compare/app-registration",
            t,
            json!({}),
        )
        .await;
        let v = s.sync_ok(&reg, "end", "COMPLETED").await;
        assert_eq!(
            v["data"]["status"], "NEEDS_MANUAL_VERIFICATION",
            "{email}: {v}"
        );
        let me = serde_json::to_value(s.me(&reg).await).unwrap();
        assert_eq!(me["status"], "NEEDS_MANUAL_VERIFICATION", "{email}: {me}");
    }
    // Without contrary evidence the end is COMPLETED.
    let (p, f) = s.setup("full_kyc", json!({})).await;
    let reg = s
        .register(&p, &f, json!({"email": "clean@example.com"}))
        .await;
    let v = s.full_kyc(&reg, "clean@example.com", 4).await;
    assert_eq!(v["data"]["status"], "COMPLETED", "{v}");
}

async fn start_with(dir: &std::path::Path, f: impl FnOnce(&mut SandboxConfig)) -> Sandbox {
    let mut cfg = SandboxConfig::new(dir);
    cfg.client_token = Some(CLIENT_TOKEN.into());
    f(&mut cfg);
    Sandbox::start(cfg).await.unwrap()
}

#[tokio::test]
async fn half_open_connections_are_closed_after_the_header_timeout() {
    let defaults = SandboxConfig::new("/nonexistent");
    assert!((10..=20).contains(&defaults.header_read_timeout.as_secs()));
    let dir = tempfile::tempdir().unwrap();
    let sb = start_with(dir.path(), |c| {
        c.header_read_timeout = Duration::from_millis(800)
    })
    .await;
    let addr = sb.local_addr();
    // Nothing sent, and half a request head: both closed by the server.
    let t0 = Instant::now();
    let (_, closed) = raw(addr, b"", Duration::from_secs(5)).await;
    assert!(closed, "idle connection still open after 5 s");
    let (_, closed) = raw(
        addr,
        b"GET /health HTTP/1.1\r\nhost: x\r\n",
        Duration::from_secs(5),
    )
    .await;
    assert!(closed, "half-open connection still open after 5 s");
    assert!(t0.elapsed() < Duration::from_secs(8));
    // A complete request is still answered.
    let (answer, _) = raw(
        addr,
        b"GET /health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
        Duration::from_secs(5),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    sb.shutdown().await;
}

#[tokio::test]
async fn connections_over_the_limit_get_a_json_503() {
    let dir = tempfile::tempdir().unwrap();
    let sb = start_with(dir.path(), |c| c.max_connections = 3).await;
    let addr = sb.local_addr();
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(TcpStream::connect(addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (answer, closed) = raw(addr, b"", Duration::from_secs(5)).await;
    assert!(closed);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert_eq!(json_body(&answer)["message"], "503:too_many_connections");
    drop(held);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (answer, _) = raw(
        addr,
        b"GET /health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
        Duration::from_secs(5),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    sb.shutdown().await;
}

#[tokio::test]
async fn protocol_errors_have_the_json_envelope() {
    let s = Server::start().await;
    let addr = s.sandbox.as_ref().unwrap().local_addr();
    let long_uri = format!(
        "GET /health?{} HTTP/1.1\r\nhost: x\r\n\r\n",
        "a".repeat(70_000)
    );
    let many_headers = format!(
        "GET /health HTTP/1.1\r\nhost: x\r\n{}\r\n",
        (0..200)
            .map(|i| format!("x-h{i}: v\r\n"))
            .collect::<String>()
    );
    let big_header = format!(
        "GET /health HTTP/1.1\r\nhost: x\r\nx-big: {}\r\n\r\n",
        "b".repeat(80_000)
    );
    for (req, status, code) in [
        (long_uri.as_str(), "414", "UriTooLong"),
        (many_headers.as_str(), "431", "RequestHeaderFieldsTooLarge"),
        (big_header.as_str(), "431", "RequestHeaderFieldsTooLarge"),
        (
            "GET /he alth HTTP/1.1\r\nhost: x\r\n\r\n",
            "400",
            "BadRequest",
        ),
    ] {
        let (answer, _) = raw(addr, req.as_bytes(), Duration::from_secs(5)).await;
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status}")),
            "{code} ({} bytes): {answer}",
            req.len()
        );
        assert!(
            answer
                .to_ascii_lowercase()
                .contains("content-type: application/json")
        );
        let v = json_body(&answer);
        assert_eq!(v["code"], code, "{answer}");
        assert!(v["message"].as_str().unwrap().starts_with(status), "{v}");
    }
    // 413 as well.
    let (st, v) = s
        .post(
            "/v2/app-registrations",
            Auth::None,
            json!({"pad": "z".repeat(300 * 1024)}),
        )
        .await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(v["code"], "PayloadTooLarge");
}
