//! Input validation done before any request (email, phone, country code, OTP).
//!
//! Errors name the field that failed and the rule it broke, never the value: the values are
//! personal data (emails, phone numbers, one-time codes) and must not reach logs.

/// Which input field failed validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// The enrollee's email address.
    Email,
    /// The enrollee's phone number (digits only, without the country code).
    Phone,
    /// The phone's country calling code, e.g. `+57`.
    CountryCode,
    /// A one-time code received by email, SMS or WhatsApp.
    Otp,
}

impl Field {
    /// The field's name as used in the API (`email`, `phone`, `countryCode`, `otp`).
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Email => "email",
            Field::Phone => "phone",
            Field::CountryCode => "countryCode",
            Field::Otp => "otp",
        }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an input was rejected. Carries the field name and the rule, never the rejected value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    /// The field is empty (or only whitespace).
    #[error("{field} is empty")]
    Empty {
        /// The field that was empty.
        field: Field,
    },
    /// The field is longer than the rule allows.
    #[error("{field} is too long (at most {max} characters)")]
    TooLong {
        /// The field that was too long.
        field: Field,
        /// The maximum length in characters.
        max: usize,
    },
    /// The field does not have the expected shape.
    #[error("{field} is malformed: expected {expected}")]
    Malformed {
        /// The field that was malformed.
        field: Field,
        /// A description of the expected shape (no user data).
        expected: &'static str,
    },
}

impl ValidationError {
    /// The field that failed validation.
    pub fn field(&self) -> Field {
        match self {
            ValidationError::Empty { field }
            | ValidationError::TooLong { field, .. }
            | ValidationError::Malformed { field, .. } => *field,
        }
    }
}

/// Maximum email length (RFC 5321 path limit).
const EMAIL_MAX: usize = 254;
/// Maximum local-part length (RFC 5321).
const EMAIL_LOCAL_MAX: usize = 64;

/// Checks an email address's syntax: `local@domain.tld`, ASCII or UTF-8 letters, no spaces,
/// a dotted domain with labels of letters, digits and hyphens (not at a label's ends) and a
/// top-level label of at least two characters.
pub fn email(value: &str) -> Result<(), ValidationError> {
    const EXPECTED: &str = "an address like name@example.com";
    let field = Field::Email;
    if value.trim().is_empty() {
        return Err(ValidationError::Empty { field });
    }
    if value.chars().count() > EMAIL_MAX {
        return Err(ValidationError::TooLong {
            field,
            max: EMAIL_MAX,
        });
    }
    let malformed = ValidationError::Malformed {
        field,
        expected: EXPECTED,
    };
    let Some((local, domain)) = value.rsplit_once('@') else {
        return Err(malformed);
    };
    let local_ok = !local.is_empty()
        && local.chars().count() <= EMAIL_LOCAL_MAX
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| {
            c.is_alphanumeric()
                || "!#$%&'*+-/=?^_`{|}~.".contains(c)
                || (!c.is_ascii() && !c.is_whitespace() && !c.is_control())
        });
    if !local_ok {
        return Err(malformed);
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err(malformed);
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.chars().count() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    if !labels.iter().all(|l| label_ok(l)) {
        return Err(malformed);
    }
    let tld = labels.last().copied().unwrap_or_default();
    if tld.chars().count() < 2 || tld.chars().all(|c| c.is_ascii_digit()) {
        return Err(malformed);
    }
    Ok(())
}

/// Checks a phone number without its country code: 4 to 15 ASCII digits (E.164 maximum),
/// nothing else (no spaces, `+`, dashes or parentheses).
pub fn phone(value: &str) -> Result<(), ValidationError> {
    let field = Field::Phone;
    if value.is_empty() {
        return Err(ValidationError::Empty { field });
    }
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ValidationError::Malformed {
            field,
            expected: "digits only (no spaces, '+', dashes or country code)",
        });
    }
    if value.len() > 15 {
        return Err(ValidationError::TooLong { field, max: 15 });
    }
    if value.len() < 4 {
        return Err(ValidationError::Malformed {
            field,
            expected: "at least 4 digits",
        });
    }
    Ok(())
}

/// Checks a country calling code: `^\+\d{1,3}$`, e.g. `+1`, `+57`, `+353`.
pub fn country_code(value: &str) -> Result<(), ValidationError> {
    let field = Field::CountryCode;
    if value.is_empty() {
        return Err(ValidationError::Empty { field });
    }
    let ok = value
        .strip_prefix('+')
        .is_some_and(|d| (1..=3).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err(ValidationError::Malformed {
            field,
            expected: "'+' followed by 1 to 3 digits, e.g. +57",
        })
    }
}

/// Checks a one-time code: exactly 6 ASCII digits (leading zeros allowed).
pub fn otp(value: &str) -> Result<(), ValidationError> {
    let field = Field::Otp;
    if value.is_empty() {
        return Err(ValidationError::Empty { field });
    }
    if value.len() == 6 && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(ValidationError::Malformed {
            field,
            expected: "exactly 6 digits",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_accepted() {
        for ok in [
            "ana@example.com",
            "ana.maria+kyc@sub.example.co",
            "x@a-b.io",
            "o'brien@example.ie",
            "josé@correo.com.co",
            "user@xn--bcher-kva.de",
        ] {
            assert_eq!(email(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn emails_rejected() {
        assert_eq!(
            email(""),
            Err(ValidationError::Empty {
                field: Field::Email
            })
        );
        assert_eq!(
            email("   "),
            Err(ValidationError::Empty {
                field: Field::Email
            })
        );
        for bad in [
            "plain",
            "@example.com",
            "ana@",
            "ana@example",
            "ana@.com",
            "ana@example..com",
            "ana@-example.com",
            "ana@example-.com",
            "ana@example.c",
            "ana@1.2.3.4",
            ".ana@example.com",
            "ana.@example.com",
            "an..a@example.com",
            "ana maria@example.com",
            "ana@exa mple.com",
            "ana@example.com ",
            "a\u{0}b@example.com",
            "ana@@example.com",
        ] {
            let err = email(bad).expect_err(bad);
            assert_eq!(err.field(), Field::Email);
            assert!(matches!(err, ValidationError::Malformed { .. }), "{bad}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(matches!(
            email(&long),
            Err(ValidationError::TooLong { max: 254, .. })
        ));
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert!(matches!(
            email(&long_local),
            Err(ValidationError::Malformed { .. })
        ));
    }

    #[test]
    fn phones() {
        for ok in ["1234", "3001234567", "123456789012345"] {
            assert_eq!(phone(ok), Ok(()), "{ok}");
        }
        assert_eq!(
            phone(""),
            Err(ValidationError::Empty {
                field: Field::Phone
            })
        );
        assert!(matches!(
            phone("123"),
            Err(ValidationError::Malformed { .. })
        ));
        assert!(matches!(
            phone("1234567890123456"),
            Err(ValidationError::TooLong { max: 15, .. })
        ));
        for bad in [
            "+573001234567",
            "300 123 4567",
            "300-1234",
            "(300)1234",
            "３００１２３４",
            "12a4",
        ] {
            assert!(
                matches!(phone(bad), Err(ValidationError::Malformed { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn country_codes() {
        for ok in ["+1", "+57", "+353"] {
            assert_eq!(country_code(ok), Ok(()), "{ok}");
        }
        assert_eq!(
            country_code(""),
            Err(ValidationError::Empty {
                field: Field::CountryCode
            })
        );
        for bad in ["57", "+", "+1234", "++57", "+5a", " +57", "+57 ", "+٥٧"] {
            assert!(
                matches!(country_code(bad), Err(ValidationError::Malformed { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn otps() {
        for ok in ["000000", "123456", "012345"] {
            assert_eq!(otp(ok), Ok(()), "{ok}");
        }
        assert_eq!(otp(""), Err(ValidationError::Empty { field: Field::Otp }));
        for bad in [
            "12345",
            "1234567",
            "12 456",
            "12345a",
            "١٢٣٤٥٦",
            " 123456",
            "-12345",
        ] {
            assert!(
                matches!(otp(bad), Err(ValidationError::Malformed { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn errors_never_echo_the_value() {
        let secret_email = "secret.person@private-domain.com x";
        let secret_phone = "300555123499999999";
        let secret_otp = "98765";
        for (err, secret) in [
            (email(secret_email).expect_err("bad email"), secret_email),
            (phone(secret_phone).expect_err("bad phone"), secret_phone),
            (otp(secret_otp).expect_err("bad otp"), secret_otp),
            (country_code("+9999").expect_err("bad cc"), "+9999"),
        ] {
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains(secret), "{shown}");
            assert!(
                shown.contains(err.field().as_str())
                    || shown.contains(&format!("{:?}", err.field()))
            );
        }
    }
}
