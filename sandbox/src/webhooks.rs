//! Webhook delivery through a transactional outbox: each request's events are rows of
//! `webhook_outbox`, inserted in the request's own transaction (so an event exists iff its change
//! committed), and a background dispatcher POSTs due rows — unsigned
//! `{"type":"onboarding_<suffix>","object":{…}}`, 3 attempts with exponential backoff, the
//! attempt count and next-attempt time kept in the row — deleting each row once delivered or
//! given up. Rows left by a stop or a crash are delivered after the next start. The dispatcher
//! never blocks a request and stops at shutdown (an attempt cut short there is not counted).
//!
//! Scheduling uses the wall clock, not the injectable [`crate::Clock`]: a test's frozen
//! `ManualClock` would otherwise hold every retry forever. `created_at` is the request's time.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use rusqlite::params;
use serde_json::Value;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::SandboxError;
use crate::clock::millis;
use crate::dashboard::webhook_log::Attempt;
use crate::db::Db;

/// Delivery attempts per event.
pub(crate) const ATTEMPTS: u32 = 3;
/// Default backoff before the second attempt; doubled for each later one.
pub(crate) const DEFAULT_BACKOFF: Duration = Duration::from_millis(250);
/// Concurrent deliveries.
const MAX_IN_FLIGHT: usize = 16;
/// The dispatcher looks for due rows at least this often, even without a wake-up.
const POLL: Duration = Duration::from_millis(500);

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
        let payload = Payload {
            kind: format!("onboarding_{suffix}"),
            object,
        };
        Self {
            url: url.to_owned(),
            body: serde_json::to_value(payload).unwrap_or(Value::Null),
        }
    }
}

/// A webhook body (§8): `{"type": "onboarding_<suffix>", "object": {…}}`. The object is
/// free-form JSON: each event type carries its own fields (built from typed values).
#[derive(serde::Serialize, serde::Deserialize)]
struct Payload {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    object: Value,
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

/// The wall clock in milliseconds (delivery scheduling; see the module comment).
fn wall_ms() -> i64 {
    millis(SystemTime::now())
}

/// Inserts `events` into the outbox, due now, in the caller's (request) transaction.
pub(crate) fn enqueue(
    sql: &rusqlite::Connection,
    events: &[WebhookEvent],
    created_at: i64,
) -> rusqlite::Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let due = wall_ms();
    let mut st = sql.prepare_cached(
        "INSERT INTO webhook_outbox (url, body, attempts, next_attempt_at, created_at)
         VALUES (?1, ?2, 0, ?3, ?4)",
    )?;
    for e in events {
        st.execute(params![e.url, e.body.to_string(), due, created_at])?;
        crate::dashboard::webhook_log::queued(sql, sql.last_insert_rowid(), &e.body, created_at)?;
    }
    Ok(())
}

/// Wakes the dispatcher; held by request handlers and passed to `Db::tx`.
#[derive(Clone)]
pub(crate) struct Outgoing {
    wake: Arc<Notify>,
}

impl Outgoing {
    /// Tells the dispatcher that new rows were committed.
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// The webhook HTTP client (built before the sandbox writes anything, so a failure leaves no
/// trace).
pub(crate) fn http_client() -> Result<reqwest::Client, SandboxError> {
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

/// One outbox row being delivered.
struct Row {
    id: i64,
    url: String,
    body: String,
    /// Event type, for logs (never the URL or the body).
    kind: String,
    /// Attempts made before this one.
    attempts: u32,
}

/// What one scan of the outbox found.
struct Scan {
    /// Due rows not already in flight, at most the free delivery slots.
    due: Vec<Row>,
    /// The earliest later next-attempt time, if any.
    next_due: Option<i64>,
}

fn scan(conn: &rusqlite::Connection, now: i64, in_flight: &HashSet<i64>) -> rusqlite::Result<Scan> {
    let free = MAX_IN_FLIGHT.saturating_sub(in_flight.len());
    let mut due = Vec::new();
    if free > 0 {
        let limit = i64::try_from(free + in_flight.len()).unwrap_or(i64::MAX);
        let mut st = conn.prepare_cached(
            "SELECT id, url, body, attempts FROM webhook_outbox
             WHERE next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?2",
        )?;
        let rows = st.query_map(params![now, limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        for row in rows {
            let (id, url, body, attempts) = row?;
            if in_flight.contains(&id) || due.len() >= free {
                continue;
            }
            let kind = serde_json::from_str::<Payload>(&body)
                .map(|p| p.kind)
                .unwrap_or_default();
            due.push(Row {
                id,
                url,
                body,
                kind,
                attempts: u32::try_from(attempts).unwrap_or(ATTEMPTS),
            });
        }
    }
    let next_due = conn
        .prepare_cached(
            "SELECT MIN(next_attempt_at) FROM webhook_outbox WHERE next_attempt_at > ?1",
        )?
        .query_row([now], |r| r.get::<_, Option<i64>>(0))?;
    Ok(Scan { due, next_due })
}

/// Records one attempt's outcome: delivered or given up → the row is deleted; else the attempt
/// count and the next-attempt time are stored. Returns true when the event was given up.
fn record(
    conn: &rusqlite::Connection,
    row: &Row,
    outcome: &Attempt,
    backoff: Duration,
) -> rusqlite::Result<bool> {
    let attempts = row.attempts.saturating_add(1);
    let delivered = outcome.delivered();
    let done = delivered || attempts >= ATTEMPTS;
    crate::dashboard::webhook_log::attempted(conn, row.id, attempts, outcome, done, wall_ms())?;
    if done {
        conn.execute("DELETE FROM webhook_outbox WHERE id = ?1", [row.id])?;
        return Ok(!delivered);
    }
    // Backoff before attempt n+1 is `backoff * 2^(n-1)`.
    let wait = backoff.saturating_mul(1u32 << (attempts - 1).min(16));
    let next = wall_ms().saturating_add(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX));
    conn.execute(
        "UPDATE webhook_outbox SET attempts = ?1, next_attempt_at = ?2 WHERE id = ?3",
        params![attempts, next, row.id],
    )?;
    Ok(false)
}

/// Cloud metadata services reachable by name.
const METADATA_HOSTS: &[&str] = &[
    "metadata",
    "metadata.google.internal",
    "metadata.goog",
    "metadata.azure.internal",
    "instance-data",
    "instance-data.ec2.internal",
];

fn ipv4_refused(ip: std::net::Ipv4Addr) -> bool {
    ip.is_link_local()          // 169.254.0.0/16, AWS/GCP/Azure metadata included
        || ip.is_unspecified()  // 0.0.0.0
        || ip.octets()[0] == 0  // 0.0.0.0/8 ("this network")
        || ip.is_broadcast()
        || ip == std::net::Ipv4Addr::new(100, 100, 100, 200) // Alibaba metadata
        || ip == std::net::Ipv4Addr::new(168, 63, 129, 16) // Azure wire server
}

/// Whether a webhook may be sent to `url`: http(s) with a host that is not link-local, a cloud
/// metadata address or name, or unspecified. Loopback and private addresses stay allowed (local
/// receivers). Checked when a flow is created and again before each delivery.
pub(crate) fn url_allowed(url: &str) -> bool {
    let Ok(u) = url::Url::parse(url) else {
        return false;
    };
    if !matches!(u.scheme(), "http" | "https") {
        return false;
    }
    match u.host() {
        None => false,
        Some(url::Host::Ipv4(ip)) => !ipv4_refused(ip),
        Some(url::Host::Ipv6(ip)) => {
            let seg = ip.segments();
            let link_local = seg[0] & 0xffc0 == 0xfe80;
            let aws_metadata = ip == std::net::Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x254);
            let mapped = ip.to_ipv4_mapped().is_some_and(ipv4_refused);
            !(ip.is_unspecified() || link_local || aws_metadata || mapped)
        }
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            !METADATA_HOSTS.contains(&d.as_str())
        }
    }
}

/// One POST and what it got (delivered when the receiver answered 2xx).
async fn attempt(client: &reqwest::Client, row: &Row) -> Attempt {
    let attempt = row.attempts + 1;
    let kind = &row.kind;
    if !url_allowed(&row.url) {
        tracing::warn!(event = %kind, attempt, "webhook address refused (link-local or metadata)");
        return Attempt {
            status: None,
            error: Some("webhook address refused (link-local, metadata or unspecified)".to_owned()),
        };
    }
    let sent = client
        .post(&row.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(row.body.clone())
        .send()
        .await;
    match sent {
        Ok(resp) if resp.status().is_success() => {
            tracing::debug!(event = %kind, attempt, "webhook delivered");
            Attempt {
                status: Some(resp.status().as_u16()),
                error: None,
            }
        }
        Ok(resp) => {
            let status = resp.status().as_u16();
            tracing::warn!(event = %kind, attempt, status, "webhook rejected");
            Attempt {
                status: Some(status),
                error: None,
            }
        }
        Err(err) => {
            let error = err.without_url();
            tracing::warn!(event = %kind, attempt, %error, "webhook failed");
            Attempt {
                status: None,
                error: Some(error.to_string()),
            }
        }
    }
}

/// Starts the dispatcher: it delivers what is due now (rows left by a previous run included),
/// then whatever a commit wakes it for or a retry's time brings.
pub(crate) fn start(
    client: reqwest::Client,
    db: Db,
    backoff: Duration,
    cancel: CancellationToken,
    tracker: &TaskTracker,
) -> Outgoing {
    let wake = Arc::new(Notify::new());
    let out = Outgoing {
        wake: Arc::clone(&wake),
    };
    let in_flight: Arc<Mutex<HashSet<i64>>> = Arc::default();
    let inner_tracker = tracker.clone();
    tracker.spawn(async move {
        loop {
            let now = wall_ms();
            let busy = in_flight.lock().unwrap_or_else(|e| e.into_inner()).clone();
            let scan_db = db.clone();
            let scanned = tokio::task::spawn_blocking(move || {
                scan_db.with_conn(|c| scan(c, now, &busy))
            })
            .await;
            let next_due = match scanned {
                Ok(Ok(Scan { due, next_due })) => {
                    for row in due {
                        in_flight
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert(row.id);
                        let client = client.clone();
                        let cancel = cancel.clone();
                        let db = db.clone();
                        let in_flight = Arc::clone(&in_flight);
                        let wake = Arc::clone(&wake);
                        inner_tracker.spawn(async move {
                            let outcome = tokio::select! {
                                () = cancel.cancelled() => None,
                                ok = attempt(&client, &row) => Some(ok),
                            };
                            let id = row.id;
                            let kind = row.kind.clone();
                            if let Some(outcome) = outcome {
                                let recorded = tokio::task::spawn_blocking(move || {
                                    db.with_conn(|c| record(c, &row, &outcome, backoff))
                                })
                                .await;
                                match recorded {
                                    Ok(Ok(false)) => {}
                                    Ok(Ok(true)) => {
                                        // The event type only: the URL may hold a secret.
                                        tracing::warn!(
                                            event = %kind,
                                            "webhook given up after {ATTEMPTS} attempts"
                                        );
                                    }
                                    Ok(Err(err)) => {
                                        tracing::warn!(error = %err, "cannot update the webhook outbox");
                                    }
                                    Err(err) => {
                                        tracing::warn!(error = %err, "webhook outbox task failed");
                                    }
                                }
                            }
                            in_flight.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
                            wake.notify_one();
                        });
                    }
                    next_due
                }
                Ok(Err(err)) => {
                    tracing::warn!(error = %err, "cannot read the webhook outbox");
                    None
                }
                Err(err) => {
                    tracing::warn!(error = %err, "webhook outbox task failed");
                    None
                }
            };
            let wait = next_due
                .map(|t| Duration::from_millis(u64::try_from(t.saturating_sub(wall_ms())).unwrap_or(0)))
                .map_or(POLL, |d| d.min(POLL));
            tokio::select! {
                () = cancel.cancelled() => break,
                () = wake.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    });
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use serde_json::json;

    #[test]
    fn webhook_addresses() {
        for ok in [
            "http://127.0.0.1:9/h",
            "http://localhost/h",
            "https://example.com/h",
            "http://[::1]:8080/",
            "http://10.0.0.5/h",
        ] {
            assert!(url_allowed(ok), "{ok}");
        }
        for bad in [
            "http://169.254.169.254/latest/meta-data",
            "http://2852039166/",
            "http://0.0.0.0:80/",
            "http://[::]/",
            "http://[fe80::1]/",
            "http://[::ffff:169.254.169.254]/",
            "http://[fd00:ec2::254]/",
            "http://metadata.google.internal/",
            "http://100.100.100.200/",
            "ftp://example.com/",
        ] {
            assert!(!url_allowed(bad), "{bad}");
        }
    }

    #[test]
    fn stored_bodies_never_hold_otp_codes() {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::db::open(&dir.path().join("sandbox.db"), true).unwrap();
        // A free-form event object on purpose: codes at any depth must be stripped.
        let object = json!({"_id": "v1", "otp": "123456", "code": "654321",
            "project": {"demoOTP": "111111", "name": "p"},
            "sends": [{"code": "222222", "to": "x"}]});
        let event = WebhookEvent::new("http://127.0.0.1:9/h", "email_validation_created", object);
        enqueue(&conn, &[event], 7).unwrap();
        let (body, attempts, created): (String, i64, i64) = conn
            .query_row(
                "SELECT body, attempts, created_at FROM webhook_outbox",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!((attempts, created), (0, 7));
        for code in [
            "123456", "654321", "111111", "222222", "otp", "code", "demoOTP",
        ] {
            assert!(!body.contains(code), "{code} in {body}");
        }
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["type"], "onboarding_email_validation_created");
        assert_eq!(v["object"]["project"]["name"], "p");
    }
}
