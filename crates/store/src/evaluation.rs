//! Everything the rules need to judge one stored scan, read in one go, so
//! that each shell wires `crates/compliance` to the store the same way.

use portcullis_model::compliance::{
    FindingRecord, InventoryEntry, ScanCoverage, System, TestingHistory,
};
use portcullis_model::report::ScanReport;

use crate::database::{Store, StoreError};
use crate::findings::FindingFilter;
use crate::scans::{ScanRecord, ScanStatus};

/// A stored scan and the estate it is judged against.
#[derive(Debug, Clone)]
pub struct EvaluationContext {
    pub scan: ScanRecord,
    pub report: ScanReport,
    pub coverage: ScanCoverage,
    pub systems: Vec<System>,
    pub inventory: Vec<InventoryEntry>,
    /// The recurring tests as of this scan (this scan included).
    pub history: TestingHistory,
    /// Every tracked finding, for reconciliation.
    pub tracked: Vec<FindingRecord>,
}

impl Store {
    /// Reads what evaluating scan `scan_id` needs. Only a finished scan can
    /// be judged (ports a partial scan never reached would look closed),
    /// and never one older than a scan already judged: findings are
    /// tracked forward in time, so an older scan would undo what a newer
    /// one proved. Every shell gets these refusals here.
    pub async fn evaluation_context(&self, scan_id: i64) -> Result<EvaluationContext, StoreError> {
        let scan = self.scan(scan_id).await?;
        if scan.status != ScanStatus::Finished {
            return Err(StoreError::Invalid(format!(
                "scan {scan_id} is {}; only a finished scan can be judged",
                scan.status.as_str()
            )));
        }
        if let Some(newest) = self
            .newest_evaluated_scan()
            .await?
            .filter(|newest| *newest > scan_id)
        {
            return Err(StoreError::Invalid(format!(
                "scan {scan_id} is older than scan {newest}, whose findings are saved already; \
                 findings are tracked forward in time, so judge scan {newest} or a newer one"
            )));
        }
        // Independent reads, each on its own connection: they overlap.
        let tracked = FindingFilter::default();
        let (report, systems, inventory, history, tracked) = tokio::try_join!(
            self.scan_report(scan_id),
            self.systems(),
            self.inventory(None),
            self.testing_history(Some(scan_id)),
            self.findings(&tracked),
        )?;
        Ok(EvaluationContext {
            coverage: scan.coverage.clone(),
            scan,
            report,
            systems,
            inventory,
            history,
            tracked,
        })
    }
}
