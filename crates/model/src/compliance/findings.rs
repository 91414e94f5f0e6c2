//! Findings: what a rule found wrong, how bad it is, and which rule said
//! so. One finding is one scan's view; tracking across scans is in
//! `tracking`.

use std::net::IpAddr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::ids::SystemId;
use crate::scan::Protocol;

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

    /// Whether a finding of this level fails an ASV scan (CVSS 4.0 and up
    /// in the ASV's terms; Medium here is action needed, not a failure).
    pub fn fails_asv_scan(self) -> bool {
        matches!(self, Severity::High | Severity::Critical)
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
    /// A remote login that sends passwords unencrypted (Telnet, rlogin,
    /// rsh, rexec) on an internet-facing system: an ASV fails it.
    ExternalCleartextLogin,
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
    /// A Diffie-Hellman group of 1024 bits or less (Logjam).
    WeakDhGroup,
    /// An expired certificate on an internet-facing service.
    CertificateExpired,
    /// A self-signed certificate on an internet-facing service.
    CertificateSelfSigned,
    /// A certificate whose chain leads to no root browsers trust (a
    /// private CA, a missing intermediate) on an internet-facing service.
    CertificateUntrusted,
    /// A certificate for another name on an internet-facing service.
    CertificateNameMismatch,
    /// A certificate with an RSA or DSA key under 2048 bits, or signed with
    /// MD5 or SHA-1, on an internet-facing service.
    WeakCertificate,
    /// A version with known vulnerabilities (6.3.3).
    VulnerableVersion,
    /// A version its maker no longer supports (6.3.3).
    EndOfLifeVersion,
    /// A database, cache or FTP server that answers without a password.
    UnauthenticatedAccess,
    /// SNMP answering to the factory community "public" (2.2.2).
    DefaultSnmpCommunity,
    /// SSH offering algorithms that are broken or weak (SHA-1, CBC, 1024-bit
    /// groups, DSA keys, RC4), as its key-exchange offer lists them.
    SshWeakAlgorithms,
    /// SSH open to the Terrapin attack (CVE-2023-48795): ChaCha20-Poly1305
    /// or an encrypt-then-MAC mode offered without strict key exchange.
    SshTerrapin,
    /// SSH on an internet-facing system that lets anyone try passwords.
    SshPasswordLogin,
    /// A web server that lists the files of a folder to anyone.
    DirectoryListing,
    /// A page that gives away internals: a source repository (`.git`) or a
    /// server status page.
    ExposedSensitivePage,
    /// An admin or login panel (phpMyAdmin, Tomcat manager, WordPress
    /// login) or a software's default page, reachable by anyone.
    ExposedAdminPage,
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
    /// A problem another scanner's imported report lists (an ASV's Nessus
    /// or Greenbone report, a spreadsheet) that no rule of Portcullis's
    /// covers: shown in the scanner's own words.
    ReportedProblem,
}

impl FindingKind {
    /// Whether an ASV's report can hold this finding, so that it can be
    /// disputed with the ASV: not Portcullis's own reminders about the
    /// inventory and the programme's dates.
    pub fn is_disputable(self) -> bool {
        !matches!(
            self,
            FindingKind::StaleInventoryEntry
                | FindingKind::ExpiredInventoryEntry
                | FindingKind::InventoryMismatch
                | FindingKind::InternalScanOverdue
                | FindingKind::ExternalScanOverdue
                | FindingKind::SegmentationTestOverdue
                | FindingKind::SegmentationTestFailed
        )
    }

    /// Whether the finding is about SSL or early TLS, which the card
    /// terminal exception (PCI DSS Appendix A2) covers.
    pub fn is_early_tls(self) -> bool {
        matches!(self, FindingKind::ObsoleteTls | FindingKind::LegacyTls)
    }

    /// Every kind, in declaration order.
    pub const ALL: [FindingKind; 35] = [
        FindingKind::UnlistedOpenPort,
        FindingKind::UnassignedHost,
        FindingKind::ExternalDatabase,
        FindingKind::ExternalRemoteAccess,
        FindingKind::CleartextService,
        FindingKind::ExternalCleartextLogin,
        FindingKind::HttpWithoutHttpsRedirect,
        FindingKind::ObsoleteTls,
        FindingKind::LegacyTls,
        FindingKind::InsecureCipher,
        FindingKind::WeakCipher,
        FindingKind::WeakDhGroup,
        FindingKind::CertificateExpired,
        FindingKind::CertificateSelfSigned,
        FindingKind::CertificateUntrusted,
        FindingKind::CertificateNameMismatch,
        FindingKind::WeakCertificate,
        FindingKind::VulnerableVersion,
        FindingKind::EndOfLifeVersion,
        FindingKind::UnauthenticatedAccess,
        FindingKind::DefaultSnmpCommunity,
        FindingKind::SshWeakAlgorithms,
        FindingKind::SshTerrapin,
        FindingKind::SshPasswordLogin,
        FindingKind::DirectoryListing,
        FindingKind::ExposedSensitivePage,
        FindingKind::ExposedAdminPage,
        FindingKind::StaleInventoryEntry,
        FindingKind::ExpiredInventoryEntry,
        FindingKind::InventoryMismatch,
        FindingKind::InternalScanOverdue,
        FindingKind::ExternalScanOverdue,
        FindingKind::SegmentationTestOverdue,
        FindingKind::SegmentationTestFailed,
        FindingKind::ReportedProblem,
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
            FindingKind::ExternalCleartextLogin => "external-cleartext-login",
            FindingKind::HttpWithoutHttpsRedirect => "http-without-https-redirect",
            FindingKind::ObsoleteTls => "obsolete-tls",
            FindingKind::LegacyTls => "legacy-tls",
            FindingKind::InsecureCipher => "insecure-cipher",
            FindingKind::WeakCipher => "weak-cipher",
            FindingKind::WeakDhGroup => "weak-dh-group",
            FindingKind::CertificateExpired => "certificate-expired",
            FindingKind::CertificateSelfSigned => "certificate-self-signed",
            FindingKind::CertificateUntrusted => "certificate-untrusted",
            FindingKind::CertificateNameMismatch => "certificate-name-mismatch",
            FindingKind::WeakCertificate => "weak-certificate",
            FindingKind::VulnerableVersion => "vulnerable-version",
            FindingKind::EndOfLifeVersion => "end-of-life-version",
            FindingKind::UnauthenticatedAccess => "unauthenticated-access",
            FindingKind::DefaultSnmpCommunity => "default-snmp-community",
            FindingKind::SshWeakAlgorithms => "ssh-weak-algorithms",
            FindingKind::SshTerrapin => "ssh-terrapin",
            FindingKind::SshPasswordLogin => "ssh-password-login",
            FindingKind::DirectoryListing => "directory-listing",
            FindingKind::ExposedSensitivePage => "exposed-sensitive-page",
            FindingKind::ExposedAdminPage => "exposed-admin-page",
            FindingKind::StaleInventoryEntry => "stale-inventory-entry",
            FindingKind::ExpiredInventoryEntry => "expired-inventory-entry",
            FindingKind::InventoryMismatch => "inventory-mismatch",
            FindingKind::InternalScanOverdue => "internal-scan-overdue",
            FindingKind::ExternalScanOverdue => "external-scan-overdue",
            FindingKind::SegmentationTestOverdue => "segmentation-test-overdue",
            FindingKind::SegmentationTestFailed => "segmentation-test-failed",
            FindingKind::ReportedProblem => "reported-problem",
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
    pub system_id: Option<SystemId>,
    pub address: Option<IpAddr>,
    pub port: Option<u16>,
    pub protocol: Option<Protocol>,
    /// The service identified on the port ("ssh", "mysql"), when
    /// identification ran; what accepting the finding writes into the
    /// inventory as the expected service.
    #[serde(default)]
    pub service: Option<String>,
    /// The product identified there ("OpenSSH", "nginx"): what an update
    /// is an update of.
    #[serde(default)]
    pub product: Option<String>,
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
    fn severities_order_from_mild_to_bad() {
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
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
            system_id: Some(SystemId(1)),
            product: None,
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
