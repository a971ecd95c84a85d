//! The review before `end`: what the server holds about the registration once the last
//! verification step (document, selfie, face compare) is done, retrieved from the server so the
//! app can show it, let the user confirm it, or compare it with what the user typed.
//!
//! `Debug` redacts every personal value (names, document number, dates, nationality); the
//! scores and statuses are printed.

use serde::{Deserialize, Serialize};

use crate::types::Outcome;

/// What the server extracted from the document (its OCR), as the server sent it. Dates are
/// the server's text (ISO `YYYY-MM-DD` on the sandbox; other templates may differ).
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentFields {
    /// Server status of the document validation (`ACTIVE`, `NEEDS_MANUAL_VERIFICATION`, ...).
    pub status: Option<String>,
    /// Document category as the server names it (`ID`, `Passport`, `DriverLicense`, ...).
    pub category: Option<String>,
    /// Document type code (`CC`, `PA`, ...).
    pub document_type: Option<String>,
    /// Document number (the first candidate when the server sends several).
    pub document_number: Option<String>,
    /// First name(s).
    pub first_name: Option<String>,
    /// Last name(s).
    pub last_name: Option<String>,
    /// Full name, when the template has one.
    pub full_name: Option<String>,
    /// Date of birth.
    pub date_of_birth: Option<String>,
    /// Expiry date.
    pub expiration_date: Option<String>,
    /// Nationality.
    pub nationality: Option<String>,
}

impl std::fmt::Debug for DocumentFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let r = |o: &Option<String>| if o.is_some() { "<redacted>" } else { "None" };
        f.debug_struct("DocumentFields")
            .field("status", &self.status)
            .field("category", &self.category)
            .field("document_type", &self.document_type)
            .field("document_number", &r(&self.document_number))
            .field("first_name", &r(&self.first_name))
            .field("last_name", &r(&self.last_name))
            .field("full_name", &r(&self.full_name))
            .field("date_of_birth", &r(&self.date_of_birth))
            .field("expiration_date", &r(&self.expiration_date))
            .field("nationality", &r(&self.nationality))
            .finish()
    }
}

/// A score with the flow's threshold and the server's (or the rule's) verdict.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoreCheck {
    /// The score, 0..1.
    pub score: f64,
    /// The flow's minimum.
    pub min_score: f64,
    /// Whether it passed.
    pub passed: bool,
}

/// Result of the criminal background check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CriminalCheck {
    /// Server status (`ACTIVE` = clear, `FAILED` = at least one hit, `ASSESSING`).
    pub status: String,
    /// At least one source reported a record.
    pub record_found: bool,
}

/// Everything collected, as the server holds it, before the final `sync end`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Review {
    /// Registration id.
    pub registration_id: String,
    /// The document's OCR fields; `None` when no document was uploaded.
    pub document: Option<DocumentFields>,
    /// Whether the names on the document match the sign-up names; `None` unless a name check
    /// ran.
    pub names_match: Option<bool>,
    /// Liveness score against the flow's `livenessMinScore`; `None` without a selfie.
    pub liveness: Option<ScoreCheck>,
    /// Face-compare score against the flow's `compareMinScore`; `None` when no compare ran.
    pub compare: Option<ScoreCheck>,
    /// Criminal check; `None` unless it ran.
    pub criminal_check: Option<CriminalCheck>,
    /// What `confirm()` will ask the server to store (`Completed` or `Failed`; the server may
    /// still store `NeedsManualVerification`).
    pub expected_outcome: Outcome,
}
