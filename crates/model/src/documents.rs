//! The documents Portcullis writes for an assessor: their content as
//! data, the same for every format (JSON as is, CSV as rows, PDF through
//! a template that reads this as its data file).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::compliance::{Exposure, Scope, SystemRole};
use crate::ids::{InventoryEntryId, SystemId};
use crate::scan::Protocol;

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
