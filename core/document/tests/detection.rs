//! Document detection, guidance and auto-capture on SYNTHETIC scenes: a drawn ID-1 card or TD3
//! passport page (plain colours, text-like blocks, a face-like blob, MRZ-like lines) warped with a
//! known homography onto generated backgrounds (wood-like stripes, noise, gradients, tiles). The
//! ground-truth corners are the homography's; errors are in pixels.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use image::RgbImage;
use smart_enroll_document::detect::{DocumentThresholds, analyze_image, flatten};
use smart_enroll_document::{
    DocumentCapture, DocumentCaptureConfig, DocumentError, DocumentGuidance, Quad,
};
use smart_enroll_prefilter::Rotation;

mod scene;

use scene::*;

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
fn the_capture_keeps_the_sharpest_good_frame() {
    let (scene, _) = id1_scene(Background::Wood, 760.0, 2.0, 8.0);
    let soft = imageproc::filter::gaussian_blur_f32(&scene, 1.0);
    let lenient = DocumentThresholds {
        min_sharpness: 0.0,
        ..DocumentThresholds::default()
    };
    let config = DocumentCaptureConfig {
        good_frames: 3,
        ..DocumentCaptureConfig::default()
    };
    let mut cap = DocumentCapture::with_thresholds(config, lenient).unwrap();
    let (soft_frame, sharp_frame) = (nv21(&soft, 16), nv21(&scene, 16));
    let a = cap.process_frame(&soft_frame).unwrap();
    let b = cap.process_frame(&sharp_frame).unwrap();
    let c = cap.process_frame(&soft_frame).unwrap();
    assert!(c.captured, "{c:?}");
    assert!(
        b.metrics.sharpness > 2.0 * a.metrics.sharpness,
        "{a:?} {b:?}"
    );
    let doc = cap.result().unwrap();
    assert_eq!(doc.sharpness, b.metrics.sharpness);
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
