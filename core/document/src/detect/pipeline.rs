//! The per-frame detection pipeline: downscaled luma → contrast stretch → Canny → dilation →
//! contours → convex hull → Douglas–Peucker quad → aspect/edge-support checks → page metrics
//! sampled at full resolution through the quad's homography.

use image::GrayImage;
use imageproc::contours::find_contours;
use imageproc::geometric_transformations::Projection;
use imageproc::geometry::{approximate_polygon_dp, arc_length, convex_hull};
use imageproc::point::Point;

use super::edges::{CannyBuffers, canny_into, dilate3_into};
use super::source::Source;
use super::{DocumentGuidance, DocumentMetrics, DocumentThresholds, Quad};

/// ID-1 (85.6 × 54 mm) long side / short side.
pub const ID1_ASPECT: f32 = 85.6 / 54.0;
/// Passport TD3 data page (125 × 88 mm) long side / short side.
pub const TD3_ASPECT: f32 = 125.0 / 88.0;

/// Page-sampling grid (columns × rows) for brightness, glare and sharpness.
const GRID_X: usize = 64;
const GRID_Y: usize = 40;
/// Page margin left out of the page metrics (fraction of each side): the outline itself, the
/// rounded corners and the background just outside a slightly loose quad.
const PAGE_INSET: f32 = 0.06;

/// Buffers reused across frames (allocated on the first frame, then only when the working size
/// grows).
#[derive(Debug, Default)]
pub(crate) struct Buffers {
    small: Vec<u8>,
    /// The Canny edge map before dilation (for the sub-pixel side fits).
    edges: Vec<u8>,
    /// The dilated edge map (contours, edge support).
    dilated: Vec<u8>,
    dilate_tmp: Vec<u8>,
    canny: CannyBuffers,
}

/// What one frame or still gave, before the capture logic.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Analysis {
    pub quad: Option<Quad>,
    pub metrics: DocumentMetrics,
    /// A corner lies on (or beyond) the frame's margin: the page leaves the frame.
    pub touches_border: bool,
    /// The matched page shape's long/short ratio (ID-1 or TD3).
    pub page_aspect: f32,
}

impl Analysis {
    fn none() -> Self {
        Self {
            quad: None,
            metrics: DocumentMetrics::default(),
            touches_border: false,
            page_aspect: ID1_ASPECT,
        }
    }
}

/// The full analysis of one upright image.
pub(crate) fn analyze<S: Source>(src: &S, bufs: &mut Buffers, t: &DocumentThresholds) -> Analysis {
    let (w, h) = src.size();
    if w < 8 || h < 8 {
        return Analysis::none();
    }
    let long = w.max(h);
    let target = (t.work_long_edge as usize).max(64);
    let step = long.div_ceil(target).max(1);
    let (sw, sh) = (w / step, h / step);
    if sw < 16 || sh < 16 {
        return Analysis::none();
    }
    downscale(src, step, sw, sh, &mut bufs.small);
    stretch_contrast(&mut bufs.small);
    let Some(small) = GrayImage::from_raw(sw as u32, sh as u32, std::mem::take(&mut bufs.small))
    else {
        return Analysis::none();
    };
    let found = find_quad(&small, t, bufs);
    bufs.small = small.into_raw();
    let Some((small_quad, page_aspect)) = found else {
        return Analysis::none();
    };
    // Small-image pixel centres → upright full-resolution pixels.
    let s = step as f32;
    let corners = small_quad.map(|[x, y]| {
        [
            ((x + 0.5) * s - 0.5).clamp(0.0, (w - 1) as f32),
            ((y + 0.5) * s - 0.5).clamp(0.0, (h - 1) as f32),
        ]
    });
    let quad = Quad { corners };
    let margin = t.border_margin * w.min(h) as f32;
    let touches_border = corners.iter().any(|&[x, y]| {
        x <= margin || y <= margin || x >= w as f32 - 1.0 - margin || y >= h as f32 - 1.0 - margin
    });
    let mut metrics = shape_metrics(&quad, w, h);
    page_metrics(src, &quad, t, &mut metrics);
    Analysis {
        quad: Some(quad),
        metrics,
        touches_border,
        page_aspect,
    }
}

/// The instruction for one analysis, in [`DocumentGuidance::ALL`] order; `good` is what an
/// acceptable page gives (`hold_still` for frames, `ok` for stills).
pub(crate) fn judge(
    a: &Analysis,
    t: &DocumentThresholds,
    good: DocumentGuidance,
) -> DocumentGuidance {
    let m = &a.metrics;
    if a.quad.is_none() {
        DocumentGuidance::NoDocument
    } else if m.coverage < t.min_coverage {
        DocumentGuidance::MoveCloser
    } else if m.coverage > t.max_coverage || a.touches_border {
        DocumentGuidance::MoveBack
    } else if m.skew_deg > t.max_skew_deg || m.rotation_deg.abs() > t.max_rotation_deg {
        DocumentGuidance::Align
    } else if m.brightness < t.min_brightness {
        DocumentGuidance::TooDark
    } else if m.brightness > t.max_brightness {
        DocumentGuidance::TooBright
    } else if m.sharpness < t.min_sharpness {
        DocumentGuidance::Blurry
    } else if m.glare > t.max_glare {
        DocumentGuidance::Glare
    } else {
        good
    }
}

/// Box-sampled downscale by `step` into `out` (`sw × sh`): a 2 × 2 grid of samples per block,
/// so the cost does not grow with the frame size.
fn downscale<S: Source>(src: &S, step: usize, sw: usize, sh: usize, out: &mut Vec<u8>) {
    out.clear();
    out.resize(sw * sh, 0);
    let (o1, o2) = if step == 1 {
        (0, 0)
    } else {
        (step / 4, (3 * step) / 4)
    };
    for (j, row) in out.chunks_exact_mut(sw).enumerate() {
        let (v1, v2) = (j * step + o1, j * step + o2);
        for (i, px) in row.iter_mut().enumerate() {
            let (u1, u2) = (i * step + o1, i * step + o2);
            let sum = u32::from(src.luma(u1, v1))
                + u32::from(src.luma(u2, v1))
                + u32::from(src.luma(u1, v2))
                + u32::from(src.luma(u2, v2));
            *px = ((sum + 2) / 4) as u8;
        }
    }
}

/// Stretches the 1st–99th percentile range to 0–255, so the edge thresholds hold in dim and
/// bright scenes alike (flat images are left alone).
fn stretch_contrast(px: &mut [u8]) {
    let mut hist = [0u32; 256];
    for &p in px.iter() {
        hist[usize::from(p)] += 1;
    }
    let n = px.len() as u32;
    let (lo_count, hi_count) = (n / 100, n - n / 100);
    let (mut lo, mut hi, mut acc) = (0usize, 255usize, 0u32);
    let mut lo_set = false;
    for (i, &c) in hist.iter().enumerate() {
        acc += c;
        if !lo_set && acc > lo_count {
            lo = i;
            lo_set = true;
        }
        if acc >= hi_count {
            hi = i;
            break;
        }
    }
    if hi <= lo + 16 {
        return;
    }
    let mut lut = [0u8; 256];
    let span = (hi - lo) as f32;
    for (i, l) in lut.iter_mut().enumerate() {
        *l = ((i as f32 - lo as f32) * 255.0 / span).clamp(0.0, 255.0) as u8;
    }
    for p in px.iter_mut() {
        *p = lut[usize::from(*p)];
    }
}

/// The best document-shaped quad in the working image, corners clockwise from the top-left, and
/// the matched page aspect.
fn find_quad(
    small: &GrayImage,
    t: &DocumentThresholds,
    bufs: &mut Buffers,
) -> Option<([[f32; 2]; 4], f32)> {
    let (sw, sh) = (small.width() as f32, small.height() as f32);
    let (w, h) = (small.width() as usize, small.height() as usize);
    canny_into(
        small.as_raw(),
        w,
        h,
        t.canny_low,
        t.canny_high,
        &mut bufs.canny,
        &mut bufs.edges,
    );
    dilate3_into(&bufs.edges, w, h, &mut bufs.dilate_tmp, &mut bufs.dilated);
    let edges = GrayImage::from_raw(w as u32, h as u32, std::mem::take(&mut bufs.dilated))?;
    let raw_edges = &bufs.edges;
    let contours = find_contours::<i32>(&edges);

    let min_area = t.min_detect_coverage * sw * sh;
    let min_side = (min_area / ID1_ASPECT).sqrt();
    let mut best: Option<([[f32; 2]; 4], f32, f32)> = None;
    for contour in &contours {
        if (contour.points.len() as f32) < 2.0 * min_side {
            continue;
        }
        let (mut x0, mut y0, mut x1, mut y1) = (i32::MAX, i32::MAX, i32::MIN, i32::MIN);
        for p in &contour.points {
            x0 = x0.min(p.x);
            y0 = y0.min(p.y);
            x1 = x1.max(p.x);
            y1 = y1.max(p.y);
        }
        if ((x1 - x0) as f32) * ((y1 - y0) as f32) < min_area {
            continue;
        }
        let mut hull = convex_hull(contour.points.as_slice());
        if hull.len() < 4 {
            continue;
        }
        // imageproc's Douglas–Peucker keeps the first point of a closed curve: start at the hull
        // point farthest from the centroid (a corner of a quad-like hull), simplify lightly, then
        // keep the four vertices spanning the largest area.
        let n = hull.len() as f32;
        let cx = hull.iter().map(|p| p.x as f32).sum::<f32>() / n;
        let cy = hull.iter().map(|p| p.y as f32).sum::<f32>() / n;
        if let Some(far) = (0..hull.len()).max_by(|&i, &j| {
            let d = |p: &Point<i32>| (p.x as f32 - cx).hypot(p.y as f32 - cy);
            d(&hull[i]).total_cmp(&d(&hull[j]))
        }) {
            hull.rotate_left(far);
        }
        let perimeter = arc_length(&hull, true);
        let poly = if hull.len() <= MAX_POLY {
            hull
        } else {
            approximate_polygon_dp(&hull, (0.01 * perimeter).max(1.0), true)
        };
        let Some(quad) = largest_quad(&poly) else {
            continue;
        };
        let corners = order_corners(quad);
        let area = polygon_area(&corners);
        if area < min_area {
            continue;
        }
        // A page under any usable perspective keeps its corners within 90° ± 40°.
        if worst_corner_deviation(&corners) > 40.0 {
            continue;
        }
        let Some(page_aspect) = match_aspect(&corners, t.aspect_tolerance) else {
            continue;
        };
        let support = edge_support(&edges, &corners);
        let fit = contour_fit(&contour.points, &corners);
        if support < t.min_edge_support || fit < 0.5 {
            continue;
        }
        let score = area * support;
        if best.is_none_or(|(_, _, s)| score > s) {
            best = Some((corners, page_aspect, score));
        }
    }
    let found = best.map(|(c, a, _)| {
        let refined = order_corners((0..3).fold(c, |cur, _| refine(raw_edges, w, h, cur, &c)));
        if worst_corner_deviation(&refined) <= 40.0
            && polygon_area(&refined) > 0.5 * polygon_area(&c)
        {
            (refined, a)
        } else {
            (c, a)
        }
    });
    bufs.dilated = edges.into_raw();
    found
}

/// Moves each side onto the undilated edge pixels next to it (a least-squares line through the
/// nearest edge pixel along the side's normal at up to 32 places), then takes the corners as the
/// sides' intersections. Sides with too few edge pixels (e.g. cut by the frame) stay as found.
fn refine(
    edges: &[u8],
    w: usize,
    h: usize,
    c: [[f32; 2]; 4],
    origin: &[[f32; 2]; 4],
) -> [[f32; 2]; 4] {
    const SAMPLES: usize = 32;
    const REACH: i32 = 4;
    // Each side as (point on the line, unit direction).
    let mut lines = [([0f32; 2], [0f32; 2]); 4];
    for i in 0..4 {
        let (a, b) = (c[i], c[(i + 1) % 4]);
        let len = (b[0] - a[0]).hypot(b[1] - a[1]).max(1e-3);
        let d = [(b[0] - a[0]) / len, (b[1] - a[1]) / len];
        let nrm = [-d[1], d[0]];
        lines[i] = (a, d);
        // A side along the frame's edge (the page leaves the frame there) stays where it is.
        let (wf, hf) = (w as f32 - 2.5, h as f32 - 2.5);
        if (a[0] <= 1.5 && b[0] <= 1.5)
            || (a[1] <= 1.5 && b[1] <= 1.5)
            || (a[0] >= wf && b[0] >= wf)
            || (a[1] >= hf && b[1] >= hf)
        {
            continue;
        }
        let mut pts = [[0f32; 2]; SAMPLES];
        let mut n = 0;
        for k in 0..SAMPLES {
            let f = 0.12 + 0.76 * k as f32 / (SAMPLES - 1) as f32;
            let base = [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f];
            for step in 0..=2 * REACH {
                // 0, +1, -1, +2, -2, …
                let o = if step % 2 == 1 {
                    (step + 1) / 2
                } else {
                    -(step / 2)
                } as f32;
                let x = (base[0] + nrm[0] * o).round();
                let y = (base[1] + nrm[1] * o).round();
                if x < 0.0 || y < 0.0 || x >= w as f32 || y >= h as f32 {
                    continue;
                }
                if edges.get(y as usize * w + x as usize).copied().unwrap_or(0) != 0 {
                    pts[n] = [x, y];
                    n += 1;
                    break;
                }
            }
        }
        if n >= SAMPLES / 3
            && let Some((p0, dir)) = fit_line(&pts[..n])
        {
            // One robust pass: refit on the points within 1.5 px of the first fit.
            let mut kept = 0;
            for k in 0..n {
                let (dx, dy) = (pts[k][0] - p0[0], pts[k][1] - p0[1]);
                if (dx * dir[1] - dy * dir[0]).abs() <= 1.5 {
                    pts[kept] = pts[k];
                    kept += 1;
                }
            }
            lines[i] = if kept >= SAMPLES / 3 {
                fit_line(&pts[..kept]).unwrap_or((p0, dir))
            } else {
                (p0, dir)
            };
        }
    }
    let mut out = c;
    for (i, (corner, start)) in out.iter_mut().zip(origin).enumerate() {
        let (p1, d1) = lines[(i + 3) % 4];
        let (p2, d2) = lines[i];
        let den = d1[0] * d2[1] - d1[1] * d2[0];
        if den.abs() < 1e-3 {
            continue;
        }
        let t = ((p2[0] - p1[0]) * d2[1] - (p2[1] - p1[1]) * d2[0]) / den;
        let p = [p1[0] + d1[0] * t, p1[1] + d1[1] * t];
        // Keep the refinement local: a corner never ends up more than a few pixels from where
        // the contour put it.
        if (p[0] - start[0]).hypot(p[1] - start[1]) <= 1.5 * REACH as f32 {
            *corner = p;
        }
    }
    out
}

/// Total least squares: the centroid and the principal direction.
fn fit_line(pts: &[[f32; 2]]) -> Option<([f32; 2], [f32; 2])> {
    let n = pts.len() as f32;
    let mx = pts.iter().map(|p| p[0]).sum::<f32>() / n;
    let my = pts.iter().map(|p| p[1]).sum::<f32>() / n;
    let (mut sxx, mut sxy, mut syy) = (0f32, 0f32, 0f32);
    for p in pts {
        let (dx, dy) = (p[0] - mx, p[1] - my);
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    let angle = 0.5 * (2.0 * sxy).atan2(sxx - syy);
    let d = [angle.cos(), angle.sin()];
    (d[0].is_finite() && d[1].is_finite()).then_some(([mx, my], d))
}

/// Largest polygon searched for its best four vertices.
const MAX_POLY: usize = 24;

/// The four vertices of a (small, convex) polygon spanning the largest quadrilateral.
fn largest_quad(poly: &[Point<i32>]) -> Option<[[f32; 2]; 4]> {
    let n = poly.len();
    if !(4..=MAX_POLY).contains(&n) {
        return None;
    }
    let mut p = [[0f32; 2]; MAX_POLY];
    for (slot, q) in p.iter_mut().zip(poly) {
        *slot = [q.x as f32, q.y as f32];
    }
    let mut best = (0f32, [[0f32; 2]; 4]);
    for i in 0..n {
        for j in i + 1..n {
            for k in j + 1..n {
                for l in k + 1..n {
                    let q = [p[i], p[j], p[k], p[l]];
                    let a = polygon_area(&q);
                    if a > best.0 {
                        best = (a, q);
                    }
                }
            }
        }
    }
    (best.0 > 0.0).then_some(best.1)
}

/// Orders four corners clockwise on screen (y down) from the top-left (smallest x + y).
pub(crate) fn order_corners(mut pts: [[f32; 2]; 4]) -> [[f32; 2]; 4] {
    let cx = pts.iter().map(|p| p[0]).sum::<f32>() / 4.0;
    let cy = pts.iter().map(|p| p[1]).sum::<f32>() / 4.0;
    // With y down, increasing atan2 goes clockwise on screen.
    pts.sort_by(|a, b| {
        (a[1] - cy)
            .atan2(a[0] - cx)
            .total_cmp(&(b[1] - cy).atan2(b[0] - cx))
    });
    let start = (0..4)
        .min_by(|&i, &j| (pts[i][0] + pts[i][1]).total_cmp(&(pts[j][0] + pts[j][1])))
        .unwrap_or(0);
    pts.rotate_left(start);
    pts
}

fn dist(a: [f32; 2], b: [f32; 2]) -> f32 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

/// Shoelace area.
pub(crate) fn polygon_area(c: &[[f32; 2]; 4]) -> f32 {
    let mut s = 0.0;
    for i in 0..4 {
        let (a, b) = (c[i], c[(i + 1) % 4]);
        s += a[0] * b[1] - b[0] * a[1];
    }
    s.abs() / 2.0
}

/// Long side / short side from the mean lengths of opposite sides (a first-order perspective
/// allowance: foreshortening shortens one side of a pair, the other keeps its length).
pub(crate) fn quad_aspect(c: &[[f32; 2]; 4]) -> f32 {
    let horizontal = (dist(c[0], c[1]) + dist(c[3], c[2])) / 2.0;
    let vertical = (dist(c[0], c[3]) + dist(c[1], c[2])) / 2.0;
    let (long, short) = if horizontal >= vertical {
        (horizontal, vertical)
    } else {
        (vertical, horizontal)
    };
    if short <= 0.0 { 0.0 } else { long / short }
}

/// The page shape (ID-1 or TD3) whose aspect the quad matches within `tolerance` (relative).
fn match_aspect(c: &[[f32; 2]; 4], tolerance: f32) -> Option<f32> {
    let a = quad_aspect(c);
    [ID1_ASPECT, TD3_ASPECT]
        .into_iter()
        .map(|target| (target, ((a - target) / target).abs()))
        .filter(|&(_, err)| err <= tolerance)
        .min_by(|x, y| x.1.total_cmp(&y.1))
        .map(|(target, _)| target)
}

/// Fraction of points along the quad's sides that lie on (dilated) edge pixels. Points within
/// one pixel of the image border count as supported on at most one side (the page may leave
/// the frame there).
fn edge_support(edges: &GrayImage, c: &[[f32; 2]; 4]) -> f32 {
    const PER_SIDE: usize = 24;
    let (w, h) = (edges.width() as i32, edges.height() as i32);
    let raw = edges.as_raw();
    let mut hits = 0usize;
    let mut border_sides = 0;
    for i in 0..4 {
        let (a, b) = (c[i], c[(i + 1) % 4]);
        let mut on_border = 0;
        for k in 0..PER_SIDE {
            let f = (k as f32 + 0.5) / PER_SIDE as f32;
            let x = (a[0] + (b[0] - a[0]) * f).round() as i32;
            let y = (a[1] + (b[1] - a[1]) * f).round() as i32;
            if x <= 1 || y <= 1 || x >= w - 2 || y >= h - 2 {
                hits += 1;
                on_border += 1;
                continue;
            }
            let on = |dx: i32, dy: i32| raw[((y + dy) * w + x + dx) as usize] != 0;
            if on(0, 0) || on(1, 0) || on(-1, 0) || on(0, 1) || on(0, -1) {
                hits += 1;
            }
        }
        if on_border * 2 > PER_SIDE {
            border_sides += 1;
        }
    }
    // One side may be the frame's edge (the page leaves the frame there); a quad standing on
    // two is the frame around a texture, not a page.
    if border_sides > 1 {
        return 0.0;
    }
    hits as f32 / (4 * PER_SIDE) as f32
}

/// Fraction of the contour's points within 3 px of the quad's outline: a page's outline (either
/// side of its edge ring) hugs its quad; the hull of a tangle of texture edges does not.
fn contour_fit(points: &[Point<i32>], c: &[[f32; 2]; 4]) -> f32 {
    if points.is_empty() {
        return 0.0;
    }
    let near = points
        .iter()
        .filter(|p| {
            let (x, y) = (p.x as f32, p.y as f32);
            (0..4).any(|i| segment_distance([x, y], c[i], c[(i + 1) % 4]) <= 3.0)
        })
        .count();
    near as f32 / points.len() as f32
}

fn segment_distance(p: [f32; 2], a: [f32; 2], b: [f32; 2]) -> f32 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (p[0] - a[0] - t * dx).hypot(p[1] - a[1] - t * dy)
}

/// The largest deviation of a corner angle from 90°, degrees (180 for a non-convex quad).
pub(crate) fn worst_corner_deviation(c: &[[f32; 2]; 4]) -> f32 {
    let mut skew = 0f32;
    let mut sign = 0f32;
    for i in 0..4 {
        let (prev, cur, next) = (c[(i + 3) % 4], c[i], c[(i + 1) % 4]);
        let (ax, ay) = (prev[0] - cur[0], prev[1] - cur[1]);
        let (bx, by) = (next[0] - cur[0], next[1] - cur[1]);
        let cross = ax * by - ay * bx;
        if sign != 0.0 && cross.signum() != sign {
            return 180.0;
        }
        sign = cross.signum();
        let angle = cross.abs().atan2(ax * bx + ay * by).to_degrees();
        skew = skew.max((angle - 90.0).abs());
    }
    skew
}

/// Coverage, skew, rotation and aspect of a quad in a `w × h` image.
pub(crate) fn shape_metrics(q: &Quad, w: usize, h: usize) -> DocumentMetrics {
    let c = &q.corners;
    let skew = worst_corner_deviation(c);
    // In-plane rotation: the top and bottom sides' mean angle from horizontal, folded to ±45°.
    let top = (c[1][1] - c[0][1]).atan2(c[1][0] - c[0][0]);
    let bottom = (c[2][1] - c[3][1]).atan2(c[2][0] - c[3][0]);
    let mut rotation = ((top + bottom) / 2.0).to_degrees();
    while rotation > 45.0 {
        rotation -= 90.0;
    }
    while rotation < -45.0 {
        rotation += 90.0;
    }
    DocumentMetrics {
        coverage: polygon_area(c) / (w * h) as f32,
        skew_deg: skew,
        rotation_deg: rotation,
        aspect: quad_aspect(c),
        ..DocumentMetrics::default()
    }
}

/// The unit square (0..1 × 0..1, page coordinates) → the quad, in upright pixels: Heckbert's
/// closed-form square-to-quad homography (no linear solve: `Projection::from_control_points`
/// would link nalgebra's SVD into the mobile library for four points).
pub(crate) fn page_projection(q: &Quad) -> Option<Projection> {
    let c = q.corners.map(|[x, y]| [f64::from(x), f64::from(y)]);
    let [[x0, y0], [x1, y1], [x2, y2], [x3, y3]] = c;
    let (sx, sy) = (x0 - x1 + x2 - x3, y0 - y1 + y2 - y3);
    let (g, h) = if sx.abs() < 1e-9 && sy.abs() < 1e-9 {
        (0.0, 0.0)
    } else {
        let (dx1, dx2, dy1, dy2) = (x1 - x2, x3 - x2, y1 - y2, y3 - y2);
        let den = dx1 * dy2 - dx2 * dy1;
        if den.abs() < 1e-12 {
            return None;
        }
        ((sx * dy2 - dx2 * sy) / den, (dx1 * sy - sx * dy1) / den)
    };
    let m = [
        x1 - x0 + g * x1,
        x3 - x0 + h * x3,
        x0,
        y1 - y0 + g * y1,
        y3 - y0 + h * y3,
        y0,
        g,
        h,
        1.0,
    ];
    if m.iter().any(|v| !v.is_finite()) {
        return None;
    }
    Projection::from_matrix(m.map(|v| v as f32))
}

/// Brightness, glare and sharpness sampled on a grid over the page (inset from its outline), at
/// the source's full resolution.
fn page_metrics<S: Source>(src: &S, q: &Quad, t: &DocumentThresholds, m: &mut DocumentMetrics) {
    let Some(proj) = page_projection(q) else {
        return;
    };
    let (w, h) = src.size();
    let (mut n, mut luma_sum) = (0u32, 0f64);
    // Luma histograms of every sample and of the unsaturated (near-grey) ones: a highlight is
    // judged against the page's own median, so a white page (a scan, a pale card) is not glare.
    let (mut all_hist, mut grey_hist) = ([0u32; 256], [0u32; 256]);
    let (mut lap_sum, mut lap_sq, mut lap_n) = (0f64, 0f64, 0u32);
    for gy in 0..GRID_Y {
        let py = PAGE_INSET + (1.0 - 2.0 * PAGE_INSET) * (gy as f32 + 0.5) / GRID_Y as f32;
        for gx in 0..GRID_X {
            let px = PAGE_INSET + (1.0 - 2.0 * PAGE_INSET) * (gx as f32 + 0.5) / GRID_X as f32;
            let (x, y) = proj * (px, py);
            if !(x.is_finite() && y.is_finite()) {
                continue;
            }
            let (u, v) = (x.round(), y.round());
            if u < 1.0 || v < 1.0 || u > (w - 2) as f32 || v > (h - 2) as f32 {
                continue;
            }
            let (u, v) = (u as usize, v as usize);
            let [r, g, b] = src.rgb(u, v);
            let l = smart_enroll_prefilter::frame::rgb_to_luma(r, g, b);
            n += 1;
            luma_sum += f64::from(l);
            let (max, min) = (r.max(g).max(b), r.min(g).min(b));
            all_hist[usize::from(l)] += 1;
            if max - min <= t.glare_max_chroma {
                grey_hist[usize::from(l)] += 1;
            }
            let lap = 4 * i32::from(src.luma(u, v))
                - i32::from(src.luma(u - 1, v))
                - i32::from(src.luma(u + 1, v))
                - i32::from(src.luma(u, v - 1))
                - i32::from(src.luma(u, v + 1));
            lap_sum += f64::from(lap);
            lap_sq += f64::from(lap) * f64::from(lap);
            lap_n += 1;
        }
    }
    if n == 0 {
        return;
    }
    m.brightness = (luma_sum / f64::from(n)) as f32;
    let mut below = 0u32;
    let median = all_hist
        .iter()
        .position(|&c| {
            below += c;
            below * 2 >= n
        })
        .unwrap_or(255);
    let from = usize::from(t.glare_luma).max(median + usize::from(t.glare_margin));
    let glare: u32 = grey_hist.iter().skip(from).sum();
    m.glare = glare as f32 / n as f32;
    let mean = lap_sum / f64::from(lap_n);
    m.sharpness = (lap_sq / f64::from(lap_n) - mean * mean).max(0.0) as f32;
}
