//! Still images (`analyze_image`: CLI `prefilter`, `enroll`'s pre-flight, the bindings' photo
//! check) are judged on what the server needs, on real portraits: scikit-image's astronaut photo
//! and the 100 faces of `lfw_subset`. Framing (`face_off_center`) is advice there, quality
//! problems are named before pose, and a second face is found even when much smaller than the
//! first (the tile pass). The live path keeps `face_off_center` as guidance.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;

use common::*;
use image::{RgbImage, imageops};
use smart_enroll_prefilter::{GuidanceCode, ImageAnalysis, Prefilter, PrefilterConfig};

const GRAY: [u8; 3] = [128, 128, 128];
const PAPER: [u8; 3] = [205, 205, 200];

fn analyze(p: &Prefilter, img: &RgbImage) -> ImageAnalysis {
    p.analyze_image(&png_bytes(img)).unwrap()
}

/// An official-portrait layout: the selfie at the top of a tall, light photo (face in the upper
/// third, centre offset ~0.25 of the height).
fn tall_portrait() -> RgbImage {
    on_canvas(&selfie(), 560, 1000, PAPER, 30, 0)
}

/// A 25×25 lfw crop at 52 px, centred on a 128×128 grey frame (as `detection.rs`), or at the
/// top of a 128×224 tall frame (face off the centre).
fn lfw_portraits(i: usize) -> [RgbImage; 2] {
    let face = imageops::resize(
        &load_rgb(&format!("lfw_face_{i:03}.png")),
        52,
        52,
        imageops::FilterType::Triangle,
    );
    [
        on_canvas(&face, 128, 128, GRAY, 38, 38),
        on_canvas(&face, 128, 224, GRAY, 38, 10),
    ]
}

#[test]
fn an_off_centre_face_in_a_tall_photo_is_advice_for_a_still_and_guidance_live() {
    let p = prefilter(PrefilterConfig::default());
    let tall = tall_portrait();
    let a = analyze(&p, &tall);
    assert_eq!(a.guidance, GuidanceCode::HoldStill, "{:?}", a.metrics);
    assert!(a.passes());
    assert_eq!(a.advice, [GuidanceCode::FaceOffCenter], "{:?}", a.metrics);
    assert!(a.metrics.center_offset_y.unwrap() < -0.2, "{:?}", a.metrics);
    assert_eq!(a.faces.len(), 1);
    // JSON keys: the advice is a list of guidance keys.
    let json = serde_json::to_value(&a).unwrap();
    assert_eq!(json["guidance"], "hold_still");
    assert_eq!(json["advice"], serde_json::json!(["face_off_center"]));

    // The live camera path keeps it as guidance (move the face to the centre).
    let fb = p.process_frame(&rgba_frame(&tall, 0)).unwrap();
    assert_eq!(fb.guidance, GuidanceCode::FaceOffCenter, "{:?}", fb.metrics);

    // A centred portrait has no advice.
    let a = analyze(&p, &selfie());
    assert_eq!((a.guidance, a.advice.len()), (GuidanceCode::HoldStill, 0));
}

#[test]
fn quality_problems_of_a_tall_portrait_are_named_before_framing() {
    let p = prefilter(PrefilterConfig::default());
    let tall = tall_portrait();
    for (img, want, what) in [
        (
            map_pixels(&tall, |v| (f32::from(v) * 0.2) as u8),
            GuidanceCode::TooDark,
            "darkened",
        ),
        (
            map_pixels(&tall, |v| v.saturating_add(150)),
            GuidanceCode::TooBright,
            "brightened",
        ),
        (imageops::blur(&tall, 4.0), GuidanceCode::Blurry, "blurred"),
        (
            imageops::blur(&map_pixels(&tall, |v| (f32::from(v) * 0.2) as u8), 4.0),
            GuidanceCode::TooDark,
            "darkened and blurred",
        ),
    ] {
        let a = analyze(&p, &img);
        assert_eq!(a.guidance, want, "{what}: {:?}", a.metrics);
        assert!(!a.passes(), "{what}");
    }
    // The same for a darkened lfw face at the top of a tall frame. (A blurred 52-px lfw face is
    // either still sharp enough or no longer detected: the blur case uses the larger portrait.)
    let [_, lfw_tall] = lfw_portraits(0);
    let a = analyze(&p, &map_pixels(&lfw_tall, |v| (f32::from(v) * 0.25) as u8));
    assert_eq!(a.guidance, GuidanceCode::TooDark, "{:?}", a.metrics);
}

#[test]
fn two_portraits_side_by_side_and_a_much_smaller_second_face_are_found() {
    let p = prefilter(PrefilterConfig::default());
    let base = selfie();
    let mut two = RgbImage::from_pixel(1000, 520, image::Rgb(GRAY));
    imageops::overlay(&mut two, &base, 0, 0);
    imageops::overlay(&mut two, &imageops::flip_horizontal(&base), 500, 0);
    let a = analyze(&p, &two);
    assert_eq!(a.guidance, GuidanceCode::MultipleFaces, "{:?}", a.faces);
    assert_eq!(a.faces.len(), 2, "{:?}", a.faces);
    // One face per portrait.
    assert!(a.faces.iter().any(|f| f.x + f.width / 2.0 < 500.0));
    assert!(a.faces.iter().any(|f| f.x + f.width / 2.0 > 500.0));

    // A bystander a half, a third, a quarter and a fifth the size of the enrollee, in a corner.
    for frac in [2u32, 3, 4, 5] {
        let small = imageops::resize(
            &base,
            500 / frac,
            520 / frac,
            imageops::FilterType::Triangle,
        );
        let mut img = RgbImage::from_pixel(900, 620, image::Rgb(GRAY));
        imageops::overlay(&mut img, &base, 0, 50);
        imageops::overlay(&mut img, &small, 880 - i64::from(small.width()), 40);
        let a = analyze(&p, &img);
        assert_eq!(
            a.guidance,
            GuidanceCode::MultipleFaces,
            "1/{frac}: {:?}",
            a.faces
        );
        let second = a.faces.iter().find(|f| f.x > 500.0).unwrap();
        assert!(
            second.width < a.faces[0].width * 0.7,
            "1/{frac}: {:?}",
            a.faces
        );
        // Without the second pass, the whole-frame pass alone misses the small ones.
        if frac >= 3 {
            let single = Prefilter::new(PrefilterConfig {
                still_second_pass: false,
                ..PrefilterConfig::default()
            })
            .unwrap();
            let a = single.analyze_image(&png_bytes(&img)).unwrap();
            assert_eq!(a.faces.len(), 1, "1/{frac} single pass: {:?}", a.faces);
        }
    }
    // Non-face photos stay without faces (no tile hit on fur, cups or rockets).
    for name in ["coffee.png", "chelsea.png", "rocket.png"] {
        let a = p.analyze_image(&load_bytes(name)).unwrap();
        assert_eq!(
            a.guidance,
            GuidanceCode::FaceNotFound,
            "{name}: {:?}",
            a.faces
        );
    }
}

/// The figure in BENCHMARKS.md: how many real good portraits the still check refuses.
#[test]
fn false_rejections_on_real_good_portraits() {
    let p = prefilter(PrefilterConfig::default());
    let mut total = 0;
    let mut refused: Vec<(String, GuidanceCode)> = Vec::new();
    let mut check = |name: String, img: &RgbImage| {
        total += 1;
        let a = analyze(&p, img);
        if !a.passes() {
            refused.push((name, a.guidance));
        }
    };
    check("selfie".into(), &selfie());
    check("selfie, tall".into(), &tall_portrait());
    check("astronaut.png".into(), &load_rgb("astronaut.png"));
    for i in 0..100 {
        let [centred, tall] = lfw_portraits(i);
        check(format!("lfw {i} centred"), &centred);
        check(format!("lfw {i} tall"), &tall);
    }
    let by_key = |key: GuidanceCode| refused.iter().filter(|(_, g)| *g == key).count();
    println!(
        "still check: {} of {total} good portraits refused (head_turned {}, head_tilted {}, \
         face_too_small {}, face_not_found {}, multiple_faces {}, face_off_center {})",
        refused.len(),
        by_key(GuidanceCode::HeadTurned),
        by_key(GuidanceCode::HeadTilted),
        by_key(GuidanceCode::FaceTooSmall),
        by_key(GuidanceCode::FaceNotFound),
        by_key(GuidanceCode::MultipleFaces),
        by_key(GuidanceCode::FaceOffCenter),
    );
    println!("refused: {refused:?}");
    // Framing never refuses a still, and the tile pass adds no phantom second face.
    assert_eq!(by_key(GuidanceCode::FaceOffCenter), 0, "{refused:?}");
    assert_eq!(by_key(GuidanceCode::MultipleFaces), 0, "{refused:?}");
    // The off-centre selfie passes.
    assert!(
        !refused.iter().any(|(n, _)| n.starts_with("selfie")),
        "{refused:?}"
    );
    // Measured: 25 of 203 (see BENCHMARKS.md), nearly all head_turned on lfw crops; asserted with margin.
    assert!(
        refused.len() <= 35,
        "{} refused: {refused:?}",
        refused.len()
    );
}
