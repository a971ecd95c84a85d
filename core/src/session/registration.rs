//! Step: create the registration (`POST /v2/app-registrations`, no token).

use super::*;

impl EnrollmentSession {
    pub(super) async fn create_registration(&self) -> Result<(), EnrollError> {
        let started = now_ms();
        self.event(
            AnalyticsEventKind::StepStarted,
            StepKind::CreateRegistration,
            1,
            started,
        );
        let body = {
            let p = self.progress();
            let secret = |v: &Option<String>| v.as_deref().map(smart_enroll_api::Secret::new);
            let form = &p.flow.sign_up_form;
            // First and last name go out when the flow's sign-up form asks for them (the plan
            // validated them); the full name whenever it was given.
            let split_names = form.first_name || form.last_name;
            body_of(&smart_enroll_api::CreateAppRegistrationRequest {
                project: p.flow.project_id.clone(),
                project_flow: p.flow.flow_id.clone(),
                email: secret(&p.signup.email),
                phone: secret(&p.signup.phone),
                country_code: p.signup.phone.as_ref().and(p.signup.country_code.clone()),
                full_name: secret(&p.signup.full_name),
                first_name: secret(&p.signup.first_name).filter(|_| split_names),
                last_name: secret(&p.signup.last_name).filter(|_| split_names),
                language: Some(p.signup.language.clone().unwrap_or_else(|| "en".into())),
            })?
        };
        let req = Req::new(
            Method::POST,
            "/v2/app-registrations",
            Auth::None,
            RetryClass::ConnectOnly,
            "createRegistration",
        )
        .body(body);
        let v = match self.client.send(req).await {
            Ok(v) => v,
            Err(e) => {
                return Err(self.step_failed(StepKind::CreateRegistration, 1, started, e));
            }
        };
        let created: smart_enroll_api::CreateAppRegistrationResponse =
            parse_data(&v, "createRegistration")?;
        let id = created.app_registration.id;
        if id.is_empty() {
            return Err(EnrollError::malformed("registration has no id"));
        }
        seg(&id)?;
        if created.token.is_blank() {
            return Err(EnrollError::malformed("registration has no token"));
        }
        {
            let mut p = self.progress();
            p.registration = RegistrationState::Created {
                id,
                information_validation_id: created.information_validation.map(|i| i.id),
            };
            p.token = Some(RegistrantToken::new(created.token.into_inner()));
        }
        tracing::info!("registration created");
        self.event(
            AnalyticsEventKind::StepCompleted,
            StepKind::CreateRegistration,
            1,
            started,
        );
        Ok(())
    }
}
