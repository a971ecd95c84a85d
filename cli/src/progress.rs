//! Step-by-step progress output for `demo` and `enroll`.
//!
//! Three modes: an indicatif spinner per step on an interactive terminal, one plain line per
//! step when stdout is not a terminal (logs, CI, pipes), and nothing at all with `--json` (the
//! JSON object is then the only thing on stdout). Messages never contain personal data beyond
//! what the caller puts in them (masked contacts only).

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Animated spinners (stdout is a terminal).
    Spinner,
    /// One line per finished step.
    Plain,
    /// Nothing (`--json`).
    Quiet,
}

impl Mode {
    /// Spinners on a terminal, plain lines otherwise, nothing with `--json`.
    pub fn detect(json: bool) -> Self {
        if json {
            Mode::Quiet
        } else if std::io::stdout().is_terminal() {
            Mode::Spinner
        } else {
            Mode::Plain
        }
    }
}

/// Timing of one finished step (also reported in JSON output).
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepRecord {
    /// Step label.
    pub step: String,
    /// Short result text.
    pub detail: String,
    /// Wall time in milliseconds.
    pub ms: u64,
    /// `ok`, `warn` or `failed`.
    pub status: &'static str,
}

/// Shows steps and keeps a record of them.
#[derive(Debug)]
pub struct Progress {
    mode: Mode,
    records: Vec<StepRecord>,
}

/// A running step. Finish it with [`Progress::done`], [`Progress::warn`] or [`Progress::fail`].
#[derive(Debug)]
pub struct Step {
    label: String,
    started: Instant,
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A reporter in the given mode.
    pub fn new(mode: Mode) -> Self {
        Self {
            mode,
            records: Vec::new(),
        }
    }

    /// Starts a step.
    pub fn start(&self, label: impl Into<String>) -> Step {
        let label = label.into();
        let bar = (self.mode == Mode::Spinner).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stdout());
            let style = ProgressStyle::with_template("{spinner:.cyan} {msg} {elapsed:.dim}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner())
                .tick_strings(&["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏", "✔"]);
            bar.set_style(style);
            bar.set_message(label.clone());
            bar.enable_steady_tick(Duration::from_millis(80));
            bar
        });
        Step {
            label,
            started: Instant::now(),
            bar,
        }
    }

    /// Finishes a step successfully.
    pub fn done(&mut self, step: Step, detail: impl Into<String>) {
        self.finish(step, detail.into(), "ok", "✔", "[ok]  ");
    }

    /// Finishes a step with a warning (it went on, but something is worth noting).
    pub fn warn(&mut self, step: Step, detail: impl Into<String>) {
        self.finish(step, detail.into(), "warn", "!", "[warn]");
    }

    /// Finishes a step as failed.
    pub fn fail(&mut self, step: Step, detail: impl Into<String>) {
        self.finish(step, detail.into(), "failed", "✘", "[fail]");
    }

    /// Prints a free line (not in `--json` mode).
    pub fn note(&self, line: impl AsRef<str>) {
        if self.mode != Mode::Quiet {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", line.as_ref());
        }
    }

    /// The finished steps, in order.
    pub fn records(&self) -> &[StepRecord] {
        &self.records
    }

    fn finish(
        &mut self,
        step: Step,
        detail: String,
        status: &'static str,
        symbol: &str,
        tag: &str,
    ) {
        let ms = u64::try_from(step.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let sep = if detail.is_empty() { "" } else { ": " };
        let line = format!("{}{sep}{detail} ({ms} ms)", step.label);
        match (self.mode, step.bar) {
            (Mode::Spinner, Some(bar)) => {
                bar.set_style(
                    ProgressStyle::with_template("{msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar.finish_with_message(format!("{symbol} {line}"));
            }
            (Mode::Quiet, _) => {}
            _ => {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{tag} {line}");
            }
        }
        self.records.push(StepRecord {
            step: step.label,
            detail,
            ms,
            status,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_mode_is_quiet_and_records_steps() {
        assert_eq!(Mode::detect(true), Mode::Quiet);
        let mut p = Progress::new(Mode::Quiet);
        let s = p.start("Create project");
        p.done(s, "id 1");
        let s = p.start("Prefilter");
        p.warn(s, "detector unavailable");
        let s = p.start("Upload");
        p.fail(s, "boom");
        let r = p.records();
        assert_eq!(r.len(), 3);
        assert_eq!(
            (r[0].step.as_str(), r[0].detail.as_str(), r[0].status),
            ("Create project", "id 1", "ok")
        );
        assert_eq!(r[1].status, "warn");
        assert_eq!(r[2].status, "failed");
    }
}
