//! Pixel sources in upright coordinates: a camera frame (through the prefilter's monomorphised
//! [`PixelFetch`]) or a still [`RgbImage`]. Nothing here copies an image.

use image::RgbImage;
use smart_enroll_prefilter::frame::{AxisMap, PixelFetch, rgb_to_luma};

/// Upright pixels: `u` right, `v` down, both in range.
pub(crate) trait Source {
    /// Upright width and height.
    fn size(&self) -> (usize, usize);
    fn luma(&self, u: usize, v: usize) -> u8;
    fn rgb(&self, u: usize, v: usize) -> [u8; 3];
}

/// A frame seen through its layout-specialised fetcher and its upright→source map.
pub(crate) struct FrameSource<'a, P> {
    pub pixels: &'a P,
    pub map: AxisMap,
    pub width: usize,
    pub height: usize,
}

impl<P: PixelFetch> Source for FrameSource<'_, P> {
    #[inline(always)]
    fn size(&self) -> (usize, usize) {
        (self.width, self.height)
    }
    #[inline(always)]
    fn luma(&self, u: usize, v: usize) -> u8 {
        let (x, y) = self.map.xy(self.map.from_u(u), self.map.from_v(v));
        self.pixels.luma(x, y)
    }
    #[inline(always)]
    fn rgb(&self, u: usize, v: usize) -> [u8; 3] {
        let (x, y) = self.map.xy(self.map.from_u(u), self.map.from_v(v));
        self.pixels.rgb(x, y)
    }
}

/// A still image (already upright).
pub(crate) struct ImageSource<'a>(pub &'a RgbImage);

impl Source for ImageSource<'_> {
    #[inline(always)]
    fn size(&self) -> (usize, usize) {
        (self.0.width() as usize, self.0.height() as usize)
    }
    #[inline(always)]
    fn luma(&self, u: usize, v: usize) -> u8 {
        let [r, g, b] = self.rgb(u, v);
        rgb_to_luma(r, g, b)
    }
    #[inline(always)]
    fn rgb(&self, u: usize, v: usize) -> [u8; 3] {
        let i = (v * self.0.width() as usize + u) * 3;
        match self.0.as_raw().get(i..i + 3) {
            Some(p) => [p[0], p[1], p[2]],
            None => [0; 3],
        }
    }
}

/// Bilinear RGB at a fractional upright position (clamped to the image).
#[inline(always)]
pub(crate) fn rgb_bilinear<S: Source>(src: &S, x: f32, y: f32) -> [u8; 3] {
    let (w, h) = src.size();
    let x = x.clamp(0.0, (w - 1) as f32);
    let y = y.clamp(0.0, (h - 1) as f32);
    let (x0, y0) = (x as usize, y as usize);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let p00 = src.rgb(x0, y0);
    let p10 = src.rgb(x1, y0);
    let p01 = src.rgb(x0, y1);
    let p11 = src.rgb(x1, y1);
    let mut out = [0u8; 3];
    for c in 0..3 {
        let top = f32::from(p00[c]) + (f32::from(p10[c]) - f32::from(p00[c])) * fx;
        let bottom = f32::from(p01[c]) + (f32::from(p11[c]) - f32::from(p01[c])) * fx;
        out[c] = (top + (bottom - top) * fy + 0.5).clamp(0.0, 255.0) as u8;
    }
    out
}
