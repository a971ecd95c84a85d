//! Smart Enroll SDK core: the Smart Enroll v2 API client, the enrollment flow engine and the
//! on-device liveness prefilter (re-exported from `smart-enroll-prefilter`).
//!
//! # Public surface (designed to be wrapped by UniFFI: owned types, `Send + Sync`, no lifetimes)
//!
//! - [`ClientConfig`] / [`InsecureHttp`] / [`RetryPolicy`] / [`Platform`] → [`SmartEnrollClient::new`].
//!   HTTPS only unless plain HTTP is allowed for loopback or named hosts (e.g. `10.0.2.2`).
//! - [`SmartEnrollClient`]: `fetch_flow_config(project_id, flow_id)` (public, no token), admin
//!   calls with a [`ClientToken`] (`create_project`, `create_flow`, `list_registrations`,
//!   `resend_link`), `stats()` and `cancel_all()`.
//! - [`EnrollmentSession`]: `begin(client, project_id, flow_id, signup)` (fetches the flow) or
//!   `new(client, flow, signup)`, then `start()`, `submit_email_code`,
//!   `resend_email_code`, `choose_phone_channel`, `submit_phone_code`, `resend_phone_code`,
//!   `submit_document(side, bytes, category)`, `submit_selfie(bytes)`, `skip_step`, `skip_kyc`,
//!   `confirm` (after [`EnrollState::AwaitingReview`]), `set_auto_confirm(on)` (headless; off
//!   by default), `resume`; `state()`, `snapshot()` / [`EnrollmentSession::restore`]
//!   ([`Snapshot::with_token`] after resend-link), `cancel()`,
//!   `observe(Arc<dyn StateObserver>) -> ObserverHandle`, `set_analytics_sink`.
//! - [`EnrollState`] says what is needed next. After the last verification step the session
//!   retrieves the registration from the server (`me`, validations populated) and waits in
//!   `AwaitingReview { review }`: the [`Review`] holds the document's OCR fields, the
//!   names-match result, the liveness and compare scores against the flow's thresholds and the
//!   criminal check. `Completed { result }` carries the [`Outcome`] (`Failed` /
//!   `NeedsManualVerification` are outcomes, not errors), the [`FinalToken`], the redirect URL
//!   and the confirmed review.
//! - One-time codes travel as the string the user typed (leading zeros kept). Uploads carry an
//!   `Idempotency-Key` and survive a lost answer: the server is asked (`me`) before any re-send,
//!   so a lost answer costs no attempt. Requests and answers are `smart-enroll-api` wire
//!   types.
//! - [`EnrollError`] (one enum, [`ErrorCategory`], `is_retryable()`); no field is called
//!   `message`. Display strings never contain personal data.
//! - [`ProjectClient`] (the integrator's backend, client token): `registration(id)` (the
//!   populated registration as [`RegistrationDetails`]) and `verify_final_token(token)` (a
//!   [`FinalTokenVerdict`]: the server checks the token, the registration must be `COMPLETED`,
//!   of this project and flow; see docs/verify-on-your-backend.md).
//! - [`plan()`] is the pure planner (flow config + sign-up data → [`Plan`]).
//!
//! ```no_run
//! # async fn demo(code_from_user: impl Fn() -> String, id_front: Vec<u8>, selfie: Vec<u8>)
//! # -> Result<(), smart_enroll_core::EnrollError> {
//! use smart_enroll_core::*;
//!
//! let client = SmartEnrollClient::new(ClientConfig::new("https://api.verifik.co"))?;
//! let signup = SignUpData { email: Some("ana@example.com".into()), ..SignUpData::default() };
//! let session = EnrollmentSession::begin(client, "<project id>".into(), None, signup).await?;
//! let mut state = session.start().await?;
//! loop {
//!     state = match state {
//!         EnrollState::AwaitingEmailCode { .. } => session.submit_email_code(code_from_user()).await?,
//!         EnrollState::AwaitingDocument { side, .. } => {
//!             session.submit_document(side, id_front.clone(), DocumentCategory::Passport).await?
//!         }
//!         EnrollState::AwaitingSelfie { .. } => session.submit_selfie(selfie.clone()).await?,
//!         EnrollState::AwaitingReview { review } => {
//!             println!("{:?}", review.expected_outcome); // show the review, then:
//!             session.confirm().await?
//!         }
//!         EnrollState::Completed { result } => {
//!             println!("{:?}: continue at the redirect URL", result.outcome);
//!             break;
//!         }
//!         // Phone steps, Processing (call resume()), ... omitted here.
//!         _ => session.resume().await?,
//!     };
//! }
//! # Ok(()) }
//! ```

pub mod media;
pub mod validate;

mod client;
mod config;
mod error;
mod flow;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod jwt;
mod observer;
mod plan;
mod project;
mod review;
mod secret;
mod session;
mod tls;
mod types;

pub use client::{RegistrationPage, RegistrationSummary, RequestStats, SmartEnrollClient};
pub use config::{ClientConfig, InsecureHttp, Platform, RetryPolicy};
pub use error::{EnrollError, ErrorCategory};
pub use flow::{
    DocumentConfig, EmailGateway, FlowConfig, FlowPreset, FlowSchema, LivenessConfig, NewFlow,
    NewProject, PhoneGateway, Project, SignUpFormConfig, StepMode, StepModes,
};
pub use observer::{AnalyticsSink, ObserverHandle, StateObserver};
pub use plan::{Plan, PlanStep, plan};
pub use project::{FinalTokenVerdict, ProjectClient, RegistrationDetails, VerdictReason};
pub use review::{CriminalCheck, DocumentFields, Review, ScoreCheck};
pub use secret::{ClientToken, FinalToken, OtpCode, RegistrantToken, mask_email, mask_phone};
pub use session::{EnrollmentSession, SNAPSHOT_VERSION, Snapshot, state_name};
pub use types::{
    AnalyticsEvent, AnalyticsEventKind, DocumentCategory, DocumentSide, EnrollResult, EnrollState,
    Outcome, PhoneChannel, Scores, SignUpData, StepKind,
};

pub use smart_enroll_prefilter as prefilter;
#[cfg(target_os = "android")]
pub use tls::init_android;

/// The "Verify on your backend" page: its Rust example is compiled as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../../docs/verify-on-your-backend.md")]
mod verify_on_your_backend_doc {}
