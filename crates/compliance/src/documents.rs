//! What the documents say that takes a judgement: the inventory
//! document's content (each allowed service with the facts an assessor
//! checks for PCI DSS 1.2.5 to 1.2.7, what scans found beyond the
//! inventory, what it allows that no scan found, its review log), and the
//! scan report's hosts and verdict. Pure: records and sightings in,
//! content out; the formats are made elsewhere.

use std::collections::HashMap;
use std::net::IpAddr;

use chrono::{DateTime, Months, Utc};
use portcullis_model::SystemId;
use portcullis_model::compliance::{
    AuditAction, AuditEntry, FindingKind, FindingRecord, FindingStatus, InventoryEntry, Scope,
    Severity, System,
};
use portcullis_model::documents::{
    AllowedService, InventoryDocument, PortSighting, ReportHost, ReportPort, ReviewLogLine,
    SystemInventory, UnseenEntry,
};
use portcullis_model::report::ScanReport;
use portcullis_model::scan::{HostReport, PortState, Protocol};

use crate::estate::{InventoryIndex, SystemIndex};
use crate::evaluate::ServiceView;
use crate::rulebook::Rulebook;
use crate::schedule::INVENTORY_REVIEW_MONTHS;

/// A port a finished scan found open, and when it last did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sighting {
    pub address: IpAddr,
    pub protocol: Protocol,
    pub port: u16,
    pub last_seen: DateTime<Utc>,
}

/// Everything the inventory document is made from.
#[derive(Debug, Clone, Copy)]
pub struct InventoryDocumentInput<'a> {
    pub business: &'a str,
    pub now: DateTime<Utc>,
    pub systems: &'a [System],
    pub inventory: &'a [InventoryEntry],
    pub sightings: &'a [Sighting],
    /// The tracked findings: the open unlisted ports and stale entries.
    pub tracked: &'a [FindingRecord],
    /// The audit log's rows about inventory entries, oldest first.
    pub trail: &'a [AuditEntry],
}

/// The inventory document's content.
pub fn inventory_document(input: &InventoryDocumentInput<'_>) -> InventoryDocument {
    let book = Rulebook::builtin();
    let index = SystemIndex::new(input.systems);
    let seen = last_seen_by_system(&index, input.sightings);
    let names: HashMap<SystemId, &str> = input
        .systems
        .iter()
        .map(|system| (system.id, system.name.as_str()))
        .collect();
    let mut systems: Vec<SystemInventory> = input
        .systems
        .iter()
        .map(|system| SystemInventory {
            id: system.id,
            name: system.name.clone(),
            role: system.role,
            scope: system.scope,
            exposure: system.exposure,
            description: format!(
                "{} · {} · {}",
                system.role.label(),
                system.scope.label(),
                system.exposure.label()
            ),
            addresses: system.addresses.clone(),
            allowed: Vec::new(),
        })
        .collect();
    for entry in input.inventory {
        let last_seen = seen
            .get(&(entry.system_id, entry.protocol, entry.port))
            .copied();
        if let Some(system) = systems.iter_mut().find(|s| s.id == entry.system_id) {
            system
                .allowed
                .push(allowed(book, entry, last_seen, input.now));
        }
    }
    for system in &mut systems {
        system.allowed.sort_by_key(|a| (a.protocol, a.port));
    }
    InventoryDocument {
        business: input.business.to_owned(),
        scope: scope_sentence(input.systems),
        made_at: input.now,
        not_allowed: not_allowed(input, &names),
        not_seen: not_seen(input, &names, &seen),
        review_log: input
            .trail
            .iter()
            .filter_map(|row| review_line(row, &names))
            .collect(),
        systems,
    }
}

/// The newest sighting of each port, by the system its address belongs to.
fn last_seen_by_system(
    index: &SystemIndex<'_>,
    sightings: &[Sighting],
) -> HashMap<(SystemId, Protocol, u16), DateTime<Utc>> {
    let mut seen = HashMap::new();
    for sighting in sightings {
        let host = HostReport {
            address: sighting.address,
            name: None,
            up: true,
            reason: String::new(),
        };
        if let Some(system) = index.for_host(&host) {
            let newest = seen
                .entry((system.id, sighting.protocol, sighting.port))
                .or_insert(sighting.last_seen);
            *newest = (*newest).max(sighting.last_seen);
        }
    }
    seen
}

fn allowed(
    book: &Rulebook,
    entry: &InventoryEntry,
    last_seen: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> AllowedService {
    let six_months = entry
        .approved_at
        .checked_add_months(Months::new(INVENTORY_REVIEW_MONTHS))
        .unwrap_or(entry.approved_at);
    let next_review = entry
        .expires_at
        .map_or(six_months, |expires| expires.min(six_months));
    AllowedService {
        entry_id: entry.id,
        port: entry.port,
        protocol: entry.protocol,
        service: entry
            .service
            .clone()
            .unwrap_or_else(|| "any service".to_owned()),
        direction: direction(entry),
        justification: entry.justification.clone(),
        approver: entry.approver.clone(),
        approved_at: entry.approved_at,
        expires_at: entry.expires_at,
        insecure: insecurity(book, entry),
        security_features: entry.notes.clone(),
        last_seen,
        next_review,
        review_overdue: next_review < now,
    }
}

/// Inbound, and from where.
fn direction(entry: &InventoryEntry) -> String {
    if entry.sources.is_empty() {
        "inbound from anywhere".to_owned()
    } else {
        let sources: Vec<String> = entry.sources.iter().map(ToString::to_string).collect();
        format!("inbound from {}", sources.join(", "))
    }
}

/// Why the entry's service is insecure (PCI DSS 1.2.6), if it is: one
/// that sends passwords and data as readable text.
fn insecurity(book: &Rulebook, entry: &InventoryEntry) -> Option<String> {
    let cleartext = &book.categories.cleartext;
    let insecure = match &entry.service {
        Some(service) => cleartext.has_service(service),
        None => cleartext.has_port(entry.protocol, entry.port),
    };
    if !insecure {
        return None;
    }
    let what = entry
        .service
        .as_deref()
        .and_then(|service| book.plain_name([service]))
        .unwrap_or("The service usually on this port");
    Some(format!("{what}: it sends passwords and data unencrypted"))
}

fn scope_sentence(systems: &[System]) -> String {
    let count = |scope| systems.iter().filter(|s| s.scope == scope).count();
    format!(
        "{} {}: {} in the cardholder data environment (CDE), {} connected to it, {} out of scope.",
        systems.len(),
        if systems.len() == 1 {
            "system"
        } else {
            "systems"
        },
        count(Scope::Cde),
        count(Scope::ConnectedToCde),
        count(Scope::OutOfScope)
    )
}

fn is_open(record: &FindingRecord, kind: FindingKind) -> bool {
    record.finding.kind == kind && record.status() == FindingStatus::Open
}

fn system_name(names: &HashMap<SystemId, &str>, id: Option<SystemId>) -> String {
    id.and_then(|id| names.get(&id)).map_or_else(
        || "an unregistered machine".to_owned(),
        |name| (*name).to_owned(),
    )
}

/// Open ports without an inventory entry, as the open findings say.
fn not_allowed(
    input: &InventoryDocumentInput<'_>,
    names: &HashMap<SystemId, &str>,
) -> Vec<PortSighting> {
    let mut found: Vec<PortSighting> = input
        .tracked
        .iter()
        .filter(|record| is_open(record, FindingKind::UnlistedOpenPort))
        .filter_map(|record| {
            let finding = &record.finding;
            let (address, port, protocol) = (finding.address?, finding.port?, finding.protocol?);
            let last_seen = input
                .sightings
                .iter()
                .find(|s| s.address == address && s.port == port && s.protocol == protocol)
                .map_or(input.now, |s| s.last_seen);
            Some(PortSighting {
                system: system_name(names, finding.system_id),
                address: address.to_string(),
                port,
                protocol,
                service: finding.service.clone(),
                last_seen,
            })
        })
        .collect();
    found.sort_by(|a, b| {
        (&a.system, &a.address, a.protocol, a.port)
            .cmp(&(&b.system, &b.address, b.protocol, b.port))
    });
    found
}

/// Entries no scan found open: never seen, or found shut by the last scan
/// that covered them.
fn not_seen(
    input: &InventoryDocumentInput<'_>,
    names: &HashMap<SystemId, &str>,
    seen: &HashMap<(SystemId, Protocol, u16), DateTime<Utc>>,
) -> Vec<UnseenEntry> {
    input
        .inventory
        .iter()
        .filter_map(|entry| {
            let stale = input.tracked.iter().any(|record| {
                is_open(record, FindingKind::StaleInventoryEntry)
                    && record.finding.system_id == Some(entry.system_id)
                    && record.finding.port == Some(entry.port)
                    && record.finding.protocol == Some(entry.protocol)
            });
            let why = if stale {
                "the last scan that covered it found it shut"
            } else if !seen.contains_key(&(entry.system_id, entry.protocol, entry.port)) {
                "no scan has found it open yet"
            } else {
                return None;
            };
            Some(UnseenEntry {
                system: system_name(names, Some(entry.system_id)),
                entry_id: entry.id,
                port: entry.port,
                protocol: entry.protocol,
                why: why.to_owned(),
            })
        })
        .collect()
}

/// One audit row in words; `None` for rows that are not inventory changes.
fn review_line(row: &AuditEntry, names: &HashMap<SystemId, &str>) -> Option<ReviewLogLine> {
    let verb = match row.action {
        AuditAction::InventoryAdd => "approved",
        AuditAction::InventoryApprove => "renewed the approval of",
        AuditAction::InventoryUpdate => "changed",
        AuditAction::InventoryRemove => "removed",
        AuditAction::InventoryImport => "imported",
        _ => return None,
    };
    let entry: Option<InventoryEntry> = row
        .after
        .as_deref()
        .or(row.before.as_deref())
        .and_then(|json| serde_json::from_str(json).ok());
    let change = match entry {
        Some(entry) => format!(
            "{verb} {}/{} on {}",
            entry.protocol.as_str(),
            entry.port,
            system_name(names, Some(entry.system_id))
        ),
        None => format!("{verb} inventory entry {}", row.entity_id),
    };
    Some(ReviewLogLine {
        at: row.at,
        actor: row.actor.clone(),
        change,
    })
}

/// The hosts of a scan that answered, each with its open ports, what
/// answers there, and whether the inventory allows each.
pub fn report_hosts(
    report: &ScanReport,
    systems: &[System],
    inventory: &[InventoryEntry],
) -> Vec<ReportHost> {
    let index = SystemIndex::new(systems);
    let allowed = InventoryIndex::new(inventory);
    report
        .hosts
        .iter()
        .filter(|host| host.host.up)
        .map(|host| {
            let system = index.for_host(&host.host);
            let open = host
                .ports_in(PortState::Open)
                .map(|port| {
                    let view = ServiceView::new(port);
                    ReportPort {
                        port: port.port,
                        protocol: port.protocol,
                        service: view.label().to_string(),
                        tls: view.tls(),
                        allowed: system.is_some_and(|system| {
                            allowed.get(system.id, port.protocol, port.port).is_some()
                        }),
                    }
                })
                .collect();
            ReportHost {
                address: host.host.address,
                name: host.host.name.clone(),
                system: system.map_or_else(
                    || "an unregistered machine".to_owned(),
                    |system| system.name.clone(),
                ),
                open,
            }
        })
        .collect()
}

/// A finding's weight for a merchant holding an ASV report.
pub fn weight(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "Fails",
        Severity::Medium | Severity::Low => "Action needed",
        Severity::Info => "For the record",
    }
}

/// What a scan's findings come to, in one sentence: the open ones an ASV
/// fails, and those that need action.
pub fn report_verdict(findings: &[FindingRecord]) -> String {
    let open: Vec<&FindingRecord> = findings
        .iter()
        .filter(|record| record.status() == FindingStatus::Open)
        .collect();
    let failing = open
        .iter()
        .filter(|record| record.finding.severity.fails_asv_scan())
        .count();
    let action = open
        .iter()
        .filter(|record| matches!(record.finding.severity, Severity::Medium | Severity::Low))
        .count();
    let things = |n: usize| if n == 1 { "problem" } else { "problems" };
    match (failing, action) {
        (0, 0) => "Ready: this scan found nothing an ASV would fail and nothing that needs action."
            .to_owned(),
        (0, action) => format!(
            "Nothing an ASV would fail, but {action} {} need action: fix them, or record why the business needs them.",
            things(action)
        ),
        (failing, 0) => format!(
            "Not ready: {failing} {} would fail an ASV scan. Fix them first.",
            things(failing)
        ),
        (failing, action) => format!(
            "Not ready: {failing} {} would fail an ASV scan, and {action} more need action. Fix what fails first.",
            things(failing)
        ),
    }
}

/// The letter a dispute pack carries to the ASV: which finding, on what
/// grounds, what Portcullis's own scans saw (`observations`, newest
/// first), and what the merchant asks.
pub fn dispute_statement(
    business: &str,
    finding: &portcullis_model::compliance::Finding,
    dispute: Option<&portcullis_model::compliance::Dispute>,
    observations: &[portcullis_model::documents::Observation],
) -> String {
    use portcullis_model::compliance::DisputeKind;
    let place = match (finding.address, finding.port, finding.protocol) {
        (Some(address), Some(port), Some(protocol)) => {
            format!("on {address}, port {port}/{}", protocol.as_str())
        }
        (Some(address), _, _) => format!("on {address}"),
        _ => "on our systems".to_owned(),
    };
    let mut letter = format!(
        "To our Approved Scanning Vendor (ASV):\n\nYour scan reported \"{}\" {place} (PCI DSS {}).",
        finding.title,
        finding.requirements.join(", ")
    );
    let latest = observations.first();
    let closed_now = latest.is_some_and(|seen| seen.state == "closed" || seen.state == "filtered");
    let grounds = match dispute {
        Some(dispute) => match dispute.kind {
            DisputeKind::FalsePositive => {
                format!(" We believe this is a false positive. {}", dispute.evidence)
            }
            DisputeKind::CompensatingControl => format!(
                " The problem is there, but another safeguard stands in its place (a compensating control). {}",
                dispute.evidence
            ),
            DisputeKind::PoiTerminalEarlyTls => format!(
                " This service serves only our card terminals. PCI DSS Appendix A2 lets these keep early TLS when no known exploit reaches them. {}",
                dispute.evidence
            ),
        },
        None if closed_now => " The port is closed now.".to_owned(),
        None => " We believe the finding is wrong.".to_owned(),
    };
    letter.push_str(&grounds);
    match latest {
        Some(seen) => letter.push_str(&format!(
            "\n\nOur own scans with Portcullis: on {} the port was {}{}. The table below lists every scan of it.",
            seen.at.format("%-d %B %Y"),
            seen.state,
            if seen.seen.is_empty() {
                String::new()
            } else {
                format!(" ({})", seen.seen)
            }
        )),
        None => letter.push_str("\n\nOur own scans with Portcullis have not looked at this port."),
    }
    let ask = match dispute.map(|d| d.kind) {
        Some(kind) => format!("to accept it as a {}", kind.words()),
        None if closed_now => "to scan it again and remove it from the report".to_owned(),
        None => "to review it".to_owned(),
    };
    letter.push_str(&format!(
        "\n\nWe ask you {ask}. The evidence is attached.\n\n{business}"
    ));
    letter
}
