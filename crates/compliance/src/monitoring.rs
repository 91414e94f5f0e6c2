//! When a monitoring schedule runs: its slots, the one due now, and the
//! next. Pure: "now" and the computer's time zone are inputs.
//!
//! A slot is a time the schedule names: each whole hour inside its window
//! (hourly), the window's first hour each day (daily) or each Monday
//! (weekly). A schedule runs once per slot. When slots were missed (the
//! computer slept, the app was closed), only the latest is run, late: one
//! catch-up, not one run per missed slot, as systemd's `Persistent=true`
//! and anacron do.

use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc, Weekday};
use portcullis_model::compliance::InventoryEntry;
use portcullis_model::dashboard::ScheduledTask;
use portcullis_model::monitor::{Cadence, ReminderSubject, TimeWindow};

/// A run that starts this long after its slot is a catch-up: the app
/// checks every minute, so an on-time run starts within a minute or two.
pub const ON_TIME: Duration = Duration::minutes(10);

/// How far back a slot is looked for: a weekly schedule's latest slot is
/// at most a week (and an hour of clock change) ago.
const LOOK_BACK_HOURS: i64 = 24 * 7 + 2;

/// The slot due at `now`, if any: the latest slot at or before `now` that
/// is after both the schedule's creation and the slot it last ran for.
pub fn due_slot<Tz: TimeZone>(
    cadence: Cadence,
    window: TimeWindow,
    created_at: DateTime<Utc>,
    last_slot: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    zone: &Tz,
) -> Option<DateTime<Utc>> {
    let slot = latest_slot(cadence, window, now, zone)?;
    let done_until = last_slot.map_or(created_at, |last| last.max(created_at));
    (slot > done_until).then_some(slot)
}

/// Whether a run for `slot` starting at `now` is late.
pub fn is_catch_up(slot: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - slot > ON_TIME
}

/// The latest slot at or before `now`.
pub fn latest_slot<Tz: TimeZone>(
    cadence: Cadence,
    window: TimeWindow,
    now: DateTime<Utc>,
    zone: &Tz,
) -> Option<DateTime<Utc>> {
    let hour = whole_hour(now, zone);
    (0..=LOOK_BACK_HOURS)
        .map(|back| hour - Duration::hours(back))
        .find(|candidate| is_slot(cadence, window, *candidate, zone))
}

/// The first slot after `after`.
pub fn next_slot<Tz: TimeZone>(
    cadence: Cadence,
    window: TimeWindow,
    after: DateTime<Utc>,
    zone: &Tz,
) -> Option<DateTime<Utc>> {
    let hour = whole_hour(after, zone);
    (1..=LOOK_BACK_HOURS)
        .map(|ahead| hour + Duration::hours(ahead))
        .find(|candidate| is_slot(cadence, window, *candidate, zone))
}

/// A recurring task is reminded of this long before it is due.
pub const TASK_NOTICE: Duration = Duration::days(14);

/// An approval is reminded of this long before it lapses.
pub const APPROVAL_NOTICE: Duration = Duration::days(30);

/// What to remind of at `now`, each with the due date it is about: the
/// recurring tasks due within [`TASK_NOTICE`] or overdue (never done is due
/// now), and the approvals lapsing within [`APPROVAL_NOTICE`]. A reminder
/// is raised once per subject and due date; doing the task moves its due
/// date, and so arms the next reminder.
pub fn reminders_due(
    tasks: &[ScheduledTask],
    inventory: &[InventoryEntry],
    now: DateTime<Utc>,
) -> Vec<(ReminderSubject, Option<DateTime<Utc>>)> {
    let tasks = tasks
        .iter()
        .filter(|task| task.due.is_none_or(|due| due - now <= TASK_NOTICE))
        .map(|task| (ReminderSubject::Task(task.task), task.due));
    let approvals = inventory.iter().filter_map(|entry| {
        let lapses = entry.expires_at?;
        (lapses > now && lapses - now <= APPROVAL_NOTICE)
            .then_some((ReminderSubject::ApprovalExpiring(entry.id), Some(lapses)))
    });
    tasks.chain(approvals).collect()
}

/// Whether the whole hour `at` (UTC) is a slot on the computer's clock.
fn is_slot<Tz: TimeZone>(
    cadence: Cadence,
    window: TimeWindow,
    at: DateTime<Utc>,
    zone: &Tz,
) -> bool {
    let local = at.with_timezone(zone);
    let hour = u8::try_from(local.hour()).unwrap_or(u8::MAX);
    match cadence {
        Cadence::Hourly => window.contains(hour),
        Cadence::Daily => hour == window.from,
        Cadence::Weekly => hour == window.from && local.weekday() == Weekday::Mon,
    }
}

/// The start of the hour `at` falls in on the computer's clock (in India,
/// whole hours are at half past in UTC).
fn whole_hour<Tz: TimeZone>(at: DateTime<Utc>, zone: &Tz) -> DateTime<Utc> {
    let local = at.with_timezone(zone);
    let into_hour = Duration::minutes(i64::from(local.minute()))
        + Duration::seconds(i64::from(local.second()))
        + Duration::nanoseconds(i64::from(local.nanosecond()));
    at - into_hour
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    const NIGHT: TimeWindow = TimeWindow { from: 2, to: 5 };

    #[test]
    fn a_daily_schedule_runs_at_its_window_on_the_computers_clock() {
        let paris = FixedOffset::east_opt(3600).unwrap();
        let created = at("2026-12-01T12:00:00Z");
        assert_eq!(
            due_slot(
                Cadence::Daily,
                NIGHT,
                created,
                None,
                at("2026-12-01T23:59:00Z"),
                &paris
            ),
            None,
            "not yet 02:00 in Paris"
        );
        assert_eq!(
            due_slot(
                Cadence::Daily,
                NIGHT,
                created,
                None,
                at("2026-12-02T01:00:30Z"),
                &paris
            ),
            Some(at("2026-12-02T01:00:00Z")),
            "02:00 in Paris is 01:00 UTC"
        );
        assert_eq!(
            due_slot(
                Cadence::Daily,
                NIGHT,
                created,
                Some(at("2026-12-02T01:00:00Z")),
                at("2026-12-02T01:30:00Z"),
                &paris
            ),
            None,
            "that slot ran"
        );
    }

    #[test]
    fn missed_slots_are_caught_up_once_with_the_latest() {
        let created = at("2026-12-01T00:30:00Z");
        let last = Some(at("2026-12-01T03:00:00Z"));
        // Asleep from 03:30 to 08:20: the 04:00 slot, the last in the
        // window, is the one run, late.
        let now = at("2026-12-01T08:20:00Z");
        let slot = due_slot(Cadence::Hourly, NIGHT, created, last, now, &Utc);
        assert_eq!(slot, Some(at("2026-12-01T04:00:00Z")));
        assert!(is_catch_up(slot.unwrap(), now));
        assert_eq!(
            due_slot(Cadence::Hourly, NIGHT, created, slot, now, &Utc),
            None,
            "once caught up, nothing more until the next slot"
        );
        assert_eq!(
            next_slot(Cadence::Hourly, NIGHT, now, &Utc),
            Some(at("2026-12-02T02:00:00Z"))
        );
    }

    #[test]
    fn a_window_over_midnight_and_a_weekly_schedule() {
        let late = TimeWindow { from: 22, to: 2 };
        assert!(late.contains(23) && late.contains(1) && !late.contains(2));
        assert_eq!(
            latest_slot(Cadence::Hourly, late, at("2026-12-02T12:00:00Z"), &Utc),
            Some(at("2026-12-02T01:00:00Z"))
        );
        // 2026-12-07 is a Monday.
        assert_eq!(
            latest_slot(Cadence::Weekly, NIGHT, at("2026-12-06T12:00:00Z"), &Utc),
            Some(at("2026-11-30T02:00:00Z"))
        );
        assert_eq!(
            next_slot(Cadence::Weekly, NIGHT, at("2026-12-06T12:00:00Z"), &Utc),
            Some(at("2026-12-07T02:00:00Z"))
        );
    }

    #[test]
    fn tasks_are_reminded_two_weeks_ahead_and_approvals_a_month_ahead() {
        use portcullis_model::dashboard::RecurringTask;
        let now = at("2026-12-07T09:00:00Z");
        let tasks = [
            ScheduledTask {
                task: RecurringTask::InternalScan,
                due: Some(now + Duration::days(13)),
            },
            ScheduledTask {
                task: RecurringTask::InventoryReview,
                due: Some(now + Duration::days(15)),
            },
            ScheduledTask {
                task: RecurringTask::SegmentationTest,
                due: None,
            },
        ];
        let entry = |id, expires: Option<i64>| InventoryEntry {
            id: portcullis_model::InventoryEntryId(id),
            system_id: portcullis_model::SystemId(1),
            port: 443,
            protocol: portcullis_model::scan::Protocol::Tcp,
            service: None,
            version: None,
            justification: "the shop".into(),
            approver: "Ann".into(),
            approved_at: now - Duration::days(300),
            expires_at: expires.map(|days| now + Duration::days(days)),
            sources: Vec::new(),
            notes: String::new(),
        };
        let inventory = [
            entry(1, Some(29)),
            entry(2, Some(31)),
            entry(3, None),
            entry(4, Some(-1)),
        ];
        let due = reminders_due(&tasks, &inventory, now);
        assert_eq!(
            due,
            vec![
                (
                    ReminderSubject::Task(RecurringTask::InternalScan),
                    tasks[0].due
                ),
                (ReminderSubject::Task(RecurringTask::SegmentationTest), None),
                (
                    ReminderSubject::ApprovalExpiring(portcullis_model::InventoryEntryId(1)),
                    Some(now + Duration::days(29))
                ),
            ],
            "the review 15 days off, the approval 31 days off, the lasting one and the \
             lapsed one (a finding, not a reminder) are not reminded"
        );
    }

    #[test]
    fn a_zone_half_an_hour_off_utc_has_its_slots_on_its_own_whole_hours() {
        let india = FixedOffset::east_opt(5 * 3600 + 1800).unwrap();
        assert_eq!(
            latest_slot(Cadence::Daily, NIGHT, at("2026-12-02T12:00:00Z"), &india),
            Some(at("2026-12-01T20:30:00Z")),
            "02:00 in India is 20:30 UTC the day before"
        );
    }

    #[test]
    fn an_hourly_schedule_created_mid_hour_waits_for_the_next_hour() {
        let created = at("2026-12-01T10:20:00Z");
        let all_day = TimeWindow::ALL_DAY;
        assert_eq!(
            due_slot(
                Cadence::Hourly,
                all_day,
                created,
                None,
                at("2026-12-01T10:59:00Z"),
                &Utc
            ),
            None
        );
        let slot = due_slot(
            Cadence::Hourly,
            all_day,
            created,
            None,
            at("2026-12-01T11:00:05Z"),
            &Utc,
        );
        assert_eq!(slot, Some(at("2026-12-01T11:00:00Z")));
        assert!(!is_catch_up(slot.unwrap(), at("2026-12-01T11:00:05Z")));
    }
}
