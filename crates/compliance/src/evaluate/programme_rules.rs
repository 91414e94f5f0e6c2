//! Rules about the testing programme: quarterly scans (PCI DSS 11.3.1,
//! 11.3.2) and the yearly segmentation test (11.4.5). They read dates, not
//! the scan, and belong to no system.

use chrono::{DateTime, Months, TimeDelta, Utc};
use portcullis_model::compliance::{Exposure, FindingKind, Scope, TestingHistory};

use super::{Draft, Evaluator};

/// "At least once every three months": more than 90 days since the last
/// scan is overdue; exactly 90 is not.
pub const SCAN_INTERVAL_DAYS: i64 = 90;

/// Merchants test segmentation at least every 12 months (11.4.5).
pub const SEGMENTATION_INTERVAL_MONTHS: u32 = 12;

/// Service providers test it at least every six months (11.4.6).
pub const PROVIDER_SEGMENTATION_INTERVAL_MONTHS: u32 = 6;

/// How often segmentation is tested, for this business.
pub fn segmentation_interval_months(history: &TestingHistory) -> u32 {
    if history.service_provider {
        PROVIDER_SEGMENTATION_INTERVAL_MONTHS
    } else {
        SEGMENTATION_INTERVAL_MONTHS
    }
}

pub(super) fn check(ev: &mut Evaluator<'_>) {
    let systems = ev.input.systems;
    let in_scope = || systems.iter().filter(|s| s.scope != Scope::OutOfScope);
    let history = ev.input.history;
    // Internal scans cover every in-scope system; external scans only
    // matter when something in scope faces the internet.
    if in_scope().next().is_some() {
        scan_overdue(
            ev,
            FindingKind::InternalScanOverdue,
            "internal",
            history.last_internal_scan,
        );
    }
    if in_scope().any(|s| s.exposure == Exposure::External) {
        asv_scan_overdue(ev);
    }
    // Segmentation is only claimed when something is marked out of scope.
    if systems.iter().any(|s| s.scope == Scope::OutOfScope) {
        segmentation_overdue(ev);
    }
    segmentation_failed(ev);
}

fn scan_overdue(
    ev: &mut Evaluator<'_>,
    kind: FindingKind,
    which: &str,
    last: Option<DateTime<Utc>>,
) {
    let now = ev.input.now;
    let detail = match last {
        Some(last) if now - last <= TimeDelta::days(SCAN_INTERVAL_DAYS) => return,
        Some(last) => format!(
            "The last {which} scan was on {}, {} days ago.",
            last.format("%Y-%m-%d"),
            (now - last).num_days()
        ),
        None => format!("No {which} scan has been recorded."),
    };
    emit(ev, kind, detail);
}

/// 11.3.2 asks for a passing scan by an Approved Scanning Vendor every
/// three months: the newest ASV scan recorded must have passed and be at
/// most 90 days old. Portcullis's own scans from outside do not count; the
/// text says so when there is one.
fn asv_scan_overdue(ev: &mut Evaluator<'_>) {
    let now = ev.input.now;
    let history = ev.input.history;
    let interval = TimeDelta::days(SCAN_INTERVAL_DAYS);
    let mut detail = match history.last_asv_scan {
        Some(scan) if scan.passed && now - scan.at <= interval => return,
        Some(scan) if !scan.passed => format!(
            "Your last ASV scan, on {}, did not pass. Only a passing scan counts: fix what \
             it found and ask your ASV to scan again.",
            scan.at.format("%Y-%m-%d")
        ),
        Some(scan) => format!(
            "Your last passing ASV scan was on {}, {} days ago.",
            scan.at.format("%Y-%m-%d"),
            (now - scan.at).num_days()
        ),
        None => "No ASV scan has been recorded.".to_owned(),
    };
    if let Some(own) = history.last_external_scan {
        detail.push_str(&format!(
            " Portcullis's own scan from outside on {} helps you prepare, but it does not \
             replace the ASV's.",
            own.format("%Y-%m-%d")
        ));
    }
    emit(ev, FindingKind::ExternalScanOverdue, detail);
}

fn segmentation_overdue(ev: &mut Evaluator<'_>) {
    let now = ev.input.now;
    let detail = match ev.input.history.last_segmentation_test {
        Some(test) => {
            let due = test
                .at
                .checked_add_months(Months::new(segmentation_interval_months(&ev.input.history)));
            if due.is_some_and(|due| now <= due) {
                return;
            }
            format!(
                "The last segmentation test was on {}, {} days ago.",
                test.at.format("%Y-%m-%d"),
                (now - test.at).num_days()
            )
        }
        None => "No segmentation test has been recorded.".into(),
    };
    let detail = match ev.input.history.service_provider {
        true => format!(
            "{detail} As a service provider, you must have it tested at least every six \
             months (PCI DSS 11.4.6)."
        ),
        false => detail,
    };
    emit(ev, FindingKind::SegmentationTestOverdue, detail);
}

fn segmentation_failed(ev: &mut Evaluator<'_>) {
    let Some(test) = ev.input.history.last_segmentation_test else {
        return;
    };
    if test.passed {
        return;
    }
    let detail = format!("tested on {}", test.at.format("%Y-%m-%d"));
    emit(ev, FindingKind::SegmentationTestFailed, detail);
}

fn emit(ev: &mut Evaluator<'_>, kind: FindingKind, detail: String) {
    ev.emit(Draft {
        kind,
        system: None,
        address: None,
        port: None,
        protocol: None,
        service_label: "".into(),
        what: "".into(),
        evidence: detail.clone(),
        detail,
        key: Some(kind.id().to_string()),
        service: None,
        product: None,
        version: None,
    });
}
