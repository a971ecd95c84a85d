//! Reads a JWT's claims WITHOUT verifying it (the server verifies): only to learn `exp` and
//! warn about an expired registrant token before sending it, and to learn which registration a
//! final token names (`ProjectClient::verify_final_token` then has the server check it).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The `exp` claim (unix seconds) of a JWT, if it has one and it decodes.
pub(crate) fn exp_claim(token: &str) -> Option<u64> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    #[derive(serde::Deserialize)]
    struct Claims {
        exp: Option<serde_json::Value>,
    }
    let claims: Claims = serde_json::from_slice(&bytes).ok()?;
    match claims.exp? {
        serde_json::Value::Number(n) => n.as_u64().or_else(|| n.as_f64().map(|f| f as u64)),
        _ => None,
    }
}

/// Clock skew allowed by the local expiry check: a device clock up to 5 minutes fast does not
/// end a session the server still accepts. Within it the server's 401/403 decides.
pub(crate) const CLOCK_SKEW_S: u64 = 5 * 60;

/// Whether the token's `exp` passed more than [`CLOCK_SKEW_S`] before `now_unix_s` (tokens
/// without `exp` never expire locally; the server decides).
pub(crate) fn is_expired(token: &str, now_unix_s: u64) -> bool {
    exp_claim(token).is_some_and(|exp| exp.saturating_add(CLOCK_SKEW_S) <= now_unix_s)
}

/// The identifying claims of a registrant or final token, read WITHOUT verifying it: only to
/// learn which registration it names. The server verifies the signature and the expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnverifiedClaims {
    /// `appRegistrationId`.
    pub registration_id: String,
    /// `project`, when present.
    pub project: Option<String>,
    /// `projectFlow`, when present.
    pub project_flow: Option<String>,
    /// The header's `alg` (`HS256`, `none`, ...).
    pub alg: String,
}

#[derive(serde::Deserialize)]
struct Header {
    #[serde(default)]
    alg: String,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payload {
    #[serde(default)]
    app_registration_id: Option<serde_json::Value>,
    #[serde(default)]
    project: Option<serde_json::Value>,
    #[serde(default)]
    project_flow: Option<serde_json::Value>,
}

fn id_text(v: Option<serde_json::Value>) -> Option<String> {
    match v? {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A base64url JSON object segment as `T` (only an object: serde would also read a struct from
/// a JSON array).
fn segment<T: serde::de::DeserializeOwned>(part: &str) -> Option<T> {
    let bytes = URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
    let object: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&bytes).ok()?;
    serde_json::from_value(serde_json::Value::Object(object)).ok()
}

/// The claims of a three-part JWT (`header.payload.signature`) that names a registration;
/// `None` for anything else (random text, two parts, bad base64, no `appRegistrationId`).
pub(crate) fn unverified_claims(token: &str) -> Option<UnverifiedClaims> {
    let mut parts = token.trim().split('.');
    let (h, p, _sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: Header = segment(h)?;
    let payload: Payload = segment(p)?;
    Some(UnverifiedClaims {
        registration_id: id_text(payload.app_registration_id)?,
        project: id_text(payload.project),
        project_flow: id_text(payload.project_flow),
        alg: header.alg,
    })
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
        // Both sides of the 5-minute skew boundary.
        assert!(is_expired(&t, 1_000 + CLOCK_SKEW_S));
        assert!(!is_expired(&t, 1_000 + CLOCK_SKEW_S - 1));
        assert!(
            !is_expired(&t, 1_000),
            "just past exp: within the skew, the server decides"
        );
        assert!(!is_expired(&t, 999));
        assert_eq!(exp_claim("garbage"), None);
        assert_eq!(exp_claim("a.!!!.c"), None);
        assert!(!is_expired("a.b.c", u64::MAX));
    }

    #[test]
    fn reads_claims_of_a_token_and_refuses_other_text() {
        let c = unverified_claims(&fake_jwt(5)).unwrap();
        assert_eq!(c.registration_id, "r");
        assert_eq!(c.alg, "HS256");
        assert_eq!(c.project, None);
        let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
        let p = URL_SAFE_NO_PAD
            .encode(br#"{"appRegistrationId":"a1","project":"p","projectFlow":"f"}"#);
        let c = unverified_claims(&format!("{h}.{p}.")).unwrap();
        assert_eq!(
            (
                c.alg.as_str(),
                c.project.as_deref(),
                c.project_flow.as_deref()
            ),
            ("none", Some("p"), Some("f"))
        );
        let no_id = URL_SAFE_NO_PAD.encode(br#"{"sub":"x"}"#);
        for bad in [
            "",
            "garbage",
            "a.b",
            "a.b.c.d",
            "!!.!!.!!",
            &format!("{h}.{no_id}.x"),
            &format!("{h}.{}.x", URL_SAFE_NO_PAD.encode(b"[1]")),
        ] {
            assert_eq!(unverified_claims(bad), None, "{bad}");
        }
    }
}
