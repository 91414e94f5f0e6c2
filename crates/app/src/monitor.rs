//! The monitoring check: one scan of what a schedule watches, judged, and
//! what it changed that needs attention, raised as alerts. Findings are
//! tracked by what they are about, so a change is new exactly once: the
//! next check that sees the same open port finds it "still open", not new,
//! and raises nothing. Alerts are kept once per finding, reason and scan,
//! so no change is announced twice.

use portcullis_model::AppError;
use portcullis_model::compliance::{
    FindingRecord, InventoryVerdict, PortChange, PortChangeKind, RecordChange, Severity, System,
};
use portcullis_model::judgement::Judgement;
use portcullis_model::monitor::{
    Alert, Drift, DriftReason, MonitorOutcome, MonitorTarget, Notification, NotificationKind,
};
use portcullis_model::requests::DiffRequest;
use portcullis_model::scan_record::{ScanRecord, ScanSettings, ScanStatus};
use portcullis_model::wizard::ScanDepth;
use portcullis_store::{NewAlert, NewNotification};

use crate::error::{Result, from_store};
use crate::workspace::Workspace;

impl Workspace {
    /// Scans every system in scope (the guided check's quick scan), judges
    /// the scan, raises what changed as alerts (one notification for all
    /// of them, shown by the desktop app), and says what changed. A scan
    /// that did not finish is an error: an unfinished scan proves nothing
    /// either way.
    pub async fn monitor_once(&self) -> Result<MonitorOutcome> {
        let outcome = self.check(MonitorTarget::InScope, None).await?;
        self.raise_alerts(&outcome).await?;
        Ok(outcome)
    }

    /// One monitoring scan of `target` at `rate` probes a second at most
    /// (`None`: the profile's), judged.
    pub(crate) async fn check(
        &self,
        target: MonitorTarget,
        rate: Option<u32>,
    ) -> Result<MonitorOutcome> {
        let settings = self.monitor_settings(target, rate).await?;
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
        let mut drift = outcome.judgement.map(drift_of).unwrap_or_default();
        drift.extend(self.changes_since_previous(&scan).await?);
        drift.sort_by_key(|drift| std::cmp::Reverse(drift.severity));
        Ok(MonitorOutcome { scan, drift })
    }

    /// What changed on ports open in both this scan and the newest
    /// finished scan of the same targets and ports before it, that no
    /// finding says: another service or version answers, or its settings
    /// got worse. Ports that opened are findings already (or approved).
    async fn changes_since_previous(&self, scan: &ScanRecord) -> Result<Vec<Drift>> {
        let scans = self
            .store
            .scans(PREVIOUS_LOOKED_AT)
            .await
            .map_err(from_store)?;
        let Some(previous) = scans.into_iter().find(|earlier| {
            earlier.id < scan.id
                && earlier.status == ScanStatus::Finished
                && earlier.targets == scan.targets
                && earlier.ports == scan.ports
        }) else {
            return Ok(Vec::new());
        };
        let view = self
            .diff(DiffRequest {
                before: previous.id,
                after: scan.id,
            })
            .await?;
        let systems = self.store.systems().await.map_err(from_store)?;
        let mut drift: Vec<Drift> = view
            .diff
            .ports
            .iter()
            .filter_map(|change| change_drift(change, &systems))
            .collect();
        // One alert a port: a new version explains its new advisories.
        drift.sort_by_key(|drift| (drift.subject.clone(), std::cmp::Reverse(drift.severity)));
        drift.dedup_by(|later, first| later.subject == first.subject);
        Ok(drift)
    }

    /// The guided check's quick scan, of one system or of all in scope.
    async fn monitor_settings(
        &self,
        target: MonitorTarget,
        rate: Option<u32>,
    ) -> Result<ScanSettings> {
        let mut settings = self.in_scope_scan_settings(ScanDepth::Quick).await?;
        if let MonitorTarget::System(id) = target {
            let system = self.store.system(id).await.map_err(from_store)?;
            if system.addresses.is_empty() {
                return Err(AppError::bad_input(
                    "target",
                    format!("{} has no address to scan", system.name),
                ));
            }
            settings.targets = system.addresses;
        }
        settings.max_rate = rate.or(settings.max_rate);
        Ok(settings)
    }

    /// Keeps the check's changes as alerts, with one notification that
    /// counts them; changes kept already (by another process that judged
    /// the same scan) are not raised again. `None`: nothing new to say.
    pub(crate) async fn raise_alerts(
        &self,
        outcome: &MonitorOutcome,
    ) -> Result<Option<(Notification, Vec<Alert>)>> {
        let candidates = outcome
            .drift
            .iter()
            .map(|drift| NewAlert {
                subject: drift.subject.clone(),
                finding: drift.finding,
                reason: drift.reason,
                scan: outcome.scan.id,
                title: drift.title.clone(),
                severity: drift.severity,
            })
            .collect();
        let fresh = self
            .store
            .unraised_alerts(candidates)
            .await
            .map_err(from_store)?;
        if fresh.is_empty() {
            return Ok(None);
        }
        let notification = drift_notification(&fresh, self.now());
        self.store
            .raise_alerts(&notification, &fresh)
            .await
            .map_err(from_store)
    }
}

/// How many recorded scans are looked through for the one before.
const PREVIOUS_LOOKED_AT: i64 = 200;

/// What a judgement changed that needs attention.
fn drift_of(judgement: Judgement) -> Vec<Drift> {
    let new = judgement
        .saved
        .new
        .into_iter()
        .map(|finding| finding_drift(DriftReason::New, &finding));
    let changed = judgement.saved.updated.into_iter().filter_map(|update| {
        let reason = match update.change {
            RecordChange::Reopened => DriftReason::Back,
            RecordChange::AcceptanceExpired => DriftReason::ApprovalExpired,
            _ => return None,
        };
        Some(finding_drift(reason, &update.record))
    });
    new.chain(changed).collect()
}

fn finding_drift(reason: DriftReason, record: &FindingRecord) -> Drift {
    Drift {
        reason,
        title: record.finding.title.to_string(),
        severity: record.finding.severity,
        finding: Some(record.id),
        subject: format!("finding:{}", record.id),
    }
}

/// A change on a port that stayed open, when it is news: another service
/// or version (worse when the inventory expects something else), or
/// settings that got worse. Settings that got better are not news.
fn change_drift(change: &PortChange, systems: &[System]) -> Option<Drift> {
    let severity = match &change.change {
        PortChangeKind::ServiceChanged { .. } | PortChangeKind::VersionChanged { .. } => {
            match change.inventory {
                InventoryVerdict::NotApproved => Severity::Medium,
                _ => Severity::Low,
            }
        }
        PortChangeKind::PostureChanged { added, .. } if !added.is_empty() => Severity::Low,
        _ => return None,
    };
    Some(Drift {
        reason: DriftReason::Changed,
        title: crate::words::port_change_title(change, systems),
        severity,
        finding: None,
        subject: format!(
            "{} {}/{}",
            change.address,
            change.protocol.as_str(),
            change.port
        ),
    })
}

/// How many changes a notification names before "and N more".
const NAMED_IN_NOTIFICATION: usize = 3;

/// One notification for a burst of changes: the change itself when there
/// is one, a count and the worst few when there are more.
fn drift_notification(alerts: &[NewAlert], now: chrono::DateTime<chrono::Utc>) -> NewNotification {
    let title = match alerts {
        [only] => format!("{}: {}", reason_words(only.reason), only.title),
        _ => format!("{} changes on your systems need attention", alerts.len()),
    };
    let mut body = match alerts {
        [_] => String::new(),
        _ => alerts
            .iter()
            .take(NAMED_IN_NOTIFICATION)
            .map(|alert| format!("{}.", alert.title))
            .collect::<Vec<_>>()
            .join(" "),
    };
    if alerts.len() > NAMED_IN_NOTIFICATION {
        body.push_str(&format!(
            " And {} more.",
            alerts.len() - NAMED_IN_NOTIFICATION
        ));
    }
    if !body.is_empty() {
        body.push(' ');
    }
    body.push_str("Open Portcullis to see what it means and how to fix it.");
    NewNotification {
        kind: NotificationKind::Drift,
        title,
        body,
        raised_at: now,
    }
}

fn reason_words(reason: DriftReason) -> &'static str {
    match reason {
        DriftReason::New => "New",
        DriftReason::Back => "Back after a fix",
        DriftReason::ApprovalExpired => "Approval ended",
        DriftReason::Changed => "Changed",
    }
}
