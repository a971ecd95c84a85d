//! Uploads that survive a lost answer (`Idempotency-Key`, the `me` check before a re-send), image
//! preparation off the async threads, and counting failed attempts.

use super::*;

/// The non-idempotent uploads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum UploadKind {
    DocumentFront,
    DocumentBack,
    Selfie,
    Compare,
}

/// An upload that may have reached the server but whose answer was lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct PendingUpload {
    pub(super) kind: UploadKind,
    /// Its `Idempotency-Key`, reused when it is sent again.
    pub(super) key: String,
}

/// An upload's result: the server's answer, or (after a lost answer) the registration that
/// shows the upload arrived.
pub(super) enum Delivered {
    Answer(Value),
    FromServer(Box<AppRegistration>),
}

/// Errors that mean "this attempt was judged and failed" (they use up an attempt), as opposed
/// to transport trouble or cancellations (tried again for free).
pub(super) fn counts_as_attempt(e: &EnrollError) -> bool {
    matches!(
        e,
        EnrollError::LivenessFailed { .. }
            | EnrollError::FaceAlreadyExists
            | EnrollError::AttemptsExhausted { .. }
            | EnrollError::Rejected { .. }
    ) || matches!(e, EnrollError::InvalidInput { field, .. } if field == "image")
}

/// Runs an image preparation (decode, orient, resize, re-encode) off the async threads;
/// returns the JPEG.
pub(super) async fn prepare_off_thread(
    image: Vec<u8>,
    prepare: fn(&[u8]) -> Result<crate::media::PreparedImage, crate::media::MediaError>,
) -> Result<Vec<u8>, EnrollError> {
    tokio::task::spawn_blocking(move || prepare(&image))
        .await
        .map_err(|_| EnrollError::InvalidInput {
            field: "image".into(),
            reason: "image preparation was interrupted".into(),
        })?
        .map(|p| p.jpeg)
        .map_err(media_err)
}

pub(super) fn media_err(e: crate::media::MediaError) -> EnrollError {
    EnrollError::InvalidInput {
        field: "image".into(),
        reason: e.to_string(),
    }
}

impl EnrollmentSession {
    /// POSTs a non-idempotent upload so that a lost answer costs no attempt and creates no
    /// second validation:
    /// - it carries an `Idempotency-Key` (fresh per logical upload, reused on its re-sends);
    /// - it is sent again by the client only when the connection could not be made;
    /// - when its answer is lost after it may have reached the server (connection lost after
    ///   sending, timeout, 5xx), the registration is retrieved (`me`) and the upload is sent
    ///   again only if it never arrived; if it arrived, the server's result is used;
    /// - when even that fails, the upload stays pending (also across a snapshot): the next
    ///   call for the same step asks the server first.
    ///
    /// When the server answers `conflict` (an earlier upload we know nothing of reached it),
    /// `replace` (the forcing body) is sent once instead, as before.
    pub(super) async fn upload(
        &self,
        kind: UploadKind,
        path: &'static str,
        body: Option<Value>,
        replace: Option<(&str, Value)>,
        step: &'static str,
    ) -> Result<Delivered, EnrollError> {
        let earlier = self.progress().pending.clone().filter(|p| p.kind == kind);
        let key = match earlier {
            Some(pending) => {
                if let Some(reg) = self.arrived(kind).await? {
                    self.progress().pending = None;
                    return Ok(Delivered::FromServer(Box::new(reg)));
                }
                pending.key
            }
            None => {
                let key = idempotency_key();
                self.progress().pending = Some(PendingUpload {
                    kind,
                    key: key.clone(),
                });
                key
            }
        };
        let max = self.client.config().retry.max_retries;
        let mut body = body;
        let mut replace = replace;
        let mut resends = 0;
        loop {
            let (r, info) = self
                .call_counted(
                    Method::POST,
                    path.into(),
                    body.clone(),
                    None,
                    RetryClass::ConnectOnly,
                    Some(key.clone()),
                    step,
                )
                .await;
            match r {
                Ok(v) => {
                    self.progress().pending = None;
                    return Ok(Delivered::Answer(v));
                }
                // Its fate is unknown: keep it pending (the next call asks the server first).
                Err(e) if info.maybe_reached || matches!(e, EnrollError::Cancelled) => {
                    if resends >= max || matches!(e, EnrollError::Cancelled) {
                        return Err(e);
                    }
                    resends += 1;
                    tracing::debug!(step, "upload answer lost; asking the server what it holds");
                    if let Some(reg) = self.arrived(kind).await? {
                        self.progress().pending = None;
                        return Ok(Delivered::FromServer(Box::new(reg)));
                    }
                    tracing::debug!(step, "the upload never arrived; sending it again");
                }
                Err(EnrollError::Rejected { code, .. })
                    if replace.as_ref().is_some_and(|(c, _)| *c == code) =>
                {
                    body = replace.take().map(|(_, b)| b);
                }
                Err(e) => {
                    self.progress().pending = None;
                    return Err(e);
                }
            }
        }
    }

    /// Whether an upload whose answer was lost reached the server: retrieves the registration
    /// and compares it with what the session knew before the upload. Returns the registration
    /// when it did.
    pub(super) async fn arrived(
        &self,
        kind: UploadKind,
    ) -> Result<Option<AppRegistration>, EnrollError> {
        let reg = self
            .me(&[
                "documentValidation",
                "biometricValidation",
                "compareFaceVerification",
            ])
            .await?;
        let p = self.progress();
        let changed = |now: Option<&str>, known: Option<&str>| {
            now.is_some_and(|id| !id.is_empty() && Some(id) != known)
        };
        let yes = match kind {
            UploadKind::DocumentFront => {
                changed(
                    reg.document_validation.as_ref().map(IdOr::id),
                    p.document_validation_id(),
                ) || reg
                    .document_attempts
                    .is_some_and(|n| n > p.document.server_attempts)
            }
            UploadKind::DocumentBack => reg.document().is_some_and(|d| {
                d.back_url.as_deref().is_some_and(|u| !u.is_empty())
                    || d.back_image.as_deref().is_some_and(|u| !u.is_empty())
            }),
            UploadKind::Selfie => {
                changed(
                    reg.biometric_validation.as_ref().map(IdOr::id),
                    p.biometric_validation_id(),
                ) || reg
                    .liveness_attempts
                    .is_some_and(|n| n > p.liveness.server_attempts)
            }
            UploadKind::Compare => reg.compare().is_some(),
        };
        tracing::debug!(
            ?kind,
            arrived = yes,
            "checked the server after a lost answer"
        );
        Ok(yes.then_some(reg))
    }

    /// A failed upload of an attempt-limited step: reports it, and when the error was a judged
    /// failure, counts the attempt (`count` bumps the step's counter and says whether the
    /// flow's limit is reached). When no attempt is left the enrollment ends as `Failed`.
    /// Always returns the upload's error.
    pub(super) async fn attempt_failed(
        &self,
        step: StepKind,
        attempt: u32,
        started: u64,
        e: EnrollError,
        count: impl FnOnce(&mut Progress) -> bool,
    ) -> Result<EnrollState, EnrollError> {
        let e = self.step_failed(step, attempt, started, e);
        if counts_as_attempt(&e) {
            let exhausted = {
                let mut p = self.progress();
                count(&mut p) || matches!(e, EnrollError::AttemptsExhausted { .. })
            };
            if exhausted {
                self.progress().finish = FinishState::OutOfAttempts { step };
                self.finish_inner(false).await?;
            }
        }
        Err(e)
    }
}
