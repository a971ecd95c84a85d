//! Step: the final sync (`end` / `skipKYC`), `confirm()` and `skip_kyc()`.

use super::*;

/// Whether the final sync asks for `FAILED` rather than `COMPLETED` (the session's own tally).
pub(super) fn tally_failed(p: &Progress) -> bool {
    let s = &p.scores;
    p.failed_step().is_some()
        || s.compare_passed == Some(false)
        || s.criminal_record_found == Some(true)
        || s.liveness_score
            .is_some_and(|l| p.liveness_done() && l <= p.flow.liveness.liveness_min_score)
}

/// Appends `token=` to the redirect URL (proper URL encoding). None when it does not parse.
pub(super) fn redirect_with_token(redirect: &str, token: &str) -> Option<String> {
    let mut u = url::Url::parse(redirect).ok()?;
    u.query_pairs_mut().append_pair("token", token);
    Some(u.to_string())
}

impl EnrollmentSession {
    /// Confirms the review ([`EnrollState::AwaitingReview`]) and sends the final sync: `end`
    /// with `COMPLETED` (or `FAILED` when a score or check failed); the server may store
    /// `NEEDS_MANUAL_VERIFICATION`. With no KYC step done and KYC skippable, `skipKYC`.
    /// Returns the `Completed` state with the final token and redirect URL.
    pub async fn confirm(&self) -> Result<EnrollState, EnrollError> {
        self.run(async {
            self.expect_step(StepKind::Finish)?;
            if self.progress().review().is_none() {
                return Err(EnrollError::invalid_state(
                    "the review was not retrieved yet: call resume()",
                ));
            }
            self.finish_inner(self.skip_kyc_at_finish()).await
        })
        .await
    }

    /// Whether the final sync is `skipKYC` (no KYC step done, and the flow allows it).
    pub(super) fn skip_kyc_at_finish(&self) -> bool {
        let p = self.progress();
        p.plan.can_skip_kyc && !p.document_done() && !p.liveness_done()
    }

    /// Finishes without the KYC steps (`skipKYC` → `COMPLETED_WITHOUT_KYC`), when the flow
    /// allows it (no KYC step mandatory) and no KYC step was done yet.
    pub async fn skip_kyc(&self) -> Result<EnrollState, EnrollError> {
        self.run(async {
            let allowed =
                matches!(
                    self.computed_state(),
                    EnrollState::AwaitingDocument {
                        can_skip_kyc: true,
                        ..
                    } | EnrollState::AwaitingSelfie {
                        can_skip_kyc: true,
                        ..
                    }
                ) || (matches!(self.computed_state(), EnrollState::AwaitingReview { .. })
                    && self.progress().plan.can_skip_kyc
                    && !self.progress().document_done()
                    && !self.progress().liveness_done());
            if !allowed {
                return Err(EnrollError::invalid_state(
                    "skipping KYC is not allowed here (a KYC step is mandatory or already done)",
                ));
            }
            self.finish_inner(true).await
        })
        .await
    }

    pub(super) async fn finish_inner(&self, skip_kyc: bool) -> Result<EnrollState, EnrollError> {
        let started = now_ms();
        let (step, status) = if skip_kyc {
            ("skipKYC", "COMPLETED_WITHOUT_KYC")
        } else {
            let failed = {
                let p = self.progress();
                tally_failed(&p)
                    || p.review()
                        .as_ref()
                        .is_some_and(|r| r.expected_outcome == Outcome::Failed)
            };
            ("end", if failed { "FAILED" } else { "COMPLETED" })
        };
        self.event(
            AnalyticsEventKind::StepStarted,
            StepKind::Finish,
            1,
            started,
        );
        let v = match self.sync(step, status).await {
            Ok(v) => v,
            Err(e) => {
                return Err(self.step_failed(StepKind::Finish, 1, started, e));
            }
        };
        let synced: smart_enroll_api::SyncResponse = parse_data(&v, "end")?;
        if synced.token.is_blank() {
            return Err(EnrollError::malformed("final sync has no token"));
        }
        let token = synced.token.into_inner();
        use smart_enroll_api::RegistrationStatus as S;
        let outcome = match synced.status {
            S::Completed => Outcome::Completed,
            S::CompletedWithoutKyc => Outcome::CompletedWithoutKyc,
            S::Failed => Outcome::Failed,
            S::NeedsManualVerification => Outcome::NeedsManualVerification,
            _ => {
                return Err(EnrollError::malformed("final sync has an unknown status"));
            }
        };
        tracing::debug!(requested = status, "final sync stored");
        let state = {
            let mut p = self.progress();
            let redirect_url = p
                .flow
                .redirect_url
                .as_deref()
                .and_then(|r| redirect_with_token(r, &token));
            let result = EnrollResult {
                registration_id: p.registration_id().unwrap_or_default().to_owned(),
                outcome,
                token: FinalToken::new(token),
                redirect_url,
                scores: p.scores.clone(),
                review: if skip_kyc { None } else { p.review().cloned() },
            };
            p.finish = FinishState::Finished { result };
            p.cursor = p.plan.steps.len().saturating_sub(1);
            state_of(&p)
        };
        tracing::info!(?outcome, "enrollment finished");
        self.event_full(
            AnalyticsEventKind::EnrollmentFinished,
            StepKind::Finish,
            1,
            started,
            None,
            Some(outcome),
        );
        Ok(state)
    }
}
