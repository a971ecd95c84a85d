//! Email and phone one-time codes: create and validate, every variant of §10 #1 and #2.

use serde::{Deserialize, Serialize};

use crate::de::{self, HasId, wire_enum};
use crate::secret::{OtpCode, Secret};

wire_enum!(
    /// An OTP validation's status.
    OtpStatus {
        /// Code sent, not yet confirmed.
        Sent => "sent",
        /// Confirmed.
        Validated => "validated",
        /// Sandbox: too many wrong tries.
        Locked => "locked",
        /// Expired.
        Expired => "expired",
    }
);

/// `POST /v2/email-validations/app-registration`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateEmailValidationRequest {
    /// Project id.
    #[serde(default)]
    pub project: String,
    /// `verificationCode | manual`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub validation_method: Option<String>,
    /// The registrant's email.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[serde(default)]
    pub email: Secret,
    /// `onboarding | validation | login | oneTimeLink`.
    #[serde(
        rename = "type",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub validation_type: Option<String>,
    /// Hosted app: the flow.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub project_flow: Option<String>,
    /// Hosted app: the language.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub language: Option<String>,
    /// Optional expiry.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub expires_at: Option<String>,
    /// Optional redirect.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub redirect_url: Option<String>,
    /// Optional webhook.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub webhook_url: Option<String>,
}

/// `POST /v2/phone-validations/app-registration` (billed).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatePhoneValidationRequest {
    /// Project id.
    #[serde(default)]
    pub project: String,
    /// `verificationCode | manual`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub validation_method: Option<String>,
    /// Phone digits.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[serde(default)]
    pub phone: Secret,
    /// `+57`.
    #[serde(default)]
    pub country_code: String,
    /// `onboarding | validation | login | oneTimeLink`.
    #[serde(
        rename = "type",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub validation_type: Option<String>,
    /// `sms` (default) or `whatsapp`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub phone_gateway: Option<String>,
    /// Hosted app: the flow.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub project_flow: Option<String>,
    /// Hosted app: the language.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub language: Option<String>,
}

/// Create answer (`data`): `otp` is a hash of the code, never the code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OtpValidationCreated {
    /// Validation id.
    #[serde(rename = "_id", default, deserialize_with = "de::id")]
    pub id: String,
    /// `sent`.
    pub status: OtpStatus,
    /// A hash of the code (bcrypt on the hosted service).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub otp: Option<Secret>,
    /// `email | sms | whatsapp`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub channel: Option<String>,
    /// RFC 3339.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub expires_at: Option<String>,
}

/// Validate an email code: `PUT /v2/email-validations/{id}`, id-less `PUT` and
/// `POST …/validate` (the id may also come in the body as `id` or `_id`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidateEmailRequest {
    /// Validation id in the body (variants without it in the path).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_id",
        alias = "_id"
    )]
    pub id: Option<String>,
    /// The email (required without an id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub email: Option<Secret>,
    /// The code, as a string exactly as typed (numbers are accepted; absent reads as empty).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "048213", required = true))]
    pub otp: OtpCode,
}

/// Validate a phone code: id-less `PUT /v2/phone-validations`, `PUT …/{id}`,
/// `POST …/validate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidatePhoneRequest {
    /// Validation id in the body.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_id",
        alias = "_id"
    )]
    pub id: Option<String>,
    /// Phone digits (required without an id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub phone: Option<Secret>,
    /// `+57` (required with a phone).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub country_code: Option<String>,
    /// The code, as a string exactly as typed (numbers are accepted; absent reads as empty).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "048213", required = true))]
    pub otp: OtpCode,
}

/// Validate answer (`data`): `{"_id", "status": "validated"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OtpValidated {
    /// Validation id.
    #[serde(rename = "_id", default, deserialize_with = "de::id")]
    pub id: String,
    /// `validated`.
    pub status: OtpStatus,
}

/// A populated email or phone validation (never the code).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OtpValidation {
    /// Validation id.
    #[serde(rename = "_id", default, deserialize_with = "de::id")]
    pub id: String,
    /// Status.
    #[serde(default)]
    pub status: Option<OtpStatus>,
    /// `verificationCode`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub validation_method: Option<String>,
    /// `email | sms | whatsapp`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub channel: Option<String>,
    /// Email (email validations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub email: Option<Secret>,
    /// Phone in E.164 (phone validations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub phone: Option<Secret>,
    /// Wrong tries so far.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_u32"
    )]
    pub attempts: Option<u32>,
    /// RFC 3339.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub expires_at: Option<String>,
}

impl HasId for OtpValidation {
    fn id(&self) -> &str {
        &self.id
    }
}
