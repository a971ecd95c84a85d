//! The liveness prefilter for camera frames: `LivenessCapture` wraps the core's `Prefilter`
//! (a capture-quality gate with optional head-turn and blink challenge; the server's liveness
//! score decides, nothing here is certified presentation-attack detection).

use std::sync::Arc;

use smart_enroll_core::prefilter as pf;

use crate::error::SmartEnrollError;

type Result<T> = std::result::Result<T, SmartEnrollError>;

/// Pixel layout of a camera frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PixelFormat {
    /// Android NV21 (one plane Y+VU, or two planes Y, VU).
    Nv21,
    /// NV12 / iOS `420YpCbCr8BiPlanar` (one or two planes).
    Nv12,
    /// Android `YUV_420_888` (CameraX `ImageProxy`): three planes Y, U, V.
    Yuv420,
    /// iOS `32BGRA`: one plane, pixel stride 4.
    Bgra,
    /// RGBA: one plane, pixel stride 4.
    Rgba,
}

/// One plane of a camera frame, with its strides (as the camera gives them).
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct FramePlane {
    pub data: Vec<u8>,
    pub row_stride: i32,
    pub pixel_stride: i32,
}

impl std::fmt::Debug for FramePlane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FramePlane")
            .field("bytes", &self.data.len())
            .field("row_stride", &self.row_stride)
            .field("pixel_stride", &self.pixel_stride)
            .finish()
    }
}

/// A camera frame: format, sensor size, planes, the clockwise rotation that makes it upright
/// (Android `rotationDegrees`: 0, 90, 180, 270) and whether the buffer is a mirror image.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CameraFrame {
    pub format: PixelFormat,
    pub width: i32,
    pub height: i32,
    pub planes: Vec<FramePlane>,
    #[uniffi(default = 0)]
    pub rotation_degrees: i32,
    /// The BUFFER is a mirror image of the scene (once upright); the SDK flips it back, so the
    /// captured JPEG is always the true, unmirrored scene. `false` for CameraX `ImageAnalysis`
    /// and AVFoundation `AVCaptureVideoDataOutput` frames, front camera included (only their
    /// previews mirror themselves). What the user's preview shows is
    /// `CaptureConfig.previewMirrored`.
    #[uniffi(default = false)]
    pub mirrored: bool,
    /// The camera's timestamp, milliseconds (any monotonic origin).
    #[uniffi(default = 0)]
    pub timestamp_ms: i64,
}

/// Prefilter settings. `Debug` prints the landmark model's length, not its bytes. Fields left
/// `null` take the prefilter's own defaults (`PrefilterConfig::default()` in the core).
#[derive(Clone, PartialEq, uniffi::Record)]
pub struct CaptureConfig {
    /// Consecutive good frames before the auto-capture; `null` for the default (5).
    #[uniffi(default = None)]
    pub good_frames: Option<i32>,
    /// Run a random head-turn challenge (this many turns, 1-6) before capturing; 0 = none.
    #[uniffi(default = 0)]
    pub challenge_turns: i32,
    /// Add one blink step at a random place in the challenge (needs `challenge_turns` >= 1).
    /// Needs `landmark_model`. When the eye-landmark model is missing or cannot load, the
    /// challenge runs without it (see `blinkAvailable` and `blinkError`).
    #[uniffi(default = false)]
    pub challenge_blink: bool,
    /// The blink step's eye-landmark model: the bytes of `face_landmark_192.onnx` (2.4 MB, in
    /// the repository's `models/`). The mobile library does not embed it (size budget): apps ship
    /// it as an asset and pass its bytes here when `challenge_blink` is on. Without it
    /// `blinkAvailable()` is false, `blinkError()` says the model is not embedded and must be
    /// passed, and the challenge runs with head turns only. Ignored (not loaded) without
    /// `challenge_blink`.
    #[uniffi(default = None)]
    pub landmark_model: Option<Vec<u8>>,
    /// The face detector's model: the bytes of `face_detection_front_128x128_barracuda.onnx`
    /// (442 KB, in the repository's `models/`). The mobile library does not embed it (its size
    /// goal): apps ship it as an asset and either pass it here or, once for the whole process,
    /// to `setFaceDetectorModel()` (which the document face crop uses too). `None` takes the
    /// model given to `setFaceDetectorModel()`. Without either, `detectorAvailable()` is false,
    /// `detectorError()` says the model must be passed, and capture runs in quality-only mode.
    #[uniffi(default = None)]
    pub face_model: Option<Vec<u8>>,
    /// Long-edge limit of the captured JPEG, pixels; `null` for the default (1080).
    #[uniffi(default = None)]
    pub jpeg_max_side: Option<i32>,
    /// Size limit of the captured JPEG, bytes; `null` for the default (150 000).
    #[uniffi(default = None)]
    pub jpeg_max_bytes: Option<i32>,
    /// Path of the ONNX Runtime library, when not found automatically.
    #[uniffi(default = None)]
    pub onnx_runtime_path: Option<String>,
    /// Whether the preview the user sees is mirrored; `null` for the default, `true` (a
    /// front-camera selfie preview, as CameraX `PreviewView` and `AVCaptureVideoPreviewLayer`
    /// show it). It decides only the left/right words of the challenge (`TurnHeadLeft`,
    /// `TurnHeadRight`): "left" is the side of the preview the face should turn to, which is
    /// the user's own left in a mirrored preview. It never changes the image: see
    /// `CameraFrame.mirrored`.
    #[uniffi(default = None)]
    pub preview_mirrored: Option<bool>,
}

impl std::fmt::Debug for CaptureConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureConfig")
            .field("good_frames", &self.good_frames)
            .field("challenge_turns", &self.challenge_turns)
            .field("challenge_blink", &self.challenge_blink)
            .field(
                "landmark_model",
                &self
                    .landmark_model
                    .as_ref()
                    .map(|m| format!("<{} bytes>", m.len())),
            )
            .field(
                "face_model",
                &self
                    .face_model
                    .as_ref()
                    .map(|m| format!("<{} bytes>", m.len())),
            )
            .field("jpeg_max_side", &self.jpeg_max_side)
            .field("jpeg_max_bytes", &self.jpeg_max_bytes)
            .field("onnx_runtime_path", &self.onnx_runtime_path)
            .field("preview_mirrored", &self.preview_mirrored)
            .finish()
    }
}

/// What the user should do now, in priority order of the checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum GuidanceCode {
    FaceNotFound,
    MultipleFaces,
    FaceTooClose,
    FaceTooSmall,
    FaceOffCenter,
    HeadTurned,
    HeadTilted,
    TooDark,
    TooBright,
    Blurry,
    Moving,
    TurnHeadLeft,
    TurnHeadRight,
    LookStraight,
    /// Blink once (the challenge's blink step), facing the camera.
    Blink,
    ChallengeFailed,
    HoldStill,
    Captured,
}

impl From<pf::GuidanceCode> for GuidanceCode {
    fn from(g: pf::GuidanceCode) -> Self {
        use pf::GuidanceCode as G;
        match g {
            G::FaceNotFound => Self::FaceNotFound,
            G::MultipleFaces => Self::MultipleFaces,
            G::FaceTooClose => Self::FaceTooClose,
            G::FaceTooSmall => Self::FaceTooSmall,
            G::FaceOffCenter => Self::FaceOffCenter,
            G::HeadTurned => Self::HeadTurned,
            G::HeadTilted => Self::HeadTilted,
            G::TooDark => Self::TooDark,
            G::TooBright => Self::TooBright,
            G::Blurry => Self::Blurry,
            G::Moving => Self::Moving,
            G::TurnHeadLeft => Self::TurnHeadLeft,
            G::TurnHeadRight => Self::TurnHeadRight,
            G::LookStraight => Self::LookStraight,
            G::Blink => Self::Blink,
            G::ChallengeFailed => Self::ChallengeFailed,
            G::HoldStill => Self::HoldStill,
            G::Captured => Self::Captured,
        }
    }
}

/// A detected face, in upright-frame pixels.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct FaceBox {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    pub score: f32,
}

impl From<&pf::FaceBox> for FaceBox {
    fn from(f: &pf::FaceBox) -> Self {
        Self {
            x: f.x,
            y: f.y,
            width: f.width,
            height: f.height,
            score: f.score,
        }
    }
}

/// Feedback for one frame.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct FrameFeedback {
    /// The one thing to tell the user now.
    pub guidance: GuidanceCode,
    /// 0..1: how close the capture is (good frames so far / needed).
    pub readiness: f32,
    /// The selfie was captured with this frame: read it with `result()`.
    pub captured: bool,
    pub faces: Vec<FaceBox>,
    /// Mean luma (0-255) of the face region (or the centre without a detector).
    pub brightness: f32,
    /// Sharpness (variance of the Laplacian; higher is sharper).
    pub sharpness: f32,
    /// Whether the face detector ran (false: quality-only mode, no ONNX Runtime).
    pub detector_available: bool,
    /// Eye openness (eye-aspect ratio, mean of both eyes; about 0.25-0.35 open, towards 0
    /// closed), measured only on frames that arrive while the blink step is active.
    pub eye_openness: Option<f32>,
}

/// A still photo's check (the photo-picker path, `analyzePhoto`): judged on what the server
/// needs (one face, large and sharp enough, well exposed, frontal), not on live framing.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PhotoCheck {
    /// The one reason to refuse the photo, or `HoldStill` when it is usable.
    pub guidance: GuidanceCode,
    /// Framing advice that does not refuse the photo (`FaceOffCenter`); empty when none.
    pub advice: Vec<GuidanceCode>,
    /// True when the photo can be submitted as it is (`submitSelfie`).
    pub usable: bool,
    /// Every face found, main face first, in the pixels of the photo as it will be uploaded.
    pub faces: Vec<FaceBox>,
    /// Size of the photo as it will be uploaded (upright, long edge at most 1080 px).
    pub width: u32,
    pub height: u32,
    /// Whether the face detector ran (false: quality-only mode, no ONNX Runtime).
    pub detector_available: bool,
}

/// The captured selfie.
#[derive(Clone, PartialEq, uniffi::Record)]
pub struct CaptureResult {
    /// JPEG bytes, upright and cropped around the face: pass them to `submitSelfie`.
    pub jpeg: Vec<u8>,
    pub width: i32,
    pub height: i32,
    /// The challenge (head turns, and the blink step when configured and available) was run
    /// and passed.
    pub challenge_passed: bool,
}

impl std::fmt::Debug for CaptureResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureResult")
            .field("jpeg_bytes", &self.jpeg.len())
            .field("width", &self.width)
            .field("height", &self.height)
            .field("challenge_passed", &self.challenge_passed)
            .finish()
    }
}

/// A non-negative `Int` from the bindings as the prefilter's `u32`, else `InvalidInput` naming
/// `field` (`frame` or `captureConfig`).
pub(crate) fn unsigned(v: i32, field: &str, what: &str) -> Result<u32> {
    u32::try_from(v).map_err(|_| SmartEnrollError::InvalidInput {
        field: field.to_owned(),
        reason: format!("{what} must not be negative, got {v}"),
    })
}

/// A `u32` size for the bindings' `Int`.
pub(crate) fn signed32(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// Converts the FFI frame record to the prefilter's frame (no pixel is read here).
pub(crate) fn to_core_frame(frame: CameraFrame) -> Result<pf::Frame> {
    let rotation = pf::Rotation::from_degrees(unsigned(
        frame.rotation_degrees,
        "frame",
        "rotationDegrees",
    )?)
    .map_err(pf::PrefilterError::from)?;
    let mut planes = Vec::with_capacity(frame.planes.len());
    for p in frame.planes {
        planes.push(pf::FramePlane {
            data: p.data,
            row_stride: unsigned(p.row_stride, "frame", "rowStride")?,
            pixel_stride: unsigned(p.pixel_stride, "frame", "pixelStride")?,
        });
    }
    Ok(pf::Frame {
        format: match frame.format {
            PixelFormat::Nv21 => pf::PixelFormat::Nv21,
            PixelFormat::Nv12 => pf::PixelFormat::Nv12,
            PixelFormat::Yuv420 => pf::PixelFormat::Yuv420,
            PixelFormat::Bgra => pf::PixelFormat::Bgra,
            PixelFormat::Rgba => pf::PixelFormat::Rgba,
        },
        width: unsigned(frame.width, "frame", "width")?,
        height: unsigned(frame.height, "frame", "height")?,
        rotation,
        mirrored: frame.mirrored,
        timestamp_ms: u64::try_from(frame.timestamp_ms).unwrap_or(0),
        planes,
    })
}

/// Sets the face detector's model for the whole process: the bytes of
/// `face_detection_front_128x128_barracuda.onnx` (442 KB, in the repository's `models/`), which
/// apps ship as an asset because the mobile library does not embed it. Call it once at start-up,
/// before the first `LivenessCapture` and the first document upload: the document's face crop
/// (`documentFace`) and every `LivenessCapture` without its own `CaptureConfig.faceModel` use
/// it. An empty model is `InvalidInput`; other bytes are checked when a detector loads (see
/// `LivenessCapture.detectorError()`).
#[uniffi::export]
pub fn set_face_detector_model(model: Vec<u8>) -> Result<()> {
    if model.is_empty() {
        return Err(SmartEnrollError::InvalidInput {
            field: "model".to_owned(),
            reason: "the face detector model is empty".to_owned(),
        });
    }
    smart_enroll_core::set_face_model(model.into());
    Ok(())
}

/// The on-device liveness prefilter: feed it camera frames (`processFrame`, from the camera's
/// analysis thread), show the guidance, and read the selfie with `result()` once a frame
/// reports `captured`. Thread-safe.
#[derive(uniffi::Object)]
pub struct LivenessCapture {
    inner: pf::Prefilter,
    _track: crate::live::Track,
}

#[uniffi::export]
impl LivenessCapture {
    /// Builds the prefilter. Without ONNX Runtime it still works in quality-only mode (see
    /// `detectorAvailable`); a bad configuration is `InvalidInput`.
    #[uniffi::constructor]
    pub fn new(config: CaptureConfig) -> Result<Arc<Self>> {
        let defaults = pf::PrefilterConfig::default();
        let or_default = |v: Option<i32>, default: u32, what: &str| {
            v.map_or(Ok(default), |v| unsigned(v, "captureConfig", what))
        };
        let mut c = pf::PrefilterConfig {
            good_frames: or_default(config.good_frames, defaults.good_frames, "goodFrames")?,
            jpeg_max_side: or_default(config.jpeg_max_side, defaults.jpeg_max_side, "jpegMaxSide")?,
            jpeg_max_bytes: or_default(
                config.jpeg_max_bytes,
                defaults.jpeg_max_bytes,
                "jpegMaxBytes",
            )?,
            runtime_path: config.onnx_runtime_path.map(Into::into),
            preview_mirrored: config.preview_mirrored.unwrap_or(defaults.preview_mirrored),
            // The app's bytes, else the process-wide model (`setFaceDetectorModel`), else
            // `Embedded`, which this library (built without the core's `embedded-face-model`
            // feature) reports as a typed `detectorError`.
            model: config
                .face_model
                .map_or_else(smart_enroll_core::face_model, |bytes| {
                    pf::ModelSource::Bytes(bytes.into())
                }),
            // Without the app's bytes this is `Embedded`, which this library (built without the
            // prefilter's `embedded-landmark-model` feature, see Cargo.toml) reports as a typed
            // `blinkError`. Loaded only when the challenge has the blink step.
            landmark_model: config
                .landmark_model
                .map_or(pf::ModelSource::Embedded, |bytes| {
                    pf::ModelSource::Bytes(bytes.into())
                }),
            ..defaults
        };
        let challenge_turns = unsigned(config.challenge_turns, "captureConfig", "challengeTurns")?;
        if config.challenge_blink && challenge_turns == 0 {
            return Err(pf::PrefilterError::Config {
                reason: "challenge_blink needs challenge_turns >= 1".to_owned(),
            }
            .into());
        }
        if challenge_turns > 0 {
            c.challenge = Some(pf::ChallengeConfig {
                turns: challenge_turns,
                blink: config.challenge_blink,
                ..pf::ChallengeConfig::default()
            });
        }
        let inner = pf::Prefilter::new(c)?;
        Ok(Arc::new(Self {
            inner,
            _track: crate::live::Track::new(crate::live::Kind::Capture),
        }))
    }

    /// Analyses one frame; invalid descriptors are `InvalidInput(field = "frame")`, checked
    /// before any pixel is read.
    pub fn process_frame(&self, frame: CameraFrame) -> Result<FrameFeedback> {
        let f = to_core_frame(frame)?;
        let fb = self.inner.process_frame(&f)?;
        let guidance = fb.guidance.into();
        Ok(FrameFeedback {
            guidance,
            readiness: fb.readiness,
            captured: fb.captured,
            faces: fb.faces.iter().map(FaceBox::from).collect(),
            brightness: fb.metrics.brightness,
            sharpness: fb.metrics.sharpness,
            detector_available: fb.metrics.detector_available,
            eye_openness: fb.eye_openness.map(|e| e.mean()),
        })
    }

    /// Checks a still photo (e.g. one the user picked) as `submitSelfie` would upload it
    /// (EXIF orientation applied, long edge at most 1080 px, JPEG): one face, large and sharp
    /// enough, well exposed, frontal. `FaceOffCenter` is only `advice` here; `TooDark`,
    /// `TooBright` and `Blurry` are named before pose; a second, much smaller face is found.
    /// Does not touch the capture state. An undecodable image is `InvalidInput(field = "image")`.
    pub fn analyze_photo(&self, image: Vec<u8>) -> Result<PhotoCheck> {
        let prepared = smart_enroll_core::media::prepare_selfie(&image).map_err(|e| {
            SmartEnrollError::from(smart_enroll_core::EnrollError::InvalidInput {
                field: "image".into(),
                reason: e.to_string(),
            })
        })?;
        let a = self.inner.analyze_image(&prepared.jpeg)?;
        Ok(PhotoCheck {
            guidance: a.guidance.into(),
            advice: a.advice.iter().map(|&g| g.into()).collect(),
            usable: a.passes(),
            faces: a.faces.iter().map(FaceBox::from).collect(),
            width: a.width,
            height: a.height,
            detector_available: a.metrics.detector_available,
        })
    }

    /// The captured selfie, once a frame reported `captured`.
    pub fn result(&self) -> Option<CaptureResult> {
        self.inner.result().map(|r| CaptureResult {
            jpeg: r.jpeg,
            width: signed32(r.width),
            height: signed32(r.height),
            challenge_passed: r.challenge_passed,
        })
    }

    /// Starts over (new challenge, no capture).
    pub fn reset(&self) {
        self.inner.reset();
    }

    /// Whether the face detector (ONNX Runtime + model) is available.
    pub fn detector_available(&self) -> bool {
        self.inner.detector_available()
    }

    /// Why the face detector is not available (`null`/`nil` when it is): e.g. that the face
    /// model is not embedded in this library and must be passed (`CaptureConfig.faceModel` or
    /// `setFaceDetectorModel()`), that the bytes are not the expected model, or that ONNX
    /// Runtime could not be loaded. Contains no personal data.
    pub fn detector_error(&self) -> Option<String> {
        self.inner.detector_error().map(|e| e.to_string())
    }

    /// Whether the configured challenge can run (`challengeTurns` > 0 and the face detector
    /// loaded). False without the detector (quality-only mode): head turns are measured on the
    /// detector's landmarks, so no challenge is started (also not by `reset()`), frames carry
    /// the quality guidance only and the capture goes on without the challenge (its result has
    /// `challengePassed` false). `challengeUnavailableReason()` says why.
    pub fn challenge_available(&self) -> bool {
        self.inner.challenge_available()
    }

    /// Why the configured challenge cannot run (`null`/`nil` when it can, or when none is
    /// configured): the face detector is unavailable, and its load error. Show the user that
    /// the capture runs with the quality checks only. Contains no personal data.
    pub fn challenge_unavailable_reason(&self) -> Option<String> {
        self.inner.challenge_unavailable_reason()
    }

    /// Whether the challenge includes the blink step (`challengeBlink` set and the eye-landmark
    /// model loaded). False with `challengeBlink` set: the model could not load (logged once)
    /// and the challenge runs with head turns only.
    pub fn blink_available(&self) -> bool {
        self.inner.blink_available()
    }

    /// Why the blink step is not available although `challengeBlink` is set (`null`/`nil` when
    /// it is, or when no blink was asked for): e.g. that the landmark model is not embedded in
    /// this library and must be passed as `CaptureConfig.landmarkModel`, or that the bytes are
    /// not the expected model. Contains no personal data.
    pub fn blink_error(&self) -> Option<String> {
        self.inner.blink_error().map(|e| e.to_string())
    }
}

#[cfg(feature = "test-hooks")]
impl LivenessCapture {
    /// Benchmark baseline: processes `frame` `iterations` times inside Rust (no FFI crossing
    /// per frame) and returns the elapsed nanoseconds.
    pub(crate) fn native_frame_loop(&self, frame: CameraFrame, iterations: u32) -> Result<u64> {
        let f = to_core_frame(frame)?;
        let start = std::time::Instant::now();
        for _ in 0..iterations {
            std::hint::black_box(self.inner.process_frame(std::hint::black_box(&f))?);
        }
        Ok(u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    const SELFIE: &[u8] = include_bytes!("../../cli/assets/sample-selfie.jpg");

    fn jpeg(img: &image::RgbImage) -> Vec<u8> {
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92)
            .encode(
                img.as_raw(),
                img.width(),
                img.height(),
                image::ExtendedColorType::Rgb8,
            )
            .unwrap();
        out
    }

    fn capture() -> Arc<LivenessCapture> {
        // The face model as an app passes it (the mobile build does not embed it).
        let model = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../models/face_detection_front_128x128_barracuda.onnx"
        ))
        .unwrap();
        let c = LivenessCapture::new(CaptureConfig {
            good_frames: None,
            challenge_turns: 0,
            challenge_blink: false,
            landmark_model: None,
            face_model: Some(model),
            jpeg_max_side: None,
            jpeg_max_bytes: None,
            onnx_runtime_path: None,
            preview_mirrored: None,
        })
        .unwrap();
        assert!(
            c.detector_available(),
            "ONNX Runtime missing: run scripts/test.sh"
        );
        c
    }

    /// The photo-picker path: a real portrait at the top of a tall photo is usable with advice;
    /// a darkened copy is too dark; two portraits side by side are two faces; garbage is a
    /// typed error.
    #[test]
    fn analyze_photo_judges_a_still_on_what_the_server_needs() {
        let c = capture();
        let portrait = image::load_from_memory(SELFIE).unwrap().to_rgb8();
        let (w, h) = (portrait.width(), portrait.height());
        let mut tall = image::RgbImage::from_pixel(w + 60, h * 2, image::Rgb([205, 205, 200]));
        image::imageops::overlay(&mut tall, &portrait, 30, 0);
        let check = c.analyze_photo(jpeg(&tall)).unwrap();
        assert!(check.usable, "{check:?}");
        assert_eq!(check.guidance, GuidanceCode::HoldStill, "{check:?}");
        assert_eq!(check.advice, [GuidanceCode::FaceOffCenter], "{check:?}");
        assert_eq!(check.faces.len(), 1, "{check:?}");
        assert!(check.width.max(check.height) <= 1080, "{check:?}");

        let mut dark = tall.clone();
        for p in dark.pixels_mut() {
            p.0 = p.0.map(|v| (f32::from(v) * 0.2) as u8);
        }
        let check = c.analyze_photo(jpeg(&dark)).unwrap();
        assert_eq!(check.guidance, GuidanceCode::TooDark, "{check:?}");
        assert!(!check.usable);

        let mut two = image::RgbImage::from_pixel(w * 2, h, image::Rgb([128, 128, 128]));
        image::imageops::overlay(&mut two, &portrait, 0, 0);
        image::imageops::overlay(
            &mut two,
            &image::imageops::flip_horizontal(&portrait),
            i64::from(w),
            0,
        );
        let check = c.analyze_photo(jpeg(&two)).unwrap();
        assert_eq!(check.guidance, GuidanceCode::MultipleFaces, "{check:?}");
        assert_eq!(check.faces.len(), 2, "{check:?}");

        let err = c.analyze_photo(b"not a photo".to_vec()).unwrap_err();
        assert!(
            matches!(&err, SmartEnrollError::InvalidInput { field, .. } if field == "image"),
            "{err:?}"
        );
    }
}
