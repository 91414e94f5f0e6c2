//! Rules about the inventory itself: approvals that lapsed, and approved
//! ports that a scan looked at and did not find open.

use portcullis_model::compliance::{FindingKind, InventoryEntry};
use portcullis_model::scan::PortState;

use super::{Draft, Evaluator, openness};
use crate::estate::is_expired;
use crate::template::Phrase;

pub(super) fn check(ev: &mut Evaluator<'_>) {
    let inventory = ev.input.inventory;
    for entry in inventory {
        expired(ev, entry);
        stale(ev, entry);
    }
}

fn expired<'a>(ev: &mut Evaluator<'a>, entry: &'a InventoryEntry) {
    let Some(expires_at) = entry.expires_at else {
        return;
    };
    if !is_expired(entry, ev.input.now) {
        return;
    }
    let detail = expires_at.format("%Y-%m-%d").to_string();
    let evidence = format!(
        "inventory entry {} approved by {} on {}, expired {}",
        entry.id,
        entry.approver,
        entry.approved_at.format("%Y-%m-%d"),
        expires_at.to_rfc3339()
    );
    let draft = entry_draft(
        ev,
        entry,
        FindingKind::ExpiredInventoryEntry,
        detail,
        evidence,
        None,
    );
    ev.emit(draft);
}

/// An entry is stale only when the scan could have seen its port: one of
/// the system's addresses was up, the port was in the scanned range, and
/// no address of the system showed it open or possibly open
/// (`open|filtered`, `unfiltered`).
fn stale<'a>(ev: &mut Evaluator<'a>, entry: &'a InventoryEntry) {
    let Some(hosts) = ev.systems_up.get(&entry.system_id) else {
        return;
    };
    if !ev.scanned.contains(entry.protocol, entry.port) {
        return;
    }
    let seen = hosts
        .iter()
        .filter_map(|h| h.state(entry.protocol, entry.port))
        .max_by_key(|state| openness(*state));
    if matches!(
        seen,
        Some(PortState::Open | PortState::OpenFiltered | PortState::Unfiltered)
    ) {
        return;
    }
    let address = hosts[0].address;
    let detail = match seen {
        Some(state) => format!("the port was {}", state.as_str()),
        None => "the port was closed or filtered".into(),
    };
    let evidence = format!(
        "inventory entry {}; {}/{} on {address}: {detail}",
        entry.id,
        entry.port,
        entry.protocol.as_str()
    );
    let draft = entry_draft(
        ev,
        entry,
        FindingKind::StaleInventoryEntry,
        detail,
        evidence,
        Some(address),
    );
    ev.emit(draft);
}

fn entry_draft<'a>(
    ev: &Evaluator<'a>,
    entry: &'a InventoryEntry,
    kind: FindingKind,
    detail: String,
    evidence: String,
    address: Option<std::net::IpAddr>,
) -> Draft<'a> {
    let service_label = match (&entry.service, &entry.version) {
        (Some(service), Some(version)) => Phrase::joined(service, " ", version),
        (Some(service), None) => service.as_str().into(),
        _ => "any service".into(),
    };
    let what = match ev.book.plain_name(entry.service.as_deref()) {
        Some(plain) => plain.into(),
        None => service_label,
    };
    Draft {
        kind,
        system: ev.systems.by_id(entry.system_id),
        address,
        port: Some(entry.port),
        protocol: Some(entry.protocol),
        service_label,
        what,
        detail,
        evidence,
        key: Some(format!("{}|entry:{}", kind.id(), entry.id)),
        service: entry.service.clone(),
        product: None,
        version: entry.version.clone(),
    }
}
