//! The networks this computer is on, read from its interfaces: offered in
//! the guided check's Your systems step. Reading them sends nothing.

use std::net::{IpAddr, Ipv4Addr};

use if_addrs::{IfAddr, Interface};
use portcullis_model::guided::LocalNetwork;

/// The largest network offered: a /16 is already 65,536 addresses, more
/// than a small business has, and a bigger one is nobody's office.
const SMALLEST_PREFIX: u8 = 16;

/// The IPv4 networks of the interfaces that are up, loopback left out;
/// IPv6 networks are left out too, because a /64 cannot be swept and its
/// hosts are found by name. An OS that will not list its interfaces offers
/// nothing: the merchant types addresses instead.
pub fn local_networks() -> Vec<LocalNetwork> {
    let mut networks: Vec<LocalNetwork> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter(|interface| interface.is_oper_up() && !interface.is_loopback())
        .filter_map(|interface| offered(&interface))
        .collect();
    networks.sort_by(|a, b| (&a.interface, &a.network).cmp(&(&b.interface, &b.network)));
    networks.dedup();
    networks
}

fn offered(interface: &Interface) -> Option<LocalNetwork> {
    let IfAddr::V4(v4) = &interface.addr else {
        return None;
    };
    network_of(&interface.name, v4.ip, v4.prefixlen)
}

/// The network `address/prefix` lies in, when it is one worth offering.
fn network_of(interface: &str, address: Ipv4Addr, prefix: u8) -> Option<LocalNetwork> {
    if !(SMALLEST_PREFIX..=32).contains(&prefix) || address.is_link_local() {
        return None;
    }
    let host_bits = 32 - u32::from(prefix);
    let mask = u32::MAX.checked_shl(host_bits).unwrap_or(0);
    let base = Ipv4Addr::from(u32::from(address) & mask);
    Some(LocalNetwork {
        interface: interface.to_owned(),
        address: IpAddr::V4(address),
        network: format!("{base}/{prefix}"),
        addresses: 1u64 << host_bits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn network(address: &str, prefix: u8) -> Option<LocalNetwork> {
        network_of("wlan0", address.parse().unwrap(), prefix)
    }

    #[test]
    fn an_office_address_gives_its_network() {
        let offered = network("192.168.1.23", 24).unwrap();
        assert_eq!(offered.network, "192.168.1.0/24");
        assert_eq!(offered.addresses, 256);
        assert_eq!(offered.address, "192.168.1.23".parse::<IpAddr>().unwrap());
        assert_eq!(offered.interface, "wlan0");
    }

    #[test]
    fn a_single_address_is_itself() {
        let offered = network("198.18.0.1", 32).unwrap();
        assert_eq!(offered.network, "198.18.0.1/32");
        assert_eq!(offered.addresses, 1);
    }

    #[test]
    fn huge_and_link_local_networks_are_not_offered() {
        assert!(network("10.1.2.3", 8).is_none());
        assert!(network("169.254.7.9", 16).is_none());
    }

    #[test]
    fn this_computer_offers_no_loopback_network() {
        assert!(
            local_networks()
                .iter()
                .all(|network| !network.network.starts_with("127."))
        );
    }
}
