//! DNS (RFC 1035): a CHAOS-class TXT query for "version.bind", which BIND,
//! dnsmasq, Unbound, PowerDNS and Knot answer with their name and version
//! unless told not to, and a plain query that any name server answers in
//! some way. Over TCP each message is prefixed by its 2-byte length.

use super::{Identified, Proto, be16, version_prefix};
use crate::identify::evidence::{field, field_bytes};

pub(crate) const VERSION_ID: u16 = 0x5043;
pub(crate) const PLAIN_ID: u16 = 0x5044;

/// A query: `labels` of the name, type and class, recursion not asked.
pub(crate) fn query(id: u16, labels: &[&str], qtype: u16, qclass: u16) -> Vec<u8> {
    let mut message = id.to_be_bytes().to_vec();
    message.extend_from_slice(&[0x00, 0x00]); // standard query, RD=0
    message.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]); // one question
    for label in labels {
        message.push(label.len() as u8);
        message.extend_from_slice(label.as_bytes());
    }
    message.push(0);
    message.extend_from_slice(&qtype.to_be_bytes());
    message.extend_from_slice(&qclass.to_be_bytes());
    message
}

/// version.bind, CHAOS TXT.
pub(crate) fn version_query() -> Vec<u8> {
    query(VERSION_ID, &["version", "bind"], 16, 3)
}

/// The root's name servers, class IN: any server answers it somehow.
pub(crate) fn plain_query() -> Vec<u8> {
    query(PLAIN_ID, &[], 2, 1)
}

/// With the 2-byte length DNS over TCP needs (RFC 1035 4.2.2).
pub(crate) fn over_tcp(message: &[u8]) -> Vec<u8> {
    let mut framed = (message.len() as u16).to_be_bytes().to_vec();
    framed.extend_from_slice(message);
    framed
}

/// Whether a TCP-framed message has fully arrived.
pub(crate) fn tcp_complete(bytes: &[u8]) -> bool {
    be16(bytes, 0).is_some_and(|length| bytes.len() >= 2 + usize::from(length))
}

/// A response, as far as identification cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DnsAnswer {
    pub id: u16,
    /// RCODE: 0 no error, 2 server failure, 3 name error, 4 not
    /// implemented, 5 refused.
    pub rcode: u8,
    /// TXT strings of the answers, sanitised.
    pub texts: Vec<String>,
}

/// Parses a response (not a query: the QR bit must be set).
pub(crate) fn parse_response(bytes: &[u8]) -> Option<DnsAnswer> {
    let id = be16(bytes, 0)?;
    let flags = be16(bytes, 2)?;
    if flags & 0x8000 == 0 {
        return None;
    }
    let questions = be16(bytes, 4)?;
    let answers = be16(bytes, 6)?;
    let mut at = 12;
    for _ in 0..questions.min(8) {
        at = skip_name(bytes, at)? + 4;
    }
    let mut texts = Vec::new();
    for _ in 0..answers.min(16) {
        at = skip_name(bytes, at)?;
        let rtype = be16(bytes, at)?;
        let length = usize::from(be16(bytes, at + 8)?);
        let data = bytes.get(at + 10..at + 10 + length)?;
        if rtype == 16 {
            texts.push(txt_strings(data));
        }
        at += 10 + length;
    }
    if bytes.len() < 12 {
        return None;
    }
    Some(DnsAnswer {
        id,
        rcode: (flags & 0x000f) as u8,
        texts,
    })
}

/// Where the name starting at `at` ends (labels, or a compression
/// pointer, which ends it).
fn skip_name(bytes: &[u8], mut at: usize) -> Option<usize> {
    for _ in 0..128 {
        let length = *bytes.get(at)?;
        match length {
            0 => return Some(at + 1),
            l if l & 0xc0 == 0xc0 => {
                bytes.get(at + 1)?;
                return Some(at + 2);
            }
            l if l & 0xc0 == 0 => at += 1 + usize::from(l),
            _ => return None,
        }
    }
    None
}

/// TXT RDATA: one or more <length><text> strings, joined.
fn txt_strings(mut data: &[u8]) -> String {
    let mut text = Vec::new();
    while let Some((&length, rest)) = data.split_first() {
        let length = usize::from(length).min(rest.len());
        text.extend_from_slice(&rest[..length]);
        data = &rest[length..];
    }
    field_bytes(&text)
}

/// The name server, from a version.bind answer when there is one.
pub(crate) fn identify(version: Option<&DnsAnswer>) -> Identified {
    let text = version
        .filter(|a| a.rcode == 0)
        .and_then(|a| a.texts.first())
        .map(String::as_str)
        .unwrap_or("");
    let lower = text.to_ascii_lowercase();
    let after = |marker: &str| {
        lower
            .find(marker)
            .and_then(|at| version_prefix(text[at + marker.len()..].trim_start()))
    };
    let mut found = if lower.starts_with("dnsmasq-") {
        Identified::product(Proto::Dns, "dnsmasq", after("dnsmasq-"))
    } else if lower.starts_with("unbound") {
        Identified::product(Proto::Dns, "Unbound", after("unbound"))
    } else if lower.starts_with("powerdns") {
        let version = text.split_whitespace().find_map(version_prefix);
        Identified::product(Proto::Dns, "PowerDNS", version)
    } else if lower.starts_with("knot dns") {
        Identified::product(Proto::Dns, "Knot DNS", after("knot dns"))
    } else if lower.starts_with("microsoft dns") {
        Identified::product(Proto::Dns, "Microsoft DNS", after("microsoft dns"))
    } else if text.starts_with("9.") {
        Identified::product(Proto::Dns, "ISC BIND", version_prefix(text))
    } else {
        Identified::protocol(Proto::Dns)
    };
    match version {
        Some(_) if !text.is_empty() => found.add_extra(format!("version.bind: {}", field(text))),
        Some(answer) => found.add_extra(format!(
            "version.bind not disclosed ({})",
            rcode_name(answer.rcode)
        )),
        None => {}
    }
    found
}

fn rcode_name(rcode: u8) -> &'static str {
    match rcode {
        0 => "no answer",
        1 => "format error",
        2 => "server failure",
        3 => "no such name",
        4 => "not implemented",
        5 => "refused",
        _ => "other error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A version.bind answer as dnsmasq gives it (name compressed).
    fn dnsmasq_answer() -> Vec<u8> {
        let mut bytes = vec![0x50, 0x43, 0x84, 0x00, 0, 1, 0, 1, 0, 0, 0, 0];
        bytes.extend_from_slice(b"\x07version\x04bind\x00\x00\x10\x00\x03");
        bytes
            .extend_from_slice(b"\xc0\x0c\x00\x10\x00\x03\x00\x00\x00\x00\x00\x0d\x0cdnsmasq-2.89");
        bytes
    }

    #[test]
    fn dnsmasq_names_itself() {
        let answer = parse_response(&dnsmasq_answer()).unwrap();
        assert_eq!(answer.id, VERSION_ID);
        assert_eq!(answer.texts, ["dnsmasq-2.89"]);
        let found = identify(Some(&answer));
        assert_eq!(found.product.as_deref(), Some("dnsmasq"));
        assert_eq!(found.version.as_deref(), Some("2.89"));
    }

    #[test]
    fn bind_and_refusals() {
        let bind = DnsAnswer {
            id: VERSION_ID,
            rcode: 0,
            texts: vec!["9.18.24-1-Debian".into()],
        };
        let found = identify(Some(&bind));
        assert_eq!(found.product.as_deref(), Some("ISC BIND"));
        assert_eq!(found.version.as_deref(), Some("9.18.24"));
        let refused = DnsAnswer {
            id: VERSION_ID,
            rcode: 5,
            texts: vec![],
        };
        let found = identify(Some(&refused));
        assert_eq!(found.product, None);
        assert_eq!(
            found.extra.as_deref(),
            Some("version.bind not disclosed (refused)")
        );
    }

    #[test]
    fn queries_and_junk_are_not_responses() {
        assert!(parse_response(&version_query()).is_none(), "QR not set");
        let framed = over_tcp(&plain_query());
        assert!(tcp_complete(&framed));
        assert!(!tcp_complete(&framed[..5]));
        let mut looping = dnsmasq_answer();
        looping.truncate(40);
        assert!(parse_response(&looping).is_none());
        assert!(parse_response(&[0x50, 0x43, 0x80]).is_none());
    }
}
