//! Certificate pinning and extra trust roots, over real TLS on loopback: a test CA and a server
//! certificate for `127.0.0.1`/`localhost` (rcgen), a TLS terminator (tokio-rustls) in front of
//! a real sandbox, and the client's public flow-config call through it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Env;
use common::tls::{Pki, Terminator, ca, config, fetch, setup};
use rcgen::KeyPair;
use smart_enroll_core::{ClientConfig, EnrollError, ErrorCategory, SmartEnrollClient};

#[tokio::test]
async fn an_extra_root_makes_a_private_ca_trusted() {
    let pki = Pki::new();
    let (env, flow, t) = setup(&pki).await;
    let got = fetch(config(&t, &[], &[pki.ca_pem()]), &flow)
        .await
        .unwrap();
    assert_eq!(got, flow);
    // Several certificates in one PEM text: all of them are trusted.
    let (other_ca, _) = ca("Another CA");
    let bundle = format!("{}{}", other_ca.pem(), pki.ca_pem());
    let got = fetch(config(&t, &[], &[bundle]), &flow).await.unwrap();
    assert_eq!(got, flow);
    env.shutdown().await;
}

#[tokio::test]
async fn the_server_key_or_the_ca_key_satisfies_a_pin() {
    let pki = Pki::new();
    let (env, flow, t) = setup(&pki).await;
    let roots = [pki.ca_pem()];
    let (_, unrelated_pin) = ca("Unrelated CA");
    // The server certificate's key.
    let got = fetch(config(&t, &[&pki.leaf_pin], &roots), &flow).await;
    assert_eq!(got.unwrap(), flow);
    // The CA's key: the server presents only its own certificate, so this matches the root of
    // the verified chain.
    let got = fetch(config(&t, &[&pki.ca_pin], &roots), &flow).await;
    assert_eq!(got.unwrap(), flow);
    // One matching pin among others is enough (a backup pin).
    let got = fetch(config(&t, &[&unrelated_pin, &pki.leaf_pin], &roots), &flow).await;
    assert_eq!(got.unwrap(), flow);
    env.shutdown().await;
}

#[tokio::test]
async fn a_wrong_pin_is_a_typed_mismatch_and_is_not_retried() {
    let pki = Pki::new();
    let (env, flow, t) = setup(&pki).await;
    let (_, wrong_pin) = ca("Unrelated CA");
    let client = SmartEnrollClient::new(config(&t, &[&wrong_pin], &[pki.ca_pem()])).unwrap();
    let e = client
        .fetch_flow_config(&flow.project_id, Some(&flow.flow_id))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, EnrollError::CertificatePinMismatch { host } if host == "127.0.0.1"),
        "{e:?}"
    );
    assert_eq!(e.category(), ErrorCategory::CertificatePinMismatch);
    assert!(!e.is_retryable());
    assert!(e.to_string().contains("pin mismatch"), "{e}");
    assert_eq!(t.connections(), 1, "exactly one handshake: no retry");
    assert_eq!(client.stats().requests, 1);
    assert_eq!(client.stats().retries, 0);
    env.shutdown().await;
}

#[tokio::test]
async fn a_pinned_certificate_the_server_appends_but_that_is_not_on_the_verified_path_does_not_count()
 {
    let pki = Pki::new();
    let env = Env::start().await;
    let flow = env.flow(|_| {}).await;
    // The server sends its certificate plus another CA's certificate (public, so anyone can
    // append it). That CA did not issue the server certificate: pinning it must not pass.
    let (other_ca, other_pin) = ca("Pinned but unrelated CA");
    let t = Terminator::start(
        vec![pki.leaf.clone(), other_ca.der().clone()],
        pki.leaf_key.clone_key(),
        env.sandbox().local_addr(),
    )
    .await;
    let e = fetch(config(&t, &[&other_pin], &[pki.ca_pem()]), &flow)
        .await
        .unwrap_err();
    assert!(
        matches!(e, EnrollError::CertificatePinMismatch { .. }),
        "{e:?}"
    );
    // Even when that CA is trusted too: it is not on the path to the server certificate.
    let e = fetch(
        config(&t, &[&other_pin], &[pki.ca_pem(), other_ca.pem()]),
        &flow,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(e, EnrollError::CertificatePinMismatch { .. }),
        "{e:?}"
    );
    // The same chain passes with the real issuer's pin.
    let got = fetch(config(&t, &[&pki.ca_pin], &[pki.ca_pem()]), &flow).await;
    assert_eq!(got.unwrap(), flow);
    env.shutdown().await;
}

#[tokio::test]
async fn without_the_extra_root_the_certificate_is_untrusted_even_when_pinned() {
    let pki = Pki::new();
    let (env, flow, t) = setup(&pki).await;
    for pins in [vec![], vec![pki.leaf_pin.as_str()]] {
        let before = t.connections();
        let e = fetch(config(&t, &pins, &[]), &flow).await.unwrap_err();
        match &e {
            EnrollError::UntrustedCertificate { host, reason } => {
                assert_eq!(host, "127.0.0.1");
                assert!(reason.contains("unknown certificate authority"), "{reason}");
            }
            other => panic!("expected UntrustedCertificate, got {other:?}"),
        }
        assert_eq!(e.category(), ErrorCategory::UntrustedCertificate);
        assert!(!e.is_retryable());
        assert_eq!(t.connections() - before, 1, "not retried");
    }
    env.shutdown().await;
}

#[test]
fn a_malformed_pin_or_pem_is_a_config_error_at_new() {
    let pki = Pki::new();
    let base = |pins: &[&str], roots: &[&str]| {
        let mut c = ClientConfig::new("https://127.0.0.1:9");
        c.pinned_public_keys = pins.iter().map(|p| (*p).to_owned()).collect();
        c.extra_root_certificates_pem = roots.iter().map(|p| (*p).to_owned()).collect();
        SmartEnrollClient::new(c)
    };
    assert!(base(&[&pki.leaf_pin], &[&pki.ca_pem()]).is_ok());
    for pin in [
        "garbage",
        "sha256/",
        "sha256/AAAA",
        "sha1/2jmj7l5rSw0yVb/vlWAYkK/YBwk=",
        // The bare base64 without the prefix.
        pki.leaf_pin.trim_start_matches("sha256/"),
    ] {
        let e = base(&[&pki.leaf_pin, pin], &[]).unwrap_err();
        assert!(
            matches!(&e, EnrollError::Config { reason } if reason.contains("pinned_public_keys[1]")),
            "{pin:?}: {e:?}"
        );
        assert_eq!(e.category(), ErrorCategory::Config);
    }
    let truncated = pki.ca_pem().replace("-----END CERTIFICATE-----", "");
    let private_key_only = KeyPair::generate().unwrap().serialize_pem();
    for pem in ["", "not a certificate", &truncated, &private_key_only] {
        let e = base(&[], &[pem]).unwrap_err();
        assert!(
            matches!(&e, EnrollError::Config { reason } if reason.contains("extra_root_certificates_pem[0]")),
            "{pem:?}: {e:?}"
        );
    }
}
