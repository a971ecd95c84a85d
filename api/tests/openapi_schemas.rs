//! The `openapi` feature: every type has a schema, and the hand-written ones are right.
#![cfg(feature = "openapi")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use smart_enroll_api::*;
use utoipa::{PartialSchema, ToSchema};

fn json<T: PartialSchema>() -> serde_json::Value {
    serde_json::to_value(T::schema()).unwrap()
}

#[test]
fn schemas_describe_the_wire() {
    let otp = json::<ValidateEmailRequest>();
    assert_eq!(otp["properties"]["otp"]["type"], "string", "{otp}");
    assert!(
        otp["required"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "otp")
    );
    let status = json::<RegistrationStatus>();
    assert!(
        status["enum"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v == "COMPLETED")
    );
    let reg = json::<AppRegistration>();
    assert!(reg["properties"]["documentValidation"].is_object(), "{reg}");
    assert!(reg["properties"]["_id"].is_object(), "{reg}");
    let mut refs = Vec::new();
    AppRegistration::schemas(&mut refs);
    let names: Vec<_> = refs.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"DocumentValidation"), "{names:?}");
    assert!(names.contains(&"CompareFaceVerification"), "{names:?}");
    let doc = json::<DocumentValidation>();
    assert!(doc["properties"]["OCRExtraction"].is_object(), "{doc}");
    assert!(doc["properties"]["namesMatch"].is_object(), "{doc}");
}
