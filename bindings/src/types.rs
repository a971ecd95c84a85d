//! FFI records and enums mirroring the core's public value types, with their conversions.
//! (The core stays free of FFI attributes; these are plain copies.) The core crate is imported
//! as `sdk`, never as `core` (which would shadow the built-in crate).
//!
//! No unsigned integer appears in the bindings (Kotlin's `UInt`/`ULong` are awkward and unusable
//! from Java): counts are `Int` (`i32`), times epoch or duration milliseconds `Long` (`i64`).

use std::sync::Arc;

use smart_enroll_core as sdk;

use crate::error::{ErrorCategory, SmartEnrollError, signed};

/// When plain `http://` base URLs are accepted (HTTPS always is).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum InsecureHttp {
    /// HTTPS only: use this in release builds.
    Never,
    /// Plain HTTP to loopback addresses only (`127.0.0.0/8`, `::1`, `localhost`).
    Loopback,
    /// Plain HTTP to loopback and these exact hosts (e.g. the emulator's `10.0.2.2`, debug only).
    Hosts { hosts: Vec<String> },
}

/// The device platform sent with the selfie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Platform {
    Android,
    Ios,
    Desktop,
}

impl Platform {
    /// The platform this library was compiled for.
    fn native() -> Self {
        if cfg!(target_os = "android") {
            Self::Android
        } else if cfg!(target_os = "ios") {
            Self::Ios
        } else {
            Self::Desktop
        }
    }
}

/// Client configuration. Only `base_url` is required.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ClientConfig {
    /// API base URL without `/v2`, e.g. `https://api.verifik.co`.
    pub base_url: String,
    /// When plain HTTP is accepted; `None` means `InsecureHttp.Never` (HTTPS only).
    #[uniffi(default = None)]
    pub allow_insecure_http: Option<InsecureHttp>,
    /// Connect timeout (TCP + TLS), milliseconds; `null` for the SDK default (the core's
    /// `ClientConfig`: 10 s). Must be positive.
    #[uniffi(default = None)]
    pub connect_timeout_ms: Option<i64>,
    /// Whole-request timeout (uploads included), milliseconds; `null` for the SDK default (60 s).
    /// Must be positive.
    #[uniffi(default = None)]
    pub request_timeout_ms: Option<i64>,
    /// Extra User-Agent text (the SDK name and version are always sent).
    #[uniffi(default = None)]
    pub user_agent: Option<String>,
    /// Retries of requests that are safe to repeat (exponential backoff with jitter); `null` for
    /// the SDK default (3). Must not be negative.
    #[uniffi(default = None)]
    pub max_retries: Option<i32>,
    /// The platform reported with the selfie; `None` means the one the library was built for.
    #[uniffi(default = None)]
    pub platform: Option<Platform>,
    /// Public-key pins, OkHttp's form `sha256/<base64 SHA-256 of the SubjectPublicKeyInfo>`.
    /// When not empty, the server's chain must verify as usual and a certificate on the
    /// verified path (server, intermediate or root) must have one of these keys, else calls
    /// fail with `CertificatePinMismatch`. Pin a backup key too. A malformed pin is a `Config`
    /// error when the client is created.
    #[uniffi(default = [])]
    pub pinned_public_keys: Vec<String>,
    /// Extra trusted root certificates (PEM text, one or more certificates each), in addition
    /// to the platform's trust store: a staging server's private CA, a TLS-terminating proxy.
    /// Malformed PEM is a `Config` error when the client is created.
    #[uniffi(default = [])]
    pub extra_root_certificates_pem: Vec<String>,
}

/// A positive millisecond count from the bindings, or a `Config` error naming the field.
fn positive_ms(v: i64, field: &str) -> Result<u64, SmartEnrollError> {
    u64::try_from(v)
        .ok()
        .filter(|ms| *ms > 0)
        .ok_or_else(|| SmartEnrollError::Config {
            reason: format!("{field} must be positive, got {v}"),
        })
}

impl TryFrom<ClientConfig> for sdk::ClientConfig {
    type Error = SmartEnrollError;

    /// Unset fields keep the core's defaults ([`sdk::ClientConfig::new`]): the one source.
    fn try_from(c: ClientConfig) -> Result<Self, SmartEnrollError> {
        let mut cfg = sdk::ClientConfig::new(c.base_url);
        cfg.allow_insecure_http = match c.allow_insecure_http {
            None | Some(InsecureHttp::Never) => sdk::InsecureHttp::Never,
            Some(InsecureHttp::Loopback) => sdk::InsecureHttp::Loopback,
            Some(InsecureHttp::Hosts { hosts }) => sdk::InsecureHttp::Hosts { hosts },
        };
        if let Some(ms) = c.connect_timeout_ms {
            cfg.connect_timeout_ms = positive_ms(ms, "connectTimeoutMs")?;
        }
        if let Some(ms) = c.request_timeout_ms {
            cfg.request_timeout_ms = positive_ms(ms, "requestTimeoutMs")?;
        }
        cfg.user_agent = c.user_agent;
        if let Some(n) = c.max_retries {
            cfg.retry.max_retries = u32::try_from(n).map_err(|_| SmartEnrollError::Config {
                reason: format!("maxRetries must not be negative, got {n}"),
            })?;
        }
        cfg.pinned_public_keys = c.pinned_public_keys;
        cfg.extra_root_certificates_pem = c.extra_root_certificates_pem;
        cfg.platform = match c.platform.unwrap_or_else(Platform::native) {
            Platform::Android => sdk::Platform::Android,
            Platform::Ios => sdk::Platform::Ios,
            Platform::Desktop => sdk::Platform::Desktop,
        };
        Ok(cfg)
    }
}

/// What the enrollee typed in the sign-up form.
///
/// Its `toString()` (Kotlin) and `description`/`debugDescription` (Swift) print
/// `SignUpData(<redacted>)`, so logging it cannot leak the address, number or name.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug, Display)]
pub struct SignUpData {
    #[uniffi(default = None)]
    pub email: Option<String>,
    /// Digits only, without the country code.
    #[uniffi(default = None)]
    pub phone: Option<String>,
    /// `+` and 1-3 digits, e.g. `+57` (required with `phone`).
    #[uniffi(default = None)]
    pub country_code: Option<String>,
    #[uniffi(default = None)]
    pub full_name: Option<String>,
    /// For flows whose sign-up form asks for first and last name.
    #[uniffi(default = None)]
    pub first_name: Option<String>,
    /// For flows whose sign-up form asks for first and last name.
    #[uniffi(default = None)]
    pub last_name: Option<String>,
    /// Language of the messages the server sends (`en` by default).
    #[uniffi(default = None)]
    pub language: Option<String>,
}

impl std::fmt::Debug for SignUpData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignUpData(<redacted>)")
    }
}

impl std::fmt::Display for SignUpData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignUpData(<redacted>)")
    }
}

impl From<SignUpData> for sdk::SignUpData {
    fn from(s: SignUpData) -> Self {
        sdk::SignUpData {
            email: s.email,
            phone: s.phone,
            country_code: s.country_code,
            full_name: s.full_name,
            first_name: s.first_name,
            last_name: s.last_name,
            language: s.language,
        }
    }
}

impl From<sdk::SignUpData> for SignUpData {
    fn from(s: sdk::SignUpData) -> Self {
        Self {
            email: s.email,
            phone: s.phone,
            country_code: s.country_code,
            full_name: s.full_name,
            first_name: s.first_name,
            last_name: s.last_name,
            language: s.language,
        }
    }
}

/// Phone one-time-code channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PhoneChannel {
    Sms,
    Whatsapp,
}

impl From<sdk::PhoneChannel> for PhoneChannel {
    fn from(c: sdk::PhoneChannel) -> Self {
        match c {
            sdk::PhoneChannel::Sms => Self::Sms,
            sdk::PhoneChannel::Whatsapp => Self::Whatsapp,
        }
    }
}

impl From<PhoneChannel> for sdk::PhoneChannel {
    fn from(c: PhoneChannel) -> Self {
        match c {
            PhoneChannel::Sms => Self::Sms,
            PhoneChannel::Whatsapp => Self::Whatsapp,
        }
    }
}

/// Side of an ID document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum DocumentSide {
    Front,
    Back,
}

impl From<sdk::DocumentSide> for DocumentSide {
    fn from(s: sdk::DocumentSide) -> Self {
        match s {
            sdk::DocumentSide::Front => Self::Front,
            sdk::DocumentSide::Back => Self::Back,
        }
    }
}

impl From<DocumentSide> for sdk::DocumentSide {
    fn from(s: DocumentSide) -> Self {
        match s {
            DocumentSide::Front => Self::Front,
            DocumentSide::Back => Self::Back,
        }
    }
}

/// Kind of ID document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum DocumentCategory {
    GovernmentId,
    Passport,
    DriverLicense,
}

impl From<sdk::DocumentCategory> for DocumentCategory {
    fn from(c: sdk::DocumentCategory) -> Self {
        match c {
            sdk::DocumentCategory::GovernmentId => Self::GovernmentId,
            sdk::DocumentCategory::Passport => Self::Passport,
            sdk::DocumentCategory::DriverLicense => Self::DriverLicense,
        }
    }
}

impl From<DocumentCategory> for sdk::DocumentCategory {
    fn from(c: DocumentCategory) -> Self {
        match c {
            DocumentCategory::GovernmentId => Self::GovernmentId,
            DocumentCategory::Passport => Self::Passport,
            DocumentCategory::DriverLicense => Self::DriverLicense,
        }
    }
}

/// A named step of the enrollment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum StepKind {
    CreateRegistration,
    EmailOtp,
    PhoneOtp,
    SignUpForm,
    BasicInformation,
    Document,
    NameValidation,
    CriminalCheck,
    Liveness,
    FaceCompare,
    Form,
    Finish,
}

impl From<sdk::StepKind> for StepKind {
    fn from(s: sdk::StepKind) -> Self {
        use sdk::StepKind as S;
        match s {
            S::CreateRegistration => Self::CreateRegistration,
            S::EmailOtp => Self::EmailOtp,
            S::PhoneOtp => Self::PhoneOtp,
            S::SignUpForm => Self::SignUpForm,
            S::BasicInformation => Self::BasicInformation,
            S::Document => Self::Document,
            S::NameValidation => Self::NameValidation,
            S::CriminalCheck => Self::CriminalCheck,
            S::Liveness => Self::Liveness,
            S::FaceCompare => Self::FaceCompare,
            S::Form => Self::Form,
            S::Finish => Self::Finish,
        }
    }
}

/// Final outcome. `Failed` and `NeedsManualVerification` are outcomes, not errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Outcome {
    Completed,
    CompletedWithoutKyc,
    Failed,
    NeedsManualVerification,
}

impl From<sdk::Outcome> for Outcome {
    fn from(o: sdk::Outcome) -> Self {
        match o {
            sdk::Outcome::Completed => Self::Completed,
            sdk::Outcome::CompletedWithoutKyc => Self::CompletedWithoutKyc,
            sdk::Outcome::Failed => Self::Failed,
            sdk::Outcome::NeedsManualVerification => Self::NeedsManualVerification,
        }
    }
}

/// Scores and checks gathered during the enrollment.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Scores {
    pub liveness_score: Option<f64>,
    pub compare_score: Option<f64>,
    pub compare_passed: Option<bool>,
    pub names_match: Option<bool>,
    pub criminal_record_found: Option<bool>,
}

impl From<sdk::Scores> for Scores {
    fn from(s: sdk::Scores) -> Self {
        Self {
            liveness_score: s.liveness_score,
            compare_score: s.compare_score,
            compare_passed: s.compare_passed,
            names_match: s.names_match,
            criminal_record_found: s.criminal_record_found,
        }
    }
}

/// The document's OCR fields as the server extracted them. `toString()` / `description`
/// redact the personal values.
#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug, Display)]
pub struct DocumentFields {
    pub status: Option<String>,
    pub category: Option<String>,
    pub document_type: Option<String>,
    pub document_number: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub full_name: Option<String>,
    pub date_of_birth: Option<String>,
    pub expiration_date: Option<String>,
    pub nationality: Option<String>,
}

impl From<sdk::DocumentFields> for DocumentFields {
    fn from(d: sdk::DocumentFields) -> Self {
        Self {
            status: d.status,
            category: d.category,
            document_type: d.document_type,
            document_number: d.document_number,
            first_name: d.first_name,
            last_name: d.last_name,
            full_name: d.full_name,
            date_of_birth: d.date_of_birth,
            expiration_date: d.expiration_date,
            nationality: d.nationality,
        }
    }
}

impl From<&DocumentFields> for sdk::DocumentFields {
    fn from(d: &DocumentFields) -> Self {
        Self {
            status: d.status.clone(),
            category: d.category.clone(),
            document_type: d.document_type.clone(),
            document_number: d.document_number.clone(),
            first_name: d.first_name.clone(),
            last_name: d.last_name.clone(),
            full_name: d.full_name.clone(),
            date_of_birth: d.date_of_birth.clone(),
            expiration_date: d.expiration_date.clone(),
            nationality: d.nationality.clone(),
        }
    }
}

impl std::fmt::Debug for DocumentFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // One redaction policy: the core's.
        std::fmt::Debug::fmt(&sdk::DocumentFields::from(self), f)
    }
}

impl std::fmt::Display for DocumentFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self, f)
    }
}

/// A score with the flow's threshold and the verdict.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct ScoreCheck {
    pub score: f64,
    pub min_score: f64,
    pub passed: bool,
}

impl From<sdk::ScoreCheck> for ScoreCheck {
    fn from(c: sdk::ScoreCheck) -> Self {
        Self {
            score: c.score,
            min_score: c.min_score,
            passed: c.passed,
        }
    }
}

/// Result of the criminal background check.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CriminalCheck {
    /// `ACTIVE` (clear), `FAILED` (a hit) or `ASSESSING`.
    pub status: String,
    pub record_found: bool,
}

impl From<sdk::CriminalCheck> for CriminalCheck {
    fn from(c: sdk::CriminalCheck) -> Self {
        Self {
            status: c.status,
            record_found: c.record_found,
        }
    }
}

/// What the server holds before the final `sync end` (state `AwaitingReview`): show it, then
/// call `confirm()`.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Review {
    pub registration_id: String,
    /// `null` when no document was uploaded.
    pub document: Option<DocumentFields>,
    /// `null` unless a name check ran.
    pub names_match: Option<bool>,
    pub liveness: Option<ScoreCheck>,
    pub compare: Option<ScoreCheck>,
    pub criminal_check: Option<CriminalCheck>,
    /// What `confirm()` asks the server to store (`COMPLETED` or `FAILED`).
    pub expected_outcome: Outcome,
    /// The document's own machine-readable data (its MRZ or PDF417, read on the device), when
    /// the app handed it over with `EnrollmentSession.setDocumentData`; `null` otherwise.
    #[uniffi(default = None)]
    pub machine_readable: Option<crate::document::DocumentIdentity>,
    /// Where the server's OCR (`document`) and `machineReadable` disagree, after normalising
    /// (case, accents, separators, date formats); empty when they agree or either is missing.
    /// Informational: it does not change `expectedOutcome`.
    #[uniffi(default = [])]
    pub disagreements: Vec<FieldDisagreement>,
}

impl From<sdk::Review> for Review {
    fn from(r: sdk::Review) -> Self {
        Self {
            registration_id: r.registration_id,
            document: r.document.map(Into::into),
            names_match: r.names_match,
            liveness: r.liveness.map(Into::into),
            compare: r.compare.map(Into::into),
            criminal_check: r.criminal_check.map(Into::into),
            expected_outcome: r.expected_outcome.into(),
            machine_readable: r.machine_readable.map(Into::into),
            disagreements: r.disagreements.into_iter().map(Into::into).collect(),
        }
    }
}

/// One field where the server's OCR and the document's machine-readable data disagree.
/// `toString()` / `description` show the field's name only.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug, Display)]
pub struct FieldDisagreement {
    /// `first_name`, `last_name`, `full_name`, `document_number` or `date_of_birth`.
    pub field: String,
    /// What the server's OCR read, as the server sent it.
    pub server: String,
    /// What the document's MRZ or barcode says.
    pub document: String,
}

impl std::fmt::Debug for FieldDisagreement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FieldDisagreement(field={}, <redacted>)", self.field)
    }
}

impl std::fmt::Display for FieldDisagreement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self, f)
    }
}

impl From<sdk::FieldDisagreement> for FieldDisagreement {
    fn from(d: sdk::FieldDisagreement) -> Self {
        Self {
            field: d.field,
            server: d.server,
            document: d.document,
        }
    }
}

/// A secret string (the final token, or a URL that contains it). Its `toString()` /
/// `description` never shows the value, so logging a state or result cannot leak it; read it
/// with `reveal()` only to hand it to your backend or app session.
#[derive(uniffi::Object)]
pub struct Secret {
    value: String,
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

#[uniffi::export]
impl Secret {
    /// The secret value. Never log it.
    pub fn reveal(&self) -> String {
        self.value.clone()
    }
}

impl Secret {
    pub(crate) fn new(value: String) -> Arc<Self> {
        Arc::new(Self { value })
    }
}

/// The end of an enrollment.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct EnrollResult {
    pub registration_id: String,
    pub outcome: Outcome,
    /// The final token for the integrator's app session.
    pub token: Arc<Secret>,
    /// `redirectUrl?token=…` when the flow has a redirect URL (contains the token).
    pub redirect_url: Option<Arc<Secret>>,
    pub scores: Scores,
    /// The review that was confirmed (what the server held before `end`); `null` for an
    /// enrollment that skipped KYC or ran out of attempts.
    pub review: Option<Review>,
}

impl From<sdk::EnrollResult> for EnrollResult {
    fn from(r: sdk::EnrollResult) -> Self {
        Self {
            registration_id: r.registration_id,
            outcome: r.outcome.into(),
            token: Secret::new(r.token.into_inner()),
            redirect_url: r.redirect_url.map(Secret::new),
            scores: r.scores.into(),
            review: r.review.map(Into::into),
        }
    }
}

/// What the enrollment needs next.
// As in the core: the review variant is larger; states are few and short-lived.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum EnrollState {
    /// `start()` has not run yet.
    NotStarted,
    /// An automatic step is running (show progress). When it stops on an error, the state
    /// becomes `Interrupted`.
    Processing { step: StepKind },
    /// An automatic step stopped on an error (the call that ran it threw it, too): nothing moves
    /// until the app calls `resume()` (e.g. from a "Try again" button). `error` and `message`
    /// are the error's category and human-readable English text (no personal data). Never
    /// stored in a snapshot: a restored session shows `Processing` and needs `resume()` as well.
    Interrupted {
        step: StepKind,
        error: ErrorCategory,
        message: String,
    },
    /// Type the code sent by e-mail.
    AwaitingEmailCode {
        /// Masked address (`j***@example.com`).
        masked_email: String,
        /// When `resendEmailCode()` is allowed, epoch milliseconds (compare with
        /// `System.currentTimeMillis()` / `Date().timeIntervalSince1970 * 1000`).
        resend_available_at_ms: i64,
        /// The last code locked or expired: request a new one.
        needs_new_code: bool,
        optional: bool,
    },
    /// Choose SMS or WhatsApp (`choosePhoneChannel`).
    AwaitingPhoneChannel {
        channels: Vec<PhoneChannel>,
        optional: bool,
    },
    /// Type the code sent to the phone.
    AwaitingPhoneCode {
        /// Masked phone (`+57 ********67`).
        masked_phone: String,
        channel: PhoneChannel,
        /// When `resendPhoneCode()` is allowed, epoch milliseconds.
        resend_available_at_ms: i64,
        needs_new_code: bool,
        optional: bool,
    },
    /// Upload a document side (`submitDocument`).
    AwaitingDocument {
        side: DocumentSide,
        accepted_categories: Vec<DocumentCategory>,
        attempts_left: i32,
        optional: bool,
        can_skip_kyc: bool,
    },
    /// Take a selfie (`submitSelfie`).
    AwaitingSelfie {
        attempts_left: i32,
        optional: bool,
        can_skip_kyc: bool,
    },
    /// Every verification step is done: show `review` (what the server holds), then call
    /// `confirm()`.
    AwaitingReview { review: Review },
    /// Terminal: the enrollment ended (see `result.outcome`).
    Completed { result: EnrollResult },
}

impl From<sdk::EnrollState> for EnrollState {
    fn from(s: sdk::EnrollState) -> Self {
        use sdk::EnrollState as S;
        match s {
            S::NotStarted => Self::NotStarted,
            S::Processing { step } => Self::Processing { step: step.into() },
            S::AwaitingEmailCode {
                masked_email,
                resend_available_at_ms,
                needs_new_code,
                optional,
            } => Self::AwaitingEmailCode {
                masked_email,
                resend_available_at_ms: signed(resend_available_at_ms),
                needs_new_code,
                optional,
            },
            S::AwaitingPhoneChannel { channels, optional } => Self::AwaitingPhoneChannel {
                channels: channels.into_iter().map(Into::into).collect(),
                optional,
            },
            S::AwaitingPhoneCode {
                masked_phone,
                channel,
                resend_available_at_ms,
                needs_new_code,
                optional,
            } => Self::AwaitingPhoneCode {
                masked_phone,
                channel: channel.into(),
                resend_available_at_ms: signed(resend_available_at_ms),
                needs_new_code,
                optional,
            },
            S::AwaitingDocument {
                side,
                accepted_categories,
                attempts_left,
                optional,
                can_skip_kyc,
            } => Self::AwaitingDocument {
                side: side.into(),
                accepted_categories: accepted_categories.into_iter().map(Into::into).collect(),
                attempts_left: count(attempts_left),
                optional,
                can_skip_kyc,
            },
            S::AwaitingSelfie {
                attempts_left,
                optional,
                can_skip_kyc,
            } => Self::AwaitingSelfie {
                attempts_left: count(attempts_left),
                optional,
                can_skip_kyc,
            },
            S::AwaitingReview { review } => Self::AwaitingReview {
                review: review.into(),
            },
            S::Completed { result } => Self::Completed {
                result: result.into(),
            },
        }
    }
}

/// A `u32` count for the bindings' `Int`.
pub(crate) fn count(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// Kind of analytics event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum AnalyticsEventKind {
    StepStarted,
    StepCompleted,
    StepFailed,
    StepSkipped,
    EnrollmentFinished,
}

impl From<sdk::AnalyticsEventKind> for AnalyticsEventKind {
    fn from(k: sdk::AnalyticsEventKind) -> Self {
        use sdk::AnalyticsEventKind as K;
        match k {
            K::StepStarted => Self::StepStarted,
            K::StepCompleted => Self::StepCompleted,
            K::StepFailed => Self::StepFailed,
            K::StepSkipped => Self::StepSkipped,
            K::EnrollmentFinished => Self::EnrollmentFinished,
        }
    }
}

/// An analytics event: step names, attempt numbers, durations, error categories and the
/// outcome only (no personal data).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct AnalyticsEvent {
    pub kind: AnalyticsEventKind,
    pub step: StepKind,
    /// 1-based attempt number of the step.
    pub attempt: i32,
    pub duration_ms: i64,
    /// For `StepFailed`.
    pub error: Option<ErrorCategory>,
    /// For `EnrollmentFinished`.
    pub outcome: Option<Outcome>,
}

impl From<sdk::AnalyticsEvent> for AnalyticsEvent {
    fn from(e: sdk::AnalyticsEvent) -> Self {
        Self {
            kind: e.kind.into(),
            step: e.step.into(),
            attempt: count(e.attempt),
            duration_ms: signed(e.duration_ms),
            error: e.error.map(Into::into),
            outcome: e.outcome.map(Into::into),
        }
    }
}

/// How a flow treats one of its five configurable steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum StepMode {
    /// The step must be done.
    Mandatory,
    /// The user may skip the step.
    Optional,
    /// The step is not part of the flow.
    Skip,
}

impl From<sdk::StepMode> for StepMode {
    fn from(m: sdk::StepMode) -> Self {
        match m {
            sdk::StepMode::Mandatory => Self::Mandatory,
            sdk::StepMode::Optional => Self::Optional,
            sdk::StepMode::Skip => Self::Skip,
        }
    }
}

/// How the e-mail one-time code is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum EmailGateway {
    /// Codes are sent by e-mail.
    Mailgun,
    /// No e-mail verification.
    None,
}

impl From<sdk::EmailGateway> for EmailGateway {
    fn from(g: sdk::EmailGateway) -> Self {
        match g {
            sdk::EmailGateway::Mailgun => Self::Mailgun,
            sdk::EmailGateway::None => Self::None,
        }
    }
}

/// How the phone one-time code is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PhoneGateway {
    Sms,
    Whatsapp,
    /// The user chooses SMS or WhatsApp.
    Both,
    /// No phone verification.
    None,
}

impl From<sdk::PhoneGateway> for PhoneGateway {
    fn from(g: sdk::PhoneGateway) -> Self {
        match g {
            sdk::PhoneGateway::Sms => Self::Sms,
            sdk::PhoneGateway::Whatsapp => Self::Whatsapp,
            sdk::PhoneGateway::Both => Self::Both,
            sdk::PhoneGateway::None => Self::None,
        }
    }
}

/// The modes of the flow's five configurable steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct StepModes {
    /// The sign-up form with its e-mail / phone one-time codes.
    pub sign_up_form: StepMode,
    /// Basic information form (collected by the host app).
    pub basic_information: StepMode,
    /// ID document.
    pub document: StepMode,
    /// Selfie liveness.
    pub liveness: StepMode,
    /// Extra form (collected by the host app).
    pub form: StepMode,
}

impl From<sdk::StepModes> for StepModes {
    fn from(s: sdk::StepModes) -> Self {
        Self {
            sign_up_form: s.sign_up_form.into(),
            basic_information: s.basic_information.into(),
            document: s.document.into(),
            liveness: s.liveness.into(),
            form: s.form.into(),
        }
    }
}

/// Which fields the sign-up form asks for, and how the codes are delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct SignUpFormFields {
    pub full_name: bool,
    /// First and last name asked separately: send them as `SignUpData.first_name` and
    /// `last_name` (and, joined, as `full_name`).
    pub first_name: bool,
    pub last_name: bool,
    pub email: bool,
    pub phone: bool,
    /// Show the project's terms and conditions.
    pub show_terms_and_conditions: bool,
    /// Show the project's privacy notice.
    pub show_privacy_notice: bool,
    pub email_gateway: EmailGateway,
    pub phone_gateway: PhoneGateway,
}

impl From<sdk::SignUpFormConfig> for SignUpFormFields {
    fn from(f: sdk::SignUpFormConfig) -> Self {
        Self {
            full_name: f.full_name,
            first_name: f.first_name,
            last_name: f.last_name,
            email: f.email,
            phone: f.phone,
            show_terms_and_conditions: f.show_terms_and_conditions,
            show_privacy_notice: f.show_privacy_notice,
            email_gateway: f.email_gateway.into(),
            phone_gateway: f.phone_gateway.into(),
        }
    }
}

/// A project's public onboarding flow, as an app needs it to build its sign-up form and plan its
/// screens (`SmartEnrollClient.fetch_flow_config`). Holds no personal data.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct FlowSummary {
    pub project_id: String,
    pub flow_id: String,
    /// `active`, `draft` or `paused`.
    pub status: String,
    /// Only active flows can enroll.
    pub active: bool,
    pub steps: StepModes,
    pub sign_up_form: SignUpFormFields,
    /// No KYC step (basic information, document, liveness, form) is mandatory: the user may
    /// finish with `skip_kyc()`.
    pub can_skip_kyc: bool,
    /// The document categories the flow accepts (empty when the document step is skipped).
    pub accepted_document_categories: Vec<DocumentCategory>,
    /// Document attempts allowed.
    pub document_max_attempts: i32,
    /// Selfie attempts allowed.
    pub liveness_max_attempts: i32,
    /// Where the app continues after the enrollment (the token is appended as `?token=`).
    pub redirect_url: Option<String>,
    /// The server checks the names on the document against the sign-up names (the review's
    /// `names_match`).
    pub verify_names: bool,
    /// The server runs a criminal background check after the document (the review's
    /// `criminal_check`).
    pub verify_criminal_history: bool,
    /// The selfie's liveness score must be above this (0..1; the review's `liveness.min_score`).
    pub liveness_min_score: f64,
    /// The selfie-to-document face match must reach this (0..1; the review's `compare.min_score`).
    pub compare_min_score: f64,
    /// The 1:N duplicate-face search threshold (0..1): a selfie this close to an enrolled face
    /// is `FaceAlreadyExists`.
    pub search_min_score: f64,
    /// The project's terms and conditions page, to link from the sign-up form when
    /// `sign_up_form.show_terms_and_conditions` is set; `null` when the project has none.
    pub terms_url: Option<String>,
    /// The project's privacy notice page, to link when `sign_up_form.show_privacy_notice` is
    /// set; `null` when the project has none.
    pub privacy_url: Option<String>,
}

impl From<sdk::FlowConfig> for FlowSummary {
    fn from(f: sdk::FlowConfig) -> Self {
        let s = f.steps;
        let can_skip_kyc = [s.basic_information, s.document, s.liveness, s.form]
            .iter()
            .all(|m| *m != sdk::StepMode::Mandatory);
        let d = &f.document;
        let mut accepted_document_categories = Vec::new();
        if s.document != sdk::StepMode::Skip {
            if d.use_government_id {
                accepted_document_categories.push(DocumentCategory::GovernmentId);
            }
            if d.use_passport {
                accepted_document_categories.push(DocumentCategory::Passport);
            }
            if d.use_license {
                accepted_document_categories.push(DocumentCategory::DriverLicense);
            }
            if accepted_document_categories.is_empty() {
                // As the core's plan: a document step with no category flag accepts all.
                accepted_document_categories = vec![
                    DocumentCategory::GovernmentId,
                    DocumentCategory::Passport,
                    DocumentCategory::DriverLicense,
                ];
            }
        }
        Self {
            active: f.status.eq_ignore_ascii_case("active"),
            project_id: f.project_id,
            flow_id: f.flow_id,
            status: f.status,
            steps: s.into(),
            sign_up_form: f.sign_up_form.into(),
            can_skip_kyc,
            accepted_document_categories,
            document_max_attempts: count(f.document.max_attempts),
            liveness_max_attempts: count(f.liveness.max_attempts),
            redirect_url: f.redirect_url,
            verify_names: d.verify_names,
            verify_criminal_history: d.verify_criminal_history,
            liveness_min_score: f.liveness.liveness_min_score,
            compare_min_score: d.compare_min_score,
            search_min_score: f.liveness.search_min_score,
            terms_url: f.terms_url,
            privacy_url: f.privacy_url,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(settings: &str) -> sdk::FlowConfig {
        let json = format!(
            r#"{{"_id":"f1","project":"p1","status":"draft","onboardingSettings":{settings}}}"#
        );
        sdk::FlowConfig::from_flow_json(&serde_json::from_str(&json).unwrap()).unwrap()
    }

    #[test]
    fn flow_summary_carries_the_form_fields_gateways_steps_and_limits() {
        let s = FlowSummary::from(flow(
            r#"{"steps":{"signUpForm":"optional","document":"mandatory","liveness":"optional"},
                "signUpForm":{"fullName":false,"firstName":true,"lastName":true,"email":false,
                  "phone":true,"showPrivacyNotice":true,"emailGateway":"none","phoneGateway":"both"},
                "document":{"useGovernmentID":false,"usePassport":true,"useLicense":false,"maxAttempts":5,
                  "verifyNames":true,"verifyCriminalHistory":false,"compareMinScore":0.9},
                "liveness":{"maxAttempts":2,"livenessMinScore":0.7,"searchMinScore":0.85}}"#,
        ));
        assert_eq!((s.project_id.as_str(), s.flow_id.as_str()), ("p1", "f1"));
        assert!(!s.active);
        let f = s.sign_up_form;
        assert!(!f.full_name && f.first_name && f.last_name && !f.email && f.phone);
        assert!(f.show_privacy_notice && !f.show_terms_and_conditions);
        assert_eq!(f.email_gateway, EmailGateway::None);
        assert_eq!(f.phone_gateway, PhoneGateway::Both);
        assert_eq!(s.steps.sign_up_form, StepMode::Optional);
        assert_eq!(s.steps.document, StepMode::Mandatory);
        assert_eq!(s.steps.form, StepMode::Skip);
        assert!(!s.can_skip_kyc);
        assert_eq!(
            s.accepted_document_categories,
            vec![DocumentCategory::Passport]
        );
        assert_eq!((s.document_max_attempts, s.liveness_max_attempts), (5, 2));
        assert!(s.verify_names && !s.verify_criminal_history);
        assert_eq!(
            (
                s.liveness_min_score,
                s.compare_min_score,
                s.search_min_score
            ),
            (0.7, 0.9, 0.85)
        );
        // No public KYC configuration here: no project pages.
        assert_eq!((s.terms_url, s.privacy_url), (None, None));
    }

    #[test]
    fn unset_client_config_fields_take_the_cores_defaults_and_bad_ones_are_config_errors() {
        let ffi = |connect: Option<i64>, retries: Option<i32>| ClientConfig {
            base_url: "https://api.example.com".into(),
            allow_insecure_http: None,
            connect_timeout_ms: connect,
            request_timeout_ms: None,
            user_agent: None,
            max_retries: retries,
            platform: Some(Platform::Desktop),
            pinned_public_keys: vec![],
            extra_root_certificates_pem: vec![],
        };
        let mut core_default = sdk::ClientConfig::new("https://api.example.com");
        core_default.platform = sdk::Platform::Desktop;
        assert_eq!(
            sdk::ClientConfig::try_from(ffi(None, None)).unwrap(),
            core_default
        );
        let set = sdk::ClientConfig::try_from(ffi(Some(2_500), Some(0))).unwrap();
        assert_eq!((set.connect_timeout_ms, set.retry.max_retries), (2_500, 0));
        for bad in [ffi(Some(0), None), ffi(Some(-1), None), ffi(None, Some(-1))] {
            let e = sdk::ClientConfig::try_from(bad).unwrap_err();
            assert!(matches!(e, SmartEnrollError::Config { .. }), "{e:?}");
        }
    }

    #[test]
    fn a_skipped_document_step_accepts_no_category_and_allows_skip_kyc() {
        let s = FlowSummary::from(flow(
            r#"{"steps":{"document":"skip","liveness":"optional"}}"#,
        ));
        assert!(s.accepted_document_categories.is_empty());
        assert!(s.can_skip_kyc);
    }
}
