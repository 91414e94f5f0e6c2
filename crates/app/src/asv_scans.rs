//! ASV scans (PCI DSS 11.3.2): the results of the quarterly scans by an
//! Approved Scanning Vendor, recorded from their reports, then the findings
//! about them follow. Portcullis's own scans from outside prepare for them
//! and never count as one.

use portcullis_model::AppError;
use portcullis_model::dashboard::AsvScanRecord;
use portcullis_model::judgement::AsvScanOutcome;
use portcullis_model::requests::AsvScanInput;
use portcullis_store::NewAsvScan;

use crate::error::{Result, from_store};
use crate::workspace::Workspace;

/// Longer names are not a vendor's: a cap, since the name is shown in
/// documents an assessor reads.
const VENDOR_MAX_CHARS: usize = 200;

impl Workspace {
    /// Records an ASV scan, then judges the newest judged scan again: the
    /// 11.3.2 finding is made when a scan is judged. The vendor's name is
    /// required (an assessor asks who scanned); a scan cannot have happened
    /// after now (the workspace's clock).
    pub async fn record_asv_scan(&self, scan: AsvScanInput) -> Result<AsvScanOutcome> {
        let now = self.now();
        let at = scan.at.unwrap_or(now);
        let vendor = scan.vendor.trim();
        if vendor.is_empty() {
            return Err(AppError::bad_input(
                "vendor",
                "an ASV scan needs the name of the Approved Scanning Vendor that ran it",
            ));
        }
        if vendor.chars().count() > VENDOR_MAX_CHARS {
            return Err(AppError::bad_input(
                "vendor",
                format!("the vendor's name is longer than {VENDOR_MAX_CHARS} characters"),
            ));
        }
        if at > now {
            return Err(AppError::bad_input(
                "at",
                format!(
                    "the ASV scan's date {} is in the future",
                    at.format("%Y-%m-%d %H:%M UTC")
                ),
            ));
        }
        let record = NewAsvScan {
            at,
            passed: scan.passed,
            vendor,
            notes: scan.note.trim(),
        };
        let id = self
            .store
            .record_asv_scan(&self.actor, record)
            .await
            .map_err(from_store)?;
        Ok(AsvScanOutcome {
            id,
            rejudged: self.judge_newest_again().await?,
        })
    }

    /// The recorded ASV scans, the newest first.
    pub async fn asv_scans(&self) -> Result<Vec<AsvScanRecord>> {
        self.store.asv_scans().await.map_err(from_store)
    }
}
