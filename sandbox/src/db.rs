//! SQLite storage: one writer connection (WAL, foreign keys) behind a mutex, schema migrations
//! via `user_version`, and a transaction helper that runs each request's work atomically on the
//! blocking pool.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, params};

use axum::response::{IntoResponse, Response};
use smart_enroll_api::Data;

use crate::SandboxError;
use crate::api::ApiError;
use crate::idempotency;
use crate::webhooks::{self, Outgoing, WebhookEvent};

/// Schema migrations, applied in order; `user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
CREATE TABLE projects (
    id         TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    doc        TEXT NOT NULL
);
CREATE TABLE project_flows (
    id         TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    created_at INTEGER NOT NULL,
    doc        TEXT NOT NULL
);
CREATE INDEX project_flows_project ON project_flows(project_id);
CREATE TABLE app_registrations (
    id         TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    flow_id    TEXT NOT NULL REFERENCES project_flows(id),
    email      TEXT,
    phone_e164 TEXT,
    created_at INTEGER NOT NULL,
    doc        TEXT NOT NULL
);
CREATE UNIQUE INDEX app_registrations_email ON app_registrations(project_id, email)
    WHERE email IS NOT NULL;
CREATE UNIQUE INDEX app_registrations_phone ON app_registrations(project_id, phone_e164)
    WHERE phone_e164 IS NOT NULL;
CREATE TABLE otp_validations (
    id              TEXT PRIMARY KEY,
    registration_id TEXT NOT NULL REFERENCES app_registrations(id),
    kind            TEXT NOT NULL CHECK (kind IN ('email', 'phone')),
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'whatsapp')),
    contact         TEXT NOT NULL,
    phone_digits    TEXT,
    seed            BLOB NOT NULL,
    salt            BLOB NOT NULL,
    code_hash       BLOB NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    last_sent_at    INTEGER NOT NULL
);
CREATE INDEX otp_validations_registration ON otp_validations(registration_id, kind);
CREATE TABLE otp_sends (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    validation_id TEXT NOT NULL REFERENCES otp_validations(id),
    channel       TEXT NOT NULL,
    to_addr       TEXT NOT NULL,
    alt_addr      TEXT,
    created_at    INTEGER NOT NULL
);
CREATE INDEX otp_sends_to ON otp_sends(to_addr);
CREATE INDEX otp_sends_alt ON otp_sends(alt_addr);
CREATE TABLE objects (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    registration_id TEXT NOT NULL REFERENCES app_registrations(id),
    created_at      INTEGER NOT NULL,
    doc             TEXT NOT NULL
);
CREATE INDEX objects_registration ON objects(registration_id, kind);
CREATE TABLE images (
    id              TEXT PRIMARY KEY,
    registration_id TEXT NOT NULL REFERENCES app_registrations(id),
    file            TEXT NOT NULL,
    mime            TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);
"#,
    r#"
CREATE TABLE webhook_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    url             TEXT NOT NULL,
    body            TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX webhook_outbox_due ON webhook_outbox(next_attempt_at);
"#,
    r#"
CREATE TABLE idempotency_keys (
    scope        BLOB PRIMARY KEY,
    request_hash BLOB NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
"#,
    r#"
CREATE TABLE otp_guesses (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    registration_id TEXT NOT NULL REFERENCES app_registrations(id),
    kind            TEXT NOT NULL,
    validation_id   TEXT NOT NULL REFERENCES otp_validations(id),
    at              INTEGER NOT NULL
);
CREATE INDEX otp_guesses_window ON otp_guesses(registration_id, kind, at);
CREATE INDEX otp_guesses_validation ON otp_guesses(validation_id);
CREATE INDEX otp_validations_window ON otp_validations(registration_id, kind, created_at);
"#,
    crate::dashboard::webhook_log::MIGRATION,
];

/// Opens (creating if needed) and migrates the database file. A file that is not a database or
/// comes from a newer sandbox is refused before anything is written to it.
///
/// `durable` selects `synchronous=FULL` (every commit is on disk when it returns, power cut
/// included); otherwise `NORMAL` (the load bench's baseline only).
pub(crate) fn open(path: &Path, durable: bool) -> Result<Connection, SandboxError> {
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    check_version(&conn)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", if durable { "FULL" } else { "NORMAL" })?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    migrate(&mut conn)?;
    Ok(conn)
}

/// The schema version, refused when newer than this build knows.
fn check_version(conn: &Connection) -> Result<i64, SandboxError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let supported = MIGRATIONS.len() as i64;
    if version > supported {
        return Err(SandboxError::SchemaTooNew {
            found: version,
            supported,
        });
    }
    Ok(version)
}

fn migrate(conn: &mut Connection) -> Result<(), SandboxError> {
    let version = check_version(conn)?;
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(version).unwrap_or(0))
    {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

/// Reads a `meta` value, or stores `make()` under `key` and returns it.
pub(crate) fn meta_get_or_insert(
    conn: &Connection,
    key: &str,
    make: impl FnOnce() -> Vec<u8>,
) -> Result<(Vec<u8>, bool), rusqlite::Error> {
    let found: Option<Vec<u8>> = conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?;
    if let Some(v) = found {
        return Ok((v, false));
    }
    let v = make();
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)",
        params![key, v],
    )?;
    Ok((v, true))
}

/// The shared database handle.
#[derive(Clone)]
pub(crate) struct Db {
    conn: Arc<Mutex<Connection>>,
}

/// What a request's transaction sees: the SQL transaction, the request time and the webhook
/// events that go into the outbox if it commits.
pub(crate) struct Tx<'c> {
    pub sql: rusqlite::Transaction<'c>,
    pub now: i64,
    pub events: Vec<WebhookEvent>,
    /// Image files to delete once the transaction commits.
    pub delete_files: Vec<String>,
}

impl Tx<'_> {
    /// Queues a webhook event (stored in the outbox, hence sent, only if the transaction commits).
    pub fn emit(&mut self, url: Option<&str>, suffix: &str, object: impl serde::Serialize) {
        if let Some(url) = url {
            match serde_json::to_value(object) {
                Ok(object) => self.events.push(WebhookEvent::new(url, suffix, object)),
                Err(err) => {
                    tracing::error!(error = %err, suffix, "webhook object not serializable")
                }
            }
        }
    }
}

impl Db {
    pub fn new(conn: Connection) -> Self {
        Self {
            conn: Arc::new(Mutex::new(conn)),
        }
    }

    /// Runs `f` in one IMMEDIATE transaction on the blocking pool. Commits when `f` succeeds or
    /// fails with a `persist` error; otherwise rolls back. Webhook events are inserted into the
    /// outbox in the same transaction, and the dispatcher is woken once it has committed.
    pub async fn tx<T, F>(&self, now: i64, out: &Outgoing, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Tx<'_>) -> Result<T, ApiError> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        let joined = tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|e| e.into_inner());
            let sql = guard.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let mut tx = Tx {
                sql,
                now,
                events: Vec::new(),
                delete_files: Vec::new(),
            };
            let result = f(&mut tx);
            let Tx {
                sql,
                events,
                delete_files,
                ..
            } = tx;
            let commit = match &result {
                Ok(_) => true,
                Err(e) => e.persist,
            };
            if commit {
                webhooks::enqueue(&sql, &events, now)?;
                sql.commit()?;
                Ok::<_, ApiError>((result, !events.is_empty(), delete_files))
            } else {
                drop(sql);
                Ok((result, false, Vec::new()))
            }
        })
        .await;
        let (result, queued, delete_files) = match joined {
            Ok(r) => r?,
            Err(err) => {
                tracing::error!(error = %err, "database task failed");
                return Err(ApiError::internal());
            }
        };
        for file in delete_files {
            let _ = tokio::fs::remove_file(file).await;
        }
        if queued {
            out.wake();
        }
        result
    }

    /// Like [`Db::tx`], but answers `{"data": T}` and, when the request carries an
    /// `Idempotency-Key` ([`crate::idempotency`]), records that answer in the same transaction
    /// as the change (a failure that commits, such as a counted wrong code, is recorded too). A
    /// key already recorded by a concurrent request gets that request's answer instead.
    pub async fn tx_ok<T, F>(&self, now: i64, out: &Outgoing, f: F) -> Result<Response, ApiError>
    where
        T: serde::Serialize + Send + 'static,
        F: FnOnce(&mut Tx<'_>) -> Result<T, ApiError> + Send + 'static,
    {
        let ctx = idempotency::CURRENT.try_with(Clone::clone).ok();
        let answer = self
            .tx(now, out, move |tx| {
                if let Some(ctx) = &ctx
                    && let Some(stored) = idempotency::lookup(&tx.sql, &ctx.scope, tx.now)?
                {
                    return Ok(Err(stored));
                }
                let result = f(tx);
                let (status, body) = match &result {
                    Ok(v) => (200, serde_json::to_string(&Data::new(v))?),
                    Err(e) if e.persist => (e.status.as_u16(), serde_json::to_string(&e.body())?),
                    Err(_) => return result.map(|v| Ok((v, String::new()))),
                };
                if let Some(ctx) = &ctx {
                    idempotency::record(&tx.sql, ctx, status, &body, tx.now)?;
                }
                result.map(|v| Ok((v, body)))
            })
            .await?;
        Ok(match answer {
            Ok((_, body)) => {
                let mut resp = (axum::http::StatusCode::OK, body).into_response();
                resp.headers_mut().insert(
                    axum::http::header::CONTENT_TYPE,
                    axum::http::HeaderValue::from_static("application/json"),
                );
                resp
            }
            Err(stored) => {
                let hash = idempotency::CURRENT
                    .try_with(|c| c.request_hash.clone())
                    .unwrap_or_default();
                idempotency::replay(stored, &hash)
            }
        })
    }

    /// Runs a read-only closure on the connection, on the blocking pool.
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let guard = conn.lock().unwrap_or_else(|e| e.into_inner());
            f(&guard)
        })
        .await
        .map_err(|_| ApiError::internal())?
        .map_err(ApiError::from)
    }

    /// Runs a read/write closure outside the request path (startup).
    pub fn with_conn<T>(&self, f: impl FnOnce(&mut Connection) -> T) -> T {
        let mut guard = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn durable_databases_run_with_synchronous_full() {
        let dir = tempfile::tempdir().unwrap();
        let full = super::open(&dir.path().join("a.db"), true).unwrap();
        let mode: i64 = full
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, 2, "synchronous=FULL");
        let normal = super::open(&dir.path().join("b.db"), false).unwrap();
        let mode: i64 = normal
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, 1, "synchronous=NORMAL");
    }
}
