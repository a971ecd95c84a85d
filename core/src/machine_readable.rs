//! What the document's own machine-readable data (its MRZ or its PDF417 barcode, read on the
//! device with [`crate::document`]) is used for: prefilling the sign-up form
//! ([`SignUpData::prefill_from_document`]) and cross-checking the server's OCR in the
//! [`Review`](crate::Review) ([`MachineReadableData::disagreements_with`]).
//!
//! Every value here is personal data: `Debug` redacts it and nothing here logs.

use serde::{Deserialize, Serialize};
use smart_enroll_document::DocumentIdentity;

use crate::review::DocumentFields;
use crate::types::SignUpData;

/// The identity fields a document's MRZ or barcode gives (from a
/// [`DocumentIdentity`]), as the session keeps them (in its snapshot) and the review shows
/// them. `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MachineReadableData {
    /// Given names, space-separated.
    pub given_names: Option<String>,
    /// Surnames, space-separated.
    pub surnames: Option<String>,
    /// Document number.
    pub document_number: Option<String>,
    /// Date of birth, `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
}

impl std::fmt::Debug for MachineReadableData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let r = |o: &Option<String>| if o.is_some() { "<redacted>" } else { "None" };
        f.debug_struct("MachineReadableData")
            .field("given_names", &r(&self.given_names))
            .field("surnames", &r(&self.surnames))
            .field("document_number", &r(&self.document_number))
            .field("date_of_birth", &r(&self.date_of_birth))
            .finish()
    }
}

fn non_blank(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl From<&DocumentIdentity> for MachineReadableData {
    fn from(d: &DocumentIdentity) -> Self {
        Self {
            given_names: non_blank(&d.given_names),
            surnames: non_blank(&d.surnames),
            document_number: non_blank(&d.document_number),
            date_of_birth: non_blank(&d.date_of_birth),
        }
    }
}

impl From<DocumentIdentity> for MachineReadableData {
    fn from(d: DocumentIdentity) -> Self {
        Self::from(&d)
    }
}

impl MachineReadableData {
    /// Whether it holds no field at all.
    pub fn is_empty(&self) -> bool {
        self.given_names.is_none()
            && self.surnames.is_none()
            && self.document_number.is_none()
            && self.date_of_birth.is_none()
    }

    /// Where the server's OCR (`server`) and this data disagree, field by field, after
    /// normalisation: names ignore case, accents, punctuation and spacing (and, for a full
    /// name, word order); document numbers ignore separators and leading zeros; dates compare
    /// as dates whatever their format (`1990-04-01`, `01/04/1990`, `19900401`,
    /// `01 ABR 1990`, ...). A field that either side lacks is not compared.
    ///
    /// Compared fields: `first_name` (given names), `last_name` (surnames), `full_name` (only
    /// when the server has no first or last name), `document_number`, `date_of_birth`.
    pub fn disagreements_with(&self, server: &DocumentFields) -> Vec<FieldDisagreement> {
        let mut out = Vec::new();
        let mut check =
            |field: &str, s: &Option<String>, d: &Option<String>, same: fn(&str, &str) -> bool| {
                if let (Some(s), Some(d)) = (non_blank(s), non_blank(d))
                    && !same(&s, &d)
                {
                    out.push(FieldDisagreement {
                        field: field.to_owned(),
                        server: s,
                        document: d,
                    });
                }
            };
        check(
            "first_name",
            &server.first_name,
            &self.given_names,
            same_name,
        );
        check("last_name", &server.last_name, &self.surnames, same_name);
        if server.first_name.is_none() || server.last_name.is_none() {
            let whole = match (&self.given_names, &self.surnames) {
                (Some(g), Some(s)) => Some(format!("{g} {s}")),
                _ => None,
            };
            check("full_name", &server.full_name, &whole, same_name_any_order);
        }
        check(
            "document_number",
            &server.document_number,
            &self.document_number,
            same_document_number,
        );
        check(
            "date_of_birth",
            &server.date_of_birth,
            &self.date_of_birth,
            same_date,
        );
        out
    }
}

/// One field where the server's OCR and the document's machine-readable data disagree.
/// `Debug` shows the field's name only.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldDisagreement {
    /// `first_name`, `last_name`, `full_name`, `document_number` or `date_of_birth`.
    pub field: String,
    /// What the server's OCR read, as the server sent it.
    pub server: String,
    /// What the document's MRZ or barcode says.
    pub document: String,
}

impl std::fmt::Debug for FieldDisagreement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldDisagreement")
            .field("field", &self.field)
            .field("server", &"<redacted>")
            .field("document", &"<redacted>")
            .finish()
    }
}

/// What a document's machine-readable data fills in the sign-up form
/// ([`SignUpData::prefill_from_document`]). `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct SignUpPrefill {
    /// The sign-up data with the names filled in, when the user had typed none.
    pub signup: SignUpData,
    /// The document number, for the app's own form field.
    pub document_number: Option<String>,
    /// The date of birth, `YYYY-MM-DD`, for the app's own form field (the `basicInformation`
    /// step's `dateOfBirth`).
    pub date_of_birth: Option<String>,
    /// The [`SignUpData`] fields that were filled: `full_name`, `first_name`, `last_name`.
    pub filled: Vec<String>,
}

impl std::fmt::Debug for SignUpPrefill {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignUpPrefill")
            .field("signup", &self.signup)
            .field("filled", &self.filled)
            .finish_non_exhaustive()
    }
}

impl SignUpData {
    /// The sign-up data prefilled from a document's MRZ or barcode. What the user typed is
    /// never overwritten: the names (`full_name`, `first_name`, `last_name`) are filled only
    /// when the user typed none of them (all three then come from the document, so they
    /// cannot mix); names printed in capitals (as MRZs are) become title case ("ANNA MARIA"
    /// → "Anna Maria"). The document number and the date of birth have no [`SignUpData`]
    /// field: they are returned for the app's own form.
    pub fn prefill_from_document(&self, doc: &DocumentIdentity) -> SignUpPrefill {
        let data = MachineReadableData::from(doc);
        let mut signup = self.clone();
        let mut filled = Vec::new();
        let typed_a_name = [&self.full_name, &self.first_name, &self.last_name]
            .iter()
            .any(|v| non_blank(v).is_some());
        if !typed_a_name {
            let given = data.given_names.as_deref().map(title_case);
            let sur = data.surnames.as_deref().map(title_case);
            let full = match (&given, &sur) {
                (Some(g), Some(s)) => Some(format!("{g} {s}")),
                (Some(one), None) | (None, Some(one)) => Some(one.clone()),
                (None, None) => None,
            };
            for (name, value, slot) in [
                ("full_name", full, &mut signup.full_name),
                ("first_name", given, &mut signup.first_name),
                ("last_name", sur, &mut signup.last_name),
            ] {
                if value.is_some() {
                    *slot = value;
                    filled.push(name.to_owned());
                }
            }
        }
        SignUpPrefill {
            signup,
            document_number: data.document_number,
            date_of_birth: data.date_of_birth,
            filled,
        }
    }
}

/// "ANNA MARIA" → "Anna Maria", "O'NEIL-SMITH" → "O'Neil-Smith"; mixed-case text is kept.
fn title_case(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().any(char::is_lowercase) {
        return s;
    }
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start {
            out.push(c);
        } else {
            out.extend(c.to_lowercase());
        }
        start = !c.is_alphanumeric();
    }
    out
}

/// Latin letters with diacritics (and a few ligatures) to their ASCII base, upper case.
fn fold_char(c: char, out: &mut String) {
    let base = match c {
        'À'..='Å' | 'à'..='å' | 'Ā' | 'ā' | 'Ă' | 'ă' | 'Ą' | 'ą' => "A",
        'Æ' | 'æ' => "AE",
        'Ç' | 'ç' | 'Ć' | 'ć' | 'Č' | 'č' => "C",
        'Ď' | 'ď' | 'Đ' | 'đ' | 'Ð' | 'ð' => "D",
        'È'..='Ë' | 'è'..='ë' | 'Ē' | 'ē' | 'Ė' | 'ė' | 'Ę' | 'ę' | 'Ě' | 'ě' => "E",
        'Ğ' | 'ğ' => "G",
        'Ì'..='Ï' | 'ì'..='ï' | 'Ī' | 'ī' | 'Į' | 'į' | 'İ' | 'ı' => "I",
        'Ł' | 'ł' => "L",
        'Ñ' | 'ñ' | 'Ń' | 'ń' | 'Ň' | 'ň' => "N",
        'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' | 'Ō' | 'ō' | 'Ő' | 'ő' => "O",
        'Œ' | 'œ' => "OE",
        'Ř' | 'ř' => "R",
        'Ś' | 'ś' | 'Š' | 'š' | 'Ş' | 'ş' => "S",
        'ß' => "SS",
        'Ť' | 'ť' | 'Ţ' | 'ţ' => "T",
        'Þ' | 'þ' => "TH",
        'Ù'..='Ü' | 'ù'..='ü' | 'Ū' | 'ū' | 'Ů' | 'ů' | 'Ű' | 'ű' => "U",
        'Ý' | 'ý' | 'ÿ' | 'Ÿ' => "Y",
        'Ź' | 'ź' | 'Ż' | 'ż' | 'Ž' | 'ž' => "Z",
        c if c.is_alphanumeric() => {
            out.extend(c.to_uppercase());
            return;
        }
        _ => " ",
    };
    out.push_str(base);
}

/// Upper case ASCII words: accents folded, anything but letters and digits (MRZ `<`, hyphens,
/// apostrophes, dots) a separator.
fn name_words(s: &str) -> Vec<String> {
    let mut folded = String::with_capacity(s.len());
    for c in s.chars() {
        fold_char(c, &mut folded);
    }
    folded.split_whitespace().map(str::to_owned).collect()
}

fn same_name(a: &str, b: &str) -> bool {
    name_words(a) == name_words(b)
}

fn same_name_any_order(a: &str, b: &str) -> bool {
    let (mut a, mut b) = (name_words(a), name_words(b));
    a.sort();
    b.sort();
    a == b
}

fn same_document_number(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        let alnum: String = s
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if alnum.chars().all(|c| c.is_ascii_digit()) {
            let t = alnum.trim_start_matches('0');
            if t.is_empty() {
                "0".to_owned()
            } else {
                t.to_owned()
            }
        } else {
            alnum
        }
    };
    norm(a) == norm(b)
}

/// A calendar date as (year, month, day).
type Ymd = (u32, u32, u32);

fn month_of(word: &str) -> Option<u32> {
    let w: String = name_words(word).concat();
    let w = w.get(..3)?;
    let m = match w {
        "JAN" | "ENE" => 1,
        "FEB" => 2,
        "MAR" => 3,
        "APR" | "ABR" => 4,
        "MAY" => 5,
        "JUN" => 6,
        "JUL" => 7,
        "AUG" | "AGO" => 8,
        "SEP" | "SET" => 9,
        "OCT" => 10,
        "NOV" => 11,
        "DEC" | "DIC" => 12,
        _ => return None,
    };
    Some(m)
}

/// Every calendar date a written date can stand for: ISO (with or without a time), `YYYYMMDD`,
/// `DD/MM/YYYY` and `MM/DD/YYYY` (both when ambiguous), any separator, two-digit years as
/// 19YY or 20YY, month names (English and Spanish, abbreviated or not).
fn date_candidates(s: &str) -> Vec<Ymd> {
    let s = s.trim();
    // An ISO timestamp: only its date.
    let s = match s.find(['T', 't']) {
        Some(i) if i >= 8 && s[..i].chars().all(|c| c.is_ascii_digit() || c == '-') => &s[..i],
        _ => s,
    };
    let parts: Vec<&str> = s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|p| {
            !p.is_empty()
                && !["de", "del", "of"]
                    .iter()
                    .any(|w| p.eq_ignore_ascii_case(w))
        })
        .collect();
    let num = |p: &str| -> Option<u32> {
        (p.chars().all(|c| c.is_ascii_digit()) && p.len() <= 4)
            .then(|| p.parse().ok())
            .flatten()
    };
    let years = |p: &str| -> Vec<u32> {
        match (num(p), p.len()) {
            (Some(y), 4) => vec![y],
            (Some(y), 2) => vec![1900 + y, 2000 + y],
            _ => Vec::new(),
        }
    };
    let mut out: Vec<Ymd> = Vec::new();
    match parts.as_slice() {
        [one] if one.len() == 8 && one.chars().all(|c| c.is_ascii_digit()) => {
            if let (Some(y), Some(m), Some(d)) = (num(&one[..4]), num(&one[4..6]), num(&one[6..])) {
                out.push((y, m, d));
            }
            if let (Some(d), Some(m), Some(y)) = (num(&one[..2]), num(&one[2..4]), num(&one[4..])) {
                out.push((y, m, d));
            }
        }
        [a, b, c] => {
            if a.len() == 4 {
                // Y M D (month as a number or a name).
                if let (Some(m), Some(d)) = (num(b).or_else(|| month_of(b)), num(c)) {
                    out.extend(years(a).into_iter().map(|y| (y, m, d)));
                }
            } else if let Some(m) = month_of(b).filter(|_| num(b).is_none()) {
                // D MON Y
                if let Some(d) = num(a) {
                    out.extend(years(c).into_iter().map(|y| (y, m, d)));
                }
            } else if let Some(m) = month_of(a).filter(|_| num(a).is_none()) {
                // MON D Y
                if let Some(d) = num(b) {
                    out.extend(years(c).into_iter().map(|y| (y, m, d)));
                }
            } else if let (Some(x), Some(z)) = (num(a), num(b)) {
                for y in years(c) {
                    out.push((y, z, x)); // D M Y
                    out.push((y, x, z)); // M D Y
                }
            }
        }
        _ => {}
    }
    out.retain(|&(_, m, d)| (1..=12).contains(&m) && (1..=31).contains(&d));
    out
}

fn same_date(server: &str, document: &str) -> bool {
    let s = date_candidates(server);
    let d = date_candidates(document);
    if s.is_empty() || d.is_empty() {
        // Not a date either side can read: compare the text.
        return name_words(server) == name_words(document);
    }
    d.iter().any(|x| s.contains(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(given: &str, sur: &str, number: &str, dob: &str) -> DocumentIdentity {
        let o = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        DocumentIdentity {
            given_names: o(given),
            surnames: o(sur),
            document_number: o(number),
            date_of_birth: o(dob),
        }
    }

    fn server(first: &str, last: &str, full: &str, number: &str, dob: &str) -> DocumentFields {
        let o = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        DocumentFields {
            first_name: o(first),
            last_name: o(last),
            full_name: o(full),
            document_number: o(number),
            date_of_birth: o(dob),
            ..DocumentFields::default()
        }
    }

    #[test]
    fn prefill_fills_names_only_when_none_was_typed() {
        let doc = identity("ANNA MARIA", "ERIKSSON", "L898902C3", "1974-08-12");
        let empty = SignUpData {
            email: Some("anna@example.com".into()),
            full_name: Some("   ".into()),
            ..SignUpData::default()
        };
        let p = empty.prefill_from_document(&doc);
        assert_eq!(p.signup.full_name.as_deref(), Some("Anna Maria Eriksson"));
        assert_eq!(p.signup.first_name.as_deref(), Some("Anna Maria"));
        assert_eq!(p.signup.last_name.as_deref(), Some("Eriksson"));
        assert_eq!(p.signup.email.as_deref(), Some("anna@example.com"));
        assert_eq!(p.filled, ["full_name", "first_name", "last_name"]);
        assert_eq!(p.document_number.as_deref(), Some("L898902C3"));
        assert_eq!(p.date_of_birth.as_deref(), Some("1974-08-12"));

        // A typed name is never overwritten, nor mixed with the document's.
        let typed = SignUpData {
            full_name: Some("Ana Eriksson".into()),
            ..SignUpData::default()
        };
        let p = typed.prefill_from_document(&doc);
        assert_eq!(p.signup, typed);
        assert!(p.filled.is_empty());
        assert_eq!(p.document_number.as_deref(), Some("L898902C3"));

        // Only a surname on the document: it is the full name and the last name.
        let p = SignUpData::default().prefill_from_document(&identity("", "O'NEIL-SMITH", "", ""));
        assert_eq!(p.signup.full_name.as_deref(), Some("O'Neil-Smith"));
        assert_eq!(p.signup.first_name, None);
        assert_eq!(p.filled, ["full_name", "last_name"]);
        assert_eq!(p.date_of_birth, None);

        // Redacted Debug.
        let dbg = format!("{:?}", SignUpData::default().prefill_from_document(&doc));
        assert!(!dbg.contains("Anna") && !dbg.contains("L898902C3"), "{dbg}");
    }

    #[test]
    fn agreement_is_normalised() {
        let doc = MachineReadableData::from(identity(
            "JOSE MARIA",
            "NUNEZ DE LA PENA",
            "0012345678",
            "1990-04-01",
        ));
        for s in [
            server(
                "José  María",
                "Núñez de la Peña",
                "",
                "12.345.678",
                "01/04/1990",
            ),
            server(
                "JOSE MARIA",
                "NUNEZ-DE-LA-PENA",
                "",
                "00-12345678",
                "1990-04-01T00:00:00Z",
            ),
            server("jose maria", "nunez de la pena", "", "12345678", "19900401"),
            server(
                "",
                "",
                "Núñez de la Peña José María",
                "12345678",
                "1 ABR 1990",
            ),
            server(
                "JOSE MARIA",
                "NUNEZ DE LA PENA",
                "",
                "12345678",
                "April 1, 1990",
            ),
            server("JOSE MARIA", "NUNEZ DE LA PENA", "", "12345678", "04/01/90"),
            // Either side missing: nothing to compare.
            server("", "", "", "", ""),
        ] {
            assert_eq!(doc.disagreements_with(&s), vec![], "{s:?}");
        }
    }

    #[test]
    fn disagreements_name_the_field_and_both_values() {
        let doc = MachineReadableData::from(identity(
            "ANNA MARIA",
            "ERIKSSON",
            "L898902C3",
            "1974-08-12",
        ));
        let s = server("ANA MARIA", "ERIKSSON", "", "L898902C8", "12/09/1974");
        let d = doc.disagreements_with(&s);
        let fields: Vec<&str> = d.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(fields, ["first_name", "document_number", "date_of_birth"]);
        assert_eq!(d[0].server, "ANA MARIA");
        assert_eq!(d[0].document, "ANNA MARIA");
        assert_eq!(d[1].server, "L898902C8");
        assert_eq!(d[2].document, "1974-08-12");
        // Full name in another order agrees; a different full name does not.
        let only_full = server("", "", "ERIKSSON ANNA MARIA", "", "");
        assert!(doc.disagreements_with(&only_full).is_empty());
        let other = server("", "", "ERIKSSON ANNA", "", "1974-08-13");
        let d = doc.disagreements_with(&other);
        assert_eq!(
            d.iter().map(|x| x.field.as_str()).collect::<Vec<_>>(),
            ["full_name", "date_of_birth"]
        );
        // Debug shows the field, never the values.
        let dbg = format!("{d:?} {doc:?}");
        assert!(dbg.contains("full_name"), "{dbg}");
        assert!(!dbg.contains("ERIKSSON") && !dbg.contains("1974"), "{dbg}");
    }

    #[test]
    fn dates_in_many_formats() {
        for (s, ymd) in [
            ("1990-04-01", (1990, 4, 1)),
            ("1990/4/1", (1990, 4, 1)),
            ("19900401", (1990, 4, 1)),
            ("01.04.1990", (1990, 4, 1)),
            ("01-ABR-1990", (1990, 4, 1)),
            ("1 de abril de 1990", (1990, 4, 1)),
            ("APR 01 1990", (1990, 4, 1)),
            ("1990-04-01T05:00:00.000Z", (1990, 4, 1)),
        ] {
            assert!(
                date_candidates(s).contains(&ymd),
                "{s}: {:?}",
                date_candidates(s)
            );
        }
        // 13/04: only day-first makes sense.
        assert_eq!(date_candidates("13/04/1990"), vec![(1990, 4, 13)]);
        assert!(date_candidates("not a date").is_empty());
        assert!(!same_date("13/04/1990", "1990-13-04"));
        assert!(same_date("unknown", "UNKNOWN"));
    }
}
