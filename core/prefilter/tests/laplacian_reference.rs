//! `quality::laplacian_variance` is written to vectorise (i32 lanes, chunked sums); this checks it
//! against the plain scalar i64 loop it replaced, bit for bit, on real and synthetic patches:
//! every side length from 0 to 40, the 96×96 patch the prefilter uses, sizes around the chunk
//! boundary, and the extreme 0/255 checkerboard (largest Laplacian magnitude).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;

use smart_enroll_prefilter::quality::{PATCH, laplacian_variance};

/// The scalar reference: the original implementation, i64 throughout.
fn reference(img: &[u8], side: usize) -> f32 {
    if side < 3 || img.len() < side * side {
        return 0.0;
    }
    let mut sum = 0i64;
    let mut sum_sq = 0i64;
    for y in 1..side - 1 {
        for x in 1..side - 1 {
            let at = |xx: usize, yy: usize| i64::from(img[yy * side + xx]);
            let lap = at(x - 1, y) + at(x + 1, y) + at(x, y - 1) + at(x, y + 1) - 4 * at(x, y);
            sum += lap;
            sum_sq += lap * lap;
        }
    }
    let n = ((side - 2) * (side - 2)) as f64;
    let mean = sum as f64 / n;
    (sum_sq as f64 / n - mean * mean).max(0.0) as f32
}

fn noise(len: usize, seed: u32) -> Vec<u8> {
    let mut s = seed | 1;
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            (s >> 24) as u8
        })
        .collect()
}

fn check(img: &[u8], side: usize, what: &str) {
    let (got, want) = (laplacian_variance(img, side), reference(img, side));
    assert_eq!(
        got.to_bits(),
        want.to_bits(),
        "{what} side {side}: {got} vs {want}"
    );
}

#[test]
fn matches_the_scalar_reference_bit_for_bit() {
    for side in 0..=40 {
        check(&noise(side * side, side as u32 + 7), side, "noise");
        // Extra bytes after the square are ignored; too few bytes give 0.
        check(&noise(side * side + 13, 99), side, "noise+tail");
        if side > 0 {
            check(&noise(side * side - 1, 5), side, "short");
        }
    }
    for side in [PATCH, 97, 255, 2049, 2050, 2051] {
        check(&noise(side * side, side as u32), side, "noise");
        let checker: Vec<u8> = (0..side * side)
            .map(|i| {
                if (i / side + i % side) % 2 == 0 {
                    0
                } else {
                    255
                }
            })
            .collect();
        check(&checker, side, "checkerboard");
        check(&vec![255u8; side * side], side, "flat");
    }
    // The real photo the prefilter tests use, as 96×96 luma patches from several places.
    let img = image::imageops::grayscale(&common::load_rgb("astronaut.png"));
    for (x, y) in [(0, 0), (150, 60), (400, 400), (200, 250)] {
        let patch = image::imageops::crop_imm(&img, x, y, PATCH as u32, PATCH as u32).to_image();
        check(patch.as_raw(), PATCH, "astronaut");
        assert!(laplacian_variance(patch.as_raw(), PATCH) > 0.0);
    }
}
