//! Redis (RESP, "Redis serialization protocol specification"): PING is
//! answered "+PONG" without authentication, "-NOAUTH ..." with it; INFO
//! server names the version (and Valkey, the fork, names itself there).

use super::{Identified, Proto, first_line, version_prefix};
use crate::identify::evidence::field;

pub(crate) const PING: &[u8] = b"PING\r\n";
pub(crate) const INFO_SERVER: &[u8] = b"INFO server\r\n";

/// What PING was answered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PingAnswer {
    /// "+PONG": no authentication asked.
    Pong,
    /// "-NOAUTH" / "-WRONGPASS" / "-DENIED...": protected.
    Refused(String),
    /// Another error from a server that speaks RESP.
    Error(String),
}

/// RESP simple string or error, or `None` for anything else.
pub(crate) fn parse_ping(bytes: &[u8]) -> Option<PingAnswer> {
    if !bytes.contains(&b'\n') {
        return None;
    }
    let line = first_line(bytes);
    if line == "+PONG" {
        return Some(PingAnswer::Pong);
    }
    let error = line.strip_prefix('-')?;
    let word = error.split_whitespace().next().unwrap_or("");
    if !word.chars().all(|c| c.is_ascii_uppercase()) || word.is_empty() {
        return None;
    }
    let text = field(error);
    Some(match word {
        "NOAUTH" | "WRONGPASS" | "DENIED" => PingAnswer::Refused(text),
        _ => PingAnswer::Error(text),
    })
}

/// Whether a bulk string reply ("$123\r\n...\r\n") has fully arrived.
pub(crate) fn bulk_complete(bytes: &[u8]) -> bool {
    let Some(rest) = bytes.strip_prefix(b"$") else {
        return bytes.contains(&b'\n'); // an error line instead
    };
    let Some(end) = rest.iter().position(|b| *b == b'\n') else {
        return false;
    };
    let length: i64 = String::from_utf8_lossy(&rest[..end])
        .trim()
        .parse()
        .unwrap_or(-1);
    length < 0 || rest.len() >= end + 1 + length as usize
}

/// How the extra text names a build a distribution's package manager
/// installed; the advisories treat it as a distribution's build.
pub(crate) const PACKAGED_BUILD: &str = "packaged build";

/// Whether `executable` is where package managers put programs.
fn is_packaged(executable: &str) -> bool {
    ["/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/"]
        .iter()
        .any(|dir| executable.starts_with(dir))
}

/// Product and version from an INFO server reply.
pub(crate) fn identify_info(bytes: &[u8]) -> Option<Identified> {
    let text = String::from_utf8_lossy(bytes.strip_prefix(b"$")?);
    let value = |key: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
            .map(str::trim)
    };
    let redis_version = value("redis_version")?;
    let mut found = match value("valkey_version") {
        Some(valkey) => Identified::product(Proto::Redis, "Valkey", version_prefix(valkey)),
        None => Identified::product(Proto::Redis, "Redis", version_prefix(redis_version)),
    };
    // First, so that the advisories read it as the build: Redis names no
    // distribution, but a distribution's package runs from /usr/bin (an
    // upstream build installs to /usr/local/bin, as the official image
    // does), and distributions patch it without a new version number.
    if let Some(executable) = value("executable").filter(|path| is_packaged(path)) {
        found.add_extra(format!("{PACKAGED_BUILD} ({})", field(executable)));
    }
    if let Some(mode) = value("redis_mode") {
        found.add_extra(format!("{} mode", field(mode)));
    }
    if let Some(os) = value("os") {
        found.add_extra(field(os));
    }
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ping_answers() {
        assert_eq!(parse_ping(b"+PONG\r\n"), Some(PingAnswer::Pong));
        assert!(matches!(
            parse_ping(b"-NOAUTH Authentication required.\r\n"),
            Some(PingAnswer::Refused(_))
        ));
        assert!(matches!(
            parse_ping(
                b"-DENIED Redis is running in protected mode because protected mode is enabled\r\n"
            ),
            Some(PingAnswer::Refused(_))
        ));
        assert!(parse_ping(b"+PONG").is_none(), "incomplete");
        assert!(parse_ping(b"-bad\r\n").is_none());
        assert!(parse_ping(b"HTTP/1.0 400\r\n").is_none());
    }

    #[test]
    fn info_names_redis_and_valkey() {
        let body = "# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\nredis_mode:standalone\r\nos:Linux 6.1.0-18-amd64 x86_64\r\n";
        let reply = format!("${}\r\n{body}\r\n", body.len());
        assert!(bulk_complete(reply.as_bytes()));
        assert!(!bulk_complete(&reply.as_bytes()[..20]));
        let found = identify_info(reply.as_bytes()).unwrap();
        assert_eq!(found.product.as_deref(), Some("Redis"));
        assert_eq!(found.version.as_deref(), Some("7.0.15"));
        assert_eq!(
            found.extra.as_deref(),
            Some("standalone mode; Linux 6.1.0-18-amd64 x86_64")
        );
        let packaged = "# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\nexecutable:/usr/bin/redis-server\r\n";
        let found =
            identify_info(format!("${}\r\n{packaged}\r\n", packaged.len()).as_bytes()).unwrap();
        assert_eq!(
            found.extra.as_deref(),
            Some("packaged build (/usr/bin/redis-server); standalone mode")
        );
        let upstream =
            "# Server\r\nredis_version:7.0.15\r\nexecutable:/usr/local/bin/redis-server\r\n";
        let found =
            identify_info(format!("${}\r\n{upstream}\r\n", upstream.len()).as_bytes()).unwrap();
        assert_eq!(
            found.extra, None,
            "an upstream build is judged by its version"
        );
        let valkey = identify_info(
            b"$60\r\n# Server\r\nredis_version:7.2.4\r\nvalkey_version:8.0.1\r\n\r\n",
        )
        .unwrap();
        assert_eq!(valkey.product.as_deref(), Some("Valkey"));
        assert_eq!(valkey.version.as_deref(), Some("8.0.1"));
        assert!(identify_info(b"-NOAUTH\r\n").is_none());
    }
}
