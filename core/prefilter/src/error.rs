//! Typed errors of the prefilter. Messages never contain image bytes or personal data.

/// A frame descriptor that does not match its buffers. Returned before any pixel is read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Width or height is zero or above [`crate::MAX_DIMENSION`].
    #[error("frame dimensions {width}x{height} are out of range (1..={max})")]
    BadDimensions { width: u32, height: u32, max: u32 },
    /// The format needs a different number of planes.
    #[error("{format:?} needs {expected} plane(s), got {got}")]
    PlaneCount {
        format: crate::PixelFormat,
        expected: &'static str,
        got: usize,
    },
    /// A pixel stride the format cannot have (e.g. 3 for a chroma plane).
    #[error("plane {plane}: pixel stride {pixel_stride} is not valid for {format:?}")]
    BadPixelStride {
        format: crate::PixelFormat,
        plane: usize,
        pixel_stride: u32,
    },
    /// A row stride shorter than one row of pixels.
    #[error("plane {plane}: row stride {row_stride} is shorter than a row ({min} bytes)")]
    BadRowStride {
        plane: usize,
        row_stride: u32,
        min: u64,
    },
    /// A plane buffer shorter than the format, size and strides require.
    #[error("plane {plane}: buffer has {got} bytes, needs at least {needed}")]
    BufferTooSmall {
        plane: usize,
        got: usize,
        needed: u64,
    },
    /// Rotation must be 0, 90, 180 or 270 degrees.
    #[error("rotation {0} is not one of 0, 90, 180, 270")]
    BadRotation(u32),
}

/// Errors of the prefilter (loading, analysing, capturing).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PrefilterError {
    /// No ONNX Runtime shared library was found (see the crate README, "ONNX Runtime": host, Android, iOS).
    #[error(
        "ONNX Runtime library not found (tried: {tried}); pass its path in the configuration or set ORT_DYLIB_PATH"
    )]
    RuntimeNotFound { tried: String },
    /// The ONNX Runtime library exists but could not be loaded or initialised.
    #[error("ONNX Runtime could not be loaded from {path}: {reason}")]
    RuntimeLoad { path: String, reason: String },
    /// The model file (face detector, or the blink step's landmark model) does not exist or
    /// cannot be read.
    #[error("face model not readable at {path}: {reason}")]
    ModelMissing { path: String, reason: String },
    /// The model bytes are not a valid ONNX model, or not the signature we decode (the reason
    /// starts with the model: "BlazeFace 128x128" or "Face Mesh landmarks 192x192").
    #[error("face model is corrupt or not the expected model: {reason}")]
    ModelInvalid { reason: String },
    /// ONNX Runtime failed while running the model.
    #[error("face model inference failed: {reason}")]
    Inference { reason: String },
    /// The face detector is not available (it failed to load earlier; see the first error).
    #[error("face detector unavailable: {reason}")]
    DetectorUnavailable { reason: String },
    /// The frame descriptor or buffers are invalid.
    #[error("invalid frame: {0}")]
    Frame(#[from] FrameError),
    /// An encoded image (PNG/JPEG/WebP) could not be decoded.
    #[error("image could not be decoded: {reason}")]
    ImageDecode { reason: String },
    /// The captured selfie could not be encoded within the size budget.
    #[error("captured image could not be encoded: {reason}")]
    Encode { reason: String },
    /// A configuration value is out of range.
    #[error("invalid prefilter configuration: {reason}")]
    Config { reason: String },
}
