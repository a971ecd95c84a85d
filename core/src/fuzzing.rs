//! Entry points for the fuzz targets in `core/fuzz` (feature `fuzzing`, never on in a build
//! that ships): the exact readers the client applies to server answers, reachable from outside
//! the crate. Each must return (an answer or a typed error) and never panic, whatever the bytes.

use crate::client::{data_of, parse_data};
use crate::error::{AuthKind, map_failure, parse_failure};
use crate::flow::FlowConfig;
use serde_json::Value;
use smart_enroll_api as api;

/// How many response readers [`parse_response`] dispatches to (`selector % READERS`).
pub const READERS: u8 = 20;

/// Runs one of the client's response readers on `body` as if the server had answered `status`
/// with it: a 2xx goes through the client's JSON-object check and then the reader `selector`
/// picks (every answer type the client reads, and the checks that follow the read, e.g.
/// the review and registration details built from a registration); any other status goes
/// through the error-envelope reader and its mapping for each token kind.
pub fn parse_response(selector: u8, status: u16, body: &[u8], retry_after: Option<u64>) {
    if !(200..300).contains(&status) {
        let f = parse_failure(
            status,
            body,
            retry_after.map(std::time::Duration::from_secs),
        );
        for auth in [AuthKind::None, AuthKind::Client, AuthKind::Registrant] {
            let e = map_failure(&f, auth, "fuzz");
            let _ = (e.to_string(), e.category(), e.is_retryable());
        }
        return;
    }
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    if !v.is_object() {
        return;
    }
    read_object(selector % READERS, &v);
}

fn read_object(selector: u8, v: &Value) {
    fn read<T: serde::de::DeserializeOwned>(v: &Value) -> Option<T> {
        parse_data::<T>(v, "fuzz").ok()
    }
    let flow = || {
        FlowConfig::from_flow_json(&serde_json::json!({"_id": "f1", "project": "p1",
            "onboardingSettings": {"steps": {"signUpForm": "mandatory", "document": "mandatory",
            "liveness": "mandatory"}}}))
        .ok()
    };
    match selector {
        0 => {
            let _ = FlowConfig::from_kyc_response("p1", None, v);
            let _ = FlowConfig::from_kyc_response("p1", Some("f1"), v);
        }
        1 => {
            if let Ok(cfg) = FlowConfig::from_flow_json(data_of(v)) {
                let _ = crate::plan::plan(&cfg, &crate::types::SignUpData::default());
            }
        }
        2 => {
            let _ = read::<api::Project>(v);
        }
        3 => {
            let _ = read::<api::CreateAppRegistrationResponse>(v);
        }
        4 => {
            let _ = read::<api::OtpValidationCreated>(v);
        }
        5 => {
            let _ = read::<api::OtpValidated>(v);
        }
        6 => {
            let _ = crate::session::fuzz_document_of(v).map(|d| crate::review::document_fields(&d));
        }
        7 => {
            let _ = read::<api::NameValidationResult>(v);
        }
        8 => {
            if let Some(info) = read::<api::InformationValidation>(v) {
                let _ = crate::review::criminal_check(&info);
            }
        }
        9 => {
            let _ = read::<api::CompareResponse>(v);
            let _ = read::<api::AppRegistration>(v);
        }
        10 => {
            let _ = read::<api::SyncResponse>(v);
        }
        11 => {
            if let Some(reg) = read::<api::AppRegistration>(v)
                && let Some(cfg) = flow()
            {
                let _ = crate::review::review_from_registration(&reg, &cfg);
            }
        }
        12 => {
            if let Ok(reg) = crate::project::parse_registration(v.clone()) {
                let _ = crate::project::details(&reg, crate::review::DEFAULT_THRESHOLDS);
            }
        }
        13 => {
            let _ = serde_json::from_value::<api::Page<api::AppRegistration>>(v.clone());
        }
        14 => {
            let _ = read::<api::ResendLinkResponse>(v);
        }
        15 => {
            let _ = read::<api::ProjectFlow>(v);
        }
        16 => {
            // A token the server handed out, read without verification (final token checks).
            if let Some(t) = v.get("token").and_then(Value::as_str) {
                let _ = crate::jwt::unverified_claims(t);
                let _ = crate::jwt::exp_claim(t);
            }
        }
        17 => {
            // A stored session snapshot (the app persists it; a damaged one must be refused).
            let _ = crate::session::Snapshot::from_json(&v.to_string());
        }
        _ => {
            let _ = read::<api::DocumentValidationResponse>(v);
        }
    }
}
