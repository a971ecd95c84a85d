//! App registrations: create, list, retrieve, `/me`, resend-link.

use axum::extract::{RawQuery, State};
use rusqlite::{OptionalExtension, params};
use smart_enroll_api::{
    CreateAppRegistrationRequest, CreateAppRegistrationResponse, IdOnly, InformationStatus,
    InformationValidation, MeRequest, Page, ResendLinkRequest, ResendLinkResponse, Secret,
};

use super::{
    check_populates, issue_token, own_registration, populated, populates_from_query, reg_event,
};
use crate::api::{
    ApiError, ApiResult, Body, Path, Problems, non_blank, ok, ok_raw, query_get, query_pairs,
};
use crate::auth::{ClientAuth, REGISTRANT_TTL_SECS, RESEND_LINK_TTL_SECS, Registrant};
use crate::clock::rfc3339;
use crate::model::{self, Registration, new_id};
use crate::server::AppState;

pub(crate) fn valid_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@')
        && e.len() <= 254
}

pub(crate) fn valid_phone(p: &str) -> bool {
    (4..=15).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
}

pub(crate) fn valid_country_code(c: &str) -> bool {
    c.strip_prefix('+')
        .is_some_and(|d| (1..=3).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
}

/// `POST /v2/app-registrations` (no token needed; any token is ignored).
pub(crate) async fn create(
    State(state): State<AppState>,
    Body {
        value: body,
        invalid,
    }: Body<CreateAppRegistrationRequest>,
) -> ApiResult {
    let mut f = Problems::new(&invalid);
    let project = body.project.trim().to_owned();
    let flow_id = body.project_flow.trim().to_owned();
    f.required("project", !project.is_empty());
    f.required("projectFlow", !flow_id.is_empty());
    let text = |v: &Option<Secret>| non_blank(v.as_ref().map(Secret::expose));
    let email = text(&body.email).map(|e| e.to_lowercase());
    let phone = text(&body.phone);
    let country_code = non_blank(body.country_code.as_deref());
    let mut full_name = text(&body.full_name);
    let mut first_name = text(&body.first_name);
    let mut last_name = text(&body.last_name);
    let language = non_blank(body.language.as_deref()).unwrap_or_else(|| "en".into());
    for name in [
        "email",
        "phone",
        "countryCode",
        "fullName",
        "firstName",
        "lastName",
        "language",
    ] {
        f.optional(name);
    }
    if email.is_none() && phone.is_none() {
        f.problem("Needs an email or a phone at least");
    }
    if email.as_deref().is_some_and(|e| !valid_email(e)) {
        f.invalid("email");
    }
    if let Some(p) = &phone {
        if !valid_phone(p) {
            f.invalid("phone");
        }
        if country_code.is_none() {
            f.problem("missing countryCode");
        }
    }
    if country_code
        .as_deref()
        .is_some_and(|c| !valid_country_code(c))
    {
        f.invalid("countryCode");
    }
    f.finish()?;
    if full_name.is_none() && (first_name.is_some() || last_name.is_some()) {
        let joined = [first_name.as_deref(), last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        full_name = Some(joined);
    }
    if let Some(full) = &full_name
        && first_name.is_none()
        && last_name.is_none()
    {
        let mut parts = full.splitn(2, ' ');
        first_name = parts.next().map(str::to_owned);
        last_name = parts.next().map(str::to_owned);
    }

    let now = state.now_ms();
    let st = state.clone();
    state
        .db
        .tx_ok(now, &state.out, move |tx| {
            model::load_project(tx, &project)?;
            let flow = model::load_flow(tx, &flow_id)?;
            if flow.project() != project {
                return Err(ApiError::not_found("projectFlow_not_found"));
            }
            if flow.status() != "active" {
                return Err(ApiError::conflict("projectFlow_not_active"));
            }
            if let Some(e) = &email {
                let dup: Option<String> = tx
                    .sql
                    .query_row(
                        "SELECT id FROM app_registrations WHERE project_id = ?1 AND email = ?2",
                        params![project, e],
                        |r| r.get(0),
                    )
                    .optional()?;
                if dup.is_some() {
                    return Err(ApiError::conflict("email_is_registered_already"));
                }
            }
            if let (Some(cc), Some(p)) = (&country_code, &phone) {
                let dup: Option<String> = tx
                    .sql
                    .query_row(
                        "SELECT id FROM app_registrations
                         WHERE project_id = ?1 AND phone_e164 = ?2",
                        params![project, format!("{cc}{p}")],
                        |r| r.get(0),
                    )
                    .optional()?;
                if dup.is_some() {
                    return Err(ApiError::conflict("phone_is_registered_already"));
                }
            }
            let id = new_id(tx.now);
            let info_id = new_id(tx.now);
            let reg = Registration {
                id: id.clone(),
                project: project.clone(),
                project_flow: flow_id.clone(),
                status: "STARTED".into(),
                current_step: "1".into(),
                email,
                phone,
                country_code,
                full_name,
                first_name,
                last_name,
                language,
                email_validation: None,
                phone_validation: None,
                email_validated: false,
                phone_validated: false,
                document_validation: None,
                biometric_validation: None,
                information_validation: info_id.clone(),
                person: None,
                face: None,
                document_face: None,
                compare_face_verification: None,
                steps_done: Vec::new(),
                document_attempts: 0,
                liveness_attempts: 0,
                created_at: rfc3339(tx.now),
                updated_at: rfc3339(tx.now),
            };
            model::insert_registration(tx, &reg)?;
            let info = InformationValidation {
                id: info_id.clone(),
                app_registration: Some(id.clone()),
                validation_type: Some("backgroundCheck".into()),
                status: Some(InformationStatus::Pending),
                created_at: Some(rfc3339(tx.now)),
                ..Default::default()
            };
            model::obj_insert(tx, model::INFORMATION, &id, &info)?;
            let step = reg.current_step.clone();
            let (token, _) = issue_token(&st.jwt_key, &reg, &step, tx.now, REGISTRANT_TTL_SECS)?;
            tx.emit(
                flow.webhook_url(),
                "app_registration_created",
                reg_event(&reg),
            );
            tracing::info!(registration = %reg.id, "app registration created");
            Ok(CreateAppRegistrationResponse {
                app_registration: reg.to_wire(),
                information_validation: Some(IdOnly { id: info_id }),
                token: Secret::new(token),
            })
        })
        .await
}

/// `GET /v2/app-registrations?page=&perPage=[&project=]` (client).
pub(crate) async fn list(
    State(state): State<AppState>,
    _auth: ClientAuth,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let pairs = query_pairs(q.as_deref());
    let mut problems = Vec::new();
    let mut num = |key: &str, default: u64, max: u64| match query_get(&pairs, key) {
        None | Some("") => default,
        Some(s) => match s.parse::<u64>() {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => {
                problems.push(format!("invalid {key}"));
                default
            }
        },
    };
    let page = num("page", 1, 1_000_000);
    let per_page = num("perPage", 20, 100);
    if !problems.is_empty() {
        return Err(ApiError::missing(&problems));
    }
    let project = query_get(&pairs, "project").map(str::to_owned);
    let now = state.now_ms();
    let (total, items) = state
        .db
        .tx(now, &state.out, move |tx| {
            let total: i64 = tx.sql.query_row(
                "SELECT COUNT(*) FROM app_registrations WHERE ?1 IS NULL OR project_id = ?1",
                [&project],
                |r| r.get(0),
            )?;
            let mut stmt = tx.sql.prepare(
                "SELECT doc FROM app_registrations WHERE ?1 IS NULL OR project_id = ?1
                 ORDER BY created_at DESC, rowid DESC LIMIT ?2 OFFSET ?3",
            )?;
            let offset = (page - 1).saturating_mul(per_page);
            let docs = stmt
                .query_map(
                    params![
                        project,
                        per_page as i64,
                        i64::try_from(offset).unwrap_or(i64::MAX)
                    ],
                    |r| r.get::<_, String>(0),
                )?
                .collect::<Result<Vec<_>, _>>()?;
            let items = docs
                .iter()
                .map(|d| serde_json::from_str::<Registration>(d).map(|r| r.to_wire()))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((total, items))
        })
        .await?;
    Ok(ok_raw(Page {
        data: items,
        total: u32::try_from(total).ok(),
        page: u32::try_from(page).ok(),
        per_page: u32::try_from(per_page).ok(),
    }))
}

/// `GET /v2/app-registrations/{id}?populates[]=…` (client).
pub(crate) async fn retrieve(
    State(state): State<AppState>,
    _auth: ClientAuth,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let names = populates_from_query(&query_pairs(q.as_deref()))?;
    let now = state.now_ms();
    let base = state.base_url.clone();
    let data = state
        .db
        .tx(now, &state.out, move |tx| {
            let reg = model::load_registration(tx, &id)?;
            populated(tx, &base, &reg, &names)
        })
        .await?;
    Ok(ok(data))
}

async fn me(state: AppState, claims: crate::auth::Claims, names: Vec<String>) -> ApiResult {
    let now = state.now_ms();
    let base = state.base_url.clone();
    let data = state
        .db
        .tx(now, &state.out, move |tx| {
            let reg = own_registration(tx, &claims, None)?;
            populated(tx, &base, &reg, &names)
        })
        .await?;
    Ok(ok(data))
}

/// `GET /v2/app-registrations/me?populates[]=…` (registrant).
pub(crate) async fn me_get(
    State(state): State<AppState>,
    Registrant(claims): Registrant,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let names = populates_from_query(&query_pairs(q.as_deref()))?;
    me(state, claims, names).await
}

/// `POST /v2/app-registrations/me {populates}` (registrant).
pub(crate) async fn me_post(
    State(state): State<AppState>,
    Registrant(claims): Registrant,
    Body { value, invalid }: Body<MeRequest>,
) -> ApiResult {
    let mut f = Problems::new(&invalid);
    f.optional("populates");
    f.finish()?;
    me(state, claims, check_populates(value.populates.0)?).await
}

/// `POST /v2/app-registrations/{id}/resend-link {sendEmail?, recipientEmail?}` (client).
pub(crate) async fn resend_link(
    State(state): State<AppState>,
    _auth: ClientAuth,
    Path(id): Path<String>,
    Body {
        value: body,
        invalid,
    }: Body<ResendLinkRequest>,
) -> ApiResult {
    let mut f = Problems::new(&invalid);
    f.optional("sendEmail");
    f.optional("recipientEmail");
    let send_email = body.send_email.unwrap_or(false);
    let recipient = non_blank(body.recipient_email.as_ref().map(Secret::expose));
    if recipient.as_deref().is_some_and(|e| !valid_email(e)) {
        f.invalid("recipientEmail");
    }
    f.finish()?;
    let now = state.now_ms();
    let st = state.clone();
    let base = state.base_url.clone();
    state
        .db
        .tx_ok(now, &state.out, move |tx| {
            let reg = model::load_registration(tx, &id)?;
            if reg.is_terminal() {
                return Err(ApiError::not_ongoing());
            }
            let (token, exp) = issue_token(
                &st.jwt_key,
                &reg,
                &reg.current_step,
                tx.now,
                RESEND_LINK_TTL_SECS,
            )?;
            let emailed = send_email && (recipient.is_some() || reg.email.is_some());
            if emailed {
                tracing::info!(registration = %reg.id, "sign-up link e-mail queued (sandbox: not sent)");
            }
            let link = format!("{base}/sign-up/{}?token={token}", reg.project);
            Ok(ResendLinkResponse {
                app_registration_id: reg.id,
                token: Secret::new(token),
                link: Some(Secret::new(link)),
                expires_at: Some(rfc3339(exp * 1000)),
                email_sent: Some(emailed),
            })
        })
        .await
}
