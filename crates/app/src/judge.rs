//! Judging a recorded scan: evaluate it against the systems and the
//! inventory, reconcile the findings with the tracked ones, save both.
//! The scan's hosts are read and evaluated part by part, so that judging
//! holds the findings, not the whole scan.

use portcullis_compliance::{Coverage, EvaluationInput};
use portcullis_model::AppError;
use portcullis_model::compliance::Finding;
use portcullis_model::judgement::Judgement;
use portcullis_model::scan_record::{ScanId, ScanStatus};

use crate::clock::Clock;
use crate::error::{Result, from_store};
use crate::words;
use crate::workspace::Workspace;
use portcullis_compliance::Rulebook;
use portcullis_store::{EvaluationContext, ReportPosition, Store};
use std::sync::Arc;

/// Hosts read and evaluated at a time: a large scan's report is never
/// held whole (96,000 hosts, with what answered on each of their ports,
/// took over 200 MB), and a part is still read in one go.
const HOSTS_PER_PART: usize = 1_000;

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
            .evaluation_context_in_parts(scan_id)
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
            report: named_hosts,
            coverage: scan_coverage,
            systems,
            inventory,
            mut history,
            tracked,
            reported,
            scan: _,
        } = context;
        history.service_provider = crate::business::is_service_provider(&self.store).await?;
        let input = EvaluationInput {
            report: &named_hosts,
            coverage: &scan_coverage,
            systems: &systems,
            inventory: &inventory,
            history,
            reported: &reported,
            now,
        };
        let (findings, coverage) = self.evaluate_in_parts(scan_id, &input).await?;
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

    /// Evaluates scan `scan_id`, reading its hosts part by part: the
    /// findings, and what the scan covered.
    async fn evaluate_in_parts(
        &self,
        scan_id: ScanId,
        input: &EvaluationInput<'_>,
    ) -> Result<(Vec<Finding>, Coverage)> {
        let mut evaluation = self.rulebook.evaluation(input);
        let mut coverage = Coverage::without_hosts(input.coverage);
        let mut position = Some(ReportPosition::start());
        while let Some(from) = position {
            let part = self
                .store
                .scan_report_part(scan_id, from, HOSTS_PER_PART)
                .await
                .map_err(from_store)?;
            evaluation.hosts(&part.hosts);
            coverage.add_hosts(&part.hosts);
            position = part.next;
        }
        Ok((evaluation.finish(), coverage))
    }
}
