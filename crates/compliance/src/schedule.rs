//! When the recurring tasks of a compliance programme are next due: the
//! quarterly scans (11.3.1, 11.3.2), the six-monthly review of the approved
//! ports (1.2.7) and the yearly segmentation test (11.4.5).

use chrono::{DateTime, Months, TimeDelta, Utc};
use portcullis_model::compliance::{Exposure, InventoryEntry, Scope, System, TestingHistory};
use portcullis_model::dashboard::{RecurringTask, ScheduledTask};

use crate::evaluate::{SCAN_INTERVAL_DAYS, segmentation_interval_months};

/// Firewall and router rule sets, the inventory among them, are reviewed
/// at least once every six months (1.2.7).
pub const INVENTORY_REVIEW_MONTHS: u32 = 6;

/// The tasks that apply to this estate, soonest due first (never done
/// counts as due now). External scans apply when something in scope faces
/// the internet, the segmentation test when something is out of scope, the
/// inventory review once there is an inventory.
pub fn schedule(
    systems: &[System],
    inventory: &[InventoryEntry],
    history: &TestingHistory,
) -> Vec<ScheduledTask> {
    let in_scope: Vec<&System> = systems
        .iter()
        .filter(|system| system.scope != Scope::OutOfScope)
        .collect();
    let mut tasks = Vec::new();
    if !in_scope.is_empty() {
        tasks.push(ScheduledTask {
            task: RecurringTask::InternalScan,
            due: history.last_internal_scan.map(after_scan_interval),
        });
    }
    if in_scope.iter().any(|s| s.exposure == Exposure::External) {
        tasks.push(ScheduledTask {
            task: RecurringTask::ExternalScan,
            // The ASV's passing scan sets the clock (11.3.2); a failed one
            // leaves the scan due now.
            due: history
                .last_asv_scan
                .filter(|scan| scan.passed)
                .map(|scan| after_scan_interval(scan.at)),
        });
    }
    // The oldest approval is the one a review must look at first.
    if let Some(oldest) = inventory.iter().map(|entry| entry.approved_at).min() {
        tasks.push(ScheduledTask {
            task: RecurringTask::InventoryReview,
            due: oldest.checked_add_months(Months::new(INVENTORY_REVIEW_MONTHS)),
        });
    }
    if systems.iter().any(|s| s.scope == Scope::OutOfScope) {
        tasks.push(ScheduledTask {
            task: RecurringTask::SegmentationTest,
            due: history.last_segmentation_test.and_then(|test| {
                test.at
                    .checked_add_months(Months::new(segmentation_interval_months(history)))
            }),
        });
    }
    tasks.sort_by_key(|task| (task.due.is_some(), task.due));
    tasks
}

fn after_scan_interval(at: DateTime<Utc>) -> DateTime<Utc> {
    at + TimeDelta::days(SCAN_INTERVAL_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::testkit::*;

    #[test]
    fn a_service_provider_tests_segmentation_every_six_months() {
        let mut office = web();
        office.scope = portcullis_model::compliance::Scope::OutOfScope;
        let systems = [db(), office];
        let tested = now() - days(10);
        let mut history = fresh_history();
        history.last_segmentation_test = Some(portcullis_model::compliance::SegmentationTest {
            at: tested,
            passed: true,
        });
        let due = |history: &TestingHistory| {
            schedule(&systems, &[], history)
                .into_iter()
                .find(|task| task.task == RecurringTask::SegmentationTest)
                .and_then(|task| task.due)
        };
        assert_eq!(due(&history), tested.checked_add_months(Months::new(12)));
        history.service_provider = true;
        assert_eq!(due(&history), tested.checked_add_months(Months::new(6)));
    }

    #[test]
    fn a_scanned_estate_is_due_again_in_90_days_and_its_inventory_in_six_months() {
        let systems = [web(), db()];
        let mut old = entry(1, 2, 5432, portcullis_model::scan::Protocol::Tcp);
        old.approved_at = now() - days(30);
        let history = TestingHistory {
            last_internal_scan: Some(now()),
            last_external_scan: Some(now()),
            last_segmentation_test: None,
            last_asv_scan: None,
            service_provider: false,
        };
        let tasks = schedule(&systems, &[old.clone()], &history);
        let due = |task| tasks.iter().find(|t| t.task == task).map(|t| t.due);
        assert_eq!(
            due(RecurringTask::ExternalScan),
            Some(None),
            "no ASV scan, only Portcullis's own from outside: due now"
        );
        assert_eq!(
            due(RecurringTask::InternalScan),
            Some(Some(now() + days(90)))
        );
        assert_eq!(
            due(RecurringTask::InventoryReview),
            Some(old.approved_at.checked_add_months(Months::new(6)))
        );
        assert_eq!(
            due(RecurringTask::SegmentationTest),
            None,
            "nothing is out of scope"
        );
        assert_eq!(
            tasks[0].task,
            RecurringTask::ExternalScan,
            "what is due now comes first"
        );
    }
}
