//! Drives an [`EnrollmentSession`] from start to a terminal state, asking an [`Inputs`] source
//! for what the user would provide (codes, phone channel, document, selfie). Shared by `demo`
//! (codes from the sandbox outbox, bundled images) and `enroll` (prompts, stdin, files).

use anyhow::bail;
use serde_json::{Value, json};
use smart_enroll_core::{
    CriminalCheck, DocumentCategory, DocumentFields, DocumentSide, EnrollError, EnrollResult,
    EnrollState, EnrollmentSession, FlowConfig, Outcome, PhoneChannel, Review, ScoreCheck,
    SmartEnrollClient, state_name,
};

use crate::progress::Progress;

/// Upper bound on state transitions, so a confused server cannot loop the CLI forever.
const MAX_TRANSITIONS: u32 = 100;

/// Where the user's answers come from.
pub trait Inputs {
    /// The code sent by email to `masked_email`.
    async fn email_code(&mut self, masked_email: &str) -> anyhow::Result<String>;
    /// The code sent to `masked_phone` over `channel`.
    async fn phone_code(
        &mut self,
        masked_phone: &str,
        channel: PhoneChannel,
    ) -> anyhow::Result<String>;
    /// SMS or WhatsApp, when the flow offers both.
    fn phone_channel(&mut self, channels: &[PhoneChannel]) -> PhoneChannel;
    /// The image of one document side and its category; `None` skips an optional document.
    async fn document(
        &mut self,
        side: DocumentSide,
        accepted: &[DocumentCategory],
    ) -> anyhow::Result<Option<(Vec<u8>, DocumentCategory)>>;
    /// The selfie; `None` skips an optional selfie.
    async fn selfie(&mut self, progress: &mut Progress) -> anyhow::Result<Option<Vec<u8>>>;
}

/// A short description of a state for progress lines (masked contacts only, no tokens).
pub fn describe(state: &EnrollState) -> String {
    match state {
        EnrollState::AwaitingEmailCode { masked_email, .. } => {
            format!("→ AwaitingEmailCode ({masked_email})")
        }
        EnrollState::AwaitingPhoneCode {
            masked_phone,
            channel,
            ..
        } => format!(
            "→ AwaitingPhoneCode ({masked_phone} by {})",
            channel_name(*channel)
        ),
        EnrollState::AwaitingDocument {
            side,
            attempts_left,
            ..
        } => format!("→ AwaitingDocument ({side:?}, {attempts_left} attempts left)"),
        EnrollState::AwaitingSelfie { attempts_left, .. } => {
            format!("→ AwaitingSelfie ({attempts_left} attempts left)")
        }
        EnrollState::Completed { result } => {
            format!("→ Completed ({})", outcome_str(result.outcome))
        }
        other => format!("→ {}", state_name(other)),
    }
}

/// `sms` / `whatsapp`.
pub fn channel_name(c: PhoneChannel) -> &'static str {
    match c {
        PhoneChannel::Sms => "sms",
        PhoneChannel::Whatsapp => "whatsapp",
    }
}

/// The API's spelling of an outcome (`COMPLETED`, ...).
pub fn outcome_str(o: Outcome) -> &'static str {
    match o {
        Outcome::Completed => "COMPLETED",
        Outcome::CompletedWithoutKyc => "COMPLETED_WITHOUT_KYC",
        Outcome::Failed => "FAILED",
        Outcome::NeedsManualVerification => "NEEDS_MANUAL_VERIFICATION",
    }
}

/// The result as JSON. Contains the final token: print it only where that is the point.
pub fn result_json(result: &EnrollResult) -> Value {
    json!({
        "registrationId": result.registration_id,
        "outcome": outcome_str(result.outcome),
        "token": result.token.expose(),
        "redirectUrl": result.redirect_url,
        "scores": {
            "livenessScore": result.scores.liveness_score,
            "compareScore": result.scores.compare_score,
            "comparePassed": result.scores.compare_passed,
            "namesMatch": result.scores.names_match,
            "criminalRecordFound": result.scores.criminal_record_found,
        },
    })
}

/// The review as JSON: the [`Review`] with camelCase keys (`registrationId`, `document` with
/// the OCR fields, `namesMatch`, `liveness` / `compare` as `{score, minScore, passed}`,
/// `criminalCheck`), `expectedOutcome` in the API's spelling (`COMPLETED`). Holds the OCR
/// values: printed only because showing them is the point of the review.
pub fn review_json(review: &Review) -> Value {
    let mut v = serde_json::to_value(review).unwrap_or(Value::Null);
    if let Some(o) = v.as_object_mut() {
        o.insert(
            "expectedOutcome".into(),
            json!(outcome_str(review.expected_outcome)),
        );
    }
    v
}

fn or_dash(v: Option<&str>) -> &str {
    v.filter(|s| !s.trim().is_empty()).unwrap_or("-")
}

fn score_line(c: &ScoreCheck, rule: &str) -> String {
    format!(
        "{:.2} (minimum {:.2}, passes {rule} it): {}",
        c.score,
        c.min_score,
        if c.passed { "passed" } else { "FAILED" }
    )
}

fn document_lines(d: &DocumentFields) -> Vec<String> {
    let name = match (&d.full_name, &d.first_name, &d.last_name) {
        (Some(full), _, _) => full.clone(),
        (None, first, last) => [first.as_deref(), last.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
    };
    vec![
        format!(
            "  Document:       {} {} ({})",
            or_dash(d.category.as_deref()),
            or_dash(d.document_type.as_deref()),
            or_dash(d.status.as_deref())
        ),
        format!(
            "  Number:         {}",
            or_dash(d.document_number.as_deref())
        ),
        format!("  Name:           {}", or_dash(Some(&name))),
        format!("  Date of birth:  {}", or_dash(d.date_of_birth.as_deref())),
        format!(
            "  Expires:        {}",
            or_dash(d.expiration_date.as_deref())
        ),
        format!("  Nationality:    {}", or_dash(d.nationality.as_deref())),
    ]
}

fn criminal_line(c: &CriminalCheck) -> String {
    if c.record_found {
        format!("record found ({})", c.status)
    } else {
        format!("clear ({})", c.status)
    }
}

/// The server's checks of a registration as readable lines (shared by the review and
/// `results`): the document's OCR fields, the names match, the scores with their thresholds
/// and the criminal check.
pub fn check_lines(
    document: Option<&DocumentFields>,
    names_match: Option<bool>,
    liveness: Option<ScoreCheck>,
    compare: Option<ScoreCheck>,
    criminal_check: Option<&CriminalCheck>,
) -> Vec<String> {
    let mut lines = match document {
        Some(d) => document_lines(d),
        None => vec!["  Document:       none".into()],
    };
    lines.push(format!(
        "  Names match:    {}",
        match names_match {
            Some(true) => "yes",
            Some(false) => "NO",
            None => "not checked",
        }
    ));
    lines.push(format!(
        "  Liveness:       {}",
        liveness.map_or_else(|| "no selfie".to_owned(), |c| score_line(&c, "above"))
    ));
    lines.push(format!(
        "  Face compare:   {}",
        compare.map_or_else(|| "not run".to_owned(), |c| score_line(&c, "at or above"))
    ));
    lines.push(format!(
        "  Criminal check: {}",
        criminal_check.map_or_else(|| "not run".to_owned(), criminal_line)
    ));
    lines
}

/// The review as readable lines: [`check_lines`] and what confirming asks the server to store.
pub fn review_lines(review: &Review) -> Vec<String> {
    let mut lines = vec![format!(
        "Review of registration {} (what the server holds; confirm to finish):",
        review.registration_id
    )];
    lines.extend(check_lines(
        review.document.as_ref(),
        review.names_match,
        review.liveness,
        review.compare,
        review.criminal_check.as_ref(),
    ));
    lines.push(format!(
        "  Confirming asks the server to store {}",
        outcome_str(review.expected_outcome)
    ));
    lines
}

/// What [`drive`] ends with.
pub struct Driven {
    /// The completed enrollment.
    pub result: EnrollResult,
    /// The states it went through.
    pub states: Vec<&'static str>,
    /// The review shown and confirmed before `end` (`None` when there was none, e.g. skipKYC).
    pub review: Option<Review>,
}

/// Typing `resend` instead of a code asks for the code again.
/// The "fetch the public flow configuration" step of `demo` and `enroll`: fetches it (no token)
/// and reports the step as done, with the document and liveness modes, or failed.
pub async fn fetch_flow_step(
    client: &SmartEnrollClient,
    progress: &mut Progress,
    label: &str,
    project_id: &str,
    flow_id: &str,
) -> Result<FlowConfig, EnrollError> {
    let step = progress.start(label);
    match client.fetch_flow_config(project_id, Some(flow_id)).await {
        Ok(f) => {
            progress.done(
                step,
                format!(
                    "document {:?}, liveness {:?}",
                    f.steps.document, f.steps.liveness
                ),
            );
            Ok(f)
        }
        Err(e) => {
            progress.fail(step, e.to_string());
            Err(e)
        }
    }
}

fn is_resend(answer: &str) -> bool {
    answer.trim().eq_ignore_ascii_case("resend")
}

fn retryable_here(e: &EnrollError) -> bool {
    matches!(
        e,
        EnrollError::OtpMismatch
            | EnrollError::OtpLocked
            | EnrollError::OtpExpired
            | EnrollError::LivenessFailed { .. }
            | EnrollError::Rejected { .. }
            | EnrollError::RateLimited { .. }
    )
}

/// Runs the session until it completes: prints the review (unless quiet) and confirms it.
/// Returns the result, the states it went through and the review.
pub async fn drive<I: Inputs>(
    session: &EnrollmentSession,
    inputs: &mut I,
    progress: &mut Progress,
) -> anyhow::Result<Driven> {
    let mut states = Vec::new();
    let mut reviewed = None;
    let step = progress.start("Create the registration");
    let mut state = match session.start().await {
        Ok(s) => {
            progress.done(step, describe(&s));
            s
        }
        Err(e) => {
            progress.fail(step, e.to_string());
            return Err(e.into());
        }
    };
    let mut wrong_answers = 0u32;
    for _ in 0..MAX_TRANSITIONS {
        states.push(state_name(&state));
        let (label, outcome) = match state {
            EnrollState::Completed { result } => {
                return Ok(Driven {
                    result,
                    states,
                    review: reviewed,
                });
            }
            EnrollState::NotStarted => {
                let step = progress.start("Start");
                (step, session.start().await)
            }
            EnrollState::Processing { step: kind } => {
                let step = progress.start(format!("Resume {}", kind.as_str()));
                (step, session.resume().await)
            }
            EnrollState::AwaitingEmailCode {
                masked_email,
                needs_new_code,
                ..
            } => {
                if needs_new_code {
                    let step =
                        progress.start(format!("Request a new email code for {masked_email}"));
                    (step, session.resend_email_code().await)
                } else {
                    let code = inputs.email_code(&masked_email).await?;
                    if is_resend(&code) {
                        let step =
                            progress.start(format!("Resend the email code to {masked_email}"));
                        (step, session.resend_email_code().await)
                    } else {
                        let step =
                            progress.start(format!("Verify the email code for {masked_email}"));
                        (step, session.submit_email_code(code).await)
                    }
                }
            }
            EnrollState::AwaitingPhoneChannel { channels, .. } => {
                let channel = inputs.phone_channel(&channels);
                let step =
                    progress.start(format!("Send the phone code by {}", channel_name(channel)));
                (step, session.choose_phone_channel(channel).await)
            }
            EnrollState::AwaitingPhoneCode {
                masked_phone,
                channel,
                needs_new_code,
                ..
            } => {
                if needs_new_code {
                    let step =
                        progress.start(format!("Request a new phone code for {masked_phone}"));
                    (step, session.resend_phone_code().await)
                } else {
                    let code = inputs.phone_code(&masked_phone, channel).await?;
                    if is_resend(&code) {
                        let step =
                            progress.start(format!("Resend the phone code to {masked_phone}"));
                        (step, session.resend_phone_code().await)
                    } else {
                        let step =
                            progress.start(format!("Verify the phone code for {masked_phone}"));
                        (step, session.submit_phone_code(code).await)
                    }
                }
            }
            EnrollState::AwaitingDocument {
                side,
                accepted_categories,
                optional,
                ..
            } => match inputs.document(side, &accepted_categories).await? {
                Some((bytes, category)) => {
                    let step = progress.start(format!(
                        "Upload the document {} ({category:?}, {} KB before preparation)",
                        match side {
                            DocumentSide::Front => "front",
                            DocumentSide::Back => "back",
                        },
                        bytes.len() / 1024
                    ));
                    (step, session.submit_document(side, bytes, category).await)
                }
                None if optional => {
                    let step = progress.start("Skip the optional document");
                    (step, session.skip_step().await)
                }
                None => bail!(
                    "this flow requires a document: pass --document-front (and --document-back for ID cards)"
                ),
            },
            EnrollState::AwaitingSelfie { optional, .. } => match inputs.selfie(progress).await? {
                Some(bytes) => {
                    let step = progress.start("Upload the selfie for the liveness check");
                    (step, session.submit_selfie(bytes).await)
                }
                None if optional => {
                    let step = progress.start("Skip the optional selfie");
                    (step, session.skip_step().await)
                }
                None => bail!("this flow requires a selfie: pass --selfie"),
            },
            EnrollState::AwaitingReview { review } => {
                // Shown before anything is confirmed: the session never confirms by itself
                // here (auto-confirm stays off).
                for line in review_lines(&review) {
                    progress.note(line);
                }
                reviewed = Some(review);
                let step = progress.start("Confirm the review (sync end)");
                (step, session.confirm().await)
            }
        };
        state = match outcome {
            Ok(next) => {
                progress.done(label, describe(&next));
                next
            }
            // Answers the user can correct (a wrong code, a selfie that failed liveness) and
            // transient failures the client already retried (the session then resumes).
            Err(e) if (retryable_here(&e) || e.is_retryable()) && wrong_answers < 10 => {
                wrong_answers += 1;
                progress.warn(label, format!("{e}; trying again"));
                if e.is_retryable() {
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
                session.state()
            }
            Err(e) => {
                progress.fail(label, e.to_string());
                return Err(e.into());
            }
        };
    }
    bail!("the enrollment did not finish after {MAX_TRANSITIONS} steps")
}
