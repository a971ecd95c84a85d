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
    // First and last name are optional, as the full name is; given ones must not be blank.
    for (field, value) in [
        ("firstName", &signup.first_name),
        ("lastName", &signup.last_name),
    ] {
        if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
            return Err(EnrollError::InvalidInput {
                field: field.into(),
                reason: "is blank".into(),
            });
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::{FlowPreset, NewFlow, StepModes};

    const MODES: [StepMode; 3] = [StepMode::Mandatory, StepMode::Optional, StepMode::Skip];
    const EMAIL_GWS: [EmailGateway; 2] = [EmailGateway::Mailgun, EmailGateway::None];
    const PHONE_GWS: [PhoneGateway; 4] = [
        PhoneGateway::Sms,
        PhoneGateway::Whatsapp,
        PhoneGateway::Both,
        PhoneGateway::None,
    ];

    fn flow(steps: StepModes, eg: EmailGateway, pg: PhoneGateway) -> FlowConfig {
        let mut nf = NewFlow::preset("p", FlowPreset::FullKyc);
        nf.steps = steps;
        nf.sign_up_form.email_gateway = eg;
        nf.sign_up_form.phone_gateway = pg;
        nf.document.verify_names = true;
        nf.document.verify_criminal_history = true;
        let mut v = nf.to_json();
        v["_id"] = "f".into();
        FlowConfig::from_flow_json(&v).unwrap()
    }

    fn full_signup() -> SignUpData {
        SignUpData {
            email: Some("ana@example.com".into()),
            phone: Some("3001234567".into()),
            country_code: Some("+57".into()),
            full_name: Some("Ana Example".into()),
            language: None,
            ..SignUpData::default()
        }
    }

    fn pos(p: &Plan, k: StepKind) -> Option<usize> {
        p.steps.iter().position(|s| s.kind() == k)
    }

    /// Every combination of the five steps' modes (3^5 = 243) with every email gateway (2) and
    /// phone gateway (4): 1944 plans, each checked against the rules of contract §7.
    #[test]
    fn every_combination() {
        let mut checked = 0;
        for su in MODES {
            for bi in MODES {
                for doc in MODES {
                    for live in MODES {
                        for form in MODES {
                            for eg in EMAIL_GWS {
                                for pg in PHONE_GWS {
                                    let steps = StepModes {
                                        sign_up_form: su,
                                        basic_information: bi,
                                        document: doc,
                                        liveness: live,
                                        form,
                                    };
                                    let f = flow(steps, eg, pg);
                                    let p = plan(&f, &full_signup()).unwrap();
                                    check(&p, steps, eg, pg);
                                    checked += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(checked, 243 * 8);
    }

    fn check(p: &Plan, s: StepModes, eg: EmailGateway, pg: PhoneGateway) {
        let ctx = format!("{s:?} {eg:?} {pg:?}");
        assert_eq!(
            p.steps.first(),
            Some(&PlanStep::CreateRegistration),
            "{ctx}"
        );
        assert_eq!(p.steps.last(), Some(&PlanStep::Finish), "{ctx}");
        let su_on = s.sign_up_form != StepMode::Skip;
        let su_opt = s.sign_up_form == StepMode::Optional;
        // Email OTP iff the form is on and the gateway sends.
        let email = p.steps.iter().find(|x| x.kind() == StepKind::EmailOtp);
        assert_eq!(
            email.is_some(),
            su_on && eg == EmailGateway::Mailgun,
            "{ctx}"
        );
        if let Some(e) = email {
            assert_eq!(e.is_optional(), su_opt, "{ctx}");
        }
        // Phone OTP with the right channels.
        let phone = p.steps.iter().find(|x| x.kind() == StepKind::PhoneOtp);
        assert_eq!(phone.is_some(), su_on && pg != PhoneGateway::None, "{ctx}");
        if let Some(PlanStep::PhoneOtp { channels, optional }) = phone {
            let want = match pg {
                PhoneGateway::Sms => vec![PhoneChannel::Sms],
                PhoneGateway::Whatsapp => vec![PhoneChannel::Whatsapp],
                _ => vec![PhoneChannel::Sms, PhoneChannel::Whatsapp],
            };
            assert_eq!(channels, &want, "{ctx}");
            assert_eq!(*optional, su_opt, "{ctx}");
        }
        assert_eq!(p.has(StepKind::SignUpForm), su_on, "{ctx}");
        assert_eq!(
            p.has(StepKind::BasicInformation),
            s.basic_information == StepMode::Mandatory,
            "{ctx}"
        );
        assert_eq!(
            p.has(StepKind::Form),
            s.form == StepMode::Mandatory,
            "{ctx}"
        );
        let doc = p.steps.iter().find(|x| x.kind() == StepKind::Document);
        assert_eq!(doc.is_some(), s.document != StepMode::Skip, "{ctx}");
        if let Some(d) = doc {
            assert_eq!(d.is_optional(), s.document == StepMode::Optional, "{ctx}");
        }
        assert_eq!(p.has(StepKind::NameValidation), doc.is_some(), "{ctx}");
        assert_eq!(p.has(StepKind::CriminalCheck), doc.is_some(), "{ctx}");
        let live = p.steps.iter().find(|x| x.kind() == StepKind::Liveness);
        assert_eq!(live.is_some(), s.liveness != StepMode::Skip, "{ctx}");
        if let Some(l) = live {
            assert_eq!(l.is_optional(), s.liveness == StepMode::Optional, "{ctx}");
        }
        assert_eq!(
            p.has(StepKind::FaceCompare),
            doc.is_some() && live.is_some(),
            "{ctx}"
        );
        let kyc_mandatory =
            [s.basic_information, s.document, s.liveness, s.form].contains(&StepMode::Mandatory);
        assert_eq!(p.can_skip_kyc, !kyc_mandatory, "{ctx}");
        // Lifecycle order (§7): registration, email, phone, signUpForm, basic info, document,
        // name validation, criminal check, liveness, compare, form, end.
        let order = [
            StepKind::CreateRegistration,
            StepKind::EmailOtp,
            StepKind::PhoneOtp,
            StepKind::SignUpForm,
            StepKind::BasicInformation,
            StepKind::Document,
            StepKind::NameValidation,
            StepKind::CriminalCheck,
            StepKind::Liveness,
            StepKind::FaceCompare,
            StepKind::Form,
            StepKind::Finish,
        ];
        let positions: Vec<usize> = order.iter().filter_map(|k| pos(p, *k)).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{ctx}");
        assert_eq!(positions.len(), p.steps.len(), "no duplicates: {ctx}");
    }

    #[test]
    fn sign_up_data_rules() {
        let f = flow(
            StepModes {
                sign_up_form: StepMode::Mandatory,
                basic_information: StepMode::Skip,
                document: StepMode::Skip,
                liveness: StepMode::Skip,
                form: StepMode::Skip,
            },
            EmailGateway::Mailgun,
            PhoneGateway::Sms,
        );
        let field = |r: Result<Plan, EnrollError>| match r {
            Err(EnrollError::InvalidInput { field, .. }) => field,
            other => panic!("expected invalid input, got {other:?}"),
        };
        let mut s = full_signup();
        s.email = Some("not-an-email".into());
        assert_eq!(field(plan(&f, &s)), "email");
        let mut s = full_signup();
        s.country_code = None;
        assert_eq!(field(plan(&f, &s)), "countryCode");
        let mut s = full_signup();
        s.country_code = Some("57".into());
        assert_eq!(field(plan(&f, &s)), "countryCode");
        let mut s = full_signup();
        s.phone = Some("+57 300".into());
        assert_eq!(field(plan(&f, &s)), "phone");
        // The flow requires the phone channel: a missing phone is an error when mandatory ...
        let mut s = full_signup();
        s.phone = None;
        assert_eq!(field(plan(&f, &s)), "phone");
        // ... and the channel is left out when the sign-up form is optional.
        let mut fo = f.clone();
        fo.steps.sign_up_form = StepMode::Optional;
        let p = plan(&fo, &s).unwrap();
        assert!(!p.has(StepKind::PhoneOtp) && p.has(StepKind::EmailOtp));
        let empty = SignUpData::default();
        assert_eq!(field(plan(&fo, &empty)), "email");
        let mut paused = f.clone();
        paused.status = "paused".into();
        assert!(matches!(
            plan(&paused, &full_signup()),
            Err(EnrollError::InvalidState { .. })
        ));
    }

    #[test]
    fn document_categories_follow_the_flow() {
        let mut f = flow(
            StepModes {
                sign_up_form: StepMode::Skip,
                basic_information: StepMode::Skip,
                document: StepMode::Mandatory,
                liveness: StepMode::Skip,
                form: StepMode::Skip,
            },
            EmailGateway::None,
            PhoneGateway::None,
        );
        f.document.use_government_id = false;
        f.document.use_license = false;
        let p = plan(&f, &full_signup()).unwrap();
        assert!(p.steps.contains(&PlanStep::Document {
            optional: false,
            categories: vec![DocumentCategory::Passport]
        }));
    }
}
