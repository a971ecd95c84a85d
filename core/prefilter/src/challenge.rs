//! Active challenge: a random sequence of head turns, checked from the keypoint yaw over time.
//!
//! A flat photo cannot pass: the yaw estimate is a ratio along the ear line, which a printed or
//! displayed face keeps when the photo itself is turned, so its yaw stays put and each step times
//! out. Blink is not part of the challenge (no eye-state model is available from a registry
//! package under a permissive licence; see README).

use rand::{Rng, SeedableRng};

/// One head turn, from the user's own point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TurnDirection {
    Left,
    Right,
}

/// Challenge settings.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ChallengeConfig {
    /// Number of head turns (1–6).
    pub turns: u32,
    /// Time allowed for each step (turn, then back to straight), milliseconds.
    pub step_timeout_ms: u64,
    /// Yaw (degrees, relative to the straight baseline) a turn must reach.
    pub turn_yaw_deg: f32,
    /// |yaw - baseline| below which the head counts as straight again.
    pub straight_yaw_deg: f32,
    /// Seed for the random sequence (`None`: from the OS).
    pub seed: Option<u64>,
}

impl Default for ChallengeConfig {
    fn default() -> Self {
        Self {
            turns: 2,
            step_timeout_ms: 6000,
            turn_yaw_deg: 25.0,
            straight_yaw_deg: 10.0,
            seed: None,
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
    Passed,
    Failed(ChallengeFailure),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    Baseline,
    Turning,
    Returning,
}

/// The challenge state machine. Feed it the yaw of the single tracked face each frame
/// (`None` when there is no usable face; the clock keeps running).
#[derive(Debug, Clone)]
pub struct Challenge {
    config: ChallengeConfig,
    steps: Vec<TurnDirection>,
    index: usize,
    phase: Phase,
    baseline: f32,
    step_started_ms: Option<u64>,
    status: ChallengeStatus,
}

impl Challenge {
    /// A new challenge with a random turn sequence (never the same direction three times in a row).
    pub fn new(config: ChallengeConfig) -> Self {
        let mut rng = match config.seed {
            Some(seed) => rand::rngs::StdRng::seed_from_u64(seed),
            None => rand::rngs::StdRng::from_os_rng(),
        };
        let turns = config.turns.clamp(1, 6) as usize;
        let mut steps: Vec<TurnDirection> = Vec::with_capacity(turns);
        for i in 0..turns {
            let dir = if i >= 2 && steps[i - 1] == steps[i - 2] {
                match steps[i - 1] {
                    TurnDirection::Left => TurnDirection::Right,
                    TurnDirection::Right => TurnDirection::Left,
                }
            } else if rng.random_bool(0.5) {
                TurnDirection::Left
            } else {
                TurnDirection::Right
            };
            steps.push(dir);
        }
        Self::with_steps(config, steps)
    }

    /// A challenge with a given sequence (tests, server-chosen sequences).
    pub fn with_steps(config: ChallengeConfig, steps: Vec<TurnDirection>) -> Self {
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

    pub fn steps(&self) -> &[TurnDirection] {
        &self.steps
    }

    pub fn status(&self) -> ChallengeStatus {
        self.status
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
    /// the user's left) or `None` without a usable face.
    pub fn update(&mut self, now_ms: u64, yaw: Option<f32>) -> ChallengeStatus {
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
        let Some(&direction) = self.steps.get(self.index) else {
            self.status = ChallengeStatus::Passed;
            return self.status;
        };
        let step = self.index as u32;
        match self.phase {
            Phase::Baseline => {
                if yaw.abs() <= self.config.straight_yaw_deg {
                    self.baseline = yaw;
                    self.phase = Phase::Turning;
                    self.step_started_ms = Some(now_ms);
                    self.status = ChallengeStatus::Turn {
                        direction,
                        step,
                        of,
                    };
                }
            }
            Phase::Turning => {
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
                    self.step_started_ms = Some(now_ms);
                    match self.steps.get(self.index) {
                        Some(&next) => {
                            self.phase = Phase::Turning;
                            self.status = ChallengeStatus::Turn {
                                direction: next,
                                step: self.index as u32,
                                of,
                            };
                        }
                        None => self.status = ChallengeStatus::Passed,
                    }
                }
            }
        }
        self.status
    }
}
