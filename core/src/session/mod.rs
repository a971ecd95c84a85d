//! The enrollment engine: walks the [`Plan`] against the API, keeps the newest registrant token,
//! publishes [`EnrollState`]s to observers, emits analytics, snapshots and restores.
//!
//! The driver is this module; each step lives in its own module: [`registration`], [`otp`],
//! [`document`] (with the name and criminal checks), [`liveness`], [`compare`], [`review`]
//! and [`finish`]; [`upload`] holds the lost-answer handling the uploads share.
//!
//! Concurrency: one operation runs at a time (an async mutex); `state()`, `snapshot()` and
//! `cancel()` never wait for it. Cancellation: `cancel()` ends the in-flight operation with
//! [`EnrollError::Cancelled`]; progress is only recorded after a request succeeded, so a
//! cancelled step is simply tried again.

use crate::client::{
    Auth, Req, RetryClass, SendInfo, SmartEnrollClient, data_of, idempotency_key, now_ms,
    parse_data, seg, to_body as body_of,
};
use crate::error::EnrollError;
use crate::flow::{FlowConfig, FlowSchema};
use crate::observer::{AnalyticsSink, ObserverHandle, Registry, StateObserver, emit};
use crate::plan::{Plan, PlanStep, plan};
use crate::review::Review;
use crate::secret::{FinalToken, OtpCode, RegistrantToken};
use crate::types::{
    AnalyticsEvent, AnalyticsEventKind, DocumentCategory, DocumentSide, EnrollResult, EnrollState,
    Outcome, PhoneChannel, Scores, SignUpData, StepKind,
};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use smart_enroll_api::{AppRegistration, IdOr, MeRequest, Populates};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

mod compare;
mod document;
mod face_crop;
mod finish;
mod liveness;
mod otp;
mod progress;
mod registration;
mod review;
mod snapshot;
mod state;
mod upload;

use finish::*;
use progress::*;
use state::state_of;
use upload::*;

pub(crate) use face_crop::document_face;
pub use face_crop::{face_model, set_face_model};
pub use snapshot::{SNAPSHOT_VERSION, Snapshot};

/// Cooldown between OTP sends the UI should respect (the sandbox enforces 60 s).
const RESEND_COOLDOWN_MS: u64 = 60_000;

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
        let progress = Progress::new(flow, signup, plan);
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
        if snapshot.version != SNAPSHOT_VERSION {
            return Err(EnrollError::InvalidInput {
                field: "snapshot".into(),
                reason: format!("unsupported snapshot version {}", snapshot.version),
            });
        }
        let p = snapshot.progress;
        if p.result().is_none()
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

    /// Reports a failed step (analytics `StepFailed` with the error's category) and hands the
    /// error back: `return Err(self.step_failed(step, attempt, started, e))`.
    fn step_failed(
        &self,
        step: StepKind,
        attempt: u32,
        started: u64,
        e: EnrollError,
    ) -> EnrollError {
        self.event_full(
            AnalyticsEventKind::StepFailed,
            step,
            attempt,
            started,
            Some(&e),
            None,
        );
        e
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
        // Poke kept on purpose: ANY registrant answer may carry a newer token in `data.token`
        // (§2), whatever its operation's type; one generic read covers them all.
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
            Some(body_of(&smart_enroll_api::SyncRequest {
                step: smart_enroll_api::SyncStep::parse(step),
                status: smart_enroll_api::RegistrationStatus::parse(status),
            })?),
            None,
            RetryClass::Safe,
            step,
        )
        .await
    }

    fn registration_id(&self) -> Result<String, EnrollError> {
        self.progress()
            .registration_id()
            .map(str::to_owned)
            .ok_or_else(|| EnrollError::invalid_state("the registration was not created yet"))
    }

    fn current_step(&self) -> Option<PlanStep> {
        let p = self.progress();
        if p.result().is_some() {
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
            if self.progress().registration_id().is_some() {
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

    /// Runs automatic steps until the user must act (or the end).
    async fn drive(&self) -> Result<(), EnrollError> {
        let pending_failure = {
            let p = self.progress();
            p.failed_step().is_some() && p.result().is_none()
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
                    if self.progress().registration_id().is_none() {
                        self.create_registration().await?;
                    }
                    self.advance();
                }
                PlanStep::EmailOtp { .. } => {
                    if self.progress().email.sent_at_ms().is_none() {
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
                    if self.progress().phone.sent_at_ms().is_none() {
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
                    if self.progress().review().is_none() {
                        self.fetch_review().await?;
                    }
                    if self.shared.auto_confirm.load(Ordering::Relaxed) {
                        self.finish_inner(self.skip_kyc_at_finish()).await?;
                    }
                    return Ok(());
                }
                PlanStep::NameValidation => {
                    if self.progress().document_done() {
                        self.auto_step(StepKind::NameValidation, self.name_validation())
                            .await?;
                    }
                    self.advance();
                }
                PlanStep::CriminalCheck => {
                    if self.progress().document_done() {
                        self.auto_step(StepKind::CriminalCheck, self.criminal_check())
                            .await?;
                    }
                    self.advance();
                }
                PlanStep::FaceCompare => {
                    let both = {
                        let p = self.progress();
                        p.document_done() && p.liveness_done()
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
            Err(e) => Err(self.step_failed(kind, 1, started, e)),
        }
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

    /// Skips the current optional step (email/phone code when the sign-up form is optional,
    /// document or selfie when optional).
    pub async fn skip_step(&self) -> Result<EnrollState, EnrollError> {
        self.run(async {
            let step = self
                .current_step()
                .ok_or_else(|| EnrollError::invalid_state("nothing to skip"))?;
            if !step.is_optional() || self.progress().registration_id().is_none() {
                return Err(EnrollError::invalid_state(format!(
                    "step {} is not optional",
                    step.kind().as_str()
                )));
            }
            if step.kind() == StepKind::Document
                && self.progress().document_side() == DocumentSide::Back
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

/// The document answer reader, for the fuzz targets (`crate::fuzzing`).
#[cfg(feature = "fuzzing")]
pub(crate) fn fuzz_document_of(
    v: &Value,
) -> Result<smart_enroll_api::DocumentValidation, EnrollError> {
    document::document_of(v)
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
        v["_id"] = "f1".into();
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
        v["progress"]["cursor"] = 999.into();
        assert!(Snapshot::from_json(&v.to_string()).is_err());
        // A damaged field's value never reaches the error (it may be personal data).
        let mut v: Value = serde_json::from_str(&json).unwrap();
        v["progress"]["cursor"] = "jane.doe@example.com".into();
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
            p.registration = RegistrationState::Created {
                id: "r1".into(),
                information_validation_id: None,
            };
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

    /// A version-1 body (loose flags) as the SDK wrote it before the typed step states.
    fn v1_snapshot(edit: impl FnOnce(&mut ProgressV1)) -> String {
        #[derive(Serialize)]
        struct SnapshotV1 {
            version: u32,
            taken_at_ms: u64,
            progress: ProgressV1,
        }
        let mut progress = ProgressV1 {
            flow: flow(),
            signup: signup(),
            plan: plan(&flow(), &signup()).unwrap(),
            cursor: 0,
            registration_id: Some("r1".into()),
            information_validation_id: Some("i1".into()),
            token: None,
            email: OtpProgressV1::default(),
            phone: OtpProgressV1::default(),
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
        };
        edit(&mut progress);
        serde_json::to_string(&SnapshotV1 {
            version: 1,
            taken_at_ms: 5,
            progress,
        })
        .unwrap()
    }

    #[test]
    fn version_1_snapshots_migrate_to_the_typed_step_states() {
        let plan = plan(&flow(), &signup()).unwrap();
        let at = |k: StepKind| plan.steps.iter().position(|s| s.kind() == k).unwrap();
        // At the finish step, document and selfie done: the review is not there yet.
        let (doc, fin) = (at(StepKind::Document), at(StepKind::Finish));
        let json = v1_snapshot(|p| {
            p.cursor = fin;
            p.email = OtpProgressV1 {
                validation_id: Some("e1".into()),
                sent_at_ms: Some(10),
                needs_new_code: true,
                attempts: 2,
            };
            p.document_validation_id = Some("d1".into());
            p.document_category = Some(DocumentCategory::Passport);
            p.document_done = true;
            p.document_status = Some("ACTIVE".into());
            p.document_attempts = 1;
            p.liveness_synced = true;
            p.liveness_done = true;
        });
        let snap = Snapshot::from_json(&json).unwrap();
        assert_eq!(snap.version, SNAPSHOT_VERSION);
        let p = &snap.progress;
        assert_eq!(p.registration_id(), Some("r1"));
        assert_eq!(p.information_validation_id(), Some("i1"));
        assert_eq!(
            p.email,
            OtpState {
                step: OtpStep::Sent {
                    validation_id: Some("e1".into()),
                    sent_at_ms: 10,
                    needs_new_code: true
                },
                attempts: 2
            }
        );
        assert_eq!(p.phone, OtpState::default());
        assert_eq!(
            p.document.state,
            DocumentState::Done {
                validation_id: "d1".into(),
                category: DocumentCategory::Passport,
                status: Some("ACTIVE".into())
            }
        );
        assert_eq!((p.document.attempts, p.document.server_attempts), (1, 2));
        assert!(p.liveness_done());
        assert_eq!(p.finish, FinishState::Open);
        let r = EnrollmentSession::restore(client(), snap).unwrap();
        assert_eq!(
            r.state(),
            EnrollState::Processing {
                step: StepKind::Finish
            }
        );
        // Waiting for the back side.
        let json = v1_snapshot(|p| {
            p.cursor = doc;
            p.document_validation_id = Some("d1".into());
            p.document_category = Some(DocumentCategory::Passport);
            p.document_side = DocumentSide::Back;
        });
        let r = EnrollmentSession::restore(client(), Snapshot::from_json(&json).unwrap()).unwrap();
        assert!(
            matches!(
                r.state(),
                EnrollState::AwaitingDocument { side: DocumentSide::Back, ref accepted_categories, .. }
                    if accepted_categories == &[DocumentCategory::Passport]
            ),
            "{:?}",
            r.state()
        );
        // Out of attempts in version 1: the FAILED sync is pending.
        let json = v1_snapshot(|p| {
            p.cursor = doc;
            p.failed_step = Some(StepKind::Document);
        });
        let snap = Snapshot::from_json(&json).unwrap();
        assert_eq!(snap.progress.failed_step(), Some(StepKind::Document));
        // A version this SDK does not know: the typed version error.
        let json = v1_snapshot(|_| {}).replace("\"version\":1", "\"version\":3");
        let err = Snapshot::from_json(&json).unwrap_err();
        assert!(
            matches!(&err, EnrollError::InvalidInput { field, reason }
                if field == "snapshot" && reason == "unsupported snapshot version 3"),
            "{err:?}"
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
