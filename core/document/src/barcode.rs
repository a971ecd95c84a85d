//! PDF417 barcodes (the back of a Colombian cédula, AAMVA driver licences): decoding and the
//! payload parsers, and the three-identical-reads rule for a document side.
//!
//! SKELETON (coordinator): the types are the agreed interface; the bodies are filled in by the
//! PDF417 work (issue 13 item 5).

use std::collections::BTreeMap;

use image::GrayImage;
use serde::Serialize;

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

/// Decodes PDF417 codes in `image` (SKELETON: none until the decoder lands).
pub fn read_pdf417(_image: &GrayImage) -> Vec<BarcodeReading> {
    Vec::new()
}

/// Classifies and parses a decoded payload (SKELETON).
pub fn parse_payload(text: &str) -> BarcodeReading {
    BarcodeReading {
        format: "pdf417".to_owned(),
        text: text.to_owned(),
        kind: BarcodeKind::Unknown,
        fields: BTreeMap::new(),
    }
}

/// Where a side's reading stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SideStatus {
    /// Keep shooting.
    Reading {
        /// Identical decodes in a row so far.
        matches: u32,
        /// Shots without a decode so far.
        failures: u32,
    },
    /// Three identical decodes in a row: the side is read.
    Read(BarcodeReading),
    /// Four shots without a decode: the app may go on without it.
    GiveUp,
}

/// Accepts a side after three identical decodes in a row; gives up after four failed shots.
#[derive(Debug, Default)]
pub struct SideReader {
    last: Option<BarcodeReading>,
    matches: u32,
    failures: u32,
}

impl SideReader {
    /// A fresh reader.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one shot's decode (or `None` when nothing decoded) (SKELETON).
    pub fn push(&mut self, reading: Option<BarcodeReading>) -> SideStatus {
        match reading {
            None => {
                self.failures += 1;
            }
            Some(r) => {
                self.last = Some(r);
                self.matches += 1;
            }
        }
        SideStatus::Reading {
            matches: self.matches,
            failures: self.failures,
        }
    }
}
