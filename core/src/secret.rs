//! Sensitive values (tokens, one-time codes, contact data) in types whose `Debug` and `Display`
//! never show the value, so they cannot leak into logs or error messages by accident.

use serde::{Deserialize, Serialize};

macro_rules! sensitive {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The wrapped value. Never log it.
            pub fn expose(&self) -> &str {
                &self.0
            }

            /// Unwraps the value. Never log it.
            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "(<redacted>)"))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("<redacted>")
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }
    };
}

sensitive!(
    /// A project owner's client token (dashboard key). Used only for admin calls
    /// (create project/flow, list registrations); never ship it in an app.
    ClientToken
);
sensitive!(
    /// A registrant (enrollee) JWT returned by the API; the newest one is always kept.
    RegistrantToken
);
sensitive!(
    /// The final token returned by `sync end`, handed to the integrator's app.
    FinalToken
);
sensitive!(
    /// A one-time code typed by the enrollee.
    OtpCode
);

/// Masks an email for display: first character of the local part, then `***`, then the domain
/// (`j***@example.com`). The domain is kept so the user recognises the address.
pub fn mask_email(email: &str) -> String {
    match email.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_owned(),
    }
}

/// Masks a phone number for display, keeping only its last two digits (`+57 ********67`).
pub fn mask_phone(country_code: &str, phone: &str) -> String {
    let n = phone.chars().count();
    let tail: String = phone.chars().skip(n.saturating_sub(2)).collect();
    let stars = "*".repeat(n.saturating_sub(2));
    format!("{country_code} {stars}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_debug_and_display() {
        let t = RegistrantToken::new("eyJsecret");
        assert_eq!(format!("{t:?}"), "RegistrantToken(<redacted>)");
        assert_eq!(format!("{t}"), "<redacted>");
        assert_eq!(t.expose(), "eyJsecret");
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"eyJsecret\"");
    }

    #[test]
    fn masks() {
        assert_eq!(mask_email("jane.doe@example.com"), "j***@example.com");
        assert_eq!(mask_email("broken"), "***");
        assert_eq!(mask_phone("+57", "3001234567"), "+57 ********67");
        assert_eq!(mask_phone("+1", "1"), "+1 1");
    }
}
