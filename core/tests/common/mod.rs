//! Shared harness for the end-to-end tests: a real sandbox (SQLite in a temp dir, from
//! smart-enroll-testkit) on a loopback port, a client, admin helpers, the dev outbox, sample
//! images and a generic driver.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod proxy;
pub mod tls;

use smart_enroll_core::{
    ClientConfig, ClientToken, DocumentCategory, EnrollError, EnrollState, EnrollmentSession,
    FlowConfig, InsecureHttp, NewFlow, NewProject, PhoneChannel, SignUpData, SmartEnrollClient,
};
use std::time::Duration;

pub const ADMIN_TOKEN: &str = smart_enroll_testkit::CLIENT_TOKEN;

/// The sandbox on loopback with a temporary SQLite file, from the shared test kit
/// (`smart-enroll-testkit`; dev mode, so the outbox serves the codes), plus the core's admin
/// token and client. Derefs to the kit's `Server` (`dir`, `base`, `clock`, `db_path()`, ...).
pub struct Env {
    server: smart_enroll_testkit::Server,
    pub admin: ClientToken,
}

impl std::ops::Deref for Env {
    type Target = smart_enroll_testkit::Server;
    fn deref(&self) -> &Self::Target {
        &self.server
    }
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
        Self::from_options(smart_enroll_testkit::Options::default().dev()).await
    }

    /// A sandbox that compares one-time codes as strings only (`serve --otp-string-only`): the
    /// number form is refused.
    pub async fn start_otp_string_only() -> Env {
        Self::from_options(
            smart_enroll_testkit::Options::default()
                .dev()
                .otp_string_only(),
        )
        .await
    }

    pub async fn start_with_manual_clock() -> Env {
        Self::from_options(
            smart_enroll_testkit::Options::default()
                .dev()
                .manual_clock(),
        )
        .await
    }

    async fn from_options(o: smart_enroll_testkit::Options) -> Env {
        Env {
            server: o.start().await,
            admin: ClientToken::new(ADMIN_TOKEN),
        }
    }

    /// The running sandbox.
    pub fn sandbox(&self) -> &smart_enroll_sandbox::Sandbox {
        self.server.sandbox.as_ref().expect("the sandbox runs")
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
        self.server.outbox_code(to).await
    }

    pub async fn shutdown(mut self) {
        self.server.stop().await;
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
