//! A finished (or cancelled) scan as one value: the events of a scan folded
//! into hosts and their ports, for printing, storing and showing.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::scan::{HostReport, PortCount, PortResult, PortState, ScanEvent, ScanSummary};
use crate::service::ServiceReport;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScanReport {
    pub hosts: Vec<HostResult>,
    pub warnings: Vec<String>,
    /// `None` until the scan's `Finished` event arrives.
    pub summary: Option<ScanSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostResult {
    pub host: HostReport,
    /// The ports listed one by one, by protocol then port.
    pub ports: Vec<PortResult>,
    /// Every port by state and reason, when the host is done.
    pub counts: Vec<PortCount>,
}

impl HostResult {
    /// The listed ports in `state`.
    pub fn ports_in(&self, state: PortState) -> impl Iterator<Item = &PortResult> {
        self.ports.iter().filter(move |port| port.state == state)
    }
}

impl ScanReport {
    /// Folds a whole event stream into a report.
    pub fn from_events(events: impl IntoIterator<Item = ScanEvent>) -> ScanReport {
        let mut builder = ReportBuilder::default();
        for event in events {
            builder.apply(event);
        }
        builder.finish()
    }

    pub fn host(&self, address: IpAddr) -> Option<&HostResult> {
        self.hosts.iter().find(|h| h.host.address == address)
    }
}

/// Builds a [`ScanReport`] one event at a time, as a scan streams.
#[derive(Debug, Default)]
pub struct ReportBuilder {
    hosts: BTreeMap<IpAddr, HostResult>,
    order: Vec<IpAddr>,
    warnings: Vec<String>,
    summary: Option<ScanSummary>,
}

impl ReportBuilder {
    pub fn apply(&mut self, event: ScanEvent) {
        match event {
            ScanEvent::Host(host) => {
                let address = host.address;
                self.host_mut(address).host = host;
            }
            ScanEvent::Port(port) => self.host_mut(port.address).ports.push(port),
            ScanEvent::Service(found) => self.attach_service(*found),
            ScanEvent::HostDone(done) => self.host_mut(done.address).counts = done.counts,
            ScanEvent::Progress(_) => {}
            ScanEvent::Warning { message } => self.warnings.push(message),
            ScanEvent::Finished(summary) => self.summary = Some(summary),
        }
    }

    /// Puts an identification on the port it belongs to; one that arrives
    /// for a port never reported (a stray) is kept as a port of its own.
    fn attach_service(&mut self, found: ServiceReport) {
        let host = self.host_mut(found.address);
        let posture = (!found.posture.is_empty()).then(|| Box::new(found.posture));
        match host
            .ports
            .iter_mut()
            .find(|p| p.port == found.port && p.protocol == found.protocol)
        {
            Some(port) => {
                port.identity = Some(Box::new(found.identity));
                port.posture = posture;
            }
            None => host.ports.push(PortResult {
                address: found.address,
                port: found.port,
                protocol: found.protocol,
                state: PortState::Open,
                reason: crate::scan::Reason::Connected,
                rtt_micros: None,
                service: None,
                identity: Some(Box::new(found.identity)),
                posture,
            }),
        }
    }

    /// The host at `address`, created (in order of first appearance) when
    /// a port or service arrives before its host: it answered, so it is up
    /// until its own `Host` event says more.
    fn host_mut(&mut self, address: IpAddr) -> &mut HostResult {
        if !self.hosts.contains_key(&address) {
            self.order.push(address);
        }
        self.hosts.entry(address).or_insert_with(|| HostResult {
            host: HostReport {
                address,
                name: None,
                up: true,
                reason: "answered a port probe".into(),
            },
            ports: Vec::new(),
            counts: Vec::new(),
        })
    }

    pub fn finish(mut self) -> ScanReport {
        let mut hosts = Vec::with_capacity(self.order.len());
        for address in &self.order {
            if let Some(mut host) = self.hosts.remove(address) {
                host.ports.sort_by_key(|p| (p.protocol, p.port));
                hosts.push(host);
            }
        }
        ScanReport {
            hosts,
            warnings: self.warnings,
            summary: self.summary,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::{HostDone, Protocol, Reason};

    fn port(address: IpAddr, port: u16, state: PortState) -> ScanEvent {
        ScanEvent::Port(PortResult {
            address,
            port,
            protocol: Protocol::Tcp,
            state,
            reason: Reason::SynAck,
            rtt_micros: Some(100),
            service: None,
            identity: None,
            posture: None,
        })
    }

    #[test]
    fn events_fold_into_hosts_with_sorted_ports() {
        let a: IpAddr = "198.18.0.2".parse().unwrap();
        let b: IpAddr = "198.18.0.1".parse().unwrap();
        let report = ScanReport::from_events([
            ScanEvent::Host(HostReport {
                address: a,
                name: Some("web".into()),
                up: true,
                reason: "syn-ack".into(),
            }),
            port(a, 443, PortState::Open),
            port(b, 22, PortState::Open),
            port(a, 22, PortState::Open),
            ScanEvent::HostDone(HostDone {
                address: a,
                counts: vec![PortCount {
                    protocol: Protocol::Tcp,
                    state: PortState::Closed,
                    reason: Reason::Rst,
                    count: 98,
                }],
            }),
            ScanEvent::Warning {
                message: "slow".into(),
            },
        ]);
        assert_eq!(report.hosts.len(), 2);
        assert_eq!(report.hosts[0].host.address, a, "order of first appearance");
        let ports: Vec<u16> = report.hosts[0].ports.iter().map(|p| p.port).collect();
        assert_eq!(ports, [22, 443]);
        assert_eq!(report.hosts[0].counts[0].count, 98);
        assert_eq!(report.host(b).unwrap().ports_in(PortState::Open).count(), 1);
        assert_eq!(report.warnings, ["slow"]);
        assert!(report.summary.is_none());
    }

    #[test]
    fn a_host_event_after_its_ports_completes_the_host_without_moving_it() {
        let a: IpAddr = "198.18.0.1".parse().unwrap();
        let b: IpAddr = "198.18.0.2".parse().unwrap();
        let report = ScanReport::from_events([
            port(b, 80, PortState::Open),
            port(a, 22, PortState::Open),
            ScanEvent::Host(HostReport {
                address: b,
                name: Some("shop.example.com".into()),
                up: true,
                reason: "syn-ack to 443".into(),
            }),
            port(b, 443, PortState::Open),
        ]);
        let addresses: Vec<IpAddr> = report.hosts.iter().map(|h| h.host.address).collect();
        assert_eq!(addresses, [b, a], "order of first appearance, once each");
        let shop = report.host(b).unwrap();
        assert_eq!(shop.host.name.as_deref(), Some("shop.example.com"));
        assert_eq!(shop.host.reason, "syn-ack to 443");
        let ports: Vec<u16> = shop.ports.iter().map(|p| p.port).collect();
        assert_eq!(ports, [80, 443], "ports seen before the host are kept");
        assert_eq!(report.host(a).unwrap().host.reason, "answered a port probe");
    }
}
