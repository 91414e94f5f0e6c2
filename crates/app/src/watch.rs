//! Keeping watch: the schedules the person set, run when their slot comes
//! (one catch-up for slots missed while the computer slept); the reminders
//! of what PCI DSS dates, raised once per due date; and the notifications
//! that tell the person, each shown once.
//!
//! One turn ([`Workspace::watch_turn`]) does what is due now and returns.
//! The desktop app calls [`Workspace::watch`], which takes a turn every
//! minute and shows the notifications; tests call the turn with the
//! workspace's clock set where they want it, never sleeping.

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Local, Utc};
use portcullis_compliance::monitoring::{due_slot, is_catch_up, next_slot, reminders_due};
use portcullis_model::compliance::InventoryEntry;
use portcullis_model::dashboard::ScheduledTask;
use portcullis_model::ids::{AlertId, NotificationId, ScheduleId};
use portcullis_model::monitor::{
    Alert, MonitorRun, MonitorTarget, Notification, NotificationKind, Reminder, ReminderSubject,
    RunOutcome, Schedule, ScheduleInput, WatchTurn,
};
use portcullis_model::{AppError, ErrorKind};
use portcullis_store::{NewNotification, NewReminder, StoredSchedule};

use crate::error::{Result, from_store};
use crate::words;
use crate::workspace::Workspace;

/// The most probes per second a schedule may ask for.
pub const MAX_RATE: u32 = 100_000;

/// How often the watch takes a turn in real time.
pub const WATCH_EVERY: Duration = Duration::from_secs(60);

impl Pace {
    /// Real time, a turn a minute.
    pub fn every_minute() -> Pace {
        Pace::RealTime {
            every: WATCH_EVERY,
            wake: std::sync::Arc::default(),
        }
    }
}

impl Workspace {
    /// Keeps a schedule; errors name the field at fault.
    pub async fn add_schedule(&self, input: ScheduleInput) -> Result<Schedule> {
        if input.window.from > 23 || input.window.to > 23 {
            return Err(AppError::bad_input(
                "window",
                "a time window's hours are 0 to 23",
            ));
        }
        if !(1..=MAX_RATE).contains(&input.rate) {
            return Err(AppError::bad_input(
                "rate",
                format!("the rate is probes per second, 1 to {MAX_RATE}"),
            ));
        }
        match input.target {
            MonitorTarget::System(id) => {
                self.store.system(id).await.map_err(|_| {
                    AppError::bad_input("target", format!("there is no system {id}"))
                })?;
            }
            MonitorTarget::InScope => {
                self.in_scope_scan_settings(portcullis_model::wizard::ScanDepth::Quick)
                    .await?;
            }
        }
        let id = self
            .store
            .add_schedule(&self.actor, &input, self.now())
            .await
            .map_err(from_store)?;
        self.schedule(id).await
    }

    /// Every schedule, oldest first, with its last run and next slot.
    pub async fn schedules(&self) -> Result<Vec<Schedule>> {
        let now = self.now();
        let stored = self.store.schedules().await.map_err(from_store)?;
        Ok(stored
            .into_iter()
            .map(|schedule| schedule_view(schedule, now))
            .collect())
    }

    async fn schedule(&self, id: ScheduleId) -> Result<Schedule> {
        self.schedules()
            .await?
            .into_iter()
            .find(|schedule| schedule.id == id)
            .ok_or_else(|| AppError::not_found(format!("there is no schedule {id}")))
    }

    /// Stops a schedule.
    pub async fn remove_schedule(&self, id: ScheduleId) -> Result<()> {
        match self
            .store
            .remove_schedule(&self.actor, id)
            .await
            .map_err(from_store)?
        {
            Some(_) => Ok(()),
            None => Err(AppError::not_found(format!("there is no schedule {id}"))),
        }
    }

    /// A schedule's runs, the newest first.
    pub async fn monitor_runs(&self, id: ScheduleId, limit: u32) -> Result<Vec<MonitorRun>> {
        self.store.monitor_runs(id, limit).await.map_err(from_store)
    }

    /// Does what is due now: each schedule whose slot has come runs once
    /// (a slot claimed by another process is left to it), then the
    /// reminders due are raised. Returns the runs and what was raised.
    pub async fn watch_turn(&self) -> Result<WatchTurn> {
        let mut turn = WatchTurn::default();
        for schedule in self.store.schedules().await.map_err(from_store)? {
            let now = self.now();
            let Some(slot) = due_slot(
                schedule.input.cadence,
                schedule.input.window,
                schedule.created_at,
                schedule.last_run.as_ref().map(|run| run.slot),
                now,
                &Local,
            ) else {
                continue;
            };
            let Some(run) = self
                .store
                .start_monitor_run(schedule.id, slot, now, is_catch_up(slot, now))
                .await
                .map_err(from_store)?
            else {
                continue;
            };
            let (run, notification) = self.run_schedule(&schedule, run).await?;
            turn.runs.push(run);
            turn.notifications.extend(notification);
        }
        if let Some((notification, reminders)) = self.raise_reminders().await? {
            turn.reminders = reminders;
            turn.notifications.push(notification);
        }
        Ok(turn)
    }

    /// Runs one schedule's check and records how it ended; a check that
    /// could not scan is recorded as failed, with why, and raises nothing.
    async fn run_schedule(
        &self,
        schedule: &StoredSchedule,
        run: MonitorRun,
    ) -> Result<(MonitorRun, Option<Notification>)> {
        let checked = self
            .check(schedule.input.target, Some(schedule.input.rate))
            .await;
        let (scan, outcome, notification) = match checked {
            Ok(outcome) => {
                let raised = self.raise_alerts(&outcome).await?;
                let alerts = raised.as_ref().map_or(0, |(_, alerts)| {
                    u32::try_from(alerts.len()).unwrap_or(u32::MAX)
                });
                let result = match alerts {
                    0 => RunOutcome::Clear,
                    alerts => RunOutcome::Drift { alerts },
                };
                (
                    Some(outcome.scan.id),
                    result,
                    raised.map(|(notification, _)| notification),
                )
            }
            Err(error) if error.kind == ErrorKind::Internal => return Err(error),
            Err(error) => (
                None,
                RunOutcome::Failed {
                    reason: error.message,
                },
                None,
            ),
        };
        let run = self
            .store
            .finish_monitor_run(run.id, scan, &outcome)
            .await
            .map_err(from_store)?;
        Ok((run, notification))
    }

    /// Raises the reminders due now that were not raised for the same due
    /// date before, in one notification.
    async fn raise_reminders(&self) -> Result<Option<(Notification, Vec<Reminder>)>> {
        let (systems, inventory, mut history) = tokio::try_join!(
            self.store.systems(),
            self.store.inventory(None),
            self.store.testing_history(None),
        )
        .map_err(from_store)?;
        history.service_provider = self.service_provider(None).await?;
        let now = self.now();
        let tasks = portcullis_compliance::schedule(&systems, &inventory, &history);
        let mut fresh = Vec::new();
        for (subject, due) in reminders_due(&tasks, &inventory, now) {
            if self
                .store
                .reminder_raised(subject, due)
                .await
                .map_err(from_store)?
            {
                continue;
            }
            fresh.push(NewReminder {
                subject,
                due,
                sentence: reminder_sentence(subject, due, now, &systems, &inventory),
            });
        }
        if fresh.is_empty() {
            return Ok(None);
        }
        let notification = reminder_notification(&fresh, now);
        self.store
            .raise_reminders(&notification, &fresh)
            .await
            .map_err(from_store)
    }

    /// The notifications not shown on the desktop yet, oldest first
    /// (those a check run by the computer's scheduler raised among them).
    pub async fn unshown_notifications(&self) -> Result<Vec<Notification>> {
        self.store.unshown_notifications().await.map_err(from_store)
    }

    /// Notes that the desktop showed a notification, so it is never shown
    /// again.
    pub async fn mark_notification_shown(&self, id: NotificationId) -> Result<()> {
        self.store
            .mark_notification_shown(id, self.now())
            .await
            .map_err(from_store)
    }

    /// The newest notifications, newest first.
    pub async fn notifications(&self, limit: u32) -> Result<Vec<Notification>> {
        self.store.notifications(limit).await.map_err(from_store)
    }

    /// The newest alerts, newest first; `unseen_only` leaves out those the
    /// person has seen.
    pub async fn alerts(&self, unseen_only: bool, limit: u32) -> Result<Vec<Alert>> {
        self.store
            .alerts(unseen_only, limit)
            .await
            .map_err(from_store)
    }

    /// Notes that the person has seen every alert up to `through`.
    pub async fn mark_alerts_seen(&self, through: AlertId) -> Result<u64> {
        self.store
            .mark_alerts_seen(through, self.now())
            .await
            .map_err(from_store)
    }

    /// Keeps watch until `stop` completes or `pace` says enough: a turn,
    /// then the notifications not shown yet are handed to `show` (once
    /// each, across processes), then `on_turn` hears what the turn did,
    /// then the pace waits. A turn that fails is logged and the watch goes
    /// on: one unreachable network must not end monitoring.
    pub async fn watch(
        &self,
        pace: Pace,
        stop: impl Future<Output = ()>,
        mut show: impl FnMut(&Notification),
        mut on_turn: impl FnMut(u64, &WatchTurn),
    ) {
        tokio::pin!(stop);
        for number in 1.. {
            let turn = self.watch_turn().await.unwrap_or_else(|error| {
                tracing::warn!(%error, "a monitoring turn failed");
                WatchTurn::default()
            });
            self.show_unshown(&mut show).await;
            on_turn(number, &turn);
            match &pace {
                Pace::RealTime { every, wake } => tokio::select! {
                    () = &mut stop => return,
                    () = tokio::time::sleep(*every) => {}
                    () = wake.notified() => {}
                },
                Pace::Accelerated { clock, step, turns } => {
                    if number >= *turns {
                        return;
                    }
                    clock.set(crate::Clock::now(clock.as_ref()) + *step);
                    tokio::task::yield_now().await;
                }
            }
        }
    }

    async fn show_unshown(&self, show: &mut impl FnMut(&Notification)) {
        let notifications = match self.unshown_notifications().await {
            Ok(notifications) => notifications,
            Err(error) => {
                tracing::warn!(%error, "notifications could not be read");
                return;
            }
        };
        for notification in notifications {
            show(&notification);
            if let Err(error) = self.mark_notification_shown(notification.id).await {
                tracing::warn!(%error, "a notification could not be marked shown");
            }
        }
    }
}

/// How the watch passes time.
#[derive(Debug, Clone)]
pub enum Pace {
    /// A turn, then `every` asleep, or less when `wake` is notified (the
    /// person ran a check and its notification should show now): the
    /// desktop app, `monitor watch`.
    RealTime {
        every: Duration,
        wake: std::sync::Arc<tokio::sync::Notify>,
    },
    /// A turn, then the workspace's clock moved on by `step`, without
    /// sleeping, for `turns` turns: months of watching in minutes, for the
    /// soak test. The workspace must have been opened with `clock`.
    Accelerated {
        clock: std::sync::Arc<crate::FixedClock>,
        step: chrono::Duration,
        turns: u64,
    },
}

fn schedule_view(schedule: StoredSchedule, now: DateTime<Utc>) -> Schedule {
    let input = schedule.input;
    let after = schedule
        .last_run
        .as_ref()
        .map_or(schedule.created_at, |run| run.slot.max(schedule.created_at));
    // A slot missed and not yet caught up is due now.
    let next_run = match due_slot(
        input.cadence,
        input.window,
        schedule.created_at,
        schedule.last_run.as_ref().map(|run| run.slot),
        now,
        &Local,
    ) {
        Some(_) => now,
        None => next_slot(input.cadence, input.window, after.max(now), &Local).unwrap_or(now),
    };
    Schedule {
        id: schedule.id,
        target: input.target,
        target_name: schedule
            .system_name
            .unwrap_or_else(|| "every system in scope".to_owned()),
        cadence: input.cadence,
        window: input.window,
        rate: input.rate,
        created_at: schedule.created_at,
        last_run: schedule.last_run,
        next_run,
    }
}

fn reminder_sentence(
    subject: ReminderSubject,
    due: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    systems: &[portcullis_model::compliance::System],
    inventory: &[InventoryEntry],
) -> String {
    match subject {
        ReminderSubject::Task(task) => words::next_step(ScheduledTask { task, due }, now).sentence,
        ReminderSubject::ApprovalExpiring(id) => {
            let Some(entry) = inventory.iter().find(|entry| entry.id == id) else {
                return "An approved port's approval ends soon (PCI DSS 1.2.5).".to_owned();
            };
            let system = systems
                .iter()
                .find(|system| system.id == entry.system_id)
                .map_or("a system", |system| system.name.as_str());
            format!(
                "The approval of port {}/{} on {system} ends on {}: approve it again if the \
                 business still needs it, or close the port (PCI DSS 1.2.5).",
                entry.port,
                entry.protocol.as_str(),
                due.map_or_else(
                    || "a date soon".to_owned(),
                    |due| due.format("%Y-%m-%d").to_string()
                ),
            )
        }
    }
}

fn reminder_notification(reminders: &[NewReminder], now: DateTime<Utc>) -> NewNotification {
    let title = match reminders.len() {
        1 => "A PCI DSS task is due soon".to_owned(),
        count => format!("{count} PCI DSS tasks are due soon"),
    };
    NewNotification {
        kind: NotificationKind::Reminder,
        title,
        body: reminders
            .iter()
            .map(|reminder| reminder.sentence.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        raised_at: now,
    }
}
