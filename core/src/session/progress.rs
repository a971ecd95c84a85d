//! What the engine knows, as one serde value (the snapshot body): the plan and its cursor, the
//! newest token, and one typed state per step instead of loose flags. The public
//! [`EnrollState`] is derived from these (`state_of` in the driver). Version-1 snapshots (the
//! flat layout with flags) are read by [`ProgressV1`] and migrated.

use super::*;

/// The registration step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub(super) enum RegistrationState {
    /// `start()` has not created it yet.
    #[default]
    NotCreated,
    /// Created; the criminal-check id came with it.
    Created {
        id: String,
        information_validation_id: Option<String>,
    },
}

/// One one-time-code channel (email or phone).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct OtpState {
    pub(super) step: OtpStep,
    /// Codes submitted on this channel.
    pub(super) attempts: u32,
}

/// Where a one-time-code channel is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub(super) enum OtpStep {
    /// No code sent yet.
    #[default]
    NotSent,
    /// A code was sent (its validation id, when the answer carried it).
    Sent {
        validation_id: Option<String>,
        sent_at_ms: u64,
        /// The code is locked or expired: the user must ask for a new one.
        needs_new_code: bool,
    },
}

impl OtpState {
    pub(super) fn sent_at_ms(&self) -> Option<u64> {
        match &self.step {
            OtpStep::Sent { sent_at_ms, .. } => Some(*sent_at_ms),
            OtpStep::NotSent => None,
        }
    }

    pub(super) fn validation_id(&self) -> Option<&str> {
        match &self.step {
            OtpStep::Sent { validation_id, .. } => validation_id.as_deref(),
            OtpStep::NotSent => None,
        }
    }

    pub(super) fn needs_new_code(&self) -> bool {
        matches!(
            self.step,
            OtpStep::Sent {
                needs_new_code: true,
                ..
            }
        )
    }

    /// A code was (re-)sent now; a new validation id replaces the old one.
    pub(super) fn sent(&mut self, new_id: Option<String>, now_ms: u64) {
        let validation_id = new_id.or_else(|| self.validation_id().map(str::to_owned));
        self.step = OtpStep::Sent {
            validation_id,
            sent_at_ms: now_ms,
            needs_new_code: false,
        };
    }

    /// The code is locked or expired.
    pub(super) fn mark_needs_new_code(&mut self) {
        if let OtpStep::Sent { needs_new_code, .. } = &mut self.step {
            *needs_new_code = true;
        }
    }
}

/// The document step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct DocumentProgress {
    pub(super) state: DocumentState,
    /// Attempts judged and failed (they count against the flow's `maxAttempts`).
    pub(super) attempts: u32,
    /// Front uploads the server processed (its `documentAttempts`, as far as we know).
    pub(super) server_attempts: u32,
}

/// Where the document step is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub(super) enum DocumentState {
    /// Waiting for the front side.
    #[default]
    AwaitingFront,
    /// The front was accepted; the back side of the same document is needed.
    AwaitingBack {
        validation_id: String,
        category: DocumentCategory,
    },
    /// Every side is in.
    Done {
        validation_id: String,
        category: DocumentCategory,
        /// The server's status of the validation.
        status: Option<String>,
    },
}

/// The liveness (selfie) step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct LivenessProgress {
    pub(super) state: LivenessState,
    /// Attempts judged and failed.
    pub(super) attempts: u32,
    /// Selfie uploads the server processed (its `livenessAttempts`, as far as we know).
    pub(super) server_attempts: u32,
}

/// Where the liveness step is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub(super) enum LivenessState {
    /// `sync liveness ONGOING` not sent yet.
    #[default]
    NotSynced,
    /// Synced; waiting for a selfie that passes.
    Synced,
    /// A selfie passed.
    Done {
        biometric_validation_id: Option<String>,
    },
}

/// The end of the enrollment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub(super) enum FinishState {
    /// Steps are still running.
    #[default]
    Open,
    /// A KYC step ran out of attempts: the final sync (`FAILED`) is pending.
    OutOfAttempts { step: StepKind },
    /// The review was retrieved from the server; waiting for `confirm()`.
    Reviewing { review: Review },
    /// The final sync answered.
    Finished { result: EnrollResult },
}

/// Everything the engine knows; serialised as the snapshot body.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Progress {
    pub(super) flow: FlowConfig,
    pub(super) signup: SignUpData,
    pub(super) plan: Plan,
    pub(super) cursor: usize,
    pub(super) token: Option<RegistrantToken>,
    pub(super) registration: RegistrationState,
    pub(super) email: OtpState,
    pub(super) phone: OtpState,
    pub(super) phone_channel: Option<PhoneChannel>,
    pub(super) document: DocumentProgress,
    pub(super) liveness: LivenessProgress,
    pub(super) finish: FinishState,
    pub(super) skipped: Vec<StepKind>,
    pub(super) scores: Scores,
    /// An upload whose answer was lost: the server is asked what it holds before it is sent
    /// again.
    pub(super) pending: Option<PendingUpload>,
    /// The document's machine-readable data the app handed over (`set_document_data`), for
    /// the review's cross-check. Absent in older snapshots.
    #[serde(default)]
    pub(super) machine_readable: Option<crate::machine_readable::MachineReadableData>,
}

impl Progress {
    pub(super) fn new(flow: FlowConfig, signup: SignUpData, plan: Plan) -> Self {
        Progress {
            flow,
            signup,
            plan,
            cursor: 0,
            token: None,
            registration: RegistrationState::NotCreated,
            email: OtpState::default(),
            phone: OtpState::default(),
            phone_channel: None,
            document: DocumentProgress::default(),
            liveness: LivenessProgress::default(),
            finish: FinishState::Open,
            skipped: Vec::new(),
            scores: Scores::default(),
            pending: None,
            machine_readable: None,
        }
    }

    pub(super) fn registration_id(&self) -> Option<&str> {
        match &self.registration {
            RegistrationState::Created { id, .. } => Some(id),
            RegistrationState::NotCreated => None,
        }
    }

    pub(super) fn information_validation_id(&self) -> Option<&str> {
        match &self.registration {
            RegistrationState::Created {
                information_validation_id,
                ..
            } => information_validation_id.as_deref(),
            RegistrationState::NotCreated => None,
        }
    }

    pub(super) fn document_done(&self) -> bool {
        matches!(self.document.state, DocumentState::Done { .. })
    }

    pub(super) fn document_side(&self) -> DocumentSide {
        match self.document.state {
            DocumentState::AwaitingBack { .. } => DocumentSide::Back,
            _ => DocumentSide::Front,
        }
    }

    pub(super) fn document_validation_id(&self) -> Option<&str> {
        match &self.document.state {
            DocumentState::AwaitingBack { validation_id, .. }
            | DocumentState::Done { validation_id, .. } => Some(validation_id),
            DocumentState::AwaitingFront => None,
        }
    }

    pub(super) fn document_category(&self) -> Option<DocumentCategory> {
        match &self.document.state {
            DocumentState::AwaitingBack { category, .. } | DocumentState::Done { category, .. } => {
                Some(*category)
            }
            DocumentState::AwaitingFront => None,
        }
    }

    pub(super) fn liveness_done(&self) -> bool {
        matches!(self.liveness.state, LivenessState::Done { .. })
    }

    pub(super) fn biometric_validation_id(&self) -> Option<&str> {
        match &self.liveness.state {
            LivenessState::Done {
                biometric_validation_id,
            } => biometric_validation_id.as_deref(),
            _ => None,
        }
    }

    pub(super) fn failed_step(&self) -> Option<StepKind> {
        match &self.finish {
            FinishState::OutOfAttempts { step } => Some(*step),
            _ => None,
        }
    }

    pub(super) fn review(&self) -> Option<&Review> {
        match &self.finish {
            FinishState::Reviewing { review } => Some(review),
            _ => None,
        }
    }

    pub(super) fn result(&self) -> Option<&EnrollResult> {
        match &self.finish {
            FinishState::Finished { result } => Some(result),
            _ => None,
        }
    }
}

/// Version-1 OTP progress (flat).
#[derive(Deserialize)]
#[cfg_attr(test, derive(Serialize, Default))]
pub(super) struct OtpProgressV1 {
    pub(super) validation_id: Option<String>,
    pub(super) sent_at_ms: Option<u64>,
    pub(super) needs_new_code: bool,
    pub(super) attempts: u32,
}

impl From<OtpProgressV1> for OtpState {
    fn from(o: OtpProgressV1) -> Self {
        OtpState {
            step: match o.sent_at_ms {
                Some(sent_at_ms) => OtpStep::Sent {
                    validation_id: o.validation_id,
                    sent_at_ms,
                    needs_new_code: o.needs_new_code,
                },
                None => OtpStep::NotSent,
            },
            attempts: o.attempts,
        }
    }
}

/// The version-1 snapshot body: the same facts as loose flags.
#[derive(Deserialize)]
#[cfg_attr(test, derive(Serialize))]
pub(super) struct ProgressV1 {
    pub(super) flow: FlowConfig,
    pub(super) signup: SignUpData,
    pub(super) plan: Plan,
    pub(super) cursor: usize,
    pub(super) registration_id: Option<String>,
    pub(super) information_validation_id: Option<String>,
    pub(super) token: Option<RegistrantToken>,
    pub(super) email: OtpProgressV1,
    pub(super) phone: OtpProgressV1,
    pub(super) phone_channel: Option<PhoneChannel>,
    pub(super) document_validation_id: Option<String>,
    pub(super) document_category: Option<DocumentCategory>,
    pub(super) document_side: DocumentSide,
    pub(super) document_attempts: u32,
    pub(super) document_done: bool,
    pub(super) document_status: Option<String>,
    pub(super) liveness_synced: bool,
    pub(super) liveness_attempts: u32,
    pub(super) liveness_done: bool,
    pub(super) failed_step: Option<StepKind>,
    pub(super) skipped: Vec<StepKind>,
    pub(super) scores: Scores,
    pub(super) result: Option<EnrollResult>,
}

impl From<ProgressV1> for Progress {
    fn from(v: ProgressV1) -> Self {
        let registration = match v.registration_id {
            Some(id) => RegistrationState::Created {
                id,
                information_validation_id: v.information_validation_id,
            },
            None => RegistrationState::NotCreated,
        };
        let validation_id = v.document_validation_id.unwrap_or_default();
        let category = v
            .document_category
            .unwrap_or(DocumentCategory::GovernmentId);
        let document_state = if v.document_done {
            DocumentState::Done {
                validation_id,
                category,
                status: v.document_status,
            }
        } else if v.document_side == DocumentSide::Back {
            DocumentState::AwaitingBack {
                validation_id,
                category,
            }
        } else {
            DocumentState::AwaitingFront
        };
        let front_accepted = !matches!(document_state, DocumentState::AwaitingFront);
        let liveness_state = if v.liveness_done {
            LivenessState::Done {
                biometric_validation_id: None,
            }
        } else if v.liveness_synced {
            LivenessState::Synced
        } else {
            LivenessState::NotSynced
        };
        let finish = match (v.result, v.failed_step) {
            (Some(result), _) => FinishState::Finished { result },
            (None, Some(step)) => FinishState::OutOfAttempts { step },
            (None, None) => FinishState::Open,
        };
        Progress {
            flow: v.flow,
            signup: v.signup,
            plan: v.plan,
            cursor: v.cursor,
            token: v.token,
            registration,
            email: v.email.into(),
            phone: v.phone.into(),
            phone_channel: v.phone_channel,
            document: DocumentProgress {
                state: document_state,
                attempts: v.document_attempts,
                // Approximate (judged failures and the accepted front); the next answer's
                // `attempt` corrects it.
                server_attempts: v.document_attempts + u32::from(front_accepted),
            },
            liveness: LivenessProgress {
                state: liveness_state,
                attempts: v.liveness_attempts,
                server_attempts: v.liveness_attempts + u32::from(v.liveness_done),
            },
            finish,
            skipped: v.skipped,
            scores: v.scores,
            pending: None,
            machine_readable: None,
        }
    }
}
