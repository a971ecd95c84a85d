//! The review before `end`: what the server holds about the registration once the last
//! verification step (document, selfie, face compare) is done, retrieved from the server so the
//! app can show it, let the user confirm it, or compare it with what the user typed.
//!
//! `Debug` redacts every personal value (names, document number, dates, nationality); the
//! scores and statuses are printed.

use serde::{Deserialize, Serialize};
use smart_enroll_api as api;

use crate::flow::FlowConfig;
use crate::machine_readable::{FieldDisagreement, MachineReadableData};
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
    /// The document's own machine-readable data (its MRZ or PDF417, read on the device), when
    /// the app handed it to the session (`EnrollmentSession::set_document_data`).
    #[serde(default)]
    pub machine_readable: Option<MachineReadableData>,
    /// Where the server's OCR ([`Review::document`]) and [`Review::machine_readable`]
    /// disagree (normalised comparison, see [`MachineReadableData::disagreements_with`]);
    /// empty when they agree or either is missing. Informational: it does not change
    /// `expected_outcome`.
    #[serde(default)]
    pub disagreements: Vec<FieldDisagreement>,
}

impl Review {
    /// Sets the document's machine-readable data (or clears it with `None`) and recomputes
    /// [`Review::disagreements`] against the server's OCR.
    pub(crate) fn cross_check(&mut self, data: Option<&MachineReadableData>) {
        self.machine_readable = data.filter(|d| !d.is_empty()).cloned();
        self.disagreements = match (&self.machine_readable, &self.document) {
            (Some(d), Some(server)) => d.disagreements_with(server),
            _ => Vec::new(),
        };
    }
}

/// The thresholds a review is judged against: the flow's `livenessMinScore` and
/// `compareMinScore` (the compare result's own `compare_min_score` wins when the server sent
/// one).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Thresholds {
    pub liveness_min_score: f64,
    pub compare_min_score: f64,
}

/// Defaults of contract §10 #14 (the hosted app's), used when the flow does not say.
pub(crate) const DEFAULT_THRESHOLDS: Thresholds = Thresholds {
    liveness_min_score: 0.65,
    compare_min_score: 0.8,
};

impl Thresholds {
    /// The thresholds of a parsed flow configuration.
    pub(crate) fn of_flow(flow: &FlowConfig) -> Self {
        Self {
            liveness_min_score: flow.liveness.liveness_min_score,
            compare_min_score: flow.document.compare_min_score,
        }
    }

    /// The thresholds of a populated `projectFlow` (wire type), with the §10 #14 defaults.
    pub(crate) fn of_wire_flow(flow: &api::ProjectFlow) -> Self {
        let s = &flow.onboarding_settings;
        Self {
            liveness_min_score: s
                .liveness
                .liveness_min_score
                .unwrap_or(DEFAULT_THRESHOLDS.liveness_min_score),
            compare_min_score: s
                .document
                .compare_min_score
                .unwrap_or(DEFAULT_THRESHOLDS.compare_min_score),
        }
    }
}

/// The checks of a registration as the server holds them (the parts of a [`Review`] that do
/// not depend on the session).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ServerChecks {
    pub document: Option<DocumentFields>,
    pub names_match: Option<bool>,
    pub liveness: Option<ScoreCheck>,
    pub compare: Option<ScoreCheck>,
    pub criminal_check: Option<CriminalCheck>,
}

impl ServerChecks {
    /// Whether a check failed: liveness or compare below its threshold, or a criminal record.
    /// (A names mismatch is not a failure: the hosted app offers a manual review instead.)
    pub(crate) fn any_failed(&self) -> bool {
        self.liveness.is_some_and(|l| !l.passed)
            || self.compare.is_some_and(|c| !c.passed)
            || self.criminal_check.as_ref().is_some_and(|c| c.record_found)
    }
}

fn secret_text(s: Option<&api::Secret>) -> Option<String> {
    s.map(|v| v.expose().trim())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The OCR fields of a populated document validation (contract §5.6). `documentNumber` is the
/// first of the `|`-separated candidates; statuses are normalised to the contract's uppercase
/// names (unknown ones are kept as sent).
pub(crate) fn document_fields(doc: &api::DocumentValidation) -> DocumentFields {
    let ocr = doc.ocr_extraction.as_ref();
    DocumentFields {
        status: doc.status.as_ref().map(|s| s.as_str().to_owned()),
        category: doc
            .document_category
            .as_ref()
            .map(|c| c.as_str().to_owned()),
        document_type: doc
            .document_type
            .clone()
            .or_else(|| ocr.and_then(|o| o.document_type.clone()))
            .filter(|t| !t.trim().is_empty()),
        document_number: doc.primary_document_number().map(str::to_owned),
        first_name: secret_text(ocr.and_then(|o| o.first_name.as_ref())),
        last_name: secret_text(ocr.and_then(|o| o.last_name.as_ref())),
        full_name: secret_text(ocr.and_then(|o| o.full_name.as_ref())),
        date_of_birth: secret_text(ocr.and_then(|o| o.date_of_birth.as_ref())),
        expiration_date: secret_text(ocr.and_then(|o| o.expiration_date.as_ref())),
        nationality: secret_text(ocr.and_then(|o| o.nationality.as_ref())),
    }
}

/// The criminal check of a populated information validation, `None` unless it ran (`PENDING`
/// or no status means it did not).
pub(crate) fn criminal_check(info: &api::InformationValidation) -> Option<CriminalCheck> {
    let status = info.status.as_ref()?;
    if matches!(status, api::InformationStatus::Pending) {
        return None;
    }
    let hits = info
        .criminal_data
        .as_ref()
        .is_some_and(|d| !d.found_keys.is_empty());
    Some(CriminalCheck {
        status: status.as_str().to_owned(),
        record_found: matches!(status, api::InformationStatus::Failed) || hits,
    })
}

/// The checks of a retrieved registration (`GET /v2/app-registrations/{id}?populates[]=…` or
/// `me`), judged against `t`. References that came back as bare ids (not populated) count as
/// unknown (`None`), never as passed.
pub(crate) fn server_checks(reg: &api::AppRegistration, t: Thresholds) -> ServerChecks {
    let doc = reg.document();
    let names_match = doc.and_then(|d| {
        d.names_match
            .or_else(|| d.name_validation.as_ref().and_then(|n| n.names_match))
    });
    // Liveness passes when score > livenessMinScore (the documented liveness-API rule, §11).
    let liveness = reg.liveness_score().map(|score| ScoreCheck {
        score,
        min_score: t.liveness_min_score,
        passed: score > t.liveness_min_score,
    });
    let compare = reg.compare().and_then(|c| {
        let score = c.result.score?;
        let min_score = c.result.compare_min_score.unwrap_or(t.compare_min_score);
        Some(ScoreCheck {
            score,
            min_score,
            passed: c.passed(min_score).unwrap_or(score >= min_score),
        })
    });
    ServerChecks {
        document: doc.map(document_fields),
        names_match,
        liveness,
        compare,
        criminal_check: reg.information().and_then(criminal_check),
    }
}

/// The [`Review`] of a registration retrieved with its validations populated
/// ([`api::REVIEW_POPULATES`]), judged against the flow's thresholds. `expected_outcome` is
/// `Failed` when a check failed (liveness, compare, criminal record), else `Completed`; the
/// session may still turn it into `Failed` for what only it knows (a step it gave up on).
// The session's review before `end` calls it (branch `core`); until that lands only the tests do.
#[allow(dead_code)]
pub(crate) fn review_from_registration(reg: &api::AppRegistration, flow: &FlowConfig) -> Review {
    let checks = server_checks(reg, Thresholds::of_flow(flow));
    let expected_outcome = if checks.any_failed() {
        Outcome::Failed
    } else {
        Outcome::Completed
    };
    Review {
        registration_id: reg.id.clone(),
        document: checks.document,
        names_match: checks.names_match,
        liveness: checks.liveness,
        compare: checks.compare,
        criminal_check: checks.criminal_check,
        expected_outcome,
        machine_readable: None,
        disagreements: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::{FlowPreset, NewFlow};

    fn flow(liveness_min: f64, compare_min: f64) -> FlowConfig {
        let mut nf = NewFlow::preset("p1", FlowPreset::FullKyc);
        nf.liveness.liveness_min_score = liveness_min;
        nf.document.compare_min_score = compare_min;
        let mut v = nf.to_json();
        if let Some(o) = v.as_object_mut() {
            o.insert("_id".into(), "f1".into());
        }
        FlowConfig::from_flow_json(&v).unwrap()
    }

    fn reg(body: &str) -> api::AppRegistration {
        serde_json::from_str::<api::Data<api::AppRegistration>>(body)
            .unwrap()
            .data
    }

    /// The retrieve answer of contract §5.3 with `populates[]` = the review's references;
    /// shapes of §5.6 (OCRExtraction, `|` candidates), §5.8 (livenessScore), §5.9
    /// (compareFaceVerification.result) and §5.10 (criminal check).
    const POPULATED: &str = r#"{"data":{
        "_id":"674de8df21c72be3cc42b8a7","status":"ONGOING","currentStep":"liveness","__v":0,
        "project":"674de8df21c72be3cc42b8a1","projectFlow":"674de8df21c72be3cc42b8a2",
        "documentValidation":{"_id":"d1","status":"ACTIVE","documentCategory":"ID",
            "documentType":"CC","documentNumber":"1234567890|1234567B90","namesMatch":true,
            "OCRExtraction":{"firstName":"ANA MARIA","lastName":"PEREZ","documentNumber":"1234567890",
                "dateOfBirth":"1990-04-01","expirationDate":"2031-04-01","nationality":"COL","extra":1}},
        "biometricValidation":{"_id":"b1","livenessScore":0.91},
        "compareFaceVerification":{"_id":"c1","type":"compare","status":"success",
            "result":{"score":0.85,"passed":true,"compare_min_score":0.85}},
        "informationValidation":{"_id":"i1","status":"ACTIVE","criminalData":{"foundKeys":[],
            "world_api_fbi":{"foundInFBI":false,"status":"clear"}}}}}"#;

    #[test]
    fn populated_registration_becomes_the_review() {
        let r = review_from_registration(&reg(POPULATED), &flow(0.65, 0.8));
        assert_eq!(r.registration_id, "674de8df21c72be3cc42b8a7");
        let d = r.document.clone().unwrap();
        assert_eq!(d.status.as_deref(), Some("ACTIVE"));
        assert_eq!(d.category.as_deref(), Some("ID"));
        assert_eq!(d.document_type.as_deref(), Some("CC"));
        assert_eq!(d.document_number.as_deref(), Some("1234567890"));
        assert_eq!(d.first_name.as_deref(), Some("ANA MARIA"));
        assert_eq!(d.last_name.as_deref(), Some("PEREZ"));
        assert_eq!(d.full_name, None);
        assert_eq!(d.date_of_birth.as_deref(), Some("1990-04-01"));
        assert_eq!(d.expiration_date.as_deref(), Some("2031-04-01"));
        assert_eq!(d.nationality.as_deref(), Some("COL"));
        assert_eq!(r.names_match, Some(true));
        assert_eq!(
            r.liveness,
            Some(ScoreCheck {
                score: 0.91,
                min_score: 0.65,
                passed: true
            })
        );
        // The server's compare_min_score wins over the flow's 0.8.
        assert_eq!(
            r.compare,
            Some(ScoreCheck {
                score: 0.85,
                min_score: 0.85,
                passed: true
            })
        );
        assert_eq!(
            r.criminal_check,
            Some(CriminalCheck {
                status: "ACTIVE".into(),
                record_found: false
            })
        );
        assert_eq!(r.expected_outcome, Outcome::Completed);
        // Debug never shows the OCR values.
        let dbg = format!("{r:?}");
        assert!(
            !dbg.contains("PEREZ") && !dbg.contains("1234567890"),
            "{dbg}"
        );
    }

    #[test]
    fn cross_check_lists_disagreements_and_clears() {
        let mut r = review_from_registration(&reg(POPULATED), &flow(0.65, 0.8));
        assert_eq!(r.machine_readable, None);
        assert!(r.disagreements.is_empty());
        let mrz = MachineReadableData {
            given_names: Some("Ana María".into()),
            surnames: Some("PÉREZ".into()),
            document_number: Some("1234567899".into()),
            date_of_birth: Some("1990-04-01".into()),
        };
        r.cross_check(Some(&mrz));
        assert_eq!(r.machine_readable.as_ref(), Some(&mrz));
        assert_eq!(r.disagreements.len(), 1, "{:?}", r.disagreements);
        assert_eq!(r.disagreements[0].field, "document_number");
        assert_eq!(r.disagreements[0].server, "1234567890");
        assert_eq!(r.disagreements[0].document, "1234567899");
        // Serialised for snapshots and read back; older reviews without the fields still read.
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["disagreements"][0]["field"], "document_number");
        assert_eq!(serde_json::from_value::<Review>(json.clone()).unwrap(), r);
        let mut old = json;
        if let Some(o) = old.as_object_mut() {
            o.remove("machineReadable");
            o.remove("disagreements");
        }
        let old: Review = serde_json::from_value(old).unwrap();
        assert!(old.machine_readable.is_none() && old.disagreements.is_empty());
        // No document validation: nothing to compare. Empty data clears.
        r.document = None;
        r.cross_check(Some(&mrz));
        assert!(r.disagreements.is_empty());
        r.cross_check(Some(&MachineReadableData::default()));
        assert_eq!(r.machine_readable, None);
    }

    #[test]
    fn id_only_references_are_unknown_not_passed() {
        let r = review_from_registration(
            &reg(
                r#"{"data":{"_id":"r1","status":"ONGOING","documentValidation":"d1",
                "biometricValidation":"b1","compareFaceVerification":"c1",
                "informationValidation":{"_id":"i1"},"person":"p1"}}"#,
            ),
            &flow(0.65, 0.8),
        );
        assert_eq!(r.document, None);
        assert_eq!(r.names_match, None);
        assert_eq!(r.liveness, None);
        assert_eq!(r.compare, None);
        assert_eq!(r.criminal_check, None);
        assert_eq!(r.expected_outcome, Outcome::Completed);
    }

    #[test]
    fn lowercase_statuses_numbers_as_strings_and_document_data() {
        // Docusaurus object pages (§10 #9): lowercase statuses, `documentData`; numbers and
        // booleans as strings (§10).
        let r = review_from_registration(
            &reg(r#"{"data":{"_id":{"$oid":"r2"},"status":"ongoing",
                "documentValidation":{"_id":"d2","status":"needs_manual_verification",
                    "documentCategory":"passport","documentNumber":" AB123 | AB128 ",
                    "documentData":{"fullName":"ANA PEREZ","documentType":"PA"}},
                "biometricValidation":{"_id":"b2","livenessScore":"0.65"},
                "compareFaceVerification":{"_id":"c2","result":{"score":"0.79"}},
                "informationValidation":{"_id":"i2","status":"failed",
                    "criminalData":{"foundKeys":["world_api_ofac"]}}}}"#),
            &flow(0.65, 0.8),
        );
        assert_eq!(r.registration_id, "r2");
        let d = r.document.clone().unwrap();
        assert_eq!(d.status.as_deref(), Some("NEEDS_MANUAL_VERIFICATION"));
        assert_eq!(d.category.as_deref(), Some("Passport"));
        assert_eq!(d.document_number.as_deref(), Some("AB123"));
        assert_eq!(d.document_type.as_deref(), Some("PA"));
        assert_eq!(d.full_name.as_deref(), Some("ANA PEREZ"));
        // No namesMatch sent: no name check ran.
        assert_eq!(r.names_match, None);
        // Exactly at the threshold is not above it: liveness fails.
        assert_eq!(
            r.liveness,
            Some(ScoreCheck {
                score: 0.65,
                min_score: 0.65,
                passed: false
            })
        );
        // No `passed`, no compare_min_score: the flow's 0.8 decides (score >= min).
        assert_eq!(
            r.compare,
            Some(ScoreCheck {
                score: 0.79,
                min_score: 0.8,
                passed: false
            })
        );
        assert_eq!(
            r.criminal_check,
            Some(CriminalCheck {
                status: "FAILED".into(),
                record_found: true
            })
        );
        assert_eq!(r.expected_outcome, Outcome::Failed);
    }

    #[test]
    fn biometric_answer_shape_and_pending_check() {
        // §10 #6: the biometric 200 with a top-level livenessScore; a PENDING check did not run;
        // nameValidation's namesMatch when the document has none at the top.
        let r = review_from_registration(
            &reg(r#"{"data":{"_id":"r3","livenessScore":0.7,
                "documentValidation":{"_id":"d3","nameValidation":{"namesMatch":"false"}},
                "informationValidation":{"_id":"i3","status":"PENDING"}}}"#),
            &flow(0.6, 0.8),
        );
        assert_eq!(r.liveness.map(|l| (l.score, l.passed)), Some((0.7, true)));
        assert_eq!(r.names_match, Some(false));
        assert_eq!(r.criminal_check, None);
        // A names mismatch alone is not a failure (the hosted app offers manual review).
        assert_eq!(r.expected_outcome, Outcome::Completed);
    }

    #[test]
    fn compare_passed_from_the_server_wins() {
        let r = review_from_registration(
            &reg(
                r#"{"data":{"_id":"r4","compareFaceVerification":{"_id":"c4",
                "result":{"score":0.9,"passed":false,"compare_min_score":"0.95"}}}}"#,
            ),
            &flow(0.65, 0.8),
        );
        assert_eq!(
            r.compare,
            Some(ScoreCheck {
                score: 0.9,
                min_score: 0.95,
                passed: false
            })
        );
        assert_eq!(r.expected_outcome, Outcome::Failed);
    }

    #[test]
    fn wire_flow_thresholds_with_defaults() {
        let f: api::ProjectFlow = serde_json::from_str(
            r#"{"_id":"f1","project":"p1","onboardingSettings":{
                "liveness":{"livenessMinScore":"0.7"},"document":{}}}"#,
        )
        .unwrap();
        assert_eq!(
            Thresholds::of_wire_flow(&f),
            Thresholds {
                liveness_min_score: 0.7,
                compare_min_score: 0.8
            }
        );
        assert_eq!(
            Thresholds::of_wire_flow(&api::ProjectFlow::default()),
            DEFAULT_THRESHOLDS
        );
    }
}
