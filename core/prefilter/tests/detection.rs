//! Face detection on real photos: scikit-image's `lfw_subset` (100 faces, 100 non-faces) and the
//! astronaut photo delivered as camera frames in every rotation, mirrored or not.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;

use common::*;
use image::{RgbImage, imageops};
use smart_enroll_prefilter::{GuidanceCode, PrefilterConfig, Rotation};

/// A 25×25 lfw crop is tightly cropped: give the detector context by scaling it to 52 px and
/// centring it on a 128×128 mid-grey canvas (the face then fills ~40% of the frame).
fn lfw_frame(name: &str) -> RgbImage {
    let img = load_rgb(name);
    let face = imageops::resize(&img, 52, 52, imageops::FilterType::Triangle);
    on_canvas(&face, 128, 128, [128, 128, 128], 38, 38)
}

#[test]
fn lfw_subset_detection_and_false_positive_rates() {
    // The whole-frame detector's rates (the stills' tile pass is tested in stills.rs; it would
    // multiply the 200 inferences here by ~11, which the arm64 suite runs under emulation).
    let p = prefilter(PrefilterConfig {
        still_second_pass: false,
        ..PrefilterConfig::default()
    });
    let (mut hits, mut false_pos) = (0, 0);
    for i in 0..200 {
        let kind = if i < 100 { "face" } else { "nonface" };
        let a = p
            .analyze_image(&png_bytes(&lfw_frame(&format!("lfw_{kind}_{i:03}.png"))))
            .unwrap();
        let found = a.metrics.face_count > 0;
        if i < 100 && found {
            hits += 1;
        }
        if i >= 100 && found {
            false_pos += 1;
        }
    }
    let (rate, fp) = (hits as f32 / 100.0, false_pos as f32 / 100.0);
    println!("lfw_subset: detection rate {rate:.2}, false-positive rate {fp:.2}");
    // Measured with the default threshold (0.6): 1.00 / 0.01. Asserted with margin.
    assert!(rate >= 0.9, "detection rate {rate}");
    assert!(fp <= 0.1, "false-positive rate {fp}");
}

#[test]
fn sensor_rotation_and_mirroring_are_undone() {
    let p = prefilter(PrefilterConfig::default());
    let upright = selfie();
    let reference = p.analyze_image(&png_bytes(&upright)).unwrap();
    assert_eq!(reference.guidance, GuidanceCode::HoldStill);
    let rf = &reference.faces[0];
    for deg in [0u32, 90, 180, 270] {
        for mirrored in [false, true] {
            let sensor = to_sensor(&upright, deg);
            let mut frame = nv21_frame(&sensor, 0);
            frame.rotation = Rotation::from_degrees(deg).unwrap();
            frame.mirrored = mirrored;
            p.reset();
            let fb = p.process_frame(&frame).unwrap();
            assert_eq!(fb.metrics.face_count, 1, "{deg} {mirrored}");
            let f = &fb.faces[0];
            let want_cx = if mirrored {
                upright.width() as f32 - (rf.x + rf.width / 2.0)
            } else {
                rf.x + rf.width / 2.0
            };
            assert!(
                (f.x + f.width / 2.0 - want_cx).abs() < 8.0,
                "{deg} {mirrored}: {f:?} vs {rf:?}"
            );
            assert!(
                (f.y + f.height / 2.0 - (rf.y + rf.height / 2.0)).abs() < 8.0,
                "{deg} {mirrored}"
            );
            assert!((f.width - rf.width).abs() < 10.0, "{deg} {mirrored}");
            assert_eq!(
                fb.guidance,
                GuidanceCode::HoldStill,
                "{deg} {mirrored}: {:?}",
                fb.metrics
            );
        }
    }
    // Wrong rotation metadata (a sideways face) is not passed as good.
    let mut frame = nv21_frame(&to_sensor(&upright, 90), 0);
    frame.rotation = Rotation::Deg0;
    p.reset();
    let fb = p.process_frame(&frame).unwrap();
    assert_ne!(fb.guidance, GuidanceCode::HoldStill, "{:?}", fb.metrics);
}
