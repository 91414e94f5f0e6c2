//! RDP's first exchange (MS-RDPBCGR 2.2.1.1 and 2.2.1.2): an X.224
//! Connection Request in a TPKT (RFC 1006), carrying an RDP Negotiation
//! Request; the server's Connection Confirm says which security protocol
//! it chose, or why it refused.

use super::{Identified, Proto, be16, le32};

/// TPKT + X.224 CR + RDP_NEG_REQ asking for TLS and CredSSP.
pub(crate) fn connection_request() -> Vec<u8> {
    vec![
        0x03, 0x00, 0x00, 0x13, // TPKT: version 3, length 19
        0x0e, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00, // X.224 CR, length 14
        0x01, 0x00, 0x08, 0x00, // RDP_NEG_REQ, flags, length 8
        0x03, 0x00, 0x00, 0x00, // PROTOCOL_SSL | PROTOCOL_HYBRID
    ]
}

/// Whether the TPKT has fully arrived.
pub(crate) fn complete(bytes: &[u8]) -> bool {
    be16(bytes, 2).is_some_and(|length| bytes.len() >= usize::from(length))
}

/// RDP from a Connection Confirm.
pub(crate) fn identify(bytes: &[u8]) -> Option<Identified> {
    if bytes.first() != Some(&0x03) || bytes.get(1) != Some(&0x00) {
        return None;
    }
    let length = usize::from(be16(bytes, 2)?);
    if !(11..=512).contains(&length) || *bytes.get(5)? & 0xf0 != 0xd0 {
        return None; // not an X.224 Connection Confirm
    }
    let mut found = Identified::protocol(Proto::Rdp);
    let negotiation = bytes.get(11..length.min(bytes.len())).unwrap_or(&[]);
    match negotiation.first() {
        Some(0x02) => {
            let selected = le32(negotiation, 4).unwrap_or(0);
            let name = match selected {
                0 => "standard RDP security (no TLS)",
                1 => "TLS",
                2 => "CredSSP (NLA)",
                8 => "CredSSP with Early User Authorization",
                _ => "other",
            };
            found.add_extra(format!("security: {name}"));
        }
        Some(0x03) => {
            let code = le32(negotiation, 4).unwrap_or(0);
            let why = match code {
                1 => "server requires TLS",
                2 => "TLS not possible on the server",
                3 => "no certificate on the server",
                5 => "server requires CredSSP (NLA)",
                6 => "server requires RDSTLS",
                _ => "refused",
            };
            found.add_extra(format!("negotiation failure: {why}"));
        }
        _ => found.add_extra("no negotiation response (old RDP)"),
    }
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirm_with_credssp() {
        let confirm = [
            0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0x00, 0x00, 0x12, 0x34, 0x00, 0x02, 0x1f, 0x08,
            0x00, 0x02, 0x00, 0x00, 0x00,
        ];
        assert!(complete(&confirm));
        let found = identify(&confirm).unwrap();
        assert_eq!(found.extra.as_deref(), Some("security: CredSSP (NLA)"));
        assert!(
            identify(&connection_request()).is_none(),
            "a request is not a confirm"
        );
        assert!(identify(b"\x03\x00\x00").is_none());
    }
}
