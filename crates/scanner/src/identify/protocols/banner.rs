//! What a service says before it is asked anything. SSH, FTP, SMTP, POP3,
//! IMAP, MySQL, Telnet and VNC all speak first; each parser is tried in
//! turn on the greeting.

use super::{Identified, Proto, ftp, mail, mysql, ssh, telnet, vnc};

/// Whether the greeting is whole enough to classify: a line, a whole
/// MySQL packet, or telnet negotiation.
pub(crate) fn complete(bytes: &[u8]) -> bool {
    bytes.contains(&b'\n')
        || mysql::packet_complete(bytes)
        || (bytes.len() >= 3 && bytes[0] == 0xff)
}

/// The protocol (and product) a greeting shows, if any. `port_hint` is
/// the protocol the port number suggests, which settles greetings that
/// two protocols share (a bare "220 ready" is FTP on 21, SMTP on 25).
pub(crate) fn classify(bytes: &[u8], port_hint: Option<Proto>) -> Option<Identified> {
    if bytes.is_empty() {
        return None;
    }
    if let Some(banner) = ssh::parse_banner(bytes) {
        return Some(ssh::identify(&banner));
    }
    if let Some(found) = vnc::identify(bytes) {
        return Some(found);
    }
    if bytes.starts_with(b"220") {
        // SMTP and FTP both greet with 220; the text usually says which.
        let smtp = mail::identify_smtp(bytes);
        let ftp = ftp::identify(bytes);
        return match (smtp, ftp) {
            (Some(s), _) if s.product.is_some() => Some(s),
            (_, Some(f)) if f.product.is_some() => Some(f),
            (Some(s), None) => Some(s),
            (None, Some(f)) => Some(f),
            (Some(s), Some(f)) => Some(if port_hint == Some(Proto::Ftp) { f } else { s }),
            (None, None) => match port_hint {
                Some(Proto::Ftp) => Some(Identified::protocol(Proto::Ftp)),
                Some(Proto::Smtp) => Some(Identified::protocol(Proto::Smtp)),
                _ => None,
            },
        };
    }
    if let Some(found) = mail::identify_pop3(bytes) {
        return Some(found);
    }
    if let Some(found) = mail::identify_imap(bytes) {
        return Some(found);
    }
    if let Some(found) = mysql::identify(bytes) {
        return Some(found);
    }
    telnet::identify(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greetings_are_told_apart() {
        let cases: [(&[u8], Proto); 7] = [
            (b"SSH-2.0-OpenSSH_9.2p1\r\n", Proto::Ssh),
            (b"220 (vsFTPd 3.0.3)\r\n", Proto::Ftp),
            (b"220 mx ESMTP Postfix\r\n", Proto::Smtp),
            (b"+OK Dovecot ready.\r\n", Proto::Pop3),
            (b"* OK IMAP4rev1 ready\r\n", Proto::Imap),
            (b"RFB 003.008\n", Proto::Vnc),
            (b"\xff\xfd\x18\xff\xfd\x20", Proto::Telnet),
        ];
        for (greeting, proto) in cases {
            assert_eq!(
                classify(greeting, None).map(|f| f.proto),
                Some(proto),
                "{greeting:?}"
            );
        }
    }

    #[test]
    fn a_bare_220_follows_the_port() {
        assert_eq!(
            classify(b"220 ready\r\n", Some(Proto::Ftp)).map(|f| f.proto),
            Some(Proto::Ftp)
        );
        assert_eq!(
            classify(b"220 ready\r\n", Some(Proto::Smtp)).map(|f| f.proto),
            Some(Proto::Smtp)
        );
        assert_eq!(classify(b"220 ready\r\n", None), None);
        assert_eq!(classify(b"\x00\x01junk", None), None);
        assert_eq!(classify(b"\x1b[2J<html>", None), None);
    }
}
