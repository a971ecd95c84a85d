//! Eye openness for the blink step: MediaPipe Face Mesh (468 landmarks, 192×192, converted to
//! ONNX; see `models/PROVENANCE.md`) on a crop around the BlazeFace detection, and the
//! eye-aspect ratio (lid gap over eye width) of each eye.
//!
//! The crop follows MediaPipe's own face-landmark front end: centred on the detection box, 1.5×
//! its long side, square, rotated so the line between the two eye keypoints is horizontal;
//! samples outside the frame repeat the border; RGB scaled to `[0, 1]`.
//! It runs only while a blink step is active; its buffers are allocated once.

use std::path::Path;

use ort::session::Session;
use ort::value::TensorRef;

use crate::detector::{Detection, ModelSource, model_bytes, session_from_memory};
use crate::error::PrefilterError;
use crate::frame::{AxisMap, FrameView, PixelFetch, PixelVisitor};

/// Model input side, in pixels.
pub const INPUT_SIZE: usize = 192;
/// Landmarks per face (x, y, z each; x and y in model-input pixels).
pub const NUM_LANDMARKS: usize = 468;
const INPUT_LEN: usize = INPUT_SIZE * INPUT_SIZE * 3;
/// The crop side relative to the detection's long side (MediaPipe: `scale_x/y: 1.5`).
pub const ROI_SCALE: f32 = 1.5;
/// Face-presence probability below which the landmarks are not used.
pub const MIN_PRESENCE: f32 = 0.5;
const WHAT: &str = "Face Mesh landmarks 192x192";

/// The committed landmark model (see `models/PROVENANCE.md`), embedded like the face detector
/// when the crate feature `embedded-landmark-model` is on (the default); `None` without the
/// feature, and then the caller passes the model's bytes or a path.
#[cfg(feature = "embedded-landmark-model")]
pub static EMBEDDED_LANDMARK_MODEL: Option<&[u8]> =
    Some(include_bytes!("../../../models/face_landmark_192.onnx"));
/// The committed landmark model (see `models/PROVENANCE.md`), embedded like the face detector
/// when the crate feature `embedded-landmark-model` is on (the default); `None` without the
/// feature, and then the caller passes the model's bytes or a path.
#[cfg(not(feature = "embedded-landmark-model"))]
pub static EMBEDDED_LANDMARK_MODEL: Option<&[u8]> = None;
/// The landmark model's file name in `models/` (named in errors).
pub const LANDMARK_MODEL_FILE: &str = "face_landmark_192.onnx";

/// Mesh indices of the subject's right eye: outer corner, three upper-lid points (outer to
/// inner), inner corner, three lower-lid points (inner to outer). Upper point `k` faces lower
/// point `8 - k`.
pub const RIGHT_EYE: [usize; 8] = [33, 160, 159, 158, 133, 153, 145, 144];
/// The same for the subject's left eye.
pub const LEFT_EYE: [usize; 8] = [263, 387, 386, 385, 362, 380, 374, 373];

/// Eye-aspect ratios of one frame (lid gap / eye width; open eyes are around 0.25-0.35, the
/// ratio drops towards 0 as the lids close).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EyeOpenness {
    /// The eye the model labels right: on the image left of the upright frame (the subject's
    /// right eye unless the frame is mirrored).
    pub right: f32,
    /// The other eye.
    pub left: f32,
    /// The model's face-presence probability for the crop.
    pub presence: f32,
}

impl EyeOpenness {
    /// Mean of both eyes (what the blink step follows).
    pub fn mean(&self) -> f32 {
        0.5 * (self.right + self.left)
    }
}

/// The eye-aspect ratio of one eye from the flat landmark list (x, y, z per landmark): the mean
/// of the three lid gaps over the corner-to-corner width. `None` when an index is out of range
/// or the width is degenerate.
pub fn eye_aspect_ratio(landmarks: &[f32], eye: &[usize; 8]) -> Option<f32> {
    let p = |k: usize| -> Option<[f32; 2]> {
        let i = *eye.get(k)? * 3;
        Some([*landmarks.get(i)?, *landmarks.get(i + 1)?])
    };
    let dist = |a: [f32; 2], b: [f32; 2]| (a[0] - b[0]).hypot(a[1] - b[1]);
    let width = dist(p(0)?, p(4)?);
    if !(width.is_finite() && width > 1e-3) {
        return None;
    }
    let gap = (dist(p(1)?, p(7)?) + dist(p(2)?, p(6)?) + dist(p(3)?, p(5)?)) / 3.0;
    let ear = gap / width;
    ear.is_finite().then_some(ear)
}

/// The rotated square crop the landmark model sees, in upright-frame pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceRoi {
    pub cx: f32,
    pub cy: f32,
    /// Side of the square.
    pub size: f32,
    /// Rotation (radians, clockwise in image coordinates) of the crop's x axis.
    pub angle: f32,
}

impl FaceRoi {
    /// MediaPipe's `FaceDetectionFrontDetectionToRoi`: box centre, rotation from the first to the
    /// second eye keypoint (target angle 0), side 1.5× the long side of the box.
    pub fn from_detection(d: &Detection) -> Self {
        let [x0, y0] = d.keypoints[0];
        let [x1, y1] = d.keypoints[1];
        let angle = -(-(y1 - y0)).atan2(x1 - x0);
        Self {
            cx: d.x + d.w / 2.0,
            cy: d.y + d.h / 2.0,
            size: d.w.max(d.h) * ROI_SCALE,
            angle: if angle.is_finite() { angle } else { 0.0 },
        }
    }

    /// Maps a point of the model input (pixels, 0..192) to upright-frame pixels.
    pub fn to_frame(&self, x: f32, y: f32) -> [f32; 2] {
        let (s, c) = self.angle.sin_cos();
        let u = (x / INPUT_SIZE as f32 - 0.5) * self.size;
        let v = (y / INPUT_SIZE as f32 - 0.5) * self.size;
        [self.cx + u * c - v * s, self.cy + u * s + v * c]
    }
}

/// Fills `out` (NHWC 192×192×3, RGB in `[0, 1]`) with the rotated crop. Each model pixel
/// averages an n×n grid of samples (n = 1, or 2 when downscaling by more than 1.5), combined like
/// the detector's patch ([`crate::frame::PixelFetch::block_sum`]); samples outside the frame take
/// the nearest border pixel. Rotation and mirroring of the frame are folded into the sampling.
pub fn fill_input(frame: &FrameView<'_>, roi: &FaceRoi, out: &mut [f32]) {
    let (uw, uh) = frame.upright_size();
    frame.visit(FillCrop {
        roi: *roi,
        max_u: (uw.max(1) - 1) as f32,
        max_v: (uh.max(1) - 1) as f32,
        out,
    });
}

struct FillCrop<'a> {
    roi: FaceRoi,
    max_u: f32,
    max_v: f32,
    out: &'a mut [f32],
}

impl PixelVisitor for FillCrop<'_> {
    type Output = ();
    fn visit<P: PixelFetch>(self, pixels: &P, map: AxisMap) {
        let roi = self.roi;
        let step = roi.size / INPUT_SIZE as f32;
        let n: usize = if step > 1.5 { 2 } else { 1 };
        let (s, c) = roi.angle.sin_cos();
        // Upright position of model coordinate (fu, fv): origin + fu * (ax, ay) + fv * (bx, by).
        let half = roi.size / 2.0;
        let (ox, oy) = (roi.cx - half * c + half * s, roi.cy - half * s - half * c);
        let (ax, ay) = (step * c, step * s);
        let (bx, by) = (-step * s, step * c);
        let norm = 1.0 / (255.0 * (n * n) as f32);
        let mut points = [(0usize, 0usize); 4];
        // Walk the source in memory order: when the upright image is the transposed source
        // (rotation 90/270), model columns follow source rows (the crop is rotated by the eye
        // line only, so the axes stay close).
        let order = |a: usize, b: usize| if map.transposed { (b, a) } else { (a, b) };
        for outer in 0..INPUT_SIZE {
            for inner in 0..INPUT_SIZE {
                let (i, j) = order(outer, inner);
                let mut k = 0;
                for sj in 0..n {
                    let fv = j as f32 + (sj as f32 + 0.5) / n as f32;
                    for si in 0..n {
                        let fu = i as f32 + (si as f32 + 0.5) / n as f32;
                        let u = (ox + fu * ax + fv * bx).clamp(0.0, self.max_u) as usize;
                        let v = (oy + fu * ay + fv * by).clamp(0.0, self.max_v) as usize;
                        if let Some(slot) = points.get_mut(k) {
                            *slot = map.xy(map.from_u(u), map.from_v(v));
                            k += 1;
                        }
                    }
                }
                let acc = pixels.block_sum(&points[..k]);
                let base = (j * INPUT_SIZE + i) * 3;
                if let Some(dst) = self.out.get_mut(base..base + 3) {
                    for (d, a) in dst.iter_mut().zip(acc) {
                        *d = a as f32 * norm;
                    }
                }
            }
        }
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x.clamp(-80.0, 80.0)).exp())
}

/// The loaded landmark model with preallocated buffers (input, landmarks). Not `Sync` by
/// itself; the capture session keeps it behind its mutex.
pub struct EyeEstimator {
    session: Session,
    landmarks_output: usize,
    presence_output: usize,
    input: Vec<f32>,
    landmarks: Vec<f32>,
    roi: FaceRoi,
}

impl std::fmt::Debug for EyeEstimator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EyeEstimator").finish_non_exhaustive()
    }
}

impl EyeEstimator {
    /// Loads ONNX Runtime (once per process) and the landmark model. Typed errors, never a panic:
    /// [`PrefilterError::ModelMissing`] (unreadable file, or [`ModelSource::Embedded`] in a build
    /// without the `embedded-landmark-model` feature), [`PrefilterError::ModelInvalid`] (not
    /// an ONNX model, or not this model's signature), or the runtime's own errors.
    pub fn load(model: &ModelSource, runtime_path: Option<&Path>) -> Result<Self, PrefilterError> {
        let bytes = model_bytes(model, EMBEDDED_LANDMARK_MODEL, LANDMARK_MODEL_FILE)?;
        let session = session_from_memory(&bytes, runtime_path, WHAT)?;
        let mut estimator = Self {
            session,
            landmarks_output: 0,
            presence_output: 1,
            input: vec![0.0; INPUT_LEN],
            landmarks: vec![0.0; NUM_LANDMARKS * 3],
            roi: FaceRoi {
                cx: 0.0,
                cy: 0.0,
                size: 1.0,
                angle: 0.0,
            },
        };
        estimator.probe()?;
        Ok(estimator)
    }

    /// Runs the model once on a blank input and finds the two outputs by shape; rejects a model
    /// without the Face Mesh input and outputs.
    fn probe(&mut self) -> Result<(), PrefilterError> {
        let invalid = |reason: String| PrefilterError::ModelInvalid {
            reason: format!("{WHAT}: {reason}"),
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
            .map_err(|e| invalid(format!("input is not NHWC [1,192,192,3] float: {e}")))?;
        let (mut landmarks, mut presence) = (None, None);
        for i in 0..outputs.len() {
            let (shape, _) = outputs[i]
                .try_extract_tensor::<f32>()
                .map_err(|e| invalid(e.to_string()))?;
            let count: i64 = shape.iter().product();
            match count {
                1404 => landmarks = Some(i),
                1 => presence = Some(i),
                _ => return Err(invalid(format!("unexpected output shape {:?}", &shape[..]))),
            }
        }
        match (landmarks, presence) {
            (Some(l), Some(p)) => {
                self.landmarks_output = l;
                self.presence_output = p;
                Ok(())
            }
            _ => Err(invalid(
                "expected a 1404-value landmark output and a face-flag output".to_owned(),
            )),
        }
    }

    /// Stage 1: the rotated face crop into the model input buffer.
    pub fn prepare(&mut self, frame: &FrameView<'_>, face: &Detection) {
        self.roi = FaceRoi::from_detection(face);
        fill_input(frame, &self.roi, &mut self.input);
    }

    /// Stage 2: runs the model on the prepared input; returns the face-presence probability and
    /// keeps the landmarks (model-input pixels) in a preallocated buffer.
    pub fn run_model(&mut self) -> Result<f32, PrefilterError> {
        let err = |e: ort::Error| PrefilterError::Inference {
            reason: format!("{WHAT}: {e}"),
        };
        let tensor =
            TensorRef::from_array_view(([1usize, INPUT_SIZE, INPUT_SIZE, 3], &self.input[..]))
                .map_err(err)?;
        let outputs = self.session.run(ort::inputs![tensor]).map_err(err)?;
        let (_, lm) = outputs[self.landmarks_output]
            .try_extract_tensor::<f32>()
            .map_err(err)?;
        if lm.len() != self.landmarks.len() {
            return Err(PrefilterError::Inference {
                reason: format!("{WHAT}: {} landmark values, expected 1404", lm.len()),
            });
        }
        self.landmarks.copy_from_slice(lm);
        let (_, flag) = outputs[self.presence_output]
            .try_extract_tensor::<f32>()
            .map_err(err)?;
        Ok(flag.first().copied().map(sigmoid).unwrap_or(0.0))
    }

    /// Both stages and the eye-aspect ratios. `Ok(None)` when the model does not see a face in
    /// the crop (presence < [`MIN_PRESENCE`]) or the ratios are degenerate.
    pub fn estimate(
        &mut self,
        frame: &FrameView<'_>,
        face: &Detection,
    ) -> Result<Option<EyeOpenness>, PrefilterError> {
        self.prepare(frame, face);
        let presence = self.run_model()?;
        if presence.is_nan() || presence < MIN_PRESENCE {
            return Ok(None);
        }
        Ok(self.openness(presence))
    }

    fn openness(&self, presence: f32) -> Option<EyeOpenness> {
        Some(EyeOpenness {
            right: eye_aspect_ratio(&self.landmarks, &RIGHT_EYE)?,
            left: eye_aspect_ratio(&self.landmarks, &LEFT_EYE)?,
            presence,
        })
    }

    /// The landmarks of the last run (x, y, z per landmark; x, y in model-input pixels).
    pub fn landmarks(&self) -> &[f32] {
        &self.landmarks
    }

    /// Landmark `index` of the last run, in upright-frame pixels.
    pub fn landmark_in_frame(&self, index: usize) -> Option<[f32; 2]> {
        let x = *self.landmarks.get(index * 3)?;
        let y = *self.landmarks.get(index * 3 + 1)?;
        Some(self.roi.to_frame(x, y))
    }

    /// The prepared model input (NHWC, `[0, 1]`); for tests and benchmarks.
    pub fn input(&self) -> &[f32] {
        &self.input
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mesh_with_eye(eye: &[usize; 8], width: f32, gap: f32) -> Vec<f32> {
        let mut lm = vec![0.0f32; NUM_LANDMARKS * 3];
        let xs = [0.0, 0.25, 0.5, 0.75, 1.0, 0.75, 0.5, 0.25];
        for (k, &i) in eye.iter().enumerate() {
            let y = match k {
                1..=3 => -gap / 2.0,
                5..=7 => gap / 2.0,
                _ => 0.0,
            };
            lm[i * 3] = 50.0 + xs[k] * width;
            lm[i * 3 + 1] = 80.0 + y;
        }
        lm
    }

    #[test]
    fn aspect_ratio_is_lid_gap_over_width() {
        let lm = mesh_with_eye(&RIGHT_EYE, 40.0, 12.0);
        let ear = eye_aspect_ratio(&lm, &RIGHT_EYE).unwrap();
        assert!((ear - 0.3).abs() < 1e-5, "{ear}");
        let closed = mesh_with_eye(&LEFT_EYE, 40.0, 1.0);
        assert!(eye_aspect_ratio(&closed, &LEFT_EYE).unwrap() < 0.03);
        // Degenerate width, short landmark list: no ratio, no panic.
        assert_eq!(eye_aspect_ratio(&[0.0; 1404], &RIGHT_EYE), None);
        assert_eq!(eye_aspect_ratio(&[1.0; 10], &RIGHT_EYE), None);
    }

    #[test]
    fn roi_follows_the_eye_line() {
        let mut d = Detection {
            x: 100.0,
            y: 50.0,
            w: 80.0,
            h: 80.0,
            score: 0.9,
            keypoints: [
                [120.0, 80.0],
                [160.0, 80.0],
                [0.0; 2],
                [0.0; 2],
                [0.0; 2],
                [0.0; 2],
            ],
        };
        let roi = FaceRoi::from_detection(&d);
        assert_eq!(
            (roi.cx, roi.cy, roi.size, roi.angle),
            (140.0, 90.0, 120.0, 0.0)
        );
        let [x, y] = roi.to_frame(0.0, 0.0);
        assert!((x - 80.0).abs() < 1e-4 && (y - 30.0).abs() < 1e-4);
        // Second eye lower in the image: the crop turns clockwise by the same angle.
        d.keypoints[1] = [160.0, 120.0];
        let roi = FaceRoi::from_detection(&d);
        assert!(
            (roi.angle - std::f32::consts::FRAC_PI_4).abs() < 1e-5,
            "{}",
            roi.angle
        );
        let [x, y] = roi.to_frame(192.0, 96.0);
        let half = 60.0 * std::f32::consts::FRAC_1_SQRT_2;
        assert!((x - (140.0 + half)).abs() < 1e-3 && (y - (90.0 + half)).abs() < 1e-3);
    }
}
