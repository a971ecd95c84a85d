#![doc = include_str!("../README.md")]
pub mod barcode;
pub mod detect;
pub mod error;
pub mod identity;
pub mod mrz;

pub use barcode::{BarcodeKind, BarcodeReading, SideReader, SideStatus};
pub use detect::{
    CapturedDocument, DocumentCapture, DocumentCaptureConfig, DocumentFeedback, DocumentGuidance,
    DocumentMetrics, DocumentReport, DocumentThresholds, Quad,
};
pub use error::DocumentError;
pub use identity::DocumentIdentity;
pub use mrz::{
    CalendarDay, MrzFields, MrzFormat, MrzReading, TextRecognizer, find_mrz, find_mrz_as_of,
};
