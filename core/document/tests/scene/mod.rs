//! SYNTHETIC scenes for the detection tests and the benchmark: a drawn ID-1 card or TD3 passport
//! page (plain colours, text-like blocks, a face-like blob, MRZ-like lines) warped with a known
//! homography onto generated backgrounds, and the camera frames (NV21 with row padding, RGBA,
//! sensor rotation) that carry them.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use image::{Rgb, RgbImage};
use imageproc::geometric_transformations::Projection;
use smart_enroll_document::{DocumentCapture, DocumentCaptureConfig, Quad};
use smart_enroll_prefilter::{Frame, FramePlane, PixelFormat, Rotation};

// ---------- synthetic data ----------

pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 32) as u32
    }
    pub fn range(&mut self, n: u32) -> u32 {
        self.next() % n
    }
}

#[derive(Clone, Copy)]
pub enum Page {
    Id1,
    Td3,
}

pub fn fill(img: &mut RgbImage, x0: u32, y0: u32, w: u32, h: u32, c: [u8; 3]) {
    for y in y0..(y0 + h).min(img.height()) {
        for x in x0..(x0 + w).min(img.width()) {
            img.put_pixel(x, y, Rgb(c));
        }
    }
}

/// A synthetic document page: 856×540 (ID-1) or 1000×704 (TD3), 10 px per mm.
pub fn synthetic_page(kind: Page) -> RgbImage {
    let (w, h) = match kind {
        Page::Id1 => (856, 540),
        Page::Td3 => (1000, 704),
    };
    let mut img = RgbImage::from_fn(w, h, |x, y| {
        // Pale guilloche-like tint.
        let t = ((x as f32 * 0.05).sin() * (y as f32 * 0.04).cos() * 8.0) as i32;
        Rgb([(196 + t) as u8, (212 + t) as u8, (226 - t) as u8])
    });
    // Header band inside a 3 mm pale margin.
    fill(&mut img, 30, 30, w - 60, h / 7, [96, 146, 204]);
    // Header "text" in white blocks.
    let mut rng = Rng(0x5eed_0001);
    let mut x = 30;
    while x < w - 60 {
        let bw = 10 + rng.range(30);
        fill(&mut img, x, 30 + h / 28, bw, h / 14, [235, 235, 240]);
        x += bw + 8;
    }
    // Face-like blob: hair, skin ellipse, eyes, mouth.
    let (fx, fy, fw, fh) = (w / 20, h / 4, w / 4, h * 11 / 20);
    fill(&mut img, fx, fy, fw, fh, [170, 180, 190]);
    let (cx, cy) = ((fx + fw / 2) as f32, (fy + fh / 2) as f32);
    for y in fy..fy + fh {
        for x in fx..fx + fw {
            let (dx, dy) = (
                (x as f32 - cx) / (fw as f32 * 0.36),
                (y as f32 - cy) / (fh as f32 * 0.42),
            );
            if dx * dx + dy * dy <= 1.0 {
                let c = if dy < -0.55 {
                    [60, 40, 30]
                } else {
                    [214, 170, 140]
                };
                img.put_pixel(x, y, Rgb(c));
            }
        }
    }
    fill(
        &mut img,
        (cx - fw as f32 * 0.18) as u32,
        (cy - fh as f32 * 0.08) as u32,
        fw / 10,
        fh / 20,
        [40, 40, 50],
    );
    fill(
        &mut img,
        (cx + fw as f32 * 0.08) as u32,
        (cy - fh as f32 * 0.08) as u32,
        fw / 10,
        fh / 20,
        [40, 40, 50],
    );
    fill(
        &mut img,
        (cx - fw as f32 * 0.12) as u32,
        (cy + fh as f32 * 0.2) as u32,
        fw / 4,
        fh / 30,
        [150, 60, 60],
    );
    // Text-like blocks beside the face.
    let mut y = h / 4;
    while y < h * 7 / 10 {
        let mut x = w * 7 / 20;
        let end = w - 40 - rng.range(w / 4);
        while x < end {
            let bw = 6 + rng.range(40);
            fill(&mut img, x, y, bw.min(end - x), h / 40, [50, 50, 60]);
            x += bw + 6;
        }
        y += h / 16;
    }
    // MRZ-like lines.
    for line in 0..2 {
        let y = h * 8 / 10 + line * h / 12;
        let mut x = 30;
        while x < w - 40 {
            fill(&mut img, x, y, 14, h / 28, [30, 30, 30]);
            x += 22;
        }
    }
    img
}

#[derive(Clone, Copy, Debug)]
pub enum Background {
    Wood,
    Noise,
    Gradient,
    Tiles,
}

pub fn background(kind: Background, w: u32, h: u32, seed: u64) -> RgbImage {
    let mut rng = Rng(seed | 1);
    RgbImage::from_fn(w, h, |x, y| {
        let n = rng.range(17) as i32 - 8;
        let v = match kind {
            Background::Wood => {
                let s = ((x as f32 * 0.02 + (y as f32 * 0.013).sin() * 3.0).sin() * 18.0) as i32;
                [110 + s + n, 72 + s / 2 + n, 40 + n]
            }
            Background::Noise => {
                let m = rng.range(60) as i32;
                [70 + m, 70 + m, 75 + m]
            }
            Background::Gradient => {
                let g = (x * 90 / w + y * 40 / h) as i32;
                [40 + g + n, 50 + g + n, 70 + g + n]
            }
            Background::Tiles => {
                let t = ((x / 48) + (y / 48)) % 2 == 0;
                if t {
                    [90 + n, 90 + n, 95 + n]
                } else {
                    [60 + n, 62 + n, 66 + n]
                }
            }
        };
        Rgb(v.map(|c| c.clamp(0, 255) as u8))
    })
}

/// `page` warped onto `bg` with its corners at `corners` (clockwise from the top-left).
pub fn compose(page: &RgbImage, bg: &RgbImage, corners: [[f32; 2]; 4]) -> RgbImage {
    let (pw, ph) = (page.width() as f32, page.height() as f32);
    let to_page = Projection::from_control_points(
        corners.map(|[x, y]| (x, y)),
        [(0.0, 0.0), (pw, 0.0), (pw, ph), (0.0, ph)],
    )
    .unwrap();
    let mut out = bg.clone();
    for (x, y, px) in out.enumerate_pixels_mut() {
        // 2×2 supersampling for anti-aliased outlines.
        let mut acc = [0u32; 3];
        for (dx, dy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
            let (u, v) = to_page * (x as f32 + dx, y as f32 + dy);
            let c = if u >= 0.0 && v >= 0.0 && u < pw && v < ph {
                page.get_pixel(u as u32, v as u32).0
            } else {
                bg.get_pixel(x, y).0
            };
            for k in 0..3 {
                acc[k] += u32::from(c[k]);
            }
        }
        *px = Rgb(acc.map(|a| ((a + 2) / 4) as u8));
    }
    out
}

/// A centred page outline of `width` px (long side) with the page's aspect, rotated by `deg`
/// and with a mild keystone (`keystone` px narrower at the top).
#[allow(clippy::too_many_arguments)]
pub fn pose(
    w: u32,
    h: u32,
    kind: Page,
    width: f32,
    deg: f32,
    keystone: f32,
    dx: f32,
    dy: f32,
) -> [[f32; 2]; 4] {
    let aspect = match kind {
        Page::Id1 => 85.6 / 54.0,
        Page::Td3 => 125.0 / 88.0,
    };
    let (hw, hh) = (width / 2.0, width / aspect / 2.0);
    let local = [
        [-hw + keystone, -hh],
        [hw - keystone, -hh],
        [hw, hh],
        [-hw, hh],
    ];
    let (s, c) = deg.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0 + dx, h as f32 / 2.0 + dy);
    local.map(|[x, y]| [cx + x * c - y * s, cy + x * s + y * c])
}

pub fn corner_error(found: &Quad, truth: &[[f32; 2]; 4]) -> f32 {
    found
        .corners
        .iter()
        .zip(truth)
        .map(|(a, b)| (a[0] - b[0]).hypot(a[1] - b[1]))
        .fold(0.0, f32::max)
}

pub fn diag(w: u32, h: u32) -> f32 {
    (w as f32).hypot(h as f32)
}

// ---------- frames ----------

/// BT.601 full range, like the prefilter's conversion.
pub fn yuv(p: [u8; 3]) -> (u8, u8, u8) {
    let (r, g, b) = (f32::from(p[0]), f32::from(p[1]), f32::from(p[2]));
    let y = 0.299 * r + 0.587 * g + 0.114 * b;
    let u = (b - y) * 0.564 + 128.0;
    let v = (r - y) * 0.713 + 128.0;
    let c = |x: f32| x.round().clamp(0.0, 255.0) as u8;
    (c(y), c(u), c(v))
}

/// NV21 in one plane with `pad` bytes of row padding.
pub fn nv21(img: &RgbImage, pad: u32) -> Frame {
    let (w, h) = img.dimensions();
    let stride = w + pad;
    let mut data = vec![0u8; (stride * h + stride * h.div_ceil(2)) as usize];
    for y in 0..h {
        for x in 0..w {
            data[(y * stride + x) as usize] = yuv(img.get_pixel(x, y).0).0;
        }
    }
    for y in (0..h).step_by(2) {
        for x in (0..w).step_by(2) {
            let (_, u, v) = yuv(img.get_pixel(x, y).0);
            let i = (stride * h + (y / 2) * stride + x) as usize;
            data[i] = v;
            data[i + 1] = u;
        }
    }
    Frame {
        format: PixelFormat::Nv21,
        width: w,
        height: h,
        rotation: Rotation::Deg0,
        mirrored: false,
        timestamp_ms: 0,
        planes: vec![FramePlane {
            data,
            row_stride: stride,
            pixel_stride: 1,
        }],
    }
}

pub fn rgba(img: &RgbImage) -> Frame {
    let (w, h) = img.dimensions();
    let data = img.pixels().flat_map(|p| [p[0], p[1], p[2], 255]).collect();
    Frame {
        format: PixelFormat::Rgba,
        width: w,
        height: h,
        rotation: Rotation::Deg0,
        mirrored: false,
        timestamp_ms: 0,
        planes: vec![FramePlane {
            data,
            row_stride: w * 4,
            pixel_stride: 4,
        }],
    }
}

/// The sensor image whose clockwise rotation by `deg` is `upright`.
pub fn to_sensor(upright: &RgbImage, deg: u32) -> RgbImage {
    match deg {
        90 => image::imageops::rotate270(upright),
        180 => image::imageops::rotate180(upright),
        270 => image::imageops::rotate90(upright),
        _ => upright.clone(),
    }
}

pub fn capture(good_frames: u32) -> DocumentCapture {
    DocumentCapture::new(DocumentCaptureConfig {
        good_frames,
        ..DocumentCaptureConfig::default()
    })
    .unwrap()
}

pub fn id1_scene(bg: Background, width: f32, deg: f32, keystone: f32) -> (RgbImage, [[f32; 2]; 4]) {
    let (w, h) = (1280, 720);
    let truth = pose(w, h, Page::Id1, width, deg, keystone, 20.0, -10.0);
    (
        compose(&synthetic_page(Page::Id1), &background(bg, w, h, 7), truth),
        truth,
    )
}
