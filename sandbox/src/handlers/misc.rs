//! Dev outbox and stored images.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rusqlite::params;
use smart_enroll_api::{OtpCode, OutboxEntry, Secret};

use crate::api::{ApiError, ApiResult, Path, ok, query_get, query_pairs};
use crate::auth::ClientAuth;
use crate::clock::rfc3339;
use crate::otp;
use crate::server::AppState;

/// `GET /sandbox/outbox?to=<email | digits phone | +E.164>` (only with `--dev`), newest first.
pub(crate) async fn outbox(State(state): State<AppState>, RawQuery(q): RawQuery) -> ApiResult {
    if !state.dev {
        return Err(ApiError::named(
            StatusCode::NOT_FOUND,
            "NotFound",
            "route_not_found",
        ));
    }
    let pairs = query_pairs(q.as_deref());
    let to = query_get(&pairs, "to")
        .map(str::trim)
        .unwrap_or("")
        .to_owned();
    if to.is_empty() {
        return Err(ApiError::missing(&["missing to"]));
    }
    let key = if to.contains('@') {
        to.to_lowercase()
    } else {
        to.replace([' ', '-'], "")
    };
    // An unencoded `+` arrives as a space: `?to=+573001112233` also finds the E.164 form.
    let plus = if key.bytes().all(|b| b.is_ascii_digit()) {
        format!("+{key}")
    } else {
        key.clone()
    };
    let now = state.now_ms();
    let otp_key = state.otp_key.clone();
    let items = state
        .db
        .tx(now, &state.out, move |tx| {
            let mut stmt = tx.sql.prepare(
                "SELECT s.channel, s.to_addr, s.created_at, v.expires_at, v.seed
                 FROM otp_sends s JOIN otp_validations v ON v.id = s.validation_id
                 WHERE s.to_addr IN (?1, ?2) OR s.alt_addr = ?1
                 ORDER BY s.id DESC LIMIT 50",
            )?;
            let rows = stmt
                .query_map(params![key, plus], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, Vec<u8>>(4)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows
                .into_iter()
                .map(|(channel, to, created, expires, seed)| OutboxEntry {
                    channel,
                    to: Secret::new(to),
                    code: OtpCode::new(otp::code(&otp_key, &seed).0),
                    created_at: Some(rfc3339(created)),
                    expires_at: Some(rfc3339(expires)),
                })
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(ok(items))
}

/// `GET /sandbox/images/{file}` (client token).
pub(crate) async fn image(
    State(state): State<AppState>,
    _auth: ClientAuth,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let valid = file.len() <= 40
        && file.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
        && file.matches('.').count() == 1;
    if !valid {
        return Err(ApiError::not_found("image_not_found"));
    }
    let mime = match file.rsplit('.').next() {
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        _ => "image/jpeg",
    };
    let bytes = tokio::fs::read(state.images_dir.join(&file))
        .await
        .map_err(|_| ApiError::not_found("image_not_found"))?;
    let mut resp = bytes.into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    Ok(resp)
}
