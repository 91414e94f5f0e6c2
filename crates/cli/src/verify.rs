//! `portcullis verify FINDING...`: rescan exactly the addresses and ports
//! the findings are about, record the scan, and say of each whether the
//! fix is proven or what is still found.

use std::process::ExitCode;

use portcullis_model::FindingId;
use portcullis_model::compliance::FindingStatus;

use crate::context::{Session, failure, safe};
use crate::{Failure, exit};

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The findings whose fix to prove (see `portcullis findings`).
    #[arg(required = true)]
    findings: Vec<FindingId>,
}

pub async fn run(session: &Session, args: VerifyArgs) -> Result<ExitCode, Failure> {
    let workspace = session.open().await?;
    let settings = workspace
        .verification_settings(args.findings.clone())
        .await
        .map_err(failure)?;
    let outcome = workspace
        .scan_to_end(settings, true)
        .await
        .map_err(|error| Failure::new(exit::SCAN_FAILED, error))?;
    let scan = outcome.record.as_ref().map_or_else(
        || "the rescan".to_owned(),
        |record| format!("scan {}", record.id),
    );
    let mut all_proven = true;
    for id in args.findings {
        let record = workspace.finding(id).await.map_err(failure)?;
        if record.status() == FindingStatus::Verified {
            println!("Finding {id}: fixed, proven by {scan}.");
        } else {
            all_proven = false;
            println!(
                "Finding {id}: still found by {scan}: {}\n  What to do: {}",
                safe(&record.finding.title),
                safe(&record.finding.remedy)
            );
        }
    }
    Ok(if all_proven {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::NOT_PROVEN)
    })
}
