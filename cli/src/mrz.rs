//! `smart-enroll mrz`: finds and checks an ICAO 9303 machine-readable zone in OCR text.
//!
//! The text comes from FILE or standard input (what ML Kit, Vision, Tesseract or
//! `MrzGlyphReader` recognised on a document). The zone is found and parsed by
//! `smart_enroll_document::find_mrz`: check digits, check-digit-guided repair of OCR
//! confusions, dates expanded against today.
//!
//! Exit codes: 0 an MRZ was found and every check digit holds; 3 an MRZ was found but some
//! check digit fails (`failed_checks` says which); 4 no MRZ was found; 1 the input could not
//! be read (missing file, not UTF-8, over 1 MiB); 2 a usage error (clap).

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use serde_json::{Value, json};
use smart_enroll_document::{MrzReading, find_mrz};

/// Exit code when the zone's check digits do not all hold.
pub const EXIT_INVALID: u8 = 3;
/// Exit code when no MRZ is found.
pub const EXIT_NOT_FOUND: u8 = 4;
/// Most bytes of text read from FILE or stdin.
const MAX_INPUT_BYTES: u64 = 1024 * 1024;

#[derive(clap::Args)]
pub struct Args {
    /// Print one JSON object (`found`, `format`, `valid`, `fields`, `failed_checks`) instead
    /// of text.
    #[arg(long)]
    json: bool,
    /// A UTF-8 text file holding the recognised text; standard input when omitted or `-`.
    file: Option<PathBuf>,
}

/// Runs the command; the exit code says what was found (see the module docs).
pub fn run(args: Args) -> ExitCode {
    let text = match read_input(args.file.as_deref()) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::FAILURE;
        }
    };
    let reading = find_mrz(&text);
    if args.json {
        println!("{}", to_json(reading.as_ref()));
    } else {
        print!("{}", to_text(reading.as_ref()));
    }
    ExitCode::from(exit_code(reading.as_ref()))
}

fn exit_code(reading: Option<&MrzReading>) -> u8 {
    match reading {
        Some(r) if r.valid => 0,
        Some(_) => EXIT_INVALID,
        None => EXIT_NOT_FOUND,
    }
}

fn read_input(file: Option<&std::path::Path>) -> anyhow::Result<String> {
    let mut bytes = Vec::new();
    let name = match file {
        Some(path) if path.as_os_str() != "-" => {
            let f = std::fs::File::open(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            f.take(MAX_INPUT_BYTES + 1)
                .read_to_end(&mut bytes)
                .with_context(|| format!("cannot read {}", path.display()))?;
            path.display().to_string()
        }
        _ => {
            std::io::stdin()
                .lock()
                .take(MAX_INPUT_BYTES + 1)
                .read_to_end(&mut bytes)
                .context("cannot read standard input")?;
            "standard input".to_owned()
        }
    };
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        bail!("{name} holds more than 1 MiB: OCR text of a document page is a few KB");
    }
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{name} is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// The stable JSON object: all five keys always present; `format`, `valid`, `fields` and
/// `failed_checks` are null when no MRZ is found.
pub(crate) fn to_json(reading: Option<&MrzReading>) -> Value {
    match reading {
        Some(r) => json!({
            "found": true,
            "format": r.format.as_str(),
            "valid": r.valid,
            "fields": {
                "surname": r.fields.surname,
                "given_names": r.fields.given_names,
                "document_number": r.fields.document_number,
                "nationality": r.fields.nationality,
                "date_of_birth": r.fields.date_of_birth,
                "sex": r.fields.sex,
                "expiry_date": r.fields.expiry_date,
                "issuing_state": r.fields.issuing_state,
            },
            "failed_checks": r.failed_checks,
        }),
        None => json!({
            "found": false,
            "format": null,
            "valid": null,
            "fields": null,
            "failed_checks": null,
        }),
    }
}

/// The reading's fields with their text labels, in the order both commands print them.
pub fn field_rows(r: &MrzReading) -> [(&'static str, &str); 8] {
    let f = &r.fields;
    [
        ("surname", &f.surname),
        ("given names", &f.given_names),
        ("document number", &f.document_number),
        ("nationality", &f.nationality),
        ("date of birth", &f.date_of_birth),
        ("sex", &f.sex),
        ("expiry date", &f.expiry_date),
        ("issuing state", &f.issuing_state),
    ]
}

fn to_text(reading: Option<&MrzReading>) -> String {
    let Some(r) = reading else {
        return "no MRZ found\n".to_owned();
    };
    let verdict = if r.valid {
        "every check digit holds".to_owned()
    } else {
        format!("check digits FAILED: {}", r.failed_checks.join(", "))
    };
    let mut out = format!("MRZ {}: {verdict}\n", r.format.as_str());
    for (label, value) in field_rows(r) {
        out.push_str(&format!("  {:<16} {}\n", format!("{label}:"), value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TD3: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n\
                       L898902C36UTO7408122F1204159ZE184226B<<<<<10";

    #[test]
    fn json_and_text_of_a_valid_zone() {
        let r = find_mrz(TD3);
        let v = to_json(r.as_ref());
        assert_eq!(v["found"], true);
        assert_eq!(v["format"], "TD3");
        assert_eq!(v["fields"]["given_names"], "ANNA MARIA");
        assert_eq!(exit_code(r.as_ref()), 0);
        let text = to_text(r.as_ref());
        assert!(
            text.starts_with("MRZ TD3: every check digit holds\n"),
            "{text}"
        );
        assert!(text.contains("  date of birth:   1974-08-12\n"), "{text}");
    }

    #[test]
    fn not_found_and_invalid() {
        let v = to_json(None);
        assert_eq!(v["found"], false);
        assert!(v["fields"].is_null() && v["format"].is_null() && v["valid"].is_null());
        assert_eq!(exit_code(None), EXIT_NOT_FOUND);
        let r = find_mrz(&TD3.replace("<<<<<10", "<<<<<17"));
        assert_eq!(exit_code(r.as_ref()), EXIT_INVALID);
        assert!(to_text(r.as_ref()).contains("check digits FAILED: composite"));
    }
}
