//! Host discovery with raw packets, for when we may send them (Linux, root
//! or CAP_NET_RAW): a TCP SYN to 443 and a TCP ACK to 80 through raw
//! sockets, and ARP requests on directly connected IPv4 subnets.
//!
//! The two TCP probes complement each other as nmap's defaults do: a
//! firewall that drops unsolicited SYNs often lets an ACK through (and the
//! host answers it with a RST), and one that tracks connections drops the
//! ACK but passes the SYN. ARP cannot be filtered by the host's IP firewall
//! at all: on the local network, a host that is switched on answers it.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use pnet_datalink::{Channel, Config, MacAddr, NetworkInterface};
use pnet_packet::arp::{ArpHardwareTypes, ArpOperations, ArpPacket, MutableArpPacket};
use pnet_packet::ethernet::{EtherTypes, EthernetPacket, MutableEthernetPacket};
use pnet_packet::tcp::{TcpFlags, TcpPacket};
use pnet_packet::{MutablePacket, Packet};
use socket2::{Domain, Socket, Type};

use crate::raw::{
    SYN_LENGTH, build_segment, ipv4_payload, reserve_source_port, source_address_for,
};

/// The TCP probes: a SYN to HTTPS and an ACK to HTTP.
const SYN_PORT: u16 = 443;
const ACK_PORT: u16 = 80;

/// The targets that answered a TCP probe, each with how.
pub(crate) fn tcp_sweep(targets: &[IpAddr], wait: Duration) -> io::Result<HashMap<IpAddr, String>> {
    let mut answered = HashMap::new();
    let (_reservation, source_port) = reserve_source_port(targets.iter().any(IpAddr::is_ipv6))?;
    for v6 in [false, true] {
        let family: Vec<IpAddr> = targets
            .iter()
            .copied()
            .filter(|target| target.is_ipv6() == v6)
            .collect();
        if family.is_empty() {
            continue;
        }
        let domain = if v6 { Domain::IPV6 } else { Domain::IPV4 };
        let socket = Socket::new(domain, Type::RAW, Some(socket2::Protocol::TCP))?;
        let socket = std::net::UdpSocket::from(socket);
        for target in &family {
            let Ok(source) = source_address_for(*target) else {
                continue;
            };
            for (port, flags) in [(SYN_PORT, TcpFlags::SYN), (ACK_PORT, TcpFlags::ACK)] {
                let mut segment = [0u8; SYN_LENGTH];
                build_segment(&mut segment, flags, source, *target, source_port, port, 0);
                // A target we cannot send to simply does not answer.
                let _ = socket.send_to(&segment, SocketAddr::new(*target, 0));
            }
        }
        collect_tcp_answers(&socket, v6, source_port, &family, wait, &mut answered);
    }
    Ok(answered)
}

/// Reads TCP segments to our source port until `wait` has passed or every
/// target has answered.
fn collect_tcp_answers(
    socket: &std::net::UdpSocket,
    v6: bool,
    source_port: u16,
    family: &[IpAddr],
    wait: Duration,
    answered: &mut HashMap<IpAddr, String>,
) {
    let deadline = Instant::now() + wait;
    let mut buffer = vec![0u8; 65536];
    let mut found = 0;
    while found < family.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || socket.set_read_timeout(Some(left)).is_err() {
            return;
        }
        let Ok((length, from)) = socket.recv_from(&mut buffer) else {
            return;
        };
        let parsed = if v6 {
            Some((from.ip(), &buffer[..length]))
        } else {
            ipv4_payload(&buffer[..length])
        };
        let Some((from, segment)) = parsed else {
            continue;
        };
        let Some(segment) = TcpPacket::new(segment) else {
            continue;
        };
        if segment.get_destination() != source_port
            || !family.contains(&from)
            || answered.contains_key(&from)
        {
            continue;
        }
        let flags = segment.get_flags();
        let how = match (segment.get_source(), flags & TcpFlags::SYN != 0) {
            (SYN_PORT, true) => format!("syn-ack from port {SYN_PORT}"),
            (port, _) if flags & TcpFlags::RST != 0 => format!("reset from port {port}"),
            _ => continue,
        };
        answered.insert(from, how);
        found += 1;
    }
}

/// The IPv4 targets on a directly connected subnet that answered an ARP
/// request, each with its hardware address.
pub(crate) fn arp_sweep(targets: &[IpAddr], wait: Duration) -> HashMap<IpAddr, String> {
    let mut answered = HashMap::new();
    for interface in pnet_datalink::interfaces() {
        let Some((own_address, on_link)) = on_link_targets(&interface, targets) else {
            continue;
        };
        // An interface we cannot open (no privilege, gone) finds nothing;
        // the other probes still run.
        if let Ok(found) = arp_on(&interface, own_address, &on_link, wait) {
            answered.extend(found);
        }
    }
    answered
}

/// This interface's IPv4 address and the targets on its subnets; `None`
/// when it is down, has no hardware address, or no target is on it.
fn on_link_targets(
    interface: &NetworkInterface,
    targets: &[IpAddr],
) -> Option<(Ipv4Addr, Vec<Ipv4Addr>)> {
    if !interface.is_up() || interface.is_loopback() || interface.mac.is_none() {
        return None;
    }
    interface.ips.iter().find_map(|network| {
        let IpAddr::V4(own_address) = network.ip() else {
            return None;
        };
        let on_link: Vec<Ipv4Addr> = targets
            .iter()
            .filter_map(|target| match target {
                IpAddr::V4(v4) if network.contains(*target) && *v4 != own_address => Some(*v4),
                _ => None,
            })
            .collect();
        (!on_link.is_empty()).then_some((own_address, on_link))
    })
}

fn arp_on(
    interface: &NetworkInterface,
    own_address: Ipv4Addr,
    targets: &[Ipv4Addr],
    wait: Duration,
) -> io::Result<HashMap<IpAddr, String>> {
    let own_mac = interface.mac.expect("checked in on_link_targets");
    let config = Config {
        read_timeout: Some(Duration::from_millis(20)),
        promiscuous: false,
        ..Config::default()
    };
    let Channel::Ethernet(mut sender, mut receiver) = pnet_datalink::channel(interface, config)?
    else {
        return Err(io::Error::other("not an Ethernet interface"));
    };
    for target in targets {
        let frame = arp_request(own_mac, own_address, *target);
        if let Some(Err(error)) = sender.send_to(&frame, None) {
            tracing::debug!(%target, %error, "ARP request not sent");
        }
    }
    let deadline = Instant::now() + wait;
    let mut answered = HashMap::new();
    while Instant::now() < deadline && answered.len() < targets.len() {
        let Ok(frame) = receiver.next() else {
            continue;
        };
        if let Some((address, mac)) = arp_reply(frame, own_address)
            && targets.contains(&address)
        {
            answered.insert(IpAddr::V4(address), format!("arp-reply from {mac}"));
        }
    }
    Ok(answered)
}

/// A broadcast "who has `target`? tell `own_address`" frame (RFC 826).
fn arp_request(own_mac: MacAddr, own_address: Ipv4Addr, target: Ipv4Addr) -> Vec<u8> {
    const ARP_LENGTH: usize = 28;
    let mut frame = vec![0u8; EthernetPacket::minimum_packet_size() + ARP_LENGTH];
    let mut ethernet = MutableEthernetPacket::new(&mut frame).expect("sized for the frame");
    ethernet.set_destination(MacAddr::broadcast());
    ethernet.set_source(own_mac);
    ethernet.set_ethertype(EtherTypes::Arp);
    let mut arp = MutableArpPacket::new(ethernet.payload_mut()).expect("sized for ARP");
    arp.set_hardware_type(ArpHardwareTypes::Ethernet);
    arp.set_protocol_type(EtherTypes::Ipv4);
    arp.set_hw_addr_len(6);
    arp.set_proto_addr_len(4);
    arp.set_operation(ArpOperations::Request);
    arp.set_sender_hw_addr(own_mac);
    arp.set_sender_proto_addr(own_address);
    arp.set_target_hw_addr(MacAddr::zero());
    arp.set_target_proto_addr(target);
    frame
}

/// The sender of an ARP reply addressed to us.
fn arp_reply(frame: &[u8], own_address: Ipv4Addr) -> Option<(Ipv4Addr, MacAddr)> {
    let ethernet = EthernetPacket::new(frame)?;
    if ethernet.get_ethertype() != EtherTypes::Arp {
        return None;
    }
    let arp = ArpPacket::new(ethernet.payload())?;
    (arp.get_operation() == ArpOperations::Reply && arp.get_target_proto_addr() == own_address)
        .then(|| (arp.get_sender_proto_addr(), arp.get_sender_hw_addr()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_arp_request_asks_for_the_target_by_broadcast() {
        let mac = MacAddr::new(2, 0, 0, 0, 0, 1);
        let frame = arp_request(
            mac,
            "198.18.0.1".parse().unwrap(),
            "198.18.0.10".parse().unwrap(),
        );
        let ethernet = EthernetPacket::new(&frame).unwrap();
        assert_eq!(ethernet.get_destination(), MacAddr::broadcast());
        assert_eq!(ethernet.get_ethertype(), EtherTypes::Arp);
        let arp = ArpPacket::new(ethernet.payload()).unwrap();
        assert_eq!(arp.get_operation(), ArpOperations::Request);
        assert_eq!(
            arp.get_target_proto_addr(),
            "198.18.0.10".parse::<Ipv4Addr>().unwrap()
        );
        assert_eq!(arp.get_sender_hw_addr(), mac);
    }

    #[test]
    fn only_replies_to_us_count() {
        let own: Ipv4Addr = "198.18.0.1".parse().unwrap();
        let their_mac = MacAddr::new(2, 0, 0, 0, 0, 10);
        let reply_to = |target: Ipv4Addr, operation| {
            let mut frame = arp_request(their_mac, "198.18.0.10".parse().unwrap(), target);
            let mut ethernet = MutableEthernetPacket::new(&mut frame).unwrap();
            let mut arp = MutableArpPacket::new(ethernet.payload_mut()).unwrap();
            arp.set_operation(operation);
            frame
        };
        let reply = reply_to(own, ArpOperations::Reply);
        assert_eq!(
            arp_reply(&reply, own),
            Some(("198.18.0.10".parse().unwrap(), their_mac))
        );
        let to_someone_else = reply_to("198.18.0.2".parse().unwrap(), ArpOperations::Reply);
        assert_eq!(arp_reply(&to_someone_else, own), None);
        let a_request = reply_to(own, ArpOperations::Request);
        assert_eq!(arp_reply(&a_request, own), None);
    }
}
