//! Everything the rules need to judge one stored scan, read in one go, so
//! that each shell wires `crates/compliance` to the store the same way.

use std::collections::BTreeSet;
use std::net::IpAddr;

use portcullis_model::compliance::{
    FindingRecord, InventoryEntry, ScanCoverage, System, TestingHistory,
};
use portcullis_model::import::ReportedItem;
use portcullis_model::report::ScanReport;

use crate::database::Store;
use crate::error::StoreError;
use crate::scans::ScanRecord;
use portcullis_model::ScanId;
use portcullis_model::judgement::FindingFilter;

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
    /// The problems another scanner reported, when the scan was imported
    /// from its report.
    pub reported: Vec<ReportedItem>,
}

impl Store {
    /// Reads what evaluating scan `scan_id` needs. Which scans may be
    /// judged is the application's rule, not the store's.
    pub async fn evaluation_context(
        &self,
        scan_id: ScanId,
    ) -> Result<EvaluationContext, StoreError> {
        let scan = self.scan(scan_id).await?;
        // Independent reads, each on its own connection: they overlap.
        let tracked = FindingFilter::default();
        let (report, systems, inventory, history, tracked, reported) = tokio::try_join!(
            self.scan_report(scan_id),
            self.systems(),
            self.inventory(None),
            self.testing_history(Some(scan_id)),
            self.findings(&tracked),
            self.reported_items(scan_id),
        )?;
        Ok(EvaluationContext {
            coverage: scan.coverage.clone(),
            scan,
            report,
            systems,
            inventory,
            history,
            tracked,
            reported,
        })
    }

    /// What evaluating scan `scan_id` needs, but for its hosts, which a
    /// large scan's evaluation reads part by part
    /// ([`Store::scan_report_part`]): the report holds only the hosts that
    /// the reported items name, which the rules look up.
    pub async fn evaluation_context_in_parts(
        &self,
        scan_id: ScanId,
    ) -> Result<EvaluationContext, StoreError> {
        let scan = self.scan(scan_id).await?;
        let tracked = FindingFilter::default();
        let (systems, inventory, history, tracked, reported) = tokio::try_join!(
            self.systems(),
            self.inventory(None),
            self.testing_history(Some(scan_id)),
            self.findings(&tracked),
            self.reported_items(scan_id),
        )?;
        let named: BTreeSet<IpAddr> = reported.iter().map(|item| item.address).collect();
        let report = ScanReport {
            hosts: self
                .scan_report_hosts(scan_id, named.into_iter().collect())
                .await?,
            summary: scan.summary(),
            warnings: scan.warnings.clone(),
        };
        Ok(EvaluationContext {
            coverage: scan.coverage.clone(),
            scan,
            report,
            systems,
            inventory,
            history,
            tracked,
            reported,
        })
    }
}
