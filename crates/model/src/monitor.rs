//! What one monitoring check found: the changes since the checks before
//! that need the merchant's attention.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::compliance::Severity;
use crate::dashboard::RecurringTask;
use crate::ids::{
    AlertId, FindingId, InventoryEntryId, MonitorRunId, NotificationId, ScanId, ScheduleId,
    SystemId,
};
use crate::scan_record::ScanRecord;

/// Why a finding is news.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DriftReason {
    /// Seen for the first time: a port opened, a service or version
    /// changed, a setting got worse.
    New,
    /// It had been fixed, and is back.
    Back,
    /// Its approval lapsed, so it counts against the merchant again.
    ApprovalExpired,
    /// Since the check before: another service or version answers on an
    /// open port, or its settings got worse (a finding may follow only if
    /// a rule judges it).
    Changed,
}

impl DriftReason {
    pub const ALL: [DriftReason; 4] = [
        DriftReason::New,
        DriftReason::Back,
        DriftReason::ApprovalExpired,
        DriftReason::Changed,
    ];

    /// The word in the database and in JSON.
    pub fn id(self) -> &'static str {
        match self {
            DriftReason::New => "new",
            DriftReason::Back => "back",
            DriftReason::ApprovalExpired => "approval-expired",
            DriftReason::Changed => "changed",
        }
    }

    pub fn from_id(id: &str) -> Option<DriftReason> {
        DriftReason::ALL
            .into_iter()
            .find(|reason| reason.id() == id)
    }
}

/// One change worth an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drift {
    pub reason: DriftReason,
    /// What changed, in a sentence: the finding's title, or "Port 22/tcp
    /// on Web shop: version changed from OpenSSH 9.2 to OpenSSH 9.6".
    pub title: String,
    pub severity: Severity,
    /// The finding it is; `None` for a change no rule judges.
    pub finding: Option<FindingId>,
    /// What it is about, as the alerts keep it: "finding:12", or the port
    /// ("198.18.0.10 tcp/22").
    pub subject: String,
}

/// A monitoring check: the scan it ran, and what changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonitorOutcome {
    pub scan: ScanRecord,
    /// Empty when nothing changed that needs attention.
    pub drift: Vec<Drift>,
}

/// How often a schedule checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cadence {
    Hourly,
    Daily,
    Weekly,
}

impl Cadence {
    pub const ALL: [Cadence; 3] = [Cadence::Hourly, Cadence::Daily, Cadence::Weekly];

    /// The word on a command line and in the database.
    pub fn id(self) -> &'static str {
        match self {
            Cadence::Hourly => "hourly",
            Cadence::Daily => "daily",
            Cadence::Weekly => "weekly",
        }
    }

    pub fn from_id(id: &str) -> Option<Cadence> {
        Cadence::ALL.into_iter().find(|cadence| cadence.id() == id)
    }
}

/// What a schedule scans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "system")]
pub enum MonitorTarget {
    /// Every system in scope (in the card data environment or connected
    /// to it), as the guided check scans them.
    InScope,
    /// One system.
    System(SystemId),
}

/// The hours of the day, on the computer's clock, in which a schedule's
/// checks start, so that production servers are checked when they are
/// quiet. `from == to` means any hour. `22..6` runs over midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TimeWindow {
    /// The first hour (0-23).
    pub from: u8,
    /// The hour the window closes (0-23), not included.
    pub to: u8,
}

impl TimeWindow {
    /// Any hour of the day.
    pub const ALL_DAY: TimeWindow = TimeWindow { from: 0, to: 0 };

    pub fn is_all_day(self) -> bool {
        self.from == self.to
    }

    /// Whether a check may start in `hour` (0-23).
    pub fn contains(self, hour: u8) -> bool {
        match self.from.cmp(&self.to) {
            std::cmp::Ordering::Equal => true,
            std::cmp::Ordering::Less => (self.from..self.to).contains(&hour),
            std::cmp::Ordering::Greater => hour >= self.from || hour < self.to,
        }
    }
}

/// The probes per second a monitoring check sends by default: gentle
/// enough for a small shop's server in business hours.
pub const POLITE_RATE: u32 = 100;

/// A schedule as the person sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleInput {
    pub target: MonitorTarget,
    pub cadence: Cadence,
    pub window: TimeWindow,
    /// Probes per second at most.
    pub rate: u32,
}

/// A kept schedule, with when it last ran and when it runs next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub id: ScheduleId,
    pub target: MonitorTarget,
    /// The target in words: "every system in scope", "Web shop".
    pub target_name: String,
    pub cadence: Cadence,
    pub window: TimeWindow,
    pub rate: u32,
    pub created_at: DateTime<Utc>,
    pub last_run: Option<MonitorRun>,
    /// The next slot it will run for.
    pub next_run: DateTime<Utc>,
}

/// How a scheduled check ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum RunOutcome {
    /// It is running.
    Running,
    /// Nothing changed that needs attention.
    Clear,
    /// This many changes were raised as alerts.
    Drift { alerts: u32 },
    /// It could not scan; why.
    Failed { reason: String },
}

/// One run of a schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitorRun {
    pub id: MonitorRunId,
    pub schedule: ScheduleId,
    /// The slot it ran for: the time the schedule said.
    pub slot: DateTime<Utc>,
    pub started_at: DateTime<Utc>,
    /// Run late, for a slot missed while the computer slept or the app
    /// was closed: one such run stands for every slot missed.
    pub caught_up: bool,
    pub scan: Option<ScanId>,
    pub outcome: RunOutcome,
}

/// A change a monitoring check raised, shown on the dashboard until the
/// person has seen it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub id: AlertId,
    pub reason: DriftReason,
    pub finding: Option<FindingId>,
    /// The finding's title when it was raised ("Port 3306 (MySQL) is open
    /// on db.shop").
    pub title: String,
    pub severity: Severity,
    pub scan: ScanId,
    pub notification: NotificationId,
    pub raised_at: DateTime<Utc>,
    pub seen: bool,
}

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NotificationKind {
    /// Changes a monitoring check found.
    Drift,
    /// Something PCI DSS dates is due.
    Reminder,
}

/// One desktop notification, kept so that the same news is never shown
/// twice and the window can list what was said. A burst of changes is one
/// notification that counts them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: NotificationId,
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    /// How many alerts or reminders it stands for.
    pub count: u32,
    pub raised_at: DateTime<Utc>,
    /// When the desktop showed it; `None` until then (a check run by the
    /// computer's scheduler leaves it for the app to show).
    pub shown_at: Option<DateTime<Utc>>,
}

/// What a reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "entry")]
pub enum ReminderSubject {
    /// A recurring task is due soon or overdue.
    Task(RecurringTask),
    /// An approved port's approval lapses within 30 days.
    ApprovalExpiring(InventoryEntryId),
}

/// A reminder raised once for one due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    pub subject: ReminderSubject,
    /// `None`: never done, so due now.
    pub due: Option<DateTime<Utc>>,
    /// "The quarterly internal scan is due by 2027-01-05 (PCI DSS 11.3.1)."
    pub sentence: String,
    pub notification: NotificationId,
}

/// What one turn of the watch did: the schedules it ran and the
/// notifications it raised (to show now).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchTurn {
    pub runs: Vec<MonitorRun>,
    pub reminders: Vec<Reminder>,
    pub notifications: Vec<Notification>,
}

/// Monitoring raised a notification (and showed it on the desktop): the
/// window's lists of alerts and notifications are out of date.
#[derive(Debug)]
pub enum NotificationRaised {}

impl crate::ipc::Event for NotificationRaised {
    const NAME: &'static str = "notification-raised";
    type Payload = Notification;
}
