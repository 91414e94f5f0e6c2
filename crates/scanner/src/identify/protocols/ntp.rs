//! NTP (RFC 5905): a mode 3 client request, answered in mode 4 with the
//! server's stratum and reference; and a mode 6 READVAR control request
//! (RFC 9327), which ntpd and NTPsec answer with their version unless
//! queries are restricted.

use super::{Identified, Proto, be16, version_prefix};
use crate::identify::evidence::field_bytes;

/// LI 0, version 4, mode 3 (client); the rest zero.
pub(crate) fn client_request() -> Vec<u8> {
    let mut packet = vec![0u8; 48];
    packet[0] = 0x23;
    packet
}

/// Mode 6, opcode 2 (read variables), sequence 1, association 0.
pub(crate) fn readvar_request() -> Vec<u8> {
    vec![0x16, 0x02, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0]
}

/// What the server answers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct NtpAnswer {
    pub version: u8,
    pub stratum: Option<u8>,
    pub reference: Option<String>,
    /// The "version=" variable of a mode 6 answer.
    pub software: Option<String>,
}

/// Folds one datagram into `answer`; `false` when it is not NTP.
pub(crate) fn parse_datagram(bytes: &[u8], answer: &mut NtpAnswer) -> bool {
    let Some(&first) = bytes.first() else {
        return false;
    };
    let mode = first & 0x07;
    let version = (first >> 3) & 0x07;
    match mode {
        4 if bytes.len() >= 48 => {
            let stratum = bytes[1];
            answer.version = version;
            answer.stratum = Some(stratum);
            answer.reference = Some(match stratum {
                0 | 1 => field_bytes(bytes[12..16].split(|b| *b == 0).next().unwrap_or(&[])),
                _ => format!("{}.{}.{}.{}", bytes[12], bytes[13], bytes[14], bytes[15]),
            });
            true
        }
        6 if bytes.len() >= 12 && bytes[1] & 0x80 != 0 => {
            let count = usize::from(be16(bytes, 10).unwrap_or(0));
            let data = &bytes[12..(12 + count).min(bytes.len())];
            let text = String::from_utf8_lossy(data);
            if let Some(start) = text.find("version=\"") {
                let rest = &text[start + 9..];
                let end = rest.find('"').unwrap_or(rest.len());
                answer.software = Some(field_bytes(&rest.as_bytes()[..end]));
            }
            if answer.version == 0 {
                answer.version = version;
            }
            true
        }
        _ => false,
    }
}

/// The identification the answers give.
pub(crate) fn identify(answer: &NtpAnswer) -> Identified {
    let software = answer.software.as_deref().unwrap_or("");
    let mut found = if let Some(rest) = software.strip_prefix("ntpd ") {
        Identified::product(Proto::Ntp, "ntpd", version_prefix(rest))
    } else if let Some(rest) = software.strip_prefix("ntpsec-") {
        Identified::product(Proto::Ntp, "NTPsec", version_prefix(rest))
    } else {
        Identified::protocol(Proto::Ntp)
    };
    if let Some(stratum) = answer.stratum {
        found.add_extra(format!("NTPv{}, stratum {stratum}", answer.version));
    }
    if let Some(reference) = &answer.reference {
        found.add_extra(format!("reference {reference}"));
    }
    if !software.is_empty() {
        found.add_extra("answers mode 6 control queries");
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_reply_and_readvar() {
        let mut reply = vec![0u8; 48];
        reply[0] = 0x24; // v4, mode 4
        reply[1] = 2;
        reply[12..16].copy_from_slice(&[192, 0, 2, 1]);
        let mut answer = NtpAnswer::default();
        assert!(parse_datagram(&reply, &mut answer));
        let text = b"version=\"ntpd 4.2.8p15@1.3728-o Wed Sep 23 11:46:38 UTC 2020 (1)\", processor=\"x86_64\"";
        let mut control = vec![0x16, 0x82, 0, 1, 0, 0, 0, 0, 0, 0];
        control.extend_from_slice(&(text.len() as u16).to_be_bytes());
        control.extend_from_slice(text);
        assert!(parse_datagram(&control, &mut answer));
        let found = identify(&answer);
        assert_eq!(found.product.as_deref(), Some("ntpd"));
        assert_eq!(found.version.as_deref(), Some("4.2.8p15"));
        assert!(
            found
                .extra
                .unwrap()
                .starts_with("NTPv4, stratum 2; reference 192.0.2.1")
        );
    }

    #[test]
    fn requests_are_not_answers() {
        let mut answer = NtpAnswer::default();
        assert!(!parse_datagram(&client_request(), &mut answer));
        assert!(!parse_datagram(&readvar_request(), &mut answer));
        assert!(!parse_datagram(&[0x24; 10], &mut answer));
    }
}
