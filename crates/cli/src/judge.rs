//! Wiring the rules to the store: judge a stored scan and save the outcome.
//! The rules decide (crates/compliance); the store remembers
//! (crates/store); this only passes one's output to the other.

use chrono::Utc;
use portcullis_compliance::{Coverage, EvaluationInput};
use portcullis_model::compliance::RecordChange;
use portcullis_store::{ScanFindingsSaved, Store, StoreError};

use crate::context::plural;

/// Evaluates scan `scan_id` against the systems and the inventory, folds
/// the findings into the tracked ones, and saves both.
pub async fn evaluate_and_save(
    store: &Store,
    actor: &str,
    scan_id: i64,
) -> Result<ScanFindingsSaved, StoreError> {
    let context = store.evaluation_context(scan_id).await?;
    let now = Utc::now();
    let findings = portcullis_compliance::evaluate(&EvaluationInput {
        report: &context.report,
        coverage: &context.coverage,
        systems: &context.systems,
        inventory: &context.inventory,
        history: context.history,
        now,
    });
    let coverage = Coverage::new(&context.report, &context.coverage);
    let reconciliation =
        portcullis_compliance::reconcile(&context.tracked, &findings, scan_id, &coverage, now);
    store
        .save_scan_findings(actor, scan_id, &reconciliation)
        .await
}

/// One paragraph on what a judged scan changed.
pub fn describe(scan_id: i64, saved: &ScanFindingsSaved) -> String {
    let count = |change: RecordChange| {
        saved
            .updated
            .iter()
            .filter(|update| update.change == change)
            .count()
    };
    let mut parts = vec![plural(saved.new.len(), "new finding")];
    for (change, words) in [
        (RecordChange::StillOpen, "still open"),
        (RecordChange::StillAccepted, "still accepted"),
        (
            RecordChange::AcceptanceExpired,
            "open again (acceptance lapsed)",
        ),
        (RecordChange::FixedByScan, "fixed and verified by this scan"),
        (RecordChange::Verified, "verified fixed"),
        (RecordChange::Reopened, "reopened"),
    ] {
        let n = count(change);
        if n > 0 {
            parts.push(format!("{n} {words}"));
        }
    }
    format!(
        "Saved as scan {scan_id}: {}. Details: portcullis findings --scan {scan_id}",
        parts.join(", ")
    )
}
