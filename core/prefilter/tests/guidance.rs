//! Guidance on transformed real frames (scikit-image's public-domain astronaut photo).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;

use common::*;
use image::{RgbImage, imageops};
use smart_enroll_prefilter::{GuidanceCode, Prefilter, PrefilterConfig};

const GRAY: [u8; 3] = [128, 128, 128];

fn check(p: &Prefilter, img: &RgbImage, expected: GuidanceCode, what: &str) {
    let a = p.analyze_image(&png_bytes(img)).unwrap();
    println!("{what}: {} {:?}", a.guidance, a.metrics);
    assert_eq!(a.guidance, expected, "{what}: metrics {:?}", a.metrics);
}

#[test]
fn guidance_on_transformed_real_frames() {
    let p = prefilter(PrefilterConfig::default());
    let base = selfie();
    let (w, h) = (base.width(), base.height());
    check(&p, &base, GuidanceCode::HoldStill, "good frame");

    check(
        &p,
        &map_pixels(&base, |v| (f32::from(v) * 0.2) as u8),
        GuidanceCode::TooDark,
        "darkened",
    );
    check(
        &p,
        &map_pixels(&base, |v| v.saturating_add(150)),
        GuidanceCode::TooBright,
        "brightened",
    );
    check(
        &p,
        &imageops::blur(&base, 4.0),
        GuidanceCode::Blurry,
        "blurred",
    );

    // Off-centre: guidance for a camera frame, advice (not a refusal) for a still (stills.rs).
    let shifted = on_canvas(&base, w, h, GRAY, (w as i64) * 3 / 10, 0);
    let fb = p.process_frame(&rgba_frame(&shifted, 0)).unwrap();
    assert_eq!(fb.guidance, GuidanceCode::FaceOffCenter, "{:?}", fb.metrics);
    p.reset();
    let a = p.analyze_image(&png_bytes(&shifted)).unwrap();
    assert_eq!(
        (a.guidance, a.advice.as_slice()),
        (GuidanceCode::HoldStill, &[GuidanceCode::FaceOffCenter][..]),
        "{:?}",
        a.metrics
    );

    let small = imageops::resize(&base, w * 2 / 5, h * 2 / 5, imageops::FilterType::Triangle);
    let scaled = on_canvas(
        &small,
        w,
        h,
        GRAY,
        i64::from(w - small.width()) / 2,
        i64::from(h - small.height()) / 2,
    );
    check(&p, &scaled, GuidanceCode::FaceTooSmall, "scaled down");

    // Crop tightly around the face (about 55% of the frame around its centre) and blow it up.
    let tight = imageops::crop_imm(&base, 130, 100, 240, 250).to_image();
    let close = imageops::resize(&tight, w, h, imageops::FilterType::Triangle);
    check(&p, &close, GuidanceCode::FaceTooClose, "cropped too close");

    check(
        &p,
        &rotate_about_center(&base, 35.0, GRAY),
        GuidanceCode::HeadTilted,
        "rotated 35°",
    );

    let half = imageops::resize(&base, w / 2, h / 2, imageops::FilterType::Triangle);
    let mut two = RgbImage::from_pixel(w, h, image::Rgb(GRAY));
    imageops::overlay(&mut two, &half, 0, i64::from(h / 4));
    imageops::overlay(&mut two, &half, i64::from(w / 2), i64::from(h / 4));
    check(
        &p,
        &two,
        GuidanceCode::MultipleFaces,
        "two faces side by side",
    );

    // Non-face photos.
    for name in ["coffee.png", "chelsea.png", "rocket.png"] {
        let a = p.analyze_image(&load_bytes(name)).unwrap();
        assert_eq!(a.guidance, GuidanceCode::FaceNotFound, "{name}");
        assert!(a.faces.is_empty(), "{name}");
    }
    // A black frame: too dark rather than "no face".
    check(
        &p,
        &RgbImage::new(320, 240),
        GuidanceCode::TooDark,
        "black frame",
    );
}

#[test]
fn astronaut_face_box_and_keypoints() {
    let p = prefilter(PrefilterConfig::default());
    let a = p.analyze_image(&load_bytes("astronaut.png")).unwrap();
    assert_eq!(a.faces.len(), 1);
    let f = &a.faces[0];
    // Her face is around x 180..270, y 80..175 in the 512×512 photo.
    assert!((f.x + f.width / 2.0 - 225.0).abs() < 15.0, "{f:?}");
    assert!((f.y + f.height / 2.0 - 127.0).abs() < 15.0, "{f:?}");
    assert!((80.0..110.0).contains(&f.width), "{f:?}");
    assert!(f.score > 0.85);
    // Eyes above the nose, nose above the mouth.
    let k = &f.keypoints;
    assert!(
        k[0].y < k[2].y && k[1].y < k[2].y && k[2].y < k[3].y,
        "{k:?}"
    );
}
