//! Document detection, guidance and auto-capture on SYNTHETIC scenes: a drawn ID-1 card or TD3
//! passport page (plain colours, text-like blocks, a face-like blob, MRZ-like lines) warped with a
//! known homography onto generated backgrounds (wood-like stripes, noise, gradients, tiles). The
//! ground-truth corners are the homography's; errors are in pixels.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use image::{Rgb, RgbImage};
use imageproc::geometric_transformations::Projection;
use smart_enroll_document::detect::{DocumentThresholds, analyze_image, flatten};
use smart_enroll_document::{
    DocumentCapture, DocumentCaptureConfig, DocumentError, DocumentGuidance, Quad,
};
use smart_enroll_prefilter::{Frame, FramePlane, PixelFormat, Rotation};

// ---------- synthetic data ----------

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 32) as u32
    }
    fn range(&mut self, n: u32) -> u32 {
        self.next() % n
    }
}

#[derive(Clone, Copy)]
enum Page {
    Id1,
    Td3,
}

fn fill(img: &mut RgbImage, x0: u32, y0: u32, w: u32, h: u32, c: [u8; 3]) {
    for y in y0..(y0 + h).min(img.height()) {
        for x in x0..(x0 + w).min(img.width()) {
            img.put_pixel(x, y, Rgb(c));
        }
    }
}

/// A synthetic document page: 856×540 (ID-1) or 1000×704 (TD3), 10 px per mm.
fn synthetic_page(kind: Page) -> RgbImage {
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
enum Background {
    Wood,
    Noise,
    Gradient,
    Tiles,
}

fn background(kind: Background, w: u32, h: u32, seed: u64) -> RgbImage {
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
fn compose(page: &RgbImage, bg: &RgbImage, corners: [[f32; 2]; 4]) -> RgbImage {
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
fn pose(
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

fn corner_error(found: &Quad, truth: &[[f32; 2]; 4]) -> f32 {
    found
        .corners
        .iter()
        .zip(truth)
        .map(|(a, b)| (a[0] - b[0]).hypot(a[1] - b[1]))
        .fold(0.0, f32::max)
}

fn diag(w: u32, h: u32) -> f32 {
    (w as f32).hypot(h as f32)
}

// ---------- frames ----------

/// BT.601 full range, like the prefilter's conversion.
fn yuv(p: [u8; 3]) -> (u8, u8, u8) {
    let (r, g, b) = (f32::from(p[0]), f32::from(p[1]), f32::from(p[2]));
    let y = 0.299 * r + 0.587 * g + 0.114 * b;
    let u = (b - y) * 0.564 + 128.0;
    let v = (r - y) * 0.713 + 128.0;
    let c = |x: f32| x.round().clamp(0.0, 255.0) as u8;
    (c(y), c(u), c(v))
}

/// NV21 in one plane with `pad` bytes of row padding.
fn nv21(img: &RgbImage, pad: u32) -> Frame {
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

fn rgba(img: &RgbImage) -> Frame {
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
fn to_sensor(upright: &RgbImage, deg: u32) -> RgbImage {
    match deg {
        90 => image::imageops::rotate270(upright),
        180 => image::imageops::rotate180(upright),
        270 => image::imageops::rotate90(upright),
        _ => upright.clone(),
    }
}

fn capture(good_frames: u32) -> DocumentCapture {
    DocumentCapture::new(DocumentCaptureConfig {
        good_frames,
        ..DocumentCaptureConfig::default()
    })
    .unwrap()
}

fn id1_scene(bg: Background, width: f32, deg: f32, keystone: f32) -> (RgbImage, [[f32; 2]; 4]) {
    let (w, h) = (1280, 720);
    let truth = pose(w, h, Page::Id1, width, deg, keystone, 20.0, -10.0);
    (
        compose(&synthetic_page(Page::Id1), &background(bg, w, h, 7), truth),
        truth,
    )
}

// ---------- tests ----------

#[test]
fn finds_the_page_on_varied_backgrounds_with_corner_error_under_2_percent() {
    let poses = [(760.0, 0.0, 0.0), (700.0, 8.0, 25.0), (820.0, -6.0, 12.0)];
    for (i, bg) in [
        Background::Wood,
        Background::Noise,
        Background::Gradient,
        Background::Tiles,
    ]
    .into_iter()
    .enumerate()
    {
        let (width, deg, key) = poses[i % poses.len()];
        let (scene, truth) = id1_scene(bg, width, deg, key);
        let report = analyze_image(&scene);
        let quad = report
            .quad
            .unwrap_or_else(|| panic!("{bg:?}: no document found"));
        let err = corner_error(&quad, &truth);
        assert!(
            err <= 0.02 * diag(1280, 720),
            "{bg:?}: corner error {err:.1} px"
        );
        assert!(report.found);
        assert_eq!(
            report.guidance,
            DocumentGuidance::Ok,
            "{bg:?}: {:?}",
            report.metrics
        );
        assert!(
            (report.metrics.aspect - 1.585).abs() < 0.12,
            "{:?}",
            report.metrics
        );
    }
}

#[test]
fn finds_a_td3_passport_page() {
    let (w, h) = (1280, 720);
    let truth = pose(w, h, Page::Td3, 800.0, -4.0, 15.0, 0.0, 0.0);
    let scene = compose(
        &synthetic_page(Page::Td3),
        &background(Background::Wood, w, h, 3),
        truth,
    );
    let report = analyze_image(&scene);
    let err = corner_error(&report.quad.unwrap(), &truth);
    assert!(err <= 0.02 * diag(w, h), "corner error {err:.1} px");
    assert!(
        (report.metrics.aspect - 1.42).abs() < 0.1,
        "{:?}",
        report.metrics
    );
}

#[test]
fn no_document_on_bare_backgrounds() {
    for bg in [
        Background::Wood,
        Background::Noise,
        Background::Gradient,
        Background::Tiles,
    ] {
        let report = analyze_image(&background(bg, 1280, 720, 11));
        assert!(!report.found, "{bg:?}: {:?}", report.quad);
        assert_eq!(report.guidance, DocumentGuidance::NoDocument);
        assert!(report.quad.is_none());
    }
}

#[test]
fn too_small_asks_to_move_closer_and_too_big_to_move_back() {
    let (scene, truth) = id1_scene(Background::Gradient, 330.0, 0.0, 0.0);
    let report = analyze_image(&scene);
    assert!(corner_error(&report.quad.unwrap(), &truth) <= 0.02 * diag(1280, 720));
    assert_eq!(
        report.guidance,
        DocumentGuidance::MoveCloser,
        "{:?}",
        report.metrics
    );

    // Fills the frame (coverage above the limit).
    let truth = pose(1280, 720, Page::Id1, 1100.0, 0.0, 0.0, 0.0, 0.0);
    let scene = compose(
        &synthetic_page(Page::Id1),
        &background(Background::Gradient, 1280, 720, 5),
        truth,
    );
    let report = analyze_image(&scene);
    assert_eq!(
        report.guidance,
        DocumentGuidance::MoveBack,
        "{:?}",
        report.metrics
    );

    // Leaves the frame at the right.
    let (w, h) = (1280, 720);
    let truth = pose(w, h, Page::Id1, 760.0, 0.0, 0.0, 330.0, 0.0);
    let scene = compose(
        &synthetic_page(Page::Id1),
        &background(Background::Gradient, w, h, 5),
        truth,
    );
    let report = analyze_image(&scene);
    assert_eq!(
        report.guidance,
        DocumentGuidance::MoveBack,
        "{:?}",
        report.quad
    );
}

#[test]
fn skewed_or_rotated_asks_to_align() {
    // Strong keystone (perspective).
    let (scene, _) = id1_scene(Background::Wood, 760.0, 0.0, 110.0);
    let report = analyze_image(&scene);
    assert_eq!(
        report.guidance,
        DocumentGuidance::Align,
        "{:?}",
        report.metrics
    );
    assert!(report.metrics.skew_deg > 12.0);
    // Rotated in the plane.
    let (scene, _) = id1_scene(Background::Wood, 640.0, 30.0, 0.0);
    let report = analyze_image(&scene);
    assert_eq!(
        report.guidance,
        DocumentGuidance::Align,
        "{:?}",
        report.metrics
    );
}

#[test]
fn blurred_dark_bright_and_glared_pages() {
    let (scene, _) = id1_scene(Background::Noise, 760.0, 2.0, 8.0);
    let sharp = analyze_image(&scene);
    assert_eq!(sharp.guidance, DocumentGuidance::Ok, "{:?}", sharp.metrics);

    let blurred = imageproc::filter::gaussian_blur_f32(&scene, 3.0);
    let report = analyze_image(&blurred);
    assert_eq!(
        report.guidance,
        DocumentGuidance::Blurry,
        "{:?}",
        report.metrics
    );
    assert!(report.metrics.sharpness < sharp.metrics.sharpness / 4.0);

    let mut dark = scene.clone();
    dark.pixels_mut().for_each(|p| p.0 = p.0.map(|c| c / 4));
    let report = analyze_image(&dark);
    assert_eq!(
        report.guidance,
        DocumentGuidance::TooDark,
        "{:?}",
        report.metrics
    );

    let mut bright = scene.clone();
    bright
        .pixels_mut()
        .for_each(|p| p.0 = p.0.map(|c| 255 - (255 - c) / 5));
    let report = analyze_image(&bright);
    assert_eq!(
        report.guidance,
        DocumentGuidance::TooBright,
        "{:?}",
        report.metrics
    );

    // A specular highlight: a white disc on the page with a soft rim.
    let mut glare = scene.clone();
    let (gx, gy, r) = (760.0f32, 330.0f32, 70.0f32);
    for (x, y, p) in glare.enumerate_pixels_mut() {
        let d = (x as f32 - gx).hypot(y as f32 - gy);
        if d < r * 1.3 {
            let a = ((r * 1.3 - d) / (r * 0.3)).clamp(0.0, 1.0);
            p.0 = p.0.map(|c| (f32::from(c) * (1.0 - a) + 253.0 * a) as u8);
        }
    }
    let report = analyze_image(&glare);
    assert_eq!(
        report.guidance,
        DocumentGuidance::Glare,
        "{:?}",
        report.metrics
    );
}

#[test]
fn nv21_with_row_stride_and_rotation_90_and_270() {
    // Upright portrait scene (a phone held upright), sensor landscape.
    let (w, h) = (720, 1280);
    let truth = pose(w, h, Page::Id1, 620.0, 3.0, 10.0, 0.0, 40.0);
    let upright = compose(
        &synthetic_page(Page::Id1),
        &background(Background::Wood, w, h, 9),
        truth,
    );
    for deg in [90, 270] {
        let mut frame = nv21(&to_sensor(&upright, deg), 32);
        frame.rotation = Rotation::from_degrees(deg).unwrap();
        let mut cap = capture(5);
        let fb = cap.process_frame(&frame).unwrap();
        let quad = fb
            .quad
            .unwrap_or_else(|| panic!("rotation {deg}: not found"));
        let err = corner_error(&quad, &truth);
        assert!(
            err <= 0.02 * diag(w, h),
            "rotation {deg}: corner error {err:.1}"
        );
        assert_eq!(fb.guidance, DocumentGuidance::HoldStill, "{:?}", fb.metrics);
        assert!((fb.readiness - 0.2).abs() < 1e-6);
    }
}

#[test]
fn rgba_frames_and_mirroring() {
    let (scene, truth) = id1_scene(Background::Tiles, 760.0, -3.0, 10.0);
    let mut cap = capture(5);
    let fb = cap.process_frame(&rgba(&scene)).unwrap();
    assert!(corner_error(&fb.quad.unwrap(), &truth) <= 0.02 * diag(1280, 720));
    // Front camera: the sensor image is the mirror of the upright one.
    let mut frame = rgba(&image::imageops::flip_horizontal(&scene));
    frame.mirrored = true;
    let fb = cap.process_frame(&frame).unwrap();
    assert!(corner_error(&fb.quad.unwrap(), &truth) <= 0.02 * diag(1280, 720));
}

#[test]
fn auto_capture_after_good_frames_gives_a_flat_page_within_budget() {
    let (scene, truth) = id1_scene(Background::Wood, 760.0, 4.0, 14.0);
    let frame = nv21(&scene, 0);
    let mut cap = DocumentCapture::new(DocumentCaptureConfig {
        good_frames: 3,
        max_long_edge: 600,
        max_jpeg_bytes: 30_000,
    })
    .unwrap();
    let mut feedback = Vec::new();
    for _ in 0..3 {
        feedback.push(cap.process_frame(&frame).unwrap());
    }
    assert_eq!(feedback[0].guidance, DocumentGuidance::HoldStill);
    assert!(!feedback[1].captured && feedback[1].readiness > feedback[0].readiness);
    assert!(feedback[2].captured, "{:?}", feedback[2]);
    assert_eq!(feedback[2].guidance, DocumentGuidance::Ok);
    let doc = cap.result().unwrap();
    assert!(doc.jpeg.len() <= 30_000, "{} bytes", doc.jpeg.len());
    let page = image::load_from_memory(&doc.jpeg).unwrap().to_rgb8();
    assert_eq!((page.width(), page.height()), (doc.width, doc.height));
    assert!(page.width() <= 600 && page.height() <= 600);
    assert!(((page.width() as f32 / page.height() as f32) - 1.585).abs() < 0.02);
    assert!(corner_error(&doc.corners, &truth) <= 0.02 * diag(1280, 720));
    // The page is flat and upright: it matches the drawn card.
    let reference = image::imageops::resize(
        &synthetic_page(Page::Id1),
        page.width(),
        page.height(),
        image::imageops::FilterType::Triangle,
    );
    let diff = mean_abs_diff(&page, &reference);
    assert!(
        diff < 22.0,
        "flattened page differs from the card by {diff:.1}"
    );
    // After the capture: ok, no second capture; reset starts over.
    let next = cap.process_frame(&frame).unwrap();
    assert!(!next.captured && next.guidance == DocumentGuidance::Ok);
    cap.reset();
    assert!(cap.result().is_none());
    let fb = cap.process_frame(&frame).unwrap();
    assert_eq!(fb.guidance, DocumentGuidance::HoldStill);
}

#[test]
fn bad_frames_reset_the_count_and_motion_restarts_it() {
    let (scene, _) = id1_scene(Background::Gradient, 760.0, 0.0, 0.0);
    let (moved, _) = {
        let (w, h) = (1280, 720);
        let truth = pose(w, h, Page::Id1, 760.0, 0.0, 0.0, -120.0, 40.0);
        (
            compose(
                &synthetic_page(Page::Id1),
                &background(Background::Gradient, w, h, 7),
                truth,
            ),
            truth,
        )
    };
    let empty = background(Background::Gradient, 1280, 720, 7);
    let (a, b, none) = (rgba(&scene), rgba(&moved), rgba(&empty));
    let mut cap = capture(3);
    cap.process_frame(&a).unwrap();
    cap.process_frame(&a).unwrap();
    let fb = cap.process_frame(&none).unwrap();
    assert_eq!(fb.guidance, DocumentGuidance::NoDocument);
    assert_eq!(fb.readiness, 0.0);
    cap.process_frame(&a).unwrap();
    let fb = cap.process_frame(&b).unwrap();
    assert_eq!(fb.guidance, DocumentGuidance::HoldStill);
    assert!(
        (fb.readiness - 1.0 / 3.0).abs() < 1e-6,
        "motion restarts the count: {}",
        fb.readiness
    );
    assert!(!fb.captured);
}

#[test]
fn flatten_undoes_the_perspective() {
    let (scene, truth) = id1_scene(Background::Noise, 900.0, 5.0, 30.0);
    let page = flatten(&scene, &Quad { corners: truth }).unwrap();
    assert!(((page.width() as f32 / page.height() as f32) - 1.585).abs() < 0.01);
    let reference = image::imageops::resize(
        &synthetic_page(Page::Id1),
        page.width(),
        page.height(),
        image::imageops::FilterType::Triangle,
    );
    let diff = mean_abs_diff(&page, &reference);
    assert!(diff < 15.0, "{diff:.1}");
    let bad = flatten(
        &scene,
        &Quad {
            corners: [[0.0, 0.0]; 4],
        },
    );
    assert!(matches!(bad, Err(DocumentError::InvalidConfig { .. })));
}

#[test]
fn invalid_settings_and_frames_are_typed_errors() {
    for config in [
        DocumentCaptureConfig {
            good_frames: 0,
            ..DocumentCaptureConfig::default()
        },
        DocumentCaptureConfig {
            max_long_edge: 10,
            ..DocumentCaptureConfig::default()
        },
        DocumentCaptureConfig {
            max_jpeg_bytes: 100,
            ..DocumentCaptureConfig::default()
        },
    ] {
        assert!(matches!(
            DocumentCapture::new(config),
            Err(DocumentError::InvalidConfig { .. })
        ));
    }
    let t = DocumentThresholds {
        canny_low: 200.0,
        canny_high: 100.0,
        ..DocumentThresholds::default()
    };
    assert!(DocumentCapture::with_thresholds(DocumentCaptureConfig::default(), t).is_err());
    let mut frame = rgba(&RgbImage::new(64, 48));
    frame.planes[0].data.truncate(10);
    let mut cap = capture(3);
    assert!(matches!(
        cap.process_frame(&frame),
        Err(DocumentError::Frame(_))
    ));
    // Tiny and flat inputs: no document, no panic.
    assert_eq!(
        analyze_image(&RgbImage::new(4, 4)).guidance,
        DocumentGuidance::NoDocument
    );
    assert_eq!(
        analyze_image(&RgbImage::new(1, 2000)).guidance,
        DocumentGuidance::NoDocument
    );
}

fn mean_abs_diff(a: &RgbImage, b: &RgbImage) -> f32 {
    let total: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    total as f32 / a.as_raw().len() as f32
}
