//! Webhook delivery: unsigned POSTs of `{"type":"onboarding_<suffix>","object":{…}}` from a
//! background task, 3 attempts with exponential backoff, never blocking a request, stopping at
//! shutdown.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::SandboxError;

/// Delivery attempts per event.
pub(crate) const ATTEMPTS: u32 = 3;
/// Backoff before the second attempt; doubled for each later one.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// Concurrent deliveries.
const MAX_IN_FLIGHT: usize = 16;

/// One event for one webhook URL. `Debug` shows the event type only: the body holds personal
/// data and the URL may hold the integrator's secret.
#[derive(Clone)]
pub(crate) struct WebhookEvent {
    pub url: String,
    pub body: Value,
}

impl std::fmt::Debug for WebhookEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookEvent")
            .field("type", &self.body["type"])
            .finish_non_exhaustive()
    }
}

impl WebhookEvent {
    pub fn new(url: &str, suffix: &str, mut object: Value) -> Self {
        strip_otps(&mut object);
        Self {
            url: url.to_owned(),
            body: json!({ "type": format!("onboarding_{suffix}"), "object": object }),
        }
    }
}

/// Removes every `otp` / `code` value from an event object (never sent to webhooks).
fn strip_otps(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.remove("otp");
            map.remove("code");
            map.remove("demoOTP");
            map.values_mut().for_each(strip_otps);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_otps),
        _ => {}
    }
}

/// The sending side, held by request handlers.
#[derive(Clone)]
pub(crate) struct Outgoing {
    tx: mpsc::UnboundedSender<WebhookEvent>,
}

impl Outgoing {
    pub fn send_all(&self, events: Vec<WebhookEvent>) {
        for e in events {
            // The receiver only goes away at shutdown; dropping late events is intended.
            let _ = self.tx.send(e);
        }
    }
}

fn http_client() -> Result<reqwest::Client, SandboxError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SandboxError::WebhookClient(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| SandboxError::WebhookClient(e.to_string()))
}

/// Starts the dispatcher; returns the sender. Deliveries stop when `cancel` fires.
pub(crate) fn start(
    cancel: CancellationToken,
    tracker: &TaskTracker,
) -> Result<Outgoing, SandboxError> {
    let client = http_client()?;
    let (tx, mut rx) = mpsc::unbounded_channel::<WebhookEvent>();
    let limit = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    let inner_tracker = tracker.clone();
    tracker.spawn(async move {
        loop {
            let event = tokio::select! {
                () = cancel.cancelled() => break,
                e = rx.recv() => match e { Some(e) => e, None => break },
            };
            let permit = tokio::select! {
                () = cancel.cancelled() => break,
                p = Arc::clone(&limit).acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            };
            let client = client.clone();
            let cancel = cancel.clone();
            inner_tracker.spawn(async move {
                tokio::select! {
                    () = cancel.cancelled() => {}
                    () = deliver(&client, &event) => {}
                }
                drop(permit);
            });
        }
    });
    Ok(Outgoing { tx })
}

async fn deliver(client: &reqwest::Client, event: &WebhookEvent) {
    let kind = event
        .body
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let mut backoff = FIRST_BACKOFF;
    for attempt in 1..=ATTEMPTS {
        match client.post(&event.url).json(&event.body).send().await {
            Ok(resp) if resp.status().is_success() => {
                tracing::debug!(event = %kind, attempt, "webhook delivered");
                return;
            }
            Ok(resp) => {
                let status = resp.status().as_u16();
                tracing::warn!(event = %kind, attempt, status, "webhook rejected");
            }
            Err(err) => {
                let error = err.without_url();
                tracing::warn!(event = %kind, attempt, %error, "webhook failed");
            }
        }
        if attempt < ATTEMPTS {
            tokio::time::sleep(backoff).await;
            backoff *= 2;
        }
    }
    tracing::warn!(event = %kind, "webhook given up after {ATTEMPTS} attempts");
}
