//! Checks made before an image upload's body is read: the registrant token, the registration's
//! status, the step and the sign-up, and (without an `Idempotency-Key`, whose replay must still
//! answer) the attempts left. A request that fails them is answered without reading a byte of
//! its body, so an anonymous or finished registrant cannot make the sandbox buffer or decode
//! images. The handlers check everything again in their transaction.

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use smart_enroll_api::{IDEMPOTENCY_KEY_HEADER, StepSetting};

use crate::api::ApiError;
use crate::auth::Registrant;
use crate::model;
use crate::server::AppState;

/// The upload routes the gate guards.
pub(crate) const DOCUMENT_UPLOAD: &str = "/v2/document-validations/app-registration";
pub(crate) const SELFIE_UPLOAD: &str = "/v2/biometric-validations/app-registration";

/// The middleware (outermost, before the idempotency layer reads bodies).
pub(crate) async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let document = match req.uri().path().trim_end_matches('/') {
        DOCUMENT_UPLOAD => true,
        SELFIE_UPLOAD => false,
        _ => return next.run(req).await,
    };
    let (mut parts, body) = req.into_parts();
    let claims =
        match <Registrant as axum::extract::FromRequestParts<AppState>>::from_request_parts(
            &mut parts, &state,
        )
        .await
        {
            Ok(Registrant(c)) => c,
            Err(e) => return e.into_response(),
        };
    let keyed = parts.headers.contains_key(IDEMPOTENCY_KEY_HEADER);
    let now = state.now_ms();
    let checked = state
        .db
        .tx(now, &state.out, move |tx| {
            let reg = model::load_registration(tx, &claims.app_registration_id)?;
            reg.require_status(&["STARTED", "ONGOING"])?;
            let flow = model::load_flow(tx, &reg.project_flow)?;
            if document && flow.step("document") == StepSetting::Skip {
                return Err(ApiError::not_found("document_settings_not_set"));
            }
            if !reg.sign_up_passed(&flow) {
                return Err(ApiError::token(
                    StatusCode::CONFLICT,
                    "signUpForm_validation_not_passed",
                ));
            }
            if !document && !keyed && reg.liveness_attempts >= flow.liveness_max_attempts() {
                return Err(ApiError::max_attempts());
            }
            Ok(())
        })
        .await;
    match checked {
        Ok(()) => next.run(Request::from_parts(parts, body)).await,
        Err(e) => e.into_response(),
    }
}
