//! The HTTP client for the Smart Enroll v2 API: TLS set-up, envelope and error handling,
//! retries, request statistics, admin calls and the registrant calls the engine uses.
//!
//! TLS: reqwest with rustls and the `ring` crypto provider, configured in [`crate::tls`] and
//! passed to reqwest pre-built (`tls_backend_preconfigured`): the platform's verifier (the OS
//! trust store; on Android after `init_android`) plus `ClientConfig::extra_root_certificates_pem`,
//! with `ClientConfig::pinned_public_keys` checked on top. No OpenSSL is linked. A refused
//! certificate is a typed, non-retried error (`CertificatePinMismatch`, `UntrustedCertificate`).

use crate::config::{ClientConfig, RetryPolicy};
use crate::error::{AuthKind, EnrollError, map_failure, parse_failure};
use crate::flow::{FlowConfig, NewFlow, NewProject, Project};
use crate::secret::{ClientToken, RegistrantToken};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// What [`SmartEnrollClient::send_counted`] learnt about the tries of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct SendInfo {
    /// How many times the request was sent (> 1 means an earlier try may have reached the
    /// server).
    pub tries: u32,
    /// The last failure happened after the request may have reached the server (connection
    /// lost after sending, timeout, 502/503/504): its effect on the server is unknown.
    pub maybe_reached: bool,
}

/// A fresh `Idempotency-Key` (128 random bits, hex).
pub(crate) fn idempotency_key() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// Counters of what the client sent (for benchmarks and diagnostics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RequestStats {
    /// HTTP requests sent, retries included.
    pub requests: u64,
    /// Retries among them.
    pub retries: u64,
    /// Request body bytes sent.
    pub bytes_uploaded: u64,
    /// Time spent waiting before retries (backoff or the server's `Retry-After`), in
    /// milliseconds.
    #[serde(default)]
    pub retry_wait_ms: u64,
}

#[derive(Default)]
struct Stats {
    requests: AtomicU64,
    retries: AtomicU64,
    bytes: AtomicU64,
    retry_wait_ms: AtomicU64,
}

/// Whether a request may be sent again after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryClass {
    /// Safe to repeat: connect errors, timeouts, 5xx and 429 are retried.
    Safe,
    /// Creates a record: retried only when the connection could not be made at all, or on a
    /// 429 (refused unprocessed).
    ConnectOnly,
}

/// Authorization for one request.
pub(crate) enum Auth<'a> {
    None,
    Client(&'a ClientToken),
    Registrant(&'a RegistrantToken),
}

impl Auth<'_> {
    fn kind(&self) -> AuthKind {
        match self {
            Auth::None => AuthKind::None,
            Auth::Client(_) => AuthKind::Client,
            Auth::Registrant(_) => AuthKind::Registrant,
        }
    }
}

/// One API request.
pub(crate) struct Req<'a> {
    pub method: reqwest::Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
    /// Body for retries (e.g. with `force:true` so a repeated upload replaces the first).
    pub body_on_retry: Option<Value>,
    pub auth: Auth<'a>,
    pub retry: RetryClass,
    /// `Idempotency-Key` header: one random key per logical upload, reused on its re-sends (a
    /// sandbox extension; the hosted service does not promise to honour it).
    pub idempotency_key: Option<String>,
    /// Step name for error mapping and logs.
    pub step: &'static str,
}

impl<'a> Req<'a> {
    pub(crate) fn new(
        method: reqwest::Method,
        path: impl Into<String>,
        auth: Auth<'a>,
        retry: RetryClass,
        step: &'static str,
    ) -> Self {
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            body_on_retry: None,
            auth,
            retry,
            idempotency_key: None,
            step,
        }
    }

    pub(crate) fn body(mut self, v: Value) -> Self {
        self.body = Some(v);
        self
    }
}

struct Inner {
    http: reqwest::Client,
    base: url::Url,
    config: ClientConfig,
    stats: Stats,
    cancel: std::sync::Mutex<tokio_util::sync::CancellationToken>,
}

/// A Smart Enroll v2 API client. Cheap to clone; share one per app.
#[derive(Clone)]
pub struct SmartEnrollClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SmartEnrollClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmartEnrollClient")
            .field("base_url", &self.inner.base.as_str())
            .finish()
    }
}

/// One page of registrations (admin list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationPage {
    /// Total registrations in the project(s) of the client token.
    pub total: u64,
    /// This page.
    pub items: Vec<RegistrationSummary>,
}

/// A registration in a list. Holds no personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationSummary {
    /// Registration id.
    pub id: String,
    /// Status (`STARTED`, `ONGOING`, `COMPLETED`, ...).
    pub status: String,
    /// Project id.
    pub project_id: Option<String>,
}

pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    let cap = policy
        .base_delay_ms
        .saturating_mul(1u64 << attempt.min(20))
        .min(policy.max_delay_ms);
    Duration::from_millis(rand::random_range(0..=cap))
}

/// Largest response body accepted (API answers are small JSON documents).
const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// Reads the body, giving up (None) past [`MAX_RESPONSE_BYTES`] instead of buffering it all.
async fn read_limited(mut resp: reqwest::Response) -> Result<Option<Vec<u8>>, reqwest::Error> {
    if resp
        .content_length()
        .is_some_and(|n| n > MAX_RESPONSE_BYTES as u64)
    {
        return Ok(None);
    }
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if out.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Ok(None);
        }
        out.extend_from_slice(&chunk);
    }
    Ok(Some(out))
}

/// A `Retry-After` value (RFC 9110 §10.2.3): delay-seconds, or an HTTP-date (IMF-fixdate and
/// the two obsolete forms), taken relative to `now`; a date in the past means "now" (zero).
/// Anything else is ignored (None).
pub(crate) fn parse_retry_after(
    h: Option<&reqwest::header::HeaderValue>,
    now: std::time::SystemTime,
) -> Option<Duration> {
    let s = h?.to_str().ok()?.trim();
    if let Ok(secs) = s.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(s).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Whether a server-requested wait fits the policy: a `Retry-After` longer than
/// `max_delay_ms` is never waited for, whatever the status (the error is returned at once).
fn retry_after_fits(policy: &RetryPolicy, retry_after: Option<Duration>) -> bool {
    retry_after.is_none_or(|d| d.as_millis() <= u128::from(policy.max_delay_ms))
}

/// `data` of the success envelope; a body without `data` is taken as the data itself (§10 #8).
pub(crate) fn data_of(body: &Value) -> &Value {
    // Poke kept on purpose: the one place that unwraps the envelope (with or without `data`)
    // before an answer is read as its wire type.
    body.get("data").unwrap_or(body)
}

/// Serialises a typed request body.
pub(crate) fn to_body<T: Serialize>(t: &T) -> Result<Value, EnrollError> {
    serde_json::to_value(t).map_err(|e| EnrollError::InvalidInput {
        field: "body".into(),
        reason: e.to_string(),
    })
}

/// Reads the `data` of an answer as a wire type. serde's message is not shown (it may quote a
/// value); the step name is.
pub(crate) fn parse_data<T: serde::de::DeserializeOwned>(
    v: &Value,
    step: &str,
) -> Result<T, EnrollError> {
    T::deserialize(data_of(v))
        .map_err(|_| EnrollError::malformed(format!("{step}: unexpected answer shape")))
}

impl SmartEnrollClient {
    /// Builds a client. Fails with [`EnrollError::Config`] when the base URL is invalid or is
    /// plain HTTP that the configuration does not allow, or when a pin or an extra root
    /// certificate is malformed.
    pub fn new(config: ClientConfig) -> Result<Self, EnrollError> {
        let base = config.parsed_base_url()?;
        let ua = match &config.user_agent {
            Some(extra) => format!("smart-enroll-sdk/{} {extra}", env!("CARGO_PKG_VERSION")),
            None => format!("smart-enroll-sdk/{}", env!("CARGO_PKG_VERSION")),
        };
        let loopback = match base.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            None => false,
        };
        let mut b = reqwest::Client::builder()
            .tls_backend_preconfigured(crate::tls::client_config(
                &config.pinned_public_keys,
                &config.extra_root_certificates_pem,
            )?)
            .connect_timeout(Duration::from_millis(config.connect_timeout_ms.max(1)))
            .timeout(Duration::from_millis(config.request_timeout_ms.max(1)))
            .user_agent(ua)
            .redirect(reqwest::redirect::Policy::none());
        if loopback {
            b = b.no_proxy();
        }
        let http = b.build().map_err(|e| EnrollError::Config {
            reason: format!("HTTP client set-up failed: {e}"),
        })?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base,
                config,
                stats: Stats::default(),
                cancel: std::sync::Mutex::new(tokio_util::sync::CancellationToken::new()),
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// Requests sent so far by this client (and its clones).
    pub fn stats(&self) -> RequestStats {
        let s = &self.inner.stats;
        RequestStats {
            requests: s.requests.load(Ordering::Relaxed),
            retries: s.retries.load(Ordering::Relaxed),
            bytes_uploaded: s.bytes.load(Ordering::Relaxed),
            retry_wait_ms: s.retry_wait_ms.load(Ordering::Relaxed),
        }
    }

    fn url(&self, path: &str, query: &[(String, String)]) -> url::Url {
        let mut u = self.inner.base.clone();
        let p = format!("{}{}", u.path().trim_end_matches('/'), path);
        u.set_path(&p);
        if !query.is_empty() {
            let mut q = u.query_pairs_mut();
            for (k, v) in query {
                q.append_pair(k, v);
            }
        }
        u
    }

    /// Sends a request with the retry policy; returns the parsed JSON body of a 2xx answer.
    pub(crate) async fn send(&self, req: Req<'_>) -> Result<Value, EnrollError> {
        self.send_counted(req).await.0
    }

    /// Like [`Self::send`], also returning what is known about the tries ([`SendInfo`]).
    pub(crate) async fn send_counted(
        &self,
        req: Req<'_>,
    ) -> (Result<Value, EnrollError>, SendInfo) {
        let token = self
            .inner
            .cancel
            .lock()
            .map(|t| t.clone())
            .unwrap_or_else(|p| p.into_inner().clone());
        let mut info = SendInfo::default();
        let r = tokio::select! {
            biased;
            _ = token.cancelled() => Err(EnrollError::Cancelled),
            r = self.send_inner(req, &mut info) => r,
        };
        (r, info)
    }

    /// Cancels every request of this client (and its clones) in flight right now, including
    /// those of sessions using it: they end with [`EnrollError::Cancelled`]. Later requests work
    /// normally. (A session's own `cancel()` only affects that session.)
    pub fn cancel_all(&self) {
        let mut c = self.inner.cancel.lock().unwrap_or_else(|p| p.into_inner());
        c.cancel();
        *c = tokio_util::sync::CancellationToken::new();
    }

    async fn send_inner(&self, req: Req<'_>, info: &mut SendInfo) -> Result<Value, EnrollError> {
        let policy = &self.inner.config.retry;
        let url = self.url(&req.path, &req.query);
        let first = match &req.body {
            Some(v) => Some(
                serde_json::to_vec(v).map_err(|e| EnrollError::InvalidInput {
                    field: "body".into(),
                    reason: e.to_string(),
                })?,
            ),
            None => None,
        };
        let retry_body = match &req.body_on_retry {
            Some(v) => Some(
                serde_json::to_vec(v).map_err(|e| EnrollError::InvalidInput {
                    field: "body".into(),
                    reason: e.to_string(),
                })?,
            ),
            None => None,
        };
        let mut attempt: u32 = 0;
        loop {
            let body = if attempt > 0 && retry_body.is_some() {
                retry_body.as_ref()
            } else {
                first.as_ref()
            };
            let mut rb = self
                .inner
                .http
                .request(req.method.clone(), url.clone())
                .header(reqwest::header::ACCEPT, "application/json");
            match &req.auth {
                Auth::None => {}
                Auth::Client(t) => rb = rb.bearer_auth(t.expose()),
                Auth::Registrant(t) => rb = rb.bearer_auth(t.expose()),
            }
            if let Some(k) = &req.idempotency_key {
                rb = rb.header(smart_enroll_api::IDEMPOTENCY_KEY_HEADER, k.as_str());
            }
            let len = body.map_or(0, |b| b.len() as u64);
            if let Some(b) = body {
                rb = rb
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(b.clone());
            }
            let stats = &self.inner.stats;
            info.tries += 1;
            info.maybe_reached = false;
            stats.requests.fetch_add(1, Ordering::Relaxed);
            stats.bytes.fetch_add(len, Ordering::Relaxed);
            if attempt > 0 {
                stats.retries.fetch_add(1, Ordering::Relaxed);
            }
            let (err, retry_after, retryable) = match rb.send().await {
                Err(e) => {
                    let connect = e.is_connect();
                    let host = self.inner.base.host_str().unwrap_or_default();
                    if let Some(err) = crate::tls::certificate_failure(&e, host) {
                        // A refused certificate is a security failure: trying again would
                        // only meet the same certificate.
                        tracing::warn!(step = req.step, error = %err, "certificate refused");
                        return Err(err);
                    }
                    let err = if e.is_timeout() {
                        EnrollError::Timeout {
                            detail: format!("{} {}", req.method, req.step),
                        }
                    } else {
                        EnrollError::Network {
                            detail: format!(
                                "{} {}: {}",
                                req.method,
                                req.step,
                                if connect {
                                    "could not connect"
                                } else {
                                    "connection failed"
                                }
                            ),
                        }
                    };
                    let retryable = match req.retry {
                        RetryClass::Safe => true,
                        RetryClass::ConnectOnly => connect,
                    };
                    info.maybe_reached = !connect;
                    (err, None, retryable)
                }
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let retry_after = parse_retry_after(
                        resp.headers().get(reqwest::header::RETRY_AFTER),
                        std::time::SystemTime::now(),
                    );
                    match read_limited(resp).await {
                        Err(e) => {
                            let err = if e.is_timeout() {
                                EnrollError::Timeout {
                                    detail: format!("{} {} (reading body)", req.method, req.step),
                                }
                            } else {
                                EnrollError::Network {
                                    detail: format!(
                                        "{} {}: body interrupted",
                                        req.method, req.step
                                    ),
                                }
                            };
                            info.maybe_reached = true;
                            (err, None, req.retry == RetryClass::Safe)
                        }
                        Ok(None) => {
                            return Err(EnrollError::malformed(format!(
                                "{}: response larger than {MAX_RESPONSE_BYTES} bytes",
                                req.step
                            )));
                        }
                        Ok(Some(bytes)) if (200..300).contains(&status) => {
                            tracing::debug!(step = req.step, status, "api ok");
                            return match serde_json::from_slice::<Value>(&bytes) {
                                Ok(v) if v.is_object() => Ok(v),
                                Ok(_) => Err(EnrollError::malformed(format!(
                                    "{}: body is not a JSON object",
                                    req.step
                                ))),
                                Err(e) => Err(EnrollError::malformed(format!(
                                    "{}: invalid JSON at line {} column {}",
                                    req.step,
                                    e.line(),
                                    e.column()
                                ))),
                            };
                        }
                        Ok(Some(bytes)) => {
                            let f = parse_failure(status, &bytes, retry_after);
                            tracing::debug!(step = req.step, status, code = %f.token, "api error");
                            let err = map_failure(&f, req.auth.kind(), req.step);
                            // A 5xx (a gateway's 502/503/504 above all) says nothing about
                            // whether the server behind it processed the request.
                            info.maybe_reached = status >= 500;
                            // A 429 refused the request unprocessed: repeating it is safe for
                            // every class. A server asking for a longer wait than the policy's
                            // cap (any status, 5xx included) gets the error back at once.
                            let retryable = retry_after_fits(policy, retry_after)
                                && (status == 429
                                    || (req.retry == RetryClass::Safe && status >= 500));
                            (err, retry_after, retryable)
                        }
                    }
                }
            };
            if !retryable || attempt >= policy.max_retries {
                return Err(err);
            }
            // `retryable` implies the server's wait fits the cap; `min` keeps it so.
            let wait = retry_after
                .unwrap_or_else(|| backoff(policy, attempt))
                .min(Duration::from_millis(policy.max_delay_ms));
            let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
            tracing::debug!(step = req.step, attempt, wait_ms, "retrying");
            self.inner
                .stats
                .retry_wait_ms
                .fetch_add(wait_ms, Ordering::Relaxed);
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// Public flow configuration (`GET /v2/projects/kyc?id=&type=onboarding`, no token). With
    /// `flow_id`, that flow is picked from the project's flows.
    pub async fn fetch_flow_config(
        &self,
        project_id: &str,
        flow_id: Option<&str>,
    ) -> Result<FlowConfig, EnrollError> {
        if project_id.trim().is_empty() {
            return Err(EnrollError::InvalidInput {
                field: "projectId".into(),
                reason: "is empty".into(),
            });
        }
        let mut req = Req::new(
            reqwest::Method::GET,
            "/v2/projects/kyc",
            Auth::None,
            RetryClass::Safe,
            "flowConfig",
        );
        req.query = vec![
            ("id".into(), project_id.to_owned()),
            ("type".into(), "onboarding".into()),
        ];
        let body = self.send(req).await?;
        FlowConfig::from_kyc_response(project_id, flow_id, &body)
    }

    /// Creates a project (`POST /v2/projects`, client token).
    pub async fn create_project(
        &self,
        token: &ClientToken,
        project: &NewProject,
    ) -> Result<Project, EnrollError> {
        let req = Req::new(
            reqwest::Method::POST,
            "/v2/projects",
            Auth::Client(token),
            RetryClass::ConnectOnly,
            "createProject",
        )
        .body(project.to_json()?);
        let body = self.send(req).await?;
        let created: smart_enroll_api::Project = parse_data(&body, "createProject")?;
        if created.id.is_empty() {
            return Err(EnrollError::malformed("project has no id"));
        }
        let name = if created.name.is_empty() {
            project.name.clone()
        } else {
            created.name
        };
        Ok(Project {
            id: created.id,
            name,
        })
    }

    /// Creates a flow (`POST /v2/project-flows`, client token) and returns it as parsed back.
    pub async fn create_flow(
        &self,
        token: &ClientToken,
        flow: &NewFlow,
    ) -> Result<FlowConfig, EnrollError> {
        let req = Req::new(
            reqwest::Method::POST,
            "/v2/project-flows",
            Auth::Client(token),
            RetryClass::ConnectOnly,
            "createFlow",
        )
        .body(flow.to_json());
        let body = self.send(req).await?;
        let mut cfg = FlowConfig::from_flow_json(data_of(&body))?;
        if cfg.project_id.is_empty() {
            cfg.project_id = flow.project_id.clone();
        }
        Ok(cfg)
    }

    /// Lists registrations (`GET /v2/app-registrations?page=&perPage=`, client token).
    pub async fn list_registrations(
        &self,
        token: &ClientToken,
        page: u32,
        per_page: u32,
    ) -> Result<RegistrationPage, EnrollError> {
        let mut req = Req::new(
            reqwest::Method::GET,
            "/v2/app-registrations",
            Auth::Client(token),
            RetryClass::Safe,
            "listRegistrations",
        );
        req.query = vec![
            ("page".into(), page.to_string()),
            ("perPage".into(), per_page.to_string()),
        ];
        let body = self.send(req).await?;
        let page: smart_enroll_api::Page<smart_enroll_api::AppRegistration> =
            serde_json::from_value(body).map_err(|_| {
                EnrollError::malformed("registration list: not a page of registrations")
            })?;
        let mut items = Vec::with_capacity(page.data.len());
        for r in page.data {
            if r.id.is_empty() {
                return Err(EnrollError::malformed("registration has no id"));
            }
            items.push(RegistrationSummary {
                project_id: r.project_id().map(str::to_owned),
                status: r
                    .status
                    .as_ref()
                    .map_or("UNKNOWN", |s| s.as_str())
                    .to_owned(),
                id: r.id,
            });
        }
        let total = page.total.map_or(items.len() as u64, u64::from);
        Ok(RegistrationPage { total, items })
    }

    /// New registrant token for a registration (`POST /v2/app-registrations/{id}/resend-link`,
    /// client token; for the integrator's backend after `SessionExpired`).
    pub async fn resend_link(
        &self,
        token: &ClientToken,
        registration_id: &str,
    ) -> Result<RegistrantToken, EnrollError> {
        let req = Req::new(
            reqwest::Method::POST,
            format!(
                "/v2/app-registrations/{}/resend-link",
                seg(registration_id)?
            ),
            Auth::Client(token),
            RetryClass::Safe,
            "resendLink",
        )
        .body(to_body(&smart_enroll_api::ResendLinkRequest {
            send_email: Some(false),
            recipient_email: None,
        })?);
        let body = self.send(req).await?;
        let answer: smart_enroll_api::ResendLinkResponse = parse_data(&body, "resendLink")
            .map_err(|_| EnrollError::malformed("resend-link answer has no token"))?;
        if answer.token.is_blank() {
            return Err(EnrollError::malformed("resend-link answer has no token"));
        }
        Ok(RegistrantToken::new(answer.token.into_inner()))
    }
}

/// Checks an id used in a URL path: non-empty, no `/`, `?`, `#` or whitespace.
pub(crate) fn seg(id: &str) -> Result<&str, EnrollError> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(id)
    } else {
        Err(EnrollError::malformed(
            "an id from the server is not a plain id",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;
    use std::time::{SystemTime, UNIX_EPOCH};

    #[test]
    fn retry_after_reads_seconds_and_every_http_date_form() {
        // 1994-11-06T08:49:37Z, the RFC's example, in its three forms.
        let at = UNIX_EPOCH + Duration::from_secs(784_111_777);
        let now = at - Duration::from_secs(90);
        for v in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            let h = HeaderValue::from_static(v);
            assert_eq!(
                parse_retry_after(Some(&h), now),
                Some(Duration::from_secs(90)),
                "{v}"
            );
            assert_eq!(
                parse_retry_after(Some(&h), at + Duration::from_secs(5)),
                Some(Duration::ZERO),
                "{v}: a past date means now"
            );
        }
        let h = HeaderValue::from_static(" 120 ");
        assert_eq!(
            parse_retry_after(Some(&h), SystemTime::now()),
            Some(Duration::from_secs(120))
        );
        for bad in ["-1", "soon", "1.5", ""] {
            let h = HeaderValue::from_static(bad);
            assert_eq!(
                parse_retry_after(Some(&h), SystemTime::now()),
                None,
                "{bad}"
            );
        }
        assert_eq!(parse_retry_after(None, SystemTime::now()), None);
    }

    #[test]
    fn the_cap_applies_to_every_server_wait() {
        let policy = RetryPolicy {
            max_retries: 3,
            base_delay_ms: 10,
            max_delay_ms: 5_000,
        };
        assert!(retry_after_fits(&policy, None));
        assert!(retry_after_fits(&policy, Some(Duration::from_secs(5))));
        assert!(!retry_after_fits(&policy, Some(Duration::from_secs(3600))));
    }
}
