//! The three-identical-reads rule for one side of a document.

use super::BarcodeReading;

/// Identical decodes in a row that make a side read.
pub const MATCHES_TO_READ: u32 = 3;
/// Shots without a decode after which the app may go on without the side.
pub const FAILURES_TO_GIVE_UP: u32 = 4;

/// Where a side's reading stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SideStatus {
    /// Keep shooting.
    Reading {
        /// Identical decodes in a row so far.
        matches: u32,
        /// Shots without a decode so far.
        failures: u32,
    },
    /// Three identical decodes in a row: the side is read.
    Read(BarcodeReading),
    /// Four shots without a decode: the app may go on without it.
    GiveUp,
}

/// Accepts a side after three identical decodes in a row; gives up after four failed shots.
///
/// - A decode equal to the previous decode (same text) extends the run; a different decode
///   starts a new run at 1. A shot without a decode counts as a failure and leaves the run as
///   it is (the run counts decodes: a missed frame between two identical reads is not a
///   contradiction).
/// - [`SideStatus::Read`] once the run reaches 3; it is final: later pushes return the same
///   reading until [`SideReader::reset`].
/// - [`SideStatus::GiveUp`] once 4 shots (in total since the last reset) have failed and the
///   side is not read. The reader keeps counting: three identical decodes later still give
///   `Read`, which the app may take if it is still shooting.
#[derive(Debug, Default)]
pub struct SideReader {
    last: Option<BarcodeReading>,
    matches: u32,
    failures: u32,
    read: bool,
}

impl SideReader {
    /// A fresh reader.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one shot's decode (or `None` when nothing decoded) and returns the status.
    pub fn push(&mut self, reading: Option<BarcodeReading>) -> SideStatus {
        if self.read {
            return self.status();
        }
        match reading {
            None => self.failures = self.failures.saturating_add(1),
            Some(r) => {
                let same = self.last.as_ref().is_some_and(|l| l.text == r.text);
                if same {
                    self.matches = self.matches.saturating_add(1);
                } else {
                    self.matches = 1;
                    self.last = Some(r);
                }
                if self.matches >= MATCHES_TO_READ {
                    self.read = true;
                }
            }
        }
        self.status()
    }

    /// The current status, without recording a shot.
    pub fn status(&self) -> SideStatus {
        match &self.last {
            Some(r) if self.read => SideStatus::Read(r.clone()),
            _ if self.failures >= FAILURES_TO_GIVE_UP => SideStatus::GiveUp,
            _ => SideStatus::Reading {
                matches: self.matches,
                failures: self.failures,
            },
        }
    }

    /// Starts over (the next side, or the user asked to retry).
    pub fn reset(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::barcode::parse_payload;

    fn r(text: &str) -> Option<BarcodeReading> {
        Some(parse_payload(text))
    }

    fn reading(matches: u32, failures: u32) -> SideStatus {
        SideStatus::Reading { matches, failures }
    }

    #[test]
    fn three_identical_decodes_in_a_row_read_the_side() {
        let mut s = SideReader::new();
        assert_eq!(s.push(r("A")), reading(1, 0));
        assert_eq!(s.push(r("A")), reading(2, 0));
        assert_eq!(s.push(r("A")), SideStatus::Read(parse_payload("A")));
    }

    #[test]
    fn a_different_decode_restarts_the_count_at_one() {
        let mut s = SideReader::new();
        s.push(r("A"));
        s.push(r("A"));
        assert_eq!(s.push(r("B")), reading(1, 0));
        assert_eq!(s.push(r("A")), reading(1, 0));
        assert_eq!(s.push(r("A")), reading(2, 0));
        assert_eq!(s.push(r("A")), SideStatus::Read(parse_payload("A")));
    }

    #[test]
    fn a_failed_shot_counts_but_does_not_break_the_run() {
        let mut s = SideReader::new();
        s.push(r("A"));
        assert_eq!(s.push(None), reading(1, 1));
        assert_eq!(s.push(r("A")), reading(2, 1));
        assert_eq!(s.push(r("A")), SideStatus::Read(parse_payload("A")));
    }

    #[test]
    fn four_failed_shots_give_up_and_three_do_not() {
        let mut s = SideReader::new();
        for n in 1..=3 {
            assert_eq!(s.push(None), reading(0, n));
        }
        assert_eq!(s.push(None), SideStatus::GiveUp);
        assert_eq!(s.push(r("A")), SideStatus::GiveUp);
        // Three identical decodes still read the side after giving up.
        s.push(r("A"));
        assert_eq!(s.push(r("A")), SideStatus::Read(parse_payload("A")));
    }

    #[test]
    fn read_is_final_until_reset() {
        let mut s = SideReader::new();
        for _ in 0..3 {
            s.push(r("A"));
        }
        assert_eq!(s.push(r("B")), SideStatus::Read(parse_payload("A")));
        assert_eq!(s.push(None), SideStatus::Read(parse_payload("A")));
        s.reset();
        assert_eq!(s.status(), reading(0, 0));
        assert_eq!(s.push(r("B")), reading(1, 0));
    }
}
