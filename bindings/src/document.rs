//! The document capture assist (issue 13): `DocumentCapture` wraps the document crate's live
//! capture (find the page in camera frames, one guidance key per frame, auto-capture of a flat
//! upright page), reads the captured page's MRZ through the app's own OCR (the foreign trait
//! [`TextRecognizer`]: ML Kit on Android, Vision on iOS), its PDF417 barcode and its face crop.
//! Free functions read an MRZ in recognised text and barcodes in images or frames; `SideReader`
//! accepts a barcode side after three identical reads in a row.
//!
//! Personal data (MRZ fields, barcode text, images) never reaches a log: every record that
//! holds some has a redacted `Debug`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use smart_enroll_document as doc;

use crate::error::{SmartEnrollError, TextRecognizerError};
use crate::prefilter::{CameraFrame, signed32, to_core_frame, unsigned};

type Result<T> = std::result::Result<T, SmartEnrollError>;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The one instruction to show for a document frame, in priority order. Its stable key
/// (`documentGuidanceKey`, also `DocumentFeedback.guidanceKey`) is what apps localise:
/// `no_document`, `move_closer`, `move_back`, `align`, `blurry`, `glare`, `too_dark`,
/// `too_bright`, `hold_still`, `ok`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum DocumentGuidance {
    /// No document outline in the frame.
    NoDocument,
    /// The document is too small in the frame.
    MoveCloser,
    /// The document is too large or leaves the frame.
    MoveBack,
    /// The document is too skewed or rotated.
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
    /// Captured.
    Ok,
}

impl From<doc::DocumentGuidance> for DocumentGuidance {
    fn from(g: doc::DocumentGuidance) -> Self {
        use doc::DocumentGuidance as G;
        match g {
            G::NoDocument => Self::NoDocument,
            G::MoveCloser => Self::MoveCloser,
            G::MoveBack => Self::MoveBack,
            G::Align => Self::Align,
            G::Blurry => Self::Blurry,
            G::Glare => Self::Glare,
            G::TooDark => Self::TooDark,
            G::TooBright => Self::TooBright,
            G::HoldStill => Self::HoldStill,
            G::Ok => Self::Ok,
        }
    }
}

impl From<DocumentGuidance> for doc::DocumentGuidance {
    fn from(g: DocumentGuidance) -> Self {
        use DocumentGuidance as G;
        match g {
            G::NoDocument => Self::NoDocument,
            G::MoveCloser => Self::MoveCloser,
            G::MoveBack => Self::MoveBack,
            G::Align => Self::Align,
            G::Blurry => Self::Blurry,
            G::Glare => Self::Glare,
            G::TooDark => Self::TooDark,
            G::TooBright => Self::TooBright,
            G::HoldStill => Self::HoldStill,
            G::Ok => Self::Ok,
        }
    }
}

/// The stable localisation key of a guidance value (`no_document` … `ok`).
#[uniffi::export]
pub fn document_guidance_key(guidance: DocumentGuidance) -> String {
    doc::DocumentGuidance::from(guidance).key().to_owned()
}

/// A point in pixels.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct DocumentPoint {
    pub x: f32,
    pub y: f32,
}

/// The four corners of a quad, clockwise from the top-left.
fn corners_of(q: &doc::Quad) -> Vec<DocumentPoint> {
    q.corners
        .iter()
        .map(|&[x, y]| DocumentPoint { x, y })
        .collect()
}

/// The measurements behind one frame's guidance.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct DocumentMetrics {
    /// Document area / frame area (0 when none).
    pub coverage: f32,
    /// Page sharpness (variance of the Laplacian on the page; higher is sharper).
    pub sharpness: f32,
    /// Mean luma of the page (0-255).
    pub brightness: f32,
    /// Fraction of the page in specular highlight (0-1).
    pub glare: f32,
    /// Worst corner angle deviation from 90°, degrees.
    pub skew_deg: f32,
    /// Long side / short side of the found quad (ID-1 cards about 1.59, passports 1.42).
    pub aspect: f32,
}

impl From<&doc::DocumentMetrics> for DocumentMetrics {
    fn from(m: &doc::DocumentMetrics) -> Self {
        Self {
            coverage: m.coverage,
            sharpness: m.sharpness,
            brightness: m.brightness,
            glare: m.glare,
            skew_deg: m.skew_deg,
            aspect: m.aspect,
        }
    }
}

/// What one camera frame gave.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct DocumentFeedback {
    /// The one instruction to show.
    pub guidance: DocumentGuidance,
    /// Its stable localisation key (`no_document` … `ok`).
    pub guidance_key: String,
    /// The found page's four corners, clockwise from the top-left, in pixels of the upright
    /// frame (`frameWidth` × `frameHeight`); `null` when no document was found.
    pub corners: Option<Vec<DocumentPoint>>,
    /// The measurements.
    pub metrics: DocumentMetrics,
    /// 0..1: how close the capture is (good frames so far / needed).
    pub readiness: f32,
    /// This frame completed the capture: read the page with `result()`.
    pub captured: bool,
    /// Width of the upright frame (after `rotationDegrees`), the corners' coordinate space.
    pub frame_width: i32,
    /// Height of the upright frame.
    pub frame_height: i32,
}

/// Document capture settings. Fields left `null` take the document crate's defaults
/// (`DocumentCaptureConfig::default()`: 5 good frames, 2000 px, 600 KiB).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct DocumentCaptureConfig {
    /// Good frames in a row before the capture; `null` for the default (5).
    #[uniffi(default = None)]
    pub good_frames: Option<i32>,
    /// Long-edge limit of the captured page's JPEG, pixels; `null` for the default (2000).
    #[uniffi(default = None)]
    pub max_long_edge: Option<i32>,
    /// Size limit of the captured page's JPEG, bytes; `null` for the default (614 400).
    #[uniffi(default = None)]
    pub max_jpeg_bytes: Option<i32>,
    /// Decode a PDF417 barcode on the captured page (`CapturedDocument.barcode`).
    #[uniffi(default = true)]
    pub read_barcode: bool,
    /// Crop the portrait printed on the captured page (`CapturedDocument.faceJpeg`, the
    /// upload's `documentFace`); needs the face detector's model (`setFaceDetectorModel`).
    #[uniffi(default = true)]
    pub crop_face: bool,
}

/// The layout of a machine-readable zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum MrzFormat {
    /// ID-1 cards: three lines of 30.
    Td1,
    /// ID-2: two lines of 36.
    Td2,
    /// Passports: two lines of 44.
    Td3,
}

impl From<doc::MrzFormat> for MrzFormat {
    fn from(f: doc::MrzFormat) -> Self {
        match f {
            doc::MrzFormat::Td1 => Self::Td1,
            doc::MrzFormat::Td2 => Self::Td2,
            doc::MrzFormat::Td3 => Self::Td3,
        }
    }
}

impl From<MrzFormat> for doc::MrzFormat {
    fn from(f: MrzFormat) -> Self {
        match f {
            MrzFormat::Td1 => Self::Td1,
            MrzFormat::Td2 => Self::Td2,
            MrzFormat::Td3 => Self::Td3,
        }
    }
}

/// The fields of an MRZ. Personal data: its `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct MrzFields {
    /// Primary identifier (split at the first `<<`, `<` read as a space).
    pub surname: String,
    /// Secondary identifier.
    pub given_names: String,
    pub document_number: String,
    /// Three letters.
    pub nationality: String,
    /// `YYYY-MM-DD` (never in the future).
    pub date_of_birth: String,
    /// `M`, `F` or `X`.
    pub sex: String,
    /// `YYYY-MM-DD` (20YY).
    pub expiry_date: String,
    /// Three letters.
    pub issuing_state: String,
}

impl std::fmt::Debug for MrzFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MrzFields(<redacted>)")
    }
}

/// One MRZ reading (its fields after check-digit-guided repair of OCR confusions).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MrzReading {
    pub format: MrzFormat,
    /// True only when every check digit holds, the composite one included.
    pub valid: bool,
    pub fields: MrzFields,
    /// The fields whose check digit failed (`document_number`, `date_of_birth`,
    /// `expiry_date`, `optional_data`, `composite`); empty when valid.
    pub failed_checks: Vec<String>,
}

impl From<doc::MrzReading> for MrzReading {
    fn from(r: doc::MrzReading) -> Self {
        let f = r.fields;
        Self {
            format: r.format.into(),
            valid: r.valid,
            fields: MrzFields {
                surname: f.surname,
                given_names: f.given_names,
                document_number: f.document_number,
                nationality: f.nationality,
                date_of_birth: f.date_of_birth,
                sex: f.sex,
                expiry_date: f.expiry_date,
                issuing_state: f.issuing_state,
            },
            failed_checks: r.failed_checks,
        }
    }
}

impl From<MrzReading> for doc::MrzReading {
    fn from(r: MrzReading) -> Self {
        let f = r.fields;
        Self {
            format: r.format.into(),
            valid: r.valid,
            fields: doc::MrzFields {
                surname: f.surname,
                given_names: f.given_names,
                document_number: f.document_number,
                nationality: f.nationality,
                date_of_birth: f.date_of_birth,
                sex: f.sex,
                expiry_date: f.expiry_date,
                issuing_state: f.issuing_state,
            },
            failed_checks: r.failed_checks,
        }
    }
}

/// What a barcode payload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum BarcodeKind {
    /// An AAMVA driver licence / ID card (`ANSI 636…`).
    Aamva,
    /// The back of a Colombian cédula de ciudadanía.
    ColombianCedula,
    /// Anything else.
    Unknown,
}

impl From<doc::BarcodeKind> for BarcodeKind {
    fn from(k: doc::BarcodeKind) -> Self {
        match k {
            doc::BarcodeKind::Aamva => Self::Aamva,
            doc::BarcodeKind::ColombianCedula => Self::ColombianCedula,
            doc::BarcodeKind::Unknown => Self::Unknown,
        }
    }
}

impl From<BarcodeKind> for doc::BarcodeKind {
    fn from(k: BarcodeKind) -> Self {
        match k {
            BarcodeKind::Aamva => Self::Aamva,
            BarcodeKind::ColombianCedula => Self::ColombianCedula,
            BarcodeKind::Unknown => Self::Unknown,
        }
    }
}

/// One decoded barcode. Personal data: its `Debug` shows the format, kind and text length only.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct BarcodeReading {
    /// `pdf417`.
    pub format: String,
    /// The decoded text.
    pub text: String,
    pub kind: BarcodeKind,
    /// Parsed fields: AAMVA element IDs (`DAQ`, `DCS`, `DAC`, `DBB`…) or the cédula's named
    /// fields.
    pub fields: HashMap<String, String>,
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

impl From<doc::BarcodeReading> for BarcodeReading {
    fn from(r: doc::BarcodeReading) -> Self {
        Self {
            format: r.format,
            text: r.text,
            kind: r.kind.into(),
            fields: r.fields.into_iter().collect(),
        }
    }
}

impl From<BarcodeReading> for doc::BarcodeReading {
    fn from(r: BarcodeReading) -> Self {
        Self {
            format: r.format,
            text: r.text,
            kind: r.kind.into(),
            fields: r.fields.into_iter().collect::<BTreeMap<_, _>>(),
        }
    }
}

/// The captured page. Personal data: its `Debug` shows sizes only.
#[derive(Clone, PartialEq, uniffi::Record)]
pub struct CapturedDocument {
    /// The flat, upright page as JPEG (within `maxLongEdge` / `maxJpegBytes`): upload it as
    /// the document's side.
    pub jpeg: Vec<u8>,
    /// The page's corners in the frame it was taken from (upright pixels), clockwise from the
    /// top-left.
    pub corners: Vec<DocumentPoint>,
    /// Size of the flattened page (the JPEG's).
    pub width: i32,
    pub height: i32,
    /// Sharpness of the chosen frame.
    pub sharpness: f32,
    /// The page's MRZ, read through the `TextRecognizer` set with `setTextRecognizer`
    /// (`null` without a recognizer or when its text holds no MRZ; check `valid`).
    pub mrz: Option<MrzReading>,
    /// The first PDF417 barcode decoded on the page (`null` when none, or `readBarcode` off).
    pub barcode: Option<BarcodeReading>,
    /// The portrait printed on the page, as JPEG (the upload's `documentFace`); `null` without
    /// the face detector, without a face, or with `cropFace` off.
    pub face_jpeg: Option<Vec<u8>>,
}

impl std::fmt::Debug for CapturedDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CapturedDocument")
            .field("jpeg", &format_args!("<{} bytes>", self.jpeg.len()))
            .field("corners", &self.corners)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("sharpness", &self.sharpness)
            .field("mrz", &self.mrz)
            .field("barcode", &self.barcode)
            .field(
                "face_jpeg",
                &self
                    .face_jpeg
                    .as_ref()
                    .map(|j| format!("<{} bytes>", j.len())),
            )
            .finish()
    }
}

/// The app's OCR, which the SDK calls to read a captured page's MRZ: ML Kit text recognition
/// on Android (`InputImage.fromBitmap(BitmapFactory.decodeByteArray(jpeg, …), 0)`), Vision's
/// `VNRecognizeTextRequest` on iOS (`VNImageRequestHandler(data: jpeg)`). It gets the page as
/// JPEG bytes (upright, long edge at most `maxLongEdge`) and returns the recognised text, lines
/// separated by `\n`. It is called on the thread that calls `DocumentCapture.result()` (never
/// the main thread in the samples): block there until the OCR is done. On failure throw
/// `TextRecognizerException.Failed` (Swift `TextRecognizerError.Failed`); any other exception
/// is reported the same way, never as a crash.
#[uniffi::export(with_foreign)]
pub trait TextRecognizer: Send + Sync {
    fn recognize_text(&self, jpeg: Vec<u8>) -> std::result::Result<String, TextRecognizerError>;
}

/// What `result()` added to a capture (MRZ, barcode, face crop), kept for the capture it
/// belongs to.
#[derive(Clone)]
struct Extras {
    generation: u64,
    mrz: Option<MrzReading>,
    barcode: Option<BarcodeReading>,
    face_jpeg: Option<Vec<u8>>,
}

struct State {
    inner: doc::DocumentCapture,
    recognizer: Option<Arc<dyn TextRecognizer>>,
    /// Bumped by every capture, `reset()` and `setTextRecognizer()`: extras of an older one are
    /// not reused.
    generation: u64,
    extras: Option<Extras>,
}

/// Live document capture: feed it back-camera frames (`processFrame`, from the camera's
/// analysis thread), show the guidance and the corners, and read the page with `result()`
/// once a frame reports `captured`. Thread-safe (one lock; the app's recognizer runs outside
/// it).
#[derive(uniffi::Object)]
pub struct DocumentCapture {
    state: Mutex<State>,
    read_barcode: bool,
    crop_face: bool,
}

/// A positive `Int` setting, else `InvalidInput(field = "documentCaptureConfig")`.
fn positive(v: i32, what: &str) -> Result<u32> {
    let v = unsigned(v, "documentCaptureConfig", what)?;
    if v == 0 {
        return Err(doc::DocumentError::InvalidConfig {
            reason: format!("{what} must be at least 1"),
        }
        .into());
    }
    Ok(v)
}

#[uniffi::export]
impl DocumentCapture {
    /// A capture with these settings; a negative or zero value is
    /// `InvalidInput(field = "documentCaptureConfig")`.
    #[uniffi::constructor]
    pub fn new(config: DocumentCaptureConfig) -> Result<Arc<Self>> {
        // Field by field over the defaults: settings the document crate adds keep theirs.
        let mut c = doc::DocumentCaptureConfig::default();
        if let Some(v) = config.good_frames {
            c.good_frames = positive(v, "goodFrames")?;
        }
        if let Some(v) = config.max_long_edge {
            c.max_long_edge = positive(v, "maxLongEdge")?;
        }
        if let Some(v) = config.max_jpeg_bytes {
            c.max_jpeg_bytes = positive(v, "maxJpegBytes")? as usize;
        }
        let inner = doc::DocumentCapture::new(c)?;
        Ok(Arc::new(Self {
            state: Mutex::new(State {
                inner,
                recognizer: None,
                generation: 0,
                extras: None,
            }),
            read_barcode: config.read_barcode,
            crop_face: config.crop_face,
        }))
    }

    /// Judges one camera frame. An invalid frame (sizes, strides, planes, rotation that do not
    /// match) is `InvalidInput(field = "frame")`, checked before any pixel is read.
    pub fn process_frame(&self, frame: CameraFrame) -> Result<DocumentFeedback> {
        let f = to_core_frame(frame)?;
        let view = f.view().map_err(doc::DocumentError::from)?;
        let (w, h) = view.upright_size();
        let mut state = lock(&self.state);
        let fb = state.inner.process_view(&view);
        if fb.captured {
            state.generation = state.generation.wrapping_add(1);
            state.extras = None;
        }
        drop(state);
        let guidance: DocumentGuidance = fb.guidance.into();
        Ok(DocumentFeedback {
            guidance,
            guidance_key: fb.guidance.key().to_owned(),
            corners: fb.quad.as_ref().map(corners_of),
            metrics: DocumentMetrics::from(&fb.metrics),
            readiness: fb.readiness,
            captured: fb.captured,
            frame_width: signed32(u32::try_from(w).unwrap_or(u32::MAX)),
            frame_height: signed32(u32::try_from(h).unwrap_or(u32::MAX)),
        })
    }

    /// The captured page, once a frame reported `captured` (`null` before), with its MRZ (read
    /// through the `TextRecognizer`, called here on the calling thread), its barcode and its
    /// face crop, computed on the first call and kept. If the recognizer fails this throws
    /// `TextRecognitionFailed` and keeps the capture: call `result()` again to retry, or
    /// `setTextRecognizer(null)` first to get the page without its MRZ.
    pub fn result(&self) -> Result<Option<CapturedDocument>> {
        let (page, generation, recognizer, cached) = {
            let state = lock(&self.state);
            let Some(page) = state.inner.result().cloned() else {
                return Ok(None);
            };
            let cached = state
                .extras
                .clone()
                .filter(|e| e.generation == state.generation);
            (page, state.generation, state.recognizer.clone(), cached)
        };
        let extras = match cached {
            Some(e) => e,
            None => {
                let e = self.extras(&page, generation, recognizer.as_deref())?;
                let mut state = lock(&self.state);
                if state.generation == generation {
                    state.extras = Some(e.clone());
                }
                e
            }
        };
        Ok(Some(CapturedDocument {
            corners: corners_of(&page.corners),
            width: signed32(page.width),
            height: signed32(page.height),
            sharpness: page.sharpness,
            jpeg: page.jpeg,
            mrz: extras.mrz,
            barcode: extras.barcode,
            face_jpeg: extras.face_jpeg,
        }))
    }

    /// Sets (or, with `null`, clears) the OCR that reads the captured page's MRZ. A result
    /// already read is read again with the new recognizer on the next `result()`.
    pub fn set_text_recognizer(&self, recognizer: Option<Arc<dyn TextRecognizer>>) {
        let mut state = lock(&self.state);
        state.recognizer = recognizer;
        state.generation = state.generation.wrapping_add(1);
        state.extras = None;
    }

    /// Starts over (after a retake): no capture, good frames counted from zero.
    pub fn reset(&self) {
        let mut state = lock(&self.state);
        state.inner.reset();
        state.generation = state.generation.wrapping_add(1);
        state.extras = None;
    }
}

impl DocumentCapture {
    /// The MRZ (first: the app's OCR may fail, then nothing else was spent), the barcode and
    /// the face crop of a captured page. Runs without the lock.
    fn extras(
        &self,
        page: &doc::CapturedDocument,
        generation: u64,
        recognizer: Option<&dyn TextRecognizer>,
    ) -> Result<Extras> {
        let mrz = match recognizer {
            Some(r) => {
                let text = r.recognize_text(page.jpeg.clone())?;
                doc::mrz::find_mrz(&text).map(MrzReading::from)
            }
            None => None,
        };
        let (mut barcode, mut face_jpeg) = (None, None);
        if self.read_barcode || self.crop_face {
            let rgb = decode(&page.jpeg)?.to_rgb8();
            if self.read_barcode {
                let gray = image::DynamicImage::ImageRgb8(rgb.clone()).to_luma8();
                barcode = doc::barcode::read_pdf417(&gray)
                    .into_iter()
                    .next()
                    .map(BarcodeReading::from);
            }
            if self.crop_face {
                face_jpeg = smart_enroll_core::document_face_crop(&rgb);
            }
        }
        Ok(Extras {
            generation,
            mrz,
            barcode,
            face_jpeg,
        })
    }
}

/// Decodes an image (JPEG; PNG/WebP where the build has them) upright, with the SDK's decode
/// limits; an undecodable one is `InvalidInput(field = "image")`.
fn decode(bytes: &[u8]) -> Result<image::DynamicImage> {
    smart_enroll_core::media::decode_upright(bytes).map_err(|e| {
        doc::DocumentError::ImageDecode {
            reason: e.to_string(),
        }
        .into()
    })
}

/// Finds and parses an MRZ (TD1, TD2, TD3) in recognised text (e.g. what your own OCR
/// returned); `null` when the text holds none. Check `valid` and `failedChecks`.
#[uniffi::export]
pub fn read_mrz(text: String) -> Option<MrzReading> {
    doc::mrz::find_mrz(&text).map(MrzReading::from)
}

/// Reads the MRZ of a still image (e.g. a photo the user picked) with the app's OCR: the image
/// (JPEG) is decoded, turned upright (EXIF) and handed to `recognizer` as JPEG (long edge at
/// most 2000 px), and the MRZ is found in the text it returns; `null` when there is none. An
/// undecodable image is `InvalidInput(field = "image")`; a recognizer that throws is
/// `TextRecognitionFailed`. Runs the recognizer on the calling thread.
#[uniffi::export]
pub fn read_mrz_in_image(
    image: Vec<u8>,
    recognizer: Arc<dyn TextRecognizer>,
) -> Result<Option<MrzReading>> {
    let page = smart_enroll_core::media::prepare_document(&image).map_err(|e| {
        SmartEnrollError::from(doc::DocumentError::ImageDecode {
            reason: e.to_string(),
        })
    })?;
    let text = recognizer.recognize_text(page.jpeg)?;
    Ok(doc::mrz::find_mrz(&text).map(MrzReading::from))
}

/// Classifies and parses a decoded barcode payload (AAMVA, Colombian cédula, or unknown).
#[uniffi::export]
pub fn parse_barcode_payload(text: String) -> BarcodeReading {
    doc::barcode::parse_payload(&text).into()
}

/// Decodes the PDF417 barcodes in an image (JPEG bytes, e.g. a photo of the document's back);
/// an empty list when none decodes. An undecodable image is `InvalidInput(field = "image")`.
#[uniffi::export]
pub fn read_barcodes(image: Vec<u8>) -> Result<Vec<BarcodeReading>> {
    let gray = decode(&image)?.to_luma8();
    Ok(barcodes_in(&gray))
}

/// Decodes the PDF417 barcodes in a camera frame (its upright luma, no JPEG needed). An invalid
/// frame is `InvalidInput(field = "frame")`.
#[uniffi::export]
pub fn read_barcodes_in_frame(frame: CameraFrame) -> Result<Vec<BarcodeReading>> {
    let gray = frame_luma(frame)?;
    Ok(barcodes_in(&gray))
}

fn barcodes_in(gray: &image::GrayImage) -> Vec<BarcodeReading> {
    doc::barcode::read_pdf417(gray)
        .into_iter()
        .map(BarcodeReading::from)
        .collect()
}

/// The upright luma of a frame.
fn frame_luma(frame: CameraFrame) -> Result<image::GrayImage> {
    let f = to_core_frame(frame)?;
    let view = f.view().map_err(doc::DocumentError::from)?;
    let (w, h) = view.upright_size();
    let mut luma = Vec::with_capacity(w.saturating_mul(h));
    for v in 0..h {
        for u in 0..w {
            luma.push(view.luma(u, v));
        }
    }
    let (w, h) = (u32::try_from(w), u32::try_from(h));
    match (w, h) {
        (Ok(w), Ok(h)) => image::GrayImage::from_raw(w, h, luma),
        _ => None,
    }
    .ok_or_else(|| SmartEnrollError::Internal {
        reason: "frame luma size mismatch".to_owned(),
    })
}

/// Where the reading of a barcode side stands.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum SideStatus {
    /// Keep shooting: `matches` identical decodes in a row so far, `failures` shots without a
    /// decode.
    Reading { matches: i32, failures: i32 },
    /// Three identical decodes in a row: the side is read.
    Read { reading: BarcodeReading },
    /// Four shots without a decode: the app may go on without the barcode.
    GiveUp,
}

impl From<doc::SideStatus> for SideStatus {
    fn from(s: doc::SideStatus) -> Self {
        match s {
            doc::SideStatus::Reading { matches, failures } => Self::Reading {
                matches: signed32(matches),
                failures: signed32(failures),
            },
            doc::SideStatus::Read(r) => Self::Read { reading: r.into() },
            doc::SideStatus::GiveUp => Self::GiveUp,
        }
    }
}

/// Accepts a barcode side (the back of a cédula, a driver licence) after three identical
/// decodes in a row; gives up after four shots without a decode. Thread-safe.
#[derive(uniffi::Object)]
pub struct SideReader {
    inner: Mutex<doc::SideReader>,
}

#[uniffi::export]
impl SideReader {
    #[uniffi::constructor]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            inner: Mutex::new(doc::SideReader::new()),
        })
    }

    /// Records one shot's decode (`null` when nothing decoded).
    pub fn push(&self, reading: Option<BarcodeReading>) -> SideStatus {
        lock(&self.inner).push(reading.map(Into::into)).into()
    }

    /// Decodes one shot (JPEG bytes) and records its first barcode. An undecodable image is
    /// `InvalidInput(field = "image")` and is not counted.
    pub fn push_image(&self, image: Vec<u8>) -> Result<SideStatus> {
        let gray = decode(&image)?.to_luma8();
        let first = doc::barcode::read_pdf417(&gray).into_iter().next();
        Ok(lock(&self.inner).push(first).into())
    }

    /// Decodes one camera frame and records its first barcode. An invalid frame is
    /// `InvalidInput(field = "frame")` and is not counted.
    pub fn push_frame(&self, frame: CameraFrame) -> Result<SideStatus> {
        let gray = frame_luma(frame)?;
        let first = doc::barcode::read_pdf417(&gray).into_iter().next();
        Ok(lock(&self.inner).push(first).into())
    }

    /// Starts over (another side).
    pub fn reset(&self) {
        *lock(&self.inner) = doc::SideReader::new();
    }
}

/// What a document's own machine-readable data says about its holder, to prefill sign-up
/// (`SignUpData.firstName` / `lastName` / `fullName`) and to compare with the server's OCR.
/// Personal data: its `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Default, uniffi::Record)]
pub struct DocumentIdentity {
    /// Given names (space-separated).
    pub given_names: Option<String>,
    /// Surnames (space-separated).
    pub surnames: Option<String>,
    pub document_number: Option<String>,
    /// `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
}

impl std::fmt::Debug for DocumentIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DocumentIdentity(<redacted>)")
    }
}

impl From<doc::DocumentIdentity> for DocumentIdentity {
    fn from(d: doc::DocumentIdentity) -> Self {
        Self {
            given_names: d.given_names,
            surnames: d.surnames,
            document_number: d.document_number,
            date_of_birth: d.date_of_birth,
        }
    }
}

impl From<DocumentIdentity> for doc::DocumentIdentity {
    fn from(d: DocumentIdentity) -> Self {
        Self {
            given_names: d.given_names,
            surnames: d.surnames,
            document_number: d.document_number,
            date_of_birth: d.date_of_birth,
        }
    }
}

impl From<smart_enroll_core::MachineReadableData> for DocumentIdentity {
    fn from(d: smart_enroll_core::MachineReadableData) -> Self {
        Self {
            given_names: d.given_names,
            surnames: d.surnames,
            document_number: d.document_number,
            date_of_birth: d.date_of_birth,
        }
    }
}

/// The identity a document's machine-readable data gives: a **valid** MRZ first (an MRZ whose
/// check digits fail is not used), its missing fields filled from the barcode; `null` when
/// neither gives any field.
#[uniffi::export]
pub fn document_identity(
    mrz: Option<MrzReading>,
    barcode: Option<BarcodeReading>,
) -> Option<DocumentIdentity> {
    let from_mrz = mrz
        .filter(|m| m.valid)
        .map(|m| DocumentIdentity::from(doc::DocumentIdentity::from_mrz(&m.into())));
    let from_barcode =
        barcode.map(|b| DocumentIdentity::from(doc::DocumentIdentity::from_barcode(&b.into())));
    let merged = match (from_mrz, from_barcode) {
        (Some(m), Some(b)) => DocumentIdentity {
            given_names: m.given_names.or(b.given_names),
            surnames: m.surnames.or(b.surnames),
            document_number: m.document_number.or(b.document_number),
            date_of_birth: m.date_of_birth.or(b.date_of_birth),
        },
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => return None,
    };
    (merged != DocumentIdentity::default()).then_some(merged)
}

/// What a document's machine-readable data fills in the sign-up form (`prefillSignUp`).
/// Personal data: its `toString()` / `description` is redacted.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug, Display)]
pub struct SignUpPrefill {
    /// The sign-up data with the names filled in when the user had typed none.
    pub sign_up: crate::types::SignUpData,
    /// The document number, for the app's own form field.
    pub document_number: Option<String>,
    /// The date of birth, `YYYY-MM-DD`, for the app's own form field.
    pub date_of_birth: Option<String>,
    /// Which `SignUpData` fields were filled: `full_name`, `first_name`, `last_name`.
    pub filled: Vec<String>,
}

impl std::fmt::Debug for SignUpPrefill {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SignUpPrefill(filled={:?}, <redacted>)", self.filled)
    }
}

impl std::fmt::Display for SignUpPrefill {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self, f)
    }
}

/// Prefills the sign-up form from a document's machine-readable data. What the user typed is
/// never overwritten: the names (`fullName`, `firstName`, `lastName`) are filled only when none
/// of them was typed, all three from the document, names in capitals (as MRZs print them)
/// in title case ("ANNA MARIA" → "Anna Maria"). The document number and the date of birth are
/// returned for the app's own fields.
#[uniffi::export]
pub fn prefill_sign_up(
    sign_up: crate::types::SignUpData,
    identity: DocumentIdentity,
) -> SignUpPrefill {
    let p = smart_enroll_core::SignUpData::from(sign_up).prefill_from_document(&identity.into());
    SignUpPrefill {
        sign_up: p.signup.into(),
        document_number: p.document_number,
        date_of_birth: p.date_of_birth,
        filled: p.filled,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::prefilter::{FramePlane, PixelFormat};

    fn config() -> DocumentCaptureConfig {
        DocumentCaptureConfig {
            good_frames: None,
            max_long_edge: None,
            max_jpeg_bytes: None,
            read_barcode: true,
            crop_face: false,
        }
    }

    fn nv21(w: i32, h: i32) -> CameraFrame {
        let n = usize::try_from(w * h).unwrap();
        CameraFrame {
            format: PixelFormat::Nv21,
            width: w,
            height: h,
            planes: vec![FramePlane {
                data: vec![128u8; n + n / 2],
                row_stride: w,
                pixel_stride: 1,
            }],
            rotation_degrees: 90,
            mirrored: false,
            timestamp_ms: 0,
        }
    }

    #[test]
    fn every_guidance_has_its_stable_key_both_ways() {
        let keys: Vec<String> = doc::DocumentGuidance::ALL
            .iter()
            .map(|&g| document_guidance_key(DocumentGuidance::from(g)))
            .collect();
        for (g, k) in doc::DocumentGuidance::ALL.iter().zip(&keys) {
            assert_eq!(g.key(), k);
            assert_eq!(doc::DocumentGuidance::from(DocumentGuidance::from(*g)), *g);
        }
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 10);
    }

    #[test]
    fn frames_and_configs_are_checked_with_typed_errors() {
        let c = DocumentCapture::new(config()).unwrap();
        let fb = c.process_frame(nv21(64, 48)).unwrap();
        // Rotated by 90°: the corners' space is the upright frame.
        assert_eq!((fb.frame_width, fb.frame_height), (48, 64));
        assert_eq!(fb.guidance_key, document_guidance_key(fb.guidance));
        assert!(!fb.captured && (0.0..=1.0).contains(&fb.readiness));
        let mut short = nv21(64, 48);
        short.planes[0].data.truncate(64 * 48);
        let err = c.process_frame(short).unwrap_err();
        assert!(
            matches!(&err, SmartEnrollError::InvalidInput { field, .. } if field == "frame"),
            "{err:?}"
        );
        for bad in [Some(0), Some(-1)] {
            let err = DocumentCapture::new(DocumentCaptureConfig {
                good_frames: bad,
                ..config()
            })
            .err()
            .unwrap();
            assert!(
                matches!(&err, SmartEnrollError::InvalidInput { field, .. } if field == "documentCaptureConfig"),
                "{err:?}"
            );
        }
        assert!(c.result().unwrap().is_none());
        let err = read_barcodes(b"no image".to_vec()).unwrap_err();
        assert!(
            matches!(&err, SmartEnrollError::InvalidInput { field, .. } if field == "image"),
            "{err:?}"
        );
    }

    struct Failing;
    impl TextRecognizer for Failing {
        fn recognize_text(
            &self,
            _jpeg: Vec<u8>,
        ) -> std::result::Result<String, TextRecognizerError> {
            Err(TextRecognizerError::Failed {
                reason: "no OCR".into(),
            })
        }
    }

    #[test]
    fn recognizer_errors_and_personal_data_stay_typed_and_redacted() {
        let e = SmartEnrollError::from(TextRecognizerError::Failed {
            reason: "no OCR".into(),
        });
        assert_eq!(e.to_string(), "text recognition failed: no OCR");
        assert!(Failing.recognize_text(vec![]).is_err());
        let fields = MrzFields {
            surname: "ERIKSSON".into(),
            given_names: "ANNA MARIA".into(),
            document_number: "L898902C3".into(),
            nationality: "UTO".into(),
            date_of_birth: "1974-08-12".into(),
            sex: "F".into(),
            expiry_date: "2012-04-15".into(),
            issuing_state: "UTO".into(),
        };
        let reading = MrzReading {
            format: MrzFormat::Td3,
            valid: true,
            fields,
            failed_checks: vec![],
        };
        let shown = format!("{reading:?}");
        assert!(
            !shown.contains("ERIKSSON") && !shown.contains("L898902C3"),
            "{shown}"
        );
        let back = MrzReading::from(doc::MrzReading::from(reading.clone()));
        assert_eq!(back, reading);
        let id = document_identity(Some(reading.clone()), None).unwrap();
        assert_eq!(id.surnames.as_deref(), Some("ERIKSSON"));
        assert_eq!(id.date_of_birth.as_deref(), Some("1974-08-12"));
        assert!(!format!("{id:?}").contains("ERIKSSON"));
        // An MRZ whose check digits fail does not prefill.
        let invalid = MrzReading {
            valid: false,
            ..reading
        };
        assert_eq!(document_identity(Some(invalid), None), None);
        let b = parse_barcode_payload("SECRET-PAYLOAD".into());
        assert!(!format!("{b:?}").contains("SECRET"));
    }
}
