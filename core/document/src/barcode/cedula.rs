//! The PDF417 on the back of the Colombian cédula de ciudadanía.
//!
//! The payload is binary (decoded as ISO-8859-1, one char per byte) with NUL-padded text fields.
//! The rules (the layout as Verifik's web client reads it, re-implemented here):
//!
//! 1. refuse a text under 531 characters;
//! 2. replace each run of characters that are not letters, digits, `+` or `_` by a space and
//!    split into tokens. "Letters" are the ASCII letters and `Ñ`/`ñ` (Spanish names; ISO-8859-1
//!    0xD1/0xF1); every other byte, including the other Latin-1 letters, separates tokens;
//! 3. the base token index is 3 when the text contains `PubDSK`, else 2, shifted back by one
//!    when `PubDSK` is present and token 2 is longer than 7 characters;
//! 4. in the base token, the document number is the 10 characters just before the first
//!    capital letter, which must be at index 10 or later; the first surname starts at that
//!    capital. This parser also requires those 10 characters to be digits (the number is
//!    zero-padded to 10 digits; anything else is not this layout) and returns the number
//!    without its leading zeros, as it is printed on the card;
//! 5. the next token is the second surname;
//! 6. the given names run until the first token that starts with a digit;
//! 7. in that token, characters 2–9 (0-based) are the birth date `YYYYMMDD`, which must be a
//!    real calendar date (years 1900–2099). Character 1 of that token is the sex (`M`/`F`):
//!    it is returned as `sex` only when it is one of those two letters.
//!
//! A text that fails any rule is refused with the rule ([`CedulaError`]); there is no partial
//! parse.

use std::collections::BTreeMap;

/// The minimum length of a cédula payload, in characters.
pub const MIN_CHARS: usize = 531;

/// Which rule a payload failed. Never contains the payload's data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CedulaError {
    /// Under [`MIN_CHARS`] characters.
    #[error("{chars} characters, under the {MIN_CHARS} of a cédula payload")]
    TooShort {
        /// The text's length in characters.
        chars: usize,
    },
    /// Not enough tokens for the base token, the second surname and the date token.
    #[error("only {tokens} tokens; the base token is index {base}")]
    TooFewTokens {
        /// Tokens found.
        tokens: usize,
        /// The base token index.
        base: usize,
    },
    /// The base token has no capital letter.
    #[error("the base token has no capital letter (no surname)")]
    NoCapital,
    /// The base token's first capital letter is before index 10 (no room for the number).
    #[error("the base token's first capital letter is at index {index}, before 10")]
    CapitalTooEarly {
        /// The capital's index in the token.
        index: usize,
    },
    /// The 10 characters before the surname are not digits.
    #[error("the 10 characters before the surname are not a zero-padded document number")]
    DocumentNumberNotDigits,
    /// No token starting with a digit after the names.
    #[error("no token starting with a digit after the names (no birth date)")]
    NoDateToken,
    /// Characters 2–9 of the date token are not a real `YYYYMMDD` date.
    #[error("characters 2-9 of the date token are not a real YYYYMMDD date")]
    InvalidDate,
}

/// A parsed cédula. Personal data: `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Cedula {
    /// The document number, without the leading zeros of its 10-digit field.
    pub document_number: String,
    /// First surname.
    pub first_surname: String,
    /// Second surname.
    pub second_surname: String,
    /// Given names, space-separated.
    pub given_names: String,
    /// Date of birth, `YYYY-MM-DD`.
    pub date_of_birth: String,
    /// `M` or `F` when the date token carries one of them.
    pub sex: Option<String>,
}

impl std::fmt::Debug for Cedula {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cedula(<redacted>)")
    }
}

impl Cedula {
    /// The fields of a [`super::BarcodeReading`]: `document_number`, `first_surname`,
    /// `second_surname`, `given_names`, `date_of_birth` and, when found, `sex`.
    pub fn into_fields(self) -> BTreeMap<String, String> {
        let mut f = BTreeMap::new();
        f.insert("document_number".to_owned(), self.document_number);
        f.insert("first_surname".to_owned(), self.first_surname);
        f.insert("second_surname".to_owned(), self.second_surname);
        f.insert("given_names".to_owned(), self.given_names);
        f.insert("date_of_birth".to_owned(), self.date_of_birth);
        if let Some(s) = self.sex {
            f.insert("sex".to_owned(), s);
        }
        f
    }
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '+' || c == '_' || c == 'Ñ' || c == 'ñ'
}

fn is_capital(c: char) -> bool {
    c.is_ascii_uppercase() || c == 'Ñ'
}

/// Splits as rule 2 does: every run of non-token characters is a separator.
pub fn tokens(text: &str) -> Vec<&str> {
    text.split(|c: char| !is_token_char(c))
        .filter(|t| !t.is_empty())
        .collect()
}

/// Parses a cédula payload (ISO-8859-1 text: one char per byte).
pub fn parse(text: &str) -> Result<Cedula, CedulaError> {
    let chars = text.chars().count();
    if chars < MIN_CHARS {
        return Err(CedulaError::TooShort { chars });
    }
    let tokens = tokens(text);
    let pubdsk = text.contains("PubDSK");
    let mut base = if pubdsk { 3 } else { 2 };
    if pubdsk && tokens.get(2).is_some_and(|t| t.chars().count() > 7) {
        base -= 1;
    }
    let too_few = CedulaError::TooFewTokens {
        tokens: tokens.len(),
        base,
    };
    let (Some(base_token), Some(second_surname)) = (tokens.get(base), tokens.get(base + 1)) else {
        return Err(too_few);
    };

    let token_chars: Vec<char> = base_token.chars().collect();
    let capital = token_chars
        .iter()
        .position(|&c| is_capital(c))
        .ok_or(CedulaError::NoCapital)?;
    if capital < 10 {
        return Err(CedulaError::CapitalTooEarly { index: capital });
    }
    let number: String = token_chars[capital - 10..capital].iter().collect();
    if !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CedulaError::DocumentNumberNotDigits);
    }
    let first_surname: String = token_chars[capital..].iter().collect();

    let rest = &tokens[base + 2..];
    let date_at = rest
        .iter()
        .position(|t| t.starts_with(|c: char| c.is_ascii_digit()))
        .ok_or(CedulaError::NoDateToken)?;
    let given_names = rest[..date_at].join(" ");
    let date_token: Vec<char> = rest[date_at].chars().collect();
    let date: String = date_token
        .get(2..10)
        .ok_or(CedulaError::InvalidDate)?
        .iter()
        .collect();
    if !date.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CedulaError::InvalidDate);
    }
    let (y, m, d) = (&date[..4], &date[4..6], &date[6..8]);
    if !valid_date(y, m, d) {
        return Err(CedulaError::InvalidDate);
    }
    let sex = match date_token.get(1) {
        Some('M') => Some("M".to_owned()),
        Some('F') => Some("F".to_owned()),
        _ => None,
    };
    let document_number = number.trim_start_matches('0');
    Ok(Cedula {
        document_number: if document_number.is_empty() {
            "0".to_owned()
        } else {
            document_number.to_owned()
        },
        first_surname,
        second_surname: (*second_surname).to_owned(),
        given_names,
        date_of_birth: format!("{y}-{m}-{d}"),
        sex,
    })
}

/// True when `y`-`m`-`d` (4, 2, 2 ASCII digits) is a real calendar date in 1900–2099.
pub(crate) fn valid_date(y: &str, m: &str, d: &str) -> bool {
    let all_digits = [y, m, d]
        .iter()
        .all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()));
    if !all_digits || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    if !(1900..=2099).contains(&y) || !(1..=12).contains(&m) || d == 0 {
        return false;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    d <= days
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cédula-layout text (synthetic): `head` tokens, then the base token made of `prefix`,
    /// the 10-char `number` and the surname, NUL-padded names, the date token, filler.
    fn layout(
        head: &[&str],
        prefix: &str,
        number: &str,
        names: &[&str],
        date_token: &str,
    ) -> String {
        let mut s = String::new();
        for t in head {
            s.push_str(t);
            s.push_str("\0\0");
        }
        s.push_str(prefix);
        s.push_str(number);
        for n in names {
            s.push_str(n);
            s.push_str("\0\0\0");
        }
        s.push_str(date_token);
        s.push_str("\u{1}\u{ff}\u{80}");
        while s.chars().count() < MIN_CHARS {
            s.push('\u{b7}');
        }
        s
    }

    fn standard(date_token: &str) -> String {
        layout(
            &["02130451", "34213812"],
            "41205903",
            "0079123456",
            &["PEREZ", "GOMEZ", "JUAN", "CARLOS"],
            date_token,
        )
    }

    #[test]
    fn parses_the_layout_without_pubdsk_from_base_token_2() {
        let c = parse(&standard("0M19900215050010O+")).unwrap();
        assert_eq!(c.document_number, "79123456");
        assert_eq!(c.first_surname, "PEREZ");
        assert_eq!(c.second_surname, "GOMEZ");
        assert_eq!(c.given_names, "JUAN CARLOS");
        assert_eq!(c.date_of_birth, "1990-02-15");
        assert_eq!(c.sex.as_deref(), Some("M"));
        let f = c.into_fields();
        assert_eq!(f.len(), 6);
    }

    #[test]
    fn pubdsk_with_a_short_token_2_uses_base_token_3() {
        let t = layout(
            &["0213", "PubDSK_1", "3421381"],
            "41205903",
            "1234567890",
            &["ÑUSTES", "MUÑOZ", "ANA"],
            "0F20000229",
        );
        let c = parse(&t).unwrap();
        assert_eq!(c.document_number, "1234567890");
        assert_eq!(c.first_surname, "ÑUSTES");
        assert_eq!(c.second_surname, "MUÑOZ");
        assert_eq!(c.given_names, "ANA");
        assert_eq!(c.date_of_birth, "2000-02-29");
        assert_eq!(c.sex.as_deref(), Some("F"));
    }

    #[test]
    fn pubdsk_with_a_token_2_longer_than_7_shifts_back_to_base_token_2() {
        let t = layout(
            &["0213", "PubDSK_1"],
            "41205903",
            "0001234567",
            &["ROJAS", "DIAZ", "LUIS"],
            "0M19851231",
        );
        let c = parse(&t).unwrap();
        assert_eq!(c.document_number, "1234567");
        assert_eq!(c.first_surname, "ROJAS");
        // The same text with a 7-char token 2 would be read from token 3: a refusal here.
        let t = layout(
            &["0213", "PubDSK_1", "1234567"],
            "",
            "",
            &["ROJAS", "DIAZ", "LUIS"],
            "0M19851231",
        );
        assert_eq!(parse(&t), Err(CedulaError::CapitalTooEarly { index: 0 }));
    }

    #[test]
    fn refuses_a_text_under_531_characters() {
        let t: String = standard("0M19900215").chars().take(MIN_CHARS - 1).collect();
        assert_eq!(parse(&t), Err(CedulaError::TooShort { chars: 530 }));
        assert_eq!(parse(""), Err(CedulaError::TooShort { chars: 0 }));
    }

    #[test]
    fn tokens_split_on_runs_of_other_characters_and_keep_plus_underscore_and_enye() {
        assert_eq!(
            tokens("\0\0ab\u{1}\u{ff}O+\0PubDSK_1 MUÑOZ;;x\u{e9}y"),
            vec!["ab", "O+", "PubDSK_1", "MUÑOZ", "x", "y"]
        );
    }

    #[test]
    fn refuses_a_capital_before_index_10() {
        let t = layout(
            &["02130451", "34213812"],
            "",
            "123456789",
            &["PEREZ", "GOMEZ", "JUAN"],
            "0M19900215",
        );
        assert_eq!(parse(&t), Err(CedulaError::CapitalTooEarly { index: 9 }));
    }

    #[test]
    fn refuses_a_base_token_without_a_capital() {
        let t = layout(
            &["02130451", "34213812"],
            "",
            "1234567890",
            &["perez", "GOMEZ", "JUAN"],
            "0M19900215",
        );
        assert_eq!(parse(&t), Err(CedulaError::NoCapital));
    }

    #[test]
    fn refuses_a_number_that_is_not_digits() {
        let t = layout(
            &["02130451", "34213812"],
            "41205903",
            "00791234ab",
            &["PEREZ", "GOMEZ", "JUAN"],
            "0M19900215",
        );
        assert_eq!(parse(&t), Err(CedulaError::DocumentNumberNotDigits));
    }

    #[test]
    fn refuses_an_impossible_birth_date() {
        for bad in [
            "0M19990231",
            "0M19001301",
            "0M19000229",
            "0M18991231",
            "0M1990021",
            "0M1990O215",
        ] {
            assert_eq!(
                parse(&standard(bad)),
                Err(CedulaError::InvalidDate),
                "{bad}"
            );
        }
        assert!(parse(&standard("0M20000229")).is_ok());
    }

    #[test]
    fn refuses_a_text_without_a_date_token() {
        let mut t = String::from("a\0b\0");
        t.push_str("412059030079123456PEREZ\0GOMEZ\0JUAN\0");
        while t.chars().count() < MIN_CHARS {
            t.push_str("\u{1}X");
        }
        assert_eq!(parse(&t), Err(CedulaError::NoDateToken));
    }

    #[test]
    fn refuses_too_few_tokens() {
        let t = "\u{1}".repeat(600) + "ab";
        assert_eq!(
            parse(&t),
            Err(CedulaError::TooFewTokens { tokens: 1, base: 2 })
        );
    }

    #[test]
    fn sex_is_only_reported_when_it_is_m_or_f() {
        let c = parse(&standard("0X19900215")).unwrap();
        assert_eq!(c.sex, None);
        assert!(!c.into_fields().contains_key("sex"));
    }

    #[test]
    fn refusals_and_debug_never_show_the_data() {
        let c = parse(&standard("0M19900215")).unwrap();
        assert!(!format!("{c:?}").contains("PEREZ"));
        let e = parse(&standard("0M19990231")).unwrap_err();
        assert!(!e.to_string().contains("1999"));
    }
}
