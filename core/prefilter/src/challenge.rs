//! Active challenge: a random sequence of head turns, checked from the keypoint yaw over time,
//! and optionally one blink, checked from the eye-aspect ratio of the Face Mesh landmarks
//! ([`crate::eyes`]).
//!
//! A flat photo cannot pass: the yaw estimate is a ratio along the ear line, which a printed or
//! displayed face keeps when the photo itself is turned, so its yaw stays put and each step times
//! out; and a photo never closes its eyes, so a blink step times out too. This is a quality gate
//! against the simplest replays, not presentation-attack detection: a video replay can blink.

use rand::{Rng, SeedableRng};

/// One head turn, in the words the user reads: toward the left or the right side of the preview
/// they see. With a mirrored preview ([`crate::PrefilterConfig::preview_mirrored`], the default:
/// a front-camera selfie preview) that is the user's own left or right; with an unmirrored
/// preview it is the opposite of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TurnDirection {
    Left,
    Right,
}

/// One step of the challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChallengeStep {
    /// Turn the head this way, then back to straight.
    Turn(TurnDirection),
    /// Eyes open, closed, open again.
    Blink,
}

impl From<TurnDirection> for ChallengeStep {
    fn from(d: TurnDirection) -> Self {
        Self::Turn(d)
    }
}

/// Challenge settings.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ChallengeConfig {
    /// Number of head turns (1–6).
    pub turns: u32,
    /// Time allowed for each step (turn, then back to straight; or a blink), milliseconds.
    pub step_timeout_ms: u64,
    /// Yaw (degrees, relative to the straight baseline) a turn must reach.
    pub turn_yaw_deg: f32,
    /// |yaw - baseline| below which the head counts as straight again.
    pub straight_yaw_deg: f32,
    /// Seed for the random sequence (`None`: from the OS).
    pub seed: Option<u64>,
    /// Adds one blink step at a random place in the sequence (default off). Needs the landmark
    /// model; when it cannot load, the challenge runs without the blink step (see
    /// [`crate::Prefilter::blink_error`]).
    #[serde(default)]
    pub blink: bool,
    /// Eye-aspect ratio (mean of both eyes) at or above which the eyes count as seen open and
    /// feed the open baseline.
    #[serde(default = "default_blink_open_ear")]
    pub blink_open_ear: f32,
    /// The eyes count as closed below this fraction of the open baseline.
    #[serde(default = "default_blink_closed_ratio")]
    pub blink_closed_ratio: f32,
    /// After closing, the eyes count as open again at or above this fraction of the baseline.
    #[serde(default = "default_blink_reopen_ratio")]
    pub blink_reopen_ratio: f32,
}

fn default_blink_open_ear() -> f32 {
    0.15
}
fn default_blink_closed_ratio() -> f32 {
    0.6
}
fn default_blink_reopen_ratio() -> f32 {
    0.85
}

impl Default for ChallengeConfig {
    fn default() -> Self {
        Self {
            turns: 2,
            step_timeout_ms: 6000,
            turn_yaw_deg: 25.0,
            straight_yaw_deg: 10.0,
            seed: None,
            blink: false,
            blink_open_ear: default_blink_open_ear(),
            blink_closed_ratio: default_blink_closed_ratio(),
            blink_reopen_ratio: default_blink_reopen_ratio(),
        }
    }
}

/// Why a challenge failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChallengeFailure {
    /// A step was not completed in time (what a still photo produces).
    Timeout,
    /// The head turned the wrong way, far, while a turn was asked.
    WrongDirection,
    /// The tracked face jumped between frames (more than half a face width), as when one face or
    /// photo is swapped for another.
    FaceChanged,
}

/// What the challenge asks for now.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChallengeStatus {
    /// Face the camera (establishing the straight baseline, or returning after a turn).
    LookStraight {
        step: u32,
        of: u32,
    },
    /// Turn the head in this direction.
    Turn {
        direction: TurnDirection,
        step: u32,
        of: u32,
    },
    /// Blink (eyes open, closed, open again), facing the camera.
    Blink {
        step: u32,
        of: u32,
    },
    Passed,
    Failed(ChallengeFailure),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    Baseline,
    Turning,
    Returning,
    /// Waiting for the eyes to close (the baseline is the smoothed open eye-aspect ratio).
    BlinkOpen {
        baseline: Option<f32>,
    },
    /// Closed below the threshold; waiting for them to open again.
    BlinkClosed {
        baseline: f32,
    },
}

/// The challenge state machine. Feed it the yaw of the single tracked face each frame
/// (`None` when there is no usable face; the clock keeps running), and during a blink step the
/// eye-aspect ratio ([`Challenge::update_with_eyes`]).
#[derive(Debug, Clone)]
pub struct Challenge {
    config: ChallengeConfig,
    steps: Vec<ChallengeStep>,
    index: usize,
    phase: Phase,
    baseline: f32,
    step_started_ms: Option<u64>,
    status: ChallengeStatus,
}

impl Challenge {
    /// A new challenge with a random turn sequence (never the same direction three times in a
    /// row), plus one blink step at a random place when `config.blink` is set.
    pub fn new(config: ChallengeConfig) -> Self {
        let mut rng = match config.seed {
            Some(seed) => rand::rngs::StdRng::seed_from_u64(seed),
            None => rand::rngs::StdRng::from_os_rng(),
        };
        let turns = config.turns.clamp(1, 6) as usize;
        let mut dirs: Vec<TurnDirection> = Vec::with_capacity(turns);
        for i in 0..turns {
            let dir = if i >= 2 && dirs[i - 1] == dirs[i - 2] {
                match dirs[i - 1] {
                    TurnDirection::Left => TurnDirection::Right,
                    TurnDirection::Right => TurnDirection::Left,
                }
            } else if rng.random_bool(0.5) {
                TurnDirection::Left
            } else {
                TurnDirection::Right
            };
            dirs.push(dir);
        }
        let mut steps: Vec<ChallengeStep> = dirs.into_iter().map(ChallengeStep::Turn).collect();
        if config.blink {
            let at = rng.random_range(0..=steps.len());
            steps.insert(at, ChallengeStep::Blink);
        }
        Self::with_steps(config, steps)
    }

    /// A challenge with a given sequence (tests, server-chosen sequences).
    pub fn with_steps<S: Into<ChallengeStep>>(
        config: ChallengeConfig,
        steps: impl IntoIterator<Item = S>,
    ) -> Self {
        let steps: Vec<ChallengeStep> = steps.into_iter().map(Into::into).collect();
        let of = steps.len() as u32;
        Self {
            config,
            steps,
            index: 0,
            phase: Phase::Baseline,
            baseline: 0.0,
            step_started_ms: None,
            status: ChallengeStatus::LookStraight { step: 0, of },
        }
    }

    pub fn steps(&self) -> &[ChallengeStep] {
        &self.steps
    }

    pub fn status(&self) -> ChallengeStatus {
        self.status
    }

    /// True while a blink step is waiting for eye data (the session runs the landmark model
    /// only then).
    pub fn wants_eyes(&self) -> bool {
        matches!(self.status, ChallengeStatus::Blink { .. })
    }

    /// Fraction of steps completed (0..=1).
    pub fn progress(&self) -> f32 {
        match self.status {
            ChallengeStatus::Passed => 1.0,
            _ => self.index as f32 / self.steps.len().max(1) as f32,
        }
    }

    /// Fails the challenge (the session calls this when face continuity breaks).
    pub fn fail(&mut self, reason: ChallengeFailure) {
        if self.status != ChallengeStatus::Passed {
            self.status = ChallengeStatus::Failed(reason);
        }
    }

    /// Advances with one frame: `now_ms` its timestamp, `yaw` the face yaw (degrees, positive =
    /// turned toward the preview's left, which is the user's own left in a mirrored preview) or
    /// `None` without a usable face. No eye data: a blink step cannot pass.
    pub fn update(&mut self, now_ms: u64, yaw: Option<f32>) -> ChallengeStatus {
        self.update_with_eyes(now_ms, yaw, None)
    }

    /// Starts step `self.index` (or passes when there is none left).
    fn enter_step(&mut self, now_ms: u64) {
        let of = self.steps.len() as u32;
        let step = self.index as u32;
        self.step_started_ms = Some(now_ms);
        match self.steps.get(self.index) {
            Some(ChallengeStep::Turn(direction)) => {
                self.phase = Phase::Turning;
                self.status = ChallengeStatus::Turn {
                    direction: *direction,
                    step,
                    of,
                };
            }
            Some(ChallengeStep::Blink) => {
                self.phase = Phase::BlinkOpen { baseline: None };
                self.status = ChallengeStatus::Blink { step, of };
            }
            None => self.status = ChallengeStatus::Passed,
        }
    }

    /// [`Challenge::update`] with the eye-aspect ratio of the frame (mean of both eyes; `None`
    /// when not measured). Only a blink step reads it.
    pub fn update_with_eyes(
        &mut self,
        now_ms: u64,
        yaw: Option<f32>,
        eyes: Option<f32>,
    ) -> ChallengeStatus {
        if matches!(
            self.status,
            ChallengeStatus::Passed | ChallengeStatus::Failed(_)
        ) {
            return self.status;
        }
        let started = *self.step_started_ms.get_or_insert(now_ms);
        if now_ms.saturating_sub(started) > self.config.step_timeout_ms {
            self.status = ChallengeStatus::Failed(ChallengeFailure::Timeout);
            return self.status;
        }
        let of = self.steps.len() as u32;
        let Some(yaw) = yaw else {
            return self.status;
        };
        if self.index >= self.steps.len() {
            self.status = ChallengeStatus::Passed;
            return self.status;
        }
        let step = self.index as u32;
        match self.phase {
            Phase::Baseline => {
                if yaw.abs() <= self.config.straight_yaw_deg {
                    self.baseline = yaw;
                    self.enter_step(now_ms);
                }
            }
            Phase::Turning => {
                let Some(&ChallengeStep::Turn(direction)) = self.steps.get(self.index) else {
                    return self.status;
                };
                let delta = yaw - self.baseline;
                let wanted = match direction {
                    TurnDirection::Left => delta,
                    TurnDirection::Right => -delta,
                };
                if wanted >= self.config.turn_yaw_deg {
                    self.phase = Phase::Returning;
                    self.step_started_ms = Some(now_ms);
                    self.status = ChallengeStatus::LookStraight { step: step + 1, of };
                } else if wanted <= -self.config.turn_yaw_deg {
                    self.status = ChallengeStatus::Failed(ChallengeFailure::WrongDirection);
                } else {
                    self.status = ChallengeStatus::Turn {
                        direction,
                        step,
                        of,
                    };
                }
            }
            Phase::Returning => {
                if (yaw - self.baseline).abs() <= self.config.straight_yaw_deg {
                    self.index += 1;
                    self.enter_step(now_ms);
                }
            }
            Phase::BlinkOpen { baseline } => {
                let Some(ear) = eyes.filter(|e| e.is_finite()) else {
                    return self.status;
                };
                let c = &self.config;
                match baseline {
                    Some(b) if ear < c.blink_closed_ratio * b => {
                        self.phase = Phase::BlinkClosed { baseline: b };
                    }
                    Some(b) => {
                        if ear >= c.blink_open_ear {
                            self.phase = Phase::BlinkOpen {
                                baseline: Some(0.8 * b + 0.2 * ear),
                            };
                        }
                    }
                    None => {
                        if ear >= c.blink_open_ear {
                            self.phase = Phase::BlinkOpen {
                                baseline: Some(ear),
                            };
                        }
                    }
                }
            }
            Phase::BlinkClosed { baseline } => {
                if let Some(ear) = eyes.filter(|e| e.is_finite())
                    && ear >= self.config.blink_reopen_ratio * baseline
                {
                    self.index += 1;
                    self.enter_step(now_ms);
                }
            }
        }
        self.status
    }
}
