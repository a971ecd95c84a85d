//! Projects, flows and the public KYC configuration.

use axum::extract::{RawQuery, State};
use axum::response::IntoResponse;
use serde_json::{Map, Value, json};

use crate::api::{ApiError, ApiResult, Fields, JsonBody, ok, query_get, query_pairs};
use crate::auth::ClientAuth;
use crate::clock::rfc3339;
use crate::model::{self, Flow, new_id};
use crate::server::AppState;

const STEP_VALUES: &[&str] = &["mandatory", "optional", "skip"];
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
    JsonBody(body): JsonBody,
) -> ApiResult {
    let mut f = Fields::new(&body);
    let name = f.req_str("name");
    let countries = match body.get("allowedCountries") {
        None | Some(Value::Null) => {
            f.problem("missing allowedCountries");
            Vec::new()
        }
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => items.clone(),
        Some(_) => {
            f.problem("invalid allowedCountries");
            Vec::new()
        }
    };
    let contact_email = f.opt_str("contactEmail");
    let privacy_url = f.opt_str("privacyUrl");
    let terms_url = f.opt_str("termsAndConditionsUrl");
    let branding = f.opt_obj("branding").cloned();
    let data_protection = f.opt_obj("dataProtection").cloned();
    let demo_mode = f.opt_bool("demoMode").unwrap_or(false);
    let demo_otp = match body.get("demoOTP") {
        None | Some(Value::Null) => None,
        Some(_) => Some(f.req_otp("demoOTP")),
    };
    if demo_mode && demo_otp.is_none() {
        f.problem("missing demoOTP");
    }
    f.finish()?;

    let now = state.now_ms();
    let id = new_id(now);
    let doc = json!({
        "_id": id,
        "name": name,
        "allowedCountries": countries,
        "contactEmail": contact_email,
        "privacyUrl": privacy_url,
        "termsAndConditionsUrl": terms_url,
        "branding": branding,
        "dataProtection": data_protection,
        "demoMode": demo_mode,
        "demoOTP": demo_otp,
        "status": "active",
        "createdAt": rfc3339(now),
    });
    let stored = doc.clone();
    state
        .db
        .tx(now, &state.out, move |tx| {
            tx.sql.execute(
                "INSERT INTO projects (id, created_at, doc) VALUES (?1, ?2, ?3)",
                rusqlite::params![id, tx.now, serde_json::to_string(&stored)?],
            )?;
            Ok(())
        })
        .await?;
    tracing::info!(project = %doc["_id"].as_str().unwrap_or(""), "project created");
    Ok(ok(doc))
}

fn preset(name: &str) -> Option<Value> {
    let steps = match name
        .to_ascii_lowercase()
        .replace(['-', '_', ' '], "")
        .as_str()
    {
        "basic" => json!({"signUpForm": "mandatory", "basicInformation": "skip",
            "document": "optional", "liveness": "optional", "form": "skip"}),
        "fullkyc" => json!({"signUpForm": "mandatory", "basicInformation": "skip",
            "document": "mandatory", "liveness": "mandatory", "form": "skip"}),
        _ => return None,
    };
    Some(json!({
        "steps": steps,
        "signUpForm": {"fullName": true, "email": true, "phone": true,
            "emailGateway": "mailgun", "phoneGateway": "sms",
            "showTermsAndConditions": true, "showPrivacyNotice": true},
        "document": {"useGovernmentID": true, "usePassport": true, "useLicense": true,
            "verifyNames": true, "verifyCriminalHistory": true},
    }))
}

/// Deep-merges `over` into `base`.
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

/// Maps a v3 flow body (`documents`, `liveness`, `steps`, `target`) to v2 onboardingSettings.
fn from_v3(body: &Map<String, Value>, problems: &mut Vec<String>) -> Value {
    let mut os = json!({});
    if let Some(steps) = body.get("steps") {
        match steps {
            Value::Object(m) => {
                let mut out = Map::new();
                for (k, v) in m {
                    let val = match v {
                        Value::Bool(true) => "mandatory".to_owned(),
                        Value::Bool(false) => "skip".to_owned(),
                        Value::String(s) => s.clone(),
                        _ => {
                            problems.push(format!("invalid steps.{k}"));
                            continue;
                        }
                    };
                    out.insert(k.clone(), Value::String(val));
                }
                os["steps"] = Value::Object(out);
            }
            _ => problems.push("invalid steps".into()),
        }
    }
    if let Some(d) = body.get("documents") {
        let Value::Object(d) = d else {
            problems.push("invalid documents".into());
            return os;
        };
        let mut doc = json!({});
        if let Some(n) = d.get("attemptLimit") {
            doc["maxAttempts"] = n.clone();
        }
        if let Some(Value::Array(types)) = d.get("documentTypes") {
            let has = |t: &str| types.iter().any(|v| v.as_str() == Some(t));
            doc["useGovernmentID"] = json!(has("government_id"));
            doc["usePassport"] = json!(has("passport"));
            doc["useLicense"] = json!(has("license"));
        }
        if let Some(Value::Array(methods)) = d.get("verificationMethods")
            && let Some(first) = methods.first()
        {
            doc["validationMethod"] = first.clone();
        }
        for k in ["verifyNames", "verifyCriminalHistory", "compareMinScore"] {
            if let Some(v) = d.get(k) {
                doc[k] = v.clone();
            }
        }
        os["document"] = doc;
    }
    if let Some(l) = body.get("liveness") {
        let Value::Object(l) = l else {
            problems.push("invalid liveness".into());
            return os;
        };
        let mut live = json!({});
        for (from, to) in [
            ("attemptLimit", "maxAttempts"),
            ("minScore", "livenessMinScore"),
            ("searchMinScore", "searchMinScore"),
            ("searchMode", "searchMode"),
        ] {
            if let Some(v) = l.get(from) {
                live[to] = v.clone();
            }
        }
        os["liveness"] = live;
    }
    os
}

fn check_range(v: &Value, path: &str, lo: f64, hi: f64, problems: &mut Vec<String>) {
    if let Some(x) = v.get(path.rsplit('.').next().unwrap_or(path)) {
        match x.as_f64() {
            Some(n) if (lo..=hi).contains(&n) => {}
            _ => problems.push(format!("invalid onboardingSettings.{path}")),
        }
    }
}

/// Fills defaults (§6/§10 #14) and validates an onboardingSettings object.
fn normalise(mut os: Value, problems: &mut Vec<String>) -> Value {
    let defaults = json!({
        "steps": {"signUpForm": "mandatory", "basicInformation": "skip",
            "document": "optional", "liveness": "optional", "form": "skip"},
        "signUpForm": {"fullName": true, "firstName": false, "lastName": false,
            "email": true, "phone": false, "showTermsAndConditions": false,
            "showPrivacyNotice": false, "emailGateway": "none", "phoneGateway": "sms",
            "extraFields": []},
        "basicInformation": {"address": false, "age": false, "dateOfBirth": false,
            "gender": false, "postalCode": false},
        "document": {"useGovernmentID": true, "usePassport": true, "useLicense": true,
            "verifyNames": false, "verifyCriminalHistory": false, "uploadDocumentAllowed": true,
            "scanDocumentAllowed": true, "validationMethod": "SCAN_PROMPT",
            "fallbackValidationMethod": "SCAN_PROMPT", "compareMinScore": 0.8, "maxAttempts": 3},
        "liveness": {"livenessMinScore": 0.65, "searchMode": "FAST", "searchMinScore": 0.8,
            "maxAttempts": 3},
    });
    let mut out = defaults;
    if !os.is_object() {
        problems.push("invalid onboardingSettings".into());
        os = json!({});
    }
    merge(&mut out, &os);
    for step in STEP_NAMES {
        match out["steps"][step].as_str() {
            Some(v) if STEP_VALUES.contains(&v) => {}
            _ => problems.push(format!("invalid onboardingSettings.steps.{step}")),
        }
    }
    let su = &out["signUpForm"];
    if !matches!(su["emailGateway"].as_str(), Some("mailgun" | "none")) {
        problems.push("invalid onboardingSettings.signUpForm.emailGateway".into());
    }
    if !matches!(
        su["phoneGateway"].as_str(),
        Some("sms" | "whatsapp" | "both" | "none")
    ) {
        problems.push("invalid onboardingSettings.signUpForm.phoneGateway".into());
    }
    check_range(
        &out["document"],
        "document.compareMinScore",
        0.5,
        1.0,
        problems,
    );
    check_range(
        &out["document"],
        "document.maxAttempts",
        3.0,
        10.0,
        problems,
    );
    check_range(
        &out["liveness"],
        "liveness.livenessMinScore",
        0.5,
        1.0,
        problems,
    );
    check_range(
        &out["liveness"],
        "liveness.searchMinScore",
        0.3,
        1.0,
        problems,
    );
    check_range(
        &out["liveness"],
        "liveness.maxAttempts",
        3.0,
        10.0,
        problems,
    );
    for (path, v) in [
        ("document.maxAttempts", &out["document"]["maxAttempts"]),
        ("liveness.maxAttempts", &out["liveness"]["maxAttempts"]),
    ] {
        if v.as_u64().is_none() {
            problems.push(format!("invalid onboardingSettings.{path}"));
        }
    }
    if !matches!(
        out["liveness"]["searchMode"].as_str(),
        Some("FAST" | "ACCURATE")
    ) {
        problems.push("invalid onboardingSettings.liveness.searchMode".into());
    }
    out
}

fn is_http_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// `POST /v2/project-flows` (v2 or v3 body; `preset: "basic" | "full_kyc"` fills defaults).
pub(crate) async fn create_flow(
    State(state): State<AppState>,
    _auth: ClientAuth,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let mut f = Fields::new(&body);
    let project = f.req_str("project");
    let is_v3 = ["documents", "liveness", "target", "integrations"]
        .iter()
        .any(|k| body.contains_key(*k))
        || body.get("steps").is_some_and(Value::is_object);
    let flow_type = if is_v3 {
        f.opt_str("type").unwrap_or_else(|| "onboarding".into())
    } else {
        f.req_str("type")
    };
    let status = f
        .opt_enum("status", &["draft", "active", "paused"])
        .unwrap_or_else(|| "active".into());
    let name = f.opt_str("name");
    let redirect_url = f.opt_str("redirectUrl");
    let webhook_url = f.opt_str("webhookUrl");
    let webhook = f.opt_str("webhook");
    let preset_name = f.opt_str("preset");
    let security = f.opt_obj("security").cloned();
    let settings = f.opt_obj("onboardingSettings").cloned();
    let mut problems = Vec::new();
    if let Some(u) = &webhook_url
        && !is_http_url(u)
    {
        problems.push("invalid webhookUrl".to_owned());
    }
    let mut os = json!({});
    if let Some(p) = &preset_name {
        match preset(p) {
            Some(v) => os = v,
            None => problems.push("invalid preset".into()),
        }
    }
    if is_v3 {
        merge(&mut os, &from_v3(&body, &mut problems));
    }
    if let Some(s) = settings {
        merge(&mut os, &Value::Object(s));
    }
    let os = normalise(os, &mut problems);
    for p in problems {
        f.problem(p);
    }
    f.finish()?;

    let now = state.now_ms();
    let id = new_id(now);
    let doc = json!({
        "_id": id,
        "project": project,
        "type": flow_type,
        "name": name,
        "status": status,
        "redirectUrl": redirect_url,
        "webhookUrl": webhook_url,
        "webhook": webhook,
        "onboardingSettings": os,
        "security": security
            .map_or_else(|| json!({"strategy": "none", "source": "NONE"}), Value::Object),
        "schemaVersion": if is_v3 { "v3" } else { "v2" },
        "createdAt": rfc3339(now),
    });
    let stored = doc.clone();
    state
        .db
        .tx(now, &state.out, move |tx| {
            model::load_project(tx, &project)?;
            tx.sql.execute(
                "INSERT INTO project_flows (id, project_id, created_at, doc)
                 VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![id, project, tx.now, serde_json::to_string(&stored)?],
            )?;
            Ok(())
        })
        .await?;
    Ok(ok(doc))
}

/// Project fields safe to show without a token.
fn public_project(doc: &Value) -> Value {
    let mut out = json!({});
    for k in [
        "_id",
        "name",
        "allowedCountries",
        "contactEmail",
        "privacyUrl",
        "termsAndConditionsUrl",
        "branding",
        "dataProtection",
        "demoMode",
        "status",
        "createdAt",
    ] {
        out[k] = doc.get(k).cloned().unwrap_or(Value::Null);
    }
    out
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
                let v: Value = serde_json::from_str(&d)?;
                let flow = Flow::from_doc(v);
                if flow.doc["type"].as_str() == Some(flow_type.as_str())
                    && only_flow.as_deref().is_none_or(|f| f == flow.id())
                {
                    flows.push(flow.doc);
                }
            }
            Ok((project, flows))
        })
        .await?;
    let mut data = public_project(&project);
    data["projectFlows"] = Value::Array(flows);
    Ok(axum::Json(json!({ "data": data, "planCode": "sandbox" })).into_response())
}
