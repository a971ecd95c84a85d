//! Lenient deserializers for the documented quirks (numbers as strings, ids as objects, …).
//! Each accepts `null` as absent. Bad input is a serde error, never a panic.

use serde::de::{Deserializer, Error};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

fn id_from_value<E: Error>(v: &Value) -> Result<String, E> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Object(m) => ["_id", "id", "$oid"]
            .iter()
            .find_map(|k| m.get(*k).filter(|v| !v.is_null()))
            .map_or_else(
                || Err(E::custom("object id without _id or id")),
                id_from_value,
            ),
        _ => Err(E::custom("expected an id (string or object with _id)")),
    }
}

/// A string; a number or boolean becomes its JSON text.
pub(crate) fn string_like<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(D::Error::custom("expected a string")),
    }
}

/// An optional string; numbers become their decimal text (`currentStep: 1`).
pub(crate) fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(D::Error::custom("expected a string")),
    }
}

/// An id: a string, a number, or an object carrying `_id` / `id` / `$oid`.
pub(crate) fn id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    id_from_value(&Value::deserialize(d)?)
}

/// An optional id (see [`id`]).
pub(crate) fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(v) => id_from_value(&v).map(Some),
    }
}

/// An optional number; numeric strings (`"0.85"`) are accepted.
pub(crate) fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_f64()
            .map(Some)
            .ok_or_else(|| D::Error::custom("number out of range")),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(Some)
            .ok_or_else(|| D::Error::custom("expected a number")),
        Some(_) => Err(D::Error::custom("expected a number")),
    }
}

/// An optional non-negative integer; numeric strings and whole floats are accepted.
pub(crate) fn opt_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let bad = || D::Error::custom("expected a non-negative integer");
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => {
            if let Some(u) = n.as_u64() {
                u32::try_from(u).map(Some).map_err(|_| bad())
            } else {
                match n.as_f64() {
                    Some(f) if f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&f) => {
                        Ok(Some(f as u32))
                    }
                    _ => Err(bad()),
                }
            }
        }
        Some(Value::String(s)) => s.trim().parse::<u32>().map(Some).map_err(|_| bad()),
        Some(_) => Err(bad()),
    }
}

/// An optional boolean; `"true"` / `"false"` strings are accepted.
pub(crate) fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(Value::String(s)) if s == "true" => Ok(Some(true)),
        Some(Value::String(s)) if s == "false" => Ok(Some(false)),
        Some(_) => Err(D::Error::custom("expected a boolean")),
    }
}

/// A reference field: an id, or the populated object (`populates[]`).
#[derive(Clone, PartialEq)]
pub enum IdOr<T> {
    /// Only the id.
    Id(String),
    /// The populated object.
    Object(Box<T>),
}

impl<T> IdOr<T> {
    /// The populated object, if any.
    pub fn object(&self) -> Option<&T> {
        match self {
            Self::Object(o) => Some(o),
            Self::Id(_) => None,
        }
    }
    /// Mutable access to the populated object, if any.
    pub fn object_mut(&mut self) -> Option<&mut T> {
        match self {
            Self::Object(o) => Some(o),
            Self::Id(_) => None,
        }
    }
}

impl<T: HasId> IdOr<T> {
    /// The id (of the object when populated).
    pub fn id(&self) -> &str {
        match self {
            Self::Id(id) => id,
            Self::Object(o) => o.id(),
        }
    }
}

/// Objects that carry an `_id`.
pub trait HasId {
    /// The object's id.
    fn id(&self) -> &str;
}

impl<T: std::fmt::Debug> std::fmt::Debug for IdOr<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Id(id) => f.debug_tuple("Id").field(id).finish(),
            Self::Object(o) => o.fmt(f),
        }
    }
}

impl<T: Serialize> Serialize for IdOr<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Id(id) => s.serialize_str(id),
            Self::Object(o) => o.serialize(s),
        }
    }
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for IdOr<T> {
    /// A string or number is an id; an object is the populated value (`id` is read as `_id`).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => Ok(Self::Id(s)),
            Value::Number(n) => Ok(Self::Id(n.to_string())),
            Value::Object(mut m) => {
                if !m.contains_key("_id")
                    && let Some(id) = m.get("id").cloned()
                {
                    m.insert("_id".into(), id);
                }
                serde_json::from_value(Value::Object(m))
                    .map(|o| Self::Object(Box::new(o)))
                    .map_err(D::Error::custom)
            }
            _ => Err(D::Error::custom("expected an id or an object")),
        }
    }
}

/// Declares a string enum of known wire values plus `Unknown(String)`. Deserialization is
/// case-insensitive (lowercase statuses of some doc pages); serialization writes the canonical
/// spelling.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this version does not know (kept as received).
            Unknown(String),
        }

        impl $name {
            /// Every known value, in wire spelling.
            pub const KNOWN: &'static [&'static str] = &[$($wire),+];

            /// The wire spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Unknown(s) => s,
                }
            }

            /// Parses a wire value (case-insensitive); unknown values are kept.
            pub fn parse(s: &str) -> Self {
                $(if s.eq_ignore_ascii_case($wire) { return Self::$variant; })+
                Self::Unknown(s.to_owned())
            }

            /// Whether this is a known value.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        impl Default for $name {
            /// An empty unknown value (an absent field in a lenient request).
            fn default() -> Self {
                Self::Unknown(String::new())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Ok(Self::parse(&s))
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($wire),+]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}
pub(crate) use wire_enum;

/// A string that may be absent or a number (error messages).
pub(crate) fn string_like_default<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(opt_string(d)?.unwrap_or_default())
}
