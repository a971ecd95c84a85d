//! Email and phone OTP: create/resend and the validate variants (§10 #1, §11).

use axum::extract::State;
use axum::http::StatusCode;
use smart_enroll_api::{
    CreateEmailValidationRequest, CreatePhoneValidationRequest, OtpCode, OtpForm, OtpStatus,
    OtpValidated, OtpValidationCreated, Secret, ValidateEmailRequest, ValidatePhoneRequest,
};

use super::{EventObject, own_registration, reg_event};
use crate::api::{ApiError, ApiResult, Body, Path, Problems, non_blank};
use crate::auth::{Claims, Registrant};
use crate::clock::rfc3339;
use crate::db::Tx;
use crate::handlers::registrations::{valid_country_code, valid_email, valid_phone};
use crate::model::{self, Registration, new_id};
use crate::otp::{self, COOLDOWN_MS, MAX_ATTEMPTS, OtpRow, TTL_MS};
use crate::server::AppState;
use crate::triggers::Triggers;

const METHODS: &[&str] = &["verificationCode", "manual"];
const TYPES: &[&str] = &["onboarding", "validation", "login", "oneTimeLink"];

/// Which contact an OTP is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Email,
    Phone,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
        }
    }
    fn prefix(self) -> &'static str {
        match self {
            Self::Email => "email_validation",
            Self::Phone => "phone_validation",
        }
    }
    /// Whether the registration's contact of this kind is validated.
    fn validated(self, reg: &Registration) -> bool {
        match self {
            Self::Email => reg.email_validated,
            Self::Phone => reg.phone_validated,
        }
    }
    fn not_found(self) -> ApiError {
        ApiError::not_found(match self {
            Self::Email => "email_validation_not_found",
            Self::Phone => "phone_validation_not_found",
        })
    }
    fn expired(self) -> ApiError {
        ApiError::token(
            StatusCode::PRECONDITION_FAILED,
            match self {
                Self::Email => "emailValidation_has_expired",
                Self::Phone => "phoneValidation_has_expired",
            },
        )
    }
}

/// Any try on a channel that is validated already (it stays validated; nothing is compared).
fn already_validated() -> ApiError {
    ApiError::conflict("otp_already_validated")
}

/// Issues a fresh code, or re-sends the active one (cooldown permitting).
#[allow(clippy::too_many_arguments)]
fn issue_or_resend(
    tx: &mut Tx<'_>,
    state: &AppState,
    reg: &Registration,
    webhook: Option<&str>,
    kind: Kind,
    channel: &str,
    contact: &str,
    phone_digits: Option<&str>,
) -> Result<OtpRow, ApiError> {
    let now = tx.now;
    if kind.validated(reg) {
        return Err(already_validated());
    }
    let latest = otp::latest(tx, &reg.id, kind.as_str(), Some(contact))?;
    let active = latest
        .clone()
        .filter(|r| r.status == "sent" && now < r.expires_at && r.attempts < MAX_ATTEMPTS);
    let cooldown = |since: i64| otp::too_many("otp_resend_cooldown", COOLDOWN_MS - since);
    let (row, event) = if let Some(mut row) = active {
        let since = now - row.last_sent_at;
        if since < COOLDOWN_MS {
            return Err(cooldown(since));
        }
        row.last_sent_at = now;
        row.channel = channel.to_owned();
        otp::update_state(tx, &row)?;
        (row, "resend")
    } else {
        // The cooldown also runs after a lock: from the later of the last send and the try
        // that locked the code.
        if let Some(prev) = latest.filter(|r| r.status == "locked" || r.attempts >= MAX_ATTEMPTS) {
            let anchor = prev
                .last_sent_at
                .max(otp::last_guess_at(tx, &prev.id)?.unwrap_or(0));
            if now - anchor < COOLDOWN_MS {
                return Err(cooldown(now - anchor));
            }
        }
        otp::check_code_limit(tx, &reg.id, kind.as_str())?;
        let seed = otp::random_seed();
        let salt = otp::random_seed();
        let code = otp::code(&state.otp_key, &seed);
        let row = OtpRow {
            id: new_id(now),
            registration_id: reg.id.clone(),
            kind: kind.as_str().to_owned(),
            channel: channel.to_owned(),
            contact: contact.to_owned(),
            code_hash: otp::hash(&state.otp_key, &salt, &code.0).to_vec(),
            seed,
            salt,
            status: "sent".into(),
            attempts: 0,
            expires_at: now + TTL_MS,
            last_sent_at: now,
        };
        otp::insert(tx, &row, phone_digits)?;
        (row, "created")
    };
    otp::record_send(tx, &row, contact, phone_digits)?;
    tx.emit(
        webhook,
        &format!("{}_{event}", kind.prefix()),
        EventObject {
            id: Some(row.id.clone()),
            status: Some(row.status.clone()),
            channel: Some(row.channel.clone()),
            expires_at: Some(rfc3339(row.expires_at)),
            app_registration: Some(reg_event(reg)),
            ..Default::default()
        },
    );
    Ok(row)
}

fn created_body(row: &OtpRow) -> OtpValidationCreated {
    OtpValidationCreated {
        id: row.id.clone(),
        status: OtpStatus::Sent,
        otp: Some(Secret::new(hex::encode(&row.code_hash))),
        channel: Some(row.channel.clone()),
        expires_at: Some(rfc3339(row.expires_at)),
    }
}

fn log_delivery(state: &AppState, row: &OtpRow) {
    // Ids and channel only: never the code or the contact.
    if state.dev {
        tracing::info!(validation = %row.id, channel = %row.channel, "OTP sent to the dev outbox");
    } else {
        tracing::info!(validation = %row.id, channel = %row.channel,
            "OTP issued (sandbox: not delivered; start with --dev for GET /sandbox/outbox)");
    }
}

fn check_project(tx: &Tx<'_>, reg: &Registration, project: &str) -> Result<(), ApiError> {
    model::load_project(tx, project)?;
    if project != reg.project {
        return Err(ApiError::forbidden());
    }
    Ok(())
}

/// `POST /v2/email-validations/app-registration`.
pub(crate) async fn create_email(
    State(state): State<AppState>,
    Registrant(claims): Registrant,
    Body {
        value: body,
        invalid,
    }: Body<CreateEmailValidationRequest>,
) -> ApiResult {
    let mut f = Problems::new(&invalid);
    let project = body.project.trim().to_owned();
    let email = body.email.expose().trim().to_lowercase();
    f.required("project", !project.is_empty());
    f.required("email", !email.is_empty());
    check_method_and_type(
        &mut f,
        body.validation_method.as_deref(),
        body.validation_type.as_deref(),
    );
    if !email.is_empty() && !valid_email(&email) {
        f.invalid("email");
    }
    f.finish()?;
    let now = state.now_ms();
    let st = state.clone();
    state
        .db
        .tx_ok(now, &state.out, move |tx| {
            let mut reg = own_registration(tx, &claims, None)?;
            check_project(tx, &reg, &project)?;
            reg.require_status(&["STARTED", "ONGOING"])?;
            if reg.email.as_deref() != Some(email.as_str()) {
                return Err(ApiError::token(
                    StatusCode::CONFLICT,
                    "email_does_not_match_registration",
                ));
            }
            let flow = model::load_flow(tx, &reg.project_flow)?;
            let row = issue_or_resend(
                tx,
                &st,
                &reg,
                flow.webhook_url(),
                Kind::Email,
                "email",
                &email,
                None,
            )?;
            reg.email_validation = Some(row.id.clone());
            model::save_registration(tx, &mut reg)?;
            log_delivery(&st, &row);
            Ok(created_body(&row))
        })
        .await
}

/// `POST /v2/phone-validations/app-registration` (billed).
pub(crate) async fn create_phone(
    State(state): State<AppState>,
    Registrant(claims): Registrant,
    Body {
        value: body,
        invalid,
    }: Body<CreatePhoneValidationRequest>,
) -> ApiResult {
    let mut f = Problems::new(&invalid);
    let project = body.project.trim().to_owned();
    let phone = body.phone.expose().trim().to_owned();
    let cc = body.country_code.trim().to_owned();
    f.required("project", !project.is_empty());
    f.required("phone", !phone.is_empty());
    f.required("countryCode", !cc.is_empty());
    check_method_and_type(
        &mut f,
        body.validation_method.as_deref(),
        body.validation_type.as_deref(),
    );
    let gateway = non_blank(body.phone_gateway.as_deref());
    f.one_of("phoneGateway", gateway.as_deref(), &["sms", "whatsapp"]);
    if !phone.is_empty() && !valid_phone(&phone) {
        f.invalid("phone");
    }
    if !cc.is_empty() && !valid_country_code(&cc) {
        f.invalid("countryCode");
    }
    f.finish()?;
    let now = state.now_ms();
    let st = state.clone();
    state
        .db
        .tx_ok(now, &state.out, move |tx| {
            let mut reg = own_registration(tx, &claims, None)?;
            check_project(tx, &reg, &project)?;
            reg.require_status(&["STARTED", "ONGOING"])?;
            if reg.phone.as_deref() != Some(phone.as_str())
                || reg.country_code.as_deref() != Some(cc.as_str())
            {
                return Err(ApiError::token(
                    StatusCode::CONFLICT,
                    "phone_does_not_match_registration",
                ));
            }
            if Triggers::from_email(reg.email.as_deref()).no_credits {
                return Err(ApiError::payment_required());
            }
            let flow = model::load_flow(tx, &reg.project_flow)?;
            let channel = gateway.unwrap_or_else(|| match flow.phone_gateway() {
                "whatsapp" => "whatsapp".into(),
                _ => "sms".into(),
            });
            let e164 = format!("{cc}{phone}");
            let row = issue_or_resend(
                tx,
                &st,
                &reg,
                flow.webhook_url(),
                Kind::Phone,
                &channel,
                &e164,
                Some(&phone),
            )?;
            reg.phone_validation = Some(row.id.clone());
            model::save_registration(tx, &mut reg)?;
            log_delivery(&st, &row);
            Ok(created_body(&row))
        })
        .await
}

/// How the validation to check is named.
enum Target {
    Id(String),
    Contact(String),
}

fn validate_tx(
    tx: &mut Tx<'_>,
    state: &AppState,
    claims: &Claims,
    kind: Kind,
    target: &Target,
    contact: Option<&str>,
    code: &OtpCode,
) -> Result<OtpValidated, ApiError> {
    let mut reg = own_registration(tx, claims, None)?;
    let mut row = match target {
        Target::Id(id) => {
            let row = otp::by_id(tx, id, kind.as_str())?.ok_or_else(|| kind.not_found())?;
            if row.registration_id != reg.id {
                return Err(ApiError::forbidden());
            }
            if contact.is_some_and(|c| c != row.contact) {
                return Err(kind.not_found());
            }
            row
        }
        Target::Contact(c) => {
            otp::latest(tx, &reg.id, kind.as_str(), Some(c))?.ok_or_else(|| kind.not_found())?
        }
    };
    let flow = model::load_flow(tx, &reg.project_flow)?;
    let webhook = flow.webhook_url().map(str::to_owned);
    if row.status == "validated" || kind.validated(&reg) {
        return Err(already_validated());
    }
    if row.status == "locked" || row.attempts >= MAX_ATTEMPTS {
        return Err(ApiError::named(
            StatusCode::LOCKED,
            "Locked",
            "otp_attempts_exceeded",
        ));
    }
    if tx.now >= row.expires_at {
        return Err(kind.expired());
    }
    // At most GUESS_LIMIT codes compared per registration and channel per hour.
    otp::check_guess_limit(tx, &reg.id, kind.as_str())?;
    otp::record_guess(tx, &row)?;
    let project = model::load_project(tx, &reg.project)?;
    // A number-form code under --otp-string-only is compared as a number against a string code:
    // it never matches (and counts as a wrong try), like a server comparing strict types.
    let comparable = match code.form() {
        OtpForm::Number if state.otp_string_only => None,
        _ => code.normalized(),
    };
    let good = comparable.as_deref().is_some_and(|c| {
        let demo = project.demo_mode == Some(true)
            && project
                .demo_otp
                .as_ref()
                .and_then(OtpCode::normalized)
                .is_some_and(|d| d == c);
        otp::matches(&state.otp_key, &row.salt, &row.code_hash, c) || demo
    });
    let event_obj = EventObject {
        id: Some(row.id.clone()),
        channel: Some(row.channel.clone()),
        app_registration: Some(reg_event(&reg)),
        ..Default::default()
    };
    if good {
        row.status = "validated".into();
        otp::update_state(tx, &row)?;
        match kind {
            Kind::Email => {
                reg.email_validated = true;
                reg.email_validation = Some(row.id.clone());
            }
            Kind::Phone => {
                reg.phone_validated = true;
                reg.phone_validation = Some(row.id.clone());
            }
        }
        model::save_registration(tx, &mut reg)?;
        tx.emit(
            webhook.as_deref(),
            &format!("{}_validated", kind.prefix()),
            event_obj,
        );
        return Ok(OtpValidated {
            id: row.id,
            status: OtpStatus::Validated,
        });
    }
    row.attempts += 1;
    let locked = row.attempts >= MAX_ATTEMPTS;
    if locked {
        row.status = "locked".into();
    }
    otp::update_state(tx, &row)?;
    tx.emit(
        webhook.as_deref(),
        &format!("{}_otp_incorect", kind.prefix()),
        event_obj,
    );
    Err(if locked {
        ApiError::named(StatusCode::LOCKED, "Locked", "otp_attempts_exceeded").persisted()
    } else {
        ApiError::token(StatusCode::FORBIDDEN, "otp_does_not_match").persisted()
    })
}

/// What a validate body says, whichever variant it came in.
struct ValidateBody {
    code: OtpCode,
    id: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    country_code: Option<String>,
    invalid: Vec<String>,
}

impl From<Body<ValidateEmailRequest>> for ValidateBody {
    fn from(b: Body<ValidateEmailRequest>) -> Self {
        Self {
            code: b.value.otp,
            id: non_blank(b.value.id.as_deref()),
            email: non_blank(b.value.email.as_ref().map(Secret::expose)),
            phone: None,
            country_code: None,
            invalid: b.invalid,
        }
    }
}

impl From<Body<ValidatePhoneRequest>> for ValidateBody {
    fn from(b: Body<ValidatePhoneRequest>) -> Self {
        Self {
            code: b.value.otp,
            id: non_blank(b.value.id.as_deref()),
            email: None,
            phone: non_blank(b.value.phone.as_ref().map(Secret::expose)),
            country_code: non_blank(b.value.country_code.as_deref()),
            invalid: b.invalid,
        }
    }
}

async fn validate(
    state: AppState,
    claims: Claims,
    kind: Kind,
    path_id: Option<String>,
    body: ValidateBody,
) -> ApiResult {
    let mut f = Problems::new(&body.invalid);
    let code = body.code;
    if !f.mistyped("otp") {
        if code.expose().trim().is_empty() {
            f.problem("missing otp");
        } else if code.normalized().is_none() {
            f.invalid("otp");
        }
    }
    f.optional("id");
    f.optional("_id");
    let id = path_id.or(body.id);
    let contact = match kind {
        Kind::Email => {
            if id.is_none() {
                f.required("email", body.email.is_some());
            } else {
                f.optional("email");
            }
            body.email.map(|e| e.to_lowercase())
        }
        Kind::Phone => {
            if id.is_none() {
                f.required("phone", body.phone.is_some());
                f.required("countryCode", body.country_code.is_some());
            } else {
                f.optional("phone");
                f.optional("countryCode");
            }
            match (body.phone, body.country_code) {
                (Some(p), Some(cc)) => Some(format!("{cc}{p}")),
                (Some(_), None) if id.is_some() => {
                    f.problem("missing countryCode");
                    None
                }
                _ => None,
            }
        }
    };
    f.finish()?;
    let target = match (id, &contact) {
        (Some(id), _) => Target::Id(id),
        (None, Some(c)) => Target::Contact(c.clone()),
        (None, None) => return Err(ApiError::missing(&[format!("missing {}", kind.as_str())])),
    };
    let now = state.now_ms();
    let st = state.clone();
    state
        .db
        .tx_ok(now, &state.out, move |tx| {
            validate_tx(tx, &st, &claims, kind, &target, contact.as_deref(), &code)
        })
        .await
}

/// `PUT /v2/email-validations/{id} {email?, otp}`.
pub(crate) async fn validate_email_by_id(
    State(state): State<AppState>,
    Registrant(claims): Registrant,
    Path(id): Path<String>,
    body: Body<ValidateEmailRequest>,
) -> ApiResult {
    validate(state, claims, Kind::Email, Some(id), body.into()).await
}

/// `PUT /v2/email-validations` and `POST /v2/email-validations/validate {email, otp}`.
pub(crate) async fn validate_email(
    State(state): State<AppState>,
    Registrant(claims): Registrant,
    body: Body<ValidateEmailRequest>,
) -> ApiResult {
    validate(state, claims, Kind::Email, None, body.into()).await
}

/// `PUT /v2/phone-validations/{id} {otp}`.
pub(crate) async fn validate_phone_by_id(
    State(state): State<AppState>,
    Registrant(claims): Registrant,
    Path(id): Path<String>,
    body: Body<ValidatePhoneRequest>,
) -> ApiResult {
    validate(state, claims, Kind::Phone, Some(id), body.into()).await
}

/// `PUT /v2/phone-validations` and `POST /v2/phone-validations/validate {phone, countryCode, otp}`.
pub(crate) async fn validate_phone(
    State(state): State<AppState>,
    Registrant(claims): Registrant,
    body: Body<ValidatePhoneRequest>,
) -> ApiResult {
    validate(state, claims, Kind::Phone, None, body.into()).await
}

/// `validationMethod` and `type` of an OTP create (email and phone alike).
fn check_method_and_type(f: &mut Problems, method: Option<&str>, kind: Option<&str>) {
    f.one_of("validationMethod", non_blank(method).as_deref(), METHODS);
    f.one_of("type", non_blank(kind).as_deref(), TYPES);
}
