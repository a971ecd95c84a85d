//! The machine-readable zone (ICAO 9303 TD1, TD2, TD3): found in recognised text, parsed with
//! check digits.
//!
//! OCR stays on the platform ([`TextRecognizer`]); [`find_mrz`] finds the zone in its text and
//! parses it with the `mrz` crate. [`ocr::MrzGlyphReader`] is the SDK's own text source for
//! MRZs printed in OCR-B (the CLI and the tests).

use image::RgbImage;
use serde::Serialize;

use crate::DocumentError;

/// The app's OCR (ML Kit on Android, Vision on iOS; the CLI and the tests bring their own).
pub trait TextRecognizer: Send + Sync {
    /// The text recognised in `image`, lines separated by `\n`.
    fn recognize_text(&self, image: &RgbImage) -> Result<String, DocumentError>;
}

/// The MRZ layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum MrzFormat {
    /// ID-1 cards: three lines of 30.
    #[serde(rename = "TD1")]
    Td1,
    /// ID-2: two lines of 36.
    #[serde(rename = "TD2")]
    Td2,
    /// Passports: two lines of 44.
    #[serde(rename = "TD3")]
    Td3,
}

impl MrzFormat {
    /// "TD1", "TD2" or "TD3".
    pub fn as_str(self) -> &'static str {
        match self {
            MrzFormat::Td1 => "TD1",
            MrzFormat::Td2 => "TD2",
            MrzFormat::Td3 => "TD3",
        }
    }
}

/// The fields of an MRZ. Personal data: `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Default, Serialize)]
pub struct MrzFields {
    /// Primary identifier (split at the first `<<`, `<` read as a space).
    pub surname: String,
    /// Secondary identifier.
    pub given_names: String,
    /// Document number.
    pub document_number: String,
    /// Nationality (three letters).
    pub nationality: String,
    /// Date of birth, `YYYY-MM-DD` (never in the future: YY above this year's is 19YY).
    pub date_of_birth: String,
    /// `M`, `F` or `X`.
    pub sex: String,
    /// Date of expiry, `YYYY-MM-DD` (20YY).
    pub expiry_date: String,
    /// Issuing state (three letters).
    pub issuing_state: String,
}

impl std::fmt::Debug for MrzFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MrzFields(<redacted>)")
    }
}

/// One MRZ reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MrzReading {
    /// The layout found.
    pub format: MrzFormat,
    /// True only when every check digit holds, the composite one included.
    pub valid: bool,
    /// The fields (after check-digit-guided repair of OCR confusions).
    pub fields: MrzFields,
    /// The fields whose check digit failed (`document_number`, `date_of_birth`,
    /// `expiry_date`, `optional_data`, `composite`); empty when valid.
    pub failed_checks: Vec<String>,
}

/// At most this many bytes of recognised text are looked at (an MRZ is under 100 characters;
/// a page of OCR text is a few KB). Longer input is cut, at a character boundary.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;
/// At most this many MRZ-like lines (the last ones: the MRZ is at the bottom of a page) are
/// handed to the parser, which bounds its work on hostile input.
const MAX_CANDIDATE_LINES: usize = 12;

/// A calendar day (UTC), the "today" against which two-digit birth years are expanded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CalendarDay {
    /// Year, e.g. 2026.
    pub year: i32,
    /// Month, 1–12.
    pub month: u32,
    /// Day of the month, 1–31.
    pub day: u32,
}

impl CalendarDay {
    /// Today in UTC from the system clock.
    pub fn today_utc() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let days = i64::try_from(secs / 86_400).unwrap_or(0);
        let d = mrz::Date::from_epoch_days(days);
        Self {
            year: d.year,
            month: d.month,
            day: d.day,
        }
    }
}

/// Finds and parses an MRZ in recognised text, expanding two-digit years against today's date
/// (UTC, system clock). See [`find_mrz_as_of`].
pub fn find_mrz(text: &str) -> Option<MrzReading> {
    find_mrz_as_of(text, CalendarDay::today_utc())
}

/// Finds and parses an MRZ (TD1 3×30, TD2 2×36, TD3 2×44) in recognised text.
///
/// The text may be noisy OCR output: other lines of the page around the zone, spaces inside MRZ
/// lines, lowercase, `«`/`‹` or `K` read for the filler `<`, lines a few characters too short or
/// too long. The zone is located and parsed with the `mrz` crate (`find_and_parse_with`),
/// which repairs OCR confusions (`O`/`0`, `I`/`1`, `B`/`8`, `S`/`5`, `Z`/`2`, …) by position
/// and keeps a repair only when the check digits agree with it. Before that, this function
/// bounds the input ([`MAX_TEXT_BYTES`], the last 12 MRZ-like lines) and, when the crate's
/// reading of `«` as `<<` does not validate, retries with `«` read as a single `<`.
///
/// Returns `None` when no MRZ is found. A reading whose check digits do not all hold is
/// returned with `valid == false` and `failed_checks` naming each failed one.
///
/// Dates: the date of birth is `YYYY-MM-DD`, never after `today` (YY above today's two-digit
/// year is 19YY, and a 20YY date later than today also becomes 19YY); the date of expiry is
/// always 20YY. A date field that holds no calendar date (fillers for an unknown date, a 13th
/// month) is an empty string. Sex: `M`, `F`, or `X` for the filler `<` (unspecified, as ICAO
/// 9303 allows) and for any other character.
pub fn find_mrz_as_of(text: &str, today: CalendarDay) -> Option<MrzReading> {
    let text = bounded(text, MAX_TEXT_BYTES);
    let candidates = candidate_lines(text);
    if candidates.is_empty() {
        return None;
    }
    let opts = mrz::ParseOptions::default().with_pivot_yy(year_yy(today.year));
    let mut best: Option<mrz::MrzData> = None;
    for variant in [
        FillerReading::Double,
        FillerReading::Single,
        FillerReading::PadToNeighbour,
    ] {
        let lines: Vec<String> = match variant {
            FillerReading::PadToNeighbour => pad_to_neighbour(&candidates),
            _ => candidates.iter().map(|l| variant.apply(l)).collect(),
        };
        let joined = lines.join("\n");
        let wanted = match variant {
            FillerReading::Double => true,
            FillerReading::Single => candidates.iter().any(|l| l.contains(['«', '≪'])),
            FillerReading::PadToNeighbour => lines != candidates,
        };
        if !wanted {
            continue;
        }
        match mrz::find_and_parse_with(&joined, &opts) {
            Ok(data) if data.valid() => {
                best = Some(data);
                break;
            }
            Ok(data) => {
                if best.is_none() {
                    best = Some(data);
                }
            }
            Err(_) => {}
        }
    }
    let mut data = best?;
    if !data.valid()
        && data.checks.document_number == Some(false)
        && let Some(repaired) = repair_document_number(&data, &opts)
    {
        data = repaired;
    }
    let format = match data.format {
        mrz::Format::Td1 => MrzFormat::Td1,
        mrz::Format::Td2 => MrzFormat::Td2,
        mrz::Format::Td3 => MrzFormat::Td3,
        // Visas (MRV-A/B) are not identity documents for enrollment.
        _ => return None,
    };
    let failed_checks = failed_checks(&data.checks);
    tracing::debug!(
        format = format.as_str(),
        valid = failed_checks.is_empty(),
        failed = failed_checks.len(),
        "MRZ found"
    );
    Some(MrzReading {
        format,
        valid: failed_checks.is_empty() && data.valid(),
        fields: MrzFields {
            surname: data.surname.clone(),
            given_names: data.given_names.clone(),
            document_number: data.full_document_number().to_owned(),
            nationality: data.nationality.clone(),
            date_of_birth: birth_date(&data.date_of_birth, today),
            sex: sex(data.sex),
            expiry_date: expiry_date(&data.date_of_expiry),
            issuing_state: data.issuing_country.clone(),
        },
        failed_checks,
    })
}

/// Letters that OCR reads for digits (`O`/`0`, `I`/`1`, `Z`/`2`, `S`/`5`, `G`/`6`, `B`/`8`, …).
const DIGIT_LOOKALIKES: [(char, char); 10] = [
    ('O', '0'),
    ('D', '0'),
    ('Q', '0'),
    ('I', '1'),
    ('Z', '2'),
    ('S', '5'),
    ('G', '6'),
    ('T', '7'),
    ('B', '8'),
    ('U', '0'),
];
/// At most this many lookalike letters of a document number are swept (2^6 readings).
const MAX_DOCUMENT_NUMBER_SWAPS: usize = 6;

/// Check-digit-guided repair of the document number, on top of the `mrz` crate.
///
/// The crate repairs numeric fields by position, but a document number may hold letters, so a
/// digit read as a lookalike letter there (`D23I4S89O7`) is left alone. This sweeps every
/// combination of the number's lookalike letters read as their digits, and keeps a reading only
/// when the whole zone then validates (its own digit and the composite). Among those, the one
/// with the fewest changes wins, and only when no other reading ties with it.
fn repair_document_number(data: &mrz::MrzData, opts: &mrz::ParseOptions) -> Option<mrz::MrzData> {
    let lines: Vec<&str> = data.mrz_lines.lines().collect();
    // (line, start) of the 9-cell document-number field.
    let (line, start) = match (data.format, lines.len()) {
        (mrz::Format::Td3 | mrz::Format::Td2, 2) => (1usize, 0usize),
        (mrz::Format::Td1, 3) => (0, 5),
        _ => return None,
    };
    let field: Vec<char> = lines.get(line)?.chars().skip(start).take(9).collect();
    let swaps: Vec<(usize, char)> = field
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            DIGIT_LOOKALIKES
                .iter()
                .find(|(l, _)| l == c)
                .map(|&(_, d)| (i, d))
        })
        .collect();
    if swaps.is_empty() || swaps.len() > MAX_DOCUMENT_NUMBER_SWAPS {
        return None;
    }
    let mut best: Option<(u32, mrz::MrzData)> = None;
    let mut tie = false;
    for mask in 1u32..(1 << swaps.len()) {
        let mut cells = field.clone();
        for (bit, &(i, d)) in swaps.iter().enumerate() {
            if mask & (1 << bit) != 0 {
                cells[i] = d;
            }
        }
        let mut zone: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
        let target = zone.get(line)?;
        let mut rebuilt: String = target.chars().take(start).collect();
        rebuilt.extend(cells.iter());
        rebuilt.extend(target.chars().skip(start + 9));
        zone[line] = rebuilt;
        let parsed = match data.format {
            mrz::Format::Td3 => mrz::parse_td3_with(&zone[0], &zone[1], opts),
            mrz::Format::Td2 => mrz::parse_td2_with(&zone[0], &zone[1], opts),
            _ => mrz::parse_td1_with(&zone[0], &zone[1], &zone[2], opts),
        };
        let Ok(candidate) = parsed else { continue };
        if !candidate.valid() {
            continue;
        }
        let changes = mask.count_ones();
        match &best {
            Some((n, _)) if *n < changes => {}
            Some((n, _)) if *n == changes => tie = true,
            _ => {
                best = Some((changes, candidate));
                tie = false;
            }
        }
    }
    match best {
        Some((_, data)) if !tie => Some(data),
        _ => None,
    }
}

/// How the `«` that some OCR engines print for fillers is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FillerReading {
    /// As `<<` (the `mrz` crate's reading).
    Double,
    /// As `<`.
    Single,
    /// As `<<`, with short lines padded to their neighbour's width ([`pad_to_neighbour`]).
    PadToNeighbour,
}

impl FillerReading {
    fn apply(self, line: &str) -> String {
        match self {
            FillerReading::Double | FillerReading::PadToNeighbour => line.to_owned(),
            FillerReading::Single => line.replace(['«', '≪'], "<"),
        }
    }
}

/// OCR engines often drop a whole trailing filler run (a name line `P<UTOERIKSSON<<ANNA` with
/// 20 fillers missing, more than the `mrz` crate pads back). A line shorter than an adjacent
/// line of exact MRZ width (30, 36, 44) is padded with `<` to that width: trailing cells of a
/// name or optional-data field are fillers, and the check digits still judge line 2.
fn pad_to_neighbour(lines: &[String]) -> Vec<String> {
    let exact = |l: &String| matches!(l.len(), 30 | 36 | 44);
    (0..lines.len())
        .map(|i| {
            let line = &lines[i];
            let next = lines.get(i + 1).filter(|l| exact(l));
            let prev = i
                .checked_sub(1)
                .and_then(|j| lines.get(j))
                .filter(|l| exact(l));
            match next.or(prev) {
                Some(n) if line.len() < n.len() && line.len() * 2 >= n.len() => {
                    let mut padded = line.clone();
                    padded.extend(std::iter::repeat_n('<', n.len() - line.len()));
                    padded
                }
                _ => line.clone(),
            }
        })
        .collect()
}

/// `text` cut to at most `max` bytes at a character boundary.
fn bounded(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The lines of `text` that could be (part of) an MRZ line, normalised for the parser
/// (whitespace removed, upper case, `&lt;`/`‹`/`〈`/`＜` read as `<`; `«` kept for the
/// parser's own handling), the last [`MAX_CANDIDATE_LINES`] of them.
fn candidate_lines(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = line.replace("&lt;", "<");
        let mut norm = String::with_capacity(line.len());
        let mut mrz_chars = 0usize;
        let mut other = 0usize;
        for c in line.chars().filter(|c| !c.is_whitespace()) {
            let c = match c {
                '‹' | '〈' | '＜' | '˂' => '<',
                c => c.to_ascii_uppercase(),
            };
            match c {
                'A'..='Z' | '0'..='9' | '<' => mrz_chars += 1,
                '«' | '≪' => mrz_chars += 2,
                _ => other += 1,
            }
            norm.push(c);
        }
        // An MRZ line (or two merged ones) is 30–88 cells; allow for dropped or extra cells.
        // OCR noise outside the charset (a stray `.`) is tolerated up to two characters.
        // Short pieces count only with a filler in them (a line 1 whose fillers were dropped).
        let long_enough = mrz_chars >= 16 || (mrz_chars >= 10 && norm.contains(['<', '«', '≪']));
        if long_enough && mrz_chars <= 96 && other <= 2 {
            norm.retain(|c| matches!(c, 'A'..='Z' | '0'..='9' | '<' | '«' | '≪'));
            out.push(k_fillers(&norm));
        }
    }
    if out.len() > MAX_CANDIDATE_LINES {
        out.drain(..out.len() - MAX_CANDIDATE_LINES);
    }
    out
}

/// OCR reads the filler `<` as `K`. The `mrz` crate repairs runs with three or more `K`; this
/// also reads as `<` a `K` inside the trailing filler run of a line (after its first `<`) and a
/// `K` between two `<` in a run of at least four cells. A `K` directly after a name's last
/// letter (`ERIK<<<`) is kept: nothing can tell it from a misread there.
fn k_fillers(line: &str) -> String {
    let mut cells: Vec<char> = line.chars().collect();
    let n = cells.len();
    // The trailing run of `K`/`<`.
    let mut start = n;
    while start > 0 && matches!(cells[start - 1], 'K' | '<') {
        start -= 1;
    }
    if let Some(first_filler) = (start..n).find(|&i| cells[i] == '<') {
        let fillers = cells[first_filler..].iter().filter(|&&c| c == '<').count();
        if fillers >= 2 {
            for c in &mut cells[first_filler..] {
                *c = '<';
            }
        }
    }
    // A `K` between fillers inside a longer filler run.
    for i in 1..n.saturating_sub(1) {
        if cells[i] == 'K' && cells[i - 1] == '<' && cells[i + 1] == '<' {
            let run_start = (0..i)
                .rev()
                .take_while(|&j| matches!(cells[j], 'K' | '<'))
                .count();
            let run_end = (i + 1..n)
                .take_while(|&j| matches!(cells[j], 'K' | '<'))
                .count();
            if run_start + run_end + 1 >= 4 {
                cells[i] = '<';
            }
        }
    }
    cells.into_iter().collect()
}

fn year_yy(year: i32) -> u32 {
    u32::try_from(year.rem_euclid(100)).unwrap_or(0)
}

/// The names of the failed check digits, in the zone's order.
fn failed_checks(checks: &mrz::Checks) -> Vec<String> {
    [
        ("document_number", checks.document_number),
        ("date_of_birth", checks.date_of_birth),
        ("expiry_date", checks.date_of_expiry),
        ("optional_data", checks.personal_number),
        ("composite", checks.composite),
    ]
    .into_iter()
    .filter(|(_, verdict)| *verdict == Some(false))
    .map(|(name, _)| name.to_owned())
    .collect()
}

fn iso(year: i32, month: u32, day: u32) -> String {
    format!("{year:04}-{month:02}-{day:02}")
}

/// `YYYY-MM-DD`, never after `today`: YY above today's YY is 19YY, and a 20YY date still in
/// the future (this year, later month or day) is 19YY.
fn birth_date(date: &mrz::MrzDate, today: CalendarDay) -> String {
    let mrz::MrzDate::Calendar(d) = date else {
        return String::new();
    };
    let yy = d.year.rem_euclid(100);
    let this_century = today.year - today.year.rem_euclid(100);
    let mut year = this_century + yy;
    let day = |year| CalendarDay {
        year,
        month: d.month,
        day: d.day,
    };
    if day(year) > today {
        year -= 100;
    }
    iso(year, d.month, d.day)
}

/// `YYYY-MM-DD`, always 20YY.
fn expiry_date(date: &mrz::MrzDate) -> String {
    let mrz::MrzDate::Calendar(d) = date else {
        return String::new();
    };
    iso(2000 + d.year.rem_euclid(100), d.month, d.day)
}

fn sex(sex: mrz::Sex) -> String {
    match sex {
        mrz::Sex::Male => "M",
        mrz::Sex::Female => "F",
        _ => "X",
    }
    .to_owned()
}

/// Recognises the text of `image` with `recognizer` and finds an MRZ in it.
pub fn read_mrz(
    recognizer: &dyn TextRecognizer,
    image: &RgbImage,
) -> Result<Option<MrzReading>, DocumentError> {
    let text = recognizer.recognize_text(image)?;
    Ok(find_mrz(&text))
}

/// The SDK's own text source for MRZ lines printed in a known monospaced MRZ font (the CLI and
/// the tests; the apps use their platform OCR). Feature `glyph-reader` (default).
#[cfg(feature = "glyph-reader")]
pub mod ocr;
