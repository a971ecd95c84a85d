//! Base64 image intake: raw or data-URI base64, JPEG/PNG/WebP only, ≤ 10 MiB decoded, at most
//! 40 megapixels for a document side and 12 for a selfie (checked from the header before any
//! pixel is decoded), decoded in full (a truncated or corrupt image is refused) under a shared
//! budget of [`DECODE_BUDGET_MP`] megapixels at once, and stored under `<data_dir>/images/`,
//! fsynced with its directory before the request's transaction commits.

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
/// Largest document-side area.
pub(crate) const DOCUMENT_MAX_PIXELS: u64 = 40_000_000;
/// Largest selfie area.
pub(crate) const SELFIE_MAX_PIXELS: u64 = 12_000_000;
/// Megapixels decoded at once across all requests (a semaphore): one largest document, or
/// several smaller images. Bounds the decoders' memory whatever the number of uploads.
pub(crate) const DECODE_BUDGET_MP: usize = 40;

/// What an image is for (its pixel limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    Document,
    Selfie,
}

impl Purpose {
    pub(crate) fn max_pixels(self) -> u64 {
        match self {
            Self::Document => DOCUMENT_MAX_PIXELS,
            Self::Selfie => SELFIE_MAX_PIXELS,
        }
    }
}
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

/// A base64 image whose header was read: format, size and pixel count are checked, no pixel
/// has been decoded yet.
pub(crate) struct Checked {
    bytes: Vec<u8>,
    format: ImageFormat,
    pixels: u64,
}

/// Decodes the base64 and checks format, byte size, header dimensions against `purpose` and,
/// for a JPEG, that it ends (cheap; call before taking a decode permit).
pub(crate) fn check(input: &str, purpose: Purpose) -> Result<Checked, ApiError> {
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
    let pixels = u64::from(w) * u64::from(h);
    if pixels == 0 {
        return Err(not_an_image());
    }
    if pixels > purpose.max_pixels() {
        return Err(too_large());
    }
    if format == ImageFormat::Jpeg && (!jpeg_complete(&bytes) || too_short_for(pixels, &bytes)) {
        return Err(not_an_image());
    }
    Ok(Checked {
        bytes,
        format,
        pixels,
    })
}

/// Whether a JPEG is too short to hold its claimed pixels: a Huffman-coded scan spends at
/// least one bit on every 8×8 block of its first component (one DC code each), so a real
/// image has at least `pixels / 512` bytes. (The decoder fills missing data with grey, so a
/// 7 KB file claiming 6000×6600 would otherwise "decode" into 119 MB.) Half that bound is
/// used, for margin.
fn too_short_for(pixels: u64, bytes: &[u8]) -> bool {
    (bytes.len() as u64) < pixels / 1024
}

/// Whether a JPEG has an end-of-image marker after its first scan. (The JPEG decoder fills a
/// truncated scan with grey instead of failing.) Inside entropy-coded data `FF` is always
/// followed by `00` or a restart marker, so an `FF D9` after the first `SOS` is the real end.
fn jpeg_complete(b: &[u8]) -> bool {
    let mut i = 2usize; // after SOI
    while i + 4 <= b.len() {
        if b[i] != 0xFF {
            return false;
        }
        let marker = b[i + 1];
        match marker {
            0xFF => i += 1, // fill byte
            0x01 | 0xD0..=0xD7 => i += 2,
            0xD9 => return false, // EOI before any scan
            _ => {
                let len = usize::from(u16::from_be_bytes([b[i + 2], b[i + 3]]));
                if marker == 0xDA {
                    let scan = i + 2 + len;
                    return b
                        .get(scan..)
                        .is_some_and(|rest| rest.windows(2).any(|w| w == [0xFF, 0xD9]));
                }
                if len < 2 {
                    return false;
                }
                i += 2 + len;
            }
        }
    }
    false
}

/// Decodes every pixel of a checked image (CPU-bound: call on the blocking pool, holding
/// [`Checked::permits`] of the decode budget).
pub(crate) fn decode(checked: Checked) -> Result<Decoded, ApiError> {
    let mut reader = ImageReader::with_format(Cursor::new(&checked.bytes), checked.format);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(checked.pixels * 4 + (1 << 20));
    reader.limits(limits);
    reader.decode().map_err(|_| not_an_image())?;
    let digest = Sha256::digest(&checked.bytes).into();
    Ok(Decoded {
        bytes: checked.bytes,
        format: checked.format,
        digest,
    })
}

impl Checked {
    /// Decode-budget permits (megapixels, rounded up) this image needs.
    pub(crate) fn permits(&self) -> u32 {
        let mp = self
            .pixels
            .div_ceil(1_000_000)
            .clamp(1, DECODE_BUDGET_MP as u64);
        u32::try_from(mp).unwrap_or(1)
    }
}

/// Checks, then fully decodes one base64 image.
#[cfg(test)]
pub(crate) fn decode_str(input: &str, purpose: Purpose) -> Result<Decoded, ApiError> {
    decode(check(input, purpose)?)
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

/// Checks, decodes (within the decode budget) and durably writes one image.
pub(crate) async fn store(
    state: &AppState,
    input: String,
    purpose: Purpose,
) -> Result<Upload, ApiError> {
    let checked = tokio::task::spawn_blocking(move || check(&input, purpose))
        .await
        .map_err(|_| ApiError::internal())??;
    let permit = state
        .decodes
        .clone()
        .acquire_many_owned(checked.permits())
        .await
        .map_err(|_| ApiError::internal())?;
    let decoded = tokio::task::spawn_blocking(move || {
        let out = decode(checked);
        drop(permit);
        out
    })
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
    let (p, dir, durable) = (path.clone(), state.images_dir.clone(), state.durable);
    tokio::task::spawn_blocking(move || write_file(&p, &dir, &decoded.bytes, durable))
        .await
        .map_err(|_| ApiError::internal())?
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

/// Writes an image file; when `durable`, fsyncs it and its directory (so the name survives a
/// power cut) before returning, i.e. before the transaction referencing it commits.
fn write_file(
    path: &std::path::Path,
    dir: &std::path::Path,
    bytes: &[u8],
    durable: bool,
) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut f = std::fs::File::create(path)?;
    f.write_all(bytes)?;
    if durable {
        f.sync_all()?;
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
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
        assert_eq!(
            decode_str(&b, Purpose::Document).unwrap().format,
            ImageFormat::Png
        );
        let uri = format!("data:image/png;base64,{b}");
        assert_eq!(
            decode_str(&uri, Purpose::Document).unwrap().digest,
            decode_str(&b, Purpose::Document).unwrap().digest
        );
    }

    #[test]
    fn rejects_non_images_and_short_strings() {
        assert_eq!(
            decode_str("abc", Purpose::Selfie)
                .unwrap_err()
                .status
                .as_u16(),
            412
        );
        let gif = base64::engine::general_purpose::STANDARD
            .encode([b"GIF89a".as_slice(), &[0u8; 80]].concat());
        assert_eq!(
            decode_str(&gif, Purpose::Selfie)
                .unwrap_err()
                .status
                .as_u16(),
            412
        );
        assert_eq!(
            decode_str(&"!".repeat(100), Purpose::Selfie)
                .unwrap_err()
                .status
                .as_u16(),
            412
        );
    }

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 7]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Jpeg).unwrap();
        out.into_inner()
    }

    fn b64(b: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(b)
    }

    #[test]
    fn truncated_images_are_refused() {
        let j = jpeg(64, 48);
        assert!(decode_str(&b64(&j), Purpose::Selfie).is_ok());
        for cut in [j.len() - 2, j.len() * 2 / 3, j.len() / 2] {
            let err = decode_str(&b64(&j[..cut]), Purpose::Selfie).unwrap_err();
            assert_eq!(err.status.as_u16(), 412, "jpeg cut at {cut}");
        }
        let img = image::RgbImage::from_fn(64, 64, |x, y| image::Rgb([x as u8, y as u8, 1]));
        let mut p = Cursor::new(Vec::new());
        img.write_to(&mut p, ImageFormat::Png).unwrap();
        let p = p.into_inner();
        for cut in [p.len() - 12, p.len() * 2 / 3] {
            let err = decode_str(&b64(&p[..cut]), Purpose::Selfie).unwrap_err();
            assert_eq!(err.status.as_u16(), 412, "png cut at {cut}");
        }
    }

    #[test]
    fn pixel_limits_depend_on_the_purpose() {
        // 4000x4000 = 16 MP: a document may be that large, a selfie may not. Refused from the
        // header (the SOF dimensions are patched; no pixel data for that size exists).
        let mut j = jpeg(16, 16);
        let sof = j.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        j[sof + 5..sof + 7].copy_from_slice(&4000u16.to_be_bytes());
        j[sof + 7..sof + 9].copy_from_slice(&4000u16.to_be_bytes());
        // As a document it is refused too, as corrupt: far too short for 16 MP.
        assert_eq!(
            check(&b64(&j), Purpose::Document)
                .err()
                .unwrap()
                .status
                .as_u16(),
            412
        );
        let claimed = |pixels| Checked {
            bytes: Vec::new(),
            format: ImageFormat::Jpeg,
            pixels,
        };
        assert_eq!(claimed(16_000_000).permits(), 16);
        assert_eq!(claimed(1).permits(), 1);
        assert_eq!(claimed(39_600_000).permits(), 40);
        assert_eq!(
            check(&b64(&j), Purpose::Selfie)
                .err()
                .unwrap()
                .status
                .as_u16(),
            413
        );
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
