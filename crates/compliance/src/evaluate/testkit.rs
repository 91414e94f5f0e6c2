//! Builders for the tests: systems, inventory entries, ports with an
//! identity and a posture, reports, and a fixed "now".

use std::net::IpAddr;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use portcullis_model::compliance::{
    AsvScan, BusinessNeed, Dispute, DisputeKind, Exposure, Finding, FindingKind, FindingRecord,
    FindingState, InventoryEntry, PortRange, ScanCoverage, Scope, SegmentationTest, Severity,
    System, SystemRole, TestingHistory,
};
use portcullis_model::report::{HostResult, ScanReport};
use portcullis_model::scan::{HostReport, PortResult, PortState, Protocol, Reason};
use portcullis_model::service::{
    CertificateInfo, Confidence, HttpPosture, Posture, ServiceIdentity, TlsPosture, TlsVersion,
};
use portcullis_model::{FindingId, InventoryEntryId, ScanId, SystemId};

use super::{EvaluationInput, evaluate};

/// The evaluation's "now" in every test.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap()
}

pub fn days(n: i64) -> TimeDelta {
    TimeDelta::days(n)
}

pub fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

pub const WEB: &str = "203.0.113.10";
pub const DB: &str = "10.0.0.5";

pub fn system(id: i64, address: &str, exposure: Exposure, scope: Scope) -> System {
    System {
        id: SystemId(id),
        name: format!("System {id}"),
        addresses: vec![address.to_string()],
        role: SystemRole::Other,
        scope,
        exposure,
        notes: String::new(),
    }
}

/// System 1, the shop's web server: external, in the CDE, at [`WEB`].
pub fn web() -> System {
    system(1, WEB, Exposure::External, Scope::Cde)
}

/// System 2, the database: internal, in the CDE, at [`DB`].
pub fn db() -> System {
    system(2, DB, Exposure::Internal, Scope::Cde)
}

/// An approved entry with no expected service or expiry.
pub fn entry(id: i64, system_id: i64, port: u16, protocol: Protocol) -> InventoryEntry {
    InventoryEntry {
        id: InventoryEntryId(id),
        system_id: SystemId(system_id),
        port,
        protocol,
        service: None,
        version: None,
        justification: "needed".into(),
        approver: "Alice".into(),
        approved_at: now() - days(30),
        expires_at: None,
        sources: Vec::new(),
        notes: String::new(),
    }
}

pub fn port(address: &str, port: u16, protocol: Protocol, state: PortState) -> PortResult {
    PortResult {
        address: ip(address),
        port,
        protocol,
        state,
        reason: match state {
            PortState::Open => Reason::SynAck,
            PortState::OpenFiltered => Reason::NoResponse,
            _ => Reason::Rst,
        },
        rtt_micros: None,
        service: None,
        identity: None,
        posture: None,
    }
}

pub fn open(address: &str, number: u16) -> PortResult {
    port(address, number, Protocol::Tcp, PortState::Open)
}

pub fn identity(service: &str, product: Option<&str>, version: Option<&str>) -> ServiceIdentity {
    ServiceIdentity {
        service: service.into(),
        product: product.map(str::to_string),
        version: version.map(str::to_string),
        extra: None,
        confidence: if product.is_some() {
            Confidence::Product
        } else {
            Confidence::Protocol
        },
        tls: false,
        evidence: "banner".into(),
        probes_tried: vec!["null".into()],
    }
}

/// An open TCP port whose service was identified.
pub fn service(
    address: &str,
    number: u16,
    name: &str,
    product: Option<&str>,
    version: Option<&str>,
) -> PortResult {
    let mut result = open(address, number);
    result.identity = Some(Box::new(identity(name, product, version)));
    result
}

/// An HTTPS port on [`WEB`] with the given TLS posture.
pub fn https(tls: TlsPosture) -> PortResult {
    let mut result = service(WEB, 443, "https", Some("nginx"), Some("1.24.0"));
    if let Some(id) = result.identity.as_mut() {
        id.tls = true;
    }
    result.posture = Some(Box::new(Posture {
        tls: Some(tls),
        ..Posture::default()
    }));
    result
}

pub fn tls(versions: &[TlsVersion]) -> TlsPosture {
    TlsPosture {
        versions: versions.to_vec(),
        weak_suites: Vec::new(),
        certificate: Some(good_certificate()),
        dh_bits: None,
    }
}

pub fn good_certificate() -> CertificateInfo {
    CertificateInfo {
        subject: "CN=shop.example.com".into(),
        issuer: "CN=R11, O=Let's Encrypt".into(),
        not_before: "2025-04-01T00:00:00Z".into(),
        not_after: "2025-08-30T00:00:00Z".into(),
        self_signed: false,
        expired: false,
        name_matches: Some(true),
        key_type: "ECDSA".into(),
        key_bits: Some(256),
        names: vec!["shop.example.com".into()],
        signature: Some("sha256WithRSAEncryption".into()),
        trusted: Some(true),
    }
}

/// Plain HTTP on port 80 of `address` with a posture that redirects or not.
pub fn http(address: &str, redirects: Option<bool>) -> PortResult {
    let mut result = service(address, 80, "http", Some("nginx"), Some("1.24.0"));
    result.posture = Some(Box::new(Posture {
        http: Some(HttpPosture {
            status: Some(if redirects == Some(true) { 301 } else { 200 }),
            server: Some("nginx".into()),
            powered_by: None,
            title: None,
            location: (redirects == Some(true)).then(|| "https://shop.example.com/".into()),
            redirects_to_https: redirects,
            hsts: None,
            directory_listing: false,
            exposed_pages: Vec::new(),
        }),
        ..Posture::default()
    }));
    result
}

pub fn host(address: &str, ports: Vec<PortResult>) -> HostResult {
    HostResult {
        host: HostReport {
            address: ip(address),
            name: None,
            up: true,
            reason: "syn-ack to 443".into(),
        },
        ports,
        counts: Vec::new(),
    }
}

pub fn down(address: &str) -> HostResult {
    let mut result = host(address, Vec::new());
    result.host.up = false;
    result.host.reason = "no response".into();
    result
}

pub fn report(hosts: Vec<HostResult>) -> ScanReport {
    ScanReport {
        hosts,
        warnings: Vec::new(),
        summary: None,
    }
}

/// Every TCP and UDP port, with identification and posture.
pub fn full_coverage() -> ScanCoverage {
    let all = vec![PortRange {
        first: 1,
        last: 65535,
    }];
    ScanCoverage {
        tcp: all.clone(),
        udp: all,
        identification: true,
        posture: true,
        reported_checks: false,
    }
}

/// Scans and a passed segmentation test a month ago: nothing overdue.
pub fn fresh_history() -> TestingHistory {
    TestingHistory {
        last_internal_scan: Some(now() - days(30)),
        last_external_scan: Some(now() - days(30)),
        last_segmentation_test: Some(SegmentationTest {
            at: now() - days(30),
            passed: true,
        }),
        last_asv_scan: Some(AsvScan {
            at: now() - days(30),
            passed: true,
        }),
        service_provider: false,
    }
}

/// One evaluation's inputs, owned, with defaults that raise nothing by
/// themselves: the web and database systems, full coverage, fresh history.
pub struct Case {
    pub report: ScanReport,
    pub coverage: ScanCoverage,
    pub systems: Vec<System>,
    pub inventory: Vec<InventoryEntry>,
    pub history: TestingHistory,
    pub reported: Vec<portcullis_model::import::ReportedItem>,
}

impl Case {
    pub fn new(hosts: Vec<HostResult>) -> Case {
        Case {
            report: report(hosts),
            coverage: full_coverage(),
            systems: vec![web(), db()],
            inventory: Vec::new(),
            reported: Vec::new(),
            history: fresh_history(),
        }
    }

    /// Approves every open port of the report, so that only the rule under
    /// test speaks.
    pub fn approving_open_ports(mut self) -> Case {
        let mut next_id = 1000;
        for host in &self.report.hosts {
            let Some(system) = self
                .systems
                .iter()
                .find(|s| s.addresses.contains(&host.host.address.to_string()))
            else {
                continue;
            };
            for p in host.ports_in(PortState::Open) {
                next_id += 1;
                self.inventory
                    .push(entry(next_id, system.id.get(), p.port, p.protocol));
            }
        }
        self
    }

    pub fn findings(&self) -> Vec<Finding> {
        evaluate(&EvaluationInput {
            report: &self.report,
            coverage: &self.coverage,
            systems: &self.systems,
            inventory: &self.inventory,
            history: self.history,
            reported: &self.reported,
            now: now(),
        })
    }

    pub fn fires(&self, kind: FindingKind) -> bool {
        self.findings().iter().any(|f| f.kind == kind)
    }

    /// The single finding of `kind`; panics if there is not exactly one.
    pub fn the(&self, kind: FindingKind) -> Finding {
        let mut found: Vec<Finding> = self
            .findings()
            .into_iter()
            .filter(|f| f.kind == kind)
            .collect();
        assert_eq!(found.len(), 1, "expected one {}: {found:#?}", kind.id());
        found.remove(0)
    }
}

/// A finding made by hand, for tests of what happens after evaluation.
pub fn finding(
    kind: FindingKind,
    severity: Severity,
    system_id: Option<i64>,
    port: u16,
) -> Finding {
    let address = ip(if system_id == Some(1) { WEB } else { DB });
    let system_id = system_id.map(SystemId);
    Finding {
        kind,
        severity,
        title: format!("{} on port {port}", kind.id()).into(),
        explanation: "".into(),
        remedy: "".into(),
        requirements: vec!["1.2.5".into()].into(),
        system_id,
        address: Some(address),
        port: Some(port),
        protocol: Some(Protocol::Tcp),
        service: Some("ssh".into()),
        product: Some("OpenSSH".into()),
        version: Some("9.6p1".into()),
        evidence: String::new(),
        key: super::port_key(kind, address, Protocol::Tcp, port),
    }
}

/// A tracked record of `finding`, first seen in scan 1.
pub fn record(id: i64, finding: Finding, state: FindingState) -> FindingRecord {
    FindingRecord {
        id: FindingId(id),
        finding,
        state,
        first_seen_scan: ScanId(1),
        last_seen_scan: ScanId(1),
    }
}

/// `record`, accepted until `until`.
pub fn accepted(id: i64, finding: Finding, until: DateTime<Utc>) -> FindingRecord {
    let need = BusinessNeed {
        justification: "payment provider needs it".into(),
        approver: "Alice".into(),
        until,
    };
    record(id, finding, FindingState::Accepted(need))
}

/// A record disputed with the ASV as a false positive until `until`.
pub fn disputed(id: i64, finding: Finding, until: DateTime<Utc>) -> FindingRecord {
    let dispute = Dispute {
        kind: DisputeKind::FalsePositive,
        evidence: "the changelog shows the fix".into(),
        submitted_by: "Alice".into(),
        until,
    };
    record(id, finding, FindingState::Disputed(dispute))
}
