//! What the readers of findings reports (Nessus, Greenbone, CSV) share:
//! the hosts and open ports a report mentions, gathered as items stream
//! past and handed on at the end, and the run's last events.
//!
//! These reports list problems, not port scans: a port is known open
//! because an item names it. They do not say which ports were probed, so
//! an import claims no coverage, and a port they do not name proves
//! nothing about it.

use std::collections::BTreeMap;
use std::net::IpAddr;

use portcullis_model::scan::{
    HostDone, HostReport, PortCount, PortResult, PortState, Protocol, Reason, ScanEvent,
    ScanSummary,
};

use crate::emitter::Emitter;
use crate::{Item, ReadOutcome};

#[derive(Debug, Default)]
struct HostEntry {
    name: Option<String>,
    /// Open ports by protocol and number, with the service the report
    /// named there.
    ports: BTreeMap<(Protocol, u16), Option<String>>,
}

/// The hosts a report mentions, in the order it first mentions them.
#[derive(Debug, Default)]
pub(crate) struct Hosts {
    entries: BTreeMap<IpAddr, HostEntry>,
    order: Vec<IpAddr>,
}

impl Hosts {
    fn entry(&mut self, address: IpAddr) -> &mut HostEntry {
        if !self.entries.contains_key(&address) {
            self.order.push(address);
        }
        self.entries.entry(address).or_default()
    }

    /// Notes that `address` was scanned and answered, with its name if the
    /// report gives one (the first name given stays).
    pub(crate) fn host(&mut self, address: IpAddr, name: Option<String>) {
        let entry = self.entry(address);
        if entry.name.is_none() {
            entry.name = name.filter(|name| !name.is_empty());
        }
    }

    /// Notes that the report names `port` open on `address`; a service
    /// name given later fills one not given before.
    pub(crate) fn port(
        &mut self,
        address: IpAddr,
        protocol: Protocol,
        port: u16,
        service: Option<String>,
    ) {
        let known = self
            .entry(address)
            .ports
            .entry((protocol, port))
            .or_default();
        if known.is_none() {
            *known = service.filter(|name| !name.is_empty());
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Hands on every host with its open ports, then the run's warnings
    /// and its end. `complete` is false for a file cut short.
    pub(crate) fn finish(
        self,
        scanner: &str,
        warnings: Vec<String>,
        complete: bool,
        out: &mut Emitter<'_>,
    ) -> ReadOutcome {
        let mut hosts_up = 0u32;
        let mut open_ports = 0u32;
        let mut entries = self.entries;
        for address in self.order {
            let Some(entry) = entries.remove(&address) else {
                continue;
            };
            hosts_up = hosts_up.saturating_add(1);
            out.send(Item::Event(ScanEvent::Host(HostReport {
                address,
                name: entry.name,
                up: true,
                reason: format!("reported by {scanner}"),
            })));
            let mut counts: BTreeMap<Protocol, u32> = BTreeMap::new();
            for ((protocol, port), service) in entry.ports {
                open_ports = open_ports.saturating_add(1);
                *counts.entry(protocol).or_default() += 1;
                out.send(Item::Event(ScanEvent::Port(PortResult {
                    address,
                    port,
                    protocol,
                    state: PortState::Open,
                    reason: Reason::Reported,
                    rtt_micros: None,
                    service,
                    identity: None,
                    posture: None,
                })));
            }
            let counts = counts
                .into_iter()
                .map(|(protocol, count)| PortCount {
                    protocol,
                    state: PortState::Open,
                    reason: Reason::Reported,
                    count,
                })
                .collect();
            out.send(Item::Event(ScanEvent::HostDone(HostDone {
                address,
                counts,
            })));
        }
        for message in &warnings {
            out.send(Item::Event(ScanEvent::Warning {
                message: message.clone(),
            }));
        }
        out.send(Item::Event(ScanEvent::Finished(ScanSummary {
            methods: Vec::new(),
            hosts_up,
            hosts_down: 0,
            open_ports,
            elapsed_seconds: 0.0,
            partial: !complete,
        })));
        ReadOutcome { warnings, complete }
    }
}
