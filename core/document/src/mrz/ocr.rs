//! placeholder
use image::RgbImage;

use super::TextRecognizer;
use crate::DocumentError;

/// Template-matching reader of MRZ lines.
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
