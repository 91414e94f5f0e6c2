//! Scans: planned, run under the supervisor (recorded and judged, or
//! not), and read back.

use std::path::Path;
use std::sync::Arc;

use portcullis_model::AppError;
use portcullis_model::compliance::Exposure;
use portcullis_model::judgement::Judgement;
use portcullis_model::report::{ReportBuilder, ScanReport};
use portcullis_model::scan::ScanEvent;
use portcullis_model::scan_record::{
    RunId, RunState, RunningScan, ScanId, ScanRecord, ScanSettings, ScanStatus,
};
use portcullis_model::service::AdvisoryData;
use portcullis_scanner::identify::{
    AdvisorySet, STALE_AFTER_DAYS, current_advisories, install_advisories_from_path,
};
use portcullis_store::{NewScan, ScanWriter};

use crate::error::{Result, from_scan, from_store};
use crate::judge::Judge;
use crate::scan_plan::{self, ScanPlan};
use crate::supervisor::{Admission, Run, ScanRun, Subscription, Supervisor};
use crate::workspace::Workspace;

/// Whether a scan is written to the database, and judged when it
/// finishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Recording {
    Not,
    /// Recorded and judged against the systems and the inventory.
    Judged,
    /// Recorded, not judged: a scan from somewhere that says nothing of the
    /// systems' ports (a segmentation test's, from a network meant to be
    /// cut off, would make every port look closed and every finding fixed).
    Unjudged,
}

/// How a scan ended.
#[derive(Debug, Clone)]
pub struct ScanOutcome {
    /// Everything it found (partial when cancelled).
    pub report: ScanReport,
    /// Its record, when it was recorded.
    pub record: Option<ScanRecord>,
    /// What judging it did, when it was recorded and finished.
    pub judgement: Option<Judgement>,
}

impl Workspace {
    /// Parses and resolves the settings into a scan ready to start; errors
    /// name the field at fault.
    pub async fn plan_scan(&self, settings: ScanSettings) -> Result<ScanPlan> {
        scan_plan::plan(settings).await
    }

    /// Starts a planned scan under the supervisor. With `record`, the scan
    /// is written to the database as it streams ("running" before the
    /// first probe, so a database problem stops it before it starts) and,
    /// when it finishes whole, judged.
    pub async fn start_scan(&self, plan: ScanPlan, record: bool) -> Result<ScanRun> {
        let recording = match record {
            true => Recording::Judged,
            false => Recording::Not,
        };
        self.start_scan_recording(plan, recording).await
    }

    /// Starts a planned scan under the supervisor, recorded (and judged)
    /// as `recording` says.
    pub(crate) async fn start_scan_recording(
        &self,
        plan: ScanPlan,
        recording: Recording,
    ) -> Result<ScanRun> {
        // A slot first: a scan refused for want of one leaves no record.
        let admission = self.supervisor.admit(plan.targets.clone())?;
        let recording = match recording {
            Recording::Not => None,
            Recording::Judged => Some((Some(self.judge()), self.begin_record(&plan).await?)),
            Recording::Unjudged => Some((None, self.begin_record(&plan).await?)),
        };
        launch(&self.supervisor, admission, plan, recording).await
    }

    /// Follows a running scan by its id: everything found so far, then
    /// the rest, as it comes.
    pub fn attach_scan(&self, run: RunId) -> Result<Subscription> {
        Ok(self.supervisor.run(run)?.subscribe())
    }

    /// Stops a running scan; it ends with what it found, marked partial
    /// (and, when recorded, recorded as cancelled).
    pub fn cancel_scan(&self, run: RunId) -> Result<()> {
        self.supervisor.run(run)?.cancel.cancel();
        Ok(())
    }

    /// The scans running now.
    pub fn running_scans(&self) -> Vec<RunningScan> {
        self.supervisor.running()
    }

    /// The recorded scans, newest first.
    pub async fn scans(&self, limit: i64) -> Result<Vec<ScanRecord>> {
        self.store.scans(limit).await.map_err(from_store)
    }

    pub async fn scan(&self, id: ScanId) -> Result<ScanRecord> {
        self.store.scan(id).await.map_err(from_store)
    }

    /// A recorded scan as one report: what it printed when it ran.
    pub async fn scan_report(&self, id: ScanId) -> Result<ScanReport> {
        self.store.scan_report(id).await.map_err(from_store)
    }

    async fn begin_record(&self, plan: &ScanPlan) -> Result<ScanWriter> {
        let new_scan = NewScan {
            actor: self.actor.clone(),
            targets: plan.targets.clone(),
            ports: plan.ports.clone(),
            requested_method: plan.settings.tcp.name().to_owned(),
            profile: plan.settings.profile.name().to_owned(),
            origin: if plan.settings.external {
                Exposure::External
            } else {
                Exposure::Internal
            },
            coverage: plan.coverage.clone(),
        };
        self.store.begin_scan(&new_scan).await.map_err(from_store)
    }

    /// Plans, runs to the end, and returns the outcome: for callers that
    /// need no live view.
    pub async fn scan_to_end(&self, settings: ScanSettings, record: bool) -> Result<ScanOutcome> {
        let plan = self.plan_scan(settings).await?;
        self.start_scan(plan, record).await?.outcome().await
    }
}

/// Scans without a database: for a shell that only shows what a scan
/// finds (`portcullis scan` without `--save`).
#[derive(Debug)]
pub struct Scanner {
    supervisor: Arc<Supervisor>,
}

impl Default for Scanner {
    fn default() -> Scanner {
        Scanner {
            supervisor: Arc::new(Supervisor::new(1)),
        }
    }
}

impl Scanner {
    pub async fn plan(&self, settings: ScanSettings) -> Result<ScanPlan> {
        scan_plan::plan(settings).await
    }

    pub async fn start(&self, plan: ScanPlan) -> Result<ScanRun> {
        let admission = self.supervisor.admit(plan.targets.clone())?;
        launch(&self.supervisor, admission, plan, None).await
    }
}

/// Starts `plan` in the slot `admission` took, recorded when `recording`
/// holds the scan's writer, and judged when it holds the judge too.
async fn launch(
    supervisor: &Supervisor,
    admission: Admission,
    plan: ScanPlan,
    recording: Option<(Option<Judge>, ScanWriter)>,
) -> Result<ScanRun> {
    let run = Arc::clone(&admission.run);
    if let Some((_, writer)) = &recording {
        run.set_scan_id(writer.id());
    }
    let handle = match portcullis_scanner::start(plan.request) {
        Ok(handle) => handle,
        Err(error) => {
            // The record says what happened: stopped before it found
            // anything, not left "running" for the next open to clear.
            if let Some((_, writer)) = recording {
                writer.finish(None).await.map_err(from_store)?;
            }
            return Err(from_scan(error));
        }
    };
    let (sender, outcome) = tokio::sync::oneshot::channel();
    let driven = Arc::clone(&run);
    supervisor.spawn(admission, async move {
        let result = drive(&driven, handle, recording).await;
        let (state, error) = match &result {
            Ok(outcome) if outcome.report.summary.as_ref().is_some_and(|s| !s.partial) => {
                (RunState::Finished, None)
            }
            Ok(_) => (RunState::Cancelled, None),
            Err(error) => (RunState::Failed, Some(error.message.clone())),
        };
        driven.end(state, error);
        let _ = sender.send(result);
    });
    Ok(ScanRun { run, outcome })
}

/// Reads the scan's events to the end: into the run's log for
/// subscribers, into the report, and into the database when recorded.
/// The supervisor's shutdown cancels the scan, which then ends (and is
/// recorded) as cancelled.
async fn drive(
    run: &Run,
    mut handle: portcullis_scanner::ScanHandle,
    recording: Option<(Option<Judge>, ScanWriter)>,
) -> Result<ScanOutcome> {
    let (judge, mut writer) = match recording {
        Some((judge, writer)) => (judge, Some(writer)),
        None => (None, None),
    };
    let canceller = handle.canceller();
    let cancel = run.cancel.clone();
    let mut report = ReportBuilder::default();
    let mut failure = None;
    loop {
        let event = tokio::select! {
            event = handle.events.recv() => event,
            () = cancel.cancelled(), if !canceller.is_cancelled() => {
                canceller.cancel();
                continue;
            }
        };
        let Some(event) = event else { break };
        run.record(&event);
        if let (Some(recorder), None) = (&mut writer, &failure)
            && let Err(error) = recorder.record(&event).await
        {
            // Keep reading to the end so the scan stops cleanly, but write
            // no more.
            failure = Some(from_store(error));
            canceller.cancel();
        }
        let finished = matches!(event, ScanEvent::Finished(_));
        report.apply(event);
        if finished {
            break;
        }
    }
    let report = report.finish();
    if let Some(error) = failure {
        return Err(error);
    }
    let Some(writer) = writer else {
        return Ok(ScanOutcome {
            report,
            record: None,
            judgement: None,
        });
    };
    let record = writer
        .finish(report.summary.as_ref())
        .await
        .map_err(from_store)?;
    let judgement = match (record.status, &judge) {
        (ScanStatus::Finished, Some(judge)) => Some(judge.judge(record.id).await?),
        _ => None,
    };
    Ok(ScanOutcome {
        report,
        record: Some(record),
        judgement,
    })
}

impl Workspace {
    /// The version advisories scans judge versions with: when they were
    /// last reviewed, how old that is, and a warning when older than 90
    /// days.
    pub fn advisory_data(&self) -> AdvisoryData {
        advisory_data(&current_advisories(), self.now().date_naive())
    }

    /// Loads a newer advisory data file for every scan that starts from now
    /// on, without a new release, and keeps a copy in the data directory so
    /// that the next start (of the CLI or the desktop app) uses it too; a
    /// file reviewed before the one in use, or one that does not pass the
    /// checks, is refused and changes nothing.
    pub fn load_advisories(&self, path: &Path) -> Result<AdvisoryData> {
        let set = install_advisories_from_path(path)
            .map_err(|message| AppError::bad_input("advisories", message))?;
        keep_advisories(path, self.data_dir()).map_err(|error| {
            AppError::internal(format!(
                "the advisories were loaded, but could not be kept in {} for the next start: {error}",
                self.data_dir().display()
            ))
        })?;
        Ok(advisory_data(&set, self.now().date_naive()))
    }
}

/// The advisory data in use now, by the machine's clock: for a shell that
/// reports it before any workspace is open (the desktop's first
/// `app_info`, while the database still opens).
pub fn advisories_in_use() -> AdvisoryData {
    advisory_data(&current_advisories(), chrono::Utc::now().date_naive())
}

/// The name of the advisory data file a workspace keeps in its data
/// directory, after `load_advisories`.
pub(crate) const KEPT_ADVISORIES: &str = "advisories.toml";

/// Copies `path` into `data_dir` whole or not at all: written beside, then
/// renamed over the old copy.
fn keep_advisories(path: &Path, data_dir: &Path) -> std::io::Result<()> {
    let kept = data_dir.join(KEPT_ADVISORIES);
    let partial = data_dir.join(format!("{KEPT_ADVISORIES}.partial"));
    std::fs::copy(path, &partial)?;
    std::fs::rename(&partial, &kept)
}

/// Installs the advisory data a workspace kept in `data_dir`, when there is
/// some newer than the one built in. A kept file that is older, or that
/// no longer passes the checks, is left unused: scans then use the built-in
/// data, and the reason is logged.
pub(crate) fn install_kept_advisories(data_dir: &Path) {
    let kept = data_dir.join(KEPT_ADVISORIES);
    if !kept.is_file() {
        return;
    }
    if let Err(reason) = install_advisories_from_path(&kept) {
        tracing::warn!("not using {}: {reason}", kept.display());
    }
}

fn advisory_data(set: &AdvisorySet, today: chrono::NaiveDate) -> AdvisoryData {
    let age_days = set.age_days(today);
    let warning = set.is_stale(today).then(|| {
        format!(
            "The list of known-vulnerable and unsupported versions was last checked on {} ({age_days} days ago, more than {STALE_AFTER_DAYS}). Vulnerabilities published since then are not looked for, so a version finding may be missing. Update Portcullis or load a newer advisories file.",
            set.reviewed()
        )
    });
    AdvisoryData {
        reviewed: set.reviewed().to_string(),
        age_days,
        advisories: set.len(),
        warning,
    }
}

#[cfg(test)]
mod advisory_tests {
    use super::*;

    #[test]
    fn the_advisory_data_warns_when_older_than_90_days() {
        let set = portcullis_scanner::identify::built_in_advisories();
        let reviewed = set.reviewed();
        let fresh = advisory_data(&set, reviewed + chrono::Days::new(90));
        assert_eq!(fresh.age_days, 90);
        assert!(fresh.warning.is_none());
        let stale = advisory_data(&set, reviewed + chrono::Days::new(91));
        let warning = stale.warning.unwrap();
        assert!(warning.contains("91 days ago"), "{warning}");
        assert!(warning.contains(&reviewed.to_string()), "{warning}");
    }
}
