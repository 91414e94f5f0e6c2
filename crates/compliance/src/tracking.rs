//! Findings across scans: which are new, which persist, which a scan proved
//! fixed; and the decisions people take on them (accepting one as a
//! business need, reporting one fixed).
//!
//! A finding's life: `Open` when first seen. `Accepted` when someone
//! records why the business needs it, or `Disputed` when someone disputes
//! it with the ASV (each for at most its term; then it is open again). `Fixed` when someone reports it fixed, before a
//! scan has looked. `Verified` when a scan that covered its place no longer
//! finds it, which is the proof an assessor asks for; a scan that finds it
//! again reopens it.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::{DateTime, TimeDelta, Utc};
use portcullis_model::compliance::{
    Acceptance, Finding, FindingKind, FindingRecord, FindingStatus, InventoryEntry, InventoryWrite,
    NewInventoryEntry, Reconciliation, RecordChange, RecordUpdate,
};
use portcullis_model::compliance::{BusinessNeed, Dispute, DisputeKind, FindingState};
use portcullis_model::{ScanId, SystemId};

use portcullis_model::scan::Protocol;

use crate::coverage::Coverage;
use crate::rulebook::{AcceptPolicy, Rulebook};
use crate::status::acceptance_holds;

/// How long an acceptance lasts unless a shorter term is given, like an
/// ASV's accepted exceptions.
pub const DEFAULT_ACCEPTANCE_DAYS: i64 = 90;

/// Folds one scan's findings into the tracked ones.
///
/// `previous` holds the tracked records (at most one per key; the store
/// keeps keys unique). A record whose key the scan produced again is still
/// open, still accepted, or reopened. A record whose key is absent is fixed
/// only when `coverage` shows the scan looked at its place with the checks
/// that produce it; otherwise it is left as it was (except that a lapsed
/// acceptance reopens it either way).
pub fn reconcile(
    previous: &[FindingRecord],
    current: &[Finding],
    scan_id: ScanId,
    coverage: &Coverage,
    now: DateTime<Utc>,
) -> Reconciliation {
    let (is_new, updated) = fold(previous, current, scan_id, coverage, now);
    let new = current
        .iter()
        .zip(is_new)
        .filter(|(_, new)| *new)
        .map(|(finding, _)| finding.clone())
        .collect();
    Reconciliation { new, updated }
}

/// [`reconcile`], taking the scan's findings: those seen for the first
/// time become the new records as they are, without a copy (a scan of a
/// large network makes about one a host, so the copy was the size of all
/// of them).
pub fn reconcile_owned(
    previous: &[FindingRecord],
    current: Vec<Finding>,
    scan_id: ScanId,
    coverage: &Coverage,
    now: DateTime<Utc>,
) -> Reconciliation {
    let (is_new, updated) = fold(previous, &current, scan_id, coverage, now);
    let new = current
        .into_iter()
        .zip(is_new)
        .filter(|(_, new)| *new)
        .map(|(finding, _)| finding)
        .collect();
    Reconciliation { new, updated }
}

/// What [`reconcile`] decides: for each finding, whether it is new (the
/// first of its key, and no record has that key), and the records
/// updated.
fn fold(
    previous: &[FindingRecord],
    current: &[Finding],
    scan_id: ScanId,
    coverage: &Coverage,
    now: DateTime<Utc>,
) -> (Vec<bool>, Vec<RecordUpdate>) {
    // Each key once, at its first finding; one hash per finding and one per
    // record (a full scan makes tens of thousands of both).
    let mut by_key: HashMap<&str, usize> = HashMap::with_capacity(current.len());
    let mut is_new = vec![false; current.len()];
    for (index, finding) in current.iter().enumerate() {
        if let Entry::Vacant(slot) = by_key.entry(finding.key.as_str()) {
            slot.insert(index);
            is_new[index] = true;
        }
    }
    let mut updated = Vec::new();
    for record in previous {
        let update = match by_key.get(record.finding.key.as_str()) {
            Some(&index) => {
                is_new[index] = false;
                Some(seen_again(record, &current[index], scan_id, now))
            }
            None => not_seen(record, scan_id, coverage, now),
        };
        updated.extend(update);
    }
    (is_new, updated)
}

fn seen_again(
    record: &FindingRecord,
    finding: &Finding,
    scan_id: ScanId,
    now: DateTime<Utc>,
) -> RecordUpdate {
    let mut next = record.clone();
    next.finding = finding.clone();
    next.last_seen_scan = scan_id;
    let change = match record.status() {
        FindingStatus::Open => RecordChange::StillOpen,
        FindingStatus::Accepted | FindingStatus::Disputed if acceptance_holds(record, now) => {
            RecordChange::StillAccepted
        }
        FindingStatus::Accepted | FindingStatus::Disputed => {
            reopen(&mut next);
            RecordChange::AcceptanceExpired
        }
        FindingStatus::Fixed | FindingStatus::Verified => {
            reopen(&mut next);
            RecordChange::Reopened
        }
    };
    RecordUpdate {
        change,
        record: next,
    }
}

fn not_seen(
    record: &FindingRecord,
    scan_id: ScanId,
    coverage: &Coverage,
    now: DateTime<Utc>,
) -> Option<RecordUpdate> {
    let covered = coverage.covers(&record.finding);
    let mut next = record.clone();
    let change = match record.status() {
        FindingStatus::Open | FindingStatus::Accepted | FindingStatus::Disputed if covered => {
            next.state = FindingState::Verified { by_scan: scan_id };
            RecordChange::FixedByScan
        }
        FindingStatus::Fixed if covered => {
            next.state = FindingState::Verified { by_scan: scan_id };
            RecordChange::Verified
        }
        FindingStatus::Accepted | FindingStatus::Disputed if !acceptance_holds(record, now) => {
            reopen(&mut next);
            RecordChange::AcceptanceExpired
        }
        _ => return None,
    };
    Some(RecordUpdate {
        change,
        record: next,
    })
}

/// Back to open, forgetting the acceptance and the fix (the audit log
/// keeps their history).
fn reopen(record: &mut FindingRecord) {
    record.state = FindingState::Open;
}

/// A person's decision to accept a finding as a business need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptRequest {
    /// Why the business needs it, in a sentence a reviewer can check.
    pub justification: String,
    /// Who takes responsibility.
    pub approver: String,
    /// Until when; [`DEFAULT_ACCEPTANCE_DAYS`] from `now` if `None`.
    pub until: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

/// A person's decision to dispute a finding with the ASV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeRequest {
    pub kind: DisputeKind,
    /// What proves it, or the control that stands in its place.
    pub evidence: String,
    /// Who submits it.
    pub submitted_by: String,
    /// Until when; [`DEFAULT_ACCEPTANCE_DAYS`] from `now` if `None`.
    pub until: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

/// Why a decision on a finding was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    #[error("a `{}` finding cannot be accepted as a business need; it has to be fixed", .0.id())]
    NotAcceptable(FindingKind),
    #[error(
        "a `{}` finding fails an ASV scan, and no business need makes it pass: fix it, or dispute it with your ASV (a false positive with its evidence, or a compensating control)",
        .0.id()
    )]
    FailsAsvScan(FindingKind),
    #[error(
        "a `{}` finding is Portcullis's own reminder, not something an ASV reports: there is nothing to dispute",
        .0.id()
    )]
    NotDisputable(FindingKind),
    #[error(
        "the card terminal exception covers SSL and early TLS only, not a `{}` finding",
        .0.id()
    )]
    DisputeKindDoesNotApply(FindingKind),
    #[error(
        "a dispute needs its evidence: what shows the scan is wrong, or which control stands in its place?"
    )]
    NoEvidence,
    #[error("a dispute needs the name of who submits it to the ASV")]
    NoSubmitter,
    #[error("accepting a finding needs a justification: why does the business need it?")]
    NoJustification,
    #[error("accepting a finding needs an approver: who takes responsibility?")]
    NoApprover,
    #[error("the acceptance must end after now ({now}), not on {until}")]
    UntilNotInFuture {
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    },
    #[error("the finding is already {}; only open or accepted findings can be {action}", .status.words())]
    Resolved {
        status: FindingStatus,
        action: &'static str,
    },
    #[error(
        "the finding is on an address no system claims: register the system first, so that the port can be approved in its inventory"
    )]
    NoSystem,
    #[error("the inventory entry this finding is about no longer exists")]
    NoInventoryEntry,
}

/// Refuses a decision (`action`: what it would make of the finding) on a
/// finding already fixed: only open or accepted ones are decided on.
fn not_resolved(record: &FindingRecord, action: &'static str) -> Result<(), DecisionError> {
    match record.status() {
        FindingStatus::Open | FindingStatus::Accepted | FindingStatus::Disputed => Ok(()),
        status @ (FindingStatus::Fixed | FindingStatus::Verified) => {
            Err(DecisionError::Resolved { status, action })
        }
    }
}

/// Accepts a finding with the built-in rule book; see
/// [`Rulebook::accept`].
pub fn accept(
    record: &FindingRecord,
    request: &AcceptRequest,
    inventory: &[InventoryEntry],
) -> Result<Acceptance, DecisionError> {
    Rulebook::builtin().accept(record, request, inventory)
}

impl Rulebook {
    /// Accepts a finding as a business need: the updated record, and what
    /// to write into the inventory (the rule's `accept` policy says what),
    /// for the store to write in one transaction. Renewing an accepted
    /// finding is allowed; fixed ones are not accepted.
    pub fn accept(
        &self,
        record: &FindingRecord,
        request: &AcceptRequest,
        inventory: &[InventoryEntry],
    ) -> Result<Acceptance, DecisionError> {
        let finding = &record.finding;
        let policy = self.rule(finding.kind).accept;
        // A failure an ASV reports can be disputed, and the refusal says
        // so; Portcullis's own reminders can only be done.
        if finding.severity.fails_asv_scan() && finding.kind.is_disputable() {
            return Err(DecisionError::FailsAsvScan(finding.kind));
        }
        if policy == AcceptPolicy::No || finding.severity.fails_asv_scan() {
            return Err(DecisionError::NotAcceptable(finding.kind));
        }
        not_resolved(record, "accepted")?;
        let decision = Decision::stated(
            (&request.justification, DecisionError::NoJustification),
            (&request.approver, DecisionError::NoApprover),
            request.now,
            request.until,
        )?;
        let Decision {
            justification,
            approver,
            until,
            ..
        } = decision;
        let inventory = match policy {
            AcceptPolicy::No | AcceptPolicy::FindingOnly => InventoryWrite::None,
            AcceptPolicy::ApprovePort => approve_port(finding, &decision, inventory)?,
            AcceptPolicy::RenewEntry => renew_entry(finding, &decision, inventory)?,
        };
        let mut accepted = record.clone();
        accepted.state = FindingState::Accepted(BusinessNeed {
            justification: justification.to_string(),
            approver: approver.to_string(),
            until,
        });
        Ok(Acceptance {
            record: accepted,
            inventory,
        })
    }
}

/// Disputes a finding with the ASV: the updated record for the store to
/// write. A failing finding then passes only if the ASV accepts the
/// dispute; a finding already accepted or disputed may be disputed again.
pub fn dispute(
    record: &FindingRecord,
    request: &DisputeRequest,
) -> Result<FindingRecord, DecisionError> {
    let kind = record.finding.kind;
    if !kind.is_disputable() {
        return Err(DecisionError::NotDisputable(kind));
    }
    if !request.kind.applies_to(kind) {
        return Err(DecisionError::DisputeKindDoesNotApply(kind));
    }
    not_resolved(record, "disputed")?;
    let Decision {
        justification: evidence,
        approver: submitted_by,
        until,
        ..
    } = Decision::stated(
        (&request.evidence, DecisionError::NoEvidence),
        (&request.submitted_by, DecisionError::NoSubmitter),
        request.now,
        request.until,
    )?;
    let mut disputed = record.clone();
    disputed.state = FindingState::Disputed(Dispute {
        kind: request.kind,
        evidence: evidence.to_owned(),
        submitted_by: submitted_by.to_owned(),
        until,
    });
    Ok(disputed)
}

/// What every answer to a finding states: its grounds (a business need's
/// justification, a dispute's evidence), the person who answers for it,
/// and when it ends.
#[derive(Clone, Copy)]
struct Decision<'a> {
    justification: &'a str,
    approver: &'a str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
}

impl<'a> Decision<'a> {
    /// Checks what an answer states: grounds and person not blank (each
    /// refused with its own error, so the window puts it beside its
    /// field), and an end in the future, 90 days from `now` unless given.
    fn stated(
        (grounds, no_grounds): (&'a str, DecisionError),
        (person, no_person): (&'a str, DecisionError),
        now: DateTime<Utc>,
        until: Option<DateTime<Utc>>,
    ) -> Result<Self, DecisionError> {
        let justification = grounds.trim();
        if justification.is_empty() {
            return Err(no_grounds);
        }
        let approver = person.trim();
        if approver.is_empty() {
            return Err(no_person);
        }
        let until = until.unwrap_or(now + TimeDelta::days(DEFAULT_ACCEPTANCE_DAYS));
        if until <= now {
            return Err(DecisionError::UntilNotInFuture { until, now });
        }
        Ok(Self {
            justification,
            approver,
            now,
            until,
        })
    }
}

/// The finding's system and port, which an inventory write needs.
fn place(finding: &Finding) -> Result<(SystemId, Protocol, u16), DecisionError> {
    match (finding.system_id, finding.protocol, finding.port) {
        (Some(system), Some(protocol), Some(port)) => Ok((system, protocol, port)),
        _ => Err(DecisionError::NoSystem),
    }
}

fn find_entry(
    inventory: &[InventoryEntry],
    (system, protocol, port): (SystemId, Protocol, u16),
) -> Option<&InventoryEntry> {
    inventory
        .iter()
        .filter(|e| e.system_id == system && e.protocol == protocol && e.port == port)
        .max_by_key(|e| e.approved_at)
}

/// Writes the port into the inventory, unless it is there already (then
/// the acceptance concerns the finding only).
fn approve_port(
    finding: &Finding,
    decision: &Decision<'_>,
    inventory: &[InventoryEntry],
) -> Result<InventoryWrite, DecisionError> {
    let place = place(finding)?;
    if find_entry(inventory, place).is_some() {
        return Ok(InventoryWrite::None);
    }
    let (system_id, protocol, port) = place;
    Ok(InventoryWrite::Create(NewInventoryEntry {
        system_id,
        port,
        protocol,
        service: finding.service.clone(),
        version: finding.version.clone(),
        justification: decision.justification.to_string(),
        approver: decision.approver.to_string(),
        approved_at: decision.now,
        expires_at: Some(decision.until),
        sources: Vec::new(),
        notes: format!("Approved by accepting the finding: {}", finding.title),
    }))
}

/// Renews the port's entry with the new justification, approver and term;
/// for a mismatch, it also takes the service and version found.
fn renew_entry(
    finding: &Finding,
    decision: &Decision<'_>,
    inventory: &[InventoryEntry],
) -> Result<InventoryWrite, DecisionError> {
    let place = place(finding)?;
    let mut entry = find_entry(inventory, place)
        .cloned()
        .ok_or(DecisionError::NoInventoryEntry)?;
    entry.justification = decision.justification.to_string();
    entry.approver = decision.approver.to_string();
    entry.approved_at = decision.now;
    entry.expires_at = Some(decision.until);
    if finding.kind == FindingKind::InventoryMismatch {
        if finding.service.is_some() {
            entry.service = finding.service.clone();
        }
        if finding.version.is_some() {
            entry.version = finding.version.clone();
        }
    }
    Ok(InventoryWrite::Update(entry))
}

/// Records that someone reports a finding fixed; the next scan that covers
/// its place verifies it (or reopens it).
pub fn mark_fixed(record: &FindingRecord) -> Result<FindingRecord, DecisionError> {
    not_resolved(record, "reported fixed")?;
    let mut fixed = record.clone();
    fixed.state = FindingState::Fixed;
    Ok(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::testkit::*;
    use FindingKind::*;
    use portcullis_model::compliance::{PortRange, ScanCoverage, Severity};
    use portcullis_model::report::ScanReport;
    use portcullis_model::{FindingId, InventoryEntryId};

    /// The coverage of a scan of [`DB`] (up) on TCP 1-1024, with
    /// `open_ports` open, and identification and posture as given.
    fn scan_of_db(open_ports: &[u16], posture: bool) -> Coverage {
        let report = report(vec![host(
            DB,
            open_ports.iter().map(|&p| open(DB, p)).collect(),
        )]);
        Coverage::new(
            &report,
            &ScanCoverage {
                tcp: vec![PortRange {
                    first: 1,
                    last: 1024,
                }],
                udp: Vec::new(),
                identification: true,
                posture,
                reported_checks: false,
            },
        )
    }

    fn unlisted(port: u16) -> Finding {
        finding(UnlistedOpenPort, Severity::Medium, Some(2), port)
    }

    fn change_of(result: &Reconciliation, id: i64) -> Option<RecordChange> {
        result
            .updated
            .iter()
            .find(|u| u.record.id == FindingId(id))
            .map(|u| u.change)
    }

    #[test]
    fn a_finding_seen_for_the_first_time_is_new() {
        let current = [unlisted(22)];
        let result = reconcile(&[], &current, ScanId(2), &scan_of_db(&[22], true), now());
        assert_eq!(result.new, current);
        assert!(result.updated.is_empty());
    }

    #[test]
    fn a_key_found_twice_is_one_new_finding_or_one_update() {
        let mut again = unlisted(22);
        again.evidence = "the second one".into();
        let current = [unlisted(22), unlisted(80), again];
        let coverage = scan_of_db(&[22, 80], true);
        let result = reconcile(&[], &current, ScanId(2), &coverage, now());
        assert_eq!(result.new, current[..2], "the first of each key, in order");

        let tracked = record(5, unlisted(22), FindingState::Open);
        let result = reconcile(&[tracked], &current, ScanId(2), &coverage, now());
        assert_eq!(result.new, [unlisted(80)]);
        assert_eq!(result.updated.len(), 1);
        assert_eq!(result.updated[0].record.finding, current[0]);
    }

    #[test]
    fn a_finding_seen_again_is_still_open_and_refreshed() {
        let previous = [record(1, unlisted(22), FindingState::Open)];
        let mut again = unlisted(22);
        again.evidence = "newer banner".into();
        let result = reconcile(
            &previous,
            &[again],
            ScanId(2),
            &scan_of_db(&[22], true),
            now(),
        );
        assert!(result.new.is_empty());
        let update = &result.updated[0];
        assert_eq!(update.change, RecordChange::StillOpen);
        assert_eq!(update.record.last_seen_scan, ScanId(2));
        assert_eq!(update.record.first_seen_scan, ScanId(1));
        assert_eq!(update.record.finding.evidence, "newer banner");
    }

    #[test]
    fn a_finding_gone_from_a_covered_port_is_fixed_and_verified_by_the_scan() {
        let previous = [record(1, unlisted(22), FindingState::Open)];
        let result = reconcile(&previous, &[], ScanId(2), &scan_of_db(&[], true), now());
        let update = &result.updated[0];
        assert_eq!(update.change, RecordChange::FixedByScan);
        assert_eq!(
            update.record.state,
            FindingState::Verified { by_scan: ScanId(2) }
        );
    }

    #[test]
    fn a_finding_on_a_port_the_scan_did_not_probe_is_left_alone() {
        let previous = [record(1, unlisted(8080), FindingState::Open)];
        let result = reconcile(&previous, &[], ScanId(2), &scan_of_db(&[], true), now());
        assert!(result.updated.is_empty(), "{:?}", result.updated);
    }

    #[test]
    fn a_finding_on_a_host_that_was_down_is_left_alone() {
        let previous = [record(1, unlisted(22), FindingState::Open)];
        let report = report(vec![down(DB)]);
        let coverage = Coverage::new(&report, &full_coverage());
        let result = reconcile(&previous, &[], ScanId(2), &coverage, now());
        assert!(result.updated.is_empty());
        let coverage = Coverage::new(&ScanReport::default(), &full_coverage());
        let result = reconcile(&previous, &[], ScanId(2), &coverage, now());
        assert!(result.updated.is_empty(), "host not scanned at all");
    }

    #[test]
    fn a_posture_finding_is_fixed_only_by_a_scan_that_checked_posture() {
        let tls = finding(ObsoleteTls, Severity::High, Some(2), 443);
        let previous = [record(1, tls, FindingState::Open)];
        let without = reconcile(&previous, &[], ScanId(2), &scan_of_db(&[443], false), now());
        assert!(without.updated.is_empty(), "port open, posture not checked");
        let with = reconcile(&previous, &[], ScanId(2), &scan_of_db(&[443], true), now());
        assert_eq!(change_of(&with, 1), Some(RecordChange::FixedByScan));
        let closed = reconcile(&previous, &[], ScanId(2), &scan_of_db(&[], false), now());
        assert_eq!(
            change_of(&closed, 1),
            Some(RecordChange::FixedByScan),
            "a closed port has no TLS"
        );
    }

    #[test]
    fn programme_findings_are_judged_at_every_evaluation() {
        let mut overdue = finding(InternalScanOverdue, Severity::High, None, 0);
        overdue.address = None;
        overdue.port = None;
        overdue.protocol = None;
        let previous = [record(1, overdue, FindingState::Open)];
        let coverage = Coverage::new(&ScanReport::default(), &ScanCoverage::default());
        let result = reconcile(&previous, &[], ScanId(2), &coverage, now());
        assert_eq!(change_of(&result, 1), Some(RecordChange::FixedByScan));
    }

    #[test]
    fn a_reported_fix_is_verified_by_the_next_covering_scan() {
        let claimed = record(1, unlisted(22), FindingState::Fixed);
        let result = reconcile(&[claimed], &[], ScanId(3), &scan_of_db(&[], true), now());
        let update = &result.updated[0];
        assert_eq!(update.change, RecordChange::Verified);
        assert_eq!(
            update.record.state,
            FindingState::Verified { by_scan: ScanId(3) }
        );
    }

    #[test]
    fn a_verified_finding_found_again_is_reopened() {
        let verified = record(
            1,
            unlisted(22),
            FindingState::Verified { by_scan: ScanId(2) },
        );
        let result = reconcile(
            &[verified],
            &[unlisted(22)],
            ScanId(3),
            &scan_of_db(&[22], true),
            now(),
        );
        let update = &result.updated[0];
        assert_eq!(update.change, RecordChange::Reopened);
        assert_eq!(update.record.state, FindingState::Open);
        assert!(result.new.is_empty(), "the same record, not a new one");
    }

    #[test]
    fn an_accepted_finding_stays_accepted_until_its_term_ends() {
        let valid = [accepted(1, unlisted(22), now() + days(1))];
        let result = reconcile(
            &valid,
            &[unlisted(22)],
            ScanId(2),
            &scan_of_db(&[22], true),
            now(),
        );
        assert_eq!(change_of(&result, 1), Some(RecordChange::StillAccepted));

        let lapsed = [accepted(1, unlisted(22), now() - days(1))];
        let result = reconcile(
            &lapsed,
            &[unlisted(22)],
            ScanId(2),
            &scan_of_db(&[22], true),
            now(),
        );
        let update = &result.updated[0];
        assert_eq!(update.change, RecordChange::AcceptanceExpired);
        assert_eq!(update.record.state, FindingState::Open);
    }

    #[test]
    fn a_lapsed_acceptance_reopens_even_where_the_scan_did_not_look() {
        let lapsed = [accepted(1, unlisted(8080), now() - days(1))];
        let result = reconcile(&lapsed, &[], ScanId(2), &scan_of_db(&[], true), now());
        assert_eq!(change_of(&result, 1), Some(RecordChange::AcceptanceExpired));
    }

    // --- accept -------------------------------------------------------------

    fn request(justification: &str, approver: &str) -> AcceptRequest {
        AcceptRequest {
            justification: justification.into(),
            approver: approver.into(),
            until: None,
            now: now(),
        }
    }

    #[test]
    fn accepting_an_unlisted_port_approves_it_in_the_inventory_for_90_days() {
        let open = record(1, unlisted(22), FindingState::Open);
        let result = accept(&open, &request(" admin access ", "Alice"), &[]).unwrap();
        let need = result.record.state.business_need().expect("accepted");
        assert_eq!(need.until, now() + days(90));
        assert_eq!(need.justification, "admin access");
        assert_eq!(need.approver, "Alice");
        let InventoryWrite::Create(entry) = result.inventory else {
            panic!("{:?}", result.inventory)
        };
        assert_eq!((entry.system_id, entry.port), (SystemId(2), 22));
        assert_eq!(entry.service.as_deref(), Some("ssh"));
        assert_eq!(entry.expires_at, Some(now() + days(90)));
        assert_eq!(entry.approver, "Alice");
    }

    #[test]
    fn accepting_a_port_already_in_the_inventory_writes_nothing() {
        let remote = finding(ExternalRemoteAccess, Severity::Medium, Some(2), 22);
        let open = record(1, remote, FindingState::Open);
        let inventory = [entry(5, 2, 22, portcullis_model::scan::Protocol::Tcp)];
        let result = accept(&open, &request("vendor support", "Alice"), &inventory).unwrap();
        assert_eq!(result.inventory, InventoryWrite::None);
    }

    #[test]
    fn accepting_a_mismatch_renews_the_entry_with_what_was_found() {
        let mismatch = finding(InventoryMismatch, Severity::Medium, Some(2), 22);
        let open = record(1, mismatch, FindingState::Open);
        let mut old = entry(5, 2, 22, portcullis_model::scan::Protocol::Tcp);
        old.version = Some("9.2".into());
        let until = now() + days(30);
        let mut req = request("planned upgrade", "Bob");
        req.until = Some(until);
        let result = accept(&open, &req, &[old]).unwrap();
        let InventoryWrite::Update(entry) = result.inventory else {
            panic!("{:?}", result.inventory)
        };
        assert_eq!(entry.id, InventoryEntryId(5));
        assert_eq!(entry.version.as_deref(), Some("9.6p1"));
        assert_eq!(entry.approver, "Bob");
        assert_eq!(entry.approved_at, now());
        assert_eq!(entry.expires_at, Some(until));
    }

    #[test]
    fn a_posture_finding_is_accepted_without_touching_the_inventory() {
        let tls = finding(LegacyTls, Severity::Medium, Some(2), 443);
        let open = record(1, tls, FindingState::Open);
        let result = accept(&open, &request("old card terminal", "Alice"), &[]).unwrap();
        assert_eq!(result.inventory, InventoryWrite::None);
    }

    #[test]
    fn acceptance_needs_a_justification_an_approver_and_a_future_end() {
        let open = record(1, unlisted(22), FindingState::Open);
        assert_eq!(
            accept(&open, &request("  ", "Alice"), &[]),
            Err(DecisionError::NoJustification)
        );
        assert_eq!(
            accept(&open, &request("needed", ""), &[]),
            Err(DecisionError::NoApprover)
        );
        let mut past = request("needed", "Alice");
        past.until = Some(now() - days(1));
        assert!(matches!(
            accept(&open, &past, &[]),
            Err(DecisionError::UntilNotInFuture { .. })
        ));
    }

    #[test]
    fn some_findings_can_only_be_fixed() {
        let mut overdue = finding(InternalScanOverdue, Severity::High, None, 0);
        overdue.port = None;
        let open = record(1, overdue, FindingState::Open);
        let error = accept(&open, &request("busy", "Alice"), &[]).unwrap_err();
        assert_eq!(error, DecisionError::NotAcceptable(InternalScanOverdue));
        assert!(
            error.to_string().contains("internal-scan-overdue"),
            "{error}"
        );
    }

    /// An ASV fails an internet-facing database whatever the reason, so no
    /// business need settles it; the port itself, unlisted, can still be
    /// approved (the nearest case).
    #[test]
    fn an_internet_facing_database_cannot_be_accepted() {
        let database = finding(ExternalDatabase, Severity::Critical, Some(1), 3306);
        let open = record(1, database, FindingState::Open);
        let error = accept(&open, &request("the shop needs it", "Alice"), &[]).unwrap_err();
        assert_eq!(error, DecisionError::FailsAsvScan(ExternalDatabase));
        let unlisted = finding(UnlistedOpenPort, Severity::Medium, Some(1), 3306);
        let open = record(2, unlisted, FindingState::Open);
        assert!(accept(&open, &request("the shop needs it", "Alice"), &[]).is_ok());
    }

    fn dispute_request(kind: DisputeKind, evidence: &str, by: &str) -> DisputeRequest {
        DisputeRequest {
            kind,
            evidence: evidence.into(),
            submitted_by: by.into(),
            until: None,
            now: now(),
        }
    }

    /// A failing finding is settled by a dispute, never by a business
    /// need; the nearest case, the same port's TLS 1.1 (action needed),
    /// may still be accepted.
    #[test]
    fn a_failing_finding_is_disputed_not_accepted() {
        let tls10 = record(
            1,
            finding(ObsoleteTls, Severity::High, Some(1), 443),
            FindingState::Open,
        );
        let error = accept(&tls10, &request("the terminals need it", "Alice"), &[]).unwrap_err();
        assert_eq!(error, DecisionError::FailsAsvScan(ObsoleteTls));
        let tls11 = record(
            2,
            finding(LegacyTls, Severity::Medium, Some(1), 443),
            FindingState::Open,
        );
        assert!(accept(&tls11, &request("the terminals need it", "Alice"), &[]).is_ok());

        let poi = dispute_request(
            DisputeKind::PoiTerminalEarlyTls,
            "Only our card terminals connect here; their vendor letter is attached",
            " Alice ",
        );
        let disputed = dispute(&tls10, &poi).unwrap();
        let FindingState::Disputed(held) = &disputed.state else {
            panic!("{:?}", disputed.state)
        };
        assert_eq!(held.kind, DisputeKind::PoiTerminalEarlyTls);
        assert_eq!(held.submitted_by, "Alice");
        assert_eq!(held.until, now() + TimeDelta::days(DEFAULT_ACCEPTANCE_DAYS));
        // Seen again while the dispute holds, it stays disputed.
        let again = reconcile(
            std::slice::from_ref(&disputed),
            std::slice::from_ref(&disputed.finding),
            ScanId(9),
            &Coverage::default(),
            now(),
        );
        assert_eq!(change_of(&again, 1), Some(RecordChange::StillAccepted));
        // After its term, it is open again.
        let later = now() + TimeDelta::days(DEFAULT_ACCEPTANCE_DAYS + 1);
        let lapsed = reconcile(
            std::slice::from_ref(&disputed),
            std::slice::from_ref(&disputed.finding),
            ScanId(9),
            &Coverage::default(),
            later,
        );
        assert_eq!(change_of(&lapsed, 1), Some(RecordChange::AcceptanceExpired));
    }

    #[test]
    fn a_dispute_needs_grounds_that_apply_its_evidence_and_its_submitter() {
        let cipher = record(
            1,
            finding(WeakCipher, Severity::High, Some(1), 443),
            FindingState::Open,
        );
        let poi = dispute_request(DisputeKind::PoiTerminalEarlyTls, "terminals", "Alice");
        assert_eq!(
            dispute(&cipher, &poi).unwrap_err(),
            DecisionError::DisputeKindDoesNotApply(WeakCipher)
        );
        let empty = dispute_request(DisputeKind::FalsePositive, "  ", "Alice");
        assert_eq!(
            dispute(&cipher, &empty).unwrap_err(),
            DecisionError::NoEvidence
        );
        let nobody = dispute_request(DisputeKind::FalsePositive, "3DES is off", " ");
        assert_eq!(
            dispute(&cipher, &nobody).unwrap_err(),
            DecisionError::NoSubmitter
        );
        let good = dispute_request(
            DisputeKind::CompensatingControl,
            "a TLS proxy in front",
            "Alice",
        );
        assert!(dispute(&cipher, &good).is_ok());

        let mut overdue = finding(InternalScanOverdue, Severity::High, None, 0);
        overdue.port = None;
        let reminder = record(2, overdue, FindingState::Open);
        let fp = dispute_request(DisputeKind::FalsePositive, "we scanned", "Alice");
        assert_eq!(
            dispute(&reminder, &fp).unwrap_err(),
            DecisionError::NotDisputable(InternalScanOverdue)
        );
        let fixed = record(
            3,
            finding(WeakCipher, Severity::High, Some(1), 443),
            FindingState::Fixed,
        );
        assert!(matches!(
            dispute(&fixed, &good),
            Err(DecisionError::Resolved { .. })
        ));
    }

    #[test]
    fn a_port_of_an_unregistered_host_cannot_be_approved() {
        let cleartext = finding(CleartextService, Severity::Medium, None, 21);
        let open = record(1, cleartext, FindingState::Open);
        let error = accept(&open, &request("legacy", "Alice"), &[]).unwrap_err();
        assert_eq!(error, DecisionError::NoSystem);
    }

    #[test]
    fn renewing_a_vanished_entry_is_refused() {
        let stale = finding(StaleInventoryEntry, Severity::Low, Some(2), 8080);
        let open = record(1, stale, FindingState::Open);
        let error = accept(&open, &request("seasonal", "Alice"), &[]).unwrap_err();
        assert_eq!(error, DecisionError::NoInventoryEntry);
    }

    #[test]
    fn fixed_findings_are_not_accepted_and_are_not_fixed_twice() {
        let fixed = record(
            1,
            unlisted(22),
            FindingState::Verified { by_scan: ScanId(2) },
        );
        assert!(matches!(
            accept(&fixed, &request("needed", "Alice"), &[]),
            Err(DecisionError::Resolved { .. })
        ));
        assert!(mark_fixed(&fixed).is_err());
        let error = mark_fixed(&record(2, unlisted(22), FindingState::Fixed)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the finding is already reported fixed; only open or accepted findings can be reported fixed"
        );
    }

    #[test]
    fn marking_a_finding_fixed_waits_for_a_scan() {
        let open = accepted(1, unlisted(22), now() + days(10));
        let fixed = mark_fixed(&open).unwrap();
        assert_eq!(fixed.state, FindingState::Fixed, "the acceptance is gone");
    }
}
