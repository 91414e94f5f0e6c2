//! FTP (RFC 959): the 220 greeting names the server; an anonymous login
//! (RFC 1635) is a posture check.

use super::{Identified, Proto, first_line, version_prefix};
use crate::identify::evidence::field;

/// Product and version from a 220 greeting, or `None` when the greeting
/// does not look like FTP.
pub(crate) fn identify(banner: &[u8]) -> Option<Identified> {
    let text = greeting_text(banner)?;
    let lower = text.to_ascii_lowercase();
    if let Some(at) = lower.find("vsftpd") {
        let version = version_prefix(text[at + 6..].trim_start());
        return Some(Identified::product(Proto::Ftp, "vsftpd", version));
    }
    if let Some(at) = lower.find("proftpd") {
        let version = version_prefix(text[at + 7..].trim_start());
        return Some(Identified::product(Proto::Ftp, "ProFTPD", version));
    }
    if lower.contains("pure-ftpd") {
        return Some(Identified::product(Proto::Ftp, "Pure-FTPd", None));
    }
    if let Some(at) = lower.find("filezilla server") {
        let version = version_prefix(text[at + 16..].trim_start());
        return Some(Identified::product(Proto::Ftp, "FileZilla Server", version));
    }
    if lower.contains("microsoft ftp service") {
        return Some(Identified::product(Proto::Ftp, "Microsoft ftpd", None));
    }
    if lower.contains("ftp") {
        return Some(Identified::protocol(Proto::Ftp).with_extra(Some(field(&text))));
    }
    None
}

/// The text of a 220 greeting (all its lines, for multi-line ones).
pub(crate) fn greeting_text(banner: &[u8]) -> Option<String> {
    let line = first_line(banner);
    let rest = line.strip_prefix("220")?;
    if !(rest.is_empty() || rest.starts_with([' ', '-'])) {
        return None;
    }
    let text: Vec<String> = String::from_utf8_lossy(&banner[..banner.len().min(2048)])
        .lines()
        .take(16)
        .filter_map(|l| {
            l.get(3..)
                .map(|t| t.trim_start_matches(['-', ' ']).to_owned())
        })
        .collect();
    Some(text.join(" "))
}

/// The reply code of the last complete line of `bytes` ("230 Login
/// successful." → 230), skipping the continuation lines of multi-line
/// replies.
pub(crate) fn reply_code(bytes: &[u8]) -> Option<u16> {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(8192)]);
    text.lines()
        .filter(|line| line.len() >= 3 && line.as_bytes().get(3) != Some(&b'-'))
        .filter_map(|line| line.get(..3)?.parse().ok())
        .next_back()
}

/// Whether `bytes` end with a complete final reply line.
pub(crate) fn reply_complete(bytes: &[u8]) -> bool {
    bytes.ends_with(b"\n") && reply_code(bytes).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_are_named_from_their_greeting() {
        let vsftpd = identify(b"220 (vsFTPd 3.0.3)\r\n").unwrap();
        assert_eq!(
            (vsftpd.product.as_deref(), vsftpd.version.as_deref()),
            (Some("vsftpd"), Some("3.0.3"))
        );
        let proftpd =
            identify(b"220 ProFTPD 1.3.8 Server (Debian) [::ffff:198.18.0.2]\r\n").unwrap();
        assert_eq!(proftpd.version.as_deref(), Some("1.3.8"));
        let pure = identify(
            b"220---------- Welcome to Pure-FTPd [privsep] [TLS] ----------\r\n220-You are user number 1 of 50 allowed.\r\n220 This is a private system\r\n",
        )
        .unwrap();
        assert_eq!(pure.product.as_deref(), Some("Pure-FTPd"));
        let plain = identify(b"220 FTP server ready\r\n").unwrap();
        assert_eq!(plain.product, None);
        assert!(identify(b"220 mail.example.com ESMTP Postfix\r\n").is_none());
        assert!(identify(b"2201 nope\r\n").is_none());
    }

    #[test]
    fn reply_codes_skip_continuations() {
        assert_eq!(
            reply_code(b"230-Welcome\r\n230-more\r\n230 Login successful.\r\n"),
            Some(230)
        );
        assert_eq!(
            reply_code(b"331 Please specify the password.\r\n"),
            Some(331)
        );
        assert!(reply_complete(b"530 Login incorrect.\r\n"));
        assert!(!reply_complete(b"230-Welcome\r\n"));
        assert_eq!(reply_code(b"\xff\xfe"), None);
    }
}
