//! The client and session objects, the state observer and its handle: thin wrappers that run
//! each core call on the global runtime ([`crate::runtime::run`]) and convert its types.

use std::sync::{Arc, Mutex};

use smart_enroll_core as core;

use crate::error::SmartEnrollError;
use crate::live::{Kind, Track};
use crate::runtime::run;
use crate::types::{
    AnalyticsEvent, ClientConfig, DocumentCategory, DocumentSide, EnrollState, FlowSummary,
    PhoneChannel, SignUpData,
};

type Result<T> = std::result::Result<T, SmartEnrollError>;

/// A Smart Enroll API client holding the configuration. Create one per app and share it;
/// `close()` it (Kotlin `use {}`) when done.
#[derive(uniffi::Object)]
pub struct SmartEnrollClient {
    inner: core::SmartEnrollClient,
    _track: Track,
}

#[uniffi::export]
impl SmartEnrollClient {
    /// Builds a client; fails with `Config` on a bad base URL or plain HTTP that the
    /// configuration does not allow. Sends nothing.
    #[uniffi::constructor]
    pub fn new(config: ClientConfig) -> Result<Arc<Self>> {
        crate::logging::init_logging(crate::logging::LogLevel::Info);
        let inner = core::SmartEnrollClient::new(config.into())?;
        Ok(Arc::new(Self {
            inner,
            _track: Track::new(Kind::Client),
        }))
    }

    /// Fetches the project's public onboarding flow (the one with `flow_id` if given): which
    /// sign-up fields to ask for, the code gateways, the step modes and limits. Sends one
    /// unauthenticated request; fails with `NotFound` for an unknown project or flow.
    pub async fn fetch_flow_config(
        &self,
        project_id: String,
        flow_id: Option<String>,
    ) -> Result<FlowSummary> {
        let client = self.inner.clone();
        run(async move {
            let flow = client
                .fetch_flow_config(&project_id, flow_id.as_deref())
                .await?;
            Ok(flow.into())
        })
        .await
    }

    /// Fetches the project's public onboarding flow (the one with `flow_id` if given) and
    /// prepares an enrollment for `signup`: validates the input and plans the steps. Call
    /// `start()` on the returned session next.
    pub async fn new_enrollment(
        &self,
        project_id: String,
        flow_id: Option<String>,
        signup: SignUpData,
    ) -> Result<Arc<EnrollmentSession>> {
        let client = self.inner.clone();
        run(async move {
            let flow = client
                .fetch_flow_config(&project_id, flow_id.as_deref())
                .await?;
            let session = core::EnrollmentSession::new(client, flow, signup.into())?;
            Ok(Arc::new(EnrollmentSession {
                inner: session,
                _track: Track::new(Kind::Session),
            }))
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
        let mut snapshot = core::Snapshot::from_json(&snapshot)?;
        if let Some(token) = fresh_token {
            check_fresh_token(&token, snapshot.registration_id().as_deref())?;
            snapshot = snapshot.with_token(core::RegistrantToken::new(token));
        }
        let inner = core::EnrollmentSession::restore(self.inner.clone(), snapshot)?;
        Ok(Arc::new(EnrollmentSession {
            inner,
            _track: Track::new(Kind::Session),
        }))
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
/// calling coroutine / task.
#[derive(uniffi::Object)]
pub struct EnrollmentSession {
    inner: core::EnrollmentSession,
    _track: Track,
}

macro_rules! op {
    ($self:ident, |$s:ident| $body:expr) => {{
        let $s = $self.inner.clone();
        run(async move { Ok($body.await?.into()) }).await
    }};
}

#[uniffi::export]
impl EnrollmentSession {
    /// The current state.
    pub fn state(&self) -> EnrollState {
        self.inner.state().into()
    }

    /// Creates the registration and runs up to the first step that needs the user.
    pub async fn start(&self) -> Result<EnrollState> {
        op!(self, |s| s.start())
    }

    /// Retries the automatic step that stopped on an error (state `Processing`).
    pub async fn resume(&self) -> Result<EnrollState> {
        op!(self, |s| s.resume())
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

    /// Uploads one side of the ID document: JPEG bytes, re-encoded upright (the mobile library
    /// has no PNG/WebP decoder: those are refused as `InvalidInput` before any request).
    pub async fn submit_document(
        &self,
        side: DocumentSide,
        image: Vec<u8>,
        category: DocumentCategory,
    ) -> Result<EnrollState> {
        op!(self, |s| s.submit_document(
            side.into(),
            image,
            category.into()
        ))
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
            sink.map(|s| Arc::new(AnalyticsBridge(s)) as Arc<dyn core::AnalyticsSink>),
        );
    }

    /// Registers an observer: it gets the current state at once (on the calling thread), then
    /// every change, from SDK threads, until the returned handle is cancelled or closed.
    pub fn observe(&self, observer: Arc<dyn StateObserver>) -> Arc<ObserverHandle> {
        let handle = self.inner.observe(Arc::new(ObserverBridge {
            observer,
            _track: Track::new(Kind::ForeignObserver),
        }));
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
    _track: Track,
}

impl core::StateObserver for ObserverBridge {
    fn on_state_changed(&self, state: core::EnrollState) {
        self.observer.on_state_changed(state.into());
    }
}

/// Receives analytics events (no personal data). Called from SDK threads; exceptions thrown
/// here are swallowed.
#[uniffi::export(with_foreign)]
pub trait AnalyticsSink: Send + Sync {
    fn on_event(&self, event: AnalyticsEvent);
}

struct AnalyticsBridge(Arc<dyn AnalyticsSink>);

impl core::AnalyticsSink for AnalyticsBridge {
    fn on_event(&self, event: core::AnalyticsEvent) {
        self.0.on_event(event.into());
    }
}

/// Keeps an observer registered; `cancel()` (or closing / releasing it) unregisters it.
#[derive(uniffi::Object)]
pub struct ObserverHandle {
    inner: Mutex<Option<core::ObserverHandle>>,
    _track: Track,
}

#[uniffi::export]
impl ObserverHandle {
    /// Stops the observer. Idempotent.
    pub fn cancel(&self) {
        let handle = match self.inner.lock() {
            Ok(mut g) => g.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
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
