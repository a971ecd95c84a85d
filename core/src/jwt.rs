//! Reads a JWT's claims WITHOUT verifying it (the server verifies): only to learn `exp` and
//! warn about an expired registrant token before sending it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The `exp` claim (unix seconds) of a JWT, if it has one and it decodes.
pub(crate) fn exp_claim(token: &str) -> Option<u64> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    match v.get("exp")? {
        serde_json::Value::Number(n) => n.as_u64().or_else(|| n.as_f64().map(|f| f as u64)),
        _ => None,
    }
}

/// Whether the token's `exp` is at or before `now_unix_s` (tokens without `exp` never expire
/// locally; the server decides).
pub(crate) fn is_expired(token: &str, now_unix_s: u64) -> bool {
    exp_claim(token).is_some_and(|exp| exp <= now_unix_s)
}

#[cfg(test)]
pub(crate) fn fake_jwt(exp: u64) -> String {
    let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let p = URL_SAFE_NO_PAD.encode(format!(r#"{{"appRegistrationId":"r","exp":{exp}}}"#));
    format!("{h}.{p}.c2ln")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_exp() {
        let t = fake_jwt(1_000);
        assert_eq!(exp_claim(&t), Some(1_000));
        assert!(is_expired(&t, 1_000));
        assert!(!is_expired(&t, 999));
        assert_eq!(exp_claim("garbage"), None);
        assert_eq!(exp_claim("a.!!!.c"), None);
        assert!(!is_expired("a.b.c", u64::MAX));
    }
}
