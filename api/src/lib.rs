#![doc = include_str!("../README.md")]

mod biometric;
mod de;
mod document;
mod envelope;
mod misc;
mod otp;
mod project;
mod registration;
#[cfg(feature = "openapi")]
mod schema;
mod secret;

pub use biometric::{
    BiometricValidation, BiometricValidationRequest, CompareFaceVerification, CompareResponse,
    CompareResult, CompareStatus, CompareType, DeletedResponse, LivenessSearch, Person,
};
pub use de::{HasId, IdOr};
pub use document::{
    BackgroundCheckRequest, CriminalData, CriminalSource, DocumentCategory, DocumentNumber,
    DocumentStatus, DocumentUploadRequest, DocumentValidation, DocumentValidationResponse,
    InformationStatus, InformationValidation, InputMethod, ManualVerificationRequest,
    NameValidationRequest, NameValidationResult, OcrExtraction, Os,
};
pub use envelope::{Data, ErrorBody, MaybeData, Page};
pub use misc::{Health, OutboxEntry};
pub use otp::{
    CreateEmailValidationRequest, CreatePhoneValidationRequest, OtpStatus, OtpValidated,
    OtpValidation, OtpValidationCreated, ValidateEmailRequest, ValidatePhoneRequest,
};
pub use project::{
    BasicInformationSettings, CreateFlowRequest, CreateProjectRequest, DocumentSettings,
    FlowSecurity, FlowStatus, KycConfig, KycConfigResponse, LivenessSettings, OnboardingSettings,
    Project, ProjectFlow, SignUpFormSettings, StepSetting, Steps, V3Documents, V3Liveness, V3Step,
};
pub use registration::{
    AppRegistration, CreateAppRegistrationRequest, CreateAppRegistrationResponse, IdOnly, ImageRef,
    MeRequest, POPULATABLE, Populates, REVIEW_POPULATES, RegistrationStatus, ResendLinkRequest,
    ResendLinkResponse, SyncRequest, SyncResponse, SyncStep,
};
pub use secret::{OtpCode, OtpForm, Secret};

/// The idempotency header the sandbox honours on POST/PUT (a sandbox extension).
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";
/// Longest accepted `Idempotency-Key`.
pub const IDEMPOTENCY_KEY_MAX_LEN: usize = 255;
