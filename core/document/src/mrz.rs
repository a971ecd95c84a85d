//! The machine-readable zone (ICAO 9303 TD1, TD2, TD3): found in recognised text, parsed with
//! check digits.
//!
//! SKELETON (coordinator): the types are the agreed interface; the bodies are filled in by the
//! MRZ work (issue 13 item 4).

use image::RgbImage;
use serde::Serialize;

use crate::DocumentError;

/// The app's OCR (ML Kit on Android, Vision on iOS; the CLI and the tests bring their own).
pub trait TextRecognizer: Send + Sync {
    /// The text recognised in `image`, lines separated by `\n`.
    fn recognize_text(&self, image: &RgbImage) -> Result<String, DocumentError>;
}

/// The MRZ layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum MrzFormat {
    /// ID-1 cards: three lines of 30.
    #[serde(rename = "TD1")]
    Td1,
    /// ID-2: two lines of 36.
    #[serde(rename = "TD2")]
    Td2,
    /// Passports: two lines of 44.
    #[serde(rename = "TD3")]
    Td3,
}

impl MrzFormat {
    /// "TD1", "TD2" or "TD3".
    pub fn as_str(self) -> &'static str {
        match self {
            MrzFormat::Td1 => "TD1",
            MrzFormat::Td2 => "TD2",
            MrzFormat::Td3 => "TD3",
        }
    }
}

/// The fields of an MRZ. Personal data: `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Default, Serialize)]
pub struct MrzFields {
    /// Primary identifier (split at the first `<<`, `<` read as a space).
    pub surname: String,
    /// Secondary identifier.
    pub given_names: String,
    /// Document number.
    pub document_number: String,
    /// Nationality (three letters).
    pub nationality: String,
    /// Date of birth, `YYYY-MM-DD` (never in the future: YY above this year's is 19YY).
    pub date_of_birth: String,
    /// `M`, `F` or `X`.
    pub sex: String,
    /// Date of expiry, `YYYY-MM-DD` (20YY).
    pub expiry_date: String,
    /// Issuing state (three letters).
    pub issuing_state: String,
}

impl std::fmt::Debug for MrzFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MrzFields(<redacted>)")
    }
}

/// One MRZ reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MrzReading {
    /// The layout found.
    pub format: MrzFormat,
    /// True only when every check digit holds, the composite one included.
    pub valid: bool,
    /// The fields (after check-digit-guided repair of OCR confusions).
    pub fields: MrzFields,
    /// The fields whose check digit failed (`document_number`, `date_of_birth`,
    /// `expiry_date`, `optional_data`, `composite`); empty when valid.
    pub failed_checks: Vec<String>,
}

/// Finds and parses an MRZ in recognised text (SKELETON: finds nothing until the parser lands).
pub fn find_mrz(_text: &str) -> Option<MrzReading> {
    None
}

/// Recognises the text of `image` with `recognizer` and finds an MRZ in it.
pub fn read_mrz(
    recognizer: &dyn TextRecognizer,
    image: &RgbImage,
) -> Result<Option<MrzReading>, DocumentError> {
    let text = recognizer.recognize_text(image)?;
    Ok(find_mrz(&text))
}

/// The SDK's own text source for MRZ lines printed in a known monospaced MRZ font (the CLI and
/// the tests; the apps use their platform OCR).
pub mod ocr {
    use image::RgbImage;

    use super::TextRecognizer;
    use crate::DocumentError;

    /// Template-matching reader of MRZ lines (SKELETON: recognises nothing until the MRZ work
    /// lands).
    #[derive(Debug, Default)]
    pub struct MrzGlyphReader {}

    impl MrzGlyphReader {
        /// A reader with the bundled glyph templates.
        pub fn new() -> Result<Self, DocumentError> {
            Ok(Self {})
        }
    }

    impl TextRecognizer for MrzGlyphReader {
        fn recognize_text(&self, _image: &RgbImage) -> Result<String, DocumentError> {
            Ok(String::new())
        }
    }
}
