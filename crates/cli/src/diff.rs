//! `portcullis diff SCAN_A SCAN_B`: what changed between two scans, port by
//! port, and what the inventory says about each change.

use std::process::ExitCode;

use portcullis_model::diff_view::DiffView;
use portcullis_model::requests::DiffRequest;

use crate::Failure;
use crate::context::{Session, failure, print_json, safe};
use portcullis_model::ScanId;

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The earlier scan's id (see `portcullis scans`).
    scan_a: ScanId,
    /// The later scan's id.
    scan_b: ScanId,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub async fn run(session: &Session, args: DiffArgs) -> Result<ExitCode, Failure> {
    let workspace = session.open().await?;
    let view = workspace
        .diff(DiffRequest {
            before: args.scan_a,
            after: args.scan_b,
        })
        .await
        .map_err(failure)?;
    if args.json {
        print_json(&view.diff)?;
    } else {
        print!("{}", render(&view));
    }
    Ok(ExitCode::SUCCESS)
}

fn render(view: &DiffView) -> String {
    let mut out = format!(
        "From scan {} ({}) to scan {} ({}):\n",
        view.before.id,
        view.before.started_at.format("%Y-%m-%d"),
        view.after.id,
        view.after.started_at.format("%Y-%m-%d")
    );
    for warning in &view.warnings {
        out.push_str(&format!("Note: {}\n", safe(warning)));
    }
    if view.addresses.is_empty() {
        out.push_str(&format!("  {}\n", view.summary));
        return out;
    }
    for address in &view.addresses {
        out.push_str(&format!(
            "{} ({}):\n",
            address.address,
            safe(&address.system)
        ));
        for change in &address.changes {
            out.push_str(&format!("  {}\n", safe(change)));
        }
    }
    out.push_str(&view.summary);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use portcullis_app::words;
    use portcullis_model::compliance::{
        Exposure, HostChange, HostChangeKind, InventoryEntry, InventoryVerdict, PortChange,
        PortChangeKind, ScanCoverage, ScanDiff, Scope, System, SystemRole,
    };
    use portcullis_model::scan::{PortState, Protocol};
    use portcullis_model::scan_record::{ScanRecord, ScanStatus};

    use super::*;
    use portcullis_model::{InventoryEntryId, SystemId};

    fn scan(id: i64, ports: &str) -> ScanRecord {
        ScanRecord {
            id: ScanId(id),
            started_at: Utc.with_ymd_and_hms(2025, id as u32, 1, 12, 0, 0).unwrap(),
            finished_at: None,
            actor: "alice".into(),
            targets: "10.0.0.5".into(),
            ports: ports.into(),
            requested_method: "auto".into(),
            methods: Vec::new(),
            profile: "normal".into(),
            origin: Exposure::Internal,
            coverage: ScanCoverage::default(),
            status: ScanStatus::Finished,
            hosts_up: None,
            hosts_down: None,
            open_ports: None,
            elapsed_seconds: None,
            warnings: Vec::new(),
            writer_pid: None,
            evaluated_at: None,
        }
    }

    fn change(
        address: &str,
        port: u16,
        change: PortChangeKind,
        inventory: InventoryVerdict,
        entry: Option<i64>,
    ) -> PortChange {
        PortChange {
            address: address.parse().unwrap(),
            port,
            protocol: Protocol::Tcp,
            change,
            system_id: (address == "10.0.0.5").then_some(SystemId(2)),
            inventory_entry_id: entry.map(InventoryEntryId),
            inventory,
        }
    }

    #[test]
    fn each_change_says_what_happened_and_what_the_inventory_says() {
        let db = System {
            id: SystemId(2),
            name: "database".into(),
            addresses: vec!["10.0.0.5".into()],
            role: SystemRole::Database,
            scope: Scope::Cde,
            exposure: Exposure::Internal,
            notes: String::new(),
        };
        let entry = InventoryEntry {
            id: InventoryEntryId(9),
            system_id: SystemId(2),
            port: 5432,
            protocol: Protocol::Tcp,
            service: Some("PostgreSQL".into()),
            version: Some("16".into()),
            justification: "orders".into(),
            approver: "alice".into(),
            approved_at: Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
            expires_at: None,
            sources: Vec::new(),
            notes: String::new(),
        };
        let diff = ScanDiff {
            hosts: vec![HostChange {
                address: "10.0.0.9".parse().unwrap(),
                change: HostChangeKind::WentDown,
                system_id: None,
            }],
            ports: vec![
                change(
                    "10.0.0.5",
                    22,
                    PortChangeKind::Closed { to: None },
                    InventoryVerdict::ApprovedPortClosed,
                    Some(8),
                ),
                change(
                    "10.0.0.5",
                    5432,
                    PortChangeKind::VersionChanged {
                        from: Some("PostgreSQL 16.2".into()),
                        to: Some("PostgreSQL 17.0".into()),
                    },
                    InventoryVerdict::NotApproved,
                    Some(9),
                ),
                change(
                    "10.0.0.5",
                    6379,
                    PortChangeKind::Opened {
                        from: Some(PortState::Closed),
                    },
                    InventoryVerdict::NotApproved,
                    None,
                ),
                change(
                    "10.0.0.5",
                    8443,
                    PortChangeKind::PostureChanged {
                        added: vec!["accepts TLS 1.0".into()],
                        removed: vec!["sends HSTS\u{1b}[2J".into()],
                    },
                    InventoryVerdict::NotApplicable,
                    Some(10),
                ),
            ],
        };
        let view = words::diff_view(scan(1, "1-1000"), scan(2, "1-65535"), diff, &[db], &[entry]);
        let text = render(&view);
        let expected = "\
From scan 1 (2025-01-01) to scan 2 (2025-02-01):
Note: the two scans did not look at the same things (scan 1: 10.0.0.5 ports 1-1000; scan 2: \
10.0.0.5 ports 1-65535). A port only one of them probed shows up as opened or closed.
10.0.0.5 (system database):
  22/tcp closed (or filtered: the scan did not list it): inventory entry 8 approves it: is that entry still needed?
  5432/tcp version changed from PostgreSQL 16.2 to PostgreSQL 17.0: NOT what the inventory approves: entry 9 expects PostgreSQL 16
  6379/tcp opened (it was closed): NOT in the inventory: approve it or close it
  8443/tcp now accepts TLS 1.0; no longer sends HSTS\\x1b[2J
10.0.0.9 (no system claims this address):
  the host went down: its ports were not reached, so none is called closed
In all: 1 port opened, 1 closed, 2 otherwise changed.
";
        assert_eq!(text, expected);
    }
}
