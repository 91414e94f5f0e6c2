//! ICMP echo ("ping") for host discovery, with raw sockets (Linux, root or
//! CAP_NET_RAW). One socket per address family sends an echo request to
//! every target and collects the echo replies that carry our identifier.

use std::collections::HashSet;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use pnet_packet::Packet;
use pnet_packet::icmp::{self, IcmpPacket, IcmpTypes, echo_request::MutableEchoRequestPacket};
use pnet_packet::ipv4::Ipv4Packet;
use tokio::net::UdpSocket;

use crate::raw;

/// ICMPv6 echo request and reply (RFC 4443, 4.1 and 4.2).
const ICMPV6_ECHO_REQUEST: u8 = 128;
const ICMPV6_ECHO_REPLY: u8 = 129;

/// The hosts among `targets` that answered an echo request within `wait`.
pub(crate) async fn echo_sweep(targets: &[IpAddr], wait: Duration) -> io::Result<HashSet<IpAddr>> {
    let identifier = (std::process::id() & 0xffff) as u16;
    let mut answered = HashSet::new();
    for v6 in [false, true] {
        let family: Vec<IpAddr> = targets
            .iter()
            .copied()
            .filter(|t| t.is_ipv6() == v6)
            .collect();
        if family.is_empty() {
            continue;
        }
        let socket = raw_icmp_socket(v6)?;
        for (sequence, target) in family.iter().enumerate() {
            let request = echo_request(v6, identifier, sequence as u16);
            // A target we cannot send to (no route) simply does not answer.
            let _ = socket.send_to(&request, SocketAddr::new(*target, 0)).await;
        }
        collect_replies(&socket, v6, identifier, &family, wait, &mut answered).await;
    }
    Ok(answered)
}

fn raw_icmp_socket(v6: bool) -> io::Result<UdpSocket> {
    let (domain, protocol) = raw::icmp_family(v6);
    let socket = raw::nonblocking_socket(domain, protocol)?;
    UdpSocket::from_std(std::net::UdpSocket::from(socket))
}

/// An echo request with our identifier and `sequence`. The IPv6 kernel fills
/// in the ICMPv6 checksum itself; the IPv4 one is ours to compute.
fn echo_request(v6: bool, identifier: u16, sequence: u16) -> Vec<u8> {
    let mut buffer = vec![0u8; 8 + 16];
    buffer[8..].copy_from_slice(b"portcullis-ping!");
    let mut request =
        MutableEchoRequestPacket::new(&mut buffer).expect("24 bytes hold an echo request");
    request.set_identifier(identifier);
    request.set_sequence_number(sequence);
    if v6 {
        request.set_icmp_type(icmp::IcmpType(ICMPV6_ECHO_REQUEST));
    } else {
        request.set_icmp_type(IcmpTypes::EchoRequest);
        let checksum = icmp::checksum(&IcmpPacket::new(request.packet()).expect("an ICMP packet"));
        request.set_checksum(checksum);
    }
    buffer
}

async fn collect_replies(
    socket: &UdpSocket,
    v6: bool,
    identifier: u16,
    targets: &[IpAddr],
    wait: Duration,
    answered: &mut HashSet<IpAddr>,
) {
    let deadline = Instant::now() + wait;
    let mut buffer = [0u8; 1500];
    while answered.iter().filter(|a| a.is_ipv6() == v6).count() < targets.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(Ok((length, from))) =
            tokio::time::timeout(left, socket.recv_from(&mut buffer)).await
        else {
            return;
        };
        let message = if v6 {
            Some(&buffer[..length])
        } else {
            Ipv4Packet::new(&buffer[..length])
                .map(|packet| usize::from(packet.get_header_length()) * 4)
                .and_then(|header| buffer.get(header..length))
        };
        if let Some(message) = message
            && is_our_echo_reply(message, v6, identifier)
            && targets.contains(&from.ip())
        {
            answered.insert(from.ip());
        }
    }
}

/// An echo reply (type 0, or 129 for ICMPv6) carrying `identifier`.
fn is_our_echo_reply(message: &[u8], v6: bool, identifier: u16) -> bool {
    let reply_type = if v6 { ICMPV6_ECHO_REPLY } else { 0 };
    message.len() >= 8
        && message[0] == reply_type
        && u16::from_be_bytes([message[4], message[5]]) == identifier
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_echo_requests_carry_a_valid_checksum() {
        let request = echo_request(false, 0x1234, 7);
        assert_eq!(request[0], 8, "echo request");
        assert_eq!(&request[4..8], &[0x12, 0x34, 0, 7]);
        let packet = IcmpPacket::new(&request).unwrap();
        assert_eq!(icmp::checksum(&packet), packet.get_checksum());
        assert_eq!(echo_request(true, 1, 1)[0], ICMPV6_ECHO_REQUEST);
    }

    #[test]
    fn only_our_replies_count() {
        let mut reply = echo_request(false, 0x1234, 1);
        reply[0] = 0;
        assert!(is_our_echo_reply(&reply, false, 0x1234));
        assert!(!is_our_echo_reply(&reply, false, 0x9999));
        assert!(!is_our_echo_reply(&reply[..4], false, 0x1234));
        reply[0] = ICMPV6_ECHO_REPLY;
        assert!(is_our_echo_reply(&reply, true, 0x1234));
    }
}
