//! Grouping the findings that stand now by the one decision or action that
//! settles them: every finding about one port, every advisory one update
//! closes, every setting of one service. The Review step shows one card
//! per group.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use portcullis_model::compliance::{FindingKind, FindingRecord, Verdict};
use portcullis_model::review::{DecisionGroup, DecisionSubject};

use crate::rulebook::{AcceptPolicy, Rulebook};
use crate::status::{Settled, stands_now, weight};

/// What one finding weighs on its group's verdict, as [`crate::assess`]
/// counts it: settled by a business need only when it does not fail,
/// "disputed" when it fails and is disputed.
pub fn verdict_of(record: &FindingRecord, now: DateTime<Utc>) -> Verdict {
    weight(record.finding.severity, Settled::of(record, now)).unwrap_or(Verdict::Pass)
}

/// The groups of the findings that stand now, worst first (then the
/// largest, then by place), each group's findings worst first.
pub fn group_decisions(
    book: &Rulebook,
    records: &[FindingRecord],
    now: DateTime<Utc>,
) -> Vec<DecisionGroup> {
    let mut order: Vec<DecisionSubject> = Vec::new();
    let mut members: HashMap<DecisionSubject, Vec<&FindingRecord>> = HashMap::new();
    for record in records.iter().filter(|record| stands_now(record)) {
        let subject = subject_of(record);
        members
            .entry(subject.clone())
            .or_insert_with(|| {
                order.push(subject);
                Vec::new()
            })
            .push(record);
    }
    let mut groups: Vec<DecisionGroup> = order
        .into_iter()
        .map(|subject| {
            let mut findings: Vec<FindingRecord> =
                members[&subject].iter().map(|r| (*r).clone()).collect();
            findings.sort_by(|a, b| {
                (verdict_of(b, now), b.finding.severity)
                    .cmp(&(verdict_of(a, now), a.finding.severity))
            });
            let verdict = findings
                .iter()
                .map(|record| verdict_of(record, now))
                .max()
                .unwrap_or(Verdict::Pass);
            // What fails is disputed, the rest kept as a business need.
            let (failing, rest): (Vec<_>, Vec<_>) = findings
                .iter()
                .partition(|record| record.finding.severity.fails_asv_scan());
            let acceptable = !rest.is_empty()
                && rest
                    .iter()
                    .all(|record| book.rule(record.finding.kind).accept != AcceptPolicy::No);
            let disputable = !failing.is_empty()
                && failing
                    .iter()
                    .all(|record| record.finding.kind.is_disputable());
            DecisionGroup {
                subject,
                verdict,
                acceptable,
                disputable,
                findings,
            }
        })
        .collect();
    groups.sort_by(|a, b| {
        (b.verdict, b.findings.len())
            .cmp(&(a.verdict, a.findings.len()))
            .then_with(|| place(a).cmp(&place(b)))
    });
    groups
}

/// Where a group is, for a stable order among equals.
fn place(group: &DecisionGroup) -> String {
    group
        .findings
        .first()
        .map(|record| record.finding.key.clone())
        .unwrap_or_default()
}

/// The decision a finding belongs to.
fn subject_of(record: &FindingRecord) -> DecisionSubject {
    use FindingKind::*;
    let finding = &record.finding;
    let on_port = match (finding.address, finding.protocol, finding.port) {
        (Some(address), Some(protocol), Some(port)) => Some((address, protocol, port)),
        _ => None,
    };
    match (finding.kind, on_port) {
        (VulnerableVersion | EndOfLifeVersion, Some((address, _, _))) => DecisionSubject::Update {
            system_id: finding.system_id,
            address,
            product: finding
                .product
                .clone()
                .or_else(|| finding.service.clone())
                .unwrap_or_else(|| "the software".into()),
            version: finding.version.clone(),
        },
        (
            HttpWithoutHttpsRedirect
            | ObsoleteTls
            | LegacyTls
            | InsecureCipher
            | WeakCipher
            | WeakDhGroup
            | CertificateExpired
            | CertificateSelfSigned
            | CertificateUntrusted
            | CertificateNameMismatch
            | WeakCertificate
            | SshWeakAlgorithms
            | SshTerrapin
            | SshPasswordLogin
            | DirectoryListing
            | ExposedSensitivePage
            | ExposedAdminPage,
            Some((address, protocol, port)),
        ) => DecisionSubject::Settings {
            system_id: finding.system_id,
            address,
            protocol,
            port,
            service: finding.service.clone(),
        },
        (UnassignedHost, _) => match finding.address {
            Some(address) => DecisionSubject::Host { address },
            None => DecisionSubject::Programme {
                finding: finding.kind,
            },
        },
        (_, Some((address, protocol, port))) => DecisionSubject::Port {
            system_id: finding.system_id,
            address,
            protocol,
            port,
            service: finding.service.clone(),
        },
        (kind, None) => DecisionSubject::Programme { finding: kind },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::testkit::*;
    use FindingKind::*;
    use portcullis_model::compliance::{FindingState, Severity};

    fn on(kind: FindingKind, severity: Severity, port: u16, product: &str) -> Finding {
        let mut finding = finding(kind, severity, Some(2), port);
        finding.product = Some(product.into());
        finding
    }

    use portcullis_model::compliance::Finding;

    #[test]
    fn advisories_one_update_closes_are_one_card_across_ports() {
        let records = [
            record(
                1,
                on(VulnerableVersion, Severity::High, 22, "OpenSSH"),
                FindingState::Open,
            ),
            record(
                2,
                on(EndOfLifeVersion, Severity::Medium, 2222, "OpenSSH"),
                FindingState::Open,
            ),
            record(
                3,
                on(VulnerableVersion, Severity::High, 80, "nginx"),
                FindingState::Open,
            ),
            record(
                4,
                on(UnlistedOpenPort, Severity::High, 22, "OpenSSH"),
                FindingState::Open,
            ),
        ];
        let groups = group_decisions(Rulebook::builtin(), &records, now());
        let subjects: Vec<(&DecisionSubject, usize)> = groups
            .iter()
            .map(|group| (&group.subject, group.findings.len()))
            .collect();
        assert_eq!(subjects.len(), 3, "{subjects:#?}");
        let openssh = groups
            .iter()
            .find(|g| matches!(&g.subject, DecisionSubject::Update { product, .. } if product == "OpenSSH"))
            .expect("an OpenSSH update");
        assert_eq!(openssh.findings.len(), 2);
        assert_eq!(openssh.verdict, Verdict::Fail);
        assert_eq!(
            openssh.findings[0].id,
            portcullis_model::FindingId(1),
            "worst first"
        );
        assert!(
            groups
                .iter()
                .any(|g| matches!(g.subject, DecisionSubject::Port { port: 22, .. })),
            "the port's own decision is a card of its own"
        );
    }

    #[test]
    fn settings_of_one_port_are_one_card_and_fixed_findings_are_left_out() {
        let records = [
            record(
                1,
                on(ObsoleteTls, Severity::High, 443, "nginx"),
                FindingState::Open,
            ),
            record(
                2,
                on(WeakCipher, Severity::Medium, 443, "nginx"),
                FindingState::Open,
            ),
            record(
                3,
                on(CertificateSelfSigned, Severity::Medium, 443, "nginx"),
                FindingState::Fixed,
            ),
        ];
        let groups = group_decisions(Rulebook::builtin(), &records, now());
        assert_eq!(groups.len(), 1, "{groups:#?}");
        assert!(matches!(
            groups[0].subject,
            DecisionSubject::Settings { port: 443, .. }
        ));
        assert_eq!(groups[0].findings.len(), 2);
    }

    #[test]
    fn an_accepted_port_passes_and_a_database_open_to_anyone_cannot_be_accepted() {
        let records = [
            accepted(
                1,
                on(UnlistedOpenPort, Severity::Medium, 22, "OpenSSH"),
                now() + days(30),
            ),
            record(
                2,
                on(UnlistedOpenPort, Severity::Medium, 3306, "MySQL"),
                FindingState::Open,
            ),
            record(
                3,
                on(UnauthenticatedAccess, Severity::Critical, 3306, "MySQL"),
                FindingState::Open,
            ),
        ];
        let groups = group_decisions(Rulebook::builtin(), &records, now());
        assert_eq!(groups.len(), 2);
        assert!(matches!(
            groups[0].subject,
            DecisionSubject::Port { port: 3306, .. }
        ));
        assert_eq!(groups[0].verdict, Verdict::Fail);
        assert!(
            groups[0].acceptable,
            "the port may be kept once the database anyone may use is disputed"
        );
        assert!(
            groups[0].disputable,
            "a failure can be disputed with the ASV"
        );
        assert!(matches!(
            groups[1].subject,
            DecisionSubject::Port { port: 22, .. }
        ));
        assert_eq!(groups[1].verdict, Verdict::Pass);
        assert!(groups[1].acceptable);
        assert!(!groups[1].disputable, "nothing fails there");
    }

    #[test]
    fn a_failing_setting_is_disputed_not_accepted() {
        let records = [
            disputed(
                1,
                on(ObsoleteTls, Severity::High, 443, "nginx"),
                now() + days(30),
            ),
            record(
                2,
                on(LegacyTls, Severity::Medium, 443, "nginx"),
                FindingState::Open,
            ),
        ];
        let groups = group_decisions(Rulebook::builtin(), &records, now());
        assert_eq!(groups.len(), 1);
        assert!(
            groups[0].acceptable,
            "TLS 1.1 may be kept for a while once TLS 1.0 is disputed"
        );
        assert!(groups[0].disputable);
        assert_eq!(groups[0].verdict, Verdict::Disputed);
        assert_eq!(verdict_of(&records[1], now()), Verdict::ActionNeeded);
    }
}
