//! Fuzzes image decoding and upload preparation (`smart_enroll_core::media`): any bytes, as a
//! document or a selfie. Decoding must refuse (typed `MediaError`) or produce a JPEG within the
//! kind's size and edge budget; never panic, never allocate past the decode limits.
//!
//! Run: `scripts/fuzz.sh`, or `cd core/fuzz && cargo +nightly fuzz run media`
#![no_main]

use libfuzzer_sys::fuzz_target;
use smart_enroll_core::media::{self, ImageKind};

fuzz_target!(|data: &[u8]| {
    let Some((&which, bytes)) = data.split_first() else {
        return;
    };
    let kind = if which & 1 == 0 {
        ImageKind::Document
    } else {
        ImageKind::Selfie
    };
    if let Ok(p) = media::prepare(bytes, kind) {
        assert!(p.jpeg.len() <= kind.max_bytes(), "{} bytes", p.jpeg.len());
        assert!(p.width.max(p.height) <= kind.max_edge(), "{}x{}", p.width, p.height);
        assert!(media::decode_upright(&p.jpeg).is_ok(), "the prepared JPEG decodes");
    }
});
