//! A specimen passport data page (ICAO Doc 9303 TD3), drawn at run time.
//!
//! The demo needs a document image to upload. Rather than ship a scan of anyone's passport,
//! the CLI draws a fictitious one from the Utopia ("UTO") example of ICAO 9303 Part 4: the
//! bundled public-domain face photo, printed fields, the word "SPECIMEN" across the page and a
//! two-line machine-readable zone whose check digits are computed here, printed in OCR-B (the
//! public-domain font that `smart-enroll-document` bundles) so that the SDK's own MRZ reader
//! ([`read_mrz_back`]) reads it back.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use image::{DynamicImage, Rgb, RgbImage};
use smart_enroll_document::mrz::ocr::MRZ_FONT;
#[cfg(test)]
use smart_enroll_document::mrz::ocr::MrzGlyphReader;
#[cfg(test)]
use smart_enroll_document::{DocumentError, MrzReading, TextRecognizer as _};

/// The font for printed fields (DejaVu Sans Mono, Bitstream Vera licence).
const FONT_REGULAR: &[u8] = include_bytes!("../assets/fonts/DejaVuSansMono.ttf");
/// The bold font for headings and "SPECIMEN".
const FONT_BOLD: &[u8] = include_bytes!("../assets/fonts/DejaVuSansMono-Bold.ttf");
/// The bundled public-domain face photo (see `cli/assets/README.md`).
pub const SAMPLE_SELFIE: &[u8] = include_bytes!("../assets/sample-selfie.jpg");

/// Length of each TD3 MRZ line.
pub const TD3_LINE_LEN: usize = 44;
/// Page size in pixels: 125 x 88 mm (ID-3) at 10 px/mm.
pub const PAGE_WIDTH: u32 = 1250;
/// Page height in pixels.
pub const PAGE_HEIGHT: u32 = 880;

/// Why a specimen could not be produced.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SpecimenError {
    /// A character that an MRZ field cannot hold (only A–Z, 0–9, `<`, and space or hyphen,
    /// which become fillers).
    #[error("MRZ field {field} holds a character the MRZ cannot encode")]
    InvalidCharacter {
        /// Which field.
        field: &'static str,
    },
    /// A field longer than its MRZ slot.
    #[error("MRZ field {field} is longer than {max} characters")]
    TooLong {
        /// Which field.
        field: &'static str,
        /// Slot length.
        max: usize,
    },
    /// A date that is not `YYMMDD`.
    #[error("MRZ field {field} must be a date as YYMMDD")]
    BadDate {
        /// Which field.
        field: &'static str,
    },
    /// The bundled font could not be parsed.
    #[error("the bundled font could not be loaded")]
    Font,
    /// The face photo could not be decoded.
    #[error("the face photo could not be decoded: {0}")]
    Photo(String),
    /// The page could not be encoded.
    #[error("the page could not be encoded: {0}")]
    Encode(String),
}

/// The data printed on the specimen page. Dates are `YYMMDD`, as in the MRZ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecimenData {
    /// Issuing state or organisation, 3 letters (e.g. `UTO`).
    pub issuing_state: String,
    /// Primary identifier (surname).
    pub surname: String,
    /// Secondary identifier (given names, space-separated).
    pub given_names: String,
    /// Document number, up to 9 characters.
    pub document_number: String,
    /// Nationality, 3 letters.
    pub nationality: String,
    /// Date of birth, `YYMMDD`.
    pub birth_date: String,
    /// `F`, `M` or `<` (unspecified).
    pub sex: char,
    /// Date of expiry, `YYMMDD`.
    pub expiry_date: String,
    /// Optional personal number, up to 14 characters.
    pub personal_number: String,
}

impl SpecimenData {
    /// The example holder of ICAO 9303 Part 4 (Anna Maria Eriksson of Utopia).
    pub fn icao_example() -> Self {
        Self {
            issuing_state: "UTO".into(),
            surname: "ERIKSSON".into(),
            given_names: "ANNA MARIA".into(),
            document_number: "L898902C3".into(),
            nationality: "UTO".into(),
            birth_date: "740812".into(),
            sex: 'F',
            expiry_date: "120415".into(),
            personal_number: "ZE184226B".into(),
        }
    }

    /// The demo's holder: the ICAO example with an expiry date in the future.
    pub fn demo() -> Self {
        Self {
            expiry_date: "340415".into(),
            ..Self::icao_example()
        }
    }
}

/// The ICAO 9303 check digit (weights 7, 3, 1; `<` = 0, `A`..`Z` = 10..35).
pub fn check_digit(field: &'static str, value: &str) -> Result<char, SpecimenError> {
    let mut sum: u32 = 0;
    for (i, c) in value.chars().enumerate() {
        let v = match c {
            '0'..='9' => u32::from(c) - u32::from('0'),
            'A'..='Z' => u32::from(c) - u32::from('A') + 10,
            '<' => 0,
            _ => return Err(SpecimenError::InvalidCharacter { field }),
        };
        sum += v * [7, 3, 1][i % 3];
    }
    char::from_digit(sum % 10, 10).ok_or(SpecimenError::InvalidCharacter { field })
}

/// Upper-cases `value`, maps spaces, hyphens and apostrophes to fillers and pads with `<` to
/// `len`.
fn mrz_field(field: &'static str, value: &str, len: usize) -> Result<String, SpecimenError> {
    let mut out = String::with_capacity(len);
    for c in value.trim().chars() {
        let c = c.to_ascii_uppercase();
        match c {
            'A'..='Z' | '0'..='9' | '<' => out.push(c),
            ' ' | '-' | '\'' => out.push('<'),
            _ => return Err(SpecimenError::InvalidCharacter { field }),
        }
    }
    if out.len() > len {
        return Err(SpecimenError::TooLong { field, max: len });
    }
    while out.len() < len {
        out.push('<');
    }
    Ok(out)
}

fn mrz_date(field: &'static str, value: &str) -> Result<String, SpecimenError> {
    let ok = value.len() == 6
        && value.bytes().all(|b| b.is_ascii_digit())
        && matches!(
            &value[2..4],
            "01" | "02" | "03" | "04" | "05" | "06" | "07" | "08" | "09" | "10" | "11" | "12"
        )
        && (1..=31).contains(&value[4..6].parse::<u8>().unwrap_or(0));
    if ok {
        Ok(value.to_string())
    } else {
        Err(SpecimenError::BadDate { field })
    }
}

/// The two 44-character lines of a TD3 (passport) MRZ.
pub fn td3_mrz(data: &SpecimenData) -> Result<[String; 2], SpecimenError> {
    let state = mrz_field("issuing_state", &data.issuing_state, 3)?;
    // Names: SURNAME<<GIVEN<NAMES, truncated to fit the 39 characters after "P<UTO".
    let surname = mrz_field("surname", &data.surname, 39)?;
    let surname = surname.trim_end_matches('<');
    let given = mrz_field("given_names", &data.given_names, 39)?;
    let given = given.trim_end_matches('<');
    let mut names = format!("{surname}<<{given}");
    names.truncate(39);
    let line1 = format!("P<{state}{}", mrz_field("names", &names, 39)?);

    let number = mrz_field("document_number", &data.document_number, 9)?;
    let number_cd = check_digit("document_number", &number)?;
    let nationality = mrz_field("nationality", &data.nationality, 3)?;
    let birth = mrz_date("birth_date", &data.birth_date)?;
    let birth_cd = check_digit("birth_date", &birth)?;
    let sex = match data.sex.to_ascii_uppercase() {
        c @ ('F' | 'M' | '<') => c,
        _ => return Err(SpecimenError::InvalidCharacter { field: "sex" }),
    };
    let expiry = mrz_date("expiry_date", &data.expiry_date)?;
    let expiry_cd = check_digit("expiry_date", &expiry)?;
    let personal = mrz_field("personal_number", &data.personal_number, 14)?;
    // An empty personal number may use '<' as its check digit; we always use the digit (0).
    let personal_cd = check_digit("personal_number", &personal)?;
    let composite_src =
        format!("{number}{number_cd}{birth}{birth_cd}{expiry}{expiry_cd}{personal}{personal_cd}");
    let composite = check_digit("composite", &composite_src)?;
    let line2 = format!(
        "{number}{number_cd}{nationality}{birth}{birth_cd}{sex}{expiry}{expiry_cd}{personal}{personal_cd}{composite}"
    );
    Ok([line1, line2])
}

/// Checks the five check digits of a TD3 line 2; `true` when all are right (tests use it to
/// verify what the generator printed).
#[cfg(test)]
pub fn td3_line2_is_valid(line2: &str) -> bool {
    let b = line2.as_bytes();
    if b.len() != TD3_LINE_LEN || !line2.is_ascii() {
        return false;
    }
    let digit_ok = |range: std::ops::Range<usize>, at: usize| {
        check_digit("line2", &line2[range]).is_ok_and(|d| d as u8 == b[at])
    };
    let composite_src = format!("{}{}{}", &line2[0..10], &line2[13..20], &line2[21..43]);
    digit_ok(0..9, 9)
        && digit_ok(13..19, 19)
        && digit_ok(21..27, 27)
        && digit_ok(28..42, 42)
        && check_digit("composite", &composite_src).is_ok_and(|d| d as u8 == b[43])
}

struct Fonts<'a> {
    regular: FontRef<'a>,
    bold: FontRef<'a>,
    /// OCR-B, for the MRZ.
    mrz: FontRef<'a>,
}

fn fonts() -> Result<Fonts<'static>, SpecimenError> {
    Ok(Fonts {
        regular: FontRef::try_from_slice(FONT_REGULAR).map_err(|_| SpecimenError::Font)?,
        bold: FontRef::try_from_slice(FONT_BOLD).map_err(|_| SpecimenError::Font)?,
        mrz: FontRef::try_from_slice(MRZ_FONT).map_err(|_| SpecimenError::Font)?,
    })
}

fn blend(img: &mut RgbImage, x: i64, y: i64, color: [u8; 3], alpha: f32) {
    if x < 0 || y < 0 || x >= i64::from(img.width()) || y >= i64::from(img.height()) {
        return;
    }
    let (Ok(x), Ok(y)) = (u32::try_from(x), u32::try_from(y)) else {
        return;
    };
    let a = alpha.clamp(0.0, 1.0);
    let p = img.get_pixel_mut(x, y);
    for c in 0..3 {
        let v = f32::from(p[c]) * (1.0 - a) + f32::from(color[c]) * a;
        p[c] = v.round().clamp(0.0, 255.0) as u8;
    }
}

/// Draws `text` with its baseline at `y`; returns the advance width.
fn draw_text(
    img: &mut RgbImage,
    font: &FontRef<'_>,
    size: f32,
    x: f32,
    y: f32,
    text: &str,
    color: [u8; 3],
) -> f32 {
    let scale = PxScale::from(size);
    let scaled = font.as_scaled(scale);
    let mut caret = x;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        let glyph = id.with_scale_and_position(scale, point(caret, y));
        caret += scaled.h_advance(id);
        if let Some(outline) = font.outline_glyph(glyph) {
            let bounds = outline.px_bounds();
            outline.draw(|gx, gy, coverage| {
                blend(
                    img,
                    bounds.min.x as i64 + i64::from(gx),
                    bounds.min.y as i64 + i64::from(gy),
                    color,
                    coverage,
                );
            });
        }
    }
    caret - x
}

fn text_width(font: &FontRef<'_>, size: f32, text: &str) -> f32 {
    let scaled = font.as_scaled(PxScale::from(size));
    text.chars()
        .map(|c| scaled.h_advance(scaled.glyph_id(c)))
        .sum()
}

fn fill_rect(img: &mut RgbImage, x: u32, y: u32, w: u32, h: u32, color: [u8; 3], alpha: f32) {
    for yy in y..(y + h).min(img.height()) {
        for xx in x..(x + w).min(img.width()) {
            blend(img, i64::from(xx), i64::from(yy), color, alpha);
        }
    }
}

/// `YYMMDD` as printed in the visual zone, e.g. `12 AUG 1974`. Years < 50 are 20xx.
fn printed_date(yymmdd: &str) -> String {
    const MONTHS: [&str; 12] = [
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ];
    let yy: u32 = yymmdd.get(0..2).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mm: usize = yymmdd.get(2..4).and_then(|s| s.parse().ok()).unwrap_or(1);
    let dd = yymmdd.get(4..6).unwrap_or("01");
    let year = if yy < 50 { 2000 + yy } else { 1900 + yy };
    let month = MONTHS.get(mm.saturating_sub(1)).copied().unwrap_or("JAN");
    format!("{dd} {month} {year}")
}

/// Draws the specimen page with `face` (JPEG/PNG/WebP bytes) as the holder's photo.
pub fn render(data: &SpecimenData, face: &[u8]) -> Result<RgbImage, SpecimenError> {
    let mrz = td3_mrz(data)?;
    let fonts = fonts()?;
    let face = image::load_from_memory(face).map_err(|e| SpecimenError::Photo(e.to_string()))?;

    // Security-print background: pale gradient with fine guilloche-like waves.
    let mut page = RgbImage::from_fn(PAGE_WIDTH, PAGE_HEIGHT, |x, y| {
        let fx = x as f32 / PAGE_WIDTH as f32;
        let fy = y as f32 / PAGE_HEIGHT as f32;
        let wave = ((x as f32 * 0.045 + (y as f32 * 0.02).sin() * 6.0).sin()
            * (y as f32 * 0.05 + (x as f32 * 0.013).cos() * 4.0).cos())
        .abs();
        let line = if wave > 0.97 { 18.0 } else { 0.0 };
        Rgb([
            (236.0 - 10.0 * fy - line) as u8,
            (242.0 - 6.0 * fx - line * 0.6) as u8,
            (238.0 + 8.0 * fx - line * 0.3) as u8,
        ])
    });

    // Header band.
    fill_rect(&mut page, 0, 0, PAGE_WIDTH, 96, [28, 62, 110], 1.0);
    draw_text(
        &mut page,
        &fonts.bold,
        44.0,
        40.0,
        64.0,
        "UTOPIA",
        [240, 240, 250],
    );
    let title = "PASSPORT / PASSEPORT / PASAPORTE";
    let tw = text_width(&fonts.regular, 26.0, title);
    draw_text(
        &mut page,
        &fonts.regular,
        26.0,
        PAGE_WIDTH as f32 - 40.0 - tw,
        60.0,
        title,
        [220, 226, 240],
    );

    // Photo (35 x 45 mm) with a thin frame, and a faint ghost image on the right.
    let (px, py, pw, ph) = (50u32, 130u32, 330u32, 420u32);
    fill_rect(
        &mut page,
        px - 4,
        py - 4,
        pw + 8,
        ph + 8,
        [90, 100, 120],
        1.0,
    );
    let photo = face
        .resize_to_fill(pw, ph, image::imageops::FilterType::CatmullRom)
        .into_rgb8();
    image::imageops::overlay(&mut page, &photo, i64::from(px), i64::from(py));
    let ghost = DynamicImage::ImageRgb8(photo)
        .resize_to_fill(150, 190, image::imageops::FilterType::Triangle)
        .into_luma8();
    let (gx, gy) = (1060u32, 380u32);
    for (x, y, l) in ghost.enumerate_pixels() {
        let v = l[0];
        blend(
            &mut page,
            i64::from(gx + x),
            i64::from(gy + y),
            [v, v, v],
            0.28,
        );
    }

    // Printed fields: small trilingual captions above each value.
    let label_color = [70, 80, 100];
    let value_color = [15, 20, 30];
    let fields: [(&str, String, u32, u32); 11] = [
        ("Type / Type", "P".into(), 420, 130),
        ("Code / Code", data.issuing_state.clone(), 560, 130),
        (
            "Passport No. / No. du passeport",
            data.document_number.clone(),
            760,
            130,
        ),
        ("Surname / Nom", data.surname.to_uppercase(), 420, 200),
        (
            "Given names / Prénoms",
            data.given_names.to_uppercase(),
            420,
            270,
        ),
        ("Nationality / Nationalité", "UTOPIAN".into(), 420, 340),
        (
            "Date of birth / Date de naissance",
            printed_date(&data.birth_date),
            420,
            410,
        ),
        ("Sex / Sexe", data.sex.to_string(), 860, 410),
        (
            "Place of birth / Lieu de naissance",
            "ZENITH".into(),
            420,
            480,
        ),
        (
            "Date of issue / Date de délivrance",
            "16 APR 2024".into(),
            420,
            550,
        ),
        (
            "Date of expiry / Date d'expiration",
            printed_date(&data.expiry_date),
            760,
            550,
        ),
    ];
    for (label, value, x, y) in &fields {
        draw_text(
            &mut page,
            &fonts.regular,
            17.0,
            *x as f32,
            *y as f32 + 14.0,
            label,
            label_color,
        );
        draw_text(
            &mut page,
            &fonts.bold,
            32.0,
            *x as f32,
            *y as f32 + 50.0,
            value,
            value_color,
        );
    }
    draw_text(
        &mut page,
        &fonts.regular,
        17.0,
        420.0,
        644.0,
        "Authority / Autorité",
        label_color,
    );
    draw_text(
        &mut page,
        &fonts.bold,
        26.0,
        420.0,
        676.0,
        "PASSPORT OFFICE ZENITH",
        value_color,
    );

    // "SPECIMEN", diagonal and translucent, across the visual zone (not the MRZ).
    draw_specimen_stamp(&mut page, &fonts.bold)?;

    // MRZ: white clear zone, two 44-character OCR-B lines filling the page width.
    let mrz_top = 712u32;
    fill_rect(
        &mut page,
        0,
        mrz_top,
        PAGE_WIDTH,
        PAGE_HEIGHT - mrz_top,
        [250, 250, 248],
        1.0,
    );
    let one = text_width(&fonts.mrz, 100.0, "<") / 100.0;
    let size = (PAGE_WIDTH as f32 - 80.0) / (TD3_LINE_LEN as f32 * one);
    for (i, line) in mrz.iter().enumerate() {
        let y = mrz_top as f32 + 62.0 + i as f32 * 72.0;
        draw_text(&mut page, &fonts.mrz, size, 40.0, y, line, [10, 10, 10]);
    }
    Ok(page)
}

fn draw_specimen_stamp(page: &mut RgbImage, bold: &FontRef<'_>) -> Result<(), SpecimenError> {
    // Draw the word on its own layer, then rotate it onto the page by inverse mapping.
    let word = "SPECIMEN";
    let size = 150.0;
    let w = text_width(bold, size, word).ceil() as u32 + 20;
    let h = (size * 1.2) as u32;
    let mut layer = RgbImage::new(w, h);
    draw_text(
        &mut layer,
        bold,
        size,
        10.0,
        size * 0.95,
        word,
        [255, 255, 255],
    );
    let angle: f32 = -20f32.to_radians();
    let (sin, cos) = angle.sin_cos();
    let (cx, cy) = (PAGE_WIDTH as f32 * 0.55, 400.0f32);
    let (lw, lh) = (w as f32, h as f32);
    for y in 60..700u32 {
        for x in 0..PAGE_WIDTH {
            let dx = x as f32 - cx;
            let dy = y as f32 - cy;
            // Inverse rotation into layer coordinates.
            let lx = dx * cos + dy * sin + lw / 2.0;
            let ly = -dx * sin + dy * cos + lh / 2.0;
            if lx < 0.0 || ly < 0.0 || lx >= lw || ly >= lh {
                continue;
            }
            let coverage = f32::from(layer.get_pixel(lx as u32, ly as u32)[0]) / 255.0;
            if coverage > 0.0 {
                blend(
                    page,
                    i64::from(x),
                    i64::from(y),
                    [200, 30, 40],
                    coverage * 0.42,
                );
            }
        }
    }
    Ok(())
}

/// Reads the MRZ of a specimen page back with the SDK's own reader: OCR-B template matching
/// ([`MrzGlyphReader`]) for the text, then `find_mrz` for the zone and its check digits.
// `demo` reads the page back through the same two steps inside its document check
// (`enroll::check_document_side`, which also finds the outline); this is the tests' short way.
#[cfg(test)]
pub fn read_mrz_back(page: &RgbImage) -> Result<Option<MrzReading>, DocumentError> {
    let reader = MrzGlyphReader::new()?;
    let text = reader.recognize_text(page)?;
    Ok(smart_enroll_document::find_mrz(&text))
}

/// The specimen page as a JPEG (quality 92), ready for [`smart_enroll_core::media`].
pub fn render_jpeg(data: &SpecimenData, face: &[u8]) -> Result<Vec<u8>, SpecimenError> {
    let page = render(data, face)?;
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92)
        .encode_image(&page)
        .map_err(|e| SpecimenError::Encode(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icao_9303_example_mrz() {
        let [l1, l2] = td3_mrz(&SpecimenData::icao_example()).unwrap();
        assert_eq!(l1, "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<");
        assert_eq!(l2, "L898902C36UTO7408122F1204159ZE184226B<<<<<10");
        assert_eq!(l1.len(), TD3_LINE_LEN);
        assert!(td3_line2_is_valid(&l2));
    }

    #[test]
    fn check_digits_of_the_icao_example_fields() {
        assert_eq!(check_digit("t", "L898902C3").unwrap(), '6');
        assert_eq!(check_digit("t", "740812").unwrap(), '2');
        assert_eq!(check_digit("t", "120415").unwrap(), '9');
        assert_eq!(check_digit("t", "ZE184226B<<<<<").unwrap(), '1');
        assert_eq!(check_digit("t", "<<<<<<<<<").unwrap(), '0');
        assert_eq!(
            check_digit("t", "a"),
            Err(SpecimenError::InvalidCharacter { field: "t" })
        );
    }

    #[test]
    fn demo_mrz_is_valid_and_tampering_is_detected() {
        let [l1, l2] = td3_mrz(&SpecimenData::demo()).unwrap();
        assert_eq!(l1.len(), TD3_LINE_LEN);
        assert_eq!(l2.len(), TD3_LINE_LEN);
        assert!(td3_line2_is_valid(&l2));
        assert_eq!(&l2[21..27], "340415");
        for i in [0usize, 14, 22, 30, 43] {
            let mut bytes = l2.clone().into_bytes();
            bytes[i] = if bytes[i] == b'7' { b'8' } else { b'7' };
            let tampered = String::from_utf8(bytes).unwrap();
            assert!(!td3_line2_is_valid(&tampered), "tamper at {i}: {tampered}");
        }
    }

    #[test]
    fn names_are_normalised_and_truncated() {
        let data = SpecimenData {
            surname: "de la Cruz-Ospina".into(),
            given_names: "María José".into(),
            ..SpecimenData::demo()
        };
        assert_eq!(
            td3_mrz(&data),
            Err(SpecimenError::InvalidCharacter {
                field: "given_names"
            })
        );
        let data = SpecimenData {
            surname: "de la Cruz-Ospina".into(),
            given_names: "Maria Jose Alejandra Valentina".into(),
            ..SpecimenData::demo()
        };
        let [l1, _] = td3_mrz(&data).unwrap();
        assert_eq!(l1, "P<UTODE<LA<CRUZ<OSPINA<<MARIA<JOSE<ALEJANDRA");
        assert_eq!(l1.len(), TD3_LINE_LEN);
        // Longer names are cut at 39 characters (ICAO 9303 truncation).
        let data = SpecimenData {
            given_names: "Maria Jose Alejandra Valentina".into(),
            surname: "de la Cruz-Ospina y Restrepo".into(),
            ..SpecimenData::demo()
        };
        let [l1, _] = td3_mrz(&data).unwrap();
        assert_eq!(l1, "P<UTODE<LA<CRUZ<OSPINA<Y<RESTREPO<<MARIA<JOS");
    }

    #[test]
    fn bad_fields_are_typed_errors() {
        let too_long = SpecimenData {
            document_number: "L898902C3X".into(),
            ..SpecimenData::demo()
        };
        assert_eq!(
            td3_mrz(&too_long),
            Err(SpecimenError::TooLong {
                field: "document_number",
                max: 9
            })
        );
        for bad in ["741312", "7408", "74081a", "740800"] {
            let data = SpecimenData {
                birth_date: bad.into(),
                ..SpecimenData::demo()
            };
            assert_eq!(
                td3_mrz(&data),
                Err(SpecimenError::BadDate {
                    field: "birth_date"
                }),
                "{bad}"
            );
        }
        let data = SpecimenData {
            sex: 'X',
            ..SpecimenData::demo()
        };
        assert!(matches!(
            td3_mrz(&data),
            Err(SpecimenError::InvalidCharacter { field: "sex" })
        ));
    }

    #[test]
    fn page_renders_with_photo_text_and_stamp() {
        let page = render(&SpecimenData::demo(), SAMPLE_SELFIE).unwrap();
        // Handy for eyeballing the page: SMART_ENROLL_SPECIMEN_PREVIEW=/tmp/page.png.
        if let Some(path) = std::env::var_os("SMART_ENROLL_SPECIMEN_PREVIEW") {
            page.save(path).unwrap();
        }
        assert_eq!(page.dimensions(), (PAGE_WIDTH, PAGE_HEIGHT));
        // The photo area is the face photo: varied, not the background.
        let photo_px: Vec<_> = (0..20)
            .map(|i| page.get_pixel(60 + i * 15, 300)[0])
            .collect();
        let spread = photo_px.iter().max().unwrap() - photo_px.iter().min().unwrap();
        assert!(spread > 30, "photo area looks flat: {photo_px:?}");
        // The MRZ zone has dark ink on white on both lines.
        for y0 in [730u32, 802] {
            let dark = (y0..y0 + 50)
                .flat_map(|y| (40..PAGE_WIDTH - 40).map(move |x| (x, y)))
                .filter(|&(x, y)| page.get_pixel(x, y)[0] < 80)
                .count();
            assert!(dark > 2000, "MRZ line at {y0}: {dark} dark pixels");
        }
        // The red SPECIMEN stamp is present.
        let reddish = page
            .pixels()
            .filter(|p| p[0] > p[1].saturating_add(60) && p[0] > p[2].saturating_add(60))
            .count();
        assert!(reddish > 5000, "{reddish}");
        // Encodes to a JPEG that the media pipeline accepts as a document side.
        let jpeg = render_jpeg(&SpecimenData::demo(), SAMPLE_SELFIE).unwrap();
        let prepared = smart_enroll_core::media::prepare_document(&jpeg).unwrap();
        assert_eq!((prepared.width, prepared.height), (PAGE_WIDTH, PAGE_HEIGHT));
        assert!(prepared.jpeg.len() <= smart_enroll_core::media::DOCUMENT_MAX_BYTES);
    }

    fn assert_demo_holder(reading: Option<MrzReading>, what: &str) {
        let r = reading.unwrap_or_else(|| panic!("{what}: no MRZ read back"));
        assert!(r.valid, "{what}: failed {:?}", r.failed_checks);
        assert_eq!(r.format, smart_enroll_document::MrzFormat::Td3);
        let f = &r.fields;
        assert_eq!(
            (
                f.surname.as_str(),
                f.given_names.as_str(),
                f.document_number.as_str(),
                f.nationality.as_str(),
                f.issuing_state.as_str(),
            ),
            ("ERIKSSON", "ANNA MARIA", "L898902C3", "UTO", "UTO"),
            "{what}"
        );
        assert_eq!(f.date_of_birth, "1974-08-12", "{what}");
        assert_eq!(f.sex, "F", "{what}");
        assert_eq!(f.expiry_date, "2034-04-15", "{what}");
    }

    #[test]
    fn the_sdk_reads_the_specimen_mrz_back_exactly() {
        let page = render(&SpecimenData::demo(), SAMPLE_SELFIE).unwrap();
        // The raw text is the printed zone, character for character (no repair needed).
        let text = MrzGlyphReader::new()
            .unwrap()
            .recognize_text(&page)
            .unwrap();
        let [l1, l2] = td3_mrz(&SpecimenData::demo()).unwrap();
        assert_eq!(text, format!("{l1}\n{l2}"));
        assert_demo_holder(read_mrz_back(&page).unwrap(), "clean page");
    }

    #[test]
    fn the_specimen_mrz_reads_back_after_blur_noise_and_jpeg() {
        let page = render(&SpecimenData::demo(), SAMPLE_SELFIE).unwrap();
        // Mild blur.
        let blurred = image::imageops::blur(&page, 1.2);
        assert_demo_holder(read_mrz_back(&blurred).unwrap(), "blur 1.2");
        // Noise (deterministic, ±24 levels).
        let mut noisy = page.clone();
        let mut state: u32 = 0x1234_5678;
        for p in noisy.pixels_mut() {
            for c in 0..3 {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                let n = (state % 49) as i32 - 24;
                p[c] = (i32::from(p[c]) + n).clamp(0, 255) as u8;
            }
        }
        assert_demo_holder(read_mrz_back(&noisy).unwrap(), "noise");
        // JPEG at quality 60, decoded again; and the demo's own JPEG.
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 60)
            .encode_image(&blurred)
            .unwrap();
        let decoded = image::load_from_memory(&jpeg).unwrap().into_rgb8();
        assert_demo_holder(read_mrz_back(&decoded).unwrap(), "blur + JPEG 60");
        let demo_jpeg = render_jpeg(&SpecimenData::demo(), SAMPLE_SELFIE).unwrap();
        let decoded = image::load_from_memory(&demo_jpeg).unwrap().into_rgb8();
        assert_demo_holder(read_mrz_back(&decoded).unwrap(), "demo JPEG");
        // Downscaled to half size (cap height ~15 px).
        let half = image::imageops::resize(
            &page,
            PAGE_WIDTH / 2,
            PAGE_HEIGHT / 2,
            image::imageops::FilterType::Triangle,
        );
        assert_demo_holder(read_mrz_back(&half).unwrap(), "half size");
    }

    #[test]
    fn a_page_without_an_mrz_reads_nothing() {
        let blank = RgbImage::from_pixel(PAGE_WIDTH, PAGE_HEIGHT, Rgb([245, 245, 240]));
        assert!(read_mrz_back(&blank).unwrap().is_none());
        let tiny = RgbImage::new(3, 3);
        assert!(read_mrz_back(&tiny).unwrap().is_none());
    }

    #[test]
    fn bad_photo_is_a_typed_error() {
        assert!(matches!(
            render(&SpecimenData::demo(), b"not an image"),
            Err(SpecimenError::Photo(_))
        ));
    }
}
