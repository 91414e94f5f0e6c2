//! The SYN scan: half-open probes with raw packets. A SYN goes out; a
//! SYN/ACK back means open, a RST closed, an ICMP destination unreachable
//! quoting the probe filtered (with its type and code as the reason), and
//! silence after retries filtered too. The kernel answers the SYN/ACK with a
//! RST of its own, since no socket of its own made the connection, so no
//! handshake is ever completed.
//!
//! Packets are built and read with `pnet_packet`, and go through raw
//! sockets opened with socket2, in batches (`crate::batch`). Replies are
//! matched without per-probe state: each probe's sequence number is a keyed
//! hash of its target, and a reply counts only if it acknowledges that
//! number (or, for an ICMP error, quotes it).
//!
//! Linux only: BSD kernels never hand TCP replies to raw sockets, and
//! Windows cannot send TCP over them.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use pnet_packet::ip::IpNextHeaderProtocols;
use pnet_packet::ipv4::MutableIpv4Packet;
use pnet_packet::tcp::{TcpFlags, TcpPacket};
use portcullis_model::scan::{PortResult, PortState, Protocol, Reason, ScanEvent};
use socket2::{Domain, Socket};
use std::net::UdpSocket;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::batch::{BATCH, Inbox, Outbox};
use crate::job::ScanJob;
use crate::raw::{
    self, SYN_LENGTH, build_segment, ipv4_payload, reserve_source_port, source_address_for,
};
use crate::results::HostTally;
use crate::services::registered_name;
use crate::timing::{Pacer, RttEstimator, Timing};

/// Large enough that a burst of replies is not dropped before we read it.
const RECEIVE_BUFFER: usize = 16 << 20;

/// A reply to one of our probes: a segment that acknowledged it, or an ICMP
/// error that quotes it.
#[derive(Debug, Clone, Copy)]
struct Reply {
    /// The host probed (for an ICMP error, the one the quoted probe was
    /// sent to, whoever sent the error).
    from: IpAddr,
    port: u16,
    answer: Answer,
    at: Instant,
}

/// What came back for a probe; each decides the port at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
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
    fn state_and_reason(self) -> (PortState, Reason) {
        match self {
            Answer::SynAck => (PortState::Open, Reason::SynAck),
            Answer::Rst => (PortState::Closed, Reason::Rst),
            Answer::Unreachable { icmp_type, code } => {
                (PortState::Filtered, Reason::Icmp { icmp_type, code })
            }
        }
    }
}

/// What is known of each probe: index = host index * ports + port index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Pending,
    Answered(Answer),
}

/// The raw sockets, the probe key and where each target is reached from.
struct Prober {
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
    source_port: u16,
    sources: HashMap<IpAddr, IpAddr>,
    key: RandomState,
    /// Keeps `source_port` bound, so no connection of the OS takes it.
    _reservation: Socket,
}

/// Scans every port of every host; returns each host's tally, in the hosts'
/// order. Open ports are sent as events as soon as their SYN/ACK arrives.
///
/// The packets are sent and read by blocking threads (one per core for a
/// large round) that alternate between a burst of sends and draining what
/// has arrived, with sockets no event loop watches. On a fast link that matters more than anything else:
/// an async socket wakes the reactor on another core for every reply and
/// every sent buffer freed, and those cross-core wake-ups cost more than the
/// packets themselves (measured: 9.5 µs a probe through tokio, see
/// ARCHITECTURE.md).
pub(crate) async fn scan(job: ScanJob<'_>) -> io::Result<Vec<HostTally>> {
    let (found_tx, mut found) = mpsc::unbounded_channel();
    let wire = Wire {
        prober: Prober::open(job.hosts, sending_threads())?,
        board: Mutex::new(Board::new(job.hosts, job.ports, job.timing)),
        timing: *job.timing,
        cancel: job.cancel.clone(),
        probes_done: job.probes_done.clone(),
        list_every_port: job.list_every_port,
        found: found_tx,
    };
    let worker = tokio::task::spawn_blocking(move || wire.run());
    while let Some(port) = found.recv().await {
        job.events.send(ScanEvent::Port(port)).await;
    }
    let outcome = worker.await.map_err(io::Error::other)??;
    if outcome.refused > 0 {
        job.events
            .send(ScanEvent::Warning {
                message: format!(
                    "a firewall on this computer refused to send {} probes; they were retried, but ports may show as filtered because of it",
                    outcome.refused
                ),
            })
            .await;
    }
    if outcome.slowdowns > 0 {
        job.events
            .send(ScanEvent::Warning {
                message: format!(
                    "replies were lost, so the scan slowed down {} times; every unanswered probe was sent again",
                    outcome.slowdowns,
                ),
            })
            .await;
    }
    Ok(outcome.board.finish(&job).await)
}

/// Rounds beyond the profile's retries, sent only while the previous round
/// still found lost probes: on a lossy path the last few unanswered probes
/// are more likely lost than filtered, and an open port must never be
/// missed for want of one more try. A filtered host answers no
/// retransmission, so it never gets these.
const EXTRA_ROUNDS_UNDER_LOSS: u8 = 4;

/// Below this many probes a round, one sending thread is enough.
const PROBES_PER_EXTRA_SENDER: usize = 4096;

/// One sending thread per core, up to four.
fn sending_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// The state the sending threads share.
struct Wire {
    prober: Prober,
    board: Mutex<Board>,
    timing: Timing,
    cancel: CancellationToken,
    probes_done: Arc<AtomicU64>,
    list_every_port: bool,
    /// Port results for the async side to pass on as events.
    found: mpsc::UnboundedSender<PortResult>,
}

struct Outcome {
    board: Board,
    refused: u64,
    slowdowns: u32,
}

impl Wire {
    /// Sends every round and waits for its replies. A large round is split
    /// between one thread per core: on a fast link each send costs mostly
    /// the kernel's work of carrying the packet (and, on a local network,
    /// the reply) through the stack, which runs on the sending core.
    fn run(self) -> io::Result<Outcome> {
        let senders = sending_threads();
        let mut refused = 0u64;
        let mut inbox = Inbox::new();
        for attempt in 0..=self.timing.retries + EXTRA_ROUNDS_UNDER_LOSS {
            let targets = self.board().pending_targets();
            if targets.is_empty() || self.cancel.is_cancelled() {
                break;
            }
            if attempt > self.timing.retries && !self.board().loss_seen_last_round() {
                break;
            }
            self.board().start_round();
            let round_started = Instant::now();
            let probes = targets.len();
            let threads = (probes / PROBES_PER_EXTRA_SENDER).clamp(1, senders);
            let share = probes.div_ceil(threads);
            refused += std::thread::scope(|scope| {
                let workers: Vec<_> = targets
                    .chunks(share)
                    .enumerate()
                    .map(|(sender, part)| {
                        let wire = &self;
                        scope.spawn(move || wire.send_all(part, sender))
                    })
                    .collect();
                workers
                    .into_iter()
                    .map(|worker| worker.join().expect("a sending thread panicked"))
                    .sum::<io::Result<u64>>()
            })?;
            let sent_in = round_started.elapsed();
            // Wait for the stragglers, but not for answers already in.
            let backoff = 1u32 << attempt.min(4);
            let deadline = Instant::now() + self.board().longest_timeout() * backoff;
            loop {
                self.drain(&mut inbox);
                let now = Instant::now();
                if self.board().outstanding == 0 || now >= deadline || self.cancel.is_cancelled() {
                    break;
                }
                std::thread::sleep((deadline - now).min(Duration::from_millis(1)));
            }
            let (unanswered, rate) = {
                let board = self.board();
                (board.outstanding, board.pacer.rate())
            };
            tracing::debug!(
                attempt,
                probes,
                threads,
                ?sent_in,
                waited = ?round_started.elapsed() - sent_in,
                unanswered,
                rate = ?rate,
                "SYN round done"
            );
        }
        let board = self
            .board
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        Ok(Outcome {
            slowdowns: board.pacer.cuts(),
            board,
            refused,
        })
    }

    fn board(&self) -> MutexGuard<'_, Board> {
        self.board.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// One thread's share of a round, sent in batches, with the replies read
    /// after each; returns the probes a local firewall refused.
    ///
    /// The board's lock is taken once a batch to pace it and once to mark
    /// it sent, not once a probe: with a thread per core sending at full
    /// speed, a lock per probe had the threads queueing for it.
    fn send_all(&self, targets: &[Target], sender: usize) -> io::Result<u64> {
        let mut inbox = Inbox::new();
        let mut outbox = Outbox::new();
        let mut refused = 0;
        let mut rest = targets;
        while !rest.is_empty() && !self.cancel.is_cancelled() {
            let (size, delay) = {
                let mut board = self.board();
                let size = board.pacer.batch(BATCH.min(rest.len()));
                (size, board.pacer.delay_for(size))
            };
            if !delay.is_zero() {
                self.drain(&mut inbox);
                std::thread::sleep(delay);
            }
            let (batch, after) = rest.split_at(size);
            rest = after;
            // Marked before they go: a reply can be read by another thread
            // before this one returns from sending.
            self.board()
                .launched(batch.iter().map(|target| target.index));
            let lost = self.prober.send_syns(batch, sender, &mut outbox)?;
            if !lost.is_empty() {
                let mut board = self.board();
                for index in &lost {
                    board.unlaunched(*index);
                }
                refused += lost.len() as u64;
            }
            self.drain(&mut inbox);
        }
        Ok(refused)
    }

    /// Reads every reply waiting on the sockets, without blocking.
    fn drain(&self, inbox: &mut Inbox) {
        let mut replies = Vec::new();
        for v6 in [false, true] {
            if let Some(socket) = self.prober.icmp_socket(v6) {
                inbox.drain(socket, |_, message| {
                    replies.extend(self.prober.match_unreachable(message, v6));
                });
            }
            let Some(socket) = self.prober.tcp_socket(v6) else {
                continue;
            };
            inbox.drain(socket, |from, datagram| {
                // A raw IPv6 socket hands over the TCP segment alone; an
                // IPv4 one, the whole datagram with its header.
                let parsed = if v6 {
                    from.map(|from| (from, datagram))
                } else {
                    ipv4_payload(datagram)
                };
                if let Some(reply) =
                    parsed.and_then(|(from, tcp)| self.prober.match_reply(from, tcp))
                {
                    replies.push(reply);
                }
            });
        }
        if replies.is_empty() {
            return;
        }
        let mut decided = 0;
        let mut reported = Vec::new();
        {
            let mut board = self.board();
            for reply in replies {
                let Some(decision) = board.absorb(reply) else {
                    continue;
                };
                decided += 1;
                if decision.reply.answer == Answer::SynAck || self.list_every_port {
                    reported.push(decision);
                }
            }
        }
        self.probes_done.fetch_add(decided, Ordering::Relaxed);
        for decision in reported {
            let _ = self.found.send(decision.into_result());
        }
    }
}

/// A reply that decided its port, and the round trip it measured.
struct Decided {
    reply: Reply,
    rtt: Option<Duration>,
}

impl Decided {
    /// The port's result. Made only for the ports reported one by one (open
    /// ones, usually), outside the board's lock: a full scan decides tens
    /// of thousands of closed ports that need no name.
    fn into_result(self) -> PortResult {
        let (state, reason) = self.reply.answer.state_and_reason();
        PortResult {
            address: self.reply.from,
            port: self.reply.port,
            protocol: Protocol::Tcp,
            state,
            reason,
            rtt_micros: self.rtt.map(|d| d.as_micros() as u64),
            service: registered_name(self.reply.port, Protocol::Tcp),
            identity: None,
            posture: None,
        }
    }
}

/// One probe's bytes, ready for its socket.
struct Probe {
    buffer: [u8; IPV4_HEADER + SYN_LENGTH],
    length: usize,
}

impl Probe {
    fn bytes(&self) -> &[u8] {
        &self.buffer[..self.length]
    }
}

/// A probe to send: where, and its place on the board.
#[derive(Debug, Clone, Copy)]
struct Target {
    index: usize,
    host: IpAddr,
    port: u16,
}

impl Prober {
    fn open(hosts: &[IpAddr], senders: usize) -> io::Result<Prober> {
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
            source_port,
            sources,
            key: RandomState::new(),
            _reservation: reservation,
        })
    }

    /// The socket TCP replies of the family arrive on.
    fn tcp_socket(&self, v6: bool) -> Option<&UdpSocket> {
        if v6 {
            self.v6.as_ref()
        } else {
            self.v4.as_ref()
        }
    }

    /// The socket ICMP errors of the family arrive on.
    fn icmp_socket(&self, v6: bool) -> Option<&UdpSocket> {
        if v6 {
            self.icmp_v6.as_ref()
        } else {
            self.icmp_v4.as_ref()
        }
    }

    /// The sequence number of the probe to `host:port`.
    fn sequence(&self, host: IpAddr, port: u16) -> u32 {
        self.key.hash_one((host, port, self.source_port)) as u32
    }

    /// Sends a batch of probes; returns the board indices of those a local
    /// firewall refused: they count as lost, stay pending, and are sent
    /// again next round. `sender` is the sending thread's number.
    fn send_syns(
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
                .map(|target| self.probe(target.host, target.port))
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

    /// The SYN to `host:port` as its socket takes it: with our IPv4 header
    /// for the send-only IPv4 sockets, the bare segment for IPv6.
    fn probe(&self, host: IpAddr, port: u16) -> Probe {
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

    fn match_reply(&self, from: IpAddr, tcp_bytes: &[u8]) -> Option<Reply> {
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
    fn match_unreachable(&self, message: &[u8], v6: bool) -> Option<Reply> {
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

/// The scan's state: a verdict and a send time per probe, RTTs per host.
struct Board {
    hosts: Vec<IpAddr>,
    host_index: HashMap<IpAddr, usize>,
    ports: Vec<u16>,
    /// Port number to its index in `ports`, `u32::MAX` when not scanned.
    port_index: Vec<u32>,
    verdicts: Vec<Verdict>,
    sent_at: Vec<Option<Instant>>,
    rtt: Vec<RttEstimator>,
    /// When each probe was sent the time before, `None` before its first
    /// retransmission: a retransmitted probe's answer means that earlier
    /// copy was lost, and when it was sent tells the pacer whether the loss
    /// is news.
    previously_sent_at: Vec<Option<Instant>>,
    /// Probes of the current round still unanswered.
    outstanding: usize,
    /// Retransmitted probes answered in the current round: evidence of
    /// loss.
    recovered_this_round: usize,
    /// The sending rate, lowered when replies are lost. Here, under the
    /// board's lock, because every sending thread must obey one rate.
    pacer: Pacer,
}

impl Board {
    fn new(hosts: &[IpAddr], ports: &[u16], timing: &Timing) -> Board {
        let mut port_index = vec![u32::MAX; usize::from(u16::MAX) + 1];
        for (index, port) in ports.iter().enumerate() {
            port_index[usize::from(*port)] = index as u32;
        }
        let probes = hosts.len() * ports.len();
        Board {
            hosts: hosts.to_vec(),
            host_index: hosts.iter().enumerate().map(|(i, h)| (*h, i)).collect(),
            ports: ports.to_vec(),
            port_index,
            verdicts: vec![Verdict::Pending; probes],
            sent_at: vec![None; probes],
            previously_sent_at: vec![None; probes],
            rtt: hosts.iter().map(|_| RttEstimator::new(timing)).collect(),
            outstanding: 0,
            recovered_this_round: 0,
            pacer: Pacer::new(timing),
        }
    }

    fn target(&self, index: usize) -> (IpAddr, u16) {
        (
            self.hosts[index / self.ports.len()],
            self.ports[index % self.ports.len()],
        )
    }

    /// Undecided probes, port-major so each host's probes are spread out.
    fn pending_targets(&self) -> Vec<Target> {
        let (hosts, ports) = (self.hosts.len(), self.ports.len());
        (0..ports)
            .flat_map(|port| (0..hosts).map(move |host| host * ports + port))
            .filter(|index| self.verdicts[*index] == Verdict::Pending)
            .map(|index| {
                let (host, port) = self.target(index);
                Target { index, host, port }
            })
            .collect()
    }

    /// Whether the round that just ended answered any retransmission.
    fn loss_seen_last_round(&self) -> bool {
        self.recovered_this_round > 0
    }

    fn start_round(&mut self) {
        self.outstanding = 0;
        self.recovered_this_round = 0;
        self.pacer.start_round();
    }

    /// Notes that these probes are going out now.
    fn launched(&mut self, indices: impl Iterator<Item = usize>) {
        let now = Instant::now();
        for index in indices {
            self.previously_sent_at[index] = self.sent_at[index];
            self.sent_at[index] = Some(now);
            self.outstanding += 1;
        }
    }

    /// Takes back `launched` for a probe that could not be sent.
    fn unlaunched(&mut self, index: usize) {
        self.sent_at[index] = self.previously_sent_at[index].take();
        self.outstanding = self.outstanding.saturating_sub(1);
    }

    fn longest_timeout(&self) -> Duration {
        self.rtt
            .iter()
            .map(RttEstimator::timeout)
            .max()
            .unwrap_or(Duration::from_secs(1))
    }

    /// Records a reply; `None` when it decides nothing new (a duplicate, or
    /// a port or host not scanned).
    fn absorb(&mut self, reply: Reply) -> Option<Decided> {
        let host = *self.host_index.get(&reply.from)?;
        let port = self.port_index[usize::from(reply.port)];
        if port == u32::MAX {
            return None;
        }
        let index = host * self.ports.len() + port as usize;
        if self.verdicts[index] != Verdict::Pending {
            return None;
        }
        let lost_copy_sent_at = self.previously_sent_at[index];
        let retransmitted = lost_copy_sent_at.is_some();
        let rtt = self.sent_at[index].map(|sent| reply.at.saturating_duration_since(sent));
        // Karn's rule: a retransmitted probe's answer may belong to either
        // copy, so it says nothing reliable about the round trip.
        if let Some(rtt) = rtt
            && !retransmitted
        {
            self.rtt[host].observe(rtt);
        }
        self.verdicts[index] = Verdict::Answered(reply.answer);
        self.outstanding = self.outstanding.saturating_sub(1);
        match lost_copy_sent_at {
            Some(sent_at) => {
                self.recovered_this_round += 1;
                self.pacer.on_loss(sent_at);
            }
            None => self.pacer.on_answer(),
        }
        Some(Decided { reply, rtt })
    }

    /// Tallies every host; probes still pending are filtered (unless the
    /// scan was cancelled, when they are left out: the result is partial).
    async fn finish(self, job: &ScanJob<'_>) -> Vec<HostTally> {
        let cancelled = job.cancel.is_cancelled();
        let mut tallies: Vec<HostTally> = self.hosts.iter().map(|h| HostTally::new(*h)).collect();
        for (index, verdict) in self.verdicts.iter().enumerate() {
            let host = index / self.ports.len();
            let (state, reason) = match verdict {
                Verdict::Answered(answer) => answer.state_and_reason(),
                Verdict::Pending if cancelled => continue,
                Verdict::Pending => (PortState::Filtered, Reason::NoResponse),
            };
            tallies[host].record(Protocol::Tcp, state, reason);
            if *verdict == Verdict::Pending {
                job.probes_done.fetch_add(1, Ordering::Relaxed);
                if job.list_every_port {
                    let (address, port) = self.target(index);
                    job.events
                        .send(ScanEvent::Port(PortResult {
                            address,
                            port,
                            protocol: Protocol::Tcp,
                            state,
                            reason,
                            rtt_micros: None,
                            service: registered_name(port, Protocol::Tcp),
                            identity: None,
                            posture: None,
                        }))
                        .await;
                }
            }
        }
        tallies
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv6Addr;

    use pnet_packet::tcp::{self, MutableTcpPacket};
    use socket2::Type;

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

    /// A prober with no sockets, for matching bytes built by hand.
    fn offline_prober() -> Prober {
        Prober {
            v4: None,
            v4_senders: Vec::new(),
            v6: None,
            icmp_v4: None,
            icmp_v6: None,
            source_port: 40000,
            sources: HashMap::new(),
            key: RandomState::new(),
            _reservation: Socket::new(Domain::IPV4, Type::STREAM, None).unwrap(),
        }
    }

    #[test]
    fn only_replies_that_acknowledge_our_probe_count() {
        let prober = offline_prober();
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
        let good_ack = prober.sequence(from, 443).wrapping_add(1);
        let syn_ack = reply(TcpFlags::SYN | TcpFlags::ACK, good_ack, 40000);
        assert_eq!(
            prober.match_reply(from, &syn_ack).unwrap().answer,
            Answer::SynAck
        );
        let rst = reply(TcpFlags::RST | TcpFlags::ACK, good_ack, 40000);
        assert_eq!(prober.match_reply(from, &rst).unwrap().answer, Answer::Rst);
        let forged = reply(
            TcpFlags::SYN | TcpFlags::ACK,
            good_ack.wrapping_add(7),
            40000,
        );
        assert!(prober.match_reply(from, &forged).is_none());
        let other_port = reply(TcpFlags::SYN | TcpFlags::ACK, good_ack, 40001);
        assert!(prober.match_reply(from, &other_port).is_none());
        assert!(
            prober.match_reply(from, &[0u8; 8]).is_none(),
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
        let prober = offline_prober();
        let target: Ipv4Addr = "198.18.0.30".parse().unwrap();
        let router: Ipv4Addr = "198.18.0.254".parse().unwrap();
        let sequence = prober.sequence(IpAddr::V4(target), 9999);
        let prohibited = icmp_error(router, (3, 13), target, 40000, 9999, sequence);
        let reply = prober.match_unreachable(&prohibited, false).unwrap();
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
        assert!(prober.match_unreachable(&port_unreachable, false).is_some());
        // Not about filtering: fragmentation needed.
        let too_big = icmp_error(router, (3, 4), target, 40000, 9999, sequence);
        assert!(prober.match_unreachable(&too_big, false).is_none());
        // Not our probe: another source port, another sequence number.
        let other_port = icmp_error(router, (3, 13), target, 40001, 9999, sequence);
        assert!(prober.match_unreachable(&other_port, false).is_none());
        let forged = icmp_error(router, (3, 13), target, 40000, 9999, sequence ^ 1);
        assert!(prober.match_unreachable(&forged, false).is_none());
        assert!(
            prober.match_unreachable(&prohibited[..40], false).is_none(),
            "a quote cut short is ignored"
        );
    }

    #[test]
    fn an_icmpv6_unreachable_quoting_our_probe_counts_too() {
        let prober = offline_prober();
        let target: Ipv6Addr = "2001:db8::10".parse().unwrap();
        let sequence = prober.sequence(IpAddr::V6(target), 8443);
        let mut message = vec![1, 1, 0, 0, 0, 0, 0, 0];
        let mut quote = [0u8; IPV6_HEADER + 8];
        quote[0] = 0x60;
        quote[6] = TCP_PROTOCOL;
        quote[24..40].copy_from_slice(&target.octets());
        quote[40..42].copy_from_slice(&40000u16.to_be_bytes());
        quote[42..44].copy_from_slice(&8443u16.to_be_bytes());
        quote[44..48].copy_from_slice(&sequence.to_be_bytes());
        message.extend(quote);
        let reply = prober.match_unreachable(&message, true).unwrap();
        assert_eq!((reply.from, reply.port), (IpAddr::V6(target), 8443));
        message[0] = 3; // time exceeded: not a verdict on the port
        assert!(prober.match_unreachable(&message, true).is_none());
    }
}
