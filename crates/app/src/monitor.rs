//! The monitoring check: one scan of every system in scope, judged, and
//! what it changed that needs attention. Findings are tracked by what
//! they are about, so a change is new exactly once: the next check that
//! sees the same open port finds it "still open", not new, and raises
//! nothing.

use portcullis_model::AppError;
use portcullis_model::compliance::RecordChange;
use portcullis_model::judgement::Judgement;
use portcullis_model::monitor::{Drift, DriftReason, MonitorOutcome};
use portcullis_model::scan_record::ScanStatus;
use portcullis_model::wizard::ScanDepth;

use crate::error::Result;
use crate::workspace::Workspace;

impl Workspace {
    /// Scans every system in scope (the guided check's quick scan), judges
    /// the scan, and says what changed. A scan that did not finish is an
    /// error: an unfinished scan proves nothing either way.
    pub async fn monitor_once(&self) -> Result<MonitorOutcome> {
        let settings = self.guided_scan_settings(ScanDepth::Quick).await?;
        let outcome = self.scan_to_end(settings, true).await?;
        let scan = outcome
            .record
            .ok_or_else(|| AppError::internal("the monitoring scan was not recorded"))?;
        if scan.status != ScanStatus::Finished {
            return Err(AppError::new(
                portcullis_model::ErrorKind::Unavailable,
                format!(
                    "the monitoring scan did not finish ({}), so it was not compared",
                    scan.status.as_str()
                ),
            ));
        }
        let drift = outcome.judgement.map(drift_of).unwrap_or_default();
        Ok(MonitorOutcome { scan, drift })
    }
}

/// What a judgement changed that needs attention, worst first.
fn drift_of(judgement: Judgement) -> Vec<Drift> {
    let new = judgement.saved.new.into_iter().map(|finding| Drift {
        reason: DriftReason::New,
        finding,
    });
    let changed = judgement.saved.updated.into_iter().filter_map(|update| {
        let reason = match update.change {
            RecordChange::Reopened => DriftReason::Back,
            RecordChange::AcceptanceExpired => DriftReason::ApprovalExpired,
            _ => return None,
        };
        Some(Drift {
            reason,
            finding: update.record,
        })
    });
    let mut drift: Vec<Drift> = new.chain(changed).collect();
    drift.sort_by_key(|drift| std::cmp::Reverse(drift.finding.finding.severity));
    drift
}
