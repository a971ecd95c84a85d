//! JSON envelope, typed API errors and request-body parsing (no axum plain-text rejections).

use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use smart_enroll_api::{Data, ErrorBody};

/// Largest accepted request body (image uploads).
pub(crate) const BODY_LIMIT: usize = 16 * 1024 * 1024;
/// Largest accepted body of an endpoint that takes no image.
pub(crate) const SMALL_BODY_LIMIT: usize = 256 * 1024;
/// Longest string (in characters) any JSON body field may hold, image data excepted.
pub(crate) const MAX_STRING_CHARS: usize = 256;
/// The image fields of the upload endpoints (exempt from [`MAX_STRING_CHARS`]).
pub(crate) const IMAGE_FIELDS: &[&str] = &["image", "backImage", "documentFace"];

/// An error answered as `{"code", "message"}` JSON.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    /// Commit the transaction even though the request failed (counted attempts).
    pub persist: bool,
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// Colon-coded error whose `code` is the token: `{"code":"t","message":"NNN:t"}`.
    pub fn token(status: StatusCode, token: &str) -> Self {
        Self::named(status, token, token)
    }

    /// Colon-coded error with a separate `code`: `{"code":"Locked","message":"423:t"}`.
    pub fn named(status: StatusCode, code: &str, token: &str) -> Self {
        Self {
            status,
            code: code.to_owned(),
            message: format!("{}:{token}", status.as_u16()),
            persist: false,
            retry_after: None,
        }
    }

    /// `403 {"code":"Forbidden","message":"Access forbidden"}`.
    pub fn forbidden() -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            code: "Forbidden".into(),
            message: "Access forbidden".into(),
            persist: false,
            retry_after: None,
        }
    }

    /// `409 MissingParameter` with one `missing x` / `invalid x` line per problem.
    pub fn missing<S: AsRef<str>>(problems: &[S]) -> Self {
        let message = problems
            .iter()
            .map(|p| p.as_ref())
            .collect::<Vec<_>>()
            .join("\n. ");
        Self {
            status: StatusCode::CONFLICT,
            code: "MissingParameter".into(),
            message,
            persist: false,
            retry_after: None,
        }
    }

    pub fn invalid_json() -> Self {
        Self::named(StatusCode::BAD_REQUEST, "BadRequest", "invalid_json")
    }

    pub fn payload_too_large(token: &str) -> Self {
        Self::named(StatusCode::PAYLOAD_TOO_LARGE, "PayloadTooLarge", token)
    }

    pub fn payment_required() -> Self {
        Self::named(
            StatusCode::PAYMENT_REQUIRED,
            "PaymentRequired",
            "insufficient_credits",
        )
    }

    pub fn max_attempts() -> Self {
        Self::named(StatusCode::LOCKED, "Locked", "max_attempts_reached")
    }

    pub fn not_ongoing() -> Self {
        Self::token(
            StatusCode::CONFLICT,
            "AppRegistration_status_is_not_ongoing",
        )
    }

    pub fn conflict(token: &str) -> Self {
        Self::token(StatusCode::CONFLICT, token)
    }

    pub fn not_found(token: &str) -> Self {
        Self::token(StatusCode::NOT_FOUND, token)
    }

    pub fn internal() -> Self {
        Self::named(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "internal_error",
        )
    }

    /// Keep the transaction's writes although the request fails.
    pub fn persisted(mut self) -> Self {
        self.persist = true;
        self
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(err: rusqlite::Error) -> Self {
        tracing::error!(error = %err, "database error");
        Self::internal()
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(err: serde_json::Error) -> Self {
        tracing::error!(error = %err, "stored document is not valid JSON");
        Self::internal()
    }
}

impl ApiError {
    /// The JSON body.
    pub fn body(&self) -> ErrorBody {
        ErrorBody::new(self.code.clone(), self.message.clone())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = self.body();
        let mut resp = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

/// `{"data": value}` with status 200.
pub(crate) fn ok<T: Serialize>(data: T) -> Response {
    (StatusCode::OK, axum::Json(Data::new(data))).into_response()
}

/// A 200 JSON answer that is not a plain `{"data"}` envelope (lists, the KYC configuration).
pub(crate) fn ok_raw<T: Serialize>(body: T) -> Response {
    (StatusCode::OK, axum::Json(body)).into_response()
}

pub(crate) type ApiResult = Result<Response, ApiError>;

/// Reads a request body as a JSON object (an empty body is `{}`), enforcing `limit` bytes.
async fn body_object(req: Request, limit: usize) -> Result<Map<String, Value>, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::payload_too_large("payload_too_large"));
    }
    let bytes = axum::body::to_bytes(req.into_body(), limit)
        .await
        .map_err(|_| ApiError::payload_too_large("payload_too_large"))?;
    json_object(&bytes)
}

/// Parses a body as a JSON object (only whitespace is `{}`).
pub(crate) fn json_object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(ApiError::invalid_json()),
    }
}

/// A request body parsed into its `smart-enroll-api` type. `null` fields count as absent. A
/// field of the wrong JSON type does not fail the request here: it is dropped and its dotted
/// path listed in `invalid`, so the handler reports every problem in one MissingParameter list
/// (see [`Problems`]).
pub(crate) struct Body<T> {
    pub value: T,
    pub invalid: Vec<String>,
}

/// Most fields a body can have mistyped before it is refused as a whole.
const MAX_INVALID_FIELDS: usize = 64;

/// Removes the map key at `path` (stopping at the first array index) and returns its dotted
/// name; `None` when the error is at the root.
fn remove_path(root: &mut Value, path: &serde_path_to_error::Path) -> Option<String> {
    let mut keys = Vec::new();
    for seg in path.iter() {
        match seg {
            serde_path_to_error::Segment::Map { key } => keys.push(key.clone()),
            _ => break,
        }
    }
    let (last, parents) = keys.split_last()?;
    let mut node = root;
    for k in parents {
        node = node.as_object_mut()?.get_mut(k)?;
    }
    node.as_object_mut()?.remove(last)?;
    Some(keys.join("."))
}

/// Most over-long fields listed in one answer.
const MAX_LONG_FIELDS: usize = 16;

fn too_long(s: &str) -> bool {
    s.len() > MAX_STRING_CHARS && s.chars().count() > MAX_STRING_CHARS
}

/// The dotted name of `key` under `path` (an over-long key shortened to 32 characters).
fn child(path: &str, key: &str) -> String {
    let key = if too_long(key) {
        format!("{}…", key.chars().take(32).collect::<String>())
    } else {
        key.to_owned()
    };
    if path.is_empty() {
        key
    } else {
        format!("{path}.{key}")
    }
}

/// Collects the dotted paths of strings (and object keys) longer than [`MAX_STRING_CHARS`].
fn long_strings(v: &Value, path: &str, out: &mut Vec<String>) {
    if out.len() >= MAX_LONG_FIELDS {
        return;
    }
    match v {
        Value::String(s) if too_long(s) => out.push(path.to_owned()),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                long_strings(item, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                if too_long(k) {
                    out.push(child(path, k));
                } else {
                    long_strings(item, &child(path, k), out);
                }
            }
        }
        _ => {}
    }
}

/// Refuses a body holding a string over [`MAX_STRING_CHARS`] characters (409 MissingParameter,
/// one `invalid <field> (longer than 256 characters)` line per field, at most 16). Top-level
/// fields named in `exempt` (base64 images) are not limited.
pub(crate) fn check_lengths(map: &Map<String, Value>, exempt: &[&str]) -> Result<(), ApiError> {
    let mut long = Vec::new();
    for (k, v) in map {
        if too_long(k) {
            long.push(child("", k));
        } else if !exempt.contains(&k.as_str()) {
            long_strings(v, k, &mut long);
        }
    }
    long.truncate(MAX_LONG_FIELDS);
    if long.is_empty() {
        return Ok(());
    }
    Err(ApiError::missing(
        &long
            .iter()
            .map(|f| format!("invalid {f} (longer than {MAX_STRING_CHARS} characters)"))
            .collect::<Vec<_>>(),
    ))
}

/// Deserializes `map` into `T`, collecting mistyped fields instead of failing on the first.
pub(crate) fn typed<T: DeserializeOwned>(mut map: Map<String, Value>) -> Result<Body<T>, ApiError> {
    map.retain(|_, v| !v.is_null());
    let mut root = Value::Object(map);
    let mut invalid = Vec::new();
    loop {
        match serde_path_to_error::deserialize::<_, T>(&root) {
            Ok(value) => return Ok(Body { value, invalid }),
            Err(err) => {
                let name = remove_path(&mut root, err.path());
                match name {
                    Some(name) if invalid.len() < MAX_INVALID_FIELDS => invalid.push(name),
                    _ => {
                        invalid.push("body".into());
                        return Err(ApiError::missing(
                            &invalid
                                .iter()
                                .map(|n| format!("invalid {n}"))
                                .collect::<Vec<_>>(),
                        ));
                    }
                }
            }
        }
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let map = body_object(req, SMALL_BODY_LIMIT).await?;
        check_lengths(&map, &[])?;
        typed(map)
    }
}

/// [`Body`] of an image upload: up to [`BODY_LIMIT`] bytes, the [`IMAGE_FIELDS`] not limited
/// in length.
pub(crate) struct ImageBody<T>(pub Body<T>);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ImageBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let map = body_object(req, BODY_LIMIT).await?;
        check_lengths(&map, IMAGE_FIELDS)?;
        typed(map).map(ImageBody)
    }
}

/// Collects the problems of a typed body, in the handler's field order, then fails with one
/// MissingParameter list: `invalid x` for a mistyped (or semantically wrong) field, `missing x`
/// for an absent or blank required one.
pub(crate) struct Problems {
    invalid: Vec<String>,
    reported: Vec<String>,
    out: Vec<String>,
}

impl Problems {
    pub fn new(invalid: &[String]) -> Self {
        Self {
            invalid: invalid.to_vec(),
            reported: Vec::new(),
            out: Vec::new(),
        }
    }

    /// Whether `name` arrived with the wrong JSON type (reports it once).
    pub fn mistyped(&mut self, name: &str) -> bool {
        if self.invalid.iter().any(|n| n == name) {
            if !self.reported.iter().any(|n| n == name) {
                self.reported.push(name.to_owned());
                self.out.push(format!("invalid {name}"));
            }
            true
        } else {
            false
        }
    }

    /// A required field: `invalid` when mistyped, `missing` when absent or blank.
    pub fn required(&mut self, name: &str, present: bool) {
        if !self.mistyped(name) && !present {
            self.out.push(format!("missing {name}"));
        }
    }

    /// An optional field: `invalid` when mistyped.
    pub fn optional(&mut self, name: &str) {
        self.mistyped(name);
    }

    /// An optional field whose value must be one of `allowed` (when given and well typed).
    pub fn one_of(&mut self, name: &str, value: Option<&str>, allowed: &[&str]) {
        if !self.mistyped(name) && value.is_some_and(|v| !allowed.contains(&v)) {
            self.invalid(name);
        }
    }

    /// Reports `invalid name`.
    pub fn invalid(&mut self, name: &str) {
        self.out.push(format!("invalid {name}"));
    }

    /// Reports a free-text problem.
    pub fn problem(&mut self, p: impl Into<String>) {
        self.out.push(p.into());
    }

    /// Fails with every problem (mistyped fields not reported yet come last).
    pub fn finish(mut self) -> Result<(), ApiError> {
        for name in &self.invalid {
            if !self.reported.contains(name) {
                self.out.push(format!("invalid {name}"));
            }
        }
        if self.out.is_empty() {
            Ok(())
        } else {
            Err(ApiError::missing(&self.out))
        }
    }
}

/// A trimmed, non-empty string.
pub(crate) fn non_blank(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Parses `a=b&populates[]=x` style query strings into pairs (repeated keys kept).
pub(crate) fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The first value for `key` in a query.
pub(crate) fn query_get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// `axum::extract::Path` whose rejection (e.g. bad percent-encoding) is a JSON 400.
pub(crate) struct Path<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for Path<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| Self(v))
            .map_err(|_| ApiError::named(StatusCode::BAD_REQUEST, "BadRequest", "invalid_path"))
    }
}
