//! Every pixel format, rotation and mirroring checked pixel-exact against a straightforward
//! reference: convert the whole source frame to RGB, rotate and mirror the whole image, compare.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use rand::{Rng, SeedableRng, rngs::StdRng};
use smart_enroll_prefilter::detector::{INPUT_SIZE, Letterbox, fill_input};
use smart_enroll_prefilter::frame::{rgb_to_luma, yuv_to_rgb};
use smart_enroll_prefilter::{Frame, FramePlane, PixelFormat, Rotation};

/// Reference YUV→RGB: BT.601 full range, written out plainly (same 8-bit fixed point).
fn ref_yuv(y: u8, u: u8, v: u8) -> [u8; 3] {
    let (y, d, e) = (y as i32, u as i32 - 128, v as i32 - 128);
    let c = |x: i32| x.clamp(0, 255) as u8;
    [
        c(y + ((359 * e + 128) >> 8)),
        c(y - ((88 * d + 183 * e + 128) >> 8)),
        c(y + ((454 * d + 128) >> 8)),
    ]
}

/// Random frame with padded strides. Returns the frame and its reference RGB (source orientation).
fn make(
    format: PixelFormat,
    w: u32,
    h: u32,
    two_planes: bool,
    rng: &mut StdRng,
) -> (Frame, Vec<[u8; 3]>, Vec<[u8; 3]>) {
    let (wu, hu) = (w as usize, h as usize);
    let (cw, ch) = (wu.div_ceil(2), hu.div_ceil(2));
    let pad = rng.random_range(0..9usize);
    let mut fill = |n: usize| (0..n).map(|_| rng.random::<u8>()).collect::<Vec<u8>>();
    let mut rgb = vec![[0u8; 3]; wu * hu];
    let mut yuv = vec![[0u8; 3]; wu * hu];
    let planes = match format {
        PixelFormat::Rgba | PixelFormat::Bgra => {
            let stride = wu * 4 + pad * 4;
            let data = fill(stride * hu);
            for y in 0..hu {
                for x in 0..wu {
                    let p = &data[y * stride + x * 4..];
                    rgb[y * wu + x] = if format == PixelFormat::Rgba {
                        [p[0], p[1], p[2]]
                    } else {
                        [p[2], p[1], p[0]]
                    };
                }
            }
            vec![FramePlane {
                data,
                row_stride: stride as u32,
                pixel_stride: 4,
            }]
        }
        PixelFormat::Nv21 | PixelFormat::Nv12 => {
            let stride = wu + pad + (wu % 2);
            let ylen = stride * hu;
            let clen = stride * (ch - 1) + cw * 2;
            let data = fill(ylen + clen);
            for y in 0..hu {
                for x in 0..wu {
                    let yy = data[y * stride + x];
                    let c = ylen + (y / 2) * stride + (x / 2) * 2;
                    let (u, v) = if format == PixelFormat::Nv12 {
                        (data[c], data[c + 1])
                    } else {
                        (data[c + 1], data[c])
                    };
                    rgb[y * wu + x] = ref_yuv(yy, u, v);
                    yuv[y * wu + x] = [yy, u, v];
                }
            }
            if two_planes {
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
            } else {
                vec![FramePlane {
                    data,
                    row_stride: stride as u32,
                    pixel_stride: 1,
                }]
            }
        }
        PixelFormat::Yuv420 => {
            let ys = wu + pad;
            let ydata = fill(ys * (hu - 1) + wu);
            // Semi-planar (pixel stride 2, like most Android devices) or planar (1).
            let ps = if two_planes { 2 } else { 1 };
            let cs = cw * ps + pad;
            let udata = fill(cs * (ch - 1) + (cw - 1) * ps + 1);
            let vdata = fill(cs * (ch - 1) + (cw - 1) * ps + 1);
            for y in 0..hu {
                for x in 0..wu {
                    let c = (y / 2) * cs + (x / 2) * ps;
                    rgb[y * wu + x] = ref_yuv(ydata[y * ys + x], udata[c], vdata[c]);
                    yuv[y * wu + x] = [ydata[y * ys + x], udata[c], vdata[c]];
                }
            }
            vec![
                FramePlane {
                    data: ydata,
                    row_stride: ys as u32,
                    pixel_stride: 1,
                },
                FramePlane {
                    data: udata,
                    row_stride: cs as u32,
                    pixel_stride: ps as u32,
                },
                FramePlane {
                    data: vdata,
                    row_stride: cs as u32,
                    pixel_stride: ps as u32,
                },
            ]
        }
    };
    let frame = Frame {
        format,
        width: w,
        height: h,
        rotation: Rotation::Deg0,
        mirrored: false,
        timestamp_ms: 0,
        planes,
    };
    (frame, rgb, yuv)
}

/// Reference upright image: rotate the whole image clockwise, then mirror it.
fn upright(
    rgb: &[[u8; 3]],
    w: usize,
    h: usize,
    rot: Rotation,
    mirrored: bool,
) -> (Vec<[u8; 3]>, usize, usize) {
    let (mut out, mut ow, mut oh) = (rgb.to_vec(), w, h);
    for _ in 0..rot.degrees() / 90 {
        let mut next = vec![[0u8; 3]; ow * oh];
        // clockwise: new (x', y') = (oh-1-y, x); new width = oh
        for y in 0..oh {
            for x in 0..ow {
                next[x * oh + (oh - 1 - y)] = out[y * ow + x];
            }
        }
        out = next;
        std::mem::swap(&mut ow, &mut oh);
    }
    if mirrored {
        for row in out.chunks_mut(ow) {
            row.reverse();
        }
    }
    (out, ow, oh)
}

#[test]
fn yuv_integer_conversion_matches_float_bt601_within_one() {
    let mut worst = 0i32;
    for y in (0..=255u8).step_by(3) {
        for u in (0..=255u8).step_by(5) {
            for v in (0..=255u8).step_by(5) {
                let got = yuv_to_rgb(y, u, v);
                let (yf, d, e) = (y as f32, u as f32 - 128.0, v as f32 - 128.0);
                let want = [
                    yf + 1.402 * e,
                    yf - 0.344_136 * d - 0.714_136 * e,
                    yf + 1.772 * d,
                ]
                .map(|c| c.round().clamp(0.0, 255.0) as i32);
                for c in 0..3 {
                    worst = worst.max((got[c] as i32 - want[c]).abs());
                }
            }
        }
    }
    assert!(
        worst <= 1,
        "integer YUV->RGB differs from float BT.601 by {worst}"
    );
    assert_eq!(rgb_to_luma(255, 255, 255), 255);
    assert_eq!(rgb_to_luma(0, 0, 0), 0);
}

#[test]
fn every_format_rotation_and_mirror_is_pixel_exact() {
    let mut rng = StdRng::seed_from_u64(7);
    let formats = [
        (PixelFormat::Nv21, false),
        (PixelFormat::Nv21, true),
        (PixelFormat::Nv12, false),
        (PixelFormat::Nv12, true),
        (PixelFormat::Yuv420, false),
        (PixelFormat::Yuv420, true),
        (PixelFormat::Bgra, false),
        (PixelFormat::Rgba, false),
    ];
    let mut checked = 0usize;
    for (format, two) in formats {
        for (w, h) in [(37u32, 23u32), (16, 16), (1, 1), (2, 5), (64, 31)] {
            let (mut frame, rgb, yuv) = make(format, w, h, two, &mut rng);
            let is_yuv = !matches!(format, PixelFormat::Rgba | PixelFormat::Bgra);
            for rot in [
                Rotation::Deg0,
                Rotation::Deg90,
                Rotation::Deg180,
                Rotation::Deg270,
            ] {
                for mirrored in [false, true] {
                    frame.rotation = rot;
                    frame.mirrored = mirrored;
                    let view = frame.view().unwrap();
                    let (want, ow, oh) = upright(&rgb, w as usize, h as usize, rot, mirrored);
                    let (want_yuv, _, _) = upright(&yuv, w as usize, h as usize, rot, mirrored);
                    assert_eq!(view.upright_size(), (ow, oh));
                    let map = view.axis_map();
                    for v in 0..oh {
                        for u in 0..ow {
                            assert_eq!(
                                map.xy(map.from_u(u), map.from_v(v)),
                                view.source_coord(u, v)
                            );
                            let expect = want[v * ow + u];
                            assert_eq!(
                                view.rgb(u, v),
                                expect,
                                "{format:?} two={two} {w}x{h} {rot:?} m={mirrored} at ({u},{v})"
                            );
                            if matches!(format, PixelFormat::Rgba | PixelFormat::Bgra) {
                                assert_eq!(
                                    view.luma(u, v),
                                    rgb_to_luma(expect[0], expect[1], expect[2])
                                );
                            }
                            checked += 1;
                        }
                    }
                    // The model patch equals the same letterbox sampling applied to the reference.
                    let mut patch = vec![0f32; INPUT_SIZE * INPUT_SIZE * 3];
                    let lb = fill_input(&view, &mut patch);
                    assert_eq!(lb, Letterbox::for_size(ow, oh));
                    for j in (0..INPUT_SIZE).step_by(7) {
                        for i in (0..INPUT_SIZE).step_by(5) {
                            // In-frame sample points, row samples outer, column samples inner.
                            let mut pts = Vec::new();
                            for sj in 0..2 {
                                for si in 0..2 {
                                    let uu = ((i as f32 + (si as f32 + 0.5) / 2.0) * lb.scale
                                        - lb.pad_x)
                                        .floor();
                                    let vv = ((j as f32 + (sj as f32 + 0.5) / 2.0) * lb.scale
                                        - lb.pad_y)
                                        .floor();
                                    if uu >= 0.0
                                        && vv >= 0.0
                                        && (uu as usize) < ow
                                        && (vv as usize) < oh
                                    {
                                        pts.push(vv as usize * ow + uu as usize);
                                    }
                                }
                            }
                            let mut acc = [0u32; 3];
                            if is_yuv && !pts.is_empty() {
                                // One conversion: mean luma of the points, chroma of the first.
                                let n = pts.len() as u32;
                                let ysum: u32 = pts.iter().map(|&k| want_yuv[k][0] as u32).sum();
                                let [_, u0, v0] = want_yuv[pts[0]];
                                let px = ref_yuv(((ysum + n / 2) / n) as u8, u0, v0);
                                acc = px.map(|c| c as u32 * n);
                            } else {
                                for &k in &pts {
                                    for c in 0..3 {
                                        acc[c] += want[k][c] as u32;
                                    }
                                }
                            }
                            for c in 0..3 {
                                let expect = ((acc[c] + 2) / 4) as f32 / 127.5 - 1.0;
                                assert_eq!(patch[(j * INPUT_SIZE + i) * 3 + c], expect);
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 50_000, "{checked}");
}

#[test]
fn yuv_luma_is_the_y_plane() {
    let mut rng = StdRng::seed_from_u64(3);
    let (frame, _, _) = make(PixelFormat::Nv21, 9, 7, false, &mut rng);
    let view = frame.view().unwrap();
    let stride = frame.planes[0].row_stride as usize;
    for y in 0..7 {
        for x in 0..9 {
            assert_eq!(
                view.luma_at_source(x, y),
                frame.planes[0].data[y * stride + x]
            );
        }
    }
}
