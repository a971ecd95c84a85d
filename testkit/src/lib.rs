#![doc = include_str!("../README.md")]
// Test support: a failed set-up step is a failed test, so panicking (unwrap/expect/assert) is
// how this crate reports it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Cursor;
use std::sync::Arc;

use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use smart_enroll_api::{Data, ErrorBody};
use smart_enroll_sandbox::{Clock, ManualClock, Sandbox, SandboxConfig};

/// The client token every test sandbox is started with.
pub const CLIENT_TOKEN: &str = "test-client-token-0123456789";

/// A sandbox on loopback with its SQLite file in a temporary directory, and an HTTP client.
pub struct Server {
    pub sandbox: Option<Sandbox>,
    pub dir: tempfile::TempDir,
    pub base: String,
    pub http: reqwest::Client,
    pub clock: Option<ManualClock>,
    pub dev: bool,
    /// `SandboxConfig::webhook_backoff` for this server and its restarts (default if `None`).
    pub webhook_backoff: Option<std::time::Duration>,
    /// `SandboxConfig::otp_string_only` for this server and its restarts.
    pub otp_string_only: bool,
}

/// How to start a [`Server`] (all off / default: `Options::default().dev()...start()`).
#[derive(Default, Clone)]
pub struct Options {
    dev: bool,
    clock: Option<ManualClock>,
    webhook_backoff: Option<std::time::Duration>,
    otp_string_only: bool,
}

impl Options {
    /// Enables the dev outbox.
    pub fn dev(mut self) -> Self {
        self.dev = true;
        self
    }
    /// Uses a manual clock starting now.
    pub fn manual_clock(mut self) -> Self {
        self.clock = Some(ManualClock::new(std::time::SystemTime::now()));
        self
    }
    /// Webhook retry backoff.
    pub fn webhook_backoff(mut self, b: std::time::Duration) -> Self {
        self.webhook_backoff = Some(b);
        self
    }
    /// Compare one-time codes as strings only.
    pub fn otp_string_only(mut self) -> Self {
        self.otp_string_only = true;
        self
    }
    /// Starts the sandbox.
    pub async fn start(self) -> Server {
        Server::start_opts(self).await
    }
}

/// Who a request authenticates as.
#[derive(Clone, Copy)]
pub enum Auth<'a> {
    None,
    Client,
    Bearer(&'a str),
    Raw(&'a str),
}

fn config(
    dir: &std::path::Path,
    dev: bool,
    clock: Option<&ManualClock>,
    webhook_backoff: Option<std::time::Duration>,
    otp_string_only: bool,
) -> SandboxConfig {
    let mut cfg = SandboxConfig::new(dir);
    cfg.otp_string_only = otp_string_only;
    if let Some(b) = webhook_backoff {
        cfg.webhook_backoff = b;
    }
    cfg.dev = dev;
    cfg.client_token = Some(CLIENT_TOKEN.into());
    if let Some(c) = clock {
        cfg.clock = Arc::new(c.clone()) as Arc<dyn Clock>;
    }
    cfg
}

impl Server {
    /// A dev-mode sandbox with the preset client token and the system clock.
    pub async fn start() -> Self {
        Self::start_with(true, None).await
    }

    /// A dev-mode sandbox on a manual clock.
    pub async fn start_manual() -> Self {
        let clock = ManualClock::new(std::time::SystemTime::now());
        Self::start_with(true, Some(clock)).await
    }

    pub async fn start_with(dev: bool, clock: Option<ManualClock>) -> Self {
        Self::start_full(dev, clock, None).await
    }

    /// A dev-mode sandbox, system clock, with the given webhook retry backoff.
    pub async fn start_with_backoff(backoff: std::time::Duration) -> Self {
        Self::start_full(true, None, Some(backoff)).await
    }

    pub async fn start_full(
        dev: bool,
        clock: Option<ManualClock>,
        webhook_backoff: Option<std::time::Duration>,
    ) -> Self {
        Self::start_opts(Options {
            dev,
            clock,
            webhook_backoff,
            otp_string_only: false,
        })
        .await
    }

    /// Starts with [`Options`].
    pub async fn start_opts(o: Options) -> Self {
        let Options {
            dev,
            clock,
            webhook_backoff,
            otp_string_only,
        } = o;
        let dir = tempfile::tempdir().unwrap();
        let sandbox = Sandbox::start(config(
            dir.path(),
            dev,
            clock.as_ref(),
            webhook_backoff,
            otp_string_only,
        ))
        .await
        .unwrap();
        let base = sandbox.base_url();
        let http = http_client();
        Self {
            sandbox: Some(sandbox),
            dir,
            base,
            http,
            clock,
            dev,
            webhook_backoff,
            otp_string_only,
        }
    }

    /// Stops the server and starts a new one on the same data directory.
    pub async fn restart(&mut self) {
        if let Some(s) = self.sandbox.take() {
            s.shutdown().await;
        }
        let sandbox = Sandbox::start(config(
            self.dir.path(),
            self.dev,
            self.clock.as_ref(),
            self.webhook_backoff,
            self.otp_string_only,
        ))
        .await
        .unwrap();
        self.base = sandbox.base_url();
        self.sandbox = Some(sandbox);
    }

    pub async fn stop(&mut self) {
        if let Some(s) = self.sandbox.take() {
            s.shutdown().await;
        }
    }

    pub fn db_path(&self) -> std::path::PathBuf {
        self.dir.path().join("sandbox.db")
    }

    /// Sends a request; returns the status and the JSON body (Null when empty / not JSON).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        auth: Auth<'_>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        req = match auth {
            Auth::None => req,
            Auth::Client => req.bearer_auth(CLIENT_TOKEN),
            Auth::Bearer(t) => req.bearer_auth(t),
            Auth::Raw(h) => req.header("authorization", h),
        };
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let bytes = resp.bytes().await.unwrap();
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, value)
    }

    pub async fn get(&self, path: &str, auth: Auth<'_>) -> (StatusCode, Value) {
        self.call(Method::GET, path, auth, None).await
    }
    pub async fn post(&self, path: &str, auth: Auth<'_>, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, auth, Some(body)).await
    }
    pub async fn put(&self, path: &str, auth: Auth<'_>, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, auth, Some(body)).await
    }

    /// Like `call` but asserts the status; returns the body.
    pub async fn ok(
        &self,
        method: Method,
        path: &str,
        auth: Auth<'_>,
        body: Option<Value>,
    ) -> Value {
        let (s, v) = self.call(method.clone(), path, auth, body).await;
        assert_eq!(s, StatusCode::OK, "{method} {path} -> {s}: {v}");
        v
    }

    /// Sends a request with extra headers; returns status, headers and the JSON body.
    pub async fn call_with(
        &self,
        method: Method,
        path: &str,
        auth: Auth<'_>,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        req = match auth {
            Auth::None => req,
            Auth::Client => req.bearer_auth(CLIENT_TOKEN),
            Auth::Bearer(t) => req.bearer_auth(t),
            Auth::Raw(h) => req.header("authorization", h),
        };
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.unwrap();
        (
            status,
            headers,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// A typed call: sends `body` (a `smart-enroll-api` request type), expects 200 and parses
    /// `{"data": T}` with the same types the client uses.
    pub async fn data<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        auth: Auth<'_>,
        body: Option<&impl Serialize>,
    ) -> T {
        let body = body.map(|b| serde_json::to_value(b).unwrap());
        let v = self.ok(method, path, auth, body).await;
        serde_json::from_value::<Data<T>>(v.clone())
            .unwrap_or_else(|e| panic!("answer does not parse as its wire type: {e}: {v}"))
            .data
    }

    /// A typed failing call: the status and the parsed error body.
    pub async fn error(
        &self,
        method: Method,
        path: &str,
        auth: Auth<'_>,
        body: Option<Value>,
    ) -> (StatusCode, ErrorBody) {
        let (s, v) = self.call(method, path, auth, body).await;
        assert_ne!(s, StatusCode::OK, "{path} succeeded: {v}");
        let e = serde_json::from_value(v.clone())
            .unwrap_or_else(|e| panic!("error body does not parse: {e}: {v}"));
        (s, e)
    }

    /// The registration as its registrant sees it (`GET /v2/app-registrations/me`), populated.
    pub async fn me(&self, reg: &Registration) -> smart_enroll_api::AppRegistration {
        let q = smart_enroll_api::REVIEW_POPULATES
            .iter()
            .map(|p| format!("populates[]={p}"))
            .collect::<Vec<_>>()
            .join("&");
        self.data(
            Method::GET,
            &format!("/v2/app-registrations/me?{q}"),
            Auth::Bearer(&reg.token),
            None::<&()>,
        )
        .await
    }

    /// A registration with `email` in a fresh project whose flow is `preset`, at the sign-up
    /// step (nothing verified yet). Returns the registration.
    pub async fn at_sign_up(&self, preset: &str, email: &str) -> Registration {
        let (p, f) = self.setup(preset, json!({})).await;
        self.register(&p, &f, json!({ "email": email })).await
    }

    /// A Full-KYC registration at the document step: email verified, sign-up synced.
    pub async fn at_document_step(&self, email: &str) -> Registration {
        let reg = self.at_sign_up("full_kyc", email).await;
        self.verify_email(&reg, email).await;
        self.sync_ok(&reg, "signUpForm", "ONGOING").await;
        reg
    }

    /// A Full-KYC registration at the liveness step: document (front and back) in.
    pub async fn at_liveness_step(&self, email: &str, seed: u8) -> Registration {
        let reg = self.at_document_step(email).await;
        let t = Auth::Bearer(&reg.token);
        let path = "/v2/document-validations/app-registration";
        self.ok(
            Method::POST,
            path,
            t,
            Some(json!({"image": png_b64(48, 32, seed), "category": "id"})),
        )
        .await;
        self.ok(
            Method::POST,
            path,
            t,
            Some(json!({"backImage": jpeg_b64(48, 32, seed), "force": true})),
        )
        .await;
        self.sync_ok(&reg, "document", "ONGOING").await;
        self.sync_ok(&reg, "liveness", "ONGOING").await;
        reg
    }

    /// A Full-KYC registration at the compare step: selfie in.
    pub async fn at_compare_step(&self, email: &str, seed: u8) -> Registration {
        let reg = self.at_liveness_step(email, seed).await;
        self.ok(
            Method::POST,
            "/v2/biometric-validations/app-registration",
            Auth::Bearer(&reg.token),
            Some(json!({"image": png_b64(40, 40, seed.wrapping_add(1)), "os": "ANDROID"})),
        )
        .await;
        reg
    }

    /// Creates a project (with `extra` fields) and returns its id.
    pub async fn create_project(&self, extra: Value) -> String {
        let mut body = json!({"name": "Test project", "allowedCountries": ["Colombia"],
            "contactEmail": "owner@example.com", "privacyUrl": "https://example.com/p",
            "termsAndConditionsUrl": "https://example.com/t"});
        merge(&mut body, extra);
        let v = self
            .ok(Method::POST, "/v2/projects", Auth::Client, Some(body))
            .await;
        v["data"]["_id"].as_str().unwrap().to_owned()
    }

    /// A flow from a preset (`basic` / `full_kyc`) plus overrides.
    pub async fn create_flow(&self, project: &str, preset: &str, extra: Value) -> Value {
        let mut body = json!({"project": project, "type": "onboarding", "preset": preset});
        merge(&mut body, extra);
        let v = self
            .ok(Method::POST, "/v2/project-flows", Auth::Client, Some(body))
            .await;
        v["data"].clone()
    }

    /// Project + flow; returns (project id, flow id).
    pub async fn setup(&self, preset: &str, flow_extra: Value) -> (String, String) {
        let p = self.create_project(json!({})).await;
        let f = self.create_flow(&p, preset, flow_extra).await;
        (p, f["_id"].as_str().unwrap().to_owned())
    }

    pub async fn register(&self, project: &str, flow: &str, contact: Value) -> Registration {
        let mut body =
            json!({"project": project, "projectFlow": flow, "fullName": "Ana Maria Lopez"});
        merge(&mut body, contact);
        let v = self
            .ok(
                Method::POST,
                "/v2/app-registrations",
                Auth::None,
                Some(body),
            )
            .await;
        Registration {
            id: v["data"]["appRegistration"]["_id"]
                .as_str()
                .unwrap()
                .to_owned(),
            token: v["data"]["token"].as_str().unwrap().to_owned(),
            info: v["data"]["informationValidation"]["_id"]
                .as_str()
                .unwrap()
                .to_owned(),
            project: project.to_owned(),
        }
    }

    /// Newest outbox code for `to`.
    pub async fn outbox_code(&self, to: &str) -> String {
        let v = self
            .ok(
                Method::GET,
                &format!("/sandbox/outbox?to={}", urlenc(to)),
                Auth::None,
                None,
            )
            .await;
        v["data"][0]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no code for {to}: {v}"))
            .to_owned()
    }

    /// Email OTP: create, read the outbox, validate. Returns the validation id.
    pub async fn verify_email(&self, reg: &Registration, email: &str) -> String {
        let v = self
            .ok(
                Method::POST,
                "/v2/email-validations/app-registration",
                Auth::Bearer(&reg.token),
                Some(
                    json!({"project": reg.project, "validationMethod": "verificationCode",
                    "email": email, "type": "onboarding"}),
                ),
            )
            .await;
        let id = v["data"]["_id"].as_str().unwrap().to_owned();
        let code = self.outbox_code(email).await;
        let v = self
            .ok(
                Method::PUT,
                &format!("/v2/email-validations/{id}"),
                Auth::Bearer(&reg.token),
                Some(json!({"email": email, "otp": code})),
            )
            .await;
        assert_eq!(v["data"]["status"], "validated");
        id
    }

    pub async fn sync(&self, reg: &Registration, step: &str, status: &str) -> (StatusCode, Value) {
        self.put(
            &format!("/v2/app-registrations/{}/sync", reg.id),
            Auth::Bearer(&reg.token),
            json!({"step": step, "status": status}),
        )
        .await
    }

    /// Whole Full-KYC enrollment after registration with `email` (no phone).
    pub async fn full_kyc(&self, reg: &Registration, email: &str, seed: u8) -> Value {
        self.verify_email(reg, email).await;
        let t = Auth::Bearer(&reg.token);
        self.sync_ok(reg, "signUpForm", "ONGOING").await;
        let front = self
            .ok(Method::POST, "/v2/document-validations/app-registration", t,
                Some(json!({"image": png_b64(48, 32, seed), "category": "id", "inputMethod": "CAMERA"})))
            .await;
        let doc = &front["data"]["documentValidation"];
        assert_eq!(doc["requiresBackSide"], true);
        assert_eq!(doc["status"], "ASSESSING");
        let doc_id = doc["_id"].as_str().unwrap().to_owned();
        let back = self
            .ok(
                Method::POST,
                "/v2/document-validations/app-registration",
                t,
                Some(json!({"backImage": jpeg_b64(48, 32, seed), "force": true})),
            )
            .await;
        assert_eq!(back["data"]["documentValidation"]["status"], "ACTIVE");
        let names = self
            .ok(
                Method::PUT,
                &format!("/v2/document-validations/{doc_id}/validate?force=true"),
                t,
                Some(json!({})),
            )
            .await;
        assert_eq!(names["data"]["namesMatch"], true);
        let bg = self
            .ok(
                Method::PUT,
                &format!("/v2/information-validations/{}/background-check", reg.info),
                t,
                Some(json!({})),
            )
            .await;
        assert_eq!(bg["data"]["status"], "ACTIVE");
        self.sync_ok(reg, "document", "ONGOING").await;
        self.sync_ok(reg, "liveness", "ONGOING").await;
        let bio = self
            .ok(Method::POST, "/v2/biometric-validations/app-registration", t,
                Some(json!({"image": format!("data:image/png;base64,{}", png_b64(40, 40, seed.wrapping_add(1))), "os": "ANDROID"})))
            .await;
        assert!(
            bio["data"]["biometricValidation"]["livenessScore"]
                .as_f64()
                .unwrap()
                > 0.65
        );
        let cmp = self
            .ok(
                Method::POST,
                "/v2/face-recognition/compare/app-registration",
                t,
                None,
            )
            .await;
        assert_eq!(
            cmp["data"]["compareFaceVerification"]["result"]["passed"],
            true
        );
        self.sync_ok(reg, "end", "ONGOING").await;
        self.sync_ok(reg, "end", "COMPLETED").await
    }

    pub async fn sync_ok(&self, reg: &Registration, step: &str, status: &str) -> Value {
        let (s, v) = self.sync(reg, step, status).await;
        assert_eq!(s, StatusCode::OK, "sync {step}/{status}: {v}");
        v
    }
}

/// A created registration: its id, registrant token, criminal-check id and project.
#[derive(Debug, Clone)]
pub struct Registration {
    pub id: String,
    pub token: String,
    pub info: String,
    pub project: String,
}

/// A reqwest client (the workspace builds reqwest with `rustls-no-provider`, so a crypto
/// provider is installed first even though the tests only speak plain HTTP).
pub fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap()
}

pub fn merge(base: &mut Value, extra: Value) {
    if let (Value::Object(b), Value::Object(e)) = (base, extra) {
        for (k, v) in e {
            b.insert(k, v);
        }
    }
}

pub fn urlenc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn pattern(w: u32, h: u32, seed: u8) -> image::RgbImage {
    image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([
            (x as u8).wrapping_mul(7) ^ seed,
            (y as u8).wrapping_mul(5),
            seed.wrapping_add((x + y) as u8),
        ])
    })
}

pub fn png_bytes(w: u32, h: u32, seed: u8) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    pattern(w, h, seed)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

pub fn png_b64(w: u32, h: u32, seed: u8) -> String {
    base64::engine::general_purpose::STANDARD.encode(png_bytes(w, h, seed))
}

pub fn jpeg_b64(w: u32, h: u32, seed: u8) -> String {
    let mut out = Cursor::new(Vec::new());
    pattern(w, h, seed)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .unwrap();
    base64::engine::general_purpose::STANDARD.encode(out.into_inner())
}

pub fn webp_b64(w: u32, h: u32, seed: u8) -> String {
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(pattern(w, h, seed))
        .to_rgba8()
        .write_to(&mut out, image::ImageFormat::WebP)
        .unwrap();
    base64::engine::general_purpose::STANDARD.encode(out.into_inner())
}

/// Asserts a colon-coded error `{"code", "message": "NNN:token"}`.
pub fn assert_err(got: &(StatusCode, Value), status: u16, token: &str) {
    let (s, v) = got;
    assert_eq!(
        s.as_u16(),
        status,
        "expected {status} {token}, got {s}: {v}"
    );
    let msg = v["message"].as_str().unwrap_or("");
    let code = v["code"].as_str().unwrap_or("");
    assert!(
        msg.starts_with(&format!("{status}:{token}")) || code == token,
        "expected token {token}, got {v}"
    );
}
