//! Reading a server's first flight: TLS records (RFC 5246 6.2.1), the
//! handshake messages inside them, reassembled across records (ServerHello,
//! Certificate, ServerHelloDone), and alerts (RFC 5246 7.2).

use super::hello::version_from_wire;
use crate::identify::protocols::{be16, be32};
use portcullis_model::service::TlsVersion;

/// The largest record RFC 5246 6.2.3 allows (plus slack for expansion).
const MAX_RECORD: usize = (1 << 14) + 2048;

/// The ServerHello's random in a HelloRetryRequest (RFC 8446 4.1.3).
const RETRY_REQUEST_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// What the server chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ServerHello {
    /// The negotiated version (supported_versions for TLS 1.3).
    pub version: Option<TlsVersion>,
    pub cipher: u16,
    /// A HelloRetryRequest: TLS 1.3 accepted, another key share wanted.
    pub retry_request: bool,
}

/// A fatal or warning alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Alert {
    pub level: u8,
    pub description: u8,
}

/// The server's first flight, as far as it arrived.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ServerFlight {
    pub hello: Option<ServerHello>,
    pub alert: Option<Alert>,
    /// DER certificates of a TLS ≤ 1.2 Certificate message, leaf first.
    pub certificates: Vec<Vec<u8>>,
    /// ServerHelloDone seen: nothing more comes unencrypted.
    pub done: bool,
    /// The ServerKeyExchange body, when one came (DHE and ECDHE suites).
    pub key_exchange: Option<Vec<u8>>,
}

/// Whether `bytes` start like TLS records at all (handshake or alert,
/// version 3.x).
pub(crate) fn looks_like_tls(bytes: &[u8]) -> bool {
    matches!(bytes, [20..=23, 3, 0..=4, ..])
}

/// Whether reading can stop: an alert, ServerHelloDone, a TLS 1.3
/// ServerHello (the rest is encrypted), or bytes that are not TLS.
pub(crate) fn flight_complete(bytes: &[u8]) -> bool {
    if bytes.len() >= 3 && !looks_like_tls(bytes) {
        return true;
    }
    match parse_flight(bytes) {
        Some(flight) => {
            flight.alert.is_some()
                || flight.done
                || flight
                    .hello
                    .is_some_and(|h| h.version == Some(TlsVersion::Tls13) || h.retry_request)
        }
        None => false,
    }
}

/// Parses the records in `bytes`; `None` when they are not TLS.
pub(crate) fn parse_flight(bytes: &[u8]) -> Option<ServerFlight> {
    if !looks_like_tls(bytes) {
        return None;
    }
    let mut flight = ServerFlight::default();
    let mut handshake = Vec::new();
    let mut rest = bytes;
    while rest.len() >= 5 {
        let kind = rest[0];
        let length = usize::from(be16(rest, 3)?);
        if length > MAX_RECORD || rest[1] != 3 {
            break;
        }
        let Some(fragment) = rest.get(5..5 + length) else {
            break; // the rest has not arrived
        };
        match kind {
            22 => handshake.extend_from_slice(fragment),
            21 if fragment.len() >= 2 => {
                flight.alert = Some(Alert {
                    level: fragment[0],
                    description: fragment[1],
                });
                break;
            }
            _ => break, // change_cipher_spec or encrypted data
        }
        rest = &rest[5 + length..];
    }
    read_handshake_messages(&handshake, &mut flight);
    Some(flight)
}

fn read_handshake_messages(mut messages: &[u8], flight: &mut ServerFlight) {
    while messages.len() >= 4 {
        let kind = messages[0];
        let length = be32(messages, 0).map_or(0, |v| (v & 0x00ff_ffff) as usize);
        let Some(body) = messages.get(4..4 + length) else {
            return;
        };
        match kind {
            2 => flight.hello = parse_server_hello(body),
            11 => flight.certificates = parse_certificates(body),
            12 => flight.key_exchange = Some(body.to_vec()),
            14 => flight.done = true,
            _ => {}
        }
        messages = &messages[4 + length..];
    }
}

/// The size in bits of the prime of a DHE ServerKeyExchange (RFC 5246
/// 7.4.3: `dh_p` comes first, with a two-byte length), leading zero bits
/// left out.
pub(crate) fn dh_prime_bits(key_exchange: &[u8]) -> Option<u32> {
    let length = usize::from(be16(key_exchange, 0)?);
    let prime = key_exchange.get(2..2 + length)?;
    let first = prime.iter().position(|byte| *byte != 0)?;
    let bytes = u32::try_from(prime.len() - first).ok()?;
    Some(bytes * 8 - prime[first].leading_zeros())
}

/// Whether an SSL 2.0 answer is complete: its two-byte header's length
/// has arrived, or the bytes are not SSL 2.0 at all.
pub(crate) fn sslv2_complete(bytes: &[u8]) -> bool {
    match bytes {
        [first, second, rest @ ..] if first & 0x80 != 0 => {
            let length = usize::from(u16::from_be_bytes([*first, *second]) & 0x7fff);
            rest.len() >= length.min(MAX_RECORD)
        }
        [_, _, ..] => true,
        _ => false,
    }
}

/// How many cipher kinds an SSL 2.0 SERVER-HELLO agrees to (message type
/// 4, version 0.2); `None` when the answer is not one. A server that
/// answers with none does not really speak SSL 2.0.
pub(crate) fn sslv2_ciphers(bytes: &[u8]) -> Option<usize> {
    let (first, second) = (*bytes.first()?, *bytes.get(1)?);
    if first & 0x80 == 0 {
        return None;
    }
    let length = usize::from(u16::from_be_bytes([first, second]) & 0x7fff);
    let body = bytes.get(2..2 + length)?;
    if *body.first()? != 4 || be16(body, 3)? != 0x0002 {
        return None;
    }
    let cipher_specs = usize::from(be16(body, 7)?);
    Some(cipher_specs / 3)
}

/// ServerHello (RFC 5246 7.4.1.3, RFC 8446 4.1.3).
pub(crate) fn parse_server_hello(body: &[u8]) -> Option<ServerHello> {
    let legacy_version = be16(body, 0)?;
    let random = body.get(2..34)?;
    let session_length = usize::from(*body.get(34)?);
    let mut at = 35 + session_length;
    let cipher = be16(body, at)?;
    at += 3; // cipher, compression
    let mut version = version_from_wire(legacy_version);
    if let Some(extensions_length) = be16(body, at) {
        let extensions = body.get(at + 2..at + 2 + usize::from(extensions_length))?;
        let mut rest = extensions;
        while rest.len() >= 4 {
            let kind = be16(rest, 0)?;
            let length = usize::from(be16(rest, 2)?);
            let data = rest.get(4..4 + length)?;
            if kind == 43 {
                version = version_from_wire(be16(data, 0)?);
            }
            rest = &rest[4 + length..];
        }
    }
    Some(ServerHello {
        version,
        cipher,
        retry_request: random == RETRY_REQUEST_RANDOM,
    })
}

/// The certificate_list of a TLS ≤ 1.2 Certificate message: 3-byte
/// lengths throughout. At most 10 certificates are kept.
fn parse_certificates(body: &[u8]) -> Vec<Vec<u8>> {
    let mut certificates = Vec::new();
    let total = be32(body, 0).map_or(0, |v| (v >> 8) as usize);
    let mut list = body.get(3..3 + total).unwrap_or(&[]);
    while list.len() >= 3 && certificates.len() < 10 {
        let length = usize::from(list[0]) << 16 | usize::from(list[1]) << 8 | usize::from(list[2]);
        let Some(der) = list.get(3..3 + length) else {
            break;
        };
        certificates.push(der.to_vec());
        list = &list[3 + length..];
    }
    certificates
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An SSL 2.0 SERVER-HELLO agreeing to `ciphers` cipher kinds, with a
    /// 4-byte stand-in certificate and a 16-byte connection id.
    pub(crate) fn sslv2_server_hello(ciphers: usize) -> Vec<u8> {
        let certificate = [0x30, 0x02, 0x05, 0x00];
        let mut body = vec![4, 0, 1, 0x00, 0x02];
        body.extend_from_slice(&(certificate.len() as u16).to_be_bytes());
        body.extend_from_slice(&((ciphers * 3) as u16).to_be_bytes());
        body.extend_from_slice(&16u16.to_be_bytes());
        body.extend_from_slice(&certificate);
        for _ in 0..ciphers {
            body.extend_from_slice(&[0x07, 0x00, 0xc0]);
        }
        body.extend_from_slice(&[0xab; 16]);
        let mut record = (body.len() as u16 | 0x8000).to_be_bytes().to_vec();
        record.extend_from_slice(&body);
        record
    }

    #[test]
    fn an_sslv2_server_hello_counts_its_ciphers() {
        let hello = sslv2_server_hello(2);
        assert!(sslv2_complete(&hello));
        assert!(
            !sslv2_complete(&hello[..hello.len() - 1]),
            "not all arrived"
        );
        assert_eq!(sslv2_ciphers(&hello), Some(2));
        assert_eq!(sslv2_ciphers(&sslv2_server_hello(0)), Some(0));
    }

    #[test]
    fn a_tls_alert_or_junk_is_not_sslv2() {
        let alert = [21, 3, 1, 0, 2, 2, 40];
        assert!(sslv2_complete(&alert), "nothing more to wait for");
        assert_eq!(sslv2_ciphers(&alert), None);
        assert_eq!(sslv2_ciphers(b"HTTP/1.1 400 Bad Request\r\n"), None);
        let mut wrong_version = sslv2_server_hello(1);
        wrong_version[6] = 0x03;
        assert_eq!(sslv2_ciphers(&wrong_version), None);
    }

    #[test]
    fn the_dh_prime_is_measured_in_bits() {
        let mut exchange = 128u16.to_be_bytes().to_vec();
        exchange.push(0xff);
        exchange.extend_from_slice(&[0x11; 127]);
        exchange.extend_from_slice(&[0, 1, 2]); // dh_g, and so on
        assert_eq!(dh_prime_bits(&exchange), Some(1024));
        let mut leading_zero = 129u16.to_be_bytes().to_vec();
        leading_zero.push(0x00);
        leading_zero.push(0x40);
        leading_zero.extend_from_slice(&[0x11; 127]);
        assert_eq!(dh_prime_bits(&leading_zero), Some(1023));
        assert_eq!(dh_prime_bits(&[0, 200, 1, 2]), None, "cut short");
    }

    /// A TLS 1.2 flight: ServerHello, Certificate (one fake DER blob),
    /// ServerHelloDone, split over two records.
    pub(crate) fn tls12_flight(cipher: u16, certificate: &[u8]) -> Vec<u8> {
        let mut hello = vec![3, 3];
        hello.extend_from_slice(&[7; 32]);
        hello.push(0);
        hello.extend_from_slice(&cipher.to_be_bytes());
        hello.push(0);
        hello.extend_from_slice(&[0, 5, 0xff, 0x01, 0, 1, 0]);
        let mut messages = handshake(2, &hello);
        let mut list = (certificate.len() as u32).to_be_bytes()[1..].to_vec();
        list.extend_from_slice(certificate);
        let mut body = (list.len() as u32).to_be_bytes()[1..].to_vec();
        body.extend_from_slice(&list);
        messages.extend(handshake(11, &body));
        messages.extend(handshake(14, &[]));
        let split = messages.len() / 2;
        let mut bytes = record(22, &messages[..split]);
        bytes.extend(record(22, &messages[split..]));
        bytes
    }

    pub(crate) fn handshake(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut message = vec![kind];
        message.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        message.extend_from_slice(body);
        message
    }

    pub(crate) fn record(kind: u8, fragment: &[u8]) -> Vec<u8> {
        let mut bytes = vec![kind, 3, 3];
        bytes.extend_from_slice(&(fragment.len() as u16).to_be_bytes());
        bytes.extend_from_slice(fragment);
        bytes
    }

    #[test]
    fn a_tls12_flight_across_records() {
        let bytes = tls12_flight(0xc02f, b"fake-der");
        assert!(flight_complete(&bytes));
        assert!(!flight_complete(&bytes[..bytes.len() - 2]));
        let flight = parse_flight(&bytes).unwrap();
        let hello = flight.hello.unwrap();
        assert_eq!(hello.version, Some(TlsVersion::Tls12));
        assert_eq!(hello.cipher, 0xc02f);
        assert!(!hello.retry_request);
        assert_eq!(flight.certificates, [b"fake-der".to_vec()]);
        assert!(flight.done);
    }

    #[test]
    fn tls13_by_supported_versions_and_alerts() {
        let mut hello = vec![3, 3];
        hello.extend_from_slice(&RETRY_REQUEST_RANDOM);
        hello.push(0);
        hello.extend_from_slice(&[0x13, 0x01, 0]);
        hello.extend_from_slice(&[0, 6, 0, 43, 0, 2, 3, 4]);
        let bytes = record(22, &handshake(2, &hello));
        assert!(flight_complete(&bytes));
        let hello = parse_flight(&bytes).unwrap().hello.unwrap();
        assert_eq!(hello.version, Some(TlsVersion::Tls13));
        assert!(hello.retry_request);
        let alert = record(21, &[2, 70]);
        let flight = parse_flight(&alert).unwrap();
        assert_eq!(
            flight.alert,
            Some(Alert {
                level: 2,
                description: 70
            })
        );
    }

    #[test]
    fn other_protocols_are_not_tls() {
        assert!(parse_flight(b"HTTP/1.1 400 Bad Request\r\n").is_none());
        assert!(flight_complete(b"SSH-2.0-x\r\n"), "stop reading: not TLS");
        assert!(!flight_complete(&[22, 3]));
        let lying = [22, 3, 3, 0xff, 0xff, 2, 0, 0];
        assert!(parse_flight(&lying).is_some_and(|f| f.hello.is_none()));
    }
}
