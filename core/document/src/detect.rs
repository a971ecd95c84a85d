//! Document detection in camera frames and stills, guidance and auto-capture.
//!
//! SKELETON (coordinator): the types are the agreed interface; the bodies are filled in by the
//! detection work (issue 13 items 1–3).

use image::RgbImage;
use serde::Serialize;
use smart_enroll_prefilter::FrameView;

use crate::DocumentError;

/// One prioritised instruction for the user; the stable snake_case key is what apps localise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentGuidance {
    /// No document outline in the frame.
    NoDocument,
    /// The document is too small in the frame.
    MoveCloser,
    /// The document is too large or leaves the frame.
    MoveBack,
    /// The document is too skewed (perspective) or rotated.
    Align,
    /// The page is not sharp.
    Blurry,
    /// A specular highlight covers part of the page.
    Glare,
    /// The page is too dark.
    TooDark,
    /// The page is too bright.
    TooBright,
    /// All good: hold still while good frames are counted.
    HoldStill,
    /// Captured (or, for a still, good to upload).
    Ok,
}

impl DocumentGuidance {
    /// Every key, in priority order.
    pub const ALL: [DocumentGuidance; 10] = [
        DocumentGuidance::NoDocument,
        DocumentGuidance::MoveCloser,
        DocumentGuidance::MoveBack,
        DocumentGuidance::Align,
        DocumentGuidance::TooDark,
        DocumentGuidance::TooBright,
        DocumentGuidance::Blurry,
        DocumentGuidance::Glare,
        DocumentGuidance::HoldStill,
        DocumentGuidance::Ok,
    ];

    /// The stable localisation key.
    pub fn key(self) -> &'static str {
        match self {
            DocumentGuidance::NoDocument => "no_document",
            DocumentGuidance::MoveCloser => "move_closer",
            DocumentGuidance::MoveBack => "move_back",
            DocumentGuidance::Align => "align",
            DocumentGuidance::Blurry => "blurry",
            DocumentGuidance::Glare => "glare",
            DocumentGuidance::TooDark => "too_dark",
            DocumentGuidance::TooBright => "too_bright",
            DocumentGuidance::HoldStill => "hold_still",
            DocumentGuidance::Ok => "ok",
        }
    }
}

/// The document's outline: four corners clockwise from the top-left, in pixels of the upright
/// frame (or of the still image).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quad {
    /// Top-left, top-right, bottom-right, bottom-left, as `[x, y]`.
    pub corners: [[f32; 2]; 4],
}

/// The measurements behind one frame's guidance.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct DocumentMetrics {
    /// Document area / frame area (0 when none).
    pub coverage: f32,
    /// Page sharpness (variance of the Laplacian on the page).
    pub sharpness: f32,
    /// Mean luma of the page (0–255).
    pub brightness: f32,
    /// Fraction of the page in specular highlight (0–1).
    pub glare: f32,
    /// Worst corner angle deviation from 90°, degrees.
    pub skew_deg: f32,
    /// Long side / short side of the found quad, after perspective.
    pub aspect: f32,
}

/// What one frame gave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentFeedback {
    /// The instruction to show.
    pub guidance: DocumentGuidance,
    /// The found outline, if any.
    pub quad: Option<Quad>,
    /// The measurements.
    pub metrics: DocumentMetrics,
    /// 0–1: how close the capture is (good frames counted / needed).
    pub readiness: f32,
    /// True on the frame that completed the capture (then [`DocumentCapture::result`] holds it).
    pub captured: bool,
}

/// Auto-capture settings.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentCaptureConfig {
    /// Good frames in a row before capturing.
    pub good_frames: u32,
    /// Long-edge limit of the captured JPEG, pixels.
    pub max_long_edge: u32,
    /// Byte budget of the captured JPEG.
    pub max_jpeg_bytes: usize,
}

impl Default for DocumentCaptureConfig {
    fn default() -> Self {
        Self {
            good_frames: 5,
            max_long_edge: 2000,
            max_jpeg_bytes: 600 * 1024,
        }
    }
}

/// The captured page.
#[derive(Clone, PartialEq)]
pub struct CapturedDocument {
    /// The flat, upright page as JPEG (≤ 2000 px long edge, ≤ 600 KB by default).
    pub jpeg: Vec<u8>,
    /// The page's corners in the frame it was taken from.
    pub corners: Quad,
    /// Width and height of the flattened page.
    pub width: u32,
    /// Height of the flattened page.
    pub height: u32,
    /// The sharpness of the chosen frame.
    pub sharpness: f32,
}

impl std::fmt::Debug for CapturedDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CapturedDocument")
            .field("jpeg", &format_args!("<{} bytes>", self.jpeg.len()))
            .field("corners", &self.corners)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("sharpness", &self.sharpness)
            .finish()
    }
}

/// How a still image was judged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentReport {
    /// Whether a document outline was found.
    pub found: bool,
    /// The outline, in image pixels.
    pub quad: Option<Quad>,
    /// The instruction (for a still: `ok` when good to upload).
    pub guidance: DocumentGuidance,
    /// The measurements.
    pub metrics: DocumentMetrics,
}

/// Live document capture: feed camera frames, get guidance, and a flat page once enough good
/// frames came in a row.
#[derive(Debug)]
pub struct DocumentCapture {
    config: DocumentCaptureConfig,
    result: Option<CapturedDocument>,
}

impl DocumentCapture {
    /// A capture with these settings.
    pub fn new(config: DocumentCaptureConfig) -> Result<Self, DocumentError> {
        Ok(Self {
            config,
            result: None,
        })
    }

    /// The settings.
    pub fn config(&self) -> &DocumentCaptureConfig {
        &self.config
    }

    /// Judges one frame (SKELETON: always `no_document` until the detector lands).
    pub fn process_view(&mut self, _frame: &FrameView<'_>) -> DocumentFeedback {
        DocumentFeedback {
            guidance: DocumentGuidance::NoDocument,
            quad: None,
            metrics: DocumentMetrics::default(),
            readiness: 0.0,
            captured: false,
        }
    }

    /// The captured page, once captured.
    pub fn result(&self) -> Option<&CapturedDocument> {
        self.result.as_ref()
    }

    /// Starts over (after a retake).
    pub fn reset(&mut self) {
        self.result = None;
    }
}

/// Judges a still image (SKELETON: nothing found until the detector lands).
pub fn analyze_image(_image: &RgbImage) -> DocumentReport {
    DocumentReport {
        found: false,
        quad: None,
        guidance: DocumentGuidance::NoDocument,
        metrics: DocumentMetrics::default(),
    }
}

/// Warps the quad of `image` to a flat upright page (SKELETON).
pub fn flatten(image: &RgbImage, _quad: &Quad) -> Result<RgbImage, DocumentError> {
    Ok(image.clone())
}
