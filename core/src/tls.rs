//! TLS set-up of the HTTP client, explicit and in one place.
//!
//! **Trust store.** The platform's verifier (`rustls-platform-verifier`, as matrix-rust-sdk
//! uses): Android's `X509TrustManager` through JNI (user-installed and enterprise CAs as the
//! device trusts them; needs [`init_android`] once, the bindings' `initAndroid(context)`), the
//! Security framework on iOS/macOS, CryptoAPI on Windows, and the system's roots
//! (`/etc/ssl/certs`...) elsewhere. Only on a Unix host without any system store does it fall
//! back to Mozilla's roots (`webpki-roots`, compiled in for those hosts only). The configured
//! extra roots (`ClientConfig::extra_root_certificates_pem`, the CLI's `--ca-cert`) are trusted
//! in addition: handed to the platform verifier where it takes extra roots, and on Android
//! checked by a second WebPKI verifier holding only them (a chain is accepted when either
//! accepts it).
//!
//! **Pins.** Layered on top, with OkHttp's `CertificatePinner` and TrustKit semantics: the chain
//! is first verified as above (trusted root, validity, host name); then some certificate with a
//! pinned public key must be on a path that *verifies* from the server's certificate: the
//! server's certificate itself, or an intermediate, extra root or (on Linux-like hosts) system
//! or Mozilla root that signed it, checked by building the path with rustls-webpki up to the
//! pinned keys only. A pinned certificate that the server merely appends to its chain without
//! it having signed the chain never satisfies a pin. On Android and iOS the pin must be the key
//! of the server's certificate, of an intermediate the server sends, or of a configured extra
//! root (a public root CA the server does not send cannot be seen there): pin the leaf or
//! intermediate key, plus a backup.

use crate::error::EnrollError;
use base64::Engine;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::TrustAnchor;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, RootCertStore};
use rustls::{OtherError, SignatureScheme};
use std::sync::Arc;

/// Hosts where a system trust store may be missing (a minimal container): Mozilla's roots are
/// the fallback there, and only there.
macro_rules! webpki_fallback_host {
    ($($item:item)*) => {$(
        #[cfg(all(unix, not(target_os = "android"), not(target_vendor = "apple")))]
        $item
    )*};
}

/// The only accepted pin form: OkHttp's `sha256/` + base64 of the SHA-256 of a certificate's
/// DER-encoded SubjectPublicKeyInfo.
const PIN_PREFIX: &str = "sha256/";

/// Android: the JVM handles the platform verifier needs (see [`init_android`]).
#[cfg(target_os = "android")]
mod android {
    use std::sync::atomic::{AtomicBool, Ordering};

    static READY: AtomicBool = AtomicBool::new(false);

    pub(super) fn initialised() -> bool {
        READY.load(Ordering::Acquire)
    }

    pub(super) fn set_initialised() {
        READY.store(true, Ordering::Release);
    }
}

/// Android only: hands the app's `Context` (and the JVM) to the platform verifier, once per
/// process, before the first client is built (a client built before it fails with a `Config`
/// error saying so). The Kotlin bindings call it from `initAndroid(context)`; the verifier's
/// Kotlin component (`org.rustls:rustls-platform-verifier`) must be in the app.
#[cfg(target_os = "android")]
pub fn init_android(
    env: &mut jni::Env<'_>,
    context: jni::objects::JObject<'_>,
) -> Result<(), jni::errors::Error> {
    rustls_platform_verifier::android::init_with_env(env, context)?;
    android::set_initialised();
    tracing::debug!("Android trust store initialised");
    Ok(())
}

/// The error the pinning verifier reports inside `rustls::Error::InvalidCertificate(Other(..))`;
/// the client recognises it in a failed request's error chain.
#[derive(Debug, thiserror::Error)]
#[error("smart-enroll: certificate pin mismatch")]
pub(crate) struct PinMismatch;

/// A SHA-256 hash of a SubjectPublicKeyInfo.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Pin([u8; 32]);

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{PIN_PREFIX}{}",
            base64::engine::general_purpose::STANDARD.encode(self.0)
        )
    }
}

impl Pin {
    fn of_spki(spki_der: &[u8]) -> Self {
        let d = ring::digest::digest(&ring::digest::SHA256, spki_der);
        let mut out = [0u8; 32];
        out.copy_from_slice(d.as_ref());
        Pin(out)
    }
}

fn config_error(reason: String) -> EnrollError {
    EnrollError::Config { reason }
}

/// Parses `sha256/<base64>` pins; anything else is a `Config` error naming the field.
fn parse_pins(pins: &[String]) -> Result<Vec<Pin>, EnrollError> {
    pins.iter()
        .enumerate()
        .map(|(i, p)| {
            let bad = |why: &str| {
                config_error(format!(
                    "pinned_public_keys[{i}] is not a pin of the form sha256/<base64 of the 32-byte SHA-256 of a SubjectPublicKeyInfo>: {why}"
                ))
            };
            let b64 = p
                .strip_prefix(PIN_PREFIX)
                .ok_or_else(|| bad("it does not start with sha256/"))?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|_| bad("the hash is not padded standard base64"))?;
            let hash: [u8; 32] = bytes
                .try_into()
                .map_err(|_| bad("the hash is not 32 bytes long"))?;
            Ok(Pin(hash))
        })
        .collect()
}

/// Every certificate of the extra PEM documents, each checked to be usable as a trust root.
fn extra_roots(extra_pem: &[String]) -> Result<Vec<CertificateDer<'static>>, EnrollError> {
    let mut out = Vec::new();
    for (i, pem) in extra_pem.iter().enumerate() {
        let mut found = 0usize;
        for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            let cert = cert.map_err(|e| {
                config_error(format!(
                    "extra_root_certificates_pem[{i}] is not valid PEM: {e}"
                ))
            })?;
            webpki::anchor_from_trusted_cert(&cert).map_err(|e| {
                config_error(format!(
                    "extra_root_certificates_pem[{i}] holds a certificate that cannot be a trust root: {e}"
                ))
            })?;
            out.push(cert);
            found += 1;
        }
        if found == 0 {
            return Err(config_error(format!(
                "extra_root_certificates_pem[{i}] contains no PEM CERTIFICATE block"
            )));
        }
    }
    Ok(out)
}

/// A WebPKI verifier over exactly `roots`.
fn webpki_verifier(
    roots: RootCertStore,
    provider: &Arc<CryptoProvider>,
) -> Result<Arc<dyn ServerCertVerifier>, EnrollError> {
    let v: Arc<dyn ServerCertVerifier> =
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .map_err(|e| config_error(format!("TLS set-up failed: {e}")))?;
    Ok(v)
}

fn roots_of(certs: &[CertificateDer<'static>]) -> Result<RootCertStore, EnrollError> {
    let mut roots = RootCertStore::empty();
    for c in certs {
        roots
            .add(c.clone())
            .map_err(|e| config_error(format!("TLS set-up failed: {e}")))?;
    }
    Ok(roots)
}

webpki_fallback_host! {
    /// Mozilla's roots plus the extra roots: the verifier of a host without a system store.
    fn mozilla_fallback(
        extra: &[CertificateDer<'static>],
        provider: &Arc<CryptoProvider>,
    ) -> Result<Arc<dyn ServerCertVerifier>, EnrollError> {
        tracing::info!("no system trust store found: using the built-in Mozilla roots");
        let mut roots = roots_of(extra)?;
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        webpki_verifier(roots, provider)
    }
}

/// The chain verification before any pin: the platform's verifier with the extra roots (see
/// the module docs).
fn base_verifier(
    extra: &[CertificateDer<'static>],
    provider: &Arc<CryptoProvider>,
) -> Result<Arc<dyn ServerCertVerifier>, EnrollError> {
    #[cfg(not(all(unix, not(target_os = "android"), not(target_vendor = "apple"))))]
    let platform_err =
        |e: rustls::Error| config_error(format!("the platform's TLS verifier failed: {e}"));
    #[cfg(target_os = "android")]
    {
        if !android::initialised() {
            return Err(config_error(
                "the Android trust store is not initialised: call initAndroid(context) (Kotlin) once before creating a client".to_owned(),
            ));
        }
        let platform: Arc<dyn ServerCertVerifier> = Arc::new(
            rustls_platform_verifier::Verifier::new(provider.clone()).map_err(platform_err)?,
        );
        if extra.is_empty() {
            return Ok(platform);
        }
        let extra = webpki_verifier(roots_of(extra)?, provider)?;
        Ok(Arc::new(EitherVerifier {
            first: platform,
            second: extra,
        }))
    }
    #[cfg(not(target_os = "android"))]
    {
        // No system store at all: Mozilla's roots. (With extra roots the platform verifier
        // would accept just those, so the system store is probed without them first.)
        #[cfg(all(unix, not(target_os = "android"), not(target_vendor = "apple")))]
        if !extra.is_empty() && rustls_platform_verifier::Verifier::new(provider.clone()).is_err() {
            return mozilla_fallback(extra, provider);
        }
        match rustls_platform_verifier::Verifier::new_with_extra_roots(
            extra.iter().cloned(),
            provider.clone(),
        ) {
            Ok(v) => Ok(Arc::new(v)),
            #[cfg(all(unix, not(target_os = "android"), not(target_vendor = "apple")))]
            Err(_) => mozilla_fallback(extra, provider),
            #[cfg(not(all(unix, not(target_os = "android"), not(target_vendor = "apple"))))]
            Err(e) => Err(platform_err(e)),
        }
    }
}

/// The rustls configuration of the HTTP client: ring provider, safe default protocol versions,
/// `http/1.1` ALPN (HTTP/2 is left out: an enrollment sends its dozen requests one after
/// another, and HTTP/2 cost 0.58 MB of the mobile library), the platform's verifier with the
/// extra roots, and the pin check when `pins` is not empty. Fails with `Config` on a malformed
/// pin or PEM (or, on Android, before [`init_android`]).
pub(crate) fn client_config(
    pins: &[String],
    extra_roots_pem: &[String],
) -> Result<rustls::ClientConfig, EnrollError> {
    let pins = parse_pins(pins)?;
    let extra = extra_roots(extra_roots_pem)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| config_error(format!("TLS set-up failed: {e}")))?;
    let base = base_verifier(&extra, &provider)?;
    let verifier: Arc<dyn ServerCertVerifier> = if pins.is_empty() {
        base
    } else {
        Arc::new(PinningVerifier::new(base, &extra, &provider, pins))
    };
    let mut tls = builder
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tls)
}

/// Accepts a chain when `first` does, else when `second` does (Android: the platform's trust
/// store, then the configured extra roots). Signatures are checked by `first` (both use the
/// same provider's algorithms).
#[cfg(any(target_os = "android", test))]
#[derive(Debug)]
struct EitherVerifier {
    first: Arc<dyn ServerCertVerifier>,
    second: Arc<dyn ServerCertVerifier>,
}

#[cfg(any(target_os = "android", test))]
impl ServerCertVerifier for EitherVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.first.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(v) => Ok(v),
            Err(first_err) => self
                .second
                .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
                .map_err(|_| first_err),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.first.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.first.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.first.supported_verify_schemes()
    }
}

/// The base verifier plus the pin check (see the module docs). Every method delegates to the
/// wrapped verifier; `verify_server_cert` then requires a pinned key on a verified path.
#[derive(Debug)]
struct PinningVerifier {
    inner: Arc<dyn ServerCertVerifier>,
    /// The extra roots (and on fallback hosts Mozilla's) whose key is pinned: path ends for
    /// the pin check besides the pinned certificates the server sends.
    pinned_anchors: Vec<TrustAnchor<'static>>,
    algorithms: WebPkiSupportedAlgorithms,
    pins: Vec<Pin>,
}

impl PinningVerifier {
    fn new(
        inner: Arc<dyn ServerCertVerifier>,
        extra: &[CertificateDer<'static>],
        provider: &CryptoProvider,
        pins: Vec<Pin>,
    ) -> Self {
        let pinned =
            |a: &TrustAnchor<'_>| pins.contains(&Pin::of_spki(webpki::spki_for_anchor(a).as_ref()));
        let mut pinned_anchors: Vec<TrustAnchor<'static>> = extra
            .iter()
            .filter_map(|c| webpki::anchor_from_trusted_cert(c).ok())
            .filter(|a| pinned(a))
            .map(|a| a.to_owned())
            .collect();
        // Where the system's roots are files (the platform verifier reads them the same way),
        // a pinned system root counts too; and Mozilla's, the fallback there.
        #[cfg(all(unix, not(target_os = "android"), not(target_vendor = "apple")))]
        {
            let system = rustls_native_certs::load_native_certs().certs;
            pinned_anchors.extend(
                system
                    .iter()
                    .filter_map(|c| webpki::anchor_from_trusted_cert(c).ok())
                    .filter(|a| pinned(a))
                    .map(|a| a.to_owned()),
            );
            pinned_anchors.extend(
                webpki_roots::TLS_SERVER_ROOTS
                    .iter()
                    .filter(|a| pinned(a))
                    .cloned(),
            );
        }
        Self {
            inner,
            pinned_anchors,
            algorithms: provider.signature_verification_algorithms,
            pins,
        }
    }

    fn pinned(&self, spki_der: &[u8]) -> bool {
        self.pins.contains(&Pin::of_spki(spki_der))
    }

    /// Whether a path that verifies from `end_entity` ends at a pinned key: the end entity's
    /// own key, or one of the pinned anchors, or a certificate the server sent whose key is
    /// pinned, each taken as the only possible path ends.
    fn has_pinned_path(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> bool {
        let Ok(ee) = webpki::EndEntityCert::try_from(end_entity) else {
            return false;
        };
        let mut anchors = self.pinned_anchors.clone();
        for c in intermediates {
            if let Ok(a) = webpki::anchor_from_trusted_cert(c)
                && self.pinned(webpki::spki_for_anchor(&a).as_ref())
            {
                anchors.push(a.to_owned());
            }
        }
        let leaf_pinned = webpki::anchor_from_trusted_cert(end_entity)
            .is_ok_and(|a| self.pinned(webpki::spki_for_anchor(&a).as_ref()));
        if leaf_pinned {
            return true;
        }
        if anchors.is_empty() {
            return false;
        }
        ee.verify_for_usage(
            self.algorithms.all,
            &anchors,
            intermediates,
            now,
            webpki::KeyUsage::server_auth(),
            None,
            None,
        )
        .is_ok()
    }
}

impl ServerCertVerifier for PinningVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verified = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )?;
        if self.has_pinned_path(end_entity, intermediates, now) {
            Ok(verified)
        } else {
            tracing::debug!(
                server = %server_name.to_str(),
                "certificate pin mismatch: no pinned public key on the verified chain"
            );
            Err(rustls::Error::InvalidCertificate(CertificateError::Other(
                OtherError(Arc::new(PinMismatch)),
            )))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }

    fn requires_raw_public_keys(&self) -> bool {
        self.inner.requires_raw_public_keys()
    }

    fn root_hint_subjects(&self) -> Option<&[DistinguishedName]> {
        self.inner.root_hint_subjects()
    }
}

/// The rustls error in a failed request's error chain, if the failure was TLS. (`io::Error`
/// hides its inner error from `source()`, and the connector nests them, so an `io::Error` is
/// opened with `get_ref()`.)
fn rustls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<rustls::Error>() {
            return Some(r);
        }
        cur = match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    None
}

/// The typed error for a request that failed because the server's certificate was refused:
/// [`EnrollError::CertificatePinMismatch`] for a pin failure,
/// [`EnrollError::UntrustedCertificate`] for any other certificate rejection (unknown issuer,
/// expired, wrong host name...). `None` when the failure was not a certificate rejection.
pub(crate) fn certificate_failure(
    e: &(dyn std::error::Error + 'static),
    host: &str,
) -> Option<EnrollError> {
    let rustls::Error::InvalidCertificate(cert) = rustls_error(e)? else {
        return None;
    };
    if let CertificateError::Other(OtherError(inner)) = cert
        && inner.downcast_ref::<PinMismatch>().is_some()
    {
        return Some(EnrollError::CertificatePinMismatch {
            host: host.to_owned(),
        });
    }
    let reason = match cert {
        CertificateError::UnknownIssuer => {
            "issued by an unknown certificate authority (not in the trust store)".to_owned()
        }
        other => other.to_string(),
    };
    Some(EnrollError::UntrustedCertificate {
        host: host.to_owned(),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_must_be_sha256_slash_padded_base64_of_32_bytes() {
        let good = format!(
            "sha256/{}",
            base64::engine::general_purpose::STANDARD.encode([7u8; 32])
        );
        assert_eq!(
            parse_pins(std::slice::from_ref(&good))
                .unwrap_or_default()
                .len(),
            1
        );
        for bad in [
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".to_owned(),
            format!(
                "sha1/{}",
                base64::engine::general_purpose::STANDARD.encode([7u8; 20])
            ),
            format!(
                "SHA256/{}",
                base64::engine::general_purpose::STANDARD.encode([7u8; 32])
            ),
            format!(" {good}"),
            good.trim_end_matches('=').to_owned(),
            format!(
                "sha256/{}",
                base64::engine::general_purpose::STANDARD.encode([7u8; 31])
            ),
            "sha256/not base64!".to_owned(),
            String::new(),
        ] {
            let e = parse_pins(&[good.clone(), bad.clone()]);
            assert!(
                matches!(&e, Err(EnrollError::Config { reason }) if reason.contains("pinned_public_keys[1]")),
                "{bad:?}: {e:?}"
            );
        }
    }

    #[test]
    fn pem_without_a_certificate_is_refused() {
        for bad in [
            "",
            "not pem at all",
            "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
        ] {
            let e = extra_roots(&[bad.to_owned()]);
            assert!(
                matches!(&e, Err(EnrollError::Config { reason }) if reason.contains("extra_root_certificates_pem[0]")),
                "{bad:?}: {e:?}"
            );
        }
    }

    /// A CA and a leaf for `localhost` it issued (rcgen), as rustls types.
    fn pki() -> (CertificateDer<'static>, CertificateDer<'static>) {
        use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
        let mut p =
            CertificateParams::new(Vec::<String>::new()).unwrap_or_else(|e| unreachable!("{e}"));
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = CertifiedIssuer::self_signed(
            p,
            KeyPair::generate().unwrap_or_else(|e| unreachable!("{e}")),
        )
        .unwrap_or_else(|e| unreachable!("{e}"));
        let leaf = CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap_or_else(|e| unreachable!("{e}"))
            .signed_by(
                &KeyPair::generate().unwrap_or_else(|e| unreachable!("{e}")),
                &ca,
            )
            .unwrap_or_else(|e| unreachable!("{e}"));
        (ca.der().clone(), leaf.der().clone())
    }

    #[test]
    fn either_verifier_accepts_what_one_of_its_stores_trusts() {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let (ca_a, leaf_a) = pki();
        let (ca_b, leaf_b) = pki();
        let (_, leaf_c) = pki();
        let store = |c: &CertificateDer<'static>| {
            webpki_verifier(
                roots_of(std::slice::from_ref(c)).unwrap_or_else(|e| unreachable!("{e}")),
                &provider,
            )
            .unwrap_or_else(|e| unreachable!("{e}"))
        };
        let v = EitherVerifier {
            first: store(&ca_a),
            second: store(&ca_b),
        };
        let name = ServerName::try_from("localhost").unwrap_or_else(|e| unreachable!("{e}"));
        let now = UnixTime::now();
        assert!(v.verify_server_cert(&leaf_a, &[], &name, &[], now).is_ok());
        assert!(v.verify_server_cert(&leaf_b, &[], &name, &[], now).is_ok());
        // Neither store: refused (the first store's error; both CAs have the same empty name,
        // so it is the signature that fails).
        assert!(matches!(
            v.verify_server_cert(&leaf_c, &[], &name, &[], now),
            Err(rustls::Error::InvalidCertificate(_))
        ));
    }
}
