//! Where the merchant stands: the verdict an assessor would give now.

use std::sync::Mutex;

use chrono::{DateTime, TimeDelta, Utc};
use portcullis_model::compliance::SystemStatus;
use portcullis_model::dashboard::{Dashboard, SegmentationRecord, StatusReport, VerdictCount};
use portcullis_model::judgement::FindingFilter;

use crate::error::{Result, from_store};
use crate::words;
use crate::workspace::Workspace;

/// How many systems the dashboard lists by name.
pub const DASHBOARD_SYSTEMS: usize = 8;

/// How long a status stays good when nothing changed: its due dates and
/// expiries move with the clock.
const STATUS_KEPT: TimeDelta = TimeDelta::seconds(60);

/// The last status worked out, with the data version and time it was
/// worked out at.
#[derive(Debug, Default)]
pub(crate) struct StatusCache(Mutex<Option<(i64, DateTime<Utc>, StatusReport)>>);

impl StatusCache {
    /// The kept status, if the data is still at `version` and it is less
    /// than [`STATUS_KEPT`] old at `now`.
    fn fresh(&self, version: i64, now: DateTime<Utc>) -> Option<StatusReport> {
        let kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        kept.as_ref()
            .filter(|(at_version, at, _)| {
                *at_version == version && *at <= now && now - *at < STATUS_KEPT
            })
            .map(|(_, _, report)| report.clone())
    }

    fn keep(&self, version: i64, at: DateTime<Utc>, report: StatusReport) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some((version, at, report));
    }
}

impl Workspace {
    /// Where the merchant stands: the headline sentence, the verdict
    /// overall and per system with the reasons, when the recurring tests
    /// last ran and what is due next.
    ///
    /// Worked out again only when the data changed (any commit, from this
    /// process or another) or a minute went by: with 20,000 findings it
    /// takes a few hundred milliseconds, and the dashboard asks at every
    /// visit.
    pub async fn status(&self) -> Result<StatusReport> {
        let now = self.now();
        let version = self.store.data_version().await.map_err(from_store)?;
        if let Some(report) = self.status_cache.fresh(version, now) {
            return Ok(report);
        }
        let report = self.assess_status(now).await?;
        self.status_cache.keep(version, now, report.clone());
        Ok(report)
    }

    async fn assess_status(&self, now: DateTime<Utc>) -> Result<StatusReport> {
        let every_finding = FindingFilter::default();
        let (systems, records, mut history, inventory, newest) = tokio::try_join!(
            self.store.systems(),
            self.store.findings(&every_finding),
            self.store.testing_history(None),
            self.store.inventory(None),
            self.store.newest_evaluated_scan(),
        )
        .map_err(from_store)?;
        history.service_provider = self.service_provider(None).await?;
        let status = portcullis_compliance::assess_tracked(&systems, &records, now);
        let groups = portcullis_compliance::group_decisions(self.rulebook, &records, now);
        let next_steps = portcullis_compliance::schedule(&systems, &inventory, &history)
            .into_iter()
            .map(|task| words::next_step(task, now))
            .collect();
        Ok(StatusReport {
            headline: words::headline(&groups, newest.is_some()),
            verdict_counts: verdict_counts(&status.systems),
            status,
            history,
            next_steps,
        })
    }

    /// Where the merchant stands, for the dashboard: as [`Self::status`],
    /// but listing only the [`DASHBOARD_SYSTEMS`] systems that need them
    /// most (worst verdict first, then by name). With thousands of systems
    /// the page stays quick, and the verdict counts still cover them all.
    pub async fn dashboard_status(&self) -> Result<StatusReport> {
        let mut report = self.status().await?;
        let systems = &mut report.status.systems;
        systems.sort_by(|a, b| b.verdict.cmp(&a.verdict).then_with(|| a.name.cmp(&b.name)));
        systems.truncate(DASHBOARD_SYSTEMS);
        Ok(report)
    }

    /// The dashboard's figures.
    pub async fn dashboard(&self) -> Result<Dashboard> {
        let mut dashboard = self.store.dashboard().await.map_err(from_store)?;
        dashboard.history.service_provider = self.service_provider(None).await?;
        Ok(dashboard)
    }

    /// The recorded segmentation tests, newest first.
    pub async fn segmentation_tests(&self) -> Result<Vec<SegmentationRecord>> {
        self.store.segmentation_tests().await.map_err(from_store)
    }
}

/// How many systems stand at each verdict, worst first; verdicts no system
/// has are left out.
fn verdict_counts(systems: &[SystemStatus]) -> Vec<VerdictCount> {
    let mut counts: Vec<VerdictCount> = Vec::new();
    for system in systems {
        match counts
            .iter_mut()
            .find(|count| count.verdict == system.verdict)
        {
            Some(count) => count.count += 1,
            None => counts.push(VerdictCount {
                verdict: system.verdict,
                count: 1,
            }),
        }
    }
    counts.sort_by_key(|count| std::cmp::Reverse(count.verdict));
    counts
}
