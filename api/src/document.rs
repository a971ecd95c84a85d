//! Documents: upload, the document validation with its OCR data, name validation, manual
//! verification and the criminal check (§5.6, §5.7, §5.10).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::de::{self, HasId, wire_enum};
use crate::secret::Secret;

wire_enum!(
    /// A document validation's status.
    DocumentStatus {
        /// Waiting for more sides or checks.
        Assessing => "ASSESSING",
        /// Valid.
        Active => "ACTIVE",
        /// Failed.
        Failed => "FAILED",
        /// In review.
        NeedsManualVerification => "NEEDS_MANUAL_VERIFICATION",
        /// Not found at the source.
        NotFound => "NOT_FOUND",
        /// Expired.
        Expired => "EXPIRED",
        /// Valid but unverified.
        ActiveButUnverified => "ACTIVE_BUT_UNVERIFIED",
    }
);

wire_enum!(
    /// `documentCategory`.
    DocumentCategory {
        /// National ID.
        Id => "ID",
        /// Passport.
        Passport => "Passport",
        /// ID v2.
        IdV2 => "IDv2",
        /// Foreigner ID.
        ForeignerId => "ForeignerID",
        /// Driving licence.
        DriverLicense => "DriverLicense",
        /// Unknown.
        UnknownCategory => "Unknown",
    }
);

wire_enum!(
    /// How the document was captured.
    InputMethod {
        /// Camera.
        Camera => "CAMERA",
        /// File picker.
        FileUpload => "FILE_UPLOAD",
        /// Not given.
        NotSet => "NOT_SET",
    }
);

wire_enum!(
    /// `os` of a biometric validation.
    Os {
        /// Web.
        Desktop => "DESKTOP",
        /// iOS.
        Ios => "IOS",
        /// Android.
        Android => "ANDROID",
    }
);

wire_enum!(
    /// A criminal check's status.
    InformationStatus {
        /// Not run yet (sandbox).
        Pending => "PENDING",
        /// Running.
        Assessing => "ASSESSING",
        /// Clear.
        Active => "ACTIVE",
        /// At least one hit.
        Failed => "FAILED",
    }
);

/// `POST /v2/document-validations/app-registration`: one side per request (the hosted app) or
/// both. Images are base64, raw or as a data URI.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentUploadRequest {
    /// Front side (base64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Byte))]
    pub image: Option<Secret>,
    /// Back side (base64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Byte))]
    pub back_image: Option<Secret>,
    /// Replace an earlier attempt or add the back side.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub force: Option<bool>,
    /// The face crop of the front side (base64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Byte))]
    pub document_face: Option<Secret>,
    /// `CAMERA | FILE_UPLOAD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_method: Option<InputMethod>,
    /// Issuing country (name or ISO code).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub country: Option<String>,
    /// v2 `id | passport | driver-license`; v3 `government_id | passport | license`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub category: Option<String>,
}

/// The document number: `|`-separated candidates, the first is the one to use.
#[derive(Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct DocumentNumber(pub Secret);

impl<'de> Deserialize<'de> for DocumentNumber {
    /// A string, or a number (some OCR templates give the number as a JSON number).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de::string_like(d).map(|s| Self(Secret::new(s)))
    }
}

impl DocumentNumber {
    /// The first candidate, trimmed.
    pub fn primary(&self) -> &str {
        self.0.expose().split('|').next().unwrap_or("").trim()
    }
    /// Every non-empty candidate.
    pub fn candidates(&self) -> Vec<&str> {
        self.0
            .expose()
            .split('|')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    }
}

impl std::fmt::Debug for DocumentNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DocumentNumber(<redacted>)")
    }
}

/// `OCRExtraction` (also `documentData` on some pages): the usual fields typed, the rest
/// (template dependent) kept in `extra`. `Debug` shows only which keys are present.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OcrExtraction {
    /// First name(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub first_name: Option<Secret>,
    /// Last name(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub last_name: Option<Secret>,
    /// Full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub full_name: Option<Secret>,
    /// Document number (may hold `|`-separated candidates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub document_number: Option<DocumentNumber>,
    /// Document type (`CC`, `PP`, …).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub document_type: Option<String>,
    /// Date of birth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub date_of_birth: Option<Secret>,
    /// Expiry date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub expiration_date: Option<Secret>,
    /// Nationality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub nationality: Option<Secret>,
    /// Gender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub gender: Option<Secret>,
    /// Every other key of the template (values never printed by `Debug`).
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub extra: BTreeMap<String, Value>,
}

impl std::fmt::Debug for OcrExtraction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let present = |o: bool| if o { "<redacted>" } else { "-" };
        f.debug_struct("OcrExtraction")
            .field("first_name", &present(self.first_name.is_some()))
            .field("last_name", &present(self.last_name.is_some()))
            .field("full_name", &present(self.full_name.is_some()))
            .field("document_number", &present(self.document_number.is_some()))
            .field("document_type", &self.document_type)
            .field("date_of_birth", &present(self.date_of_birth.is_some()))
            .field("expiration_date", &present(self.expiration_date.is_some()))
            .field("nationality", &present(self.nationality.is_some()))
            .field("extra_keys", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// The name validation result stored on a document (sandbox).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NameValidationResult {
    /// Document validation id.
    #[serde(rename = "_id", default, deserialize_with = "de::id")]
    pub id: String,
    /// Whether the document type is supported.
    #[serde(default, deserialize_with = "de::opt_bool")]
    pub is_supported: Option<bool>,
    /// Same, as the hosted app reads it.
    #[serde(default, deserialize_with = "de::opt_bool")]
    pub info_validation_supported: Option<bool>,
    /// Full name ≥ 90%; absent when unsupported.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub names_match: Option<bool>,
    /// Percentages.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_f64"
    )]
    pub full_name_match_percentage: Option<f64>,
    /// Percentages.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_f64"
    )]
    pub first_name_match_percentage: Option<f64>,
    /// Percentages.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_f64"
    )]
    pub last_name_match_percentage: Option<f64>,
    /// `document_not_supported` when unsupported.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub reason: Option<String>,
    /// Document type.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub document_type: Option<String>,
    /// Document number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub document_number: Option<DocumentNumber>,
}

/// A document validation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentValidation {
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
    /// Project id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_id"
    )]
    pub project: Option<String>,
    /// Status.
    #[serde(default)]
    pub status: Option<DocumentStatus>,
    /// Category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_category: Option<DocumentCategory>,
    /// Type (`CC`, `PP`, `DL`, …).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub document_type: Option<String>,
    /// Number (`|`-separated candidates).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub document_number: Option<DocumentNumber>,
    /// Issuing country.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub country: Option<String>,
    /// `MANUAL | OCR | SCAN_PROMPT | SCAN_STUDIO`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub validation_method: Option<String>,
    /// Capture method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_method: Option<InputMethod>,
    /// Front image URL.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub url: Option<String>,
    /// Back image URL.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub back_url: Option<String>,
    /// Sandbox: front image id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_id"
    )]
    pub front_image: Option<String>,
    /// Sandbox: back image id.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub back_image: Option<String>,
    /// Face crop image id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_id"
    )]
    pub document_face: Option<String>,
    /// Face crop URL (when a `documentFace` was uploaded).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub document_face_url: Option<String>,
    /// Send the back side (`backImage` + `force:true`) when true and `backUrl` is empty.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub requires_back_side: Option<bool>,
    /// Only present once a name check ran.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub names_match: Option<bool>,
    /// The last name check's result (sandbox).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_validation: Option<NameValidationResult>,
    /// Reason of a manual-verification request.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub manual_verification_reason: Option<String>,
    /// OCR data (`OCRExtraction`; `documentData` on some pages).
    #[serde(rename = "OCRExtraction", alias = "documentData", default)]
    pub ocr_extraction: Option<OcrExtraction>,
    /// Attempt number.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_u32"
    )]
    pub attempt: Option<u32>,
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

impl HasId for DocumentValidation {
    fn id(&self) -> &str {
        &self.id
    }
}

impl DocumentValidation {
    /// The document number to use: the first candidate of `documentNumber`, else of the OCR.
    pub fn primary_document_number(&self) -> Option<&str> {
        self.document_number
            .as_ref()
            .or_else(|| self.ocr_extraction.as_ref()?.document_number.as_ref())
            .map(DocumentNumber::primary)
            .filter(|s| !s.is_empty())
    }
}

/// Upload answer (`data`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentValidationResponse {
    /// The document validation.
    pub document_validation: DocumentValidation,
}

/// `PUT /v2/document-validations/{id}/validate` body (`force` may also be in the query).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NameValidationRequest {
    /// Re-run.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub force: Option<bool>,
}

/// `PUT /v2/document-validations/{id}/manual-verification`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ManualVerificationRequest {
    /// `validation_timeout | name_mismatch`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub reason: Option<String>,
}

/// `PUT /v2/information-validations/{id}/background-check`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackgroundCheckRequest {
    /// Re-run a finished check.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub force: Option<bool>,
}

/// One source of the criminal check: `status` (`clear | found | error`) and its `foundIn…`
/// flag.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CriminalSource {
    /// `clear | found | error`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub status: Option<String>,
    /// `foundInFBI`, … (source specific).
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub flags: BTreeMap<String, Value>,
}

/// `criminalData`: `foundKeys` plus one entry per source (`world_api_fbi`, …).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CriminalData {
    /// Sources with a hit.
    #[serde(default)]
    pub found_keys: Vec<String>,
    /// Per source.
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub sources: BTreeMap<String, CriminalSource>,
}

/// The criminal check (`informationValidation`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InformationValidation {
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
    /// `backgroundCheck`.
    #[serde(
        rename = "type",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub validation_type: Option<String>,
    /// `PENDING` (sandbox, not run) | `ASSESSING` | `ACTIVE` (clear) | `FAILED` (a hit).
    #[serde(default)]
    pub status: Option<InformationStatus>,
    /// Per-source results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criminal_data: Option<CriminalData>,
    /// The document number checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub document_number: Option<DocumentNumber>,
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

impl HasId for InformationValidation {
    fn id(&self) -> &str {
        &self.id
    }
}
