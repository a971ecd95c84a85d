//! PDF417 barcodes (the back of a Colombian cédula, AAMVA driver licences): decoding and the
//! payload parsers, and the three-identical-reads rule for a document side.
//!
//! - [`read_pdf417`] decodes with `rxing` (PDF417 decoder only) and classifies each payload;
//! - [`parse_payload`] classifies a decoded text: [`aamva`] or [`cedula`], else
//!   [`BarcodeKind::Unknown`]; [`explain_payload`] also says why a parser refused it;
//! - [`SideReader`] accepts a side after three identical decodes in a row.

pub mod aamva;
pub mod cedula;
mod decode;
mod side;

use std::collections::BTreeMap;

use serde::Serialize;

pub use decode::read_pdf417;
pub use side::{SideReader, SideStatus};

/// What a barcode payload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BarcodeKind {
    /// An AAMVA driver licence / ID card (`@\n\x1e\rANSI 636…`).
    Aamva,
    /// The back of a Colombian cédula de ciudadanía.
    ColombianCedula,
    /// Anything else.
    Unknown,
}

/// One decoded barcode. Personal data: `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct BarcodeReading {
    /// Always "pdf417" here.
    pub format: String,
    /// The decoded text.
    pub text: String,
    /// What the payload is.
    pub kind: BarcodeKind,
    /// Parsed fields (AAMVA element IDs such as `DAQ`, or the cédula's named fields).
    pub fields: BTreeMap<String, String>,
}

impl std::fmt::Debug for BarcodeReading {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BarcodeReading")
            .field("format", &self.format)
            .field("kind", &self.kind)
            .field(
                "text",
                &format_args!("<{} chars>", self.text.chars().count()),
            )
            .finish()
    }
}

/// Why a payload that looked like one of the known layouts was not accepted as it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadRefusal {
    /// It starts like an AAMVA card but its header or subfiles are unreadable.
    #[error("not a readable AAMVA payload: {0}")]
    Aamva(#[from] aamva::AamvaError),
    /// It is not a Colombian cédula payload (which rule failed).
    #[error("not a Colombian cédula payload: {0}")]
    Cedula(#[from] cedula::CedulaError),
}

/// Classifies and parses a decoded payload: AAMVA, else the Colombian cédula, else
/// [`BarcodeKind::Unknown`] with no fields. A text that fails a rule of a layout is `Unknown`,
/// never a partial parse; [`explain_payload`] says which rule failed.
pub fn parse_payload(text: &str) -> BarcodeReading {
    explain_payload(text).0
}

/// [`parse_payload`], plus why the text was refused when it is [`BarcodeKind::Unknown`]: the
/// AAMVA refusal when the text starts with the AAMVA compliance indicator `@`, else the
/// cédula parser's. The refusal never contains the payload's data.
pub fn explain_payload(text: &str) -> (BarcodeReading, Option<PayloadRefusal>) {
    let reading = |kind, fields| BarcodeReading {
        format: "pdf417".to_owned(),
        text: text.to_owned(),
        kind,
        fields,
    };
    let aamva_refusal = if aamva::looks_like_aamva(text) {
        match aamva::parse(text) {
            Ok(card) => return (reading(BarcodeKind::Aamva, card.into_fields()), None),
            Err(e) => Some(PayloadRefusal::from(e)),
        }
    } else {
        None
    };
    match cedula::parse(text) {
        Ok(c) => (reading(BarcodeKind::ColombianCedula, c.into_fields()), None),
        Err(e) => {
            let refusal = aamva_refusal.unwrap_or(PayloadRefusal::from(e));
            tracing::debug!(%refusal, "barcode payload not recognised");
            (
                reading(BarcodeKind::Unknown, BTreeMap::new()),
                Some(refusal),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_text_has_no_fields_and_a_refusal() {
        let (r, why) = explain_payload("1234567890");
        assert_eq!(r.kind, BarcodeKind::Unknown);
        assert_eq!(r.format, "pdf417");
        assert!(r.fields.is_empty());
        assert_eq!(
            why,
            Some(PayloadRefusal::Cedula(cedula::CedulaError::TooShort {
                chars: 10
            }))
        );
        let (r, why) = explain_payload("@\n\u{1e}\rANSI 6360");
        assert_eq!(r.kind, BarcodeKind::Unknown);
        assert!(matches!(why, Some(PayloadRefusal::Aamva(_))));
        assert!(!format!("{r:?}").contains("ANSI"));
    }

    #[test]
    fn arbitrary_text_never_panics_the_parsers() {
        use rand::rngs::StdRng;
        use rand::{Rng, SeedableRng};
        const PIECES: [&str; 16] = [
            "@\n\u{1e}\r",
            "ANSI 636",
            "AAMVA",
            "0900",
            "DL",
            "0031",
            "DAQ",
            "DBB",
            "\n",
            "\r",
            "PubDSK_1",
            "Ñ",
            "é",
            "\0",
            "0M1990",
            "PEREZ",
        ];
        let mut rng = StdRng::seed_from_u64(13);
        for _ in 0..1000 {
            let mut t = String::new();
            let n = rng.random_range(0..200);
            for _ in 0..n {
                if rng.random_bool(0.5) {
                    t.push_str(PIECES[rng.random_range(0..PIECES.len())]);
                } else {
                    t.push(char::from(rng.random::<u8>()));
                }
            }
            if rng.random_bool(0.3) {
                t = format!("@\n\u{1e}\rANSI 636014090001DL0031{:04}{t}", t.len());
            }
            let (r, why) = explain_payload(&t);
            assert_eq!(r.kind == BarcodeKind::Unknown, why.is_some());
        }
    }
}
