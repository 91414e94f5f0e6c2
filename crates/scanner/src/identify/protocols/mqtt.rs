//! MQTT 3.1.1 (OASIS standard, 3.1 CONNECT and 3.2 CONNACK): a CONNECT
//! without credentials; the CONNACK's return code says whether the broker
//! lets anyone in.

use super::{Identified, Proto};

/// CONNECT, protocol level 4, clean session, keep-alive 10 s, a client id
/// of our own.
pub(crate) fn connect() -> Vec<u8> {
    let client_id = b"portcullis-probe";
    let mut variable = vec![0x00, 0x04, b'M', b'Q', b'T', b'T', 0x04, 0x02, 0x00, 0x0a];
    variable.extend_from_slice(&(client_id.len() as u16).to_be_bytes());
    variable.extend_from_slice(client_id);
    let mut packet = vec![0x10, variable.len() as u8];
    packet.extend_from_slice(&variable);
    packet
}

/// DISCONNECT, sent after a CONNACK that let us in.
pub(crate) const DISCONNECT: [u8; 2] = [0xe0, 0x00];

/// MQTT from a CONNACK, with whether the connection was accepted.
pub(crate) fn identify(bytes: &[u8]) -> Option<(Identified, bool)> {
    let [0x20, 0x02, flags, code, ..] = *bytes else {
        return None;
    };
    if flags > 1 || code > 5 {
        return None;
    }
    let mut found = Identified::protocol(Proto::Mqtt);
    found.add_extra(match code {
        0 => "accepted a connection without credentials",
        1 => "refused: protocol version",
        2 => "refused: client id",
        3 => "server unavailable",
        4 => "refused: bad user name or password",
        _ => "refused: not authorised",
    });
    Some((found, code == 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connack_codes() {
        assert_eq!(connect()[1] as usize, connect().len() - 2);
        let (found, accepted) = identify(&[0x20, 0x02, 0x00, 0x00]).unwrap();
        assert!(accepted);
        assert!(found.extra.unwrap().contains("without credentials"));
        let (_, accepted) = identify(&[0x20, 0x02, 0x00, 0x05]).unwrap();
        assert!(!accepted);
        assert!(identify(&[0x20, 0x02, 0x00, 0x09]).is_none());
        assert!(identify(&[0x20]).is_none());
    }
}
