//! The engine's hook: identification runs inside the scan's event stream.
//!
//! The relay sits between the scan and its reader. Every event passes
//! through unchanged; each open port (TCP, and UDP 53/123/161) starts its
//! identification at once, while the scan goes on, and its report follows
//! as a `Service` event. The scan's `Finished` is held until every
//! identification is done (or the scan is cancelled), and its elapsed time
//! then covers identification too.
//!
//! A UDP 53/123/161 port the scan left open|filtered is identified too, as
//! nmap -sV does: the scan's one probe may be one the service ignores (an
//! SNMP agent drops a request for a community it does not know, without a
//! word), while identification asks in every way it knows (SNMPv3
//! discovery needs no community). Its `Port` event is held meanwhile: a
//! port that answers is reported open (reason udp-response) with its
//! `Service`, one that does not is reported open|filtered as the scan said.
//! The host's `HostDone` waits for its held ports, and its counts say what
//! they became.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use portcullis_model::scan::{
    HostDone, PortCount, PortResult, PortState, Protocol, Reason, ScanEvent,
};
use portcullis_model::service::ServiceReport;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::{IdentifyOptions, IdentifyTarget, Pool};
use crate::targets::Target;

/// Wraps the scan's event stream: returns the stream the reader sees.
pub(crate) fn relay(
    mut upstream: mpsc::Receiver<ScanEvent>,
    targets: &[Target],
    options: IdentifyOptions,
    cancel: CancellationToken,
) -> mpsc::Receiver<ScanEvent> {
    let names: HashMap<IpAddr, String> = targets
        .iter()
        .filter_map(|t| t.name.clone().map(|name| (t.address, name)))
        .collect();
    let (sender, receiver) = mpsc::channel(4096);
    tokio::spawn(async move {
        let pool = Pool::new(&options);
        let mut tasks = JoinSet::new();
        let (resolved_sender, mut resolved) = mpsc::channel::<ServiceReport>(256);
        let mut held = Held::default();
        let mut rtts = Rtts::default();
        let mut finished = None;
        let mut upstream_open = true;
        while upstream_open || held.waiting() {
            let event = tokio::select! {
                event = upstream.recv(), if upstream_open => event,
                Some(report) = resolved.recv() => {
                    if forward(&sender, held.resolve(report)).await.is_err() {
                        cancel.cancel();
                    }
                    continue;
                }
                _ = cancel.cancelled() => break,
            };
            let Some(event) = event else {
                upstream_open = false;
                continue;
            };
            if let ScanEvent::Port(port) = &event {
                rtts.learn(port);
            }
            let outgoing = match event {
                ScanEvent::Port(port) if is_identified(&port, PortState::Open) => {
                    pool.spawn(
                        &mut tasks,
                        target(&port, &names, &rtts),
                        sender.clone(),
                        |report| ScanEvent::Service(Box::new(report)),
                        cancel.clone(),
                    );
                    vec![ScanEvent::Port(port)]
                }
                ScanEvent::Port(port) if is_identified(&port, PortState::OpenFiltered) => {
                    pool.spawn(
                        &mut tasks,
                        target(&port, &names, &rtts),
                        resolved_sender.clone(),
                        std::convert::identity,
                        cancel.clone(),
                    );
                    held.hold(port);
                    Vec::new()
                }
                ScanEvent::HostDone(done) => held.host_done(done),
                ScanEvent::Finished(summary) => {
                    finished = Some(summary);
                    upstream_open = false;
                    Vec::new()
                }
                other => vec![other],
            };
            if forward(&sender, outgoing).await.is_err() {
                cancel.cancel();
            }
        }
        // Cancelled: what is still held goes out as the scan reported it.
        let _ = forward(&sender, held.release_all()).await;
        let waited = Instant::now();
        tokio::select! {
            _ = async { while tasks.join_next().await.is_some() {} } => {}
            _ = cancel.cancelled() => tasks.abort_all(),
        }
        if let Some(mut summary) = finished {
            summary.elapsed_seconds += waited.elapsed().as_secs_f64();
            summary.partial |= cancel.is_cancelled();
            let _ = sender.send(ScanEvent::Finished(summary)).await;
        }
    });
    receiver
}

/// Whether `port` is in `state` and identification applies to it: every
/// TCP port, UDP only where there are probes.
fn is_identified(port: &PortResult, state: PortState) -> bool {
    port.state == state && (port.protocol == Protocol::Tcp || super::udp::has_probes(port.port))
}

fn target(port: &PortResult, names: &HashMap<IpAddr, String>, rtts: &Rtts) -> IdentifyTarget {
    IdentifyTarget {
        address: port.address,
        host_name: names.get(&port.address).cloned(),
        port: port.port,
        protocol: port.protocol,
        rtt: port
            .rtt_micros
            .or_else(|| rtts.of(port.address))
            .map(Duration::from_micros),
    }
}

/// The last round trip the scan measured to each host. A port without one
/// of its own (open|filtered: nothing answered) waits by its host's, not by
/// a guess for a distant network.
#[derive(Default)]
struct Rtts(HashMap<IpAddr, u64>);

impl Rtts {
    fn learn(&mut self, port: &PortResult) {
        if let Some(rtt) = port.rtt_micros {
            self.0.insert(port.address, rtt);
        }
    }

    fn of(&self, address: IpAddr) -> Option<u64> {
        self.0.get(&address).copied()
    }
}

async fn forward(
    sender: &mpsc::Sender<ScanEvent>,
    events: Vec<ScanEvent>,
) -> Result<(), mpsc::error::SendError<ScanEvent>> {
    for event in events {
        sender.send(event).await?;
    }
    Ok(())
}

/// The open|filtered UDP ports being identified, and the `HostDone` events
/// waiting for them.
#[derive(Default)]
struct Held {
    ports: HashMap<(IpAddr, u16), PortResult>,
    hosts: HashMap<IpAddr, HeldHost>,
}

#[derive(Default)]
struct HeldHost {
    pending: usize,
    /// Ports found open since the scan counted them open|filtered: their
    /// reasons in the scan's counts.
    promoted: Vec<Reason>,
    done: Option<HostDone>,
}

impl Held {
    fn waiting(&self) -> bool {
        !self.ports.is_empty()
    }

    fn hold(&mut self, port: PortResult) {
        self.hosts.entry(port.address).or_default().pending += 1;
        self.ports.insert((port.address, port.port), port);
    }

    /// The events a finished identification releases: the port (open if
    /// it answered, with its `Service`), and the host's `HostDone` once
    /// nothing of it is held any more.
    fn resolve(&mut self, report: ServiceReport) -> Vec<ScanEvent> {
        let Some(mut port) = self.ports.remove(&(report.address, report.port)) else {
            return Vec::new();
        };
        let host = self.hosts.entry(port.address).or_default();
        host.pending = host.pending.saturating_sub(1);
        let answered = !report.identity.evidence.is_empty();
        let mut events = Vec::new();
        if answered {
            host.promoted.push(port.reason);
            port.state = PortState::Open;
            port.reason = Reason::UdpResponse;
            events.push(ScanEvent::Port(port));
            events.push(ScanEvent::Service(Box::new(report)));
        } else {
            events.push(ScanEvent::Port(port));
        }
        if host.pending == 0
            && let Some(done) = host.done.take()
        {
            events.push(ScanEvent::HostDone(self.counted(done)));
        }
        events
    }

    /// A host's `HostDone`: passed on, with its counts corrected, unless
    /// some of its ports are still held.
    fn host_done(&mut self, done: HostDone) -> Vec<ScanEvent> {
        match self.hosts.get_mut(&done.address) {
            Some(host) if host.pending > 0 => {
                host.done = Some(done);
                Vec::new()
            }
            _ => vec![ScanEvent::HostDone(self.counted(done))],
        }
    }

    /// `done` with each promoted port moved from open|filtered to open.
    fn counted(&mut self, mut done: HostDone) -> HostDone {
        let promoted = self
            .hosts
            .remove(&done.address)
            .map(|host| host.promoted)
            .unwrap_or_default();
        for reason in promoted {
            if let Some(count) = done.counts.iter_mut().find(|c| {
                c.protocol == Protocol::Udp
                    && c.state == PortState::OpenFiltered
                    && c.reason == reason
            }) && count.count > 0
            {
                count.count -= 1;
            }
            match done.counts.iter_mut().find(|c| {
                c.protocol == Protocol::Udp
                    && c.state == PortState::Open
                    && c.reason == Reason::UdpResponse
            }) {
                Some(count) => count.count += 1,
                None => done.counts.push(PortCount {
                    protocol: Protocol::Udp,
                    state: PortState::Open,
                    reason: Reason::UdpResponse,
                    count: 1,
                }),
            }
        }
        done.counts.retain(|c| c.count > 0);
        done
    }

    /// Everything still held, as the scan reported it.
    fn release_all(&mut self) -> Vec<ScanEvent> {
        let mut events: Vec<ScanEvent> = self
            .ports
            .drain()
            .map(|(_, p)| ScanEvent::Port(p))
            .collect();
        let hosts: Vec<IpAddr> = self.hosts.keys().copied().collect();
        for address in hosts {
            if let Some(done) = self.hosts.get_mut(&address).and_then(|h| h.done.take()) {
                events.push(ScanEvent::HostDone(self.counted(done)));
            }
        }
        events
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portcullis_model::service::{Confidence, Posture, ServiceIdentity};

    fn address() -> IpAddr {
        "198.18.0.70".parse().unwrap()
    }

    fn open_filtered(port: u16) -> PortResult {
        PortResult {
            address: address(),
            port,
            protocol: Protocol::Udp,
            state: PortState::OpenFiltered,
            reason: Reason::NoResponse,
            rtt_micros: None,
            service: Some("snmp".into()),
            identity: None,
            posture: None,
        }
    }

    fn report(port: u16, evidence: &str) -> ServiceReport {
        ServiceReport {
            address: address(),
            port,
            protocol: Protocol::Udp,
            identity: ServiceIdentity {
                service: "snmp".into(),
                product: None,
                version: None,
                extra: None,
                confidence: Confidence::PortOnly,
                tls: false,
                evidence: evidence.into(),
                probes_tried: vec!["snmp-get-public".into()],
            },
            posture: Posture::default(),
        }
    }

    fn done() -> HostDone {
        HostDone {
            address: address(),
            counts: vec![
                PortCount {
                    protocol: Protocol::Udp,
                    state: PortState::OpenFiltered,
                    reason: Reason::NoResponse,
                    count: 2,
                },
                PortCount {
                    protocol: Protocol::Udp,
                    state: PortState::Closed,
                    reason: Reason::Icmp {
                        icmp_type: 3,
                        code: 3,
                    },
                    count: 5,
                },
            ],
        }
    }

    #[test]
    fn an_answering_port_is_promoted_and_the_counts_follow() {
        let mut held = Held::default();
        held.hold(open_filtered(161));
        held.hold(open_filtered(123));
        assert!(held.host_done(done()).is_empty(), "HostDone waits");
        let first = held.resolve(report(161, "0\\x81..."));
        assert!(
            matches!(&first[0], ScanEvent::Port(p) if p.state == PortState::Open && p.reason == Reason::UdpResponse)
        );
        assert!(matches!(&first[1], ScanEvent::Service(_)));
        assert_eq!(first.len(), 2, "123 is still held");
        let second = held.resolve(report(123, ""));
        assert!(matches!(&second[0], ScanEvent::Port(p) if p.state == PortState::OpenFiltered));
        let ScanEvent::HostDone(done) = &second[1] else {
            panic!("HostDone follows the last held port: {second:?}");
        };
        let count = |state| {
            done.counts
                .iter()
                .filter(|c| c.state == state)
                .map(|c| c.count)
                .sum::<u32>()
        };
        assert_eq!(
            (
                count(PortState::Open),
                count(PortState::OpenFiltered),
                count(PortState::Closed)
            ),
            (1, 1, 5)
        );
        assert!(!held.waiting());
    }

    #[test]
    fn a_host_without_held_ports_is_done_at_once() {
        let mut held = Held::default();
        let events = held.host_done(done());
        assert!(matches!(&events[..], [ScanEvent::HostDone(d)] if d == &done()));
    }

    #[test]
    fn cancelling_releases_what_is_held_unchanged() {
        let mut held = Held::default();
        held.hold(open_filtered(161));
        assert!(held.host_done(done()).is_empty());
        let events = held.release_all();
        assert!(matches!(&events[0], ScanEvent::Port(p) if p.state == PortState::OpenFiltered));
        assert!(matches!(&events[1], ScanEvent::HostDone(d) if d == &done()));
    }
}
