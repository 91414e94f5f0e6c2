//! What the dashboard and the status page show at a glance.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::compliance::{FindingStatus, OverallStatus, Severity, TestingHistory, Verdict};
use crate::ids::{AsvScanId, SegmentationTestId};
use crate::scan_record::{ScanId, ScanStatus};

/// How many findings have one status and severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingCount {
    pub status: FindingStatus,
    pub severity: Severity,
    pub count: u64,
}

/// The newest scan, of any outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastScan {
    pub id: ScanId,
    pub started_at: DateTime<Utc>,
    pub status: ScanStatus,
}

/// One finished scan on the dashboard's chart over time: how many ports it
/// found open and how many findings it saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub scan_id: ScanId,
    pub at: DateTime<Utc>,
    pub open_ports: u32,
    pub findings: u64,
}

/// How many finished scans the chart over time shows, newest last.
pub const TREND_SCANS: u32 = 20;

/// The dashboard's figures, as the store counts them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub findings: Vec<FindingCount>,
    pub history: TestingHistory,
    pub last_scan: Option<LastScan>,
    /// The newest finished scans ([`TREND_SCANS`] at most), oldest first.
    #[serde(default)]
    pub trend: Vec<TrendPoint>,
}

/// A segmentation test (PCI DSS 11.4.5) as someone recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentationRecord {
    pub id: SegmentationTestId,
    /// When the test was carried out.
    pub at: DateTime<Utc>,
    pub passed: bool,
    /// Who recorded it.
    pub actor: String,
    /// Who tested what, and where the report is.
    pub notes: String,
    /// What Portcullis saw, when it ran the test itself (a guided test);
    /// `None` for a test a person recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<crate::segmentation::SegmentationEvidence>,
}

/// An ASV scan as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsvScanRecord {
    pub id: AsvScanId,
    /// When the ASV scanned.
    pub at: DateTime<Utc>,
    pub passed: bool,
    /// The Approved Scanning Vendor's name.
    pub vendor: String,
    /// Who recorded it.
    pub actor: String,
    /// Where the report is, and anything the assessor should know.
    pub notes: String,
}

/// The verdict an assessor would give now, and when the recurring tests
/// last ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusReport {
    /// Where the merchant stands, in one sentence that leads the page:
    /// "2 ports will still fail your ASV scan."
    pub headline: String,
    pub status: OverallStatus,
    pub history: TestingHistory,
    /// What to do next and when, soonest first.
    pub next_steps: Vec<NextStep>,
    /// How many systems stand at each verdict, worst first. The
    /// dashboard's report lists only the systems that need the merchant
    /// most in `status.systems`; these count them all.
    #[serde(default)]
    pub verdict_counts: Vec<VerdictCount>,
}

/// How many systems stand at one verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictCount {
    pub verdict: Verdict,
    pub count: u32,
}

/// A task PCI DSS asks for again and again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecurringTask {
    /// A scan from inside the network, every three months (11.3.1).
    InternalScan,
    /// A passing scan by an Approved Scanning Vendor from the internet,
    /// every three months (11.3.2).
    ExternalScan,
    /// A review of the approved ports, every six months (1.2.7).
    InventoryReview,
    /// A test that the card data environment is cut off from the rest,
    /// every twelve months (11.4.5).
    SegmentationTest,
}

/// When a recurring task is next due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledTask {
    pub task: RecurringTask,
    /// `None`: it was never done, so it is due now.
    pub due: Option<DateTime<Utc>>,
}

/// A next step as the Done page and `portcullis status` say it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextStep {
    pub task: RecurringTask,
    pub due: Option<DateTime<Utc>>,
    /// Due already (or never done).
    pub overdue: bool,
    /// "Run the next internal scan by 2026-09-01 (PCI DSS 11.3.1)."
    pub sentence: String,
}
