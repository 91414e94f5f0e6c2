//! `portcullis asv record|list`: the quarterly external scans by an
//! Approved Scanning Vendor (PCI DSS 11.3.2). Portcullis does not run them
//! and its own scans from outside do not count as one; a person records
//! what the ASV's report says, and the rules judge whether a passing one
//! is overdue.

use std::process::ExitCode;

use chrono::{DateTime, Utc};
use portcullis_model::dashboard::AsvScanRecord;
use portcullis_model::requests::AsvScanInput;

use crate::Failure;
use crate::context::{Session, failure, parse_date, print_json, safe};

#[derive(Debug, clap::Args)]
pub struct AsvArgs {
    #[command(subcommand)]
    action: AsvAction,
}

#[derive(Debug, clap::Subcommand)]
enum AsvAction {
    /// Record an ASV scan and its result; the newest judged scan is judged
    /// again, so that the finding about 11.3.2 follows.
    Record {
        #[command(flatten)]
        outcome: Outcome,
        /// The Approved Scanning Vendor that ran the scan.
        #[arg(long)]
        vendor: String,
        /// When the ASV scanned, as its report says (2025-03-31; default:
        /// now).
        #[arg(long, value_parser = parse_date)]
        at: Option<DateTime<Utc>>,
        /// Where the report is, and anything an assessor should know.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// The recorded ASV scans, newest first.
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
    /// The ASV's report says PASS.
    #[arg(long)]
    passed: bool,
    /// The ASV's report says FAIL.
    #[arg(long)]
    failed: bool,
}

pub async fn run(session: &Session, args: AsvArgs) -> Result<ExitCode, Failure> {
    let workspace = session.open().await?;
    match args.action {
        AsvAction::Record {
            outcome,
            vendor,
            at,
            note,
        } => {
            let at = at.unwrap_or_else(Utc::now);
            let scan = AsvScanInput {
                passed: outcome.passed,
                vendor,
                note,
                at: Some(at),
            };
            let recorded = workspace.record_asv_scan(scan).await.map_err(failure)?;
            println!(
                "Recorded ASV scan {}: {} on {}.",
                recorded.id,
                if outcome.passed { "passed" } else { "FAILED" },
                at.format("%Y-%m-%d")
            );
            crate::findings::print_rejudged(recorded.rejudged.as_ref(), "the ASV scan");
        }
        AsvAction::List { json } => {
            let scans = workspace.asv_scans().await.map_err(failure)?;
            if json {
                print_json(&scans)?;
            } else {
                print_list(&scans);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_list(scans: &[AsvScanRecord]) {
    if scans.is_empty() {
        println!(
            "No ASV scan recorded. Record one from your ASV's report with \
             `portcullis asv record --passed --vendor \"Name\" --at 2025-03-31`."
        );
        return;
    }
    for scan in scans {
        println!(
            "{:>4}  {}  {:<6}  {}, recorded by {}: {}",
            scan.id,
            scan.at.format("%Y-%m-%d"),
            if scan.passed { "passed" } else { "FAILED" },
            safe(&scan.vendor),
            safe(&scan.actor),
            safe(&scan.notes)
        );
    }
}
