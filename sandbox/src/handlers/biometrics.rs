//! Selfie liveness with duplicate search, deletion, and document-vs-selfie compare.

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{own_registration, reg_event};
use crate::api::{ApiError, ApiResult, Fields, JsonBody, Path, ok};
use crate::auth::Registrant;
use crate::clock::rfc3339;
use crate::images::{self, round2, unit};
use crate::model::{self, new_id};
use crate::server::AppState;
use crate::triggers::Triggers;

/// `POST /v2/biometric-validations/app-registration {image, os, force?}` (billed).
pub(crate) async fn create(
    State(state): State<AppState>,
    Registrant(claims): Registrant,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let mut f = Fields::new(&body);
    let image = f.req_str("image");
    let os = match f.opt_str("os") {
        Some(os) => {
            let up = os.to_ascii_uppercase();
            if ["DESKTOP", "IOS", "ANDROID"].contains(&up.as_str()) {
                up
            } else {
                f.problem("invalid os");
                String::new()
            }
        }
        None => {
            if body.get("os").is_none_or(Value::is_null) {
                f.problem("missing os");
            }
            String::new()
        }
    };
    let force = f.opt_bool("force").unwrap_or(false);
    f.finish()?;
    let upload = images::store(&state, image).await?;
    let now = state.now_ms();
    let up = upload.clone();
    let result = state
        .db
        .tx(now, &state.out, move |tx| {
            let mut reg = own_registration(tx, &claims, None)?;
            reg.require_status(&["STARTED", "ONGOING"])?;
            let flow = model::load_flow(tx, &reg.project_flow)?;
            if !reg.sign_up_passed(&flow) {
                return Err(ApiError::conflict("signUpForm_validation_not_passed"));
            }
            let triggers = Triggers::from_email(reg.email.as_deref());
            if triggers.no_credits {
                return Err(ApiError::payment_required());
            }
            if reg.person.is_some() && !force {
                return Err(ApiError::conflict("person_already_set"));
            }
            if reg.liveness_attempts >= flow.liveness_max_attempts() {
                return Err(ApiError::max_attempts());
            }
            reg.liveness_attempts += 1;
            let attempt = reg.liveness_attempts;
            let min = flow.liveness_min_score();
            let webhook = flow.webhook_url().map(str::to_owned);
            let fails = triggers.liveness_fail || (triggers.liveness_fail_once && attempt == 1);
            if fails {
                let score = round2(min * 0.5);
                model::save_registration(tx, &mut reg)?;
                tx.emit(
                    webhook.as_deref(),
                    "biometric_validation_liveness_failed",
                    json!({"livenessScore": score, "attempt": attempt,
                        "appRegistration": reg_event(&reg)}),
                );
                tx.emit(
                    webhook.as_deref(),
                    "biometrics_liveness_score_not_acceptable",
                    json!({"livenessScore": score, "livenessMinScore": min,
                        "appRegistration": reg_event(&reg)}),
                );
                return Err(ApiError::named(
                    StatusCode::CONFLICT,
                    "liveness_failed",
                    &format!("liveness_failed@{score}"),
                )
                .persisted());
            }
            // Passing score: strictly above the minimum, deterministic per image.
            let spread = (1.0 - min - 0.01).max(0.0);
            let score =
                round2(min + 0.01 + spread * (0.5 + 0.5 * unit(&up.digest, "liveness"))).min(1.0);
            if triggers.face_exists {
                model::save_registration(tx, &mut reg)?;
                return Err(ApiError::conflict("Face_already_exists").persisted());
            }
            model::insert_image(tx, &up.id, &reg.id, &up.file, up.mime)?;
            let person_id = new_id(tx.now);
            let person = json!({
                "_id": person_id,
                "appRegistration": reg.id,
                "name": reg.full_name,
                "face": up.id,
                "createdAt": rfc3339(tx.now),
            });
            model::obj_insert(tx, "person", &reg.id, &person)?;
            let search_score = round2(flow.search_min_score() * 0.5 * unit(&up.digest, "search"));
            let bio = json!({
                "_id": new_id(tx.now),
                "appRegistration": reg.id,
                "status": "validated",
                "os": os,
                "livenessScore": score,
                "livenessMinScore": min,
                "passed": true,
                "attempt": attempt,
                "person": person_id,
                "face": up.id,
                "url": format!("{}/sandbox/images/{}", "", up.file),
                "search": {"mode": flow.doc["onboardingSettings"]["liveness"]["searchMode"],
                    "minScore": flow.search_min_score(), "bestScore": search_score, "matches": []},
                "createdAt": rfc3339(tx.now),
            });
            model::obj_insert(tx, "biometricValidation", &reg.id, &bio)?;
            reg.biometric_validation = bio["_id"].as_str().map(str::to_owned);
            reg.person = Some(person_id.clone());
            reg.face = Some(up.id.clone());
            reg.compare_face_verification = None;
            if reg.status == "STARTED" {
                reg.status = "ONGOING".into();
            }
            model::save_registration(tx, &mut reg)?;
            tx.emit(
                webhook.as_deref(),
                "biometric_validation_validated",
                json!({"_id": bio["_id"], "livenessScore": score,
                    "appRegistration": reg_event(&reg)}),
            );
            let mut out = reg.to_value()?;
            out["biometricValidation"] = bio;
            out["person"] = json!(person_id);
            Ok(out)
        })
        .await;
    match result {
        Ok(mut out) => {
            if let Some(file) = out["biometricValidation"]["url"].as_str() {
                out["biometricValidation"]["url"] = json!(format!("{}{file}", state.base_url));
            }
            Ok(ok(out))
        }
        Err(e) => {
            images::discard(std::slice::from_ref(&upload)).await;
            Err(e)
        }
    }
}

/// `DELETE /v2/biometric-validations/{id}`.
pub(crate) async fn delete(
    State(state): State<AppState>,
    Registrant(claims): Registrant,
    Path(id): Path<String>,
) -> ApiResult {
    let now = state.now_ms();
    let data = state
        .db
        .tx(now, &state.out, move |tx| {
            let mut reg = own_registration(tx, &claims, None)?;
            let bio = match model::obj_get(tx, "biometricValidation", &id)? {
                None => return Err(ApiError::not_found("biometric_validation_not_found")),
                Some((owner, _)) if owner != reg.id => return Err(ApiError::forbidden()),
                Some((_, b)) => b,
            };
            reg.require_status(&["STARTED", "ONGOING"])?;
            model::obj_delete(tx, &id)?;
            if reg.biometric_validation.as_deref() == Some(id.as_str()) {
                reg.biometric_validation = None;
                if let Some(p) = reg.person.take() {
                    model::obj_delete(tx, &p)?;
                }
                reg.face = None;
                reg.compare_face_verification = None;
                model::save_registration(tx, &mut reg)?;
            }
            Ok(json!({ "_id": bio["_id"], "deleted": true }))
        })
        .await?;
    Ok(ok(data))
}

/// `POST /v2/face-recognition/compare/app-registration` (no body; billed).
pub(crate) async fn compare(
    State(state): State<AppState>,
    Registrant(claims): Registrant,
    JsonBody(_body): JsonBody,
) -> ApiResult {
    let now = state.now_ms();
    let data = state
        .db
        .tx(now, &state.out, move |tx| {
            let mut reg = own_registration(tx, &claims, None)?;
            reg.require_status(&["STARTED", "ONGOING", "NEEDS_MANUAL_VERIFICATION"])?;
            let project = model::load_project(tx, &reg.project)?;
            if project["status"].as_str().is_some_and(|s| s != "active") {
                return Err(ApiError::conflict("Project_not_active"));
            }
            let (Some(doc_face), Some(face)) = (reg.document_face.clone(), reg.face.clone()) else {
                return Err(ApiError::token(
                    StatusCode::CONFLICT,
                    "document_and_selfie_required",
                ));
            };
            let flow = model::load_flow(tx, &reg.project_flow)?;
            let triggers = Triggers::from_email(reg.email.as_deref());
            if triggers.no_credits {
                return Err(ApiError::payment_required());
            }
            let min = flow.compare_min_score();
            let mut seed = [0u8; 32];
            for (i, b) in format!("{doc_face}{face}").bytes().enumerate() {
                seed[i % 32] ^= b;
            }
            let score = if triggers.low_compare {
                round2((min - 0.2).max(0.0))
            } else {
                round2(
                    (min + (0.99 - min).max(0.0) * (0.3 + 0.7 * unit(&seed, "compare")))
                        .min(0.99)
                        .max(min),
                )
            };
            let passed = score >= min;
            let cmp = json!({
                "_id": new_id(tx.now),
                "appRegistration": reg.id,
                "type": "compare",
                "result": {"score": score, "passed": passed, "compare_min_score": min},
                "status": if passed { "success" } else { "failed" },
                "documentFace": doc_face,
                "face": face,
                "createdAt": rfc3339(tx.now),
            });
            model::obj_insert(tx, "compareFaceVerification", &reg.id, &cmp)?;
            reg.compare_face_verification = cmp["_id"].as_str().map(str::to_owned);
            model::save_registration(tx, &mut reg)?;
            tx.emit(
                flow.webhook_url(),
                "face_verification_compare",
                json!({"compareFaceVerification": cmp, "appRegistration": reg_event(&reg)}),
            );
            Ok(json!({ "appRegistration": reg.id, "compareFaceVerification": cmp }))
        })
        .await?;
    Ok(ok(data))
}
