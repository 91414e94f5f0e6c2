//! What a server's certificate says, read with x509-parser: who it names,
//! who issued it, when it is valid, whether it names the host that was
//! scanned, and how strong its key is. Nothing here trusts it: the point
//! is to report, not to verify.

use std::net::IpAddr;

use chrono::{DateTime, SecondsFormat};
use portcullis_model::service::CertificateInfo;
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};
use x509_parser::public_key::PublicKey;

use crate::identify::evidence::sanitise;

/// Distinguished names can be long; this is plenty for a report.
const MAX_NAME: usize = 512;

/// At most this many subject alternative names are listed.
const MAX_NAMES: usize = 64;

/// Describes the DER certificate `der` served for `host_name` (the name the
/// user gave, if any) at `address`, as of `now_unix`.
pub(crate) fn describe(
    der: &[u8],
    host_name: Option<&str>,
    address: IpAddr,
    now_unix: i64,
) -> Option<CertificateInfo> {
    let (_, certificate) = X509Certificate::from_der(der).ok()?;
    let subject = certificate.subject();
    let issuer = certificate.issuer();
    let validity = certificate.validity();
    let names = alternative_names(&certificate);
    let common_names: Vec<String> = subject
        .iter_common_name()
        .filter_map(|cn| cn.as_str().ok())
        .map(|cn| sanitise(cn.as_bytes(), MAX_NAME))
        .collect();
    let (key_type, key_bits) = key(&certificate);
    Some(CertificateInfo {
        subject: sanitise(subject.to_string().as_bytes(), MAX_NAME),
        issuer: sanitise(issuer.to_string().as_bytes(), MAX_NAME),
        not_before: rfc3339(validity.not_before.timestamp()),
        not_after: rfc3339(validity.not_after.timestamp()),
        self_signed: subject.as_raw() == issuer.as_raw(),
        expired: validity.not_after.timestamp() < now_unix,
        name_matches: Some(names_match(&names, &common_names, host_name, address)),
        key_type,
        key_bits,
        names,
        signature: Some(signature_name(
            &certificate.signature_algorithm.algorithm.to_id_string(),
        )),
        trusted: None,
    })
}

/// The usual name of a signature algorithm, from its OID: the weak ones
/// (MD5, SHA-1) and the common strong ones; any other keeps its OID.
fn signature_name(oid: &str) -> String {
    let name = match oid {
        "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption",
        "1.2.840.10040.4.3" => "dsa-with-sha1",
        "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
        "1.2.840.113549.1.1.10" => "rsassa-pss",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.3.101.112" => "Ed25519",
        "1.3.101.113" => "Ed448",
        other => other,
    };
    name.to_owned()
}

fn rfc3339(unix: i64) -> String {
    DateTime::from_timestamp(unix, 0)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_else(|| format!("@{unix}"))
}

/// DNS names and addresses of the subject alternative name extension.
fn alternative_names(certificate: &X509Certificate<'_>) -> Vec<String> {
    let Ok(Some(extension)) = certificate.subject_alternative_name() else {
        return Vec::new();
    };
    extension
        .value
        .general_names
        .iter()
        .filter_map(|name| match name {
            GeneralName::DNSName(dns) => Some(sanitise(dns.as_bytes(), MAX_NAME)),
            GeneralName::IPAddress(bytes) => ip_from_bytes(bytes).map(|ip| ip.to_string()),
            _ => None,
        })
        .take(MAX_NAMES)
        .collect()
}

fn ip_from_bytes(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => Some(IpAddr::from(<[u8; 4]>::try_from(bytes).ok()?)),
        16 => Some(IpAddr::from(<[u8; 16]>::try_from(bytes).ok()?)),
        _ => None,
    }
}

/// RFC 6125: the certificate must name what the client meant to reach:
/// the host name the user gave, else the address. The alternative names
/// decide when there are any; the common name only when there are none.
/// Wildcards cover one left-most label.
fn names_match(
    names: &[String],
    common_names: &[String],
    host_name: Option<&str>,
    address: IpAddr,
) -> bool {
    let presented: &[String] = if names.is_empty() {
        common_names
    } else {
        names
    };
    let wanted = host_name.map(|h| h.trim_end_matches('.').to_ascii_lowercase());
    presented.iter().any(|name| {
        let name = name.to_ascii_lowercase();
        match (&wanted, name.parse::<IpAddr>()) {
            (None, Ok(ip)) => ip == address,
            (None, Err(_)) => false,
            (Some(host), Ok(ip)) => host.parse::<IpAddr>() == Ok(ip),
            (Some(host), Err(_)) => dns_name_matches(&name, host),
        }
    })
}

fn dns_name_matches(pattern: &str, host: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(suffix) => host
            .split_once('.')
            .is_some_and(|(label, rest)| !label.is_empty() && rest == suffix),
        None => pattern == host,
    }
}

/// The key's algorithm and size in bits.
fn key(certificate: &X509Certificate<'_>) -> (String, Option<u32>) {
    let info = certificate.public_key();
    let bits = |size: usize| u32::try_from(size).ok().filter(|b| *b > 0);
    match info.parsed() {
        Ok(PublicKey::RSA(rsa)) => ("RSA".into(), bits(rsa.key_size())),
        Ok(PublicKey::EC(point)) => ("ECDSA".into(), bits(point.key_size())),
        Ok(PublicKey::DSA(y)) => ("DSA".into(), bits(y.len() * 8)),
        _ => match info.algorithm.algorithm.to_id_string().as_str() {
            "1.3.101.112" => ("Ed25519".into(), Some(256)),
            "1.3.101.113" => ("Ed448".into(), Some(456)),
            other => (format!("unknown ({other})"), None),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_cover_one_label() {
        assert!(dns_name_matches("*.example.com", "shop.example.com"));
        assert!(!dns_name_matches("*.example.com", "a.b.example.com"));
        assert!(!dns_name_matches("*.example.com", "example.com"));
        assert!(dns_name_matches("example.com", "example.com"));
    }

    #[test]
    fn addresses_match_ip_names_only() {
        let ip: IpAddr = "198.18.0.2".parse().unwrap();
        let names = vec!["198.18.0.2".to_owned(), "lab.example".to_owned()];
        assert!(names_match(&names, &[], None, ip));
        assert!(names_match(
            &names,
            &[],
            Some("lab.example"),
            "198.18.0.9".parse().unwrap()
        ));
        assert!(!names_match(
            &names,
            &[],
            Some("other.example"),
            "198.18.0.9".parse().unwrap()
        ));
        // No alternative names: the common name decides.
        assert!(names_match(
            &[],
            &["lab.example".into()],
            Some("LAB.example."),
            ip
        ));
    }

    #[test]
    fn signatures_are_named_and_unknown_ones_keep_their_oid() {
        assert_eq!(
            signature_name("1.2.840.113549.1.1.5"),
            "sha1WithRSAEncryption"
        );
        assert_eq!(signature_name("1.2.840.10045.4.3.2"), "ecdsa-with-SHA256");
        assert_eq!(signature_name("1.2.3.4"), "1.2.3.4");
    }

    #[test]
    fn junk_is_not_a_certificate() {
        assert!(describe(b"not der", None, "127.0.0.1".parse().unwrap(), 0).is_none());
        assert!(
            describe(
                &[0x30, 0x82, 0xff, 0xff],
                None,
                "127.0.0.1".parse().unwrap(),
                0
            )
            .is_none()
        );
    }
}
