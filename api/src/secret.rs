//! Wrappers for personal data: their `Debug` never shows the value.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A personal or secret string (email, phone, name, token, base64 image, OCR field). `Debug`
/// and `Display` print `<redacted>`; the value is only reachable through [`Secret::expose`].
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Secret(String);

impl Secret {
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
    /// Whether the value is empty (or only whitespace).
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Secret {
    /// A JSON string only (a number or object in a personal-data field is an error).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Self)
    }
}

/// Which JSON form a one-time code arrived in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OtpForm {
    /// A JSON string (the primary form: what the client sends).
    #[default]
    String,
    /// A JSON number (the older docs' form: leading zeros are lost on the way).
    Number,
}

/// A one-time code. It serializes as a JSON **string exactly as typed** (leading zeros kept)
/// and deserializes from a string or a number, remembering which form arrived. `Debug` and
/// `Display` never show it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct OtpCode {
    value: String,
    form: OtpForm,
}

impl OtpCode {
    /// A code as the user typed it (string form).
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            form: OtpForm::String,
        }
    }
    /// A code that arrived as a JSON number.
    pub fn from_number(n: u64) -> Self {
        Self {
            value: n.to_string(),
            form: OtpForm::Number,
        }
    }
    /// The code as it arrived (a number's decimal digits, unpadded). Never log it.
    pub fn expose(&self) -> &str {
        &self.value
    }
    /// The form it arrived in.
    pub fn form(&self) -> OtpForm {
        self.form
    }
    /// The 6-digit code to compare: a string trimmed, a number zero-padded to 6 digits. `None`
    /// unless that is exactly six ASCII digits.
    pub fn normalized(&self) -> Option<String> {
        let s = match self.form {
            OtpForm::String => self.value.trim().to_owned(),
            OtpForm::Number => {
                let n: u64 = self.value.parse().ok()?;
                format!("{n:06}")
            }
        };
        (s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit())).then_some(s)
    }
}

impl std::fmt::Debug for OtpCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OtpCode(<redacted>, {:?})", self.form)
    }
}

impl std::fmt::Display for OtpCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<&str> for OtpCode {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<String> for OtpCode {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl Serialize for OtpCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.value)
    }
}

impl<'de> Deserialize<'de> for OtpCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = OtpCode;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a one-time code as a string or a non-negative integer")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<OtpCode, E> {
                Ok(OtpCode::new(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<OtpCode, E> {
                Ok(OtpCode::from_number(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<OtpCode, E> {
                u64::try_from(v)
                    .map(OtpCode::from_number)
                    .map_err(|_| E::custom("a one-time code cannot be negative"))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<OtpCode, E> {
                if v.fract() == 0.0 && (0.0..1e15).contains(&v) {
                    Ok(OtpCode::from_number(v as u64))
                } else {
                    Err(E::custom("a one-time code must be an integer"))
                }
            }
        }
        d.deserialize_any(V)
    }
}
