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
            let mut b = json!({
                "project": p.flow.project_id,
                "projectFlow": p.flow.flow_id,
                "language": p.signup.language.clone().unwrap_or_else(|| "en".into()),
            });
            if let Some(o) = b.as_object_mut() {
                if let Some(e) = &p.signup.email {
                    o.insert("email".into(), json!(e));
                }
                if let Some(ph) = &p.signup.phone {
                    o.insert("phone".into(), json!(ph));
                    o.insert("countryCode".into(), json!(p.signup.country_code));
                }
                if let Some(n) = &p.signup.full_name {
                    o.insert("fullName".into(), json!(n));
                }
            }
            b
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
        let d = data_of(&v);
        let id = as_id(d.get("appRegistration").or_else(|| d.get("_id")))
            .ok_or_else(|| EnrollError::malformed("registration has no id"))?;
        seg(&id)?;
        let token = d
            .get("token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| EnrollError::malformed("registration has no token"))?;
        {
            let mut p = self.progress();
            p.registration = RegistrationState::Created {
                id,
                information_validation_id: as_id(d.get("informationValidation")),
            };
            p.token = Some(RegistrantToken::new(token));
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
