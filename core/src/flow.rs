//! Public project/flow configuration (contract §6) and its tolerant parsing from
//! `GET /v2/projects/kyc` (v2 `onboardingSettings` or v3 schema, §10 #8/#14), plus the admin
//! request types for creating projects and flows.

use crate::error::EnrollError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// How a flow treats a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StepMode {
    /// The step must be done.
    Mandatory,
    /// The user may skip the step.
    Optional,
    /// The step is not part of the flow.
    Skip,
}

impl StepMode {
    fn parse(v: Option<&Value>, default: StepMode) -> StepMode {
        match v
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("mandatory") => StepMode::Mandatory,
            Some("optional") => StepMode::Optional,
            Some("skip") => StepMode::Skip,
            _ => default,
        }
    }

    pub(crate) fn as_api(self) -> &'static str {
        match self {
            StepMode::Mandatory => "mandatory",
            StepMode::Optional => "optional",
            StepMode::Skip => "skip",
        }
    }
}

/// Email OTP gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EmailGateway {
    /// Codes are sent by email.
    Mailgun,
    /// No email verification.
    None,
}

/// Phone OTP gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PhoneGateway {
    /// SMS.
    Sms,
    /// WhatsApp.
    Whatsapp,
    /// The user chooses SMS or WhatsApp.
    Both,
    /// No phone verification.
    None,
}

/// Flow schema the server used (decides the document `category` values, §10 #13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlowSchema {
    /// v2 `onboardingSettings`.
    V2,
    /// v3 (`documents`, `liveness`, `steps` at the top level).
    V3,
}

/// The five configurable steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StepModes {
    /// Sign-up form (email/phone OTP).
    pub sign_up_form: StepMode,
    /// Basic information form (collected by the host app, not by the SDK).
    pub basic_information: StepMode,
    /// ID document.
    pub document: StepMode,
    /// Selfie liveness.
    pub liveness: StepMode,
    /// Extra form (collected by the host app, not by the SDK).
    pub form: StepMode,
}

/// Sign-up form settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignUpFormConfig {
    /// The form asks for an email.
    pub email: bool,
    /// The form asks for a phone.
    pub phone: bool,
    /// The form asks for a full name.
    pub full_name: bool,
    /// The form asks for a first name (with `last_name`, instead of `full_name`).
    #[serde(default)]
    pub first_name: bool,
    /// The form asks for a last name.
    #[serde(default)]
    pub last_name: bool,
    /// The form shows the project's terms and conditions.
    #[serde(default)]
    pub show_terms_and_conditions: bool,
    /// The form shows the project's privacy notice.
    #[serde(default)]
    pub show_privacy_notice: bool,
    /// Email OTP gateway.
    pub email_gateway: EmailGateway,
    /// Phone OTP gateway.
    pub phone_gateway: PhoneGateway,
}

/// Document step settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentConfig {
    /// Government ID cards accepted.
    pub use_government_id: bool,
    /// Passports accepted.
    pub use_passport: bool,
    /// Driver licences accepted.
    pub use_license: bool,
    /// Run name validation after the document.
    pub verify_names: bool,
    /// Run the criminal background check after the document.
    pub verify_criminal_history: bool,
    /// Face-compare threshold.
    pub compare_min_score: f64,
    /// Document attempts allowed.
    pub max_attempts: u32,
}

/// Liveness step settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LivenessConfig {
    /// Liveness passes when the score is above this.
    pub liveness_min_score: f64,
    /// Duplicate-search threshold.
    pub search_min_score: f64,
    /// `FAST` or `ACCURATE`.
    pub search_mode: String,
    /// Selfie attempts allowed.
    pub max_attempts: u32,
}

/// A project's onboarding flow, as the SDK needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowConfig {
    /// Project id.
    pub project_id: String,
    /// Flow id.
    pub flow_id: String,
    /// `active`, `draft` or `paused` (only active flows can enroll).
    pub status: String,
    /// Where the integrator's app continues, with `?token=`.
    pub redirect_url: Option<String>,
    /// Step modes.
    pub steps: StepModes,
    /// Sign-up form settings.
    pub sign_up_form: SignUpFormConfig,
    /// Document settings.
    pub document: DocumentConfig,
    /// Liveness settings.
    pub liveness: LivenessConfig,
    /// Which schema the server sent.
    pub schema: FlowSchema,
    /// The project's terms and conditions URL (public KYC configuration), when it has one.
    #[serde(default)]
    pub terms_url: Option<String>,
    /// The project's privacy notice URL (public KYC configuration), when it has one.
    #[serde(default)]
    pub privacy_url: Option<String>,
    /// The project's first allowed country (a name, e.g. `Colombia`), from the public KYC
    /// configuration; the document upload sends it as `country`. `None` when the project lists
    /// none (the field is then omitted and the server uses its own default).
    #[serde(default)]
    pub country: Option<String>,
}

fn get<'a>(o: Option<&'a Map<String, Value>>, k: &str) -> Option<&'a Value> {
    o.and_then(|o| o.get(k))
}

fn as_bool(v: Option<&Value>, default: bool) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => match s.as_str() {
            "true" => true,
            "false" => false,
            _ => default,
        },
        _ => default,
    }
}

/// A number that may arrive as a JSON number or a string.
pub(crate) fn as_f64(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|f: &f64| f.is_finite())
}

fn as_u32(v: Option<&Value>) -> Option<u32> {
    as_f64(v)
        .filter(|f| *f >= 0.0 && *f <= f64::from(u32::MAX))
        .map(|f| f as u32)
}

/// An id that may be a string, a number, or an object with `_id`/`id`.
pub(crate) fn as_id(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        // Poke kept on purpose: an id populated as an object (`{_id}` or `{id}`), any shape.
        Value::Object(o) => as_id(o.get("_id").or_else(|| o.get("id"))),
        _ => None,
    }
}

fn as_obj(v: Option<&Value>) -> Option<&Map<String, Value>> {
    v.and_then(Value::as_object)
}

/// The top level of a flow object: each field any JSON value, read tolerantly afterwards.
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FlowTop {
    #[serde(rename = "_id")]
    id: Option<Value>,
    #[serde(rename = "id")]
    alt_id: Option<Value>,
    #[serde(rename = "type")]
    kind: Option<Value>,
    project: Option<Value>,
    status: Option<Value>,
    redirect_url: Option<Value>,
    onboarding_settings: Option<Value>,
    steps: Option<Value>,
    sign_up_form: Option<Value>,
    documents: Option<Value>,
    liveness: Option<Value>,
}

/// The KYC configuration's `data`: a list of flows or a single one (§11).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KycTop {
    project_flows: Option<Vec<Value>>,
    project_flow: Option<Value>,
}

impl FlowConfig {
    /// Parses the body of `GET /v2/projects/kyc`: `data.projectFlows[]` (the flow with `flow_id`
    /// if given, else the `onboarding` one, else the first) or `data.projectFlow`; with or
    /// without the `data` envelope; v2 or v3 schema with the defaults of §6/§10 #14.
    pub fn from_kyc_response(
        project_id: &str,
        flow_id: Option<&str>,
        body: &Value,
    ) -> Result<FlowConfig, EnrollError> {
        let data = crate::client::data_of(body);
        let data = data
            .as_object()
            .ok_or_else(|| EnrollError::malformed("kyc response has no data object"))?;
        let kyc = KycTop::deserialize(&Value::Object(data.clone()))
            .map_err(|_| EnrollError::malformed("projectFlows is not a list"))?;
        let head = |f: &Value| FlowTop::deserialize(f).unwrap_or_default();
        let flow = if let Some(list) = &kyc.project_flows {
            let by_id = flow_id.and_then(|want| {
                list.iter().find(|f| {
                    let h = head(f);
                    as_id(h.id.as_ref().or(h.alt_id.as_ref())).as_deref() == Some(want)
                })
            });
            if flow_id.is_some() && by_id.is_none() {
                return Err(EnrollError::NotFound {
                    code: "projectFlow_not_found".into(),
                });
            }
            by_id
                .or_else(|| {
                    list.iter().find(|f| {
                        head(f).kind.as_ref().and_then(Value::as_str) == Some("onboarding")
                    })
                })
                .or_else(|| list.first())
        } else {
            kyc.project_flow.as_ref()
        }
        .ok_or_else(|| EnrollError::NotFound {
            code: "projectFlow_not_found".into(),
        })?;
        let mut cfg = Self::from_flow_json(flow)?;
        if cfg.project_id.is_empty() {
            cfg.project_id = project_id.to_owned();
        }
        // The project's public fields around the flows (typed; a project that does not read
        // as one just leaves them empty).
        if let Ok(project) = smart_enroll_api::Project::deserialize(&Value::Object(data.clone())) {
            let url = |u: Option<String>| u.filter(|u| !u.trim().is_empty());
            cfg.terms_url = url(project.terms_and_conditions_url);
            cfg.privacy_url = url(project.privacy_url);
            cfg.country = project
                .allowed_countries
                .into_iter()
                .find(|c| !c.trim().is_empty());
        }
        if let Some(want) = flow_id
            && cfg.flow_id != want
        {
            return Err(EnrollError::NotFound {
                code: "projectFlow_not_found".into(),
            });
        }
        Ok(cfg)
    }

    /// Parses one flow object (v2 or v3 schema). Missing fields take the §6 defaults.
    pub fn from_flow_json(flow: &Value) -> Result<FlowConfig, EnrollError> {
        if !flow.is_object() {
            return Err(EnrollError::malformed("flow is not an object"));
        }
        // The top level read as a struct; the settings stay JSON values because this reader is
        // more tolerant than the wire types (v2 and v3 schemas, numbers and booleans as
        // strings, the §6/§10 #14 defaults per field).
        let f = FlowTop::deserialize(flow)
            .map_err(|_| EnrollError::malformed("flow: unexpected shape"))?;
        let flow_id = as_id(f.id.as_ref().or(f.alt_id.as_ref()))
            .ok_or_else(|| EnrollError::malformed("flow has no id"))?;
        let project_id = as_id(f.project.as_ref()).unwrap_or_default();
        let status = f
            .status
            .as_ref()
            .and_then(Value::as_str)
            .unwrap_or("active")
            .to_owned();
        let redirect_url = f
            .redirect_url
            .as_ref()
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        let settings = as_obj(f.onboarding_settings.as_ref());
        let v3 = settings.is_none()
            && (f.documents.is_some() || f.liveness.is_some() || f.steps.is_some());
        let steps_obj = as_obj(get(settings, "steps")).or_else(|| as_obj(f.steps.as_ref()));
        let steps = StepModes {
            sign_up_form: StepMode::parse(get(steps_obj, "signUpForm"), StepMode::Mandatory),
            basic_information: StepMode::parse(get(steps_obj, "basicInformation"), StepMode::Skip),
            document: StepMode::parse(get(steps_obj, "document"), StepMode::Skip),
            liveness: StepMode::parse(get(steps_obj, "liveness"), StepMode::Skip),
            form: StepMode::parse(get(steps_obj, "form"), StepMode::Skip),
        };
        let suf = as_obj(get(settings, "signUpForm")).or_else(|| as_obj(f.sign_up_form.as_ref()));
        let email_gateway = match get(suf, "emailGateway").and_then(Value::as_str) {
            Some("mailgun") => EmailGateway::Mailgun,
            Some(_) => EmailGateway::None,
            None if v3 => EmailGateway::None,
            None => EmailGateway::Mailgun,
        };
        let phone_gateway = match get(suf, "phoneGateway").and_then(Value::as_str) {
            Some("sms") => PhoneGateway::Sms,
            Some("whatsapp") => PhoneGateway::Whatsapp,
            Some("both") => PhoneGateway::Both,
            Some(_) => PhoneGateway::None,
            None => PhoneGateway::Sms,
        };
        let sign_up_form = SignUpFormConfig {
            email: as_bool(get(suf, "email"), true),
            phone: as_bool(get(suf, "phone"), false),
            full_name: as_bool(get(suf, "fullName"), false),
            first_name: as_bool(get(suf, "firstName"), false),
            last_name: as_bool(get(suf, "lastName"), false),
            show_terms_and_conditions: as_bool(get(suf, "showTermsAndConditions"), false),
            show_privacy_notice: as_bool(get(suf, "showPrivacyNotice"), false),
            email_gateway,
            phone_gateway,
        };
        let doc = as_obj(get(settings, "document")).or_else(|| as_obj(f.documents.as_ref()));
        let doc_types: Vec<String> = get(doc, "documentTypes")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_ascii_lowercase)
                    .collect()
            })
            .unwrap_or_default();
        let has_type = |t: &str| doc_types.iter().any(|d| d == t);
        let any_flag = ["useGovernmentID", "usePassport", "useLicense"]
            .iter()
            .any(|k| get(doc, k).is_some());
        let (gov, pass, lic) = if v3 && !doc_types.is_empty() {
            (
                has_type("government_id"),
                has_type("passport"),
                has_type("license"),
            )
        } else if any_flag {
            (
                as_bool(get(doc, "useGovernmentID"), false),
                as_bool(get(doc, "usePassport"), false),
                as_bool(get(doc, "useLicense"), false),
            )
        } else {
            (true, true, true)
        };
        let document = DocumentConfig {
            use_government_id: gov,
            use_passport: pass,
            use_license: lic,
            verify_names: as_bool(get(doc, "verifyNames"), false),
            verify_criminal_history: as_bool(get(doc, "verifyCriminalHistory"), false),
            compare_min_score: if v3 {
                0.8
            } else {
                as_f64(get(doc, "compareMinScore")).unwrap_or(0.8)
            },
            max_attempts: as_u32(get(doc, "maxAttempts").or_else(|| get(doc, "attemptLimit")))
                .filter(|n| *n > 0)
                .unwrap_or(3),
        };
        let live = as_obj(get(settings, "liveness")).or_else(|| as_obj(f.liveness.as_ref()));
        let liveness = LivenessConfig {
            liveness_min_score: as_f64(
                get(live, "livenessMinScore").or_else(|| get(live, "minScore")),
            )
            .unwrap_or(0.65),
            search_min_score: as_f64(get(live, "searchMinScore")).unwrap_or(0.8),
            search_mode: get(live, "searchMode")
                .and_then(Value::as_str)
                .unwrap_or("FAST")
                .to_owned(),
            max_attempts: as_u32(get(live, "maxAttempts").or_else(|| get(live, "attemptLimit")))
                .filter(|n| *n > 0)
                .unwrap_or(3),
        };
        Ok(FlowConfig {
            project_id,
            flow_id,
            status,
            redirect_url,
            steps,
            sign_up_form,
            document,
            liveness,
            schema: if v3 { FlowSchema::V3 } else { FlowSchema::V2 },
            terms_url: None,
            privacy_url: None,
            country: None,
        })
    }
}

/// A new project (`POST /v2/projects`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewProject {
    /// Project name.
    pub name: String,
    /// Allowed country names, e.g. `["Colombia"]`.
    pub allowed_countries: Vec<String>,
    /// Contact email of the project owner (not an enrollee's).
    pub contact_email: String,
    /// Privacy policy URL.
    pub privacy_url: String,
    /// Terms and conditions URL.
    pub terms_and_conditions_url: String,
}

impl NewProject {
    pub(crate) fn to_json(&self) -> Result<Value, EnrollError> {
        crate::client::to_body(&smart_enroll_api::CreateProjectRequest {
            name: self.name.clone(),
            allowed_countries: Some(self.allowed_countries.clone()),
            contact_email: Some(self.contact_email.clone()),
            privacy_url: Some(self.privacy_url.clone()),
            terms_and_conditions_url: Some(self.terms_and_conditions_url.clone()),
            branding: None,
            data_protection: None,
            demo_mode: None,
            demo_otp: None,
        })
    }
}

/// A created project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    /// Project id.
    pub id: String,
    /// Project name.
    pub name: String,
}

/// The tutorial presets (§6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlowPreset {
    /// signUpForm mandatory, document and liveness optional.
    Basic,
    /// signUpForm, document and liveness mandatory.
    FullKyc,
}

/// A new onboarding flow (`POST /v2/project-flows`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewFlow {
    /// The project.
    pub project_id: String,
    /// Step modes.
    pub steps: StepModes,
    /// Sign-up form settings.
    pub sign_up_form: SignUpFormConfig,
    /// Document settings.
    pub document: DocumentConfig,
    /// Liveness settings.
    pub liveness: LivenessConfig,
    /// Where the integrator's app continues.
    pub redirect_url: Option<String>,
    /// Where the server POSTs the flow's webhook events (`webhookUrl`, contract §6, §8).
    #[serde(default)]
    pub webhook_url: Option<String>,
}

impl NewFlow {
    /// A flow from a preset: email OTP by mailgun, phone OTP by SMS, all documents, default
    /// thresholds and 3 attempts.
    pub fn preset(project_id: impl Into<String>, preset: FlowPreset) -> Self {
        let (document, liveness) = match preset {
            FlowPreset::Basic => (StepMode::Optional, StepMode::Optional),
            FlowPreset::FullKyc => (StepMode::Mandatory, StepMode::Mandatory),
        };
        NewFlow {
            project_id: project_id.into(),
            steps: StepModes {
                sign_up_form: StepMode::Mandatory,
                basic_information: StepMode::Skip,
                document,
                liveness,
                form: StepMode::Skip,
            },
            sign_up_form: SignUpFormConfig {
                email: true,
                phone: true,
                full_name: true,
                first_name: false,
                last_name: false,
                show_terms_and_conditions: false,
                show_privacy_notice: false,
                email_gateway: EmailGateway::Mailgun,
                phone_gateway: PhoneGateway::Sms,
            },
            document: DocumentConfig {
                use_government_id: true,
                use_passport: true,
                use_license: true,
                verify_names: false,
                verify_criminal_history: false,
                compare_min_score: 0.8,
                max_attempts: 3,
            },
            liveness: LivenessConfig {
                liveness_min_score: 0.65,
                search_min_score: 0.8,
                search_mode: "FAST".into(),
                max_attempts: 3,
            },
            redirect_url: Some("https://example.com/welcome".into()),
            webhook_url: None,
        }
    }

    pub(crate) fn to_json(&self) -> Value {
        let gw_e = match self.sign_up_form.email_gateway {
            EmailGateway::Mailgun => "mailgun",
            EmailGateway::None => "none",
        };
        let gw_p = match self.sign_up_form.phone_gateway {
            PhoneGateway::Sms => "sms",
            PhoneGateway::Whatsapp => "whatsapp",
            PhoneGateway::Both => "both",
            PhoneGateway::None => "none",
        };
        // Kept as one JSON literal on purpose: the admin flow body mirrors the contract's §6
        // settings tree 1:1 (the sandbox reads it with the same tolerant reader as above).
        let mut v = json!({
            "project": self.project_id,
            "type": "onboarding",
            "status": "active",
            "onboardingSettings": {
                "steps": {
                    "signUpForm": self.steps.sign_up_form.as_api(),
                    "basicInformation": self.steps.basic_information.as_api(),
                    "document": self.steps.document.as_api(),
                    "liveness": self.steps.liveness.as_api(),
                    "form": self.steps.form.as_api(),
                },
                "signUpForm": {
                    "fullName": self.sign_up_form.full_name,
                    "firstName": self.sign_up_form.first_name,
                    "lastName": self.sign_up_form.last_name,
                    "showTermsAndConditions": self.sign_up_form.show_terms_and_conditions,
                    "showPrivacyNotice": self.sign_up_form.show_privacy_notice,
                    "email": self.sign_up_form.email,
                    "phone": self.sign_up_form.phone,
                    "emailGateway": gw_e,
                    "phoneGateway": gw_p,
                },
                "document": {
                    "useGovernmentID": self.document.use_government_id,
                    "usePassport": self.document.use_passport,
                    "useLicense": self.document.use_license,
                    "verifyNames": self.document.verify_names,
                    "verifyCriminalHistory": self.document.verify_criminal_history,
                    "compareMinScore": self.document.compare_min_score,
                    "maxAttempts": self.document.max_attempts,
                },
                "liveness": {
                    "livenessMinScore": self.liveness.liveness_min_score,
                    "searchMinScore": self.liveness.search_min_score,
                    "searchMode": self.liveness.search_mode,
                    "maxAttempts": self.liveness.max_attempts,
                },
            },
            "security": {"strategy": "none", "source": "NONE"},
        });
        if let Some(o) = v.as_object_mut() {
            if let Some(url) = &self.redirect_url {
                o.insert("redirectUrl".into(), Value::String(url.clone()));
            }
            if let Some(url) = &self.webhook_url {
                o.insert("webhookUrl".into(), Value::String(url.clone()));
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JSON fixture from its text.
    fn j(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn parses_v2_project_flows_list() {
        let body = j(r#"{"data": {"_id": "p1", "name": "Demo", "projectFlows": [
            {"_id": "f0", "type": "login", "status": "active"},
            {"_id": "f1", "type": "onboarding", "status": "active", "project": "p1",
             "redirectUrl": "https://x.test/done",
             "onboardingSettings": {
                "steps": {"signUpForm": "mandatory", "document": "optional", "liveness": "mandatory",
                          "basicInformation": "skip", "form": "skip"},
                "signUpForm": {"email": true, "phone": true, "emailGateway": "mailgun", "phoneGateway": "both"},
                "document": {"useGovernmentID": true, "usePassport": false, "useLicense": false,
                             "compareMinScore": "0.7", "maxAttempts": 5},
                "liveness": {"livenessMinScore": 0.6, "maxAttempts": "4", "unknown": 1}}}
        ]}, "planCode": "x"}"#);
        let c = FlowConfig::from_kyc_response("p1", None, &body).unwrap();
        assert_eq!(c.flow_id, "f1");
        assert_eq!(c.steps.document, StepMode::Optional);
        assert_eq!(c.sign_up_form.phone_gateway, PhoneGateway::Both);
        assert!(c.document.use_government_id && !c.document.use_passport);
        assert_eq!(c.document.compare_min_score, 0.7);
        assert_eq!(c.document.max_attempts, 5);
        assert_eq!(c.liveness.max_attempts, 4);
        assert_eq!(c.liveness.search_min_score, 0.8);
        assert_eq!(c.redirect_url.as_deref(), Some("https://x.test/done"));
        assert_eq!(c.schema, FlowSchema::V2);
        assert!(FlowConfig::from_kyc_response("p1", Some("f0"), &body).is_ok());
        assert!(matches!(
            FlowConfig::from_kyc_response("p1", Some("nope"), &body),
            Err(EnrollError::NotFound { .. })
        ));
    }

    #[test]
    fn project_fields_terms_privacy_and_country() {
        let body = j(
            r#"{"data": {"_id": "p1", "name": "Demo", "allowedCountries": ["", "Colombia", "Chile"],
            "privacyUrl": "https://x.test/privacy", "termsAndConditionsUrl": " ",
            "projectFlows": [{"_id": "f1", "type": "onboarding",
                "onboardingSettings": {"document": {"verifyNames": true, "verifyCriminalHistory": true,
                    "compareMinScore": 0.9}, "liveness": {"livenessMinScore": 0.7}}}]}}"#,
        );
        let c = FlowConfig::from_kyc_response("p1", None, &body).unwrap();
        assert_eq!(c.privacy_url.as_deref(), Some("https://x.test/privacy"));
        assert_eq!(c.terms_url, None, "blank URL");
        assert_eq!(c.country.as_deref(), Some("Colombia"));
        assert!(c.document.verify_names && c.document.verify_criminal_history);
        assert_eq!(
            (c.document.compare_min_score, c.liveness.liveness_min_score),
            (0.9, 0.7)
        );
        // A flow config from an older snapshot (without these fields) still reads.
        let mut v = serde_json::to_value(&c).unwrap();
        for k in ["terms_url", "privacy_url", "country"] {
            v.as_object_mut().unwrap().remove(k);
        }
        let back: FlowConfig = serde_json::from_value(v).unwrap();
        assert_eq!(back.country, None);
    }

    #[test]
    fn parses_single_project_flow_without_envelope_and_v3() {
        let body = j(r#"{"projectFlow": {"id": "f9", "name": "v3",
            "documents": {"attemptLimit": 4, "documentTypes": ["passport"]},
            "liveness": {"attemptLimit": 5, "minScore": 0.7},
            "steps": {"document": "mandatory", "liveness": "mandatory"}}}"#);
        let c = FlowConfig::from_kyc_response("p", None, &body).unwrap();
        assert_eq!(c.schema, FlowSchema::V3);
        assert_eq!(c.project_id, "p");
        assert_eq!(c.steps.sign_up_form, StepMode::Mandatory);
        assert!(c.document.use_passport && !c.document.use_government_id);
        assert_eq!(c.document.max_attempts, 4);
        assert_eq!(c.document.compare_min_score, 0.8);
        assert_eq!(c.liveness.liveness_min_score, 0.7);
        assert_eq!(c.sign_up_form.email_gateway, EmailGateway::None);
        assert_eq!(c.sign_up_form.phone_gateway, PhoneGateway::Sms);
    }

    #[test]
    fn wrong_shapes_are_malformed_not_panics() {
        for body in [
            j(r#"null"#),
            j(r#"{"data": 3}"#),
            j(r#"{"data": {"projectFlows": "x"}}"#),
            j(r#"{"data": {"projectFlow": {"noid": 1}}}"#),
        ] {
            let r = FlowConfig::from_kyc_response("p", None, &body);
            assert!(
                matches!(r, Err(EnrollError::MalformedResponse { .. })),
                "{body}: {r:?}"
            );
        }
        assert!(matches!(
            FlowConfig::from_kyc_response("p", None, &j(r#"{"data": {"projectFlows": []}}"#)),
            Err(EnrollError::NotFound { .. })
        ));
    }

    #[test]
    fn new_flow_round_trips_through_the_parser() {
        let mut nf = NewFlow::preset("p1", FlowPreset::FullKyc);
        nf.sign_up_form.phone_gateway = PhoneGateway::Whatsapp;
        let mut v = nf.to_json();
        v.as_object_mut().unwrap().insert("_id".into(), "f1".into());
        let c = FlowConfig::from_flow_json(&v).unwrap();
        assert_eq!(c.steps, nf.steps);
        assert_eq!(c.sign_up_form, nf.sign_up_form);
        assert_eq!(c.document, nf.document);
        assert_eq!(c.liveness, nf.liveness);
        let wire = |nf: &NewFlow| {
            serde_json::from_value::<smart_enroll_api::ProjectFlow>(nf.to_json()).unwrap()
        };
        assert_eq!(wire(&nf).webhook_url, None);
        nf.webhook_url = Some("https://hooks.example.com/se".into());
        assert_eq!(
            wire(&nf).webhook_url.as_deref(),
            Some("https://hooks.example.com/se")
        );
    }
}
