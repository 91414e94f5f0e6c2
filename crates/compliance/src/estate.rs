//! The merchant's estate, indexed for scans: which system an address
//! belongs to, and which inventory entry approves a port.
//!
//! Both are hash lookups so that a scan of 65,535 ports against tens of
//! thousands of entries costs one probe per port, not a search.

use std::collections::HashMap;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use ipnet::IpNet;
use portcullis_model::SystemId;
use portcullis_model::compliance::{InventoryEntry, System};
use portcullis_model::scan::{HostReport, Protocol};
use portcullis_model::service::ServiceIdentity;

/// One address of a system, as understood.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SystemAddress {
    Ip(IpAddr),
    /// A CIDR block, with the host bits cleared ("10.0.1.7/24" is
    /// 10.0.1.0/24).
    Network(IpNet),
    /// A host name, lower case, without a trailing dot.
    HostName(String),
}

/// An address a user typed that is none of the three forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{input}` is not an IP address (203.0.113.10), a CIDR block (10.0.1.0/24) or a host name (shop.example.com): {problem}"
)]
pub struct AddressError {
    pub input: String,
    pub problem: &'static str,
}

impl SystemAddress {
    /// Reads an address as a user types it for a system. The shells call it
    /// to refuse bad input before it is stored.
    pub fn parse(input: &str) -> Result<SystemAddress, AddressError> {
        let text = input.trim();
        let error = |problem| AddressError {
            input: input.to_string(),
            problem,
        };
        if text.is_empty() {
            return Err(error("it is empty"));
        }
        if let Ok(ip) = text.parse::<IpAddr>() {
            return Ok(SystemAddress::Ip(ip));
        }
        if text.contains('/') {
            return text
                .parse::<IpNet>()
                .map(|net| SystemAddress::Network(net.trunc()))
                .map_err(|_| error("the part before `/` must be an IP address and the part after it a prefix length that fits it"));
        }
        let name = text.strip_suffix('.').unwrap_or(text).to_ascii_lowercase();
        check_host_name(&name).map_err(error)?;
        Ok(SystemAddress::HostName(name))
    }
}

/// RFC 1123 host names: dot-separated labels of letters, digits and
/// hyphens, each 1 to 63 long, not starting or ending with a hyphen.
fn check_host_name(name: &str) -> Result<(), &'static str> {
    if name.len() > 253 {
        return Err("a host name has at most 253 characters");
    }
    for label in name.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err("each part of a host name between dots has 1 to 63 characters");
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err("a host name has only letters, digits, hyphens and dots");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("a part of a host name cannot start or end with a hyphen");
        }
    }
    Ok(())
}

/// Finds the system an address belongs to: by exact address first, then by
/// the host name the scan target was given, then by the narrowest CIDR
/// block that contains it. When two systems claim the same address, the one
/// listed first wins.
#[derive(Debug, Default)]
pub struct SystemIndex<'a> {
    by_id: HashMap<SystemId, &'a System>,
    by_ip: HashMap<IpAddr, &'a System>,
    by_name: HashMap<String, &'a System>,
    /// By prefix length, longest first; each maps a network to its system.
    networks: Vec<(u8, HashMap<IpNet, &'a System>)>,
}

impl<'a> SystemIndex<'a> {
    /// Indexes the systems. Addresses that do not parse are treated as host
    /// names (the shells validate addresses on input, so this is only a
    /// fallback for old data).
    pub fn new(systems: &'a [System]) -> SystemIndex<'a> {
        let mut index = SystemIndex::default();
        let mut networks: HashMap<u8, HashMap<IpNet, &'a System>> = HashMap::new();
        for system in systems {
            index.by_id.entry(system.id).or_insert(system);
            for address in &system.addresses {
                match SystemAddress::parse(address) {
                    Ok(SystemAddress::Ip(ip)) => {
                        index.by_ip.entry(ip).or_insert(system);
                    }
                    Ok(SystemAddress::Network(net)) => {
                        networks
                            .entry(net.prefix_len())
                            .or_default()
                            .entry(net)
                            .or_insert(system);
                    }
                    Ok(SystemAddress::HostName(name)) => {
                        index.by_name.entry(name).or_insert(system);
                    }
                    Err(_) => {
                        index
                            .by_name
                            .entry(address.trim().to_ascii_lowercase())
                            .or_insert(system);
                    }
                }
            }
        }
        index.networks = networks.into_iter().collect();
        index
            .networks
            .sort_by_key(|(prefix, _)| std::cmp::Reverse(*prefix));
        index
    }

    pub fn by_id(&self, id: SystemId) -> Option<&'a System> {
        self.by_id.get(&id).copied()
    }

    /// The system a scanned host belongs to.
    pub fn for_host(&self, host: &HostReport) -> Option<&'a System> {
        if let Some(system) = self.by_ip.get(&host.address) {
            return Some(system);
        }
        if let Some(name) = &host.name {
            let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
            if let Some(system) = self.by_name.get(&name) {
                return Some(system);
            }
        }
        self.for_network(host.address)
    }

    /// The system whose narrowest CIDR block contains `address`.
    fn for_network(&self, address: IpAddr) -> Option<&'a System> {
        self.networks.iter().find_map(|(prefix, networks)| {
            let net = IpNet::new(address, *prefix).ok()?.trunc();
            networks.get(&net).copied()
        })
    }
}

/// The inventory by system, protocol and port.
#[derive(Debug, Default)]
pub struct InventoryIndex<'a> {
    entries: HashMap<(SystemId, Protocol, u16), &'a InventoryEntry>,
}

impl<'a> InventoryIndex<'a> {
    /// Indexes the entries. Should two entries cover the same port (the
    /// store prevents it), the one approved last counts.
    pub fn new(inventory: &'a [InventoryEntry]) -> InventoryIndex<'a> {
        let mut entries: HashMap<(SystemId, Protocol, u16), &'a InventoryEntry> =
            HashMap::with_capacity(inventory.len());
        for entry in inventory {
            entries
                .entry((entry.system_id, entry.protocol, entry.port))
                .and_modify(|kept| {
                    if entry.approved_at > kept.approved_at {
                        *kept = entry;
                    }
                })
                .or_insert(entry);
        }
        InventoryIndex { entries }
    }

    pub fn get(
        &self,
        system_id: SystemId,
        protocol: Protocol,
        port: u16,
    ) -> Option<&'a InventoryEntry> {
        self.entries.get(&(system_id, protocol, port)).copied()
    }
}

/// Whether the approval has lapsed at `now`: an entry that expires at a
/// moment has expired from that moment on.
pub fn is_expired(entry: &InventoryEntry, now: DateTime<Utc>) -> bool {
    entry.expires_at.is_some_and(|expires| expires <= now)
}

/// Whether an entry's expected service and version (each optional) accept
/// what identification found. Evaluation (an inventory mismatch) and diff
/// (a service or version change) judge a port by this one rule.
pub fn entry_accepts(entry: &InventoryEntry, found: &ServiceIdentity) -> bool {
    let service_ok = entry
        .service
        .as_deref()
        .is_none_or(|s| service_matches(s, &found.service, found.product.as_deref()));
    let version_ok = match (&entry.version, &found.version) {
        (Some(expected), Some(version)) => version_matches(expected, version),
        _ => true,
    };
    service_ok && version_ok
}

/// Whether a found name is the expected one: the inventory may name the
/// service ("ssh") or the product ("OpenSSH"), in any case.
pub fn service_matches(expected: &str, service: &str, product: Option<&str>) -> bool {
    let expected = expected.trim();
    expected.eq_ignore_ascii_case(service)
        || product.is_some_and(|product| expected.eq_ignore_ascii_case(product))
}

/// Whether a found version is the expected one, read as a prefix that ends
/// at a component boundary: "9.2" accepts "9.2", "9.2p1" and "9.2.1", not
/// "9.21"; "1" accepts "1.24.0".
pub fn version_matches(expected: &str, found: &str) -> bool {
    let expected = expected.trim();
    match found.strip_prefix(expected) {
        Some("") => true,
        Some(rest) => {
            let last_is_digit = expected.ends_with(|c: char| c.is_ascii_digit());
            !(last_is_digit && rest.starts_with(|c: char| c.is_ascii_digit()))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portcullis_model::compliance::{Exposure, Scope, SystemRole};

    fn system(id: i64, addresses: &[&str]) -> System {
        System {
            id: SystemId(id),
            name: format!("system {id}"),
            addresses: addresses.iter().map(|a| a.to_string()).collect(),
            role: SystemRole::Other,
            scope: Scope::Cde,
            exposure: Exposure::Internal,
            notes: String::new(),
        }
    }

    fn host(address: &str, name: Option<&str>) -> HostReport {
        HostReport {
            address: address.parse().unwrap(),
            name: name.map(str::to_string),
            up: true,
            reason: "test".into(),
        }
    }

    #[test]
    fn addresses_parse_as_ip_network_or_name() {
        assert_eq!(
            SystemAddress::parse(" 10.0.0.1 ").unwrap(),
            SystemAddress::Ip("10.0.0.1".parse().unwrap())
        );
        assert_eq!(
            SystemAddress::parse("10.0.1.7/24").unwrap(),
            SystemAddress::Network("10.0.1.0/24".parse().unwrap())
        );
        assert_eq!(
            SystemAddress::parse("Shop.Example.com.").unwrap(),
            SystemAddress::HostName("shop.example.com".into())
        );
        let error = SystemAddress::parse("10.0.0.0/33").unwrap_err();
        assert!(error.to_string().contains("`10.0.0.0/33`"), "{error}");
        let error = SystemAddress::parse("shop_example.com").unwrap_err();
        assert!(error.problem.contains("letters, digits"), "{error}");
        assert!(SystemAddress::parse("-bad.example").is_err());
        assert!(SystemAddress::parse("").is_err());
    }

    #[test]
    fn hosts_map_by_address_then_name_then_narrowest_network() {
        let systems = [
            system(1, &["10.0.0.0/8"]),
            system(2, &["10.0.1.0/24"]),
            system(3, &["10.0.1.5", "2001:db8::5"]),
            system(4, &["shop.example.com"]),
        ];
        let index = SystemIndex::new(&systems);
        let id = |h: HostReport| index.for_host(&h).map(|s| s.id);
        assert_eq!(id(host("10.0.1.5", None)), Some(SystemId(3)));
        assert_eq!(id(host("2001:db8::5", None)), Some(SystemId(3)));
        assert_eq!(id(host("10.0.1.9", None)), Some(SystemId(2)));
        assert_eq!(id(host("10.9.9.9", None)), Some(SystemId(1)));
        assert_eq!(
            id(host("10.0.1.9", Some("SHOP.example.com"))),
            Some(SystemId(4))
        );
        assert_eq!(id(host("192.0.2.1", None)), None);
        assert_eq!(index.by_id(SystemId(2)).map(|s| s.id), Some(SystemId(2)));
    }

    #[test]
    fn versions_match_as_prefixes_at_component_boundaries() {
        assert!(version_matches("9.2", "9.2"));
        assert!(version_matches("9.2", "9.2p1"));
        assert!(version_matches("9.2", "9.2.1"));
        assert!(!version_matches("9.2", "9.21"));
        assert!(!version_matches("9.2", "9.3p1"));
        assert!(version_matches("1", "1.24.0"));
        assert!(!version_matches("1", "10.1"));
    }

    #[test]
    fn services_match_by_name_or_product_in_any_case() {
        assert!(service_matches("ssh", "ssh", Some("OpenSSH")));
        assert!(service_matches("openssh", "ssh", Some("OpenSSH")));
        assert!(!service_matches("nginx", "http", Some("Apache httpd")));
        assert!(!service_matches("nginx", "http", None));
    }
}
