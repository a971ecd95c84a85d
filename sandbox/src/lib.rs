#![doc = include_str!("../README.md")]

mod api;
mod auth;
mod clock;
mod conn;
mod dashboard;
mod db;
mod handlers;
mod idempotency;
mod images;
mod model;
mod openapi;
mod otp;
mod redact;
mod routes;
mod server;
mod triggers;
mod webhooks;

pub use clock::{Clock, ManualClock, SystemClock};
pub use routes::{NOT_IMPLEMENTED, ROUTES, Route};
pub use server::{Sandbox, SandboxConfig};

/// Errors starting or running the sandbox (request errors are HTTP responses, not this type).
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The data directory could not be created or written (the cause is the `source`, not
    /// repeated in the message).
    #[error("data directory {path}")]
    DataDir {
        /// The directory.
        path: std::path::PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The SQLite database could not be opened or migrated.
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    /// The database was written by a newer sandbox.
    #[error("database schema version {found} is newer than this sandbox supports ({supported})")]
    SchemaTooNew {
        /// Version found in the file.
        found: i64,
        /// Highest version this build knows.
        supported: i64,
    },
    /// The listening socket could not be bound.
    #[error("cannot bind {addr}")]
    Bind {
        /// The requested address.
        addr: std::net::SocketAddr,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The preset client token is empty or too short.
    #[error("invalid client token: {0}")]
    InvalidClientToken(&'static str),
    /// The HTTP client for webhooks could not be built.
    #[error("webhook client: {0}")]
    WebhookClient(String),
    /// A blocking task failed.
    #[error("internal: {0}")]
    Internal(String),
}
