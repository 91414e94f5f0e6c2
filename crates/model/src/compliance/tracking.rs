//! A finding's life across scans: its status, how one scan changed it, and
//! what accepting it writes into the inventory. The rules compute these;
//! the store writes them, each change audited.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::findings::Finding;
use super::inventory::{InventoryEntry, NewInventoryEntry};

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
