//! Canny edge detection into buffers kept across frames.
//!
//! `imageproc::edges::canny` allocates seven intermediate images per call and spends most of its
//! time in per-pixel `atan2` and a generic 3×3 float filter (≈ 70 % of the document pipeline in
//! a profile). This is the same algorithm — Gaussian blur, Sobel gradients, non-maximum
//! suppression along the quantised gradient direction, hysteresis — in integer arithmetic with
//! the direction quantised by comparisons (tan 22.5°), writing into the capture's buffers, so the
//! thresholds keep imageproc's meaning (Sobel gradient magnitude, at most ≈ 1140).

/// Reused buffers.
#[derive(Debug, Default)]
pub(crate) struct CannyBuffers {
    tmp: Vec<u16>,
    blurred: Vec<u8>,
    gx: Vec<i16>,
    gy: Vec<i16>,
    mag: Vec<u16>,
    stack: Vec<u32>,
}

/// 7-tap binomial kernel (σ ≈ 1.22), sum 64.
const KERNEL: [u32; 7] = [1, 6, 15, 20, 15, 6, 1];

/// Edges of the `w × h` luma image `src` into `out` (255 on edges, 0 elsewhere).
pub(crate) fn canny_into(
    src: &[u8],
    w: usize,
    h: usize,
    low: f32,
    high: f32,
    b: &mut CannyBuffers,
    out: &mut Vec<u8>,
) {
    let n = w * h;
    out.clear();
    out.resize(n, 0);
    if w < 3 || h < 3 || src.len() < n {
        return;
    }
    // Separable blur, clamped borders; the interior loops run on row slices (vectorised).
    b.tmp.clear();
    b.tmp.resize(n, 0);
    for (row, dst) in src.chunks_exact(w).zip(b.tmp.chunks_exact_mut(w)) {
        for x in (0..w.min(3)).chain(w.saturating_sub(3).max(3)..w) {
            let mut acc = 0u32;
            for (k, &kv) in KERNEL.iter().enumerate() {
                acc += kv * u32::from(row[(x + k).saturating_sub(3).min(w - 1)]);
            }
            dst[x] = acc as u16; // ≤ 255 × 64
        }
        if w > 6 {
            for (d, win) in dst[3..w - 3].iter_mut().zip(row.windows(7)) {
                *d = (u32::from(win[0])
                    + u32::from(win[6])
                    + 6 * (u32::from(win[1]) + u32::from(win[5]))
                    + 15 * (u32::from(win[2]) + u32::from(win[4]))
                    + 20 * u32::from(win[3])) as u16;
            }
        }
    }
    b.blurred.clear();
    b.blurred.resize(n, 0);
    for y in 0..h {
        let r = |k: usize| {
            let yy = (y + k).saturating_sub(3).min(h - 1);
            &b.tmp[yy * w..(yy + 1) * w]
        };
        let (r0, r1, r2, r3, r4, r5, r6) = (r(0), r(1), r(2), r(3), r(4), r(5), r(6));
        let dst = &mut b.blurred[y * w..(y + 1) * w];
        for x in 0..w {
            let acc = u32::from(r0[x])
                + u32::from(r6[x])
                + 6 * (u32::from(r1[x]) + u32::from(r5[x]))
                + 15 * (u32::from(r2[x]) + u32::from(r4[x]))
                + 20 * u32::from(r3[x]);
            dst[x] = ((acc + 2048) / 4096) as u8;
        }
    }
    // Sobel gradients and magnitude (interior only).
    b.gx.clear();
    b.gx.resize(n, 0);
    b.gy.clear();
    b.gy.resize(n, 0);
    b.mag.clear();
    b.mag.resize(n, 0);
    let p = &b.blurred;
    for y in 1..h - 1 {
        let (up, mid, down) = (
            &p[(y - 1) * w..y * w],
            &p[y * w..(y + 1) * w],
            &p[(y + 1) * w..(y + 2) * w],
        );
        let gx_row = &mut b.gx[y * w..(y + 1) * w];
        let gy_row = &mut b.gy[y * w..(y + 1) * w];
        let mag_row = &mut b.mag[y * w..(y + 1) * w];
        for x in 1..w - 1 {
            let v = |r: &[u8], i: usize| i32::from(r[i]);
            let gx = (v(up, x + 1) + 2 * v(mid, x + 1) + v(down, x + 1))
                - (v(up, x - 1) + 2 * v(mid, x - 1) + v(down, x - 1));
            let gy = (v(down, x - 1) + 2 * v(down, x) + v(down, x + 1))
                - (v(up, x - 1) + 2 * v(up, x) + v(up, x + 1));
            gx_row[x] = gx as i16;
            gy_row[x] = gy as i16;
            mag_row[x] = ((gx * gx + gy * gy) as f32).sqrt() as u16;
        }
    }
    // Non-maximum suppression, then the strong seeds.
    let (low, high) = (low.max(0.0) as u16, high.max(0.0) as u16);
    b.stack.clear();
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let i = y * w + x;
            let m = b.mag[i];
            if m < low {
                continue;
            }
            let (gx, gy) = (i32::from(b.gx[i]), i32::from(b.gy[i]));
            let (ax, ay) = (gx.abs() * 1000, gy.abs() * 1000);
            // tan 22.5° ≈ 0.4142.
            let (o1, o2) = if ay <= gx.abs() * 414 {
                (i - 1, i + 1)
            } else if ax <= gy.abs() * 414 {
                (i - w, i + w)
            } else if (gx > 0) == (gy > 0) {
                (i - w - 1, i + w + 1)
            } else {
                (i - w + 1, i + w - 1)
            };
            if m < b.mag[o1] || m < b.mag[o2] {
                continue;
            }
            // Candidate: 1 = weak, 255 = strong (seeded below).
            if m >= high {
                out[i] = 255;
                b.stack.push(i as u32);
            } else {
                out[i] = 1;
            }
        }
    }
    // Hysteresis: grow strong edges through 8-connected weak ones.
    while let Some(i) = b.stack.pop() {
        let i = i as usize;
        let (x, y) = (i % w, i / w);
        for dy in -1isize..=1 {
            for dx in -1isize..=1 {
                let (xx, yy) = (x as isize + dx, y as isize + dy);
                if xx < 0 || yy < 0 || xx >= w as isize || yy >= h as isize {
                    continue;
                }
                let j = yy as usize * w + xx as usize;
                if out[j] == 1 {
                    out[j] = 255;
                    b.stack.push(j as u32);
                }
            }
        }
    }
    for v in out.iter_mut() {
        if *v != 255 {
            *v = 0;
        }
    }
}

/// 3 × 3 binary dilation (max filter) of `src` into `out`, separable, `tmp` reused. Same result
/// as `imageproc::morphology::dilate_mut(_, Norm::LInf, 1)` without its distance transform.
pub(crate) fn dilate3_into(src: &[u8], w: usize, h: usize, tmp: &mut Vec<u8>, out: &mut Vec<u8>) {
    let n = w * h;
    tmp.clear();
    tmp.resize(n, 0);
    out.clear();
    out.resize(n, 0);
    if w == 0 || h == 0 || src.len() < n {
        return;
    }
    for y in 0..h {
        let row = &src[y * w..(y + 1) * w];
        let dst = &mut tmp[y * w..(y + 1) * w];
        for x in 0..w {
            let l = row[x.saturating_sub(1)];
            let r = row[(x + 1).min(w - 1)];
            dst[x] = row[x].max(l).max(r);
        }
    }
    for y in 0..h {
        let (up, down) = (y.saturating_sub(1), (y + 1).min(h - 1));
        for x in 0..w {
            out[y * w + x] = tmp[up * w + x].max(tmp[y * w + x]).max(tmp[down * w + x]);
        }
    }
}
