//! Perspective correction of the page and the upload JPEG.

use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, RgbImage, imageops};

use super::Quad;
use super::pipeline::page_projection;
use super::source::{Source, rgb_bilinear};
use crate::DocumentError;

/// The flat page's size for a quad: the longer of each pair of opposite sides (never upscaled),
/// the matched page aspect enforced, the long edge at most `max_long_edge`. The page keeps the
/// frame's orientation: a page held upright in portrait stays portrait.
pub(crate) fn page_size(q: &Quad, page_aspect: f32, max_long_edge: u32) -> (u32, u32) {
    let c = q.corners;
    let d = |a: [f32; 2], b: [f32; 2]| (a[0] - b[0]).hypot(a[1] - b[1]);
    let horizontal = d(c[0], c[1]).max(d(c[3], c[2]));
    let vertical = d(c[0], c[3]).max(d(c[1], c[2]));
    let aspect = page_aspect.max(1.0);
    let (w, h) = if horizontal >= vertical {
        (horizontal, horizontal / aspect)
    } else {
        (vertical / aspect, vertical)
    };
    let scale = (max_long_edge as f32 / w.max(h)).min(1.0);
    (
        ((w * scale).round() as u32).max(1),
        ((h * scale).round() as u32).max(1),
    )
}

/// Warps the quad of `src` into `out` (`width × height` RGB, resized in place, so a kept
/// buffer is reused), sampling the source bilinearly at full resolution.
pub(crate) fn warp_page<S: Source>(
    src: &S,
    q: &Quad,
    width: u32,
    height: u32,
    out: &mut Vec<u8>,
) -> Result<(), DocumentError> {
    let proj = page_projection(q).ok_or_else(|| DocumentError::Encode {
        reason: "degenerate document outline".to_owned(),
    })?;
    let (w, h) = (width as usize, height as usize);
    out.clear();
    out.resize(w * h * 3, 0);
    let (fw, fh) = (w as f32, h as f32);
    for (j, row) in out.chunks_exact_mut(w * 3).enumerate() {
        let py = (j as f32 + 0.5) / fh;
        for (i, px) in row.chunks_exact_mut(3).enumerate() {
            let (x, y) = proj * ((i as f32 + 0.5) / fw, py);
            let rgb = if x.is_finite() && y.is_finite() {
                rgb_bilinear(src, x, y)
            } else {
                [0; 3]
            };
            px.copy_from_slice(&rgb);
        }
    }
    Ok(())
}

/// JPEG within the budget: quality 92 down to 40 in steps, then the page shrunk by 0.8 and
/// tried again, until it fits `max_bytes`.
pub(crate) fn encode_jpeg(page: &RgbImage, max_bytes: usize) -> Result<Vec<u8>, DocumentError> {
    let mut current: Option<RgbImage> = None;
    for _ in 0..12 {
        let img = current.as_ref().unwrap_or(page);
        for quality in [92u8, 85, 75, 65, 55, 40] {
            let mut out = Vec::with_capacity(max_bytes.min(1 << 20));
            JpegEncoder::new_with_quality(&mut out, quality)
                .encode(
                    img.as_raw(),
                    img.width(),
                    img.height(),
                    ExtendedColorType::Rgb8,
                )
                .map_err(|e| DocumentError::Encode {
                    reason: e.to_string(),
                })?;
            if out.len() <= max_bytes {
                return Ok(out);
            }
        }
        let (w, h) = (
            ((img.width() as f32) * 0.8) as u32,
            ((img.height() as f32) * 0.8) as u32,
        );
        if w < 16 || h < 16 {
            break;
        }
        current = Some(imageops::resize(img, w, h, imageops::FilterType::Triangle));
    }
    Err(DocumentError::Encode {
        reason: format!("the page does not fit {max_bytes} bytes as JPEG"),
    })
}
