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
use portcullis_model::compliance::{
    Finding, FindingRecord, FindingStatus, OverallStatus, Scope, Severity, System, SystemStatus,
    Verdict,
};

/// How one finding weighs on a verdict.
fn weight(finding: &Finding, acceptance: Option<&FindingRecord>) -> Option<Verdict> {
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
    record.status == FindingStatus::Accepted && record.accepted_until.is_some_and(|u| u > now)
}

/// Judges the current findings. `records` supplies acceptances (matched by
/// finding key); findings without a record are open.
pub fn assess(
    systems: &[System],
    findings: &[Finding],
    records: &[FindingRecord],
    now: DateTime<Utc>,
) -> OverallStatus {
    let accepted: HashMap<&str, &FindingRecord> = records
        .iter()
        .filter(|r| acceptance_holds(r, now))
        .map(|r| (r.finding.key.as_str(), r))
        .collect();
    let mut by_system: HashMap<i64, Vec<(&Finding, Option<&FindingRecord>)>> = HashMap::new();
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
fn judge(findings: &[(&Finding, Option<&FindingRecord>)]) -> (Verdict, Vec<String>) {
    let mut sorted: Vec<_> = findings.to_vec();
    sorted.sort_by(|a, b| {
        let counts = |x: &(&Finding, Option<&FindingRecord>)| x.1.is_none();
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
            (None, Some(record)) => {
                let until = record
                    .accepted_until
                    .map(|u| u.format("%Y-%m-%d").to_string())
                    .unwrap_or_default();
                let approver = record.approver.as_deref().unwrap_or("unknown");
                reasons.push(format!(
                    "Accepted until {until} by {approver}: {}",
                    finding.title
                ));
            }
            (None, None) => {}
        }
    }
    (verdict, reasons)
}

/// One line for the overall reasons: "Shop: fails (2 failing, 1 needing
/// action)".
fn summary(
    name: &str,
    verdict: Verdict,
    findings: &[(&Finding, Option<&FindingRecord>)],
) -> String {
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
