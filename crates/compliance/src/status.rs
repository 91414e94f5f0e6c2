//! Verdicts, as an Approved Scanning Vendor would give them: per system and
//! for the whole estate.
//!
//! A finding counts by its severity unless it is accepted: Critical and High
//! fail, Medium and Low need action (a fix, or a justification recorded by
//! accepting it), Info is only for the record. A finding accepted with an
//! acceptance that has not lapsed counts for nothing, but is still listed
//! among the reasons, so that nobody forgets it. Out-of-scope systems get
//! their own verdict, which does not count towards the overall one.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use portcullis_model::SystemId;
use portcullis_model::compliance::{
    BusinessNeed, Finding, FindingKind, FindingRecord, FindingStatus, OverallStatus, Scope,
    Severity, System, SystemStatus, Verdict,
};

/// How one finding weighs on a verdict.
fn weight(finding: &Finding, acceptance: Option<&BusinessNeed>) -> Option<Verdict> {
    if acceptance.is_some() {
        return None;
    }
    match finding.severity {
        Severity::Critical | Severity::High => Some(Verdict::Fail),
        Severity::Medium | Severity::Low => Some(Verdict::ActionNeeded),
        Severity::Info => None,
    }
}

/// Whether a record's acceptance holds at `now`.
pub fn acceptance_holds(record: &FindingRecord, now: DateTime<Utc>) -> bool {
    record
        .state
        .business_need()
        .is_some_and(|need| need.until > now)
}

/// Whether a tracked finding stands now: open or accepted (an acceptance
/// that has lapsed counts as open, which [`assess`] decides); fixed and
/// verified ones are history.
pub fn stands_now(record: &FindingRecord) -> bool {
    matches!(
        record.status(),
        FindingStatus::Open | FindingStatus::Accepted
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

/// Judges the current findings. `records` supplies acceptances (matched by
/// finding key); findings without a record are open.
pub fn assess(
    systems: &[System],
    findings: &[Finding],
    records: &[FindingRecord],
    now: DateTime<Utc>,
) -> OverallStatus {
    let accepted: HashMap<&str, &BusinessNeed> = records
        .iter()
        .filter(|r| acceptance_holds(r, now))
        .filter_map(|r| Some((r.finding.key.as_str(), r.state.business_need()?)))
        .collect();
    let mut by_system: HashMap<SystemId, Vec<(&Finding, Option<&BusinessNeed>)>> = HashMap::new();
    let mut unowned = Vec::new();
    for finding in findings {
        let acceptance = accepted.get(finding.key.as_str()).copied();
        match finding.system_id {
            Some(id) => by_system.entry(id).or_default().push((finding, acceptance)),
            None => unowned.push((finding, acceptance)),
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

/// The verdict of a set of findings and its reasons, worst first.
fn judge(findings: &[(&Finding, Option<&BusinessNeed>)]) -> (Verdict, Vec<String>) {
    let mut sorted: Vec<_> = findings.to_vec();
    sorted.sort_by(|a, b| {
        let counts = |x: &(&Finding, Option<&BusinessNeed>)| x.1.is_none();
        (counts(b), b.0.severity).cmp(&(counts(a), a.0.severity))
    });
    let mut verdict = Verdict::Pass;
    let mut reasons = Vec::new();
    for (finding, acceptance) in sorted {
        match (weight(finding, acceptance), acceptance) {
            (Some(weight), _) => {
                verdict = verdict.max(weight);
                reasons.push(format!("{}: {}", finding.severity.label(), finding.title));
            }
            (None, Some(need)) => reasons.push(accepted_reason(finding, need)),
            (None, None) => {}
        }
    }
    (verdict, reasons)
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
/// action)".
fn summary(name: &str, verdict: Verdict, findings: &[(&Finding, Option<&BusinessNeed>)]) -> String {
    let count = |v| {
        findings
            .iter()
            .filter(|(f, a)| weight(f, *a) == Some(v))
            .count()
    };
    let word = match verdict {
        Verdict::Fail => "fails",
        Verdict::ActionNeeded => "needs action",
        Verdict::Pass => "passes",
    };
    format!(
        "{name}: {word} ({} failing, {} needing action)",
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
    fn a_valid_acceptance_does_not_fail_and_is_still_listed() {
        let high = finding(ExternalDatabase, Severity::Critical, Some(1), 3306);
        let records = [accepted(1, high.clone(), now() + days(1))];
        let status = assess(&[web()], std::slice::from_ref(&high), &records, now());
        assert_eq!(status.verdict, Verdict::Pass);
        assert_eq!(
            status.systems[0].reasons,
            ["Accepted until 2025-06-02 by Alice: external-database on port 3306"]
        );
    }

    #[test]
    fn an_approved_port_is_named_not_called_unlisted() {
        let mut unlisted = finding(UnlistedOpenPort, Severity::High, Some(1), 22);
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
            finding(ExternalDatabase, Severity::Critical, Some(1), 3306),
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
