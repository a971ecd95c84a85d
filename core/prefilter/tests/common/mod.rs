//! Shared helpers of the prefilter integration tests: the real test photos and frame builders.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use image::RgbImage;
use smart_enroll_prefilter::{
    Frame, FramePlane, PixelFormat, Prefilter, PrefilterConfig, Rotation,
};

/// The directory `scripts/deps/20-prefilter.sh` fills with scikit-image's public-domain photos.
pub fn data_dir() -> PathBuf {
    let dir = std::env::var_os("SMART_ENROLL_PREFILTER_TEST_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/prefilter-test-data")
        });
    assert!(
        dir.join("COMPLETE").is_file(),
        "prefilter test photos missing in {}: run scripts/test.sh (it installs them via scripts/deps/20-prefilter.sh)",
        dir.display()
    );
    dir
}

pub fn load_rgb(name: &str) -> RgbImage {
    let path = data_dir().join(name);
    image::open(&path)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()))
        .to_rgb8()
}

pub fn load_bytes(name: &str) -> Vec<u8> {
    std::fs::read(data_dir().join(name)).unwrap()
}

/// A prefilter with the detector; fails clearly if ONNX Runtime is not installed.
pub fn prefilter(config: PrefilterConfig) -> Prefilter {
    let p = Prefilter::new(config).unwrap();
    if let Some(err) = p.detector_error() {
        panic!(
            "face detector failed to load ({err}); run scripts/test.sh (it installs onnxruntime)"
        );
    }
    p
}

/// BT.601 full-range RGB → YUV (the inverse of the prefilter's conversion, rounded).
pub fn rgb_to_yuv(p: [u8; 3]) -> [u8; 3] {
    let (r, g, b) = (f32::from(p[0]), f32::from(p[1]), f32::from(p[2]));
    let y = 0.299 * r + 0.587 * g + 0.114 * b;
    let u = -0.168_736 * r - 0.331_264 * g + 0.5 * b + 128.0;
    let v = 0.5 * r - 0.418_688 * g - 0.081_312 * b + 128.0;
    [y, u, v].map(|c| c.round().clamp(0.0, 255.0) as u8)
}

/// Builds an RGBA frame (tight stride) from an RGB image.
pub fn rgba_frame(img: &RgbImage, ts: u64) -> Frame {
    let mut data = Vec::with_capacity((img.width() * img.height() * 4) as usize);
    for p in img.pixels() {
        data.extend_from_slice(&[p[0], p[1], p[2], 255]);
    }
    Frame {
        format: PixelFormat::Rgba,
        width: img.width(),
        height: img.height(),
        rotation: Rotation::Deg0,
        mirrored: false,
        timestamp_ms: ts,
        planes: vec![FramePlane {
            data,
            row_stride: img.width() * 4,
            pixel_stride: 4,
        }],
    }
}

/// Builds a single-buffer NV21 frame (even dimensions) from an RGB image; chroma from the
/// top-left pixel of each 2×2 block.
pub fn nv21_frame(img: &RgbImage, ts: u64) -> Frame {
    let (w, h) = (img.width(), img.height());
    let mut data = vec![0u8; (w * h + 2 * w.div_ceil(2) * h.div_ceil(2)) as usize];
    for y in 0..h {
        for x in 0..w {
            let yuv = rgb_to_yuv(img.get_pixel(x, y).0);
            data[(y * w + x) as usize] = yuv[0];
            if x % 2 == 0 && y % 2 == 0 {
                let c = (w * h + (y / 2) * w + x) as usize;
                data[c] = yuv[2];
                data[c + 1] = yuv[1];
            }
        }
    }
    Frame {
        format: PixelFormat::Nv21,
        width: w,
        height: h,
        rotation: Rotation::Deg0,
        mirrored: false,
        timestamp_ms: ts,
        planes: vec![FramePlane {
            data,
            row_stride: w,
            pixel_stride: 1,
        }],
    }
}

/// Rotates an upright image counter-clockwise by `deg`, i.e. produces the sensor image whose
/// clockwise rotation by `deg` is upright again.
pub fn to_sensor(img: &RgbImage, deg: u32) -> RgbImage {
    match deg {
        0 => img.clone(),
        90 => image::imageops::rotate270(img),
        180 => image::imageops::rotate180(img),
        270 => image::imageops::rotate90(img),
        _ => panic!("bad rotation"),
    }
}

/// Pastes `img` centred on a canvas of the given size filled with `fill`.
pub fn on_canvas(img: &RgbImage, w: u32, h: u32, fill: [u8; 3], x: i64, y: i64) -> RgbImage {
    let mut canvas = RgbImage::from_pixel(w, h, image::Rgb(fill));
    image::imageops::overlay(&mut canvas, img, x, y);
    canvas
}

/// The base "selfie" frame: the astronaut photo cropped so her face is centred and about 37% of
/// the frame width, upscaled to 500×520.
pub fn selfie() -> RgbImage {
    let img = load_rgb("astronaut.png");
    let crop = image::imageops::crop_imm(&img, 100, 0, 250, 260).to_image();
    image::imageops::resize(&crop, 500, 520, image::imageops::FilterType::Lanczos3)
}

/// Rotates an image by `deg` degrees (clockwise) about its centre, nearest sampling, `fill` outside.
pub fn rotate_about_center(img: &RgbImage, deg: f32, fill: [u8; 3]) -> RgbImage {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let (s, c) = deg.to_radians().sin_cos();
    RgbImage::from_fn(img.width(), img.height(), |x, y| {
        let (dx, dy) = (x as f32 + 0.5 - w / 2.0, y as f32 + 0.5 - h / 2.0);
        // inverse rotation
        let sx = c * dx + s * dy + w / 2.0;
        let sy = -s * dx + c * dy + h / 2.0;
        if sx >= 0.0 && sy >= 0.0 && sx < w && sy < h {
            *img.get_pixel(sx as u32, sy as u32)
        } else {
            image::Rgb(fill)
        }
    })
}

/// Applies `f` to every channel value.
pub fn map_pixels(img: &RgbImage, f: impl Fn(u8) -> u8) -> RgbImage {
    let mut out = img.clone();
    for p in out.pixels_mut() {
        p.0 = p.0.map(&f);
    }
    out
}

pub fn png_bytes(img: &RgbImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    img.write_to(
        &mut std::io::Cursor::new(&mut bytes),
        image::ImageFormat::Png,
    )
    .unwrap();
    bytes
}
