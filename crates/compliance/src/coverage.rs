//! What one scan could see: which hosts were up, which ports were probed,
//! which ports are open now, and whether identification and posture checks
//! ran. "Not found" only means "gone" inside this coverage.

use std::collections::HashMap;
use std::net::IpAddr;

use portcullis_model::compliance::{Finding, FindingKind, PortRange, ScanCoverage};
use portcullis_model::report::{HostResult, ScanReport};
use portcullis_model::scan::{PortState, Protocol};

/// The coverage of one scan, indexed.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    scanned: ScannedPorts,
    /// Hosts that were up, each with its open ports, sorted.
    open: HashMap<IpAddr, Vec<(Protocol, u16)>>,
}

/// What a scan probed, its port ranges normalised for binary search.
#[derive(Debug, Clone, Default)]
pub(crate) struct ScannedPorts(ScanCoverage);

impl ScannedPorts {
    pub(crate) fn new(scan: &ScanCoverage) -> ScannedPorts {
        ScannedPorts(ScanCoverage {
            tcp: normalise(&scan.tcp),
            udp: normalise(&scan.udp),
            ..*scan
        })
    }

    /// Whether the scan probed this port (on every host that was up).
    pub(crate) fn contains(&self, protocol: Protocol, port: u16) -> bool {
        let ranges = self.0.ranges(protocol);
        let after = ranges.partition_point(|range| range.first <= port);
        after > 0 && ranges[after - 1].contains(port)
    }
}

/// A host's listed ports and their states in (protocol, port) order, for
/// binary search. Copied rather than borrowed, so that an evaluation given
/// the scan's hosts part by part can keep them after the part is gone.
/// The report builder sorts them already; reports from elsewhere are
/// sorted here.
pub(crate) struct HostPorts {
    pub(crate) address: IpAddr,
    ports: Vec<(Protocol, u16, PortState)>,
}

impl HostPorts {
    pub(crate) fn new(host: &HostResult) -> HostPorts {
        let mut ports: Vec<(Protocol, u16, PortState)> = host
            .ports
            .iter()
            .map(|p| (p.protocol, p.port, p.state))
            .collect();
        if !ports.is_sorted_by_key(|&(protocol, port, _)| (protocol, port)) {
            ports.sort_by_key(|&(protocol, port, _)| (protocol, port));
        }
        HostPorts {
            address: host.host.address,
            ports,
        }
    }

    /// The port's listed state; `None` when it was not listed.
    pub(crate) fn state(&self, protocol: Protocol, port: u16) -> Option<PortState> {
        self.ports
            .binary_search_by_key(&(protocol, port), |&(protocol, port, _)| (protocol, port))
            .ok()
            .map(|i| self.ports[i].2)
    }
}

/// What a rule looks at, and so what a scan must have done for the rule's
/// silence to mean something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Basis {
    /// An open port (and the system's settings): a probe of the port
    /// suffices. Rules that also name the service need identification
    /// while the port stays open.
    Presence { needs_identity_while_open: bool },
    /// The identified service or version.
    Identity,
    /// Posture checks (TLS, certificates, HTTP, open access, advisories).
    Posture,
    /// Dates and settings, judged at every evaluation.
    Always,
    /// Another scanner's own check, which only that kind of report can
    /// repeat: Portcullis's scans prove it gone only by finding the port
    /// shut.
    Reported,
}

fn basis(kind: FindingKind) -> Basis {
    use FindingKind::*;
    match kind {
        UnlistedOpenPort | UnassignedHost | StaleInventoryEntry => Basis::Presence {
            needs_identity_while_open: false,
        },
        ExternalDatabase | ExternalRemoteAccess | CleartextService | ExternalCleartextLogin => {
            Basis::Presence {
                needs_identity_while_open: true,
            }
        }
        InventoryMismatch => Basis::Identity,
        HttpWithoutHttpsRedirect
        | ObsoleteTls
        | LegacyTls
        | InsecureCipher
        | WeakCipher
        | WeakDhGroup
        | CertificateExpired
        | CertificateSelfSigned
        | CertificateUntrusted
        | CertificateNameMismatch
        | WeakCertificate
        | VulnerableVersion
        | EndOfLifeVersion
        | UnauthenticatedAccess
        | DefaultSnmpCommunity
        | SshWeakAlgorithms
        | SshTerrapin
        | SshPasswordLogin
        | DirectoryListing
        | ExposedSensitivePage
        | ExposedAdminPage => Basis::Posture,
        ExpiredInventoryEntry
        | InternalScanOverdue
        | ExternalScanOverdue
        | SegmentationTestOverdue
        | SegmentationTestFailed => Basis::Always,
        ReportedProblem => Basis::Reported,
    }
}

impl Coverage {
    pub fn new(report: &ScanReport, scan: &ScanCoverage) -> Coverage {
        let mut coverage = Coverage::without_hosts(scan);
        coverage.open.reserve(report.hosts.len());
        coverage.add_hosts(&report.hosts);
        coverage
    }

    /// The coverage of a scan whose hosts are added part by part
    /// ([`Coverage::add_hosts`]), for a scan too large to hold whole.
    pub fn without_hosts(scan: &ScanCoverage) -> Coverage {
        Coverage {
            scanned: ScannedPorts::new(scan),
            open: HashMap::new(),
        }
    }

    /// Adds what `hosts`, some of the scan's, show.
    pub fn add_hosts(&mut self, hosts: &[HostResult]) {
        for host in hosts.iter().filter(|h| h.host.up) {
            let mut ports: Vec<(Protocol, u16)> = host
                .ports_in(PortState::Open)
                .map(|p| (p.protocol, p.port))
                .collect();
            ports.sort_unstable();
            self.open.insert(host.host.address, ports);
        }
    }

    /// Whether the host was up in this scan (so its ports were probed).
    pub fn host_up(&self, address: IpAddr) -> bool {
        self.open.contains_key(&address)
    }

    /// Whether the scan probed this port (on every host that was up).
    pub fn port_scanned(&self, protocol: Protocol, port: u16) -> bool {
        self.scanned.contains(protocol, port)
    }

    /// Whether the port was found open in this scan.
    pub fn is_open(&self, address: IpAddr, protocol: Protocol, port: u16) -> bool {
        self.open
            .get(&address)
            .is_some_and(|ports| ports.binary_search(&(protocol, port)).is_ok())
    }

    /// Whether this scan looked where `finding` was, with the checks that
    /// produce it, so that its absence from the scan's findings means it is
    /// gone (and not merely unobserved).
    pub fn covers(&self, finding: &Finding) -> bool {
        let basis = basis(finding.kind);
        if basis == Basis::Always {
            return true;
        }
        let by_report = self.scanned.0.reported_checks;
        let Some(address) = finding.address else {
            return basis != Basis::Reported || by_report;
        };
        if !self.host_up(address) {
            return false;
        }
        let (Some(port), Some(protocol)) = (finding.port, finding.protocol) else {
            return basis != Basis::Reported || by_report;
        };
        if by_report && self.is_open(address, protocol, port) {
            // The report's scanner ran its checks on every port it lists.
            return true;
        }
        if !self.port_scanned(protocol, port) {
            return false;
        }
        if !self.is_open(address, protocol, port) {
            return true;
        }
        match basis {
            Basis::Presence {
                needs_identity_while_open,
            } => !needs_identity_while_open || self.scanned.0.identification,
            Basis::Identity => self.scanned.0.identification,
            Basis::Posture => self.scanned.0.posture,
            Basis::Always => true,
            Basis::Reported => false,
        }
    }
}

/// Sorted by first port, overlapping and adjacent ranges merged, so a port
/// is found with one binary search.
fn normalise(ranges: &[PortRange]) -> Vec<PortRange> {
    let mut sorted: Vec<PortRange> = ranges
        .iter()
        .map(|r| PortRange {
            first: r.first.min(r.last),
            last: r.first.max(r.last),
        })
        .collect();
    sorted.sort();
    let mut merged: Vec<PortRange> = Vec::with_capacity(sorted.len());
    for range in sorted {
        match merged.last_mut() {
            Some(last) if u32::from(range.first) <= u32::from(last.last) + 1 => {
                last.last = last.last.max(range.last);
            }
            _ => merged.push(range),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_merge_and_answer_membership() {
        let scan = ScanCoverage {
            tcp: vec![
                PortRange {
                    first: 80,
                    last: 80,
                },
                PortRange { first: 1, last: 10 },
                PortRange {
                    first: 11,
                    last: 20,
                },
                PortRange {
                    first: 443,
                    last: 440,
                },
            ],
            udp: vec![PortRange::single(161)],
            ..ScanCoverage::default()
        };
        let coverage = Coverage::new(&ScanReport::default(), &scan);
        let tcp = &coverage.scanned.0.tcp;
        assert_eq!(tcp.len(), 3, "{tcp:?}");
        for port in [1, 15, 20, 80, 440, 443] {
            assert!(coverage.port_scanned(Protocol::Tcp, port), "{port}");
        }
        for port in [0, 21, 79, 81, 444] {
            assert!(!coverage.port_scanned(Protocol::Tcp, port), "{port}");
        }
        assert!(coverage.port_scanned(Protocol::Udp, 161));
        assert!(!coverage.port_scanned(Protocol::Udp, 80));
    }
}
