//! The SYN scan's raw sockets: one receiving raw TCP socket per family,
//! send-only `IPPROTO_RAW` IPv4 sockets (one per sending thread), and the
//! ICMP listeners; and the sending of a batch of probes through them.
//! Opening a raw socket, the source port reservation and the source
//! address lookup are shared with discovery, in [`crate::raw`].

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr, UdpSocket};

use socket2::{Domain, Socket};

use super::board::Target;
use super::packet::{Packets, Probe};
use crate::batch::Outbox;
use crate::raw::{self, reserve_source_port, source_address_for};

/// Large enough that a burst of replies is not dropped before we read it.
const RECEIVE_BUFFER: usize = 16 << 20;

/// The raw sockets, and how the packets sent and read through them are
/// made and recognised.
pub(super) struct Prober {
    /// Receives every TCP segment that reaches the host (IPv4).
    v4: Option<UdpSocket>,
    /// Sends IPv4 probes, one socket per sending thread: the kernel locks a
    /// raw socket for each send, so threads sharing one would take turns.
    /// `IPPROTO_RAW` sockets never receive, so these cost nothing on the
    /// way in.
    v4_senders: Vec<UdpSocket>,
    /// Sends and receives IPv6.
    v6: Option<UdpSocket>,
    /// Receive every ICMP and ICMPv6 message, for the errors that quote our
    /// probes. Optional: without them, a rejected port is still filtered,
    /// only with silence as its reason.
    icmp_v4: Option<UdpSocket>,
    icmp_v6: Option<UdpSocket>,
    pub(super) packets: Packets,
    /// Keeps the packets' source port bound, so no connection of the OS
    /// takes it.
    _reservation: Socket,
}

impl Prober {
    pub(super) fn open(hosts: &[IpAddr], senders: usize) -> io::Result<Prober> {
        let needs_v4 = hosts.iter().any(IpAddr::is_ipv4);
        let needs_v6 = hosts.iter().any(IpAddr::is_ipv6);
        let (reservation, source_port) = reserve_source_port(needs_v6)?;
        let mut sources = HashMap::new();
        for host in hosts {
            sources.insert(*host, source_address_for(*host)?);
        }
        Ok(Prober {
            v4: needs_v4.then(|| raw_tcp_socket(Domain::IPV4)).transpose()?,
            v4_senders: if needs_v4 {
                (0..senders.max(1))
                    .map(|_| raw_ipv4_sender())
                    .collect::<io::Result<_>>()?
            } else {
                Vec::new()
            },
            v6: needs_v6.then(|| raw_tcp_socket(Domain::IPV6)).transpose()?,
            icmp_v4: needs_v4.then(|| raw_icmp_listener(false).ok()).flatten(),
            icmp_v6: needs_v6.then(|| raw_icmp_listener(true).ok()).flatten(),
            packets: Packets::new(source_port, sources),
            _reservation: reservation,
        })
    }

    /// The socket TCP replies of the family arrive on.
    pub(super) fn tcp_socket(&self, v6: bool) -> Option<&UdpSocket> {
        if v6 {
            self.v6.as_ref()
        } else {
            self.v4.as_ref()
        }
    }

    /// The socket ICMP errors of the family arrive on.
    pub(super) fn icmp_socket(&self, v6: bool) -> Option<&UdpSocket> {
        if v6 {
            self.icmp_v6.as_ref()
        } else {
            self.icmp_v4.as_ref()
        }
    }

    /// Sends a batch of probes; returns the board indices of those a local
    /// firewall refused: they count as lost, stay pending, and are sent
    /// again next round. `sender` is the sending thread's number.
    pub(super) fn send_syns(
        &self,
        batch: &[Target],
        sender: usize,
        outbox: &mut Outbox,
    ) -> io::Result<Vec<usize>> {
        let mut refused = Vec::new();
        for v6 in [false, true] {
            let family: Vec<&Target> = batch.iter().filter(|t| t.host.is_ipv6() == v6).collect();
            if family.is_empty() {
                continue;
            }
            let probes: Vec<Probe> = family
                .iter()
                .map(|target| self.packets.probe(target.host, target.port))
                .collect();
            let datagrams: Vec<&[u8]> = probes.iter().map(Probe::bytes).collect();
            // Port 0: raw IPv6 sockets read a non-zero port as a protocol
            // number.
            let to: Vec<SocketAddr> = family.iter().map(|t| SocketAddr::new(t.host, 0)).collect();
            let socket = if v6 {
                self.v6.as_ref().expect("opened for every family scanned")
            } else {
                &self.v4_senders[sender % self.v4_senders.len()]
            };
            let lost = outbox.send(socket, &datagrams, &to)?;
            refused.extend(lost.into_iter().map(|position| family[position].index));
        }
        Ok(refused)
    }
}

/// A send-only raw IPv4 socket (`IPPROTO_RAW`: we write the IP header).
fn raw_ipv4_sender() -> io::Result<UdpSocket> {
    let socket = raw::nonblocking_socket(Domain::IPV4, socket2::Protocol::from(IPPROTO_RAW))?;
    Ok(UdpSocket::from(socket))
}

/// `IPPROTO_RAW` from `<netinet/in.h>`.
const IPPROTO_RAW: i32 = 255;

/// A raw socket that receives every ICMP (or ICMPv6) message.
fn raw_icmp_listener(v6: bool) -> io::Result<UdpSocket> {
    let (domain, protocol) = raw::icmp_family(v6);
    let socket = raw::nonblocking_socket(domain, protocol)?;
    // Best effort, as for the TCP socket.
    let _ = socket.set_recv_buffer_size(RECEIVE_BUFFER);
    Ok(UdpSocket::from(socket))
}

fn raw_tcp_socket(domain: Domain) -> io::Result<UdpSocket> {
    let socket = raw::nonblocking_socket(domain, socket2::Protocol::TCP)?;
    // Best effort: the kernel caps it at net.core.rmem_max.
    let _ = socket.set_recv_buffer_size(RECEIVE_BUFFER);
    Ok(UdpSocket::from(socket))
}
