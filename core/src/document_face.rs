//! The document's face crop for callers outside the flow (the bindings' `DocumentCapture`):
//! the same crop that the front upload sends as `documentFace` (see the session's face crop:
//! the shared BlazeFace detector with the model given to [`crate::set_face_model`], a coarse
//! to fine search, 40 % margin, metadata-free JPEG within the `documentFace` budget).

use std::panic::AssertUnwindSafe;

use image::RgbImage;

/// The portrait printed on an upright document page, as JPEG bytes (long edge ≤ 480 px,
/// ≤ 100 KiB), or `None` without the face detector (no ONNX Runtime or no model), without a
/// face, or on any failure (logged at debug level, never with image data). Never panics.
pub fn document_face_crop(page: &RgbImage) -> Option<Vec<u8>> {
    std::panic::catch_unwind(AssertUnwindSafe(|| crate::session::document_face(page)))
        .unwrap_or_else(|_| {
            tracing::debug!("document face crop failed");
            None
        })
        .map(|p| p.jpeg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_faceless_page_has_no_crop() {
        let page = RgbImage::from_pixel(320, 200, image::Rgb([200, 200, 190]));
        assert_eq!(document_face_crop(&page), None);
    }
}
