//! Public value types of the enrollment: sign-up data, states, outcomes and results.

use crate::error::ErrorCategory;
use crate::review::Review;
use crate::secret::FinalToken;
use serde::{Deserialize, Serialize};

/// What the enrollee typed in the sign-up form. `Debug` redacts every value.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SignUpData {
    /// Email address.
    pub email: Option<String>,
    /// Phone number, digits only, without the country code.
    pub phone: Option<String>,
    /// Country calling code, `^\+\d{1,3}$` (required with `phone`).
    pub country_code: Option<String>,
    /// Full name.
    pub full_name: Option<String>,
    /// First name(s), for flows whose sign-up form asks for first and last name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name(s), for flows whose sign-up form asks for first and last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// UI language for messages the server sends (`en` by default).
    pub language: Option<String>,
}

impl std::fmt::Debug for SignUpData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let r = |o: &Option<String>| if o.is_some() { "<redacted>" } else { "None" };
        f.debug_struct("SignUpData")
            .field("email", &r(&self.email))
            .field("phone", &r(&self.phone))
            .field("country_code", &self.country_code)
            .field("full_name", &r(&self.full_name))
            .field("first_name", &r(&self.first_name))
            .field("last_name", &r(&self.last_name))
            .field("language", &self.language)
            .finish()
    }
}

/// Phone OTP channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PhoneChannel {
    /// SMS.
    Sms,
    /// WhatsApp.
    Whatsapp,
}

impl PhoneChannel {
    pub(crate) fn as_api(self) -> &'static str {
        match self {
            PhoneChannel::Sms => "sms",
            PhoneChannel::Whatsapp => "whatsapp",
        }
    }
}

/// Side of an ID document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DocumentSide {
    /// Front (the photo side; the only side of a passport).
    Front,
    /// Back.
    Back,
}

/// Kind of ID document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DocumentCategory {
    /// National/government ID card.
    GovernmentId,
    /// Passport.
    Passport,
    /// Driver licence.
    DriverLicense,
}

/// A named step, for states, analytics and errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StepKind {
    /// Create the registration.
    CreateRegistration,
    /// Email one-time code.
    EmailOtp,
    /// Phone one-time code.
    PhoneOtp,
    /// Sync of the sign-up form.
    SignUpForm,
    /// Sync of the basic-information step.
    BasicInformation,
    /// ID document upload.
    Document,
    /// Name validation against the document.
    NameValidation,
    /// Criminal background check.
    CriminalCheck,
    /// Selfie liveness.
    Liveness,
    /// Face compare (document vs selfie).
    FaceCompare,
    /// Sync of the extra form step.
    Form,
    /// Final sync (`end` or `skipKYC`).
    Finish,
}

impl StepKind {
    /// A stable lower-camel name (`emailOtp`, `document`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::CreateRegistration => "createRegistration",
            StepKind::EmailOtp => "emailOtp",
            StepKind::PhoneOtp => "phoneOtp",
            StepKind::SignUpForm => "signUpForm",
            StepKind::BasicInformation => "basicInformation",
            StepKind::Document => "document",
            StepKind::NameValidation => "nameValidation",
            StepKind::CriminalCheck => "criminalCheck",
            StepKind::Liveness => "liveness",
            StepKind::FaceCompare => "faceCompare",
            StepKind::Form => "form",
            StepKind::Finish => "finish",
        }
    }
}

/// Final outcome of an enrollment. `Failed` and `NeedsManualVerification` are outcomes, not
/// errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Outcome {
    /// All done and passed.
    Completed,
    /// Finished without the KYC steps (skipKYC).
    CompletedWithoutKyc,
    /// Failed (liveness, compare or background check).
    Failed,
    /// A person must review it.
    NeedsManualVerification,
}

/// Scores and checks gathered on the way.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Scores {
    /// Server liveness score of the accepted selfie.
    pub liveness_score: Option<f64>,
    /// Face-compare score.
    pub compare_score: Option<f64>,
    /// Whether the compare passed.
    pub compare_passed: Option<bool>,
    /// Name validation result, when run and supported.
    pub names_match: Option<bool>,
    /// Criminal check found a record, when run.
    pub criminal_record_found: Option<bool>,
}

/// The end of an enrollment. `Debug` redacts the token and the redirect URL (which embeds it).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollResult {
    /// Registration id.
    pub registration_id: String,
    /// Outcome stored by the server.
    pub outcome: Outcome,
    /// The final token for the integrator's app (redacted in Debug/Display).
    pub token: FinalToken,
    /// `redirectUrl?token=...` when the flow has a redirect URL. Contains the token: never log.
    pub redirect_url: Option<String>,
    /// Scores and checks.
    pub scores: Scores,
    /// The review the user confirmed (retrieved from the server before `end`); `None` for
    /// `skipKYC` and for an enrollment that ran out of attempts.
    #[serde(default)]
    pub review: Option<crate::review::Review>,
}

impl std::fmt::Debug for EnrollResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrollResult")
            .field("registration_id", &self.registration_id)
            .field("outcome", &self.outcome)
            .field("token", &self.token)
            .field(
                "redirect_url",
                &self.redirect_url.as_ref().map(|_| "[redacted]"),
            )
            .field("scores", &self.scores)
            .field("review", &self.review)
            .finish()
    }
}

/// What the enrollment needs next.
// The review makes one variant larger than the others; states are few and short-lived, and an
// unboxed `review` keeps matching on them plain for integrators.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum EnrollState {
    /// `start()` has not run yet.
    NotStarted,
    /// An automatic step is running, or stopped on an error: call `resume()` to continue.
    Processing {
        /// The step.
        step: StepKind,
    },
    /// Type the code sent by email.
    AwaitingEmailCode {
        /// Masked address (`j***@example.com`).
        masked_email: String,
        /// When `resend_email_code()` is allowed, unix milliseconds.
        resend_available_at_ms: u64,
        /// The last code locked or expired: request a new one with resend.
        needs_new_code: bool,
        /// The user may skip this step.
        optional: bool,
    },
    /// Choose SMS or WhatsApp.
    AwaitingPhoneChannel {
        /// Available channels.
        channels: Vec<PhoneChannel>,
        /// The user may skip this step.
        optional: bool,
    },
    /// Type the code sent to the phone.
    AwaitingPhoneCode {
        /// Masked phone (`+57 ********67`).
        masked_phone: String,
        /// Channel used.
        channel: PhoneChannel,
        /// When `resend_phone_code()` is allowed, unix milliseconds.
        resend_available_at_ms: u64,
        /// The last code locked or expired: request a new one with resend.
        needs_new_code: bool,
        /// The user may skip this step.
        optional: bool,
    },
    /// Upload a document side.
    AwaitingDocument {
        /// Which side.
        side: DocumentSide,
        /// Accepted document kinds.
        accepted_categories: Vec<DocumentCategory>,
        /// Attempts left for this step.
        attempts_left: u32,
        /// The user may skip this step (`skip_step()`).
        optional: bool,
        /// The user may skip all KYC steps (`skip_kyc()`).
        can_skip_kyc: bool,
    },
    /// Take a selfie.
    AwaitingSelfie {
        /// Attempts left for this step.
        attempts_left: u32,
        /// The user may skip this step (`skip_step()`).
        optional: bool,
        /// The user may skip all KYC steps (`skip_kyc()`).
        can_skip_kyc: bool,
    },
    /// Every verification step is done and the server's view of the registration was
    /// retrieved: show `review` (OCR fields, scores with thresholds, check results), then call
    /// `confirm()` to send the final `sync end`.
    AwaitingReview {
        /// What the server holds.
        review: Review,
    },
    /// Terminal: the enrollment ended (see `result.outcome`).
    Completed {
        /// The result.
        result: EnrollResult,
    },
}

impl EnrollState {
    /// Whether the enrollment ended.
    pub fn is_terminal(&self) -> bool {
        matches!(self, EnrollState::Completed { .. })
    }
}

/// Kind of analytics event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AnalyticsEventKind {
    /// A step started (or a new attempt of it).
    StepStarted,
    /// A step finished successfully.
    StepCompleted,
    /// A step attempt failed.
    StepFailed,
    /// The user skipped a step.
    StepSkipped,
    /// The enrollment ended.
    EnrollmentFinished,
}

/// An analytics event. It carries no personal data: step names, attempt numbers, durations,
/// error categories and the outcome only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalyticsEvent {
    /// What happened.
    pub kind: AnalyticsEventKind,
    /// The step.
    pub step: StepKind,
    /// 1-based attempt number for the step.
    pub attempt: u32,
    /// Duration of the operation in milliseconds (0 for instant events).
    pub duration_ms: u64,
    /// Error category for `StepFailed`.
    pub error: Option<ErrorCategory>,
    /// Outcome for `EnrollmentFinished`.
    pub outcome: Option<Outcome>,
}

#[cfg(test)]
mod privacy_tests {
    use super::*;

    #[test]
    fn enroll_result_debug_hides_the_token_and_the_redirect_url() {
        let token = "eyJhbGciOiJIUzI1NiJ9.secret-final-token.sig";
        let result = EnrollResult {
            registration_id: "64b0c0ffee0123456789abcd".into(),
            outcome: Outcome::Completed,
            token: FinalToken::new(token.to_owned()),
            redirect_url: Some(format!("https://app.example/done?token={token}")),
            scores: Scores::default(),
            review: None,
        };
        let state = EnrollState::Completed {
            result: result.clone(),
        };
        for text in [
            format!("{result:?}"),
            format!("{result:#?}"),
            format!("{state:?}"),
        ] {
            assert!(!text.contains("secret-final-token"), "token leaked: {text}");
            assert!(!text.contains("app.example"), "redirect URL leaked: {text}");
            assert!(text.contains("64b0c0ffee0123456789abcd"), "{text}");
            assert!(text.contains("[redacted]"), "{text}");
        }
    }
}
