//! The document's face crop (`documentFace`, contract §5.6): like the hosted app, the SDK sends
//! a crop of the portrait printed on the document's front with the front side.
//!
//! 1. **One detector per process.** The prefilter's face detector (BlazeFace on ONNX Runtime;
//!    the model compiled into the library with the `embedded-face-model` feature, else the
//!    bytes given to [`set_face_model`]) is loaded lazily, on the first front upload, and kept
//!    in a process-wide slot behind a mutex: one inference at a time, shared by every session
//!    and thread. A failed load (no ONNX Runtime, no model) is remembered too: it is not
//!    retried per upload, only after [`set_face_model`] gives a model. On a desktop host the load is only tried when ONNX Runtime's library is
//!    found (see [`runtime_may_load`]), so a missing runtime does not pin the prefilter's
//!    process-wide loader before a `PrefilterConfig::runtime_path` is given.
//! 2. **Coarse to fine.** A document's portrait is small next to a selfie (BlazeFace's input
//!    is 128×128), so the upright document (a copy with a long edge of at most
//!    [`DETECT_MAX_EDGE`] px) is scanned as a whole, then in square windows of the short edge
//!    and of half of it, overlapping by half. The first scale that finds a face decides; its
//!    largest face box wins (merged with the detections of the same face from neighbouring
//!    windows).
//! 3. **The crop.** The box grows by [`FACE_MARGIN`] (40 %) of its width and height on each
//!    side, like the hosted app's crop (the whole head with some shoulders), is clamped to the
//!    image, cut from the full-resolution pixels and encoded like every upload (the media
//!    module: metadata-free baseline JPEG, long edge ≤ 480 px, ≤ 100 KiB).
//!
//! All of it runs on the blocking pool with the document's own preparation (one decode).
//! Without the detector, without a face, or on any failure, the front is uploaded without
//! `documentFace` (the server then crops the face from the front itself): a debug log says
//! why, never with image data, and the upload never fails because of the crop.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, PoisonError};

use image::RgbImage;
use smart_enroll_prefilter::detector::{Detector, runtime_candidates, runtime_loaded};
use smart_enroll_prefilter::{FrameView, ModelSource, PixelFormat, Plane, Rotation};

use super::upload::media_err;
use crate::error::EnrollError;
use crate::media::{self, ImageKind, MediaError, PreparedImage};

/// Margin added around the detected face box on each side, as a fraction of the box's width
/// (left, right) and height (top, bottom): the crop is 1.8 times the box unless the image
/// edge cuts it.
pub(crate) const FACE_MARGIN: f32 = 0.4;
/// Lowest BlazeFace score that counts as a face (the prefilter's default).
const MIN_FACE_SCORE: f32 = 0.6;
/// Faces are searched on a copy whose long edge is at most this many pixels.
pub(crate) const DETECT_MAX_EDGE: u32 = 1024;
/// Window sides tried after the whole image, as fractions of the short edge.
const WINDOW_FRACTIONS: [f32; 2] = [1.0, 0.5];
/// Windows smaller than this (pixels of the search copy) are not tried.
const MIN_WINDOW: u32 = 64;
/// Detections of one face from overlapping windows: IoU above which they are merged.
const SAME_FACE_IOU: f32 = 0.3;
/// A crop smaller than this on either side (full-resolution pixels) is not sent.
const MIN_CROP: u32 = 16;

/// The shared detector's slot: not tried yet, loaded, or failed (not retried until the model
/// changes).
enum Slot {
    Untried,
    Loaded(Box<Detector>),
    Failed,
}

static DETECTOR: Mutex<Slot> = Mutex::new(Slot::Untried);
/// The face model set by [`set_face_model`], if any.
static FACE_MODEL: Mutex<Option<Arc<[u8]>>> = Mutex::new(None);

/// Sets the face detector's model (the bytes of `face_detection_front_128x128_barracuda.onnx`)
/// for this process: the document face crop loads it (on the next front upload) instead of
/// the model compiled into the library, and [`face_model`] returns it. Needed where the build
/// leaves the model out (the core's `embedded-face-model` feature off, as in the mobile
/// library, whose apps ship the model as an asset). A detector already loaded is dropped, so a
/// new model takes effect at once; the bytes are checked when the detector loads (a model that
/// does not load means fronts go without `documentFace`, logged at debug level).
pub fn set_face_model(bytes: Arc<[u8]>) {
    *FACE_MODEL.lock().unwrap_or_else(PoisonError::into_inner) = Some(bytes);
    *DETECTOR.lock().unwrap_or_else(PoisonError::into_inner) = Slot::Untried;
}

/// The face model to use: the bytes given to [`set_face_model`], else the model compiled into
/// the library ([`ModelSource::Embedded`], which fails to load with a typed `ModelMissing`
/// error in a build without it).
pub fn face_model() -> ModelSource {
    FACE_MODEL
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
        .map_or(ModelSource::Embedded, ModelSource::Bytes)
}

/// Runs `f` with the shared detector, loading it on first use (`None` when it cannot load).
fn with_detector<T>(f: impl FnOnce(&mut Detector) -> Option<T>) -> Option<T> {
    let mut slot = DETECTOR.lock().unwrap_or_else(PoisonError::into_inner);
    if matches!(*slot, Slot::Untried) {
        *slot = load_detector().map_or(Slot::Failed, |d| Slot::Loaded(Box::new(d)));
    }
    match &mut *slot {
        Slot::Loaded(detector) => f(detector),
        Slot::Untried | Slot::Failed => None,
    }
}

fn load_detector() -> Option<Detector> {
    if !runtime_may_load() {
        tracing::debug!(
            "ONNX Runtime not found: document fronts are uploaded without documentFace"
        );
        return None;
    }
    match Detector::load(&face_model(), None) {
        Ok(d) => {
            tracing::debug!("face detector loaded for the document face crop");
            Some(d)
        }
        Err(err) => {
            tracing::debug!(%err, "face detector unavailable: document fronts are uploaded without documentFace");
            None
        }
    }
}

/// Whether loading ONNX Runtime can work: it is already loaded (e.g. by a prefilter given an
/// explicit `runtime_path`), or on Android and iOS (loaded by name: the app bundles it), or on a
/// desktop host when `ORT_DYLIB_PATH` names an existing file (the library name alone is not
/// tried there): the prefilter's loader is process-wide and
/// keeps its first outcome, so a hopeless attempt here would make a later
/// `PrefilterConfig::runtime_path` useless.
fn runtime_may_load() -> bool {
    runtime_loaded()
        || cfg!(any(target_os = "android", target_os = "ios"))
        || runtime_candidates(None).iter().any(|p| p.is_file())
}

/// The front side ready for upload (as [`media::prepare_document`] makes it) and its face
/// crop, from one decode, on the blocking pool. Only the document's preparation can fail.
pub(super) async fn prepare_front_off_thread(
    image: Vec<u8>,
) -> Result<(Vec<u8>, Option<PreparedImage>), EnrollError> {
    tokio::task::spawn_blocking(move || prepare_front(&image))
        .await
        .map_err(|_| EnrollError::InvalidInput {
            field: "image".into(),
            reason: "image preparation was interrupted".into(),
        })?
        .map_err(media_err)
}

/// [`prepare_front_off_thread`]'s work: the front's JPEG (the same bytes as
/// [`media::prepare_document`]) and its face crop.
pub(crate) fn prepare_front(image: &[u8]) -> Result<(Vec<u8>, Option<PreparedImage>), MediaError> {
    let rgb = media::decode_upright_rgb(image)?;
    let kind = ImageKind::Document;
    let document = media::encode_within_budget(&rgb, kind.max_edge(), kind.max_bytes())?;
    // The crop must not panic; if it did, it would cost the crop, never the upload.
    let face =
        std::panic::catch_unwind(AssertUnwindSafe(|| document_face(&rgb))).unwrap_or_else(|_| {
            tracing::debug!("document face crop failed: uploaded without documentFace");
            None
        });
    Ok((document.jpeg, face))
}

/// The face crop of an upright document image, or `None` (logged at debug level).
pub(crate) fn document_face(image: &RgbImage) -> Option<PreparedImage> {
    let Some(face) = with_detector(|detector| Some(find_face(detector, image)))? else {
        tracing::debug!("no face found on the document front: uploaded without documentFace");
        return None;
    };
    let Some((x, y, w, h)) = expand_and_clamp(face, FACE_MARGIN, image.width(), image.height())
    else {
        tracing::debug!("document face too small to crop: uploaded without documentFace");
        return None;
    };
    let crop = image::imageops::crop_imm(image, x, y, w, h).to_image();
    match media::encode_within_budget(
        &crop,
        media::DOCUMENT_FACE_MAX_EDGE,
        media::DOCUMENT_FACE_MAX_BYTES,
    ) {
        Ok(p) => {
            tracing::debug!(
                width = p.width,
                height = p.height,
                bytes = p.jpeg.len(),
                "document face crop attached"
            );
            Some(p)
        }
        Err(err) => {
            tracing::debug!(%err, "document face crop not encodable: uploaded without documentFace");
            None
        }
    }
}

/// A face box: left, top, width, height (pixels) and the detector's score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FaceRect {
    pub(crate) x: f32,
    pub(crate) y: f32,
    pub(crate) w: f32,
    pub(crate) h: f32,
    pub(crate) score: f32,
}

impl FaceRect {
    fn area(&self) -> f32 {
        self.w * self.h
    }

    fn iou(&self, o: &FaceRect) -> f32 {
        let x0 = self.x.max(o.x);
        let y0 = self.y.max(o.y);
        let x1 = (self.x + self.w).min(o.x + o.w);
        let y1 = (self.y + self.h).min(o.y + o.h);
        let inter = (x1 - x0).max(0.0) * (y1 - y0).max(0.0);
        let union = self.area() + o.area() - inter;
        if union <= 0.0 { 0.0 } else { inter / union }
    }

    fn scaled(self, s: f32) -> FaceRect {
        FaceRect {
            x: self.x * s,
            y: self.y * s,
            w: self.w * s,
            h: self.h * s,
            score: self.score,
        }
    }
}

/// Scans the image coarse to fine; the largest face of the first scale that finds one, in
/// `image`'s pixels.
fn find_face(det: &mut Detector, image: &RgbImage) -> Option<FaceRect> {
    let (w0, h0) = image.dimensions();
    let long = w0.max(h0);
    let (rgba, w, h) = if long > DETECT_MAX_EDGE {
        let scale = f64::from(DETECT_MAX_EDGE) / f64::from(long);
        // Bounded by DETECT_MAX_EDGE; at least 1 pixel.
        let w = ((f64::from(w0) * scale).round() as u32).clamp(1, DETECT_MAX_EDGE);
        let h = ((f64::from(h0) * scale).round() as u32).clamp(1, DETECT_MAX_EDGE);
        (rgba_of(&image::imageops::thumbnail(image, w, h)), w, h)
    } else {
        (rgba_of(image), w0, h0)
    };
    let back = w0 as f32 / w as f32;
    for level in windows(w, h) {
        let mut found = Vec::new();
        for (x, y, ww, wh) in level {
            let offset = (y as usize * w as usize + x as usize) * 4;
            let Some(data) = rgba.get(offset..) else {
                continue;
            };
            let planes = [Plane {
                data,
                row_stride: w * 4,
                pixel_stride: 4,
            }];
            let view = match FrameView::new(
                PixelFormat::Rgba,
                ww,
                wh,
                Rotation::Deg0,
                false,
                0,
                &planes,
            ) {
                Ok(v) => v,
                Err(err) => {
                    tracing::debug!(%err, "document face search: window refused");
                    continue;
                }
            };
            det.prepare(&view);
            match det.infer(MIN_FACE_SCORE) {
                Ok(faces) => found.extend(faces.iter().map(|d| FaceRect {
                    x: d.x + x as f32,
                    y: d.y + y as f32,
                    w: d.w,
                    h: d.h,
                    score: d.score,
                })),
                Err(err) => {
                    tracing::debug!(%err, "document face search: inference failed");
                    return None;
                }
            }
        }
        if let Some(face) = largest_merged(&found) {
            return Some(face.scaled(back));
        }
    }
    None
}

fn rgba_of(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::with_capacity(image.as_raw().len() / 3 * 4);
    for p in image.pixels() {
        out.extend_from_slice(&[p[0], p[1], p[2], 255]);
    }
    out
}

/// The search windows `(x, y, width, height)` of a `w`×`h` image, one list per scale, coarse
/// first: the whole image, then squares of [`WINDOW_FRACTIONS`] of the short edge that overlap
/// by half and cover the image (a face up to half a window wide lies wholly in one of them).
pub(crate) fn windows(w: u32, h: u32) -> Vec<Vec<(u32, u32, u32, u32)>> {
    let mut levels = vec![vec![(0, 0, w, h)]];
    let short = w.min(h);
    for f in WINDOW_FRACTIONS {
        // Bounded by the short edge.
        let side = (short as f32 * f).round() as u32;
        if side < MIN_WINDOW {
            break;
        }
        if side == w && side == h {
            continue; // the whole (square) image again
        }
        let xs = positions(w, side);
        let ys = positions(h, side);
        levels.push(
            ys.iter()
                .flat_map(|&y| xs.iter().map(move |&x| (x, y, side, side)))
                .collect(),
        );
    }
    levels
}

/// Window starts along an edge of `len`: evenly spread, at most half a window apart, the first
/// at 0 and the last flush with the end.
fn positions(len: u32, side: u32) -> Vec<u32> {
    if side == 0 || side >= len {
        return vec![0];
    }
    let span = len - side;
    let steps = (2 * span).div_ceil(side);
    (0..=steps).map(|i| i * span / steps).collect()
}

/// The largest box, merged (score-weighted mean) with the boxes that overlap it: the same face
/// seen from neighbouring windows.
pub(crate) fn largest_merged(found: &[FaceRect]) -> Option<FaceRect> {
    let largest = found
        .iter()
        .filter(|f| f.w > 0.0 && f.h > 0.0 && f.area().is_finite())
        .max_by(|a, b| a.area().total_cmp(&b.area()))?;
    let mut acc = FaceRect {
        x: 0.0,
        y: 0.0,
        w: 0.0,
        h: 0.0,
        score: largest.score,
    };
    let mut total = 0.0f32;
    for f in found
        .iter()
        .filter(|f| f == &largest || largest.iou(f) > SAME_FACE_IOU)
    {
        total += f.score;
        acc.x += f.x * f.score;
        acc.y += f.y * f.score;
        acc.w += f.w * f.score;
        acc.h += f.h * f.score;
        acc.score = acc.score.max(f.score);
    }
    if total <= 0.0 {
        return Some(*largest);
    }
    Some(FaceRect {
        x: acc.x / total,
        y: acc.y / total,
        w: acc.w / total,
        h: acc.h / total,
        score: acc.score,
    })
}

/// The box grown by `margin` of its width/height on each side, clamped to a `width`×`height`
/// image: `(x, y, w, h)` in whole pixels, or `None` when less than [`MIN_CROP`] remains.
pub(crate) fn expand_and_clamp(
    face: FaceRect,
    margin: f32,
    width: u32,
    height: u32,
) -> Option<(u32, u32, u32, u32)> {
    let finite = [face.x, face.y, face.w, face.h, margin]
        .iter()
        .all(|v| v.is_finite());
    if !finite || face.w <= 0.0 || face.h <= 0.0 {
        return None;
    }
    let x0 = (face.x - margin * face.w).floor().max(0.0);
    let y0 = (face.y - margin * face.h).floor().max(0.0);
    let x1 = (face.x + face.w * (1.0 + margin)).ceil().min(width as f32);
    let y1 = (face.y + face.h * (1.0 + margin)).ceil().min(height as f32);
    if x1 <= x0 || y1 <= y0 {
        return None;
    }
    // Clamped to 0..=width / 0..=height above.
    let (x, y) = (x0 as u32, y0 as u32);
    let (w, h) = (x1 as u32 - x, y1 as u32 - y);
    (w >= MIN_CROP && h >= MIN_CROP).then_some((x, y, w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(x: f32, y: f32, w: f32, h: f32, score: f32) -> FaceRect {
        FaceRect { x, y, w, h, score }
    }

    #[test]
    fn the_margin_grows_the_box_on_each_side_and_stops_at_the_edges() {
        // Inside: 100×120 at (200, 150) → 40 % on each side → 180×216.
        let got = expand_and_clamp(rect(200.0, 150.0, 100.0, 120.0, 0.9), 0.4, 1000, 700);
        assert_eq!(got, Some((160, 102, 180, 216)));
        // Near the top-left corner: clamped at 0; the right and bottom keep their margin.
        let got = expand_and_clamp(rect(10.0, 5.0, 100.0, 100.0, 0.9), 0.4, 1000, 700);
        assert_eq!(got, Some((0, 0, 150, 145)));
        // A box partly outside the bottom-right corner.
        let got = expand_and_clamp(rect(950.0, 650.0, 100.0, 100.0, 0.9), 0.4, 1000, 700);
        assert_eq!(got, Some((910, 610, 90, 90)));
        // Nothing left inside, too small, or not a number: no crop.
        assert_eq!(
            expand_and_clamp(rect(2000.0, 10.0, 50.0, 50.0, 0.9), 0.4, 1000, 700),
            None
        );
        assert_eq!(
            expand_and_clamp(rect(10.0, 10.0, 5.0, 5.0, 0.9), 0.4, 1000, 700),
            None
        );
        assert_eq!(
            expand_and_clamp(rect(f32::NAN, 10.0, 50.0, 50.0, 0.9), 0.4, 1000, 700),
            None
        );
    }

    #[test]
    fn windows_go_coarse_to_fine_and_cover_the_image() {
        let levels = windows(1000, 630);
        assert_eq!(levels[0], vec![(0, 0, 1000, 630)]);
        // Short-edge squares along the long edge, the last flush with the end.
        assert_eq!(
            levels[1],
            vec![(0, 0, 630, 630), (185, 0, 630, 630), (370, 0, 630, 630)]
        );
        // Half-short-edge squares (315), at most 157 px apart, in both directions.
        let l2 = &levels[2];
        assert!(l2.iter().all(|w| w.2 == 315 && w.3 == 315));
        for (x, y, s, _) in l2 {
            assert!(x + s <= 1000 && y + s <= 630);
        }
        // Every pixel is covered at every level, and any 157×157 square lies wholly in one
        // of the finest windows.
        for level in &levels {
            for (px, py) in [(0, 0), (999, 629), (500, 315), (999, 0), (0, 629)] {
                assert!(
                    level
                        .iter()
                        .any(|&(x, y, w, h)| px >= x && px < x + w && py >= y && py < y + h)
                );
            }
        }
        for fx in (0..=(1000 - 157)).step_by(37) {
            for fy in (0..=(630 - 157)).step_by(41) {
                assert!(
                    l2.iter().any(|&(x, y, s, _)| fx >= x
                        && fy >= y
                        && fx + 157 <= x + s
                        && fy + 157 <= y + s),
                    "face at ({fx}, {fy})"
                );
            }
        }
        // A square image: the whole image is not searched twice; tiny images only whole.
        let sq = windows(400, 400);
        assert_eq!(sq.len(), 2);
        assert_eq!(sq[1].len(), 9);
        assert_eq!(windows(100, 60), vec![vec![(0, 0, 100, 60)]]);
    }

    #[test]
    fn the_largest_face_wins_and_its_duplicates_merge() {
        assert_eq!(largest_merged(&[]), None);
        let small = rect(800.0, 300.0, 40.0, 50.0, 0.95);
        let big_a = rect(100.0, 100.0, 200.0, 200.0, 0.9);
        let big_b = rect(110.0, 100.0, 200.0, 220.0, 0.6);
        let got = largest_merged(&[small, big_a, big_b]).unwrap();
        // Score-weighted mean of the two overlapping boxes; the small face is left out.
        assert!(
            (got.x - (100.0 * 0.9 + 110.0 * 0.6) / 1.5).abs() < 1e-3,
            "{got:?}"
        );
        assert!(
            (got.h - (200.0 * 0.9 + 220.0 * 0.6) / 1.5).abs() < 1e-3,
            "{got:?}"
        );
        assert!((got.score - 0.9).abs() < 1e-6);
        // Degenerate boxes are ignored.
        let bad = rect(0.0, 0.0, f32::INFINITY, 10.0, 0.9);
        assert_eq!(largest_merged(&[bad, small]), Some(small));
    }

    #[test]
    fn the_front_is_prepared_exactly_as_before() {
        // A faceless document: the same JPEG as `prepare_document`, and no crop.
        let img = RgbImage::from_fn(900, 600, |x, y| {
            image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x ^ y) % 256) as u8])
        });
        let mut png = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut png, image::ImageFormat::Png)
            .unwrap();
        let png = png.into_inner();
        let (jpeg, face) = prepare_front(&png).unwrap();
        assert_eq!(jpeg, media::prepare_document(&png).unwrap().jpeg);
        assert!(face.is_none());
        // Bad input: the document's own typed error.
        assert_eq!(prepare_front(&[]), Err(MediaError::Empty));
        let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;";
        assert_eq!(
            prepare_front(gif).unwrap_err(),
            media::prepare_document(gif).unwrap_err()
        );
    }

    #[test]
    fn the_detector_is_shared_and_its_model_can_be_set_at_run_time() {
        fn shared<T: Send + Sync>(_: &T) {}
        shared(&DETECTOR);
        assert!(
            runtime_may_load(),
            "ONNX Runtime not found; run scripts/install-deps.sh (it installs onnxruntime)"
        );
        let portrait = image::open(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../cli/assets/sample-selfie.jpg"
        ))
        .unwrap()
        .into_rgb8();
        // A model that does not load: no crop (and no panic), and it is not retried per call.
        set_face_model(vec![7u8; 16].into());
        assert!(matches!(face_model(), ModelSource::Bytes(b) if b.len() == 16));
        assert!(document_face(&portrait).is_none());
        assert!(matches!(
            *DETECTOR.lock().unwrap_or_else(PoisonError::into_inner),
            Slot::Failed
        ));
        // The real model's bytes (as an app passes its asset): the detector reloads at once.
        let model = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../models/face_detection_front_128x128_barracuda.onnx"
        ))
        .unwrap();
        set_face_model(model.into());
        let crop = document_face(&portrait).expect("a face crop with the model set");
        assert!(crop.width > 0 && crop.height > 0);
        // Loaded once: every call uses the same instance.
        let a = with_detector(|d| Some(d as *const Detector));
        let b = with_detector(|d| Some(d as *const Detector));
        assert!(a.is_some());
        assert_eq!(a, b);
    }
}
