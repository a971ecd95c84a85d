//! Without ONNX Runtime the document front is still uploaded, without `documentFace`, and the
//! enrollment goes on. (Its own test binary: ONNX Runtime is loaded once per process, and here
//! the first load is a library that is not one.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Env, signup};
use smart_enroll_core::prefilter::{PrefilterError, detector};
use smart_enroll_core::{DocumentCategory, DocumentSide, EnrollState, EnrollmentSession};
use smart_enroll_testkit::Auth;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_onnx_runtime_the_front_is_uploaded_without_a_crop() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("libonnxruntime.so");
    std::fs::write(&fake, b"this is not a shared library").unwrap();
    assert!(matches!(
        detector::runtime(Some(&fake)),
        Err(PrefilterError::RuntimeLoad { .. })
    ));

    let env = Env::start().await;
    let flow = env.flow(|_| {}).await;
    let su = signup("noruntime@example.com");
    let s = EnrollmentSession::new(env.client(), flow, su.clone()).unwrap();
    let mut st = s.start().await.unwrap();
    while !matches!(st, EnrollState::AwaitingDocument { .. }) {
        st = common::step(&env, &s, &su).await.unwrap();
    }
    // A real portrait on the front (the sample photo as the whole document): with the
    // detector it would be cropped.
    let st = s
        .submit_document(
            DocumentSide::Front,
            common::selfie(),
            DocumentCategory::GovernmentId,
        )
        .await
        .unwrap();
    assert!(
        matches!(
            st,
            EnrollState::AwaitingDocument {
                side: DocumentSide::Back,
                ..
            }
        ),
        "{st:?}"
    );
    let id = s.snapshot().registration_id().unwrap();
    let reg = env
        .ok(
            reqwest::Method::GET,
            &format!("/v2/app-registrations/{id}?populates[]=documentValidation"),
            Auth::Client,
            None,
        )
        .await;
    let doc = &reg["data"]["documentValidation"];
    assert!(doc["url"].is_string(), "{doc}");
    assert!(doc.get("documentFaceUrl").is_none(), "{doc}");
    // The rest of the enrollment is not affected.
    let seen = common::drive(&env, &s, &su).await;
    assert!(
        matches!(seen.last(), Some(EnrollState::Completed { .. })),
        "{seen:?}"
    );
    env.shutdown().await;
}
