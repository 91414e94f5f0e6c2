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

use crate::estate::{InventoryIndex, SystemIndex, entry_accepts, is_expired};
use portcullis_model::{InventoryEntryId, SystemId};

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
            (Some(was), true) => differ.ports(&was.ports, &host.ports, system, &mut result.ports),
            (None, true) => {
                result.hosts.push(HostChange {
                    address,
                    change: HostChangeKind::CameUp,
                    system_id: system,
                });
                // Nothing was seen before: every listed port is a change.
                differ.ports(&[], &host.ports, system, &mut result.ports);
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

fn sorted_ports(ports: &[PortResult]) -> Vec<&PortResult> {
    let mut ports: Vec<&PortResult> = ports.iter().collect();
    ports.sort_by_key(|p| (p.protocol, p.port));
    ports
}

impl Differ<'_> {
    /// Merges one host's port lists of the two scans and records every
    /// change.
    fn ports(
        &self,
        before: &[PortResult],
        after: &[PortResult],
        system: Option<SystemId>,
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
        system: Option<SystemId>,
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
        system: Option<SystemId>,
        port: &PortResult,
        after: Option<&PortResult>,
    ) -> (InventoryVerdict, Option<InventoryEntryId>) {
        let Some(system) = system else {
            return (InventoryVerdict::NoSystem, None);
        };
        let entry = self
            .inventory
            .get(system, port.protocol, port.port)
            .filter(|e| !is_expired(e, self.now));
        let id = entry.map(|e| e.id);
        let found = after.and_then(|p| p.identity.as_deref());
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
                if found.is_none_or(|found| entry_accepts(e, found)) {
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
            .as_deref()
            .map(posture_facts)
            .unwrap_or_default();
        let new = after
            .posture
            .as_deref()
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
            if !cert.self_signed && cert.trusted == Some(false) {
                facts.push("certificate not trusted by browsers".into());
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
            .map(|a| a.kind.fact().to_string()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::testkit::*;
    use portcullis_model::compliance::PortChangeKind as K;
    use portcullis_model::scan::Protocol;
    use portcullis_model::service::{Posture, TlsVersion};

    fn changes(before: Vec<PortResult>, after: Vec<PortResult>) -> ScanDiff {
        let inventory = [
            entry(1, 2, 443, Protocol::Tcp),
            entry(2, 2, 5432, Protocol::Tcp),
        ];
        diff(
            &report(vec![host(DB, before)]),
            &report(vec![host(DB, after)]),
            &[web(), db()],
            &inventory,
            now(),
        )
    }

    #[test]
    fn identical_scans_have_no_changes() {
        let ports = vec![open(DB, 22), open(DB, 443)];
        assert_eq!(changes(ports.clone(), ports), ScanDiff::default());
    }

    #[test]
    fn an_unapproved_port_that_opened_is_not_approved() {
        let result = changes(vec![open(DB, 443)], vec![open(DB, 443), open(DB, 3306)]);
        assert_eq!(result.ports.len(), 1);
        let change = &result.ports[0];
        assert_eq!(change.port, 3306);
        assert_eq!(change.change, K::Opened { from: None });
        assert_eq!(change.inventory, InventoryVerdict::NotApproved);
        assert_eq!(change.system_id, Some(SystemId(2)));
    }

    #[test]
    fn an_approved_port_that_opened_is_approved() {
        let result = changes(vec![], vec![open(DB, 443)]);
        assert_eq!(result.ports[0].inventory, InventoryVerdict::Approved);
        assert_eq!(
            result.ports[0].inventory_entry_id,
            Some(InventoryEntryId(1))
        );
    }

    #[test]
    fn closed_ports_are_judged_against_the_inventory() {
        let result = changes(vec![open(DB, 22), open(DB, 5432)], vec![]);
        let verdicts: Vec<_> = result
            .ports
            .iter()
            .map(|c| (c.port, c.change.clone(), c.inventory))
            .collect();
        assert_eq!(
            verdicts,
            [
                (22, K::Closed { to: None }, InventoryVerdict::Approved),
                (
                    5432,
                    K::Closed { to: None },
                    InventoryVerdict::ApprovedPortClosed
                ),
            ]
        );
    }

    #[test]
    fn an_expired_entry_no_longer_approves_an_opened_port() {
        let mut inventory = [entry(1, 2, 443, Protocol::Tcp)];
        inventory[0].expires_at = Some(now() - days(1));
        let result = diff(
            &report(vec![host(DB, vec![])]),
            &report(vec![host(DB, vec![open(DB, 443)])]),
            &[db()],
            &inventory,
            now(),
        );
        assert_eq!(result.ports[0].inventory, InventoryVerdict::NotApproved);
    }

    #[test]
    fn a_listed_state_change_without_opening_is_a_state_change() {
        let silent = port(DB, 161, Protocol::Udp, PortState::OpenFiltered);
        let closed = port(DB, 161, Protocol::Udp, PortState::Closed);
        let result = changes(vec![silent], vec![closed]);
        assert_eq!(
            result.ports[0].change,
            K::StateChanged {
                from: Some(PortState::OpenFiltered),
                to: Some(PortState::Closed)
            }
        );
        assert_eq!(result.ports[0].inventory, InventoryVerdict::NotApplicable);
    }

    #[test]
    fn a_new_version_is_a_version_change_judged_by_the_entry() {
        let old = service(DB, 443, "https", Some("nginx"), Some("1.24.0"));
        let new = service(DB, 443, "https", Some("nginx"), Some("1.26.1"));
        let result = changes(vec![old], vec![new]);
        assert_eq!(
            result.ports[0].change,
            K::VersionChanged {
                from: Some("nginx 1.24.0".into()),
                to: Some("nginx 1.26.1".into())
            }
        );
        assert_eq!(
            result.ports[0].inventory,
            InventoryVerdict::Approved,
            "the entry expects no version"
        );

        let mut inventory = [entry(1, 2, 443, Protocol::Tcp)];
        inventory[0].version = Some("1.24".into());
        let result = diff(
            &report(vec![host(
                DB,
                vec![service(DB, 443, "https", Some("nginx"), Some("1.24.0"))],
            )]),
            &report(vec![host(
                DB,
                vec![service(DB, 443, "https", Some("nginx"), Some("1.26.1"))],
            )]),
            &[db()],
            &inventory,
            now(),
        );
        assert_eq!(result.ports[0].inventory, InventoryVerdict::NotApproved);
    }

    #[test]
    fn another_service_is_a_service_change() {
        let old = service(DB, 8080, "http", Some("nginx"), None);
        let new = service(DB, 8080, "ssh", Some("OpenSSH"), None);
        let result = changes(vec![old], vec![new]);
        assert_eq!(
            result.ports[0].change,
            K::ServiceChanged {
                from: Some("http".into()),
                to: Some("ssh".into())
            }
        );
    }

    #[test]
    fn unidentified_ports_show_no_service_change() {
        let old = service(DB, 8080, "http", Some("nginx"), None);
        let result = changes(vec![old], vec![open(DB, 8080)]);
        assert!(result.ports.is_empty(), "{:?}", result.ports);
    }

    #[test]
    fn posture_changes_list_the_facts_that_came_and_went() {
        let mut old = https(tls(&[TlsVersion::Tls10, TlsVersion::Tls12]));
        old.address = ip(DB);
        let mut new = https(tls(&[TlsVersion::Tls12, TlsVersion::Tls13]));
        new.address = ip(DB);
        let result = changes(vec![old], vec![new]);
        assert_eq!(
            result.ports[0].change,
            K::PostureChanged {
                added: vec!["accepts TLS 1.3".into()],
                removed: vec!["accepts TLS 1.0".into()],
            }
        );
    }

    #[test]
    fn hosts_that_came_up_list_their_ports_and_hosts_that_went_down_do_not() {
        let before = report(vec![host(WEB, vec![open(WEB, 443)]), down(DB)]);
        let after = report(vec![down(WEB), host(DB, vec![open(DB, 22)])]);
        let result = diff(&before, &after, &[web(), db()], &[], now());
        let hosts: Vec<_> = result.hosts.iter().map(|h| (h.address, h.change)).collect();
        assert_eq!(
            hosts,
            [
                (ip(DB), HostChangeKind::CameUp),
                (ip(WEB), HostChangeKind::WentDown)
            ]
        );
        assert_eq!(result.ports.len(), 1, "{:?}", result.ports);
        assert_eq!(result.ports[0].address, ip(DB));
        assert_eq!(result.ports[0].change, K::Opened { from: None });
    }

    #[test]
    fn a_host_missing_from_the_second_scan_went_down() {
        let before = report(vec![host("10.9.9.9", vec![open("10.9.9.9", 22)])]);
        let result = diff(&before, &ScanReport::default(), &[], &[], now());
        assert_eq!(result.hosts[0].change, HostChangeKind::WentDown);
        assert_eq!(result.hosts[0].system_id, None);
        assert!(result.ports.is_empty());
    }

    #[test]
    fn changes_on_unclaimed_hosts_have_no_system() {
        let a = report(vec![host("10.9.9.9", vec![])]);
        let b = report(vec![host("10.9.9.9", vec![open("10.9.9.9", 22)])]);
        let result = diff(&a, &b, &[db()], &[], now());
        assert_eq!(result.ports[0].inventory, InventoryVerdict::NoSystem);
    }

    #[test]
    fn unsorted_port_lists_are_merged_correctly() {
        let before = vec![open(DB, 443), open(DB, 22), open(DB, 80)];
        let after = vec![open(DB, 80), open(DB, 8080), open(DB, 22)];
        let result = changes(before, after);
        let ports: Vec<(u16, bool)> = result
            .ports
            .iter()
            .map(|c| (c.port, matches!(c.change, K::Opened { .. })))
            .collect();
        assert_eq!(ports, [(443, false), (8080, true)]);
    }

    #[test]
    fn posture_facts_are_sorted_and_unique() {
        let facts = posture_facts(&Posture {
            tls: Some(tls(&[
                TlsVersion::Tls13,
                TlsVersion::Tls12,
                TlsVersion::Tls12,
            ])),
            ..Posture::default()
        });
        let mut sorted = facts.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(facts, sorted);
        assert!(facts.contains(&"accepts TLS 1.2".to_string()));
    }
}
