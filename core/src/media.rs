//! Image preparation before upload (decode, EXIF orientation, resize, JPEG re-encode).
