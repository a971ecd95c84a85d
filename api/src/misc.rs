//! Sandbox-only answers: health and the dev outbox.

use serde::{Deserialize, Serialize};

use crate::de;
use crate::secret::{OtpCode, Secret};

/// `GET /health` answer (`data`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `ok`.
    pub status: String,
}

/// One entry of the dev outbox (`GET /sandbox/outbox?to=`), newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboxEntry {
    /// `email | sms | whatsapp`.
    pub channel: String,
    /// Recipient.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub to: Secret,
    /// The code.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub code: OtpCode,
    /// RFC 3339.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub created_at: Option<String>,
    /// RFC 3339.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub expires_at: Option<String>,
}
