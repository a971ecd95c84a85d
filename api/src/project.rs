//! Projects, project flows (v2 and v3 bodies) and the public KYC configuration (§5.1, §6).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::de::{self, HasId, wire_enum};
use crate::secret::OtpCode;

wire_enum!(
    /// A step setting: `mandatory | optional | skip`.
    StepSetting {
        /// The step must be done.
        Mandatory => "mandatory",
        /// The step may be done.
        Optional => "optional",
        /// The step is not offered.
        Skip => "skip",
    }
);

wire_enum!(
    /// A flow's status: only `active` flows work.
    FlowStatus {
        /// Not yet usable.
        Draft => "draft",
        /// Usable.
        Active => "active",
        /// Suspended.
        Paused => "paused",
    }
);

/// `POST /v2/projects`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateProjectRequest {
    /// Project name.
    #[serde(default)]
    pub name: String,
    /// Country *names* (e.g. `["Colombia"]`); required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub allowed_countries: Option<Vec<String>>,
    /// Owner's contact address.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub contact_email: Option<String>,
    /// Privacy notice URL.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub privacy_url: Option<String>,
    /// Terms URL.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub terms_and_conditions_url: Option<String>,
    /// Branding (free-form: colours, logos).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub branding: Option<Value>,
    /// Data-protection settings (free-form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub data_protection: Option<Value>,
    /// v3: demo project (accepts `demoOTP`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub demo_mode: Option<bool>,
    /// v3: the code a demo project accepts.
    #[serde(rename = "demoOTP", default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub demo_otp: Option<OtpCode>,
}

/// A project (create answer; the public fields inside the KYC configuration).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Project {
    /// ObjectId.
    #[serde(rename = "_id", default, deserialize_with = "de::id")]
    pub id: String,
    /// Project name.
    #[serde(default, deserialize_with = "de::string_like_default")]
    pub name: String,
    /// Country names.
    #[serde(default)]
    pub allowed_countries: Vec<String>,
    /// Owner's contact address.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub contact_email: Option<String>,
    /// Privacy notice URL.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub privacy_url: Option<String>,
    /// Terms URL.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub terms_and_conditions_url: Option<String>,
    /// Branding (free-form).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub branding: Option<Value>,
    /// Data-protection settings (free-form).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub data_protection: Option<Value>,
    /// Demo project.
    #[serde(default, deserialize_with = "de::opt_bool")]
    pub demo_mode: Option<bool>,
    /// The demo code (only in the owner's view; never in the public configuration).
    #[serde(rename = "demoOTP", default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub demo_otp: Option<OtpCode>,
    /// `active` unless disabled.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub status: Option<String>,
    /// RFC 3339.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub created_at: Option<String>,
}

impl HasId for Project {
    fn id(&self) -> &str {
        &self.id
    }
}

/// `onboardingSettings.steps`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Steps {
    /// Sign-up form (contact + OTP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_up_form: Option<StepSetting>,
    /// Basic information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic_information: Option<StepSetting>,
    /// ID document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<StepSetting>,
    /// Selfie liveness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness: Option<StepSetting>,
    /// Extra form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<StepSetting>,
}

impl Steps {
    /// The setting of a step by wire name (`skip` when unset or unknown).
    pub fn get(&self, name: &str) -> StepSetting {
        let s = match name {
            "signUpForm" => &self.sign_up_form,
            "basicInformation" => &self.basic_information,
            "document" => &self.document,
            "liveness" => &self.liveness,
            "form" => &self.form,
            _ => &None,
        };
        s.clone().unwrap_or(StepSetting::Skip)
    }
}

/// `onboardingSettings.signUpForm`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignUpFormSettings {
    /// Ask the full name.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub full_name: Option<bool>,
    /// Ask the first name.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub first_name: Option<bool>,
    /// Ask the last name.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub last_name: Option<bool>,
    /// Ask (and verify) the email.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub email: Option<bool>,
    /// Ask (and verify) the phone.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub phone: Option<bool>,
    /// Show the terms.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub show_terms_and_conditions: Option<bool>,
    /// Show the privacy notice.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub show_privacy_notice: Option<bool>,
    /// `mailgun | none`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub email_gateway: Option<String>,
    /// `sms | whatsapp | both | none`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub phone_gateway: Option<String>,
    /// Extra fields (free-form definitions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<Object>>))]
    pub extra_fields: Option<Vec<Value>>,
}

/// `onboardingSettings.basicInformation`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BasicInformationSettings {
    /// Ask the address.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub address: Option<bool>,
    /// Ask the age.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub age: Option<bool>,
    /// Ask the date of birth.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub date_of_birth: Option<bool>,
    /// Ask the gender.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub gender: Option<bool>,
    /// Ask the postal code.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub postal_code: Option<bool>,
}

/// `onboardingSettings.document`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentSettings {
    /// National ID cards allowed.
    #[serde(
        rename = "useGovernmentID",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub use_government_id: Option<bool>,
    /// Passports allowed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub use_passport: Option<bool>,
    /// Driving licences allowed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub use_license: Option<bool>,
    /// Run the name validation.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub verify_names: Option<bool>,
    /// Run the criminal check.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub verify_criminal_history: Option<bool>,
    /// Upload allowed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub upload_document_allowed: Option<bool>,
    /// Scan allowed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub scan_document_allowed: Option<bool>,
    /// `SCAN_ZERO | SCAN_PROMPT | SCAN_STUDIO`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub validation_method: Option<String>,
    /// Fallback method.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub fallback_validation_method: Option<String>,
    /// Face-compare threshold, 0.5–1.0.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_f64"
    )]
    pub compare_min_score: Option<f64>,
    /// Document attempts, 3–10.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_u32"
    )]
    pub max_attempts: Option<u32>,
}

/// `onboardingSettings.liveness`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LivenessSettings {
    /// Liveness threshold, 0.5–1.0.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_f64"
    )]
    pub liveness_min_score: Option<f64>,
    /// `FAST | ACCURATE`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub search_mode: Option<String>,
    /// Duplicate-search threshold, 0.3–1.0.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_f64"
    )]
    pub search_min_score: Option<f64>,
    /// Selfie attempts, 3–10.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_u32"
    )]
    pub max_attempts: Option<u32>,
    /// Optional `zero_knowledge`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub kyc_type: Option<String>,
}

/// `onboardingSettings` (v2).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OnboardingSettings {
    /// Step settings.
    #[serde(default)]
    pub steps: Steps,
    /// Sign-up form.
    #[serde(default)]
    pub sign_up_form: SignUpFormSettings,
    /// Basic information.
    #[serde(default)]
    pub basic_information: BasicInformationSettings,
    /// Document.
    #[serde(default)]
    pub document: DocumentSettings,
    /// Liveness.
    #[serde(default)]
    pub liveness: LivenessSettings,
}

/// `security` of a flow.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlowSecurity {
    /// `blacklist | whitelist | none`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub strategy: Option<String>,
    /// `API | CSV | NONE`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub source: Option<String>,
    /// Screening API.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub api_url: Option<String>,
    /// `email | phone`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub api_test_type: Option<String>,
    /// Test value.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub api_test_value: Option<String>,
}

/// v3 `documents`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct V3Documents {
    /// Attempts (→ `document.maxAttempts`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_u32"
    )]
    pub attempt_limit: Option<u32>,
    /// Methods; the first becomes `validationMethod`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_methods: Option<Vec<String>>,
    /// `government_id | passport | license`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_types: Option<Vec<String>>,
    /// Name validation.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub verify_names: Option<bool>,
    /// Criminal check.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub verify_criminal_history: Option<bool>,
    /// Compare threshold.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_f64"
    )]
    pub compare_min_score: Option<f64>,
}

/// v3 `liveness`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct V3Liveness {
    /// Attempts (→ `maxAttempts`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_u32"
    )]
    pub attempt_limit: Option<u32>,
    /// → `livenessMinScore`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_f64"
    )]
    pub min_score: Option<f64>,
    /// → `searchMinScore`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_f64"
    )]
    pub search_min_score: Option<f64>,
    /// → `searchMode`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub search_mode: Option<String>,
}

/// A v3 step value: a boolean (`true` = mandatory) or a v2 setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum V3Step {
    /// `true` → mandatory, `false` → skip.
    Flag(bool),
    /// `mandatory | optional | skip`.
    Setting(StepSetting),
}

impl V3Step {
    /// The v2 setting.
    pub fn setting(&self) -> StepSetting {
        match self {
            Self::Flag(true) => StepSetting::Mandatory,
            Self::Flag(false) => StepSetting::Skip,
            Self::Setting(s) => s.clone(),
        }
    }
}

/// `POST /v2/project-flows`: a v2 body (`onboardingSettings`) or a v3 body (`documents`,
/// `liveness`, `steps`, `target`, `integrations`). The sandbox also takes `preset`
/// (`basic | full_kyc`, a sandbox extension).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateFlowRequest {
    /// Project id.
    #[serde(default)]
    pub project: String,
    /// `onboarding` (required in v2 bodies).
    #[serde(
        rename = "type",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub flow_type: Option<String>,
    /// `draft | active | paused` (default active).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<FlowStatus>,
    /// Flow name (v3).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub name: Option<String>,
    /// Where the hosted app redirects with the final token.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub redirect_url: Option<String>,
    /// Webhook URL.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub webhook_url: Option<String>,
    /// Webhook id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub webhook: Option<String>,
    /// Sandbox extension: `basic | full_kyc` fills the tutorial presets.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub preset: Option<String>,
    /// v2 settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onboarding_settings: Option<OnboardingSettings>,
    /// Screening.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security: Option<FlowSecurity>,
    /// v3 steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<BTreeMap<String, V3Step>>,
    /// v3 documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documents: Option<V3Documents>,
    /// v3 liveness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness: Option<V3Liveness>,
    /// v3 target (free-form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub target: Option<Value>,
    /// v3 integrations (free-form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub integrations: Option<Value>,
}

impl CreateFlowRequest {
    /// Whether this is a v3 body.
    pub fn is_v3(&self) -> bool {
        self.documents.is_some()
            || self.liveness.is_some()
            || self.target.is_some()
            || self.integrations.is_some()
            || self.steps.is_some()
    }
}

/// A project flow as stored and answered (always v2 `onboardingSettings`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectFlow {
    /// ObjectId.
    #[serde(rename = "_id", default, deserialize_with = "de::id")]
    pub id: String,
    /// Project id (or object).
    #[serde(default, deserialize_with = "de::id")]
    pub project: String,
    /// `onboarding`.
    #[serde(rename = "type", default, deserialize_with = "de::opt_string")]
    pub flow_type: Option<String>,
    /// Name.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    /// `draft | active | paused`.
    #[serde(default)]
    pub status: Option<FlowStatus>,
    /// Redirect URL.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub redirect_url: Option<String>,
    /// Webhook URL.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub webhook_url: Option<String>,
    /// Webhook id.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub webhook: Option<String>,
    /// Settings.
    #[serde(default)]
    pub onboarding_settings: OnboardingSettings,
    /// Screening.
    #[serde(default)]
    pub security: Option<FlowSecurity>,
    /// Sandbox: `v2 | v3` (the body's schema).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub schema_version: Option<String>,
    /// RFC 3339.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub created_at: Option<String>,
}

impl HasId for ProjectFlow {
    fn id(&self) -> &str {
        &self.id
    }
}

/// The public project configuration: the project's public fields plus its flows, as a list
/// (`projectFlows`) or a single `projectFlow`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KycConfig {
    /// The public project fields.
    #[serde(flatten)]
    pub project: Project,
    /// Flows of the requested type (sandbox form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_flows: Option<Vec<ProjectFlow>>,
    /// A single flow (the other form the hosted client accepts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_flow: Option<ProjectFlow>,
}

impl KycConfig {
    /// The flow to use, as the hosted client picks it: from `projectFlows` the one whose
    /// `type` is `onboarding`, else the first; else the single `projectFlow`.
    pub fn flow(&self) -> Option<&ProjectFlow> {
        if let Some(list) = &self.project_flows
            && !list.is_empty()
        {
            return list
                .iter()
                .find(|f| f.flow_type.as_deref() == Some("onboarding"))
                .or_else(|| list.first());
        }
        self.project_flow.as_ref()
    }
}

/// `GET /v2/projects/kyc` answer: `{"data": {...}, "planCode": "…"}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KycConfigResponse {
    /// Project and flows.
    pub data: KycConfig,
    /// The plan.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub plan_code: Option<String>,
}
