//! Desktop webcam frames (the formats `nokhwa` delivers: YUYV, NV12, MJPEG, plus raw RGB and
//! grey) to the prefilter's [`Frame`]s. Pure conversions, no camera: `smart-enroll camera`
//! (CLI feature `camera`) feeds them what the device gives, and the unit tests below feed them
//! synthetic buffers.
//!
//! YUYV (packed 4:2:2) becomes single-plane NV12 (4:2:0: the chroma of two rows is averaged),
//! NV12 is copied as it is, MJPEG is decoded (the `image` crate's JPEG decoder, with the same
//! dimension limit as every frame) into RGBA, raw RGB into RGBA, grey into NV12 with neutral
//! chroma. Every buffer is checked against its declared size first: a short buffer is a typed
//! [`FrameError::BufferTooSmall`], never a panic or an out-of-bounds read.

use crate::error::{FrameError, PrefilterError};
use crate::frame::{Frame, FramePlane, MAX_DIMENSION, PixelFormat, Rotation};

/// The pixel formats a desktop webcam delivers (nokhwa's `FrameFormat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebcamFormat {
    /// Packed 4:2:2, `Y0 U Y1 V` per two pixels (even width).
    Yuyv,
    /// Y plane, then interleaved U/V at half resolution (even width).
    Nv12,
    /// Motion JPEG: each frame is one JPEG image.
    Mjpeg,
    /// 8-bit R, G, B.
    Rgb,
    /// 8-bit luma only.
    Gray,
}

fn dimensions(width: u32, height: u32) -> Result<(usize, usize), FrameError> {
    if width == 0 || height == 0 || width > MAX_DIMENSION || height > MAX_DIMENSION {
        return Err(FrameError::BadDimensions {
            width,
            height,
            max: MAX_DIMENSION,
        });
    }
    Ok((width as usize, height as usize))
}

fn need(data: &[u8], needed: usize) -> Result<&[u8], FrameError> {
    data.get(..needed).ok_or(FrameError::BufferTooSmall {
        plane: 0,
        got: data.len(),
        needed: needed as u64,
    })
}

/// YUYV and NV12 carry chroma for pixel pairs: an odd width has no whole last pair.
fn even_width(width: u32, height: u32) -> Result<(), FrameError> {
    if width % 2 == 1 {
        return Err(FrameError::BadDimensions {
            width,
            height,
            max: MAX_DIMENSION,
        });
    }
    Ok(())
}

fn nv12_frame(width: u32, height: u32, data: Vec<u8>, timestamp_ms: u64, mirrored: bool) -> Frame {
    Frame {
        format: PixelFormat::Nv12,
        width,
        height,
        rotation: Rotation::Deg0,
        mirrored,
        timestamp_ms,
        planes: vec![FramePlane {
            data,
            row_stride: width,
            pixel_stride: 1,
        }],
    }
}

fn rgba_frame(width: u32, height: u32, data: Vec<u8>, timestamp_ms: u64, mirrored: bool) -> Frame {
    Frame {
        format: PixelFormat::Rgba,
        width,
        height,
        rotation: Rotation::Deg0,
        mirrored,
        timestamp_ms,
        planes: vec![FramePlane {
            data,
            row_stride: width * 4,
            pixel_stride: 4,
        }],
    }
}

/// Converts one webcam buffer of `format` and the declared size into an upright [`Frame`]
/// (rotation 0; `mirrored` as the caller shows it). For MJPEG the size comes from the JPEG
/// itself and must match the declared one.
pub fn webcam_frame(
    format: WebcamFormat,
    width: u32,
    height: u32,
    data: &[u8],
    timestamp_ms: u64,
    mirrored: bool,
) -> Result<Frame, PrefilterError> {
    let (w, h) = dimensions(width, height)?;
    match format {
        WebcamFormat::Yuyv => {
            even_width(width, height)?;
            let src = need(data, w * h * 2)?;
            let ch = h.div_ceil(2);
            let mut out = vec![0u8; w * h + w * ch];
            let (luma, chroma) = out.split_at_mut(w * h);
            for (dst, pair) in luma.chunks_exact_mut(2).zip(src.chunks_exact(4)) {
                dst[0] = pair[0];
                dst[1] = pair[2];
            }
            let rows: Vec<&[u8]> = src.chunks_exact(w * 2).collect();
            for (j, dst) in chroma.chunks_exact_mut(w).enumerate() {
                let top = rows.get(2 * j).copied().unwrap_or_default();
                let bottom = rows.get(2 * j + 1).copied().unwrap_or(top);
                for ((d, a), b) in dst
                    .chunks_exact_mut(2)
                    .zip(top.chunks_exact(4))
                    .zip(bottom.chunks_exact(4))
                {
                    d[0] = (u16::from(a[1]) + u16::from(b[1])).div_ceil(2) as u8;
                    d[1] = (u16::from(a[3]) + u16::from(b[3])).div_ceil(2) as u8;
                }
            }
            Ok(nv12_frame(width, height, out, timestamp_ms, mirrored))
        }
        WebcamFormat::Nv12 => {
            even_width(width, height)?;
            let src = need(data, w * h + w * h.div_ceil(2))?;
            Ok(nv12_frame(
                width,
                height,
                src.to_vec(),
                timestamp_ms,
                mirrored,
            ))
        }
        WebcamFormat::Gray => {
            even_width(width, height)?;
            let src = need(data, w * h)?;
            let mut out = Vec::with_capacity(w * h + w * h.div_ceil(2));
            out.extend_from_slice(src);
            out.resize(w * h + w * h.div_ceil(2), 128);
            Ok(nv12_frame(width, height, out, timestamp_ms, mirrored))
        }
        WebcamFormat::Rgb => {
            let src = need(data, w * h * 3)?;
            let mut out = Vec::with_capacity(w * h * 4);
            for p in src.chunks_exact(3) {
                out.extend_from_slice(&[p[0], p[1], p[2], 255]);
            }
            Ok(rgba_frame(width, height, out, timestamp_ms, mirrored))
        }
        WebcamFormat::Mjpeg => {
            let decode_err = |reason: String| PrefilterError::ImageDecode { reason };
            let mut reader = image::ImageReader::with_format(
                std::io::Cursor::new(data),
                image::ImageFormat::Jpeg,
            );
            let mut limits = image::Limits::default();
            limits.max_image_width = Some(MAX_DIMENSION);
            limits.max_image_height = Some(MAX_DIMENSION);
            limits.max_alloc = Some(512 * 1024 * 1024);
            reader.limits(limits);
            let img = reader.decode().map_err(|e| decode_err(e.to_string()))?;
            if (img.width(), img.height()) != (width, height) {
                return Err(decode_err(format!(
                    "MJPEG frame is {}x{}, the camera said {width}x{height}",
                    img.width(),
                    img.height()
                )));
            }
            Ok(rgba_frame(
                width,
                height,
                img.to_rgba8().into_raw(),
                timestamp_ms,
                mirrored,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// BT.601 full range, what the prefilter's YUV sampling inverts.
    fn yuv(r: u8, g: u8, b: u8) -> [u8; 3] {
        let (r, g, b) = (f32::from(r), f32::from(g), f32::from(b));
        let y = 0.299 * r + 0.587 * g + 0.114 * b;
        let u = -0.168_736 * r - 0.331_264 * g + 0.5 * b + 128.0;
        let v = 0.5 * r - 0.418_688 * g - 0.081_312 * b + 128.0;
        [y, u, v].map(|c| c.round().clamp(0.0, 255.0) as u8)
    }

    /// Left half red, right half blue, 8×4.
    fn colour(x: usize) -> [u8; 3] {
        if x < 4 { [220, 30, 30] } else { [30, 30, 220] }
    }

    fn assert_close(got: [u8; 3], want: [u8; 3], what: &str) {
        for c in 0..3 {
            assert!(
                (i16::from(got[c]) - i16::from(want[c])).abs() <= 6,
                "{what}: {got:?} vs {want:?}"
            );
        }
    }

    fn check_colours(frame: &Frame, what: &str) {
        let view = frame.view().unwrap();
        assert_eq!(view.upright_size(), (8, 4));
        for y in 0..4 {
            for x in 0..8 {
                assert_close(view.rgb(x, y), colour(x), &format!("{what} ({x},{y})"));
            }
        }
    }

    #[test]
    fn yuyv_becomes_nv12_with_the_same_colours() {
        let mut data = Vec::new();
        for _y in 0..4 {
            for x in (0..8).step_by(2) {
                let (a, b) = (colour(x), colour(x + 1));
                let (ya, yb) = (yuv(a[0], a[1], a[2]), yuv(b[0], b[1], b[2]));
                data.extend_from_slice(&[ya[0], ya[1], yb[0], ya[2]]);
            }
        }
        let f = webcam_frame(WebcamFormat::Yuyv, 8, 4, &data, 7, false).unwrap();
        assert_eq!(f.format, PixelFormat::Nv12);
        assert_eq!((f.timestamp_ms, f.mirrored), (7, false));
        // A mirrored camera reads right to left.
        let m = webcam_frame(WebcamFormat::Yuyv, 8, 4, &data, 7, true).unwrap();
        assert!(m.mirrored);
        assert_close(m.view().unwrap().rgb(0, 0), colour(7), "yuyv mirrored");
        assert_eq!(f.planes[0].data.len(), 8 * 4 + 8 * 2);
        // Luma copied exactly.
        assert_eq!(f.planes[0].data[1], data[2]);
        check_colours(&f, "yuyv");
    }

    #[test]
    fn yuyv_chroma_of_two_rows_is_averaged() {
        // 2×2: top row U=100 V=200, bottom row U=50 V=150.
        let data = [10, 100, 20, 200, 30, 50, 40, 150];
        let f = webcam_frame(WebcamFormat::Yuyv, 2, 2, &data, 0, false).unwrap();
        assert_eq!(f.planes[0].data, [10, 20, 30, 40, 75, 175]);
        // An odd height keeps the last row's own chroma.
        let data = [10, 100, 20, 200, 30, 50, 40, 150, 1, 60, 2, 90];
        let f = webcam_frame(WebcamFormat::Yuyv, 2, 3, &data, 0, false).unwrap();
        assert_eq!(f.planes[0].data, [10, 20, 30, 40, 1, 2, 75, 175, 60, 90]);
        f.view().unwrap();
    }

    #[test]
    fn nv12_and_gray_and_rgb_convert() {
        let mut nv12 = Vec::new();
        for _y in 0..4 {
            for x in 0..8 {
                let c = colour(x);
                nv12.push(yuv(c[0], c[1], c[2])[0]);
            }
        }
        for _y in 0..2 {
            for x in (0..8).step_by(2) {
                let c = colour(x);
                let p = yuv(c[0], c[1], c[2]);
                nv12.extend_from_slice(&[p[1], p[2]]);
            }
        }
        let f = webcam_frame(WebcamFormat::Nv12, 8, 4, &nv12, 0, false).unwrap();
        check_colours(&f, "nv12");

        let rgb: Vec<u8> = (0..4)
            .flat_map(|_| (0..8).flat_map(colour))
            .collect::<Vec<u8>>();
        let f = webcam_frame(WebcamFormat::Rgb, 8, 4, &rgb, 0, false).unwrap();
        assert_eq!(f.format, PixelFormat::Rgba);
        check_colours(&f, "rgb");

        let gray: Vec<u8> = (0..32).map(|i| (i * 8) as u8).collect();
        let f = webcam_frame(WebcamFormat::Gray, 8, 4, &gray, 0, false).unwrap();
        let view = f.view().unwrap();
        assert_close(view.rgb(3, 2), [152, 152, 152], "gray");
    }

    #[test]
    fn mjpeg_is_decoded_to_rgba() {
        let img = image::RgbImage::from_fn(8, 4, |x, _| image::Rgb(colour(x as usize)));
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 100)
            .encode(img.as_raw(), 8, 4, image::ExtendedColorType::Rgb8)
            .unwrap();
        let f = webcam_frame(WebcamFormat::Mjpeg, 8, 4, &jpeg, 0, false).unwrap();
        assert_eq!(f.format, PixelFormat::Rgba);
        let view = f.view().unwrap();
        // JPEG blurs chroma at the red/blue edge; compare away from it.
        for x in [0usize, 1, 6, 7] {
            let got = view.rgb(x, 1);
            let want = colour(x);
            for c in 0..3 {
                assert!(
                    (i16::from(got[c]) - i16::from(want[c])).abs() <= 40,
                    "mjpeg ({x}): {got:?} vs {want:?}"
                );
            }
        }
        // A size that is not what the camera said, and bytes that are not a JPEG.
        let err = webcam_frame(WebcamFormat::Mjpeg, 16, 4, &jpeg, 0, false).unwrap_err();
        assert!(err.to_string().contains("the camera said 16x4"), "{err}");
        let err = webcam_frame(WebcamFormat::Mjpeg, 8, 4, b"not a jpeg", 0, false).unwrap_err();
        assert!(matches!(err, PrefilterError::ImageDecode { .. }), "{err:?}");
    }

    #[test]
    fn bad_buffers_are_typed_errors() {
        for format in [
            WebcamFormat::Yuyv,
            WebcamFormat::Nv12,
            WebcamFormat::Rgb,
            WebcamFormat::Gray,
        ] {
            let err = webcam_frame(format, 8, 4, &[0u8; 10], 0, false).unwrap_err();
            assert!(
                matches!(
                    err,
                    PrefilterError::Frame(FrameError::BufferTooSmall { got: 10, .. })
                ),
                "{format:?}: {err:?}"
            );
            let err = webcam_frame(format, 0, 4, &[0u8; 10], 0, false).unwrap_err();
            assert!(
                matches!(err, PrefilterError::Frame(FrameError::BadDimensions { .. })),
                "{format:?}: {err:?}"
            );
        }
        let err = webcam_frame(WebcamFormat::Yuyv, 7, 4, &[0u8; 64], 0, false).unwrap_err();
        assert!(
            matches!(err, PrefilterError::Frame(FrameError::BadDimensions { .. })),
            "{err:?}"
        );
        // Longer buffers (driver padding at the end) are fine.
        webcam_frame(WebcamFormat::Yuyv, 2, 2, &[0u8; 64], 0, false).unwrap();
    }
}
