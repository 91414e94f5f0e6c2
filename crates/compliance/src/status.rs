//! Verdicts, as an Approved Scanning Vendor would give them: per system and
//! for the whole estate.
//!
//! A finding counts by its severity: Critical and High fail, Medium and Low
//! need action (a fix, or a justification recorded by accepting it), Info
//! is only for the record. How it is settled changes that, while the
//! settlement holds: a business need settles a finding that needs action,
//! never one that fails (an ASV passes no failure for a business reason);
//! a dispute with the ASV turns a failure into "passes only if the ASV
//! accepts the dispute" and settles anything milder. Settled findings are
//! still listed among the reasons, so that nobody forgets them.
//! Out-of-scope systems get their own verdict, which does not count
//! towards the overall one.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use portcullis_model::SystemId;
use portcullis_model::compliance::{
    BusinessNeed, Dispute, Finding, FindingKind, FindingRecord, FindingState, FindingStatus,
    OverallStatus, Scope, Severity, System, SystemStatus, Verdict,
};

/// How a finding is settled, while the settlement holds.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Settled<'a> {
    Not,
    Need(&'a BusinessNeed),
    Disputed(&'a Dispute),
}

impl<'a> Settled<'a> {
    /// The record's settlement, if it holds at `now`.
    pub(crate) fn of(record: &'a FindingRecord, now: DateTime<Utc>) -> Settled<'a> {
        if !acceptance_holds(record, now) {
            return Settled::Not;
        }
        match &record.state {
            FindingState::Accepted(need) => Settled::Need(need),
            FindingState::Disputed(dispute) => Settled::Disputed(dispute),
            _ => Settled::Not,
        }
    }
}

/// How one finding weighs on a verdict, given how it is settled.
pub(crate) fn weight(severity: Severity, settled: Settled<'_>) -> Option<Verdict> {
    let fails = severity.fails_asv_scan();
    match (settled, fails) {
        (Settled::Disputed(_), true) => Some(Verdict::Disputed),
        (Settled::Disputed(_) | Settled::Need(_), false) => None,
        (Settled::Need(_) | Settled::Not, true) => Some(Verdict::Fail),
        (Settled::Not, false) => match severity {
            Severity::Info => None,
            _ => Some(Verdict::ActionNeeded),
        },
    }
}

/// Whether a record's acceptance or dispute holds at `now`.
pub fn acceptance_holds(record: &FindingRecord, now: DateTime<Utc>) -> bool {
    record
        .state
        .settled_until()
        .is_some_and(|until| until > now)
}

/// Whether a tracked finding stands now: open, accepted or disputed (a
/// settlement that has lapsed counts as open, which [`assess`] decides);
/// fixed and verified ones are history.
pub fn stands_now(record: &FindingRecord) -> bool {
    matches!(
        record.status(),
        FindingStatus::Open | FindingStatus::Accepted | FindingStatus::Disputed
    )
}

/// The verdict from the tracked findings alone: those that stand now,
/// with their acceptances.
pub fn assess_tracked(
    systems: &[System],
    records: &[FindingRecord],
    now: DateTime<Utc>,
) -> OverallStatus {
    let current: Vec<Finding> = records
        .iter()
        .filter(|record| stands_now(record))
        .map(|record| record.finding.clone())
        .collect();
    assess(systems, &current, records, now)
}

/// A finding and how it is settled.
type Judged<'a> = (&'a Finding, Settled<'a>);

/// Judges the current findings. `records` supplies acceptances and
/// disputes (matched by finding key); findings without a record are open.
pub fn assess(
    systems: &[System],
    findings: &[Finding],
    records: &[FindingRecord],
    now: DateTime<Utc>,
) -> OverallStatus {
    let settled: HashMap<&str, Settled<'_>> = records
        .iter()
        .map(|r| (r.finding.key.as_str(), Settled::of(r, now)))
        .filter(|(_, settled)| !matches!(settled, Settled::Not))
        .collect();
    let mut by_system: HashMap<SystemId, Vec<Judged<'_>>> = HashMap::new();
    let mut unowned = Vec::new();
    for finding in findings {
        let settlement = settled
            .get(finding.key.as_str())
            .copied()
            .unwrap_or(Settled::Not);
        match finding.system_id {
            Some(id) => by_system.entry(id).or_default().push((finding, settlement)),
            None => unowned.push((finding, settlement)),
        }
    }

    let mut statuses = Vec::with_capacity(systems.len());
    let mut overall = Verdict::Pass;
    let mut reasons = Vec::new();
    for system in systems {
        let judged = by_system.remove(&system.id).unwrap_or_default();
        let (verdict, system_reasons) = judge(&judged);
        if system.scope != Scope::OutOfScope && verdict != Verdict::Pass {
            overall = overall.max(verdict);
            reasons.push(summary(&system.name, verdict, &judged));
        }
        statuses.push(SystemStatus {
            system_id: system.id,
            name: system.name.clone(),
            verdict,
            reasons: system_reasons,
        });
    }
    // Findings of systems that no longer exist count like unowned ones.
    unowned.extend(by_system.into_values().flatten());
    let (verdict, unowned_reasons) = judge(&unowned);
    overall = overall.max(verdict);
    reasons.extend(unowned_reasons);
    if systems.is_empty() {
        overall = overall.max(Verdict::ActionNeeded);
        reasons.push(
            "No systems are registered: register the machines you scan so that their ports can be judged."
                .into(),
        );
    }
    OverallStatus {
        verdict: overall,
        reasons,
        systems: statuses,
    }
}

/// The verdict of a set of findings and its reasons: failures first, then
/// disputes, then what needs action, then the settled ones, each worst
/// first.
fn judge(findings: &[Judged<'_>]) -> (Verdict, Vec<String>) {
    let mut sorted: Vec<_> = findings.to_vec();
    let rank = |x: &Judged<'_>| (weight(x.0.severity, x.1), x.0.severity);
    sorted.sort_by_key(|record| std::cmp::Reverse(rank(record)));
    let mut verdict = Verdict::Pass;
    let mut reasons = Vec::new();
    for (finding, settled) in sorted {
        let weighs = weight(finding.severity, settled);
        if let Some(weighs) = weighs {
            verdict = verdict.max(weighs);
        }
        match (weighs, settled) {
            (_, Settled::Disputed(dispute)) => reasons.push(disputed_reason(finding, dispute)),
            (Some(_), Settled::Need(_)) => reasons.push(format!(
                "{}: {} (a business need does not pass an ASV failure: fix it, or dispute it with your ASV)",
                finding.severity.label(),
                finding.title
            )),
            (Some(_), Settled::Not) => {
                reasons.push(format!("{}: {}", finding.severity.label(), finding.title))
            }
            (None, Settled::Need(need)) => reasons.push(accepted_reason(finding, need)),
            (None, Settled::Not) => {}
        }
    }
    (verdict, reasons)
}

/// The line for a disputed finding: whether it still hangs on the ASV.
fn disputed_reason(finding: &Finding, dispute: &Dispute) -> String {
    let until = dispute.until.format("%Y-%m-%d");
    let lead = if finding.severity.fails_asv_scan() {
        "Passes only if your ASV accepts the dispute"
    } else {
        "Disputed"
    };
    format!(
        "{lead} ({}, submitted by {} until {until}): {}",
        dispute.kind.words(),
        dispute.submitted_by,
        finding.title
    )
}

/// The line for an accepted finding. An unlisted port, once approved, is
/// in the inventory: its title ("... but not in the approved inventory")
/// would contradict the approval, so the port is named instead.
fn accepted_reason(finding: &Finding, need: &BusinessNeed) -> String {
    let until = need.until.format("%Y-%m-%d");
    match (finding.kind, finding.port, finding.protocol) {
        (FindingKind::UnlistedOpenPort, Some(port), Some(protocol)) => {
            let service = finding
                .service
                .as_deref()
                .map(|name| format!(" ({name})"))
                .unwrap_or_default();
            format!(
                "Port {port}/{}{service} kept for a business need, approved by {} until {until}",
                protocol.as_str(),
                need.approver
            )
        }
        _ => format!(
            "Accepted until {until} by {}: {}",
            need.approver, finding.title
        ),
    }
}

/// One line for the overall reasons: "Shop: fails (2 failing, 1 needing
/// action)", naming disputes when there are some.
fn summary(name: &str, verdict: Verdict, findings: &[Judged<'_>]) -> String {
    let count = |v| {
        findings
            .iter()
            .filter(|(f, settled)| weight(f.severity, *settled) == Some(v))
            .count()
    };
    let word = match verdict {
        Verdict::Fail => "fails",
        Verdict::Disputed => "passes only if the ASV accepts its disputes",
        Verdict::ActionNeeded => "needs action",
        Verdict::Pass => "passes",
    };
    let disputed = match count(Verdict::Disputed) {
        0 => String::new(),
        n => format!("{n} disputed, "),
    };
    format!(
        "{name}: {word} ({} failing, {disputed}{} needing action)",
        count(Verdict::Fail),
        count(Verdict::ActionNeeded)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::testkit::*;
    use portcullis_model::compliance::{Exposure, FindingKind::*};

    #[test]
    fn an_open_high_finding_fails_its_system_and_the_estate() {
        let findings = [finding(UnlistedOpenPort, Severity::High, Some(2), 3306)];
        let status = assess(&[web(), db()], &findings, &[], now());
        assert_eq!(status.verdict, Verdict::Fail);
        assert_eq!(status.systems[0].verdict, Verdict::Pass);
        assert_eq!(status.systems[1].verdict, Verdict::Fail);
        assert_eq!(
            status.systems[1].reasons,
            ["High: unlisted-open-port on port 3306"]
        );
        assert_eq!(
            status.reasons,
            ["System 2: fails (1 failing, 0 needing action)"]
        );
    }

    #[test]
    fn a_medium_finding_needs_action_and_an_info_finding_passes() {
        let medium = [finding(ExternalRemoteAccess, Severity::Medium, Some(1), 22)];
        let status = assess(&[web()], &medium, &[], now());
        assert_eq!(status.verdict, Verdict::ActionNeeded);
        let info = [finding(ExternalRemoteAccess, Severity::Info, Some(1), 22)];
        let status = assess(&[web()], &info, &[], now());
        assert_eq!(status.verdict, Verdict::Pass);
        assert!(status.reasons.is_empty(), "{:?}", status.reasons);
    }

    #[test]
    fn a_business_need_settles_what_needs_action_and_is_still_listed() {
        let medium = finding(ExternalRemoteAccess, Severity::Medium, Some(1), 22);
        let records = [accepted(1, medium.clone(), now() + days(1))];
        let status = assess(&[web()], std::slice::from_ref(&medium), &records, now());
        assert_eq!(status.verdict, Verdict::Pass);
        assert_eq!(
            status.systems[0].reasons,
            ["Accepted until 2025-06-02 by Alice: external-remote-access on port 22"]
        );
    }

    #[test]
    fn no_business_need_turns_a_failure_into_a_pass() {
        let critical = finding(ExternalDatabase, Severity::Critical, Some(1), 3306);
        let records = [accepted(1, critical.clone(), now() + days(1))];
        let status = assess(&[web()], std::slice::from_ref(&critical), &records, now());
        assert_eq!(status.verdict, Verdict::Fail);
        assert!(
            status.systems[0].reasons[0].contains("a business need does not pass an ASV failure"),
            "{:?}",
            status.systems[0].reasons
        );
    }

    #[test]
    fn a_disputed_failure_passes_only_if_the_asv_accepts_the_dispute() {
        let high = finding(ObsoleteTls, Severity::High, Some(1), 443);
        let records = [disputed(1, high.clone(), now() + days(1))];
        let status = assess(&[web()], std::slice::from_ref(&high), &records, now());
        assert_eq!(status.verdict, Verdict::Disputed);
        assert_eq!(
            status.systems[0].reasons,
            [
                "Passes only if your ASV accepts the dispute (false positive, submitted by Alice until 2025-06-02): obsolete-tls on port 443"
            ]
        );
        assert_eq!(
            status.reasons,
            [
                "System 1: passes only if the ASV accepts its disputes (0 failing, 1 disputed, 0 needing action)"
            ]
        );
        // Another failure on the same system still fails it.
        let other = finding(WeakCipher, Severity::High, Some(1), 443);
        let both = [high.clone(), other];
        let status = assess(&[web()], &both, &records, now());
        assert_eq!(status.verdict, Verdict::Fail);
        // A lapsed dispute fails again.
        let lapsed = [disputed(1, high.clone(), now() - days(1))];
        let status = assess(&[web()], &[high], &lapsed, now());
        assert_eq!(status.verdict, Verdict::Fail);
    }

    #[test]
    fn an_approved_port_is_named_not_called_unlisted() {
        let mut unlisted = finding(UnlistedOpenPort, Severity::Medium, Some(1), 22);
        unlisted.service = Some("ssh".to_owned());
        let records = [accepted(1, unlisted.clone(), now() + days(1))];
        let status = assess(&[web()], std::slice::from_ref(&unlisted), &records, now());
        assert_eq!(status.verdict, Verdict::Pass);
        assert_eq!(
            status.systems[0].reasons,
            ["Port 22/tcp (ssh) kept for a business need, approved by Alice until 2025-06-02"]
        );
    }

    #[test]
    fn a_lapsed_acceptance_fails_again() {
        let high = finding(ExternalDatabase, Severity::Critical, Some(1), 3306);
        let records = [accepted(1, high.clone(), now() - days(1))];
        let status = assess(&[web()], &[high], &records, now());
        assert_eq!(status.verdict, Verdict::Fail);
    }

    #[test]
    fn an_out_of_scope_system_fails_alone() {
        let outside = system(3, "10.1.0.1", Exposure::Internal, Scope::OutOfScope);
        let findings = [finding(UnlistedOpenPort, Severity::High, Some(3), 22)];
        let status = assess(&[web(), outside], &findings, &[], now());
        assert_eq!(status.systems[1].verdict, Verdict::Fail);
        assert_eq!(status.verdict, Verdict::Pass);
    }

    #[test]
    fn findings_of_no_system_count_for_the_estate() {
        let mut overdue = finding(InternalScanOverdue, Severity::High, None, 0);
        overdue.title = "The quarterly internal scan is overdue".into();
        let status = assess(&[web()], &[overdue], &[], now());
        assert_eq!(status.verdict, Verdict::Fail);
        assert_eq!(status.systems[0].verdict, Verdict::Pass);
        assert_eq!(
            status.reasons,
            ["High: The quarterly internal scan is overdue"]
        );
    }

    #[test]
    fn an_estate_without_systems_needs_action() {
        let status = assess(&[], &[], &[], now());
        assert_eq!(status.verdict, Verdict::ActionNeeded);
        assert!(
            status.reasons[0].contains("No systems"),
            "{:?}",
            status.reasons
        );
    }

    #[test]
    fn reasons_come_worst_first_with_acceptances_last() {
        let findings = [
            finding(StaleInventoryEntry, Severity::Low, Some(1), 8080),
            finding(CleartextService, Severity::Medium, Some(1), 21),
            finding(ExternalRemoteAccess, Severity::Medium, Some(1), 22),
        ];
        let records = [accepted(1, findings[1].clone(), now() + days(30))];
        let status = assess(&[web()], &findings, &records, now());
        let reasons = &status.systems[0].reasons;
        assert!(reasons[0].starts_with("Medium"), "{reasons:?}");
        assert!(reasons[1].starts_with("Low"), "{reasons:?}");
        assert!(reasons[2].starts_with("Accepted"), "{reasons:?}");
        assert_eq!(status.verdict, Verdict::ActionNeeded);
    }
}
