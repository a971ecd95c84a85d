//! Step: the document (front, back) and the checks that follow it (name validation, criminal
//! check).

use super::face_crop;
use super::*;

pub(super) fn category_api(c: DocumentCategory, schema: FlowSchema) -> &'static str {
    match (c, schema) {
        (DocumentCategory::GovernmentId, FlowSchema::V2) => "id",
        (DocumentCategory::GovernmentId, FlowSchema::V3) => "government_id",
        (DocumentCategory::Passport, _) => "passport",
        (DocumentCategory::DriverLicense, FlowSchema::V2) => "driver-license",
        (DocumentCategory::DriverLicense, FlowSchema::V3) => "license",
    }
}

/// The document validation of an upload answer: `{documentValidation: {…}}` or the
/// validation itself.
pub(super) fn document_of(v: &Value) -> Result<smart_enroll_api::DocumentValidation, EnrollError> {
    match parse_data::<smart_enroll_api::DocumentValidationResponse>(v, "document") {
        Ok(r) => Ok(r.document_validation),
        Err(_) => parse_data(v, "document"),
    }
}

impl EnrollmentSession {
    /// Uploads one document side (any JPEG/PNG/WebP; re-encoded to an upright JPEG first).
    pub async fn submit_document(
        &self,
        side: DocumentSide,
        image: Vec<u8>,
        category: DocumentCategory,
    ) -> Result<EnrollState, EnrollError> {
        self.run(self.document_inner(side, image, category)).await
    }

    pub(super) async fn document_inner(
        &self,
        side: DocumentSide,
        image: Vec<u8>,
        category: DocumentCategory,
    ) -> Result<EnrollState, EnrollError> {
        let PlanStep::Document { categories, .. } = self.expect_step(StepKind::Document)? else {
            return Err(EnrollError::invalid_state("not at the document step"));
        };
        let (want_side, prev_cat, schema, attempts, country) = {
            let p = self.progress();
            (
                p.document_side(),
                p.document_category(),
                p.flow.schema,
                p.document.attempts,
                p.flow.country.clone(),
            )
        };
        if side != want_side {
            return Err(EnrollError::InvalidInput {
                field: "side".into(),
                reason: format!("expected the {want_side:?} side"),
            });
        }
        if !categories.contains(&category)
            || (side == DocumentSide::Back && prev_cat != Some(category))
        {
            return Err(EnrollError::InvalidInput {
                field: "category".into(),
                reason: "not accepted here".into(),
            });
        }
        // The front side also yields its face crop (`documentFace`, see `face_crop`): cut from
        // the same decode, off the async threads; no crop (no detector, no face) omits it.
        let (jpeg, face) = match side {
            DocumentSide::Front => face_crop::prepare_front_off_thread(image).await?,
            DocumentSide::Back => (
                prepare_off_thread(image, crate::media::prepare_document).await?,
                None,
            ),
        };
        let b64 = B64.encode(jpeg);
        let face_b64 = face.map(|f| B64.encode(f.jpeg));
        let input_method = match self.client.config().platform {
            crate::config::Platform::Desktop => smart_enroll_api::InputMethod::FileUpload,
            _ => smart_enroll_api::InputMethod::Camera,
        };
        let request = |force: bool| smart_enroll_api::DocumentUploadRequest {
            image: (side == DocumentSide::Front).then(|| smart_enroll_api::Secret::new(&b64)),
            back_image: (side == DocumentSide::Back).then(|| smart_enroll_api::Secret::new(&b64)),
            force: Some(force),
            // Raw base64 like the sides; omitted when there is no crop (the server then crops
            // the face from the front itself).
            document_face: face_b64.as_deref().map(smart_enroll_api::Secret::new),
            input_method: Some(input_method.clone()),
            // The project's first allowed country (public KYC configuration).
            country: country.clone(),
            category: Some(category_api(category, schema).to_owned()),
        };
        // The back side always adds to the current document (`force:true`); a new front
        // replaces an earlier attempt.
        let (body, forced) = match side {
            DocumentSide::Front => (
                body_of(&request(attempts > 0))?,
                Some(("already_exists", body_of(&request(true))?)),
            ),
            DocumentSide::Back => (body_of(&request(true))?, None),
        };
        drop(b64);
        drop(face_b64);
        let kind = match side {
            DocumentSide::Front => UploadKind::DocumentFront,
            DocumentSide::Back => UploadKind::DocumentBack,
        };
        let started = now_ms();
        let attempt = attempts + 1;
        self.event(
            AnalyticsEventKind::StepStarted,
            StepKind::Document,
            attempt,
            started,
        );
        let r = self
            .upload(
                kind,
                "/v2/document-validations/app-registration",
                Some(body),
                forced,
                "document",
            )
            .await
            .and_then(|d| match d {
                Delivered::Answer(v) => document_of(&v),
                Delivered::FromServer(reg) => reg
                    .document()
                    .cloned()
                    .ok_or_else(|| EnrollError::malformed("retrieve: no document validation")),
            });
        match r {
            Ok(dv) => {
                let id = dv.id.clone();
                seg(&id)?;
                let requires_back = dv.requires_back_side == Some(true);
                let has_back = dv.back_url.as_deref().is_some_and(|s| !s.is_empty());
                {
                    let mut p = self.progress();
                    if side == DocumentSide::Front {
                        let next = p.document.server_attempts + 1;
                        p.document.server_attempts = dv.attempt.unwrap_or(next).max(next);
                    }
                    p.document.state = if side == DocumentSide::Front && requires_back && !has_back
                    {
                        DocumentState::AwaitingBack {
                            validation_id: id,
                            category,
                        }
                    } else {
                        DocumentState::Done {
                            validation_id: id,
                            category,
                            status: dv.status.as_ref().map(|s| s.as_str().to_owned()),
                        }
                    };
                    if let Some(m) = dv.names_match {
                        p.scores.names_match = Some(m);
                    }
                }
                let done = self.progress().document_done();
                if done {
                    self.event(
                        AnalyticsEventKind::StepCompleted,
                        StepKind::Document,
                        attempt,
                        started,
                    );
                    self.advance();
                }
                self.drive().await?;
                Ok(self.computed_state())
            }
            Err(e) => {
                self.attempt_failed(StepKind::Document, attempt, started, e, |p| {
                    p.document.attempts += 1;
                    p.document.attempts >= p.flow.document.max_attempts
                })
                .await
            }
        }
    }

    pub(super) async fn name_validation(&self) -> Result<(), EnrollError> {
        let id = self
            .progress()
            .document_validation_id()
            .map(str::to_owned)
            .ok_or_else(|| EnrollError::invalid_state("no document validation"))?;
        let r = self
            .call(
                Method::PUT,
                format!("/v2/document-validations/{}/validate?force=true", seg(&id)?),
                Some(body_of(&smart_enroll_api::NameValidationRequest::default())?),
                None,
                RetryClass::Safe,
                "nameValidation",
            )
            .await;
        match r {
            Ok(v) => {
                // `{documentValidation: {namesMatch}}` or the result itself.
                let m = match parse_data::<smart_enroll_api::DocumentValidationResponse>(
                    &v,
                    "nameValidation",
                ) {
                    Ok(r) => r.document_validation.names_match.or_else(|| {
                        r.document_validation
                            .name_validation
                            .and_then(|n| n.names_match)
                    }),
                    Err(_) => {
                        parse_data::<smart_enroll_api::NameValidationResult>(&v, "nameValidation")?
                            .names_match
                    }
                };
                self.progress().scores.names_match = m;
                if m == Some(false) {
                    // As the hosted app does: names that do not match go to a person
                    // (`name_mismatch`); the final sync then stores NEEDS_MANUAL_VERIFICATION.
                    self.call(
                        Method::PUT,
                        format!("/v2/document-validations/{}/manual-verification", seg(&id)?),
                        Some(body_of(&smart_enroll_api::ManualVerificationRequest {
                            reason: Some("name_mismatch".into()),
                        })?),
                        None,
                        RetryClass::Safe,
                        "nameValidation",
                    )
                    .await?;
                }
                Ok(())
            }
            // Unsupported documents or missing OCR data: the check does not apply.
            Err(EnrollError::Rejected { code, .. })
                if code == "missing_ocr_extraction_data" || code == "document_not_supported" =>
            {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    pub(super) async fn criminal_check(&self) -> Result<(), EnrollError> {
        let Some(id) = self
            .progress()
            .information_validation_id()
            .map(str::to_owned)
        else {
            return Ok(());
        };
        let v = self
            .call(
                Method::PUT,
                format!("/v2/information-validations/{}/background-check", seg(&id)?),
                Some(body_of(
                    &smart_enroll_api::BackgroundCheckRequest::default(),
                )?),
                None,
                RetryClass::Safe,
                "criminalCheck",
            )
            .await?;
        let info: smart_enroll_api::InformationValidation = parse_data(&v, "criminalCheck")?;
        self.progress().scores.criminal_record_found =
            Some(info.status == Some(smart_enroll_api::InformationStatus::Failed));
        Ok(())
    }
}
