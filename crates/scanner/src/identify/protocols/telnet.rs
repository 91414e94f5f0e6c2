//! Telnet (RFC 854): servers open with option negotiation, IAC (0xff)
//! followed by WILL/WONT/DO/DONT and an option code, often before any text.

use super::{Identified, Proto};
use crate::identify::evidence::field_bytes;

const IAC: u8 = 0xff;
const SB: u8 = 250;
const SE: u8 = 240;

/// Telnet, when the answer opens with option negotiation.
pub(crate) fn identify(banner: &[u8]) -> Option<Identified> {
    let starts_with_negotiation =
        banner.len() >= 3 && banner[0] == IAC && (SB..=254).contains(&banner[1]);
    if !starts_with_negotiation {
        return None;
    }
    let text = strip_negotiation(banner);
    let mut found = Identified::protocol(Proto::Telnet);
    let text = field_bytes(&text);
    if !text.is_empty() {
        found.add_extra(format!("says: {text}"));
    }
    Some(found)
}

/// The text of a telnet stream without its IAC commands and
/// subnegotiations.
pub(crate) fn strip_negotiation(bytes: &[u8]) -> Vec<u8> {
    let mut text = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            IAC => match bytes.get(at + 1) {
                Some(&SB) => {
                    // Skip to IAC SE.
                    let end = bytes[at..]
                        .windows(2)
                        .position(|w| w == [IAC, SE])
                        .map_or(bytes.len(), |p| at + p + 2);
                    at = end;
                }
                Some(&IAC) => {
                    text.push(IAC);
                    at += 2;
                }
                Some(command) if *command >= 251 => at += 3,
                Some(_) => at += 2,
                None => at += 1,
            },
            byte => {
                text.push(byte);
                at += 1;
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_then_login_prompt() {
        let banner = b"\xff\xfd\x18\xff\xfd\x20\xff\xfd\x23\xff\xfd\x27\xff\xfa\x18\x01\xff\xf0Debian GNU/Linux 12\r\nlogin: ";
        let found = identify(banner).unwrap();
        assert_eq!(found.proto, Proto::Telnet);
        assert!(found.extra.unwrap().contains("Debian GNU/Linux 12"));
        assert!(identify(b"login: ").is_none());
        assert!(identify(b"\xff\xfd").is_none());
        assert_eq!(strip_negotiation(b"\xff\xfa\x18"), b"");
    }
}
