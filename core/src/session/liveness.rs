//! Step: the selfie (liveness).

use super::*;

impl EnrollmentSession {
    /// Uploads the selfie (re-encoded JPEG, sent as a data URI). A failed liveness check gives
    /// [`EnrollError::LivenessFailed`] and uses an attempt; when none are left the enrollment
    /// ends as `Failed`.
    pub async fn submit_selfie(&self, image: Vec<u8>) -> Result<EnrollState, EnrollError> {
        self.run(self.selfie_inner(image)).await
    }

    pub(super) async fn selfie_inner(&self, image: Vec<u8>) -> Result<EnrollState, EnrollError> {
        self.expect_step(StepKind::Liveness)?;
        let jpeg = prepare_off_thread(image, crate::media::prepare_selfie).await?;
        let uri = format!("data:image/jpeg;base64,{}", B64.encode(jpeg));
        if self.progress().liveness.state == LivenessState::NotSynced {
            self.sync("liveness", "ONGOING").await?;
            self.progress().liveness.state = LivenessState::Synced;
        }
        let attempts = self.progress().liveness.attempts;
        let os = smart_enroll_api::Os::parse(self.client.config().platform.as_api());
        let request = |force: bool| smart_enroll_api::BiometricValidationRequest {
            image: smart_enroll_api::Secret::new(&uri),
            os: Some(os.clone()),
            force: Some(force),
        };
        let body = body_of(&request(attempts > 0))?;
        let forced = body_of(&request(true))?;
        drop(uri);
        let attempt = attempts + 1;
        let started = now_ms();
        self.event(
            AnalyticsEventKind::StepStarted,
            StepKind::Liveness,
            attempt,
            started,
        );
        let r = self
            .upload(
                UploadKind::Selfie,
                "/v2/biometric-validations/app-registration",
                Some(body),
                Some(("person_already_set", forced)),
                "liveness",
            )
            .await;
        let r = match r {
            // The biometric answer reads as an AppRegistration (either shape, §10 #6).
            Ok(Delivered::Answer(v)) => parse_data::<AppRegistration>(&v, "liveness"),
            Ok(Delivered::FromServer(reg)) => {
                let known = self.progress().biometric_validation_id().map(str::to_owned);
                let new_validation = reg
                    .biometric_validation
                    .as_ref()
                    .map(IdOr::id)
                    .is_some_and(|id| !id.is_empty() && Some(id) != known.as_deref());
                if new_validation {
                    Ok(*reg)
                } else {
                    // It arrived and was counted, but left no validation: it was judged and
                    // failed (the answer that said why was lost).
                    self.progress().liveness.server_attempts =
                        reg.liveness_attempts.unwrap_or_default();
                    Err(EnrollError::LivenessFailed { score: None })
                }
            }
            Err(e) => Err(e),
        };
        match r {
            Ok(reg) => {
                let score = reg.liveness_score();
                {
                    let mut p = self.progress();
                    let next = p.liveness.server_attempts + 1;
                    p.liveness.server_attempts = reg.liveness_attempts.unwrap_or(next).max(next);
                    p.liveness.state = LivenessState::Done {
                        biometric_validation_id: reg
                            .biometric_validation
                            .as_ref()
                            .map(IdOr::id)
                            .filter(|id| !id.is_empty())
                            .map(str::to_owned),
                    };
                    p.scores.liveness_score = score;
                }
                self.event(
                    AnalyticsEventKind::StepCompleted,
                    StepKind::Liveness,
                    attempt,
                    started,
                );
                self.advance();
                self.drive().await?;
                Ok(self.computed_state())
            }
            Err(e) => {
                let score = match &e {
                    EnrollError::LivenessFailed { score } => Some(*score),
                    _ => None,
                };
                let judged_by_server = matches!(
                    e,
                    EnrollError::LivenessFailed { .. } | EnrollError::FaceAlreadyExists
                );
                self.attempt_failed(StepKind::Liveness, attempt, started, e, |p| {
                    if let Some(score) = score {
                        p.scores.liveness_score = score;
                    }
                    if judged_by_server {
                        let next = p.liveness.server_attempts + 1;
                        p.liveness.server_attempts = p.liveness.server_attempts.max(next);
                    }
                    p.liveness.attempts += 1;
                    p.liveness.attempts >= p.flow.liveness.max_attempts
                })
                .await
            }
        }
    }
}
