//! Documents: upload (front/back), name validation, manual verification, criminal check.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use sha2::{Digest, Sha256};
use smart_enroll_api::{
    BackgroundCheckRequest, CriminalData, CriminalSource, DocumentCategory, DocumentNumber,
    DocumentStatus, DocumentUploadRequest, DocumentValidation, DocumentValidationResponse,
    InformationStatus, InformationValidation, InputMethod, ManualVerificationRequest,
    NameValidationRequest, NameValidationResult, OcrExtraction, Secret, StepSetting,
};

use super::{EventObject, own_registration, reg_event};
use crate::api::{
    ApiError, ApiResult, Body, ImageBody, Path, Problems, non_blank, query_get, query_pairs,
};
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
) -> OcrExtraction {
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
    let upper =
        |v: &Option<String>| Some(Secret::new(v.clone().unwrap_or_default().to_uppercase()));
    OcrExtraction {
        first_name: upper(&reg.first_name),
        last_name: upper(&reg.last_name),
        full_name: upper(&reg.full_name),
        document_number: Some(DocumentNumber(Secret::new(number))),
        document_type: Some(doc_type.to_owned()),
        date_of_birth: Some(Secret::new(format!("{year:04}-{month:02}-{day:02}"))),
        expiration_date: Some(Secret::new(exp.get(..10).unwrap_or("").to_owned())),
        nationality: Some(Secret::new(country.to_owned())),
        gender: None,
        // Marks the data as made up by the sandbox (a template-specific extra key).
        extra: [("sandbox".to_owned(), serde_json::Value::Bool(true))].into(),
    }
}

fn url_for(state: &AppState, up: &Upload) -> String {
    model::image_url(&state.base_url, &up.file)
}

fn category_allowed(flow: &model::Flow, cat: &DocumentCategory) -> bool {
    let d = flow.document();
    match cat {
        DocumentCategory::Passport => d.use_passport.unwrap_or(false),
        DocumentCategory::DriverLicense => d.use_license.unwrap_or(false),
        _ => d.use_government_id.unwrap_or(false),
    }
}

/// `POST /v2/document-validations/app-registration` (billed).
pub(crate) async fn create(
    State(state): State<AppState>,
    Registrant(claims): Registrant,
    ImageBody(Body {
        value: body,
        invalid,
    }): ImageBody<DocumentUploadRequest>,
) -> ApiResult {
    let mut f = Problems::new(&invalid);
    let text = |v: &Option<Secret>| non_blank(v.as_ref().map(Secret::expose));
    for field in ["image", "backImage", "documentFace", "force", "country"] {
        f.optional(field);
    }
    let front = text(&body.image);
    let back = text(&body.back_image);
    let face = text(&body.document_face);
    let force = body.force.unwrap_or(false);
    let input_method = body.input_method.clone();
    if !f.mistyped("inputMethod")
        && input_method
            .as_ref()
            .is_some_and(|m| !matches!(m, InputMethod::Camera | InputMethod::FileUpload))
    {
        f.invalid("inputMethod");
    }
    let country = non_blank(body.country.as_deref());
    let category = non_blank(body.category.as_deref());
    f.one_of("category", category.as_deref(), CATEGORIES);
    if front.is_none() && back.is_none() && !f.mistyped("image") && !f.mistyped("backImage") {
        f.problem("missing image");
    }
    f.finish()?;

    let mut uploads: Vec<Upload> = Vec::new();
    let mut slots: [Option<usize>; 3] = [None; 3];
    for (i, input) in [front, back, face].into_iter().enumerate() {
        if let Some(input) = input {
            match images::store(&state, input, images::Purpose::Document).await {
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
        .tx_ok(now, &state.out, move |tx| {
            let get = |i: usize| slots[i].and_then(|k| ups.get(k));
            let (front, back, face) = (get(0), get(1), get(2));
            let mut reg = own_registration(tx, &claims, None)?;
            reg.require_status(&["STARTED", "ONGOING"])?;
            let flow = model::load_flow(tx, &reg.project_flow)?;
            if flow.step("document") == StepSetting::Skip {
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
            let existing: Option<DocumentValidation> =
                model::obj_load(tx, model::DOCUMENT, reg.document_validation.as_deref())?;
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
                        doc.back_url = Some(url_for(&st, b));
                        doc.back_image = Some(b.id.clone());
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
                        project
                            .allowed_countries
                            .first()
                            .cloned()
                            .unwrap_or_else(|| "Colombia".into())
                    });
                    let d = flow.document();
                    let cat_raw = category.clone().unwrap_or_else(|| {
                        if d.use_government_id.unwrap_or(false) {
                            "id".into()
                        } else if d.use_passport.unwrap_or(false) {
                            "passport".into()
                        } else {
                            "driver-license".into()
                        }
                    });
                    let cat = DocumentCategory::parse(category_of(&cat_raw));
                    if !category_allowed(&flow, &cat) {
                        return Err(ApiError::missing(&["invalid category"]));
                    }
                    let requires_back = triggers.back_side || cat != DocumentCategory::Passport;
                    let method = match flow.validation_method() {
                        Some("SCAN_STUDIO") => "SCAN_STUDIO",
                        Some("SCAN_ZERO") => "OCR",
                        _ => "SCAN_PROMPT",
                    };
                    DocumentValidation {
                        id: new_id(tx.now),
                        app_registration: Some(reg.id.clone()),
                        project: Some(reg.project.clone()),
                        document_type: Some(document_type(cat.as_str(), &country).to_owned()),
                        document_category: Some(cat),
                        country: Some(country),
                        validation_method: Some(method.into()),
                        input_method: Some(input_method.clone().unwrap_or(InputMethod::NotSet)),
                        url: Some(url_for(&st, front)),
                        front_image: Some(front.id.clone()),
                        back_url: back.map(|b| url_for(&st, b)),
                        back_image: back.map(|b| b.id.clone()),
                        requires_back_side: Some(requires_back),
                        attempt: Some(reg.document_attempts),
                        created_at: Some(rfc3339(tx.now)),
                        ..Default::default()
                    }
                }
                (None, None) => return Err(ApiError::missing(&["missing image"])),
            };
            let cat = doc
                .document_category
                .clone()
                .unwrap_or(DocumentCategory::Id);
            let doc_type = doc.document_type.clone().unwrap_or_else(|| "ID".into());
            let country = doc.country.clone().unwrap_or_default();
            let complete = !doc.requires_back_side.unwrap_or(false) || doc.back_url.is_some();
            let ocr = ocr_extraction(&reg, cat.as_str(), &doc_type, &country, tx.now);
            doc.status = Some(if complete {
                DocumentStatus::Active
            } else {
                DocumentStatus::Assessing
            });
            doc.document_number = if complete {
                ocr.document_number.clone()
            } else {
                None
            };
            doc.ocr_extraction = complete.then_some(ocr);
            doc.updated_at = Some(rfc3339(tx.now));
            // The uploaded face crop is the document face; without one, the front side is.
            if let Some(crop) = face {
                doc.document_face_url = Some(url_for(&st, crop));
            }
            if let Some(face) = face.or(front) {
                doc.document_face = Some(face.id.clone());
                reg.document_face = Some(face.id.clone());
            }
            if reg.document_validation.as_deref() == Some(doc.id.as_str()) {
                model::obj_update(tx, &doc)?;
            } else {
                model::obj_insert(tx, model::DOCUMENT, &reg.id, &doc)?;
                reg.document_validation = Some(doc.id.clone());
                // A new document invalidates an earlier compare result.
                reg.compare_face_verification = None;
            }
            if reg.status == "STARTED" {
                reg.status = "ONGOING".into();
            }
            model::save_registration(tx, &mut reg)?;
            tx.emit(
                flow.webhook_url(),
                "document_validation_created",
                DocumentEvent {
                    document: DocumentValidation {
                        ocr_extraction: None,
                        ..doc.clone()
                    },
                    app_registration: reg_event(&reg),
                },
            );
            Ok(DocumentValidationResponse {
                document_validation: doc,
            })
        })
        .await;
    match result {
        Ok(resp) => Ok(resp),
        Err(e) => {
            images::discard(&uploads).await;
            Err(e)
        }
    }
}

/// A document webhook object: the validation without its OCR data, plus the registration.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct DocumentEvent {
    #[serde(flatten)]
    document: DocumentValidation,
    app_registration: super::RegEvent,
}

fn owned_document(
    tx: &crate::db::Tx<'_>,
    reg: &Registration,
    id: &str,
) -> Result<DocumentValidation, ApiError> {
    match model::obj_get(tx, model::DOCUMENT, id)? {
        None => Err(ApiError::not_found("document_validation_not_found")),
        Some((owner, _)) if owner != reg.id => Err(ApiError::forbidden()),
        Some((_, doc)) => Ok(doc),
    }
}

/// `PUT /v2/document-validations/{id}/validate[?force=true]`: name validation (billed). Sets
/// the document's `namesMatch` (absent until this runs).
pub(crate) async fn name_validation(
    State(state): State<AppState>,
    Registrant(claims): Registrant,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    Body { invalid, .. }: Body<NameValidationRequest>,
) -> ApiResult {
    let pairs = query_pairs(q.as_deref());
    if query_get(&pairs, "force").is_some_and(|v| v != "true" && v != "false") {
        return Err(ApiError::missing(&["invalid force"]));
    }
    let mut f = Problems::new(&invalid);
    f.optional("force");
    f.finish()?;
    let now = state.now_ms();
    state
        .db
        .tx_ok(now, &state.out, move |tx| {
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
            if doc.ocr_extraction.is_none() {
                return Err(ApiError::token(
                    StatusCode::BAD_REQUEST,
                    "missing_ocr_extraction_data",
                ));
            }
            let doc_type = doc.document_type.clone().unwrap_or_default();
            let result = if NAME_VALIDATION_TYPES.contains(&doc_type.as_str()) {
                let (full, first, last) = if triggers.names_mismatch {
                    (42.0, 50.0, 33.3)
                } else {
                    (100.0, 100.0, 100.0)
                };
                let names_match = full >= 90.0;
                doc.names_match = Some(names_match);
                NameValidationResult {
                    id: doc.id.clone(),
                    is_supported: Some(true),
                    info_validation_supported: Some(true),
                    names_match: Some(names_match),
                    full_name_match_percentage: Some(full),
                    first_name_match_percentage: Some(first),
                    last_name_match_percentage: Some(last),
                    reason: None,
                    document_type: Some(doc_type),
                    document_number: doc.document_number.clone(),
                }
            } else {
                NameValidationResult {
                    id: doc.id.clone(),
                    is_supported: Some(false),
                    info_validation_supported: Some(false),
                    reason: Some("document_not_supported".into()),
                    document_type: Some(doc_type),
                    ..Default::default()
                }
            };
            doc.name_validation = Some(result.clone());
            doc.updated_at = Some(rfc3339(tx.now));
            model::obj_update(tx, &doc)?;
            tx.emit(
                flow.webhook_url(),
                "document_validation_source_lookup",
                EventObject {
                    document_validation: Some(result.clone()),
                    app_registration: Some(reg_event(&reg)),
                    ..Default::default()
                },
            );
            Ok(result)
        })
        .await
}

/// `PUT /v2/document-validations/{id}/manual-verification {reason}`.
pub(crate) async fn manual_verification(
    State(state): State<AppState>,
    Registrant(claims): Registrant,
    Path(id): Path<String>,
    Body {
        value: body,
        invalid,
    }: Body<ManualVerificationRequest>,
) -> ApiResult {
    let mut f = Problems::new(&invalid);
    let reason = non_blank(body.reason.as_deref());
    f.required("reason", reason.is_some());
    f.one_of(
        "reason",
        reason.as_deref(),
        &["validation_timeout", "name_mismatch"],
    );
    f.finish()?;
    let now = state.now_ms();
    state
        .db
        .tx_ok(now, &state.out, move |tx| {
            let reg = own_registration(tx, &claims, None)?;
            reg.require_status(&["STARTED", "ONGOING"])?;
            let mut doc = owned_document(tx, &reg, &id)?;
            doc.status = Some(DocumentStatus::NeedsManualVerification);
            doc.manual_verification_reason = reason.clone();
            doc.updated_at = Some(rfc3339(tx.now));
            model::obj_update(tx, &doc)?;
            let flow = model::load_flow(tx, &reg.project_flow)?;
            tx.emit(
                flow.webhook_url(),
                "document_validation_manual_verification_required",
                EventObject {
                    id: Some(doc.id.clone()),
                    reason,
                    app_registration: Some(reg_event(&reg)),
                    ..Default::default()
                },
            );
            Ok(DocumentValidationResponse {
                document_validation: doc,
            })
        })
        .await
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
    Body {
        value: body,
        invalid,
    }: Body<BackgroundCheckRequest>,
) -> ApiResult {
    let mut f = Problems::new(&invalid);
    f.optional("force");
    let force = body.force.unwrap_or(false);
    f.finish()?;
    let now = state.now_ms();
    state
        .db
        .tx_ok(now, &state.out, move |tx| {
            let reg = own_registration(tx, &claims, None)?;
            let mut info: InformationValidation = match model::obj_get(tx, model::INFORMATION, &id)?
            {
                None => return Err(ApiError::not_found("informationValidation_not_found")),
                Some((owner, _)) if owner != reg.id => return Err(ApiError::forbidden()),
                Some((_, d)) => d,
            };
            let flow = model::load_flow(tx, &reg.project_flow)?;
            if !flow.document().verify_criminal_history.unwrap_or(false) {
                return Err(ApiError::conflict("Feature_not_available"));
            }
            let doc: Option<DocumentValidation> =
                model::obj_load(tx, model::DOCUMENT, reg.document_validation.as_deref())?;
            let valid = doc.as_ref().is_some_and(|d| {
                matches!(
                    d.status,
                    Some(DocumentStatus::Active | DocumentStatus::NeedsManualVerification)
                )
            });
            if !valid {
                return Err(ApiError::not_found("document_validation_not_found"));
            }
            let triggers = Triggers::from_email(reg.email.as_deref());
            if triggers.no_credits {
                return Err(ApiError::payment_required());
            }
            let done = matches!(
                info.status,
                Some(InformationStatus::Active | InformationStatus::Failed)
            );
            if done && !force {
                return Ok(info);
            }
            let mut data = CriminalData::default();
            for (key, flag) in SOURCES {
                let listed = matches!(*key, "world_api_interpol" | "world_api_ofac");
                let hit = triggers.criminal_hit && listed;
                if hit {
                    data.found_keys.push((*key).to_owned());
                }
                data.sources.insert(
                    (*key).to_owned(),
                    CriminalSource {
                        status: Some(if hit { "found" } else { "clear" }.into()),
                        flags: [((*flag).to_owned(), serde_json::Value::Bool(hit))].into(),
                    },
                );
            }
            info.status = Some(if triggers.criminal_hit {
                InformationStatus::Failed
            } else {
                InformationStatus::Active
            });
            info.criminal_data = Some(data);
            info.document_number = doc.and_then(|d| d.document_number);
            info.updated_at = Some(rfc3339(tx.now));
            model::obj_update(tx, &info)?;
            tx.emit(
                flow.webhook_url(),
                "information_validation_background_check",
                EventObject {
                    id: Some(info.id.clone()),
                    status: info.status.as_ref().map(|s| s.as_str().to_owned()),
                    app_registration: Some(reg_event(&reg)),
                    ..Default::default()
                },
            );
            Ok(info)
        })
        .await
}
