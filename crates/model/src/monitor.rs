//! What one monitoring check found: the changes since the checks before
//! that need the merchant's attention.

use serde::{Deserialize, Serialize};

use crate::compliance::FindingRecord;
use crate::scan_record::ScanRecord;

/// Why a finding is news.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DriftReason {
    /// Seen for the first time: a port opened, a service or version
    /// changed, a setting got worse.
    New,
    /// It had been fixed, and is back.
    Back,
    /// Its approval lapsed, so it counts against the merchant again.
    ApprovalExpired,
}

/// One change worth an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drift {
    pub reason: DriftReason,
    pub finding: FindingRecord,
}

/// A monitoring check: the scan it ran, and what changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonitorOutcome {
    pub scan: ScanRecord,
    /// Empty when nothing changed that needs attention.
    pub drift: Vec<Drift>,
}
