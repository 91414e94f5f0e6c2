//! The sentences a person reads: about a judged scan, a verdict, a diff.
//! Written once here, so that the window and the terminal say the same
//! words. Text that came from a scanned service or a person is passed
//! through as it is; each shell makes it safe for its own medium.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use portcullis_model::compliance::RecordChange;
use portcullis_model::compliance::{
    HostChange, HostChangeKind, InventoryEntry, InventoryVerdict, PortChange, PortChangeKind,
    ScanDiff, System, Verdict,
};
use portcullis_model::diff_view::{AddressChanges, DiffView};
use portcullis_model::judgement::ScanFindingsSaved;
use portcullis_model::scan::PortState;
use portcullis_model::scan_record::{ScanId, ScanRecord};
use portcullis_model::{InventoryEntryId, SystemId};

/// "1 port", "2 ports".
pub fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("1 {word}")
    } else {
        format!("{} {word}s", portcullis_model::numbers::thousands(count))
    }
}

/// What judging a scan changed, in one sentence.
pub fn judgement(scan_id: ScanId, saved: &ScanFindingsSaved) -> String {
    let count = |change: RecordChange| {
        saved
            .updated
            .iter()
            .filter(|update| update.change == change)
            .count()
    };
    let mut parts = vec![plural(saved.new.len(), "new finding")];
    for (change, words) in [
        (RecordChange::StillOpen, "still open"),
        (RecordChange::StillAccepted, "still accepted"),
        (
            RecordChange::AcceptanceExpired,
            "open again (acceptance lapsed)",
        ),
        (RecordChange::FixedByScan, "fixed and verified by this scan"),
        (RecordChange::Verified, "verified fixed"),
        (RecordChange::Reopened, "reopened"),
    ] {
        let n = count(change);
        if n > 0 {
            parts.push(format!("{n} {words}"));
        }
    }
    format!("Saved as scan {scan_id}: {}.", parts.join(", "))
}

/// A verdict as a heading says it.
pub fn verdict(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "PASS",
        Verdict::ActionNeeded => "ACTION NEEDED",
        Verdict::Disputed => "PASS IF THE ASV ACCEPTS THE DISPUTES",
        Verdict::Fail => "FAIL",
    }
}

/// A diff as a person reads it: the scans, warnings, changes by address
/// in words, and the summary.
pub fn diff_view(
    before: ScanRecord,
    after: ScanRecord,
    diff: ScanDiff,
    systems: &[System],
    inventory: &[InventoryEntry],
) -> DiffView {
    let estate = Estate {
        systems: systems.iter().map(|s| (s.id, s)).collect(),
        entries: inventory.iter().map(|e| (e.id, e)).collect(),
    };
    DiffView {
        warnings: diff_warnings(&before, &after),
        addresses: diff_by_address(&diff, &estate),
        summary: diff_summary(&diff),
        before,
        after,
        diff,
    }
}

/// The systems and inventory entries a diff refers to by id.
struct Estate<'a> {
    pub systems: HashMap<SystemId, &'a System>,
    pub entries: HashMap<InventoryEntryId, &'a InventoryEntry>,
}

/// Why comparing these two scans may mislead.
fn diff_warnings(before: &ScanRecord, after: &ScanRecord) -> Vec<String> {
    if (&before.targets, &before.ports) == (&after.targets, &after.ports) {
        return Vec::new();
    }
    vec![format!(
        "the two scans did not look at the same things (scan {}: {} ports {}; scan {}: \
         {} ports {}). A port only one of them probed shows up as opened or closed.",
        before.id, before.targets, before.ports, after.id, after.targets, after.ports
    )]
}

/// The diff's changes grouped by address, in address order, each said in
/// words.
fn diff_by_address(diff: &ScanDiff, estate: &Estate) -> Vec<AddressChanges> {
    #[derive(Default)]
    struct Grouped<'d> {
        hosts: Vec<&'d HostChange>,
        ports: Vec<&'d PortChange>,
    }
    let mut grouped: BTreeMap<IpAddr, Grouped<'_>> = BTreeMap::new();
    for host in &diff.hosts {
        grouped.entry(host.address).or_default().hosts.push(host);
    }
    for port in &diff.ports {
        grouped.entry(port.address).or_default().ports.push(port);
    }
    grouped
        .into_iter()
        .map(|(address, changes)| {
            // The system the diff names for the address: its host change's,
            // else its first port change's.
            let system_id = changes
                .hosts
                .first()
                .map(|h| h.system_id)
                .or_else(|| changes.ports.first().map(|p| p.system_id))
                .flatten();
            let mut lines: Vec<String> = changes
                .hosts
                .iter()
                .map(|host| {
                    match host.change {
                        HostChangeKind::CameUp => "the host came up",
                        HostChangeKind::WentDown => {
                            "the host went down: its ports were not reached, so none is called closed"
                        }
                    }
                    .to_owned()
                })
                .collect();
            for change in &changes.ports {
                let note = estate.inventory_note(change);
                lines.push(format!(
                    "{}/{} {}{}{note}",
                    change.port,
                    change.protocol.as_str(),
                    port_change(&change.change),
                    if note.is_empty() { "" } else { ": " },
                ));
            }
            AddressChanges {
                address,
                system: estate.system_words(system_id),
                changes: lines,
            }
        })
        .collect()
}

/// "In all: 3 ports opened, 1 closed, 2 otherwise changed."
fn diff_summary(diff: &ScanDiff) -> String {
    if diff.hosts.is_empty() && diff.ports.is_empty() {
        return "Nothing changed.".into();
    }
    let count = |wanted: fn(&PortChangeKind) -> bool| {
        diff.ports.iter().filter(|p| wanted(&p.change)).count()
    };
    let opened = count(|c| matches!(c, PortChangeKind::Opened { .. }));
    let closed = count(|c| matches!(c, PortChangeKind::Closed { .. }));
    let changed = diff.ports.len() - opened - closed;
    format!(
        "In all: {} opened, {closed} closed, {changed} otherwise changed.",
        plural(opened, "port")
    )
}

/// A port state in words; `None` is a port the scan did not list.
pub fn port_state(state: Option<PortState>) -> &'static str {
    match state {
        None => "closed or filtered",
        Some(PortState::Open) => "open",
        Some(PortState::Closed) => "closed",
        Some(PortState::Filtered) => "filtered: something drops the probes",
        Some(PortState::Unfiltered) => "reachable, open or closed unknown",
        Some(PortState::OpenFiltered) => "open or filtered: no answer",
    }
}

/// A change on one port as a monitoring alert's title: "Port 22/tcp on
/// Web shop: version changed from OpenSSH 9.2 to OpenSSH 9.6".
pub fn port_change_title(
    change: &portcullis_model::compliance::PortChange,
    systems: &[portcullis_model::compliance::System],
) -> String {
    let on = change
        .system_id
        .and_then(|id| systems.iter().find(|system| system.id == id))
        .map_or_else(|| change.address.to_string(), |system| system.name.clone());
    format!(
        "Port {}/{} on {on}: {}",
        change.port,
        change.protocol.as_str(),
        port_change(&change.change)
    )
}

fn port_change(change: &PortChangeKind) -> String {
    let text = |value: &Option<String>| value.clone().unwrap_or_else(|| "nothing".to_owned());
    match change {
        PortChangeKind::Opened { from } => format!("opened (it was {})", port_state(*from)),
        PortChangeKind::Closed { to } => match to {
            Some(PortState::Closed) => "closed".into(),
            None => "closed (or filtered: the scan did not list it)".into(),
            Some(other) => format!("no longer open (it is now {})", port_state(Some(*other))),
        },
        PortChangeKind::StateChanged { from, to } => {
            format!("was {}, is now {}", port_state(*from), port_state(*to))
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
                parts.push(format!("now {}", added.join(", ")));
            }
            if !removed.is_empty() {
                parts.push(format!("no longer {}", removed.join(", ")));
            }
            parts.join("; ")
        }
    }
}

impl Estate<'_> {
    fn system_words(&self, system_id: Option<SystemId>) -> String {
        match system_id.and_then(|id| self.systems.get(&id)) {
            Some(system) => format!("system {}", system.name),
            None => "no system claims this address".into(),
        }
    }

    /// What an entry expects, e.g. "nginx 1.24" or "any service".
    fn expected(&self, id: InventoryEntryId) -> String {
        match self.entries.get(&id) {
            Some(entry) => match (&entry.service, &entry.version) {
                (Some(service), Some(version)) => format!("{service} {version}"),
                (Some(service), None) => service.clone(),
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

/// A Review card: the group, named and summed up in words.
pub fn review_card(
    group: portcullis_model::review::DecisionGroup,
    systems: &[System],
) -> portcullis_model::review::ReviewCard {
    use portcullis_model::review::{DecisionSubject, ReviewCard};
    let system_name = |id: Option<SystemId>| -> String {
        id.and_then(|id| systems.iter().find(|s| s.id == id))
            .map_or_else(|| "a machine no system claims".into(), |s| s.name.clone())
    };
    let count = group.findings.len();
    let these = if count == 1 {
        "this finding".to_owned()
    } else {
        format!("these {count} findings")
    };
    let (key, title, summary) = match &group.subject {
        DecisionSubject::Port {
            system_id,
            address,
            protocol,
            port,
            service,
        } => {
            // A service nobody recognised adds nothing to the title; the
            // card's findings say what answered.
            let service = service
                .as_deref()
                .map(|name| format!(" ({name})"))
                .unwrap_or_default();
            let summary = match (group.disputable, group.acceptable) {
                (true, true) => format!(
                    "Close it: what fails here cannot be approved as a business need. If the \
                     scan is wrong, or another safeguard covers it, dispute it with your ASV; \
                     the port can then be kept with a stated business need. Closing it settles \
                     {these}."
                ),
                (true, false) => format!(
                    "Close it: it cannot be approved as a business need. If the scan is wrong, \
                     or another safeguard covers it, dispute it with your ASV. Closing it \
                     settles {these}."
                ),
                (false, true) => format!(
                    "Keep it with a stated business need, or close it; either settles {these}."
                ),
                (false, false) => format!(
                    "Close it: it cannot be approved as a business need. Closing it settles \
                     {these}."
                ),
            };
            (
                format!("port|{address}|{}/{port}", protocol.as_str()),
                format!(
                    "Port {port}/{}{service} on {}",
                    protocol.as_str(),
                    system_name(*system_id)
                ),
                summary,
            )
        }
        DecisionSubject::Update {
            system_id,
            address,
            product,
            version,
        } => {
            let running = match version {
                Some(version) => format!("{product} {version}"),
                None => product.clone(),
            };
            (
                format!("update|{address}|{product}"),
                format!("{running} on {}", system_name(*system_id)),
                format!("Updating {product} settles {these}."),
            )
        }
        DecisionSubject::Settings {
            system_id,
            address,
            protocol,
            port,
            service,
        } => {
            let service = service.as_deref().unwrap_or("service");
            (
                format!("settings|{address}|{}/{port}", protocol.as_str()),
                format!(
                    "The {service} settings on port {port} of {}",
                    system_name(*system_id)
                ),
                if group.disputable {
                    format!(
                        "Changing these settings settles {these}. If the scan is wrong, or \
                         another safeguard covers it, dispute it with your ASV."
                    )
                } else {
                    format!("Changing these settings settles {these}.")
                },
            )
        }
        DecisionSubject::Host { address } => (
            format!("host|{address}"),
            format!("A machine at {address} that no system claims"),
            "Add its address to one of your systems, or switch it off if nobody knows it."
                .to_owned(),
        ),
        DecisionSubject::Programme { finding } => {
            let first = &group.findings[0].finding;
            (
                format!("programme|{}", finding.id()),
                first.title.to_string(),
                "A task PCI DSS asks for at regular intervals: doing it settles this.".to_owned(),
            )
        }
    };
    ReviewCard {
        key,
        title,
        summary,
        verdict_words: asv_words(group.verdict, group.acceptable).to_owned(),
        group,
    }
}

/// A verdict in the terms of an Approved Scanning Vendor's report.
pub fn asv_words(verdict: Verdict, acceptable: bool) -> &'static str {
    match (verdict, acceptable) {
        (Verdict::Fail, _) => "Will fail your ASV scan",
        (Verdict::Disputed, _) => "Passes only if your ASV accepts the dispute",
        (Verdict::ActionNeeded, true) => "Needs a stated business need",
        (Verdict::ActionNeeded, false) => "Needs a fix",
        (Verdict::Pass, _) => "Fine",
    }
}

/// Where the merchant stands, in the one sentence that leads the Done page
/// and `portcullis status`: what will fail an ASV scan, else what still
/// needs a decision.
pub fn headline(groups: &[portcullis_model::review::DecisionGroup], scanned: bool) -> String {
    use portcullis_model::review::DecisionSubject;
    if !scanned {
        return "Nothing has been scanned yet: run a scan to see where you stand.".into();
    }
    let failing: Vec<_> = groups
        .iter()
        .filter(|g| g.verdict == Verdict::Fail)
        .collect();
    if !failing.is_empty() {
        let all_ports = failing
            .iter()
            .all(|g| matches!(g.subject, DecisionSubject::Port { .. }));
        let thing = if all_ports { "port" } else { "problem" };
        return format!(
            "{} will still fail your ASV scan.",
            plural(failing.len(), thing)
        );
    }
    // A disputed card may still wait for the port's business need.
    let pending = groups
        .iter()
        .filter(|g| match g.verdict {
            Verdict::ActionNeeded => true,
            Verdict::Disputed => g.findings.iter().any(|record| {
                record.status() == portcullis_model::compliance::FindingStatus::Open
                    && matches!(
                        record.finding.severity,
                        portcullis_model::compliance::Severity::Medium
                            | portcullis_model::compliance::Severity::Low
                    )
            }),
            Verdict::Pass | Verdict::Fail => false,
        })
        .count();
    let disputed = groups
        .iter()
        .filter(|g| g.verdict == Verdict::Disputed)
        .count();
    if disputed > 0 {
        let also = match pending {
            0 => String::new(),
            n => format!(
                "; {} still {} a fix or a stated business need",
                plural(n, "decision"),
                if n == 1 { "needs" } else { "need" }
            ),
        };
        return format!(
            "Your ASV scan passes only if your ASV accepts {}{also}.",
            if disputed == 1 {
                "your dispute".to_owned()
            } else {
                format!("your {disputed} disputes")
            }
        );
    }
    if pending > 0 {
        return format!(
            "Nothing will fail your ASV scan; {} still {} a fix or a stated business need.",
            plural(pending, "decision"),
            if pending == 1 { "needs" } else { "need" }
        );
    }
    "Every open port is known and justified: nothing will fail your ASV scan.".into()
}

/// A recurring task as a next step: what, by when, under which
/// requirement.
pub fn next_step(
    task: portcullis_model::dashboard::ScheduledTask,
    now: chrono::DateTime<chrono::Utc>,
) -> portcullis_model::dashboard::NextStep {
    use portcullis_model::dashboard::{NextStep, RecurringTask};
    let (what, requirement) = match task.task {
        RecurringTask::InternalScan => ("Run the next internal scan", "11.3.1"),
        RecurringTask::ExternalScan => (
            "Have your Approved Scanning Vendor (ASV) scan from the internet",
            "11.3.2",
        ),
        RecurringTask::InventoryReview => (
            "Review the approved ports with whoever approved them",
            "1.2.7",
        ),
        RecurringTask::SegmentationTest => {
            ("Have the separation of your card systems tested", "11.4.5")
        }
    };
    let overdue = task.due.is_none_or(|due| due <= now);
    let sentence = match task.due {
        None => format!("{what} now: it has never been done (PCI DSS {requirement})."),
        Some(due) if overdue => format!(
            "{what} now: it was due on {} (PCI DSS {requirement}).",
            due.format("%Y-%m-%d")
        ),
        Some(due) => format!(
            "{what} by {} (PCI DSS {requirement}).",
            due.format("%Y-%m-%d")
        ),
    };
    NextStep {
        task: task.task,
        due: task.due,
        overdue,
        sentence,
    }
}

/// How a scan looked, in a sentence or two, for its report.
pub fn how_scanned(scan: &ScanRecord) -> String {
    let origin = match scan.origin {
        portcullis_model::compliance::Exposure::Internal => {
            "from inside the network (an internal scan, PCI DSS 11.3.1)"
        }
        portcullis_model::compliance::Exposure::External => {
            "from the internet (an external scan, PCI DSS 11.3.2)"
        }
    };
    if scan.requested_method == "imported" {
        return format!(
            "Imported from another tool's file ({}), taken as a scan of {} {origin}.",
            scan.profile.trim_start_matches("imported from "),
            scan.targets
        );
    }
    let methods: Vec<&str> = scan.methods.iter().map(|m| m.method.as_str()).collect();
    let methods = if methods.is_empty() {
        scan.requested_method.clone()
    } else {
        methods.join(" and ")
    };
    let mut checks = Vec::new();
    if scan.coverage.identification {
        checks.push("identified the services");
    }
    if scan.coverage.posture {
        checks.push("checked their security (encryption, certificates, logins, versions)");
    }
    let checks = if checks.is_empty() {
        "It looked for open ports only.".to_owned()
    } else {
        format!("It {}.", checks.join(" and "))
    };
    format!(
        "A {methods} scan of {}, ports {}, {origin}, with the \"{}\" profile. {checks}",
        scan.targets, scan.ports, scan.profile
    )
}
