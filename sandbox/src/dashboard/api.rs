//! The dashboard's JSON endpoints (client token; the outbox list also needs `--dev`).

use std::collections::BTreeMap;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{MethodRouter, get};
use rusqlite::params;
use serde::Serialize;
use serde_json::Value;
use smart_enroll_api::StepSetting;
use utoipa::ToSchema;

use super::{mask_email, mask_phone, webhook_log};
use crate::api::{ApiError, ApiResult, Path, ok, query_get, query_pairs};
use crate::auth::ClientAuth;
use crate::clock::rfc3339;
use crate::db::Tx;
use crate::model::{self, Registration};
use crate::openapi::{Schemas, Spec};
use crate::routes::Route;
use crate::server::AppState;

/// The dashboard's routes, as listed in [`crate::ROUTES`].
pub(crate) fn handler_for(route: &Route) -> Option<MethodRouter<AppState>> {
    Some(match (route.method, route.path) {
        ("GET", "/sandbox/changes") => get(changes),
        ("GET", "/sandbox/registrations") => get(list),
        ("GET", "/sandbox/registrations/{id}") => get(detail),
        ("GET", "/sandbox/projects") => get(projects),
        ("GET", "/sandbox/outbox/recent") => get(outbox_recent),
        _ => return None,
    })
}

/// The `/openapi.json` description of the dashboard's routes.
pub(crate) fn spec(route: &Route, s: &mut Schemas) -> Option<Spec> {
    let mut sp = Spec::new();
    match (route.method, route.path) {
        ("GET", "/sandbox/changes") => {
            sp.id = "dashboardChanges";
            sp.response = Some(s.data::<Changes>());
        }
        ("GET", "/sandbox/registrations") => {
            sp.id = "dashboardRegistrations";
            sp.response = Some(s.data::<RegistrationList>());
            sp.query = &[
                ("status", false),
                ("project", false),
                ("flow", false),
                ("limit", false),
            ];
        }
        ("GET", "/sandbox/registrations/{id}") => {
            sp.id = "dashboardRegistration";
            sp.response = Some(s.data::<RegistrationDetail>());
        }
        ("GET", "/sandbox/projects") => {
            sp.id = "dashboardProjects";
            sp.response = Some(s.data_list::<ProjectView>());
        }
        ("GET", "/sandbox/outbox/recent") => {
            sp.id = "dashboardOutbox";
            sp.response = Some(s.data_list::<OutboxItem>());
        }
        _ => return None,
    }
    Some(sp)
}

/// `{"seq": n}`: a counter that moves whenever the sandbox's database changes.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Changes {
    /// Changes made since the server started (compare for inequality only).
    seq: u64,
}

/// One registration in the list (contact data masked).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RegistrationRow {
    id: String,
    project: String,
    project_flow: String,
    status: String,
    current_step: String,
    /// Masked (`a***@example.com`).
    email: Option<String>,
    /// Masked (`+57 ********67`).
    phone: Option<String>,
    created_at: String,
    updated_at: String,
}

impl RegistrationRow {
    fn of(reg: &Registration) -> Self {
        Self {
            id: reg.id.clone(),
            project: reg.project.clone(),
            project_flow: reg.project_flow.clone(),
            status: reg.status.clone(),
            current_step: reg.current_step.clone(),
            email: reg.email.as_deref().map(mask_email),
            phone: reg
                .phone
                .as_deref()
                .map(|p| mask_phone(reg.country_code.as_deref().unwrap_or(""), p)),
            created_at: reg.created_at.clone(),
            updated_at: reg.updated_at.clone(),
        }
    }
}

/// Registrations, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RegistrationList {
    /// How many match the filters.
    total: u64,
    items: Vec<RegistrationRow>,
}

/// One step of a registration's trail.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Step {
    /// `registration`, `email`, `phone`, `document`, `liveness`, `compare`, `background`, `end`.
    step: String,
    /// The step's status (`NOT_STARTED` before it began).
    status: String,
    attempts: Option<u32>,
    score: Option<f64>,
    min_score: Option<f64>,
    passed: Option<bool>,
    started_at: Option<String>,
    updated_at: Option<String>,
    /// A short note (channel, document type, …).
    detail: Option<String>,
}

impl Step {
    fn new(step: &str, status: impl Into<String>) -> Self {
        Self {
            step: step.to_owned(),
            status: status.into(),
            attempts: None,
            score: None,
            min_score: None,
            passed: None,
            started_at: None,
            updated_at: None,
            detail: None,
        }
    }
}

/// A stored image of a registration (fetch `url` with the client token).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ImageInfo {
    id: String,
    /// `selfie`, `documentFront`, `documentBack`, `documentFace` or `image`.
    kind: String,
    /// Same-origin path (`/sandbox/images/<file>`).
    url: String,
    mime: String,
    created_at: String,
}

/// One webhook event of a registration and its delivery.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WebhookDelivery {
    id: i64,
    /// `onboarding_…`.
    event: String,
    /// `pending`, `retrying`, `delivered` or `failed`.
    state: String,
    attempts: i64,
    /// The HTTP status of the last attempt, if the receiver answered.
    http_status: Option<i64>,
    /// Why the last attempt got no answer.
    error: Option<String>,
    /// The body sent (contact data masked).
    #[schema(value_type = Object)]
    payload: Value,
    created_at: String,
    updated_at: String,
}

/// A registration with its step trail, stored objects, images and webhook deliveries.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RegistrationDetail {
    registration: RegistrationRow,
    steps: Vec<Step>,
    images: Vec<ImageInfo>,
    /// The document validation (OCR fields, name validation), as `GET
    /// /v2/app-registrations/{id}?populates[]=documentValidation` shows it.
    #[schema(value_type = Option<Object>)]
    document: Option<Value>,
    #[schema(value_type = Option<Object>)]
    liveness: Option<Value>,
    #[schema(value_type = Option<Object>)]
    compare: Option<Value>,
    /// The information validation (background / criminal check).
    #[schema(value_type = Option<Object>)]
    background_check: Option<Value>,
    webhooks: Vec<WebhookDelivery>,
}

/// A flow and its steps' modes.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FlowView {
    id: String,
    name: Option<String>,
    status: String,
    /// Step name → `mandatory`, `optional` or `skip`.
    steps: BTreeMap<String, String>,
    /// Document `validationMethod`, liveness `searchMode` and the score thresholds.
    #[schema(value_type = Object)]
    modes: Value,
    has_webhook: bool,
    created_at: Option<String>,
}

/// A project and its flows.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProjectView {
    id: String,
    name: String,
    status: Option<String>,
    created_at: Option<String>,
    flows: Vec<FlowView>,
}

/// One code of the dev OTP outbox (target masked).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OutboxItem {
    channel: String,
    /// Masked target.
    to: String,
    code: String,
    registration: String,
    created_at: String,
    expires_at: String,
}

fn bad(problem: &str) -> ApiError {
    ApiError::missing(&[problem])
}

/// `GET /sandbox/changes`.
async fn changes(State(state): State<AppState>, _auth: ClientAuth) -> ApiResult {
    let seq = state.db.read(|c| Ok(c.total_changes())).await?;
    Ok(ok(Changes { seq }))
}

/// A filter value: absent or empty is no filter; longer than 100 characters is refused.
fn filter(pairs: &[(String, String)], key: &str) -> Result<Option<String>, ApiError> {
    match query_get(pairs, key).map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) if v.chars().count() > 100 => Err(bad(&format!("invalid {key}"))),
        Some(v) => Ok(Some(v.to_owned())),
    }
}

/// `GET /sandbox/registrations?status=&project=&flow=&limit=`.
async fn list(
    State(state): State<AppState>,
    _auth: ClientAuth,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let pairs = query_pairs(q.as_deref());
    let status = filter(&pairs, "status")?.map(|s| s.to_ascii_uppercase());
    let project = filter(&pairs, "project")?;
    let flow = filter(&pairs, "flow")?;
    let limit = match query_get(&pairs, "limit") {
        None | Some("") => 100,
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (1..=500).contains(&n) => n,
            _ => return Err(bad("invalid limit")),
        },
    };
    let now = state.now_ms();
    let data = state
        .db
        .tx(now, &state.out, move |tx| {
            let cond = "(?1 IS NULL OR project_id = ?1) AND (?2 IS NULL OR flow_id = ?2)
                        AND (?3 IS NULL OR json_extract(doc, '$.status') = ?3)";
            let total: i64 = tx.sql.query_row(
                &format!("SELECT COUNT(*) FROM app_registrations WHERE {cond}"),
                params![project, flow, status],
                |r| r.get(0),
            )?;
            let mut st = tx.sql.prepare(&format!(
                "SELECT doc FROM app_registrations WHERE {cond}
                 ORDER BY created_at DESC, rowid DESC LIMIT ?4"
            ))?;
            let docs = st
                .query_map(params![project, flow, status, limit], |r| {
                    r.get::<_, String>(0)
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let items = docs
                .iter()
                .map(|d| serde_json::from_str::<Registration>(d).map(|r| RegistrationRow::of(&r)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(RegistrationList {
                total: u64::try_from(total).unwrap_or(0),
                items,
            })
        })
        .await?;
    Ok(ok(data))
}

/// Masks `email`, `recipientEmail` and `phone` strings at any depth of a webhook body.
fn mask_contacts(v: &mut Value) {
    match v {
        Value::Object(map) => {
            let cc = map
                .get("countryCode")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            for (k, val) in map.iter_mut() {
                match (k.as_str(), &*val) {
                    ("email" | "recipientEmail", Value::String(s)) => {
                        *val = Value::String(mask_email(s));
                    }
                    ("phone", Value::String(s)) => *val = Value::String(mask_phone(&cc, s)),
                    _ => mask_contacts(val),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_contacts),
        _ => {}
    }
}

fn str_of(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(|x| match x {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    })
}

fn f64_of(v: &Value, key: &str) -> Option<f64> {
    v.get(key).and_then(Value::as_f64)
}

/// The OTP validations of a registration: `(kind, channel, status, attempts, created, last sent)`.
type OtpRow = (String, String, String, i64, i64, i64);

fn otp_rows(tx: &Tx<'_>, id: &str) -> Result<Vec<OtpRow>, ApiError> {
    let mut st = tx.sql.prepare(
        "SELECT kind, channel, status, attempts, created_at, last_sent_at FROM otp_validations
         WHERE registration_id = ?1 ORDER BY created_at, rowid",
    )?;
    let rows = st
        .query_map([id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

fn otp_step(kind: &str, present: bool, validated: bool, rows: &[OtpRow]) -> Option<Step> {
    let mine: Vec<&OtpRow> = rows.iter().filter(|r| r.0 == kind).collect();
    if !present && mine.is_empty() {
        return None;
    }
    let mut step = Step::new(
        kind,
        if validated {
            "VALIDATED"
        } else {
            "NOT_STARTED"
        },
    );
    if let Some(last) = mine.last() {
        if !validated {
            step.status = last.2.to_ascii_uppercase();
        }
        step.attempts = u32::try_from(mine.iter().map(|r| r.3).sum::<i64>()).ok();
        step.started_at = mine.first().map(|r| rfc3339(r.4));
        step.updated_at = Some(rfc3339(last.5));
        step.detail = Some(format!("by {}", last.1));
    }
    Some(step)
}

fn object_step(step: &str, obj: Option<&Value>, offered: bool) -> Option<Step> {
    let Some(obj) = obj else {
        return offered.then(|| Step::new(step, "NOT_STARTED"));
    };
    let mut s = Step::new(
        step,
        str_of(obj, "status").unwrap_or_else(|| "CREATED".into()),
    );
    s.started_at = str_of(obj, "createdAt");
    s.updated_at = str_of(obj, "updatedAt").or_else(|| s.started_at.clone());
    Some(s)
}

fn images(
    tx: &Tx<'_>,
    reg: &Registration,
    document: Option<&Value>,
) -> Result<Vec<ImageInfo>, ApiError> {
    let mut st = tx.sql.prepare(
        "SELECT id, file, mime, created_at FROM images WHERE registration_id = ?1
         ORDER BY created_at, rowid",
    )?;
    let rows = st
        .query_map([&reg.id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let doc_id = |key: &str, id: &str| {
        document
            .and_then(|d| d.get(key))
            .and_then(Value::as_str)
            .is_some_and(|v| v == id)
    };
    Ok(rows
        .into_iter()
        .map(|(id, file, mime, created)| {
            // Without an uploaded face crop the front side is also the document face: the
            // more specific role is named first.
            let kind = if reg.face.as_deref() == Some(id.as_str()) {
                "selfie"
            } else if doc_id("frontImage", &id) {
                "documentFront"
            } else if doc_id("backImage", &id) {
                "documentBack"
            } else if reg.document_face.as_deref() == Some(id.as_str()) {
                "documentFace"
            } else {
                "image"
            };
            ImageInfo {
                id,
                kind: kind.to_owned(),
                url: format!("/sandbox/images/{file}"),
                mime,
                created_at: rfc3339(created),
            }
        })
        .collect())
}

fn build_detail(tx: &Tx<'_>, id: &str) -> Result<RegistrationDetail, ApiError> {
    let reg = model::load_registration(tx, id)?;
    let flow = model::load_flow(tx, &reg.project_flow).ok();
    let offered = |name: &str| {
        flow.as_ref()
            .is_some_and(|f| f.step(name) != StepSetting::Skip)
    };
    let document: Option<Value> =
        model::obj_load(tx, model::DOCUMENT, reg.document_validation.as_deref())?;
    let liveness: Option<Value> =
        model::obj_load(tx, model::BIOMETRIC, reg.biometric_validation.as_deref())?;
    let compare: Option<Value> =
        model::obj_load(tx, model::COMPARE, reg.compare_face_verification.as_deref())?;
    let background: Option<Value> =
        model::obj_load(tx, model::INFORMATION, Some(&reg.information_validation))?;

    let mut steps = Vec::new();
    let mut first = Step::new("registration", "CREATED");
    first.started_at = Some(reg.created_at.clone());
    first.updated_at = Some(reg.created_at.clone());
    first.detail = Some(format!("flow {}", reg.project_flow));
    steps.push(first);
    let otps = otp_rows(tx, &reg.id)?;
    steps.extend(otp_step(
        "email",
        reg.email.is_some(),
        reg.email_validated,
        &otps,
    ));
    steps.extend(otp_step(
        "phone",
        reg.phone.is_some(),
        reg.phone_validated,
        &otps,
    ));
    if let Some(mut s) = object_step("document", document.as_ref(), offered("document")) {
        if let Some(d) = &document {
            s.attempts = Some(reg.document_attempts);
            s.detail = str_of(d, "documentType").map(|t| format!("type {t}"));
        }
        steps.push(s);
    }
    if let Some(mut s) = object_step("liveness", liveness.as_ref(), offered("liveness")) {
        if let Some(b) = &liveness {
            s.attempts = Some(reg.liveness_attempts);
            s.score = f64_of(b, "livenessScore");
            s.min_score = f64_of(b, "livenessMinScore");
            s.passed = b.get("passed").and_then(Value::as_bool);
        }
        steps.push(s);
    }
    let compare_offered = offered("document") && offered("liveness");
    if let Some(mut s) = object_step("compare", compare.as_ref(), compare_offered) {
        if let Some(result) = compare.as_ref().and_then(|c| c.get("result")) {
            s.score = f64_of(result, "score");
            s.min_score = f64_of(result, "compareMinScore");
            s.passed = result.get("passed").and_then(Value::as_bool);
        }
        steps.push(s);
    }
    if let Some(info) = &background {
        let status = str_of(info, "status").unwrap_or_default();
        if !status.eq_ignore_ascii_case("pending") || info.get("criminalData").is_some() {
            let mut s = Step::new("background", status);
            s.started_at = str_of(info, "createdAt");
            s.updated_at = str_of(info, "updatedAt");
            steps.push(s);
        }
    }
    let mut end = Step::new(
        "end",
        if reg.is_terminal() {
            reg.status.clone()
        } else {
            "NOT_STARTED".to_owned()
        },
    );
    if reg.is_terminal() {
        end.updated_at = Some(reg.updated_at.clone());
    }
    steps.push(end);

    let images = images(tx, &reg, document.as_ref())?;
    let webhooks = webhook_log::of_registration(&tx.sql, &reg.id)?
        .into_iter()
        .map(|w| {
            let mut payload = serde_json::from_str(&w.body).unwrap_or(Value::Null);
            mask_contacts(&mut payload);
            WebhookDelivery {
                id: w.id,
                event: w.event,
                state: w.state,
                attempts: w.attempts,
                http_status: w.http_status,
                error: w.error,
                payload,
                created_at: rfc3339(w.created_at),
                updated_at: rfc3339(w.updated_at),
            }
        })
        .collect();
    Ok(RegistrationDetail {
        registration: RegistrationRow::of(&reg),
        steps,
        images,
        document,
        liveness,
        compare,
        background_check: background,
        webhooks,
    })
}

/// `GET /sandbox/registrations/{id}`.
async fn detail(
    State(state): State<AppState>,
    _auth: ClientAuth,
    Path(id): Path<String>,
) -> ApiResult {
    let now = state.now_ms();
    let data = state
        .db
        .tx(now, &state.out, move |tx| build_detail(tx, &id))
        .await?;
    Ok(ok(data))
}

/// `GET /sandbox/projects`.
async fn projects(State(state): State<AppState>, _auth: ClientAuth) -> ApiResult {
    let now = state.now_ms();
    let data = state
        .db
        .tx(now, &state.out, move |tx| {
            let docs = |sql: &str| -> Result<Vec<String>, ApiError> {
                let mut st = tx.sql.prepare(sql)?;
                let rows = st
                    .query_map([], |r| r.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(rows)
            };
            let mut flows: BTreeMap<String, Vec<FlowView>> = BTreeMap::new();
            for doc in docs("SELECT doc FROM project_flows ORDER BY created_at, rowid")? {
                let flow = model::Flow::from_doc(serde_json::from_str(&doc)?);
                let steps = [
                    "signUpForm",
                    "basicInformation",
                    "document",
                    "liveness",
                    "form",
                ]
                .iter()
                .map(|n| ((*n).to_owned(), flow.step(n).as_str().to_owned()))
                .collect();
                let modes = serde_json::json!({
                    "documentValidationMethod": flow.validation_method(),
                    "livenessSearchMode": flow.search_mode(),
                    "livenessMinScore": flow.liveness_min_score(),
                    "compareMinScore": flow.compare_min_score(),
                    "documentMaxAttempts": flow.document_max_attempts(),
                    "livenessMaxAttempts": flow.liveness_max_attempts(),
                });
                flows
                    .entry(flow.project().to_owned())
                    .or_default()
                    .push(FlowView {
                        id: flow.id().to_owned(),
                        name: flow.doc.name.clone(),
                        status: flow.status().to_owned(),
                        steps,
                        modes,
                        has_webhook: flow.webhook_url().is_some(),
                        created_at: flow.doc.created_at.clone(),
                    });
            }
            let mut out = Vec::new();
            for doc in docs("SELECT doc FROM projects ORDER BY created_at DESC, rowid DESC")? {
                let p: smart_enroll_api::Project = serde_json::from_str(&doc)?;
                out.push(ProjectView {
                    flows: flows.remove(&p.id).unwrap_or_default(),
                    id: p.id,
                    name: p.name,
                    status: p.status,
                    created_at: p.created_at,
                });
            }
            Ok(out)
        })
        .await?;
    Ok(ok(data))
}

/// `GET /sandbox/outbox/recent` (only with `--dev`; client token): the latest 50 codes sent.
async fn outbox_recent(
    State(state): State<AppState>,
    auth: Result<ClientAuth, ApiError>,
) -> ApiResult {
    if !state.dev {
        return Err(ApiError::named(
            StatusCode::NOT_FOUND,
            "NotFound",
            "route_not_found",
        ));
    }
    auth?;
    let now = state.now_ms();
    let otp_key = state.otp_key.clone();
    let items = state
        .db
        .tx(now, &state.out, move |tx| {
            let mut st = tx.sql.prepare(
                "SELECT s.channel, s.to_addr, s.created_at, v.expires_at, v.seed,
                        v.registration_id, json_extract(r.doc, '$.countryCode'),
                        json_extract(r.doc, '$.phone')
                 FROM otp_sends s
                 JOIN otp_validations v ON v.id = s.validation_id
                 JOIN app_registrations r ON r.id = v.registration_id
                 ORDER BY s.id DESC LIMIT 50",
            )?;
            let rows = st
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, Vec<u8>>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, Option<String>>(6)?,
                        r.get::<_, Option<String>>(7)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows
                .into_iter()
                .map(
                    |(channel, to, created, expires, seed, registration, cc, phone)| {
                        let to = if to.contains('@') {
                            mask_email(&to)
                        } else {
                            match (cc, phone) {
                                (Some(cc), Some(p)) => mask_phone(&cc, &p),
                                _ => mask_phone("", &to),
                            }
                        };
                        OutboxItem {
                            channel,
                            to,
                            code: crate::otp::code(&otp_key, &seed).0,
                            registration,
                            created_at: rfc3339(created),
                            expires_at: rfc3339(expires),
                        }
                    },
                )
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(ok(items))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn webhook_payloads_are_masked_at_any_depth() {
        let mut v = json!({"type": "t", "object": {"appRegistration": {
            "email": "jane.doe@example.com", "phone": "3001234567", "countryCode": "+57"},
            "list": [{"recipientEmail": "bob@example.org"}]}});
        mask_contacts(&mut v);
        let text = v.to_string();
        assert!(
            !text.contains("jane.doe") && !text.contains("3001234567") && !text.contains("bob@")
        );
        assert_eq!(v["object"]["appRegistration"]["email"], "j***@example.com");
        assert_eq!(v["object"]["appRegistration"]["phone"], "+57 ********67");
        assert_eq!(v["object"]["list"][0]["recipientEmail"], "b***@example.org");
    }
}
