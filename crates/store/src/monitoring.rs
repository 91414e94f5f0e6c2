//! Monitoring's records: schedules, their runs, the alerts and reminders
//! the runs raised, and the notifications that told the person.
//!
//! The store keeps each slot, change and due date once (the tables'
//! UNIQUE keys), so that two processes (the desktop app and a check the
//! computer's scheduler started) never run one slot twice or announce one
//! change twice. What is due, and what a notification says, the
//! application decides.

use chrono::{DateTime, Utc};
use portcullis_model::compliance::{AuditAction, Severity};
use portcullis_model::ids::{
    AlertId, FindingId, MonitorRunId, NotificationId, ScanId, ScheduleId, SystemId,
};
use portcullis_model::monitor::{
    Alert, Cadence, DriftReason, MonitorRun, MonitorTarget, Notification, NotificationKind,
    Reminder, ReminderSubject, RunOutcome, ScheduleInput, TimeWindow,
};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::audit::{self, Change};
use crate::codec::{json_value, name_of, parse_name, parse_time};
use crate::database::Store;
use crate::error::StoreError;
use crate::time::to_rfc3339;

/// A schedule as kept, with its newest run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSchedule {
    pub id: ScheduleId,
    pub input: ScheduleInput,
    /// The system's name, for one system.
    pub system_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_run: Option<MonitorRun>,
}

/// A change to keep as an alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAlert {
    /// What changed: "finding:12", or a port.
    pub subject: String,
    pub finding: Option<FindingId>,
    pub reason: DriftReason,
    pub scan: ScanId,
    pub title: String,
    pub severity: Severity,
}

/// A notification to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    pub raised_at: DateTime<Utc>,
}

/// A reminder to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReminder {
    pub subject: ReminderSubject,
    pub due: Option<DateTime<Utc>>,
    pub sentence: String,
}

const ENTITY: &str = "monitor_schedule";

const RUN_COLUMNS: &str = "id, schedule_id, slot, started_at, caught_up, scan_id, outcome, \
                           alerts, reason";

const NOTIFICATION_COLUMNS: &str = "id, kind, title, body, count, raised_at, shown_at";

const ALERT_COLUMNS: &str =
    "id, finding_id, reason, scan_id, title, severity, notification_id, raised_at, seen_at";

impl Store {
    /// Keeps a schedule, in the audit log too.
    pub async fn add_schedule(
        &self,
        actor: &str,
        input: &ScheduleInput,
        at: DateTime<Utc>,
    ) -> Result<ScheduleId, StoreError> {
        let mut tx = self.begin_write().await?;
        let system = match input.target {
            MonitorTarget::InScope => None,
            MonitorTarget::System(id) => Some(id.get()),
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO monitor_schedules (system_id, cadence, window_from, window_to, rate,
                 created_at)
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(system)
        .bind(input.cadence.id())
        .bind(i64::from(input.window.from))
        .bind(i64::from(input.window.to))
        .bind(i64::from(input.rate))
        .bind(to_rfc3339(at))
        .fetch_one(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            Change {
                actor,
                action: AuditAction::ScheduleAdd,
                entity: ENTITY,
                entity_id: id.to_string(),
                before: None,
                after: Some(json_value(input)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(ScheduleId(id))
    }

    /// Stops a schedule; its runs go with it, its alerts stay. `None`:
    /// there was no such schedule.
    pub async fn remove_schedule(
        &self,
        actor: &str,
        id: ScheduleId,
    ) -> Result<Option<ScheduleInput>, StoreError> {
        let mut tx = self.begin_write().await?;
        let Some(row) = sqlx::query(
            "DELETE FROM monitor_schedules WHERE id = ?
             RETURNING system_id, cadence, window_from, window_to, rate",
        )
        .bind(id.get())
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(None);
        };
        let input = schedule_input(&row)?;
        audit::append(
            &mut tx,
            Change {
                actor,
                action: AuditAction::ScheduleRemove,
                entity: ENTITY,
                entity_id: id.to_string(),
                before: Some(json_value(&input)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Some(input))
    }

    /// Every schedule, oldest first, with its newest run.
    pub async fn schedules(&self) -> Result<Vec<StoredSchedule>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.id, s.system_id, s.cadence, s.window_from, s.window_to, s.rate,
                    s.created_at, systems.name AS system_name
             FROM monitor_schedules s LEFT JOIN systems ON systems.id = s.system_id
             ORDER BY s.id",
        )
        .fetch_all(self.pool())
        .await?;
        let mut schedules = Vec::with_capacity(rows.len());
        for row in &rows {
            let id = ScheduleId(row.try_get("id")?);
            schedules.push(StoredSchedule {
                id,
                input: schedule_input(row)?,
                system_name: row.try_get("system_name")?,
                created_at: parse_time("created_at", row.try_get("created_at")?)?,
                last_run: self.last_run(id).await?,
            });
        }
        Ok(schedules)
    }

    /// The schedule's run for its latest slot.
    async fn last_run(&self, schedule: ScheduleId) -> Result<Option<MonitorRun>, StoreError> {
        sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM monitor_runs WHERE schedule_id = ?
             ORDER BY slot DESC LIMIT 1"
        ))
        .bind(schedule.get())
        .fetch_optional(self.pool())
        .await?
        .map(|row| monitor_run(&row))
        .transpose()
    }

    /// A schedule's runs, the newest slot first.
    pub async fn monitor_runs(
        &self,
        schedule: ScheduleId,
        limit: u32,
    ) -> Result<Vec<MonitorRun>, StoreError> {
        sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM monitor_runs WHERE schedule_id = ?
             ORDER BY slot DESC LIMIT ?"
        ))
        .bind(schedule.get())
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(monitor_run)
        .collect()
    }

    /// Claims a slot of a schedule for a run starting now. `None`: the slot
    /// was claimed already (by this process or another), so it must not
    /// run again.
    pub async fn start_monitor_run(
        &self,
        schedule: ScheduleId,
        slot: DateTime<Utc>,
        started_at: DateTime<Utc>,
        caught_up: bool,
    ) -> Result<Option<MonitorRun>, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(&format!(
            "INSERT INTO monitor_runs (schedule_id, slot, started_at, caught_up, outcome)
             VALUES (?, ?, ?, ?, 'running')
             ON CONFLICT (schedule_id, slot) DO NOTHING
             RETURNING {RUN_COLUMNS}"
        ))
        .bind(schedule.get())
        .bind(to_rfc3339(slot))
        .bind(to_rfc3339(started_at))
        .bind(i64::from(caught_up))
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        row.map(|row| monitor_run(&row)).transpose()
    }

    /// Records how a run ended.
    pub async fn finish_monitor_run(
        &self,
        run: MonitorRunId,
        scan: Option<ScanId>,
        outcome: &RunOutcome,
    ) -> Result<MonitorRun, StoreError> {
        let (name, alerts, reason) = match outcome {
            RunOutcome::Running => ("running", 0, ""),
            RunOutcome::Clear => ("clear", 0, ""),
            RunOutcome::Drift { alerts } => ("drift", *alerts, ""),
            RunOutcome::Failed { reason } => ("failed", 0, reason.as_str()),
        };
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(&format!(
            "UPDATE monitor_runs SET scan_id = ?, outcome = ?, alerts = ?, reason = ?
             WHERE id = ? RETURNING {RUN_COLUMNS}"
        ))
        .bind(scan.map(ScanId::get))
        .bind(name)
        .bind(i64::from(alerts))
        .bind(reason)
        .bind(run.get())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        monitor_run(&row)
    }

    /// The changes among `alerts` not kept already.
    pub async fn unraised_alerts(
        &self,
        alerts: Vec<NewAlert>,
    ) -> Result<Vec<NewAlert>, StoreError> {
        let mut fresh = Vec::with_capacity(alerts.len());
        for alert in alerts {
            let kept: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM alerts WHERE subject = ? AND reason = ? AND scan_id = ?",
            )
            .bind(&alert.subject)
            .bind(alert.reason.id())
            .bind(alert.scan.get())
            .fetch_optional(self.pool())
            .await?;
            if kept.is_none() {
                fresh.push(alert);
            }
        }
        Ok(fresh)
    }

    /// Keeps a notification and the alerts it announces, in one
    /// transaction. Alerts kept already are left out; when none is left,
    /// nothing is kept and `None` comes back.
    pub async fn raise_alerts(
        &self,
        notification: &NewNotification,
        alerts: &[NewAlert],
    ) -> Result<Option<(Notification, Vec<Alert>)>, StoreError> {
        let mut tx = self.begin_write().await?;
        let kept = insert_notification(&mut tx, notification, alerts.len()).await?;
        let mut raised = Vec::with_capacity(alerts.len());
        for alert in alerts {
            let row = sqlx::query(&format!(
                "INSERT INTO alerts (subject, finding_id, reason, scan_id, title, severity,
                     notification_id, raised_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (subject, reason, scan_id) DO NOTHING
                 RETURNING {ALERT_COLUMNS}"
            ))
            .bind(&alert.subject)
            .bind(alert.finding.map(FindingId::get))
            .bind(alert.reason.id())
            .bind(alert.scan.get())
            .bind(&alert.title)
            .bind(name_of(&alert.severity))
            .bind(kept.id.get())
            .bind(to_rfc3339(notification.raised_at))
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(row) = row {
                raised.push(alert_of(&row)?);
            }
        }
        if raised.is_empty() {
            tx.rollback().await?;
            return Ok(None);
        }
        let kept = set_count(&mut tx, kept.id, raised.len()).await?;
        tx.commit().await?;
        Ok(Some((kept, raised)))
    }

    /// Whether a reminder for this subject and due date was raised.
    pub async fn reminder_raised(
        &self,
        subject: ReminderSubject,
        due: Option<DateTime<Utc>>,
    ) -> Result<bool, StoreError> {
        let (name, entry) = reminder_key(subject);
        let kept: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM reminders WHERE subject = ? AND entry_id = ? AND due = ?",
        )
        .bind(name)
        .bind(entry)
        .bind(due.map(to_rfc3339).unwrap_or_default())
        .fetch_optional(self.pool())
        .await?;
        Ok(kept.is_some())
    }

    /// Keeps a notification and the reminders it announces, in one
    /// transaction; reminders raised already are left out, and with none
    /// left nothing is kept.
    pub async fn raise_reminders(
        &self,
        notification: &NewNotification,
        reminders: &[NewReminder],
    ) -> Result<Option<(Notification, Vec<Reminder>)>, StoreError> {
        let mut tx = self.begin_write().await?;
        let kept = insert_notification(&mut tx, notification, reminders.len()).await?;
        let mut raised = Vec::with_capacity(reminders.len());
        for reminder in reminders {
            let (name, entry) = reminder_key(reminder.subject);
            let inserted = sqlx::query(
                "INSERT INTO reminders (subject, entry_id, due, sentence, notification_id,
                     raised_at)
                 VALUES (?, ?, ?, ?, ?, ?)
                 ON CONFLICT (subject, entry_id, due) DO NOTHING",
            )
            .bind(name)
            .bind(entry)
            .bind(reminder.due.map(to_rfc3339).unwrap_or_default())
            .bind(&reminder.sentence)
            .bind(kept.id.get())
            .bind(to_rfc3339(notification.raised_at))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 1 {
                raised.push(Reminder {
                    subject: reminder.subject,
                    due: reminder.due,
                    sentence: reminder.sentence.clone(),
                    notification: kept.id,
                });
            }
        }
        if raised.is_empty() {
            tx.rollback().await?;
            return Ok(None);
        }
        let kept = set_count(&mut tx, kept.id, raised.len()).await?;
        tx.commit().await?;
        Ok(Some((kept, raised)))
    }

    /// The notifications not shown on the desktop yet, oldest first.
    pub async fn unshown_notifications(&self) -> Result<Vec<Notification>, StoreError> {
        sqlx::query(&format!(
            "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE shown_at IS NULL ORDER BY id"
        ))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(notification_of)
        .collect()
    }

    /// The newest notifications, newest first.
    pub async fn notifications(&self, limit: u32) -> Result<Vec<Notification>, StoreError> {
        sqlx::query(&format!(
            "SELECT {NOTIFICATION_COLUMNS} FROM notifications ORDER BY id DESC LIMIT ?"
        ))
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(notification_of)
        .collect()
    }

    /// Notes that the desktop showed a notification.
    pub async fn mark_notification_shown(
        &self,
        id: NotificationId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE notifications SET shown_at = ? WHERE id = ? AND shown_at IS NULL")
            .bind(to_rfc3339(at))
            .bind(id.get())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The newest alerts, newest first; `unseen_only` leaves out those the
    /// person has seen.
    pub async fn alerts(&self, unseen_only: bool, limit: u32) -> Result<Vec<Alert>, StoreError> {
        sqlx::query(&format!(
            "SELECT {ALERT_COLUMNS} FROM alerts WHERE (? = 0 OR seen_at IS NULL)
             ORDER BY id DESC LIMIT ?"
        ))
        .bind(i64::from(unseen_only))
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(alert_of)
        .collect()
    }

    /// Notes that the person has seen every alert up to `through`.
    pub async fn mark_alerts_seen(
        &self,
        through: AlertId,
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await?;
        let seen = sqlx::query("UPDATE alerts SET seen_at = ? WHERE id <= ? AND seen_at IS NULL")
            .bind(to_rfc3339(at))
            .bind(through.get())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(seen)
    }
}

async fn insert_notification(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    notification: &NewNotification,
    count: usize,
) -> Result<Notification, StoreError> {
    let row = sqlx::query(&format!(
        "INSERT INTO notifications (kind, title, body, count, raised_at) VALUES (?, ?, ?, ?, ?)
         RETURNING {NOTIFICATION_COLUMNS}"
    ))
    .bind(name_of(&notification.kind))
    .bind(&notification.title)
    .bind(&notification.body)
    .bind(i64::try_from(count.max(1)).unwrap_or(i64::MAX))
    .bind(to_rfc3339(notification.raised_at))
    .fetch_one(&mut **tx)
    .await?;
    notification_of(&row)
}

/// Sets the count to what was raised: some of what the application asked
/// for may have been raised already by another process.
async fn set_count(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    id: NotificationId,
    count: usize,
) -> Result<Notification, StoreError> {
    let row = sqlx::query(&format!(
        "UPDATE notifications SET count = ? WHERE id = ? RETURNING {NOTIFICATION_COLUMNS}"
    ))
    .bind(i64::try_from(count).unwrap_or(i64::MAX))
    .bind(id.get())
    .fetch_one(&mut **tx)
    .await?;
    notification_of(&row)
}

fn reminder_key(subject: ReminderSubject) -> (String, i64) {
    match subject {
        ReminderSubject::Task(task) => (name_of(&task), 0),
        ReminderSubject::ApprovalExpiring(entry) => ("approval-expiring".to_owned(), entry.get()),
    }
}

fn schedule_input(row: &SqliteRow) -> Result<ScheduleInput, StoreError> {
    let cadence: String = row.try_get("cadence")?;
    let hour = |column: &str| -> Result<u8, StoreError> {
        let hour: i64 = row.try_get(column)?;
        u8::try_from(hour)
            .map_err(|_| StoreError::Corrupt(format!("column {column}: {hour} is not an hour")))
    };
    let rate: i64 = row.try_get("rate")?;
    Ok(ScheduleInput {
        target: match row.try_get::<Option<i64>, _>("system_id")? {
            None => MonitorTarget::InScope,
            Some(id) => MonitorTarget::System(SystemId(id)),
        },
        cadence: Cadence::from_id(&cadence)
            .ok_or_else(|| StoreError::Corrupt(format!("column cadence: unknown `{cadence}`")))?,
        window: TimeWindow {
            from: hour("window_from")?,
            to: hour("window_to")?,
        },
        rate: u32::try_from(rate)
            .map_err(|_| StoreError::Corrupt(format!("column rate: {rate}")))?,
    })
}

fn monitor_run(row: &SqliteRow) -> Result<MonitorRun, StoreError> {
    let outcome: String = row.try_get("outcome")?;
    let alerts: i64 = row.try_get("alerts")?;
    Ok(MonitorRun {
        id: MonitorRunId(row.try_get("id")?),
        schedule: ScheduleId(row.try_get("schedule_id")?),
        slot: parse_time("slot", row.try_get("slot")?)?,
        started_at: parse_time("started_at", row.try_get("started_at")?)?,
        caught_up: row.try_get::<i64, _>("caught_up")? == 1,
        scan: row.try_get::<Option<i64>, _>("scan_id")?.map(ScanId),
        outcome: match outcome.as_str() {
            "running" => RunOutcome::Running,
            "clear" => RunOutcome::Clear,
            "drift" => RunOutcome::Drift {
                alerts: u32::try_from(alerts).unwrap_or(u32::MAX),
            },
            "failed" => RunOutcome::Failed {
                reason: row.try_get("reason")?,
            },
            other => {
                return Err(StoreError::Corrupt(format!(
                    "column outcome: unknown `{other}`"
                )));
            }
        },
    })
}

fn alert_of(row: &SqliteRow) -> Result<Alert, StoreError> {
    let reason: String = row.try_get("reason")?;
    Ok(Alert {
        id: AlertId(row.try_get("id")?),
        reason: DriftReason::from_id(&reason)
            .ok_or_else(|| StoreError::Corrupt(format!("column reason: unknown `{reason}`")))?,
        finding: row.try_get::<Option<i64>, _>("finding_id")?.map(FindingId),
        title: row.try_get("title")?,
        severity: parse_name("severity", row.try_get("severity")?)?,
        scan: ScanId(row.try_get("scan_id")?),
        notification: NotificationId(row.try_get("notification_id")?),
        raised_at: parse_time("raised_at", row.try_get("raised_at")?)?,
        seen: row.try_get::<Option<String>, _>("seen_at")?.is_some(),
    })
}

fn notification_of(row: &SqliteRow) -> Result<Notification, StoreError> {
    let count: i64 = row.try_get("count")?;
    Ok(Notification {
        id: NotificationId(row.try_get("id")?),
        kind: parse_name("kind", row.try_get("kind")?)?,
        title: row.try_get("title")?,
        body: row.try_get("body")?,
        count: u32::try_from(count).unwrap_or(u32::MAX),
        raised_at: parse_time("raised_at", row.try_get("raised_at")?)?,
        shown_at: row
            .try_get::<Option<String>, _>("shown_at")?
            .map(|at| parse_time("shown_at", &at))
            .transpose()?,
    })
}
