//! [`Snapshot`]: the versioned, serialisable form of a session (and the version-1 migration).

use super::progress::{Progress, ProgressV1};
use crate::error::EnrollError;
use crate::secret::RegistrantToken;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Snapshot format version written by this SDK. Version 2 holds one typed state per step (and
/// the review, and an upload whose answer was lost). Version-1 snapshots (loose flags) are
/// migrated by [`Snapshot::from_json`]; a session at the finish step then retrieves its review
/// on `resume()`.
pub const SNAPSHOT_VERSION: u32 = 2;
/// Oldest snapshot version this SDK migrates.
const OLDEST_SNAPSHOT_VERSION: u32 = 1;

/// A versioned, serialisable snapshot of a session. It holds the registrant token and the
/// sign-up data: store it securely (Keystore / Keychain). `Debug` shows no content.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Format version ([`SNAPSHOT_VERSION`]).
    pub version: u32,
    /// When it was taken, unix milliseconds.
    pub taken_at_ms: u64,
    pub(super) progress: Progress,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("version", &self.version)
            .field("taken_at_ms", &self.taken_at_ms)
            .field("cursor", &self.progress.cursor)
            .finish_non_exhaustive()
    }
}

impl Snapshot {
    /// Serialises to JSON.
    pub fn to_json(&self) -> Result<String, EnrollError> {
        serde_json::to_string(self).map_err(|e| EnrollError::InvalidState {
            reason: format!("snapshot could not be serialised: {e}"),
        })
    }

    /// Parses JSON written by [`Snapshot::to_json`]. Other versions or damaged JSON give
    /// [`EnrollError::InvalidInput`] with field `snapshot`.
    pub fn from_json(json: &str) -> Result<Snapshot, EnrollError> {
        let bad = |reason: String| EnrollError::InvalidInput {
            field: "snapshot".into(),
            reason,
        };
        let v: Value = serde_json::from_str(json).map_err(|e| {
            bad(format!(
                "not valid JSON (line {} column {})",
                e.line(),
                e.column()
            ))
        })?;
        // The version is read before the body (one poke, on purpose), so an unknown one gets
        // its own typed error.
        let version = match v.get("version").and_then(Value::as_u64) {
            Some(n)
                if (u64::from(OLDEST_SNAPSHOT_VERSION)..=u64::from(SNAPSHOT_VERSION))
                    .contains(&n) =>
            {
                n
            }
            Some(n) => return Err(bad(format!("unsupported snapshot version {n}"))),
            None => return Err(bad("no version".into())),
        };
        // serde's message quotes the offending value (it may be an email or the token): not shown.
        let damaged = |_| bad("damaged: a field is missing or has the wrong type".into());
        let s = if version == 1 {
            // Version 1: the flat layout with loose flags, migrated to the typed step states.
            #[derive(Deserialize)]
            struct SnapshotV1 {
                taken_at_ms: u64,
                progress: ProgressV1,
            }
            let old: SnapshotV1 = serde_json::from_value(v).map_err(damaged)?;
            Snapshot {
                version: SNAPSHOT_VERSION,
                taken_at_ms: old.taken_at_ms,
                progress: old.progress.into(),
            }
        } else {
            serde_json::from_value(v).map_err(damaged)?
        };
        if s.progress.cursor >= s.progress.plan.steps.len() {
            return Err(bad("step index out of range".into()));
        }
        Ok(s)
    }

    /// The registration id, once created.
    pub fn registration_id(&self) -> Option<String> {
        self.progress.registration_id().map(str::to_owned)
    }

    /// Replaces the registrant token (e.g. one from resend-link after `SessionExpired`).
    pub fn with_token(mut self, token: RegistrantToken) -> Snapshot {
        self.progress.token = Some(token);
        self
    }
}
