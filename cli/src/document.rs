//! `smart-enroll document [--json] IMAGE...`: the on-device document capture assist on still
//! images. Per image: the document's outline (corners clockwise from the top-left, in pixels of
//! the upright image) and the guidance key, the PDF417 barcode (searched over the whole image,
//! also when no outline is found) and the MRZ (read by the SDK's own glyph reader on the
//! flattened page, or on the whole image when no outline is found).
//!
//! `enroll` and `demo` run the same check on the document before the upload
//! ([`check_document`]).

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::{Value, json};
use smart_enroll_core::document::{
    BarcodeReading, DocumentGuidance, DocumentIdentity, DocumentReport, MrzReading, barcode,
    detect, mrz,
};
use smart_enroll_core::{Review, media};

#[derive(clap::Args)]
pub struct Args {
    /// Image files (JPEG, PNG, WebP).
    #[arg(required = true)]
    pub images: Vec<PathBuf>,
    /// Print JSON (one array entry per image) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// What the document check found in one image.
pub struct DocumentCheck {
    /// The image's size (upright), in pixels.
    pub width: u32,
    pub height: u32,
    /// The outline, guidance and metrics.
    pub report: DocumentReport,
    /// The first PDF417 code decoded anywhere in the image.
    pub barcode: Option<BarcodeReading>,
    /// The MRZ read on the flattened page (or the whole image without an outline).
    pub mrz: Option<MrzReading>,
}

impl DocumentCheck {
    /// `{"found", "corners", "guidance"}`.
    pub fn document_json(&self) -> Value {
        let corners = self.report.quad.filter(|_| self.report.found).map(|q| {
            q.corners
                .iter()
                .map(|[x, y]| json!([round1(*x), round1(*y)]))
                .collect::<Vec<_>>()
        });
        json!({
            "found": self.report.found,
            "corners": corners,
            "guidance": self.report.guidance.key(),
        })
    }

    /// `null` or `{"format": "pdf417", "text", "kind", "fields"}`.
    pub fn barcode_json(&self) -> Value {
        self.barcode
            .as_ref()
            .and_then(|b| serde_json::to_value(b).ok())
            .unwrap_or(Value::Null)
    }

    /// `null` or the MRZ as `smart-enroll mrz --json` prints it.
    pub fn mrz_json(&self) -> Value {
        self.mrz.as_ref().map_or(Value::Null, mrz_json)
    }

    /// One sentence for a person: what the check found.
    pub fn summary(&self) -> String {
        let mut parts = vec![if self.report.found {
            format!("document found, guidance {}", self.report.guidance.key())
        } else {
            format!(
                "no document outline (guidance {})",
                self.report.guidance.key()
            )
        }];
        match &self.mrz {
            Some(m) => parts.push(format!(
                "MRZ {} {}",
                m.format.as_str(),
                if m.valid {
                    "valid".to_owned()
                } else {
                    format!("invalid ({})", m.failed_checks.join(", "))
                }
            )),
            None => parts.push("no MRZ".to_owned()),
        }
        match &self.barcode {
            Some(b) => parts.push(format!("PDF417 ({})", kind_key(b))),
            None => parts.push("no PDF417".to_owned()),
        }
        parts.join(", ")
    }
}

fn round1(v: f32) -> f64 {
    (f64::from(v) * 10.0).round() / 10.0
}

fn kind_key(b: &BarcodeReading) -> String {
    serde_json::to_value(b.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// An MRZ reading as `smart-enroll mrz --json` prints it (one function for both commands).
pub fn mrz_json(m: &MrzReading) -> Value {
    crate::mrz::to_json(Some(m))
}

/// Runs the document check on encoded image bytes (JPEG, PNG, WebP; EXIF orientation
/// applied). Blocking: call it off the async runtime.
pub fn check_document(bytes: &[u8]) -> anyhow::Result<DocumentCheck> {
    let image = media::decode_upright(bytes)?;
    let rgb = image.to_rgb8();
    drop(image);
    let report = detect::analyze_image(&rgb);
    // Barcodes over the whole image, outline or not.
    let gray = image::imageops::grayscale(&rgb);
    let barcode = barcode::read_pdf417(&gray).into_iter().next();
    drop(gray);
    let flat = match (&report.quad, report.found) {
        (Some(q), true) => Some(detect::flatten(&rgb, q).context("flattening the document page")?),
        _ => None,
    };
    let reader = mrz::ocr::MrzGlyphReader::new().context("loading the MRZ glyph reader")?;
    // The flattened page first (upright, the MRZ band at its bottom); when that gives no valid
    let mut mrz =
        mrz::read_mrz(&reader, flat.as_ref().unwrap_or(&rgb)).context("reading the MRZ")?;
    // zone (resampling along a slightly-off outline can cost a glyph, and the glyph reader
    // wants the page's own margin, not a strip of the table), the flattened page and the
    // outline's bounding box (a page lying square) each 1 % inset; the first valid one wins.
    if let (Some(q), Some(flat)) = (&report.quad, &flat) {
        let xs = q.corners.map(|c| c[0]);
        let ys = q.corners.map(|c| c[1]);
        let lo = |v: [f32; 4]| v.iter().copied().fold(f32::MAX, f32::min).max(0.0) as u32;
        let hi = |v: [f32; 4]| v.iter().copied().fold(0.0f32, f32::max).ceil() as u32;
        let (x0, y0) = (lo(xs), lo(ys));
        let (x1, y1) = (hi(xs).min(rgb.width()), hi(ys).min(rgb.height()));
        let candidates = [
            inset(flat, 0, 0, flat.width(), flat.height()),
            inset(&rgb, x0, y0, x1.saturating_sub(x0), y1.saturating_sub(y0)),
        ];
        for candidate in candidates.iter().flatten() {
            if mrz.as_ref().is_some_and(|m| m.valid) {
                break;
            }
            let other = mrz::read_mrz(&reader, candidate).context("reading the MRZ")?;
            if other.as_ref().is_some_and(|m| m.valid) || mrz.is_none() {
                mrz = other;
            }
        }
    }
    Ok(DocumentCheck {
        width: rgb.width(),
        height: rgb.height(),
        report,
        barcode,
        mrz,
    })
}

/// The `w`×`h` region of `image` at (`x`, `y`), 1 % inset on every side (None when empty).
fn inset(image: &image::RgbImage, x: u32, y: u32, w: u32, h: u32) -> Option<image::RgbImage> {
    let (dx, dy) = (w / 100, h / 100);
    let (w, h) = (w.checked_sub(2 * dx)?, h.checked_sub(2 * dy)?);
    (w > 1 && h > 1).then(|| image::imageops::crop_imm(image, x + dx, y + dy, w, h).to_image())
}

/// Reads (size and header checked first) and checks one image file.
fn check_file(path: &Path) -> Result<DocumentCheck, String> {
    let (bytes, _) = crate::image_file::read_checked(path, None).map_err(|e| e.to_string())?;
    check_document(&bytes).map_err(|e| format!("{e:#}"))
}

/// Whether the guidance is a quality problem of a document that was found (the photo would
/// waste a billed server attempt): blurry, glare, too dark, too bright.
pub fn refuses(check: &DocumentCheck) -> bool {
    check.report.found
        && matches!(
            check.report.guidance,
            DocumentGuidance::Blurry
                | DocumentGuidance::Glare
                | DocumentGuidance::TooDark
                | DocumentGuidance::TooBright
        )
}

/// What the user should change for a guidance key.
pub fn advice(g: DocumentGuidance) -> &'static str {
    match g {
        DocumentGuidance::NoDocument => "no document outline found in the photo",
        DocumentGuidance::MoveCloser => "the document is too small in the photo",
        DocumentGuidance::MoveBack => "the document is too large or cut off by the edge",
        DocumentGuidance::Align => "the document is too skewed",
        DocumentGuidance::Blurry => "the document is blurry",
        DocumentGuidance::Glare => "a glare covers part of the document",
        DocumentGuidance::TooDark => "the document is too dark",
        DocumentGuidance::TooBright => "the document is too bright",
        DocumentGuidance::HoldStill | DocumentGuidance::Ok => "the document is usable",
    }
}

/// The identity the MRZ (when valid) or the barcode gives, for the review's cross-check.
pub fn identity_of(check: &DocumentCheck) -> Option<DocumentIdentity> {
    let from_mrz = check
        .mrz
        .as_ref()
        .filter(|m| m.valid)
        .map(DocumentIdentity::from_mrz);
    let from_barcode = check.barcode.as_ref().map(DocumentIdentity::from_barcode);
    from_mrz
        .into_iter()
        .chain(from_barcode)
        .find(|i| *i != DocumentIdentity::default())
}

/// Lines for a person: where the server's OCR and the document's MRZ / barcode disagree.
pub fn disagreement_lines(review: &Review) -> Vec<String> {
    if review.machine_readable.is_none() {
        return Vec::new();
    }
    if review.disagreements.is_empty() {
        return vec!["Document data: the server's OCR agrees with the MRZ / barcode".into()];
    }
    let mut out = vec![format!(
        "Document data: {} field(s) where the server's OCR and the MRZ / barcode disagree:",
        review.disagreements.len()
    )];
    for d in &review.disagreements {
        out.push(format!(
            "  {}: server {:?}, document {:?}",
            d.field, d.server, d.document
        ));
    }
    out
}

/// `{"found", "guidance", "mrz", "barcode"}` for `enroll --json` / `demo --json`.
pub fn check_json(check: &DocumentCheck) -> Value {
    json!({
        "found": check.report.found,
        "guidance": check.report.guidance.key(),
        "mrz": check.mrz_json(),
        "barcode": check.barcode_json(),
    })
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    tokio::task::spawn_blocking(move || run_blocking(args))
        .await
        .context("document task failed")?
}

fn entry(path: &Path, result: &Result<DocumentCheck, String>) -> Value {
    let image = path.display().to_string();
    match result {
        Ok(c) => json!({
            "image": image,
            "document": c.document_json(),
            "barcode": c.barcode_json(),
            "mrz": c.mrz_json(),
        }),
        Err(e) => json!({
            "image": image,
            "error": e,
            "document": null,
            "barcode": null,
            "mrz": null,
        }),
    }
}

fn run_blocking(args: Args) -> anyhow::Result<()> {
    let results: Vec<(PathBuf, Result<DocumentCheck, String>)> = args
        .images
        .into_iter()
        .map(|p| {
            let r = check_file(&p);
            (p, r)
        })
        .collect();
    if args.json {
        let entries: Vec<Value> = results.iter().map(|(p, r)| entry(p, r)).collect();
        println!("{}", serde_json::to_string_pretty(&entries)?);
    } else {
        print!("{}", text(&results));
    }
    let failed = results.iter().filter(|(_, r)| r.is_err()).count();
    if failed > 0 {
        anyhow::bail!(
            "{failed} of {} image(s) could not be analysed",
            results.len()
        );
    }
    Ok(())
}

fn text(results: &[(PathBuf, Result<DocumentCheck, String>)]) -> String {
    let mut out = String::new();
    for (path, r) in results {
        out.push_str(&format!("{}\n", path.display()));
        match r {
            Err(e) => out.push_str(&format!("  error:    {e}\n")),
            Ok(c) => {
                out.push_str(&format!("  size:     {}x{}\n", c.width, c.height));
                let corners = match (&c.report.quad, c.report.found) {
                    (Some(q), true) => q
                        .corners
                        .iter()
                        .map(|[x, y]| format!("({x:.0},{y:.0})"))
                        .collect::<Vec<_>>()
                        .join(" "),
                    _ => "not found".to_owned(),
                };
                out.push_str(&format!("  document: {corners}\n"));
                out.push_str(&format!(
                    "  guidance: {} ({})\n",
                    c.report.guidance.key(),
                    advice(c.report.guidance)
                ));
                match &c.barcode {
                    Some(b) => {
                        out.push_str(&format!(
                            "  barcode:  PDF417, {}, {} fields, {} chars\n",
                            kind_key(b),
                            b.fields.len(),
                            b.text.chars().count()
                        ));
                        for (k, v) in &b.fields {
                            out.push_str(&format!("    {k}: {v}\n"));
                        }
                    }
                    None => out.push_str("  barcode:  none\n"),
                }
                match &c.mrz {
                    Some(m) => {
                        out.push_str(&format!(
                            "  mrz:      {} {}\n",
                            m.format.as_str(),
                            if m.valid {
                                "valid".to_owned()
                            } else {
                                format!("INVALID (failed: {})", m.failed_checks.join(", "))
                            }
                        ));
                        for (k, v) in crate::mrz::field_rows(m) {
                            out.push_str(&format!("    {k}: {v}\n"));
                        }
                    }
                    None => out.push_str("  mrz:      none\n"),
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use smart_enroll_core::document::{MrzFields, MrzFormat};

    #[test]
    fn mrz_json_has_the_mrz_commands_shape() {
        let m = MrzReading {
            format: MrzFormat::Td3,
            valid: true,
            fields: MrzFields {
                surname: "ERIKSSON".into(),
                given_names: "ANNA MARIA".into(),
                document_number: "L898902C3".into(),
                nationality: "UTO".into(),
                date_of_birth: "1974-08-12".into(),
                sex: "F".into(),
                expiry_date: "2012-04-15".into(),
                issuing_state: "UTO".into(),
            },
            failed_checks: vec![],
        };
        let v = mrz_json(&m);
        assert_eq!(v["found"], true);
        assert_eq!(v["format"], "TD3");
        assert_eq!(v["valid"], true);
        let keys: Vec<&String> = v["fields"].as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 8);
        assert_eq!(v["fields"]["given_names"], "ANNA MARIA");
        assert_eq!(v["fields"]["date_of_birth"], "1974-08-12");
    }

    #[test]
    fn errors_keep_the_entry_shape() {
        let e = entry(Path::new("x.jpg"), &Err("broken".into()));
        assert_eq!(e["image"], "x.jpg");
        assert_eq!(e["error"], "broken");
        assert!(e["document"].is_null() && e["mrz"].is_null() && e["barcode"].is_null());
    }
}
