//! `PUT|POST /v2/app-registrations/{id}/sync {step, status}`: the step/status table (§5.4),
//! the skipKYC rule and the completeness check on `end` (§11).

use axum::extract::State;
use axum::http::StatusCode;
use smart_enroll_api::{
    BiometricValidation, CompareFaceVerification, CompareStatus, DocumentStatus,
    DocumentValidation, InformationStatus, InformationValidation, RegistrationStatus, Secret,
    StepSetting, SyncRequest, SyncResponse,
};

use super::{issue_token, own_registration, reg_event};
use crate::api::{ApiError, ApiResult, Body, Path, Problems};
use crate::auth::{REGISTRANT_TTL_SECS, Registrant};
use crate::db::Tx;
use crate::model::{self, Flow, Registration};
use crate::server::AppState;
use crate::triggers::Triggers;

const ONGOING_STEPS: &[&str] = &[
    "instructions",
    "signUpForm",
    "basicInformation",
    "document",
    "liveness",
    "form",
];

fn conflict(token: &str) -> ApiError {
    ApiError::token(StatusCode::CONFLICT, token)
}

fn sign_up_required(reg: &Registration, flow: &Flow) -> Result<(), ApiError> {
    if reg.sign_up_passed(flow) {
        Ok(())
    } else {
        Err(conflict("signUpForm_validation_not_passed"))
    }
}

fn skip_kyc_allowed(reg: &Registration, flow: &Flow) -> Result<(), ApiError> {
    if flow.kyc_mandatory() {
        return Err(conflict("kyc_steps_are_mandatory"));
    }
    sign_up_required(reg, flow)
}

fn document_status(tx: &Tx<'_>, reg: &Registration) -> Result<Option<DocumentStatus>, ApiError> {
    let doc: Option<DocumentValidation> =
        model::obj_load(tx, model::DOCUMENT, reg.document_validation.as_deref())?;
    Ok(doc.and_then(|d| d.status))
}

/// Checks every mandatory step; returns the first one not done.
fn first_incomplete(
    tx: &Tx<'_>,
    reg: &Registration,
    flow: &Flow,
) -> Result<Option<&'static str>, ApiError> {
    for step in [
        "signUpForm",
        "basicInformation",
        "document",
        "liveness",
        "form",
    ] {
        if flow.step(step) != StepSetting::Mandatory {
            continue;
        }
        let done = match step {
            "signUpForm" => reg.sign_up_passed(flow),
            "document" => matches!(
                document_status(tx, reg)?,
                Some(DocumentStatus::Active | DocumentStatus::NeedsManualVerification)
            ),
            "liveness" => reg.person.is_some(),
            other => reg.steps_done.iter().any(|s| s == other),
        };
        if !done {
            return Ok(Some(step));
        }
    }
    Ok(None)
}

/// Whether a stored result speaks against completing: a failed face compare, a liveness score
/// under the flow's threshold, or a criminal-record hit. `end COMPLETED` then stores
/// `NEEDS_MANUAL_VERIFICATION` (sandbox-defined).
fn contrary_evidence(tx: &Tx<'_>, reg: &Registration, flow: &Flow) -> Result<bool, ApiError> {
    let cmp: Option<CompareFaceVerification> =
        model::obj_load(tx, model::COMPARE, reg.compare_face_verification.as_deref())?;
    let compare_failed = cmp
        .is_some_and(|c| c.result.passed == Some(false) || c.status == Some(CompareStatus::Failed));
    let bio: Option<BiometricValidation> =
        model::obj_load(tx, model::BIOMETRIC, reg.biometric_validation.as_deref())?;
    let liveness_low = bio.is_some_and(|b| {
        b.passed == Some(false)
            || b.liveness_score
                .is_some_and(|s| s <= flow.liveness_min_score())
    });
    let info: Option<InformationValidation> =
        model::obj_load(tx, model::INFORMATION, Some(&reg.information_validation))?;
    let criminal_hit = info.is_some_and(|i| {
        i.status == Some(InformationStatus::Failed)
            || i.criminal_data.is_some_and(|d| !d.found_keys.is_empty())
    });
    Ok(compare_failed || liveness_low || criminal_hit)
}

/// `PUT|POST /v2/app-registrations/{id}/sync`.
pub(crate) async fn sync(
    State(state): State<AppState>,
    Registrant(claims): Registrant,
    Path(id): Path<String>,
    Body {
        value: body,
        invalid,
    }: Body<SyncRequest>,
) -> ApiResult {
    let mut f = Problems::new(&invalid);
    let step = body.step.as_str().trim().to_owned();
    let status = body.status.as_str().trim().to_ascii_uppercase();
    f.required("step", !step.is_empty());
    f.required("status", !status.is_empty());
    f.finish()?;
    let now = state.now_ms();
    let st = state.clone();
    state
        .db
        .tx_ok(now, &state.out, move |tx| {
            let mut reg = own_registration(tx, &claims, Some(&id))?;
            let flow = model::load_flow(tx, &reg.project_flow)?;
            if reg.is_terminal() {
                return Err(ApiError::not_ongoing());
            }
            let bad_status = || ApiError::missing(&["invalid status"]);
            let triggers = Triggers::from_email(reg.email.as_deref());
            let mut event: Option<&str> = None;
            match step.as_str() {
                "skipKYC" => {
                    if status != "COMPLETED_WITHOUT_KYC" {
                        return Err(bad_status());
                    }
                    skip_kyc_allowed(&reg, &flow)?;
                    reg.status = "COMPLETED_WITHOUT_KYC".into();
                    event = Some("app_registration_completed_without_kyc");
                }
                s if ONGOING_STEPS.contains(&s) => {
                    if status != "ONGOING" {
                        return Err(bad_status());
                    }
                    if s != "instructions" {
                        sign_up_required(&reg, &flow)?;
                    }
                    reg.status = "ONGOING".into();
                    if !reg.steps_done.iter().any(|d| d == s) {
                        reg.steps_done.push(s.to_owned());
                    }
                    event = match s {
                        "signUpForm" => Some("app_registration_sync_sign_up_form"),
                        "instructions" => Some("app_registration_sync_instructions"),
                        _ => None,
                    };
                }
                "end" => match status.as_str() {
                    "ONGOING" => reg.status = "ONGOING".into(),
                    "COMPLETED" => {
                        if let Some(missing) = first_incomplete(tx, &reg, &flow)? {
                            return Err(conflict(&format!("{missing}_validation_not_passed")));
                        }
                        let review = triggers.manual_review
                            || document_status(tx, &reg)?
                                == Some(DocumentStatus::NeedsManualVerification)
                            || contrary_evidence(tx, &reg, &flow)?;
                        if review {
                            reg.status = "NEEDS_MANUAL_VERIFICATION".into();
                            event = Some("app_registration_needs_manual_verification");
                        } else {
                            reg.status = "COMPLETED".into();
                            event = Some("app_registration_completed");
                        }
                    }
                    "COMPLETED_WITHOUT_KYC" => {
                        skip_kyc_allowed(&reg, &flow)?;
                        reg.status = "COMPLETED_WITHOUT_KYC".into();
                        event = Some("app_registration_completed_without_kyc");
                    }
                    "FAILED" => {
                        reg.status = "FAILED".into();
                        event = Some("app_registration_failed");
                    }
                    "NEEDS_MANUAL_VERIFICATION" => {
                        reg.status = "NEEDS_MANUAL_VERIFICATION".into();
                        event = Some("app_registration_needs_manual_verification");
                    }
                    _ => return Err(bad_status()),
                },
                _ => return Err(conflict("step_not_supported")),
            }
            reg.current_step = step.clone();
            model::save_registration(tx, &mut reg)?;
            if let Some(ev) = event {
                tx.emit(flow.webhook_url(), ev, reg_event(&reg));
            }
            let (token, _) = issue_token(&st.jwt_key, &reg, &step, tx.now, REGISTRANT_TTL_SECS)?;
            Ok(SyncResponse {
                token: Secret::new(token),
                step,
                status: RegistrationStatus::parse(&reg.status),
                app_registration_id: reg.id,
                steps: flow.steps(),
            })
        })
        .await
}
