//! The compliance domain: the merchant's systems and their approved port
//! inventory, the findings a scan produces against them, how a finding is
//! tracked from one scan to the next, the verdicts an assessor would give,
//! the differences between two scans, and the audit trail of every change.
//!
//! These are plain values. `crates/compliance` computes them (pure rules),
//! `crates/store` keeps them, and the shells show them; all of them agree on
//! these types so that nothing is translated twice.
//!
//! Times are UTC. Identifiers (`id`, `system_id`, scan ids) are the store's
//! row ids.

use std::net::IpAddr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::scan::{PortState, Protocol};

// ---------------------------------------------------------------------------
// Systems
// ---------------------------------------------------------------------------

/// What a system is for. The role explains findings ("a database server
/// should not be reachable from the internet") and lets a person group them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SystemRole {
    WebServer,
    Database,
    /// Payment terminals, payment applications, gateways.
    Payment,
    /// Staff workstations, printers, the back office.
    Office,
    /// Routers, switches, firewalls, access points.
    NetworkDevice,
    Other,
}

/// Where a system stands with respect to the cardholder data environment
/// (CDE). PCI DSS applies to the CDE and to everything that can reach it;
/// only systems proven to be segmented away are out of scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Stores, processes or transmits card data.
    Cde,
    /// Can reach the CDE, or can change its security: also in scope.
    ConnectedToCde,
    /// Segmented away from the CDE. Its findings are reported but do not
    /// count towards the overall verdict; the segmentation must be tested
    /// (PCI DSS 11.4.5) for this claim to hold.
    OutOfScope,
}

/// Whether a system can be reached from the internet. External systems are
/// what an Approved Scanning Vendor (ASV) scans each quarter, and the rules
/// for them are stricter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Exposure {
    External,
    Internal,
}

/// A machine (or a group of addresses that act as one) the merchant
/// declares, so that scan results can be judged by what the machine is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct System {
    pub id: i64,
    pub name: String,
    /// The system's addresses as the user typed them: IP addresses
    /// ("203.0.113.10", "2001:db8::5"), CIDR blocks ("10.0.1.0/28") or host
    /// names ("shop.example.com", matched against the name a scan target was
    /// given).
    pub addresses: Vec<String>,
    pub role: SystemRole,
    pub scope: Scope,
    pub exposure: Exposure,
    #[serde(default)]
    pub notes: String,
}

/// A system about to be created: everything but the id the store assigns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSystem {
    pub name: String,
    pub addresses: Vec<String>,
    pub role: SystemRole,
    pub scope: Scope,
    pub exposure: Exposure,
    #[serde(default)]
    pub notes: String,
}

impl NewSystem {
    /// The system this becomes once the store has given it an id.
    pub fn with_id(self, id: i64) -> System {
        System {
            id,
            name: self.name,
            addresses: self.addresses,
            role: self.role,
            scope: self.scope,
            exposure: self.exposure,
            notes: self.notes,
        }
    }
}

// ---------------------------------------------------------------------------
// The approved port inventory (PCI DSS 1.2.5)
// ---------------------------------------------------------------------------

/// One approved port of one system: the record PCI DSS 1.2.5 asks for, with
/// the business need, who approved it and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryEntry {
    pub id: i64,
    pub system_id: i64,
    pub port: u16,
    pub protocol: Protocol,
    /// The service expected there: an IANA name ("https", "ssh") or a
    /// product ("nginx", "OpenSSH"). `None`: any service is fine.
    pub service: Option<String>,
    /// The version expected, as a prefix: "9.2" accepts "9.2p1" and "9.2.1",
    /// not "9.21". `None`: any version is fine.
    pub version: Option<String>,
    /// Why the business needs this port open.
    pub justification: String,
    pub approver: String,
    pub approved_at: DateTime<Utc>,
    /// When the approval must be renewed; `None`: it does not lapse.
    pub expires_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub notes: String,
}

/// An inventory entry about to be created: everything but the id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewInventoryEntry {
    pub system_id: i64,
    pub port: u16,
    pub protocol: Protocol,
    pub service: Option<String>,
    pub version: Option<String>,
    pub justification: String,
    pub approver: String,
    pub approved_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub notes: String,
}

impl NewInventoryEntry {
    /// The entry this becomes once the store has given it an id.
    pub fn with_id(self, id: i64) -> InventoryEntry {
        InventoryEntry {
            id,
            system_id: self.system_id,
            port: self.port,
            protocol: self.protocol,
            service: self.service,
            version: self.version,
            justification: self.justification,
            approver: self.approver,
            approved_at: self.approved_at,
            expires_at: self.expires_at,
            notes: self.notes,
        }
    }
}

// ---------------------------------------------------------------------------
// What a scan covered
// ---------------------------------------------------------------------------

/// An inclusive range of ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PortRange {
    pub first: u16,
    pub last: u16,
}

impl PortRange {
    pub fn single(port: u16) -> PortRange {
        PortRange {
            first: port,
            last: port,
        }
    }

    pub fn contains(self, port: u16) -> bool {
        self.first <= port && port <= self.last
    }
}

/// What a scan asked about. A `ScanReport` lists what was found, not what
/// was looked for; without this, "port 22 was not seen" cannot be told from
/// "port 22 was never probed", and a finding would be called fixed, or an
/// inventory entry stale, on the strength of a scan that did not look.
///
/// Every host of a scan is probed on the same ports, so one list per
/// protocol serves all of them; which hosts were probed at all is in the
/// report (hosts that were up).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanCoverage {
    /// TCP ports probed, in any order; overlaps are allowed.
    pub tcp: Vec<PortRange>,
    /// UDP ports probed, in any order; overlaps are allowed.
    pub udp: Vec<PortRange>,
    /// Whether service identification ran on the open ports: without it,
    /// "the version differs from the inventory" cannot be judged.
    pub identification: bool,
    /// Whether posture checks (TLS, SSH, HTTP, open access, advisories) ran:
    /// without them, a TLS finding's absence proves nothing.
    pub posture: bool,
}

impl ScanCoverage {
    /// The ranges probed for `protocol`.
    pub fn ranges(&self, protocol: Protocol) -> &[PortRange] {
        match protocol {
            Protocol::Tcp => &self.tcp,
            Protocol::Udp => &self.udp,
        }
    }
}

// ---------------------------------------------------------------------------
// Testing history
// ---------------------------------------------------------------------------

/// A segmentation test (PCI DSS 11.4.5): a penetration test proving that
/// out-of-scope networks cannot reach the CDE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentationTest {
    pub at: DateTime<Utc>,
    pub passed: bool,
}

/// When the recurring tests PCI DSS asks for last happened. The rules judge
/// whether they are overdue; the store knows the dates. A scan being
/// evaluated counts only if the caller includes it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestingHistory {
    /// The last finished scan from inside the network (11.3.1).
    pub last_internal_scan: Option<DateTime<Utc>>,
    /// The last finished scan from the internet (11.3.2).
    pub last_external_scan: Option<DateTime<Utc>>,
    pub last_segmentation_test: Option<SegmentationTest>,
}

// ---------------------------------------------------------------------------
// Findings
// ---------------------------------------------------------------------------

/// How bad a finding is. Critical and High make a system fail, as an ASV
/// would fail it; Medium and Low need action (a fix or a documented
/// justification); Info is for the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "Info",
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
            Severity::Critical => "Critical",
        }
    }
}

/// Which rule produced a finding: one variant per rule of the rule book
/// (`assets/rules/rules.toml`), whose `id` is the kebab-case name below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// An open port with no inventory entry (1.2.5, 2.2.4).
    UnlistedOpenPort,
    /// A host answered that no system claims.
    UnassignedHost,
    /// A database or cache reachable on an internet-facing system.
    ExternalDatabase,
    /// SSH, RDP, VNC or Telnet reachable on an internet-facing system.
    ExternalRemoteAccess,
    /// A service that sends passwords and data unencrypted (2.2.5).
    CleartextService,
    /// Plain HTTP on an internet-facing system that does not send visitors
    /// to HTTPS.
    HttpWithoutHttpsRedirect,
    /// SSLv3 or TLS 1.0 accepted.
    ObsoleteTls,
    /// TLS 1.1 accepted.
    LegacyTls,
    /// Anonymous, NULL or export-grade cipher suites.
    InsecureCipher,
    /// RC4 or 3DES cipher suites.
    WeakCipher,
    /// An expired certificate on an internet-facing service.
    CertificateExpired,
    /// A self-signed certificate on an internet-facing service.
    CertificateSelfSigned,
    /// A certificate for another name on an internet-facing service.
    CertificateNameMismatch,
    /// A version with known vulnerabilities (6.3.3).
    VulnerableVersion,
    /// A version its maker no longer supports (6.3.3).
    EndOfLifeVersion,
    /// A database, cache or FTP server that answers without a password.
    UnauthenticatedAccess,
    /// SNMP answering to the factory community "public" (2.2.2).
    DefaultSnmpCommunity,
    /// An approved port that a scan covering it did not find open.
    StaleInventoryEntry,
    /// An inventory entry whose approval has lapsed.
    ExpiredInventoryEntry,
    /// The service or version found differs from the inventory's.
    InventoryMismatch,
    /// No internal scan in more than 90 days (11.3.1).
    InternalScanOverdue,
    /// No external scan in more than 90 days (11.3.2).
    ExternalScanOverdue,
    /// No segmentation test in the last 12 months (11.4.5).
    SegmentationTestOverdue,
    /// The last segmentation test failed (11.4.5).
    SegmentationTestFailed,
}

impl FindingKind {
    /// Every kind, in declaration order.
    pub const ALL: [FindingKind; 24] = [
        FindingKind::UnlistedOpenPort,
        FindingKind::UnassignedHost,
        FindingKind::ExternalDatabase,
        FindingKind::ExternalRemoteAccess,
        FindingKind::CleartextService,
        FindingKind::HttpWithoutHttpsRedirect,
        FindingKind::ObsoleteTls,
        FindingKind::LegacyTls,
        FindingKind::InsecureCipher,
        FindingKind::WeakCipher,
        FindingKind::CertificateExpired,
        FindingKind::CertificateSelfSigned,
        FindingKind::CertificateNameMismatch,
        FindingKind::VulnerableVersion,
        FindingKind::EndOfLifeVersion,
        FindingKind::UnauthenticatedAccess,
        FindingKind::DefaultSnmpCommunity,
        FindingKind::StaleInventoryEntry,
        FindingKind::ExpiredInventoryEntry,
        FindingKind::InventoryMismatch,
        FindingKind::InternalScanOverdue,
        FindingKind::ExternalScanOverdue,
        FindingKind::SegmentationTestOverdue,
        FindingKind::SegmentationTestFailed,
    ];

    /// The rule id: the kebab-case name used in the rule book, in JSON and
    /// in finding keys.
    pub fn id(self) -> &'static str {
        match self {
            FindingKind::UnlistedOpenPort => "unlisted-open-port",
            FindingKind::UnassignedHost => "unassigned-host",
            FindingKind::ExternalDatabase => "external-database",
            FindingKind::ExternalRemoteAccess => "external-remote-access",
            FindingKind::CleartextService => "cleartext-service",
            FindingKind::HttpWithoutHttpsRedirect => "http-without-https-redirect",
            FindingKind::ObsoleteTls => "obsolete-tls",
            FindingKind::LegacyTls => "legacy-tls",
            FindingKind::InsecureCipher => "insecure-cipher",
            FindingKind::WeakCipher => "weak-cipher",
            FindingKind::CertificateExpired => "certificate-expired",
            FindingKind::CertificateSelfSigned => "certificate-self-signed",
            FindingKind::CertificateNameMismatch => "certificate-name-mismatch",
            FindingKind::VulnerableVersion => "vulnerable-version",
            FindingKind::EndOfLifeVersion => "end-of-life-version",
            FindingKind::UnauthenticatedAccess => "unauthenticated-access",
            FindingKind::DefaultSnmpCommunity => "default-snmp-community",
            FindingKind::StaleInventoryEntry => "stale-inventory-entry",
            FindingKind::ExpiredInventoryEntry => "expired-inventory-entry",
            FindingKind::InventoryMismatch => "inventory-mismatch",
            FindingKind::InternalScanOverdue => "internal-scan-overdue",
            FindingKind::ExternalScanOverdue => "external-scan-overdue",
            FindingKind::SegmentationTestOverdue => "segmentation-test-overdue",
            FindingKind::SegmentationTestFailed => "segmentation-test-failed",
        }
    }

    /// The kind whose [`id`](FindingKind::id) is `id`.
    pub fn from_id(id: &str) -> Option<FindingKind> {
        FindingKind::ALL.into_iter().find(|kind| kind.id() == id)
    }
}

/// One thing wrong (or worth a decision), in plain English, with the PCI DSS
/// v4.0 requirements it serves and what closes it.
///
/// The texts are `Arc`s (in JSON, plain strings and arrays): a scan of every
/// port of a host can make 65,535 findings of one rule, and what the rule
/// says the same way each time (most remedies, the requirements) is then
/// one shared copy instead of 65,535.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub severity: Severity,
    /// One line: what and where.
    pub title: Arc<str>,
    /// What the port or service is and why this matters, for a reader who
    /// does not know what a port is.
    pub explanation: Arc<str>,
    /// What to do to close the finding.
    pub remedy: Arc<str>,
    /// PCI DSS v4.0 requirement numbers, e.g. "1.2.5", "11.3.2".
    pub requirements: Arc<[String]>,
    /// The system the finding belongs to; `None` for findings about the
    /// whole programme (overdue scans) or hosts no system claims.
    pub system_id: Option<i64>,
    pub address: Option<IpAddr>,
    pub port: Option<u16>,
    pub protocol: Option<Protocol>,
    /// The service identified on the port ("ssh", "mysql"), when
    /// identification ran; what accepting the finding writes into the
    /// inventory as the expected service.
    #[serde(default)]
    pub service: Option<String>,
    /// The version identified there, likewise.
    #[serde(default)]
    pub version: Option<String>,
    /// The facts that triggered the rule (banner, versions, dates), as the
    /// scan reported them: hostile text, bounded and sanitised upstream,
    /// never to be rendered as HTML.
    pub evidence: String,
    /// Identity of "the same finding" across scans: the rule id and the
    /// place (address, port and protocol; or the inventory entry; or
    /// nothing, for programme-wide findings). Two scans that produce the
    /// same key are reporting the same problem, so its status (accepted,
    /// fixed) carries over.
    pub key: String,
}

/// Where a finding is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingStatus {
    /// Present and not dealt with.
    Open,
    /// Accepted as a business need, with a justification and an approver,
    /// until `accepted_until`; it does not fail the verdict meanwhile.
    Accepted,
    /// Someone reports it fixed; no scan has confirmed it yet.
    Fixed,
    /// A scan that covered its place no longer found it
    /// (`verified_by_scan`): the fix is proven, as an ASV rescan proves it.
    Verified,
}

/// A finding as tracked across scans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRecord {
    pub id: i64,
    /// The finding as last seen.
    pub finding: Finding,
    pub status: FindingStatus,
    /// Until when an acceptance holds; set with `Accepted`.
    pub accepted_until: Option<DateTime<Utc>>,
    /// Why the business accepts it; set with `Accepted`.
    pub justification: Option<String>,
    /// Who accepted it; set with `Accepted`.
    pub approver: Option<String>,
    pub first_seen_scan: i64,
    pub last_seen_scan: i64,
    /// The first scan that covered the finding's place and no longer found
    /// it.
    pub fixed_by_scan: Option<i64>,
    /// The scan that proved the fix (see [`FindingStatus::Verified`]).
    pub verified_by_scan: Option<i64>,
}

/// How a tracked finding changed with one scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecordChange {
    /// Still present and still open.
    StillOpen,
    /// Still present, and its acceptance still holds.
    StillAccepted,
    /// Its acceptance lapsed: it is open again.
    AcceptanceExpired,
    /// It was open or accepted; this scan covered its place and did not find
    /// it, so it is fixed, and verified by this scan.
    FixedByScan,
    /// It was reported fixed; this scan confirms it.
    Verified,
    /// It was fixed or verified, and this scan found it again.
    Reopened,
}

/// A tracked finding after one scan, and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordUpdate {
    pub change: RecordChange,
    /// The record as it should now be stored.
    pub record: FindingRecord,
}

/// The outcome of folding one scan's findings into the tracked ones.
/// Records neither listed in `updated` nor matched are unchanged (their
/// place was not covered by the scan).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    /// Findings seen for the first time: to be stored as new open records,
    /// first and last seen in this scan.
    pub new: Vec<Finding>,
    /// Existing records to update.
    pub updated: Vec<RecordUpdate>,
}

/// Where accepting a finding leaves the inventory: approving a port as a
/// business need writes it into the inventory, or renews the entry there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum InventoryWrite {
    /// Nothing to write: the finding is not about a port's approval.
    None,
    Create(NewInventoryEntry),
    Update(InventoryEntry),
}

/// The result of accepting a finding: both are written in one transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acceptance {
    pub record: FindingRecord,
    pub inventory: InventoryWrite,
}

// ---------------------------------------------------------------------------
// Verdicts
// ---------------------------------------------------------------------------

/// The judgement an assessor would give. Ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Pass,
    /// Nothing fails, but something needs a fix or a documented
    /// justification.
    ActionNeeded,
    Fail,
}

/// One system's verdict, with the reasons behind it (worst first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemStatus {
    pub system_id: i64,
    pub name: String,
    pub verdict: Verdict,
    pub reasons: Vec<String>,
}

/// The verdict for the whole estate: the worst of the in-scope systems and
/// of the findings that belong to no system (overdue scans, unclaimed
/// hosts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverallStatus {
    pub verdict: Verdict,
    pub reasons: Vec<String>,
    pub systems: Vec<SystemStatus>,
}

// ---------------------------------------------------------------------------
// Diffs
// ---------------------------------------------------------------------------

/// What changed on one port between two scans. "Open" means
/// [`PortState::Open`]; `None` as a state means the port was not listed
/// (closed or filtered, not told apart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "kebab-case")]
pub enum PortChangeKind {
    Opened {
        from: Option<PortState>,
    },
    Closed {
        to: Option<PortState>,
    },
    /// Between two states neither of which is open (e.g. closed to
    /// open|filtered).
    StateChanged {
        from: Option<PortState>,
        to: Option<PortState>,
    },
    /// A different service answers.
    ServiceChanged {
        from: Option<String>,
        to: Option<String>,
    },
    /// The same service, another product or version ("OpenSSH 9.2p1").
    VersionChanged {
        from: Option<String>,
        to: Option<String>,
    },
    /// Posture facts that appeared or disappeared ("accepts TLS 1.0",
    /// "certificate expired").
    PostureChanged {
        added: Vec<String>,
        removed: Vec<String>,
    },
}

/// What the inventory says about a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InventoryVerdict {
    /// The new state is what the inventory approves: an approved port
    /// opened, an unapproved port closed, the expected service or version.
    Approved,
    /// It is not: an unapproved port opened, a service or version other
    /// than the entry's.
    NotApproved,
    /// An approved port closed: the entry may no longer be needed.
    ApprovedPortClosed,
    /// No system claims the address, so there is no inventory to consult.
    NoSystem,
    /// The inventory says nothing about this kind of change (posture,
    /// states that are not open).
    NotApplicable,
}

/// One change on one port, with the inventory's view of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortChange {
    pub address: IpAddr,
    pub port: u16,
    pub protocol: Protocol,
    pub change: PortChangeKind,
    pub system_id: Option<i64>,
    /// The inventory entry for this system and port, if any.
    pub inventory_entry_id: Option<i64>,
    pub inventory: InventoryVerdict,
}

/// A host's reachability changed between two scans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HostChangeKind {
    /// Down or absent in the first scan, up in the second.
    CameUp,
    /// Up in the first scan, down or absent in the second: its ports were
    /// not reached, so they are not reported as closed.
    WentDown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostChange {
    pub address: IpAddr,
    pub change: HostChangeKind,
    pub system_id: Option<i64>,
}

/// Everything that changed between two scans of the same targets, like
/// ndiff, and against the inventory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanDiff {
    pub hosts: Vec<HostChange>,
    /// By address, then protocol, then port.
    pub ports: Vec<PortChange>,
}

// ---------------------------------------------------------------------------
// Audit trail
// ---------------------------------------------------------------------------

/// One row of the append-only audit log (PCI DSS 10.2): who changed what,
/// when, and how it looked before and after. Each row's `hash` covers the
/// previous row's hash and the row's own content, so editing or removing a
/// row breaks the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    /// What happened, e.g. "inventory.add", "finding.accept".
    pub action: String,
    /// The kind of thing changed, e.g. "inventory_entry", "finding",
    /// "system".
    pub entity: String,
    /// The changed thing's id, as text (a row id or a setting's key).
    pub entity_id: String,
    /// The thing before the change, as JSON; `None`: it did not exist.
    pub before: Option<String>,
    /// The thing after the change, as JSON; `None`: it was removed.
    pub after: Option<String>,
    pub hash: String,
    pub prev_hash: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_ids_are_the_serde_names() {
        for kind in FindingKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.id()));
            assert_eq!(FindingKind::from_id(kind.id()), Some(kind));
        }
    }

    #[test]
    fn severities_and_verdicts_order_from_mild_to_bad() {
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
        assert!(Verdict::Fail > Verdict::ActionNeeded && Verdict::ActionNeeded > Verdict::Pass);
    }

    #[test]
    fn a_system_round_trips_through_json() {
        let system = NewSystem {
            name: "shop".into(),
            addresses: vec!["203.0.113.10".into(), "shop.example.com".into()],
            role: SystemRole::WebServer,
            scope: Scope::Cde,
            exposure: Exposure::External,
            notes: String::new(),
        }
        .with_id(7);
        let json = serde_json::to_string(&system).unwrap();
        assert!(json.contains("\"role\":\"web-server\""), "{json}");
        let back: System = serde_json::from_str(&json).unwrap();
        assert_eq!(back, system);
    }

    #[test]
    fn a_finding_is_plain_strings_and_arrays_in_json() {
        let finding = Finding {
            kind: FindingKind::UnlistedOpenPort,
            severity: Severity::High,
            title: "Port 8080/tcp is open".into(),
            explanation: "Nobody approved it.".into(),
            remedy: "Close it or approve it.".into(),
            requirements: vec!["1.2.5".to_string(), "2.2.4".to_string()].into(),
            system_id: Some(1),
            address: Some("10.0.0.1".parse().unwrap()),
            port: Some(8080),
            protocol: Some(Protocol::Tcp),
            service: None,
            version: None,
            evidence: "8080/tcp open (syn-ack)".into(),
            key: "unlisted-open-port|10.0.0.1|tcp/8080".into(),
        };
        let json = serde_json::to_string(&finding).unwrap();
        assert!(
            json.contains(r#""title":"Port 8080/tcp is open","#)
                && json.contains(r#""requirements":["1.2.5","2.2.4"],"#),
            "{json}"
        );
        let back: Finding = serde_json::from_str(&json).unwrap();
        assert_eq!(back, finding);
    }
}
