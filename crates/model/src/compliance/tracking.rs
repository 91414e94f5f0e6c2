//! A finding's life across scans: its status, how one scan changed it, and
//! what accepting it writes into the inventory. The rules compute these;
//! the store writes them, each change audited.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::findings::Finding;
use super::inventory::{InventoryEntry, NewInventoryEntry};
use crate::ids::{FindingId, ScanId};

/// Where a finding is in its life, as one word (for filters, counts and
/// the store's status column). [`FindingState`] carries what each place
/// needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingStatus {
    /// Present and not dealt with.
    Open,
    /// Accepted as a business need; it does not fail the verdict while the
    /// acceptance holds.
    Accepted,
    /// Disputed with the ASV (a false positive, a compensating control, the
    /// terminal exception for early TLS): a failing finding then passes
    /// only if the ASV accepts the dispute.
    Disputed,
    /// Someone reports it fixed; no scan has confirmed it yet.
    Fixed,
    /// A scan that covered its place no longer found it: the fix is
    /// proven, as an ASV rescan proves it.
    Verified,
}

impl FindingStatus {
    /// The status in a few words, for sentences.
    pub fn words(self) -> &'static str {
        match self {
            FindingStatus::Open => "open",
            FindingStatus::Accepted => "accepted",
            FindingStatus::Disputed => "disputed",
            FindingStatus::Fixed => "reported fixed",
            FindingStatus::Verified => "verified fixed",
        }
    }
}

/// Where a finding is in its life, with what that place carries: an
/// accepted finding always has its justification, approver and term, and
/// a verified one the scan that proved it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum FindingState {
    Open,
    Accepted(BusinessNeed),
    Disputed(Dispute),
    Fixed,
    Verified {
        /// The first scan that covered the finding's place and no longer
        /// found it.
        by_scan: ScanId,
    },
}

impl FindingState {
    pub fn status(&self) -> FindingStatus {
        match self {
            FindingState::Open => FindingStatus::Open,
            FindingState::Accepted(_) => FindingStatus::Accepted,
            FindingState::Disputed(_) => FindingStatus::Disputed,
            FindingState::Fixed => FindingStatus::Fixed,
            FindingState::Verified { .. } => FindingStatus::Verified,
        }
    }

    /// The acceptance, when the finding is accepted.
    pub fn business_need(&self) -> Option<&BusinessNeed> {
        match self {
            FindingState::Accepted(need) => Some(need),
            _ => None,
        }
    }

    /// The dispute, when the finding is disputed.
    pub fn dispute(&self) -> Option<&Dispute> {
        match self {
            FindingState::Disputed(dispute) => Some(dispute),
            _ => None,
        }
    }

    /// Until when an acceptance or a dispute holds; `None` in any other
    /// state.
    pub fn settled_until(&self) -> Option<DateTime<Utc>> {
        match self {
            FindingState::Accepted(need) => Some(need.until),
            FindingState::Disputed(dispute) => Some(dispute.until),
            _ => None,
        }
    }
}

/// Why, by whom and until when a finding is accepted as a business need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessNeed {
    /// Why the business accepts it, in a sentence a reviewer can check.
    pub justification: String,
    /// Who takes responsibility.
    pub approver: String,
    /// Until when the acceptance holds; then the finding is open again.
    pub until: DateTime<Utc>,
}

/// The grounds an ASV accepts for disputing a finding in its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DisputeKind {
    /// The scan is wrong: the problem is not there, and the evidence shows
    /// it (a package changelog with the fix, a configuration file).
    FalsePositive,
    /// The problem is there, and another control stands in its place and
    /// meets the requirement's intent (PCI DSS Appendix B).
    CompensatingControl,
    /// Card terminals (point of interaction, POI) and the points where
    /// their connections end may keep SSL or early TLS when no known
    /// exploit reaches them (PCI DSS Appendix A2).
    PoiTerminalEarlyTls,
}

impl DisputeKind {
    pub const ALL: [DisputeKind; 3] = [
        DisputeKind::FalsePositive,
        DisputeKind::CompensatingControl,
        DisputeKind::PoiTerminalEarlyTls,
    ];

    /// The kind as a reader calls it.
    pub fn words(self) -> &'static str {
        match self {
            DisputeKind::FalsePositive => "false positive",
            DisputeKind::CompensatingControl => "compensating control",
            DisputeKind::PoiTerminalEarlyTls => "card terminal exception for early TLS",
        }
    }

    /// The kebab-case name, as stored and as the CLI takes it.
    pub fn id(self) -> &'static str {
        match self {
            DisputeKind::FalsePositive => "false-positive",
            DisputeKind::CompensatingControl => "compensating-control",
            DisputeKind::PoiTerminalEarlyTls => "poi-terminal-early-tls",
        }
    }

    pub fn from_id(id: &str) -> Option<DisputeKind> {
        DisputeKind::ALL.into_iter().find(|kind| kind.id() == id)
    }

    /// Whether a finding of `finding` kind can be disputed on these
    /// grounds: the terminal exception covers early TLS only.
    pub fn applies_to(self, finding: super::findings::FindingKind) -> bool {
        finding.is_disputable()
            && (self != DisputeKind::PoiTerminalEarlyTls || finding.is_early_tls())
    }
}

/// A finding disputed with the ASV: on what grounds, with what evidence,
/// submitted by whom, and until when it holds (a dispute is made again
/// with each quarterly scan, so it lapses as an acceptance does).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dispute {
    pub kind: DisputeKind,
    /// What proves it, or what control stands in its place, in words an
    /// ASV can check.
    pub evidence: String,
    /// Who submits the dispute and answers for it.
    pub submitted_by: String,
    pub until: DateTime<Utc>,
}

/// A finding as tracked across scans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRecord {
    pub id: FindingId,
    /// The finding as last seen.
    pub finding: Finding,
    pub state: FindingState,
    pub first_seen_scan: ScanId,
    pub last_seen_scan: ScanId,
}

impl FindingRecord {
    pub fn status(&self) -> FindingStatus {
        self.state.status()
    }
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
