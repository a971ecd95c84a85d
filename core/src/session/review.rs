//! Step: the review before `end`, retrieved from the server (`POST /v2/app-registrations/me`).

use super::*;

/// At the finish step: the review once retrieved from the server, else `Processing` (the
/// retrieve is pending; `resume()` sends it).
pub(super) fn review_state(p: &Progress) -> EnrollState {
    match &p.review() {
        Some(review) => EnrollState::AwaitingReview {
            review: (*review).clone(),
        },
        None => EnrollState::Processing {
            step: StepKind::Finish,
        },
    }
}

/// The review from the server's populated registration (`me`), with the session's own tally
/// folded into the expected outcome (a step that ran out of attempts, a failed check the
/// server's answer reported but the registration does not show).
pub(super) fn review_of(p: &Progress, reg: &AppRegistration) -> Review {
    let mut review = crate::review::review_from_registration(reg, &p.flow);
    if review.registration_id.is_empty() {
        review.registration_id = p.registration_id().unwrap_or_default().to_owned();
    }
    if tally_failed(p) {
        review.expected_outcome = Outcome::Failed;
    }
    review.cross_check(p.machine_readable.as_ref());
    review
}

/// Copies the server's scores (the review) into the session's scores.
pub(super) fn scores_from_review(scores: &mut Scores, r: &Review) {
    if let Some(l) = r.liveness {
        scores.liveness_score = Some(l.score);
    }
    if let Some(c) = r.compare {
        scores.compare_score = Some(c.score);
        scores.compare_passed = Some(c.passed);
    }
    if r.names_match.is_some() {
        scores.names_match = r.names_match;
    }
    if let Some(c) = &r.criminal_check {
        scores.criminal_record_found = Some(c.record_found);
    }
}

impl EnrollmentSession {
    /// Hands the session what the document's own machine-readable zone or barcode says (read
    /// on the device: `smart_enroll_core::document`), e.g. right after the front (or back) was
    /// captured. The review then shows it ([`Review::machine_readable`]) and lists where the
    /// server's OCR disagrees with it ([`Review::disagreements`]); nothing is sent to the
    /// server. A later call replaces it; an empty identity clears it. When the review is
    /// already shown, it is updated (and observers see the new `AwaitingReview`). Kept in the
    /// snapshot.
    pub fn set_document_data(&self, data: smart_enroll_document::DocumentIdentity) {
        let data = crate::machine_readable::MachineReadableData::from(data);
        {
            let mut p = self.progress();
            p.machine_readable = (!data.is_empty()).then_some(data);
            let data = p.machine_readable.clone();
            if let FinishState::Reviewing { review } = &mut p.finish {
                review.cross_check(data.as_ref());
            }
        }
        tracing::debug!("document machine-readable data set");
        self.publish();
    }

    /// The document's machine-readable data handed over with [`Self::set_document_data`].
    pub fn document_data(&self) -> Option<crate::machine_readable::MachineReadableData> {
        self.progress().machine_readable.clone()
    }

    /// Retrieves the registration with its populated validations
    /// (`POST /v2/app-registrations/me {populates}`).
    pub(super) async fn me(&self, populates: &[&str]) -> Result<AppRegistration, EnrollError> {
        let body = body_of(&MeRequest {
            populates: Populates(populates.iter().map(|s| (*s).to_owned()).collect()),
        })?;
        let v = self
            .call(
                Method::POST,
                "/v2/app-registrations/me".into(),
                Some(body),
                None,
                RetryClass::Safe,
                "retrieve",
            )
            .await?;
        parse_data(&v, "retrieve")
    }

    /// Retrieves the registration and builds the review from the server's data.
    pub(super) async fn fetch_review(&self) -> Result<(), EnrollError> {
        let reg = self.me(smart_enroll_api::REVIEW_POPULATES).await?;
        let mut p = self.progress();
        let review = review_of(&p, &reg);
        scores_from_review(&mut p.scores, &review);
        tracing::debug!(outcome = ?review.expected_outcome, "review retrieved");
        p.finish = FinishState::Reviewing { review };
        Ok(())
    }
}
