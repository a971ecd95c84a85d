//! Mirroring, end to end: a real, left-right-asymmetric photo (the astronaut, with a marked
//! side) delivered as camera frames in every pixel format (NV21, `YUV_420_888` with padded
//! strides and pixel stride 2, NV12, BGRA, RGBA), every sensor rotation and both values of
//! `Frame::mirrored` (the BUFFER is a mirror image of the scene, or not).
//!
//! - The captured JPEG is the true, upright, unmirrored scene, never its flip.
//! - "Turn left" means: turn so that the face in the preview the user sees turns to the
//!   preview's left (`PrefilterConfig::preview_mirrored`), i.e. the user's own left in the
//!   default mirrored selfie preview. A real turned face is made from the same photo by the
//!   2-D effect of a head turn: the half of the face turning away is compressed, the other
//!   half widened, so the nose moves off the eye midpoint.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use image::RgbImage;
use smart_enroll_prefilter::{
    ChallengeConfig, ChallengeStatus, Frame, FramePlane, GuidanceCode, PixelFormat,
    PrefilterConfig, Rotation, TurnDirection,
};

const FORMATS: [PixelFormat; 5] = [
    PixelFormat::Nv21,
    PixelFormat::Yuv420,
    PixelFormat::Nv12,
    PixelFormat::Bgra,
    PixelFormat::Rgba,
];
const ROTATIONS: [u32; 4] = [0, 90, 180, 270];

/// The true scene, upright: the astronaut's face (250×260, the prefilter's test photo) with a
/// saturated red band down its left edge (a marked side), so the picture and its mirror image
/// differ everywhere a face photo alone might be nearly symmetric.
fn truth() -> RgbImage {
    let img = common::load_rgb("astronaut.png");
    let mut crop = image::imageops::crop_imm(&img, 100, 0, 250, 260).to_image();
    for y in 0..crop.height() {
        for x in 0..24 {
            crop.put_pixel(x, y, image::Rgb([220, 20, 30]));
        }
    }
    crop
}

fn flip(img: &RgbImage) -> RgbImage {
    image::imageops::flip_horizontal(img)
}

/// The same person with the head turned to their OWN left, as the (unmirrored) camera sees it:
/// the face half on the image's right (the subject's left cheek, turning away) is compressed,
/// the image-left half widened, both about the nose column `nose_x`. `flip` of this is a turn
/// to the own right.
fn turned_own_left(img: &RgbImage, nose_x: f32) -> RgbImage {
    let (near, far) = (1.4f32, 0.5f32);
    let w = img.width() as f32;
    RgbImage::from_fn(img.width(), img.height(), |x, y| {
        let xf = x as f32 + 0.5;
        let sx = if xf < nose_x {
            nose_x + (xf - nose_x) / near
        } else {
            nose_x + (xf - nose_x) / far
        };
        if (0.0..w).contains(&sx) {
            *img.get_pixel(sx as u32, y)
        } else {
            image::Rgb([128, 128, 128])
        }
    })
}

/// BT.601 full-range YUV of the 2×2 block mean at (x, y) (chroma) and of the pixel (luma).
fn block_uv(img: &RgbImage, x: u32, y: u32) -> (u8, u8) {
    let mut acc = [0u32; 3];
    for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
        let p = img.get_pixel(
            (x + dx).min(img.width() - 1),
            (y + dy).min(img.height() - 1),
        );
        for c in 0..3 {
            acc[c] += u32::from(p[c]);
        }
    }
    let yuv = common::rgb_to_yuv(acc.map(|a| ((a + 2) / 4) as u8));
    (yuv[1], yuv[2])
}

/// The camera buffer for the upright scene `upright` in `format`, turned to the sensor's
/// orientation (`deg` clockwise makes it upright again) and, with `mirrored`, a mirror image of
/// the scene (the upright buffer is its flip). Row strides are padded as cameras pad them.
fn camera_frame(upright: &RgbImage, format: PixelFormat, deg: u32, mirrored: bool) -> Frame {
    let shown = if mirrored {
        flip(upright)
    } else {
        upright.clone()
    };
    let src = common::to_sensor(&shown, deg);
    let (w, h) = (src.width(), src.height());
    let (wu, hu) = (w as usize, h as usize);
    let (cw, ch) = (wu.div_ceil(2), hu.div_ceil(2));
    let luma = |x: u32, y: u32| common::rgb_to_yuv(src.get_pixel(x, y).0)[0];
    let planes = match format {
        PixelFormat::Rgba | PixelFormat::Bgra => {
            let stride = wu * 4 + 16;
            let mut data = vec![0u8; stride * hu];
            for (x, y, p) in src.enumerate_pixels() {
                let o = y as usize * stride + x as usize * 4;
                let px = if format == PixelFormat::Rgba {
                    [p[0], p[1], p[2], 255]
                } else {
                    [p[2], p[1], p[0], 255]
                };
                data[o..o + 4].copy_from_slice(&px);
            }
            vec![FramePlane {
                data,
                row_stride: stride as u32,
                pixel_stride: 4,
            }]
        }
        PixelFormat::Nv21 | PixelFormat::Nv12 => {
            let stride = wu + 8;
            let ylen = stride * hu;
            let mut data = vec![0u8; ylen + stride * ch];
            for y in 0..h {
                for x in 0..w {
                    data[y as usize * stride + x as usize] = luma(x, y);
                }
            }
            for cy in 0..ch {
                for cx in 0..cw {
                    let (u, v) = block_uv(&src, 2 * cx as u32, 2 * cy as u32);
                    let o = ylen + cy * stride + 2 * cx;
                    let (a, b) = if format == PixelFormat::Nv12 {
                        (u, v)
                    } else {
                        (v, u)
                    };
                    data[o] = a;
                    data[o + 1] = b;
                }
            }
            // NV21 as one buffer (Y rows then VU rows), NV12 as two planes (as iOS gives it).
            if format == PixelFormat::Nv21 {
                vec![FramePlane {
                    data,
                    row_stride: stride as u32,
                    pixel_stride: 1,
                }]
            } else {
                vec![
                    FramePlane {
                        data: data[..ylen].to_vec(),
                        row_stride: stride as u32,
                        pixel_stride: 1,
                    },
                    FramePlane {
                        data: data[ylen..].to_vec(),
                        row_stride: stride as u32,
                        pixel_stride: 2,
                    },
                ]
            }
        }
        PixelFormat::Yuv420 => {
            // CameraX on most phones: Y with a padded row stride, U and V semi-planar views
            // (pixel stride 2) with their own padded row stride.
            let y_stride = wu + 24;
            let c_stride = 2 * cw + 40;
            let mut y_plane = vec![0u8; y_stride * hu];
            for y in 0..h {
                for x in 0..w {
                    y_plane[y as usize * y_stride + x as usize] = luma(x, y);
                }
            }
            let c_len = c_stride * (ch - 1) + 2 * (cw - 1) + 1;
            let (mut u_plane, mut v_plane) = (vec![0u8; c_len], vec![0u8; c_len]);
            for cy in 0..ch {
                for cx in 0..cw {
                    let (u, v) = block_uv(&src, 2 * cx as u32, 2 * cy as u32);
                    u_plane[cy * c_stride + 2 * cx] = u;
                    v_plane[cy * c_stride + 2 * cx] = v;
                }
            }
            let plane = |data: Vec<u8>, row_stride: usize, pixel_stride: u32| FramePlane {
                data,
                row_stride: row_stride as u32,
                pixel_stride,
            };
            vec![
                plane(y_plane, y_stride, 1),
                plane(u_plane, c_stride, 2),
                plane(v_plane, c_stride, 2),
            ]
        }
    };
    Frame {
        format,
        width: w,
        height: h,
        rotation: Rotation::from_degrees(deg).unwrap(),
        mirrored,
        timestamp_ms: 0,
        planes,
    }
}

/// Mean absolute difference per channel value of two same-size images.
fn mad(a: &RgbImage, b: &RgbImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let sum: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    sum as f64 / a.as_raw().len() as f64
}

#[test]
fn the_captured_jpeg_is_the_true_scene_in_every_format_rotation_and_mirroring() {
    let truth = truth();
    let flipped = flip(&truth);
    let base = mad(&truth, &flipped);
    assert!(
        base > 30.0,
        "the test photo must be left-right asymmetric ({base})"
    );
    // One good frame captures; the crop margin covers the whole frame, so the JPEG is the whole
    // upright frame at 1:1 and can be compared pixel by pixel.
    let p = common::prefilter(PrefilterConfig {
        good_frames: 1,
        crop_margin: 3.0,
        ..PrefilterConfig::default()
    });
    for format in FORMATS {
        for deg in ROTATIONS {
            for mirrored in [false, true] {
                let case = format!("{format:?} rotation {deg} mirrored={mirrored}");
                p.reset();
                let frame = camera_frame(&truth, format, deg, mirrored);
                let fb = p.process_frame(&frame).unwrap();
                assert!(fb.captured, "{case}: not captured ({:?})", fb.guidance);
                let result = p.result().unwrap();
                let jpeg = image::load_from_memory(&result.jpeg).unwrap().to_rgb8();
                assert_eq!(jpeg.dimensions(), truth.dimensions(), "{case}");
                let (to_truth, to_flip) = (mad(&jpeg, &truth), mad(&jpeg, &flipped));
                assert!(
                    to_truth < 6.0 && to_flip > 4.0 * to_truth,
                    "{case}: the JPEG is not the unmirrored upright scene \
                     (mean difference {to_truth:.1} to the truth, {to_flip:.1} to its flip)"
                );
                // The marked side is on the left of the captured selfie, as in the scene.
                let red = jpeg.get_pixel(6, 130);
                assert!(red[0] > 150 && red[1] < 90, "{case}: {red:?}");
            }
        }
    }
}

/// Sign of where the nose tip sits from the eye midpoint along x, in the preview's coordinates
/// (negative: the face in the preview is turned towards the preview's left).
fn preview_turn(face: &smart_enroll_prefilter::FaceBox, width: u32, preview_mirrored: bool) -> f32 {
    let x = |i: usize| {
        let u = face.keypoints[i].x;
        if preview_mirrored {
            width as f32 - 1.0 - u
        } else {
            u
        }
    };
    x(2) - (x(0) + x(1)) / 2.0
}

#[test]
fn turn_left_means_the_left_of_the_preview_the_user_sees() {
    let straight = truth();
    // The nose column of the straight face, from the detector (true-scene pixels).
    let probe = common::prefilter(PrefilterConfig::default());
    let fb = probe
        .process_frame(&camera_frame(&straight, PixelFormat::Rgba, 0, false))
        .unwrap();
    let nose_x = fb
        .faces
        .first()
        .expect("a face in the straight photo")
        .keypoints[2]
        .x;
    let own_left = turned_own_left(&straight, nose_x);
    let own_right = flip(&turned_own_left(
        &flip(&straight),
        straight.width() as f32 - nose_x,
    ));
    let config = |preview_mirrored: bool, seed: u64| PrefilterConfig {
        good_frames: 1,
        preview_mirrored,
        challenge: Some(ChallengeConfig {
            turns: 1,
            turn_yaw_deg: 15.0,
            seed: Some(seed),
            ..ChallengeConfig::default()
        }),
        ..PrefilterConfig::default()
    };
    // A seed whose one step is a left turn and one whose step is a right turn.
    let first_turn = |seed: u64| {
        let p = common::prefilter(config(true, seed));
        match p.challenge_steps().unwrap().first().copied() {
            Some(smart_enroll_prefilter::ChallengeStep::Turn(word)) => word,
            other => panic!("{other:?}"),
        }
    };
    let first = first_turn(0);
    let other = (1..64u64).find(|&s| first_turn(s) != first).unwrap();
    let seed_of = |word: TurnDirection| if word == first { 0 } else { other };
    // The four (preview, word) pairs, each with its prefilter.
    let mut pairs = Vec::new();
    for preview_mirrored in [true, false] {
        for word in [TurnDirection::Left, TurnDirection::Right] {
            let p = common::prefilter(config(preview_mirrored, seed_of(word)));
            pairs.push((preview_mirrored, word, p));
        }
    }
    // Every buffer (format × rotation × flag) goes through one of the pairs, in turn, so each
    // format meets every pair and each rotation and flag meets every pair (a debug build
    // processes a frame in ~10 ms: the whole product would take the test past 10 s).
    for (fi, format) in FORMATS.into_iter().enumerate() {
        for (ri, deg) in ROTATIONS.into_iter().enumerate() {
            for (mi, mirrored) in [false, true].into_iter().enumerate() {
                let (preview_mirrored, word, p) = &pairs[(fi + ri + 2 * mi) % 4];
                let (preview_mirrored, word) = (*preview_mirrored, *word);
                let case = format!(
                    "{word:?} preview_mirrored={preview_mirrored} {format:?} rotation {deg} mirrored={mirrored}"
                );
                // What the user does on hearing `word`: turn so that their face in the preview
                // turns that way. In a mirrored preview that is their own side of the same name.
                let wants_own_left = (word == TurnDirection::Left) == preview_mirrored;
                let want_code = match word {
                    TurnDirection::Left => GuidanceCode::TurnHeadLeft,
                    TurnDirection::Right => GuidanceCode::TurnHeadRight,
                };
                let (right_way, wrong_way) = if wants_own_left {
                    (&own_left, &own_right)
                } else {
                    (&own_right, &own_left)
                };
                let make = |img: &RgbImage| camera_frame(img, format, deg, mirrored);
                let (straight_f, right_f, wrong_f) =
                    (make(&straight), make(right_way), make(wrong_way));
                let feed = |f: &Frame, t: u64| {
                    let mut f = f.clone();
                    f.timestamp_ms = t;
                    p.process_frame(&f).unwrap()
                };
                p.reset();
                let fb = feed(&straight_f, 0);
                assert_eq!(fb.guidance, want_code, "{case}: {:?}", fb.challenge);
                let fb = feed(&right_f, 100);
                assert!(
                    matches!(fb.challenge, Some(ChallengeStatus::LookStraight { .. })),
                    "{case}: the right turn did not count: {:?} yaw {:?}",
                    fb.challenge,
                    fb.metrics.yaw_deg
                );
                // The face as the user saw it in the preview turned towards `word`.
                let seen = preview_turn(&fb.faces[0], straight.width(), preview_mirrored);
                assert_eq!(seen < 0.0, word == TurnDirection::Left, "{case}: {seen}");
                // The measured yaw is the user's own, whatever the buffer and the preview.
                let yaw = fb.metrics.yaw_deg.unwrap();
                assert_eq!(yaw > 0.0, wants_own_left, "{case}: yaw {yaw}");
                let fb = feed(&straight_f, 200);
                assert_eq!(fb.challenge, Some(ChallengeStatus::Passed), "{case}");
                // The turn back may still count as motion: the next still frame captures.
                let captured = fb.captured || feed(&straight_f, 300).captured;
                assert!(captured && p.result().unwrap().challenge_passed, "{case}");

                p.reset();
                feed(&straight_f, 0);
                let fb = feed(&wrong_f, 100);
                assert_eq!(
                    fb.challenge,
                    Some(ChallengeStatus::Failed(
                        smart_enroll_prefilter::ChallengeFailure::WrongDirection
                    )),
                    "{case}: the opposite turn was not refused"
                );
            }
        }
    }
}
