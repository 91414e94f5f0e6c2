//! Events waiting to be written, and the two kinds that complete an
//! earlier one: a port's identification and a host's counts. A scan (an
//! nmap import most of all) often sends a port and then what answers on
//! it, a host and then its counts, a few events apart; when both wait in
//! the same batch, the row is written once with both instead of written
//! and then updated. Of the nine rows a host of the 96,000-host sweep
//! took, four were such updates.

use std::net::IpAddr;

use portcullis_model::import::ReportedItem;
use portcullis_model::scan::{HostDone, HostReport, PortCount, PortResult, Protocol};
use portcullis_model::service::ServiceReport;

/// How many of the newest waiting events a completing event looks
/// through for the one it completes: a host's ports and identifications
/// are a few events, and a search must stay short.
const LOOK_BACK: usize = 32;

/// An event waiting to be written.
#[derive(Debug)]
pub(super) enum Pending {
    /// A host, and its counts when they came in the same batch.
    Host(HostReport, Option<Vec<PortCount>>),
    /// A port, and its identification when it came in the same batch.
    Port(PortResult, Option<Box<ServiceReport>>),
    Service(Box<ServiceReport>),
    HostDone(HostDone),
    /// A problem another scanner reported, numbered in file order.
    Reported(u64, Box<ReportedItem>),
}

impl Pending {
    /// The port row this event writes, if it writes one.
    fn port_key(&self) -> Option<(IpAddr, Protocol, u16)> {
        match self {
            Pending::Port(port, _) => Some((port.address, port.protocol, port.port)),
            Pending::Service(found) => Some((found.address, found.protocol, found.port)),
            _ => None,
        }
    }

    /// The host row this event writes, if it writes one.
    fn host_key(&self) -> Option<IpAddr> {
        match self {
            Pending::Host(host, _) => Some(host.address),
            Pending::HostDone(done) => Some(done.address),
            _ => None,
        }
    }
}

/// Adds `found` to the waiting events: to its port, when the newest event
/// about that port row is the port itself, still without identification
/// (written together, the row ends as it would have after both);
/// otherwise on its own.
pub(super) fn push_service(pending: &mut Vec<Pending>, found: Box<ServiceReport>) {
    let key = Some((found.address, found.protocol, found.port));
    let same_row = pending
        .iter_mut()
        .rev()
        .take(LOOK_BACK)
        .find(|waiting| waiting.port_key() == key);
    match same_row {
        Some(Pending::Port(_, identified @ None)) => *identified = Some(found),
        _ => pending.push(Pending::Service(found)),
    }
}

/// Adds `done` to the waiting events: to its host, when the newest event
/// about that host row is the host itself, still without counts;
/// otherwise on its own.
pub(super) fn push_host_done(pending: &mut Vec<Pending>, done: HostDone) {
    let key = Some(done.address);
    let same_row = pending
        .iter_mut()
        .rev()
        .take(LOOK_BACK)
        .find(|waiting| waiting.host_key() == key);
    match same_row {
        Some(Pending::Host(_, counts @ None)) => *counts = Some(done.counts),
        _ => pending.push(Pending::HostDone(done)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portcullis_model::scan::{PortState, Reason};
    use portcullis_model::service::{Confidence, Posture, ServiceIdentity};

    const HOST: [u8; 4] = [10, 0, 0, 1];

    fn port(number: u16) -> Pending {
        Pending::Port(
            PortResult {
                address: IpAddr::from(HOST),
                port: number,
                protocol: Protocol::Tcp,
                state: PortState::Open,
                reason: Reason::SynAck,
                rtt_micros: None,
                service: None,
                identity: None,
                posture: None,
            },
            None,
        )
    }

    fn service(number: u16) -> Box<ServiceReport> {
        Box::new(ServiceReport {
            address: IpAddr::from(HOST),
            port: number,
            protocol: Protocol::Tcp,
            identity: ServiceIdentity {
                service: "ssh".into(),
                product: None,
                version: None,
                extra: None,
                confidence: Confidence::Product,
                tls: false,
                evidence: String::new(),
                probes_tried: Vec::new(),
            },
            posture: Posture::default(),
        })
    }

    fn shapes(pending: &[Pending]) -> Vec<String> {
        pending
            .iter()
            .map(|waiting| match waiting {
                Pending::Host(_, counts) => {
                    format!("host{}", if counts.is_some() { "+counts" } else { "" })
                }
                Pending::Port(port, found) => {
                    format!(
                        "{}{}",
                        port.port,
                        if found.is_some() { "+identity" } else { "" }
                    )
                }
                Pending::Service(found) => format!("service {}", found.port),
                Pending::HostDone(_) => "host done".to_owned(),
                Pending::Reported(..) => "reported".to_owned(),
            })
            .collect()
    }

    #[test]
    fn an_identification_joins_its_port_unless_the_port_has_one_already() {
        let mut pending = vec![port(22), port(80)];
        push_service(&mut pending, service(22));
        push_service(&mut pending, service(22));
        push_service(&mut pending, service(443));
        assert_eq!(
            shapes(&pending),
            ["22+identity", "80", "service 22", "service 443"]
        );
    }

    #[test]
    fn counts_join_their_host_unless_it_has_them_already() {
        let host = HostReport {
            address: IpAddr::from(HOST),
            name: None,
            up: true,
            reason: "syn-ack".into(),
        };
        let done = HostDone {
            address: IpAddr::from(HOST),
            counts: Vec::new(),
        };
        let mut pending = vec![Pending::Host(host, None), port(22)];
        push_host_done(&mut pending, done.clone());
        push_host_done(&mut pending, done);
        assert_eq!(shapes(&pending), ["host+counts", "22", "host done"]);
    }
}
