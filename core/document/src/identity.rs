//! What a document's own machine-readable data says about its holder: to prefill sign-up and to
//! cross-check the server's OCR (the review).

use serde::Serialize;

use crate::{BarcodeKind, BarcodeReading, MrzReading};

/// Identity fields from an MRZ or a barcode. Personal data: `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Default, Serialize)]
pub struct DocumentIdentity {
    /// Given names, as printed (space-separated).
    pub given_names: Option<String>,
    /// Surnames (space-separated).
    pub surnames: Option<String>,
    /// Document number.
    pub document_number: Option<String>,
    /// Date of birth, `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
}

impl std::fmt::Debug for DocumentIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DocumentIdentity(<redacted>)")
    }
}

impl DocumentIdentity {
    /// From a valid MRZ reading.
    pub fn from_mrz(reading: &MrzReading) -> Self {
        let f = &reading.fields;
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        Self {
            given_names: opt(&f.given_names),
            surnames: opt(&f.surname),
            document_number: opt(&f.document_number),
            date_of_birth: opt(&f.date_of_birth),
        }
    }

    /// From a parsed barcode: the AAMVA card's `surname` (`DCS`, `DAB` or `DAA`),
    /// `given_names` (`DAC` + `DAD`, or `DCT`), `document_number` (`DAQ`) and `date_of_birth`
    /// (`DBB`, normalised); the cédula's first and second surnames (joined by a space), given
    /// names, document number and date of birth. Empty for [`BarcodeKind::Unknown`].
    pub fn from_barcode(reading: &BarcodeReading) -> Self {
        let f = &reading.fields;
        let get = |k: &str| f.get(k).filter(|v| !v.is_empty()).cloned();
        match reading.kind {
            BarcodeKind::Aamva => Self {
                given_names: get("given_names"),
                surnames: get("surname"),
                document_number: get("document_number"),
                date_of_birth: get("date_of_birth"),
            },
            BarcodeKind::ColombianCedula => {
                let surnames: Vec<String> = ["first_surname", "second_surname"]
                    .iter()
                    .filter_map(|k| get(k))
                    .collect();
                Self {
                    given_names: get("given_names"),
                    surnames: (!surnames.is_empty()).then(|| surnames.join(" ")),
                    document_number: get("document_number"),
                    date_of_birth: get("date_of_birth"),
                }
            }
            BarcodeKind::Unknown => Self::default(),
        }
    }
}
