//! The trust store is the platform's: on this Linux host the system's roots, which
//! `rustls-platform-verifier` reads through rustls-native-certs (and so honours
//! `SSL_CERT_FILE`), not a list frozen at build time. A private CA put into the system store is
//! trusted without any extra root in the configuration; pins still apply on top. Its own test
//! binary with one test: it sets `SSL_CERT_FILE` for the process.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::tls::{Pki, config, fetch, setup};
use smart_enroll_core::EnrollError;

#[tokio::test]
async fn a_ca_in_the_system_store_is_trusted_and_pins_still_apply() {
    let pki = Pki::new();
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("system-roots.pem");
    std::fs::write(&bundle, pki.ca_pem()).unwrap();
    // SAFETY: the only test of this binary, set before any client reads the environment.
    unsafe {
        std::env::set_var("SSL_CERT_FILE", &bundle);
        std::env::set_var("SSL_CERT_DIR", dir.path().join("none"));
    }
    let (env, flow, t) = setup(&pki).await;
    // No extra root configured: the "system" store alone makes the private CA trusted (with
    // the Mozilla list of old, the certificate was refused as issued by an unknown CA).
    let got = fetch(config(&t, &[], &[]), &flow).await.unwrap();
    assert_eq!(got, flow);
    // The pins are layered on top of the platform's verdict.
    let got = fetch(config(&t, &[pki.ca_pin.as_str()], &[]), &flow)
        .await
        .unwrap();
    assert_eq!(got, flow);
    let wrong = format!("sha256/{}", "A".repeat(43) + "=");
    let e = fetch(config(&t, &[wrong.as_str()], &[]), &flow)
        .await
        .unwrap_err();
    assert!(
        matches!(e, EnrollError::CertificatePinMismatch { .. }),
        "{e:?}"
    );
    env.shutdown().await;
}
