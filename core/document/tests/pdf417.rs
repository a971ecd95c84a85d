//! PDF417: the decoder on ZXing's 18 real photos, and the parsers on synthetic photographs of
//! synthetic AAMVA and Colombian cédula payloads (built from the layouts, encoded with rxing's
//! PDF417 encoder, warped onto a background, blurred, noised and JPEG re-encoded).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use image::{GrayImage, Luma};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rxing::pdf417::PDF417Writer;
use rxing::pdf417::encoder::Dimensions;
use rxing::{BarcodeFormat, EncodeHints, Writer};
use smart_enroll_document::barcode::{self, BarcodeKind, read_pdf417};
use smart_enroll_document::{DocumentIdentity, SideReader, SideStatus};

fn zxing_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/pdf417-zxing")
}

/// The photos this decoder does not read (see the README's PDF417 section): none today.
const ZXING_FLOOR: usize = 18;

#[test]
fn zxing_real_photos_decode_to_their_expected_text() {
    let dir = zxing_dir();
    let mut photos: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .collect();
    photos.sort();
    assert_eq!(photos.len(), 18, "the 18 ZXing photos in {}", dir.display());
    let mut ok = 0;
    let mut failed = Vec::new();
    for photo in &photos {
        let expected = std::fs::read_to_string(photo.with_extension("txt")).unwrap();
        let image = image::open(photo).unwrap().to_luma8();
        let readings = read_pdf417(&image);
        let name = photo.file_name().unwrap().to_string_lossy().into_owned();
        match readings.first() {
            Some(r) if r.text == expected => {
                assert_eq!(r.format, "pdf417");
                // Test texts, neither an AAMVA card nor a cédula.
                assert_eq!(r.kind, BarcodeKind::Unknown, "{name}");
                assert!(r.fields.is_empty(), "{name}");
                ok += 1;
            }
            Some(r) => failed.push(format!("{name}: wrong text ({} chars)", r.text.len())),
            None => failed.push(format!("{name}: no decode")),
        }
    }
    println!("zxing photos decoded: {ok}/18; failed: {failed:?}");
    assert!(ok >= ZXING_FLOOR, "{ok}/18 decoded; failed: {failed:?}");
    // A decode is never a wrong text.
    assert!(
        failed.iter().all(|f| f.ends_with("no decode")),
        "{failed:?}"
    );
}

#[test]
fn no_decode_on_an_image_without_a_code() {
    let mut img = GrayImage::new(320, 240);
    for (x, y, p) in img.enumerate_pixels_mut() {
        *p = Luma([((x * 7 + y * 3) % 256) as u8]);
    }
    assert!(read_pdf417(&img).is_empty());
    assert!(read_pdf417(&GrayImage::new(4, 4)).is_empty());
}

// ---- synthetic payloads -----------------------------------------------------------------------

/// A synthetic AAMVA v9 payload with one DL subfile (offsets and lengths as the standard says).
fn synthetic_aamva(iin: &str, country: &str, dob: &str) -> String {
    let subfile = format!(
        "DLDAQD1234562\nDCSSYNTHETIC\nDDEN\nDACJANE\nDDFN\nDADQUINN\nDDGN\nDCAD\nDCBNONE\n\
         DCDNONE\nDBD01152020\nDBB{dob}\nDBA01152028\nDBC2\nDAYBLU\nDAU064 in\nDAG123 MAIN ST\n\
         DAIANYTOWN\nDAJVA\nDAK221010000  \nDCF2424244747474786102204\nDCG{country}\nDAW120\r"
    );
    let header_len = 21 + 10;
    format!(
        "@\n\u{1e}\rANSI {iin}0900{:02}DL{:04}{:04}{subfile}",
        1,
        header_len,
        subfile.len()
    )
}

/// A synthetic cédula-layout payload (ISO-8859-1, one char per byte): header tokens, the base
/// token (prefix digits, the 10-digit zero-padded number, the first surname), NUL-padded name
/// fields, the `0` + sex + birth date + place/blood token, then pseudo-random binary filler up
/// to 700 chars. `pubdsk`: None (no marker, base index 2), Some(false) (marker and a short
/// token 2: base index 3), Some(true) (marker and a long token 2: base index 2).
fn synthetic_cedula(pubdsk: Option<bool>, dob: &str) -> String {
    let mut s = String::new();
    let field = |s: &mut String, v: &str, width: usize| {
        s.push_str(v);
        for _ in v.len()..width {
            s.push('\0');
        }
    };
    match pubdsk {
        None => {
            field(&mut s, "02130451", 10);
            field(&mut s, "34213812", 10);
        }
        Some(false) => {
            field(&mut s, "0213", 6);
            field(&mut s, "PubDSK_1", 10);
            field(&mut s, "3421381", 10);
        }
        Some(true) => {
            field(&mut s, "0213", 6);
            field(&mut s, "PubDSK_1", 10);
        }
    }
    // Base token: 8 digits, the number, the first surname (23-char fields, NUL-padded).
    s.push_str("41205903");
    s.push_str("0079123456");
    field(&mut s, "PEREZ", 23);
    field(&mut s, "GOMEZ", 23);
    field(&mut s, "JUAN", 23);
    field(&mut s, "CARLOS", 23);
    s.push_str(&format!("0M{dob}05001"));
    s.push('\u{1}');
    s.push_str("O+");
    let mut rng = StdRng::seed_from_u64(13);
    while s.chars().count() < 700 {
        s.push(char::from(rng.random::<u8>()));
    }
    s
}

// ---- synthetic photographs --------------------------------------------------------------------

/// Renders `text` as a PDF417 code (byte compaction for non-ASCII text: ISO-8859-1) on a white
/// card, `module` pixels per module, with a wide white margin.
fn render_code(text: &str, module: u32) -> GrayImage {
    // Error correction level 5 (64 codewords), what the PDF417 specification recommends for
    // 321–863 data codewords (ID cards use 3–5). 6–10 data columns: a taller, narrower symbol than the encoder's default, so that the
    // modules stay 3+ px wide once the card fills a 960 px photo.
    let hints = EncodeHints::default()
        .with(rxing::EncodeHintValue::Margin("0".to_owned()))
        .with(rxing::EncodeHintValue::ErrorCorrection("5".to_owned()))
        .with(rxing::EncodeHintValue::Pdf417Dimensions(Dimensions::new(
            6, 10, 3, 90,
        )));
    let m = PDF417Writer
        .encode_with_hints(text, &BarcodeFormat::PDF_417, 0, 0, &hints)
        .unwrap();
    let (w, h) = (m.width(), m.height());
    let margin = 12 * module;
    let mut img = GrayImage::from_pixel(
        w * module + 2 * margin,
        h * module + 2 * margin,
        Luma([235]),
    );
    for y in 0..h {
        for x in 0..w {
            if m.get(x, y) {
                for dy in 0..module {
                    for dx in 0..module {
                        img.put_pixel(
                            margin + x * module + dx,
                            margin + y * module + dy,
                            Luma([25]),
                        );
                    }
                }
            }
        }
    }
    img
}

/// The homography mapping the four `from` points onto the four `to` points.
fn homography(from: [(f64, f64); 4], to: [(f64, f64); 4]) -> [f64; 9] {
    let mut a = [[0.0f64; 9]; 8];
    for i in 0..4 {
        let ((x, y), (u, v)) = (from[i], to[i]);
        a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    for c in 0..8 {
        let p = (c..8)
            .max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))
            .unwrap();
        a.swap(c, p);
        for r in 0..8 {
            if r != c {
                let f = a[r][c] / a[c][c];
                let pivot = a[c];
                for (x, p) in a[r].iter_mut().zip(pivot).skip(c) {
                    *x -= f * p;
                }
            }
        }
    }
    let mut h = [1.0; 9];
    for i in 0..8 {
        h[i] = a[i][8] / a[i][i];
    }
    h
}

/// A synthetic photograph of `card`: perspective-warped onto a textured background (corners
/// `quad` in the photo), Gaussian blur `sigma`, noise ±`noise`, JPEG quality `quality`.
fn photograph(
    card: &GrayImage,
    size: (u32, u32),
    quad: [(f64, f64); 4],
    sigma: f32,
    noise: i32,
    quality: u8,
    seed: u64,
) -> GrayImage {
    let (cw, ch) = (card.width() as f64, card.height() as f64);
    let corners = [(0.0, 0.0), (cw, 0.0), (cw, ch), (0.0, ch)];
    let h = homography(quad, corners); // photo -> card
    let mut photo = GrayImage::new(size.0, size.1);
    for (x, y, p) in photo.enumerate_pixels_mut() {
        let (xf, yf) = (x as f64 + 0.5, y as f64 + 0.5);
        let w = h[6] * xf + h[7] * yf + h[8];
        let u = (h[0] * xf + h[1] * yf + h[2]) / w - 0.5;
        let v = (h[3] * xf + h[4] * yf + h[5]) / w - 0.5;
        *p = if u >= 0.0 && v >= 0.0 && u < cw - 1.0 && v < ch - 1.0 {
            let (x0, y0) = (u.floor() as u32, v.floor() as u32);
            let (fx, fy) = (u - x0 as f64, v - y0 as f64);
            let g = |dx, dy| card.get_pixel(x0 + dx, y0 + dy)[0] as f64;
            let top = g(0, 0) * (1.0 - fx) + g(1, 0) * fx;
            let bottom = g(0, 1) * (1.0 - fx) + g(1, 1) * fx;
            Luma([(top * (1.0 - fy) + bottom * fy).round() as u8])
        } else {
            // A wood-like textured background, darker than the card.
            let t = ((x as f64 / 9.0).sin() * 18.0 + (y as f64 / 23.0).cos() * 12.0) as i32;
            Luma([(90 + t).clamp(0, 255) as u8])
        };
    }
    let mut photo = image::imageops::blur(&photo, sigma);
    // Uniform noise from a xorshift (cheap in the unoptimised test build).
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let span = (2 * noise + 1) as u64;
    for p in photo.pixels_mut() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let n = (state % span) as i32 - noise;
        p[0] = (p[0] as i32 + n).clamp(0, 255) as u8;
    }
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, quality)
        .encode_image(&photo)
        .unwrap();
    image::load_from_memory(&jpeg).unwrap().to_luma8()
}

/// The synthetic photos' size.
const PHOTO: (u32, u32) = (960, 720);

/// A tilted, slightly keystoned placement of a card in a 960×720 photo.
fn tilted(card: &GrayImage) -> [(f64, f64); 4] {
    let (w, h) = (card.width() as f64, card.height() as f64);
    let s = (820.0 / w).min(600.0 / h);
    let (w, h) = (w * s, h * s);
    let (x0, y0) = ((960.0 - w) / 2.0, (720.0 - h) / 2.0);
    [
        (x0 + 0.03 * w, y0 + 0.06 * h),
        (x0 + w - 0.02 * w, y0),
        (x0 + w, y0 + h - 0.02 * h),
        (x0, y0 + h - 0.08 * h),
    ]
}

fn synthetic_photo_of(text: &str, seed: u64) -> GrayImage {
    let card = render_code(text, 3);
    photograph(&card, PHOTO, tilted(&card), 0.7, 6, 80, seed)
}

#[test]
fn synthetic_photo_of_a_synthetic_aamva_payload_decodes_and_parses() {
    let payload = synthetic_aamva("636000", "USA", "07041985");
    let photo = synthetic_photo_of(&payload, 1);
    let readings = read_pdf417(&photo);
    let r = readings.first().expect("the synthetic AAMVA photo decodes");
    assert_eq!(r.text, payload);
    assert_eq!(r.kind, BarcodeKind::Aamva);
    assert_eq!(r.fields["DAQ"], "D1234562");
    assert_eq!(r.fields["DCS"], "SYNTHETIC");
    assert_eq!(r.fields["DAC"], "JANE");
    assert_eq!(r.fields["DAG"], "123 MAIN ST");
    assert_eq!(r.fields["date_of_birth"], "1985-07-04");
    assert_eq!(r.fields["expiry_date"], "2028-01-15");
    assert_eq!(r.fields["sex"], "F");
    let id = DocumentIdentity::from_barcode(r);
    assert_eq!(id.surnames.as_deref(), Some("SYNTHETIC"));
    assert_eq!(id.given_names.as_deref(), Some("JANE QUINN"));
    assert_eq!(id.document_number.as_deref(), Some("D1234562"));
    assert_eq!(id.date_of_birth.as_deref(), Some("1985-07-04"));
}

#[test]
fn synthetic_canadian_aamva_payload_reads_dates_as_ccyymmdd() {
    // Not photographed: the date order is the parser's business.
    let r = barcode::parse_payload(&synthetic_aamva("636012", "CAN", "19850704"));
    assert_eq!(r.kind, BarcodeKind::Aamva);
    assert_eq!(r.fields["date_of_birth"], "1985-07-04");
}

fn assert_synthetic_cedula(r: &smart_enroll_document::BarcodeReading, payload: &str) {
    assert_eq!(r.text, payload);
    assert_eq!(r.kind, BarcodeKind::ColombianCedula);
    assert_eq!(r.fields["document_number"], "79123456");
    assert_eq!(r.fields["first_surname"], "PEREZ");
    assert_eq!(r.fields["second_surname"], "GOMEZ");
    assert_eq!(r.fields["given_names"], "JUAN CARLOS");
    assert_eq!(r.fields["date_of_birth"], "1990-02-15");
    assert_eq!(r.fields["sex"], "M");
    let id = DocumentIdentity::from_barcode(r);
    assert_eq!(id.surnames.as_deref(), Some("PEREZ GOMEZ"));
    assert_eq!(id.given_names.as_deref(), Some("JUAN CARLOS"));
    assert_eq!(id.document_number.as_deref(), Some("79123456"));
    assert_eq!(id.date_of_birth.as_deref(), Some("1990-02-15"));
}

#[test]
fn synthetic_photo_of_a_synthetic_cedula_payload_without_pubdsk_decodes_and_parses() {
    let payload = synthetic_cedula(None, "19900215");
    let photo = synthetic_photo_of(&payload, 2);
    let readings = read_pdf417(&photo);
    let r = readings
        .first()
        .expect("the synthetic cédula photo decodes");
    assert_synthetic_cedula(r, &payload);
}

#[test]
fn synthetic_photo_of_a_synthetic_cedula_payload_with_pubdsk_decodes_and_parses() {
    let payload = synthetic_cedula(Some(false), "19900215");
    let photo = synthetic_photo_of(&payload, 3);
    let readings = read_pdf417(&photo);
    let r = readings
        .first()
        .expect("the synthetic cédula photo decodes");
    assert_synthetic_cedula(r, &payload);
}

#[test]
fn synthetic_cedula_payload_with_pubdsk_and_a_long_token_2_uses_base_index_2() {
    assert_synthetic_cedula(
        &barcode::parse_payload(&synthetic_cedula(Some(true), "19900215")),
        &synthetic_cedula(Some(true), "19900215"),
    );
}

#[test]
fn synthetic_photo_of_a_cedula_layout_with_a_bad_date_is_unknown_not_a_wrong_parse() {
    let payload = synthetic_cedula(None, "19990231");
    let photo = synthetic_photo_of(&payload, 4);
    let readings = read_pdf417(&photo);
    let r = readings.first().expect("the synthetic photo decodes");
    assert_eq!(r.text, payload);
    assert_eq!(r.kind, BarcodeKind::Unknown);
    assert!(r.fields.is_empty());
    let (_, refusal) = barcode::explain_payload(&payload);
    assert_eq!(
        refusal,
        Some(barcode::PayloadRefusal::Cedula(
            barcode::cedula::CedulaError::InvalidDate
        ))
    );
    assert_eq!(
        DocumentIdentity::from_barcode(r),
        DocumentIdentity::default()
    );
}

#[test]
fn three_synthetic_photos_of_the_same_side_read_it() {
    let payload = synthetic_cedula(None, "19900215");
    let card = render_code(&payload, 3);
    let mut side = SideReader::new();
    let mut last = None;
    for seed in 0..3u64 {
        // A hand-held series: the placement shifts a little between shots.
        let d = seed as f64 * 9.0;
        let q = tilted(&card).map(|(x, y)| (x + d, y - d));
        let photo = photograph(&card, PHOTO, q, 0.7, 5, 85, 10 + seed);
        last = Some(side.push(read_pdf417(&photo).into_iter().next()));
    }
    match last {
        Some(SideStatus::Read(r)) => assert_synthetic_cedula(&r, &payload),
        other => panic!("side not read: {other:?}"),
    }
}

#[test]
fn a_synthetic_photo_too_blurred_to_decode_is_a_miss_not_a_wrong_text() {
    // σ 1.3 at about 3 px per module: rxing finds the code but cannot correct it.
    let payload = synthetic_cedula(None, "19900215");
    let card = render_code(&payload, 3);
    let photo = photograph(&card, PHOTO, tilted(&card), 1.3, 6, 80, 1);
    let readings = read_pdf417(&photo);
    assert!(
        readings.iter().all(|r| r.text == payload),
        "a decode is the payload"
    );
}
