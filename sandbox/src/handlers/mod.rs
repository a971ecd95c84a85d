//! Request handlers, one module per API area.

pub(crate) mod biometrics;
pub(crate) mod documents;
pub(crate) mod misc;
pub(crate) mod otp;
pub(crate) mod projects;
pub(crate) mod registrations;
pub(crate) mod sync;

use serde_json::{Value, json};

use crate::api::ApiError;
use crate::auth::Claims;
use crate::clock::rfc3339;
use crate::db::Tx;
use crate::model::{self, Registration};

/// The token's registration; 403 when `path_id` names another one.
pub(crate) fn own_registration(
    tx: &Tx<'_>,
    claims: &Claims,
    path_id: Option<&str>,
) -> Result<Registration, ApiError> {
    if path_id.is_some_and(|id| id != claims.app_registration_id) {
        return Err(ApiError::forbidden());
    }
    model::load_registration(tx, &claims.app_registration_id)
}

/// The fields `populates[]` may expand.
pub(crate) const POPULATABLE: &[&str] = &[
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

/// Public view of an OTP validation (never the code).
pub(crate) fn otp_public(tx: &Tx<'_>, id: &str, kind: &str) -> Result<Value, ApiError> {
    Ok(match crate::otp::by_id(tx, id, kind)? {
        Some(r) => json!({
            "_id": r.id,
            "status": r.status,
            "validationMethod": "verificationCode",
            "channel": r.channel,
            kind: r.contact,
            "attempts": r.attempts,
            "expiresAt": rfc3339(r.expires_at),
        }),
        None => Value::Null,
    })
}

/// A registration as JSON with the requested references expanded.
pub(crate) fn populated(
    tx: &Tx<'_>,
    base_url: &str,
    reg: &Registration,
    names: &[String],
) -> Result<Value, ApiError> {
    let mut out = reg.to_value()?;
    for name in names {
        let name = if name == "formSubmittion" {
            "formSubmission"
        } else {
            name.as_str()
        };
        let id = match out.get(name) {
            Some(Value::String(s)) => s.clone(),
            _ => {
                if POPULATABLE.contains(&name) && out.get(name).is_none() {
                    out[name] = Value::Null;
                }
                continue;
            }
        };
        let value = match name {
            "project" => model::load_project(tx, &id)?,
            "projectFlow" => model::load_flow_doc(tx, &id)?,
            "emailValidation" => otp_public(tx, &id, "email")?,
            "phoneValidation" => otp_public(tx, &id, "phone")?,
            "documentValidation"
            | "biometricValidation"
            | "informationValidation"
            | "person"
            | "compareFaceVerification" => model::obj_get(tx, name, &id)?
                .map(|(_, d)| d)
                .unwrap_or(Value::Null),
            "face" | "documentFace" => match model::image_file(tx, &id)? {
                Some(file) => model::image_ref(base_url, &id, &file),
                None => Value::Null,
            },
            _ => continue,
        };
        out[name] = value;
    }
    Ok(out)
}

/// Signs a registrant token for `reg` at `step`, valid `ttl_secs` from `now_ms`.
pub(crate) fn issue_token(
    key: &[u8],
    reg: &Registration,
    step: &str,
    now_ms: i64,
    ttl_secs: i64,
) -> Result<(String, i64), ApiError> {
    let iat = now_ms / 1000;
    let claims = Claims {
        app_registration_id: reg.id.clone(),
        project: reg.project.clone(),
        project_flow: reg.project_flow.clone(),
        step: step.to_owned(),
        access_type: crate::auth::REGISTRANT_ACCESS.to_owned(),
        iat,
        exp: iat + ttl_secs,
    };
    Ok((crate::auth::sign(key, &claims)?, iat + ttl_secs))
}

/// Parses `populates[]=a&populates[]=b` / `populates=a,b` (query) or a JSON list/string.
pub(crate) fn parse_populates(values: &[Value]) -> Result<Vec<String>, ApiError> {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for v in values {
        let Some(s) = v.as_str() else {
            bad.push("invalid populates".to_owned());
            continue;
        };
        for name in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            if POPULATABLE.contains(&name) {
                out.push(name.to_owned());
            } else {
                bad.push(format!("invalid populates: {name}"));
            }
        }
    }
    if bad.is_empty() {
        Ok(out)
    } else {
        Err(ApiError::missing(&bad))
    }
}

/// `populates` from query pairs.
pub(crate) fn populates_from_query(pairs: &[(String, String)]) -> Result<Vec<String>, ApiError> {
    let values: Vec<Value> = pairs
        .iter()
        .filter(|(k, _)| k == "populates" || k == "populates[]")
        .map(|(_, v)| Value::String(v.clone()))
        .collect();
    parse_populates(&values)
}

/// A registration summary for webhook objects (ids and status only).
pub(crate) fn reg_event(reg: &Registration) -> Value {
    json!({
        "_id": reg.id,
        "project": reg.project,
        "projectFlow": reg.project_flow,
        "status": reg.status,
        "currentStep": reg.current_step,
        "email": reg.email,
        "phone": reg.phone,
        "countryCode": reg.country_code,
    })
}
