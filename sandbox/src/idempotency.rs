//! `Idempotency-Key` on POST and PUT (a sandbox extension; the hosted service does not promise
//! it). The same key, for the same caller (its `Authorization` header), method and path, gets
//! the first answer again (same status, same body) without the work being done twice; the same
//! key with another body gets `422 idempotency_key_reused`. The answer is stored in the SAME
//! transaction as the change it answers ([`crate::db::Db::tx_ok`]), so a committed change always
//! has its recorded answer. Keys are at most 255 visible ASCII characters (else 400) and expire
//! after 24 h (sandbox clock). Requests that change nothing (validation errors, rolled-back
//! failures) record nothing: repeating them repeats the check.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};
use smart_enroll_api::{IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_MAX_LEN};

use crate::api::{ApiError, BODY_LIMIT};
use crate::server::AppState;

/// How long a key is remembered.
pub(crate) const TTL_MS: i64 = 24 * 3600 * 1000;

/// The key of the request being served (set by [`layer`] around the handler).
#[derive(Clone, Debug)]
pub(crate) struct IdemCtx {
    /// sha256 of caller, method, path and key.
    pub scope: Vec<u8>,
    /// sha256 of the request body.
    pub request_hash: Vec<u8>,
}

tokio::task_local! {
    pub(crate) static CURRENT: IdemCtx;
}

/// A recorded answer.
pub(crate) struct Stored {
    pub request_hash: Vec<u8>,
    pub status: u16,
    pub body: String,
}

pub(crate) fn lookup(
    sql: &rusqlite::Connection,
    scope: &[u8],
    now: i64,
) -> Result<Option<Stored>, rusqlite::Error> {
    sql.query_row(
        "SELECT request_hash, status, body FROM idempotency_keys
         WHERE scope = ?1 AND created_at > ?2",
        params![scope, now - TTL_MS],
        |r| {
            Ok(Stored {
                request_hash: r.get(0)?,
                status: r.get(1)?,
                body: r.get(2)?,
            })
        },
    )
    .optional()
}

/// Records an answer (in the caller's transaction) and forgets expired keys.
pub(crate) fn record(
    sql: &rusqlite::Connection,
    ctx: &IdemCtx,
    status: u16,
    body: &str,
    now: i64,
) -> Result<(), rusqlite::Error> {
    sql.execute(
        "DELETE FROM idempotency_keys WHERE created_at <= ?1",
        [now - TTL_MS],
    )?;
    sql.execute(
        "INSERT OR REPLACE INTO idempotency_keys (scope, request_hash, status, body, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![ctx.scope, ctx.request_hash, status, body, now],
    )?;
    Ok(())
}

/// The replayed (or reuse-refused) answer for a stored key.
pub(crate) fn replay(stored: Stored, request_hash: &[u8]) -> Response {
    if stored.request_hash != request_hash {
        return ApiError::named(
            StatusCode::UNPROCESSABLE_ENTITY,
            "UnprocessableEntity",
            "idempotency_key_reused",
        )
        .into_response();
    }
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut resp = (status, stored.body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp.headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    resp
}

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= IDEMPOTENCY_KEY_MAX_LEN
        && key.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
}

/// The middleware: replays a known key, refuses a reused one, otherwise runs the handler with
/// the key in scope so its transaction records the answer.
pub(crate) async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::POST | Method::PUT) {
        return next.run(req).await;
    }
    let Some(raw) = req.headers().get(IDEMPOTENCY_KEY_HEADER) else {
        return next.run(req).await;
    };
    let key = match raw.to_str() {
        Ok(k) if valid_key(k) => k.to_owned(),
        _ => {
            return ApiError::named(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "invalid_idempotency_key",
            )
            .into_response();
        }
    };
    let caller = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.as_bytes().to_vec())
        .unwrap_or_default();
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let scope = Sha256::new()
        .chain_update(Sha256::digest(&caller))
        .chain_update(req.method().as_str().as_bytes())
        .chain_update([0])
        .chain_update(target.as_bytes())
        .chain_update([0])
        .chain_update(key.as_bytes())
        .finalize()
        .to_vec();
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => return ApiError::payload_too_large("payload_too_large").into_response(),
    };
    let request_hash = Sha256::digest(&bytes).to_vec();
    let now = state.now_ms();
    let found = {
        let scope = scope.clone();
        state.db.read(move |sql| lookup(sql, &scope, now)).await
    };
    match found {
        Ok(Some(stored)) => return replay(stored, &request_hash),
        Ok(None) => {}
        Err(e) => return e.into_response(),
    }
    let req = Request::from_parts(parts, Body::from(bytes));
    CURRENT
        .scope(
            IdemCtx {
                scope,
                request_hash,
            },
            next.run(req),
        )
        .await
}
