//! Client-token and registrant-JWT authentication.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::api::ApiError;
use crate::server::AppState;

/// `accessType` of registrant tokens.
pub(crate) const REGISTRANT_ACCESS: &str = "appRegistration";
/// Registrant token lifetime (create, sync).
pub(crate) const REGISTRANT_TTL_SECS: i64 = 120 * 60;
/// Token lifetime from resend-link.
pub(crate) const RESEND_LINK_TTL_SECS: i64 = 30 * 60;

/// Registrant token claims (ids only; Debug is safe).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Claims {
    pub app_registration_id: String,
    pub project: String,
    pub project_flow: String,
    pub step: String,
    pub access_type: String,
    pub iat: i64,
    pub exp: i64,
}

/// Signs a registrant token.
pub(crate) fn sign(key: &[u8], claims: &Claims) -> Result<String, ApiError> {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(key),
    )
    .map_err(|err| {
        tracing::error!(error = %err, "cannot sign token");
        ApiError::internal()
    })
}

/// Verifies signature (HS256 only), kind and expiry against `now_secs`.
pub(crate) fn verify(key: &[u8], token: &str, now_secs: i64) -> Result<Claims, ApiError> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_exp = false; // checked against the injected clock below
    validation.required_spec_claims.clear();
    let data = jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(key), &validation)
        .map_err(|_| ApiError::forbidden())?;
    let claims = data.claims;
    if claims.access_type != REGISTRANT_ACCESS || now_secs >= claims.exp {
        return Err(ApiError::forbidden());
    }
    Ok(claims)
}

/// SHA-256 of a client token (only the hash is stored).
pub(crate) fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The credential in `Authorization: Bearer x`, `JWT x` or a bare `x`.
fn credential(parts: &Parts) -> Option<String> {
    let raw = parts
        .headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim();
    let token = if let Some((scheme, rest)) = raw.split_once(' ') {
        if scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("jwt") {
            rest.trim()
        } else {
            return None;
        }
    } else {
        raw
    };
    (!token.is_empty()).then(|| token.to_owned())
}

/// A request carrying the project owner's client token.
pub(crate) struct ClientAuth;

impl FromRequestParts<AppState> for ClientAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = credential(parts).ok_or_else(ApiError::forbidden)?;
        let hash = hash_token(&token);
        if bool::from(hash.ct_eq(&state.client_token_hash)) {
            Ok(Self)
        } else {
            Err(ApiError::forbidden())
        }
    }
}

/// A request carrying a valid registrant token.
pub(crate) struct Registrant(pub Claims);

impl FromRequestParts<AppState> for Registrant {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = credential(parts).ok_or_else(ApiError::forbidden)?;
        let now = state.now_ms() / 1000;
        verify(&state.jwt_key, &token, now).map(Registrant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> Claims {
        Claims {
            app_registration_id: "a".into(),
            project: "p".into(),
            project_flow: "f".into(),
            step: "1".into(),
            access_type: REGISTRANT_ACCESS.into(),
            iat: 0,
            exp,
        }
    }

    #[test]
    fn round_trip_and_expiry() {
        let key = b"0123456789abcdef0123456789abcdef";
        let t = sign(key, &claims(100)).unwrap();
        assert_eq!(verify(key, &t, 99).unwrap().app_registration_id, "a");
        assert_eq!(verify(key, &t, 100).unwrap_err().status.as_u16(), 403);
        assert!(verify(b"another key another key another k", &t, 1).is_err());
    }
}
