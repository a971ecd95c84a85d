//! One-time codes. Each validation gets a random 16-byte seed from the OS CSPRNG; its six-digit
//! code is HMAC-SHA256(server OTP key, seed) reduced mod 10^6, so the same active code can be
//! re-sent without storing it. The database keeps a salted keyed hash of the code, compared in
//! constant time. Codes never appear in logs.

use hmac::{Hmac, Mac};
use rand::{RngCore, TryRngCore};
use rusqlite::{OptionalExtension, params};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::api::ApiError;
use crate::db::Tx;
use crate::redact::Secret;

/// Code lifetime.
pub(crate) const TTL_MS: i64 = 10 * 60 * 1000;
/// Minimum time between sends per registration and channel.
pub(crate) const COOLDOWN_MS: i64 = 60 * 1000;
/// Wrong tries that lock a code.
pub(crate) const MAX_ATTEMPTS: i64 = 5;
/// The window of the code and guess limits.
pub(crate) const HOUR_MS: i64 = 3600 * 1000;
/// Codes issued per registration and channel (email, phone) per hour, the first included.
pub(crate) const CODE_LIMIT: i64 = 5;
/// Codes compared per registration and channel per hour (CODE_LIMIT × MAX_ATTEMPTS).
pub(crate) const GUESS_LIMIT: i64 = CODE_LIMIT * MAX_ATTEMPTS;

/// A sandbox-defined 429 `TooManyRequests` with `Retry-After` (whole seconds, at least 1).
pub(crate) fn too_many(token: &str, wait_ms: i64) -> ApiError {
    let mut err = ApiError::named(
        axum::http::StatusCode::TOO_MANY_REQUESTS,
        "TooManyRequests",
        token,
    );
    err.retry_after = Some(u64::try_from((wait_ms.max(1) + 999) / 1000).unwrap_or(60));
    err
}

/// Refuses a new code when CODE_LIMIT were issued in the last hour (`otp_code_limit`).
pub(crate) fn check_code_limit(
    tx: &Tx<'_>,
    registration_id: &str,
    kind: &str,
) -> Result<(), ApiError> {
    let (count, oldest): (i64, Option<i64>) = tx.sql.query_row(
        "SELECT COUNT(*), MIN(created_at) FROM otp_validations
         WHERE registration_id = ?1 AND kind = ?2 AND created_at > ?3",
        params![registration_id, kind, tx.now - HOUR_MS],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if count >= CODE_LIMIT {
        let oldest = oldest.unwrap_or(tx.now);
        return Err(too_many("otp_code_limit", oldest + HOUR_MS - tx.now));
    }
    Ok(())
}

/// Refuses to compare a code when GUESS_LIMIT were compared in the last hour
/// (`otp_guess_limit`).
pub(crate) fn check_guess_limit(
    tx: &Tx<'_>,
    registration_id: &str,
    kind: &str,
) -> Result<(), ApiError> {
    let (count, oldest): (i64, Option<i64>) = tx.sql.query_row(
        "SELECT COUNT(*), MIN(at) FROM otp_guesses
         WHERE registration_id = ?1 AND kind = ?2 AND at > ?3",
        params![registration_id, kind, tx.now - HOUR_MS],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if count >= GUESS_LIMIT {
        let oldest = oldest.unwrap_or(tx.now);
        return Err(too_many("otp_guess_limit", oldest + HOUR_MS - tx.now));
    }
    Ok(())
}

/// Records one compared code (the caller's transaction must commit, also on a wrong code).
pub(crate) fn record_guess(tx: &Tx<'_>, r: &OtpRow) -> Result<(), ApiError> {
    tx.sql.execute(
        "INSERT INTO otp_guesses (registration_id, kind, validation_id, at) VALUES (?1, ?2, ?3, ?4)",
        params![r.registration_id, r.kind, r.id, tx.now],
    )?;
    Ok(())
}

/// When a code of this validation was last compared.
pub(crate) fn last_guess_at(tx: &Tx<'_>, validation_id: &str) -> Result<Option<i64>, ApiError> {
    Ok(tx.sql.query_row(
        "SELECT MAX(at) FROM otp_guesses WHERE validation_id = ?1",
        [validation_id],
        |r| r.get(0),
    )?)
}

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut m = match HmacSha256::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return [0; 32],
    };
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

pub(crate) fn random_seed() -> Vec<u8> {
    let mut s = vec![0u8; 16];
    rand::rngs::OsRng
        .try_fill_bytes(&mut s)
        .unwrap_or_else(|_| rand::rng().fill_bytes(&mut s));
    s
}

/// The six-digit code of a seed.
pub(crate) fn code(key: &[u8], seed: &[u8]) -> Secret<String> {
    let out = mac(key, &[b"smart-enroll-otp-code", seed]);
    let mut b = [0u8; 8];
    b.copy_from_slice(&out[..8]);
    Secret(format!("{:06}", u64::from_be_bytes(b) % 1_000_000))
}

/// The stored hash of a code.
pub(crate) fn hash(key: &[u8], salt: &[u8], code: &str) -> [u8; 32] {
    mac(key, &[b"smart-enroll-otp-hash", salt, code.as_bytes()])
}

/// Constant-time check of `candidate` against a stored hash.
pub(crate) fn matches(key: &[u8], salt: &[u8], stored: &[u8], candidate: &str) -> bool {
    bool::from(hash(key, salt, candidate).as_slice().ct_eq(stored))
}

/// One row of `otp_validations`. `Debug` leaves out the contact and the code material.
#[derive(Clone)]
pub(crate) struct OtpRow {
    pub id: String,
    pub registration_id: String,
    pub kind: String,
    pub channel: String,
    pub contact: String,
    pub seed: Vec<u8>,
    pub salt: Vec<u8>,
    pub code_hash: Vec<u8>,
    pub status: String,
    pub attempts: i64,
    pub expires_at: i64,
    pub last_sent_at: i64,
}

impl std::fmt::Debug for OtpRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtpRow")
            .field("id", &self.id)
            .field("registration_id", &self.registration_id)
            .field("kind", &self.kind)
            .field("channel", &self.channel)
            .field("status", &self.status)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

const COLS: &str = "id, registration_id, kind, channel, contact, seed, salt, code_hash, status, \
                    attempts, expires_at, last_sent_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OtpRow> {
    Ok(OtpRow {
        id: r.get(0)?,
        registration_id: r.get(1)?,
        kind: r.get(2)?,
        channel: r.get(3)?,
        contact: r.get(4)?,
        seed: r.get(5)?,
        salt: r.get(6)?,
        code_hash: r.get(7)?,
        status: r.get(8)?,
        attempts: r.get(9)?,
        expires_at: r.get(10)?,
        last_sent_at: r.get(11)?,
    })
}

pub(crate) fn by_id(tx: &Tx<'_>, id: &str, kind: &str) -> Result<Option<OtpRow>, ApiError> {
    Ok(tx
        .sql
        .query_row(
            &format!("SELECT {COLS} FROM otp_validations WHERE id = ?1 AND kind = ?2"),
            [id, kind],
            row,
        )
        .optional()?)
}

/// The newest validation of a registration for `kind` (optionally for one contact).
pub(crate) fn latest(
    tx: &Tx<'_>,
    registration_id: &str,
    kind: &str,
    contact: Option<&str>,
) -> Result<Option<OtpRow>, ApiError> {
    let sql = format!(
        "SELECT {COLS} FROM otp_validations WHERE registration_id = ?1 AND kind = ?2
         AND (?3 IS NULL OR contact = ?3) ORDER BY created_at DESC, rowid DESC LIMIT 1"
    );
    Ok(tx
        .sql
        .query_row(&sql, params![registration_id, kind, contact], row)
        .optional()?)
}

pub(crate) fn insert(tx: &Tx<'_>, r: &OtpRow, phone_digits: Option<&str>) -> Result<(), ApiError> {
    tx.sql.execute(
        "INSERT INTO otp_validations (id, registration_id, kind, channel, contact, phone_digits,
             seed, salt, code_hash, status, attempts, created_at, expires_at, last_sent_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            r.id,
            r.registration_id,
            r.kind,
            r.channel,
            r.contact,
            phone_digits,
            r.seed,
            r.salt,
            r.code_hash,
            r.status,
            r.attempts,
            tx.now,
            r.expires_at,
            r.last_sent_at
        ],
    )?;
    Ok(())
}

pub(crate) fn update_state(tx: &Tx<'_>, r: &OtpRow) -> Result<(), ApiError> {
    tx.sql.execute(
        "UPDATE otp_validations SET status = ?2, attempts = ?3, last_sent_at = ?4, channel = ?5
         WHERE id = ?1",
        params![r.id, r.status, r.attempts, r.last_sent_at, r.channel],
    )?;
    Ok(())
}

/// Records one delivery (the outbox derives the code from the validation's seed).
pub(crate) fn record_send(
    tx: &Tx<'_>,
    r: &OtpRow,
    to: &str,
    alt: Option<&str>,
) -> Result<(), ApiError> {
    tx.sql.execute(
        "INSERT INTO otp_sends (validation_id, channel, to_addr, alt_addr, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![r.id, r.channel, to, alt, tx.now],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_stable() {
        let key = [1u8; 32];
        let seed = random_seed();
        let c = code(&key, &seed);
        assert_eq!(c.0.len(), 6);
        assert!(c.0.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(code(&key, &seed), c);
        let salt = random_seed();
        let h = hash(&key, &salt, &c.0);
        assert!(matches(&key, &salt, &h, &c.0));
        assert!(!matches(&key, &salt, &h, "abcdef"));
        assert_eq!(format!("{c}"), "[redacted]");
    }

    #[test]
    fn otp_row_debug_hides_contact_and_code_material() {
        let row = OtpRow {
            id: "v1".into(),
            registration_id: "r1".into(),
            kind: "email".into(),
            channel: "email".into(),
            contact: "jane.doe@example.com".into(),
            seed: vec![0xAB; 16],
            salt: vec![0xCD; 16],
            code_hash: vec![0xEF; 32],
            status: "sent".into(),
            attempts: 1,
            expires_at: 0,
            last_sent_at: 0,
        };
        let text = format!("{row:?}");
        assert!(!text.contains("jane.doe"), "{text}");
        assert!(
            !text.contains("171") && !text.contains("205") && !text.contains("239"),
            "{text}"
        );
        assert!(text.contains("v1") && text.contains("sent"), "{text}");
    }
}
