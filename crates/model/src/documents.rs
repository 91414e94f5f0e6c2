//! The documents Portcullis writes for an assessor: their content as
//! data, the same for every format (JSON as is, CSV as rows, PDF through
//! a template that reads this as its data file).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::compliance::{Exposure, Scope, SystemRole};
use crate::ids::{InventoryEntryId, SystemId};
use crate::scan::Protocol;

/// The characters a spreadsheet starts a formula with.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `text` as a spreadsheet cell nothing evaluates: a cell that starts
/// with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to
/// Excel and LibreOffice (`=HYPERLINK(...)` from a hostile banner would
/// run), so it gets a leading apostrophe, which spreadsheets show as text
/// and do not display. Every CSV Portcullis writes goes through this.
pub fn inert_cell(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The formats a document can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentFormat {
    Pdf,
    Html,
    Json,
    Csv,
    /// nmap's XML, for a scan report.
    Xml,
}

impl DocumentFormat {
    pub const ALL: [DocumentFormat; 5] = [
        DocumentFormat::Pdf,
        DocumentFormat::Html,
        DocumentFormat::Json,
        DocumentFormat::Csv,
        DocumentFormat::Xml,
    ];

    /// The word on a command line, and the file's usual ending.
    pub fn id(self) -> &'static str {
        match self {
            DocumentFormat::Pdf => "pdf",
            DocumentFormat::Html => "html",
            DocumentFormat::Json => "json",
            DocumentFormat::Csv => "csv",
            DocumentFormat::Xml => "xml",
        }
    }

    pub fn from_id(id: &str) -> Option<DocumentFormat> {
        DocumentFormat::ALL
            .into_iter()
            .find(|format| format.id() == id)
    }
}

/// The port inventory document an assessor reviews for PCI DSS 1.2.5
/// (every allowed service, protocol and port, with its business
/// justification), 1.2.6 (the security features of insecure ones) and
/// 1.2.7 (reviewed at least once every six months).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryDocument {
    /// The business the document is for.
    pub business: String,
    /// What the document covers, in one sentence.
    pub scope: String,
    /// When it was made.
    pub made_at: DateTime<Utc>,
    pub systems: Vec<SystemInventory>,
    /// Open ports the last scans found that the inventory does not allow.
    pub not_allowed: Vec<PortSighting>,
    /// Allowed ports that no scan has found open.
    pub not_seen: Vec<UnseenEntry>,
    /// Changes to the inventory, oldest first.
    pub review_log: Vec<ReviewLogLine>,
}

/// One system and what it is allowed to offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemInventory {
    pub id: SystemId,
    pub name: String,
    pub role: SystemRole,
    pub scope: Scope,
    pub exposure: Exposure,
    /// Role, scope and exposure in words ("web server · in the CDE ·
    /// internet-facing").
    pub description: String,
    pub addresses: Vec<String>,
    pub allowed: Vec<AllowedService>,
}

/// One allowed service: an inventory entry, as the document shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowedService {
    pub entry_id: InventoryEntryId,
    pub port: u16,
    pub protocol: Protocol,
    /// The service expected, or "any service".
    pub service: String,
    /// Which way connections go and from where ("inbound from anywhere",
    /// "inbound from 198.18.0.0/24").
    pub direction: String,
    pub justification: String,
    pub approver: String,
    pub approved_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    /// Why the service is insecure (it sends passwords unencrypted), when
    /// it is one: PCI DSS 1.2.6 then asks for the security features that
    /// make it acceptable.
    pub insecure: Option<String>,
    /// The security features that make it acceptable (the entry's notes).
    pub security_features: String,
    /// When a scan last found the port open.
    pub last_seen: Option<DateTime<Utc>>,
    /// When its next review is due: six months after its approval
    /// (PCI DSS 1.2.7), or sooner when the approval lapses sooner.
    pub next_review: DateTime<Utc>,
    /// Whether that date has passed.
    pub review_overdue: bool,
}

/// An open port that the inventory does not allow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortSighting {
    /// The system's name, or "an unregistered machine".
    pub system: String,
    pub address: String,
    pub port: u16,
    pub protocol: Protocol,
    pub service: Option<String>,
    /// When a scan last found it open.
    pub last_seen: DateTime<Utc>,
}

/// An allowed port that no scan has found open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnseenEntry {
    pub system: String,
    pub entry_id: InventoryEntryId,
    pub port: u16,
    pub protocol: Protocol,
    /// What that means, in words ("no scan has found it open since it was
    /// approved", "the last scan covering it found it shut").
    pub why: String,
}

/// One change to the inventory, from the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewLogLine {
    pub at: DateTime<Utc>,
    pub actor: String,
    /// What changed, in words ("approved tcp/443 on Web shop").
    pub change: String,
}

/// What every scan report says of itself, first: it is a readiness
/// check, not what an ASV hands out.
pub const READINESS_NOTICE: &str = "This is a readiness report made by Portcullis to help you prepare. \
It is not an ASV scan report and not an Attestation of Scan Compliance: \
only an Approved Scanning Vendor (ASV) can give those (PCI DSS 11.3.2).";

/// One scan, reported: what was scanned, how and when, every open port
/// with its service, the findings in plain English with their
/// requirements, and the changes since the scan before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanReportDocument {
    pub business: String,
    pub made_at: DateTime<Utc>,
    /// [`READINESS_NOTICE`].
    pub notice: String,
    pub scan: crate::scan_record::ScanRecord,
    /// How the scan looked, in one or two sentences.
    pub how: String,
    /// "Fails: 2 problems an ASV fails..." in one sentence.
    pub verdict: String,
    pub hosts: Vec<ReportHost>,
    pub findings: Vec<ReportFinding>,
    /// How many findings of each severity, worst first.
    pub severities: Vec<SeverityCount>,
    /// What changed since the previous comparable scan, if there is one.
    pub changes: Option<crate::diff_view::DiffView>,
    /// This scan and those before it, oldest first, for the charts.
    pub history: Vec<HistoryPoint>,
}

/// A host that answered, with its open ports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportHost {
    pub address: std::net::IpAddr,
    pub name: Option<String>,
    /// The system it belongs to, or "an unregistered machine".
    pub system: String,
    pub open: Vec<ReportPort>,
}

/// An open port and what answers there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportPort {
    pub port: u16,
    pub protocol: Protocol,
    /// What answers, as short as possible ("OpenSSH 9.2p1", "https,
    /// going by the port number").
    pub service: String,
    /// Whether it answered through TLS.
    pub tls: bool,
    /// Whether the inventory allows it.
    pub allowed: bool,
}

/// A finding as the report prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFinding {
    pub severity: crate::compliance::Severity,
    /// "Fails", "Action needed" or "For the record".
    pub weight: String,
    pub kind: crate::compliance::FindingKind,
    pub title: String,
    pub explanation: String,
    pub remedy: String,
    pub requirements: Vec<String>,
    /// Where it stands: "open", "accepted until 2026-03-01"...
    pub status: String,
    pub address: Option<std::net::IpAddr>,
    pub port: Option<u16>,
    pub protocol: Option<Protocol>,
    /// What the scan saw: hostile text, printed as text only.
    pub evidence: String,
}

/// How many findings of one severity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityCount {
    pub severity: crate::compliance::Severity,
    pub label: String,
    pub count: u32,
}

/// One judged scan, for the charts over time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPoint {
    pub scan_id: crate::scan_record::ScanId,
    pub at: DateTime<Utc>,
    pub open_ports: u32,
    /// Findings that fail (high and critical).
    pub failing: u32,
    /// Findings that need action (medium and low).
    pub action_needed: u32,
}

/// A dispute pack: for a finding the merchant believes an ASV got wrong,
/// the finding, what Portcullis saw of its place scan after scan, and a
/// statement in plain words to send to the ASV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeDocument {
    pub business: String,
    pub made_at: DateTime<Utc>,
    pub finding_id: crate::ids::FindingId,
    pub finding: ReportFinding,
    /// The grounds, in words ("false positive"), when the finding is
    /// disputed in Portcullis; `None` when it is not (yet).
    pub grounds: Option<String>,
    /// The merchant's evidence, as recorded with the dispute.
    pub evidence: String,
    pub submitted_by: Option<String>,
    /// What Portcullis's scans saw at the finding's place, newest first.
    pub observations: Vec<Observation>,
    /// The letter to the ASV.
    pub statement: String,
}

/// What one scan saw at a finding's place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    pub scan_id: crate::scan_record::ScanId,
    pub at: DateTime<Utc>,
    /// "open", "closed", "filtered", or "the host did not answer".
    pub state: String,
    /// What answered, with its banner or identification, when open.
    pub seen: String,
}

/// What a desktop export came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", content = "value", rename_all = "kebab-case")]
pub enum ExportAnswer {
    /// The save dialog was closed without a choice.
    Dismissed,
    Saved(ExportOutcome),
}

/// A document to write to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "document", rename_all = "kebab-case")]
pub enum ExportRequest {
    /// The port inventory document: PDF, CSV or JSON.
    Inventory { format: DocumentFormat },
    /// A scan's readiness report (the newest judged scan when `None`):
    /// PDF, HTML, JSON, CSV or nmap XML.
    Report {
        scan_id: Option<crate::scan_record::ScanId>,
        format: DocumentFormat,
    },
    /// A dispute pack for one finding: PDF or JSON.
    Dispute {
        finding_id: crate::ids::FindingId,
        format: DocumentFormat,
    },
    /// The evidence pack: one ZIP (a BagIt bag with a SHA-256 manifest).
    Evidence,
}

impl ExportRequest {
    /// The formats this document can be written in.
    pub fn formats(self) -> &'static [DocumentFormat] {
        match self {
            ExportRequest::Inventory { .. } => &[
                DocumentFormat::Pdf,
                DocumentFormat::Csv,
                DocumentFormat::Json,
            ],
            ExportRequest::Report { .. } => &[
                DocumentFormat::Pdf,
                DocumentFormat::Html,
                DocumentFormat::Json,
                DocumentFormat::Csv,
                DocumentFormat::Xml,
            ],
            ExportRequest::Dispute { .. } => &[DocumentFormat::Pdf, DocumentFormat::Json],
            ExportRequest::Evidence => &[],
        }
    }

    /// The document in words ("the port inventory").
    pub fn words(self) -> &'static str {
        match self {
            ExportRequest::Inventory { .. } => "the port inventory",
            ExportRequest::Report { .. } => "the scan report",
            ExportRequest::Dispute { .. } => "the dispute pack",
            ExportRequest::Evidence => "the evidence pack",
        }
    }

    /// The file's usual ending ("zip" for the evidence pack).
    pub fn extension(self) -> &'static str {
        match self {
            ExportRequest::Inventory { format }
            | ExportRequest::Report { format, .. }
            | ExportRequest::Dispute { format, .. } => format.id(),
            ExportRequest::Evidence => "zip",
        }
    }

    /// The name a save dialog proposes: what it is, and the day it was
    /// made ("port-inventory-2026-12-07.pdf").
    pub fn suggested_file_name(self, day: chrono::NaiveDate) -> String {
        let stem = match self {
            ExportRequest::Inventory { .. } => "port-inventory".to_owned(),
            ExportRequest::Report { scan_id: None, .. } => "scan-report".to_owned(),
            ExportRequest::Report {
                scan_id: Some(id), ..
            } => format!("scan-report-{id}"),
            ExportRequest::Dispute { finding_id, .. } => format!("dispute-{finding_id}"),
            ExportRequest::Evidence => "evidence-pack".to_owned(),
        };
        format!("{stem}-{}.{}", day.format("%Y-%m-%d"), self.extension())
    }
}

/// A document written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportOutcome {
    pub path: String,
    pub bytes: u64,
    /// The file's SHA-256, to quote when handing it over.
    pub sha256: String,
    /// "Wrote the port inventory (PDF, 3 pages) to ...".
    pub summary: String,
}
