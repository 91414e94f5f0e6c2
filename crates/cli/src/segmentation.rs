//! `portcullis segmentation record|list`: the penetration tests that prove
//! out-of-scope networks cannot reach the cardholder data environment
//! (PCI DSS 11.4.5). Portcullis does not run them; a person records what
//! the tester found, and the rules judge whether one is overdue or failed.

use std::process::ExitCode;

use chrono::{DateTime, Utc};
use portcullis_model::dashboard::SegmentationRecord;
use portcullis_model::requests::SegmentationTestInput;

use crate::Failure;
use crate::context::{Session, failure, parse_date, print_json, safe};

#[derive(Debug, clap::Args)]
pub struct SegmentationArgs {
    #[command(subcommand)]
    action: SegmentationAction,
}

#[derive(Debug, clap::Subcommand)]
enum SegmentationAction {
    /// Record a segmentation test and its outcome; the newest judged scan
    /// is judged again, so that the findings about 11.4.5 follow.
    Record {
        #[command(flatten)]
        outcome: Outcome,
        /// Who tested which networks, and where the report is.
        #[arg(long)]
        note: String,
        /// When the test was carried out (2025-03-31; default: now).
        #[arg(long, value_parser = parse_date)]
        at: Option<DateTime<Utc>>,
    },
    /// The recorded tests, newest first.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// Exactly one of `--passed` and `--failed`.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
struct Outcome {
    /// The out-of-scope networks could not reach the CDE.
    #[arg(long)]
    passed: bool,
    /// Something out of scope reached the CDE.
    #[arg(long)]
    failed: bool,
}

pub async fn run(session: &Session, args: SegmentationArgs) -> Result<ExitCode, Failure> {
    let workspace = session.open().await?;
    match args.action {
        SegmentationAction::Record { outcome, note, at } => {
            let at = at.unwrap_or_else(Utc::now);
            let test = SegmentationTestInput {
                passed: outcome.passed,
                note,
                at: Some(at),
            };
            let recorded = workspace
                .record_segmentation_test(test)
                .await
                .map_err(failure)?;
            println!(
                "Recorded segmentation test {}: {} on {}.",
                recorded.id,
                if outcome.passed { "passed" } else { "FAILED" },
                at.format("%Y-%m-%d")
            );
            crate::findings::print_rejudged(recorded.rejudged.as_ref(), "the test");
        }
        SegmentationAction::List { json } => {
            let tests = workspace.segmentation_tests().await.map_err(failure)?;
            if json {
                print_json(&tests)?;
            } else {
                print_list(&tests);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_list(tests: &[SegmentationRecord]) {
    if tests.is_empty() {
        println!(
            "No segmentation test recorded. Record one with \
             `portcullis segmentation record --passed --note \"...\"`."
        );
        return;
    }
    for test in tests {
        println!(
            "{:>4}  {}  {:<6}  recorded by {}: {}",
            test.id,
            test.at.format("%Y-%m-%d"),
            if test.passed { "passed" } else { "FAILED" },
            safe(&test.actor),
            safe(&test.notes)
        );
    }
}
