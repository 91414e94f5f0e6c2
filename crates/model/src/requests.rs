//! What a person asks the application to change, as the shells send it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::compliance::{DisputeKind, Exposure, FirewallFormat, Platform, Scope, SystemRole};
use crate::ids::{FindingId, InventoryEntryId, SystemId};
use crate::scan::Protocol;
use crate::scan_record::ScanId;

/// A change to a system: only the fields given change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemEdit {
    pub id: SystemId,
    pub name: Option<String>,
    /// Replaces the addresses when given.
    pub addresses: Option<Vec<String>>,
    pub role: Option<SystemRole>,
    pub scope: Option<Scope>,
    pub exposure: Option<Exposure>,
    pub notes: Option<String>,
}

impl SystemEdit {
    /// An edit of `id` that changes nothing yet.
    pub fn of(id: SystemId) -> SystemEdit {
        SystemEdit {
            id,
            name: None,
            addresses: None,
            role: None,
            scope: None,
            exposure: None,
            notes: None,
        }
    }
}

/// A port to approve on a system; approved now, by `approver`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryAddition {
    pub system_id: SystemId,
    pub port: u16,
    pub protocol: Protocol,
    /// The service expected there ("https", "ssh", or a product).
    pub service: Option<String>,
    /// The version expected, as a prefix ("9.2" accepts "9.2p1").
    pub version: Option<String>,
    pub justification: String,
    pub approver: String,
    /// When the approval must be renewed; `None`: it does not lapse.
    pub expires_at: Option<DateTime<Utc>>,
    /// Where connections may come from; empty: anywhere.
    #[serde(default)]
    pub sources: Vec<ipnet::IpNet>,
    pub notes: String,
}

/// How long a renewed approval runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "term", content = "until", rename_all = "kebab-case")]
pub enum RenewalTerm {
    /// As long as the approval being renewed ran, counted from now.
    SameAsBefore,
    Until(DateTime<Utc>),
    NoExpiry,
}

/// Approve an inventory entry again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryRenewal {
    pub id: InventoryEntryId,
    pub approver: String,
    /// A new statement of why the business needs the port (default: the
    /// entry's).
    pub justification: Option<String>,
    pub term: RenewalTerm,
}

/// Remove an inventory entry, saying why (the audit log keeps both).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryRemoval {
    pub id: InventoryEntryId,
    /// Why the port no longer needs to be open ("the old shop was shut
    /// down"), in a sentence an assessor can read.
    pub reason: String,
}

/// Accept a finding as a business need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingAcceptance {
    pub id: FindingId,
    /// Why the business needs it, in a sentence a reviewer can check.
    pub justification: String,
    /// Who takes responsibility.
    pub approver: String,
    /// Until when (default: 90 days from now).
    pub until: Option<DateTime<Utc>>,
}

/// Dispute a finding with the ASV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingDisputal {
    pub id: FindingId,
    pub kind: DisputeKind,
    /// What proves it, or the control that stands in its place.
    pub evidence: String,
    /// Who submits it.
    pub submitted_by: String,
    /// Until when (default: 90 days from now, the next quarterly scan).
    pub until: Option<DateTime<Utc>>,
}

/// A segmentation test someone carried out (PCI DSS 11.4.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentationTestInput {
    pub passed: bool,
    /// Who tested which networks, and where the report is.
    pub note: String,
    /// When it was carried out (default: now).
    pub at: Option<DateTime<Utc>>,
}

/// Record an ASV scan's result (PCI DSS 11.3.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsvScanInput {
    pub passed: bool,
    /// The Approved Scanning Vendor's name.
    pub vendor: String,
    /// Where the report is.
    pub note: String,
    /// When the ASV scanned (default: now).
    pub at: Option<DateTime<Utc>>,
}

/// Compare two recorded scans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffRequest {
    pub before: ScanId,
    pub after: ScanId,
}

/// The fix of a finding to show: on `platform` when the merchant picks one
/// (it is then remembered for the finding's system), or on the platform
/// known or guessed for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixStepsRequest {
    pub finding_id: FindingId,
    pub platform: Option<Platform>,
}

/// What the merchant says a system runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformStatement {
    pub system_id: SystemId,
    pub platform: Platform,
}

/// A system's ruleset to make, in one firewall's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirewallRequest {
    pub system_id: SystemId,
    pub format: FirewallFormat,
}
