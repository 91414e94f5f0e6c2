//! PostgreSQL's frontend/backend protocol (version 3, "Message Flow" and
//! "Message Formats" in the PostgreSQL documentation).
//!
//! Two exchanges: an SSLRequest, answered by a single 'S' or 'N'; then a
//! StartupMessage for a user that does not exist, answered by an
//! authentication request ('R') or an ErrorResponse ('E') whose fields
//! (severity, SQLSTATE code, message, source file, routine) only
//! PostgreSQL sends in that shape. The server version is not sent before
//! authentication, and we never authenticate.

use super::{Identified, Proto, be32};
use crate::identify::evidence::field_bytes;

/// SSLRequest: length 8, code 80877103.
pub(crate) const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];

/// A StartupMessage (protocol 3.0) for user and database "portcullis".
pub(crate) fn startup_message() -> Vec<u8> {
    let mut body = 196_608u32.to_be_bytes().to_vec(); // 3 << 16
    for (key, value) in [
        ("user", "portcullis"),
        ("database", "portcullis"),
        ("application_name", "portcullis-probe"),
    ] {
        body.extend_from_slice(key.as_bytes());
        body.push(0);
        body.extend_from_slice(value.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut message = ((body.len() + 4) as u32).to_be_bytes().to_vec();
    message.extend_from_slice(&body);
    message
}

/// The answer to SSLRequest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SslAnswer {
    Supported,
    NotSupported,
}

/// 'S' or 'N', alone: anything longer is not PostgreSQL's answer.
pub(crate) fn parse_ssl_answer(bytes: &[u8]) -> Option<SslAnswer> {
    match bytes {
        [b'S'] => Some(SslAnswer::Supported),
        [b'N'] => Some(SslAnswer::NotSupported),
        _ => None,
    }
}

/// Whether one whole backend message has arrived.
pub(crate) fn message_complete(bytes: &[u8]) -> bool {
    match be32(bytes, 1) {
        Some(length) => bytes.len() > length as usize || length > 65_536,
        None => false,
    }
}

/// PostgreSQL from the answer to a StartupMessage.
pub(crate) fn identify_startup_answer(bytes: &[u8]) -> Option<Identified> {
    let kind = *bytes.first()?;
    let length = be32(bytes, 1)? as usize;
    if !(4..=65_536).contains(&length) {
        return None;
    }
    let body = bytes.get(5..(1 + length).min(bytes.len()))?;
    let mut found = Identified::product(Proto::Postgres, "PostgreSQL", None);
    match kind {
        b'R' => {
            let code = be32(body, 0)?;
            let method = match code {
                0 => "no password asked (trust)",
                2 => "Kerberos V5",
                3 => "cleartext password",
                5 => "MD5 password",
                7 => "GSSAPI",
                9 => "SSPI",
                10 => "SASL (SCRAM)",
                _ => return None,
            };
            found.add_extra(format!("authentication: {method}"));
        }
        b'E' => {
            let fields = error_fields(body);
            let has = |key: u8| fields.iter().any(|(k, _)| *k == key);
            // Severity, SQLSTATE and message are always there; the source
            // file or routine are PostgreSQL's own.
            if !(has(b'S') && has(b'C') && has(b'M') && (has(b'F') || has(b'R'))) {
                return None;
            }
            let value = |key: u8| {
                fields
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, v)| v.as_str())
                    .unwrap_or("")
            };
            found.add_extra(format!("{} {}: {}", value(b'S'), value(b'C'), value(b'M')));
        }
        _ => return None,
    }
    found.add_extra("version not disclosed before authentication");
    Some(found)
}

/// ErrorResponse fields: a type byte and a NUL-terminated string each,
/// ending with a zero byte.
pub(crate) fn error_fields(body: &[u8]) -> Vec<(u8, String)> {
    let mut fields = Vec::new();
    let mut at = 0;
    while let Some(&key) = body.get(at) {
        if key == 0 || fields.len() >= 32 {
            break;
        }
        let rest = &body[at + 1..];
        let Some(end) = rest.iter().position(|b| *b == 0) else {
            break;
        };
        fields.push((key, field_bytes(&rest[..end])));
        at += end + 2;
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut bytes = vec![kind];
        bytes.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
        bytes.extend_from_slice(body);
        bytes
    }

    #[test]
    fn requests_are_well_formed() {
        let startup = startup_message();
        assert_eq!(be32(&startup, 0), Some(startup.len() as u32));
        assert_eq!(be32(&SSL_REQUEST, 4), Some(80_877_103));
    }

    #[test]
    fn no_hba_entry_is_postgresql() {
        let body = b"SFATAL\0VFATAL\0C28000\0Mno pg_hba.conf entry for host \"198.18.0.9\", user \"portcullis\", database \"portcullis\", no encryption\0Fauth.c\0L543\0RClientAuthentication\0\0";
        let bytes = message(b'E', body);
        assert!(message_complete(&bytes));
        let found = identify_startup_answer(&bytes).unwrap();
        assert_eq!(found.product.as_deref(), Some("PostgreSQL"));
        assert_eq!(found.version, None);
        let extra = found.extra.unwrap();
        assert!(
            extra.starts_with("FATAL 28000: no pg_hba.conf entry"),
            "{extra}"
        );
        assert!(extra.ends_with("version not disclosed before authentication"));
    }

    #[test]
    fn scram_request_is_postgresql() {
        let bytes = message(b'R', b"\0\0\0\x0aSCRAM-SHA-256\0\0");
        let found = identify_startup_answer(&bytes).unwrap();
        assert!(found.extra.unwrap().contains("SASL"));
    }

    #[test]
    fn look_alikes_are_refused() {
        assert!(identify_startup_answer(&message(b'E', b"SERROR\0Mbad\0\0")).is_none());
        assert!(identify_startup_answer(b"HTTP/1.1 400 Bad Request\r\n").is_none());
        assert!(identify_startup_answer(&message(b'R', b"\0\0\0\x63")).is_none());
        assert_eq!(parse_ssl_answer(b"N"), Some(SslAnswer::NotSupported));
        assert_eq!(parse_ssl_answer(b"NO"), None);
    }
}
