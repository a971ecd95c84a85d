//! Interim conversion "populated registration -> [`Review`]" used by the session until the
//! backend helper's `review::review_from_registration` lands (then this file goes away: there
//! is one conversion).

use smart_enroll_api::{AppRegistration, InformationStatus};

use crate::flow::FlowConfig;
use crate::review::{CriminalCheck, DocumentFields, Review, ScoreCheck};
use crate::types::Outcome;

fn text(s: &Option<smart_enroll_api::Secret>) -> Option<String> {
    s.as_ref()
        .map(|v| v.expose().trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The review from a registration retrieved with [`smart_enroll_api::REVIEW_POPULATES`].
pub(crate) fn review_from_registration(reg: &AppRegistration, flow: &FlowConfig) -> Review {
    let document = reg.document().map(|d| {
        let ocr = d.ocr_extraction.clone().unwrap_or_default();
        DocumentFields {
            status: d.status.as_ref().map(|s| s.as_str().to_owned()),
            category: d.document_category.as_ref().map(|c| c.as_str().to_owned()),
            document_type: ocr
                .document_type
                .clone()
                .or_else(|| d.document_type.clone()),
            document_number: d.primary_document_number().map(str::to_owned),
            first_name: text(&ocr.first_name),
            last_name: text(&ocr.last_name),
            full_name: text(&ocr.full_name),
            date_of_birth: text(&ocr.date_of_birth),
            expiration_date: text(&ocr.expiration_date),
            nationality: text(&ocr.nationality),
        }
    });
    let names_match = reg.document().and_then(|d| {
        d.name_validation
            .as_ref()
            .and_then(|n| n.names_match)
            .or(d.names_match)
    });
    let live_min = flow.liveness.liveness_min_score;
    let bio = reg.biometric_validation.as_ref().and_then(|b| b.object());
    let liveness = reg.liveness_score().map(|score| ScoreCheck {
        score,
        min_score: live_min,
        passed: bio.and_then(|b| b.passed).unwrap_or(score > live_min),
    });
    let cmp_min = flow.document.compare_min_score;
    let compare = reg.compare().and_then(|c| {
        c.result.score.map(|score| ScoreCheck {
            score,
            min_score: cmp_min,
            passed: c.passed(cmp_min).unwrap_or(score >= cmp_min),
        })
    });
    let criminal_check = reg
        .information()
        .and_then(|i| i.status.as_ref().map(|s| (s, i)))
        .filter(|(s, _)| !matches!(s, InformationStatus::Pending))
        .map(|(s, i)| CriminalCheck {
            status: s.as_str().to_owned(),
            record_found: matches!(s, InformationStatus::Failed)
                || i.criminal_data
                    .as_ref()
                    .is_some_and(|c| !c.found_keys.is_empty()),
        });
    let failed = liveness.is_some_and(|l| !l.passed)
        || compare.is_some_and(|c| !c.passed)
        || criminal_check.as_ref().is_some_and(|c| c.record_found);
    Review {
        registration_id: reg.id.clone(),
        document,
        names_match,
        liveness,
        compare,
        criminal_check,
        expected_outcome: if failed {
            Outcome::Failed
        } else {
            Outcome::Completed
        },
    }
}
