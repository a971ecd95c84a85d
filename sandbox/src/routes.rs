//! The route table (single source of truth for the router and `GET /openapi.json`).

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, post, put};

use crate::api::ApiError;
use crate::handlers::{
    biometrics, documents, misc, otp as otp_h, projects, registrations, sync as sync_h,
};
use crate::server::AppState;

/// One HTTP route of the sandbox.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: &'static str,
    /// axum/OpenAPI path template, e.g. `/v2/app-registrations/{id}/sync`.
    pub path: &'static str,
    /// `none`, `client`, `registrant`, `optional-client`, `dev` or `dev-client` (`--dev` and
    /// the client token).
    pub auth: &'static str,
    /// One-line description.
    pub summary: &'static str,
}

const fn r(
    method: &'static str,
    path: &'static str,
    auth: &'static str,
    summary: &'static str,
) -> Route {
    Route {
        method,
        path,
        auth,
        summary,
    }
}

/// Every route the sandbox serves.
pub const ROUTES: &[Route] = &[
    r("GET", "/openapi.json", "none", "This OpenAPI document"),
    r("GET", "/health", "none", "Liveness probe"),
    r("POST", "/v2/projects", "client", "Create a project"),
    r(
        "GET",
        "/v2/projects/kyc",
        "none",
        "Public project and flow configuration",
    ),
    r(
        "POST",
        "/v2/project-flows",
        "client",
        "Create a project flow (v2 or v3 body)",
    ),
    r(
        "POST",
        "/v2/app-registrations",
        "optional-client",
        "Create an app registration",
    ),
    r(
        "GET",
        "/v2/app-registrations",
        "client",
        "List app registrations (page, perPage)",
    ),
    r(
        "GET",
        "/v2/app-registrations/me",
        "registrant",
        "The token's own registration",
    ),
    r(
        "POST",
        "/v2/app-registrations/me",
        "registrant",
        "The token's own registration",
    ),
    r(
        "GET",
        "/v2/app-registrations/{id}",
        "client",
        "Retrieve a registration (populates[])",
    ),
    r(
        "PUT",
        "/v2/app-registrations/{id}/sync",
        "registrant",
        "Sync step and status",
    ),
    r(
        "POST",
        "/v2/app-registrations/{id}/sync",
        "registrant",
        "Sync step and status",
    ),
    r(
        "POST",
        "/v2/app-registrations/{id}/resend-link",
        "client",
        "New 30-min token and link",
    ),
    r(
        "POST",
        "/v2/app-registrations/{id}/submit-kyc-approval",
        "registrant",
        "Undocumented: 501",
    ),
    r(
        "POST",
        "/v2/email-validations/app-registration",
        "registrant",
        "Create or resend email OTP",
    ),
    r(
        "PUT",
        "/v2/email-validations/{id}",
        "registrant",
        "Validate email OTP",
    ),
    r(
        "PUT",
        "/v2/email-validations",
        "registrant",
        "Validate email OTP (by token + email)",
    ),
    r(
        "POST",
        "/v2/email-validations/validate",
        "registrant",
        "Validate email OTP",
    ),
    r(
        "POST",
        "/v2/phone-validations/app-registration",
        "registrant",
        "Create or resend phone OTP",
    ),
    r(
        "PUT",
        "/v2/phone-validations",
        "registrant",
        "Validate phone OTP (by token + phone)",
    ),
    r(
        "PUT",
        "/v2/phone-validations/{id}",
        "registrant",
        "Validate phone OTP",
    ),
    r(
        "POST",
        "/v2/phone-validations/validate",
        "registrant",
        "Validate phone OTP",
    ),
    r(
        "POST",
        "/v2/document-validations/app-registration",
        "registrant",
        "Upload a document side",
    ),
    r(
        "PUT",
        "/v2/document-validations/{id}/validate",
        "registrant",
        "Name validation",
    ),
    r(
        "PUT",
        "/v2/document-validations/{id}/manual-verification",
        "registrant",
        "Ask for review",
    ),
    r(
        "POST",
        "/v2/biometric-validations/app-registration",
        "registrant",
        "Selfie liveness",
    ),
    r(
        "DELETE",
        "/v2/biometric-validations/{id}",
        "registrant",
        "Delete a biometric validation",
    ),
    r(
        "POST",
        "/v2/face-recognition/compare/app-registration",
        "registrant",
        "Document vs selfie",
    ),
    r(
        "PUT",
        "/v2/information-validations/{id}/background-check",
        "registrant",
        "Criminal check",
    ),
    r(
        "POST",
        "/v2/identity-images",
        "registrant",
        "Undocumented: 501 not_implemented",
    ),
    r(
        "POST",
        "/v2/zk-proof",
        "registrant",
        "Undocumented: 501 not_implemented",
    ),
    r(
        "GET",
        "/sandbox/outbox",
        "dev",
        "Dev only: latest OTP codes for ?to=<email or phone>",
    ),
    r("GET", "/sandbox/images/{file}", "client", "A stored image"),
    // The dashboard's API (`crate::dashboard`).
    r(
        "GET",
        "/sandbox/changes",
        "client",
        "Dashboard: a counter that moves on every change",
    ),
    r(
        "GET",
        "/sandbox/registrations",
        "client",
        "Dashboard: registrations, newest first (status, project, flow, limit)",
    ),
    r(
        "GET",
        "/sandbox/registrations/{id}",
        "client",
        "Dashboard: a registration's step trail, objects, images and webhook deliveries",
    ),
    r(
        "GET",
        "/sandbox/projects",
        "client",
        "Dashboard: projects and their flows' steps and modes",
    ),
    r(
        "GET",
        "/sandbox/outbox/recent",
        "dev-client",
        "Dashboard, dev only: the latest OTP codes sent (targets masked)",
    ),
];

/// Undocumented endpoints the sandbox routes but does not implement: they answer 501
/// `not_implemented` and are left out of `/openapi.json`. (`PUT /v2/app-registrations/{id}` is
/// not routed at all: its path is a documented one, where a fuzzer rightly expects 405 for an
/// undocumented method.)
pub const NOT_IMPLEMENTED: &[(&str, &str)] = &[
    ("POST", "/v2/app-registrations/{id}/submit-kyc-approval"),
    ("POST", "/v2/identity-images"),
    ("POST", "/v2/zk-proof"),
];

/// The handler for one route of [`ROUTES`].
fn handler_for(route: &Route) -> Option<MethodRouter<AppState>> {
    Some(match (route.method, route.path) {
        ("GET", "/openapi.json") => get(openapi_handler),
        ("GET", "/health") => get(|| async {
            crate::api::ok(smart_enroll_api::Health {
                status: "ok".into(),
            })
        }),
        ("POST", "/v2/projects") => post(projects::create_project),
        ("GET", "/v2/projects/kyc") => get(projects::kyc_config),
        ("POST", "/v2/project-flows") => post(projects::create_flow),
        ("POST", "/v2/app-registrations") => post(registrations::create),
        ("GET", "/v2/app-registrations") => get(registrations::list),
        ("GET", "/v2/app-registrations/me") => get(registrations::me_get),
        ("POST", "/v2/app-registrations/me") => post(registrations::me_post),
        ("GET", "/v2/app-registrations/{id}") => get(registrations::retrieve),
        ("PUT", "/v2/app-registrations/{id}/sync") => put(sync_h::sync),
        ("POST", "/v2/app-registrations/{id}/sync") => post(sync_h::sync),
        ("POST", "/v2/app-registrations/{id}/resend-link") => post(registrations::resend_link),
        ("POST", "/v2/email-validations/app-registration") => post(otp_h::create_email),
        ("PUT", "/v2/email-validations/{id}") => put(otp_h::validate_email_by_id),
        ("PUT", "/v2/email-validations") => put(otp_h::validate_email),
        ("POST", "/v2/email-validations/validate") => post(otp_h::validate_email),
        ("POST", "/v2/phone-validations/app-registration") => post(otp_h::create_phone),
        ("PUT", "/v2/phone-validations") => put(otp_h::validate_phone),
        ("PUT", "/v2/phone-validations/{id}") => put(otp_h::validate_phone_by_id),
        ("POST", "/v2/phone-validations/validate") => post(otp_h::validate_phone),
        ("POST", "/v2/document-validations/app-registration") => post(documents::create),
        ("PUT", "/v2/document-validations/{id}/validate") => put(documents::name_validation),
        ("PUT", "/v2/document-validations/{id}/manual-verification") => {
            put(documents::manual_verification)
        }
        ("POST", "/v2/biometric-validations/app-registration") => post(biometrics::create),
        ("DELETE", "/v2/biometric-validations/{id}") => delete(biometrics::delete),
        ("POST", "/v2/face-recognition/compare/app-registration") => post(biometrics::compare),
        ("PUT", "/v2/information-validations/{id}/background-check") => {
            put(documents::background_check)
        }
        (m, p) if NOT_IMPLEMENTED.contains(&(m, p)) => match m {
            "PUT" => put(not_implemented),
            _ => post(not_implemented),
        },
        ("GET", "/sandbox/outbox") => get(misc::outbox),
        ("GET", "/sandbox/images/{file}") => get(misc::image),
        _ => return crate::dashboard::handler_for(route),
    })
}

async fn not_implemented() -> ApiError {
    ApiError::named(
        StatusCode::NOT_IMPLEMENTED,
        "NotImplemented",
        "not_implemented",
    )
}

async fn route_not_found() -> ApiError {
    ApiError::named(StatusCode::NOT_FOUND, "NotFound", "route_not_found")
}

async fn method_not_allowed() -> ApiError {
    ApiError::named(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        "method_not_allowed",
    )
}

/// Most request headers.
const MAX_HEADERS: usize = 100;
/// Most bytes of header names and values together.
const MAX_HEADER_BYTES: usize = 32 * 1024;

/// 431 for a request with more than [`MAX_HEADERS`] headers or [`MAX_HEADER_BYTES`] of them
/// (hyper's buffer limit does not catch a head that arrives in one read).
async fn header_limit(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let bytes: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len())
        .sum();
    if req.headers().len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES {
        return ApiError::named(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "RequestHeaderFieldsTooLarge",
            "header_fields_too_large",
        )
        .into_response();
    }
    next.run(req).await
}

/// Gives any 4xx/5xx that is not JSON yet (a framework rejection) the JSON error envelope.
async fn json_errors(resp: Response) -> Response {
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if status.as_u16() < 400 || is_json {
        return resp;
    }
    let reason = status.canonical_reason().unwrap_or("Error");
    let code: String = reason.split_whitespace().collect();
    let token = reason.to_ascii_lowercase().replace([' ', '-'], "_");
    let mut out = ApiError::named(status, &code, &token).into_response();
    if let Some(v) = resp.headers().get(axum::http::header::RETRY_AFTER) {
        out.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, v.clone());
    }
    out
}

fn panic_response(_err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("request handler panicked");
    ApiError::internal().into_response()
}

/// Builds the router from [`ROUTES`]. Routes without a handler are skipped (a test checks
/// that none is).
pub(crate) fn router(state: AppState) -> Router {
    let mut app: Router<AppState> = Router::new();
    for route in ROUTES {
        match handler_for(route) {
            Some(h) => app = app.route(route.path, h),
            None => tracing::error!(path = route.path, "route without handler"),
        }
    }
    app.merge(crate::dashboard::pages())
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::idempotency::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::handlers::gate::layer,
        ))
        .layer(axum::middleware::map_response(json_errors))
        .layer(axum::middleware::from_fn(header_limit))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            panic_response,
        ))
        .layer(axum::middleware::map_response(
            crate::dashboard::security_headers,
        ))
        .with_state(state)
}

async fn openapi_handler(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    axum::Json(crate::openapi::document_json(state.dev)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_has_a_handler_and_documented_routes_an_openapi_entry() {
        let doc = crate::openapi::document_json(true);
        let mut seen = std::collections::HashSet::new();
        for route in ROUTES {
            assert!(
                handler_for(route).is_some(),
                "no handler for {} {}",
                route.method,
                route.path
            );
            assert!(
                seen.insert((route.method, route.path)),
                "duplicate route {}",
                route.path
            );
            let op = doc
                .pointer(&format!(
                    "/paths/{}/{}",
                    route.path.replace('~', "~0").replace('/', "~1"),
                    route.method.to_ascii_lowercase()
                ))
                .cloned();
            let documented = crate::openapi::documented(route, true);
            assert_eq!(
                op.is_some(),
                documented,
                "{} {} documented: {documented}",
                route.method,
                route.path
            );
        }
    }
}
