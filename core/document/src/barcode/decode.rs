//! PDF417 decoding with `rxing` (its PDF417 reader only), in a few bounded passes.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use image::GrayImage;
use image::imageops::{self, FilterType};
use rxing::common::{GlobalHistogramBinarizer, HybridBinarizer};
use rxing::pdf417::PDF417Reader;
use rxing::{Binarizer, BinaryBitmap, DecodeHints, Luma8Source, Reader};

use super::{BarcodeReading, parse_payload};

/// A further pass starts only while the passes so far took less than this. A pass over a
/// blurred dense code that rxing finds but cannot correct costs ~0.8 s (x86_64; its search over
/// ambiguous codewords), so a miss costs at most about 2 s instead of ~3.2 s for all four.
const PASS_BUDGET: Duration = Duration::from_millis(1000);
/// Images whose longer side is above this are also tried at half size.
const DOWNSCALE_ABOVE: u32 = 1600;
/// Images whose longer side is below this are also tried at twice the size.
const UPSCALE_BELOW: u32 = 1000;

/// Decodes the PDF417 code in `image` (a whole photo or frame, any orientation) and classifies
/// its payload with [`parse_payload`]. Empty when no code decodes.
///
/// At most four passes, stopping at the first that decodes, and starting no further pass once
/// the passes so far took 1 s:
/// 1. the image as it is, with rxing's hybrid (local-threshold) binarizer and `TRY_HARDER`
///    (rxing 0.9.3's PDF417 reader ignores that hint and `PURE_BARCODE`; it is set for later
///    versions). rxing's PDF417 detector itself tries the code at 0°, 180°, 270° and 90°;
/// 2. the global-histogram binarizer (evenly lit, low-contrast prints);
/// 3. the image turned by 90° (rxing's own rotation search stops at the first rotation where
///    its row scan fails outright);
/// 4. the image resampled: halved when its longer side is above 1600 px (large phone photos,
///    where a blurred code's modules are several pixels wide), doubled when below 1000 px
///    (small or distant codes whose modules are 1–2 px).
///
/// The text is the decoder's: byte-compacted payloads without an ECI (the cédula's binary
/// payload) come out as ISO-8859-1, one char per byte (U+0000–U+00FF); a payload that declares
/// an ECI (UTF-8, …) is decoded in that character set. A panic inside the decoder (malformed
/// input) is caught and counts as no decode.
pub fn read_pdf417(image: &GrayImage) -> Vec<BarcodeReading> {
    let (w, h) = image.dimensions();
    if w < 8 || h < 8 {
        return Vec::new();
    }
    let passes: [&dyn Fn() -> Option<String>; 4] = [
        &|| decode_luma(image, Binariser::Hybrid),
        &|| decode_luma(image, Binariser::GlobalHistogram),
        &|| decode_luma(&imageops::rotate90(image), Binariser::Hybrid),
        &|| {
            let long = w.max(h);
            let (nw, nh) = if long > DOWNSCALE_ABOVE {
                (w / 2, h / 2)
            } else if long < UPSCALE_BELOW {
                (w * 2, h * 2)
            } else {
                return None;
            };
            let resized = imageops::resize(image, nw, nh, FilterType::Triangle);
            decode_luma(&resized, Binariser::Hybrid)
        },
    ];
    let start = Instant::now();
    for (i, pass) in passes.iter().enumerate() {
        if i > 0 && start.elapsed() >= PASS_BUDGET {
            tracing::debug!(passes = i, "pdf417 pass budget spent");
            break;
        }
        if let Some(text) = pass() {
            tracing::debug!(pass = i + 1, chars = text.chars().count(), "pdf417 decoded");
            return vec![parse_payload(&text)];
        }
    }
    tracing::debug!("no pdf417 decoded");
    Vec::new()
}

#[derive(Clone, Copy)]
enum Binariser {
    Hybrid,
    GlobalHistogram,
}

fn decode_luma(image: &GrayImage, binariser: Binariser) -> Option<String> {
    let (w, h) = image.dimensions();
    let source = Luma8Source::new_with_slice(image.as_raw(), w, h).ok()?;
    let hints = DecodeHints::default().with(rxing::DecodeHintValue::TryHarder(true));
    let run = || match binariser {
        Binariser::Hybrid => decode_bitmap(BinaryBitmap::new(HybridBinarizer::new(source)), &hints),
        Binariser::GlobalHistogram => decode_bitmap(
            BinaryBitmap::new(GlobalHistogramBinarizer::new(source)),
            &hints,
        ),
    };
    match catch_unwind(AssertUnwindSafe(run)) {
        Ok(text) => text,
        Err(_) => {
            tracing::warn!("the pdf417 decoder panicked; treated as no decode");
            None
        }
    }
}

fn decode_bitmap<B: Binarizer>(mut bitmap: BinaryBitmap<B>, hints: &DecodeHints) -> Option<String> {
    let result = PDF417Reader::new()
        .decode_with_hints(&mut bitmap, hints)
        .ok()?;
    let text = result.getText();
    (!text.is_empty()).then(|| text.to_owned())
}
