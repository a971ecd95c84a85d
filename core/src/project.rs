//! The integrator's backend side: [`ProjectClient`] (client token) reads a registration with its
//! populated validations and verifies the final token an app hands over after `sync end`.
//!
//! # How a final token is verified
//!
//! 1. Its claims are decoded locally (no trust yet) to learn the registration id it names.
//!    Anything that is not a signed JWT naming a registration (random text, `alg:none`) is
//!    refused here, without a request.
//! 2. The **server** checks the signature and the expiry: the token is presented as the Bearer
//!    of `POST /v2/app-registrations/me`. A 401/403 refuses it (bad signature, expired, wrong
//!    kind); the registration the server answers with must be the one the token names.
//! 3. The registration is retrieved with the **client token**
//!    (`GET /v2/app-registrations/{id}?populates[]=…`) and must be `COMPLETED`, of this
//!    project and (when given) of this flow.
//!
//! A token that fails any check is not an error: the answer is a [`FinalTokenVerdict`] with
//! `verified: false` and the [`VerdictReason`]s. An `Err` means the check could not be made
//! (network, server failure, the client token refused, a malformed answer): never treat it as
//! verified either.

use serde::{Deserialize, Serialize};
use smart_enroll_api as api;

use crate::client::{Auth, Req, RetryClass, SmartEnrollClient, seg};
use crate::error::EnrollError;
use crate::review::{CriminalCheck, DocumentFields, ScoreCheck, Thresholds, server_checks};
use crate::secret::{ClientToken, RegistrantToken};

/// Longest token accepted for checking (real ones are well under 2 KB).
const MAX_TOKEN_LEN: usize = 8 * 1024;

/// A registration as the server holds it, with its checks judged against its flow's thresholds.
/// `Debug` redacts the OCR values (see [`DocumentFields`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationDetails {
    /// Registration id.
    pub id: String,
    /// Server status (`STARTED`, `ONGOING`, `COMPLETED`, `COMPLETED_WITHOUT_KYC`, `FAILED`,
    /// `NEEDS_MANUAL_VERIFICATION`, `EXPIRED`; uppercase; an unknown one as sent).
    pub status: String,
    /// Project id.
    pub project_id: Option<String>,
    /// Flow id.
    pub flow_id: Option<String>,
    /// Creation time (the server's text, RFC 3339 on the sandbox).
    pub created_at: Option<String>,
    /// Last update time.
    pub updated_at: Option<String>,
    /// The document's OCR fields; `None` when there is no document.
    pub document: Option<DocumentFields>,
    /// Names on the document vs the sign-up names; `None` unless a name check ran.
    pub names_match: Option<bool>,
    /// Liveness score against the flow's `livenessMinScore` (passes when above it).
    pub liveness: Option<ScoreCheck>,
    /// Face-compare score against `compareMinScore`.
    pub compare: Option<ScoreCheck>,
    /// Criminal check; `None` unless it ran.
    pub criminal_check: Option<CriminalCheck>,
}

impl RegistrationDetails {
    /// Whether the server stored `COMPLETED`.
    pub fn is_completed(&self) -> bool {
        self.status == api::RegistrationStatus::Completed.as_str()
    }
}

/// Why a final token does not verify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum VerdictReason {
    /// Not a JWT naming a registration (random text, truncated, no `appRegistrationId`).
    #[error("the token is not a Smart Enroll token naming a registration")]
    Unreadable,
    /// The token is not signed (`alg: none`).
    #[error("the token is unsigned (alg none)")]
    Unsigned,
    /// The server refused the token: bad signature, expired, or not a registrant/final token.
    #[error("the server refused the token (bad signature, expired or wrong kind)")]
    RejectedByServer,
    /// The server's registration for the token is not the one the token names.
    #[error("the token names another registration than the server's")]
    RegistrationMismatch,
    /// The client token sees no such registration (another owner's, or deleted).
    #[error("no such registration for this client token")]
    RegistrationNotFound,
    /// The registration is not `COMPLETED`.
    #[error("the registration is {status}, not COMPLETED")]
    NotCompleted {
        /// The stored status.
        status: String,
    },
    /// The registration belongs to another project.
    #[error("the registration belongs to another project")]
    OtherProject {
        /// Its project.
        project_id: Option<String>,
    },
    /// The registration belongs to another flow of the project.
    #[error("the registration belongs to another flow")]
    OtherFlow {
        /// Its flow.
        flow_id: Option<String>,
    },
}

impl VerdictReason {
    /// A stable snake_case code (`rejected_by_server`, `not_completed`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unreadable => "unreadable",
            Self::Unsigned => "unsigned",
            Self::RejectedByServer => "rejected_by_server",
            Self::RegistrationMismatch => "registration_mismatch",
            Self::RegistrationNotFound => "registration_not_found",
            Self::NotCompleted { .. } => "not_completed",
            Self::OtherProject { .. } => "other_project",
            Self::OtherFlow { .. } => "other_flow",
        }
    }
}

/// The answer to [`ProjectClient::verify_final_token`]. `verified` is true only when every
/// check held; then `registration` is the completed registration with its scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FinalTokenVerdict {
    /// The registration the token names (`None` when it names none).
    pub registration_id: Option<String>,
    /// The stored status, when the token was accepted and the registration retrieved.
    pub status: Option<String>,
    /// The token is genuine (server-checked), the registration is `COMPLETED`, of this project
    /// and flow.
    pub verified: bool,
    /// Liveness score and threshold (copied from `registration`).
    pub liveness: Option<ScoreCheck>,
    /// Face-compare score and threshold (copied from `registration`).
    pub compare: Option<ScoreCheck>,
    /// The registration as retrieved with the client token; `None` when the token was refused
    /// before (nothing is read about a registration a token cannot prove).
    pub registration: Option<RegistrationDetails>,
    /// Why it does not verify; empty when `verified`.
    pub reasons: Vec<VerdictReason>,
}

impl FinalTokenVerdict {
    fn refused(registration_id: Option<String>, reason: VerdictReason) -> Self {
        Self {
            registration_id,
            status: None,
            verified: false,
            liveness: None,
            compare: None,
            registration: None,
            reasons: vec![reason],
        }
    }
}

/// Which registrations a [`ProjectClient`] accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Scope {
    /// One project, and one flow when given.
    Project {
        project_id: String,
        flow_id: Option<String>,
    },
    /// Any registration the client token can read.
    TokenOwner,
}

/// The integrator's backend client (project owner's client token). Never ship it in an app.
///
/// ```no_run
/// # async fn demo(final_token_from_the_app: &str) -> Result<(), smart_enroll_core::EnrollError> {
/// use smart_enroll_core::{ClientConfig, ClientToken, ProjectClient, SmartEnrollClient};
///
/// let client = SmartEnrollClient::new(ClientConfig::new("https://api.verifik.co"))?;
/// let token = ClientToken::new(std::env::var("SMART_ENROLL_CLIENT_TOKEN").unwrap_or_default());
/// let project = ProjectClient::new(client, token, "<project id>".into(), Some("<flow id>".into()));
/// let verdict = project.verify_final_token(final_token_from_the_app).await?;
/// if verdict.verified {
///     // Open the user's session for verdict.registration_id.
/// } else {
///     eprintln!("refused: {:?}", verdict.reasons);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ProjectClient {
    client: SmartEnrollClient,
    token: ClientToken,
    scope: Scope,
}

impl ProjectClient {
    /// A client for one project (and one flow when `flow_id` is given): registrations of other
    /// projects or flows are refused.
    pub fn new(
        client: SmartEnrollClient,
        token: ClientToken,
        project_id: String,
        flow_id: Option<String>,
    ) -> Self {
        Self {
            client,
            token,
            scope: Scope::Project {
                project_id: project_id.trim().to_owned(),
                flow_id: flow_id
                    .map(|f| f.trim().to_owned())
                    .filter(|f| !f.is_empty()),
            },
        }
    }

    /// A client for every registration the client token can read (on the hosted service, the
    /// token owner's projects): no project or flow check. Prefer [`ProjectClient::new`].
    pub fn for_token_owner(client: SmartEnrollClient, token: ClientToken) -> Self {
        Self {
            client,
            token,
            scope: Scope::TokenOwner,
        }
    }

    /// The project this client is for (`None` for [`ProjectClient::for_token_owner`]).
    pub fn project_id(&self) -> Option<&str> {
        match &self.scope {
            Scope::Project { project_id, .. } => Some(project_id),
            Scope::TokenOwner => None,
        }
    }

    /// The flow this client is for, when it checks one.
    pub fn flow_id(&self) -> Option<&str> {
        match &self.scope {
            Scope::Project { flow_id, .. } => flow_id.as_deref(),
            Scope::TokenOwner => None,
        }
    }

    fn check_scope(&self) -> Result<(), EnrollError> {
        match &self.scope {
            Scope::Project { project_id, .. } if project_id.is_empty() => {
                Err(EnrollError::InvalidInput {
                    field: "projectId".into(),
                    reason: "is empty".into(),
                })
            }
            _ => Ok(()),
        }
    }

    /// The registration with its populated validations (retrieve, client token), its checks
    /// judged against its flow's thresholds. A registration of another project or flow is
    /// [`EnrollError::NotFound`] (`registration_not_in_project`), like one that does not exist.
    pub async fn registration(&self, id: &str) -> Result<RegistrationDetails, EnrollError> {
        self.check_scope()?;
        let id = id.trim();
        if seg(id).is_err() {
            return Err(EnrollError::InvalidInput {
                field: "registrationId".into(),
                reason: "is not a plain id".into(),
            });
        }
        let details = self.retrieve(id).await?;
        if self.scope_mismatch(&details).is_some() {
            return Err(EnrollError::NotFound {
                code: "registration_not_in_project".into(),
            });
        }
        Ok(details)
    }

    /// Verifies a final token (see the module documentation). `Ok` with `verified: false` and
    /// the reasons when the token does not hold; `Err` only when the check could not be made.
    pub async fn verify_final_token(&self, token: &str) -> Result<FinalTokenVerdict, EnrollError> {
        self.check_scope()?;
        let token = token.trim();
        let readable = !token.is_empty()
            && token.len() <= MAX_TOKEN_LEN
            && token.bytes().all(|b| b.is_ascii_graphic());
        let claims = match readable
            .then(|| crate::jwt::unverified_claims(token))
            .flatten()
        {
            Some(c) if seg(&c.registration_id).is_ok() => c,
            _ => return Ok(FinalTokenVerdict::refused(None, VerdictReason::Unreadable)),
        };
        let id = claims.registration_id;
        if claims.alg.is_empty() || claims.alg.eq_ignore_ascii_case("none") {
            return Ok(FinalTokenVerdict::refused(
                Some(id),
                VerdictReason::Unsigned,
            ));
        }
        // The server checks the signature and the expiry.
        match self.me(token).await {
            Ok(server_id) if server_id == id => {}
            Ok(_) => {
                return Ok(FinalTokenVerdict::refused(
                    Some(id),
                    VerdictReason::RegistrationMismatch,
                ));
            }
            Err(EnrollError::SessionExpired { .. } | EnrollError::Forbidden { .. }) => {
                return Ok(FinalTokenVerdict::refused(
                    Some(id),
                    VerdictReason::RejectedByServer,
                ));
            }
            Err(EnrollError::NotFound { .. }) => {
                return Ok(FinalTokenVerdict::refused(
                    Some(id),
                    VerdictReason::RegistrationNotFound,
                ));
            }
            Err(e) => return Err(e),
        }
        // The registration as the project owner sees it.
        let details = match self.retrieve(&id).await {
            Ok(d) => d,
            Err(EnrollError::NotFound { .. }) => {
                return Ok(FinalTokenVerdict::refused(
                    Some(id),
                    VerdictReason::RegistrationNotFound,
                ));
            }
            Err(e) => return Err(e),
        };
        let mut reasons = Vec::new();
        if details.id != id {
            reasons.push(VerdictReason::RegistrationMismatch);
        }
        if !details.is_completed() {
            reasons.push(VerdictReason::NotCompleted {
                status: details.status.clone(),
            });
        }
        if let Some(r) = self.scope_mismatch(&details) {
            reasons.push(r);
        }
        let verified = reasons.is_empty();
        tracing::info!(registration = %id, verified, "final token checked");
        Ok(FinalTokenVerdict {
            registration_id: Some(id),
            status: Some(details.status.clone()),
            verified,
            liveness: details.liveness,
            compare: details.compare,
            registration: Some(details),
            reasons,
        })
    }

    /// Whether the registration is outside this client's project/flow, and how.
    fn scope_mismatch(&self, d: &RegistrationDetails) -> Option<VerdictReason> {
        let Scope::Project {
            project_id,
            flow_id,
        } = &self.scope
        else {
            return None;
        };
        if d.project_id.as_deref() != Some(project_id.as_str()) {
            return Some(VerdictReason::OtherProject {
                project_id: d.project_id.clone(),
            });
        }
        match flow_id {
            Some(f) if d.flow_id.as_deref() != Some(f.as_str()) => Some(VerdictReason::OtherFlow {
                flow_id: d.flow_id.clone(),
            }),
            _ => None,
        }
    }

    /// `POST /v2/app-registrations/me` with `token` as the Bearer: the id of the registration
    /// the server finds for it (the server verifies the token).
    async fn me(&self, token: &str) -> Result<String, EnrollError> {
        let bearer = RegistrantToken::new(token);
        let body = serde_json::to_value(api::MeRequest::default())
            .map_err(|e| EnrollError::malformed(format!("me request: {e}")))?;
        let req = Req::new(
            reqwest::Method::POST,
            "/v2/app-registrations/me",
            Auth::Registrant(&bearer),
            RetryClass::Safe,
            "verifyFinalToken",
        )
        .body(body);
        let reg = parse_registration(self.client.send(req).await?)?;
        Ok(reg.id)
    }

    /// `GET /v2/app-registrations/{id}?populates[]=…` (client token) as details.
    async fn retrieve(&self, id: &str) -> Result<RegistrationDetails, EnrollError> {
        let mut req = Req::new(
            reqwest::Method::GET,
            format!("/v2/app-registrations/{}", seg(id)?),
            Auth::Client(&self.token),
            RetryClass::Safe,
            "retrieveRegistration",
        );
        req.query = api::REVIEW_POPULATES
            .iter()
            .map(|p| ("populates[]".to_owned(), (*p).to_owned()))
            .collect();
        let reg = parse_registration(self.client.send(req).await?)?;
        let thresholds = match reg.project_flow.as_ref().and_then(api::IdOr::object) {
            Some(flow) => Thresholds::of_wire_flow(flow),
            // Not populated: the flow's public configuration has the thresholds.
            None => match (reg.project_id(), reg.project_flow_id()) {
                (Some(p), Some(f)) => {
                    Thresholds::of_flow(&self.client.fetch_flow_config(p, Some(f)).await?)
                }
                _ => crate::review::DEFAULT_THRESHOLDS,
            },
        };
        Ok(details(&reg, thresholds))
    }
}

/// A registration answer (`{data: registration}` or bare) as the wire type; it must have an id.
pub(crate) fn parse_registration(
    body: serde_json::Value,
) -> Result<api::AppRegistration, EnrollError> {
    let reg = serde_json::from_value::<api::MaybeData<api::AppRegistration>>(body)
        .map_err(|e| EnrollError::malformed(format!("registration: {e}")))?
        .0;
    if reg.id.trim().is_empty() {
        return Err(EnrollError::malformed("registration has no id"));
    }
    Ok(reg)
}

/// The details of a retrieved registration.
pub(crate) fn details(reg: &api::AppRegistration, t: Thresholds) -> RegistrationDetails {
    let checks = server_checks(reg, t);
    RegistrationDetails {
        id: reg.id.clone(),
        status: reg
            .status
            .as_ref()
            .map_or("UNKNOWN", api::RegistrationStatus::as_str)
            .to_owned(),
        project_id: reg.project_id().map(str::to_owned),
        flow_id: reg.project_flow_id().map(str::to_owned),
        created_at: reg.created_at.clone(),
        updated_at: reg.updated_at.clone(),
        document: checks.document,
        names_match: checks.names_match,
        liveness: checks.liveness,
        compare: checks.compare,
        criminal_check: checks.criminal_check,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_of_a_populated_registration() {
        let reg: api::AppRegistration = serde_json::from_str(
            r#"{"_id":"r1","status":"completed","project":{"_id":"p1","name":"P"},
            "projectFlow":{"_id":"f1","project":"p1","onboardingSettings":{
                "liveness":{"livenessMinScore":0.7},"document":{"compareMinScore":"0.9"}}},
            "createdAt":"2026-01-01T00:00:00Z",
            "biometricValidation":{"_id":"b","livenessScore":"0.71"},
            "compareFaceVerification":{"_id":"c","result":{"score":0.88}}}"#,
        )
        .unwrap();
        let flow = reg
            .project_flow
            .as_ref()
            .and_then(api::IdOr::object)
            .unwrap();
        let d = details(&reg, Thresholds::of_wire_flow(flow));
        assert_eq!(d.status, "COMPLETED");
        assert!(d.is_completed());
        assert_eq!(d.project_id.as_deref(), Some("p1"));
        assert_eq!(d.flow_id.as_deref(), Some("f1"));
        assert_eq!(d.created_at.as_deref(), Some("2026-01-01T00:00:00Z"));
        assert_eq!(
            d.liveness.map(|l| (l.min_score, l.passed)),
            Some((0.7, true))
        );
        assert_eq!(
            d.compare.map(|c| (c.min_score, c.passed)),
            Some((0.9, false))
        );
        assert_eq!(d.document, None);
    }

    #[test]
    fn registration_answers_without_an_id_are_malformed() {
        let value = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap();
        for body in [
            r#"{"data": {"status": "COMPLETED"}}"#,
            r#"{"data": []}"#,
            r#""x""#,
        ] {
            assert!(matches!(
                parse_registration(value(body)),
                Err(EnrollError::MalformedResponse { .. })
            ));
        }
        assert_eq!(
            parse_registration(value(r#"{"_id": "r", "status": "ONGOING"}"#))
                .unwrap()
                .id,
            "r"
        );
    }

    #[test]
    fn reasons_have_stable_codes_and_serialize_with_them() {
        let value = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap();
        let r = VerdictReason::NotCompleted {
            status: "FAILED".into(),
        };
        assert_eq!(r.code(), "not_completed");
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            value(r#"{"code": "not_completed", "status": "FAILED"}"#)
        );
        assert_eq!(r.to_string(), "the registration is FAILED, not COMPLETED");
        assert_eq!(
            serde_json::to_value(VerdictReason::Unsigned).unwrap()["code"],
            VerdictReason::Unsigned.code()
        );
    }
}
