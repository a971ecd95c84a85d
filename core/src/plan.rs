//! The planner: a pure function from the flow configuration and the sign-up data to the ordered
//! steps of an enrollment (contract §7). The engine walks this list.

use crate::error::EnrollError;
use crate::flow::{EmailGateway, FlowConfig, PhoneGateway, StepMode};
use crate::types::{DocumentCategory, PhoneChannel, SignUpData, StepKind};
use crate::validate;
use serde::{Deserialize, Serialize};

/// One planned step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlanStep {
    /// `POST /v2/app-registrations`.
    CreateRegistration,
    /// Email OTP: create, then validate.
    EmailOtp {
        /// The user may skip it (sign-up form is optional).
        optional: bool,
    },
    /// Phone OTP: choose the channel when there are two, create, validate.
    PhoneOtp {
        /// Channels offered (two when the gateway is `both`).
        channels: Vec<PhoneChannel>,
        /// The user may skip it.
        optional: bool,
    },
    /// Sync `{signUpForm, ONGOING}`.
    SignUpForm,
    /// Sync `{basicInformation, ONGOING}` (mandatory only; the host collects the data).
    BasicInformation,
    /// Document front, then back when required.
    Document {
        /// The user may skip it.
        optional: bool,
        /// Accepted kinds.
        categories: Vec<DocumentCategory>,
    },
    /// Name validation (after a document).
    NameValidation,
    /// Criminal background check (after a document).
    CriminalCheck,
    /// Sync `{liveness, ONGOING}`, then the selfie.
    Liveness {
        /// The user may skip it.
        optional: bool,
    },
    /// Face compare, when both the document and the selfie were done.
    FaceCompare,
    /// Sync `{form, ONGOING}` (mandatory only; the host collects the data).
    Form,
    /// Sync `end` (or `skipKYC`), giving the final token.
    Finish,
}

impl PlanStep {
    /// The step's kind.
    pub fn kind(&self) -> StepKind {
        match self {
            PlanStep::CreateRegistration => StepKind::CreateRegistration,
            PlanStep::EmailOtp { .. } => StepKind::EmailOtp,
            PlanStep::PhoneOtp { .. } => StepKind::PhoneOtp,
            PlanStep::SignUpForm => StepKind::SignUpForm,
            PlanStep::BasicInformation => StepKind::BasicInformation,
            PlanStep::Document { .. } => StepKind::Document,
            PlanStep::NameValidation => StepKind::NameValidation,
            PlanStep::CriminalCheck => StepKind::CriminalCheck,
            PlanStep::Liveness { .. } => StepKind::Liveness,
            PlanStep::FaceCompare => StepKind::FaceCompare,
            PlanStep::Form => StepKind::Form,
            PlanStep::Finish => StepKind::Finish,
        }
    }

    /// Whether the user may skip it.
    pub fn is_optional(&self) -> bool {
        match self {
            PlanStep::EmailOtp { optional }
            | PlanStep::PhoneOtp { optional, .. }
            | PlanStep::Document { optional, .. }
            | PlanStep::Liveness { optional } => *optional,
            _ => false,
        }
    }
}

/// The ordered steps of one enrollment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Steps in order; the first is `CreateRegistration`, the last `Finish`.
    pub steps: Vec<PlanStep>,
    /// No KYC step (basicInformation, document, liveness, form) is mandatory, so the user may
    /// finish with `skipKYC` (`COMPLETED_WITHOUT_KYC`).
    pub can_skip_kyc: bool,
}

impl Plan {
    /// Whether the plan has a step of this kind.
    pub fn has(&self, kind: StepKind) -> bool {
        self.steps.iter().any(|s| s.kind() == kind)
    }
}

fn required(field: &str, reason: &str) -> EnrollError {
    EnrollError::InvalidInput {
        field: field.to_owned(),
        reason: reason.to_owned(),
    }
}

/// Validates the sign-up data (syntax only, no request) and builds the plan.
pub fn plan(flow: &FlowConfig, signup: &SignUpData) -> Result<Plan, EnrollError> {
    if !flow.status.eq_ignore_ascii_case("active") {
        return Err(EnrollError::InvalidState {
            reason: format!("the flow is {}; only active flows can enroll", flow.status),
        });
    }
    let email = signup.email.as_deref().filter(|s| !s.is_empty());
    let phone = signup.phone.as_deref().filter(|s| !s.is_empty());
    if let Some(e) = email {
        validate::email(e)?;
    }
    if let Some(p) = phone {
        validate::phone(p)?;
        let cc = signup
            .country_code
            .as_deref()
            .ok_or_else(|| required("countryCode", "required with a phone"))?;
        validate::country_code(cc)?;
    }
    if email.is_none() && phone.is_none() {
        return Err(required("email", "an email or a phone is required"));
    }
    let s = &flow.steps;
    let form = &flow.sign_up_form;
    let mut steps = vec![PlanStep::CreateRegistration];
    if s.sign_up_form != StepMode::Skip {
        let optional = s.sign_up_form == StepMode::Optional;
        let email_on = form.email && form.email_gateway != EmailGateway::None;
        let phone_on = form.phone && form.phone_gateway != PhoneGateway::None;
        if email_on {
            match email {
                Some(_) => steps.push(PlanStep::EmailOtp { optional }),
                None if !optional => {
                    return Err(required("email", "required by this flow"));
                }
                None => {}
            }
        }
        if phone_on {
            let channels = match form.phone_gateway {
                PhoneGateway::Whatsapp => vec![PhoneChannel::Whatsapp],
                PhoneGateway::Both => vec![PhoneChannel::Sms, PhoneChannel::Whatsapp],
                _ => vec![PhoneChannel::Sms],
            };
            match phone {
                Some(_) => steps.push(PlanStep::PhoneOtp { channels, optional }),
                None if !optional => {
                    return Err(required("phone", "required by this flow"));
                }
                None => {}
            }
        }
        steps.push(PlanStep::SignUpForm);
    }
    if s.basic_information == StepMode::Mandatory {
        steps.push(PlanStep::BasicInformation);
    }
    if s.document != StepMode::Skip {
        let d = &flow.document;
        let mut categories = Vec::new();
        if d.use_government_id {
            categories.push(DocumentCategory::GovernmentId);
        }
        if d.use_passport {
            categories.push(DocumentCategory::Passport);
        }
        if d.use_license {
            categories.push(DocumentCategory::DriverLicense);
        }
        if categories.is_empty() {
            categories = vec![
                DocumentCategory::GovernmentId,
                DocumentCategory::Passport,
                DocumentCategory::DriverLicense,
            ];
        }
        steps.push(PlanStep::Document {
            optional: s.document == StepMode::Optional,
            categories,
        });
        if d.verify_names {
            steps.push(PlanStep::NameValidation);
        }
        if d.verify_criminal_history {
            steps.push(PlanStep::CriminalCheck);
        }
    }
    if s.liveness != StepMode::Skip {
        steps.push(PlanStep::Liveness {
            optional: s.liveness == StepMode::Optional,
        });
    }
    if s.document != StepMode::Skip && s.liveness != StepMode::Skip {
        steps.push(PlanStep::FaceCompare);
    }
    if s.form == StepMode::Mandatory {
        steps.push(PlanStep::Form);
    }
    steps.push(PlanStep::Finish);
    let can_skip_kyc = [s.basic_information, s.document, s.liveness, s.form]
        .iter()
        .all(|m| *m != StepMode::Mandatory);
    Ok(Plan {
        steps,
        can_skip_kyc,
    })
}
