//! Memcached's text protocol (protocol.txt in the memcached sources):
//! "version" is answered "VERSION 1.6.21", "stats" with "STAT name value"
//! lines and "END". With SASL on, the text protocol is refused.

use super::{Identified, Proto, first_line, version_prefix};
use crate::identify::evidence::field;

pub(crate) const VERSION: &[u8] = b"version\r\n";
pub(crate) const STATS: &[u8] = b"stats\r\n";

/// Memcached from a VERSION reply.
pub(crate) fn identify(bytes: &[u8]) -> Option<Identified> {
    if !bytes.contains(&b'\n') {
        return None;
    }
    let line = first_line(bytes);
    let version = line.strip_prefix("VERSION ")?;
    Some(Identified::product(
        Proto::Memcached,
        "Memcached",
        version_prefix(version),
    ))
}

/// Whether a stats reply has ended.
pub(crate) fn stats_complete(bytes: &[u8]) -> bool {
    bytes.ends_with(b"END\r\n") || bytes.starts_with(b"ERROR") || bytes.starts_with(b"CLIENT_ERROR")
}

/// A few telling statistics, when `stats` was answered.
pub(crate) fn parse_stats(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(16 * 1024)]);
    let stats: Vec<(&str, &str)> = text
        .lines()
        .filter_map(|line| {
            let mut words = line.strip_prefix("STAT ")?.splitn(2, ' ');
            Some((words.next()?, words.next()?))
        })
        .collect();
    if stats.is_empty() {
        return None;
    }
    let pick = |key: &str| {
        stats
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| format!("{key} {}", field(v)))
    };
    let shown: Vec<String> = ["version", "curr_items", "curr_connections", "uptime"]
        .into_iter()
        .filter_map(pick)
        .collect();
    Some(format!(
        "stats answered without authentication ({})",
        shown.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_and_stats() {
        let found = identify(b"VERSION 1.6.18\r\n").unwrap();
        assert_eq!(found.version.as_deref(), Some("1.6.18"));
        assert!(identify(b"ERROR\r\n").is_none());
        let stats = b"STAT pid 4242\r\nSTAT uptime 120\r\nSTAT version 1.6.18\r\nSTAT curr_connections 2\r\nSTAT curr_items 0\r\nEND\r\n";
        assert!(stats_complete(stats));
        assert_eq!(
            parse_stats(stats).as_deref(),
            Some(
                "stats answered without authentication (version 1.6.18, curr_items 0, curr_connections 2, uptime 120)"
            )
        );
        assert!(parse_stats(b"ERROR\r\n").is_none());
    }
}
