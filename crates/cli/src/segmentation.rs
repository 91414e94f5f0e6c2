//! `portcullis segmentation run|record|list`: the tests that prove
//! out-of-scope networks cannot reach the cardholder data environment
//! (PCI DSS 11.4.5). `run` tests from the network this computer is on;
//! `record` keeps what a penetration tester found; the rules judge whether
//! one is overdue or failed.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};
use portcullis_app::Workspace;
use portcullis_model::dashboard::SegmentationRecord;
use portcullis_model::requests::SegmentationTestInput;
use portcullis_model::segmentation::{
    NetworkPosition, SegmentationEvidence, SegmentationRunInput, SegmentationRunOutcome,
};
use portcullis_model::{AppError, ErrorKind};

use crate::Failure;
use crate::context::{Session, failure, parse_date, print_json, safe};
use crate::exit;
use crate::scan::ProgressDisplay;

#[derive(Debug, clap::Args)]
pub struct SegmentationArgs {
    #[command(subcommand)]
    action: SegmentationAction,
}

#[derive(Debug, clap::Subcommand)]
enum SegmentationAction {
    /// Test segmentation from the network this computer is on now: scan
    /// every address of every system in scope (CDE or connected), all TCP
    /// ports and the common UDP ones. Anything that answers means this
    /// network is not cut off from the card data systems. The outcome is
    /// recorded with the network's name, this computer's interface,
    /// address and gateway, the time and the scan, and the newest judged
    /// scan is judged again.
    #[command(
        after_help = "Exit codes: 0 passed (nothing answered), 1 failed (something answered), \
                      2 bad input (no network name, or no system in scope), 3 database error, \
                      4 the test could not scan, 130 interrupted (no test recorded)."
    )]
    Run {
        /// The network this computer is on, as you call it: the one that
        /// should be cut off from the card data systems ("Guest Wi-Fi").
        #[arg(long)]
        network: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
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
    /// The recorded tests, newest first, with what a test Portcullis ran
    /// saw.
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
        SegmentationAction::Run { network, json } => {
            return run_test(&workspace, network, json).await;
        }
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

/// Runs a guided test, following its scan on a terminal; Ctrl-C stops
/// it, and no test is recorded.
async fn run_test(workspace: &Workspace, network: String, json: bool) -> Result<ExitCode, Failure> {
    let run = workspace
        .start_segmentation_test(SegmentationRunInput { network })
        .await
        .map_err(could_not_scan)?;
    eprintln!(
        "Testing from \"{}\" ({} {}, gateway {}): every TCP port and the common UDP ones of \
         every system in scope.",
        safe(&run.network),
        safe(&run.position.interface),
        run.position.address,
        gateway_words(&run.position)
    );
    let canceller = run.scan.canceller();
    let interrupted = on_ctrl_c(move || canceller.cancel());
    if let Some(progress) = ProgressDisplay::on_terminal() {
        let mut updates = run.scan.subscribe();
        while let Some(update) = updates.next().await {
            progress.show(&update);
        }
        progress.finish();
    }
    let outcome = match workspace.finish_segmentation_test(run).await {
        Ok(outcome) => outcome,
        Err(error) if interrupted.load(Ordering::SeqCst) => {
            return Err(Failure::new(exit::INTERRUPTED, error));
        }
        Err(error) => return Err(could_not_scan(error)),
    };
    if json {
        print_json(&outcome)?;
    } else {
        print_outcome(&outcome);
        crate::findings::print_rejudged(outcome.rejudged.as_ref(), "the test");
    }
    Ok(match outcome.passed {
        true => ExitCode::SUCCESS,
        false => ExitCode::from(exit::SEGMENTATION_BROKEN),
    })
}

/// Calls `cancel` on Ctrl-C; the flag says whether that happened.
fn on_ctrl_c(cancel: impl FnOnce() + Send + 'static) -> Arc<AtomicBool> {
    let interrupted = Arc::new(AtomicBool::new(false));
    let noticed = Arc::clone(&interrupted);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            noticed.store(true, Ordering::SeqCst);
            cancel();
        }
    });
    interrupted
}

/// What kept the test from scanning is a scan error (4); bad input stays
/// bad input (2), a database problem a database error (3).
fn could_not_scan(error: AppError) -> Failure {
    match error.kind {
        ErrorKind::Unavailable => Failure::new(exit::SCAN_FAILED, error),
        _ => failure(error),
    }
}

fn print_outcome(outcome: &SegmentationRunOutcome) {
    println!(
        "Segmentation test {} (scan {}): {}",
        outcome.id,
        outcome.evidence.scan_id,
        safe(&outcome.summary)
    );
    print_answers(&outcome.evidence);
}

/// What answered, one line each.
fn print_answers(evidence: &SegmentationEvidence) {
    for answer in &evidence.answers {
        let service = answer
            .service
            .as_deref()
            .map(|name| format!(" ({})", safe(name)))
            .unwrap_or_default();
        println!(
            "      answered: {} port {}/{}{service}",
            answer.address,
            answer.port,
            answer.protocol.as_str()
        );
    }
    if evidence.answers_not_listed > 0 {
        println!("      and {} more", evidence.answers_not_listed);
    }
}

fn gateway_words(position: &NetworkPosition) -> String {
    position
        .gateway
        .map_or_else(|| "none".to_owned(), |gateway| gateway.to_string())
}

fn print_list(tests: &[SegmentationRecord]) {
    if tests.is_empty() {
        println!(
            "No segmentation test recorded. Run one from the network that should be cut off \
             with `portcullis segmentation run --network \"Guest Wi-Fi\"`, or record a \
             tester's with `portcullis segmentation record --passed --note \"...\"`."
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
        if let Some(evidence) = &test.evidence {
            println!(
                "      from \"{}\" on {} {}, gateway {}; scan {}",
                safe(&evidence.network),
                safe(&evidence.position.interface),
                evidence.position.address,
                gateway_words(&evidence.position),
                evidence.scan_id
            );
            print_answers(evidence);
        }
    }
}
