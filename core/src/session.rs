//! The enrollment engine: walks the [`Plan`] against the API, keeps the newest registrant token,
//! publishes [`EnrollState`]s to observers, emits analytics, snapshots and restores.
//!
//! Concurrency: one operation runs at a time (an async mutex); `state()`, `snapshot()` and
//! `cancel()` never wait for it. Cancellation: `cancel()` ends the in-flight operation with
//! [`EnrollError::Cancelled`]; progress is only recorded after a request succeeded, so a
//! cancelled step is simply tried again.

use crate::client::{
    Auth, Req, RetryClass, SendInfo, SmartEnrollClient, data_of, idempotency_key, now_ms, seg,
};
use crate::error::EnrollError;
use crate::flow::{FlowConfig, FlowSchema, as_id};
use crate::observer::{AnalyticsSink, ObserverHandle, Registry, StateObserver, emit};
use crate::plan::{Plan, PlanStep, plan};
use crate::review::Review;
use crate::secret::{FinalToken, OtpCode, RegistrantToken, mask_email, mask_phone};
use crate::types::{
    AnalyticsEvent, AnalyticsEventKind, DocumentCategory, DocumentSide, EnrollResult, EnrollState,
    Outcome, PhoneChannel, Scores, SignUpData, StepKind,
};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use smart_enroll_api::{AppRegistration, IdOr, MeRequest, Populates};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// Snapshot format version written by this SDK. Version 1 snapshots (before the review and
/// the lost-answer bookkeeping) are migrated on restore: the new fields start empty, and a
/// session at the finish step retrieves its review on `resume()`.
pub const SNAPSHOT_VERSION: u32 = 2;
/// Oldest snapshot version this SDK migrates.
const OLDEST_SNAPSHOT_VERSION: u32 = 1;
/// Cooldown between OTP sends the UI should respect (the sandbox enforces 60 s).
const RESEND_COOLDOWN_MS: u64 = 60_000;

/// Per-channel OTP progress.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct OtpProgress {
    validation_id: Option<String>,
    sent_at_ms: Option<u64>,
    needs_new_code: bool,
    attempts: u32,
}

/// Everything the engine knows; serialised as the snapshot body.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
struct Progress {
    flow: FlowConfig,
    signup: SignUpData,
    plan: Plan,
    cursor: usize,
    registration_id: Option<String>,
    information_validation_id: Option<String>,
    token: Option<RegistrantToken>,
    email: OtpProgress,
    phone: OtpProgress,
    phone_channel: Option<PhoneChannel>,
    document_validation_id: Option<String>,
    document_category: Option<DocumentCategory>,
    document_side: DocumentSide,
    document_attempts: u32,
    document_done: bool,
    document_status: Option<String>,
    liveness_synced: bool,
    liveness_attempts: u32,
    liveness_done: bool,
    /// A KYC step ran out of attempts: the enrollment ends as FAILED.
    failed_step: Option<StepKind>,
    skipped: Vec<StepKind>,
    scores: Scores,
    result: Option<EnrollResult>,
    /// The review retrieved from the server at the finish step (`AwaitingReview`).
    #[serde(default)]
    review: Option<Review>,
    /// An upload whose answer was lost: the server is asked what it holds before it is sent
    /// again.
    #[serde(default)]
    pending: Option<PendingUpload>,
    /// Front uploads the server processed (its `documentAttempts`, as far as we know).
    #[serde(default)]
    server_document_attempts: u32,
    /// Selfie uploads the server processed (its `livenessAttempts`, as far as we know).
    #[serde(default)]
    server_liveness_attempts: u32,
    /// The newest biometric validation id the server returned.
    #[serde(default)]
    biometric_validation_id: Option<String>,
}

/// The non-idempotent uploads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum UploadKind {
    DocumentFront,
    DocumentBack,
    Selfie,
    Compare,
}

/// An upload that may have reached the server but whose answer was lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct PendingUpload {
    kind: UploadKind,
    /// Its `Idempotency-Key`, reused when it is sent again.
    key: String,
}

/// An upload's result: the server's answer, or (after a lost answer) the registration that
/// shows the upload arrived.
enum Delivered {
    Answer(Value),
    FromServer(Box<AppRegistration>),
}

/// A versioned, serialisable snapshot of a session. It holds the registrant token and the
/// sign-up data: store it securely (Keystore / Keychain). `Debug` shows no content.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Format version ([`SNAPSHOT_VERSION`]).
    pub version: u32,
    /// When it was taken, unix milliseconds.
    pub taken_at_ms: u64,
    progress: Progress,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("version", &self.version)
            .field("taken_at_ms", &self.taken_at_ms)
            .field("cursor", &self.progress.cursor)
            .finish_non_exhaustive()
    }
}

impl Snapshot {
    /// Serialises to JSON.
    pub fn to_json(&self) -> Result<String, EnrollError> {
        serde_json::to_string(self).map_err(|e| EnrollError::InvalidState {
            reason: format!("snapshot could not be serialised: {e}"),
        })
    }

    /// Parses JSON written by [`Snapshot::to_json`]. Other versions or damaged JSON give
    /// [`EnrollError::InvalidInput`] with field `snapshot`.
    pub fn from_json(json: &str) -> Result<Snapshot, EnrollError> {
        let bad = |reason: String| EnrollError::InvalidInput {
            field: "snapshot".into(),
            reason,
        };
        let v: Value = serde_json::from_str(json).map_err(|e| {
            bad(format!(
                "not valid JSON (line {} column {})",
                e.line(),
                e.column()
            ))
        })?;
        // The version is read before the body, so an unknown one gets its own typed error.
        match v.get("version").and_then(Value::as_u64) {
            Some(n)
                if (u64::from(OLDEST_SNAPSHOT_VERSION)..=u64::from(SNAPSHOT_VERSION))
                    .contains(&n) => {}
            Some(n) => return Err(bad(format!("unsupported snapshot version {n}"))),
            None => return Err(bad("no version".into())),
        }
        // serde's message quotes the offending value (it may be an email or the token): not shown.
        let mut s: Snapshot = serde_json::from_value(v)
            .map_err(|_| bad("damaged: a field is missing or has the wrong type".into()))?;
        // Migration from version 1: the fields added since have serde defaults.
        s.version = SNAPSHOT_VERSION;
        if s.progress.cursor >= s.progress.plan.steps.len() {
            return Err(bad("step index out of range".into()));
        }
        Ok(s)
    }

    /// The registration id, once created.
    pub fn registration_id(&self) -> Option<String> {
        self.progress.registration_id.clone()
    }

    /// Replaces the registrant token (e.g. one from resend-link after `SessionExpired`).
    pub fn with_token(mut self, token: RegistrantToken) -> Snapshot {
        self.progress.token = Some(token);
        self
    }
}

struct Shared {
    progress: Mutex<Progress>,
    state: Mutex<EnrollState>,
    observers: Arc<Registry>,
    analytics: Mutex<Option<Arc<dyn AnalyticsSink>>>,
    cancel: Mutex<CancellationToken>,
    op: tokio::sync::Mutex<()>,
    /// Confirm the review without waiting for `confirm()` (headless use).
    auto_confirm: AtomicBool,
}

/// One enrollment. Cheap to clone (all clones drive the same enrollment); `Send + Sync`.
#[derive(Clone)]
pub struct EnrollmentSession {
    client: SmartEnrollClient,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for EnrollmentSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrollmentSession")
            .field("state", &self.state())
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn category_api(c: DocumentCategory, schema: FlowSchema) -> &'static str {
    match (c, schema) {
        (DocumentCategory::GovernmentId, FlowSchema::V2) => "id",
        (DocumentCategory::GovernmentId, FlowSchema::V3) => "government_id",
        (DocumentCategory::Passport, _) => "passport",
        (DocumentCategory::DriverLicense, FlowSchema::V2) => "driver-license",
        (DocumentCategory::DriverLicense, FlowSchema::V3) => "license",
    }
}

/// Runs an image preparation (decode, orient, resize, re-encode) off the async threads;
/// returns the JPEG.
async fn prepare_off_thread(
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

fn media_err(e: crate::media::MediaError) -> EnrollError {
    EnrollError::InvalidInput {
        field: "image".into(),
        reason: e.to_string(),
    }
}

/// Derives the public state from the progress (pure).
fn state_of(p: &Progress) -> EnrollState {
    if let Some(r) = &p.result {
        return EnrollState::Completed { result: r.clone() };
    }
    if p.registration_id.is_none() {
        return EnrollState::NotStarted;
    }
    if p.failed_step.is_some() {
        // Out of attempts: the final sync (FAILED) is pending; `resume()` sends it.
        return EnrollState::Processing {
            step: StepKind::Finish,
        };
    }
    let Some(step) = p.plan.steps.get(p.cursor) else {
        return review_state(p);
    };
    let no_kyc_done = !p.document_done && !p.liveness_done && p.document_attempts == 0;
    match step {
        PlanStep::EmailOtp { optional } => match (&p.email.sent_at_ms, &p.signup.email) {
            (Some(sent), Some(email)) => EnrollState::AwaitingEmailCode {
                masked_email: mask_email(email),
                resend_available_at_ms: sent + RESEND_COOLDOWN_MS,
                needs_new_code: p.email.needs_new_code,
                optional: *optional,
            },
            _ => EnrollState::Processing {
                step: StepKind::EmailOtp,
            },
        },
        PlanStep::PhoneOtp { channels, optional } => match p.phone_channel {
            None if channels.len() > 1 => EnrollState::AwaitingPhoneChannel {
                channels: channels.clone(),
                optional: *optional,
            },
            channel => match (&p.phone.sent_at_ms, &p.signup.phone) {
                (Some(sent), Some(phone)) => EnrollState::AwaitingPhoneCode {
                    masked_phone: mask_phone(
                        p.signup.country_code.as_deref().unwrap_or_default(),
                        phone,
                    ),
                    channel: channel
                        .or_else(|| channels.first().copied())
                        .unwrap_or(PhoneChannel::Sms),
                    resend_available_at_ms: sent + RESEND_COOLDOWN_MS,
                    needs_new_code: p.phone.needs_new_code,
                    optional: *optional,
                },
                _ => EnrollState::Processing {
                    step: StepKind::PhoneOtp,
                },
            },
        },
        PlanStep::Document {
            optional,
            categories,
        } => EnrollState::AwaitingDocument {
            side: p.document_side,
            accepted_categories: match (p.document_side, p.document_category) {
                (DocumentSide::Back, Some(c)) => vec![c],
                _ => categories.clone(),
            },
            attempts_left: p
                .flow
                .document
                .max_attempts
                .saturating_sub(p.document_attempts),
            optional: *optional,
            can_skip_kyc: p.plan.can_skip_kyc && no_kyc_done,
        },
        PlanStep::Liveness { optional } => EnrollState::AwaitingSelfie {
            attempts_left: p
                .flow
                .liveness
                .max_attempts
                .saturating_sub(p.liveness_attempts),
            optional: *optional,
            can_skip_kyc: p.plan.can_skip_kyc && no_kyc_done,
        },
        PlanStep::Finish => review_state(p),
        other => EnrollState::Processing { step: other.kind() },
    }
}

/// Whether the final sync asks for `FAILED` rather than `COMPLETED` (the session's own tally).
fn tally_failed(p: &Progress) -> bool {
    let s = &p.scores;
    p.failed_step.is_some()
        || s.compare_passed == Some(false)
        || s.criminal_record_found == Some(true)
        || s.liveness_score
            .is_some_and(|l| p.liveness_done && l <= p.flow.liveness.liveness_min_score)
}

/// At the finish step: the review once retrieved from the server, else `Processing` (the
/// retrieve is pending; `resume()` sends it).
fn review_state(p: &Progress) -> EnrollState {
    match &p.review {
        Some(review) => EnrollState::AwaitingReview {
            review: review.clone(),
        },
        None => EnrollState::Processing {
            step: StepKind::Finish,
        },
    }
}

/// The review from the server's populated registration (`me`), with the session's own tally
/// folded into the expected outcome (a step that ran out of attempts, a failed check the
/// server's answer reported but the registration does not show).
fn review_of(p: &Progress, reg: &AppRegistration) -> Review {
    let mut review = crate::review::review_from_registration(reg, &p.flow);
    if review.registration_id.is_empty() {
        review.registration_id = p.registration_id.clone().unwrap_or_default();
    }
    if tally_failed(p) {
        review.expected_outcome = Outcome::Failed;
    }
    review
}

/// Copies the server's scores (the review) into the session's scores.
fn scores_from_review(scores: &mut Scores, r: &Review) {
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

/// Serialises a typed request body.
fn body_of<T: Serialize>(t: &T) -> Result<Value, EnrollError> {
    serde_json::to_value(t).map_err(|e| EnrollError::InvalidInput {
        field: "body".into(),
        reason: e.to_string(),
    })
}

/// Reads the `data` of an answer as a wire type. serde's message is not shown (it may quote a
/// value); the step name is.
fn parse_data<T: serde::de::DeserializeOwned>(v: &Value, step: &str) -> Result<T, EnrollError> {
    T::deserialize(data_of(v))
        .map_err(|_| EnrollError::malformed(format!("{step}: unexpected answer shape")))
}

/// Appends `token=` to the redirect URL (proper URL encoding). None when it does not parse.
fn redirect_with_token(redirect: &str, token: &str) -> Option<String> {
    let mut u = url::Url::parse(redirect).ok()?;
    u.query_pairs_mut().append_pair("token", token);
    Some(u.to_string())
}

impl EnrollmentSession {
    /// Creates a session for a flow configuration (from
    /// [`SmartEnrollClient::fetch_flow_config`]) and the sign-up data. Validates the input and
    /// plans the steps; sends nothing. Call [`EnrollmentSession::start`] next.
    pub fn new(
        client: SmartEnrollClient,
        flow: FlowConfig,
        signup: SignUpData,
    ) -> Result<EnrollmentSession, EnrollError> {
        let plan = plan(&flow, &signup)?;
        let progress = Progress {
            flow,
            signup,
            plan,
            cursor: 0,
            registration_id: None,
            information_validation_id: None,
            token: None,
            email: OtpProgress::default(),
            phone: OtpProgress::default(),
            phone_channel: None,
            document_validation_id: None,
            document_category: None,
            document_side: DocumentSide::Front,
            document_attempts: 0,
            document_done: false,
            document_status: None,
            liveness_synced: false,
            liveness_attempts: 0,
            liveness_done: false,
            failed_step: None,
            skipped: Vec::new(),
            scores: Scores::default(),
            result: None,
            review: None,
            pending: None,
            server_document_attempts: 0,
            server_liveness_attempts: 0,
            biometric_validation_id: None,
        };
        Ok(Self::from_progress(client, progress))
    }

    /// Fetches the project's public flow configuration (one GET), then [`Self::new`].
    pub async fn begin(
        client: SmartEnrollClient,
        project_id: String,
        flow_id: Option<String>,
        signup: SignUpData,
    ) -> Result<EnrollmentSession, EnrollError> {
        let flow = client
            .fetch_flow_config(&project_id, flow_id.as_deref())
            .await?;
        Self::new(client, flow, signup)
    }

    fn from_progress(client: SmartEnrollClient, progress: Progress) -> Self {
        let state = state_of(&progress);
        EnrollmentSession {
            client,
            shared: Arc::new(Shared {
                progress: Mutex::new(progress),
                state: Mutex::new(state),
                observers: Arc::new(Registry::default()),
                analytics: Mutex::new(None),
                cancel: Mutex::new(CancellationToken::new()),
                op: tokio::sync::Mutex::new(()),
                auto_confirm: AtomicBool::new(false),
            }),
        }
    }

    /// Restores a session from a snapshot. Sends nothing; fails with
    /// [`EnrollError::SessionExpired`] when the registrant token's `exp` has passed. If the
    /// state is `Processing`, call [`EnrollmentSession::resume`].
    pub fn restore(
        client: SmartEnrollClient,
        snapshot: Snapshot,
    ) -> Result<EnrollmentSession, EnrollError> {
        if !(OLDEST_SNAPSHOT_VERSION..=SNAPSHOT_VERSION).contains(&snapshot.version) {
            return Err(EnrollError::InvalidInput {
                field: "snapshot".into(),
                reason: format!("unsupported snapshot version {}", snapshot.version),
            });
        }
        let p = snapshot.progress;
        if p.result.is_none()
            && let Some(t) = &p.token
            && crate::jwt::is_expired(t.expose(), now_ms() / 1000)
        {
            return Err(EnrollError::SessionExpired {
                reason: "the registrant token's exp claim has passed".into(),
            });
        }
        Ok(Self::from_progress(client, p))
    }

    /// The current state.
    pub fn state(&self) -> EnrollState {
        lock(&self.shared.state).clone()
    }

    /// The plan being followed.
    pub fn plan(&self) -> Plan {
        lock(&self.shared.progress).plan.clone()
    }

    /// A snapshot of the session to store securely and restore later.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            version: SNAPSHOT_VERSION,
            taken_at_ms: now_ms(),
            progress: lock(&self.shared.progress).clone(),
        }
    }

    /// Registers an observer; it receives the current state at once, then every change, until
    /// the handle is cancelled or dropped.
    pub fn observe(&self, observer: Arc<dyn StateObserver>) -> ObserverHandle {
        let id = self.shared.observers.add(observer.clone());
        let s = self.state();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            observer.on_state_changed(s)
        }));
        if r.is_err() {
            tracing::warn!("a state observer panicked; ignored");
        }
        ObserverHandle::new(&self.shared.observers, id)
    }

    /// Number of registered observers (diagnostics).
    pub fn observer_count(&self) -> usize {
        self.shared.observers.len()
    }

    /// Sets (or clears) the analytics sink.
    pub fn set_analytics_sink(&self, sink: Option<Arc<dyn AnalyticsSink>>) {
        *lock(&self.shared.analytics) = sink;
    }

    /// Headless use: when on, the session confirms the review by itself (sends `sync end` as
    /// soon as the review is retrieved) and returns `Completed` with `result.review` filled.
    /// Off by default: the app shows [`EnrollState::AwaitingReview`] and calls
    /// [`Self::confirm`]. Not part of a snapshot (set it again after a restore).
    pub fn set_auto_confirm(&self, on: bool) {
        self.shared.auto_confirm.store(on, Ordering::Relaxed);
    }

    /// Cancels the operation in flight (it returns [`EnrollError::Cancelled`]). Later calls work
    /// normally.
    pub fn cancel(&self) {
        let mut c = lock(&self.shared.cancel);
        c.cancel();
        *c = CancellationToken::new();
    }

    fn event(&self, kind: AnalyticsEventKind, step: StepKind, attempt: u32, started: u64) {
        self.event_full(kind, step, attempt, started, None, None);
    }

    fn event_full(
        &self,
        kind: AnalyticsEventKind,
        step: StepKind,
        attempt: u32,
        started: u64,
        error: Option<&EnrollError>,
        outcome: Option<Outcome>,
    ) {
        let sink = lock(&self.shared.analytics).clone();
        emit(
            &sink,
            AnalyticsEvent {
                kind,
                step,
                attempt,
                duration_ms: now_ms().saturating_sub(started),
                error: error.map(EnrollError::category),
                outcome,
            },
        );
    }

    /// Recomputes and publishes the state when it changed.
    fn publish(&self) {
        let new = state_of(&lock(&self.shared.progress));
        let changed = {
            let mut s = lock(&self.shared.state);
            if *s != new {
                *s = new.clone();
                true
            } else {
                false
            }
        };
        if changed {
            tracing::debug!(state = state_name(&new), "state changed");
            self.shared.observers.notify(&new);
        }
    }

    /// Runs `f` as one operation: serialised with other operations, cancellable, and followed
    /// by a state publication (also on error).
    async fn run<T, F>(&self, f: F) -> Result<T, EnrollError>
    where
        F: std::future::Future<Output = Result<T, EnrollError>> + Send,
        T: Send,
    {
        let token = lock(&self.shared.cancel).clone();
        let r = tokio::select! {
            biased;
            _ = token.cancelled() => Err(EnrollError::Cancelled),
            r = async {
                let _guard = self.shared.op.lock().await;
                f.await
            } => r,
        };
        self.publish();
        r
    }

    fn progress(&self) -> std::sync::MutexGuard<'_, Progress> {
        lock(&self.shared.progress)
    }

    fn registrant_token(&self) -> Result<RegistrantToken, EnrollError> {
        let t =
            self.progress().token.clone().ok_or_else(|| {
                EnrollError::invalid_state("no registrant token yet: call start()")
            })?;
        if crate::jwt::is_expired(t.expose(), now_ms() / 1000) {
            return Err(EnrollError::SessionExpired {
                reason: "the registrant token's exp claim has passed".into(),
            });
        }
        Ok(t)
    }

    /// Sends a registrant request; keeps the newest token from the answer.
    async fn call(
        &self,
        method: Method,
        path: String,
        body: Option<Value>,
        body_on_retry: Option<Value>,
        retry: RetryClass,
        step: &'static str,
    ) -> Result<Value, EnrollError> {
        self.call_counted(method, path, body, body_on_retry, retry, None, step)
            .await
            .0
    }

    /// [`Self::call`], also returning what is known about the tries, optionally with an
    /// `Idempotency-Key`.
    #[allow(clippy::too_many_arguments)]
    async fn call_counted(
        &self,
        method: Method,
        path: String,
        body: Option<Value>,
        body_on_retry: Option<Value>,
        retry: RetryClass,
        idempotency: Option<String>,
        step: &'static str,
    ) -> (Result<Value, EnrollError>, SendInfo) {
        let token = match self.registrant_token() {
            Ok(t) => t,
            Err(e) => return (Err(e), SendInfo::default()),
        };
        let (path, query) = match path.split_once('?') {
            Some((p, q)) => (
                p.to_owned(),
                url::form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect(),
            ),
            None => (path, Vec::new()),
        };
        let mut req = Req::new(method, path, Auth::Registrant(&token), retry, step);
        req.query = query;
        req.body = body;
        req.body_on_retry = body_on_retry;
        req.idempotency_key = idempotency;
        let (r, tries) = self.client.send_counted(req).await;
        if let Ok(v) = &r
            && let Some(t) = data_of(v).get("token").and_then(Value::as_str)
            && !t.is_empty()
        {
            self.progress().token = Some(RegistrantToken::new(t));
        }
        (r, tries)
    }

    async fn sync(&self, step: &'static str, status: &'static str) -> Result<Value, EnrollError> {
        let id = self.registration_id()?;
        self.call(
            Method::PUT,
            format!("/v2/app-registrations/{}/sync", seg(&id)?),
            Some(json!({"step": step, "status": status})),
            None,
            RetryClass::Safe,
            step,
        )
        .await
    }

    fn registration_id(&self) -> Result<String, EnrollError> {
        self.progress()
            .registration_id
            .clone()
            .ok_or_else(|| EnrollError::invalid_state("the registration was not created yet"))
    }

    fn current_step(&self) -> Option<PlanStep> {
        let p = self.progress();
        if p.result.is_some() {
            return None;
        }
        p.plan.steps.get(p.cursor).cloned()
    }

    fn advance(&self) {
        self.progress().cursor += 1;
    }

    /// Creates the registration (no client token), then runs automatic steps until user input
    /// is needed (the email code is sent at this point).
    pub async fn start(&self) -> Result<EnrollState, EnrollError> {
        self.run(async {
            if self.progress().registration_id.is_some() {
                return Err(EnrollError::invalid_state("already started"));
            }
            self.drive().await?;
            Ok(self.computed_state())
        })
        .await
    }

    /// Continues automatic steps after an interruption (state `Processing`), e.g. after a
    /// network error or a restore.
    pub async fn resume(&self) -> Result<EnrollState, EnrollError> {
        self.run(async {
            self.drive().await?;
            Ok(self.computed_state())
        })
        .await
    }

    fn computed_state(&self) -> EnrollState {
        state_of(&self.progress())
    }

    async fn create_registration(&self) -> Result<(), EnrollError> {
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
                self.event_full(
                    AnalyticsEventKind::StepFailed,
                    StepKind::CreateRegistration,
                    1,
                    started,
                    Some(&e),
                    None,
                );
                return Err(e);
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
            p.registration_id = Some(id);
            p.information_validation_id = as_id(d.get("informationValidation"));
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

    async fn send_otp(&self, phone: bool) -> Result<(), EnrollError> {
        let started = now_ms();
        let kind = if phone {
            StepKind::PhoneOtp
        } else {
            StepKind::EmailOtp
        };
        let (path, body) = {
            let p = self.progress();
            let mut b = json!({
                "project": p.flow.project_id,
                "projectFlow": p.flow.flow_id,
                "validationMethod": "verificationCode",
                "type": "onboarding",
                "language": p.signup.language.clone().unwrap_or_else(|| "en".into()),
            });
            if let Some(o) = b.as_object_mut() {
                if phone {
                    o.insert("phone".into(), json!(p.signup.phone));
                    o.insert("countryCode".into(), json!(p.signup.country_code));
                    o.insert(
                        "phoneGateway".into(),
                        json!(p.phone_channel.unwrap_or(PhoneChannel::Sms).as_api()),
                    );
                } else {
                    o.insert("email".into(), json!(p.signup.email));
                }
            }
            let path = if phone {
                "/v2/phone-validations/app-registration"
            } else {
                "/v2/email-validations/app-registration"
            };
            (path.to_owned(), b)
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
                let d = data_of(&v);
                let id = as_id(d.get("_id").or_else(|| d.get("id")))
                    .ok_or_else(|| EnrollError::malformed("OTP validation has no id"))?;
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
                self.event_full(
                    AnalyticsEventKind::StepFailed,
                    kind,
                    1,
                    started,
                    Some(&e),
                    None,
                );
                return Err(e);
            }
        };
        {
            let mut p = self.progress();
            let o = if phone { &mut p.phone } else { &mut p.email };
            if id.is_some() {
                o.validation_id = id;
            }
            o.sent_at_ms = Some(now_ms());
            o.needs_new_code = false;
        }
        self.event(AnalyticsEventKind::StepStarted, kind, 1, started);
        Ok(())
    }

    /// Runs automatic steps until the user must act (or the end).
    async fn drive(&self) -> Result<(), EnrollError> {
        let pending_failure = {
            let p = self.progress();
            p.failed_step.is_some() && p.result.is_none()
        };
        if pending_failure {
            self.finish_inner(false).await?;
            return Ok(());
        }
        loop {
            self.publish();
            let Some(step) = self.current_step() else {
                return Ok(());
            };
            match step {
                PlanStep::CreateRegistration => {
                    if self.progress().registration_id.is_none() {
                        self.create_registration().await?;
                    }
                    self.advance();
                }
                PlanStep::EmailOtp { .. } => {
                    if self.progress().email.sent_at_ms.is_none() {
                        self.send_otp(false).await?;
                    }
                    return Ok(());
                }
                PlanStep::PhoneOtp { channels, .. } => {
                    {
                        let mut p = self.progress();
                        if p.phone_channel.is_none() && channels.len() == 1 {
                            p.phone_channel = channels.first().copied();
                        }
                        if p.phone_channel.is_none() {
                            return Ok(());
                        }
                    }
                    if self.progress().phone.sent_at_ms.is_none() {
                        self.send_otp(true).await?;
                    }
                    return Ok(());
                }
                PlanStep::SignUpForm => {
                    self.auto_step(StepKind::SignUpForm, self.sync("signUpForm", "ONGOING"))
                        .await?;
                    self.advance();
                }
                PlanStep::BasicInformation => {
                    self.auto_step(
                        StepKind::BasicInformation,
                        self.sync("basicInformation", "ONGOING"),
                    )
                    .await?;
                    self.advance();
                }
                PlanStep::Form => {
                    self.auto_step(StepKind::Form, self.sync("form", "ONGOING"))
                        .await?;
                    self.advance();
                }
                PlanStep::Document { .. } | PlanStep::Liveness { .. } => {
                    return Ok(());
                }
                PlanStep::Finish => {
                    if self.progress().review.is_none() {
                        self.fetch_review().await?;
                    }
                    if self.shared.auto_confirm.load(Ordering::Relaxed) {
                        self.finish_inner(self.skip_kyc_at_finish()).await?;
                    }
                    return Ok(());
                }
                PlanStep::NameValidation => {
                    if self.progress().document_done {
                        self.auto_step(StepKind::NameValidation, self.name_validation())
                            .await?;
                    }
                    self.advance();
                }
                PlanStep::CriminalCheck => {
                    if self.progress().document_done {
                        self.auto_step(StepKind::CriminalCheck, self.criminal_check())
                            .await?;
                    }
                    self.advance();
                }
                PlanStep::FaceCompare => {
                    let both = {
                        let p = self.progress();
                        p.document_done && p.liveness_done
                    };
                    if both {
                        self.auto_step(StepKind::FaceCompare, self.compare())
                            .await?;
                    }
                    self.advance();
                }
            }
        }
    }

    async fn auto_step<T>(
        &self,
        kind: StepKind,
        fut: impl std::future::Future<Output = Result<T, EnrollError>>,
    ) -> Result<T, EnrollError> {
        let started = now_ms();
        self.event(AnalyticsEventKind::StepStarted, kind, 1, started);
        match fut.await {
            Ok(v) => {
                self.event(AnalyticsEventKind::StepCompleted, kind, 1, started);
                Ok(v)
            }
            Err(e) => {
                self.event_full(
                    AnalyticsEventKind::StepFailed,
                    kind,
                    1,
                    started,
                    Some(&e),
                    None,
                );
                Err(e)
            }
        }
    }

    async fn name_validation(&self) -> Result<(), EnrollError> {
        let id = self
            .progress()
            .document_validation_id
            .clone()
            .ok_or_else(|| EnrollError::invalid_state("no document validation"))?;
        let r = self
            .call(
                Method::PUT,
                format!("/v2/document-validations/{}/validate?force=true", seg(&id)?),
                Some(json!({})),
                None,
                RetryClass::Safe,
                "nameValidation",
            )
            .await;
        match r {
            Ok(v) => {
                let d = data_of(&v);
                let d = d.get("documentValidation").unwrap_or(d);
                let m = d.get("namesMatch").and_then(Value::as_bool);
                self.progress().scores.names_match = m;
                if m == Some(false) {
                    // As the hosted app does: names that do not match go to a person
                    // (`name_mismatch`); the final sync then stores NEEDS_MANUAL_VERIFICATION.
                    self.call(
                        Method::PUT,
                        format!("/v2/document-validations/{}/manual-verification", seg(&id)?),
                        Some(json!({"reason": "name_mismatch"})),
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

    async fn criminal_check(&self) -> Result<(), EnrollError> {
        let Some(id) = self.progress().information_validation_id.clone() else {
            return Ok(());
        };
        let v = self
            .call(
                Method::PUT,
                format!("/v2/information-validations/{}/background-check", seg(&id)?),
                Some(json!({})),
                None,
                RetryClass::Safe,
                "criminalCheck",
            )
            .await?;
        let d = data_of(&v);
        let status = d.get("status").and_then(Value::as_str).unwrap_or("");
        self.progress().scores.criminal_record_found = Some(status.eq_ignore_ascii_case("FAILED"));
        Ok(())
    }

    async fn compare(&self) -> Result<(), EnrollError> {
        let cfv = match self
            .upload(
                UploadKind::Compare,
                "/v2/face-recognition/compare/app-registration",
                None,
                None,
                "faceCompare",
            )
            .await?
        {
            Delivered::Answer(v) => {
                match parse_data::<smart_enroll_api::CompareResponse>(&v, "faceCompare") {
                    Ok(r) => r.compare_face_verification,
                    Err(_) => parse_data(&v, "faceCompare")?,
                }
            }
            Delivered::FromServer(reg) => reg
                .compare()
                .cloned()
                .ok_or_else(|| EnrollError::malformed("retrieve: no compare result"))?,
        };
        let min = self.progress().flow.document.compare_min_score;
        let mut p = self.progress();
        p.scores.compare_score = cfv.result.score;
        p.scores.compare_passed = cfv.passed(min);
        Ok(())
    }

    fn expect_step(&self, want: StepKind) -> Result<PlanStep, EnrollError> {
        match self.current_step() {
            Some(s) if s.kind() == want => Ok(s),
            _ => Err(EnrollError::invalid_state(format!(
                "not waiting for {} (state: {})",
                want.as_str(),
                state_name(&self.computed_state())
            ))),
        }
    }

    async fn validate_otp(&self, phone: bool, code: &str) -> Result<EnrollState, EnrollError> {
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
            if o.sent_at_ms.is_none() {
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
                let path = match &o.validation_id {
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
                let status = data_of(&v)
                    .get("status")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                if !status.is_empty() && !status.eq_ignore_ascii_case("validated") {
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
                    o.needs_new_code = true;
                }
                self.event_full(
                    AnalyticsEventKind::StepFailed,
                    kind,
                    attempt,
                    started,
                    Some(&e),
                    None,
                );
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

    async fn resend(&self, phone: bool) -> Result<EnrollState, EnrollError> {
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
                    p.phone = OtpProgress::default();
                }
            }
            self.drive().await?;
            Ok(self.computed_state())
        })
        .await
    }

    /// Skips the current optional step (email/phone code when the sign-up form is optional,
    /// document or selfie when optional).
    pub async fn skip_step(&self) -> Result<EnrollState, EnrollError> {
        self.run(async {
            let step = self
                .current_step()
                .ok_or_else(|| EnrollError::invalid_state("nothing to skip"))?;
            if !step.is_optional() || self.progress().registration_id.is_none() {
                return Err(EnrollError::invalid_state(format!(
                    "step {} is not optional",
                    step.kind().as_str()
                )));
            }
            if step.kind() == StepKind::Document
                && self.progress().document_side == DocumentSide::Back
            {
                return Err(EnrollError::invalid_state(
                    "the document front was accepted; its back side is required",
                ));
            }
            self.progress().skipped.push(step.kind());
            self.event(AnalyticsEventKind::StepSkipped, step.kind(), 0, now_ms());
            self.advance();
            self.drive().await?;
            Ok(self.computed_state())
        })
        .await
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
                    && !self.progress().document_done
                    && !self.progress().liveness_done);
            if !allowed {
                return Err(EnrollError::invalid_state(
                    "skipping KYC is not allowed here (a KYC step is mandatory or already done)",
                ));
            }
            self.finish_inner(true).await
        })
        .await
    }

    /// Uploads one document side (any JPEG/PNG/WebP; re-encoded to an upright JPEG first).
    pub async fn submit_document(
        &self,
        side: DocumentSide,
        image: Vec<u8>,
        category: DocumentCategory,
    ) -> Result<EnrollState, EnrollError> {
        self.run(self.document_inner(side, image, category)).await
    }

    async fn document_inner(
        &self,
        side: DocumentSide,
        image: Vec<u8>,
        category: DocumentCategory,
    ) -> Result<EnrollState, EnrollError> {
        let PlanStep::Document { categories, .. } = self.expect_step(StepKind::Document)? else {
            return Err(EnrollError::invalid_state("not at the document step"));
        };
        let (want_side, prev_cat, schema, attempts) = {
            let p = self.progress();
            (
                p.document_side,
                p.document_category,
                p.flow.schema,
                p.document_attempts,
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
        let b64 = B64.encode(prepare_off_thread(image, crate::media::prepare_document).await?);
        let input_method = match self.client.config().platform {
            crate::config::Platform::Desktop => smart_enroll_api::InputMethod::FileUpload,
            _ => smart_enroll_api::InputMethod::Camera,
        };
        let request = |force: bool| smart_enroll_api::DocumentUploadRequest {
            image: (side == DocumentSide::Front).then(|| smart_enroll_api::Secret::new(&b64)),
            back_image: (side == DocumentSide::Back).then(|| smart_enroll_api::Secret::new(&b64)),
            force: Some(force),
            document_face: None,
            input_method: Some(input_method.clone()),
            country: None,
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
                        let next = p.server_document_attempts + 1;
                        p.server_document_attempts = dv.attempt.unwrap_or(next).max(next);
                    }
                    p.document_validation_id = Some(id);
                    p.document_category = Some(category);
                    p.document_status = dv.status.as_ref().map(|s| s.as_str().to_owned());
                    if side == DocumentSide::Front && requires_back && !has_back {
                        p.document_side = DocumentSide::Back;
                    } else {
                        p.document_done = true;
                    }
                    if let Some(m) = dv.names_match {
                        p.scores.names_match = Some(m);
                    }
                }
                let done = self.progress().document_done;
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
                    p.document_attempts += 1;
                    p.document_attempts >= p.flow.document.max_attempts
                })
                .await
            }
        }
    }

    /// Uploads the selfie (re-encoded JPEG, sent as a data URI). A failed liveness check gives
    /// [`EnrollError::LivenessFailed`] and uses an attempt; when none are left the enrollment
    /// ends as `Failed`.
    pub async fn submit_selfie(&self, image: Vec<u8>) -> Result<EnrollState, EnrollError> {
        self.run(self.selfie_inner(image)).await
    }

    async fn selfie_inner(&self, image: Vec<u8>) -> Result<EnrollState, EnrollError> {
        self.expect_step(StepKind::Liveness)?;
        let jpeg = prepare_off_thread(image, crate::media::prepare_selfie).await?;
        let uri = format!("data:image/jpeg;base64,{}", B64.encode(jpeg));
        if !self.progress().liveness_synced {
            self.sync("liveness", "ONGOING").await?;
            self.progress().liveness_synced = true;
        }
        let attempts = self.progress().liveness_attempts;
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
                let known = self.progress().biometric_validation_id.clone();
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
                    self.progress().server_liveness_attempts =
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
                    let next = p.server_liveness_attempts + 1;
                    p.server_liveness_attempts = reg.liveness_attempts.unwrap_or(next).max(next);
                    if let Some(id) = reg.biometric_validation.as_ref().map(IdOr::id)
                        && !id.is_empty()
                    {
                        p.biometric_validation_id = Some(id.to_owned());
                    }
                    p.liveness_done = true;
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
                        let next = p.server_liveness_attempts + 1;
                        p.server_liveness_attempts = p.server_liveness_attempts.max(next);
                    }
                    p.liveness_attempts += 1;
                    p.liveness_attempts >= p.flow.liveness.max_attempts
                })
                .await
            }
        }
    }

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
    async fn upload(
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
    async fn arrived(&self, kind: UploadKind) -> Result<Option<AppRegistration>, EnrollError> {
        let reg = self
            .me(&[
                "documentValidation",
                "biometricValidation",
                "compareFaceVerification",
            ])
            .await?;
        let p = self.progress();
        let changed = |now: Option<&str>, known: &Option<String>| {
            now.is_some_and(|id| !id.is_empty() && Some(id) != known.as_deref())
        };
        let yes = match kind {
            UploadKind::DocumentFront => {
                changed(
                    reg.document_validation.as_ref().map(IdOr::id),
                    &p.document_validation_id,
                ) || reg
                    .document_attempts
                    .is_some_and(|n| n > p.server_document_attempts)
            }
            UploadKind::DocumentBack => reg.document().is_some_and(|d| {
                d.back_url.as_deref().is_some_and(|u| !u.is_empty())
                    || d.back_image.as_deref().is_some_and(|u| !u.is_empty())
            }),
            UploadKind::Selfie => {
                changed(
                    reg.biometric_validation.as_ref().map(IdOr::id),
                    &p.biometric_validation_id,
                ) || reg
                    .liveness_attempts
                    .is_some_and(|n| n > p.server_liveness_attempts)
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
    async fn attempt_failed(
        &self,
        step: StepKind,
        attempt: u32,
        started: u64,
        e: EnrollError,
        count: impl FnOnce(&mut Progress) -> bool,
    ) -> Result<EnrollState, EnrollError> {
        self.event_full(
            AnalyticsEventKind::StepFailed,
            step,
            attempt,
            started,
            Some(&e),
            None,
        );
        if counts_as_attempt(&e) {
            let exhausted = {
                let mut p = self.progress();
                count(&mut p) || matches!(e, EnrollError::AttemptsExhausted { .. })
            };
            if exhausted {
                self.progress().failed_step = Some(step);
                self.finish_inner(false).await?;
            }
        }
        Err(e)
    }

    /// Confirms the review ([`EnrollState::AwaitingReview`]) and sends the final sync: `end`
    /// with `COMPLETED` (or `FAILED` when a score or check failed); the server may store
    /// `NEEDS_MANUAL_VERIFICATION`. With no KYC step done and KYC skippable, `skipKYC`.
    /// Returns the `Completed` state with the final token and redirect URL.
    pub async fn confirm(&self) -> Result<EnrollState, EnrollError> {
        self.run(async {
            self.expect_step(StepKind::Finish)?;
            if self.progress().review.is_none() {
                return Err(EnrollError::invalid_state(
                    "the review was not retrieved yet: call resume()",
                ));
            }
            self.finish_inner(self.skip_kyc_at_finish()).await
        })
        .await
    }

    /// Whether the final sync is `skipKYC` (no KYC step done, and the flow allows it).
    fn skip_kyc_at_finish(&self) -> bool {
        let p = self.progress();
        p.plan.can_skip_kyc && !p.document_done && !p.liveness_done
    }

    /// Retrieves the registration with its populated validations
    /// (`POST /v2/app-registrations/me {populates}`).
    async fn me(&self, populates: &[&str]) -> Result<AppRegistration, EnrollError> {
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
    async fn fetch_review(&self) -> Result<(), EnrollError> {
        let reg = self.me(smart_enroll_api::REVIEW_POPULATES).await?;
        let mut p = self.progress();
        let review = review_of(&p, &reg);
        scores_from_review(&mut p.scores, &review);
        tracing::debug!(outcome = ?review.expected_outcome, "review retrieved");
        p.review = Some(review);
        Ok(())
    }

    async fn finish_inner(&self, skip_kyc: bool) -> Result<EnrollState, EnrollError> {
        let started = now_ms();
        let (step, status) = if skip_kyc {
            ("skipKYC", "COMPLETED_WITHOUT_KYC")
        } else {
            let failed = {
                let p = self.progress();
                tally_failed(&p)
                    || p.review
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
                self.event_full(
                    AnalyticsEventKind::StepFailed,
                    StepKind::Finish,
                    1,
                    started,
                    Some(&e),
                    None,
                );
                return Err(e);
            }
        };
        let d = data_of(&v);
        let token = d
            .get("token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| EnrollError::malformed("final sync has no token"))?
            .to_owned();
        let stored = d.get("status").and_then(Value::as_str).unwrap_or(status);
        let outcome = match stored.to_ascii_uppercase().as_str() {
            "COMPLETED" => Outcome::Completed,
            "COMPLETED_WITHOUT_KYC" => Outcome::CompletedWithoutKyc,
            "FAILED" => Outcome::Failed,
            "NEEDS_MANUAL_VERIFICATION" => Outcome::NeedsManualVerification,
            _ => {
                return Err(EnrollError::malformed("final sync has an unknown status"));
            }
        };
        let state = {
            let mut p = self.progress();
            let redirect_url = p
                .flow
                .redirect_url
                .as_deref()
                .and_then(|r| redirect_with_token(r, &token));
            p.result = Some(EnrollResult {
                registration_id: p.registration_id.clone().unwrap_or_default(),
                outcome,
                token: FinalToken::new(token),
                redirect_url,
                scores: p.scores.clone(),
                review: if skip_kyc { None } else { p.review.clone() },
            });
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

/// The document validation of an upload answer: `{documentValidation: {…}}` or the
/// validation itself.
fn document_of(v: &Value) -> Result<smart_enroll_api::DocumentValidation, EnrollError> {
    match parse_data::<smart_enroll_api::DocumentValidationResponse>(v, "document") {
        Ok(r) => Ok(r.document_validation),
        Err(_) => parse_data(v, "document"),
    }
}

/// Errors that mean "this attempt was judged and failed" (they use up an attempt), as opposed
/// to transport trouble or cancellations (tried again for free).
fn counts_as_attempt(e: &EnrollError) -> bool {
    matches!(
        e,
        EnrollError::LivenessFailed { .. }
            | EnrollError::FaceAlreadyExists
            | EnrollError::AttemptsExhausted { .. }
            | EnrollError::Rejected { .. }
    ) || matches!(e, EnrollError::InvalidInput { field, .. } if field == "image")
}

/// A short name of a state for logs (no personal data).
pub fn state_name(s: &EnrollState) -> &'static str {
    match s {
        EnrollState::NotStarted => "NotStarted",
        EnrollState::Processing { .. } => "Processing",
        EnrollState::AwaitingEmailCode { .. } => "AwaitingEmailCode",
        EnrollState::AwaitingPhoneChannel { .. } => "AwaitingPhoneChannel",
        EnrollState::AwaitingPhoneCode { .. } => "AwaitingPhoneCode",
        EnrollState::AwaitingDocument { .. } => "AwaitingDocument",
        EnrollState::AwaitingSelfie { .. } => "AwaitingSelfie",
        EnrollState::AwaitingReview { .. } => "AwaitingReview",
        EnrollState::Completed { .. } => "Completed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ClientConfig, InsecureHttp};
    use crate::flow::{FlowPreset, NewFlow};

    fn client() -> SmartEnrollClient {
        let mut c = ClientConfig::new("http://127.0.0.1:9");
        c.allow_insecure_http = InsecureHttp::Loopback;
        SmartEnrollClient::new(c).unwrap()
    }

    fn flow() -> FlowConfig {
        let mut v = NewFlow::preset("p1", FlowPreset::FullKyc).to_json();
        v["_id"] = json!("f1");
        FlowConfig::from_flow_json(&v).unwrap()
    }

    fn signup() -> SignUpData {
        SignUpData {
            email: Some("secret.person@example.com".into()),
            phone: Some("3001234567".into()),
            country_code: Some("+57".into()),
            full_name: Some("Secret Person".into()),
            language: None,
            ..SignUpData::default()
        }
    }

    fn assert_send<T: Send>(_: &T) {}
    fn assert_send_sync<T: Send + Sync + 'static>() {}

    /// The bindings need `Send + Sync` objects and `Send` futures.
    #[test]
    fn public_types_are_send_and_sync_and_futures_are_send() {
        assert_send_sync::<EnrollmentSession>();
        assert_send_sync::<SmartEnrollClient>();
        assert_send_sync::<Snapshot>();
        assert_send_sync::<crate::ObserverHandle>();
        let s = EnrollmentSession::new(client(), flow(), signup()).unwrap();
        assert_send(&s.start());
        assert_send(&s.resume());
        assert_send(&s.submit_email_code(String::new()));
        assert_send(&s.submit_phone_code(String::new()));
        assert_send(&s.resend_email_code());
        assert_send(&s.resend_phone_code());
        assert_send(&s.choose_phone_channel(PhoneChannel::Sms));
        assert_send(&s.skip_step());
        assert_send(&s.skip_kyc());
        assert_send(&s.submit_document(
            DocumentSide::Front,
            Vec::new(),
            DocumentCategory::Passport,
        ));
        assert_send(&s.submit_selfie(Vec::new()));
        assert_send(&s.confirm());
        let c = client();
        assert_send(&c.fetch_flow_config("p", None));
    }

    #[test]
    fn redirect_url_is_encoded() {
        assert_eq!(
            redirect_with_token("https://app.test/done?x=1", "a.b+c/d=").as_deref(),
            Some("https://app.test/done?x=1&token=a.b%2Bc%2Fd%3D")
        );
        assert_eq!(redirect_with_token("not a url", "t"), None);
    }

    #[test]
    fn snapshot_round_trip_and_rejections() {
        let s = EnrollmentSession::new(client(), flow(), signup()).unwrap();
        assert_eq!(s.state(), EnrollState::NotStarted);
        let snap = s.snapshot();
        let dbg = format!("{snap:?} {s:?}");
        assert!(!dbg.contains("secret"), "{dbg}");
        let json = snap.to_json().unwrap();
        let back = Snapshot::from_json(&json).unwrap();
        assert!(back.progress == snap.progress);
        let r = EnrollmentSession::restore(client(), back).unwrap();
        assert_eq!(r.state(), EnrollState::NotStarted);
        for bad in [
            "",
            "{",
            "[]",
            r#"{"version":99}"#,
            r#"{"version":1}"#,
            r#"{"version":1,"taken_at_ms":1,"progress":{"cursor":"x"}}"#,
        ] {
            assert!(
                matches!(
                    Snapshot::from_json(bad),
                    Err(EnrollError::InvalidInput { .. })
                ),
                "{bad}"
            );
        }
        let mut v: Value = serde_json::from_str(&json).unwrap();
        v["progress"]["cursor"] = json!(999);
        assert!(Snapshot::from_json(&v.to_string()).is_err());
        // A damaged field's value never reaches the error (it may be personal data).
        let mut v: Value = serde_json::from_str(&json).unwrap();
        v["progress"]["cursor"] = json!("jane.doe@example.com");
        let err = Snapshot::from_json(&v.to_string()).unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(matches!(err, EnrollError::InvalidInput { .. }), "{shown}");
        assert!(!shown.contains("jane.doe"), "{shown}");
    }

    #[test]
    fn restore_with_expired_token_is_session_expired() {
        let s = EnrollmentSession::new(client(), flow(), signup()).unwrap();
        {
            let mut p = s.progress();
            p.registration_id = Some("r1".into());
            p.token = Some(RegistrantToken::new(crate::jwt::fake_jwt(1_000)));
        }
        let err = EnrollmentSession::restore(client(), s.snapshot()).unwrap_err();
        assert!(matches!(err, EnrollError::SessionExpired { .. }));
        assert!(err.to_string().contains("resend-link"));
        let fresh = crate::jwt::fake_jwt(now_ms() / 1000 + 3600);
        let ok = s.snapshot().with_token(RegistrantToken::new(fresh));
        let r = EnrollmentSession::restore(client(), ok).unwrap();
        assert_eq!(
            r.state(),
            EnrollState::Processing {
                step: StepKind::CreateRegistration
            }
        );
    }

    #[tokio::test]
    async fn calls_out_of_order_are_invalid_state_without_requests() {
        let c = client();
        let s = EnrollmentSession::new(c.clone(), flow(), signup()).unwrap();
        assert!(matches!(
            s.submit_email_code("123456".into()).await,
            Err(EnrollError::InvalidState { .. })
        ));
        assert!(matches!(
            s.submit_email_code("12".into()).await,
            Err(EnrollError::InvalidInput { .. })
        ));
        assert!(matches!(
            s.confirm().await,
            Err(EnrollError::InvalidState { .. })
        ));
        assert!(matches!(
            s.skip_step().await,
            Err(EnrollError::InvalidState { .. })
        ));
        assert_eq!(c.stats().requests, 0);
    }

    #[tokio::test]
    async fn unreachable_server_is_a_network_error_and_nothing_is_lost() {
        let mut cfg = ClientConfig::new("http://127.0.0.1:9");
        cfg.allow_insecure_http = InsecureHttp::Loopback;
        cfg.retry.base_delay_ms = 1;
        cfg.retry.max_retries = 2;
        let c = SmartEnrollClient::new(cfg).unwrap();
        let s = EnrollmentSession::new(c.clone(), flow(), signup()).unwrap();
        let e = s.start().await.unwrap_err();
        assert_eq!(e.category(), crate::ErrorCategory::Network, "{e:?}");
        // Connect errors are retried even for create-registration.
        assert_eq!(c.stats().requests, 3);
        assert_eq!(s.state(), EnrollState::NotStarted);
    }
}
