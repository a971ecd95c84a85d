//! JSON envelope, typed API errors and request-body parsing (no axum plain-text rejections).

use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// Largest accepted request body.
pub(crate) const BODY_LIMIT: usize = 16 * 1024 * 1024;

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

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "code": self.code, "message": self.message });
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
pub(crate) fn ok(data: Value) -> Response {
    (StatusCode::OK, axum::Json(json!({ "data": data }))).into_response()
}

pub(crate) type ApiResult = Result<Response, ApiError>;

/// A JSON object request body. An empty body is an empty object.
pub(crate) struct JsonBody(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
            return Err(ApiError::payload_too_large("payload_too_large"));
        }
        let bytes = axum::body::to_bytes(req.into_body(), BODY_LIMIT)
            .await
            .map_err(|_| ApiError::payload_too_large("payload_too_large"))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(Map::new()));
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            _ => Err(ApiError::invalid_json()),
        }
    }
}

/// Collects missing/mistyped fields, then fails with one MissingParameter list.
pub(crate) struct Fields<'a> {
    map: &'a Map<String, Value>,
    problems: Vec<String>,
}

impl<'a> Fields<'a> {
    pub fn new(map: &'a Map<String, Value>) -> Self {
        Self {
            map,
            problems: Vec::new(),
        }
    }

    pub fn problem(&mut self, p: impl Into<String>) {
        self.problems.push(p.into());
    }

    fn present(&self, name: &str) -> Option<&'a Value> {
        match self.map.get(name) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    /// A required non-empty string.
    pub fn req_str(&mut self, name: &str) -> String {
        match self.present(name) {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
            None | Some(Value::String(_)) => {
                self.problems.push(format!("missing {name}"));
                String::new()
            }
            Some(_) => {
                self.problems.push(format!("invalid {name}"));
                String::new()
            }
        }
    }

    /// An optional string (empty strings count as absent).
    pub fn opt_str(&mut self, name: &str) -> Option<String> {
        match self.present(name)? {
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => Some(s.trim().to_owned()),
            _ => {
                self.problems.push(format!("invalid {name}"));
                None
            }
        }
    }

    /// An optional boolean; also accepts "true"/"false".
    pub fn opt_bool(&mut self, name: &str) -> Option<bool> {
        match self.present(name)? {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s == "true" => Some(true),
            Value::String(s) if s == "false" => Some(false),
            _ => {
                self.problems.push(format!("invalid {name}"));
                None
            }
        }
    }

    /// An optional string that must be one of `allowed`.
    pub fn opt_enum(&mut self, name: &str, allowed: &[&str]) -> Option<String> {
        let s = self.opt_str(name)?;
        if allowed.contains(&s.as_str()) {
            Some(s)
        } else {
            self.problems.push(format!("invalid {name}"));
            None
        }
    }

    /// An optional object.
    pub fn opt_obj(&mut self, name: &str) -> Option<&'a Map<String, Value>> {
        match self.present(name)? {
            Value::Object(m) => Some(m),
            _ => {
                self.problems.push(format!("invalid {name}"));
                None
            }
        }
    }

    /// An OTP given as a string or a number (numbers are zero-padded to 6 digits).
    pub fn req_otp(&mut self, name: &str) -> String {
        match self.present(name) {
            None => {
                self.problems.push(format!("missing {name}"));
                String::new()
            }
            Some(Value::Number(n)) => match n.as_u64() {
                Some(v) if v < 1_000_000 => format!("{v:06}"),
                _ => {
                    self.problems.push(format!("invalid {name}"));
                    String::new()
                }
            },
            Some(Value::String(s)) => {
                let s = s.trim();
                if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
                    s.to_owned()
                } else {
                    self.problems.push(format!("invalid {name}"));
                    String::new()
                }
            }
            Some(_) => {
                self.problems.push(format!("invalid {name}"));
                String::new()
            }
        }
    }

    pub fn finish(self) -> Result<(), ApiError> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(ApiError::missing(&self.problems))
        }
    }
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
