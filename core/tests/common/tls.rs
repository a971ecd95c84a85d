//! The loopback TLS PKI of the TLS tests: a test CA and a server certificate for
//! `127.0.0.1`/`localhost` (rcgen), and a TLS terminator (tokio-rustls) in front of a real
//! sandbox.

use super::Env;
use base64::Engine;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, PublicKeyData,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use smart_enroll_core::{ClientConfig, EnrollError, FlowConfig, SmartEnrollClient};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `sha256/<base64>` of a key's SubjectPublicKeyInfo, computed from the key pair itself (not
/// from the certificate, so it checks the client's SPKI extraction independently).
pub fn pin_of(key: &KeyPair) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, &key.subject_public_key_info());
    format!(
        "sha256/{}",
        base64::engine::general_purpose::STANDARD.encode(d.as_ref())
    )
}

/// A CA (self-signed) and its key.
pub fn ca(name: &str) -> (CertifiedIssuer<'static, KeyPair>, String) {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    p.distinguished_name.push(DnType::CommonName, name);
    let key = KeyPair::generate().unwrap();
    let pin = pin_of(&key);
    (CertifiedIssuer::self_signed(p, key).unwrap(), pin)
}

/// The test PKI: a CA and a server certificate it issued for 127.0.0.1 and localhost.
pub struct Pki {
    pub ca: CertifiedIssuer<'static, KeyPair>,
    pub ca_pin: String,
    pub leaf: CertificateDer<'static>,
    pub leaf_key: PrivateKeyDer<'static>,
    pub leaf_pin: String,
}

impl Pki {
    pub fn new() -> Pki {
        let (ca, ca_pin) = ca("Smart Enroll Test CA");
        let key = KeyPair::generate().unwrap();
        let mut p =
            CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
        p.distinguished_name
            .push(DnType::CommonName, "smart-enroll test server");
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let leaf = p.signed_by(&key, &ca).unwrap();
        Pki {
            ca_pin,
            leaf: leaf.der().clone(),
            leaf_key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            leaf_pin: pin_of(&key),
            ca,
        }
    }

    pub fn ca_pem(&self) -> String {
        self.ca.pem()
    }
}

/// A TLS terminator on loopback that forwards the decrypted stream to `upstream` (the
/// sandbox), presenting `chain`. Counts accepted TCP connections (= handshakes tried).
pub struct Terminator {
    pub addr: SocketAddr,
    pub connections: Arc<AtomicUsize>,
    pub task: tokio::task::JoinHandle<()>,
}

impl Terminator {
    pub async fn start(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
        upstream: SocketAddr,
    ) -> Terminator {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap();
        cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cfg));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = connections.clone();
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let Ok(mut up) = tokio::net::TcpStream::connect(upstream).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut up).await;
                });
            }
        });
        Terminator {
            addr,
            connections,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for Terminator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The client config for the terminator: retries on (so a retried failure would show as more
/// than one connection), short waits.
pub fn config(t: &Terminator, pins: &[&str], extra_roots: &[String]) -> ClientConfig {
    let mut c = ClientConfig::new(t.url());
    c.retry.max_retries = 3;
    c.retry.base_delay_ms = 1;
    c.retry.max_delay_ms = 5;
    c.request_timeout_ms = 10_000;
    c.pinned_public_keys = pins.iter().map(|p| (*p).to_owned()).collect();
    c.extra_root_certificates_pem = extra_roots.to_vec();
    c
}

/// A sandbox with a project and flow, the flow as served over plain HTTP, and a terminator in
/// front of it presenting the PKI's server certificate alone.
pub async fn setup(pki: &Pki) -> (Env, FlowConfig, Terminator) {
    let env = Env::start().await;
    let flow = env.flow(|_| {}).await;
    let t = Terminator::start(
        vec![pki.leaf.clone()],
        pki.leaf_key.clone_key(),
        env.sandbox().local_addr(),
    )
    .await;
    (env, flow, t)
}

pub async fn fetch(cfg: ClientConfig, flow: &FlowConfig) -> Result<FlowConfig, EnrollError> {
    let client = SmartEnrollClient::new(cfg).unwrap();
    client
        .fetch_flow_config(&flow.project_id, Some(&flow.flow_id))
        .await
}
