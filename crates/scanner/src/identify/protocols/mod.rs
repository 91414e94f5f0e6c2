//! The protocols identification speaks: for each, the request it sends
//! (written from the protocol's RFC or vendor documentation) and the parser
//! of the server's answer.
//!
//! Parsers take raw bytes and never panic, whatever arrives (the fuzz
//! targets in `fuzz/` hold them to that). They return what the answer
//! proves, or `None` when it is not that protocol.

pub(crate) mod amqp;
pub(crate) mod banner;
pub(crate) mod ber;
pub(crate) mod bson;
pub(crate) mod dns;
pub(crate) mod ftp;
pub(crate) mod http;
pub(crate) mod ldap;
pub(crate) mod mail;
pub(crate) mod memcached;
pub(crate) mod mongodb;
pub(crate) mod mqtt;
pub(crate) mod mysql;
pub(crate) mod ntp;
pub(crate) mod postgres;
pub(crate) mod rdp;
pub(crate) mod redis;
pub(crate) mod smb;
pub(crate) mod snmp;
pub(crate) mod ssh;
pub(crate) mod telnet;
pub(crate) mod vnc;

use portcullis_model::service::Confidence;

/// A protocol identification can recognise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Proto {
    Http,
    Ssh,
    Ftp,
    Smtp,
    Pop3,
    Imap,
    MySql,
    Postgres,
    Redis,
    MongoDb,
    Memcached,
    Rdp,
    Smb,
    Telnet,
    Vnc,
    Dns,
    Snmp,
    Ntp,
    Ldap,
    Mqtt,
    Amqp,
}

impl Proto {
    /// The IANA service name of this protocol on `port`, plain or inside
    /// TLS.
    pub(crate) fn service_name(self, port: u16, tls: bool) -> &'static str {
        match (self, tls) {
            (Proto::Http, false) => "http",
            (Proto::Http, true) => "https",
            (Proto::Ssh, _) => "ssh",
            (Proto::Ftp, false) => "ftp",
            (Proto::Ftp, true) => "ftps",
            (Proto::Smtp, false) if port == 587 => "submission",
            (Proto::Smtp, false) => "smtp",
            (Proto::Smtp, true) => "submissions",
            (Proto::Pop3, false) => "pop3",
            (Proto::Pop3, true) => "pop3s",
            (Proto::Imap, false) => "imap",
            (Proto::Imap, true) => "imaps",
            (Proto::MySql, _) => "mysql",
            (Proto::Postgres, _) => "postgresql",
            (Proto::Redis, _) => "redis",
            (Proto::MongoDb, _) => "mongodb",
            (Proto::Memcached, _) => "memcache",
            (Proto::Rdp, _) => "ms-wbt-server",
            (Proto::Smb, _) if port == 139 => "netbios-ssn",
            (Proto::Smb, _) => "microsoft-ds",
            (Proto::Telnet, false) => "telnet",
            (Proto::Telnet, true) => "telnets",
            (Proto::Vnc, _) => "rfb",
            (Proto::Dns, false) => "domain",
            (Proto::Dns, true) => "domain-s",
            (Proto::Snmp, _) => "snmp",
            (Proto::Ntp, _) => "ntp",
            (Proto::Ldap, false) => "ldap",
            (Proto::Ldap, true) => "ldaps",
            (Proto::Mqtt, false) => "mqtt",
            (Proto::Mqtt, true) => "secure-mqtt",
            (Proto::Amqp, false) => "amqp",
            (Proto::Amqp, true) => "amqps",
        }
    }
}

/// What an answer proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identified {
    pub proto: Proto,
    pub product: Option<String>,
    pub version: Option<String>,
    pub extra: Option<String>,
}

impl Identified {
    /// The protocol alone: no product named.
    pub(crate) fn protocol(proto: Proto) -> Identified {
        Identified {
            proto,
            product: None,
            version: None,
            extra: None,
        }
    }

    pub(crate) fn product(proto: Proto, product: &str, version: Option<String>) -> Identified {
        Identified {
            proto,
            product: Some(product.to_owned()),
            version: version.filter(|v| !v.is_empty()),
            extra: None,
        }
    }

    pub(crate) fn with_extra(mut self, extra: Option<String>) -> Identified {
        self.extra = extra.filter(|e| !e.is_empty());
        self
    }

    /// Adds one more remark to `extra`.
    pub(crate) fn add_extra(&mut self, remark: impl Into<String>) {
        let remark = remark.into();
        if remark.is_empty() {
            return;
        }
        self.extra = Some(match self.extra.take() {
            Some(existing) => format!("{existing}; {remark}"),
            None => remark,
        });
    }

    pub(crate) fn confidence(&self) -> Confidence {
        if self.product.is_some() {
            Confidence::Product
        } else {
            Confidence::Protocol
        }
    }
}

/// The first line of `bytes` (without its line end), as lossy text.
pub(crate) fn first_line(bytes: &[u8]) -> String {
    let end = bytes
        .iter()
        .position(|b| *b == b'\n')
        .unwrap_or(bytes.len());
    let line = &bytes[..end.min(1024)];
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    String::from_utf8_lossy(line).into_owned()
}

/// The version-looking prefix of `text`: digits, dots and the letters and
/// marks of versions like "9.2p1", "1.0.2k", "2.3.4-beta".
pub(crate) fn version_prefix(text: &str) -> Option<String> {
    let text = text.trim_start_matches(['v', 'V']);
    if !text.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
        .unwrap_or(text.len());
    let version = text[..end].trim_end_matches(['.', '_']);
    (!version.is_empty()).then(|| crate::identify::evidence::field(version))
}

/// A big-endian u16 at `at`, if there.
pub(crate) fn be16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

/// A big-endian u32 at `at`, if there.
pub(crate) fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// A little-endian u16 at `at`, if there.
pub(crate) fn le16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

/// A little-endian u32 at `at`, if there.
pub(crate) fn le32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_cut_where_they_end() {
        assert_eq!(version_prefix("9.2p1 Debian"), Some("9.2p1".into()));
        assert_eq!(version_prefix("1.22.1)"), Some("1.22.1".into()));
        assert_eq!(version_prefix("v2.4."), Some("2.4".into()));
        assert_eq!(version_prefix("Debian"), None);
        assert_eq!(version_prefix(""), None);
    }

    #[test]
    fn first_line_drops_the_line_end() {
        assert_eq!(first_line(b"+OK ready\r\nmore"), "+OK ready");
        assert_eq!(first_line(b"no end"), "no end");
    }

    #[test]
    fn names_follow_iana() {
        assert_eq!(Proto::Smtp.service_name(587, false), "submission");
        assert_eq!(Proto::Http.service_name(8443, true), "https");
        assert_eq!(Proto::Memcached.service_name(11211, false), "memcache");
        assert_eq!(Proto::Smb.service_name(139, false), "netbios-ssn");
    }
}
