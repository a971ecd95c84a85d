//! Stored entities and their SQL access.

use rand::RngCore;
use rusqlite::{OptionalExtension, params};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use smart_enroll_api::{
    AppRegistration, DocumentSettings, FlowStatus, HasId, IdOr, ImageRef, OnboardingSettings,
    Project, ProjectFlow, RegistrationStatus, Secret, StepSetting, Steps,
};

use crate::api::ApiError;
use crate::clock::rfc3339;
use crate::db::Tx;

/// A new 24-hex ObjectId-like id: 4 bytes of seconds, 8 random bytes.
pub(crate) fn new_id(now_ms: i64) -> String {
    let secs = u32::try_from(now_ms / 1000).unwrap_or(0);
    let mut rest = [0u8; 8];
    rand::rng().fill_bytes(&mut rest);
    format!("{}{}", hex::encode(secs.to_be_bytes()), hex::encode(rest))
}

pub(crate) const TERMINAL: &[&str] = &[
    "COMPLETED",
    "COMPLETED_WITHOUT_KYC",
    "FAILED",
    "NEEDS_MANUAL_VERIFICATION",
    "EXPIRED",
];

// ---------------------------------------------------------------- projects and flows

pub(crate) fn load_project(tx: &Tx<'_>, id: &str) -> Result<Project, ApiError> {
    let doc: Option<String> = tx
        .sql
        .query_row("SELECT doc FROM projects WHERE id = ?1", [id], |r| r.get(0))
        .optional()?;
    match doc {
        Some(d) => Ok(serde_json::from_str(&d)?),
        None => Err(ApiError::not_found("project_not_found")),
    }
}

pub(crate) fn load_flow_doc(tx: &Tx<'_>, id: &str) -> Result<ProjectFlow, ApiError> {
    let doc: Option<String> = tx
        .sql
        .query_row("SELECT doc FROM project_flows WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?;
    match doc {
        Some(d) => Ok(serde_json::from_str(&d)?),
        None => Err(ApiError::not_found("projectFlow_not_found")),
    }
}

pub(crate) fn load_flow(tx: &Tx<'_>, id: &str) -> Result<Flow, ApiError> {
    Ok(Flow::from_doc(load_flow_doc(tx, id)?))
}

/// A normalised (v2) flow with the defaults of §6/§10 #14 applied by its accessors.
#[derive(Debug, Clone)]
pub(crate) struct Flow {
    pub doc: ProjectFlow,
}

impl Flow {
    pub fn from_doc(doc: ProjectFlow) -> Self {
        Self { doc }
    }
    fn os(&self) -> &OnboardingSettings {
        &self.doc.onboarding_settings
    }
    pub fn id(&self) -> &str {
        &self.doc.id
    }
    pub fn project(&self) -> &str {
        &self.doc.project
    }
    pub fn status(&self) -> &str {
        self.doc
            .status
            .as_ref()
            .map_or("active", FlowStatus::as_str)
    }
    pub fn webhook_url(&self) -> Option<&str> {
        self.doc.webhook_url.as_deref().filter(|s| !s.is_empty())
    }
    pub fn step(&self, name: &str) -> StepSetting {
        self.os().steps.get(name)
    }
    pub fn steps(&self) -> Steps {
        self.os().steps.clone()
    }
    pub fn email_enabled(&self) -> bool {
        let s = &self.os().sign_up_form;
        s.email.unwrap_or(true) && s.email_gateway.as_deref().unwrap_or("none") != "none"
    }
    pub fn phone_enabled(&self) -> bool {
        let s = &self.os().sign_up_form;
        s.phone.unwrap_or(false) && s.phone_gateway.as_deref().unwrap_or("none") != "none"
    }
    pub fn phone_gateway(&self) -> &str {
        self.os()
            .sign_up_form
            .phone_gateway
            .as_deref()
            .unwrap_or("sms")
    }
    pub fn document(&self) -> &DocumentSettings {
        &self.os().document
    }
    pub fn validation_method(&self) -> Option<&str> {
        self.os().document.validation_method.as_deref()
    }
    pub fn search_mode(&self) -> Option<&str> {
        self.os().liveness.search_mode.as_deref()
    }
    pub fn compare_min_score(&self) -> f64 {
        self.os().document.compare_min_score.unwrap_or(0.8)
    }
    pub fn document_max_attempts(&self) -> u32 {
        self.os().document.max_attempts.unwrap_or(3)
    }
    pub fn liveness_min_score(&self) -> f64 {
        self.os().liveness.liveness_min_score.unwrap_or(0.65)
    }
    pub fn search_min_score(&self) -> f64 {
        self.os().liveness.search_min_score.unwrap_or(0.8)
    }
    pub fn liveness_max_attempts(&self) -> u32 {
        self.os().liveness.max_attempts.unwrap_or(3)
    }
    /// Whether any KYC step (basicInformation, document, form, liveness) is mandatory.
    pub fn kyc_mandatory(&self) -> bool {
        ["basicInformation", "document", "form", "liveness"]
            .iter()
            .any(|s| self.step(s) == StepSetting::Mandatory)
    }
}

// ---------------------------------------------------------------- registrations

/// An app registration as stored (and, with ids, as answered). `Debug` shows ids and status
/// only: never the contact details or names.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Registration {
    #[serde(rename = "_id")]
    pub id: String,
    pub project: String,
    pub project_flow: String,
    pub status: String,
    pub current_step: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub country_code: Option<String>,
    pub full_name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub language: String,
    pub email_validation: Option<String>,
    pub phone_validation: Option<String>,
    pub email_validated: bool,
    pub phone_validated: bool,
    pub document_validation: Option<String>,
    pub biometric_validation: Option<String>,
    pub information_validation: String,
    pub person: Option<String>,
    pub face: Option<String>,
    pub document_face: Option<String>,
    pub compare_face_verification: Option<String>,
    /// Steps synced as ONGOING (basicInformation/form completion).
    pub steps_done: Vec<String>,
    pub document_attempts: u32,
    pub liveness_attempts: u32,
    pub created_at: String,
    pub updated_at: String,
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("id", &self.id)
            .field("project", &self.project)
            .field("project_flow", &self.project_flow)
            .field("status", &self.status)
            .field("current_step", &self.current_step)
            .finish_non_exhaustive()
    }
}

impl Registration {
    pub fn phone_e164(&self) -> Option<String> {
        match (&self.country_code, &self.phone) {
            (Some(cc), Some(p)) => Some(format!("{cc}{p}")),
            _ => None,
        }
    }

    pub fn is_terminal(&self) -> bool {
        TERMINAL.contains(&self.status.as_str())
    }

    /// Fails unless the status is one of `allowed`.
    pub fn require_status(&self, allowed: &[&str]) -> Result<(), ApiError> {
        if allowed.contains(&self.status.as_str()) {
            Ok(())
        } else {
            Err(ApiError::not_ongoing())
        }
    }

    /// Whether every enabled sign-up channel the registrant has is validated.
    pub fn sign_up_passed(&self, flow: &Flow) -> bool {
        if flow.step("signUpForm") == StepSetting::Skip {
            return true;
        }
        let email_ok = !(flow.email_enabled() && self.email.is_some()) || self.email_validated;
        let phone_ok = !(flow.phone_enabled() && self.phone.is_some()) || self.phone_validated;
        email_ok && phone_ok
    }

    /// The wire form: every reference as an id (`null` when unset).
    pub fn to_wire(&self) -> AppRegistration {
        fn id<T>(v: &Option<String>) -> Option<IdOr<T>> {
            v.clone().map(IdOr::Id)
        }
        let secret = |v: &Option<String>| v.clone().map(Secret::new);
        AppRegistration {
            id: self.id.clone(),
            project: Some(IdOr::Id(self.project.clone())),
            project_flow: Some(IdOr::Id(self.project_flow.clone())),
            status: Some(RegistrationStatus::parse(&self.status)),
            current_step: Some(self.current_step.clone()),
            email: secret(&self.email),
            phone: secret(&self.phone),
            country_code: self.country_code.clone(),
            full_name: secret(&self.full_name),
            first_name: secret(&self.first_name),
            last_name: secret(&self.last_name),
            language: Some(self.language.clone()),
            email_validation: id(&self.email_validation),
            phone_validation: id(&self.phone_validation),
            email_validated: Some(self.email_validated),
            phone_validated: Some(self.phone_validated),
            document_validation: id(&self.document_validation),
            biometric_validation: id(&self.biometric_validation),
            information_validation: Some(IdOr::Id(self.information_validation.clone())),
            person: id(&self.person),
            face: id(&self.face),
            document_face: id(&self.document_face),
            compare_face_verification: id(&self.compare_face_verification),
            steps_done: Some(self.steps_done.clone()),
            document_attempts: Some(self.document_attempts),
            liveness_attempts: Some(self.liveness_attempts),
            liveness_score: None,
            created_at: Some(self.created_at.clone()),
            updated_at: Some(self.updated_at.clone()),
        }
    }
}

pub(crate) fn load_registration(tx: &Tx<'_>, id: &str) -> Result<Registration, ApiError> {
    let doc: Option<String> = tx
        .sql
        .query_row(
            "SELECT doc FROM app_registrations WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    match doc {
        Some(d) => Ok(serde_json::from_str(&d)?),
        None => Err(ApiError::not_found("AppRegistration_not_found")),
    }
}

pub(crate) fn insert_registration(tx: &Tx<'_>, reg: &Registration) -> Result<(), ApiError> {
    tx.sql.execute(
        "INSERT INTO app_registrations (id, project_id, flow_id, email, phone_e164, created_at, doc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            reg.id,
            reg.project,
            reg.project_flow,
            reg.email,
            reg.phone_e164(),
            tx.now,
            serde_json::to_string(reg)?
        ],
    )?;
    Ok(())
}

pub(crate) fn save_registration(tx: &Tx<'_>, reg: &mut Registration) -> Result<(), ApiError> {
    reg.updated_at = rfc3339(tx.now);
    let n = tx.sql.execute(
        "UPDATE app_registrations SET doc = ?2 WHERE id = ?1",
        params![reg.id, serde_json::to_string(reg)?],
    )?;
    if n == 1 {
        Ok(())
    } else {
        Err(ApiError::not_found("AppRegistration_not_found"))
    }
}

// ---------------------------------------------------------------- generic objects

/// Kinds of stored objects, each a `smart-enroll-api` type.
pub(crate) const DOCUMENT: &str = "documentValidation";
pub(crate) const BIOMETRIC: &str = "biometricValidation";
pub(crate) const INFORMATION: &str = "informationValidation";
pub(crate) const PERSON: &str = "person";
pub(crate) const COMPARE: &str = "compareFaceVerification";

pub(crate) fn obj_insert<T: Serialize + HasId>(
    tx: &Tx<'_>,
    kind: &str,
    registration_id: &str,
    doc: &T,
) -> Result<(), ApiError> {
    tx.sql.execute(
        "INSERT INTO objects (id, kind, registration_id, created_at, doc)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            doc.id(),
            kind,
            registration_id,
            tx.now,
            serde_json::to_string(doc)?
        ],
    )?;
    Ok(())
}

pub(crate) fn obj_update<T: Serialize + HasId>(tx: &Tx<'_>, doc: &T) -> Result<(), ApiError> {
    tx.sql.execute(
        "UPDATE objects SET doc = ?2 WHERE id = ?1",
        params![doc.id(), serde_json::to_string(doc)?],
    )?;
    Ok(())
}

/// An object of `kind` with its owning registration id.
pub(crate) fn obj_get<T: DeserializeOwned>(
    tx: &Tx<'_>,
    kind: &str,
    id: &str,
) -> Result<Option<(String, T)>, ApiError> {
    let row: Option<(String, String)> = tx
        .sql
        .query_row(
            "SELECT registration_id, doc FROM objects WHERE id = ?1 AND kind = ?2",
            [id, kind],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match row {
        Some((reg, doc)) => Ok(Some((reg, serde_json::from_str(&doc)?))),
        None => Ok(None),
    }
}

/// The object `id` of `kind`, if it exists.
pub(crate) fn obj_load<T: DeserializeOwned>(
    tx: &Tx<'_>,
    kind: &str,
    id: Option<&str>,
) -> Result<Option<T>, ApiError> {
    match id {
        Some(id) => Ok(obj_get(tx, kind, id)?.map(|(_, d)| d)),
        None => Ok(None),
    }
}

pub(crate) fn obj_delete(tx: &Tx<'_>, id: &str) -> Result<(), ApiError> {
    tx.sql.execute("DELETE FROM objects WHERE id = ?1", [id])?;
    Ok(())
}

/// A stored image as referenced by registrations (`{_id, url}`).
pub(crate) fn image_ref(base_url: &str, id: &str, file: &str) -> ImageRef {
    ImageRef {
        id: id.to_owned(),
        url: Some(image_url(base_url, file)),
    }
}

/// Where a stored image file is served.
pub(crate) fn image_url(base_url: &str, file: &str) -> String {
    format!("{base_url}/sandbox/images/{file}")
}

pub(crate) fn image_file(tx: &Tx<'_>, id: &str) -> Result<Option<String>, ApiError> {
    Ok(tx
        .sql
        .query_row("SELECT file FROM images WHERE id = ?1", [id], |r| r.get(0))
        .optional()?)
}

pub(crate) fn insert_image(
    tx: &Tx<'_>,
    id: &str,
    registration_id: &str,
    file: &str,
    mime: &str,
) -> Result<(), ApiError> {
    tx.sql.execute(
        "INSERT INTO images (id, registration_id, file, mime, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, registration_id, file, mime, tx.now],
    )?;
    Ok(())
}

#[cfg(test)]
mod privacy_tests {
    use super::Registration;

    #[test]
    fn registration_debug_hides_contact_details_and_names() {
        let reg: Registration = serde_json::from_str(
            r#"{
            "_id": "64b0c0ffee0123456789abcd",
            "project": "p1", "projectFlow": "f1", "status": "ONGOING", "currentStep": "2",
            "email": "jane.doe@example.com", "phone": "5550001234", "countryCode": "+57",
            "fullName": "Jane Q Doe", "firstName": "Jane", "lastName": "Doe",
            "language": "en", "emailValidation": null, "phoneValidation": null,
            "emailValidated": true, "phoneValidated": false, "documentValidation": null,
            "biometricValidation": null, "informationValidation": "", "person": null,
            "face": null, "documentFace": null, "compareFaceVerification": null,
            "stepsDone": [], "documentAttempts": 0, "livenessAttempts": 0,
            "createdAt": "", "updatedAt": ""
        }"#,
        )
        .unwrap();
        let text = format!("{reg:?} {reg:#?}");
        for secret in ["jane.doe", "example.com", "5550001234", "Jane", "Doe"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert!(text.contains("64b0c0ffee0123456789abcd") && text.contains("ONGOING"));
    }
}
