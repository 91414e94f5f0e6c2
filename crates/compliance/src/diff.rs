//! The differences between two scans of the same targets, like ndiff, and
//! what the inventory says about each.
//!
//! Ports are compared host by host with a merge of the two port lists, in
//! (protocol, port) order, so two full 65,535-port scans cost one pass.
//! Only listed ports are compared: a port listed in one scan and not the
//! other moved between a listed state and "not listed" (closed or filtered).
//! Scans made with different port ranges or options (identification,
//! posture) will show the difference in options as changes.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use portcullis_model::compliance::{
    HostChange, HostChangeKind, InventoryEntry, InventoryVerdict, PortChange, PortChangeKind,
    ScanDiff, System,
};
use portcullis_model::report::{HostResult, ScanReport};
use portcullis_model::scan::{PortResult, PortState};
use portcullis_model::service::{Posture, ServiceIdentity};

use crate::estate::{InventoryIndex, SystemIndex, is_expired, service_matches, version_matches};

/// Compares `before` with `after`. `now` decides which inventory approvals
/// still hold.
pub fn diff(
    before: &ScanReport,
    after: &ScanReport,
    systems: &[System],
    inventory: &[InventoryEntry],
    now: DateTime<Utc>,
) -> ScanDiff {
    let differ = Differ {
        systems: SystemIndex::new(systems),
        inventory: InventoryIndex::new(inventory),
        now,
    };
    let mut result = ScanDiff::default();
    let earlier: HashMap<IpAddr, &HostResult> =
        before.hosts.iter().map(|h| (h.host.address, h)).collect();
    let mut compared = std::collections::HashSet::with_capacity(after.hosts.len());
    for host in &after.hosts {
        let address = host.host.address;
        compared.insert(address);
        let was = earlier.get(&address).copied().filter(|h| h.host.up);
        let system = differ.systems.for_host(&host.host).map(|s| s.id);
        match (was, host.host.up) {
            (Some(was), true) => differ.ports(was, host, system, &mut result.ports),
            (None, true) => {
                result.hosts.push(HostChange {
                    address,
                    change: HostChangeKind::CameUp,
                    system_id: system,
                });
                differ.ports(&empty_like(host), host, system, &mut result.ports);
            }
            (Some(_), false) => result.hosts.push(HostChange {
                address,
                change: HostChangeKind::WentDown,
                system_id: system,
            }),
            (None, false) => {}
        }
    }
    for host in before.hosts.iter().filter(|h| h.host.up) {
        if !compared.contains(&host.host.address) {
            result.hosts.push(HostChange {
                address: host.host.address,
                change: HostChangeKind::WentDown,
                system_id: differ.systems.for_host(&host.host).map(|s| s.id),
            });
        }
    }
    result.hosts.sort_by_key(|h| h.address);
    result
        .ports
        .sort_by_key(|p| (p.address, p.protocol, p.port));
    result
}

struct Differ<'a> {
    systems: SystemIndex<'a>,
    inventory: InventoryIndex<'a>,
    now: DateTime<Utc>,
}

/// A host with no ports, standing for "nothing seen before".
fn empty_like(host: &HostResult) -> HostResult {
    HostResult {
        host: host.host.clone(),
        ports: Vec::new(),
        counts: Vec::new(),
    }
}

fn sorted_ports(host: &HostResult) -> Vec<&PortResult> {
    let mut ports: Vec<&PortResult> = host.ports.iter().collect();
    ports.sort_by_key(|p| (p.protocol, p.port));
    ports
}

impl Differ<'_> {
    /// Merges the two hosts' port lists and records every change.
    fn ports(
        &self,
        before: &HostResult,
        after: &HostResult,
        system: Option<i64>,
        out: &mut Vec<PortChange>,
    ) {
        let old = sorted_ports(before);
        let new = sorted_ports(after);
        let (mut i, mut j) = (0, 0);
        while i < old.len() || j < new.len() {
            let order = match (old.get(i), new.get(j)) {
                (Some(a), Some(b)) => (a.protocol, a.port).cmp(&(b.protocol, b.port)),
                (Some(_), None) => Ordering::Less,
                (None, _) => Ordering::Greater,
            };
            let (a, b) = match order {
                Ordering::Less => {
                    i += 1;
                    (Some(old[i - 1]), None)
                }
                Ordering::Greater => {
                    j += 1;
                    (None, Some(new[j - 1]))
                }
                Ordering::Equal => {
                    i += 1;
                    j += 1;
                    (Some(old[i - 1]), Some(new[j - 1]))
                }
            };
            self.port(a, b, system, out);
        }
    }

    fn port(
        &self,
        before: Option<&PortResult>,
        after: Option<&PortResult>,
        system: Option<i64>,
        out: &mut Vec<PortChange>,
    ) {
        let Some(any) = after.or(before) else { return };
        let from = before.map(|p| p.state);
        let to = after.map(|p| p.state);
        let mut changes = Vec::new();
        if from != to {
            changes.push(if to == Some(PortState::Open) {
                PortChangeKind::Opened { from }
            } else if from == Some(PortState::Open) {
                PortChangeKind::Closed { to }
            } else {
                PortChangeKind::StateChanged { from, to }
            });
        } else if let (Some(a), Some(b)) = (before, after)
            && to == Some(PortState::Open)
        {
            identity_changes(a, b, &mut changes);
        }
        for change in changes {
            let (inventory, entry) = self.judge(&change, system, any, after);
            out.push(PortChange {
                address: any.address,
                port: any.port,
                protocol: any.protocol,
                change,
                system_id: system,
                inventory_entry_id: entry,
                inventory,
            });
        }
    }

    /// What the inventory says about one change.
    fn judge(
        &self,
        change: &PortChangeKind,
        system: Option<i64>,
        port: &PortResult,
        after: Option<&PortResult>,
    ) -> (InventoryVerdict, Option<i64>) {
        let Some(system) = system else {
            return (InventoryVerdict::NoSystem, None);
        };
        let entry = self
            .inventory
            .get(system, port.protocol, port.port)
            .filter(|e| !is_expired(e, self.now));
        let id = entry.map(|e| e.id);
        let found = after.and_then(|p| p.identity.as_ref());
        let verdict = match (change, entry) {
            (PortChangeKind::Opened { .. }, Some(_)) => InventoryVerdict::Approved,
            (PortChangeKind::Opened { .. }, None) => InventoryVerdict::NotApproved,
            (PortChangeKind::Closed { .. }, Some(_)) => InventoryVerdict::ApprovedPortClosed,
            (PortChangeKind::Closed { .. }, None) => InventoryVerdict::Approved,
            (
                PortChangeKind::ServiceChanged { .. } | PortChangeKind::VersionChanged { .. },
                None,
            ) => InventoryVerdict::NotApproved,
            (
                PortChangeKind::ServiceChanged { .. } | PortChangeKind::VersionChanged { .. },
                Some(e),
            ) => {
                if entry_accepts(e, found) {
                    InventoryVerdict::Approved
                } else {
                    InventoryVerdict::NotApproved
                }
            }
            (PortChangeKind::StateChanged { .. } | PortChangeKind::PostureChanged { .. }, _) => {
                InventoryVerdict::NotApplicable
            }
        };
        (verdict, id)
    }
}

/// Whether the entry's expected service and version accept what was found.
fn entry_accepts(entry: &InventoryEntry, found: Option<&ServiceIdentity>) -> bool {
    let Some(found) = found else { return true };
    let service_ok = entry
        .service
        .as_deref()
        .is_none_or(|s| service_matches(s, &found.service, found.product.as_deref()));
    let version_ok = match (&entry.version, &found.version) {
        (Some(expected), Some(version)) => version_matches(expected, version),
        _ => true,
    };
    service_ok && version_ok
}

/// Service, version and posture changes of a port open in both scans.
/// Compared only when both scans identified the service.
fn identity_changes(before: &PortResult, after: &PortResult, out: &mut Vec<PortChangeKind>) {
    let (Some(a), Some(b)) = (&before.identity, &after.identity) else {
        return;
    };
    if a.service != b.service {
        out.push(PortChangeKind::ServiceChanged {
            from: Some(a.service.clone()),
            to: Some(b.service.clone()),
        });
    } else if (&a.product, &a.version) != (&b.product, &b.version) {
        out.push(PortChangeKind::VersionChanged {
            from: product_version(a),
            to: product_version(b),
        });
    }
    if before.posture != after.posture {
        let old = before
            .posture
            .as_ref()
            .map(posture_facts)
            .unwrap_or_default();
        let new = after
            .posture
            .as_ref()
            .map(posture_facts)
            .unwrap_or_default();
        let added: Vec<String> = new.iter().filter(|f| !old.contains(f)).cloned().collect();
        let removed: Vec<String> = old.iter().filter(|f| !new.contains(f)).cloned().collect();
        if !added.is_empty() || !removed.is_empty() {
            out.push(PortChangeKind::PostureChanged { added, removed });
        }
    }
}

fn product_version(id: &ServiceIdentity) -> Option<String> {
    match (&id.product, &id.version) {
        (Some(p), Some(v)) => Some(format!("{p} {v}")),
        (Some(p), None) => Some(p.clone()),
        (None, Some(v)) => Some(v.clone()),
        (None, None) => None,
    }
}

/// A posture as a sorted list of facts, so two postures compare as sets:
/// "accepts TLS 1.0", "certificate expired", "advisory CVE-...".
pub fn posture_facts(posture: &Posture) -> Vec<String> {
    let mut facts = Vec::new();
    if let Some(tls) = &posture.tls {
        facts.extend(
            tls.versions
                .iter()
                .map(|v| format!("accepts {}", v.label())),
        );
        facts.extend(
            tls.weak_suites
                .iter()
                .map(|s| format!("offers weak suite {}", s.name)),
        );
        if let Some(cert) = &tls.certificate {
            facts.push(format!("certificate for {}", cert.subject));
            facts.push(format!("certificate valid until {}", cert.not_after));
            if cert.self_signed {
                facts.push("certificate self-signed".into());
            }
            if cert.expired {
                facts.push("certificate expired".into());
            }
            if cert.name_matches == Some(false) {
                facts.push("certificate names another host".into());
            }
        }
    }
    if let Some(ssh) = &posture.ssh {
        facts.extend(
            ssh.weak
                .iter()
                .map(|w| format!("offers weak SSH algorithm {}", w.name)),
        );
        if ssh.password_login == Some(true) {
            facts.push("allows SSH password login".into());
        }
    }
    if let Some(http) = &posture.http {
        match http.redirects_to_https {
            Some(true) => facts.push("redirects to HTTPS".into()),
            Some(false) => facts.push("does not redirect to HTTPS".into()),
            None => {}
        }
        if http.hsts == Some(true) {
            facts.push("sends HSTS".into());
        }
        if http.directory_listing {
            facts.push("lists directories".into());
        }
        facts.extend(
            http.exposed_pages
                .iter()
                .map(|p| format!("exposes page {p}")),
        );
    }
    facts.extend(
        posture
            .open_access
            .iter()
            .map(|a| format!("answers without authentication ({:?})", a.kind)),
    );
    facts.extend(
        posture
            .advisories
            .iter()
            .map(|a| format!("advisory {} ({} {})", a.id, a.product, a.version)),
    );
    facts.sort();
    facts.dedup();
    facts
}
