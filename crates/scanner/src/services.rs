//! What IANA registered on each port: the name a port is known by before
//! anything has been learned from the service itself.

use std::collections::HashMap;
use std::sync::OnceLock;

use portcullis_model::scan::Protocol;

const TABLE: &str = include_str!("../../../assets/iana/services.tsv");

/// A registered service: its IANA name and description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Registered {
    pub name: &'static str,
    pub description: &'static str,
}

/// The service IANA registered for `port`/`protocol`, if any.
pub fn registered(port: u16, protocol: Protocol) -> Option<Registered> {
    static INDEX: OnceLock<HashMap<(u16, Protocol), Registered>> = OnceLock::new();
    INDEX.get_or_init(index).get(&(port, protocol)).copied()
}

/// The registered name as an owned string, for a `PortResult`.
pub(crate) fn registered_name(port: u16, protocol: Protocol) -> Option<String> {
    registered(port, protocol).map(|service| service.name.to_owned())
}

fn index() -> HashMap<(u16, Protocol), Registered> {
    TABLE
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let mut fields = line.splitn(4, '\t');
            let port = fields.next()?.parse().ok()?;
            let protocol = match fields.next()? {
                "tcp" => Protocol::Tcp,
                "udp" => Protocol::Udp,
                _ => return None,
            };
            let name = fields.next()?;
            let description = fields.next().unwrap_or("");
            Some(((port, protocol), Registered { name, description }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_ports_have_their_iana_names() {
        assert_eq!(registered(22, Protocol::Tcp).unwrap().name, "ssh");
        assert_eq!(registered(443, Protocol::Tcp).unwrap().name, "https");
        assert_eq!(registered(5432, Protocol::Tcp).unwrap().name, "postgresql");
        assert_eq!(registered(53, Protocol::Udp).unwrap().name, "domain");
        assert_eq!(registered(161, Protocol::Udp).unwrap().name, "snmp");
    }

    #[test]
    fn the_table_is_large_and_unregistered_ports_are_none() {
        assert!(index().len() > 10_000);
        assert!(
            registered(0, Protocol::Tcp).is_none(),
            "port 0 is reserved, not named"
        );
    }
}
