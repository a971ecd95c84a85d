//! App registrations: create, list, retrieve (ids or populated), `me`, sync, resend-link
//! (§5.2–5.4).

use serde::{Deserialize, Serialize};

use crate::biometric::{BiometricValidation, CompareFaceVerification, Person};
use crate::de::{self, HasId, IdOr, wire_enum};
use crate::document::{DocumentValidation, InformationValidation};
use crate::otp::OtpValidation;
use crate::project::{Project, ProjectFlow, Steps};
use crate::secret::Secret;

wire_enum!(
    /// A registration's status (§5.3).
    RegistrationStatus {
        /// Created.
        Started => "STARTED",
        /// In progress.
        Ongoing => "ONGOING",
        /// Finished.
        Completed => "COMPLETED",
        /// Finished without KYC steps.
        CompletedWithoutKyc => "COMPLETED_WITHOUT_KYC",
        /// Failed.
        Failed => "FAILED",
        /// Needs a human review.
        NeedsManualVerification => "NEEDS_MANUAL_VERIFICATION",
        /// Expired.
        Expired => "EXPIRED",
    }
);

impl RegistrationStatus {
    /// Whether no further step may change it.
    pub fn is_terminal(&self) -> bool {
        !matches!(self, Self::Started | Self::Ongoing | Self::Unknown(_))
    }
}

wire_enum!(
    /// A `sync` step (§5.4).
    SyncStep {
        /// Skip every KYC step.
        SkipKyc => "skipKYC",
        /// Instructions seen.
        Instructions => "instructions",
        /// Sign-up form done.
        SignUpForm => "signUpForm",
        /// Basic information done.
        BasicInformation => "basicInformation",
        /// Document step.
        Document => "document",
        /// Liveness step.
        Liveness => "liveness",
        /// Extra form.
        Form => "form",
        /// Finish.
        End => "end",
    }
);

/// `POST /v2/app-registrations`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateAppRegistrationRequest {
    /// Project id.
    #[serde(default)]
    pub project: String,
    /// Flow id.
    #[serde(default)]
    pub project_flow: String,
    /// Email (at least one of email / phone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub email: Option<Secret>,
    /// Phone, digits only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub phone: Option<Secret>,
    /// `+57`; required with a phone.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub country_code: Option<String>,
    /// Full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub full_name: Option<Secret>,
    /// First name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub first_name: Option<Secret>,
    /// Last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub last_name: Option<Secret>,
    /// `en` (default) or `es`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub language: Option<String>,
}

/// `{"_id": …}` (the criminal-check id in the create answer).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdOnly {
    /// The id.
    #[serde(rename = "_id", default, deserialize_with = "de::id")]
    pub id: String,
}

/// `POST /v2/app-registrations` answer (`data`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateAppRegistrationResponse {
    /// The new registration.
    pub app_registration: AppRegistration,
    /// The criminal-check id (an object or, leniently, the bare id).
    #[serde(default, deserialize_with = "opt_id_only")]
    pub information_validation: Option<IdOnly>,
    /// The registrant token.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub token: Secret,
}

fn opt_id_only<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<IdOnly>, D::Error> {
    Ok(de::opt_id(d)?.map(|id| IdOnly { id }))
}

/// A stored image reference `{_id, url}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImageRef {
    /// Image id.
    #[serde(rename = "_id", default, deserialize_with = "de::id")]
    pub id: String,
    /// Where to fetch it (with the client token).
    #[serde(default, deserialize_with = "de::opt_string")]
    pub url: Option<String>,
}

impl HasId for ImageRef {
    fn id(&self) -> &str {
        &self.id
    }
}

/// An app registration: ids by default, objects for the names given in `populates[]`. The
/// same type reads the biometric answer (§10 #6), whose shape may lack `_id` and `status`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppRegistration {
    /// ObjectId.
    #[serde(rename = "_id", default, deserialize_with = "de::id")]
    pub id: String,
    /// Project (id or object).
    #[serde(default)]
    pub project: Option<IdOr<Project>>,
    /// Flow (id or object).
    #[serde(default)]
    pub project_flow: Option<IdOr<ProjectFlow>>,
    /// Status.
    #[serde(default)]
    pub status: Option<RegistrationStatus>,
    /// Free text (`"1"`, `"signUpForm"`, …); numbers are read as text.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub current_step: Option<String>,
    /// Email.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub email: Option<Secret>,
    /// Phone digits.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub phone: Option<Secret>,
    /// `+57`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub country_code: Option<String>,
    /// Full name.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub full_name: Option<Secret>,
    /// First name.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub first_name: Option<Secret>,
    /// Last name.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub last_name: Option<Secret>,
    /// Language.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub language: Option<String>,
    /// Email OTP validation.
    #[serde(default)]
    pub email_validation: Option<IdOr<OtpValidation>>,
    /// Phone OTP validation.
    #[serde(default)]
    pub phone_validation: Option<IdOr<OtpValidation>>,
    /// Sandbox: the email code was confirmed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub email_validated: Option<bool>,
    /// Sandbox: the phone code was confirmed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub phone_validated: Option<bool>,
    /// Document validation.
    #[serde(default)]
    pub document_validation: Option<IdOr<DocumentValidation>>,
    /// Biometric (liveness) validation.
    #[serde(default)]
    pub biometric_validation: Option<IdOr<BiometricValidation>>,
    /// Criminal check.
    #[serde(default)]
    pub information_validation: Option<IdOr<InformationValidation>>,
    /// The person created from the selfie.
    #[serde(default)]
    pub person: Option<IdOr<Person>>,
    /// Selfie image.
    #[serde(default)]
    pub face: Option<IdOr<ImageRef>>,
    /// Face crop of the document.
    #[serde(default)]
    pub document_face: Option<IdOr<ImageRef>>,
    /// Face compare result.
    #[serde(default)]
    pub compare_face_verification: Option<IdOr<CompareFaceVerification>>,
    /// Sandbox: steps synced as ONGOING.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps_done: Option<Vec<String>>,
    /// Document attempts counted by the server.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_u32"
    )]
    pub document_attempts: Option<u32>,
    /// Selfie attempts counted by the server.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_u32"
    )]
    pub liveness_attempts: Option<u32>,
    /// A top-level liveness score (some answers put it here).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_f64"
    )]
    pub liveness_score: Option<f64>,
    /// RFC 3339.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub created_at: Option<String>,
    /// RFC 3339.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub updated_at: Option<String>,
}

impl HasId for AppRegistration {
    fn id(&self) -> &str {
        &self.id
    }
}

impl AppRegistration {
    /// The liveness score from either biometric shape (§10 #6): the populated
    /// `biometricValidation.livenessScore`, else a top-level `livenessScore`.
    pub fn liveness_score(&self) -> Option<f64> {
        self.biometric_validation
            .as_ref()
            .and_then(IdOr::object)
            .and_then(|b| b.liveness_score)
            .or(self.liveness_score)
    }

    /// The populated document validation, if any.
    pub fn document(&self) -> Option<&DocumentValidation> {
        self.document_validation.as_ref().and_then(IdOr::object)
    }

    /// The populated compare result, if any.
    pub fn compare(&self) -> Option<&CompareFaceVerification> {
        self.compare_face_verification
            .as_ref()
            .and_then(IdOr::object)
    }

    /// The populated criminal check, if any.
    pub fn information(&self) -> Option<&InformationValidation> {
        self.information_validation.as_ref().and_then(IdOr::object)
    }

    /// The project id, whether populated or not.
    pub fn project_id(&self) -> Option<&str> {
        self.project.as_ref().map(IdOr::id)
    }

    /// The flow id, whether populated or not.
    pub fn project_flow_id(&self) -> Option<&str> {
        self.project_flow.as_ref().map(IdOr::id)
    }
}

/// `populates`: a list of names or one comma-separated string. Serializes as a list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Populates(pub Vec<String>);

impl<'de> Deserialize<'de> for Populates {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let v = Option::<serde_json::Value>::deserialize(d)?;
        let items: Vec<String> = match v {
            None | Some(serde_json::Value::Null) => Vec::new(),
            Some(serde_json::Value::String(s)) => vec![s],
            Some(serde_json::Value::Array(a)) => a
                .into_iter()
                .map(|x| match x {
                    serde_json::Value::String(s) => Ok(s),
                    _ => Err(D::Error::custom("populates items must be strings")),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(D::Error::custom("populates must be a list or a string")),
        };
        Ok(Self(
            items
                .iter()
                .flat_map(|s| s.split(','))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        ))
    }
}

/// The names `populates[]` may expand (§5.3).
pub const POPULATABLE: &[&str] = &[
    "project",
    "projectFlow",
    "emailValidation",
    "phoneValidation",
    "biometricValidation",
    "documentValidation",
    "informationValidation",
    "person",
    "face",
    "documentFace",
    "compareFaceVerification",
    "cryptoValidation",
    "formSubmission",
    "formSubmittion",
    "signature",
    "accessControlLog",
];

/// What the review needs populated (retrieve and `me`).
pub const REVIEW_POPULATES: &[&str] = &[
    "projectFlow",
    "documentValidation",
    "biometricValidation",
    "compareFaceVerification",
    "informationValidation",
];

/// `POST /v2/app-registrations/me {populates}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeRequest {
    /// Reference names to expand.
    #[serde(default)]
    pub populates: Populates,
}

/// `PUT /v2/app-registrations/{id}/sync {step, status}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncRequest {
    /// The step (an absent step reads as an empty unknown one).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub step: SyncStep,
    /// The status for that step.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub status: RegistrationStatus,
}

/// Sync answer (`data`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncResponse {
    /// A fresh registrant token (the final token after `end`).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub token: Secret,
    /// The step synced.
    #[serde(default, deserialize_with = "de::string_like_default")]
    pub step: String,
    /// The stored status (may differ from the requested one on `end`).
    pub status: RegistrationStatus,
    /// The registration.
    #[serde(default, deserialize_with = "de::id")]
    pub app_registration_id: String,
    /// The flow's step settings.
    #[serde(default)]
    pub steps: Steps,
}

/// `POST /v2/app-registrations/{id}/resend-link`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResendLinkRequest {
    /// Also email the link.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub send_email: Option<bool>,
    /// Another recipient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub recipient_email: Option<Secret>,
}

/// Resend-link answer (`data`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResendLinkResponse {
    /// The registration.
    #[serde(default, deserialize_with = "de::id")]
    pub app_registration_id: String,
    /// A new 30-minute registrant token.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub token: Secret,
    /// The hosted sign-up link (carries the token).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub link: Option<Secret>,
    /// RFC 3339.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub expires_at: Option<String>,
    /// Whether an email was queued.
    #[serde(default, deserialize_with = "de::opt_bool")]
    pub email_sent: Option<bool>,
}
