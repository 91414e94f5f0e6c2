//! The packets: SYN probes built with `pnet_packet`, and the replies and
//! ICMP errors read back. Replies are matched without per-probe state:
//! each probe's sequence number is a keyed hash of its target, and a reply
//! counts only if it acknowledges that number (or, for an ICMP error,
//! quotes it).

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use pnet_packet::ip::IpNextHeaderProtocols;
use pnet_packet::ipv4::MutableIpv4Packet;
use pnet_packet::tcp::{TcpFlags, TcpPacket};
use portcullis_model::scan::{PortState, Reason};

use crate::raw::{SYN_LENGTH, build_segment, ipv4_payload};

/// A reply to one of our probes: a segment that acknowledged it, or an ICMP
/// error that quotes it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Reply {
    /// The host probed (for an ICMP error, the one the quoted probe was
    /// sent to, whoever sent the error).
    pub(super) from: IpAddr,
    pub(super) port: u16,
    pub(super) answer: Answer,
    pub(super) at: Instant,
}

/// What came back for a probe; each decides the port at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Answer {
    SynAck,
    Rst,
    /// An ICMP destination unreachable that quotes the probe: a firewall
    /// (or router) rejecting it, so the port is filtered, as nmap has it,
    /// with the ICMP type and code as the reason.
    Unreachable {
        icmp_type: u8,
        code: u8,
    },
}

impl Answer {
    pub(super) fn state_and_reason(self) -> (PortState, Reason) {
        match self {
            Answer::SynAck => (PortState::Open, Reason::SynAck),
            Answer::Rst => (PortState::Closed, Reason::Rst),
            Answer::Unreachable { icmp_type, code } => {
                (PortState::Filtered, Reason::Icmp { icmp_type, code })
            }
        }
    }
}

/// How our probes are written and their replies recognised: the source
/// port they come from, the key of their sequence numbers, and the address
/// each target is reached from.
pub(super) struct Packets {
    source_port: u16,
    sources: HashMap<IpAddr, IpAddr>,
    key: RandomState,
}

/// One probe's bytes, ready for its socket.
pub(super) struct Probe {
    buffer: [u8; IPV4_HEADER + SYN_LENGTH],
    length: usize,
}

impl Probe {
    pub(super) fn bytes(&self) -> &[u8] {
        &self.buffer[..self.length]
    }
}

impl Packets {
    pub(super) fn new(source_port: u16, sources: HashMap<IpAddr, IpAddr>) -> Packets {
        Packets {
            source_port,
            sources,
            key: RandomState::new(),
        }
    }

    /// The sequence number of the probe to `host:port`.
    fn sequence(&self, host: IpAddr, port: u16) -> u32 {
        self.key.hash_one((host, port, self.source_port)) as u32
    }

    /// The SYN to `host:port` as its socket takes it: with our IPv4 header
    /// for the send-only IPv4 sockets, the bare segment for IPv6.
    pub(super) fn probe(&self, host: IpAddr, port: u16) -> Probe {
        let source = self.sources[&host];
        let mut probe = Probe {
            buffer: [0; IPV4_HEADER + SYN_LENGTH],
            length: SYN_LENGTH,
        };
        let sequence = self.sequence(host, port);
        let segment = match (source, host) {
            (IpAddr::V4(source), IpAddr::V4(destination)) => {
                build_ipv4_header(&mut probe.buffer, source, destination);
                probe.length = IPV4_HEADER + SYN_LENGTH;
                &mut probe.buffer[IPV4_HEADER..]
            }
            _ => &mut probe.buffer[..SYN_LENGTH],
        };
        let segment: &mut [u8; SYN_LENGTH] = segment.try_into().expect("sized above");
        build_syn(segment, source, host, self.source_port, port, sequence);
        probe
    }

    pub(super) fn match_reply(&self, from: IpAddr, tcp_bytes: &[u8]) -> Option<Reply> {
        let segment = TcpPacket::new(tcp_bytes)?;
        if segment.get_destination() != self.source_port {
            return None;
        }
        let port = segment.get_source();
        let flags = segment.get_flags();
        let acknowledges =
            segment.get_acknowledgement() == self.sequence(from, port).wrapping_add(1);
        if flags & TcpFlags::ACK == 0 || !acknowledges {
            return None;
        }
        let answer = if flags & TcpFlags::SYN != 0 {
            Answer::SynAck
        } else if flags & TcpFlags::RST != 0 {
            Answer::Rst
        } else {
            return None;
        };
        Some(Reply {
            from,
            port,
            answer,
            at: Instant::now(),
        })
    }

    /// An ICMP destination unreachable that quotes one of our probes, as a
    /// raw ICMP socket hands it over: with the outer IPv4 header, or the
    /// bare ICMPv6 message. The quote is the probe's IP header and the first
    /// eight bytes of its TCP header (ports and sequence number), enough to
    /// check it is ours exactly as a reply's acknowledgement is checked.
    pub(super) fn match_unreachable(&self, message: &[u8], v6: bool) -> Option<Reply> {
        let (icmp, quoted_ip_header) = if v6 {
            (message, IPV6_HEADER)
        } else {
            let (_, icmp) = ipv4_payload(message)?;
            let quoted = icmp.get(8..)?;
            let header = usize::from(quoted.first()? & 0x0f) * 4;
            (icmp, header)
        };
        let (&icmp_type, &code) = (icmp.first()?, icmp.get(1)?);
        if !filtering_unreachable(v6, icmp_type, code) {
            return None;
        }
        let quoted = icmp.get(8..)?;
        let (protocol, destination) = if v6 {
            let address: [u8; 16] = quoted.get(24..40)?.try_into().ok()?;
            (*quoted.get(6)?, IpAddr::from(address))
        } else {
            let address: [u8; 4] = quoted.get(16..20)?.try_into().ok()?;
            (*quoted.get(9)?, IpAddr::from(address))
        };
        let tcp = quoted.get(quoted_ip_header..quoted_ip_header + 8)?;
        let source_port = u16::from_be_bytes([tcp[0], tcp[1]]);
        let port = u16::from_be_bytes([tcp[2], tcp[3]]);
        let sequence = u32::from_be_bytes([tcp[4], tcp[5], tcp[6], tcp[7]]);
        let ours = protocol == TCP_PROTOCOL
            && source_port == self.source_port
            && sequence == self.sequence(destination, port);
        ours.then(|| Reply {
            from: destination,
            port,
            answer: Answer::Unreachable { icmp_type, code },
            at: Instant::now(),
        })
    }
}

/// An IPv6 header: fixed, 40 bytes.
const IPV6_HEADER: usize = 40;

/// TCP's protocol number, in an IP header's protocol or next-header field.
const TCP_PROTOCOL: u8 = 6;

/// Whether an ICMP error says a probe was filtered: as nmap reads a SYN
/// scan, destination unreachable with code 1, 2, 3, 9, 10 or 13 (host,
/// protocol or port unreachable; network, host or communication
/// administratively prohibited), and any ICMPv6 destination unreachable.
fn filtering_unreachable(v6: bool, icmp_type: u8, code: u8) -> bool {
    if v6 {
        icmp_type == 1
    } else {
        icmp_type == 3 && matches!(code, 1 | 2 | 3 | 9 | 10 | 13)
    }
}

/// Fills `buffer` with a SYN segment, checksum included.
fn build_syn(
    buffer: &mut [u8; SYN_LENGTH],
    source: IpAddr,
    destination: IpAddr,
    source_port: u16,
    port: u16,
    sequence: u32,
) {
    build_segment(
        buffer,
        TcpFlags::SYN,
        source,
        destination,
        source_port,
        port,
        sequence,
    );
}

/// An IPv4 header without options.
const IPV4_HEADER: usize = 20;

/// The IPv4 header of a probe, for a send-only raw socket, which carries
/// the header we give it. The kernel fills in the checksum, the total
/// length and (left zero) the identification.
fn build_ipv4_header(buffer: &mut [u8], source: Ipv4Addr, destination: Ipv4Addr) {
    let mut header = MutableIpv4Packet::new(buffer).expect("room for an IPv4 header");
    header.set_version(4);
    header.set_header_length((IPV4_HEADER / 4) as u8);
    header.set_total_length((IPV4_HEADER + SYN_LENGTH) as u16);
    header.set_ttl(64);
    header.set_next_level_protocol(IpNextHeaderProtocols::Tcp);
    header.set_source(source);
    header.set_destination(destination);
}

#[cfg(test)]
mod tests {
    use std::net::Ipv6Addr;

    use pnet_packet::tcp::{self, MutableTcpPacket};

    use super::*;

    #[test]
    fn a_syn_segment_is_well_formed() {
        let source: IpAddr = "198.18.0.1".parse().unwrap();
        let destination: IpAddr = "198.18.0.10".parse().unwrap();
        let mut buffer = [0u8; SYN_LENGTH];
        build_syn(&mut buffer, source, destination, 40000, 443, 0xdead_beef);
        let segment = TcpPacket::new(&buffer).unwrap();
        assert_eq!(segment.get_source(), 40000);
        assert_eq!(segment.get_destination(), 443);
        assert_eq!(segment.get_sequence(), 0xdead_beef);
        assert_eq!(segment.get_flags(), TcpFlags::SYN);
        assert_eq!(segment.get_data_offset(), 6);
        let (IpAddr::V4(s), IpAddr::V4(d)) = (source, destination) else {
            unreachable!()
        };
        assert_eq!(tcp::ipv4_checksum(&segment, &s, &d), segment.get_checksum());
    }

    /// Probes from port 40000, with no socket behind them, for matching
    /// bytes built by hand.
    fn offline_packets() -> Packets {
        Packets::new(40000, HashMap::new())
    }

    #[test]
    fn only_replies_that_acknowledge_our_probe_count() {
        let packets = offline_packets();
        let from: IpAddr = "198.18.0.10".parse().unwrap();
        let reply = |flags: u8, ack: u32, destination: u16| {
            let mut buffer = [0u8; 20];
            let mut segment = MutableTcpPacket::new(&mut buffer).unwrap();
            segment.set_source(443);
            segment.set_destination(destination);
            segment.set_flags(flags);
            segment.set_acknowledgement(ack);
            segment.set_data_offset(5);
            buffer
        };
        let good_ack = packets.sequence(from, 443).wrapping_add(1);
        let syn_ack = reply(TcpFlags::SYN | TcpFlags::ACK, good_ack, 40000);
        assert_eq!(
            packets.match_reply(from, &syn_ack).unwrap().answer,
            Answer::SynAck
        );
        let rst = reply(TcpFlags::RST | TcpFlags::ACK, good_ack, 40000);
        assert_eq!(packets.match_reply(from, &rst).unwrap().answer, Answer::Rst);
        let forged = reply(
            TcpFlags::SYN | TcpFlags::ACK,
            good_ack.wrapping_add(7),
            40000,
        );
        assert!(packets.match_reply(from, &forged).is_none());
        let other_port = reply(TcpFlags::SYN | TcpFlags::ACK, good_ack, 40001);
        assert!(packets.match_reply(from, &other_port).is_none());
        assert!(
            packets.match_reply(from, &[0u8; 8]).is_none(),
            "short segments are ignored"
        );
    }

    /// An ICMP destination unreachable as a raw IPv4 socket hands it over:
    /// outer IPv4 header from `router`, ICMP header, then the quote of a
    /// probe to `target:port` from `source_port` with `sequence`.
    fn icmp_error(
        router: Ipv4Addr,
        (icmp_type, code): (u8, u8),
        target: Ipv4Addr,
        source_port: u16,
        port: u16,
        sequence: u32,
    ) -> Vec<u8> {
        let mut quote = [0u8; IPV4_HEADER + 8];
        build_ipv4_header(&mut quote, "198.18.0.1".parse().unwrap(), target);
        quote[IPV4_HEADER..IPV4_HEADER + 2].copy_from_slice(&source_port.to_be_bytes());
        quote[IPV4_HEADER + 2..IPV4_HEADER + 4].copy_from_slice(&port.to_be_bytes());
        quote[IPV4_HEADER + 4..].copy_from_slice(&sequence.to_be_bytes());
        let mut message = vec![0u8; IPV4_HEADER];
        build_ipv4_header(&mut message, router, "198.18.0.1".parse().unwrap());
        let length = (IPV4_HEADER + 8 + quote.len()) as u16;
        message[2..4].copy_from_slice(&length.to_be_bytes());
        message.extend([icmp_type, code, 0, 0, 0, 0, 0, 0]);
        message.extend(quote);
        message
    }

    #[test]
    fn an_icmp_error_quoting_our_probe_marks_the_port_filtered_with_its_code() {
        let packets = offline_packets();
        let target: Ipv4Addr = "198.18.0.30".parse().unwrap();
        let router: Ipv4Addr = "198.18.0.254".parse().unwrap();
        let sequence = packets.sequence(IpAddr::V4(target), 9999);
        let prohibited = icmp_error(router, (3, 13), target, 40000, 9999, sequence);
        let reply = packets.match_unreachable(&prohibited, false).unwrap();
        assert_eq!(
            reply.from,
            IpAddr::V4(target),
            "the host probed, not the router"
        );
        assert_eq!(reply.port, 9999);
        assert_eq!(
            reply.answer.state_and_reason(),
            (
                PortState::Filtered,
                Reason::Icmp {
                    icmp_type: 3,
                    code: 13
                }
            )
        );
        let port_unreachable = icmp_error(router, (3, 3), target, 40000, 9999, sequence);
        assert!(
            packets
                .match_unreachable(&port_unreachable, false)
                .is_some()
        );
        // Not about filtering: fragmentation needed.
        let too_big = icmp_error(router, (3, 4), target, 40000, 9999, sequence);
        assert!(packets.match_unreachable(&too_big, false).is_none());
        // Not our probe: another source port, another sequence number.
        let other_port = icmp_error(router, (3, 13), target, 40001, 9999, sequence);
        assert!(packets.match_unreachable(&other_port, false).is_none());
        let forged = icmp_error(router, (3, 13), target, 40000, 9999, sequence ^ 1);
        assert!(packets.match_unreachable(&forged, false).is_none());
        assert!(
            packets
                .match_unreachable(&prohibited[..40], false)
                .is_none(),
            "a quote cut short is ignored"
        );
    }

    #[test]
    fn an_icmpv6_unreachable_quoting_our_probe_counts_too() {
        let packets = offline_packets();
        let target: Ipv6Addr = "2001:db8::10".parse().unwrap();
        let sequence = packets.sequence(IpAddr::V6(target), 8443);
        let mut message = vec![1, 1, 0, 0, 0, 0, 0, 0];
        let mut quote = [0u8; IPV6_HEADER + 8];
        quote[0] = 0x60;
        quote[6] = TCP_PROTOCOL;
        quote[24..40].copy_from_slice(&target.octets());
        quote[40..42].copy_from_slice(&40000u16.to_be_bytes());
        quote[42..44].copy_from_slice(&8443u16.to_be_bytes());
        quote[44..48].copy_from_slice(&sequence.to_be_bytes());
        message.extend(quote);
        let reply = packets.match_unreachable(&message, true).unwrap();
        assert_eq!((reply.from, reply.port), (IpAddr::V6(target), 8443));
        message[0] = 3; // time exceeded: not a verdict on the port
        assert!(packets.match_unreachable(&message, true).is_none());
    }
}
