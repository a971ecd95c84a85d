//! The HTTPS path really runs rustls (ring provider, webpki roots) without any global
//! set-up: a loopback server that is not a TLS server receives a TLS ClientHello, and the client
//! reports a typed network error instead of panicking or falling back to plain HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use smart_enroll_core::{ClientConfig, EnrollError, ErrorCategory, SmartEnrollClient};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn https_sends_a_tls_client_hello_and_fails_cleanly_against_a_plain_server() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let mut first = Vec::new();
        for _ in 0..3 {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 5];
            if s.read_exact(&mut buf).await.is_ok() {
                first.push(buf);
            }
            let _ = s
                .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
                .await;
        }
        first
    });
    // HTTPS needs no InsecureHttp permission, even on loopback.
    let mut cfg = ClientConfig::new(format!("https://{addr}"));
    cfg.retry.max_retries = 2;
    cfg.retry.base_delay_ms = 1;
    let client = SmartEnrollClient::new(cfg).unwrap();
    let e = client.fetch_flow_config("p1", None).await.unwrap_err();
    assert_eq!(e.category(), ErrorCategory::Network, "{e:?}");
    assert!(e.is_retryable());
    let hellos = server.await.unwrap();
    assert_eq!(hellos.len(), 3, "first try + 2 retries");
    for h in hellos {
        // TLS record: handshake (0x16), version 3.x.
        assert_eq!(h[0], 0x16, "not a TLS handshake record: {h:?}");
        assert_eq!(h[1], 0x03);
    }
}

#[test]
fn plain_http_to_a_public_host_is_refused_by_default() {
    let e = SmartEnrollClient::new(ClientConfig::new("http://api.verifik.co")).unwrap_err();
    assert!(matches!(e, EnrollError::Config { .. }));
    assert!(e.to_string().contains("HTTPS"));
}
