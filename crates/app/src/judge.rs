//! Judging a recorded scan: evaluate it against the systems and the
//! inventory, reconcile the findings with the tracked ones, save both.

use portcullis_compliance::{Coverage, EvaluationInput};
use portcullis_model::AppError;
use portcullis_model::judgement::Judgement;
use portcullis_model::scan_record::{ScanId, ScanStatus};

use crate::clock::Clock;
use crate::error::{Result, from_store};
use crate::words;
use crate::workspace::Workspace;
use portcullis_compliance::Rulebook;
use portcullis_store::{EvaluationContext, Store};
use std::sync::Arc;

/// What judging a scan reads and writes.
#[derive(Debug, Clone)]
pub(crate) struct Judge {
    pub(crate) store: Store,
    pub(crate) actor: String,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) rulebook: &'static Rulebook,
}

impl Workspace {
    /// Judges scan `scan_id` and saves the outcome (see [`Judge::judge`]).
    pub async fn judge_scan(&self, scan_id: ScanId) -> Result<Judgement> {
        self.judge().judge(scan_id).await
    }

    /// The newest judged scan, judged again: what changed since (the
    /// inventory, a segmentation test) is taken into account. `None` when
    /// no scan has been judged yet.
    pub async fn judge_newest_again(&self) -> Result<Option<Judgement>> {
        match self
            .store
            .newest_evaluated_scan()
            .await
            .map_err(from_store)?
        {
            Some(scan) => self.judge_scan(scan).await.map(Some),
            None => Ok(None),
        }
    }
}

impl Judge {
    /// Judges scan `scan_id` and saves the outcome.
    ///
    /// Only a finished scan can be judged (ports a partial scan never
    /// reached would look closed), and never one older than a scan already
    /// judged: findings are tracked forward in time, so an older scan would
    /// undo what a newer one proved.
    pub(crate) async fn judge(&self, scan_id: ScanId) -> Result<Judgement> {
        let context = self
            .store
            .evaluation_context(scan_id)
            .await
            .map_err(from_store)?;
        if context.scan.status != ScanStatus::Finished {
            return Err(AppError::conflict(format!(
                "scan {scan_id} is {}; only a finished scan can be judged",
                context.scan.status.as_str()
            )));
        }
        if let Some(newest) = self
            .store
            .newest_evaluated_scan()
            .await
            .map_err(from_store)?
            .filter(|newest| *newest > scan_id)
        {
            return Err(AppError::conflict(format!(
                "scan {scan_id} is older than scan {newest}, whose findings are saved already; \
                 findings are tracked forward in time, so judge scan {newest} or a newer one"
            )));
        }
        let now = self.clock.now();
        let EvaluationContext {
            report,
            coverage: scan_coverage,
            systems,
            inventory,
            history,
            tracked,
            reported,
            scan: _,
        } = context;
        let findings = self.rulebook.evaluate(&EvaluationInput {
            report: &report,
            coverage: &scan_coverage,
            systems: &systems,
            inventory: &inventory,
            history,
            reported: &reported,
            now,
        });
        let coverage = Coverage::new(&report, &scan_coverage);
        // The report is the largest thing judging holds (every port of
        // every host, with what answered): gone before the findings are
        // saved, which holds them once more as records.
        drop(report);
        let reconciliation =
            portcullis_compliance::reconcile_owned(&tracked, findings, scan_id, &coverage, now);
        drop(tracked);
        let saved = self
            .store
            .save_scan_findings(&self.actor, scan_id, reconciliation)
            .await
            .map_err(from_store)?;
        Ok(Judgement {
            scan_id,
            sentence: words::judgement(scan_id, &saved),
            saved,
        })
    }
}
