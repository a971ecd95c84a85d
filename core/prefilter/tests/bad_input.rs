//! Invalid descriptors give typed errors; random descriptors and buffers never panic
//! (a bounded, property-style twin of the cargo-fuzz target in `core/prefilter/fuzz/`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use rand::{Rng, SeedableRng, rngs::StdRng};
use smart_enroll_prefilter::detector::{INPUT_SIZE, fill_input};
use smart_enroll_prefilter::quality::{Analyzer, QualityThresholds};
use smart_enroll_prefilter::{Frame, FrameError, FramePlane, PixelFormat, Rotation};

fn plane(len: usize, row_stride: u32, pixel_stride: u32) -> FramePlane {
    FramePlane {
        data: vec![7; len],
        row_stride,
        pixel_stride,
    }
}

fn frame(format: PixelFormat, w: u32, h: u32, planes: Vec<FramePlane>) -> Frame {
    Frame {
        format,
        width: w,
        height: h,
        rotation: Rotation::Deg0,
        mirrored: false,
        timestamp_ms: 0,
        planes,
    }
}

#[test]
fn typed_errors_for_bad_descriptors() {
    use PixelFormat::*;
    let err = |f: Frame| f.view().unwrap_err();
    assert!(matches!(
        err(frame(Rgba, 0, 10, vec![plane(0, 0, 4)])),
        FrameError::BadDimensions { .. }
    ));
    assert!(matches!(
        err(frame(Rgba, 9000, 10, vec![plane(10, 36000, 4)])),
        FrameError::BadDimensions { .. }
    ));
    assert!(matches!(
        err(frame(Rgba, 4, 4, vec![])),
        FrameError::PlaneCount { got: 0, .. }
    ));
    assert!(matches!(
        err(frame(Yuv420, 4, 4, vec![plane(16, 4, 1)])),
        FrameError::PlaneCount { got: 1, .. }
    ));
    // Buffer one byte short.
    assert_eq!(
        err(frame(Rgba, 4, 4, vec![plane(63, 16, 4)])),
        FrameError::BufferTooSmall {
            plane: 0,
            got: 63,
            needed: 64
        }
    );
    assert!(matches!(
        err(frame(Nv21, 4, 4, vec![plane(23, 4, 1)])),
        FrameError::BufferTooSmall { .. }
    ));
    // Row stride shorter than a row; impossible pixel strides.
    assert!(matches!(
        err(frame(Bgra, 4, 4, vec![plane(64, 12, 4)])),
        FrameError::BadRowStride { .. }
    ));
    assert!(matches!(
        err(frame(Bgra, 4, 4, vec![plane(64, 16, 3)])),
        FrameError::BadPixelStride { .. }
    ));
    assert!(matches!(
        err(frame(
            Yuv420,
            4,
            4,
            vec![plane(16, 4, 1), plane(4, 2, 3), plane(4, 2, 1)]
        )),
        FrameError::BadPixelStride { plane: 1, .. }
    ));
    assert!(matches!(
        err(frame(Nv12, 4, 4, vec![plane(16, 4, 1), plane(8, 4, 1)])),
        FrameError::BadPixelStride { plane: 1, .. }
    ));
    assert_eq!(
        smart_enroll_prefilter::Rotation::from_degrees(45),
        Err(FrameError::BadRotation(45))
    );
    // Exactly the minimum is accepted: NV21 4x4 = 16 Y + 8 VU.
    frame(Nv21, 4, 4, vec![plane(24, 4, 1)]).view().unwrap();
    // Huge strides overflow nothing (u64 arithmetic) and are rejected by length.
    assert!(matches!(
        err(frame(Rgba, 8192, 8192, vec![plane(16, u32::MAX, 4)])),
        FrameError::BufferTooSmall { .. }
    ));
}

#[test]
fn random_descriptors_never_panic() {
    let mut rng = StdRng::seed_from_u64(0x5eed);
    let formats = [
        PixelFormat::Nv21,
        PixelFormat::Nv12,
        PixelFormat::Yuv420,
        PixelFormat::Bgra,
        PixelFormat::Rgba,
    ];
    let mut patch = vec![0f32; INPUT_SIZE * INPUT_SIZE * 3];
    let mut analyzer = Analyzer::new();
    let thresholds = QualityThresholds::default();
    let (mut ok, mut rejected) = (0, 0);
    for _ in 0..2000 {
        let format = formats[rng.random_range(0..formats.len())];
        let small = rng.random_bool(0.8);
        let dim = |rng: &mut StdRng| {
            if small {
                rng.random_range(0..40u32)
            } else {
                rng.random::<u32>() >> rng.random_range(0..32)
            }
        };
        let (w, h) = (dim(&mut rng), dim(&mut rng));
        if rng.random_bool(0.5) {
            // Near-valid: a correct layout, then maybe one field perturbed.
            let (w, h) = (rng.random_range(1..48u32), rng.random_range(1..48u32));
            let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
            let pad = rng.random_range(0..5u32);
            let mut planes = match format {
                PixelFormat::Rgba | PixelFormat::Bgra => vec![plane(
                    ((w * 4 + pad) * (h - 1) + w * 4) as usize,
                    w * 4 + pad,
                    4,
                )],
                PixelFormat::Nv21 | PixelFormat::Nv12 => {
                    let s = 2 * cw + pad;
                    vec![
                        plane((s * h) as usize, s, 1),
                        plane((s * (ch - 1) + 2 * cw) as usize, s, 2),
                    ]
                }
                PixelFormat::Yuv420 => {
                    let ps = rng.random_range(1..3u32);
                    let cs = cw * ps + pad;
                    let clen = (cs * (ch - 1) + (cw - 1) * ps + 1) as usize;
                    vec![
                        plane(((w + pad) * (h - 1) + w) as usize, w + pad, 1),
                        plane(clen, cs, ps),
                        plane(clen, cs, ps),
                    ]
                }
            };
            if rng.random_bool(0.3) {
                let i = rng.random_range(0..planes.len());
                match rng.random_range(0..3) {
                    0 => {
                        let len = planes[i].data.len();
                        planes[i]
                            .data
                            .truncate(len.saturating_sub(rng.random_range(1..4)));
                    }
                    1 => {
                        planes[i].row_stride =
                            planes[i].row_stride.saturating_sub(rng.random_range(1..3))
                    }
                    _ => planes[i].pixel_stride = rng.random_range(0..6),
                }
            }
            let mut f = frame(format, w, h, planes);
            f.rotation = [
                Rotation::Deg0,
                Rotation::Deg90,
                Rotation::Deg180,
                Rotation::Deg270,
            ][rng.random_range(0..4)];
            f.mirrored = rng.random();
            match f.view() {
                Ok(view) => {
                    ok += 1;
                    fill_input(&view, &mut patch);
                    let m = analyzer.measure(&view, None, &thresholds);
                    assert!(m.brightness.is_finite() && m.sharpness.is_finite());
                }
                Err(_) => rejected += 1,
            }
            continue;
        }
        let n = rng.random_range(0..4usize);
        let planes = (0..n)
            .map(|_| {
                let len = rng.random_range(0..6000usize);
                let rs = if rng.random_bool(0.7) {
                    rng.random_range(0..200u32)
                } else {
                    rng.random()
                };
                let ps = rng.random_range(0..6u32);
                FramePlane {
                    data: (0..len).map(|_| rng.random()).collect(),
                    row_stride: rs,
                    pixel_stride: ps,
                }
            })
            .collect();
        let mut f = frame(format, w, h, planes);
        f.rotation = [
            Rotation::Deg0,
            Rotation::Deg90,
            Rotation::Deg180,
            Rotation::Deg270,
        ][rng.random_range(0..4)];
        f.mirrored = rng.random();
        match f.view() {
            Ok(view) => {
                ok += 1;
                // Everything downstream must stay in bounds for any valid view.
                fill_input(&view, &mut patch);
                let m = analyzer.measure(&view, None, &thresholds);
                assert!(m.brightness.is_finite() && m.sharpness.is_finite());
                let (uw, uh) = view.upright_size();
                let _ = view.rgb(uw - 1, uh - 1);
                let _ = view.luma(0, uh - 1);
            }
            Err(_) => rejected += 1,
        }
    }
    assert!(ok > 500 && rejected > 500, "ok {ok} rejected {rejected}");
}
