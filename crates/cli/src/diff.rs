//! `portcullis diff SCAN_A SCAN_B`: what changed between two scans, port by
//! port, and what the inventory says about each change.

use std::process::ExitCode;

use chrono::Utc;
use portcullis_model::compliance::{
    HostChangeKind, InventoryVerdict, PortChange, PortChangeKind, ScanDiff,
};
use portcullis_model::scan::PortState;

use crate::Failure;
use crate::context::{Session, print_json, safe, store_failure};

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The earlier scan's id (see `portcullis scans`).
    scan_a: i64,
    /// The later scan's id.
    scan_b: i64,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub async fn run(session: &Session, args: DiffArgs) -> Result<ExitCode, Failure> {
    let store = session.open().await?;
    // Independent reads, each on its own connection: they overlap.
    let (before, after, systems, inventory) = tokio::try_join!(
        store.scan_report(args.scan_a),
        store.scan_report(args.scan_b),
        store.systems(),
        store.inventory(None),
    )
    .map_err(store_failure)?;
    store.close().await;
    let diff = portcullis_compliance::diff(&before, &after, &systems, &inventory, Utc::now());
    if args.json {
        print_json(&diff)?;
    } else {
        print!("{}", render(args.scan_a, args.scan_b, &diff));
    }
    Ok(ExitCode::SUCCESS)
}

fn render(scan_a: i64, scan_b: i64, diff: &ScanDiff) -> String {
    let mut out = format!("From scan {scan_a} to scan {scan_b}:\n");
    if diff.hosts.is_empty() && diff.ports.is_empty() {
        out.push_str("  nothing changed.\n");
        return out;
    }
    for host in &diff.hosts {
        let what = match host.change {
            HostChangeKind::CameUp => "came up",
            HostChangeKind::WentDown => "went down (its ports were not reached)",
        };
        out.push_str(&format!("  host {} {what}\n", host.address));
    }
    for change in &diff.ports {
        out.push_str(&format!(
            "  {} {}/{}: {}{}\n",
            change.address,
            change.port,
            change.protocol.as_str(),
            describe(&change.change),
            inventory_note(change)
        ));
    }
    out
}

fn state(state: Option<PortState>) -> &'static str {
    state.map_or("not listed", PortState::as_str)
}

fn describe(change: &PortChangeKind) -> String {
    let text = |value: &Option<String>| value.as_deref().map_or("nothing".to_owned(), safe);
    match change {
        PortChangeKind::Opened { from } => format!("opened (was {})", state(*from)),
        PortChangeKind::Closed { to } => format!("closed (now {})", state(*to)),
        PortChangeKind::StateChanged { from, to } => {
            format!("{} -> {}", state(*from), state(*to))
        }
        PortChangeKind::ServiceChanged { from, to } => {
            format!("service {} -> {}", text(from), text(to))
        }
        PortChangeKind::VersionChanged { from, to } => {
            format!("version {} -> {}", text(from), text(to))
        }
        PortChangeKind::PostureChanged { added, removed } => {
            let mut parts = Vec::new();
            if !added.is_empty() {
                parts.push(format!("now {}", safe(&added.join(", "))));
            }
            if !removed.is_empty() {
                parts.push(format!("no longer {}", safe(&removed.join(", "))));
            }
            parts.join("; ")
        }
    }
}

fn inventory_note(change: &PortChange) -> &'static str {
    match change.inventory {
        InventoryVerdict::Approved => "  [as the inventory approves]",
        InventoryVerdict::NotApproved => "  [NOT in the inventory]",
        InventoryVerdict::ApprovedPortClosed => {
            "  [approved port closed: is the entry still needed?]"
        }
        InventoryVerdict::NoSystem => "  [no system claims this address]",
        InventoryVerdict::NotApplicable => "",
    }
}
