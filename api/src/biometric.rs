//! Selfie liveness (biometric validation), the person it creates, and the face compare
//! (§5.8, §5.9).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::de::{self, HasId, IdOr, wire_enum};
use crate::document::Os;
use crate::registration::ImageRef;
use crate::secret::Secret;

wire_enum!(
    /// `compareFaceVerification.status`.
    CompareStatus {
        /// Compared.
        Success => "success",
        /// Could not compare, or below the threshold.
        Failed => "failed",
    }
);

wire_enum!(
    /// `compareFaceVerification.type`.
    CompareType {
        /// Document vs selfie.
        Compare => "compare",
        /// Live compare.
        CompareLive => "compareLive",
    }
);

/// `POST /v2/biometric-validations/app-registration`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BiometricValidationRequest {
    /// The selfie (base64, raw or data URI).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Byte))]
    pub image: Secret,
    /// `DESKTOP | IOS | ANDROID` (case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<Os>,
    /// Replace the existing person.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub force: Option<bool>,
}

/// The duplicate (1:N) search of a biometric validation (sandbox).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LivenessSearch {
    /// `FAST | ACCURATE`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub mode: Option<String>,
    /// Threshold.
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub min_score: Option<f64>,
    /// Best score found.
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub best_score: Option<f64>,
    /// Matches (never detailed by the sandbox).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub matches: Vec<Value>,
}

/// A biometric validation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BiometricValidation {
    /// Id.
    #[serde(rename = "_id", default, deserialize_with = "de::id")]
    pub id: String,
    /// Registration id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_id"
    )]
    pub app_registration: Option<String>,
    /// `validated`, …
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub status: Option<String>,
    /// Device OS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<Os>,
    /// Liveness score (numbers as strings accepted).
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub liveness_score: Option<f64>,
    /// The flow's threshold.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_f64"
    )]
    pub liveness_min_score: Option<f64>,
    /// Whether liveness passed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub passed: Option<bool>,
    /// Attempt number.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_u32"
    )]
    pub attempt: Option<u32>,
    /// The person id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_id"
    )]
    pub person: Option<String>,
    /// Selfie image id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_id"
    )]
    pub face: Option<String>,
    /// Selfie URL.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub url: Option<String>,
    /// Duplicate search.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<LivenessSearch>,
    /// RFC 3339.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub created_at: Option<String>,
}

impl HasId for BiometricValidation {
    fn id(&self) -> &str {
        &self.id
    }
}

/// The person created from a selfie.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    /// Id.
    #[serde(rename = "_id", default, deserialize_with = "de::id")]
    pub id: String,
    /// Registration id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_id"
    )]
    pub app_registration: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub name: Option<Secret>,
    /// Face image (id or object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub face: Option<IdOr<ImageRef>>,
    /// RFC 3339.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub created_at: Option<String>,
}

impl HasId for Person {
    fn id(&self) -> &str {
        &self.id
    }
}

/// `compareFaceVerification.result`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompareResult {
    /// Similarity 0–1.
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub score: Option<f64>,
    /// `score ≥ compare_min_score` (only newer docs include it).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub passed: Option<bool>,
    /// The threshold.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_f64"
    )]
    pub compare_min_score: Option<f64>,
}

/// A face compare.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompareFaceVerification {
    /// Id.
    #[serde(rename = "_id", default, deserialize_with = "de::id")]
    pub id: String,
    /// Registration id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_id"
    )]
    pub app_registration: Option<String>,
    /// `compare | compareLive`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub compare_type: Option<CompareType>,
    /// The result.
    #[serde(default)]
    pub result: CompareResult,
    /// `success | failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<CompareStatus>,
    /// Document face image id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_id"
    )]
    pub document_face: Option<String>,
    /// Selfie image id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_id"
    )]
    pub face: Option<String>,
    /// RFC 3339.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub created_at: Option<String>,
}

impl HasId for CompareFaceVerification {
    fn id(&self) -> &str {
        &self.id
    }
}

impl CompareFaceVerification {
    /// Whether it passed: `result.passed` when given, else `score ≥ compare_min_score`
    /// (`min` when the answer has no threshold).
    pub fn passed(&self, min: f64) -> Option<bool> {
        self.result.passed.or_else(|| {
            let score = self.result.score?;
            Some(score >= self.result.compare_min_score.unwrap_or(min))
        })
    }
}

/// `POST /v2/face-recognition/compare/app-registration` answer (`data`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompareResponse {
    /// The registration id.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub app_registration: Option<String>,
    /// The compare.
    pub compare_face_verification: CompareFaceVerification,
}

/// `DELETE /v2/biometric-validations/{id}` answer (`data`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeletedResponse {
    /// The deleted id.
    #[serde(rename = "_id", default, deserialize_with = "de::id")]
    pub id: String,
    /// `true`.
    #[serde(default)]
    pub deleted: bool,
}
