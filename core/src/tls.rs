//! TLS set-up of the HTTP client: the trust store (Mozilla's roots from `webpki-roots` plus the
//! configured extra roots) and, when public-key pins are configured, a certificate verifier
//! that adds the pin check to rustls' own WebPKI verification.
//!
//! Pin semantics follow OkHttp's `CertificatePinner` and TrustKit: the chain is first verified
//! as usual (trusted root, validity, host name); then at least one certificate of a *verified*
//! path from the server's certificate to a trusted root (the certificate itself, an
//! intermediate, or the root) must have a pinned public key. Certificates the server presents
//! that are not part of a verified path never satisfy a pin, so a server cannot pass by
//! appending a (public) pinned certificate to its chain.

use crate::error::EnrollError;
use base64::Engine;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, RootCertStore};
use rustls::{OtherError, SignatureScheme};
use std::sync::Arc;

/// The only accepted pin form: OkHttp's `sha256/` + base64 of the SHA-256 of a certificate's
/// DER-encoded SubjectPublicKeyInfo.
const PIN_PREFIX: &str = "sha256/";

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

/// Mozilla's roots plus every certificate of the extra PEM documents.
fn root_store(extra_pem: &[String]) -> Result<RootCertStore, EnrollError> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for (i, pem) in extra_pem.iter().enumerate() {
        let mut found = 0usize;
        for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            let cert = cert.map_err(|e| {
                config_error(format!(
                    "extra_root_certificates_pem[{i}] is not valid PEM: {e}"
                ))
            })?;
            roots.add(cert).map_err(|e| {
                config_error(format!(
                    "extra_root_certificates_pem[{i}] holds a certificate that cannot be a trust root: {e}"
                ))
            })?;
            found += 1;
        }
        if found == 0 {
            return Err(config_error(format!(
                "extra_root_certificates_pem[{i}] contains no PEM CERTIFICATE block"
            )));
        }
    }
    Ok(roots)
}

/// The rustls configuration of the HTTP client: ring provider, safe default protocol versions,
/// `http/1.1` ALPN (HTTP/2 is left out: an enrollment sends its dozen requests one after
/// another, and HTTP/2 cost 0.58 MB of the mobile library), Mozilla's roots plus
/// `extra_roots_pem`, and the pin check when `pins` is not empty. Fails with `Config` on a
/// malformed pin or PEM.
pub(crate) fn client_config(
    pins: &[String],
    extra_roots_pem: &[String],
) -> Result<rustls::ClientConfig, EnrollError> {
    let pins = parse_pins(pins)?;
    let roots = Arc::new(root_store(extra_roots_pem)?);
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| config_error(format!("TLS set-up failed: {e}")))?;
    let webpki = WebPkiServerVerifier::builder_with_provider(roots.clone(), provider.clone())
        .build()
        .map_err(|e| config_error(format!("TLS set-up failed: {e}")))?;
    let mut tls = if pins.is_empty() {
        builder.with_webpki_verifier(webpki).with_no_client_auth()
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(PinningVerifier::new(
                webpki, roots, &provider, pins,
            )))
            .with_no_client_auth()
    };
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tls)
}

/// rustls' WebPKI verifier plus the pin check (see the module docs). Every method delegates to
/// the wrapped verifier; `verify_server_cert` then requires a pinned key on a verified path.
#[derive(Debug)]
struct PinningVerifier {
    inner: Arc<WebPkiServerVerifier>,
    roots: Arc<RootCertStore>,
    algorithms: WebPkiSupportedAlgorithms,
    pins: Vec<Pin>,
}

impl PinningVerifier {
    fn new(
        inner: Arc<WebPkiServerVerifier>,
        roots: Arc<RootCertStore>,
        provider: &CryptoProvider,
        pins: Vec<Pin>,
    ) -> Self {
        Self {
            inner,
            roots,
            algorithms: provider.signature_verification_algorithms,
            pins,
        }
    }

    fn pinned(&self, spki_der: &[u8]) -> bool {
        self.pins.contains(&Pin::of_spki(spki_der))
    }

    /// Whether some verified path from `end_entity` to a trusted root holds a pinned key. Path
    /// building visits only paths that verify up to a root; rejecting one makes it try the next.
    fn has_pinned_path(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> bool {
        let Ok(ee) = webpki::EndEntityCert::try_from(end_entity) else {
            return false;
        };
        let check = |path: &webpki::VerifiedPath<'_>| -> Result<(), webpki::Error> {
            let found = self.pinned(path.end_entity().subject_public_key_info().as_ref())
                || path
                    .intermediate_certificates()
                    .any(|c| self.pinned(c.subject_public_key_info().as_ref()))
                || self.pinned(webpki::spki_for_anchor(path.anchor()).as_ref());
            if found {
                Ok(())
            } else {
                Err(webpki::Error::UnknownIssuer)
            }
        };
        ee.verify_for_usage(
            self.algorithms.all,
            &self.roots.roots,
            intermediates,
            now,
            webpki::KeyUsage::server_auth(),
            None,
            Some(&check),
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
            let e = root_store(&[bad.to_owned()]);
            assert!(
                matches!(&e, Err(EnrollError::Config { reason }) if reason.contains("extra_root_certificates_pem[0]")),
                "{bad:?}: {e:?}"
            );
        }
    }
}
