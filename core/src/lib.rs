#![doc = include_str!("../README.md")]

pub mod media;
pub mod validate;

mod client;
mod config;
mod document_face;
mod error;
mod flow;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod jwt;
mod machine_readable;
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
pub use document_face::document_face_crop;
pub use error::{EnrollError, ErrorCategory};
pub use flow::{
    DocumentConfig, EmailGateway, FlowConfig, FlowPreset, FlowSchema, LivenessConfig, NewFlow,
    NewProject, PhoneGateway, Project, SignUpFormConfig, StepMode, StepModes,
};
pub use machine_readable::{FieldDisagreement, MachineReadableData, SignUpPrefill};
pub use observer::{AnalyticsSink, ObserverHandle, StateObserver};
pub use plan::{Plan, PlanStep, plan};
pub use project::{FinalTokenVerdict, ProjectClient, RegistrationDetails, VerdictReason};
pub use review::{CriminalCheck, DocumentFields, Review, ScoreCheck};
pub use secret::{ClientToken, FinalToken, OtpCode, RegistrantToken, mask_email, mask_phone};
pub use session::{
    EnrollmentSession, SNAPSHOT_VERSION, Snapshot, face_model, set_face_model, state_name,
};
pub use types::{
    AnalyticsEvent, AnalyticsEventKind, DocumentCategory, DocumentSide, EnrollResult, EnrollState,
    Outcome, PhoneChannel, Scores, SignUpData, StepKind,
};

/// On-device document capture assist (detection, guidance, MRZ, PDF417): the
/// `smart-enroll-document` crate.
pub use smart_enroll_document as document;
pub use smart_enroll_prefilter as prefilter;
#[cfg(target_os = "android")]
pub use tls::init_android;

/// The "Verify on your backend" page: its Rust example is compiled as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../../docs/verify-on-your-backend.md")]
mod verify_on_your_backend_doc {}
