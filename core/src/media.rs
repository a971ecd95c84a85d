//! Image preparation before upload (decode, EXIF orientation, resize, JPEG re-encode).
//!
//! Every image the SDK uploads goes through [`prepare_document`] or [`prepare_selfie`] (the
//! document's face crop, `documentFace`, through the same steps with its own limits,
//! [`DOCUMENT_FACE_MAX_EDGE`] and [`DOCUMENT_FACE_MAX_BYTES`]):
//!
//! 1. the bytes are sniffed (JPEG, PNG or WebP only; PNG and WebP need the `png-webp` cargo
//!    feature, on by default and off in the mobile library) and decoded with limits (at most
//!    [`MAX_PIXELS`] pixels and [`MAX_DECODE_ALLOC`] bytes of decoder memory), so a crafted
//!    header cannot make the SDK allocate gigabytes;
//! 2. the EXIF orientation is applied, so the pixels stand upright;
//! 3. transparency is flattened onto white;
//! 4. the image is resized (Catmull-Rom) so its long edge is at most [`DOCUMENT_MAX_EDGE`] /
//!    [`SELFIE_MAX_EDGE`] pixels;
//! 5. it is re-encoded as a baseline JPEG with no metadata at all (EXIF, GPS, ICC and XMP are
//!    dropped), stepping the quality down and then the size down until it fits the upload
//!    budget ([`DOCUMENT_MAX_BYTES`] per document side, [`SELFIE_MAX_BYTES`] per selfie).
//!
//! Nothing here panics on bad input: every failure is a typed [`MediaError`].

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};

/// Largest accepted image, in pixels (40 megapixels, as the sandbox and service enforce).
pub const MAX_PIXELS: u64 = 40_000_000;
/// Largest accepted encoded input, in bytes.
pub const MAX_INPUT_BYTES: usize = 50 * 1024 * 1024;
/// Most memory the decoder may allocate (a 40 MP RGBA image plus headroom).
pub const MAX_DECODE_ALLOC: u64 = 256 * 1024 * 1024;
/// Long-edge limit of a prepared document side, in pixels.
pub const DOCUMENT_MAX_EDGE: u32 = 2000;
/// Long-edge limit of a prepared selfie, in pixels.
pub const SELFIE_MAX_EDGE: u32 = 1080;
/// Upload budget of one prepared document side, in bytes.
pub const DOCUMENT_MAX_BYTES: usize = 600 * 1024;
/// Upload budget of one prepared selfie, in bytes.
pub const SELFIE_MAX_BYTES: usize = 150 * 1024;
/// Long-edge limit of the document's face crop (`documentFace`), in pixels.
pub const DOCUMENT_FACE_MAX_EDGE: u32 = 480;
/// Upload budget of the document's face crop (`documentFace`), in bytes.
pub const DOCUMENT_FACE_MAX_BYTES: usize = 100 * 1024;

/// JPEG qualities tried in order until the image fits its budget.
const QUALITIES: [u8; 6] = [90, 85, 80, 72, 64, 56];
/// Each further shrink keeps this fraction of the long edge.
const SHRINK_FACTOR: f32 = 0.8;
/// Never shrink the long edge below this while trying to fit the budget.
const MIN_EDGE: u32 = 320;

/// The input formats this build decodes. PNG and WebP come with the `png-webp` cargo feature (on
/// by default, for the CLI and the Rust API); the mobile library is built without it (size
/// budget, BENCHMARKS.md: the apps hand over camera JPEGs), so there a PNG or WebP is refused
/// with [`MediaError::UnsupportedFormat`] naming the detected format.
#[cfg(feature = "png-webp")]
pub const SUPPORTED_FORMATS: &str = "JPEG, PNG or WebP";
/// The input formats this build decodes (built without the `png-webp` feature: JPEG only).
#[cfg(not(feature = "png-webp"))]
pub const SUPPORTED_FORMATS: &str = "JPEG (this build has no PNG/WebP decoder)";

/// Why an image could not be prepared. Never contains image bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    /// No bytes at all.
    #[error("image is empty")]
    Empty,
    /// The bytes are not an image format this build decodes ([`SUPPORTED_FORMATS`]).
    #[error("unsupported image format{}: use {}", .detected.map(|d| format!(" ({d})")).unwrap_or_default(), SUPPORTED_FORMATS)]
    UnsupportedFormat {
        /// The detected format, when it is a known but unsupported one (e.g. `gif`).
        detected: Option<&'static str>,
    },
    /// The encoded input is larger than [`MAX_INPUT_BYTES`].
    #[error("image file is too large: {bytes} bytes (at most {max})")]
    FileTooLarge {
        /// Size of the input.
        bytes: usize,
        /// The limit.
        max: usize,
    },
    /// The image's dimensions exceed [`MAX_PIXELS`] (or the decoder's memory limit).
    #[error("image is too large: {width}x{height} pixels (at most {max_pixels} pixels)")]
    TooLarge {
        /// Width announced by the image header.
        width: u32,
        /// Height announced by the image header.
        height: u32,
        /// The limit in pixels.
        max_pixels: u64,
    },
    /// The bytes look like a supported format but cannot be decoded (truncated or corrupt).
    #[error("image could not be decoded ({format}): {reason}")]
    Undecodable {
        /// The sniffed format (`jpeg`, `png` or `webp`).
        format: &'static str,
        /// The decoder's message (describes the structure, never the content).
        reason: String,
    },
    /// The image has a zero width or height.
    #[error("image has no pixels ({width}x{height})")]
    ZeroSize {
        /// Width.
        width: u32,
        /// Height.
        height: u32,
    },
    /// The JPEG encoder failed.
    #[error("image could not be encoded as JPEG: {0}")]
    Encode(String),
    /// Even at the lowest quality and smallest size the image does not fit the upload budget.
    #[error("image does not fit the upload budget of {budget} bytes")]
    OverBudget {
        /// The budget in bytes.
        budget: usize,
    },
}

/// An image ready for upload: an upright, metadata-free baseline JPEG.
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedImage {
    /// The JPEG bytes (personal data: never log them).
    pub jpeg: Vec<u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl std::fmt::Debug for PreparedImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedImage")
            .field(
                "jpeg",
                &format_args!("<{} bytes redacted>", self.jpeg.len()),
            )
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

/// What an image is prepared for; sets its size limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    /// One side of an identity document.
    Document,
    /// A selfie for liveness and face match.
    Selfie,
}

impl ImageKind {
    /// Long-edge limit in pixels.
    pub fn max_edge(self) -> u32 {
        match self {
            ImageKind::Document => DOCUMENT_MAX_EDGE,
            ImageKind::Selfie => SELFIE_MAX_EDGE,
        }
    }

    /// Upload budget in bytes.
    pub fn max_bytes(self) -> usize {
        match self {
            ImageKind::Document => DOCUMENT_MAX_BYTES,
            ImageKind::Selfie => SELFIE_MAX_BYTES,
        }
    }
}

/// Prepares one side of an identity document: long edge ≤ 2000 px, JPEG ≤ 600 KiB.
pub fn prepare_document(bytes: &[u8]) -> Result<PreparedImage, MediaError> {
    prepare(bytes, ImageKind::Document)
}

/// Prepares a selfie: long edge ≤ 1080 px, JPEG ≤ 150 KiB.
pub fn prepare_selfie(bytes: &[u8]) -> Result<PreparedImage, MediaError> {
    prepare(bytes, ImageKind::Selfie)
}

/// Prepares an image for the given use.
pub fn prepare(bytes: &[u8], kind: ImageKind) -> Result<PreparedImage, MediaError> {
    let image = decode_upright_rgb(bytes)?;
    encode_within_budget(&image, kind.max_edge(), kind.max_bytes())
}

/// Steps 1–3 of [`prepare`]: the upright 8-bit RGB pixels (the document's face crop is cut
/// from them before they are encoded).
pub(crate) fn decode_upright_rgb(bytes: &[u8]) -> Result<RgbImage, MediaError> {
    Ok(flatten(decode_upright(bytes)?))
}

/// Decodes JPEG (and with the `png-webp` feature PNG or WebP) bytes with limits and applies the EXIF orientation.
pub fn decode_upright(bytes: &[u8]) -> Result<DynamicImage, MediaError> {
    if bytes.is_empty() {
        return Err(MediaError::Empty);
    }
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(MediaError::FileTooLarge {
            bytes: bytes.len(),
            max: MAX_INPUT_BYTES,
        });
    }
    let format = sniff(bytes)?;
    let format_name = format_name(format);
    if format == ImageFormat::Jpeg && !jpeg_is_complete(bytes) {
        // The JPEG decoder fills a cut-off scan with grey instead of failing; a half-written
        // file must not be uploaded as if it were whole.
        return Err(MediaError::Undecodable {
            format: format_name,
            reason: "truncated: no end-of-image marker after the image data".into(),
        });
    }
    let undecodable = |err: image::ImageError| classify(err, format_name);

    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(undecodable)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(MediaError::TooLarge {
            width,
            height,
            max_pixels: MAX_PIXELS,
        });
    }
    if width == 0 || height == 0 {
        return Err(MediaError::ZeroSize { width, height });
    }
    // A malformed EXIF block must not stop an otherwise good image: treat it as upright.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(|err| match err {
        image::ImageError::Limits(_) => MediaError::TooLarge {
            width,
            height,
            max_pixels: MAX_PIXELS,
        },
        other => undecodable(other),
    })?;
    image.apply_orientation(orientation);
    Ok(image)
}

fn sniff(bytes: &[u8]) -> Result<ImageFormat, MediaError> {
    match image::guess_format(bytes) {
        Ok(f @ ImageFormat::Jpeg) => Ok(f),
        #[cfg(feature = "png-webp")]
        Ok(f @ (ImageFormat::Png | ImageFormat::WebP)) => Ok(f),
        Ok(other) => Err(MediaError::UnsupportedFormat {
            detected: other.extensions_str().first().copied(),
        }),
        Err(_) => Err(MediaError::UnsupportedFormat { detected: None }),
    }
}

/// Whether a JPEG has an end-of-image marker (`FF D9`) after its first scan. The marker
/// segments before the scan are walked by their lengths (so an EXIF thumbnail's own `FF D9` is
/// skipped); inside entropy-coded data `FF` is always followed by `00` or a restart/scan
/// marker, so `FF D9` there can only be the real end.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut i = 2; // after SOI
    loop {
        // Skip fill bytes between segments.
        while bytes.get(i) == Some(&0xFF) && bytes.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (bytes.get(i), bytes.get(i + 1)) else {
            return false;
        };
        match marker {
            0xD8 | 0x01 | 0xD0..=0xD7 => i += 2,
            0xD9 => return false, // EOI before any scan: no image data
            _ => {
                let (Some(&hi), Some(&lo)) = (bytes.get(i + 2), bytes.get(i + 3)) else {
                    return false;
                };
                let len = usize::from(u16::from_be_bytes([hi, lo]));
                if len < 2 {
                    return false;
                }
                let next = i + 2 + len;
                if marker == 0xDA {
                    return bytes
                        .get(next..)
                        .is_some_and(|scan| scan.windows(2).any(|w| w == [0xFF, 0xD9]));
                }
                i = next;
            }
        }
    }
}

fn format_name(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Jpeg => "jpeg",
        ImageFormat::Png => "png",
        ImageFormat::WebP => "webp",
        _ => "image",
    }
}

fn classify(err: image::ImageError, format: &'static str) -> MediaError {
    match err {
        image::ImageError::Limits(limit) => MediaError::Undecodable {
            format,
            reason: format!("decoder limit exceeded: {limit}"),
        },
        image::ImageError::Unsupported(e) => MediaError::Undecodable {
            format,
            reason: format!("unsupported feature: {e}"),
        },
        other => MediaError::Undecodable {
            format,
            reason: other.to_string(),
        },
    }
}

/// Converts to 8-bit RGB, compositing any transparency onto white (documents and selfies
/// photographed on screens or exported from apps may carry alpha).
fn flatten(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    let (w, h) = rgba.dimensions();
    let mut out = RgbImage::new(w, h);
    for (dst, src) in out.pixels_mut().zip(rgba.pixels()) {
        let a = u32::from(src[3]);
        for c in 0..3 {
            let v = (u32::from(src[c]) * a + 255 * (255 - a) + 127) / 255;
            dst[c] = u8::try_from(v).unwrap_or(u8::MAX);
        }
    }
    out
}

fn scaled_to_edge(width: u32, height: u32, edge: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= edge {
        return (width, height);
    }
    let scale = f64::from(edge) / f64::from(long);
    // Rounded and clamped to at least 1 pixel; the values are bounded by `edge`.
    let w = ((f64::from(width) * scale).round() as u32).clamp(1, edge);
    let h = ((f64::from(height) * scale).round() as u32).clamp(1, edge);
    (w, h)
}

fn encode_jpeg(image: &RgbImage, quality: u8) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::with_capacity(256 * 1024);
    let mut encoder = JpegEncoder::new_with_quality(&mut out, quality);
    encoder
        .encode_image(image)
        .map_err(|e| MediaError::Encode(e.to_string()))?;
    Ok(out)
}

/// Steps 4–5 of [`prepare`]: resize to `max_edge`, then JPEG within `budget`.
pub(crate) fn encode_within_budget(
    image: &RgbImage,
    max_edge: u32,
    budget: usize,
) -> Result<PreparedImage, MediaError> {
    let (w0, h0) = image.dimensions();
    let mut edge = max_edge.min(w0.max(h0));
    loop {
        let (w, h) = scaled_to_edge(w0, h0, edge);
        let resized;
        let current = if (w, h) == (w0, h0) {
            image
        } else {
            resized = image::imageops::resize(image, w, h, FilterType::CatmullRom);
            &resized
        };
        for quality in QUALITIES {
            let jpeg = encode_jpeg(current, quality)?;
            if jpeg.len() <= budget {
                return Ok(PreparedImage {
                    jpeg,
                    width: w,
                    height: h,
                });
            }
        }
        if edge <= MIN_EDGE {
            return Err(MediaError::OverBudget { budget });
        }
        edge = ((edge as f32 * SHRINK_FACTOR) as u32).max(MIN_EDGE);
        tracing::debug!(edge, "image over budget; shrinking");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder, Rgb};
    #[cfg(feature = "png-webp")]
    use image::{Rgba, RgbaImage};

    fn jpeg_of(img: &RgbImage, quality: u8) -> Vec<u8> {
        encode_jpeg(img, quality).unwrap()
    }

    /// Two halves: red on the left, blue on the right.
    fn halves(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, _| {
            if x < w / 2 {
                Rgb([230, 20, 20])
            } else {
                Rgb([20, 20, 230])
            }
        })
    }

    /// Detailed content that does not compress well (keeps the budget loop honest).
    fn noisy(w: u32, h: u32, seed: u32) -> RgbImage {
        noisy_with(w, h, seed, 0x3f)
    }

    fn noisy_with(w: u32, h: u32, seed: u32, mask: u32) -> RgbImage {
        let mut s = seed.wrapping_mul(2_654_435_761).max(1);
        RgbImage::from_fn(w, h, |x, y| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            let n = (s & mask) as u8;
            Rgb([
                ((x * 255 / w) as u8).wrapping_add(n),
                ((y * 255 / h) as u8).wrapping_add(n / 2),
                (((x ^ y) & 0xff) as u8).wrapping_add(n),
            ])
        })
    }

    /// Inserts an APP1 Exif segment (big-endian TIFF, one IFD0 entry: Orientation) after SOI.
    fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
        assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
        let mut tiff = Vec::new();
        tiff.extend_from_slice(b"MM\0\x2a\0\0\0\x08"); // header, IFD0 at offset 8
        tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
        tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
        tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
        tiff.extend_from_slice(&1u32.to_be_bytes()); // count
        tiff.extend_from_slice(&orientation.to_be_bytes());
        tiff.extend_from_slice(&[0, 0]); // value padding
        tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
        // Some private maker-note-like payload that must not survive re-encoding.
        let mut payload = b"Exif\0\0".to_vec();
        payload.extend_from_slice(&tiff);
        payload.extend_from_slice(b"GPS-SECRET-LOCATION");
        let len = u16::try_from(payload.len() + 2).unwrap();
        let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&payload);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    #[cfg(feature = "png-webp")]
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[cfg(feature = "png-webp")]
    fn png_header_only(width: u32, height: u32) -> Vec<u8> {
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
        out.extend_from_slice(&13u32.to_be_bytes());
        out.extend_from_slice(&ihdr);
        out.extend_from_slice(&crc32(&ihdr).to_be_bytes());
        // An empty IDAT then IEND: the header parses, the pixel data is missing.
        for name in [b"IDAT", b"IEND"] {
            out.extend_from_slice(&0u32.to_be_bytes());
            out.extend_from_slice(name);
            out.extend_from_slice(&crc32(name).to_be_bytes());
        }
        out
    }

    fn is_baseline_jpeg_without_metadata(jpeg: &[u8]) -> bool {
        // Walk the marker segments up to SOS: only APP0 (JFIF) is allowed, no APP1+ (EXIF/XMP)
        // and no APP2 (ICC).
        if jpeg.get(..2) != Some(&[0xFF, 0xD8]) {
            return false;
        }
        let mut i = 2;
        while i + 4 <= jpeg.len() {
            if jpeg[i] != 0xFF {
                return false;
            }
            let marker = jpeg[i + 1];
            if marker == 0xDA {
                return true;
            }
            if (0xE1..=0xEF).contains(&marker) {
                return false;
            }
            let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
            i += 2 + len;
        }
        false
    }

    fn pixel(p: &PreparedImage, x: u32, y: u32) -> Rgb<u8> {
        let img = image::load_from_memory_with_format(&p.jpeg, ImageFormat::Jpeg)
            .unwrap()
            .into_rgb8();
        *img.get_pixel(x, y)
    }

    fn is_reddish(p: Rgb<u8>) -> bool {
        p[0] > 150 && p[2] < 100
    }

    fn is_bluish(p: Rgb<u8>) -> bool {
        p[2] > 150 && p[0] < 100
    }

    #[test]
    fn exif_rotation_is_applied_and_metadata_stripped() {
        let src = jpeg_of(&halves(400, 200), 92);
        // Orientation 6: the camera was turned; display rotates 90° clockwise, so the left half
        // (red) ends up on top.
        let rotated = with_exif_orientation(&src, 6);
        let out = prepare_selfie(&rotated).unwrap();
        assert_eq!((out.width, out.height), (200, 400));
        assert!(is_reddish(pixel(&out, 100, 50)), "top should be red");
        assert!(is_bluish(pixel(&out, 100, 350)), "bottom should be blue");
        assert!(is_baseline_jpeg_without_metadata(&out.jpeg));
        assert!(!out.jpeg.windows(4).any(|w| w == b"Exif"));
        assert!(!out.jpeg.windows(10).any(|w| w == b"GPS-SECRET"));

        // Orientation 8: rotate 270° clockwise, the left half (red) ends at the bottom.
        let out = prepare_document(&with_exif_orientation(&src, 8)).unwrap();
        assert_eq!((out.width, out.height), (200, 400));
        assert!(is_bluish(pixel(&out, 100, 50)));
        assert!(is_reddish(pixel(&out, 100, 350)));

        // Orientation 3: upside down, left and right swap.
        let out = prepare_document(&with_exif_orientation(&src, 3)).unwrap();
        assert_eq!((out.width, out.height), (400, 200));
        assert!(is_bluish(pixel(&out, 50, 100)));
        assert!(is_reddish(pixel(&out, 350, 100)));
    }

    #[test]
    fn bogus_exif_orientation_value_is_ignored() {
        let src = jpeg_of(&halves(120, 60), 90);
        let out = prepare_document(&with_exif_orientation(&src, 77)).unwrap();
        assert_eq!((out.width, out.height), (120, 60));
        assert!(is_reddish(pixel(&out, 10, 30)));
    }

    #[cfg(feature = "png-webp")]
    #[test]
    fn png_with_alpha_is_flattened_on_white() {
        let img = RgbaImage::from_fn(64, 32, |x, _| {
            if x < 32 {
                Rgba([0, 0, 0, 0]) // fully transparent
            } else {
                Rgba([20, 200, 20, 255])
            }
        });
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(img.as_raw(), 64, 32, image::ExtendedColorType::Rgba8)
            .unwrap();
        let out = prepare_document(&png).unwrap();
        assert_eq!((out.width, out.height), (64, 32));
        let left = pixel(&out, 8, 16);
        assert!(
            left.0.iter().all(|&c| c > 235),
            "transparent → white, got {left:?}"
        );
        let right = pixel(&out, 56, 16);
        assert!(right[1] > 150 && right[0] < 80, "{right:?}");
    }

    #[cfg(feature = "png-webp")]
    #[test]
    fn webp_is_accepted() {
        let img = halves(300, 150);
        let mut webp = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
            .write_image(img.as_raw(), 300, 150, image::ExtendedColorType::Rgb8)
            .unwrap();
        assert_eq!(image::guess_format(&webp).unwrap(), ImageFormat::WebP);
        let out = prepare_selfie(&webp).unwrap();
        assert_eq!((out.width, out.height), (300, 150));
        assert!(is_reddish(pixel(&out, 30, 75)));
        assert!(is_bluish(pixel(&out, 270, 75)));
    }

    #[test]
    fn large_images_are_resized_to_the_long_edge() {
        // Smooth content and narrow strips keep this fast in debug builds: the test is about
        // geometry (the budget loop has its own test).
        let doc = jpeg_of(&noisy_with(2400, 600, 1, 0x01), 90);
        let out = prepare_document(&doc).unwrap();
        assert_eq!(out.width.max(out.height), DOCUMENT_MAX_EDGE);
        assert_eq!((out.width, out.height), (2000, 500));
        assert!(out.jpeg.len() <= DOCUMENT_MAX_BYTES);

        let selfie = jpeg_of(&noisy_with(400, 1600, 2, 0x01), 90);
        let out = prepare_selfie(&selfie).unwrap();
        assert_eq!((out.width, out.height), (270, SELFIE_MAX_EDGE));
        assert!(out.jpeg.len() <= SELFIE_MAX_BYTES, "{}", out.jpeg.len());
    }

    #[test]
    fn budget_loop_shrinks_until_it_fits() {
        let img = noisy_with(480, 480, 3, 0x1f);
        let tight = 32 * 1024;
        // At full size even the lowest quality is over the tight budget: it must shrink.
        assert!(jpeg_of(&img, QUALITIES[QUALITIES.len() - 1]).len() > tight);
        let out = encode_within_budget(&img, 480, tight).unwrap();
        assert!(out.jpeg.len() <= tight);
        assert!(out.width < 480 && out.width >= MIN_EDGE, "{}", out.width);
        // An impossible budget is a typed error, not a loop or a panic.
        assert_eq!(
            encode_within_budget(&img, 480, 500),
            Err(MediaError::OverBudget { budget: 500 })
        );
    }

    #[test]
    fn small_images_are_not_upscaled() {
        let out = prepare_selfie(&jpeg_of(&halves(40, 30), 90)).unwrap();
        assert_eq!((out.width, out.height), (40, 30));
    }

    /// Without `png-webp` (the mobile library), PNG and WebP are refused up front with a typed
    /// error naming the format, before any decoding; never a panic.
    #[cfg(not(feature = "png-webp"))]
    #[test]
    fn png_and_webp_are_refused_without_the_feature() {
        let img = halves(40, 30);
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(img.as_raw(), 40, 30, image::ExtendedColorType::Rgb8)
            .unwrap();
        let mut webp = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
            .write_image(img.as_raw(), 40, 30, image::ExtendedColorType::Rgb8)
            .unwrap();
        for (bytes, name) in [(&png, "png"), (&webp, "webp")] {
            for result in [prepare_selfie(bytes), prepare_document(bytes)] {
                let err = result.unwrap_err();
                assert_eq!(
                    err,
                    MediaError::UnsupportedFormat {
                        detected: Some(name)
                    }
                );
                let shown = err.to_string();
                assert!(shown.contains(name) && shown.contains("JPEG"), "{shown}");
            }
        }
        // JPEG still works in this build.
        assert!(prepare_selfie(&jpeg_of(&img, 90)).is_ok());
    }

    #[test]
    fn empty_random_and_unsupported_inputs_are_typed_errors() {
        assert_eq!(prepare_selfie(&[]), Err(MediaError::Empty));
        let mut s = 0x1234_5678u32;
        let random: Vec<u8> = (0..4096)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                (s >> 24) as u8
            })
            .collect();
        assert_eq!(
            prepare_document(&random),
            Err(MediaError::UnsupportedFormat { detected: None })
        );
        let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;";
        assert_eq!(
            prepare_document(gif),
            Err(MediaError::UnsupportedFormat {
                detected: Some("gif")
            })
        );
        assert!(matches!(
            prepare_document(b"%PDF-1.7\n..."),
            Err(MediaError::UnsupportedFormat { .. })
        ));
    }

    #[test]
    fn truncated_inputs_are_undecodable() {
        let jpeg = jpeg_of(&noisy(200, 200, 4), 90);
        // Cut inside the header segments, or anywhere in the image data (the decoder alone
        // would fill the rest with grey), or just before the end marker.
        for cut in [
            40,
            jpeg.len() / 5,
            jpeg.len() / 2,
            jpeg.len() * 9 / 10,
            jpeg.len() - 1,
        ] {
            assert!(
                matches!(
                    prepare_document(&jpeg[..cut]),
                    Err(MediaError::Undecodable { format: "jpeg", .. })
                ),
                "cut at {cut} of {}",
                jpeg.len()
            );
        }
        // Whole, or with trailing bytes after the end marker (some cameras append data), or
        // with an EXIF block before the frame: fine.
        assert!(prepare_document(&jpeg).is_ok());
        let mut trailing = jpeg.clone();
        trailing.extend_from_slice(b"TRAILER\xff\x00junk");
        assert!(prepare_document(&trailing).is_ok());
        assert!(prepare_document(&with_exif_orientation(&jpeg, 1)).is_ok());
    }

    #[cfg(feature = "png-webp")]
    #[test]
    fn truncated_png_and_webp_are_undecodable() {
        let img = halves(200, 100);
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(img.as_raw(), 200, 100, image::ExtendedColorType::Rgb8)
            .unwrap();
        for cut in [png.len() / 2, 40, 12] {
            assert!(
                matches!(
                    prepare_document(&png[..cut]),
                    Err(MediaError::Undecodable { format: "png", .. })
                ),
                "cut at {cut}"
            );
        }
        let mut webp = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
            .write_image(img.as_raw(), 200, 100, image::ExtendedColorType::Rgb8)
            .unwrap();
        assert!(matches!(
            prepare_document(&webp[..webp.len() / 2]),
            Err(MediaError::Undecodable { format: "webp", .. })
        ));
    }

    #[cfg(feature = "png-webp")]
    #[test]
    fn huge_dimension_header_is_refused_before_allocating() {
        // A 100000 x 100000 PNG header (10 gigapixels) with no data behind it.
        let png = png_header_only(100_000, 100_000);
        assert_eq!(
            prepare_document(&png),
            Err(MediaError::TooLarge {
                width: 100_000,
                height: 100_000,
                max_pixels: MAX_PIXELS
            })
        );
        // Just over the limit: 8000 x 5001.
        let png = png_header_only(8000, 5001);
        assert!(matches!(
            prepare_selfie(&png),
            Err(MediaError::TooLarge { .. })
        ));
    }

    #[test]
    fn corrupted_inputs_never_panic() {
        // Flip, cut and splice bytes of small valid JPEG, PNG and WebP files: every result is
        // either a prepared image or a typed error, never a panic or a hang.
        let img = noisy(48, 40, 7);
        let jpeg = jpeg_of(&img, 85);
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(img.as_raw(), 48, 40, image::ExtendedColorType::Rgb8)
            .unwrap();
        let mut webp = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
            .write_image(img.as_raw(), 48, 40, image::ExtendedColorType::Rgb8)
            .unwrap();
        let mut s = 0x9e37_79b9u32;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            s as usize
        };
        let (mut ok, mut err) = (0, 0);
        for source in [&jpeg, &png, &webp] {
            for _ in 0..150 {
                let mut bytes = source.clone();
                for _ in 0..(1 + next() % 4) {
                    let at = next() % bytes.len();
                    match next() % 3 {
                        0 => bytes[at] = (next() & 0xff) as u8,
                        1 => bytes.truncate(at.max(1)),
                        _ => bytes.insert(at, (next() & 0xff) as u8),
                    }
                }
                match prepare_selfie(&bytes) {
                    Ok(p) => {
                        ok += 1;
                        assert!(p.jpeg.len() <= SELFIE_MAX_BYTES && p.width > 0 && p.height > 0);
                    }
                    Err(_) => err += 1,
                }
            }
        }
        // Both kinds of result happen: the test really exercises the decoders.
        assert!(ok > 0 && err > 0, "ok {ok}, err {err}");
    }

    #[test]
    fn debug_output_redacts_bytes() {
        let out = prepare_selfie(&jpeg_of(&halves(40, 30), 90)).unwrap();
        let shown = format!("{out:?}");
        assert!(shown.contains("redacted"));
        assert!(shown.len() < 120, "{shown}");
    }
}
