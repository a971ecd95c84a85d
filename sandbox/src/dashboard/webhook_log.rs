//! The webhook delivery log behind the dashboard: one row per outbox event, written in the
//! request's transaction when the event is queued (`pending`) and updated after every delivery
//! attempt (attempt count, the HTTP status received, `retrying` / `delivered` / `failed`). The
//! outbox row itself is deleted once delivered or given up; this row stays. The stored body is
//! the one sent (OTP codes already stripped); the URL is not stored (it may hold a secret).

use rusqlite::params;
use serde_json::Value;

/// Schema migration (appended to `db::MIGRATIONS`).
pub(crate) const MIGRATION: &str = r#"
CREATE TABLE webhook_log (
    outbox_id       INTEGER PRIMARY KEY,
    registration_id TEXT,
    event           TEXT NOT NULL,
    body            TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    http_status     INTEGER,
    error           TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX webhook_log_registration ON webhook_log(registration_id, outbox_id);
"#;

/// The registration an event is about: `object.appRegistration._id`, or the object itself for
/// `onboarding_app_registration_*` events.
fn registration_of(body: &Value) -> Option<String> {
    let object = body.get("object")?;
    let nested = object.get("appRegistration").and_then(|r| match r {
        Value::String(s) => Some(s.clone()),
        other => other.get("_id").and_then(Value::as_str).map(str::to_owned),
    });
    nested.or_else(|| {
        let kind = body.get("type").and_then(Value::as_str).unwrap_or("");
        kind.starts_with("onboarding_app_registration")
            .then(|| object.get("_id").and_then(Value::as_str).map(str::to_owned))
            .flatten()
    })
}

/// Logs a just-queued outbox row (same transaction as the outbox insert).
pub(crate) fn queued(
    sql: &rusqlite::Connection,
    outbox_id: i64,
    body: &Value,
    created_at: i64,
) -> rusqlite::Result<()> {
    let event = body.get("type").and_then(Value::as_str).unwrap_or("");
    sql.prepare_cached(
        "INSERT OR REPLACE INTO webhook_log
         (outbox_id, registration_id, event, body, state, attempts, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 'pending', 0, ?5, ?5)",
    )?
    .execute(params![
        outbox_id,
        registration_of(body),
        event,
        body.to_string(),
        created_at
    ])?;
    Ok(())
}

/// The outcome of one delivery attempt.
#[derive(Debug, Clone)]
pub(crate) struct Attempt {
    /// The HTTP status received, if the receiver answered.
    pub status: Option<u16>,
    /// Why no status was received (connection refused, timeout, …), without the URL.
    pub error: Option<String>,
}

impl Attempt {
    /// Whether the receiver answered 2xx.
    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Records an attempt on the log row of `outbox_id`: `attempts` made so far, and whether the
/// event is now delivered, given up or waiting for a retry.
pub(crate) fn attempted(
    conn: &rusqlite::Connection,
    outbox_id: i64,
    attempts: u32,
    attempt: &Attempt,
    given_up: bool,
    now: i64,
) -> rusqlite::Result<()> {
    let state = if attempt.delivered() {
        "delivered"
    } else if given_up {
        "failed"
    } else {
        "retrying"
    };
    conn.prepare_cached(
        "UPDATE webhook_log SET state = ?2, attempts = ?3, http_status = ?4, error = ?5,
         updated_at = ?6 WHERE outbox_id = ?1",
    )?
    .execute(params![
        outbox_id,
        state,
        attempts,
        attempt.status,
        attempt.error,
        now
    ])?;
    Ok(())
}

/// One logged delivery, as read back.
#[derive(Debug, Clone)]
pub(crate) struct Logged {
    pub id: i64,
    pub event: String,
    pub body: String,
    pub state: String,
    pub attempts: i64,
    pub http_status: Option<i64>,
    pub error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The deliveries of one registration, oldest first.
pub(crate) fn of_registration(
    conn: &rusqlite::Connection,
    registration_id: &str,
) -> rusqlite::Result<Vec<Logged>> {
    let mut st = conn.prepare_cached(
        "SELECT outbox_id, event, body, state, attempts, http_status, error, created_at,
                updated_at
         FROM webhook_log WHERE registration_id = ?1 ORDER BY outbox_id LIMIT 500",
    )?;
    st.query_map([registration_id], |r| {
        Ok(Logged {
            id: r.get(0)?,
            event: r.get(1)?,
            body: r.get(2)?,
            state: r.get(3)?,
            attempts: r.get(4)?,
            http_status: r.get(5)?,
            error: r.get(6)?,
            created_at: r.get(7)?,
            updated_at: r.get(8)?,
        })
    })?
    .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use serde_json::json;

    #[test]
    fn finds_the_registration_of_an_event() {
        let nested = json!({"type": "onboarding_email_validation_created",
            "object": {"_id": "v1", "appRegistration": {"_id": "r1"}}});
        assert_eq!(registration_of(&nested).as_deref(), Some("r1"));
        let created = json!({"type": "onboarding_app_registration_created",
            "object": {"_id": "r2", "status": "STARTED"}});
        assert_eq!(registration_of(&created).as_deref(), Some("r2"));
        let other = json!({"type": "onboarding_x", "object": {"_id": "o3"}});
        assert_eq!(registration_of(&other), None);
    }
}
