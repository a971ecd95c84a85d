//! The `{data: …}` success envelope, lists and the error envelope (§3).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::de;

/// `{"data": …}`; extra keys (`signature`, `id`) are ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Data<T> {
    /// The payload.
    pub data: T,
}

impl<T> Data<T> {
    /// Wraps a payload.
    pub fn new(data: T) -> Self {
        Self { data }
    }
}

/// A page of a list: `{"data": [...], "total", "page", "perPage"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    /// The items.
    pub data: Vec<T>,
    /// Items in total.
    #[serde(default, deserialize_with = "de::opt_u32")]
    pub total: Option<u32>,
    /// 1-based page number.
    #[serde(default, deserialize_with = "de::opt_u32")]
    pub page: Option<u32>,
    /// Page size.
    #[serde(default, deserialize_with = "de::opt_u32")]
    pub per_page: Option<u32>,
}

/// An error body: `{"code", "message"}`, sometimes with `status`, `timestamp`, `details`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// `project_not_found`, `MissingParameter`, `Forbidden`, …
    #[serde(default)]
    pub code: String,
    /// `NNN:token[@score]`, a MissingParameter list, or free text.
    #[serde(default, deserialize_with = "de::string_like_default")]
    pub message: String,
    /// Some servers repeat the HTTP status here.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_u32"
    )]
    pub status: Option<u32>,
    /// v3 errors.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub timestamp: Option<String>,
    /// v3 errors: free-form details (kept as JSON: their shape is not documented).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<Object>>))]
    pub details: Option<Value>,
}

impl ErrorBody {
    /// A colon-coded error: `{"code": code, "message": "NNN:token"}`.
    pub fn coded(status: u16, code: &str, token: &str) -> Self {
        Self {
            code: code.to_owned(),
            message: format!("{status}:{token}"),
            status: None,
            timestamp: None,
            details: None,
        }
    }

    /// A body with a free message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            status: None,
            timestamp: None,
            details: None,
        }
    }

    /// The `NNN` prefix of the message, if any.
    pub fn message_status(&self) -> Option<u16> {
        let (head, _) = self.message.split_once(':')?;
        (head.len() == 3).then(|| head.parse().ok()).flatten()
    }

    /// The status per §3: the HTTP status when known, else `status`, else the message prefix.
    pub fn effective_status(&self, http: Option<u16>) -> Option<u16> {
        http.or_else(|| self.status.and_then(|s| u16::try_from(s).ok()))
            .or_else(|| self.message_status())
    }

    /// The token per §3: the text after `NNN:` without any `@score`, else `code`.
    pub fn token(&self) -> &str {
        match self.message.split_once(':') {
            Some((head, rest))
                if head.len() == 3
                    && head.bytes().all(|b| b.is_ascii_digit())
                    && !rest.is_empty() =>
            {
                rest.split('@').next().unwrap_or(rest)
            }
            _ => &self.code,
        }
    }

    /// The `@score` suffix of a scored error (`409:liveness_failed@0.45`).
    pub fn score(&self) -> Option<f64> {
        self.message.rsplit_once('@')?.1.trim().parse().ok()
    }
}

/// A payload that may come wrapped in `{"data": …}` or bare (§10 #8: flow responses). Serializes
/// wrapped.
#[derive(Debug, Clone, PartialEq)]
pub struct MaybeData<T>(pub T);

impl<T: Serialize> Serialize for MaybeData<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Data { data: &self.0 }.serialize(s)
    }
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for MaybeData<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let v = Value::deserialize(d)?;
        let inner = match v {
            Value::Object(mut m) if m.get("data").is_some_and(Value::is_object) => {
                m.remove("data").unwrap_or(Value::Null)
            }
            other => other,
        };
        serde_json::from_value(inner)
            .map(Self)
            .map_err(D::Error::custom)
    }
}
