//! Whether a server's certificate chain leads to a root that browsers,
//! and so ASVs, trust: webpki (rustls's own path builder) against Mozilla's
//! root list. A chain that ends at a private CA, or that misses the
//! intermediate that would lead to a public root, is untrusted; "self-signed"
//! is only the simplest case. Expiry, weak signatures and the name are
//! judged by other checks, so they do not decide here.

use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, TrustAnchor, UnixTime};
use x509_parser::prelude::{FromDer, X509Certificate};

/// A server sends its leaf and a few intermediates; more is noise.
const MOST_CERTIFICATES: usize = 8;

/// A file of trusted certificate authorities is a few of them, not a dump.
const MOST_EXTRA_ROOTS: usize = 64;

/// Why a file of certificate authorities to trust cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustError {
    #[error("it holds no PEM certificate (-----BEGIN CERTIFICATE-----)")]
    NoCertificate,
    #[error("certificate {number} is not readable PEM: {reason}")]
    Unreadable { number: usize, reason: String },
    #[error("certificate {number} cannot be a trusted root: {reason}")]
    NotARoot { number: usize, reason: String },
    #[error("it holds more than {MOST_EXTRA_ROOTS} certificates")]
    TooMany,
}

/// The certificates of a PEM file of certificate authorities to trust
/// besides the public roots, as DER, each checked to be usable as a root.
pub fn trust_anchors_from_pem(pem: &[u8]) -> Result<Vec<Vec<u8>>, TrustError> {
    let mut roots = Vec::new();
    for (index, certificate) in CertificateDer::pem_slice_iter(pem).enumerate() {
        let number = index + 1;
        let certificate = certificate.map_err(|error| TrustError::Unreadable {
            number,
            reason: error.to_string(),
        })?;
        webpki::anchor_from_trusted_cert(&certificate).map_err(|error| TrustError::NotARoot {
            number,
            reason: error.to_string(),
        })?;
        if roots.len() == MOST_EXTRA_ROOTS {
            return Err(TrustError::TooMany);
        }
        roots.push(certificate.as_ref().to_vec());
    }
    if roots.is_empty() {
        return Err(TrustError::NoCertificate);
    }
    Ok(roots)
}

/// Whether `chain` (DER, leaf first, as the server sent it) leads to a root
/// in Mozilla's list or to one of `extra_roots` (DER), as of `now_unix`;
/// `None` when that cannot be told.
pub(crate) fn chain_trust(
    chain: &[Vec<u8>],
    extra_roots: &[Vec<u8>],
    now_unix: i64,
) -> Option<bool> {
    let extra: Vec<CertificateDer<'_>> = extra_roots
        .iter()
        .map(|der| CertificateDer::from(der.as_slice()))
        .collect();
    let anchors: Vec<TrustAnchor<'_>> = webpki_roots::TLS_SERVER_ROOTS
        .iter()
        .cloned()
        .chain(
            extra
                .iter()
                .filter_map(|der| webpki::anchor_from_trusted_cert(der).ok()),
        )
        .collect();
    chain_trust_in(chain, &anchors, now_unix)
}

/// [`chain_trust`] against the roots `anchors`.
fn chain_trust_in(chain: &[Vec<u8>], anchors: &[TrustAnchor<'_>], now_unix: i64) -> Option<bool> {
    let (leaf, rest) = chain.split_first()?;
    let leaf = CertificateDer::from(leaf.as_slice());
    let end_entity = webpki::EndEntityCert::try_from(&leaf).ok()?;
    let intermediates: Vec<CertificateDer<'_>> = rest
        .iter()
        .take(MOST_CERTIFICATES)
        .map(|der| CertificateDer::from(der.as_slice()))
        .collect();
    let at = UnixTime::since_unix_epoch(Duration::from_secs(
        within_validity(&leaf, now_unix)?.try_into().ok()?,
    ));
    let algorithms = rustls::crypto::ring::default_provider()
        .signature_verification_algorithms
        .all;
    match end_entity.verify_for_usage(
        algorithms,
        anchors,
        &intermediates,
        at,
        webpki::KeyUsage::server_auth(),
        None,
        None,
    ) {
        Ok(_) => Some(true),
        // A certificate that says it is a CA (as a self-signed one made by
        // `openssl req -x509` does) serving a site: no browser accepts it.
        Err(webpki::Error::UnknownIssuer | webpki::Error::CaUsedAsEndEntity) => Some(false),
        // Expired, a signature webpki no longer accepts (SHA-1, MD5), a
        // malformed chain: other rules judge those.
        Err(_) => None,
    }
}

/// The time to check the chain at: now, or the leaf's last valid second
/// when it has expired (expiry is its own finding).
fn within_validity(leaf: &[u8], now_unix: i64) -> Option<i64> {
    let (_, certificate) = X509Certificate::from_der(leaf).ok()?;
    let validity = certificate.validity();
    Some(
        now_unix
            .min(validity.not_after.timestamp() - 1)
            .max(validity.not_before.timestamp() + 1),
    )
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::process::{Command, Stdio};

    use super::*;

    /// Runs openssl with `args` in `dir`; false when it is not installed.
    fn openssl(dir: &Path, args: &[&str]) -> bool {
        Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stderr(Stdio::null())
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    }

    fn der(dir: &Path, pem: &str) -> Vec<u8> {
        let out = format!("{pem}.der");
        assert!(openssl(
            dir,
            &["x509", "-in", pem, "-outform", "DER", "-out", &out]
        ));
        std::fs::read(dir.join(out)).unwrap()
    }

    /// A self-signed certificate for `subject`, valid 30 days, as
    /// `<stem>.pem` with its key in `<stem>.key`.
    fn self_signed(dir: &Path, subject: &str, stem: &str) -> bool {
        let (key, pem) = (format!("{stem}.key"), format!("{stem}.pem"));
        openssl(
            dir,
            &[
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", subject,
                "-keyout", &key, "-out", &pem,
            ],
        )
    }

    /// A CA, a leaf it signed for shop.example, and a self-signed leaf, as
    /// DER; `None` when openssl is missing (the workspace tests need it
    /// elsewhere too, and CI installs it).
    fn certificates() -> Option<(Vec<u8>, Vec<u8>, Vec<u8>)> {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        if !self_signed(dir, "/CN=Test CA", "ca") {
            return None;
        }
        std::fs::write(
            dir.join("leaf.ext"),
            "subjectAltName = DNS:shop.example\nextendedKeyUsage = serverAuth\n",
        )
        .unwrap();
        assert!(openssl(
            dir,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                "/CN=shop.example",
                "-keyout",
                "leaf.key",
                "-out",
                "leaf.csr",
            ],
        ));
        assert!(openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                "leaf.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "30",
                "-extfile",
                "leaf.ext",
                "-out",
                "leaf.pem",
            ],
        ));
        assert!(self_signed(dir, "/CN=shop.example", "self"));
        Some((
            der(dir, "ca.pem"),
            der(dir, "leaf.pem"),
            der(dir, "self.pem"),
        ))
    }

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    #[test]
    fn a_chain_is_trusted_only_when_it_leads_to_a_known_root() {
        let Some((ca, leaf, self_signed)) = certificates() else {
            eprintln!("openssl is not installed: skipped");
            return;
        };
        let ca_der = CertificateDer::from(ca.as_slice());
        let anchor = webpki::anchor_from_trusted_cert(&ca_der).unwrap();
        let anchors = [anchor];
        assert_eq!(
            chain_trust_in(std::slice::from_ref(&leaf), &anchors, now()),
            Some(true),
            "a leaf its CA signed"
        );
        assert_eq!(
            chain_trust_in(&[leaf.clone(), ca.clone()], &anchors, now()),
            Some(true),
            "with the root sent along"
        );
        // A private CA is no root a browser or an ASV knows, unless the
        // user adds it.
        assert_eq!(
            chain_trust(&[leaf.clone(), ca.clone()], &[], now()),
            Some(false)
        );
        assert_eq!(
            chain_trust(
                std::slice::from_ref(&leaf),
                std::slice::from_ref(&ca),
                now()
            ),
            Some(true)
        );
        assert_eq!(
            chain_trust(std::slice::from_ref(&self_signed), &[], now()),
            Some(false)
        );
        assert_eq!(
            chain_trust_in(&[self_signed], &anchors, now()),
            Some(false),
            "another key with the same name is not the CA"
        );
        // An expired leaf is judged at its last valid second: expiry is
        // its own finding.
        let later = now() + 400 * 24 * 3600;
        assert_eq!(
            chain_trust_in(std::slice::from_ref(&leaf), &anchors, later),
            Some(true)
        );
    }

    #[test]
    fn junk_cannot_be_told() {
        assert_eq!(chain_trust(&[], &[], now()), None);
        assert_eq!(chain_trust(&[b"not der".to_vec()], &[], now()), None);
    }

    #[test]
    fn a_file_of_roots_is_pem_certificates_and_nothing_else() {
        assert_eq!(
            trust_anchors_from_pem(b"just words"),
            Err(TrustError::NoCertificate)
        );
        let broken = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(matches!(
            trust_anchors_from_pem(broken),
            Err(TrustError::NotARoot { number: 1, .. })
        ));
        let Some((ca, _, _)) = certificates() else {
            return;
        };
        let pem = format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            base64(&ca)
        );
        assert_eq!(trust_anchors_from_pem(pem.as_bytes()), Ok(vec![ca]));
    }

    /// Standard base64 with padding, for writing a PEM in a test.
    fn base64(bytes: &[u8]) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}
