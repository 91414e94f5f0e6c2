//! `portcullis scans`: the recorded scans, newest first, for `diff` and
//! `findings --scan`.

use std::process::ExitCode;

use portcullis_store::ScanRecord;

use crate::Failure;
use crate::context::{Session, plural, print_json, safe, serde_name, store_failure};

#[derive(Debug, clap::Args)]
pub struct ScansArgs {
    /// How many scans.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(i64).range(1..))]
    limit: i64,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub async fn run(session: &Session, args: ScansArgs) -> Result<ExitCode, Failure> {
    let store = session.open().await?;
    let scans = store.scans(args.limit).await.map_err(store_failure)?;
    store.close().await;
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
            when(&scan.started_at),
            scan.status.as_str(),
            serde_name(&scan.origin),
            safe(&scan.targets),
            safe(&scan.ports),
            safe(&scan.actor)
        );
    }
}

/// A stored time as people read it: "2025-03-31 14:05 UTC".
fn when(stored: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(stored)
        .map(|time| time.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|_| safe(stored))
}
