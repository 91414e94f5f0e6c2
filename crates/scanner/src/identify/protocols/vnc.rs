//! VNC's Remote Framebuffer protocol (RFC 6143): the server speaks first
//! with "RFB xxx.yyy\n"; after the client's version it lists its security
//! types, where type 1 means no password at all.

use super::{Identified, Proto};

/// Our version line: 3.8, the RFC's.
pub(crate) const CLIENT_VERSION: &[u8] = b"RFB 003.008\n";

/// The protocol version of a ProtocolVersion message.
pub(crate) fn identify(banner: &[u8]) -> Option<Identified> {
    let line = banner.get(..12)?;
    if !line.starts_with(b"RFB ") || line[11] != b'\n' || line[7] != b'.' {
        return None;
    }
    let major: u32 = std::str::from_utf8(&line[4..7]).ok()?.parse().ok()?;
    let minor: u32 = std::str::from_utf8(&line[8..11]).ok()?.parse().ok()?;
    let mut found = match (major, minor) {
        (3, 889) => Identified::product(Proto::Vnc, "Apple Remote Desktop", None),
        _ => Identified::protocol(Proto::Vnc),
    };
    found.add_extra(format!("RFB protocol {major}.{minor}"));
    Some(found)
}

/// Names the security types a 3.7+ server offers after our version.
pub(crate) fn security_types(answer: &[u8]) -> Option<Vec<&'static str>> {
    let count = usize::from(*answer.first()?);
    if count == 0 {
        return Some(Vec::new()); // a failure reason follows
    }
    let types = answer.get(1..1 + count)?;
    Some(
        types
            .iter()
            .map(|t| match t {
                1 => "None (no password)",
                2 => "VNC password",
                5..=7 | 16 => "RealVNC/Tight",
                18 => "TLS",
                19 => "VeNCrypt",
                30 | 35 => "Apple",
                _ => "other",
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_security_types() {
        let found = identify(b"RFB 003.008\n").unwrap();
        assert_eq!(found.extra.as_deref(), Some("RFB protocol 3.8"));
        let apple = identify(b"RFB 003.889\n").unwrap();
        assert_eq!(apple.product.as_deref(), Some("Apple Remote Desktop"));
        assert!(identify(b"RFB 3.8\n").is_none());
        assert!(identify(b"RFB 00x.008\n").is_none());
        assert_eq!(
            security_types(b"\x02\x01\x02"),
            Some(vec!["None (no password)", "VNC password"])
        );
        assert_eq!(security_types(b"\x02\x01"), None);
    }
}
