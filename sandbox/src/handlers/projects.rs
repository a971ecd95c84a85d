//! Projects, flows and the public KYC configuration.

use axum::extract::{RawQuery, State};
use serde_json::Value;
use smart_enroll_api::{
    BasicInformationSettings, CreateFlowRequest, CreateProjectRequest, DocumentSettings,
    FlowSecurity, FlowStatus, KycConfig, KycConfigResponse, LivenessSettings, OnboardingSettings,
    OtpCode, Project, ProjectFlow, SignUpFormSettings, StepSetting, Steps,
};

use crate::api::{ApiError, ApiResult, Body, Problems, non_blank, ok_raw, query_get, query_pairs};
use crate::auth::ClientAuth;
use crate::clock::rfc3339;
use crate::model::{self, Flow, new_id};
use crate::server::AppState;

const STEP_NAMES: &[&str] = &[
    "signUpForm",
    "basicInformation",
    "document",
    "liveness",
    "form",
];

/// `POST /v2/projects`.
pub(crate) async fn create_project(
    State(state): State<AppState>,
    _auth: ClientAuth,
    Body {
        value: body,
        invalid,
    }: Body<CreateProjectRequest>,
) -> ApiResult {
    let mut f = Problems::new(&invalid);
    let name = body.name.trim().to_owned();
    f.required("name", !name.is_empty());
    f.required("allowedCountries", body.allowed_countries.is_some());
    for field in ["contactEmail", "privacyUrl", "termsAndConditionsUrl"] {
        f.optional(field);
    }
    for (field, value) in [
        ("branding", &body.branding),
        ("dataProtection", &body.data_protection),
    ] {
        if !f.mistyped(field) && value.as_ref().is_some_and(|v| !v.is_object()) {
            f.invalid(field);
        }
    }
    f.optional("demoMode");
    let demo_mode = body.demo_mode.unwrap_or(false);
    let demo_otp = match &body.demo_otp {
        _ if f.mistyped("demoOTP") => None,
        None => None,
        Some(code) => match code.normalized() {
            Some(c) => Some(OtpCode::new(c)),
            None => {
                f.invalid("demoOTP");
                None
            }
        },
    };
    if demo_mode && demo_otp.is_none() && body.demo_otp.is_none() && !f.mistyped("demoOTP") {
        f.problem("missing demoOTP");
    }
    f.finish()?;

    let now = state.now_ms();
    let project = Project {
        id: new_id(now),
        name,
        allowed_countries: body.allowed_countries.unwrap_or_default(),
        contact_email: non_blank(body.contact_email.as_deref()),
        privacy_url: non_blank(body.privacy_url.as_deref()),
        terms_and_conditions_url: non_blank(body.terms_and_conditions_url.as_deref()),
        branding: body.branding,
        data_protection: body.data_protection,
        demo_mode: Some(demo_mode),
        demo_otp,
        status: Some("active".into()),
        created_at: Some(rfc3339(now)),
    };
    state
        .db
        .tx_ok(now, &state.out, move |tx| {
            tx.sql.execute(
                "INSERT INTO projects (id, created_at, doc) VALUES (?1, ?2, ?3)",
                rusqlite::params![project.id, tx.now, serde_json::to_string(&project)?],
            )?;
            tracing::info!(project = %project.id, "project created");
            Ok(project)
        })
        .await
}

fn steps(s: [StepSetting; 5]) -> Steps {
    let [sign_up_form, basic_information, document, liveness, form] = s;
    Steps {
        sign_up_form: Some(sign_up_form),
        basic_information: Some(basic_information),
        document: Some(document),
        liveness: Some(liveness),
        form: Some(form),
    }
}

/// The tutorial presets (§6), a sandbox extension of the flow body.
fn preset(name: &str) -> Option<OnboardingSettings> {
    use StepSetting::{Mandatory, Optional, Skip};
    let steps = match name
        .to_ascii_lowercase()
        .replace(['-', '_', ' '], "")
        .as_str()
    {
        "basic" => steps([Mandatory, Skip, Optional, Optional, Skip]),
        "fullkyc" => steps([Mandatory, Skip, Mandatory, Mandatory, Skip]),
        _ => return None,
    };
    Some(OnboardingSettings {
        steps,
        sign_up_form: SignUpFormSettings {
            full_name: Some(true),
            email: Some(true),
            phone: Some(true),
            email_gateway: Some("mailgun".into()),
            phone_gateway: Some("sms".into()),
            show_terms_and_conditions: Some(true),
            show_privacy_notice: Some(true),
            ..Default::default()
        },
        document: DocumentSettings {
            use_government_id: Some(true),
            use_passport: Some(true),
            use_license: Some(true),
            verify_names: Some(true),
            verify_criminal_history: Some(true),
            ..Default::default()
        },
        ..Default::default()
    })
}

/// The defaults of §6 / §10 #14.
fn defaults() -> OnboardingSettings {
    use StepSetting::{Mandatory, Optional, Skip};
    OnboardingSettings {
        steps: steps([Mandatory, Skip, Optional, Optional, Skip]),
        sign_up_form: SignUpFormSettings {
            full_name: Some(true),
            first_name: Some(false),
            last_name: Some(false),
            email: Some(true),
            phone: Some(false),
            show_terms_and_conditions: Some(false),
            show_privacy_notice: Some(false),
            email_gateway: Some("none".into()),
            phone_gateway: Some("sms".into()),
            extra_fields: Some(Vec::new()),
        },
        basic_information: BasicInformationSettings {
            address: Some(false),
            age: Some(false),
            date_of_birth: Some(false),
            gender: Some(false),
            postal_code: Some(false),
        },
        document: DocumentSettings {
            use_government_id: Some(true),
            use_passport: Some(true),
            use_license: Some(true),
            verify_names: Some(false),
            verify_criminal_history: Some(false),
            upload_document_allowed: Some(true),
            scan_document_allowed: Some(true),
            validation_method: Some("SCAN_PROMPT".into()),
            fallback_validation_method: Some("SCAN_PROMPT".into()),
            compare_min_score: Some(0.8),
            max_attempts: Some(3),
        },
        liveness: LivenessSettings {
            liveness_min_score: Some(0.65),
            search_mode: Some("FAST".into()),
            search_min_score: Some(0.8),
            max_attempts: Some(3),
            kyc_type: None,
        },
    }
}

/// Deep-merges `over` into `base` (objects key by key; anything else replaces). Works on the
/// serialized settings, so every field of the typed settings is merged without naming it.
fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(k) {
                    Some(slot) if slot.is_object() && v.is_object() => merge(slot, v),
                    _ => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

/// `base` with every field set in `over` (unset fields of `over` serialize to nothing).
fn merged(
    base: &OnboardingSettings,
    over: &OnboardingSettings,
) -> Result<OnboardingSettings, ApiError> {
    let mut b = serde_json::to_value(base)?;
    merge(&mut b, &serde_json::to_value(over)?);
    Ok(serde_json::from_value(b)?)
}

/// Maps a v3 flow body (`documents`, `liveness`, `steps`) to v2 onboardingSettings (§6).
fn from_v3(body: &CreateFlowRequest) -> OnboardingSettings {
    let mut os = OnboardingSettings::default();
    if let Some(s) = &body.steps {
        let get = |k: &str| s.get(k).map(smart_enroll_api::V3Step::setting);
        os.steps = Steps {
            sign_up_form: get("signUpForm"),
            basic_information: get("basicInformation"),
            document: get("document"),
            liveness: get("liveness"),
            form: get("form"),
        };
    }
    if let Some(d) = &body.documents {
        let doc = &mut os.document;
        doc.max_attempts = d.attempt_limit;
        if let Some(types) = &d.document_types {
            let has = |t: &str| Some(types.iter().any(|v| v == t));
            doc.use_government_id = has("government_id");
            doc.use_passport = has("passport");
            doc.use_license = has("license");
        }
        doc.validation_method = d
            .verification_methods
            .as_ref()
            .and_then(|m| m.first().cloned());
        doc.verify_names = d.verify_names;
        doc.verify_criminal_history = d.verify_criminal_history;
        doc.compare_min_score = d.compare_min_score;
    }
    if let Some(l) = &body.liveness {
        os.liveness = LivenessSettings {
            max_attempts: l.attempt_limit,
            liveness_min_score: l.min_score,
            search_min_score: l.search_min_score,
            search_mode: l.search_mode.clone(),
            kyc_type: None,
        };
    }
    os
}

fn check_range(v: Option<f64>, path: &str, lo: f64, hi: f64, integer: bool, f: &mut Problems) {
    let bad = v.is_some_and(|n| !(lo..=hi).contains(&n) || (integer && n.fract() != 0.0));
    if bad {
        f.problem(format!("invalid onboardingSettings.{path}"));
    }
}

/// Validates a complete (defaults-filled) onboardingSettings.
fn validate_settings(os: &OnboardingSettings, f: &mut Problems) {
    for step in STEP_NAMES {
        if !os.steps.get(step).is_known() {
            f.problem(format!("invalid onboardingSettings.steps.{step}"));
        }
    }
    let su = &os.sign_up_form;
    if !matches!(su.email_gateway.as_deref(), Some("mailgun" | "none")) {
        f.problem("invalid onboardingSettings.signUpForm.emailGateway");
    }
    if !matches!(
        su.phone_gateway.as_deref(),
        Some("sms" | "whatsapp" | "both" | "none")
    ) {
        f.problem("invalid onboardingSettings.signUpForm.phoneGateway");
    }
    let (d, l) = (&os.document, &os.liveness);
    check_range(
        d.compare_min_score,
        "document.compareMinScore",
        0.5,
        1.0,
        false,
        f,
    );
    check_range(
        d.max_attempts.map(f64::from),
        "document.maxAttempts",
        3.0,
        10.0,
        true,
        f,
    );
    check_range(
        l.liveness_min_score,
        "liveness.livenessMinScore",
        0.5,
        1.0,
        false,
        f,
    );
    check_range(
        l.search_min_score,
        "liveness.searchMinScore",
        0.3,
        1.0,
        false,
        f,
    );
    check_range(
        l.max_attempts.map(f64::from),
        "liveness.maxAttempts",
        3.0,
        10.0,
        true,
        f,
    );
    if !matches!(l.search_mode.as_deref(), Some("FAST" | "ACCURATE")) {
        f.problem("invalid onboardingSettings.liveness.searchMode");
    }
}

fn is_http_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// `POST /v2/project-flows` (v2 or v3 body; `preset: "basic" | "full_kyc"` fills defaults).
pub(crate) async fn create_flow(
    State(state): State<AppState>,
    _auth: ClientAuth,
    Body {
        value: body,
        invalid,
    }: Body<CreateFlowRequest>,
) -> ApiResult {
    let mut f = Problems::new(&invalid);
    let project = body.project.trim().to_owned();
    f.required("project", !project.is_empty());
    let is_v3 = body.is_v3();
    let flow_type = non_blank(body.flow_type.as_deref());
    let flow_type = if is_v3 {
        f.optional("type");
        flow_type.unwrap_or_else(|| "onboarding".into())
    } else {
        f.required("type", flow_type.is_some());
        flow_type.unwrap_or_default()
    };
    if !f.mistyped("status") && body.status.as_ref().is_some_and(|s| !s.is_known()) {
        f.invalid("status");
    }
    let status = body
        .status
        .clone()
        .filter(FlowStatus::is_known)
        .unwrap_or(FlowStatus::Active);
    for field in [
        "name",
        "redirectUrl",
        "webhookUrl",
        "webhook",
        "preset",
        "security",
        "onboardingSettings",
    ] {
        f.optional(field);
    }
    let webhook_url = non_blank(body.webhook_url.as_deref());
    if let Some(u) = &webhook_url
        && (!is_http_url(u) || !crate::webhooks::url_allowed(u))
    {
        f.invalid("webhookUrl");
    }
    let mut os = OnboardingSettings::default();
    if let Some(p) = non_blank(body.preset.as_deref()) {
        match preset(&p) {
            Some(v) => os = v,
            None => f.invalid("preset"),
        }
    }
    if is_v3 {
        os = merged(&os, &from_v3(&body))?;
    }
    if let Some(s) = &body.onboarding_settings {
        os = merged(&os, s)?;
    }
    let os = merged(&defaults(), &os)?;
    validate_settings(&os, &mut f);
    f.finish()?;

    let now = state.now_ms();
    let flow = ProjectFlow {
        id: new_id(now),
        project: project.clone(),
        flow_type: Some(flow_type),
        name: non_blank(body.name.as_deref()),
        status: Some(status),
        redirect_url: non_blank(body.redirect_url.as_deref()),
        webhook_url,
        webhook: non_blank(body.webhook.as_deref()),
        onboarding_settings: os,
        security: Some(body.security.clone().unwrap_or_else(|| FlowSecurity {
            strategy: Some("none".into()),
            source: Some("NONE".into()),
            ..Default::default()
        })),
        schema_version: Some(if is_v3 { "v3" } else { "v2" }.into()),
        created_at: Some(rfc3339(now)),
    };
    state
        .db
        .tx_ok(now, &state.out, move |tx| {
            model::load_project(tx, &project)?;
            tx.sql.execute(
                "INSERT INTO project_flows (id, project_id, created_at, doc)
                 VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![flow.id, project, tx.now, serde_json::to_string(&flow)?],
            )?;
            Ok(flow)
        })
        .await
}

/// `GET /v2/projects/kyc?id=&type=onboarding[&projectFlow=]` (no token).
pub(crate) async fn kyc_config(State(state): State<AppState>, RawQuery(q): RawQuery) -> ApiResult {
    let pairs = query_pairs(q.as_deref());
    let id = query_get(&pairs, "id").unwrap_or("").to_owned();
    if id.is_empty() {
        return Err(ApiError::missing(&["missing id"]));
    }
    let flow_type = query_get(&pairs, "type").unwrap_or("onboarding").to_owned();
    let only_flow = query_get(&pairs, "projectFlow").map(str::to_owned);
    let now = state.now_ms();
    let (project, flows) = state
        .db
        .tx(now, &state.out, move |tx| {
            let project = model::load_project(tx, &id)?;
            let mut stmt = tx.sql.prepare(
                "SELECT doc FROM project_flows WHERE project_id = ?1 ORDER BY created_at, rowid",
            )?;
            let docs = stmt
                .query_map([&id], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            let mut flows = Vec::new();
            for d in docs {
                let flow = Flow::from_doc(serde_json::from_str(&d)?);
                if flow.doc.flow_type.as_deref() == Some(flow_type.as_str())
                    && only_flow.as_deref().is_none_or(|f| f == flow.id())
                {
                    flows.push(flow.doc);
                }
            }
            Ok((project, flows))
        })
        .await?;
    // The public view never shows the demo code, nor a flow's webhook or security settings.
    let project = Project {
        demo_otp: None,
        ..project
    };
    let mut body = serde_json::to_value(KycConfigResponse {
        data: KycConfig {
            project,
            project_flows: Some(flows),
            project_flow: None,
        },
        plan_code: Some("sandbox".into()),
    })?;
    if let Some(data) = body.get_mut("data").and_then(Value::as_object_mut) {
        data.remove("demoOTP");
    }
    if let Some(flows) = body
        .pointer_mut("/data/projectFlows")
        .and_then(Value::as_array_mut)
    {
        for flow in flows.iter_mut().filter_map(Value::as_object_mut) {
            for key in PRIVATE_FLOW_FIELDS {
                flow.remove(*key);
            }
        }
    }
    Ok(ok_raw(body))
}

/// Flow fields the public configuration leaves out (server-side settings).
const PRIVATE_FLOW_FIELDS: &[&str] = &["webhookUrl", "webhook", "security"];
