//! ClientHello messages built by hand, for every protocol version from
//! SSLv3 (RFC 6101 5.6.1.2) through TLS 1.2 (RFC 5246 7.4.1.2) and TLS 1.3
//! (RFC 8446 4.1.2), because no maintained TLS library will still offer
//! the old ones, and the point is to learn whether a server accepts them.
//!
//! The hello is all we send: the server's first flight (ServerHello,
//! Certificate, ... or an alert) tells which version and suite it picked.

use portcullis_model::service::TlsVersion;

use super::suites::{RENEGOTIATION_SCSV, TLS13_SUITES};

/// The two-byte wire value of a version.
pub(crate) fn wire_version(version: TlsVersion) -> u16 {
    match version {
        TlsVersion::Ssl2 => 0x0002,
        TlsVersion::Ssl3 => 0x0300,
        TlsVersion::Tls10 => 0x0301,
        TlsVersion::Tls11 => 0x0302,
        TlsVersion::Tls12 => 0x0303,
        TlsVersion::Tls13 => 0x0304,
    }
}

/// The version a wire value names.
pub(crate) fn version_from_wire(wire: u16) -> Option<TlsVersion> {
    Some(match wire {
        0x0300 => TlsVersion::Ssl3,
        0x0301 => TlsVersion::Tls10,
        0x0302 => TlsVersion::Tls11,
        0x0303 => TlsVersion::Tls12,
        0x0304 => TlsVersion::Tls13,
        _ => return None,
    })
}

/// A whole ClientHello record offering exactly `version` and `suites`
/// (for TLS 1.3, its own suites). `server_name` is sent as SNI when it is
/// a DNS name.
pub(crate) fn client_hello(
    version: TlsVersion,
    suites: &[u16],
    server_name: Option<&str>,
) -> Vec<u8> {
    let tls13 = version == TlsVersion::Tls13;
    let mut body = Vec::with_capacity(512);
    let client_version = if tls13 { 0x0303 } else { wire_version(version) };
    body.extend_from_slice(&client_version.to_be_bytes());
    body.extend(random_bytes(32));
    if tls13 {
        // A legacy session id keeps middleboxes calm (RFC 8446 D.4).
        body.push(32);
        body.extend(random_bytes(32));
    } else {
        body.push(0);
    }
    let mut offered: Vec<u16> = if tls13 {
        TLS13_SUITES.iter().map(|s| s.code).collect()
    } else {
        suites.to_vec()
    };
    if version == TlsVersion::Ssl3 {
        offered.push(RENEGOTIATION_SCSV);
    }
    body.extend_from_slice(&((offered.len() * 2) as u16).to_be_bytes());
    for code in &offered {
        body.extend_from_slice(&code.to_be_bytes());
    }
    body.extend_from_slice(&[1, 0]); // compression: null only
    if version != TlsVersion::Ssl3 {
        let extensions = extensions(version, server_name);
        body.extend_from_slice(&(extensions.len() as u16).to_be_bytes());
        body.extend_from_slice(&extensions);
    }
    let mut handshake = vec![1]; // client_hello
    handshake.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    handshake.extend_from_slice(&body);
    // The record layer version: 3.0 for SSLv3, 3.1 otherwise, as browsers
    // send it for the widest compatibility.
    let record_version: u16 = if version == TlsVersion::Ssl3 {
        0x0300
    } else {
        0x0301
    };
    let mut record = vec![22];
    record.extend_from_slice(&record_version.to_be_bytes());
    record.extend_from_slice(&(handshake.len() as u16).to_be_bytes());
    record.extend_from_slice(&handshake);
    record
}

fn extensions(version: TlsVersion, server_name: Option<&str>) -> Vec<u8> {
    let mut all = Vec::new();
    let mut add = |kind: u16, data: &[u8]| {
        all.extend_from_slice(&kind.to_be_bytes());
        all.extend_from_slice(&(data.len() as u16).to_be_bytes());
        all.extend_from_slice(data);
    };
    if let Some(name) = server_name.filter(|n| is_dns_name(n)) {
        let name = name.as_bytes();
        let mut data = ((name.len() + 3) as u16).to_be_bytes().to_vec();
        data.push(0); // host_name
        data.extend_from_slice(&(name.len() as u16).to_be_bytes());
        data.extend_from_slice(name);
        add(0, &data);
    }
    // supported_groups: x25519, secp256r1, secp384r1, secp521r1, ffdhe2048.
    add(
        10,
        &[
            0, 10, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18, 0x00, 0x19, 0x01, 0x00,
        ],
    );
    add(11, &[1, 0]); // ec_point_formats: uncompressed
    if version >= TlsVersion::Tls12 {
        // signature_algorithms: ECDSA, RSA-PSS, RSA PKCS#1, then SHA-1 ones.
        let schemes: [u16; 11] = [
            0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201, 0x0203,
        ];
        let mut data = ((schemes.len() * 2) as u16).to_be_bytes().to_vec();
        for scheme in schemes {
            data.extend_from_slice(&scheme.to_be_bytes());
        }
        add(13, &data);
    }
    add(0xff01, &[0]); // renegotiation_info, empty
    if version == TlsVersion::Tls13 {
        add(43, &[2, 0x03, 0x04]); // supported_versions: TLS 1.3 only
        add(45, &[1, 1]); // psk_key_exchange_modes: psk_dhe_ke
        let mut share = vec![0, 36, 0x00, 0x1d, 0, 32];
        share.extend(random_bytes(32)); // an X25519 public key
        add(51, &share);
    }
    all
}

/// SNI carries DNS names only, never addresses (RFC 6066 3).
fn is_dns_name(name: &str) -> bool {
    name.parse::<std::net::IpAddr>().is_err()
        && !name.is_empty()
        && name.len() < 254
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// The seven SSL 2.0 cipher kinds (RC4, RC2, IDEA, DES and 3DES, with
/// their export forms): a server that speaks SSL 2.0 agrees to one of them.
const SSL2_CIPHER_KINDS: [[u8; 3]; 7] = [
    [0x01, 0x00, 0x80],
    [0x02, 0x00, 0x80],
    [0x03, 0x00, 0x80],
    [0x04, 0x00, 0x80],
    [0x05, 0x00, 0x80],
    [0x06, 0x00, 0x40],
    [0x07, 0x00, 0xc0],
];

/// An SSL 2.0 CLIENT-HELLO (the SSL 2.0 specification's section 2.5, as
/// RFC 6176 recalls it): a two-byte header with the top bit set, message
/// type 1, version 0.2, every cipher kind, no session id and a 16-byte
/// challenge.
pub(crate) fn sslv2_client_hello() -> Vec<u8> {
    let specs: Vec<u8> = SSL2_CIPHER_KINDS.concat();
    let mut body = vec![1, 0x00, 0x02];
    body.extend_from_slice(&(specs.len() as u16).to_be_bytes());
    body.extend_from_slice(&0u16.to_be_bytes()); // session id length
    body.extend_from_slice(&16u16.to_be_bytes()); // challenge length
    body.extend_from_slice(&specs);
    body.extend(random_bytes(16));
    let mut record = (body.len() as u16 | 0x8000).to_be_bytes().to_vec();
    record.extend_from_slice(&body);
    record
}

fn random_bytes(count: usize) -> impl Iterator<Item = u8> {
    std::iter::repeat_with(|| fastrand::u8(..)).take(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identify::tls::records;

    #[test]
    fn the_sslv2_hello_has_its_header_type_version_and_every_cipher_kind() {
        let hello = sslv2_client_hello();
        let length = usize::from(u16::from_be_bytes([hello[0], hello[1]]) & 0x7fff);
        assert_eq!(hello[0] & 0x80, 0x80, "two-byte header");
        assert_eq!(length, hello.len() - 2);
        assert_eq!(&hello[2..5], &[1, 0x00, 0x02], "CLIENT-HELLO, version 0.2");
        assert_eq!(&hello[5..7], &[0, 21], "seven cipher kinds of three bytes");
        assert_eq!(&hello[9..11], &[0, 16], "a 16-byte challenge");
        assert_eq!(hello.len(), 2 + 9 + 21 + 16);
    }

    #[test]
    fn record_and_handshake_lengths_agree() {
        for version in [
            TlsVersion::Ssl3,
            TlsVersion::Tls10,
            TlsVersion::Tls11,
            TlsVersion::Tls12,
            TlsVersion::Tls13,
        ] {
            let hello = client_hello(version, &[0x002f, 0x000a], Some("shop.example"));
            assert_eq!(hello[0], 22);
            let record_length = usize::from(u16::from_be_bytes([hello[3], hello[4]]));
            assert_eq!(record_length, hello.len() - 5, "{version:?}");
            let handshake_length =
                usize::from(hello[6]) << 16 | usize::from(hello[7]) << 8 | usize::from(hello[8]);
            assert_eq!(handshake_length, hello.len() - 9);
            assert_eq!(hello[5], 1, "client_hello");
            // A client hello is not a server flight.
            assert!(records::parse_flight(&hello).is_some_and(|f| f.hello.is_none()));
        }
    }

    #[test]
    fn versions_and_extensions() {
        let ssl3 = client_hello(TlsVersion::Ssl3, &[0x000a], None);
        assert_eq!(&ssl3[1..3], &[3, 0]);
        assert_eq!(&ssl3[9..11], &[3, 0]);
        // suites: 0x000a and the SCSV, then compression; nothing after.
        assert!(ssl3.ends_with(&[0, 4, 0x00, 0x0a, 0x00, 0xff, 1, 0]));
        let tls13 = client_hello(TlsVersion::Tls13, &[], Some("198.18.0.2"));
        assert_eq!(&tls13[9..11], &[3, 3], "legacy version");
        assert!(tls13.windows(7).any(|w| w == [0, 43, 0, 3, 2, 3, 4]));
        assert!(
            !tls13.windows(4).any(|w| w == [0, 0, 0, 15]),
            "no SNI for an address"
        );
        let named = client_hello(TlsVersion::Tls12, &[0x002f], Some("shop.example"));
        assert!(named.windows(12).any(|w| w == b"shop.example"));
    }
}
