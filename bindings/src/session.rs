//! The client and session objects, the state observer and its handle: thin wrappers that run
//! each core call on the global runtime ([`crate::runtime::run`]) and convert its types.

use std::sync::{Arc, Mutex, MutexGuard, Weak};

use smart_enroll_core as sdk;

use crate::error::SmartEnrollError;
use crate::live::{Kind, Track};
use crate::runtime::run;
use crate::types::{
    AnalyticsEvent, ClientConfig, DocumentCategory, EnrollState, FlowSummary, PhoneChannel,
    SignUpData, StepKind,
};

type Result<T> = std::result::Result<T, SmartEnrollError>;

/// A Smart Enroll API client holding the configuration. Create one per app and share it;
/// `close()` it (Kotlin `use {}`) when done.
#[derive(uniffi::Object)]
pub struct SmartEnrollClient {
    inner: sdk::SmartEnrollClient,
    /// The flows this client fetched (newest last, at most [`FLOW_CACHE`]), so that
    /// `new_enrollment(flow, …)` starts from the full configuration behind a `FlowSummary`
    /// without fetching it again.
    flows: Mutex<Vec<sdk::FlowConfig>>,
    _track: Track,
}

/// How many fetched flows a client remembers for `new_enrollment`.
const FLOW_CACHE: usize = 8;

/// Locks a mutex, recovering the data of a poisoned one (a panicking observer must not make
/// the session unusable).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[uniffi::export]
impl SmartEnrollClient {
    /// Builds a client; fails with `Config` on a bad base URL or plain HTTP that the
    /// configuration does not allow. Sends nothing.
    #[uniffi::constructor]
    pub fn new(config: ClientConfig) -> Result<Arc<Self>> {
        crate::logging::init_default_logging();
        let inner = sdk::SmartEnrollClient::new(config.try_into()?)?;
        Ok(Arc::new(Self {
            inner,
            flows: Mutex::new(Vec::new()),
            _track: Track::new(Kind::Client),
        }))
    }

    /// Fetches the project's public onboarding flow (the one with `flow_id` if given, else the
    /// project's default flow): which sign-up fields to ask for, the code gateways, the step
    /// modes and limits. Sends one unauthenticated request; fails with `NotFound` for an
    /// unknown project or flow. Pass the result to `new_enrollment`.
    #[uniffi::method(default(flow_id = None))]
    pub async fn fetch_flow_config(
        &self,
        project_id: String,
        flow_id: Option<String>,
    ) -> Result<FlowSummary> {
        let client = self.inner.clone();
        let flow = run(async move {
            Ok(client
                .fetch_flow_config(&project_id, flow_id.as_deref())
                .await?)
        })
        .await?;
        let summary = FlowSummary::from(flow.clone());
        let mut flows = lock(&self.flows);
        flows.retain(|f| (&f.project_id, &f.flow_id) != (&flow.project_id, &flow.flow_id));
        flows.push(flow);
        if flows.len() > FLOW_CACHE {
            flows.remove(0);
        }
        Ok(summary)
    }

    /// Prepares an enrollment of `sign_up` in `flow` (from `fetch_flow_config`): validates the
    /// input and plans the steps. Call `start()` on the returned session next. Sends nothing
    /// when `flow` was fetched by this client and is unchanged; otherwise (a summary built by
    /// the app, or fetched by another client) it fetches the flow again first.
    pub async fn new_enrollment(
        &self,
        flow: FlowSummary,
        sign_up: SignUpData,
    ) -> Result<Arc<EnrollmentSession>> {
        let cached = lock(&self.flows)
            .iter()
            .find(|f| FlowSummary::from((*f).clone()) == flow)
            .cloned();
        let client = self.inner.clone();
        run(async move {
            let config = match cached {
                Some(config) => config,
                None => {
                    client
                        .fetch_flow_config(&flow.project_id, Some(&flow.flow_id))
                        .await?
                }
            };
            let session = sdk::EnrollmentSession::new(client, config, sign_up.into())?;
            Ok(EnrollmentSession::wrap(session))
        })
        .await
    }

    /// Restores an enrollment from `EnrollmentSession.snapshot()` (e.g. after the app was
    /// killed). Sends nothing; fails with `SessionExpired` when its token has expired and
    /// `InvalidInput(field = "snapshot")` when the snapshot is damaged or of another version.
    ///
    /// `fresh_token` resumes with a new registrant token instead of the snapshot's: the
    /// recovery that `SessionExpired` and `AlreadyRegistered` point to. Your backend calls
    /// resend-link for the registration (`POST /v2/app-registrations/{id}/resend-link`, client
    /// token) and hands `data.token` to the app, which restores its stored snapshot with it and
    /// carries on from the same step. A token that is not a registrant JWT, that names another
    /// registration, or a snapshot without a registration yet fail with
    /// `InvalidInput(field = "freshToken")`; an expired one with `SessionExpired`. The token is
    /// never logged.
    #[uniffi::method(default(fresh_token = None))]
    pub fn restore_enrollment(
        &self,
        snapshot: String,
        fresh_token: Option<String>,
    ) -> Result<Arc<EnrollmentSession>> {
        let mut snapshot = sdk::Snapshot::from_json(&snapshot)?;
        if let Some(token) = fresh_token {
            check_fresh_token(&token, snapshot.registration_id().as_deref())?;
            snapshot = snapshot.with_token(sdk::RegistrantToken::new(token));
        }
        let inner = sdk::EnrollmentSession::restore(self.inner.clone(), snapshot)?;
        Ok(EnrollmentSession::wrap(inner))
    }
}

/// Checks a registrant token from resend-link before it replaces a snapshot's: a three-part JWT
/// whose `appRegistrationId` claim names the snapshot's registration. Read WITHOUT verifying the
/// signature (the server does that); the reasons never quote the token.
fn check_fresh_token(token: &str, registration_id: Option<&str>) -> Result<()> {
    let bad = |reason: &str| SmartEnrollError::InvalidInput {
        field: "freshToken".into(),
        reason: reason.into(),
    };
    let Some(registration_id) = registration_id else {
        return Err(bad(
            "the snapshot has no registration yet: start the enrollment instead",
        ));
    };
    let claimed = registration_claim(token).ok_or_else(|| {
        bad("not a registrant token (a JWT naming a registration, from resend-link)")
    })?;
    if claimed != registration_id {
        return Err(bad("the token belongs to another registration"));
    }
    Ok(())
}

/// The `appRegistrationId` claim of a three-part JWT, if it decodes.
fn registration_claim(token: &str) -> Option<String> {
    use base64::Engine;
    let mut parts = token.trim().split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    match claims.get("appRegistrationId")? {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// One enrollment. Every async method returns the new state (also sent to observers). Calls are
/// serialised; `cancel()` stops the one in flight with `Cancelled`, and so does cancelling the
/// calling coroutine / task. When a call fails while an automatic step is pending, observers
/// see `Interrupted` (the stream never stays on `Processing`): `resume()` continues.
#[derive(uniffi::Object)]
pub struct EnrollmentSession {
    inner: sdk::EnrollmentSession,
    stream: Arc<Stream>,
    _track: Track,
}

/// What the FFI adds to the core's state stream: the `Interrupted` state, which the core does
/// not know (its state stays `Processing` until `resume()`), and the observers to tell.
#[derive(Default)]
struct Stream {
    observers: Mutex<Vec<Weak<ObserverBridge>>>,
    /// `(the core state it stands for, the Interrupted state)` while an interruption shows.
    interrupted: Mutex<Option<(sdk::EnrollState, EnrollState)>>,
}

impl Stream {
    /// The state observers should see for the core's `state`: the interruption while the core
    /// still shows the state that was interrupted, else the core's state.
    fn shown(&self, state: sdk::EnrollState) -> EnrollState {
        match &*lock(&self.interrupted) {
            Some((base, shown)) if *base == state => shown.clone(),
            _ => state.into(),
        }
    }

    fn notify(&self, state: &EnrollState) {
        let observers: Vec<Arc<ObserverBridge>> = {
            let mut list = lock(&self.observers);
            list.retain(|w| w.strong_count() > 0);
            list.iter().filter_map(Weak::upgrade).collect()
        };
        for o in observers {
            let s = state.clone();
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                o.observer.on_state_changed(s)
            }));
            if r.is_err() {
                tracing::warn!("a state observer panicked; ignored");
            }
        }
    }

    /// After a failed call: when the core waits for `resume()` (an automatic step pending, or a
    /// `start()` that could not create the registration), show `Interrupted`.
    fn interrupt(&self, core_state: sdk::EnrollState, error: &SmartEnrollError, starting: bool) {
        let step = match &core_state {
            sdk::EnrollState::Processing { step } => StepKind::from(*step),
            sdk::EnrollState::NotStarted if starting => StepKind::CreateRegistration,
            _ => return,
        };
        let shown = EnrollState::Interrupted {
            step,
            error: error.category(),
            message: error.to_string(),
        };
        *lock(&self.interrupted) = Some((core_state, shown.clone()));
        self.notify(&shown);
    }

    /// Before a call: a showing interruption ends (observers see the core's state again, e.g.
    /// `Processing` while `resume()` retries).
    fn clear(&self, core_state: sdk::EnrollState) {
        let was = lock(&self.interrupted).take();
        if let Some((base, _)) = was
            && base == core_state
        {
            self.notify(&core_state.into());
        }
    }
}

macro_rules! op {
    ($self:ident, |$s:ident| $body:expr) => {
        op!($self, false, |$s| $body)
    };
    ($self:ident, $starting:expr, |$s:ident| $body:expr) => {{
        $self.stream.clear($self.inner.state());
        let $s = $self.inner.clone();
        let r: Result<EnrollState> = run(async move { Ok($body.await?.into()) }).await;
        if let Err(e) = &r {
            $self.stream.interrupt($self.inner.state(), e, $starting);
        }
        r
    }};
}

impl EnrollmentSession {
    fn wrap(inner: sdk::EnrollmentSession) -> Arc<Self> {
        Arc::new(Self {
            inner,
            stream: Arc::new(Stream::default()),
            _track: Track::new(Kind::Session),
        })
    }
}

#[uniffi::export]
impl EnrollmentSession {
    /// The current state (`Interrupted` while a failed automatic step waits for `resume()`).
    pub fn state(&self) -> EnrollState {
        self.stream.shown(self.inner.state())
    }

    /// Creates the registration and runs up to the first step that needs the user.
    pub async fn start(&self) -> Result<EnrollState> {
        op!(self, true, |s| s.start())
    }

    /// Retries the automatic step that stopped on an error (state `Interrupted`, or
    /// `Processing` after `restoreEnrollment`).
    pub async fn resume(&self) -> Result<EnrollState> {
        op!(self, true, |s| s.resume())
    }

    /// Submits the code sent by e-mail.
    pub async fn submit_email_code(&self, code: String) -> Result<EnrollState> {
        op!(self, |s| s.submit_email_code(code))
    }

    /// Sends the e-mail code again (after `resend_available_at_ms`).
    pub async fn resend_email_code(&self) -> Result<EnrollState> {
        op!(self, |s| s.resend_email_code())
    }

    /// Picks SMS or WhatsApp when the flow offers both, and sends the code.
    pub async fn choose_phone_channel(&self, channel: PhoneChannel) -> Result<EnrollState> {
        op!(self, |s| s.choose_phone_channel(channel.into()))
    }

    /// Submits the code sent to the phone.
    pub async fn submit_phone_code(&self, code: String) -> Result<EnrollState> {
        op!(self, |s| s.submit_phone_code(code))
    }

    /// Sends the phone code again.
    pub async fn resend_phone_code(&self) -> Result<EnrollState> {
        op!(self, |s| s.resend_phone_code())
    }

    /// Uploads the side of the ID document that the state `AwaitingDocument` names (`side`):
    /// JPEG bytes, re-encoded upright (the mobile library has no PNG/WebP decoder: those are
    /// refused as `InvalidInput` before any request). Outside that state it fails with
    /// `InvalidState`.
    pub async fn submit_document(
        &self,
        image: Vec<u8>,
        category: DocumentCategory,
    ) -> Result<EnrollState> {
        let side = match self.inner.state() {
            sdk::EnrollState::AwaitingDocument { side, .. } => side,
            _ => sdk::DocumentSide::Front,
        };
        op!(self, |s| s.submit_document(side, image, category.into()))
    }

    /// Hands the session what the document's own MRZ or barcode says (read on the device:
    /// `CapturedDocument`, `readMrz`, `readBarcodes`, then `documentIdentity`), e.g. right after
    /// the front or back was captured. Nothing is sent to the server: the review then shows it
    /// (`Review.machineReadable`) and lists where the server's OCR disagrees with it
    /// (`Review.disagreements`). A later call replaces it; `null` (or an identity with no
    /// field) clears it. Kept in the snapshot; observers see an updated `AwaitingReview`.
    pub fn set_document_data(&self, identity: Option<crate::document::DocumentIdentity>) {
        self.inner
            .set_document_data(identity.unwrap_or_default().into());
    }

    /// Uploads the selfie (e.g. the prefilter's captured JPEG).
    pub async fn submit_selfie(&self, image: Vec<u8>) -> Result<EnrollState> {
        op!(self, |s| s.submit_selfie(image))
    }

    /// Skips the current optional step.
    pub async fn skip_step(&self) -> Result<EnrollState> {
        op!(self, |s| s.skip_step())
    }

    /// Skips every KYC step (when the flow allows it) and completes without KYC.
    pub async fn skip_kyc(&self) -> Result<EnrollState> {
        op!(self, |s| s.skip_kyc())
    }

    /// Confirms the review (state `AwaitingReview`) and ends the enrollment (`sync end`): the
    /// state becomes `Completed` with the outcome, the final token and `result.review`.
    pub async fn confirm(&self) -> Result<EnrollState> {
        op!(self, |s| s.confirm())
    }

    /// The registration's id once `start()` created it (`null` before): what your backend
    /// passes to resend-link to get a fresh registrant token after `SessionExpired` (see
    /// `SmartEnrollClient.restoreEnrollment`). Not personal data.
    pub fn registration_id(&self) -> Option<String> {
        self.inner.snapshot().registration_id()
    }

    /// A versioned JSON snapshot to store securely (it holds the registrant token and the
    /// sign-up data: use the Keystore / Keychain) and restore with
    /// `SmartEnrollClient.restoreEnrollment`.
    pub fn snapshot(&self) -> Result<String> {
        Ok(self.inner.snapshot().to_json()?)
    }

    /// Headless use (kiosks, automated tests): when on, the session confirms the review by
    /// itself, sending `sync end` as soon as the review is retrieved, so the call that finished
    /// the last verification step returns `Completed` (with `result.review` filled) instead of
    /// `AwaitingReview`. Off by default: show the review and call `confirm()`. Not kept in a
    /// snapshot: set it again after `restoreEnrollment`.
    pub fn set_auto_confirm(&self, on: bool) {
        self.inner.set_auto_confirm(on);
    }

    /// Cancels the operation in flight (it fails with `Cancelled`); later calls work normally.
    pub fn cancel(&self) {
        self.inner.cancel();
    }

    /// Sets (or, with `None`, clears) the analytics sink: step started/completed/failed/skipped
    /// and enrollment-finished events, without personal data.
    pub fn set_analytics_sink(&self, sink: Option<Arc<dyn AnalyticsSink>>) {
        self.inner.set_analytics_sink(
            sink.map(|s| Arc::new(AnalyticsBridge(s)) as Arc<dyn sdk::AnalyticsSink>),
        );
    }

    /// Registers an observer: it gets the current state at once (on the calling thread), then
    /// every change, from SDK threads, until the returned handle is cancelled or closed.
    pub fn observe(&self, observer: Arc<dyn StateObserver>) -> Arc<ObserverHandle> {
        let bridge = Arc::new(ObserverBridge {
            observer,
            stream: Arc::downgrade(&self.stream),
            _track: Track::new(Kind::ForeignObserver),
        });
        lock(&self.stream.observers).push(Arc::downgrade(&bridge));
        let handle = self.inner.observe(bridge);
        Arc::new(ObserverHandle {
            inner: Mutex::new(Some(handle)),
            _track: Track::new(Kind::ObserverHandle),
        })
    }
}

/// Receives every state change of a session. Called from SDK threads: hop to your UI thread.
/// An exception thrown here is swallowed (it never breaks the enrollment).
#[uniffi::export(with_foreign)]
pub trait StateObserver: Send + Sync {
    fn on_state_changed(&self, state: EnrollState);
}

struct ObserverBridge {
    observer: Arc<dyn StateObserver>,
    stream: Weak<Stream>,
    _track: Track,
}

impl sdk::StateObserver for ObserverBridge {
    fn on_state_changed(&self, state: sdk::EnrollState) {
        let shown = match self.stream.upgrade() {
            Some(stream) => stream.shown(state),
            None => state.into(),
        };
        self.observer.on_state_changed(shown);
    }
}

/// Receives analytics events (no personal data). Called from SDK threads; exceptions thrown
/// here are swallowed.
#[uniffi::export(with_foreign)]
pub trait AnalyticsSink: Send + Sync {
    fn on_event(&self, event: AnalyticsEvent);
}

struct AnalyticsBridge(Arc<dyn AnalyticsSink>);

impl sdk::AnalyticsSink for AnalyticsBridge {
    fn on_event(&self, event: sdk::AnalyticsEvent) {
        self.0.on_event(event.into());
    }
}

/// Keeps an observer registered; `cancel()` (or closing / releasing it) unregisters it.
#[derive(uniffi::Object)]
pub struct ObserverHandle {
    inner: Mutex<Option<sdk::ObserverHandle>>,
    _track: Track,
}

#[uniffi::export]
impl ObserverHandle {
    /// Stops the observer. Idempotent.
    pub fn cancel(&self) {
        let handle = lock(&self.inner).take();
        if let Some(h) = handle {
            h.cancel();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        use base64::Engine;
        let e = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!(
            "{}.{}.c2ln",
            e(r#"{"alg":"HS256","typ":"JWT"}"#),
            e(payload)
        )
    }

    fn reason(r: Result<()>) -> String {
        match r {
            Err(SmartEnrollError::InvalidInput { field, reason }) => {
                assert_eq!(field, "freshToken");
                reason
            }
            other => panic!("expected InvalidInput(freshToken), got {other:?}"),
        }
    }

    #[test]
    fn a_fresh_token_must_name_the_snapshots_registration() {
        let ok = jwt(r#"{"appRegistrationId":"r1","exp":4102444800}"#);
        assert!(check_fresh_token(&ok, Some("r1")).is_ok());
        assert!(reason(check_fresh_token(&ok, Some("r2"))).contains("another registration"));
        assert!(reason(check_fresh_token(&ok, None)).contains("no registration yet"));
        for bad in [
            String::new(),
            "not a token".into(),
            "a.b".into(),
            format!("{ok}.extra"),
            jwt(r#"{"exp":4102444800}"#),
            jwt(r#"{"appRegistrationId":42}"#),
            jwt(r#"["appRegistrationId"]"#),
        ] {
            let r = reason(check_fresh_token(&bad, Some("r1")));
            assert!(r.contains("not a registrant token"), "{r}");
            assert!(bad.is_empty() || !r.contains(&bad));
        }
    }
}
