//! MySQL and MariaDB: the server speaks first with an initial handshake
//! packet (protocol 10) carrying its version string, or with an error
//! packet (host not allowed, too many connections).
//!
//! Packets are a 3-byte little-endian length and a sequence number, then
//! the payload. MariaDB before 11 prefixes its version with "5.5.5-" so
//! that old MySQL clients accept it: "5.5.5-10.11.6-MariaDB-0+deb12u1".

use super::{Identified, Proto, le16, version_prefix};
use crate::identify::evidence::{field, field_bytes};

/// Whether `bytes` hold one whole packet.
pub(crate) fn packet_complete(bytes: &[u8]) -> bool {
    match bytes.get(..3) {
        Some(header) => {
            let length =
                usize::from(header[0]) | usize::from(header[1]) << 8 | usize::from(header[2]) << 16;
            bytes.len() >= 4 + length
        }
        None => false,
    }
}

/// Product and version from the first packet a server sends.
pub(crate) fn identify(bytes: &[u8]) -> Option<Identified> {
    let length = usize::from(*bytes.first()?)
        | usize::from(*bytes.get(1)?) << 8
        | usize::from(*bytes.get(2)?) << 16;
    if *bytes.get(3)? != 0 || !(4..=4096).contains(&length) {
        return None;
    }
    let payload = bytes.get(4..(4 + length).min(bytes.len()))?;
    match payload.first()? {
        10 => greeting(payload),
        0xff => error(payload),
        _ => None,
    }
}

/// Protocol 10: version (NUL-terminated), thread id, salt, capabilities...
fn greeting(payload: &[u8]) -> Option<Identified> {
    let rest = &payload[1..];
    let end = rest.iter().take(80).position(|b| *b == 0)?;
    let version_text = std::str::from_utf8(&rest[..end]).ok()?;
    if !version_text.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let mut found = describe_version(version_text);
    if let Some(plugin) = auth_plugin(&rest[end + 1..]) {
        found.add_extra(format!("auth plugin {plugin}"));
    }
    Some(found)
}

/// "5.5.5-10.11.6-MariaDB-0+deb12u1" → MariaDB 10.11.6 (0+deb12u1);
/// "8.0.36-0ubuntu0.22.04.1" → MySQL 8.0.36 (0ubuntu0.22.04.1).
pub(crate) fn describe_version(text: &str) -> Identified {
    let mariadb = text.contains("MariaDB");
    let text = match text.strip_prefix("5.5.5-") {
        Some(rest) if mariadb => rest,
        _ => text,
    };
    let version = version_prefix(text);
    let suffix = text
        .split_once('-')
        .map(|(_, rest)| rest.trim_start_matches("MariaDB").trim_start_matches('-'))
        .unwrap_or("");
    let product = if mariadb { "MariaDB" } else { "MySQL" };
    Identified::product(Proto::MySql, product, version).with_extra(Some(field(suffix)))
}

/// The authentication plugin named at the end of the greeting.
fn auth_plugin(after_version: &[u8]) -> Option<String> {
    // thread id 4, salt 8, filler 1, capabilities 2, charset 1, status 2,
    // capabilities 2, salt length 1, reserved 10, salt part 2 (>= 13).
    let salt_length = usize::from(*after_version.get(4 + 8 + 1 + 2 + 1 + 2 + 2)?);
    let start = 4 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10 + salt_length.saturating_sub(8).max(13);
    let rest = after_version.get(start..)?;
    let end = rest.iter().position(|b| *b == 0).unwrap_or(rest.len());
    let name = field_bytes(&rest[..end.min(64)]);
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(name)
}

/// An error packet: 0xff, code, then (in the initial handshake) the
/// message alone.
fn error(payload: &[u8]) -> Option<Identified> {
    let code = le16(payload, 1)?;
    let message = payload.get(3..)?;
    let message = message
        .strip_prefix(b"#")
        .and_then(|m| m.get(5..))
        .unwrap_or(message);
    let text = field_bytes(message);
    if text.is_empty() {
        return None;
    }
    let product = if text.contains("MariaDB") {
        Some("MariaDB")
    } else if text.contains("MySQL") {
        Some("MySQL")
    } else {
        None
    };
    let found = match product {
        Some(product) => Identified::product(Proto::MySql, product, None),
        None if (1000..3000).contains(&code) => Identified::protocol(Proto::MySql),
        None => return None,
    };
    Some(found.with_extra(Some(format!("error {code}: {text}"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(payload: &[u8]) -> Vec<u8> {
        let mut bytes = (payload.len() as u32).to_le_bytes()[..3].to_vec();
        bytes.push(0);
        bytes.extend_from_slice(payload);
        bytes
    }

    fn greeting_payload(version: &str, plugin: &str) -> Vec<u8> {
        let mut payload = vec![10];
        payload.extend_from_slice(version.as_bytes());
        payload.push(0);
        payload.extend_from_slice(&[7, 0, 0, 0]); // thread id
        payload.extend_from_slice(b"abcdefgh\0"); // salt part 1, filler
        payload.extend_from_slice(&[0xff, 0xf7, 8, 2, 0, 0xff, 0x81, 21]);
        payload.extend_from_slice(&[0; 10]);
        payload.extend_from_slice(b"ijklmnopqrst\0");
        payload.extend_from_slice(plugin.as_bytes());
        payload.push(0);
        payload
    }

    #[test]
    fn mariadb_with_the_compatibility_prefix() {
        let bytes = packet(&greeting_payload(
            "5.5.5-10.11.6-MariaDB-0+deb12u1",
            "mysql_native_password",
        ));
        assert!(packet_complete(&bytes));
        let found = identify(&bytes).unwrap();
        assert_eq!(found.product.as_deref(), Some("MariaDB"));
        assert_eq!(found.version.as_deref(), Some("10.11.6"));
        assert_eq!(
            found.extra.as_deref(),
            Some("0+deb12u1; auth plugin mysql_native_password")
        );
    }

    #[test]
    fn mysql_and_new_mariadb() {
        let mysql = identify(&packet(&greeting_payload(
            "8.0.36-0ubuntu0.22.04.1",
            "caching_sha2_password",
        )))
        .unwrap();
        assert_eq!(mysql.product.as_deref(), Some("MySQL"));
        assert_eq!(mysql.version.as_deref(), Some("8.0.36"));
        let maria = describe_version("11.4.2-MariaDB-ubu2404");
        assert_eq!(maria.product.as_deref(), Some("MariaDB"));
        assert_eq!(maria.version.as_deref(), Some("11.4.2"));
        assert_eq!(maria.extra.as_deref(), Some("ubu2404"));
    }

    #[test]
    fn host_not_allowed_names_the_product() {
        let mut payload = vec![0xff, 0x6a, 0x04];
        payload.extend_from_slice(
            b"Host '198.18.0.9' is not allowed to connect to this MariaDB server",
        );
        let found = identify(&packet(&payload)).unwrap();
        assert_eq!(found.product.as_deref(), Some("MariaDB"));
        assert!(found.extra.unwrap().starts_with("error 1130:"));
    }

    #[test]
    fn other_bytes_are_not_mysql() {
        assert!(identify(b"SSH-2.0-OpenSSH_9.2p1\r\n").is_none());
        assert!(
            identify(b"\x05\x00\x00\x00\x0aabc").is_none(),
            "no NUL, short"
        );
        assert!(identify(&packet(&[10, b'x', 0])).is_none());
        assert!(!packet_complete(b"\x10\x00"));
    }
}
