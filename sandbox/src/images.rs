//! Base64 image intake: raw or data-URI base64, JPEG/PNG/WebP only, ≤ 10 MiB decoded,
//! ≤ 40 megapixels (checked from the header before the full decode), stored under
//! `<data_dir>/images/`.

use std::io::Cursor;
use std::path::PathBuf;

use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use image::{ImageFormat, ImageReader};
use sha2::{Digest, Sha256};

use crate::api::ApiError;
use crate::model::new_id;
use crate::server::AppState;

/// Largest decoded image.
pub(crate) const MAX_IMAGE_BYTES: usize = 10 * 1024 * 1024;
/// Largest image area.
pub(crate) const MAX_PIXELS: u64 = 40_000_000;
/// Shorter base64 strings cannot be an image.
const MIN_BASE64_LEN: usize = 64;

const LENIENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);

fn not_an_image() -> ApiError {
    ApiError::token(StatusCode::PRECONDITION_FAILED, "only_images_in_base64")
}

fn too_large() -> ApiError {
    ApiError::payload_too_large("image_too_large")
}

/// A checked image. `Debug` shows the format and size, never the bytes.
pub(crate) struct Decoded {
    pub bytes: Vec<u8>,
    pub format: ImageFormat,
    pub digest: [u8; 32],
}

impl std::fmt::Debug for Decoded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoded")
            .field("format", &self.format)
            .field("len", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

/// Decodes and checks one base64 image (CPU-bound: call on the blocking pool).
pub(crate) fn decode(input: &str) -> Result<Decoded, ApiError> {
    let input = input.trim();
    let payload = match input.strip_prefix("data:") {
        Some(rest) => match rest.split_once(',') {
            Some((meta, data)) if meta.ends_with(";base64") => data,
            _ => return Err(not_an_image()),
        },
        None => input,
    };
    let cleaned: Vec<u8> = payload
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if cleaned.len() < MIN_BASE64_LEN {
        return Err(not_an_image());
    }
    if cleaned.len() / 4 * 3 > MAX_IMAGE_BYTES + 3 {
        return Err(too_large());
    }
    let bytes = STANDARD
        .decode(&cleaned)
        .or_else(|_| URL_SAFE.decode(&cleaned))
        .map_err(|_| not_an_image())?;
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(too_large());
    }
    let format = match image::guess_format(&bytes) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => f,
        _ => return Err(not_an_image()),
    };
    let (w, h) = ImageReader::with_format(Cursor::new(&bytes), format)
        .into_dimensions()
        .map_err(|_| not_an_image())?;
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(too_large());
    }
    let mut reader = ImageReader::with_format(Cursor::new(&bytes), format);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4 + 1024);
    reader.limits(limits);
    reader.decode().map_err(|_| not_an_image())?;
    let digest = Sha256::digest(&bytes).into();
    Ok(Decoded {
        bytes,
        format,
        digest,
    })
}

/// A checked image written to disk, not yet referenced by the database.
#[derive(Debug, Clone)]
pub(crate) struct Upload {
    pub id: String,
    pub file: String,
    pub path: PathBuf,
    pub mime: &'static str,
    pub digest: [u8; 32],
}

/// Decodes, checks and writes one image.
pub(crate) async fn store(state: &AppState, input: String) -> Result<Upload, ApiError> {
    let decoded = tokio::task::spawn_blocking(move || decode(&input))
        .await
        .map_err(|_| ApiError::internal())??;
    let (ext, mime) = match decoded.format {
        ImageFormat::Png => ("png", "image/png"),
        ImageFormat::WebP => ("webp", "image/webp"),
        _ => ("jpg", "image/jpeg"),
    };
    let id = new_id(state.now_ms());
    let file = format!("{id}.{ext}");
    let path = state.images_dir.join(&file);
    tokio::fs::write(&path, &decoded.bytes)
        .await
        .map_err(|err| {
            tracing::error!(error = %err, "cannot write image file");
            ApiError::internal()
        })?;
    Ok(Upload {
        id,
        file,
        path,
        mime,
        digest: decoded.digest,
    })
}

/// Removes image files whose request failed (nothing references them).
pub(crate) async fn discard(uploads: &[Upload]) {
    for u in uploads {
        let _ = tokio::fs::remove_file(&u.path).await;
    }
}

/// A deterministic number in `[0, 1)` from a digest and a label.
pub(crate) fn unit(digest: &[u8; 32], label: &str) -> f64 {
    let mut h = Sha256::new();
    h.update(digest);
    h.update(label.as_bytes());
    let out = h.finalize();
    let mut b = [0u8; 8];
    b.copy_from_slice(&out[..8]);
    (u64::from_be_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

/// Rounds to two decimals.
pub(crate) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_b64(w: u32, h: u32) -> String {
        let img = image::RgbImage::from_pixel(w, h, image::Rgb([10, 20, 30]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        base64::engine::general_purpose::STANDARD.encode(out.into_inner())
    }

    #[test]
    fn accepts_raw_and_data_uri() {
        let b = png_b64(8, 8);
        assert_eq!(decode(&b).unwrap().format, ImageFormat::Png);
        let uri = format!("data:image/png;base64,{b}");
        assert_eq!(decode(&uri).unwrap().digest, decode(&b).unwrap().digest);
    }

    #[test]
    fn rejects_non_images_and_short_strings() {
        assert_eq!(decode("abc").unwrap_err().status.as_u16(), 412);
        let gif = base64::engine::general_purpose::STANDARD
            .encode([b"GIF89a".as_slice(), &[0u8; 80]].concat());
        assert_eq!(decode(&gif).unwrap_err().status.as_u16(), 412);
        assert_eq!(decode(&"!".repeat(100)).unwrap_err().status.as_u16(), 412);
    }

    #[test]
    fn unit_is_deterministic_and_in_range() {
        let d = [7u8; 32];
        let a = unit(&d, "liveness");
        assert_eq!(a, unit(&d, "liveness"));
        assert!((0.0..1.0).contains(&a));
        assert_ne!(a, unit(&d, "compare"));
    }
}
