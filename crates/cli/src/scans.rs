//! `portcullis scans`: the recorded scans, newest first, for `diff` and
//! `findings --scan`; `portcullis scans ID --json`: one scan's report.

use std::process::ExitCode;

use portcullis_model::scan_record::ScanRecord;

use crate::Failure;
use crate::context::{Session, failure, plural, print_json, safe, serde_name};

#[derive(Debug, clap::Args)]
pub struct ScansArgs {
    /// One scan: its hosts and ports, as JSON (with `--json`).
    id: Option<portcullis_model::ScanId>,
    /// How many scans.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(i64).range(1..))]
    limit: i64,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub async fn run(session: &Session, args: ScansArgs) -> Result<ExitCode, Failure> {
    let workspace = session.open().await?;
    if let Some(id) = args.id {
        if !args.json {
            return Err(crate::context::bad_input(
                "a scan's report is printed as JSON: add --json",
            ));
        }
        let report = workspace.scan_report(id).await.map_err(failure)?;
        print_json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    let scans = workspace.scans(args.limit).await.map_err(failure)?;
    if args.json {
        print_json(&scans)?;
    } else {
        print_text(&scans);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_text(scans: &[ScanRecord]) {
    if scans.is_empty() {
        println!("No scans recorded yet. Record one with `portcullis scan --save`.");
        return;
    }
    for scan in scans {
        let open = scan
            .open_ports
            .map(|n| format!(", {}", plural(n as usize, "open port")))
            .unwrap_or_default();
        let judged = if scan.evaluated_at.is_some() {
            ""
        } else {
            ", not judged"
        };
        println!(
            "{:>5}  {}  {:<11} {} scan of {} (ports {}) by {}{open}{judged}",
            scan.id,
            scan.started_at.format("%Y-%m-%d %H:%M UTC"),
            scan.status.as_str(),
            serde_name(&scan.origin),
            safe(&scan.targets),
            safe(&scan.ports),
            safe(&scan.actor)
        );
    }
}
