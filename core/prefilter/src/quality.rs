//! Per-frame quality metrics and the prioritised guidance code.

use crate::detector::Detection;
use crate::frame::FrameView;

/// One prioritised instruction for the user. The stable snake_case key ([`GuidanceCode::key`]) is
/// what apps localise; the core holds no user-facing text.
///
/// Priority (first match wins): `too_dark`/`too_bright` (whole frame, only when no face is found),
/// `face_not_found`, `multiple_faces`, `face_too_close`, `face_too_small`, `face_off_center`,
/// `head_turned`, `head_tilted`, `too_dark`/`too_bright` (face region), `blurry`, `moving`, then the
/// challenge instructions (`turn_head_left`, `turn_head_right`, `look_straight`, `blink`), then `hold_still`
/// (all good, counting good frames) and `captured`. `challenge_failed` overrides everything once the
/// challenge has failed (until reset). That is the live (camera) order; a still image is judged by
/// [`still_guidance`], where `face_off_center` is advice and quality comes before pose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
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
    /// The challenge's blink step: blink once, facing the camera.
    Blink,
    ChallengeFailed,
    HoldStill,
    Captured,
}

impl GuidanceCode {
    /// Every code, in priority order.
    pub const ALL: [GuidanceCode; 18] = [
        Self::FaceNotFound,
        Self::MultipleFaces,
        Self::FaceTooClose,
        Self::FaceTooSmall,
        Self::FaceOffCenter,
        Self::HeadTurned,
        Self::HeadTilted,
        Self::TooDark,
        Self::TooBright,
        Self::Blurry,
        Self::Moving,
        Self::TurnHeadLeft,
        Self::TurnHeadRight,
        Self::LookStraight,
        Self::Blink,
        Self::ChallengeFailed,
        Self::HoldStill,
        Self::Captured,
    ];

    /// The stable localisation key.
    pub fn key(self) -> &'static str {
        match self {
            Self::FaceNotFound => "face_not_found",
            Self::MultipleFaces => "multiple_faces",
            Self::FaceTooClose => "face_too_close",
            Self::FaceTooSmall => "face_too_small",
            Self::FaceOffCenter => "face_off_center",
            Self::HeadTurned => "head_turned",
            Self::HeadTilted => "head_tilted",
            Self::TooDark => "too_dark",
            Self::TooBright => "too_bright",
            Self::Blurry => "blurry",
            Self::Moving => "moving",
            Self::TurnHeadLeft => "turn_head_left",
            Self::TurnHeadRight => "turn_head_right",
            Self::LookStraight => "look_straight",
            Self::Blink => "blink",
            Self::ChallengeFailed => "challenge_failed",
            Self::HoldStill => "hold_still",
            Self::Captured => "captured",
        }
    }

    /// True for the codes that mean "this frame is good enough to capture".
    pub fn is_good(self) -> bool {
        matches!(self, Self::HoldStill | Self::Captured)
    }
}

impl std::fmt::Display for GuidanceCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// Thresholds of the quality checks. Defaults were set on the scikit-image test photos and are
/// asserted by the tests in `core/prefilter/tests/`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct QualityThresholds {
    /// Minimum detection score (sigmoid) for a face to count.
    pub min_face_score: f32,
    /// Face width / short side of the upright frame: below is `face_too_small`.
    pub min_face_size: f32,
    /// Face width / short side: above is `face_too_close` (also when the box leaves the frame).
    pub max_face_size: f32,
    /// Face centre offset from the frame centre, as a fraction of the frame size.
    pub max_center_offset: f32,
    /// Absolute yaw limit, degrees.
    pub max_yaw_deg: f32,
    /// Absolute roll limit, degrees.
    pub max_roll_deg: f32,
    /// Mean luma (0–255) of the face region below which the frame is `too_dark`.
    pub min_brightness: f32,
    /// Mean luma (0–255) of the face region above which the frame is `too_bright`.
    pub max_brightness: f32,
    /// Variance of the Laplacian of the 96×96 face patch below which the face is `blurry`.
    pub min_sharpness: f32,
    /// Face motion between consecutive frames (centre shift + size change, in face widths).
    pub max_motion: f32,
}

impl Default for QualityThresholds {
    fn default() -> Self {
        Self {
            min_face_score: 0.6,
            min_face_size: 0.2,
            max_face_size: 0.7,
            max_center_offset: 0.2,
            max_yaw_deg: 20.0,
            max_roll_deg: 15.0,
            min_brightness: 60.0,
            max_brightness: 210.0,
            min_sharpness: 35.0,
            max_motion: 0.12,
        }
    }
}

/// The individual measurements of one frame. Face values are `None` when no single face was found.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct FrameMetrics {
    pub face_count: u32,
    /// Score of the main (best) face.
    pub face_score: Option<f32>,
    /// Main face width / short side of the upright frame.
    pub face_size: Option<f32>,
    /// Face centre offset from the frame centre, fractions of width and height (-0.5..0.5).
    pub center_offset_x: Option<f32>,
    pub center_offset_y: Option<f32>,
    /// Head yaw in degrees from the keypoints; positive = the user turned to their own left.
    pub yaw_deg: Option<f32>,
    /// Head roll in degrees (eye line angle).
    pub roll_deg: Option<f32>,
    /// Mean luma (0–255) of the analysed region (face, or the centre in quality-only mode).
    pub brightness: f32,
    /// Mean luma (0–255) of the whole frame.
    pub frame_brightness: f32,
    /// Variance of the Laplacian over the 96×96 region patch (higher is sharper).
    pub sharpness: f32,
    /// Motion since the previous frame, in face widths.
    pub motion: f32,
    /// Whether the face detector ran (false = quality-only mode).
    pub detector_available: bool,
}

/// Side of the square luma patch used for sharpness.
pub const PATCH: usize = 96;
const GRID: usize = 32;

/// A region of the upright frame (pixels).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Region {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

/// Yaw (degrees; positive = the subject's own left when the image is not mirrored) from where the
/// nose tip sits along the eye line: offset from the eye midpoint over half the eye distance is
/// about tan(yaw) for an average face (nose tip ~0.5 eye-distances in front of the eyes).
/// Label-agnostic (eyes taken in x order), roll-invariant, and invariant to a flat photo being
/// turned (an affine squeeze keeps the ratio) — what the challenge relies on.
pub fn yaw_from_keypoints(kp: &[[f32; 2]; 6], mirrored: bool) -> f32 {
    let (e1, e2) = if kp[0][0] <= kp[1][0] {
        (kp[0], kp[1])
    } else {
        (kp[1], kp[0])
    };
    let (dx, dy) = (e2[0] - e1[0], e2[1] - e1[1]);
    let dist = (dx * dx + dy * dy).sqrt();
    if dist <= f32::EPSILON {
        return 0.0;
    }
    let mid = [(e1[0] + e2[0]) / 2.0, (e1[1] + e2[1]) / 2.0];
    let along = ((kp[2][0] - mid[0]) * dx + (kp[2][1] - mid[1]) * dy) / dist;
    let yaw = (along / (0.5 * dist)).atan().to_degrees();
    if mirrored { -yaw } else { yaw }
}

/// Roll (degrees) from the eye line, eyes taken in x order.
pub fn roll_from_keypoints(kp: &[[f32; 2]; 6], mirrored: bool) -> f32 {
    let (e1, e2) = if kp[0][0] <= kp[1][0] {
        (kp[0], kp[1])
    } else {
        (kp[1], kp[0])
    };
    let roll = (e2[1] - e1[1]).atan2(e2[0] - e1[0]).to_degrees();
    if mirrored { -roll } else { roll }
}

/// Clamped sample positions along one upright axis, mapped to the source axis it feeds.
fn axis_samples<const N: usize, const S: usize>(
    start: f32,
    len: f32,
    limit: usize,
    map: impl Fn(usize) -> usize,
) -> [[usize; S]; N] {
    let mut out = [[0usize; S]; N];
    let step = len / N as f32;
    let max = limit as f32 - 1.0;
    for (i, slot) in out.iter_mut().enumerate() {
        for (s, v) in slot.iter_mut().enumerate() {
            let pos = (start + (i as f32 + (s as f32 + 0.5) / S as f32) * step).clamp(0.0, max);
            *v = map(pos as usize);
        }
    }
    out
}

struct LumaGrid<'a, const N: usize, const S: usize> {
    cols: &'a [[usize; S]; N],
    rows: &'a [[usize; S]; N],
    /// Per-cell averages written here (N×N), when given.
    out: Option<&'a mut [u8]>,
}

impl<const N: usize, const S: usize> crate::frame::PixelVisitor for LumaGrid<'_, N, S> {
    type Output = u64;
    fn visit<P: crate::frame::PixelFetch>(mut self, pixels: &P, map: crate::frame::AxisMap) -> u64 {
        let mut total = 0u64;
        let k = (S * S) as u32;
        for (j, row) in self.rows.iter().enumerate() {
            for (i, col) in self.cols.iter().enumerate() {
                let mut acc = 0u32;
                for &sv in row {
                    for &su in col {
                        let (x, y) = map.xy(su, sv);
                        acc += u32::from(pixels.luma(x, y));
                    }
                }
                total += u64::from(acc);
                if let Some(out) = self.out.as_deref_mut()
                    && let Some(dst) = out.get_mut(j * N + i)
                {
                    *dst = ((acc + k / 2) / k) as u8;
                }
            }
        }
        total
    }
}

/// Mean luma over a `GRID`×`GRID` sample grid of a region (clamped to the frame).
fn mean_luma(frame: &FrameView<'_>, r: Region) -> f32 {
    let (uw, uh) = frame.upright_size();
    let map = frame.axis_map();
    let cols = axis_samples::<GRID, 1>(r.x, r.w, uw, |u| map.from_u(u));
    let rows = axis_samples::<GRID, 1>(r.y, r.h, uh, |v| map.from_v(v));
    let sum = frame.visit(LumaGrid {
        cols: &cols,
        rows: &rows,
        out: None,
    });
    sum as f32 / (GRID * GRID) as f32
}

/// Samples a square region into a PATCH×PATCH luma patch (2×2 sample average per pixel; outside
/// the frame is clamped to the edge) and returns the variance of its 4-neighbour Laplacian.
pub fn sharpness(frame: &FrameView<'_>, r: Region, patch: &mut [u8; PATCH * PATCH]) -> f32 {
    let (uw, uh) = frame.upright_size();
    let map = frame.axis_map();
    let cols = axis_samples::<PATCH, 2>(r.x, r.w, uw, |u| map.from_u(u));
    let rows = axis_samples::<PATCH, 2>(r.y, r.h, uh, |v| map.from_v(v));
    frame.visit(LumaGrid {
        cols: &cols,
        rows: &rows,
        out: Some(&mut patch[..]),
    });
    laplacian_variance(patch, PATCH)
}

/// Variance of the 4-neighbour Laplacian over the interior of a square luma image.
///
/// Written so it vectorises on every target (NEON on arm64, SSE2 on x86_64; BENCHMARKS.md
/// records the instruction counts): each row is five shifted slices zipped together, in `i32`
/// lanes (|lap| ≤ 1020, so lap² ≤ 1,040,400 and a chunk of [`LAP_CHUNK`] squares stays below
/// `i32::MAX`), and only the chunk totals are widened to `i64`. The result is exactly that of
/// the plain `i64` loop (a scalar reference test compares them).
pub fn laplacian_variance(img: &[u8], side: usize) -> f32 {
    if side < 3 || img.len() < side * side {
        return 0.0;
    }
    let inner = side - 2;
    let mut sum = 0i64;
    let mut sum_sq = 0i64;
    for (y, mid) in img.chunks_exact(side).enumerate().take(side - 1).skip(1) {
        let (Some(up), Some(down)) = (
            img.get((y - 1) * side + 1..(y - 1) * side + 1 + inner),
            img.get((y + 1) * side + 1..(y + 1) * side + 1 + inner),
        ) else {
            return 0.0;
        };
        let (left, centre, right) = (&mid[..inner], &mid[1..=inner], &mid[2..]);
        let mut start = 0;
        while start < inner {
            let end = (start + LAP_CHUNK).min(inner);
            let (s, q) = left[start..end]
                .iter()
                .zip(&centre[start..end])
                .zip(&right[start..end])
                .zip(&up[start..end])
                .zip(&down[start..end])
                .fold((0i32, 0i32), |(s, q), ((((&l, &c), &r), &u), &d)| {
                    let lap = i32::from(l) + i32::from(r) + i32::from(u) + i32::from(d)
                        - 4 * i32::from(c);
                    (s + lap, q + lap * lap)
                });
            sum += i64::from(s);
            sum_sq += i64::from(q);
            start = end;
        }
    }
    let n = (inner * inner) as f64;
    let mean = sum as f64 / n;
    (sum_sq as f64 / n - mean * mean).max(0.0) as f32
}

/// Pixels per `i32` partial sum in [`laplacian_variance`]: 2048 × 1020² < 2³¹.
const LAP_CHUNK: usize = 2048;

/// Scratch state of the metric computation: the luma patch and the previous face (for motion).
#[derive(Debug)]
pub struct Analyzer {
    patch: Box<[u8; PATCH * PATCH]>,
    previous: Option<Region>,
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new()
    }
}

/// The square region (side = the larger face side) around a detection, used for sharpness.
pub fn face_square(d: &Detection) -> Region {
    let side = d.w.max(d.h);
    Region {
        x: d.x + d.w / 2.0 - side / 2.0,
        y: d.y + d.h / 2.0 - side / 2.0,
        w: side,
        h: side,
    }
}

impl Analyzer {
    pub fn new() -> Self {
        Self {
            patch: Box::new([0u8; PATCH * PATCH]),
            previous: None,
        }
    }

    /// Forgets the previous frame (motion starts again from zero).
    pub fn reset(&mut self) {
        self.previous = None;
    }

    /// Computes the metrics of one frame. `faces` are the detections (best first) when the
    /// detector is available, `None` in quality-only mode (the centre of the frame is analysed).
    pub fn measure(
        &mut self,
        frame: &FrameView<'_>,
        faces: Option<&[Detection]>,
        thresholds: &QualityThresholds,
    ) -> FrameMetrics {
        let (uw, uh) = frame.upright_size();
        let (fw, fh) = (uw as f32, uh as f32);
        let whole = Region {
            x: 0.0,
            y: 0.0,
            w: fw,
            h: fh,
        };
        let mut m = FrameMetrics {
            frame_brightness: mean_luma(frame, whole),
            detector_available: faces.is_some(),
            ..FrameMetrics::default()
        };
        let region = match faces {
            None => {
                let side = fw.min(fh) * 0.6;
                Some(Region {
                    x: (fw - side) / 2.0,
                    y: (fh - side) / 2.0,
                    w: side,
                    h: side,
                })
            }
            Some(faces) => {
                let faces_iter = faces
                    .iter()
                    .filter(|d| d.score >= thresholds.min_face_score);
                m.face_count = faces_iter.clone().count() as u32;
                faces_iter.clone().next().map(|d| {
                    m.face_score = Some(d.score);
                    m.face_size = Some(d.w / fw.min(fh));
                    m.center_offset_x = Some((d.x + d.w / 2.0) / fw - 0.5);
                    m.center_offset_y = Some((d.y + d.h / 2.0) / fh - 0.5);
                    // The upright image is the true scene (a mirrored buffer is un-mirrored
                    // by the sampling), so the pose needs no mirroring correction.
                    m.yaw_deg = Some(yaw_from_keypoints(&d.keypoints, false));
                    m.roll_deg = Some(roll_from_keypoints(&d.keypoints, false));
                    Region {
                        x: d.x,
                        y: d.y,
                        w: d.w,
                        h: d.h,
                    }
                })
            }
        };
        match region {
            Some(r) => {
                m.brightness = mean_luma(frame, r);
                let side = r.w.max(r.h);
                let square = Region {
                    x: r.x + r.w / 2.0 - side / 2.0,
                    y: r.y + r.h / 2.0 - side / 2.0,
                    w: side,
                    h: side,
                };
                m.sharpness = sharpness(frame, square, &mut self.patch);
                if let Some(p) = self.previous {
                    let dx = (r.x + r.w / 2.0) - (p.x + p.w / 2.0);
                    let dy = (r.y + r.h / 2.0) - (p.y + p.h / 2.0);
                    let scale = p.w.max(1.0);
                    m.motion = (dx * dx + dy * dy).sqrt() / scale + (r.w - p.w).abs() / scale;
                }
                self.previous = Some(r);
            }
            None => {
                m.brightness = m.frame_brightness;
                self.previous = None;
            }
        }
        m
    }
}

/// The prioritised guidance for a frame's metrics (before challenge and capture state).
/// `faces` gives the main face box for the "too close" check (box leaving the frame).
/// `check_yaw` is false while the challenge asks for head turns.
pub fn guidance(
    m: &FrameMetrics,
    main_face: Option<&Detection>,
    frame_size: (usize, usize),
    t: &QualityThresholds,
    check_yaw: bool,
) -> GuidanceCode {
    let exposure = |b: f32| {
        if b < t.min_brightness {
            Some(GuidanceCode::TooDark)
        } else if b > t.max_brightness {
            Some(GuidanceCode::TooBright)
        } else {
            None
        }
    };
    if m.detector_available {
        if m.face_count == 0 {
            return exposure(m.frame_brightness).unwrap_or(GuidanceCode::FaceNotFound);
        }
        if m.face_count > 1 {
            return GuidanceCode::MultipleFaces;
        }
        let size = m.face_size.unwrap_or(0.0);
        let (fw, fh) = (frame_size.0 as f32, frame_size.1 as f32);
        let leaves_frame = main_face.is_some_and(|d| {
            let margin = 0.05 * d.w;
            d.x < -margin || d.y < -margin || d.x + d.w > fw + margin || d.y + d.h > fh + margin
        });
        if size > t.max_face_size || leaves_frame {
            return GuidanceCode::FaceTooClose;
        }
        if size < t.min_face_size {
            return GuidanceCode::FaceTooSmall;
        }
        let ox = m.center_offset_x.unwrap_or(0.0).abs();
        let oy = m.center_offset_y.unwrap_or(0.0).abs();
        if ox > t.max_center_offset || oy > t.max_center_offset {
            return GuidanceCode::FaceOffCenter;
        }
        if check_yaw && m.yaw_deg.unwrap_or(0.0).abs() > t.max_yaw_deg {
            return GuidanceCode::HeadTurned;
        }
        if m.roll_deg.unwrap_or(0.0).abs() > t.max_roll_deg {
            return GuidanceCode::HeadTilted;
        }
    }
    if let Some(code) = exposure(m.brightness) {
        return code;
    }
    if m.sharpness < t.min_sharpness {
        return GuidanceCode::Blurry;
    }
    if m.motion > t.max_motion {
        return GuidanceCode::Moving;
    }
    GuidanceCode::HoldStill
}

/// The guidance for a still image (a photo to upload, not a camera stream), judged on what the
/// server needs: one face, large and sharp enough, well exposed, frontal. Returns the one
/// refusal (or [`GuidanceCode::HoldStill`] when the photo is usable) and framing advice that does
/// not refuse it: [`GuidanceCode::FaceOffCenter`] (an official portrait has its face in the upper
/// part of a tall photo; the server does not mind).
///
/// Order: no face (`too_dark`/`too_bright` of the whole frame first, as live), `multiple_faces`,
/// `face_too_close` (cut off by the edge, or wider than `max_face_size`), `face_too_small`, then
/// the quality problems `too_dark`/`too_bright` (face region) and `blurry` (they outrank the pose
/// and framing: a dark or blurred copy is named for what is wrong with it), then `head_turned`,
/// `head_tilted`. Motion does not apply to a still.
pub fn still_guidance(
    m: &FrameMetrics,
    main_face: Option<&Detection>,
    frame_size: (usize, usize),
    t: &QualityThresholds,
) -> (GuidanceCode, Vec<GuidanceCode>) {
    let mut advice = Vec::new();
    let exposure = |b: f32| {
        if b < t.min_brightness {
            Some(GuidanceCode::TooDark)
        } else if b > t.max_brightness {
            Some(GuidanceCode::TooBright)
        } else {
            None
        }
    };
    let quality = || {
        exposure(m.brightness).or((m.sharpness < t.min_sharpness).then_some(GuidanceCode::Blurry))
    };
    if !m.detector_available {
        return (quality().unwrap_or(GuidanceCode::HoldStill), advice);
    }
    if m.face_count == 0 {
        let code = exposure(m.frame_brightness).unwrap_or(GuidanceCode::FaceNotFound);
        return (code, advice);
    }
    if m.face_count > 1 {
        return (GuidanceCode::MultipleFaces, advice);
    }
    let size = m.face_size.unwrap_or(0.0);
    let (fw, fh) = (frame_size.0 as f32, frame_size.1 as f32);
    let leaves_frame = main_face.is_some_and(|d| {
        let margin = 0.05 * d.w;
        d.x < -margin || d.y < -margin || d.x + d.w > fw + margin || d.y + d.h > fh + margin
    });
    if size > t.max_face_size || leaves_frame {
        return (GuidanceCode::FaceTooClose, advice);
    }
    if size < t.min_face_size {
        return (GuidanceCode::FaceTooSmall, advice);
    }
    if let Some(code) = quality() {
        return (code, advice);
    }
    if m.yaw_deg.unwrap_or(0.0).abs() > t.max_yaw_deg {
        return (GuidanceCode::HeadTurned, advice);
    }
    if m.roll_deg.unwrap_or(0.0).abs() > t.max_roll_deg {
        return (GuidanceCode::HeadTilted, advice);
    }
    let ox = m.center_offset_x.unwrap_or(0.0).abs();
    let oy = m.center_offset_y.unwrap_or(0.0).abs();
    if ox > t.max_center_offset || oy > t.max_center_offset {
        advice.push(GuidanceCode::FaceOffCenter);
    }
    (GuidanceCode::HoldStill, advice)
}
