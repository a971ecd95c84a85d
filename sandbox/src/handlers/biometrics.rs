//! Selfie liveness with duplicate search, deletion, and document-vs-selfie compare.

use axum::extract::State;
use axum::http::StatusCode;
use smart_enroll_api::{
    BiometricValidation, BiometricValidationRequest, CompareFaceVerification, CompareResponse,
    CompareResult, CompareStatus, CompareType, DeletedResponse, IdOr, LivenessSearch, Os, Person,
    Secret,
};

use super::{EventObject, own_registration, reg_event};
use crate::api::{ApiError, ApiResult, Body, ImageBody, Path, Problems, ok};
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
    ImageBody(Body {
        value: body,
        invalid,
    }): ImageBody<BiometricValidationRequest>,
) -> ApiResult {
    let mut f = Problems::new(&invalid);
    let image = body.image.expose().trim().to_owned();
    f.required("image", !image.is_empty());
    let os = body.os.clone().filter(|o| !o.as_str().trim().is_empty());
    f.required("os", os.is_some());
    if os.as_ref().is_some_and(|o| !o.is_known()) {
        f.invalid("os");
    }
    let os = os.filter(Os::is_known);
    f.optional("force");
    let force = body.force.unwrap_or(false);
    f.finish()?;
    let upload = images::store(&state, image, images::Purpose::Selfie).await?;
    let now = state.now_ms();
    let up = upload.clone();
    let base = state.base_url.clone();
    let result = state
        .db
        .tx_ok(now, &state.out, move |tx| {
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
                    EventObject {
                        liveness_score: Some(score),
                        attempt: Some(attempt),
                        app_registration: Some(reg_event(&reg)),
                        ..Default::default()
                    },
                );
                tx.emit(
                    webhook.as_deref(),
                    "biometrics_liveness_score_not_acceptable",
                    EventObject {
                        liveness_score: Some(score),
                        liveness_min_score: Some(min),
                        app_registration: Some(reg_event(&reg)),
                        ..Default::default()
                    },
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
            let person = Person {
                id: person_id.clone(),
                app_registration: Some(reg.id.clone()),
                name: reg.full_name.clone().map(Secret::new),
                face: Some(IdOr::Id(up.id.clone())),
                created_at: Some(rfc3339(tx.now)),
            };
            model::obj_insert(tx, model::PERSON, &reg.id, &person)?;
            let search_score = round2(flow.search_min_score() * 0.5 * unit(&up.digest, "search"));
            let bio = BiometricValidation {
                id: new_id(tx.now),
                app_registration: Some(reg.id.clone()),
                status: Some("validated".into()),
                os,
                liveness_score: Some(score),
                liveness_min_score: Some(min),
                passed: Some(true),
                attempt: Some(attempt),
                person: Some(person_id.clone()),
                face: Some(up.id.clone()),
                url: Some(model::image_url(&base, &up.file)),
                search: Some(LivenessSearch {
                    mode: flow.search_mode().map(str::to_owned),
                    min_score: Some(flow.search_min_score()),
                    best_score: Some(search_score),
                    matches: Vec::new(),
                }),
                created_at: Some(rfc3339(tx.now)),
            };
            model::obj_insert(tx, model::BIOMETRIC, &reg.id, &bio)?;
            reg.biometric_validation = Some(bio.id.clone());
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
                EventObject {
                    id: Some(bio.id.clone()),
                    liveness_score: Some(score),
                    app_registration: Some(reg_event(&reg)),
                    ..Default::default()
                },
            );
            // The merged shape (§10 #6): the registration, its biometric validation populated.
            let mut out = reg.to_wire();
            out.biometric_validation = Some(IdOr::Object(Box::new(bio)));
            Ok(out)
        })
        .await;
    match result {
        Ok(resp) => Ok(resp),
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
            let bio: BiometricValidation = match model::obj_get(tx, model::BIOMETRIC, &id)? {
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
            Ok(DeletedResponse {
                id: bio.id,
                deleted: true,
            })
        })
        .await?;
    Ok(ok(data))
}

/// `POST /v2/face-recognition/compare/app-registration` (no body; billed).
pub(crate) async fn compare(
    State(state): State<AppState>,
    Registrant(claims): Registrant,
    _body: Body<serde::de::IgnoredAny>,
) -> ApiResult {
    let now = state.now_ms();
    state
        .db
        .tx_ok(now, &state.out, move |tx| {
            let mut reg = own_registration(tx, &claims, None)?;
            reg.require_status(&["STARTED", "ONGOING", "NEEDS_MANUAL_VERIFICATION"])?;
            let project = model::load_project(tx, &reg.project)?;
            if project.status.as_deref().is_some_and(|s| s != "active") {
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
            let cmp = CompareFaceVerification {
                id: new_id(tx.now),
                app_registration: Some(reg.id.clone()),
                compare_type: Some(CompareType::Compare),
                result: CompareResult {
                    score: Some(score),
                    passed: Some(passed),
                    compare_min_score: Some(min),
                },
                status: Some(if passed {
                    CompareStatus::Success
                } else {
                    CompareStatus::Failed
                }),
                document_face: Some(doc_face),
                face: Some(face),
                created_at: Some(rfc3339(tx.now)),
            };
            model::obj_insert(tx, model::COMPARE, &reg.id, &cmp)?;
            reg.compare_face_verification = Some(cmp.id.clone());
            model::save_registration(tx, &mut reg)?;
            tx.emit(
                flow.webhook_url(),
                "face_verification_compare",
                EventObject {
                    compare_face_verification: Some(cmp.clone()),
                    app_registration: Some(reg_event(&reg)),
                    ..Default::default()
                },
            );
            Ok(CompareResponse {
                app_registration: Some(reg.id),
                compare_face_verification: cmp,
            })
        })
        .await
}
