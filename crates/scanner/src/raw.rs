//! Raw-packet plumbing shared by the SYN scan (`syn`) and raw host
//! discovery (`raw_discovery`, `icmp`): opening raw sockets, the source
//! port and address probes go out from, and the TCP segments both send and
//! read. Here so that neither reaches into the other; Linux only, as they
//! are.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use pnet_packet::ipv4::Ipv4Packet;
use pnet_packet::tcp::{self, MutableTcpPacket, TcpOption};
use socket2::{Domain, Protocol, Socket, Type};

/// A TCP header with one option (MSS): 24 bytes, data offset 6 words.
pub(crate) const SYN_LENGTH: usize = 24;

/// A non-blocking raw socket of `protocol`.
pub(crate) fn nonblocking_socket(domain: Domain, protocol: Protocol) -> io::Result<Socket> {
    let socket = Socket::new(domain, Type::RAW, Some(protocol))?;
    socket.set_nonblocking(true)?;
    Ok(socket)
}

/// The domain and protocol of a raw socket that receives every ICMP (or,
/// `v6`, ICMPv6) message.
pub(crate) fn icmp_family(v6: bool) -> (Domain, Protocol) {
    if v6 {
        (Domain::IPV6, Protocol::ICMPV6)
    } else {
        (Domain::IPV4, Protocol::ICMPV4)
    }
}

/// Fills `buffer` with a TCP segment carrying `flags` and an MSS option,
/// checksum included: the SYN scan's probes, and discovery's SYN and ACK.
pub(crate) fn build_segment(
    buffer: &mut [u8; SYN_LENGTH],
    flags: u8,
    source: IpAddr,
    destination: IpAddr,
    source_port: u16,
    port: u16,
    sequence: u32,
) {
    let mut segment = MutableTcpPacket::new(buffer).expect("24 bytes hold a TCP header");
    segment.set_source(source_port);
    segment.set_destination(port);
    segment.set_sequence(sequence);
    segment.set_acknowledgement(0);
    segment.set_data_offset((SYN_LENGTH / 4) as u8);
    segment.set_flags(flags);
    segment.set_window(1024);
    segment.set_options(&[TcpOption::mss(1460)]);
    let checksum = match (source, destination) {
        (IpAddr::V4(s), IpAddr::V4(d)) => tcp::ipv4_checksum(&segment.to_immutable(), &s, &d),
        (IpAddr::V6(s), IpAddr::V6(d)) => tcp::ipv6_checksum(&segment.to_immutable(), &s, &d),
        _ => unreachable!("source and destination of one family"),
    };
    segment.set_checksum(checksum);
}

/// The source address and TCP bytes of an IPv4 datagram from a raw socket.
pub(crate) fn ipv4_payload(datagram: &[u8]) -> Option<(IpAddr, &[u8])> {
    let packet = Ipv4Packet::new(datagram)?;
    let header = usize::from(packet.get_header_length()) * 4;
    let total = usize::from(packet.get_total_length()).min(datagram.len());
    (header >= 20 && header < total)
        .then(|| (IpAddr::V4(packet.get_source()), &datagram[header..total]))
}

/// Binds a TCP socket to a free port and keeps it: our probes come from that
/// port, and the OS will not give it to another connection meanwhile.
pub(crate) fn reserve_source_port(dual_stack: bool) -> io::Result<(Socket, u16)> {
    let (domain, any) = if dual_stack {
        (
            Domain::IPV6,
            SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), 0),
        )
    } else {
        (
            Domain::IPV4,
            SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0),
        )
    };
    let socket = Socket::new(domain, Type::STREAM, None)?;
    if dual_stack {
        socket.set_only_v6(false)?;
    }
    socket.bind(&any.into())?;
    let port = socket
        .local_addr()?
        .as_socket()
        .map(|address| address.port())
        .ok_or_else(|| io::Error::other("the reserved socket has no port"))?;
    Ok((socket, port))
}

/// The address the OS would send from to reach `host`: connecting a UDP
/// socket picks the route without sending anything.
pub(crate) fn source_address_for(host: IpAddr) -> io::Result<IpAddr> {
    let any: SocketAddr = if host.is_ipv4() {
        (Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let probe = std::net::UdpSocket::bind(any)?;
    probe.connect((host, 9))?;
    Ok(probe.local_addr()?.ip())
}
