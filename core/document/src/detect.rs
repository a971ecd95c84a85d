//! Document detection in camera frames and stills, guidance and auto-capture.
//!
//! The pipeline (see the crate README, "Detection"): a downscaled luma image (≈ 320 px long
//! edge, in a buffer kept across frames) → contrast stretch → Canny → dilation → contours →
//! convex hull → Douglas–Peucker quad → ID-1 / TD3 aspect and edge-support checks; then the
//! page metrics sampled through the quad's homography at full resolution, and the guidance.

mod edges;
mod page;
mod pipeline;
mod source;

use image::RgbImage;
use imageproc::geometric_transformations::{Interpolation, Projection, warp_into};
use serde::Serialize;
use smart_enroll_prefilter::frame::{AxisMap, PixelFetch, PixelVisitor};
use smart_enroll_prefilter::{Frame, FrameView};

use crate::DocumentError;
use pipeline::{Analysis, Buffers};
pub use pipeline::{ID1_ASPECT, TD3_ASPECT};
use source::{FrameSource, ImageSource};

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
    /// In-plane rotation of the page (mean angle of its top and bottom sides from the
    /// horizontal, folded to ±45°), degrees.
    pub rotation_deg: f32,
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

/// The detection and guidance thresholds. The defaults are tuned on the synthetic scenes of
/// `tests/detection.rs` (1280×720 frames, ID-1 cards and TD3 pages).
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentThresholds {
    /// Long edge of the downscaled luma image the outline is searched in, pixels. Default 320.
    pub work_long_edge: u32,
    /// Canny hysteresis thresholds (gradient magnitude, after a 1st–99th percentile contrast
    /// stretch). Defaults 40 and 100.
    pub canny_low: f32,
    /// See `canny_low`.
    pub canny_high: f32,
    /// Smallest outline still reported (as `move_closer`), fraction of the frame. Default 0.03.
    pub min_detect_coverage: f32,
    /// Relative tolerance of the outline's long/short ratio against ID-1 (1.585) or TD3
    /// (1.420). Default 0.15.
    pub aspect_tolerance: f32,
    /// Fraction of the outline's sides that must lie on image edges. Default 0.75.
    pub min_edge_support: f32,
    /// Below this coverage (page area / frame area): `move_closer`. Default 0.20.
    pub min_coverage: f32,
    /// Above this coverage: `move_back`. Default 0.80.
    pub max_coverage: f32,
    /// A corner closer than this to the frame's edge (fraction of the frame's short side) means
    /// the page leaves the frame: `move_back`. Default 0.01.
    pub border_margin: f32,
    /// Largest corner-angle deviation from 90° (perspective): above it, `align`. Default 12°.
    pub max_skew_deg: f32,
    /// Largest in-plane rotation: above it, `align`. Default 20°.
    pub max_rotation_deg: f32,
    /// Mean page luma below this: `too_dark`. Default 60.
    pub min_brightness: f32,
    /// Mean page luma above this: `too_bright`. Default 215.
    pub max_brightness: f32,
    /// Variance of the Laplacian on the page (full resolution) below this: `blurry`. Default 60.
    pub min_sharpness: f32,
    /// Fraction of the page in specular highlight above this: `glare`. Default 0.02.
    pub max_glare: f32,
    /// A page pixel is a highlight at this luma or above… Default 245.
    pub glare_luma: u8,
    /// …when its channels differ by at most this (near-white, unsaturated). Default 30.
    pub glare_max_chroma: u8,
    /// …and its luma is at least this much above the page's median luma (a white page, e.g.
    /// a scan or a pale card, is bright, not glared). Default 20.
    pub glare_margin: u8,
    /// A corner moving more than this (fraction of the frame diagonal) between two frames
    /// restarts the good-frame count. Default 0.02.
    pub max_motion: f32,
}

impl Default for DocumentThresholds {
    fn default() -> Self {
        Self {
            work_long_edge: 320,
            canny_low: 40.0,
            canny_high: 100.0,
            min_detect_coverage: 0.03,
            aspect_tolerance: 0.15,
            min_edge_support: 0.75,
            min_coverage: 0.20,
            max_coverage: 0.80,
            border_margin: 0.01,
            max_skew_deg: 12.0,
            max_rotation_deg: 20.0,
            min_brightness: 60.0,
            max_brightness: 215.0,
            min_sharpness: 60.0,
            max_glare: 0.02,
            glare_luma: 245,
            glare_max_chroma: 30,
            glare_margin: 20,
            max_motion: 0.02,
        }
    }
}

impl DocumentThresholds {
    fn validate(&self) -> Result<(), DocumentError> {
        let bad = |reason: &str| {
            Err(DocumentError::InvalidConfig {
                reason: reason.to_owned(),
            })
        };
        if !(64..=2048).contains(&self.work_long_edge) {
            return bad("work_long_edge must be 64..=2048");
        }
        if !(self.canny_low > 0.0 && self.canny_low <= self.canny_high) {
            return bad("canny thresholds must satisfy 0 < canny_low <= canny_high");
        }
        let fractions = [
            self.min_detect_coverage,
            self.aspect_tolerance,
            self.min_edge_support,
            self.min_coverage,
            self.max_coverage,
            self.border_margin,
            self.max_glare,
            self.max_motion,
        ];
        if fractions.iter().any(|f| !(0.0..=1.0).contains(f)) {
            return bad(
                "coverage, tolerance, support, margin, glare and motion are fractions 0..=1",
            );
        }
        if [
            self.max_skew_deg,
            self.max_rotation_deg,
            self.min_brightness,
            self.max_brightness,
            self.min_sharpness,
        ]
        .iter()
        .any(|v| !v.is_finite())
        {
            return bad("thresholds must be finite");
        }
        Ok(())
    }
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
///
/// Steady state (no capture in progress) allocates nothing of its own per frame: the working
/// image lives in a buffer kept across frames. imageproc's Canny and contour finder allocate
/// their own intermediates (see the crate README and BENCHMARKS.md for the count). A good frame
/// sharper than the best one so far is warped to a flat page at once (into a kept buffer),
/// because the camera's buffers are gone after [`DocumentCapture::process_view`] returns.
#[derive(Debug)]
pub struct DocumentCapture {
    config: DocumentCaptureConfig,
    thresholds: DocumentThresholds,
    buffers: Buffers,
    good: u32,
    last_quad: Option<Quad>,
    best_sharpness: f32,
    best_quad: Option<Quad>,
    page: Vec<u8>,
    page_size: (u32, u32),
    result: Option<CapturedDocument>,
}

impl DocumentCapture {
    /// A capture with these settings and the default [`DocumentThresholds`].
    pub fn new(config: DocumentCaptureConfig) -> Result<Self, DocumentError> {
        Self::with_thresholds(config, DocumentThresholds::default())
    }

    /// A capture with these settings and thresholds.
    pub fn with_thresholds(
        config: DocumentCaptureConfig,
        thresholds: DocumentThresholds,
    ) -> Result<Self, DocumentError> {
        if config.good_frames == 0 {
            return Err(DocumentError::InvalidConfig {
                reason: "good_frames must be at least 1".to_owned(),
            });
        }
        if config.max_long_edge < 64 {
            return Err(DocumentError::InvalidConfig {
                reason: "max_long_edge must be at least 64 pixels".to_owned(),
            });
        }
        if config.max_jpeg_bytes < 4096 {
            return Err(DocumentError::InvalidConfig {
                reason: "max_jpeg_bytes must be at least 4096".to_owned(),
            });
        }
        thresholds.validate()?;
        Ok(Self {
            config,
            thresholds,
            buffers: Buffers::default(),
            good: 0,
            last_quad: None,
            best_sharpness: -1.0,
            best_quad: None,
            page: Vec::new(),
            page_size: (0, 0),
            result: None,
        })
    }

    /// The settings.
    pub fn config(&self) -> &DocumentCaptureConfig {
        &self.config
    }

    /// The thresholds.
    pub fn thresholds(&self) -> &DocumentThresholds {
        &self.thresholds
    }

    /// Judges one owned frame (validates it first).
    pub fn process_frame(&mut self, frame: &Frame) -> Result<DocumentFeedback, DocumentError> {
        Ok(self.process_view(&frame.view()?))
    }

    /// Judges one frame: the outline, the metrics, one instruction; counts good frames and
    /// captures the sharpest page after [`DocumentCaptureConfig::good_frames`] in a row.
    pub fn process_view(&mut self, frame: &FrameView<'_>) -> DocumentFeedback {
        let (width, height) = frame.upright_size();
        let analysis = frame.visit(AnalyzeVisitor {
            buffers: &mut self.buffers,
            thresholds: &self.thresholds,
            width,
            height,
        });
        let last = std::mem::replace(&mut self.last_quad, analysis.quad);
        if self.result.is_some() {
            return DocumentFeedback {
                guidance: DocumentGuidance::Ok,
                quad: analysis.quad,
                metrics: analysis.metrics,
                readiness: 1.0,
                captured: false,
            };
        }
        let mut guidance =
            pipeline::judge(&analysis, &self.thresholds, DocumentGuidance::HoldStill);
        let mut captured = false;
        match (guidance, analysis.quad) {
            (DocumentGuidance::HoldStill, Some(quad)) => {
                let diagonal = (width as f32).hypot(height as f32);
                if let Some(prev) = last
                    && max_corner_shift(&prev, &quad) > self.thresholds.max_motion * diagonal
                {
                    self.restart();
                }
                self.good += 1;
                if analysis.metrics.sharpness > self.best_sharpness {
                    let size =
                        page::page_size(&quad, analysis.page_aspect, self.config.max_long_edge);
                    let warped = frame.visit(WarpVisitor {
                        quad: &quad,
                        size,
                        out: &mut self.page,
                        width,
                        height,
                    });
                    match warped {
                        Ok(()) => {
                            self.best_sharpness = analysis.metrics.sharpness;
                            self.best_quad = Some(quad);
                            self.page_size = size;
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "document page warp failed");
                            self.restart();
                        }
                    }
                }
                if self.good >= self.config.good_frames {
                    match self.finish() {
                        Ok(doc) => {
                            self.result = Some(doc);
                            captured = true;
                            guidance = DocumentGuidance::Ok;
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "document capture failed; counting again");
                            self.restart();
                        }
                    }
                }
            }
            _ => self.restart(),
        }
        let readiness = if self.result.is_some() {
            1.0
        } else {
            (self.good as f32 / self.config.good_frames as f32).min(1.0)
        };
        DocumentFeedback {
            guidance,
            quad: analysis.quad,
            metrics: analysis.metrics,
            readiness,
            captured,
        }
    }

    fn restart(&mut self) {
        self.good = 0;
        self.best_sharpness = -1.0;
        self.best_quad = None;
    }

    fn finish(&mut self) -> Result<CapturedDocument, DocumentError> {
        let quad = self.best_quad.ok_or_else(|| DocumentError::Encode {
            reason: "no page was kept".to_owned(),
        })?;
        let (w, h) = self.page_size;
        let img = RgbImage::from_raw(w, h, std::mem::take(&mut self.page)).ok_or_else(|| {
            DocumentError::Encode {
                reason: "page buffer size mismatch".to_owned(),
            }
        })?;
        let jpeg = page::encode_jpeg(&img, self.config.max_jpeg_bytes);
        self.page = img.into_raw();
        let jpeg = jpeg?;
        let (width, height) = image::ImageReader::new(std::io::Cursor::new(&jpeg))
            .with_guessed_format()
            .ok()
            .and_then(|r| r.into_dimensions().ok())
            .unwrap_or((w, h));
        Ok(CapturedDocument {
            jpeg,
            corners: quad,
            width,
            height,
            sharpness: self.best_sharpness,
        })
    }

    /// The captured page, once captured.
    pub fn result(&self) -> Option<&CapturedDocument> {
        self.result.as_ref()
    }

    /// Starts over (after a retake).
    pub fn reset(&mut self) {
        self.result = None;
        self.last_quad = None;
        self.restart();
    }
}

fn max_corner_shift(a: &Quad, b: &Quad) -> f32 {
    a.corners
        .iter()
        .zip(&b.corners)
        .map(|(p, q)| (p[0] - q[0]).hypot(p[1] - q[1]))
        .fold(0.0, f32::max)
}

struct AnalyzeVisitor<'a> {
    buffers: &'a mut Buffers,
    thresholds: &'a DocumentThresholds,
    width: usize,
    height: usize,
}

impl PixelVisitor for AnalyzeVisitor<'_> {
    type Output = Analysis;
    fn visit<P: PixelFetch>(self, pixels: &P, map: AxisMap) -> Analysis {
        let src = FrameSource {
            pixels,
            map,
            width: self.width,
            height: self.height,
        };
        pipeline::analyze(&src, self.buffers, self.thresholds)
    }
}

struct WarpVisitor<'a> {
    quad: &'a Quad,
    size: (u32, u32),
    out: &'a mut Vec<u8>,
    width: usize,
    height: usize,
}

impl PixelVisitor for WarpVisitor<'_> {
    type Output = Result<(), DocumentError>;
    fn visit<P: PixelFetch>(self, pixels: &P, map: AxisMap) -> Self::Output {
        let src = FrameSource {
            pixels,
            map,
            width: self.width,
            height: self.height,
        };
        page::warp_page(&src, self.quad, self.size.0, self.size.1, self.out)
    }
}

/// Judges a still image with the default thresholds: `ok` when the page is good to upload.
pub fn analyze_image(image: &RgbImage) -> DocumentReport {
    analyze_image_with(image, &DocumentThresholds::default())
}

/// Judges a still image with these thresholds.
pub fn analyze_image_with(image: &RgbImage, thresholds: &DocumentThresholds) -> DocumentReport {
    let mut buffers = Buffers::default();
    let analysis = pipeline::analyze(&ImageSource(image), &mut buffers, thresholds);
    DocumentReport {
        found: analysis.quad.is_some(),
        quad: analysis.quad,
        guidance: pipeline::judge(&analysis, thresholds, DocumentGuidance::Ok),
        metrics: analysis.metrics,
    }
}

/// Warps the quad of `image` to a flat upright page (perspective correction, bilinear). The
/// page gets the ID-1 or TD3 aspect when the quad matches one within 15 %, else the quad's own;
/// its long edge is the quad's longest side (at most 2000 px).
pub fn flatten(image: &RgbImage, quad: &Quad) -> Result<RgbImage, DocumentError> {
    let degenerate = || DocumentError::InvalidConfig {
        reason: "the quad is degenerate (its corners do not span an area)".to_owned(),
    };
    if quad.corners.iter().flatten().any(|v| !v.is_finite())
        || pipeline::polygon_area(&quad.corners) < 1.0
        || image.width() == 0
        || image.height() == 0
    {
        return Err(degenerate());
    }
    let measured = pipeline::quad_aspect(&quad.corners);
    let aspect = [ID1_ASPECT, TD3_ASPECT]
        .into_iter()
        .find(|a| ((measured - a) / a).abs() <= 0.15)
        .unwrap_or(measured);
    let (w, h) = page::page_size(quad, aspect, 2000);
    let (fw, fh) = (w as f32, h as f32);
    // warp_into wants image → page: the inverse of unit square → quad, then unit square → page
    // pixels (pixel centres at +0.5).
    let to_page = pipeline::page_projection(quad)
        .ok_or_else(degenerate)?
        .invert()
        .and_then(Projection::scale(fw, fh))
        .and_then(Projection::translate(-0.5, -0.5));
    let mut out = RgbImage::new(w, h);
    warp_into(
        image,
        to_page,
        Interpolation::Bilinear,
        imageproc::geometric_transformations::Border::Replicate,
        &mut out,
    );
    Ok(out)
}
