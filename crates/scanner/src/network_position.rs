//! Where this computer stands on the network: the interface and address
//! the system would use to reach an address, and the default gateway. A
//! segmentation test records it as evidence that it ran from the network
//! the merchant named.
//!
//! Nothing is sent: "connecting" a UDP socket only asks the system's
//! routing table which local address it would use. The gateway is read
//! from `/proc/net/route` on Linux; other systems report none.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};

use portcullis_model::segmentation::NetworkPosition;

/// The most characters an interface name may have when recorded: Linux
/// allows 15, Windows' friendly names run longer; more is not a name.
const INTERFACE_NAME_MAX_CHARS: usize = 64;

/// Where this computer sends traffic for `target` from: its interface, its
/// address there, and that interface's default gateway, when it has one
/// (another interface's router is not the network the test ran from).
/// `None` when the system knows no route to `target`.
pub fn position_towards(target: IpAddr) -> Option<NetworkPosition> {
    let address = local_address_towards(target)?;
    let interface = interface_with(address).unwrap_or_else(|| "unknown".to_owned());
    let gateway = default_gateway(&interface);
    Some(NetworkPosition {
        interface,
        address,
        gateway,
    })
}

/// The local address the routing table picks for `target`; the port is
/// any, since a UDP "connect" sends nothing.
fn local_address_towards(target: IpAddr) -> Option<IpAddr> {
    let unspecified: SocketAddr = match target {
        IpAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        IpAddr::V6(_) => (std::net::Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let socket = UdpSocket::bind(unspecified).ok()?;
    socket.connect((target, 9)).ok()?;
    let local = socket.local_addr().ok()?.ip();
    (!local.is_unspecified()).then_some(local)
}

/// The name of the interface that holds `address`, made printable.
fn interface_with(address: IpAddr) -> Option<String> {
    if_addrs::get_if_addrs()
        .ok()?
        .into_iter()
        .find(|interface| interface.ip() == address)
        .map(|interface| printable_name(&interface.name))
}

/// An interface name as it may be stored and shown: control characters
/// dropped, cut to a bounded length.
fn printable_name(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_control())
        .take(INTERFACE_NAME_MAX_CHARS)
        .collect()
}

#[cfg(target_os = "linux")]
fn default_gateway(interface: &str) -> Option<IpAddr> {
    let table = std::fs::read_to_string("/proc/net/route").ok()?;
    gateway_in_route_table(&table, interface).map(IpAddr::V4)
}

#[cfg(not(target_os = "linux"))]
fn default_gateway(_interface: &str) -> Option<IpAddr> {
    None
}

/// The gateway of `interface`'s default route in the kernel's IPv4
/// routing table (the text of `/proc/net/route`).
///
/// Each line after the header is `Iface Destination Gateway Flags ...`,
/// addresses as the kernel holds them (network byte order) printed as
/// hexadecimal numbers of the machine's byte order, so the number's bytes
/// in the machine's order are the address's; a default route has
/// destination 0 and the gateway flag (0x2) set.
fn gateway_in_route_table(table: &str, interface: &str) -> Option<Ipv4Addr> {
    const GATEWAY_FLAG: u32 = 0x2;
    table.lines().skip(1).find_map(|line| {
        let mut fields = line.split_whitespace();
        if fields.next()? != interface {
            return None;
        }
        let destination = u32::from_str_radix(fields.next()?, 16).ok()?;
        let gateway = u32::from_str_radix(fields.next()?, 16).ok()?;
        let flags = u32::from_str_radix(fields.next()?, 16).ok()?;
        let is_default = destination == 0 && flags & GATEWAY_FLAG != 0 && gateway != 0;
        is_default.then(|| Ipv4Addr::from(gateway.to_ne_bytes()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "\
Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\t0100A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0
eth0\t0000A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0
wlan0\t00000000\t0112A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
";

    #[test]
    fn the_default_route_of_the_interface_is_the_gateway() {
        assert_eq!(
            gateway_in_route_table(TABLE, "wlan0"),
            Some(Ipv4Addr::new(192, 168, 18, 1))
        );
        assert_eq!(
            gateway_in_route_table(TABLE, "eth0"),
            Some(Ipv4Addr::new(192, 168, 0, 1))
        );
    }

    #[test]
    fn another_interfaces_router_is_not_this_ones() {
        assert_eq!(gateway_in_route_table(TABLE, "tun0"), None);
        assert_eq!(gateway_in_route_table(TABLE, "lo"), None);
    }

    #[test]
    fn no_default_route_means_no_gateway() {
        let lan_only = TABLE
            .lines()
            .take(1)
            .chain(TABLE.lines().nth(2))
            .collect::<Vec<_>>();
        assert_eq!(gateway_in_route_table(&lan_only.join("\n"), "eth0"), None);
        assert_eq!(gateway_in_route_table("", "eth0"), None);
        assert_eq!(
            gateway_in_route_table("Iface\nbroken line here", "eth0"),
            None
        );
    }

    #[test]
    fn interface_names_are_made_printable_and_bounded() {
        assert_eq!(printable_name("wlan0\u{1b}[31m"), "wlan0[31m");
        assert_eq!(
            printable_name(&"x".repeat(500)).len(),
            INTERFACE_NAME_MAX_CHARS
        );
    }

    #[test]
    fn loopback_is_reached_from_loopback() {
        let position = position_towards("127.0.0.1".parse().unwrap()).unwrap();
        assert!(position.address.is_loopback());
    }
}
