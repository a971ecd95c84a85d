//! Shared harness for the end-to-end tests: a real sandbox (SQLite in a temp dir) on a loopback
//! port, a client, admin helpers, the dev outbox, sample images and a generic driver.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod proxy;

use smart_enroll_core::{
    ClientConfig, ClientToken, DocumentCategory, EnrollError, EnrollState, EnrollmentSession,
    FlowConfig, InsecureHttp, NewFlow, NewProject, PhoneChannel, SignUpData, SmartEnrollClient,
};
use smart_enroll_sandbox::{ManualClock, Sandbox, SandboxConfig};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

pub const ADMIN_TOKEN: &str = "test-client-token-0123456789abcdef";

pub struct Env {
    pub sandbox: Sandbox,
    pub dir: tempfile::TempDir,
    pub base: String,
    pub admin: ClientToken,
    pub clock: Option<Arc<ManualClock>>,
    http: reqwest::Client,
}

fn plain_http() -> reqwest::Client {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .no_proxy()
        .build()
        .unwrap()
}

pub fn client_for(base: &str) -> SmartEnrollClient {
    let mut c = ClientConfig::new(base);
    c.allow_insecure_http = InsecureHttp::Loopback;
    c.retry.base_delay_ms = 5;
    c.retry.max_delay_ms = 200;
    c.retry.max_retries = 4;
    c.request_timeout_ms = 10_000;
    SmartEnrollClient::new(c).unwrap()
}

impl Env {
    pub async fn start() -> Env {
        Self::start_inner(None, false).await
    }

    /// A sandbox that compares one-time codes as strings only (`serve --otp-string-only`): the
    /// number form is refused.
    pub async fn start_otp_string_only() -> Env {
        Self::start_inner(None, true).await
    }

    pub async fn start_with_manual_clock() -> Env {
        Self::start_inner(Some(Arc::new(ManualClock::new(SystemTime::now()))), false).await
    }

    async fn start_inner(clock: Option<Arc<ManualClock>>, otp_string_only: bool) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = SandboxConfig::new(dir.path());
        cfg.dev = true;
        cfg.client_token = Some(ADMIN_TOKEN.into());
        cfg.otp_string_only = otp_string_only;
        if let Some(c) = &clock {
            cfg.clock = c.clone();
        }
        let sandbox = Sandbox::start(cfg).await.unwrap();
        let base = sandbox.base_url().to_string();
        Env {
            sandbox,
            dir,
            base,
            admin: ClientToken::new(ADMIN_TOKEN),
            clock,
            http: plain_http(),
        }
    }

    pub fn client(&self) -> SmartEnrollClient {
        client_for(&self.base)
    }

    /// Creates a project and the flow; returns the flow as the public config endpoint serves it.
    pub async fn flow(&self, edit: impl FnOnce(&mut NewFlow)) -> FlowConfig {
        let c = self.client();
        let project = c
            .create_project(
                &self.admin,
                &NewProject {
                    name: "Test project".into(),
                    allowed_countries: vec!["Colombia".into()],
                    contact_email: "owner@example.com".into(),
                    privacy_url: "https://example.com/privacy".into(),
                    terms_and_conditions_url: "https://example.com/terms".into(),
                },
            )
            .await
            .unwrap();
        let mut nf = NewFlow::preset(&project.id, smart_enroll_core::FlowPreset::FullKyc);
        edit(&mut nf);
        let created = c.create_flow(&self.admin, &nf).await.unwrap();
        c.fetch_flow_config(&project.id, Some(&created.flow_id))
            .await
            .unwrap()
    }

    /// The newest code sent to `to` (email, or `+57` + digits).
    pub async fn code(&self, to: &str) -> String {
        let url =
            url::Url::parse_with_params(&format!("{}/sandbox/outbox", self.base), &[("to", to)])
                .unwrap();
        let v: serde_json::Value = self
            .http
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["data"][0]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no code in the outbox for this recipient: {v}"))
            .to_owned()
    }

    pub async fn shutdown(self) {
        self.sandbox.shutdown().await;
    }
}

pub fn signup(email: &str) -> SignUpData {
    SignUpData {
        email: Some(email.into()),
        phone: Some("3001234567".into()),
        country_code: Some("+57".into()),
        full_name: Some("Ana Example".into()),
        language: Some("en".into()),
        ..SignUpData::default()
    }
}

/// The public-domain sample selfie the CLI bundles.
pub fn selfie() -> Vec<u8> {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../cli/assets/sample-selfie.jpg"
    );
    std::fs::read(p).unwrap_or_else(|e| panic!("sample selfie missing at {p}: {e}"))
}

/// A generated document-like image (960x640 PNG with structure), real pixels for the codec.
pub fn document_image() -> Vec<u8> {
    let img = image::RgbImage::from_fn(960, 640, |x, y| {
        let band = ((y / 60) % 2) as u8;
        image::Rgb([
            (x % 251) as u8,
            (y % 241) as u8,
            if band == 0 { 200 } else { 40 },
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

pub fn phone_to(s: &SignUpData) -> String {
    format!(
        "{}{}",
        s.country_code.clone().unwrap(),
        s.phone.clone().unwrap()
    )
}

/// One step of a generic driver: answers whatever the state asks for.
pub async fn step(
    env: &Env,
    s: &EnrollmentSession,
    signup: &SignUpData,
) -> Result<EnrollState, EnrollError> {
    match s.state() {
        EnrollState::NotStarted => s.start().await,
        EnrollState::Processing { .. } => s.resume().await,
        EnrollState::AwaitingEmailCode { .. } => {
            let code = env.code(signup.email.as_deref().unwrap()).await;
            s.submit_email_code(code).await
        }
        EnrollState::AwaitingPhoneChannel { .. } => s.choose_phone_channel(PhoneChannel::Sms).await,
        EnrollState::AwaitingPhoneCode { .. } => {
            let code = env.code(&phone_to(signup)).await;
            s.submit_phone_code(code).await
        }
        EnrollState::AwaitingDocument {
            side,
            accepted_categories,
            ..
        } => {
            let cat = if accepted_categories.contains(&DocumentCategory::GovernmentId) {
                DocumentCategory::GovernmentId
            } else {
                accepted_categories[0]
            };
            s.submit_document(side, document_image(), cat).await
        }
        EnrollState::AwaitingSelfie { .. } => s.submit_selfie(selfie()).await,
        EnrollState::AwaitingReview { .. } => s.confirm().await,
        st @ EnrollState::Completed { .. } => Ok(st),
    }
}

/// Drives to the end; returns every state seen.
pub async fn drive(env: &Env, s: &EnrollmentSession, signup: &SignUpData) -> Vec<EnrollState> {
    let mut seen = vec![s.state()];
    for _ in 0..40 {
        if s.state().is_terminal() {
            return seen;
        }
        let st = step(env, s, signup)
            .await
            .unwrap_or_else(|e| panic!("step failed in {:?}: {e:?}", s.state()));
        seen.push(st);
    }
    panic!("enrollment did not finish in 40 steps: {:?}", s.state());
}

pub fn wait() -> Duration {
    Duration::from_millis(10)
}
