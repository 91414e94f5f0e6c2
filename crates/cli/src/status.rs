//! `portcullis status`: the verdict an assessor would give, overall and per
//! system, with the reasons; and when the recurring tests last ran.

use std::process::ExitCode;

use chrono::Utc;
use portcullis_model::compliance::{FindingStatus, OverallStatus, TestingHistory, Verdict};
use portcullis_store::FindingFilter;
use serde::Serialize;

use crate::Failure;
use crate::context::{Session, print_json, safe, store_failure};

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Serialize)]
struct StatusReport {
    status: OverallStatus,
    history: TestingHistory,
}

pub async fn run(session: &Session, args: StatusArgs) -> Result<ExitCode, Failure> {
    let store = session.open().await?;
    let systems = store.systems().await.map_err(store_failure)?;
    let records = store
        .findings(&FindingFilter::default())
        .await
        .map_err(store_failure)?;
    let history = store.testing_history(None).await.map_err(store_failure)?;
    store.close().await;
    // What stands now: findings open or accepted (an acceptance that has
    // lapsed counts as open); fixed and verified ones are history.
    let current: Vec<_> = records
        .iter()
        .filter(|r| matches!(r.status, FindingStatus::Open | FindingStatus::Accepted))
        .map(|r| r.finding.clone())
        .collect();
    let status = portcullis_compliance::assess(&systems, &current, &records, Utc::now());
    if args.json {
        print_json(&StatusReport { status, history })?;
    } else {
        print_text(&status, &history);
    }
    Ok(ExitCode::SUCCESS)
}

fn verdict_words(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "PASS",
        Verdict::ActionNeeded => "ACTION NEEDED",
        Verdict::Fail => "FAIL",
    }
}

fn print_text(status: &OverallStatus, history: &TestingHistory) {
    println!("Overall: {}", verdict_words(status.verdict));
    for reason in &status.reasons {
        println!("  - {}", safe(reason));
    }
    if !status.systems.is_empty() {
        println!();
    }
    for system in &status.systems {
        println!("{}: {}", safe(&system.name), verdict_words(system.verdict));
        for reason in &system.reasons {
            println!("  - {}", safe(reason));
        }
    }
    let date = |at: Option<chrono::DateTime<Utc>>| {
        at.map_or("never".to_owned(), |at| at.format("%Y-%m-%d").to_string())
    };
    println!();
    println!(
        "Last internal scan: {} (PCI DSS 11.3.1: every 3 months)",
        date(history.last_internal_scan)
    );
    println!(
        "Last external scan: {} (PCI DSS 11.3.2: every 3 months)",
        date(history.last_external_scan)
    );
    let segmentation = history
        .last_segmentation_test
        .map_or("never".to_owned(), |t| {
            format!(
                "{} ({})",
                t.at.format("%Y-%m-%d"),
                if t.passed { "passed" } else { "FAILED" }
            )
        });
    println!("Last segmentation test: {segmentation} (PCI DSS 11.4.5: every 12 months)");
}
