//! `portcullis diff SCAN_A SCAN_B`: what changed between two scans, port by
//! port, and what the inventory says about each change.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::process::ExitCode;

use chrono::Utc;
use portcullis_model::compliance::{
    HostChange, HostChangeKind, InventoryEntry, InventoryVerdict, PortChange, PortChangeKind,
    ScanDiff, System,
};
use portcullis_model::scan::PortState;
use portcullis_store::ScanRecord;

use crate::Failure;
use crate::context::{Session, plural, print_json, safe, store_failure};

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
    let (scan_a, scan_b, before, after, systems, inventory) = tokio::try_join!(
        store.scan(args.scan_a),
        store.scan(args.scan_b),
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
        let estate = Estate {
            systems: systems.iter().map(|s| (s.id, s)).collect(),
            entries: inventory.iter().map(|e| (e.id, e)).collect(),
        };
        print!("{}", render(&scan_a, &scan_b, &diff, &estate));
    }
    Ok(ExitCode::SUCCESS)
}

/// The systems and inventory entries the diff refers to by id.
struct Estate<'a> {
    systems: HashMap<i64, &'a System>,
    entries: HashMap<i64, &'a InventoryEntry>,
}

fn render(scan_a: &ScanRecord, scan_b: &ScanRecord, diff: &ScanDiff, estate: &Estate) -> String {
    let mut out = format!(
        "From scan {} ({}) to scan {} ({}):\n",
        scan_a.id,
        day(&scan_a.started_at),
        scan_b.id,
        day(&scan_b.started_at)
    );
    if (&scan_a.targets, &scan_a.ports) != (&scan_b.targets, &scan_b.ports) {
        out.push_str(&format!(
            "Note: the two scans did not look at the same things (scan {}: {} ports {}; scan {}: \
             {} ports {}). A port only one of them probed shows up as opened or closed.\n",
            scan_a.id,
            safe(&scan_a.targets),
            safe(&scan_a.ports),
            scan_b.id,
            safe(&scan_b.targets),
            safe(&scan_b.ports)
        ));
    }
    if diff.hosts.is_empty() && diff.ports.is_empty() {
        out.push_str("  Nothing changed.\n");
        return out;
    }
    for (address, changes) in by_address(diff) {
        out.push_str(&format!(
            "{address} ({}):\n",
            estate.system_words(changes.system_id())
        ));
        for host in &changes.hosts {
            out.push_str(match host.change {
                HostChangeKind::CameUp => "  the host came up\n",
                HostChangeKind::WentDown => {
                    "  the host went down: its ports were not reached, so none is called closed\n"
                }
            });
        }
        for change in &changes.ports {
            let note = estate.inventory_note(change);
            out.push_str(&format!(
                "  {}/{} {}{}{note}\n",
                change.port,
                change.protocol.as_str(),
                describe(&change.change),
                if note.is_empty() { "" } else { ": " },
            ));
        }
    }
    out.push_str(&summary(diff));
    out
}

/// The changes at one address, each kind in the diff's order.
#[derive(Default)]
struct AddressChanges<'d> {
    hosts: Vec<&'d HostChange>,
    ports: Vec<&'d PortChange>,
}

impl AddressChanges<'_> {
    /// The system the diff names for the address: its host change's, else
    /// its first port change's.
    fn system_id(&self) -> Option<i64> {
        self.hosts
            .first()
            .map(|h| h.system_id)
            .or_else(|| self.ports.first().map(|p| p.system_id))
            .flatten()
    }
}

/// The diff's changes grouped by address, addresses in order: one pass,
/// rather than a pass over every change for each address.
fn by_address(diff: &ScanDiff) -> BTreeMap<IpAddr, AddressChanges<'_>> {
    let mut grouped: BTreeMap<IpAddr, AddressChanges<'_>> = BTreeMap::new();
    for host in &diff.hosts {
        grouped.entry(host.address).or_default().hosts.push(host);
    }
    for port in &diff.ports {
        grouped.entry(port.address).or_default().ports.push(port);
    }
    grouped
}

/// The date part of a stored time.
fn day(time: &str) -> &str {
    time.get(..10).unwrap_or(time)
}

/// "3 ports opened, 1 closed, 2 changed."
fn summary(diff: &ScanDiff) -> String {
    let count = |wanted: fn(&PortChangeKind) -> bool| {
        diff.ports.iter().filter(|p| wanted(&p.change)).count()
    };
    let opened = count(|c| matches!(c, PortChangeKind::Opened { .. }));
    let closed = count(|c| matches!(c, PortChangeKind::Closed { .. }));
    let changed = diff.ports.len() - opened - closed;
    format!(
        "In all: {} opened, {closed} closed, {changed} otherwise changed.\n",
        plural(opened, "port")
    )
}

/// A port state in words; `None` is a port the scan did not list.
fn state(state: Option<PortState>) -> &'static str {
    match state {
        None => "closed or filtered",
        Some(PortState::Open) => "open",
        Some(PortState::Closed) => "closed",
        Some(PortState::Filtered) => "filtered: something drops the probes",
        Some(PortState::Unfiltered) => "reachable, open or closed unknown",
        Some(PortState::OpenFiltered) => "open or filtered: no answer",
    }
}

fn describe(change: &PortChangeKind) -> String {
    let text = |value: &Option<String>| value.as_deref().map_or("nothing".to_owned(), safe);
    match change {
        PortChangeKind::Opened { from } => format!("opened (it was {})", state(*from)),
        PortChangeKind::Closed { to } => match to {
            Some(PortState::Closed) => "closed".into(),
            None => "closed (or filtered: the scan did not list it)".into(),
            Some(other) => format!("no longer open (it is now {})", state(Some(*other))),
        },
        PortChangeKind::StateChanged { from, to } => {
            format!("was {}, is now {}", state(*from), state(*to))
        }
        PortChangeKind::ServiceChanged { from, to } => {
            format!("now runs {} instead of {}", text(to), text(from))
        }
        PortChangeKind::VersionChanged { from, to } => {
            format!("version changed from {} to {}", text(from), text(to))
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

impl Estate<'_> {
    fn system_words(&self, system_id: Option<i64>) -> String {
        match system_id.and_then(|id| self.systems.get(&id)) {
            Some(system) => format!("system {}", safe(&system.name)),
            None => "no system claims this address".into(),
        }
    }

    /// What an entry expects, e.g. "nginx 1.24" or "any service".
    fn expected(&self, id: i64) -> String {
        match self.entries.get(&id) {
            Some(entry) => match (&entry.service, &entry.version) {
                (Some(service), Some(version)) => safe(&format!("{service} {version}")),
                (Some(service), None) => safe(service),
                (None, _) => "any service".into(),
            },
            None => "something else".into(),
        }
    }

    /// What the inventory says about the change, in words.
    fn inventory_note(&self, change: &PortChange) -> String {
        let entry = change.inventory_entry_id;
        let opened = matches!(change.change, PortChangeKind::Opened { .. });
        let closed = matches!(change.change, PortChangeKind::Closed { .. });
        match (change.inventory, entry) {
            (InventoryVerdict::Approved, Some(id)) if opened => {
                format!("approved in the inventory (entry {id})")
            }
            (InventoryVerdict::Approved, _) if closed => {
                "it is not in the inventory, so closing it was right".into()
            }
            (InventoryVerdict::Approved, Some(id)) => {
                format!("as inventory entry {id} expects ({})", self.expected(id))
            }
            (InventoryVerdict::Approved, None) => "the inventory approves it".into(),
            (InventoryVerdict::NotApproved, Some(id)) => format!(
                "NOT what the inventory approves: entry {id} expects {}",
                self.expected(id)
            ),
            (InventoryVerdict::NotApproved, None) => {
                "NOT in the inventory: approve it or close it".into()
            }
            (InventoryVerdict::ApprovedPortClosed, Some(id)) => {
                format!("inventory entry {id} approves it: is that entry still needed?")
            }
            (InventoryVerdict::ApprovedPortClosed, None) => {
                "the inventory approves it: is that entry still needed?".into()
            }
            (InventoryVerdict::NoSystem, _) => {
                "register the system to judge it against an inventory".into()
            }
            (InventoryVerdict::NotApplicable, _) => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use portcullis_model::compliance::{Exposure, ScanCoverage, Scope, SystemRole};
    use portcullis_model::scan::Protocol;
    use portcullis_store::ScanStatus;

    use super::*;

    fn scan(id: i64, ports: &str) -> ScanRecord {
        ScanRecord {
            id,
            started_at: format!("2025-0{id}-01T12:00:00.000Z"),
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
            system_id: (address == "10.0.0.5").then_some(2),
            inventory_entry_id: entry,
            inventory,
        }
    }

    #[test]
    fn each_change_says_what_happened_and_what_the_inventory_says() {
        let db = System {
            id: 2,
            name: "database".into(),
            addresses: vec!["10.0.0.5".into()],
            role: SystemRole::Database,
            scope: Scope::Cde,
            exposure: Exposure::Internal,
            notes: String::new(),
        };
        let entry = InventoryEntry {
            id: 9,
            system_id: 2,
            port: 5432,
            protocol: Protocol::Tcp,
            service: Some("PostgreSQL".into()),
            version: Some("16".into()),
            justification: "orders".into(),
            approver: "alice".into(),
            approved_at: Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
            expires_at: None,
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
        let estate = Estate {
            systems: HashMap::from([(2, &db)]),
            entries: HashMap::from([(9, &entry)]),
        };
        let text = render(&scan(1, "1-1000"), &scan(2, "1-65535"), &diff, &estate);
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
