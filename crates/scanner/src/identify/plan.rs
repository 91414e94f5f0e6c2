//! Which probes to send to a port, and in what order.
//!
//! The port number is a hint, never a verdict: the hinted probe goes first
//! (so SSH on 22 costs one banner read, HTTP on 80 one request), then the
//! others follow in order of how common and how cheap they are, until one
//! answers or the port's time runs out.

use super::protocols::Proto;

/// One way of asking a port what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Probe {
    /// Connect and listen: for services that speak first.
    Banner,
    Http,
    Tls,
    Postgres,
    Redis,
    Memcached,
    MongoDb,
    Rdp,
    Smb,
    Ldap,
    Mqtt,
    Amqp,
    DnsTcp,
}

impl Probe {
    /// The name listed in `probes_tried`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Probe::Banner => "banner",
            Probe::Http => "http-get",
            Probe::Tls => "tls-hello",
            Probe::Postgres => "postgresql-startup",
            Probe::Redis => "redis-ping",
            Probe::Memcached => "memcached-version",
            Probe::MongoDb => "mongodb-hello",
            Probe::Rdp => "rdp-x224",
            Probe::Smb => "smb2-negotiate",
            Probe::Ldap => "ldap-rootdse",
            Probe::Mqtt => "mqtt-connect",
            Probe::Amqp => "amqp-header",
            Probe::DnsTcp => "dns-version-bind",
        }
    }
}

/// Every client-first probe, in the order tried when the port gives no
/// hint: the common and harmless first.
const FALLBACK: [Probe; 13] = [
    Probe::Banner,
    Probe::Http,
    Probe::Tls,
    Probe::Redis,
    Probe::Postgres,
    Probe::Memcached,
    Probe::MongoDb,
    Probe::Ldap,
    Probe::Rdp,
    Probe::Smb,
    Probe::Mqtt,
    Probe::Amqp,
    Probe::DnsTcp,
];

/// The probes for a TCP port, hinted first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    /// What the port number suggests.
    pub hint: Option<Proto>,
    /// Whether the hinted service speaks first (so the banner wait may be
    /// long).
    pub banner_expected: bool,
    pub probes: Vec<Probe>,
}

/// The plan for `port`.
pub(crate) fn for_port(port: u16) -> Plan {
    let (hint, first, banner_expected) = hint(port);
    let mut probes = vec![first];
    probes.extend(FALLBACK.iter().copied().filter(|p| *p != first));
    Plan {
        hint,
        banner_expected,
        probes,
    }
}

/// What runs on a port by convention, and the probe that asks it.
fn hint(port: u16) -> (Option<Proto>, Probe, bool) {
    use Probe::*;
    let speaks_first = |proto| (Some(proto), Banner, true);
    match port {
        21 => speaks_first(Proto::Ftp),
        22 | 2222 => speaks_first(Proto::Ssh),
        23 => speaks_first(Proto::Telnet),
        25 | 587 | 2525 => speaks_first(Proto::Smtp),
        110 => speaks_first(Proto::Pop3),
        143 => speaks_first(Proto::Imap),
        3306 => speaks_first(Proto::MySql),
        5900..=5909 => speaks_first(Proto::Vnc),
        53 => (Some(Proto::Dns), DnsTcp, false),
        80 | 81 | 591 | 3000 | 5000 | 8000 | 8008 | 8080 | 8081 | 8088 | 8888 | 9000 | 9200 => {
            (Some(Proto::Http), Http, false)
        }
        443 | 4443 | 8443 | 9443 | 10443 => (Some(Proto::Http), Tls, false),
        465 => (Some(Proto::Smtp), Tls, false),
        636 => (Some(Proto::Ldap), Tls, false),
        990 => (Some(Proto::Ftp), Tls, false),
        993 => (Some(Proto::Imap), Tls, false),
        995 => (Some(Proto::Pop3), Tls, false),
        5671 => (Some(Proto::Amqp), Tls, false),
        8883 => (Some(Proto::Mqtt), Tls, false),
        139 | 445 => (Some(Proto::Smb), Smb, false),
        389 => (Some(Proto::Ldap), Ldap, false),
        1883 => (Some(Proto::Mqtt), Mqtt, false),
        3389 => (Some(Proto::Rdp), Rdp, false),
        5432 => (Some(Proto::Postgres), Postgres, false),
        5672 => (Some(Proto::Amqp), Amqp, false),
        6379 => (Some(Proto::Redis), Redis, false),
        11211 => (Some(Proto::Memcached), Memcached, false),
        27017 | 27018 => (Some(Proto::MongoDb), MongoDb, false),
        _ => (None, Banner, false),
    }
}

/// Inside TLS: what the port suggests runs there. Services that speak
/// first are listened to; others get their request at once.
pub(crate) fn inside_tls(hint: Option<Proto>) -> Probe {
    match hint {
        Some(Proto::Smtp | Proto::Imap | Proto::Pop3 | Proto::Ftp | Proto::Telnet) => Probe::Banner,
        Some(Proto::Ldap) => Probe::Ldap,
        Some(Proto::Mqtt) => Probe::Mqtt,
        Some(Proto::Amqp) => Probe::Amqp,
        _ => Probe::Http,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hinted_probe_first_then_every_other_once() {
        let ssh = for_port(22);
        assert_eq!(ssh.probes[0], Probe::Banner);
        assert!(ssh.banner_expected);
        let redis = for_port(6379);
        assert_eq!(redis.probes[0], Probe::Redis);
        assert_eq!(redis.probes[1], Probe::Banner);
        assert_eq!(redis.probes.len(), FALLBACK.len());
        let unknown = for_port(40000);
        assert_eq!(unknown.hint, None);
        assert_eq!(unknown.probes, FALLBACK);
        assert_eq!(inside_tls(Some(Proto::Imap)), Probe::Banner);
        assert_eq!(inside_tls(None), Probe::Http);
    }
}
