//! Mail greetings: SMTP (RFC 5321: "220 host ESMTP ..."), POP3 (RFC 1939:
//! "+OK ..."), IMAP (RFC 9051: "* OK ..."). Products are named from the
//! greeting text; Postfix and Dovecot say who they are but not their
//! version, Exim and Sendmail usually say both.

use super::{Identified, Proto, first_line, version_prefix};
use crate::identify::evidence::field;

/// SMTP, from a 220 greeting that says SMTP/ESMTP or names a mail server.
pub(crate) fn identify_smtp(banner: &[u8]) -> Option<Identified> {
    let text = super::ftp::greeting_text(banner)?;
    let lower = text.to_ascii_lowercase();
    let named = |product: &str, marker: &str| {
        let version = lower
            .find(marker)
            .and_then(|at| version_prefix(text[at + marker.len()..].trim_start()));
        Identified::product(Proto::Smtp, product, version)
    };
    let found = if lower.contains("postfix") {
        named("Postfix", "postfix")
    } else if lower.contains("exim") {
        named("Exim", "exim")
    } else if lower.contains("sendmail") {
        named("Sendmail", "sendmail")
    } else if lower.contains("microsoft esmtp") {
        Identified::product(Proto::Smtp, "Microsoft Exchange smtpd", None)
    } else if lower.contains("opensmtpd") {
        Identified::product(Proto::Smtp, "OpenSMTPD", None)
    } else if lower.contains("smtp") || lower.contains("mail") {
        Identified::protocol(Proto::Smtp)
    } else {
        return None;
    };
    Some(found.with_extra(Some(field(&text))))
}

/// POP3, from a "+OK" greeting.
pub(crate) fn identify_pop3(banner: &[u8]) -> Option<Identified> {
    let line = first_line(banner);
    let text = line.strip_prefix("+OK")?;
    let lower = text.to_ascii_lowercase();
    let found = if lower.contains("dovecot") {
        Identified::product(Proto::Pop3, "Dovecot pop3d", None)
    } else if lower.contains("courier") {
        Identified::product(Proto::Pop3, "Courier pop3d", None)
    } else if let Some(at) = lower.find("cyrus") {
        let version = text[at..]
            .split_whitespace()
            .find_map(|word| version_prefix(word.trim_start_matches('v')));
        Identified::product(Proto::Pop3, "Cyrus pop3d", version)
    } else {
        Identified::protocol(Proto::Pop3)
    };
    Some(found.with_extra(Some(field(text))))
}

/// IMAP, from a "* OK" (or "* PREAUTH") greeting.
pub(crate) fn identify_imap(banner: &[u8]) -> Option<Identified> {
    let line = first_line(banner);
    let text = line
        .strip_prefix("* OK")
        .or_else(|| line.strip_prefix("* PREAUTH"))?;
    let lower = text.to_ascii_lowercase();
    let found = if lower.contains("dovecot") {
        Identified::product(Proto::Imap, "Dovecot imapd", None)
    } else if lower.contains("courier-imap") {
        Identified::product(Proto::Imap, "Courier imapd", None)
    } else if let Some(at) = lower.find("cyrus imap") {
        let version = text[at + 10..]
            .split_whitespace()
            .find_map(|word| version_prefix(word.trim_start_matches('v')));
        Identified::product(Proto::Imap, "Cyrus imapd", version)
    } else if lower.contains("microsoft exchange") {
        Identified::product(Proto::Imap, "Microsoft Exchange imapd", None)
    } else {
        Identified::protocol(Proto::Imap)
    };
    Some(found.with_extra(Some(field(text))))
}

/// What EHLO (RFC 5321 4.1.1.1) is answered with: the extensions.
pub(crate) const EHLO: &[u8] = b"EHLO portcullis.invalid\r\n";

/// The extension keywords of an EHLO answer ("250-STARTTLS" → STARTTLS).
pub(crate) fn ehlo_extensions(reply: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(&reply[..reply.len().min(8192)])
        .lines()
        .skip(1)
        .filter_map(|line| {
            line.strip_prefix("250")
                .map(|l| l.trim_start_matches(['-', ' ']))
        })
        .filter_map(|keyword| keyword.split_whitespace().next().map(field))
        .take(32)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_servers() {
        let postfix = identify_smtp(b"220 mx.example.com ESMTP Postfix (Debian/GNU)\r\n").unwrap();
        assert_eq!(postfix.product.as_deref(), Some("Postfix"));
        assert_eq!(postfix.version, None);
        let exim = identify_smtp(
            b"220 mail.example.com ESMTP Exim 4.96 Mon, 01 Jan 2024 10:00:00 +0000\r\n",
        )
        .unwrap();
        assert_eq!(
            (exim.product.as_deref(), exim.version.as_deref()),
            (Some("Exim"), Some("4.96"))
        );
        let sendmail = identify_smtp(
            b"220 host.example.com ESMTP Sendmail 8.15.2/8.15.2; Mon, 1 Jan 2024\r\n",
        )
        .unwrap();
        assert_eq!(sendmail.version.as_deref(), Some("8.15.2"));
        assert!(identify_smtp(b"220 (vsFTPd 3.0.3)\r\n").is_none());
    }

    #[test]
    fn pop_and_imap() {
        let pop = identify_pop3(b"+OK Dovecot (Debian) ready.\r\n").unwrap();
        assert_eq!(pop.product.as_deref(), Some("Dovecot pop3d"));
        let imap = identify_imap(
            b"* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot (Debian) ready.\r\n",
        )
        .unwrap();
        assert_eq!(imap.product.as_deref(), Some("Dovecot imapd"));
        let cyrus = identify_imap(b"* OK host Cyrus IMAP v2.5.10-Debian-2.5.10-3 server ready\r\n")
            .unwrap();
        assert_eq!(cyrus.version.as_deref(), Some("2.5.10"));
        assert!(identify_imap(b"+OK hello\r\n").is_none());
        assert!(identify_pop3(b"* OK hello\r\n").is_none());
    }

    #[test]
    fn ehlo_keywords() {
        let reply = b"250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n250 SMTPUTF8\r\n";
        assert_eq!(
            ehlo_extensions(reply),
            ["PIPELINING", "SIZE", "STARTTLS", "SMTPUTF8"]
        );
    }
}
