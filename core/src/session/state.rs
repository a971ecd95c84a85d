//! The public [`EnrollState`], derived from the typed per-step progress (pure).

use super::RESEND_COOLDOWN_MS;
use super::progress::Progress;
use super::review::review_state;
use crate::plan::PlanStep;
use crate::secret::{mask_email, mask_phone};
use crate::types::{DocumentSide, EnrollState, PhoneChannel, StepKind};

/// Derives the public state from the progress (pure).
pub(super) fn state_of(p: &Progress) -> EnrollState {
    if let Some(r) = &p.result() {
        return EnrollState::Completed {
            result: (*r).clone(),
        };
    }
    if p.registration_id().is_none() {
        return EnrollState::NotStarted;
    }
    if p.failed_step().is_some() {
        // Out of attempts: the final sync (FAILED) is pending; `resume()` sends it.
        return EnrollState::Processing {
            step: StepKind::Finish,
        };
    }
    let Some(step) = p.plan.steps.get(p.cursor) else {
        return review_state(p);
    };
    let no_kyc_done = !p.document_done() && !p.liveness_done() && p.document.attempts == 0;
    match step {
        PlanStep::EmailOtp { optional } => match (&p.email.sent_at_ms(), &p.signup.email) {
            (Some(sent), Some(email)) => EnrollState::AwaitingEmailCode {
                masked_email: mask_email(email),
                resend_available_at_ms: sent + RESEND_COOLDOWN_MS,
                needs_new_code: p.email.needs_new_code(),
                optional: *optional,
            },
            _ => EnrollState::Processing {
                step: StepKind::EmailOtp,
            },
        },
        PlanStep::PhoneOtp { channels, optional } => match p.phone_channel {
            None if channels.len() > 1 => EnrollState::AwaitingPhoneChannel {
                channels: channels.clone(),
                optional: *optional,
            },
            channel => match (&p.phone.sent_at_ms(), &p.signup.phone) {
                (Some(sent), Some(phone)) => EnrollState::AwaitingPhoneCode {
                    masked_phone: mask_phone(
                        p.signup.country_code.as_deref().unwrap_or_default(),
                        phone,
                    ),
                    channel: channel
                        .or_else(|| channels.first().copied())
                        .unwrap_or(PhoneChannel::Sms),
                    resend_available_at_ms: sent + RESEND_COOLDOWN_MS,
                    needs_new_code: p.phone.needs_new_code(),
                    optional: *optional,
                },
                _ => EnrollState::Processing {
                    step: StepKind::PhoneOtp,
                },
            },
        },
        PlanStep::Document {
            optional,
            categories,
        } => EnrollState::AwaitingDocument {
            side: p.document_side(),
            accepted_categories: match (p.document_side(), p.document_category()) {
                (DocumentSide::Back, Some(c)) => vec![c],
                _ => categories.clone(),
            },
            attempts_left: p
                .flow
                .document
                .max_attempts
                .saturating_sub(p.document.attempts),
            optional: *optional,
            can_skip_kyc: p.plan.can_skip_kyc && no_kyc_done,
        },
        PlanStep::Liveness { optional } => EnrollState::AwaitingSelfie {
            attempts_left: p
                .flow
                .liveness
                .max_attempts
                .saturating_sub(p.liveness.attempts),
            optional: *optional,
            can_skip_kyc: p.plan.can_skip_kyc && no_kyc_done,
        },
        PlanStep::Finish => review_state(p),
        other => EnrollState::Processing { step: other.kind() },
    }
}
