//! AAMVA driver licence / ID card payloads (the AAMVA DL/ID Card Design Standard, versions 1–10).
//!
//! Layout: the compliance indicator `@`, LF, RS (0x1E), CR, the file type `ANSI ` (or `AAMVA`
//! in some early cards), the 6-digit issuer identification number (IIN, `636…` for US states),
//! the AAMVA version (2 digits), the jurisdiction version (2 digits, version 2 and later), the
//! number of subfiles (2 digits), then one designator per subfile: type (2 letters, `DL`, `ID`,
//! `Z?` for jurisdiction-specific), offset (4 digits) and length (4 digits). Each subfile starts
//! with its type, then data elements, each a 3-character element ID (`DAQ`, `DCS`, …) and its
//! value, separated by LF and ended by CR.

use std::collections::BTreeMap;

use super::cedula::valid_date;

/// Why a payload that starts like an AAMVA card was refused. Never contains the card's data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AamvaError {
    /// The text does not start with `@`, LF, RS, CR and `ANSI ` / `AAMVA`.
    #[error("missing the AAMVA header (`@` LF RS CR `ANSI `)")]
    Header,
    /// The IIN, version or subfile count is not digits.
    #[error("the header's {0} is not numeric")]
    HeaderField(&'static str),
    /// No subfile with data elements could be found.
    #[error("no subfile with data elements")]
    NoSubfile,
    /// A subfile has none of the mandatory identity elements (document number, names).
    #[error("no document number or name element (DAQ, DCS/DAB/DAA)")]
    NoIdentity,
}

/// A parsed AAMVA card.
#[derive(Clone, PartialEq, Eq)]
pub struct AamvaCard {
    /// Issuer identification number (6 digits).
    pub iin: String,
    /// AAMVA standard version (0–10).
    pub version: u32,
    /// Every data element of every subfile, by element ID (the first occurrence wins).
    pub elements: BTreeMap<String, String>,
    /// The subfile types, in header order (`DL`, `ID`, `ZC`, …).
    pub subfiles: Vec<String>,
}

impl std::fmt::Debug for AamvaCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AamvaCard")
            .field("iin", &self.iin)
            .field("version", &self.version)
            .field("subfiles", &self.subfiles)
            .field(
                "elements",
                &format_args!("<{} redacted>", self.elements.len()),
            )
            .finish()
    }
}

/// IINs of the Canadian jurisdictions (dates are `CCYYMMDD` there, `MMDDCCYY` in the US).
const CANADIAN_IINS: [&str; 13] = [
    "604432", "636028", "636048", "636017", "636016", "636013", "636012", "604426", "604428",
    "636044", "604429", "604430", "604433",
];

/// True when the text starts with the AAMVA compliance indicator and separators (`@` LF RS),
/// tolerating a missing or doubled CR, as some issuers and decoders produce.
pub fn looks_like_aamva(text: &str) -> bool {
    text.starts_with("@\n\u{1e}")
}

/// Parses an AAMVA payload.
pub fn parse(text: &str) -> Result<AamvaCard, AamvaError> {
    if !looks_like_aamva(text) {
        return Err(AamvaError::Header);
    }
    // After "@\n\x1e", a CR (sometimes missing or doubled), then "ANSI " or "AAMVA".
    let rest = text[3..].trim_start_matches('\r');
    let body_start = text.len() - rest.len();
    let header = if let Some(h) = rest.strip_prefix("ANSI ") {
        h
    } else if let Some(h) = rest.strip_prefix("AAMVA") {
        h
    } else if let Some(h) = rest.strip_prefix("ANSI") {
        // "ANSI" without the space (seen in some cards).
        h
    } else {
        return Err(AamvaError::Header);
    };
    let digits = |s: &str, n: usize, what: &'static str| -> Result<String, AamvaError> {
        let v = s.get(..n).ok_or(AamvaError::HeaderField(what))?;
        if v.bytes().all(|b| b.is_ascii_digit()) {
            Ok(v.to_owned())
        } else {
            Err(AamvaError::HeaderField(what))
        }
    };
    let iin = digits(header, 6, "issuer identification number")?;
    let version: u32 = digits(&header[6..], 2, "AAMVA version")?
        .parse()
        .map_err(|_| AamvaError::HeaderField("AAMVA version"))?;
    // Version 1 (and 0) have no jurisdiction version field.
    let mut at = 8;
    if version >= 2 {
        digits(&header[at..], 2, "jurisdiction version")?;
        at += 2;
    }
    let count: usize = digits(&header[at..], 2, "number of entries")?
        .parse()
        .map_err(|_| AamvaError::HeaderField("number of entries"))?;
    at += 2;

    // Subfile designators: type(2) offset(4) length(4). Offsets count from the start of the
    // text; many issuers get them slightly wrong, so the subfile is looked up by its type near
    // the stated offset, then anywhere after the designators.
    let mut designators = Vec::new();
    for _ in 0..count {
        let Some(d) = header.get(at..at + 10) else {
            break;
        };
        let (Some(kind), Some(offset), Some(length)) = (d.get(..2), d.get(2..6), d.get(6..10))
        else {
            break;
        };
        if !kind.bytes().all(|b| b.is_ascii_alphanumeric()) {
            break;
        }
        let offset: Option<usize> = offset.parse().ok();
        let length: Option<usize> = length.parse().ok();
        designators.push((kind.to_owned(), offset, length));
        at += 10;
    }
    let after_designators = body_start + (rest.len() - header.len()) + at;

    let mut elements = BTreeMap::new();
    let mut subfiles = Vec::new();
    for (kind, offset, length) in &designators {
        let start = offset
            .filter(|&o| text.get(o..).is_some_and(|s| s.starts_with(kind.as_str())))
            .or_else(|| {
                text.get(after_designators..)
                    .and_then(|s| find_subfile(s, kind))
                    .map(|i| after_designators + i)
            });
        let Some(start) = start else {
            continue;
        };
        let data_start = start + kind.len();
        let end = length
            .map(|l| start + l)
            .filter(|&e| e > data_start && e <= text.len() && text.is_char_boundary(e))
            .unwrap_or(text.len());
        let Some(data) = text.get(data_start..end) else {
            continue;
        };
        subfiles.push(kind.clone());
        parse_elements(data, &mut elements);
    }
    if subfiles.is_empty() {
        // No usable designator: read the elements after the header, from the first "DL"/"ID".
        let tail = text.get(after_designators..).unwrap_or("");
        if let Some(i) = find_subfile(tail, "DL").or_else(|| find_subfile(tail, "ID")) {
            subfiles.push(tail[i..i + 2].to_owned());
            parse_elements(&tail[i + 2..], &mut elements);
        }
    }
    if elements.is_empty() {
        return Err(AamvaError::NoSubfile);
    }
    let has_name = ["DCS", "DAB", "DAA", "DAC", "DCT"]
        .iter()
        .any(|k| elements.get(*k).is_some_and(|v: &String| !v.is_empty()));
    if !elements.contains_key("DAQ") && !has_name {
        return Err(AamvaError::NoIdentity);
    }
    Ok(AamvaCard {
        iin,
        version,
        elements,
        subfiles,
    })
}

/// Where a subfile of type `kind` starts: its type followed by an element ID (`D` + 2 chars).
fn find_subfile(s: &str, kind: &str) -> Option<usize> {
    s.match_indices(kind)
        .map(|(i, _)| i)
        .find(|&i| s.as_bytes().get(i + 2..i + 5).is_some_and(is_element_id))
}

fn is_element_id(id: &[u8]) -> bool {
    id.len() == 3
        && (id[0] == b'D' || id[0] == b'Z')
        && id[1..]
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Reads `ID value` elements separated by LF / CR (and RS / GS in some cards).
fn parse_elements(data: &str, out: &mut BTreeMap<String, String>) {
    for line in data.split(['\n', '\r', '\u{1e}', '\u{1d}']) {
        let b = line.as_bytes();
        if b.len() < 3 || !is_element_id(&b[..3]) {
            continue;
        }
        let value = line[3..].trim().to_owned();
        out.entry(line[..3].to_owned()).or_insert(value);
    }
}

impl AamvaCard {
    /// True when the card's dates are `CCYYMMDD` (Canada) rather than `MMDDCCYY` (US).
    fn canadian(&self) -> bool {
        match self.elements.get("DCG").map(String::as_str) {
            Some("CAN") => true,
            Some("USA") => false,
            _ => CANADIAN_IINS.contains(&self.iin.as_str()),
        }
    }

    /// A date element as `YYYY-MM-DD`: in the card's country's order when that is a real date,
    /// else in the other order when only that one is (issuers that ignore the rule).
    pub fn date(&self, id: &str) -> Option<String> {
        let v = self.elements.get(id)?;
        let d: String = v.chars().filter(char::is_ascii_digit).collect();
        if d.len() != 8 {
            return None;
        }
        let ymd = (&d[..4], &d[4..6], &d[6..8]);
        let mdy = (&d[4..8], &d[..2], &d[2..4]);
        let (first, second) = if self.canadian() {
            (ymd, mdy)
        } else {
            (mdy, ymd)
        };
        [first, second]
            .into_iter()
            .find(|(y, m, dd)| valid_date(y, m, dd))
            .map(|(y, m, dd)| format!("{y}-{m}-{dd}"))
    }

    /// Sex from `DBC`: `1`/`M` → `M`, `2`/`F` → `F`, `9`/`X` → `X`.
    pub fn sex(&self) -> Option<&'static str> {
        match self.elements.get("DBC")?.trim() {
            "1" | "M" => Some("M"),
            "2" | "F" => Some("F"),
            "9" | "X" => Some("X"),
            _ => None,
        }
    }

    /// (surname, given names): `DCS` + `DAC`/`DAD` (v2+), `DAB` + `DAC`/`DAD` or `DCT`, or the
    /// full name `DAA` (v1: `LAST,FIRST,MIDDLE` or `LAST$FIRST$MIDDLE`).
    pub fn names(&self) -> (Option<String>, Option<String>) {
        let get = |k: &str| {
            self.elements
                .get(k)
                .map(|v| clean_name(v))
                .filter(|v| !v.is_empty())
        };
        let surname = get("DCS").or_else(|| get("DAB"));
        let given = match (get("DAC"), get("DAD")) {
            (Some(f), Some(m)) => Some(format!("{f} {m}")),
            (Some(f), None) => Some(f),
            (None, _) => get("DCT"),
        };
        if surname.is_some() || given.is_some() {
            return (surname, given);
        }
        let Some(full) = self.elements.get("DAA") else {
            return (None, None);
        };
        let mut parts = full
            .split([',', '$'])
            .map(clean_name)
            .filter(|p| !p.is_empty());
        let surname = parts.next();
        let given: Vec<String> = parts.collect();
        (surname, (!given.is_empty()).then(|| given.join(" ")))
    }

    /// The fields of a [`super::BarcodeReading`]: every element by ID, plus the normalised
    /// `document_number`, `surname`, `given_names`, `date_of_birth`, `expiry_date`,
    /// `issue_date` (`YYYY-MM-DD`), `sex`, `issuer_iin`, `aamva_version`.
    pub fn into_fields(self) -> BTreeMap<String, String> {
        let mut f = self.elements.clone();
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                f.insert(k.to_owned(), v);
            }
        };
        put("document_number", self.elements.get("DAQ").cloned());
        let (surname, given) = self.names();
        put("surname", surname);
        put("given_names", given);
        put("date_of_birth", self.date("DBB"));
        put("expiry_date", self.date("DBA"));
        put("issue_date", self.date("DBD"));
        put("sex", self.sex().map(str::to_owned));
        put("issuer_iin", Some(self.iin.clone()));
        put("aamva_version", Some(self.version.to_string()));
        f
    }
}

/// Trims, and turns the AAMVA truncation/padding marks into spaces.
fn clean_name(v: &str) -> String {
    v.split([' ', ',', '$'])
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(iin: &str, version: &str, body: &str) -> String {
        let subfile = format!("DL{body}\r");
        let header_len = 21 + 10;
        format!(
            "@\n\u{1e}\rANSI {iin}{version}0001DL{header_len:04}{:04}{subfile}",
            subfile.len()
        )
    }

    const BODY: &str = "DAQ123456789\nDCSPUBLIC\nDACJOHN\nDADQ\nDBB01311970\nDBA01312030\nDBC1\n\
                        DAG1 ELM ST\nDAIANYTOWN\nDAJCA\nDAK900010000\nDCGUSA";

    #[test]
    fn parses_the_header_and_the_elements() {
        let c = parse(&card("636014", "09", BODY)).unwrap();
        assert_eq!(c.iin, "636014");
        assert_eq!(c.version, 9);
        assert_eq!(c.subfiles, vec!["DL"]);
        assert_eq!(c.elements["DAQ"], "123456789");
        assert_eq!(c.elements["DCG"], "USA");
        let f = c.into_fields();
        assert_eq!(f["document_number"], "123456789");
        assert_eq!(f["surname"], "PUBLIC");
        assert_eq!(f["given_names"], "JOHN Q");
        assert_eq!(f["date_of_birth"], "1970-01-31");
        assert_eq!(f["expiry_date"], "2030-01-31");
        assert_eq!(f["sex"], "M");
        assert_eq!(f["DAG"], "1 ELM ST");
        assert_eq!(f["aamva_version"], "9");
    }

    #[test]
    fn canadian_dates_are_ccyymmdd_by_country_or_by_iin() {
        let body = BODY
            .replace("01311970", "19700131")
            .replace("DCGUSA", "DCGCAN");
        let c = parse(&card("636012", "09", &body)).unwrap();
        assert_eq!(c.date("DBB").as_deref(), Some("1970-01-31"));
        let body = BODY.replace("01311970", "19700102").replace("\nDCGUSA", "");
        let c = parse(&card("636012", "09", &body)).unwrap();
        // Ontario's IIN: 1970-01-02, not 19 70-01-02 read as MMDD.
        assert_eq!(c.date("DBB").as_deref(), Some("1970-01-02"));
        // A US card whose date is only valid as CCYYMMDD is still read.
        let body = BODY.replace("01311970", "19700131");
        let c = parse(&card("636014", "09", &body)).unwrap();
        assert_eq!(c.date("DBB").as_deref(), Some("1970-01-31"));
        let body = BODY.replace("01311970", "13451970");
        assert_eq!(
            parse(&card("636014", "09", &body)).unwrap().date("DBB"),
            None
        );
    }

    #[test]
    fn version_1_has_no_jurisdiction_version_and_a_full_name() {
        let subfile = "DLDAQ99\nDAAPUBLIC,JOHN,QUINCY\nDBB19700131\r";
        let t = format!(
            "@\n\u{1e}\rANSI 6360100101DL0029{:04}{subfile}",
            subfile.len()
        );
        let c = parse(&t).unwrap();
        assert_eq!(c.version, 1);
        let (surname, given) = c.names();
        assert_eq!(surname.as_deref(), Some("PUBLIC"));
        assert_eq!(given.as_deref(), Some("JOHN QUINCY"));
    }

    #[test]
    fn a_wrong_offset_is_tolerated() {
        let t = card("636014", "09", BODY).replace("DL0031", "DL0040");
        assert_eq!(parse(&t).unwrap().elements["DCS"], "PUBLIC");
    }

    #[test]
    fn refusals() {
        assert_eq!(parse("hello"), Err(AamvaError::Header));
        assert_eq!(parse("@\n\u{1e}\rXYZ"), Err(AamvaError::Header));
        assert_eq!(
            parse("@\n\u{1e}\rANSI 63A014"),
            Err(AamvaError::HeaderField("issuer identification number"))
        );
        assert_eq!(
            parse("@\n\u{1e}\rANSI 636014"),
            Err(AamvaError::HeaderField("AAMVA version"))
        );
        assert_eq!(
            parse(&card("636014", "09", "")).map(|_| ()),
            Err(AamvaError::NoSubfile)
        );
        assert_eq!(
            parse(&card("636014", "09", "DAG1 ELM ST\nDAJCA")).map(|_| ()),
            Err(AamvaError::NoIdentity)
        );
        // Multi-byte text where the designators should be: a refusal, not a panic.
        assert!(parse("@\n\u{1e}\rANSI 636014090001DLé\u{e9}0031003").is_err());
    }

    #[test]
    fn debug_is_redacted() {
        let c = parse(&card("636014", "09", BODY)).unwrap();
        assert!(!format!("{c:?}").contains("PUBLIC"));
    }
}
