//! The capture object: per-frame feedback, auto-capture and the optional challenge.

use std::path::PathBuf;
use std::sync::Mutex;

use crate::challenge::{
    Challenge, ChallengeConfig, ChallengeFailure, ChallengeStatus, ChallengeStep, TurnDirection,
};

/// Face motion between two frames (face widths) that counts as a different face.
const FACE_JUMP: f32 = 0.5;
/// Score a face found only by a still image's tile pass must reach when detected again at the
/// detector's best scale (see `Inner::detect_still`).
const STILL_CONFIRM_SCORE: f32 = 0.75;
use crate::detector::{Detection, Detector, ModelSource, Tile};
use crate::error::PrefilterError;
use crate::eyes::{EyeEstimator, EyeOpenness};
use crate::frame::{Frame, FrameView, PixelFormat, Plane, Rotation};
use crate::quality::{
    Analyzer, FrameMetrics, GuidanceCode, QualityThresholds, guidance, still_guidance,
};

/// Prefilter settings.
#[derive(Debug, Clone, PartialEq)]
pub struct PrefilterConfig {
    pub thresholds: QualityThresholds,
    /// Consecutive good frames before auto-capture.
    pub good_frames: u32,
    /// Optional active challenge, run before the capture.
    pub challenge: Option<ChallengeConfig>,
    /// The face detector (BlazeFace).
    pub model: ModelSource,
    /// The blink step's landmark model (Face Mesh); loaded only when the challenge has `blink`.
    pub landmark_model: ModelSource,
    /// Explicit ONNX Runtime library (overrides discovery; first load in the process only).
    pub runtime_path: Option<PathBuf>,
    /// JPEG long-edge limit in pixels.
    pub jpeg_max_side: u32,
    /// JPEG size limit in bytes.
    pub jpeg_max_bytes: u32,
    /// Margin around the face in the captured crop, in face widths on each side.
    pub crop_margin: f32,
    /// Still images only ([`Prefilter::analyze_image`]): a second detection pass over
    /// overlapping tiles ([`Tile::still_tiles`]), so a second face much smaller than the first
    /// is found. Camera frames never take it. On by default (cost: BENCHMARKS.md).
    pub still_second_pass: bool,
    /// Whether the preview the user sees is mirrored (a front-camera selfie preview; default
    /// true). It decides only the left/right words of the challenge ([`TurnDirection`],
    /// [`GuidanceCode::TurnHeadLeft`]/[`GuidanceCode::TurnHeadRight`]): "left" is always the
    /// side of the preview the face should turn to. The image itself is never affected: frames
    /// are un-mirrored by [`Frame::mirrored`] (whether the buffer is a mirror image), and the
    /// captured JPEG is always the true, unmirrored scene.
    pub preview_mirrored: bool,
}

impl Default for PrefilterConfig {
    fn default() -> Self {
        Self {
            thresholds: QualityThresholds::default(),
            good_frames: 5,
            challenge: None,
            model: ModelSource::Embedded,
            landmark_model: ModelSource::Embedded,
            runtime_path: None,
            jpeg_max_side: 1080,
            jpeg_max_bytes: 150_000,
            crop_margin: 0.6,
            still_second_pass: true,
            preview_mirrored: true,
        }
    }
}

/// A point in upright-frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

/// A detected face in upright-frame pixels (or captured-image pixels in a [`CaptureResult`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FaceBox {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    pub score: f32,
    /// Right eye, left eye, nose tip, mouth, right ear, left ear (model labels).
    pub keypoints: Vec<Point>,
}

impl From<&Detection> for FaceBox {
    fn from(d: &Detection) -> Self {
        Self {
            x: d.x,
            y: d.y,
            width: d.w,
            height: d.h,
            score: d.score,
            keypoints: d
                .keypoints
                .iter()
                .map(|k| Point { x: k[0], y: k[1] })
                .collect(),
        }
    }
}

/// The feedback for one frame.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FrameFeedback {
    /// The one prioritised instruction (localise [`GuidanceCode::key`]).
    pub guidance: GuidanceCode,
    pub metrics: FrameMetrics,
    /// Progress towards the capture, 0..=1 (challenge steps, then consecutive good frames).
    pub readiness: f32,
    /// Faces above the score threshold, best first, upright-frame pixels.
    pub faces: Vec<FaceBox>,
    /// True on the frame that completed the capture (the result is then in [`Prefilter::result`]).
    pub captured: bool,
    /// The challenge state, when a challenge is configured. During a blink step
    /// ([`ChallengeStatus::Blink`]) `guidance` is [`GuidanceCode::Blink`] while the face is usable.
    pub challenge: Option<ChallengeStatus>,
    /// Eye-aspect ratios of this frame, measured only on frames that arrive while a blink step
    /// is active (not on the frame that starts it), on a usable face.
    pub eye_openness: Option<EyeOpenness>,
}

/// The captured selfie. `Debug` never prints the image bytes.
#[derive(Clone, PartialEq)]
pub struct CaptureResult {
    /// JPEG, long edge ≤ `jpeg_max_side`, size ≤ `jpeg_max_bytes`.
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// The face in the JPEG's pixel coordinates.
    pub face: FaceBox,
    /// Metrics of the frame the crop came from.
    pub metrics: FrameMetrics,
    pub timestamp_ms: u64,
    /// True when a configured challenge was passed before the capture.
    pub challenge_passed: bool,
}

impl std::fmt::Debug for CaptureResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureResult")
            .field("jpeg", &format_args!("<{} bytes>", self.jpeg.len()))
            .field("width", &self.width)
            .field("height", &self.height)
            .field("timestamp_ms", &self.timestamp_ms)
            .field("challenge_passed", &self.challenge_passed)
            .finish_non_exhaustive()
    }
}

/// Analysis of one still image (CLI `prefilter`, `enroll`'s pre-flight, the demo, the bindings'
/// photo check), judged on what the server needs: one face, large and sharp enough, well
/// exposed, frontal ([`still_guidance`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ImageAnalysis {
    pub width: u32,
    pub height: u32,
    /// Every face found (whole-frame pass, then the tile pass), main face first.
    pub faces: Vec<FaceBox>,
    /// The one refusal reason, or `hold_still` when the photo is usable.
    pub guidance: GuidanceCode,
    /// Framing advice that does not refuse a still (`face_off_center`); empty when none.
    #[serde(default)]
    pub advice: Vec<GuidanceCode>,
    pub metrics: FrameMetrics,
}

impl ImageAnalysis {
    /// True when the photo is usable as it is (the advice may still suggest a better framing).
    pub fn passes(&self) -> bool {
        self.guidance.is_good()
    }
}

/// The best frame of the current good streak: its crop, already RGB (the only full-resolution
/// conversion, of the face region only). The buffer is reused across candidates.
#[derive(Debug, Default)]
struct Candidate {
    rgb: Vec<u8>,
    width: u32,
    height: u32,
    face: Option<FaceBox>,
    metrics: FrameMetrics,
    timestamp_ms: u64,
}

struct Inner {
    config: PrefilterConfig,
    detector: Option<Detector>,
    detector_error: Option<PrefilterError>,
    eyes: Option<EyeEstimator>,
    eyes_error: Option<PrefilterError>,
    analyzer: Analyzer,
    challenge: Option<Challenge>,
    streak: u32,
    candidate: Candidate,
    has_candidate: bool,
    result: Option<CaptureResult>,
}

/// The capture object: feed it camera frames, get [`FrameFeedback`], and take the
/// [`CaptureResult`] once captured. `Send + Sync`; share it behind an `Arc`.
///
/// It is a capture-quality gate, not presentation-attack detection: the server's liveness score
/// decides.
pub struct Prefilter {
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for Prefilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prefilter").finish_non_exhaustive()
    }
}

fn validate(config: &PrefilterConfig) -> Result<(), PrefilterError> {
    let bad = |reason: &str| {
        Err(PrefilterError::Config {
            reason: reason.to_owned(),
        })
    };
    if config.good_frames == 0 || config.good_frames > 300 {
        return bad("good_frames must be 1..=300");
    }
    if config.jpeg_max_side < 64 || config.jpeg_max_side > 8192 {
        return bad("jpeg_max_side must be 64..=8192");
    }
    if config.jpeg_max_bytes < 8_000 {
        return bad("jpeg_max_bytes must be at least 8000");
    }
    if !(0.0..=3.0).contains(&config.crop_margin) {
        return bad("crop_margin must be 0..=3");
    }
    if let Some(c) = &config.challenge
        && (c.turns == 0
            || c.turns > 6
            || c.turn_yaw_deg <= c.straight_yaw_deg
            || c.step_timeout_ms == 0)
    {
        return bad("challenge: turns 1..=6, turn_yaw_deg > straight_yaw_deg, step_timeout_ms > 0");
    }
    if let Some(c) = &config.challenge
        && c.blink
        && !(c.blink_open_ear > 0.0
            && c.blink_open_ear < 1.0
            && c.blink_closed_ratio > 0.0
            && c.blink_closed_ratio < c.blink_reopen_ratio
            && c.blink_reopen_ratio <= 1.0)
    {
        return bad(
            "challenge blink: 0 < blink_open_ear < 1, 0 < blink_closed_ratio < blink_reopen_ratio <= 1",
        );
    }
    Ok(())
}

impl Prefilter {
    /// Creates the capture object. A detector that cannot load (no ONNX Runtime, missing or
    /// corrupt model) is not an error here: it is logged once, kept in
    /// [`Prefilter::detector_error`], and the prefilter runs in quality-only mode.
    /// Only an invalid configuration is an error.
    pub fn new(config: PrefilterConfig) -> Result<Self, PrefilterError> {
        validate(&config)?;
        let (detector, detector_error) =
            match Detector::load(&config.model, config.runtime_path.as_deref()) {
                Ok(d) => (Some(d), None),
                Err(err) => {
                    tracing::warn!(%err, "face detector unavailable; quality-only mode");
                    (None, Some(err))
                }
            };
        let (eyes, eyes_error) = if config.challenge.is_some_and(|c| c.blink) {
            match EyeEstimator::load(&config.landmark_model, config.runtime_path.as_deref()) {
                Ok(e) => (Some(e), None),
                Err(err) => {
                    tracing::warn!(%err, "landmark model unavailable; the challenge runs without the blink step");
                    (None, Some(err))
                }
            }
        } else {
            (None, None)
        };
        let mut inner = Inner {
            config,
            detector,
            detector_error,
            eyes,
            eyes_error,
            analyzer: Analyzer::new(),
            challenge: None,
            streak: 0,
            candidate: Candidate::default(),
            has_candidate: false,
            result: None,
        };
        inner.challenge = inner.new_challenge();
        Ok(Self {
            inner: Mutex::new(inner),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic can't happen while the lock is held (no panicking code), but never propagate poison.
        self.inner
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Why the detector is unavailable (`None` when it loaded).
    pub fn detector_error(&self) -> Option<PrefilterError> {
        self.lock().detector_error.clone()
    }

    /// True when faces are detected (false = quality-only mode).
    pub fn detector_available(&self) -> bool {
        self.lock().detector.is_some()
    }

    /// Why the blink step is not available although configured (`None` when the landmark model
    /// loaded, or no blink was asked for). Logged once at construction; the challenge then runs
    /// without the blink step.
    pub fn blink_error(&self) -> Option<PrefilterError> {
        self.lock().eyes_error.clone()
    }

    /// True when the challenge includes a blink step (configured and the landmark model loaded).
    pub fn blink_available(&self) -> bool {
        self.lock().eyes.is_some()
    }

    /// True when a challenge is configured and can run: its head turns are measured on the
    /// face detector's landmarks, so without the detector (quality-only mode) no challenge is
    /// started, [`FrameFeedback::challenge`] stays `None`, and the capture goes on with the
    /// quality checks only (its result has `challenge_passed` false). False without a configured
    /// challenge.
    pub fn challenge_available(&self) -> bool {
        let inner = self.lock();
        inner.config.challenge.is_some() && inner.detector.is_some()
    }

    /// Why a configured challenge cannot run (`None` when it can, or when none is configured):
    /// the face detector is unavailable, with its load error. Contains no personal data.
    pub fn challenge_unavailable_reason(&self) -> Option<String> {
        let inner = self.lock();
        if inner.config.challenge.is_none() || inner.detector.is_some() {
            return None;
        }
        let why = inner
            .detector_error
            .as_ref()
            .map_or_else(|| "not loaded".to_owned(), |e| e.to_string());
        Some(format!(
            "the challenge needs the face detector, which is unavailable ({why}); capturing with the quality checks only"
        ))
    }

    /// The challenge's step sequence, if a challenge is configured and available (see
    /// [`Prefilter::challenge_available`]).
    pub fn challenge_steps(&self) -> Option<Vec<ChallengeStep>> {
        self.lock().challenge.as_ref().map(|c| c.steps().to_vec())
    }

    /// Processes one camera frame (owned descriptor, what the bindings pass).
    pub fn process_frame(&self, frame: &Frame) -> Result<FrameFeedback, PrefilterError> {
        let view = frame.view()?;
        Ok(self.process_view(&view))
    }

    /// Processes one borrowed, validated frame (zero-copy path for Rust callers).
    pub fn process_view(&self, frame: &FrameView<'_>) -> FrameFeedback {
        self.lock().process(frame)
    }

    /// The captured selfie, once [`FrameFeedback::captured`] was true.
    pub fn result(&self) -> Option<CaptureResult> {
        self.lock().result.clone()
    }

    /// Starts over: clears the streak, the result and restarts the challenge (new random
    /// sequence; none when the challenge is unavailable).
    pub fn reset(&self) {
        let mut inner = self.lock();
        inner.streak = 0;
        inner.has_candidate = false;
        inner.result = None;
        inner.analyzer.reset();
        inner.challenge = inner.new_challenge();
    }

    /// Analyses one encoded still image (JPEG; PNG and WebP when the build enables those `image`
    /// decoders, as the CLI does; otherwise a typed `ImageDecode` error). Does not touch the
    /// capture state.
    pub fn analyze_image(&self, encoded: &[u8]) -> Result<ImageAnalysis, PrefilterError> {
        let decode_err = |reason: String| PrefilterError::ImageDecode { reason };
        let mut reader = image::ImageReader::new(std::io::Cursor::new(encoded))
            .with_guessed_format()
            .map_err(|e| decode_err(e.to_string()))?;
        // Refuse oversized images before allocating for them.
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(crate::MAX_DIMENSION);
        limits.max_image_height = Some(crate::MAX_DIMENSION);
        limits.max_alloc = Some(512 * 1024 * 1024);
        reader.limits(limits);
        let img = reader.decode().map_err(|e| decode_err(e.to_string()))?;
        let (w, h) = (img.width(), img.height());
        if w == 0 || h == 0 || w > crate::MAX_DIMENSION || h > crate::MAX_DIMENSION {
            return Err(crate::FrameError::BadDimensions {
                width: w,
                height: h,
                max: crate::MAX_DIMENSION,
            }
            .into());
        }
        let rgba = img.to_rgba8();
        let planes = [Plane {
            data: rgba.as_raw(),
            row_stride: w * 4,
            pixel_stride: 4,
        }];
        let view = FrameView::new(PixelFormat::Rgba, w, h, Rotation::Deg0, false, 0, &planes)?;
        let mut inner = self.lock();
        inner.analyze_still(&view)
    }
}

impl Inner {
    /// A fresh challenge from the configuration; the blink step only when its model loaded.
    /// None without the face detector: head turns cannot be measured, so such a challenge could
    /// only time out (quality-only mode captures without it).
    fn new_challenge(&self) -> Option<Challenge> {
        self.detector.as_ref()?;
        self.config.challenge.map(|mut c| {
            c.blink &= self.eyes.is_some();
            Challenge::new(c)
        })
    }

    /// Detection (if available) → metrics → base guidance. Returns the main detection too.
    fn evaluate(
        &mut self,
        frame: &FrameView<'_>,
        check_yaw: bool,
    ) -> (FrameMetrics, GuidanceCode, Vec<FaceBox>, Option<Detection>) {
        let t = self.config.thresholds;
        let faces: Option<&[Detection]> = match self.detector.as_mut() {
            Some(det) => {
                det.prepare(frame);
                match det.infer(t.min_face_score) {
                    Ok(f) => Some(f),
                    Err(err) => {
                        tracing::warn!(%err, "inference failed for a frame");
                        Some(&[])
                    }
                }
            }
            None => None,
        };
        let metrics = self.analyzer.measure(frame, faces, &t);
        let main = faces.and_then(|f| f.first().copied());
        let boxes: Vec<FaceBox> = faces
            .map(|f| f.iter().map(FaceBox::from).collect())
            .unwrap_or_default();
        let code = guidance(&metrics, main.as_ref(), frame.upright_size(), &t, check_yaw);
        (metrics, code, boxes, main)
    }

    /// Faces in a still image: the whole-frame pass, then, with `still_second_pass`, one pass
    /// per tile ([`Tile::still_tiles`]). A tile's face counts when it lies whole inside the tile
    /// (not cut by an inner tile edge) and is not a face already found (IoU > 0.3, or more than
    /// 40% of the smaller box covered). `None` in quality-only mode.
    fn detect_still(&mut self, frame: &FrameView<'_>) -> Option<Vec<Detection>> {
        let min_score = self.config.thresholds.min_face_score;
        let second_pass = self.config.still_second_pass;
        let det = self.detector.as_mut()?;
        det.prepare(frame);
        let faces: Vec<Detection> = match det.infer(min_score) {
            Ok(f) => f.to_vec(),
            Err(err) => {
                tracing::warn!(%err, "inference failed for a still image");
                return Some(Vec::new());
            }
        };
        if !second_pass {
            return Some(faces);
        }
        let (uw, uh) = frame.upright_size();
        let (fw, fh) = (uw as f32, uh as f32);
        let mut found: Vec<Detection> = Vec::new();
        for tile in Tile::still_tiles(uw, uh) {
            det.prepare_tile(frame, tile);
            let tile_faces = match det.infer(min_score) {
                Ok(f) => f,
                Err(err) => {
                    tracing::warn!(%err, "inference failed for a still-image tile");
                    continue;
                }
            };
            let edge = 0.02 * tile.side;
            for d in tile_faces {
                let cut = (tile.x > 0.5 && d.x < tile.x + edge)
                    || (tile.y > 0.5 && d.y < tile.y + edge)
                    || (tile.x + tile.side < fw - 0.5 && d.x + d.w > tile.x + tile.side - edge)
                    || (tile.y + tile.side < fh - 0.5 && d.y + d.h > tile.y + tile.side - edge);
                let known = faces
                    .iter()
                    .chain(found.iter())
                    .any(|f| f.iou(d) > 0.3 || f.overlap(d) > 0.4);
                if !cut && !known {
                    found.push(*d);
                }
            }
        }
        // Refine every face at the detector's best scale: a tile centred on it, 2.5 face widths
        // wide (the face then fills ~40% of the model input, as in a selfie). The whole-frame
        // faces take the refined box and keypoints when the refinement finds them (a small
        // face in a large photo gets steadier keypoints, so yaw and roll are measured better);
        // a face only the tiles saw must be confirmed there with a score of at least
        // `STILL_CONFIRM_SCORE`, which drops the low-score tile hits on clothing and texture.
        let mut refined: Vec<Detection> = Vec::with_capacity(faces.len() + found.len());
        let whole = faces.len();
        for (i, d) in faces.into_iter().chain(found).enumerate() {
            let side = d.w.max(d.h) * 2.5;
            let tile = Tile {
                x: d.x + d.w / 2.0 - side / 2.0,
                y: d.y + d.h / 2.0 - side / 2.0,
                side,
            };
            det.prepare_tile(frame, tile);
            let best = match det.infer(min_score) {
                Ok(f) => f
                    .iter()
                    .filter(|r| r.iou(&d) > 0.3)
                    .max_by(|a, b| a.score.total_cmp(&b.score))
                    .copied(),
                Err(_) => None,
            };
            match best {
                Some(r) if i < whole || r.score >= STILL_CONFIRM_SCORE => refined.push(r),
                None if i < whole => refined.push(d),
                _ => {}
            }
        }
        Some(refined)
    }

    fn analyze_still(&mut self, frame: &FrameView<'_>) -> Result<ImageAnalysis, PrefilterError> {
        let t = self.config.thresholds;
        self.analyzer.reset();
        let detections = self.detect_still(frame);
        let metrics = self.analyzer.measure(frame, detections.as_deref(), &t);
        self.analyzer.reset();
        let main = detections.as_ref().and_then(|f| f.first().copied());
        let (code, advice) = still_guidance(&metrics, main.as_ref(), frame.upright_size(), &t);
        let (w, h) = frame.upright_size();
        Ok(ImageAnalysis {
            width: w as u32,
            height: h as u32,
            faces: detections
                .map(|f| f.iter().map(FaceBox::from).collect())
                .unwrap_or_default(),
            guidance: code,
            advice,
            metrics,
        })
    }

    fn process(&mut self, frame: &FrameView<'_>) -> FrameFeedback {
        let challenge_turning = self.challenge.as_ref().is_some_and(|c| {
            !matches!(
                c.status(),
                ChallengeStatus::Passed | ChallengeStatus::Failed(_)
            )
        });
        let (metrics, base, faces, main) = self.evaluate(frame, !challenge_turning);
        let good_frames = self.config.good_frames;

        if self.result.is_some() {
            return FrameFeedback {
                guidance: GuidanceCode::Captured,
                metrics,
                readiness: 1.0,
                faces,
                captured: false,
                challenge: self.challenge.as_ref().map(|c| c.status()),
                eye_openness: None,
            };
        }

        // Face continuity around the challenge: a jump during the challenge fails it (a face or
        // photo swapped in), and after a passed challenge the face must stay in view, alone,
        // until the capture; otherwise the challenge starts over.
        if let Some(ch) = self.challenge.as_mut() {
            let single = metrics.detector_available && metrics.face_count == 1;
            let jumped = single && metrics.motion > FACE_JUMP;
            match ch.status() {
                ChallengeStatus::Passed if !single || jumped => {
                    let mut config = self.config.challenge.unwrap_or_default();
                    config.blink &= self.eyes.is_some();
                    *ch = Challenge::new(config);
                    self.streak = 0;
                    self.has_candidate = false;
                }
                ChallengeStatus::Passed | ChallengeStatus::Failed(_) => {}
                _ if jumped => ch.fail(ChallengeFailure::FaceChanged),
                _ => {}
            }
        }

        // Challenge phase: the face must be usable (every check but yaw) for the turn to count.
        if let Some(ch) = self.challenge.as_mut() {
            let usable = matches!(
                base,
                GuidanceCode::HoldStill | GuidanceCode::Moving | GuidanceCode::Blurry
            ) && metrics.detector_available;
            // The landmark model runs only during a blink step, on a usable face.
            let eye_openness = match (ch.wants_eyes() && usable, self.eyes.as_mut(), &main) {
                (true, Some(est), Some(face)) => match est.estimate(frame, face) {
                    Ok(openness) => openness,
                    Err(err) => {
                        tracing::warn!(%err, "landmark inference failed for a frame");
                        None
                    }
                },
                _ => None,
            };
            // The challenge counts turns toward the preview's sides: the user's own left is the
            // preview's left only when the preview is mirrored.
            let preview_sign = if self.config.preview_mirrored {
                1.0
            } else {
                -1.0
            };
            let status = match ch.status() {
                ChallengeStatus::Passed | ChallengeStatus::Failed(_) => ch.status(),
                _ => ch.update_with_eyes(
                    frame.timestamp_ms(),
                    if usable {
                        metrics.yaw_deg.map(|y| preview_sign * y)
                    } else {
                        None
                    },
                    eye_openness.map(|e| e.mean()),
                ),
            };
            let progress = ch.progress();
            let guidance_code = match status {
                ChallengeStatus::Failed(_) => Some(GuidanceCode::ChallengeFailed),
                ChallengeStatus::Passed => None,
                ChallengeStatus::Turn { direction, .. } => Some(if usable {
                    match direction {
                        TurnDirection::Left => GuidanceCode::TurnHeadLeft,
                        TurnDirection::Right => GuidanceCode::TurnHeadRight,
                    }
                } else {
                    base
                }),
                ChallengeStatus::LookStraight { .. } => Some(if usable {
                    GuidanceCode::LookStraight
                } else {
                    base
                }),
                ChallengeStatus::Blink { .. } => {
                    Some(if usable { GuidanceCode::Blink } else { base })
                }
            };
            if let Some(code) = guidance_code {
                self.streak = 0;
                self.has_candidate = false;
                return FrameFeedback {
                    guidance: code,
                    metrics,
                    readiness: 0.5 * progress,
                    faces,
                    captured: false,
                    challenge: Some(status),
                    eye_openness,
                };
            }
        }
        let challenge_status = self.challenge.as_ref().map(|c| c.status());
        let base_readiness = if self.challenge.is_some() { 0.5 } else { 0.0 };
        let scale = 1.0 - base_readiness;

        if !base.is_good() {
            self.streak = 0;
            self.has_candidate = false;
            return FrameFeedback {
                guidance: base,
                metrics,
                readiness: base_readiness,
                faces,
                captured: false,
                challenge: challenge_status,
                eye_openness: None,
            };
        }
        self.streak += 1;
        let sharper = !self.has_candidate || metrics.sharpness > self.candidate.metrics.sharpness;
        if sharper {
            self.store_candidate(frame, main.as_ref(), metrics);
        }
        let mut captured = false;
        let mut code = GuidanceCode::HoldStill;
        if self.streak >= good_frames && self.has_candidate {
            match self.encode_candidate() {
                Ok(result) => {
                    self.result = Some(result);
                    captured = true;
                    code = GuidanceCode::Captured;
                }
                Err(err) => {
                    tracing::warn!(%err, "capture encoding failed; continuing");
                    self.streak = 0;
                    self.has_candidate = false;
                }
            }
        }
        FrameFeedback {
            guidance: code,
            metrics,
            readiness: if captured {
                1.0
            } else {
                base_readiness + scale * (self.streak as f32 / good_frames as f32).min(1.0)
            },
            faces,
            captured,
            challenge: challenge_status,
            eye_openness: None,
        }
    }

    /// Crops the face (with margin) from the frame into the reusable candidate buffer, downscaled
    /// so the long edge is ≤ `jpeg_max_side`.
    fn store_candidate(
        &mut self,
        frame: &FrameView<'_>,
        main: Option<&Detection>,
        metrics: FrameMetrics,
    ) {
        let (uw, uh) = frame.upright_size();
        let (fw, fh) = (uw as f32, uh as f32);
        let (cx, cy, bw, bh) = match main {
            Some(d) => (d.x + d.w / 2.0, d.y + d.h / 2.0, d.w, d.h),
            None => (fw / 2.0, fh / 2.0, fw.min(fh) * 0.5, fw.min(fh) * 0.5),
        };
        let m = self.config.crop_margin;
        let cw = (bw * (1.0 + 2.0 * m)).clamp(1.0, fw);
        let ch = (bh * (1.0 + 2.0 * m) * 1.15).clamp(1.0, fh);
        let x0 = (cx - cw / 2.0).clamp(0.0, fw - cw);
        let y0 = (cy - ch / 2.0).clamp(0.0, fh - ch);
        let max_side = self.config.jpeg_max_side as f32;
        let s = (max_side / cw.max(ch)).min(1.0);
        let ow = ((cw * s).round() as u32).max(1);
        let oh = ((ch * s).round() as u32).max(1);
        let n = ((1.0 / s).ceil() as usize).clamp(1, 3);
        let c = &mut self.candidate;
        c.rgb.clear();
        c.rgb.reserve((ow * oh * 3) as usize);
        let (maxu, maxv) = (fw - 1.0, fh - 1.0);
        for j in 0..oh {
            for i in 0..ow {
                let mut acc = [0u32; 3];
                for sj in 0..n {
                    let v = (y0 + (j as f32 + (sj as f32 + 0.5) / n as f32) / s).clamp(0.0, maxv)
                        as usize;
                    for si in 0..n {
                        let u = (x0 + (i as f32 + (si as f32 + 0.5) / n as f32) / s)
                            .clamp(0.0, maxu) as usize;
                        let p = frame.rgb(u, v);
                        acc[0] += u32::from(p[0]);
                        acc[1] += u32::from(p[1]);
                        acc[2] += u32::from(p[2]);
                    }
                }
                let k = (n * n) as u32;
                c.rgb.extend(acc.iter().map(|a| ((a + k / 2) / k) as u8));
            }
        }
        c.width = ow;
        c.height = oh;
        c.face = main.map(|d| {
            let mut f = FaceBox::from(d);
            f.x = (f.x - x0) * s;
            f.y = (f.y - y0) * s;
            f.width *= s;
            f.height *= s;
            for k in f.keypoints.iter_mut() {
                k.x = (k.x - x0) * s;
                k.y = (k.y - y0) * s;
            }
            f
        });
        c.metrics = metrics;
        c.timestamp_ms = frame.timestamp_ms();
        self.has_candidate = true;
    }

    /// Encodes the candidate as JPEG within the byte budget (lower quality first, then smaller).
    fn encode_candidate(&self) -> Result<CaptureResult, PrefilterError> {
        let c = &self.candidate;
        let limit = self.config.jpeg_max_bytes as usize;
        let mut rgb =
            image::RgbImage::from_raw(c.width, c.height, c.rgb.clone()).ok_or_else(|| {
                PrefilterError::Encode {
                    reason: "candidate buffer size mismatch".to_owned(),
                }
            })?;
        let mut face = c.face.clone().unwrap_or(FaceBox {
            x: 0.0,
            y: 0.0,
            width: c.width as f32,
            height: c.height as f32,
            score: 0.0,
            keypoints: Vec::new(),
        });
        for _attempt in 0..6 {
            for quality in [90u8, 80, 70, 60, 50] {
                let mut out = Vec::with_capacity(limit);
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
                    .encode(
                        rgb.as_raw(),
                        rgb.width(),
                        rgb.height(),
                        image::ExtendedColorType::Rgb8,
                    )
                    .map_err(|e| PrefilterError::Encode {
                        reason: e.to_string(),
                    })?;
                if out.len() <= limit {
                    return Ok(CaptureResult {
                        jpeg: out,
                        width: rgb.width(),
                        height: rgb.height(),
                        face,
                        metrics: c.metrics,
                        timestamp_ms: c.timestamp_ms,
                        challenge_passed: self
                            .challenge
                            .as_ref()
                            .is_some_and(|ch| ch.status() == ChallengeStatus::Passed),
                    });
                }
            }
            let (nw, nh) = ((rgb.width() * 3 / 4).max(1), (rgb.height() * 3 / 4).max(1));
            rgb = image::imageops::resize(&rgb, nw, nh, image::imageops::FilterType::Triangle);
            face.x *= 0.75;
            face.y *= 0.75;
            face.width *= 0.75;
            face.height *= 0.75;
            for k in face.keypoints.iter_mut() {
                k.x *= 0.75;
                k.y *= 0.75;
            }
        }
        Err(PrefilterError::Encode {
            reason: format!("could not fit the JPEG under {limit} bytes"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gray_frame(ts: u64) -> Frame {
        Frame {
            format: PixelFormat::Rgba,
            width: 64,
            height: 64,
            rotation: Rotation::Deg0,
            mirrored: false,
            timestamp_ms: ts,
            planes: vec![crate::FramePlane {
                data: vec![128; 64 * 64 * 4],
                row_stride: 64 * 4,
                pixel_stride: 4,
            }],
        }
    }

    #[test]
    fn losing_the_face_after_a_passed_challenge_restarts_it() {
        let config = ChallengeConfig {
            turns: 1,
            ..ChallengeConfig::default()
        };
        // The committed model file, so the test runs with and without `embedded-face-model`.
        let model = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../models")
            .join(crate::detector::MODEL_FILE);
        let p = Prefilter::new(PrefilterConfig {
            challenge: Some(config),
            model: ModelSource::Path(model),
            ..PrefilterConfig::default()
        })
        .unwrap();
        assert!(
            p.detector_error().is_none(),
            "{:?}: run scripts/test.sh (it installs onnxruntime)",
            p.detector_error()
        );
        {
            let mut inner = p.lock();
            let mut ch = Challenge::with_steps(config, vec![TurnDirection::Left]);
            for (t, yaw) in [(0, 0.0), (100, 40.0), (200, 0.0)] {
                ch.update(t, Some(yaw));
            }
            assert_eq!(ch.status(), ChallengeStatus::Passed);
            inner.challenge = Some(ch);
        }
        let fb = p.process_frame(&gray_frame(300)).unwrap();
        assert!(
            matches!(
                fb.challenge,
                Some(ChallengeStatus::LookStraight { step: 0, .. })
            ),
            "{:?}",
            fb.challenge
        );
        assert_eq!(fb.guidance, GuidanceCode::FaceNotFound);
        assert!(!fb.captured && p.result().is_none());
    }
}
