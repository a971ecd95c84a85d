//! The crate's error type.

/// Why a document operation failed.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The frame's buffers do not match its declared format and size.
    #[error("invalid frame: {0}")]
    Frame(#[from] smart_enroll_prefilter::FrameError),
    /// The image could not be decoded.
    #[error("the image could not be decoded: {reason}")]
    ImageDecode {
        /// What the decoder said.
        reason: String,
    },
    /// The captured page could not be encoded within the upload budget.
    #[error("the captured page could not be encoded: {reason}")]
    Encode {
        /// What went wrong.
        reason: String,
    },
    /// The app's text recognizer failed.
    #[error("text recognition failed: {reason}")]
    TextRecognition {
        /// What the recognizer reported.
        reason: String,
    },
    /// A configuration value is out of range.
    #[error("invalid configuration: {reason}")]
    InvalidConfig {
        /// Which value and why.
        reason: String,
    },
}
