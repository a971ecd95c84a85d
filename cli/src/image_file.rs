//! Image files given on the command line (`prefilter`, `enroll`), checked before they are read
//! or decoded: the file's size (at most [`MAX_FILE_BYTES`], from its metadata, and the read is
//! bounded too, for files whose size the metadata does not tell) and the dimensions its header
//! claims (at most [`MAX_PIXELS`] and `max_edge` per side, read by `image`'s header reader
//! without decoding). A 1 GB file or a 7 KB JPEG whose header claims 60000×60000 pixels is
//! refused at once, with the reason, and costs no memory.

use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// Largest accepted file: the core's own limit on an image's encoded bytes (50 MiB).
pub const MAX_FILE_BYTES: u64 = smart_enroll_core::media::MAX_INPUT_BYTES as u64;
/// Largest accepted image, in pixels (the core's limit, 40 MP).
pub const MAX_PIXELS: u64 = smart_enroll_core::media::MAX_PIXELS;

/// Why an image file was refused.
#[derive(Debug, thiserror::Error)]
pub enum ImageFileError {
    /// The file could not be opened or read.
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    /// Not a regular file (a directory, a device...).
    #[error("not a regular file")]
    NotAFile,
    /// Larger than [`MAX_FILE_BYTES`].
    #[error("the file is {} MB, over the {} MB limit", mb(*.bytes), mb(*.max))]
    TooBig { bytes: u64, max: u64 },
    /// The header could not be read (unknown format, truncated header).
    #[error("not a readable image header: {reason}")]
    Header { reason: String },
    /// The header claims more pixels, or a longer side, than accepted.
    #[error("the image header claims {width}x{height} pixels, over the limit ({limit})")]
    TooManyPixels {
        width: u32,
        height: u32,
        limit: String,
    },
    /// The header claims an empty image.
    #[error("the image header claims {width}x{height} pixels (empty)")]
    Empty { width: u32, height: u32 },
}

fn mb(bytes: u64) -> String {
    let tenths = bytes.saturating_mul(10) / (1024 * 1024);
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// Checks the file's size and header dimensions, then reads it (bounded). `max_edge` is the
/// longest accepted side in pixels (`None`: only the pixel count is limited). Returns the bytes
/// and the header's dimensions.
pub fn read_checked(
    path: &Path,
    max_edge: Option<u32>,
) -> Result<(Vec<u8>, (u32, u32)), ImageFileError> {
    let mut file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ImageFileError::NotAFile);
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(ImageFileError::TooBig {
            bytes: meta.len(),
            max: MAX_FILE_BYTES,
        });
    }
    let (width, height) = {
        let header = BufReader::new(&mut file);
        image::ImageReader::new(header)
            .with_guessed_format()
            .map_err(|e| ImageFileError::Header {
                reason: e.to_string(),
            })?
            .into_dimensions()
            .map_err(|e| ImageFileError::Header {
                reason: e.to_string(),
            })?
    };
    if width == 0 || height == 0 {
        return Err(ImageFileError::Empty { width, height });
    }
    let pixels = u64::from(width) * u64::from(height);
    let edge_over = max_edge.is_some_and(|m| width > m || height > m);
    if pixels > MAX_PIXELS || edge_over {
        let limit = match max_edge {
            Some(m) => format!("{} MP and {m} px per side", MAX_PIXELS / 1_000_000),
            None => format!("{} MP", MAX_PIXELS / 1_000_000),
        };
        return Err(ImageFileError::TooManyPixels {
            width,
            height,
            limit,
        });
    }
    file.seek(SeekFrom::Start(0))?;
    // Bounded even if the file grew since its metadata was read.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ImageFileError::TooBig {
            bytes: bytes.len() as u64,
            max: MAX_FILE_BYTES,
        });
    }
    Ok((bytes, (width, height)))
}

/// A baseline JPEG of `w`×`h` whose SOF0 header is then rewritten to claim `claim_w`×`claim_h`
/// (a decode bomb: a few hundred bytes claiming billions of pixels). For tests.
#[cfg(test)]
pub(crate) fn jpeg_claiming(claim_w: u16, claim_h: u16) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(16, 16, image::Rgb([90, 120, 150]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .unwrap_or_else(|e| unreachable!("{e}"));
    let mut bytes = out.into_inner();
    let sof = bytes
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .unwrap_or_else(|| unreachable!("no SOF0"));
    // FF C0, length (2), precision (1), height (2), width (2).
    bytes[sof + 5..sof + 7].copy_from_slice(&claim_h.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&claim_w.to_be_bytes());
    bytes
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_big_file_is_refused_from_its_size_without_reading_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.jpg");
        // Sparse: 1 GiB claimed, nothing written.
        std::fs::File::create(&path)
            .unwrap()
            .set_len(1 << 30)
            .unwrap();
        let e = read_checked(&path, None).unwrap_err();
        assert!(
            matches!(e, ImageFileError::TooBig { bytes, .. } if bytes == 1 << 30),
            "{e}"
        );
        assert_eq!(
            e.to_string(),
            "the file is 1024.0 MB, over the 50.0 MB limit"
        );
    }

    #[test]
    fn a_header_claiming_too_many_pixels_is_refused_before_decoding() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bomb.jpg");
        std::fs::write(&path, jpeg_claiming(60_000, 60_000)).unwrap();
        let e = read_checked(&path, None).unwrap_err();
        assert!(
            matches!(
                e,
                ImageFileError::TooManyPixels {
                    width: 60_000,
                    height: 60_000,
                    ..
                }
            ),
            "{e}"
        );
        // Under the pixel count but over a per-side limit.
        std::fs::write(&path, jpeg_claiming(8_000, 100)).unwrap();
        assert!(read_checked(&path, None).is_ok());
        let e = read_checked(&path, Some(4_096)).unwrap_err();
        assert!(e.to_string().contains("8000x100"), "{e}");
    }

    #[test]
    fn directories_garbage_and_empty_headers_are_typed_errors() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            read_checked(dir.path(), None),
            Err(ImageFileError::NotAFile)
        ));
        let path = dir.path().join("x.jpg");
        std::fs::write(&path, b"not an image at all").unwrap();
        assert!(matches!(
            read_checked(&path, None),
            Err(ImageFileError::Header { .. })
        ));
        std::fs::write(&path, jpeg_claiming(0, 16)).unwrap();
        assert!(matches!(
            read_checked(&path, None),
            Err(ImageFileError::Empty { .. } | ImageFileError::Header { .. })
        ));
        assert!(matches!(
            read_checked(&dir.path().join("missing.jpg"), None),
            Err(ImageFileError::Io(_))
        ));
    }

    #[test]
    fn a_good_image_is_read_whole_with_its_dimensions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ok.jpg");
        let bytes = jpeg_claiming(16, 16);
        std::fs::write(&path, &bytes).unwrap();
        let (read, dims) = read_checked(&path, Some(4_096)).unwrap();
        assert_eq!((read, dims), (bytes, (16, 16)));
    }
}
