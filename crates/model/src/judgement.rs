//! Judging a scan, and asking which findings stand.

use serde::{Deserialize, Serialize};

use crate::compliance::{FindingRecord, FindingStatus, RecordUpdate};
use crate::ids::{AsvScanId, SegmentationTestId, SystemId};
use crate::scan_record::ScanId;

/// Which findings to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingFilter {
    /// Only those this scan found.
    pub scan_id: Option<ScanId>,
    pub status: Option<FindingStatus>,
    pub system_id: Option<SystemId>,
}

/// What judging one scan did to the tracked findings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanFindingsSaved {
    /// Records created for findings seen for the first time.
    pub new: Vec<FindingRecord>,
    /// Records changed, each with what happened to it.
    pub updated: Vec<RecordUpdate>,
}

/// A judged scan, and the sentence a person reads about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Judgement {
    pub scan_id: ScanId,
    pub saved: ScanFindingsSaved,
    /// "Saved as scan 4: 2 new findings, 1 still open."
    pub sentence: String,
}

/// The file formats the inventory is imported from and exported to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InventoryFormat {
    Csv,
    Json,
}

/// What an inventory import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// A recorded ASV scan, and what judging again made of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsvScanOutcome {
    pub id: AsvScanId,
    /// The newest judged scan, judged again with the ASV scan; `None` when
    /// no scan was judged yet.
    pub rejudged: Option<Judgement>,
}

/// A recorded segmentation test, and what judging again made of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentationOutcome {
    pub id: SegmentationTestId,
    /// The newest judged scan, judged again with the test; `None` when no
    /// scan was judged yet.
    pub rejudged: Option<Judgement>,
}
