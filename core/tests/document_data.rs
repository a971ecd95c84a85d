//! The document's own machine-readable data (MRZ / PDF417, read on the device) against the
//! real sandbox over loopback: handed to the session with `set_document_data`, it shows in the
//! review with the fields where the sandbox's OCR disagrees; handed over again during the
//! review, the review is updated; it survives a snapshot; the confirmed review keeps it. The
//! sign-up prefill from the same data feeds a real registration.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Env, signup};
use smart_enroll_core::document::DocumentIdentity;
use smart_enroll_core::{
    EnrollState, EnrollmentSession, Outcome, Review, SignUpData, Snapshot, StateObserver,
};
use std::sync::{Arc, Mutex};

fn identity(given: &str, sur: &str, number: &str, dob: &str) -> DocumentIdentity {
    DocumentIdentity {
        given_names: Some(given.into()),
        surnames: Some(sur.into()),
        document_number: Some(number.into()),
        date_of_birth: Some(dob.into()),
    }
}

/// Drives the session until the review is shown.
async fn to_review(env: &Env, s: &EnrollmentSession, su: &SignUpData) -> Review {
    for _ in 0..40 {
        if let EnrollState::AwaitingReview { review } = s.state() {
            return review;
        }
        common::step(env, s, su).await.unwrap();
    }
    panic!("no review: {:?}", s.state());
}

#[derive(Default)]
struct Seen(Mutex<Vec<EnrollState>>);
impl StateObserver for Seen {
    fn on_state_changed(&self, state: EnrollState) {
        self.0.lock().unwrap().push(state);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_lists_where_the_servers_ocr_and_the_document_disagree() {
    let env = Env::start().await;
    let flow = env.flow(|_| {}).await;
    let su = signup("mrz.review@example.com");
    assert_eq!(su.full_name.as_deref(), Some("Ana Example"));
    let s = EnrollmentSession::new(env.client(), flow, su.clone()).unwrap();
    // What the MRZ says: the same holder (accents and case differ: no disagreement), but a
    // number and a birth date that the sandbox's made-up OCR does not have (its birth years
    // are 1960–2004).
    s.set_document_data(identity("Ána", "EXAMPLE", "0000000001", "1950-02-03"));
    assert!(s.document_data().is_some());
    let review = to_review(&env, &s, &su).await;

    let ocr = review.document.clone().expect("the sandbox's OCR fields");
    let mr = review.machine_readable.clone().expect("the MRZ data");
    assert_eq!(mr.document_number.as_deref(), Some("0000000001"));
    let fields: Vec<&str> = review
        .disagreements
        .iter()
        .map(|d| d.field.as_str())
        .collect();
    assert_eq!(fields, ["document_number", "date_of_birth"], "{review:?}");
    assert_eq!(
        Some(review.disagreements[0].server.as_str()),
        ocr.document_number.as_deref()
    );
    assert_eq!(review.disagreements[0].document, "0000000001");
    assert_eq!(
        Some(review.disagreements[1].server.as_str()),
        ocr.date_of_birth.as_deref()
    );
    assert_eq!(review.disagreements[1].document, "1950-02-03");
    // Informational only.
    assert_eq!(review.expected_outcome, Outcome::Completed);
    // No personal value in Debug.
    let dbg = format!("{review:?}");
    assert!(
        !dbg.contains("0000000001") && !dbg.contains("1950-02-03"),
        "{dbg}"
    );

    // The app reads the document again (now the same data as the server's, written the way a
    // Colombian back side or another template would): the review shown is updated.
    let seen = Arc::new(Seen::default());
    let _h = s.observe(seen.clone());
    let number = ocr.document_number.clone().unwrap();
    let dob = ocr.date_of_birth.clone().unwrap();
    s.set_document_data(identity("ANA", "EXAMPLE", &format!("00{number}"), &dob));
    let EnrollState::AwaitingReview { review: updated } = s.state() else {
        panic!("{:?}", s.state())
    };
    assert!(updated.disagreements.is_empty(), "{updated:?}");
    assert_eq!(
        updated
            .machine_readable
            .as_ref()
            .and_then(|m| m.document_number.clone()),
        Some(format!("00{number}"))
    );
    assert!(
        seen.0
            .lock()
            .unwrap()
            .iter()
            .any(|st| matches!(st, EnrollState::AwaitingReview { review } if review.disagreements.is_empty())),
        "observers saw the updated review"
    );

    // It survives a snapshot (with the review).
    let snap = Snapshot::from_json(&s.snapshot().to_json().unwrap()).unwrap();
    let restored = EnrollmentSession::restore(env.client(), snap).unwrap();
    assert_eq!(restored.document_data(), s.document_data());
    assert_eq!(restored.state(), s.state());

    // The confirmed review keeps it.
    let done = restored.confirm().await.unwrap();
    let EnrollState::Completed { result } = done else {
        panic!("{done:?}")
    };
    let r = result.review.expect("confirmed review");
    assert!(r.machine_readable.is_some() && r.disagreements.is_empty());
    env.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefilled_names_register_and_match_the_document() {
    let env = Env::start().await;
    let flow = env.flow(|_| {}).await;
    // The user typed only the contact details; the names come from the MRZ.
    let typed = SignUpData {
        full_name: None,
        ..signup("mrz.prefill@example.com")
    };
    let doc = identity("ANNA MARIA", "ERIKSSON", "L898902C3", "1974-08-12");
    let prefill = typed.prefill_from_document(&doc);
    assert_eq!(
        prefill.signup.full_name.as_deref(),
        Some("Anna Maria Eriksson")
    );
    assert_eq!(prefill.document_number.as_deref(), Some("L898902C3"));
    let su = prefill.signup.clone();
    let s = EnrollmentSession::new(env.client(), flow, su.clone()).unwrap();
    s.set_document_data(doc);
    let review = to_review(&env, &s, &su).await;
    // The sandbox's OCR takes the names from the registration: the prefilled names agree with
    // the document; its made-up number and date do not.
    let ocr = review.document.clone().unwrap();
    assert_eq!(ocr.full_name.as_deref(), Some("ANNA MARIA ERIKSSON"));
    let fields: Vec<&str> = review
        .disagreements
        .iter()
        .map(|d| d.field.as_str())
        .collect();
    assert!(!fields.contains(&"full_name"), "{review:?}");
    assert!(fields.contains(&"document_number"), "{review:?}");
    env.shutdown().await;
}
