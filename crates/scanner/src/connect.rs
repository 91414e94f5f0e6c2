//! Scans through the OS's own sockets, needing no privilege and working
//! everywhere:
//! - TCP connect: a full handshake per port; connected means open, refused
//!   closed, silence filtered.
//! - UDP: a connected UDP socket sends the protocol's probe
//!   ([`crate::udp_payloads`]); an answer means open, ECONNREFUSED (the
//!   kernel's report of an ICMP port unreachable) closed, silence
//!   open|filtered, since UDP services may ignore what they cannot parse.
//!
//! Concurrency is bounded by a semaphore sized to the file descriptors the
//! process may open, so "too many open files" cannot happen; unanswered
//! ports are tried again in later rounds with a timeout adapted to each
//! host's measured round-trip time.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portcullis_model::scan::{PortResult, PortState, Protocol, Reason, ScanEvent};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::job::{EventSink, ScanJob};
use crate::results::HostTally;
use crate::services::registered_name;
use crate::timing::{Pacer, RttEstimator};

/// File descriptors kept free for everything else the process does.
const RESERVED_DESCRIPTORS: u64 = 128;

/// How long a probe that failed for a local reason (no free ephemeral
/// port, say) keeps trying before it is given up and reported.
const LOCAL_ERROR_PATIENCE: Duration = Duration::from_secs(5);

/// What one connection attempt learned.
#[derive(Debug)]
enum Outcome {
    /// Connected (TCP) or answered (UDP).
    Open(Duration),
    /// Refused: a RST (TCP) or an ICMP port unreachable (UDP).
    Closed(Duration),
    /// An ICMP unreachable came back (the kernel reports it as an error).
    Unreachable,
    NoAnswer,
    /// The attempt failed here, not on the network; says nothing about the
    /// port.
    LocalError(io::Error),
}

/// State shared by the probe tasks of one scan.
struct Shared {
    rtt: Mutex<HashMap<IpAddr, RttEstimator>>,
    tallies: Mutex<HashMap<IpAddr, HostTally>>,
    retry: Mutex<Vec<SocketAddr>>,
    /// Some port could not be probed at all: the result is incomplete.
    gave_up: AtomicBool,
    /// The sending rate, halved when a retried port answers: its first try
    /// or the answer was lost, or (UDP) the host's ICMP rate limit held back
    /// the "port unreachable".
    pacer: Mutex<Pacer>,
}

impl Shared {
    fn timeout_for(&self, host: IpAddr) -> Duration {
        let rtt = self.rtt.lock().expect("rtt lock");
        rtt.get(&host)
            .map_or(Duration::from_secs(1), |r| r.timeout())
    }

    fn observe(&self, host: IpAddr, sample: Duration) {
        if let Some(estimator) = self.rtt.lock().expect("rtt lock").get_mut(&host) {
            estimator.observe(sample);
        }
    }

    fn tally(&self, host: IpAddr, protocol: Protocol, state: PortState, reason: Reason) {
        if let Some(tally) = self.tallies.lock().expect("tally lock").get_mut(&host) {
            tally.record(protocol, state, reason);
        }
    }
}

/// Scans every port of every host; returns each host's tally, in the hosts'
/// order. Open ports are sent as events the moment they are found.
pub(crate) async fn scan(protocol: Protocol, job: ScanJob<'_>) -> Vec<HostTally> {
    let shared = Arc::new(Shared {
        rtt: Mutex::new(
            job.hosts
                .iter()
                .map(|h| (*h, RttEstimator::new(job.timing)))
                .collect(),
        ),
        tallies: Mutex::new(job.hosts.iter().map(|h| (*h, HostTally::new(*h))).collect()),
        retry: Mutex::new(Vec::new()),
        gave_up: AtomicBool::new(false),
        pacer: Mutex::new(Pacer::new(job.timing)),
    });
    let permits = Arc::new(Semaphore::new(descriptor_budget(job.timing.max_in_flight)));

    // Port-major order spreads each host's load over the whole scan.
    let mut pending: Vec<SocketAddr> = job
        .ports
        .iter()
        .flat_map(|port| {
            job.hosts
                .iter()
                .map(move |host| SocketAddr::new(*host, *port))
        })
        .collect();
    let mut previous_round_started = None;
    for attempt in 0..=job.timing.retries {
        let last_attempt = attempt == job.timing.retries;
        let round_started = Instant::now();
        shared.pacer.lock().expect("pacer lock").start_round();
        let round = Round {
            protocol,
            shared: &shared,
            permits: &permits,
            previous_round_started,
            job: &job,
            last_attempt,
            backoff: 1 << attempt.min(4),
        };
        round.run(pending).await;
        previous_round_started = Some(round_started);
        pending = std::mem::take(&mut *shared.retry.lock().expect("retry lock"));
        if pending.is_empty() || job.cancel.is_cancelled() {
            break;
        }
    }
    if shared.gave_up.load(Ordering::Relaxed) {
        job.events
            .send(ScanEvent::Warning {
                message: "some ports could not be probed because of local errors; the result is incomplete".into(),
            })
            .await;
    }
    let mut tallies = std::mem::take(&mut *shared.tallies.lock().expect("tally lock"));
    job.hosts
        .iter()
        .filter_map(|host| tallies.remove(host))
        .collect()
}

/// One pass over the ports still undecided.
struct Round<'a, 'job> {
    protocol: Protocol,
    shared: &'a Arc<Shared>,
    permits: &'a Arc<Semaphore>,
    /// When the round before began: a port that answers now was sent to
    /// then, in vain.
    previous_round_started: Option<Instant>,
    job: &'a ScanJob<'job>,
    last_attempt: bool,
    /// Each retry waits twice as long as the attempt before, as TCP does:
    /// an answer that missed the first timeout was slow, not absent.
    backoff: u32,
}

impl Round<'_, '_> {
    async fn run(self, targets: Vec<SocketAddr>) {
        let mut tasks = JoinSet::new();
        for target in targets {
            let delay = self
                .shared
                .pacer
                .lock()
                .expect("pacer lock")
                .delay_for_next();
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            let permit = tokio::select! {
                permit = self.permits.clone().acquire_owned() => permit.expect("never closed"),
                _ = self.job.cancel.cancelled() => break,
            };
            let probe = Probe {
                protocol: self.protocol,
                target,
                shared: self.shared.clone(),
                events: self.job.events.clone(),
                cancel: self.job.cancel.clone(),
                probes_done: self.job.probes_done.clone(),
                last_attempt: self.last_attempt,
                backoff: self.backoff,
                previous_round_started: self.previous_round_started,
                list_every_port: self.job.list_every_port,
            };
            tasks.spawn(async move {
                probe.run().await;
                drop(permit);
            });
            // Reap finished tasks as we go so the set stays small.
            while tasks.try_join_next().is_some() {}
        }
        while tasks.join_next().await.is_some() {}
    }
}

/// One port's probe task.
struct Probe {
    protocol: Protocol,
    target: SocketAddr,
    shared: Arc<Shared>,
    events: EventSink,
    cancel: CancellationToken,
    probes_done: Arc<AtomicU64>,
    last_attempt: bool,
    backoff: u32,
    previous_round_started: Option<Instant>,
    list_every_port: bool,
}

impl Probe {
    async fn run(self) {
        let host = self.target.ip();
        let timeout = answer_wait(self.protocol, self.shared.timeout_for(host)) * self.backoff;
        let outcome = tokio::select! {
            outcome = probe_patiently(self.protocol, self.target, timeout) => outcome,
            _ = self.cancel.cancelled() => return,
        };
        let rtt = match &outcome {
            Outcome::Open(rtt) | Outcome::Closed(rtt) => {
                self.shared.observe(host, *rtt);
                let mut pacer = self.shared.pacer.lock().expect("pacer lock");
                match self.previous_round_started {
                    Some(lost_copy_sent_at) => pacer.on_loss(lost_copy_sent_at),
                    None => pacer.on_answer(),
                }
                Some(*rtt)
            }
            _ => None,
        };
        let (state, reason) = match (outcome, self.protocol) {
            (Outcome::Open(_), Protocol::Tcp) => (PortState::Open, Reason::Connected),
            (Outcome::Open(_), Protocol::Udp) => (PortState::Open, Reason::UdpResponse),
            (Outcome::Closed(_), Protocol::Tcp) => (PortState::Closed, Reason::Rst),
            (Outcome::Closed(_), Protocol::Udp) => (PortState::Closed, PORT_UNREACHABLE),
            (Outcome::Unreachable, _) => (PortState::Filtered, Reason::HostUnreachable),
            (Outcome::NoAnswer, _) if !self.last_attempt => {
                self.shared
                    .retry
                    .lock()
                    .expect("retry lock")
                    .push(self.target);
                return;
            }
            (Outcome::NoAnswer, Protocol::Tcp) => (PortState::Filtered, Reason::NoResponse),
            (Outcome::NoAnswer, Protocol::Udp) => (PortState::OpenFiltered, Reason::NoResponse),
            (Outcome::LocalError(_), _) => {
                self.shared.gave_up.store(true, Ordering::Relaxed);
                self.probes_done.fetch_add(1, Ordering::Relaxed);
                return;
            }
        };
        self.shared.tally(host, self.protocol, state, reason);
        self.probes_done.fetch_add(1, Ordering::Relaxed);
        if state == PortState::Open || self.list_every_port {
            self.events
                .send(ScanEvent::Port(PortResult {
                    address: host,
                    port: self.target.port(),
                    protocol: self.protocol,
                    state,
                    reason,
                    rtt_micros: rtt.map(|d| d.as_micros() as u64),
                    service: registered_name(self.target.port(), self.protocol),
                    identity: None,
                    posture: None,
                }))
                .await;
        }
    }
}

/// The least a UDP probe waits for its answer.
///
/// The round trips that set `rtt_timeout` are mostly the kernel's: a "port
/// unreachable" or a TCP reset leaves at once. A UDP answer comes from a
/// program that must be scheduled, parse the request and reply, which on a
/// busy host takes tens of milliseconds more; waiting only the kernel's time
/// turned a listening snmpd into "open|filtered" on a loaded 2-core machine.
const UDP_ANSWER_FLOOR: Duration = Duration::from_millis(250);

/// How long one try of a probe waits, before the retry back-off.
fn answer_wait(protocol: Protocol, rtt_timeout: Duration) -> Duration {
    match protocol {
        Protocol::Tcp => rtt_timeout,
        Protocol::Udp => rtt_timeout.max(UDP_ANSWER_FLOOR),
    }
}

/// What the kernel reports for a UDP port an ICMP port unreachable closed.
const PORT_UNREACHABLE: Reason = Reason::Icmp {
    icmp_type: 3,
    code: 3,
};

/// Probes once, retrying local failures (descriptor or ephemeral-port
/// exhaustion under load) with a short back-off, since they say nothing
/// about the target.
async fn probe_patiently(protocol: Protocol, target: SocketAddr, timeout: Duration) -> Outcome {
    let started = Instant::now();
    let mut backoff = Duration::from_millis(5);
    loop {
        let outcome = match protocol {
            Protocol::Tcp => tcp_once(target, timeout).await,
            Protocol::Udp => udp_once(target, timeout).await,
        };
        match outcome {
            Outcome::LocalError(error) if started.elapsed() < LOCAL_ERROR_PATIENCE => {
                tracing::debug!(%target, %error, "local error, retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_millis(200));
            }
            outcome => return outcome,
        }
    }
}

/// Sends the port's probe from a connected UDP socket and waits for an
/// answer or the kernel's report of an ICMP error. At most 512 bytes of the
/// answer are read: that it came is all this scan needs.
async fn udp_once(target: SocketAddr, timeout: Duration) -> Outcome {
    let local: SocketAddr = if target.is_ipv4() {
        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let socket = match UdpSocket::bind(local).await {
        Ok(socket) => socket,
        Err(error) => return Outcome::LocalError(error),
    };
    if let Err(error) = socket.connect(target).await {
        return classify_error(error, Duration::ZERO);
    }
    let started = Instant::now();
    for payload in crate::udp_payloads::payloads_for(target.port()) {
        if let Err(error) = socket.send(&payload).await {
            return classify_error(error, started.elapsed());
        }
    }
    let mut answer = [0u8; 512];
    match tokio::time::timeout(timeout, socket.recv(&mut answer)).await {
        Ok(Ok(_)) => Outcome::Open(started.elapsed()),
        Ok(Err(error)) => classify_error(error, started.elapsed()),
        Err(_) => Outcome::NoAnswer,
    }
}

async fn tcp_once(target: SocketAddr, timeout: Duration) -> Outcome {
    let started = Instant::now();
    match tokio::time::timeout(timeout, TcpStream::connect(target)).await {
        Ok(Ok(stream)) if is_self_connection(&stream) => {
            // On loopback the kernel may pick the target port itself as the
            // ephemeral source port and "connect" the socket to itself
            // (TCP simultaneous open). Nothing listens there: closed.
            Outcome::Closed(started.elapsed())
        }
        Ok(Ok(stream)) => {
            let rtt = started.elapsed();
            // Reset rather than close: no FIN handshake, no TIME_WAIT
            // socket left behind for each open port.
            let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
            Outcome::Open(rtt)
        }
        Ok(Err(error)) => classify_error(error, started.elapsed()),
        Err(_) => Outcome::NoAnswer,
    }
}

fn is_self_connection(stream: &TcpStream) -> bool {
    matches!((stream.local_addr(), stream.peer_addr()), (Ok(local), Ok(peer)) if local == peer)
}

fn classify_error(error: io::Error, elapsed: Duration) -> Outcome {
    match error.kind() {
        io::ErrorKind::ConnectionRefused => Outcome::Closed(elapsed),
        io::ErrorKind::HostUnreachable | io::ErrorKind::NetworkUnreachable => Outcome::Unreachable,
        io::ErrorKind::TimedOut => Outcome::NoAnswer,
        _ => Outcome::LocalError(error),
    }
}

/// How many connections may be open at once: what the profile asks, within
/// what the OS allows this process (raised to its hard limit first).
fn descriptor_budget(wanted: usize) -> usize {
    #[cfg(unix)]
    {
        let soft = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
        let available = soft.saturating_sub(RESERVED_DESCRIPTORS).max(16);
        wanted
            .min(usize::try_from(available).unwrap_or(usize::MAX))
            .max(1)
    }
    #[cfg(not(unix))]
    {
        let _ = RESERVED_DESCRIPTORS;
        wanted.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn udp_waits_for_a_program_to_answer_tcp_for_the_kernel() {
        let kernel_fast = Duration::from_millis(50);
        assert_eq!(answer_wait(Protocol::Tcp, kernel_fast), kernel_fast);
        assert_eq!(answer_wait(Protocol::Udp, kernel_fast), UDP_ANSWER_FLOOR);
        let slow_link = Duration::from_millis(900);
        assert_eq!(answer_wait(Protocol::Udp, slow_link), slow_link);
    }

    #[test]
    fn refused_is_closed_and_unreachable_is_filtered() {
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert!(matches!(
            classify_error(refused, Duration::ZERO),
            Outcome::Closed(_)
        ));
        let unreachable = io::Error::from(io::ErrorKind::HostUnreachable);
        assert!(matches!(
            classify_error(unreachable, Duration::ZERO),
            Outcome::Unreachable
        ));
        let exhausted = io::Error::from(io::ErrorKind::AddrNotAvailable);
        assert!(matches!(
            classify_error(exhausted, Duration::ZERO),
            Outcome::LocalError(_)
        ));
    }

    #[test]
    fn the_budget_never_exceeds_the_descriptor_limit() {
        let budget = descriptor_budget(usize::MAX);
        #[cfg(unix)]
        {
            let (soft, _) = rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap();
            assert!((budget as u64) < soft, "{budget} >= {soft}");
        }
        assert!(budget >= 1);
    }
}
