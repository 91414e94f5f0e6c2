//! Findings across scans: which are new, which persist, which a scan proved
//! fixed; and the decisions people take on them (accepting one as a
//! business need, reporting one fixed).
//!
//! A finding's life: `Open` when first seen. `Accepted` when someone
//! records why the business needs it (for at most the acceptance's term;
//! then it is open again). `Fixed` when someone reports it fixed, before a
//! scan has looked. `Verified` when a scan that covered its place no longer
//! finds it, which is the proof an assessor asks for; a scan that finds it
//! again reopens it.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, TimeDelta, Utc};
use portcullis_model::compliance::{
    Acceptance, Finding, FindingKind, FindingRecord, FindingStatus, InventoryEntry, InventoryWrite,
    NewInventoryEntry, Reconciliation, RecordChange, RecordUpdate,
};

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
    scan_id: i64,
    coverage: &Coverage,
    now: DateTime<Utc>,
) -> Reconciliation {
    let mut by_key: HashMap<&str, &Finding> = HashMap::with_capacity(current.len());
    for finding in current {
        by_key.entry(finding.key.as_str()).or_insert(finding);
    }
    let mut matched: HashSet<&str> = HashSet::with_capacity(previous.len());
    let mut updated = Vec::new();
    for record in previous {
        let key = record.finding.key.as_str();
        let update = match by_key.get(key) {
            Some(finding) => {
                matched.insert(key);
                Some(seen_again(record, finding, scan_id, now))
            }
            None => not_seen(record, scan_id, coverage, now),
        };
        updated.extend(update);
    }
    let mut new = Vec::new();
    let mut added: HashSet<&str> = HashSet::new();
    for finding in current {
        let key = finding.key.as_str();
        if !matched.contains(key) && added.insert(key) {
            new.push(finding.clone());
        }
    }
    Reconciliation { new, updated }
}

fn seen_again(
    record: &FindingRecord,
    finding: &Finding,
    scan_id: i64,
    now: DateTime<Utc>,
) -> RecordUpdate {
    let mut next = record.clone();
    next.finding = finding.clone();
    next.last_seen_scan = scan_id;
    let change = match record.status {
        FindingStatus::Open => RecordChange::StillOpen,
        FindingStatus::Accepted if acceptance_holds(record, now) => RecordChange::StillAccepted,
        FindingStatus::Accepted => {
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
    scan_id: i64,
    coverage: &Coverage,
    now: DateTime<Utc>,
) -> Option<RecordUpdate> {
    let covered = coverage.covers(&record.finding);
    let mut next = record.clone();
    let change = match record.status {
        FindingStatus::Open | FindingStatus::Accepted if covered => {
            next.status = FindingStatus::Verified;
            next.fixed_by_scan = Some(scan_id);
            next.verified_by_scan = Some(scan_id);
            RecordChange::FixedByScan
        }
        FindingStatus::Fixed if covered => {
            next.status = FindingStatus::Verified;
            next.fixed_by_scan = Some(record.fixed_by_scan.unwrap_or(scan_id));
            next.verified_by_scan = Some(scan_id);
            RecordChange::Verified
        }
        FindingStatus::Accepted if !acceptance_holds(record, now) => {
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
    record.status = FindingStatus::Open;
    record.accepted_until = None;
    record.justification = None;
    record.approver = None;
    record.fixed_by_scan = None;
    record.verified_by_scan = None;
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

/// Why a decision on a finding was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    #[error("a `{}` finding cannot be accepted as a business need; it has to be fixed", .0.id())]
    NotAcceptable(FindingKind),
    #[error("accepting a finding needs a justification: why does the business need it?")]
    NoJustification,
    #[error("accepting a finding needs an approver: who takes responsibility?")]
    NoApprover,
    #[error("the acceptance must end after now ({now}), not on {until}")]
    UntilNotInFuture {
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    },
    #[error("the finding is already {}; only open or accepted findings can be {action}", status_word(*.status))]
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

fn status_word(status: FindingStatus) -> &'static str {
    match status {
        FindingStatus::Open => "open",
        FindingStatus::Accepted => "accepted",
        FindingStatus::Fixed => "reported fixed",
        FindingStatus::Verified => "verified fixed",
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
        if policy == AcceptPolicy::No {
            return Err(DecisionError::NotAcceptable(finding.kind));
        }
        if matches!(
            record.status,
            FindingStatus::Fixed | FindingStatus::Verified
        ) {
            return Err(DecisionError::Resolved {
                status: record.status,
                action: "accepted",
            });
        }
        let justification = request.justification.trim();
        if justification.is_empty() {
            return Err(DecisionError::NoJustification);
        }
        let approver = request.approver.trim();
        if approver.is_empty() {
            return Err(DecisionError::NoApprover);
        }
        let now = request.now;
        let until = request
            .until
            .unwrap_or(now + TimeDelta::days(DEFAULT_ACCEPTANCE_DAYS));
        if until <= now {
            return Err(DecisionError::UntilNotInFuture { until, now });
        }

        let decision = Decision {
            justification,
            approver,
            now,
            until,
        };
        let inventory = match policy {
            AcceptPolicy::No | AcceptPolicy::FindingOnly => InventoryWrite::None,
            AcceptPolicy::ApprovePort => approve_port(finding, &decision, inventory)?,
            AcceptPolicy::RenewEntry => renew_entry(finding, &decision, inventory)?,
        };
        let mut accepted = record.clone();
        accepted.status = FindingStatus::Accepted;
        accepted.accepted_until = Some(until);
        accepted.justification = Some(justification.to_string());
        accepted.approver = Some(approver.to_string());
        Ok(Acceptance {
            record: accepted,
            inventory,
        })
    }
}

struct Decision<'a> {
    justification: &'a str,
    approver: &'a str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
}

/// The finding's system and port, which an inventory write needs.
fn place(finding: &Finding) -> Result<(i64, Protocol, u16), DecisionError> {
    match (finding.system_id, finding.protocol, finding.port) {
        (Some(system), Some(protocol), Some(port)) => Ok((system, protocol, port)),
        _ => Err(DecisionError::NoSystem),
    }
}

fn find_entry(
    inventory: &[InventoryEntry],
    (system, protocol, port): (i64, Protocol, u16),
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
    if matches!(
        record.status,
        FindingStatus::Fixed | FindingStatus::Verified
    ) {
        return Err(DecisionError::Resolved {
            status: record.status,
            action: "reported fixed",
        });
    }
    let mut fixed = record.clone();
    fixed.status = FindingStatus::Fixed;
    fixed.accepted_until = None;
    fixed.justification = None;
    fixed.approver = None;
    Ok(fixed)
}
