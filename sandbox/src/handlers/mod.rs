//! Request handlers, one module per API area.

pub(crate) mod biometrics;
pub(crate) mod documents;
pub(crate) mod gate;
pub(crate) mod misc;
pub(crate) mod otp;
pub(crate) mod projects;
pub(crate) mod registrations;
pub(crate) mod sync;

use serde::Serialize;
use smart_enroll_api::{
    AppRegistration, CompareFaceVerification, IdOr, NameValidationResult, OtpStatus, OtpValidation,
    POPULATABLE, Secret,
};

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

/// Public view of an OTP validation (never the code).
pub(crate) fn otp_public(
    tx: &Tx<'_>,
    id: &str,
    kind: &str,
) -> Result<Option<OtpValidation>, ApiError> {
    Ok(crate::otp::by_id(tx, id, kind)?.map(|r| {
        let contact = Some(Secret::new(r.contact.clone()));
        OtpValidation {
            id: r.id,
            status: Some(OtpStatus::parse(&r.status)),
            validation_method: Some("verificationCode".into()),
            channel: Some(r.channel),
            email: if kind == "email" {
                contact.clone()
            } else {
                None
            },
            phone: if kind == "phone" { contact } else { None },
            attempts: u32::try_from(r.attempts).ok(),
            expires_at: Some(rfc3339(r.expires_at)),
        }
    }))
}

/// Replaces an id reference by its object (left as the id when the object is gone).
fn expand<T>(slot: &mut Option<IdOr<T>>, found: Option<T>) {
    if let (Some(IdOr::Id(_)), Some(obj)) = (slot.as_ref(), found) {
        *slot = Some(IdOr::Object(Box::new(obj)));
    }
}

/// A registration with the requested references expanded (`populates[]`). Names that the
/// sandbox never stores (`cryptoValidation`, `signature`, …) are accepted and ignored.
pub(crate) fn populated(
    tx: &Tx<'_>,
    base_url: &str,
    reg: &Registration,
    names: &[String],
) -> Result<AppRegistration, ApiError> {
    let mut out = reg.to_wire();
    let has = |n: &str| names.iter().any(|x| x == n);
    if has("project") {
        expand(
            &mut out.project,
            Some(model::load_project(tx, &reg.project)?),
        );
    }
    if has("projectFlow") {
        expand(
            &mut out.project_flow,
            Some(model::load_flow_doc(tx, &reg.project_flow)?),
        );
    }
    if has("emailValidation")
        && let Some(id) = &reg.email_validation
    {
        expand(&mut out.email_validation, otp_public(tx, id, "email")?);
    }
    if has("phoneValidation")
        && let Some(id) = &reg.phone_validation
    {
        expand(&mut out.phone_validation, otp_public(tx, id, "phone")?);
    }
    if has("documentValidation") {
        let doc = model::obj_load(tx, model::DOCUMENT, reg.document_validation.as_deref())?;
        expand(&mut out.document_validation, doc);
    }
    if has("biometricValidation") {
        let bio = model::obj_load(tx, model::BIOMETRIC, reg.biometric_validation.as_deref())?;
        expand(&mut out.biometric_validation, bio);
    }
    if has("informationValidation") {
        let info = model::obj_load(tx, model::INFORMATION, Some(&reg.information_validation))?;
        expand(&mut out.information_validation, info);
    }
    if has("person") {
        expand(
            &mut out.person,
            model::obj_load(tx, model::PERSON, reg.person.as_deref())?,
        );
    }
    if has("compareFaceVerification") {
        let cmp = model::obj_load(tx, model::COMPARE, reg.compare_face_verification.as_deref())?;
        expand(&mut out.compare_face_verification, cmp);
    }
    for (name, id, slot) in [
        ("face", &reg.face, &mut out.face),
        ("documentFace", &reg.document_face, &mut out.document_face),
    ] {
        if has(name)
            && let Some(id) = id
        {
            let img = model::image_file(tx, id)?.map(|file| model::image_ref(base_url, id, &file));
            expand(slot, img);
        }
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

/// Checks `populates` names (already split on commas) against [`POPULATABLE`].
pub(crate) fn check_populates(names: Vec<String>) -> Result<Vec<String>, ApiError> {
    let bad: Vec<String> = names
        .iter()
        .filter(|n| !POPULATABLE.contains(&n.as_str()))
        .map(|n| format!("invalid populates: {n}"))
        .collect();
    if bad.is_empty() {
        Ok(names
            .into_iter()
            .map(|n| {
                if n == "formSubmittion" {
                    "formSubmission".into()
                } else {
                    n
                }
            })
            .collect())
    } else {
        Err(ApiError::missing(&bad))
    }
}

/// `populates` from query pairs (`populates[]=a&populates[]=b` or `populates=a,b`).
pub(crate) fn populates_from_query(pairs: &[(String, String)]) -> Result<Vec<String>, ApiError> {
    let names = pairs
        .iter()
        .filter(|(k, _)| k == "populates" || k == "populates[]")
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect();
    check_populates(names)
}

/// A registration summary for webhook objects (ids, status and contact).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RegEvent {
    #[serde(rename = "_id")]
    id: String,
    project: String,
    project_flow: String,
    status: String,
    current_step: String,
    email: Option<Secret>,
    phone: Option<Secret>,
    country_code: Option<String>,
}

pub(crate) fn reg_event(reg: &Registration) -> RegEvent {
    RegEvent {
        id: reg.id.clone(),
        project: reg.project.clone(),
        project_flow: reg.project_flow.clone(),
        status: reg.status.clone(),
        current_step: reg.current_step.clone(),
        email: reg.email.clone().map(Secret::new),
        phone: reg.phone.clone().map(Secret::new),
        country_code: reg.country_code.clone(),
    }
}

/// The `object` of a webhook event: whichever of these fields the event carries.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EventObject {
    #[serde(rename = "_id", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liveness_score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liveness_min_score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempt: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_validation: Option<NameValidationResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compare_face_verification: Option<CompareFaceVerification>,
    pub app_registration: Option<RegEvent>,
}
