//! Steps: email and phone one-time codes (create, validate as the typed string, resend, phone
//! channel).

use super::*;

impl EnrollmentSession {
    pub(super) async fn send_otp(&self, phone: bool) -> Result<(), EnrollError> {
        let started = now_ms();
        let kind = if phone {
            StepKind::PhoneOtp
        } else {
            StepKind::EmailOtp
        };
        let (path, body) = {
            let p = self.progress();
            let secret = |v: &Option<String>| {
                smart_enroll_api::Secret::new(v.as_deref().unwrap_or_default())
            };
            let language = Some(p.signup.language.clone().unwrap_or_else(|| "en".into()));
            let method = Some("verificationCode".to_owned());
            let onboarding = Some("onboarding".to_owned());
            let flow = Some(p.flow.flow_id.clone());
            if phone {
                let b = body_of(&smart_enroll_api::CreatePhoneValidationRequest {
                    project: p.flow.project_id.clone(),
                    validation_method: method,
                    phone: secret(&p.signup.phone),
                    country_code: p.signup.country_code.clone().unwrap_or_default(),
                    validation_type: onboarding,
                    phone_gateway: Some(
                        p.phone_channel
                            .unwrap_or(PhoneChannel::Sms)
                            .as_api()
                            .to_owned(),
                    ),
                    project_flow: flow,
                    language,
                })?;
                ("/v2/phone-validations/app-registration".to_owned(), b)
            } else {
                let b = body_of(&smart_enroll_api::CreateEmailValidationRequest {
                    project: p.flow.project_id.clone(),
                    validation_method: method,
                    email: secret(&p.signup.email),
                    validation_type: onboarding,
                    project_flow: flow,
                    language,
                    expires_at: None,
                    redirect_url: None,
                    webhook_url: None,
                })?;
                ("/v2/email-validations/app-registration".to_owned(), b)
            }
        };
        // Creating an OTP while one is active re-sends the same code (contract §5.5): safe.
        let (r, tries) = self
            .call_counted(
                Method::POST,
                path,
                Some(body),
                None,
                RetryClass::Safe,
                None,
                kind.as_str(),
            )
            .await;
        let id = match r {
            Ok(v) => {
                let created: smart_enroll_api::OtpValidationCreated =
                    parse_data(&v, kind.as_str())?;
                let id = created.id;
                if id.is_empty() {
                    return Err(EnrollError::malformed("OTP validation has no id"));
                }
                seg(&id)?;
                Some(id)
            }
            // A retry hit the resend cooldown: an earlier try reached the server and the code
            // was sent, but its answer was lost. Validate by contact (id-less PUT, §10 #1).
            Err(EnrollError::RateLimited { ref code, .. })
                if tries.tries > 1 && code == "otp_resend_cooldown" =>
            {
                tracing::debug!(step = kind.as_str(), "OTP sent by an earlier try");
                None
            }
            Err(e) => {
                return Err(self.step_failed(kind, 1, started, e));
            }
        };
        {
            let mut p = self.progress();
            let o = if phone { &mut p.phone } else { &mut p.email };
            o.sent(id, now_ms());
        }
        self.event(AnalyticsEventKind::StepStarted, kind, 1, started);
        Ok(())
    }

    pub(super) async fn validate_otp(
        &self,
        phone: bool,
        code: &str,
    ) -> Result<EnrollState, EnrollError> {
        let kind = if phone {
            StepKind::PhoneOtp
        } else {
            StepKind::EmailOtp
        };
        crate::validate::otp(code)?;
        let code = OtpCode::new(code);
        self.expect_step(kind)?;
        let started = now_ms();
        let (path, body, attempt) = {
            let mut p = self.progress();
            // The code travels as the JSON string the user typed (leading zeros kept), as the
            // hosted app sends it (contract §10 #2).
            let otp = smart_enroll_api::OtpCode::new(code.expose());
            let o = if phone { &p.phone } else { &p.email };
            if o.sent_at_ms().is_none() {
                return Err(EnrollError::invalid_state(
                    "no code was sent yet: call resume()",
                ));
            }
            let secret = |v: &Option<String>| v.as_deref().map(smart_enroll_api::Secret::new);
            let r = if phone {
                (
                    "/v2/phone-validations".to_owned(),
                    body_of(&smart_enroll_api::ValidatePhoneRequest {
                        id: None,
                        phone: secret(&p.signup.phone),
                        country_code: p.signup.country_code.clone(),
                        otp,
                    })?,
                )
            } else {
                let path = match &o.validation_id() {
                    Some(id) => format!("/v2/email-validations/{}", seg(id)?),
                    None => "/v2/email-validations".to_owned(),
                };
                (
                    path,
                    body_of(&smart_enroll_api::ValidateEmailRequest {
                        id: None,
                        email: secret(&p.signup.email),
                        otp,
                    })?,
                )
            };
            let o = if phone { &mut p.phone } else { &mut p.email };
            o.attempts += 1;
            (r.0, r.1, o.attempts)
        };
        let r = self
            .call(
                Method::PUT,
                path,
                Some(body),
                None,
                RetryClass::Safe,
                kind.as_str(),
            )
            .await;
        match r {
            Ok(v) => {
                // `status` when the answer has one (it must then be `validated`).
                let status = parse_data::<smart_enroll_api::OtpValidated>(&v, kind.as_str())
                    .ok()
                    .map(|o| o.status);
                if status.is_some_and(|s| s != smart_enroll_api::OtpStatus::Validated) {
                    return Err(EnrollError::malformed(format!(
                        "{}: unexpected status after validation",
                        kind.as_str()
                    )));
                }
                self.event(AnalyticsEventKind::StepCompleted, kind, attempt, started);
                self.advance();
                self.drive().await?;
                Ok(self.computed_state())
            }
            Err(e) => {
                if matches!(
                    e,
                    EnrollError::OtpLocked
                        | EnrollError::OtpExpired
                        | EnrollError::AttemptsExhausted { .. }
                ) {
                    let mut p = self.progress();
                    let o = if phone { &mut p.phone } else { &mut p.email };
                    o.mark_needs_new_code();
                }
                let e = self.step_failed(kind, attempt, started, e);
                let e = match e {
                    EnrollError::AttemptsExhausted { .. } => EnrollError::OtpLocked,
                    e => e,
                };
                Err(e)
            }
        }
    }

    /// Submits the email code (6 digits). Wrong codes give [`EnrollError::OtpMismatch`]; after
    /// too many, [`EnrollError::OtpLocked`] (request a new code with `resend_email_code`).
    pub async fn submit_email_code(&self, code: String) -> Result<EnrollState, EnrollError> {
        self.run(self.validate_otp(false, &code)).await
    }

    /// Submits the phone code (6 digits).
    pub async fn submit_phone_code(&self, code: String) -> Result<EnrollState, EnrollError> {
        self.run(self.validate_otp(true, &code)).await
    }

    pub(super) async fn resend(&self, phone: bool) -> Result<EnrollState, EnrollError> {
        let kind = if phone {
            StepKind::PhoneOtp
        } else {
            StepKind::EmailOtp
        };
        self.expect_step(kind)?;
        if phone && self.progress().phone_channel.is_none() {
            return Err(EnrollError::invalid_state("choose a phone channel first"));
        }
        self.send_otp(phone).await?;
        Ok(self.computed_state())
    }

    /// Sends the email code again (the server re-sends an active code, or a fresh one after a
    /// lock). Too early gives [`EnrollError::RateLimited`] with the wait.
    pub async fn resend_email_code(&self) -> Result<EnrollState, EnrollError> {
        self.run(self.resend(false)).await
    }

    /// Sends the phone code again.
    pub async fn resend_phone_code(&self) -> Result<EnrollState, EnrollError> {
        self.run(self.resend(true)).await
    }

    /// Picks SMS or WhatsApp when the flow offers both, and sends the code.
    pub async fn choose_phone_channel(
        &self,
        channel: PhoneChannel,
    ) -> Result<EnrollState, EnrollError> {
        self.run(async {
            let PlanStep::PhoneOtp { channels, .. } = self.expect_step(StepKind::PhoneOtp)? else {
                return Err(EnrollError::invalid_state("not at the phone step"));
            };
            if !channels.contains(&channel) {
                return Err(EnrollError::InvalidInput {
                    field: "channel".into(),
                    reason: "not offered by this flow".into(),
                });
            }
            {
                let mut p = self.progress();
                if p.phone_channel != Some(channel) {
                    p.phone_channel = Some(channel);
                    p.phone = OtpState::default();
                }
            }
            self.drive().await?;
            Ok(self.computed_state())
        })
        .await
    }
}
