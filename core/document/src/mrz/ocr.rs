//! The SDK's own MRZ text source: a template-matching reader of MRZ lines printed in OCR-B.
//!
//! The apps read text with their platform OCR (ML Kit, Vision); the CLI and the tests need a
//! text source that runs anywhere, so this reads the machine-readable zone of an **upright,
//! flat page image** whose MRZ is printed in the bundled OCR-B font (ISO 1073-2, the MRZ
//! typeface; Matthew Skala's public-domain OCR-B from Debian's `fonts-ocr-b`, see
//! `assets/fonts/README.md`):
//!
//! 1. the page is binarised (Otsu threshold over the lower half) and the MRZ band is found as
//!    the lowest dark text rows that span most of the page width, with their siblings above of
//!    the same height and left edge (2 or 3 lines);
//! 2. each line is cut into fixed-pitch cells for 30, 36 or 44 characters (the counts whose
//!    pitch, from the line's ink extent, fits the font's proportions), each cell compared by
//!    normalised cross-correlation with the 37 glyph templates (`A`–`Z`, `0`–`9`, `<`)
//!    rendered from the font with `ab_glyph`, with a small horizontal/vertical search per
//!    cell; a second pass re-places the cells on a line fitted through the first pass's best
//!    positions; the character count with the best mean correlation wins.
//!
//! Limits (by design, documented): it reads MRZs printed in OCR-B on a clean, upright page
//! exactly from about 15 px of cap height, also after mild blur, noise and JPEG compression
//! (the CLI's specimen passport page and synthetic cards are its tests). It is not a general OCR: it does not deskew,
//! dewarp, or read a photographed real passport with security print behind its MRZ; the check
//! digits of [`find_mrz`](super::find_mrz) catch what it misreads.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use image::RgbImage;

use super::TextRecognizer;
use crate::DocumentError;

/// The bundled OCR-B font (public domain; `assets/fonts/README.md`), for templates here and
/// for drawing specimen MRZs (the CLI's demo page).
pub const MRZ_FONT: &[u8] = include_bytes!("../../assets/fonts/OCRB.otf");

/// The MRZ character set.
const CHARSET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<";
/// Template grid: cells are resampled to this many columns and rows.
const GRID_W: usize = 20;
const GRID_H: usize = 30;
/// The size the templates are rendered at before resampling.
const RENDER_PX: f32 = 96.0;
/// Line lengths of TD1, TD2, TD3.
const LINE_LENGTHS: [usize; 3] = [30, 36, 44];
/// Lines thinner than this (in pixels) are not read.
const MIN_LINE_HEIGHT: usize = 8;

/// One glyph template: zero-mean, unit-norm ink values on the grid.
#[derive(Clone)]
struct Template {
    ch: char,
    cells: Vec<f32>,
}

/// Template-matching reader of MRZ lines printed in OCR-B.
pub struct MrzGlyphReader {
    templates: Vec<Template>,
    /// Mean ink width of the glyphs as a fraction of the advance.
    ink_fraction: f32,
    /// The advance as a multiple of the cap height.
    advance_per_cap: f32,
    /// How far the tallest glyph reaches above the baseline, and the lowest below it, as
    /// multiples of the advance (digits are taller than capitals in OCR-B).
    above: f32,
    below: f32,
}

impl std::fmt::Debug for MrzGlyphReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MrzGlyphReader")
            .field("templates", &self.templates.len())
            .finish()
    }
}

impl Default for MrzGlyphReader {
    /// [`MrzGlyphReader::new`]; should the bundled font ever fail to parse (a test pins that it
    /// does not), a reader without templates, which recognises no text.
    fn default() -> Self {
        Self::new().unwrap_or(Self {
            templates: Vec::new(),
            ink_fraction: 0.66,
            advance_per_cap: 1.0,
            above: 1.0,
            below: 0.0,
        })
    }
}

impl MrzGlyphReader {
    /// A reader with the bundled glyph templates.
    pub fn new() -> Result<Self, DocumentError> {
        let font = FontRef::try_from_slice(MRZ_FONT).map_err(|_| DocumentError::InvalidConfig {
            reason: "the bundled OCR-B font could not be parsed".into(),
        })?;
        let scale = PxScale::from(RENDER_PX);
        let scaled = font.as_scaled(scale);
        let cap = cap_height(&font, scale).ok_or_else(|| DocumentError::InvalidConfig {
            reason: "the bundled OCR-B font has no capital H".into(),
        })?;
        let advance = scaled.h_advance(scaled.glyph_id('0'));
        // The vertical extent of the charset around the baseline.
        let (mut above, mut below) = (cap, 0.0f32);
        for ch in CHARSET.chars() {
            let glyph = scaled
                .glyph_id(ch)
                .with_scale_and_position(scale, point(0.0, 0.0));
            if let Some(outline) = font.outline_glyph(glyph) {
                let b = outline.px_bounds();
                above = above.max(-b.min.y);
                below = below.max(b.max.y);
            }
        }
        let (w, h) = (advance.ceil() as usize, (above + below).ceil() as usize);
        let mut templates = Vec::with_capacity(CHARSET.len());
        let mut ink_widths = 0.0f32;
        for ch in CHARSET.chars() {
            let mut canvas = vec![0.0f32; w * h];
            let glyph = scaled
                .glyph_id(ch)
                .with_scale_and_position(scale, point(0.0, above));
            if let Some(outline) = font.outline_glyph(glyph) {
                let b = outline.px_bounds();
                ink_widths += (b.max.x - b.min.x) / advance;
                outline.draw(|gx, gy, c| {
                    let x = b.min.x as i64 + i64::from(gx);
                    let y = b.min.y as i64 + i64::from(gy);
                    if x >= 0 && y >= 0 && (x as usize) < w && (y as usize) < h {
                        let i = y as usize * w + x as usize;
                        canvas[i] = (canvas[i] + c).min(1.0);
                    }
                });
            }
            let cells = resample(&canvas, w, 0.0, w as f32, 0.0, h as f32, GRID_W, GRID_H);
            templates.push(Template {
                ch,
                cells: normalise(cells),
            });
        }
        let ink_fraction = (ink_widths / CHARSET.len() as f32).clamp(0.3, 1.0);
        Ok(Self {
            templates,
            ink_fraction,
            advance_per_cap: advance / cap,
            above: above / advance,
            below: below / advance,
        })
    }

    /// Reads the MRZ lines of an upright page; `\n`-separated, empty when no band is found.
    pub fn read_lines(&self, image: &RgbImage) -> Vec<String> {
        let (w, h) = (image.width() as usize, image.height() as usize);
        if w < 60 || h < MIN_LINE_HEIGHT * 2 {
            return Vec::new();
        }
        // Ink = darkness, 0..1.
        let ink: Vec<f32> = image
            .pixels()
            .map(|p| {
                let l = 0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2]);
                1.0 - l / 255.0
            })
            .collect();
        let lower = h / 2;
        let threshold = otsu(&ink[lower * w..]);
        let lines = find_lines(&ink, w, h, lower, threshold);
        if lines.is_empty() {
            return Vec::new();
        }
        // One character count for the whole zone: the one that matches best over its lines.
        // Character counts whose pitch fits the font's proportions (within 15%) are tried;
        // all three when none fits.
        let fits: Vec<usize> = LINE_LENGTHS
            .into_iter()
            .filter(|&n| {
                lines.iter().all(|l| {
                    let cap = (l.bottom + 1 - l.top) as f32;
                    let pitch = (l.right - l.left) as f32 / (n as f32 - 1.0 + self.ink_fraction);
                    (pitch / (cap * self.advance_per_cap) - 1.0).abs() <= 0.15
                })
            })
            .collect();
        let counts = if fits.is_empty() {
            LINE_LENGTHS.to_vec()
        } else {
            fits
        };
        let mut best: Option<(f32, Vec<String>)> = None;
        for n in counts {
            let mut score = 0.0;
            let mut texts = Vec::with_capacity(lines.len());
            for line in &lines {
                let (text, s) = self.read_line(&ink, w, h, line, n);
                score += s;
                texts.push(text);
            }
            let score = score / lines.len() as f32;
            if best.as_ref().is_none_or(|(b, _)| score > *b) {
                best = Some((score, texts));
            }
        }
        best.map(|(_, t)| t).unwrap_or_default()
    }

    /// Reads `n` fixed-pitch characters of `line`; returns the text and the mean correlation.
    ///
    /// Two passes: the first places the cells from the line's ink extent and searches a wide
    /// window (following the print as it goes); a straight line fitted through the positions
    /// it found gives the pitch and origin of the second, narrow-window pass.
    fn read_line(&self, ink: &[f32], w: usize, h: usize, line: &Band, n: usize) -> (String, f32) {
        let extent = (line.right - line.left) as f32;
        let pitch = extent / (n as f32 - 1.0 + self.ink_fraction);
        let x0 = line.left as f32 - pitch * (1.0 - self.ink_fraction) / 2.0;
        let first = self.pass(ink, w, h, line, n, x0, pitch, 0.3, 10.0, 0.5);
        // Least-squares fit of position = origin + i * pitch.
        let nf = n as f32;
        let mean_i = (nf - 1.0) / 2.0;
        let mean_x = first.positions.iter().sum::<f32>() / nf;
        let (mut sxy, mut sxx) = (0.0f32, 0.0f32);
        for (i, x) in first.positions.iter().enumerate() {
            let di = i as f32 - mean_i;
            sxy += di * (x - mean_x);
            sxx += di * di;
        }
        let fitted = if sxx > 0.0 { sxy / sxx } else { pitch };
        if !(fitted > 0.8 * pitch && fitted < 1.2 * pitch) {
            return (first.text, first.score);
        }
        let origin = mean_x - mean_i * fitted;
        let second = self.pass(ink, w, h, line, n, origin, fitted, 0.15, 12.0, 0.0);
        if second.score >= first.score {
            (second.text, second.score)
        } else {
            (first.text, first.score)
        }
    }

    /// One pass over the `n` cells starting at `x0`, `pitch` apart: each cell searched over
    /// `±window × pitch` in steps of `pitch / steps` (and ±1 row), `follow` of each cell's
    /// offset carried to the next.
    #[allow(clippy::too_many_arguments)]
    fn pass(
        &self,
        ink: &[f32],
        w: usize,
        h: usize,
        line: &Band,
        n: usize,
        x0: f32,
        pitch: f32,
        window: f32,
        steps: f32,
        follow: f32,
    ) -> Pass {
        // The cell's rows from the baseline (the body's last row) and the pitch.
        let baseline = line.bottom as f32 + 1.0;
        let (top, bottom) = (baseline - self.above * pitch, baseline + self.below * pitch);
        let mut text = String::with_capacity(n);
        let mut positions = Vec::with_capacity(n);
        let mut total = 0.0;
        let mut drift = 0.0f32;
        let step = (pitch / steps).max(0.5);
        for i in 0..n {
            let base = x0 + i as f32 * pitch + drift;
            let mut best = (-2.0f32, '<', 0.0f32);
            let mut dx = -window * pitch;
            while dx <= window * pitch {
                for dy in [-1.0f32, 0.0, 1.0] {
                    let cells = resample(
                        ink,
                        w,
                        base + dx,
                        base + dx + pitch,
                        (top + dy).max(0.0),
                        (bottom + dy).min(h as f32),
                        GRID_W,
                        GRID_H,
                    );
                    let cells = normalise(cells);
                    for t in &self.templates {
                        let score: f32 = t.cells.iter().zip(&cells).map(|(a, b)| a * b).sum();
                        if score > best.0 {
                            best = (score, t.ch, dx);
                        }
                    }
                }
                dx += step;
            }
            text.push(best.1);
            positions.push(base + best.2);
            total += best.0;
            drift += follow * best.2;
        }
        Pass {
            text,
            positions,
            score: total / n as f32,
        }
    }
}

/// What one pass over a line read.
struct Pass {
    text: String,
    /// The left edge of each cell where its best match was.
    positions: Vec<f32>,
    /// Mean correlation.
    score: f32,
}

impl TextRecognizer for MrzGlyphReader {
    fn recognize_text(&self, image: &RgbImage) -> Result<String, DocumentError> {
        Ok(self.read_lines(image).join("\n"))
    }
}

/// The cap height (top of `H` above the baseline) at `scale`.
fn cap_height(font: &FontRef<'_>, scale: PxScale) -> Option<f32> {
    let glyph = font
        .as_scaled(scale)
        .glyph_id('H')
        .with_scale_and_position(scale, point(0.0, 0.0));
    let outline = font.outline_glyph(glyph)?;
    let b = outline.px_bounds();
    Some(-b.min.y)
}

/// A text line: rows `top..=bottom`, ink from column `left` to `right`.
#[derive(Debug, Clone, Copy)]
struct Band {
    top: usize,
    bottom: usize,
    left: usize,
    right: usize,
}

/// The MRZ lines: the lowest wide text line below `from_row` and its siblings above it.
fn find_lines(ink: &[f32], w: usize, h: usize, from_row: usize, t: f32) -> Vec<Band> {
    // Rows with enough ink to be text.
    let min_row = (w / 25).max(4);
    let is_text: Vec<bool> = (0..h)
        .map(|y| {
            y >= from_row && ink[y * w..(y + 1) * w].iter().filter(|&&v| v > t).count() >= min_row
        })
        .collect();
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut y = from_row;
    while y < h {
        if !is_text[y] {
            y += 1;
            continue;
        }
        let start = y;
        let mut end = y;
        while y < h && (is_text[y] || (y + 1 < h && is_text[y + 1])) {
            if is_text[y] {
                end = y;
            }
            y += 1;
        }
        if end + 1 - start >= MIN_LINE_HEIGHT {
            runs.push((start, end));
        }
    }
    // Wide, dense lines only.
    let mut bands: Vec<Band> = Vec::new();
    for (top, bottom) in runs {
        let height = bottom + 1 - top;
        let min_col = (height / 8).max(2);
        let col_ink: Vec<bool> = (0..w)
            .map(|x| (top..=bottom).filter(|&y| ink[y * w + x] > t).count() >= min_col)
            .collect();
        let (Some(left), Some(right)) = (
            col_ink.iter().position(|&c| c),
            col_ink.iter().rposition(|&c| c),
        ) else {
            continue;
        };
        let span = right - left;
        let dense = col_ink[left..=right].iter().filter(|&&c| c).count() as f32 / (span + 1) as f32;
        if span * 5 >= w * 2 && dense >= 0.35 {
            // The body of the line: rows with at least a quarter of the busiest row's ink
            // (a glyph reaching a pixel above or below the others does not stretch the cell).
            let counts: Vec<usize> = (top..=bottom)
                .map(|y| (left..=right).filter(|&x| ink[y * w + x] > t).count())
                .collect();
            let peak = counts.iter().copied().max().unwrap_or(0);
            let body = |c: &usize| *c * 4 >= peak;
            let (Some(first), Some(last)) =
                (counts.iter().position(body), counts.iter().rposition(body))
            else {
                continue;
            };
            bands.push(Band {
                top: top + first,
                bottom: top + last,
                left,
                right,
            });
        }
    }
    let Some(last) = bands.last().copied() else {
        return Vec::new();
    };
    let mut zone = vec![last];
    for b in bands.iter().rev().skip(1) {
        let Some(first) = zone.first().copied() else {
            break;
        };
        let hb = (b.bottom - b.top) as f32;
        let hl = (last.bottom - last.top) as f32;
        let similar = (hb - hl).abs() <= 0.35 * hl
            && b.left.abs_diff(last.left) as f32 <= 1.5 * hl
            && first.top.saturating_sub(b.bottom) as f32 <= 4.0 * hl;
        if !similar || zone.len() == 3 {
            break;
        }
        zone.insert(0, *b);
    }
    zone
}

/// Otsu's threshold of values in 0..1.
fn otsu(values: &[f32]) -> f32 {
    let mut hist = [0u64; 256];
    for &v in values {
        hist[(v.clamp(0.0, 1.0) * 255.0) as usize] += 1;
    }
    let total: u64 = hist.iter().sum();
    let sum_all: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &c)| i as f64 * c as f64)
        .sum();
    let (mut w0, mut sum0, mut best, mut best_t) = (0u64, 0f64, 0f64, 128usize);
    for (t, &c) in hist.iter().enumerate() {
        w0 += c;
        if w0 == 0 || w0 == total {
            continue;
        }
        sum0 += t as f64 * c as f64;
        let w1 = total - w0;
        let m0 = sum0 / w0 as f64;
        let m1 = (sum_all - sum0) / w1 as f64;
        let between = w0 as f64 * w1 as f64 * (m0 - m1) * (m0 - m1);
        if between > best {
            best = between;
            best_t = t;
        }
    }
    // Never call faint paper texture ink.
    (best_t as f32 / 255.0).max(0.25)
}

/// Area-averages the rectangle `[x0, x1) × [y0, y1)` of a `stride`-wide plane into a
/// `gw × gh` grid (out-of-image area counts as no ink).
#[allow(clippy::too_many_arguments)]
fn resample(
    plane: &[f32],
    stride: usize,
    x0: f32,
    x1: f32,
    y0: f32,
    y1: f32,
    gw: usize,
    gh: usize,
) -> Vec<f32> {
    let rows = plane.len() / stride.max(1);
    let mut out = vec![0.0f32; gw * gh];
    let cw = (x1 - x0) / gw as f32;
    let ch = (y1 - y0) / gh as f32;
    if cw <= 0.0 || ch <= 0.0 {
        return out;
    }
    // Sample each grid cell at 3×3 points (bilinear-free point sampling is enough here).
    for gy in 0..gh {
        for gx in 0..gw {
            let mut acc = 0.0;
            for sy in 0..3 {
                let y = y0 + (gy as f32 + (sy as f32 + 0.5) / 3.0) * ch;
                for sx in 0..3 {
                    let x = x0 + (gx as f32 + (sx as f32 + 0.5) / 3.0) * cw;
                    if x >= 0.0 && y >= 0.0 {
                        let (xi, yi) = (x as usize, y as usize);
                        if xi < stride && yi < rows {
                            acc += plane[yi * stride + xi];
                        }
                    }
                }
            }
            out[gy * gw + gx] = acc / 9.0;
        }
    }
    out
}

/// Zero mean, unit norm (all zeros stays zeros).
fn normalise(mut v: Vec<f32>) -> Vec<f32> {
    let mean = v.iter().sum::<f32>() / v.len().max(1) as f32;
    for x in &mut v {
        *x -= mean;
    }
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 1e-6 {
        for x in &mut v {
            *x /= norm;
        }
    }
    v
}
