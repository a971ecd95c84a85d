//! BlazeFace short-range face detection on ONNX Runtime (loaded at run time).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ort::environment::Environment;
use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;
use ort::value::TensorRef;

use crate::error::PrefilterError;
use crate::frame::FrameView;

/// Model input side, in pixels.
pub const INPUT_SIZE: usize = 128;
/// Number of anchors of the short-range model.
pub const NUM_ANCHORS: usize = 896;
const INPUT_LEN: usize = INPUT_SIZE * INPUT_SIZE * 3;
/// Maximum faces reported per frame.
pub const MAX_FACES: usize = 8;
/// IoU above which weighted NMS merges two detections (MediaPipe uses 0.3).
const NMS_IOU: f32 = 0.3;

/// The committed BlazeFace model (see `models/PROVENANCE.md`), compiled into the library when
/// the crate feature `embedded-face-model` is on (the default); `None` without the feature (the
/// mobile library, whose apps ship the model as an asset and pass its bytes).
#[cfg(feature = "embedded-face-model")]
pub static EMBEDDED_MODEL: Option<&[u8]> = Some(include_bytes!(
    "../../../models/face_detection_front_128x128_barracuda.onnx"
));
/// The committed BlazeFace model (see `models/PROVENANCE.md`), compiled into the library when
/// the crate feature `embedded-face-model` is on (the default); `None` without the feature (the
/// mobile library, whose apps ship the model as an asset and pass its bytes).
#[cfg(not(feature = "embedded-face-model"))]
pub static EMBEDDED_MODEL: Option<&[u8]> = None;
/// The face detector's file name in `models/` (named in errors).
pub const MODEL_FILE: &str = "face_detection_front_128x128_barracuda.onnx";

/// A face detection in upright-frame pixel coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    /// Left, top, width, height.
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    pub score: f32,
    /// Right eye, left eye, nose tip, mouth, right ear tragion, left ear tragion (as the model labels them).
    pub keypoints: [[f32; 2]; 6],
}

impl Detection {
    /// Intersection over the smaller box's area: 1 when one box lies inside the other.
    pub fn overlap(&self, other: &Detection) -> f32 {
        let x0 = self.x.max(other.x);
        let y0 = self.y.max(other.y);
        let x1 = (self.x + self.w).min(other.x + other.w);
        let y1 = (self.y + self.h).min(other.y + other.h);
        let inter = (x1 - x0).max(0.0) * (y1 - y0).max(0.0);
        let smaller = (self.w * self.h).min(other.w * other.h);
        if smaller <= 0.0 { 0.0 } else { inter / smaller }
    }

    /// Intersection over union.
    pub fn iou(&self, other: &Detection) -> f32 {
        let x0 = self.x.max(other.x);
        let y0 = self.y.max(other.y);
        let x1 = (self.x + self.w).min(other.x + other.w);
        let y1 = (self.y + self.h).min(other.y + other.h);
        let inter = (x1 - x0).max(0.0) * (y1 - y0).max(0.0);
        let union = self.w * self.h + other.w * other.h - inter;
        if union <= 0.0 { 0.0 } else { inter / union }
    }
}

/// The 896 anchor centres of the short-range model, MediaPipe's SSD layout: strides 8, 16, 16, 16
/// (layers with the same stride share a grid: 2 anchors per 16×16 cell, 6 per 8×8 cell), fixed size
/// 1, centres at (x + 0.5) / grid. Order matches the model outputs (stride 8 first).
pub fn anchors() -> Vec<[f32; 2]> {
    let mut out = Vec::with_capacity(NUM_ANCHORS);
    for (stride, per_cell) in [(8usize, 2usize), (16, 6)] {
        let grid = INPUT_SIZE / stride;
        for y in 0..grid {
            for x in 0..grid {
                for _ in 0..per_cell {
                    out.push([
                        (x as f32 + 0.5) / grid as f32,
                        (y as f32 + 0.5) / grid as f32,
                    ]);
                }
            }
        }
    }
    out
}

/// Where the letterboxed model input sits in the upright frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Letterbox {
    /// Upright pixels per model pixel.
    pub scale: f32,
    pub pad_x: f32,
    pub pad_y: f32,
}

impl Letterbox {
    pub fn for_size(width: usize, height: usize) -> Self {
        let side = width.max(height) as f32;
        Self {
            scale: side / INPUT_SIZE as f32,
            pad_x: (side - width as f32) / 2.0,
            pad_y: (side - height as f32) / 2.0,
        }
    }
}

/// Fills `out` (NHWC 128×128×3, RGB in [-1, 1]) from the frame: the upright image is padded (black)
/// to a centred square and downscaled; each model pixel averages a 2×2 grid of source samples
/// (see [`crate::frame::PixelFetch::block_sum`]; padding samples count as black).
/// Rotation and mirroring are folded into the sampling; nothing else is read or written.
pub fn fill_input(frame: &FrameView<'_>, out: &mut [f32]) -> Letterbox {
    let (uw, uh) = frame.upright_size();
    fill_input_with(frame, Letterbox::for_size(uw, uh), out)
}

/// A square tile of the upright frame: left, top and side in upright pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tile {
    pub x: f32,
    pub y: f32,
    pub side: f32,
}

impl Tile {
    /// The letterbox that maps model pixels to this tile (scale = side / 128, offset = corner).
    pub fn letterbox(self) -> Letterbox {
        Letterbox {
            scale: self.side / INPUT_SIZE as f32,
            pad_x: -self.x,
            pad_y: -self.y,
        }
    }

    /// The still-image second pass's tiles: squares of the short side and of half the short
    /// side, overlapping by half their side, covering the upright frame. A face up to half a
    /// tile wide lies whole inside at least one tile, seen at 2× (or more) the scale of the
    /// whole-frame pass. The short-side level is skipped for a square frame (it would repeat
    /// the whole-frame pass); levels whose tiles would be under 48 px are skipped.
    pub fn still_tiles(width: usize, height: usize) -> Vec<Tile> {
        let (w, h) = (width as f32, height as f32);
        let short = w.min(h);
        let mut out = Vec::new();
        for side in [short, short / 2.0] {
            if side < 48.0 || (side >= short && (w - h).abs() < 0.05 * short) {
                continue;
            }
            let positions = |len: f32| -> Vec<f32> {
                let n = (((len - side) / (side / 2.0)).ceil().max(0.0) as usize) + 1;
                (0..n)
                    .map(|i| {
                        if n == 1 {
                            0.0
                        } else {
                            (len - side) * i as f32 / (n - 1) as f32
                        }
                    })
                    .collect()
            };
            for y in positions(h) {
                for x in positions(w) {
                    out.push(Tile { x, y, side });
                }
            }
        }
        out
    }
}

/// [`fill_input`] for a square tile of the upright frame (what's outside the frame is black).
pub fn fill_input_tile(frame: &FrameView<'_>, tile: Tile, out: &mut [f32]) -> Letterbox {
    fill_input_with(frame, tile.letterbox(), out)
}

fn fill_input_with(frame: &FrameView<'_>, lb: Letterbox, out: &mut [f32]) -> Letterbox {
    let (uw, uh) = frame.upright_size();
    // Per model column/row: the two sample positions, already mapped to source axes (or -1
    // when they fall in the letterbox padding).
    let mut cols = [[-1i64; 2]; INPUT_SIZE];
    let mut rows = [[-1i64; 2]; INPUT_SIZE];
    let map = frame.axis_map();
    for i in 0..INPUT_SIZE {
        for s in 0..2 {
            let off = (i as f32 + (s as f32 + 0.5) / 2.0) * lb.scale;
            let u = (off - lb.pad_x).floor() as i64;
            let v = (off - lb.pad_y).floor() as i64;
            if u >= 0 && (u as usize) < uw {
                cols[i][s] = map.from_u(u as usize) as i64;
            }
            if v >= 0 && (v as usize) < uh {
                rows[i][s] = map.from_v(v as usize) as i64;
            }
        }
    }
    frame.visit(FillInput {
        cols: &cols,
        rows: &rows,
        out,
    });
    lb
}

struct FillInput<'a> {
    cols: &'a [[i64; 2]; INPUT_SIZE],
    rows: &'a [[i64; 2]; INPUT_SIZE],
    out: &'a mut [f32],
}

impl FillInput<'_> {
    #[inline(always)]
    fn pixel<P: crate::frame::PixelFetch>(
        pixels: &P,
        map: crate::frame::AxisMap,
        col: &[i64; 2],
        row: &[i64; 2],
    ) -> [f32; 3] {
        let mut points = [(0usize, 0usize); 4];
        let mut n = 0;
        for &sv in row {
            if sv < 0 {
                continue;
            }
            for &su in col {
                if su < 0 {
                    continue;
                }
                if let Some(slot) = points.get_mut(n) {
                    *slot = map.xy(su as usize, sv as usize);
                    n += 1;
                }
            }
        }
        // Samples in the letterbox padding count as black.
        let acc = pixels.block_sum(&points[..n]);
        acc.map(|a| ((a + 2) / 4) as f32 / 127.5 - 1.0)
    }
}

impl crate::frame::PixelVisitor for FillInput<'_> {
    type Output = ();
    fn visit<P: crate::frame::PixelFetch>(self, pixels: &P, map: crate::frame::AxisMap) {
        // Walk the source in memory order: when the upright image is the transposed source
        // (rotation 90/270), model columns follow source rows, so iterate columns outermost.
        if map.transposed {
            for (i, col) in self.cols.iter().enumerate() {
                for (j, row) in self.rows.iter().enumerate() {
                    let base = (j * INPUT_SIZE + i) * 3;
                    if let Some(dst) = self.out.get_mut(base..base + 3) {
                        dst.copy_from_slice(&Self::pixel(pixels, map, col, row));
                    }
                }
            }
        } else {
            for (j, row) in self.rows.iter().enumerate() {
                for (i, col) in self.cols.iter().enumerate() {
                    let base = (j * INPUT_SIZE + i) * 3;
                    if let Some(dst) = self.out.get_mut(base..base + 3) {
                        dst.copy_from_slice(&Self::pixel(pixels, map, col, row));
                    }
                }
            }
        }
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x.clamp(-80.0, 80.0)).exp())
}

/// Decodes raw outputs (scores `[896]` logits, regressors `[896 × 16]`, both in anchor order) into
/// candidates above `min_score`, then merges them with weighted NMS into `faces` (≤ [`MAX_FACES`],
/// best first). Coordinates are mapped back through the letterbox to upright pixels.
/// `scratch` must have capacity for 896 entries to stay allocation-free.
#[allow(clippy::too_many_arguments)]
pub fn decode(
    anchors: &[[f32; 2]],
    scores: [&[f32]; 2],
    regressors: [&[f32]; 2],
    min_score: f32,
    lb: Letterbox,
    scratch: &mut Vec<Detection>,
    faces: &mut Vec<Detection>,
) {
    scratch.clear();
    faces.clear();
    let s = INPUT_SIZE as f32;
    let mut index = 0usize;
    for (layer_scores, layer_regs) in scores.iter().zip(regressors.iter()) {
        for (k, &logit) in layer_scores.iter().enumerate() {
            let anchor = anchors.get(index).copied().unwrap_or([0.0, 0.0]);
            index += 1;
            let score = sigmoid(logit);
            if score.is_nan() || score < min_score {
                continue;
            }
            let Some(r) = layer_regs.get(k * 16..k * 16 + 16) else {
                continue;
            };
            if !r.iter().all(|v| v.is_finite()) {
                continue;
            }
            let cx = anchor[0] * s + r[0];
            let cy = anchor[1] * s + r[1];
            let (w, h) = (r[2], r[3]);
            if !(w > 0.0 && h > 0.0 && w.is_finite() && h.is_finite()) {
                continue;
            }
            let mut keypoints = [[0.0f32; 2]; 6];
            for (p, kp) in keypoints.iter_mut().enumerate() {
                let kx = anchor[0] * s + r[4 + 2 * p];
                let ky = anchor[1] * s + r[5 + 2 * p];
                *kp = [kx * lb.scale - lb.pad_x, ky * lb.scale - lb.pad_y];
            }
            if scratch.len() < scratch.capacity().max(NUM_ANCHORS) {
                scratch.push(Detection {
                    x: (cx - w / 2.0) * lb.scale - lb.pad_x,
                    y: (cy - h / 2.0) * lb.scale - lb.pad_y,
                    w: w * lb.scale,
                    h: h * lb.scale,
                    score,
                    keypoints,
                });
            }
        }
    }
    weighted_nms(scratch, faces);
}

/// MediaPipe-style weighted non-maximum suppression: the best remaining candidate absorbs every
/// candidate overlapping it (IoU > 0.3); its box and keypoints become the score-weighted mean.
fn weighted_nms(candidates: &mut Vec<Detection>, out: &mut Vec<Detection>) {
    candidates.sort_unstable_by(|a, b| b.score.total_cmp(&a.score));
    while let Some(&best) = candidates.first() {
        if out.len() >= MAX_FACES {
            break;
        }
        let mut total = 0.0f32;
        let mut acc = Detection {
            x: 0.0,
            y: 0.0,
            w: 0.0,
            h: 0.0,
            score: best.score,
            keypoints: [[0.0; 2]; 6],
        };
        candidates.retain(|c| {
            if best.iou(c) > NMS_IOU || *c == best {
                let wgt = c.score;
                total += wgt;
                acc.x += c.x * wgt;
                acc.y += c.y * wgt;
                acc.w += c.w * wgt;
                acc.h += c.h * wgt;
                for (a, k) in acc.keypoints.iter_mut().zip(c.keypoints.iter()) {
                    a[0] += k[0] * wgt;
                    a[1] += k[1] * wgt;
                }
                false
            } else {
                true
            }
        });
        if total > 0.0 {
            acc.x /= total;
            acc.y /= total;
            acc.w /= total;
            acc.h /= total;
            for a in acc.keypoints.iter_mut() {
                a[0] /= total;
                a[1] /= total;
            }
            out.push(acc);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// ONNX Runtime loading
// ---------------------------------------------------------------------------------------------

static RUNTIME: OnceLock<Result<Environment, PrefilterError>> = OnceLock::new();

/// The platform's own name of the ONNX Runtime library, loaded through the system's dynamic
/// loader (no search of our own): `libonnxruntime.so` on Android (from the onnxruntime-android
/// AAR, in the APK's native library directory) and Linux, the embedded `onnxruntime.framework`
/// on iOS, `libonnxruntime.dylib` on macOS, `onnxruntime.dll` on Windows.
pub const PLATFORM_LIBRARY: &str = if cfg!(target_os = "ios") {
    "@rpath/onnxruntime.framework/onnxruntime"
} else if cfg!(target_vendor = "apple") {
    "libonnxruntime.dylib"
} else if cfg!(windows) {
    "onnxruntime.dll"
} else {
    "libonnxruntime.so"
};

/// Where the library loads ONNX Runtime from, in order, and only from there:
/// 1. `explicit` (`PrefilterConfig::runtime_path`, the bindings' `onnxruntime_path`), alone
///    when given;
/// 2. else `ORT_DYLIB_PATH`, alone when set;
/// 3. else [`PLATFORM_LIBRARY`], by name.
///
/// The library never runs a program nor searches folders to find it (a search through Python's
/// site-packages belongs to the CLI and the test set-up, which pass the path they find).
pub fn runtime_candidates(explicit: Option<&Path>) -> Vec<PathBuf> {
    if let Some(p) = explicit {
        return vec![p.to_path_buf()];
    }
    if let Some(p) = std::env::var_os("ORT_DYLIB_PATH")
        && !p.is_empty()
    {
        return vec![PathBuf::from(p)];
    }
    vec![PathBuf::from(PLATFORM_LIBRARY)]
}

/// Whether `p` is the platform library name (loaded by name, not a path to check on disk).
fn is_platform_name(p: &Path) -> bool {
    p.as_os_str() == PLATFORM_LIBRARY
}

/// Whether ONNX Runtime has already been loaded successfully in this process (by any caller,
/// e.g. a prefilter given an explicit `runtime_path`).
pub fn runtime_loaded() -> bool {
    matches!(RUNTIME.get(), Some(Ok(_)))
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic while loading ONNX Runtime".to_owned())
}

/// The version string of an ONNX Runtime (`1.20.1`) is new enough for ort's API level.
pub fn runtime_version_supported(version: &str) -> bool {
    version
        .split('.')
        .nth(1)
        .and_then(|minor| minor.parse::<u32>().ok())
        .is_some_and(|minor| minor >= ort::MINOR_VERSION)
}

/// ONNX Runtime already linked into the process: `OrtGetApiBase` looked up in the global symbol
/// scope (`dlsym(RTLD_DEFAULT)`). On iOS this is the static onnxruntime xcframework (the
/// `onnxruntime` CocoaPod or Swift package) linked into the app, which `dlopen` cannot load.
/// `None` when no such symbol is there; else its API table (ort's minimum API version) and its
/// version string, or why it cannot be used.
#[cfg(unix)]
pub fn linked_runtime() -> Option<Result<(ort::sys::OrtApi, String), String>> {
    // SAFETY: dlsym with RTLD_DEFAULT and a NUL-terminated name only reads the loader's tables.
    let symbol = unsafe { libc::dlsym(libc::RTLD_DEFAULT, c"OrtGetApiBase".as_ptr()) };
    if symbol.is_null() {
        return None;
    }
    // SAFETY: `OrtGetApiBase` has this signature in every ONNX Runtime (onnxruntime_c_api.h).
    let get_base: unsafe extern "system" fn() -> *const ort::sys::OrtApiBase =
        unsafe { std::mem::transmute::<*mut libc::c_void, _>(symbol) };
    // SAFETY: the entry point takes no argument and returns a static table (or null).
    let base = unsafe { get_base() };
    if base.is_null() {
        return Some(Err("OrtGetApiBase returned no API".to_owned()));
    }
    // SAFETY: `base` is non-null and points at ONNX Runtime's static OrtApiBase; the version is
    // a static NUL-terminated string.
    let version = unsafe { std::ffi::CStr::from_ptr(((*base).GetVersionString)()) }
        .to_string_lossy()
        .into_owned();
    if !runtime_version_supported(&version) {
        return Some(Err(format!(
            "linked ONNX Runtime {version} is older than 1.{}",
            ort::MINOR_VERSION
        )));
    }
    // SAFETY: as above; GetApi returns null for an unsupported API version.
    let api = unsafe { ((*base).GetApi)(ort::sys::ORT_API_VERSION) };
    if api.is_null() {
        return Some(Err(format!(
            "linked ONNX Runtime {version} refused API version {}",
            ort::sys::ORT_API_VERSION
        )));
    }
    // SAFETY: `api` is non-null and points at the runtime's static OrtApi table.
    Some(Ok((unsafe { (*api).clone() }, version)))
}

fn load_runtime(explicit: Option<&Path>) -> Result<Environment, PrefilterError> {
    let configure = |builder: ort::environment::EnvironmentBuilder| {
        builder
            .with_name("smart-enroll-prefilter")
            .with_logger(std::sync::Arc::new(
                |level, _category, _id, _location, message| {
                    // ONNX Runtime's own messages (model/graph notes): never personal data.
                    tracing::debug!(?level, message, "onnxruntime");
                },
            ))
            .build()
    };
    // iOS: an app that links the static onnxruntime xcframework has ONNX Runtime in its own
    // executable; use it (ort::set_api, no dlopen). Else the embedded dynamic framework below.
    #[cfg(target_os = "ios")]
    if explicit.is_none() {
        match linked_runtime() {
            Some(Ok((api, version))) => {
                let linked = "the app (OrtGetApiBase)".to_owned();
                let built = std::panic::catch_unwind(|| {
                    ort::set_api(api);
                    configure(ort::init())
                });
                tracing::debug!(version, "ONNX Runtime linked into the app");
                return match built {
                    Ok(result) => result.map_err(|e| PrefilterError::RuntimeLoad {
                        path: linked,
                        reason: e.to_string(),
                    }),
                    Err(payload) => Err(PrefilterError::RuntimeLoad {
                        path: linked,
                        reason: panic_message(payload.as_ref()),
                    }),
                };
            }
            Some(Err(reason)) => {
                return Err(PrefilterError::RuntimeLoad {
                    path: "the app (OrtGetApiBase)".to_owned(),
                    reason,
                });
            }
            None => {}
        }
    }
    let candidates = runtime_candidates(explicit);
    let path = candidates
        .iter()
        .find(|p| is_platform_name(p) || p.is_file())
        .cloned()
        .ok_or_else(|| PrefilterError::RuntimeNotFound {
            tried: candidates
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    let shown = path.display().to_string();
    let load_err = |reason: String| PrefilterError::RuntimeLoad {
        path: shown.clone(),
        reason,
    };
    // ort's loader may panic on exotic failures; never let that cross into the app.
    let built = std::panic::catch_unwind(|| -> Result<Environment, PrefilterError> {
        let builder = ort::init_from(&path).map_err(|e| load_err(e.to_string()))?;
        configure(builder).map_err(|e| load_err(e.to_string()))
    });
    match built {
        Ok(result) => result,
        Err(payload) => Err(load_err(panic_message(payload.as_ref()))),
    }
}

/// Loads ONNX Runtime once per process (later calls return the first outcome; the library is
/// process-global). `explicit` overrides discovery on the first call only.
pub fn runtime(explicit: Option<&Path>) -> Result<&'static Environment, PrefilterError> {
    match RUNTIME.get_or_init(|| {
        let result = load_runtime(explicit);
        match &result {
            Ok(_) => tracing::info!("ONNX Runtime loaded"),
            Err(err) => tracing::warn!(%err, "ONNX Runtime unavailable; prefilter runs in quality-only mode"),
        }
        result
    }) {
        Ok(env) => Ok(env),
        Err(err) => Err(err.clone()),
    }
}

/// Loads ONNX Runtime (once per process) and builds a single-threaded session from model bytes.
/// `what` names the model in [`PrefilterError::ModelInvalid`] reasons. Typed errors, never a panic.
pub(crate) fn session_from_memory(
    bytes: &[u8],
    runtime_path: Option<&Path>,
    what: &str,
) -> Result<Session, PrefilterError> {
    let env = runtime(runtime_path)?;
    let invalid = |reason: String| PrefilterError::ModelInvalid {
        reason: format!("{what}: {reason}"),
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        Session::builder(env)
            .map_err(|e| invalid(e.to_string()))?
            .with_optimization_level(GraphOptimizationLevel::Level3)
            .map_err(|e| invalid(e.to_string()))?
            .with_intra_threads(1)
            .map_err(|e| invalid(e.to_string()))?
            .commit_from_memory(bytes)
            .map_err(|e| invalid(e.to_string()))
    }))
    .map_err(|p| invalid(panic_message(p.as_ref())))?
}

/// Where a model comes from.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum ModelSource {
    /// The model compiled into the library (default): BlazeFace for the face detector
    /// ([`PrefilterConfig::model`](crate::PrefilterConfig::model)), the Face Mesh landmark model
    /// for the blink step ([`PrefilterConfig::landmark_model`](crate::PrefilterConfig::landmark_model)).
    /// Each is embedded only with its crate feature, `embedded-face-model` and
    /// `embedded-landmark-model` (both on by default): without it, `Embedded` for that model is
    /// a [`PrefilterError::ModelMissing`] that says to pass the model.
    #[default]
    Embedded,
    /// A model file on disk (must have the same signature).
    Path(PathBuf),
    /// The model's bytes, e.g. read by the app from its bundled assets (must have the same
    /// signature). `Debug` prints only the length.
    Bytes(std::sync::Arc<[u8]>),
}

impl std::fmt::Debug for ModelSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Embedded => f.write_str("Embedded"),
            Self::Path(path) => f.debug_tuple("Path").field(path).finish(),
            Self::Bytes(bytes) => write!(f, "Bytes(<{} bytes>)", bytes.len()),
        }
    }
}

/// The bytes of `source`: `embedded` is the model compiled into this build for
/// [`ModelSource::Embedded`] (`None` when the build leaves it out), `file` names the model's
/// file for the error that says so. A file is read here; bytes are borrowed.
pub(crate) fn model_bytes<'a>(
    source: &'a ModelSource,
    embedded: Option<&'static [u8]>,
    file: &str,
) -> Result<std::borrow::Cow<'a, [u8]>, PrefilterError> {
    match source {
        ModelSource::Embedded => match embedded {
            Some(bytes) => Ok(std::borrow::Cow::Borrowed(bytes)),
            None => Err(PrefilterError::ModelMissing {
                path: file.to_owned(),
                reason: not_embedded_reason(file),
            }),
        },
        ModelSource::Path(path) => std::fs::read(path)
            .map(std::borrow::Cow::Owned)
            .map_err(|e| PrefilterError::ModelMissing {
                path: path.display().to_string(),
                reason: e.to_string(),
            }),
        ModelSource::Bytes(bytes) => Ok(std::borrow::Cow::Borrowed(&bytes[..])),
    }
}

/// Why [`ModelSource::Embedded`] failed for the model `file`: which feature is off and where the
/// mobile SDK takes the bytes instead.
fn not_embedded_reason(file: &str) -> String {
    let (feature, field) = if file == MODEL_FILE {
        (
            "embedded-face-model",
            "CaptureConfig.faceModel or setFaceDetectorModel()",
        )
    } else {
        ("embedded-landmark-model", "CaptureConfig.landmarkModel")
    };
    format!(
        "this model is not embedded in this build (crate feature `{feature}` off); pass its \
         bytes (ModelSource::Bytes, {field} in the mobile SDK) or a file path"
    )
}

/// Output positions of the four model outputs, found by shape.
#[derive(Debug, Clone, Copy)]
struct OutputMap {
    score8: usize,
    score16: usize,
    reg8: usize,
    reg16: usize,
}

/// A loaded face detector with preallocated buffers. Not `Sync` by itself; the capture session
/// keeps it behind a mutex.
pub struct Detector {
    session: Session,
    map: OutputMap,
    anchors: Vec<[f32; 2]>,
    input: Vec<f32>,
    scratch: Vec<Detection>,
    faces: Vec<Detection>,
    scores: Vec<f32>,
    regs: Vec<f32>,
    letterbox: Letterbox,
}

impl std::fmt::Debug for Detector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detector").finish_non_exhaustive()
    }
}

impl Detector {
    /// Loads ONNX Runtime (once per process) and the model. Typed errors, never a panic.
    pub fn load(model: &ModelSource, runtime_path: Option<&Path>) -> Result<Self, PrefilterError> {
        let bytes = model_bytes(model, EMBEDDED_MODEL, MODEL_FILE)?;
        let session = session_from_memory(&bytes, runtime_path, "BlazeFace 128x128")?;
        let mut detector = Self {
            session,
            map: OutputMap {
                score8: 0,
                score16: 1,
                reg8: 2,
                reg16: 3,
            },
            anchors: anchors(),
            input: vec![0.0; INPUT_LEN],
            scratch: Vec::with_capacity(NUM_ANCHORS),
            faces: Vec::with_capacity(MAX_FACES),
            scores: vec![0.0; NUM_ANCHORS],
            regs: vec![0.0; NUM_ANCHORS * 16],
            letterbox: Letterbox::for_size(INPUT_SIZE, INPUT_SIZE),
        };
        detector.map = detector.probe()?;
        Ok(detector)
    }

    /// Runs the model once on a blank input and identifies the outputs by shape; rejects a model
    /// that does not have BlazeFace's input and four outputs.
    fn probe(&mut self) -> Result<OutputMap, PrefilterError> {
        let invalid = |reason: String| PrefilterError::ModelInvalid {
            reason: format!("BlazeFace 128x128: {reason}"),
        };
        let inputs = self.session.inputs();
        if inputs.len() != 1 {
            return Err(invalid(format!("expected 1 input, found {}", inputs.len())));
        }
        let tensor =
            TensorRef::from_array_view(([1usize, INPUT_SIZE, INPUT_SIZE, 3], &self.input[..]))
                .map_err(|e| invalid(e.to_string()))?;
        let outputs = self
            .session
            .run(ort::inputs![tensor])
            .map_err(|e| invalid(format!("input is not NHWC [1,128,128,3] float: {e}")))?;
        let mut map = [None; 4];
        for i in 0..outputs.len() {
            let (shape, _) = outputs[i]
                .try_extract_tensor::<f32>()
                .map_err(|e| invalid(e.to_string()))?;
            let slot = match &shape[..] {
                [1, 512, 1] => 0,
                [1, 384, 1] => 1,
                [1, 512, 16] => 2,
                [1, 384, 16] => 3,
                other => return Err(invalid(format!("unexpected output shape {other:?}"))),
            };
            map[slot] = Some(i);
        }
        match map {
            [Some(score8), Some(score16), Some(reg8), Some(reg16)] => Ok(OutputMap {
                score8,
                score16,
                reg8,
                reg16,
            }),
            _ => Err(invalid(
                "missing one of the four BlazeFace outputs".to_owned(),
            )),
        }
    }

    /// Stage 1: letterbox + downscale the frame into the model input buffer.
    pub fn prepare(&mut self, frame: &FrameView<'_>) {
        self.letterbox = fill_input(frame, &mut self.input);
    }

    /// Stage 1 for one tile of a still image (the second detection pass).
    pub fn prepare_tile(&mut self, frame: &FrameView<'_>, tile: Tile) {
        self.letterbox = fill_input_tile(frame, tile, &mut self.input);
    }

    /// Stage 2: runs the model on the prepared input and decodes faces (≥ `min_score`).
    pub fn infer(&mut self, min_score: f32) -> Result<&[Detection], PrefilterError> {
        self.run_model()?;
        Ok(self.decode_last(min_score))
    }

    /// Decodes the outputs of the last [`Detector::run_model`] (anchors, sigmoid, weighted NMS).
    pub fn decode_last(&mut self, min_score: f32) -> &[Detection] {
        decode(
            &self.anchors,
            [&self.scores[..512], &self.scores[512..]],
            [&self.regs[..512 * 16], &self.regs[512 * 16..]],
            min_score,
            self.letterbox,
            &mut self.scratch,
            &mut self.faces,
        );
        &self.faces
    }

    /// Raw model inference on the prepared input (copies the outputs into preallocated buffers).
    pub fn run_model(&mut self) -> Result<(), PrefilterError> {
        let err = |e: ort::Error| PrefilterError::Inference {
            reason: e.to_string(),
        };
        let tensor =
            TensorRef::from_array_view(([1usize, INPUT_SIZE, INPUT_SIZE, 3], &self.input[..]))
                .map_err(err)?;
        let outputs = self.session.run(ort::inputs![tensor]).map_err(err)?;
        let map = self.map;
        let (s8, s16) = self.scores.split_at_mut(512);
        let (r8, r16) = self.regs.split_at_mut(512 * 16);
        for (idx, dst) in [
            (map.score8, s8),
            (map.score16, s16),
            (map.reg8, r8),
            (map.reg16, r16),
        ] {
            let (_, data) = outputs[idx].try_extract_tensor::<f32>().map_err(err)?;
            if data.len() != dst.len() {
                return Err(PrefilterError::Inference {
                    reason: format!(
                        "output {idx} has {} values, expected {}",
                        data.len(),
                        dst.len()
                    ),
                });
            }
            dst.copy_from_slice(data);
        }
        Ok(())
    }

    /// The faces found by the last [`Detector::infer`].
    pub fn faces(&self) -> &[Detection] {
        &self.faces
    }

    /// The prepared model input (NHWC, [-1, 1]); for tests and benchmarks.
    pub fn input(&self) -> &[f32] {
        &self.input
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_version_check_reads_the_minor_version() {
        assert!(runtime_version_supported(&format!(
            "1.{}.0",
            ort::MINOR_VERSION
        )));
        assert!(runtime_version_supported("1.23.2"));
        assert!(!runtime_version_supported(&format!(
            "1.{}.9",
            ort::MINOR_VERSION - 1
        )));
        assert!(!runtime_version_supported("1"));
        assert!(!runtime_version_supported("one.two.three"));
        assert!(!runtime_version_supported(""));
    }

    /// The iOS path for an app that links ONNX Runtime statically: `OrtGetApiBase` found in the
    /// process's global symbols. Here the host's real library is loaded with RTLD_GLOBAL, which
    /// puts its symbols in the same global scope an app's own executable is in.
    #[cfg(unix)]
    #[test]
    fn linked_runtime_finds_onnx_runtime_in_the_global_scope() {
        let path =
            std::env::var("ORT_DYLIB_PATH").expect("ORT_DYLIB_PATH (set by .cargo/config.toml)");
        let c_path = std::ffi::CString::new(path.clone()).unwrap();
        // SAFETY: loading the real ONNX Runtime shared library; the handle is kept for the process.
        let handle = unsafe { libc::dlopen(c_path.as_ptr(), libc::RTLD_NOW | libc::RTLD_GLOBAL) };
        assert!(!handle.is_null(), "dlopen {path} failed");
        let (api, version) = linked_runtime()
            .expect("OrtGetApiBase in the global scope")
            .expect("a usable ONNX Runtime");
        assert!(runtime_version_supported(&version), "{version}");
        // The table is the real one: its version string call answers the same version.
        // SAFETY: GetBuildInfoString takes nothing and returns a static string.
        let info = unsafe { std::ffi::CStr::from_ptr((api.GetBuildInfoString)()) };
        assert!(!info.to_bytes().is_empty());
    }

    #[test]
    fn model_bytes_resolves_each_source() {
        // Embedded, in a build that has the model / that leaves it out.
        let built_in: &'static [u8] = b"built-in";
        let got = model_bytes(&ModelSource::Embedded, Some(built_in), "m.onnx").unwrap();
        assert_eq!(&*got, built_in);
        let err = model_bytes(&ModelSource::Embedded, None, "face_landmark_192.onnx").unwrap_err();
        let PrefilterError::ModelMissing { path, reason } = &err else {
            panic!("{err:?}");
        };
        assert_eq!(path, "face_landmark_192.onnx");
        assert!(reason.contains("not embedded in this build"), "{reason}");
        assert!(reason.contains("pass its bytes"), "{reason}");
        assert!(err.to_string().contains("face_landmark_192.onnx"), "{err}");
        assert!(reason.contains("embedded-landmark-model"), "{reason}");
        assert!(reason.contains("CaptureConfig.landmarkModel"), "{reason}");
        // The face detector's error names its own feature and where the SDK takes its bytes.
        let err = model_bytes(&ModelSource::Embedded, None, MODEL_FILE).unwrap_err();
        let PrefilterError::ModelMissing { path, reason } = &err else {
            panic!("{err:?}");
        };
        assert_eq!(path, MODEL_FILE);
        assert!(reason.contains("embedded-face-model"), "{reason}");
        assert!(reason.contains("CaptureConfig.faceModel"), "{reason}");

        // Bytes are borrowed as they are, whatever the build embeds.
        let bytes: std::sync::Arc<[u8]> = vec![1u8, 2, 3].into();
        let source = ModelSource::Bytes(bytes.clone());
        assert_eq!(&*model_bytes(&source, None, "m.onnx").unwrap(), &bytes[..]);
        assert_eq!(
            &*model_bytes(&source, Some(built_in), "m.onnx").unwrap(),
            &bytes[..]
        );

        // A path is read; a missing one is ModelMissing with the path.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("model.onnx");
        std::fs::write(&file, b"on disk").unwrap();
        let on_disk = ModelSource::Path(file);
        assert_eq!(&*model_bytes(&on_disk, None, "m.onnx").unwrap(), b"on disk");
        let missing = dir.path().join("missing.onnx");
        let err = model_bytes(&ModelSource::Path(missing.clone()), None, "m.onnx").unwrap_err();
        assert!(
            matches!(&err, PrefilterError::ModelMissing { path, .. } if *path == missing.display().to_string()),
            "{err:?}"
        );
    }

    #[test]
    fn model_source_debug_never_prints_the_bytes() {
        let source = ModelSource::Bytes(vec![0xab; 3000].into());
        assert_eq!(format!("{source:?}"), "Bytes(<3000 bytes>)");
        assert_eq!(format!("{:?}", ModelSource::Embedded), "Embedded");
        assert_eq!(
            format!("{:?}", ModelSource::Path("m.onnx".into())),
            "Path(\"m.onnx\")"
        );
    }

    #[test]
    fn the_face_model_is_embedded_only_with_the_feature() {
        assert_eq!(
            EMBEDDED_MODEL.is_some(),
            cfg!(feature = "embedded-face-model")
        );
        if let Some(model) = EMBEDDED_MODEL {
            let committed = std::fs::read(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../../models")
                    .join(MODEL_FILE),
            )
            .unwrap();
            assert_eq!(model, &committed[..]);
        }
    }

    #[test]
    fn the_landmark_model_is_embedded_only_with_the_feature() {
        assert_eq!(
            crate::eyes::EMBEDDED_LANDMARK_MODEL.is_some(),
            cfg!(feature = "embedded-landmark-model")
        );
    }

    #[test]
    fn anchors_follow_the_mediapipe_layout() {
        let a = anchors();
        assert_eq!(a.len(), NUM_ANCHORS);
        assert_eq!(a[0], [0.5 / 16.0, 0.5 / 16.0]);
        assert_eq!(a[1], a[0]);
        assert_eq!(a[2], [1.5 / 16.0, 0.5 / 16.0]);
        assert_eq!(a[512], [0.5 / 8.0, 0.5 / 8.0]);
        assert_eq!(a[517], a[512]);
        assert_eq!(a[518], [1.5 / 8.0, 0.5 / 8.0]);
        assert_eq!(a[895], [7.5 / 8.0, 7.5 / 8.0]);
    }

    #[test]
    fn decode_maps_through_the_letterbox_and_merges_overlaps() {
        let anchors = anchors();
        let mut scores = vec![-10.0f32; NUM_ANCHORS];
        let mut regs = vec![0.0f32; NUM_ANCHORS * 16];
        // Two overlapping candidates on anchor 600 and 601 (same cell), one far away at 100,
        // and a NaN regressor that must be ignored.
        for (k, score, dx) in [
            (600usize, 3.0f32, 0.0f32),
            (601, 1.0, 2.0),
            (100, 2.0, 0.0),
            (700, 5.0, f32::NAN),
        ] {
            scores[k] = score;
            let r = &mut regs[k * 16..k * 16 + 16];
            r[0] = dx;
            r[2] = 20.0;
            r[3] = 20.0;
        }
        // A 256×128 upright frame: scale 2, padded 64 px top.
        let lb = Letterbox::for_size(256, 128);
        assert_eq!(
            lb,
            Letterbox {
                scale: 2.0,
                pad_x: 0.0,
                pad_y: 64.0
            }
        );
        let (mut scratch, mut faces) = (Vec::with_capacity(NUM_ANCHORS), Vec::new());
        decode(
            &anchors,
            [&scores[..512], &scores[512..]],
            [&regs[..512 * 16], &regs[512 * 16..]],
            0.5,
            lb,
            &mut scratch,
            &mut faces,
        );
        assert_eq!(faces.len(), 2, "{faces:?}");
        let best = faces[0];
        assert!((best.score - sigmoid(3.0)).abs() < 1e-6);
        // Weighted mean of dx 0 (w 0.95) and 2 (w 0.73) in model px, times scale 2.
        let a = anchors[600];
        let w0 = sigmoid(3.0);
        let w1 = sigmoid(1.0);
        let cx = a[0] * 128.0 + (2.0 * w1) / (w0 + w1);
        assert!((best.x + best.w / 2.0 - cx * 2.0).abs() < 1e-3, "{best:?}");
        assert!((best.y + best.h / 2.0 - (a[1] * 128.0 * 2.0 - 64.0)).abs() < 1e-3);
        assert!((best.w - 40.0).abs() < 1e-4);
        assert!(faces.iter().all(|f| f.x.is_finite() && f.score.is_finite()));
    }
}
