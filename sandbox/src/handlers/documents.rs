//! Documents: upload (front/back), name validation, manual verification, criminal check.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{own_registration, reg_event};
use crate::api::{ApiError, ApiResult, Fields, JsonBody, Path, ok, query_get, query_pairs};
use crate::auth::Registrant;
use crate::clock::rfc3339;
use crate::images::{self, Upload};
use crate::model::{self, Registration, new_id};
use crate::server::AppState;
use crate::triggers::Triggers;

const CATEGORIES: &[&str] = &[
    "id",
    "passport",
    "driver-license",
    "government_id",
    "license",
];
/// Document types the name validation supports (§5.7).
const NAME_VALIDATION_TYPES: &[&str] = &["CCPA", "CC", "DRCC", "CL"];

fn category_of(s: &str) -> &'static str {
    match s {
        "passport" => "Passport",
        "driver-license" | "license" => "DriverLicense",
        _ => "ID",
    }
}

fn country_code(name: &str) -> &'static str {
    match name.to_ascii_lowercase().as_str() {
        "colombia" | "co" => "CO",
        "panama" | "panamá" | "pa" => "PA",
        "chile" | "cl" => "CL",
        "mexico" | "méxico" | "mx" => "MX",
        "peru" | "perú" | "pe" => "PE",
        "ecuador" | "ec" => "EC",
        "argentina" | "ar" => "AR",
        "united states" | "usa" | "us" => "US",
        _ => "XX",
    }
}

fn document_type(category: &str, country: &str) -> &'static str {
    match (category, country_code(country)) {
        ("Passport", _) => "PP",
        ("DriverLicense", _) => "DL",
        (_, "CO") => "CC",
        (_, "PA") => "CCPA",
        (_, "CL") => "CL",
        _ => "ID",
    }
}

fn digits(seed: &[u8], n: usize) -> String {
    let mut out = String::new();
    let mut counter = 0u32;
    while out.len() < n {
        let h = Sha256::new()
            .chain_update(seed)
            .chain_update(counter.to_be_bytes())
            .finalize();
        for b in h {
            if out.len() < n {
                out.push(char::from(b'0' + b % 10));
            }
        }
        counter += 1;
    }
    out
}

/// Sandbox-defined OCR data, derived from the sign-up data and the category.
fn ocr_extraction(
    reg: &Registration,
    category: &str,
    doc_type: &str,
    country: &str,
    now: i64,
) -> Value {
    let seed = format!("{}:{category}", reg.id);
    let number = match category {
        "Passport" => format!("P{}", digits(seed.as_bytes(), 8)),
        "DriverLicense" => digits(seed.as_bytes(), 9),
        _ => {
            let d = digits(seed.as_bytes(), 10);
            // No leading zero in national ID numbers.
            match d.strip_prefix('0') {
                Some(rest) => format!("1{rest}"),
                None => d,
            }
        }
    };
    let h: Vec<u8> = Sha256::digest(seed.as_bytes()).to_vec();
    let year = 1960 + u32::from(h[0]) % 45;
    let month = 1 + u32::from(h[1]) % 12;
    let day = 1 + u32::from(h[2]) % 28;
    let exp = rfc3339(now + 5 * 365 * 24 * 3600 * 1000);
    json!({
        "firstName": reg.first_name.clone().unwrap_or_default().to_uppercase(),
        "lastName": reg.last_name.clone().unwrap_or_default().to_uppercase(),
        "fullName": reg.full_name.clone().unwrap_or_default().to_uppercase(),
        "documentNumber": number,
        "documentType": doc_type,
        "dateOfBirth": format!("{year:04}-{month:02}-{day:02}"),
        "expirationDate": exp.get(..10).unwrap_or(""),
        "nationality": country,
        "sandbox": true,
    })
}

fn url_for(state: &AppState, up: &Upload) -> String {
    format!("{}/sandbox/images/{}", state.base_url, up.file)
}

/// `POST /v2/document-validations/app-registration` (billed).
pub(crate) async fn create(
    State(state): State<AppState>,
    Registrant(claims): Registrant,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let mut f = Fields::new(&body);
    let front = f.opt_str("image");
    let back = f.opt_str("backImage");
    let face = f.opt_str("documentFace");
    let force = f.opt_bool("force").unwrap_or(false);
    let input_method = f.opt_enum("inputMethod", &["CAMERA", "FILE_UPLOAD"]);
    let country = f.opt_str("country");
    let category = f.opt_enum("category", CATEGORIES);
    if front.is_none() && back.is_none() {
        f.problem("missing image");
    }
    f.finish()?;

    let mut uploads: Vec<Upload> = Vec::new();
    let mut slots: [Option<usize>; 3] = [None; 3];
    for (i, input) in [front, back, face].into_iter().enumerate() {
        if let Some(input) = input {
            match images::store(&state, input).await {
                Ok(up) => {
                    slots[i] = Some(uploads.len());
                    uploads.push(up);
                }
                Err(e) => {
                    images::discard(&uploads).await;
                    return Err(e);
                }
            }
        }
    }
    let now = state.now_ms();
    let st = state.clone();
    let ups = uploads.clone();
    let result = state
        .db
        .tx(now, &state.out, move |tx| {
            let get = |i: usize| slots[i].and_then(|k| ups.get(k));
            let (front, back, face) = (get(0), get(1), get(2));
            let mut reg = own_registration(tx, &claims, None)?;
            reg.require_status(&["STARTED", "ONGOING"])?;
            let flow = model::load_flow(tx, &reg.project_flow)?;
            if flow.step("document") == "skip" {
                return Err(ApiError::not_found("document_settings_not_set"));
            }
            if !reg.sign_up_passed(&flow) {
                return Err(ApiError::token(
                    StatusCode::CONFLICT,
                    "signUpForm_validation_not_passed",
                ));
            }
            let triggers = Triggers::from_email(reg.email.as_deref());
            if triggers.no_credits {
                return Err(ApiError::payment_required());
            }
            let existing = match &reg.document_validation {
                Some(id) => model::obj_get(tx, "documentValidation", id)?.map(|(_, d)| d),
                None => None,
            };
            if existing.is_some() && !force {
                return Err(ApiError::conflict("already_exists"));
            }
            for up in [front, back, face].into_iter().flatten() {
                model::insert_image(tx, &up.id, &reg.id, &up.file, up.mime)?;
            }
            let mut doc = match (existing, front) {
                // Back side (or a new back) for the current document: not a new attempt.
                (Some(mut doc), None) => {
                    if let Some(b) = back {
                        doc["backUrl"] = json!(url_for(&st, b));
                        doc["backImage"] = json!(b.id);
                    }
                    doc
                }
                (_, Some(front)) => {
                    if reg.document_attempts >= flow.document_max_attempts() {
                        return Err(ApiError::max_attempts());
                    }
                    reg.document_attempts += 1;
                    let project = model::load_project(tx, &reg.project)?;
                    let country = country.clone().unwrap_or_else(|| {
                        project["allowedCountries"][0]
                            .as_str()
                            .unwrap_or("Colombia")
                            .to_owned()
                    });
                    let cat_raw = category.clone().unwrap_or_else(|| {
                        if flow.doc_flag("useGovernmentID") {
                            "id".into()
                        } else if flow.doc_flag("usePassport") {
                            "passport".into()
                        } else {
                            "driver-license".into()
                        }
                    });
                    let cat = category_of(&cat_raw);
                    let allowed = match cat {
                        "Passport" => flow.doc_flag("usePassport"),
                        "DriverLicense" => flow.doc_flag("useLicense"),
                        _ => flow.doc_flag("useGovernmentID"),
                    };
                    if !allowed {
                        return Err(ApiError::missing(&["invalid category"]));
                    }
                    let requires_back = triggers.back_side || cat != "Passport";
                    let method =
                        match flow.doc["onboardingSettings"]["document"]["validationMethod"]
                            .as_str()
                        {
                            Some("SCAN_STUDIO") => "SCAN_STUDIO",
                            Some("SCAN_ZERO") => "OCR",
                            _ => "SCAN_PROMPT",
                        };
                    json!({
                        "_id": new_id(tx.now),
                        "appRegistration": reg.id,
                        "project": reg.project,
                        "documentCategory": cat,
                        "documentType": document_type(cat, &country),
                        "country": country,
                        "validationMethod": method,
                        "inputMethod": input_method.clone().unwrap_or_else(|| "NOT_SET".into()),
                        "url": url_for(&st, front),
                        "frontImage": front.id,
                        "backUrl": back.map(|b| url_for(&st, b)),
                        "backImage": back.map(|b| b.id.clone()),
                        "requiresBackSide": requires_back,
                        "namesMatch": !triggers.names_mismatch,
                        "attempt": reg.document_attempts,
                        "createdAt": rfc3339(tx.now),
                    })
                }
                (None, None) => return Err(ApiError::missing(&["missing image"])),
            };
            let cat = doc["documentCategory"].as_str().unwrap_or("ID").to_owned();
            let doc_type = doc["documentType"].as_str().unwrap_or("ID").to_owned();
            let country = doc["country"].as_str().unwrap_or("").to_owned();
            let complete =
                !doc["requiresBackSide"].as_bool().unwrap_or(false) || doc["backUrl"].is_string();
            let ocr = ocr_extraction(&reg, &cat, &doc_type, &country, tx.now);
            doc["status"] = json!(if complete { "ACTIVE" } else { "ASSESSING" });
            doc["documentNumber"] = if complete {
                ocr["documentNumber"].clone()
            } else {
                Value::Null
            };
            doc["OCRExtraction"] = if complete { ocr } else { Value::Null };
            doc["updatedAt"] = json!(rfc3339(tx.now));
            if let Some(face) = face.or(front) {
                doc["documentFace"] = json!(face.id);
                reg.document_face = Some(face.id.clone());
            }
            let doc_id = doc["_id"].as_str().unwrap_or_default().to_owned();
            if reg.document_validation.as_deref() == Some(doc_id.as_str()) {
                model::obj_update(tx, &doc)?;
            } else {
                model::obj_insert(tx, "documentValidation", &reg.id, &doc)?;
                reg.document_validation = Some(doc_id);
                // A new document invalidates an earlier compare result.
                reg.compare_face_verification = None;
            }
            if reg.status == "STARTED" {
                reg.status = "ONGOING".into();
            }
            model::save_registration(tx, &mut reg)?;
            let mut ev = doc.clone();
            if let Value::Object(m) = &mut ev {
                m.remove("OCRExtraction");
                m.insert("appRegistration".into(), reg_event(&reg));
            }
            tx.emit(flow.webhook_url(), "document_validation_created", ev);
            Ok(doc)
        })
        .await;
    match result {
        Ok(doc) => Ok(ok(json!({ "documentValidation": doc }))),
        Err(e) => {
            images::discard(&uploads).await;
            Err(e)
        }
    }
}

fn owned_document(tx: &crate::db::Tx<'_>, reg: &Registration, id: &str) -> Result<Value, ApiError> {
    match model::obj_get(tx, "documentValidation", id)? {
        None => Err(ApiError::not_found("document_validation_not_found")),
        Some((owner, _)) if owner != reg.id => Err(ApiError::forbidden()),
        Some((_, doc)) => Ok(doc),
    }
}

/// `PUT /v2/document-validations/{id}/validate[?force=true]`: name validation (billed).
pub(crate) async fn name_validation(
    State(state): State<AppState>,
    Registrant(claims): Registrant,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let pairs = query_pairs(q.as_deref());
    if query_get(&pairs, "force").is_some_and(|v| v != "true" && v != "false") {
        return Err(ApiError::missing(&["invalid force"]));
    }
    let mut f = Fields::new(&body);
    f.opt_bool("force");
    f.finish()?;
    let now = state.now_ms();
    let data = state
        .db
        .tx(now, &state.out, move |tx| {
            let reg = own_registration(tx, &claims, None)?;
            let mut doc = owned_document(tx, &reg, &id)?;
            let flow = model::load_flow(tx, &reg.project_flow)?;
            if !reg.sign_up_passed(&flow) {
                return Err(ApiError::token(
                    StatusCode::CONFLICT,
                    "signUpForm_validation_not_passed",
                ));
            }
            let triggers = Triggers::from_email(reg.email.as_deref());
            if triggers.no_credits {
                return Err(ApiError::payment_required());
            }
            if !doc["OCRExtraction"].is_object() {
                return Err(ApiError::token(
                    StatusCode::BAD_REQUEST,
                    "missing_ocr_extraction_data",
                ));
            }
            let doc_type = doc["documentType"].as_str().unwrap_or("").to_owned();
            let doc_type = doc_type.as_str();
            let result = if NAME_VALIDATION_TYPES.contains(&doc_type) {
                let (full, first, last) = if triggers.names_mismatch {
                    (42.0, 50.0, 33.3)
                } else {
                    (100.0, 100.0, 100.0)
                };
                let names_match = full >= 90.0;
                doc["namesMatch"] = json!(names_match);
                json!({
                    "_id": doc["_id"],
                    "isSupported": true,
                    "infoValidationSupported": true,
                    "namesMatch": names_match,
                    "fullNameMatchPercentage": full,
                    "firstNameMatchPercentage": first,
                    "lastNameMatchPercentage": last,
                    "documentType": doc_type,
                    "documentNumber": doc["documentNumber"],
                })
            } else {
                json!({
                    "_id": doc["_id"],
                    "isSupported": false,
                    "infoValidationSupported": false,
                    "reason": "document_not_supported",
                    "namesMatch": Value::Null,
                    "documentType": doc_type,
                })
            };
            doc["nameValidation"] = result.clone();
            doc["updatedAt"] = json!(rfc3339(tx.now));
            model::obj_update(tx, &doc)?;
            tx.emit(
                flow.webhook_url(),
                "document_validation_source_lookup",
                json!({"documentValidation": result, "appRegistration": reg_event(&reg)}),
            );
            Ok(result)
        })
        .await?;
    Ok(ok(data))
}

/// `PUT /v2/document-validations/{id}/manual-verification {reason}`.
pub(crate) async fn manual_verification(
    State(state): State<AppState>,
    Registrant(claims): Registrant,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let mut f = Fields::new(&body);
    let reason = f.opt_enum("reason", &["validation_timeout", "name_mismatch"]);
    if reason.is_none() && body.get("reason").is_none() {
        f.problem("missing reason");
    }
    f.finish()?;
    let now = state.now_ms();
    let data = state
        .db
        .tx(now, &state.out, move |tx| {
            let reg = own_registration(tx, &claims, None)?;
            reg.require_status(&["STARTED", "ONGOING"])?;
            let mut doc = owned_document(tx, &reg, &id)?;
            doc["status"] = json!("NEEDS_MANUAL_VERIFICATION");
            doc["manualVerificationReason"] = json!(reason);
            doc["updatedAt"] = json!(rfc3339(tx.now));
            model::obj_update(tx, &doc)?;
            let flow = model::load_flow(tx, &reg.project_flow)?;
            tx.emit(
                flow.webhook_url(),
                "document_validation_manual_verification_required",
                json!({"_id": doc["_id"], "reason": reason, "appRegistration": reg_event(&reg)}),
            );
            Ok(doc)
        })
        .await?;
    Ok(ok(json!({ "documentValidation": data })))
}

const SOURCES: &[(&str, &str)] = &[
    ("world_api_interpol", "foundInInterpol"),
    ("world_api_fbi", "foundInFBI"),
    ("world_api_dea", "foundInDEA"),
    ("world_api_europol", "foundInEuropol"),
    ("world_api_ofac", "foundInOFAC"),
    ("world_api_onu", "foundInONU"),
];

/// `PUT /v2/information-validations/{id}/background-check {force?}` (billed).
pub(crate) async fn background_check(
    State(state): State<AppState>,
    Registrant(claims): Registrant,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let mut f = Fields::new(&body);
    let force = f.opt_bool("force").unwrap_or(false);
    f.finish()?;
    let now = state.now_ms();
    let data = state
        .db
        .tx(now, &state.out, move |tx| {
            let reg = own_registration(tx, &claims, None)?;
            let mut info = match model::obj_get(tx, "informationValidation", &id)? {
                None => return Err(ApiError::not_found("informationValidation_not_found")),
                Some((owner, _)) if owner != reg.id => return Err(ApiError::forbidden()),
                Some((_, d)) => d,
            };
            let flow = model::load_flow(tx, &reg.project_flow)?;
            if !flow.doc_flag("verifyCriminalHistory") {
                return Err(ApiError::conflict("Feature_not_available"));
            }
            let doc = match &reg.document_validation {
                Some(d) => model::obj_get(tx, "documentValidation", d)?.map(|(_, v)| v),
                None => None,
            };
            let valid = doc.as_ref().is_some_and(|d| {
                matches!(
                    d["status"].as_str(),
                    Some("ACTIVE" | "NEEDS_MANUAL_VERIFICATION")
                )
            });
            if !valid {
                return Err(ApiError::not_found("document_validation_not_found"));
            }
            let triggers = Triggers::from_email(reg.email.as_deref());
            if triggers.no_credits {
                return Err(ApiError::payment_required());
            }
            let done = matches!(info["status"].as_str(), Some("ACTIVE" | "FAILED"));
            if done && !force {
                return Ok(info);
            }
            let mut data = json!({ "foundKeys": [] });
            let mut found = Vec::new();
            for (key, flag) in SOURCES {
                let listed = matches!(*key, "world_api_interpol" | "world_api_ofac");
                let hit = triggers.criminal_hit && listed;
                if hit {
                    found.push(json!(key));
                }
                data[*key] = json!({ *flag: hit, "status": if hit { "found" } else { "clear" } });
            }
            data["foundKeys"] = Value::Array(found);
            info["status"] = json!(if triggers.criminal_hit {
                "FAILED"
            } else {
                "ACTIVE"
            });
            info["criminalData"] = data;
            info["documentNumber"] = doc
                .map(|d| d["documentNumber"].clone())
                .unwrap_or(Value::Null);
            info["updatedAt"] = json!(rfc3339(tx.now));
            model::obj_update(tx, &info)?;
            tx.emit(
                flow.webhook_url(),
                "information_validation_background_check",
                json!({"_id": info["_id"], "status": info["status"],
                    "appRegistration": reg_event(&reg)}),
            );
            Ok(info)
        })
        .await?;
    Ok(ok(data))
}
