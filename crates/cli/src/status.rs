//! `portcullis status`: the verdict an assessor would give, overall and per
//! system, with the reasons; and when the recurring tests last ran.

use std::process::ExitCode;

use chrono::Utc;
use portcullis_app::words;
use portcullis_model::compliance::{OverallStatus, TestingHistory};
use portcullis_model::dashboard::NextStep;

use crate::Failure;
use crate::context::{Session, failure, print_json, safe};

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub async fn run(session: &Session, args: StatusArgs) -> Result<ExitCode, Failure> {
    let workspace = session.open().await?;
    let report = workspace.status().await.map_err(failure)?;
    if args.json {
        print_json(&report)?;
    } else {
        println!("{}", report.headline);
        println!();
        print_text(&report.status, &report.history);
        print_next_steps(&report.next_steps);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_text(status: &OverallStatus, history: &TestingHistory) {
    println!("Overall: {}", words::verdict(status.verdict));
    for reason in &status.reasons {
        println!("  - {}", safe(reason));
    }
    if !status.systems.is_empty() {
        println!();
    }
    for system in &status.systems {
        println!("{}: {}", safe(&system.name), words::verdict(system.verdict));
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
    let asv = history.last_asv_scan.map_or("never".to_owned(), |scan| {
        format!(
            "{} ({})",
            scan.at.format("%Y-%m-%d"),
            if scan.passed { "passed" } else { "FAILED" }
        )
    });
    println!("Last ASV scan: {asv} (PCI DSS 11.3.2: a passing one every 3 months)");
    println!(
        "Last Portcullis scan from outside: {} (preparation for the ASV scan)",
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

fn print_next_steps(steps: &[NextStep]) {
    if steps.is_empty() {
        return;
    }
    println!();
    println!("Next:");
    for step in steps {
        println!("  - {}", step.sentence);
    }
}
