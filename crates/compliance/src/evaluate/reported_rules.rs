//! Problems another scanner reported (an imported Nessus, Greenbone or CSV
//! report). One about something Portcullis checks itself (old TLS, a
//! self-signed certificate, a known-vulnerable version) becomes that
//! rule's finding, with the same key as Portcullis's own, so a later scan
//! that no longer finds it closes it. Any other becomes a
//! `reported-problem` in the scanner's own words.
//!
//! Either way a finding is at least as severe as an ASV would judge the
//! item: a CVSS score of 4.0 or more fails (high), 9.0 or more is
//! critical. Items the scanner marked false positive raise nothing.

use std::fmt::Write;

use portcullis_model::compliance::{Finding, FindingKind, Severity};
use portcullis_model::import::{ReportedItem, ReportedLevel};
use portcullis_model::scan::HostReport;

use super::service_view::ServiceView;
use super::{Draft, Evaluator};
use crate::template::{Phrase, Values};

/// Which kind a reported item is, by the words of its name: each row's
/// kind applies when every word of one of its groups appears (any case).
/// The first row that applies wins, so specific rows come first.
const KINDS_BY_NAME: &[(FindingKind, &[&[&str]])] = &[
    (FindingKind::SshTerrapin, &[&["terrapin"]]),
    (
        FindingKind::ObsoleteTls,
        &[
            &["sslv2"],
            &["sslv3"],
            &["ssl version 2"],
            &["ssl version 3"],
            &["tls version 1.0"],
            &["tls 1.0"],
            &["ssl 2.0"],
            &["ssl 3.0"],
            &["tlsv1.0"],
            &["poodle"],
        ],
    ),
    (
        FindingKind::LegacyTls,
        &[&["tls version 1.1"], &["tls 1.1"], &["tlsv1.1"]],
    ),
    (
        FindingKind::CertificateSelfSigned,
        &[&["self-signed"], &["self signed"]],
    ),
    (
        FindingKind::CertificateExpired,
        &[&["certificate", "expired"], &["certificate expiry"]],
    ),
    (
        FindingKind::CertificateNameMismatch,
        &[
            &["certificate", "wrong hostname"],
            &["certificate", "mismatch"],
        ],
    ),
    (
        FindingKind::CertificateUntrusted,
        &[
            &["certificate", "cannot be trusted"],
            &["certificate", "untrusted"],
        ],
    ),
    (
        FindingKind::WeakCertificate,
        &[
            &["certificate", "weak hashing"],
            &["certificate", "signed using weak"],
            &["certificate", "less than 2048"],
        ],
    ),
    (
        FindingKind::WeakDhGroup,
        &[
            &["logjam"],
            &["diffie-hellman", "insufficient"],
            &["diffie-hellman", "weak"],
            &["dh group"],
        ],
    ),
    (
        FindingKind::InsecureCipher,
        &[
            &["null cipher"],
            &["anonymous cipher"],
            &["export cipher"],
            &["freak"],
            &["low strength cipher"],
        ],
    ),
    (
        FindingKind::WeakCipher,
        &[
            &["rc4"],
            &["sweet32"],
            &["3des"],
            &["medium strength cipher"],
            &["weak cipher"],
        ],
    ),
    (
        FindingKind::SshWeakAlgorithms,
        &[&["ssh", "weak"], &["ssh", "cbc"]],
    ),
    (
        FindingKind::DefaultSnmpCommunity,
        &[
            &["snmp", "community", "public"],
            &["snmp", "default community"],
        ],
    ),
    (
        FindingKind::DirectoryListing,
        &[
            &["directory listing"],
            &["browsable web directories"],
            &["directory browsing"],
        ],
    ),
    (
        FindingKind::UnauthenticatedAccess,
        &[
            &["anonymous ftp"],
            &["ftp", "anonymous login"],
            &["unauthenticated access"],
            &["without authentication"],
            &["no authentication"],
        ],
    ),
    (
        FindingKind::EndOfLifeVersion,
        &[
            &["unsupported version"],
            &["unsupported", "detection"],
            &["end of life"],
            &["end-of-life"],
            &["seol"],
        ],
    ),
];

/// The rule an item is about, if Portcullis has one: by its name, or, for
/// an item on a port that names CVEs, a known-vulnerable version.
pub(crate) fn kind_of(item: &ReportedItem) -> Option<FindingKind> {
    let name = item.name.to_lowercase();
    let by_name = KINDS_BY_NAME.iter().find_map(|(kind, groups)| {
        groups
            .iter()
            .any(|words| words.iter().all(|word| name.contains(word)))
            .then_some(*kind)
    });
    by_name.or_else(|| {
        (item.port.is_some() && !item.cves.is_empty()).then_some(FindingKind::VulnerableVersion)
    })
}

/// How an ASV judges the item: by its CVSS score when it has one, else by
/// the scanner's level (a scanner's "medium" is 4.0 to 6.9, a failure).
pub(crate) fn asv_severity(item: &ReportedItem) -> Severity {
    if let Some(cvss) = item.cvss {
        return match cvss.score {
            score if score >= 9.0 => Severity::Critical,
            score if score >= 4.0 => Severity::High,
            score if score > 0.0 => Severity::Low,
            _ => Severity::Info,
        };
    }
    match item.level {
        ReportedLevel::Critical => Severity::Critical,
        ReportedLevel::High | ReportedLevel::Medium => Severity::High,
        ReportedLevel::Low => Severity::Low,
        ReportedLevel::Info => Severity::Info,
    }
}

pub(super) fn check(ev: &mut Evaluator<'_>) {
    for item in ev.input.reported.iter().filter(|item| !item.false_positive) {
        match kind_of(item) {
            Some(kind) => known(ev, item, kind),
            None => unknown(ev, item),
        }
    }
}

/// What the scanner's report says, for the evidence.
fn evidence(item: &ReportedItem) -> String {
    let mut text = format!(
        "{} {} {} \"{}\" ({:?}",
        item.source.name(),
        item.source.check_word(),
        item.check_id,
        item.name,
        item.level
    );
    if let Some(cvss) = item.cvss {
        let _ = write!(text, ", CVSS v{} {:.1}", cvss.version, cvss.score);
    }
    text.push(')');
    if !item.cves.is_empty() {
        let _ = write!(text, "; {}", super::join_limited(&item.cves, 10));
    }
    if !item.output.is_empty() {
        let _ = write!(text, "\n{}", item.output);
    }
    text
}

fn host_of(item: &ReportedItem) -> HostReport {
    HostReport {
        address: item.address,
        name: None,
        up: true,
        reason: String::new(),
    }
}

/// An item about something a rule covers: that rule's finding.
fn known(ev: &mut Evaluator<'_>, item: &ReportedItem, kind: FindingKind) {
    let report = ev.input.report;
    let host = report.host(item.address);
    let system = match host {
        Some(host) => ev.systems.for_host(&host.host),
        None => ev.systems.for_host(&host_of(item)),
    };
    let port = host.and_then(|host| {
        host.ports
            .iter()
            .find(|port| Some(port.port) == item.port && Some(port.protocol) == item.protocol)
    });
    let view = port.map(ServiceView::new);
    let book = ev.book;
    let (service_label, what) = match &view {
        Some(view) => (view.label(), view.plain(book)),
        None => (Phrase::from("the service"), Phrase::from("a service")),
    };
    let detail = format!("what {} reports as \"{}\"", item.source.name(), item.name);
    let draft = Draft {
        kind,
        system,
        address: Some(item.address),
        port: item.port,
        protocol: item.protocol,
        service_label,
        what,
        detail,
        evidence: evidence(item),
        key: None,
        service: view.as_ref().and_then(ServiceView::service_name),
        product: view.as_ref().and_then(ServiceView::product),
        version: view.as_ref().and_then(ServiceView::version),
    };
    ev.emit(draft);
    weigh(ev, kind, asv_severity(item));
}

/// Gives the finding just emitted the scanner's weight: the version rules'
/// level is each advisory's, so there it is the scanner's score exactly;
/// elsewhere the score can raise the rule's usual level, never lower it.
fn weigh(ev: &mut Evaluator<'_>, kind: FindingKind, scored: Severity) {
    let per_advisory = matches!(
        kind,
        FindingKind::VulnerableVersion | FindingKind::EndOfLifeVersion
    );
    if let Some(finding) = ev.findings.last_mut()
        && (per_advisory || finding.severity < scored)
    {
        finding.severity = scored;
    }
}

/// An item no rule covers: a `reported-problem` in the scanner's words,
/// as severe as the scanner scored it.
fn unknown(ev: &mut Evaluator<'_>, item: &ReportedItem) {
    let kind = FindingKind::ReportedProblem;
    let system = ev.systems.for_host(&host_of(item));
    let wording = ev.book.wording(kind);
    let address = item.address.to_string();
    let port = item.port.map(|port| port.to_string()).unwrap_or_default();
    let protocol = item.protocol.map(|p| p.as_str()).unwrap_or_default();
    let place = match item.port {
        Some(number) => format!("port {number}/{protocol}"),
        None => format!("{address} as a whole"),
    };
    let title = format!("{} ({place})", item.name);
    let mut explanation = if item.synopsis.is_empty() {
        item.name.clone()
    } else {
        item.synopsis.clone()
    };
    let _ = write!(
        explanation,
        " ({} {} {}.)",
        item.source.name(),
        item.source.check_word(),
        item.check_id
    );
    let solution = if item.solution.is_empty() {
        "none was given.".to_owned()
    } else {
        item.solution.clone()
    };
    let system_name = system.map_or("An unregistered machine", |s| s.name.as_str());
    let mut scratch = String::new();
    let mut render = |template: &crate::template::Template, detail: &str| {
        template.render(
            &Values {
                system: system_name,
                address: &address,
                port: &port,
                protocol,
                service: Phrase::from(item.service.as_deref().unwrap_or("")),
                what: Phrase::default(),
                detail,
            },
            &mut scratch,
        )
    };
    let finding = Finding {
        kind,
        severity: asv_severity(item).min(wording.severity),
        title: render(&wording.title, &title),
        explanation: render(&wording.explanation, &explanation),
        remedy: render(&wording.remedy, &solution),
        requirements: wording.requirements.clone(),
        system_id: system.map(|s| s.id),
        address: Some(item.address),
        port: item.port,
        protocol: item.protocol,
        service: item.service.clone(),
        product: None,
        version: None,
        evidence: evidence(item),
        key: format!(
            "{}|{}:{}|{address}|{protocol}/{port}",
            kind.id(),
            item.source.check_word(),
            item.check_id
        ),
    };
    ev.findings.push(finding);
}

#[cfg(test)]
mod tests {
    use portcullis_model::compliance::ScanCoverage;
    use portcullis_model::import::{CvssScore, ReportSource};
    use portcullis_model::scan::Protocol;

    use super::*;
    use crate::Coverage;
    use crate::evaluate::testkit::{Case, WEB, host, ip, open};

    fn item(
        name: &str,
        port: Option<u16>,
        level: ReportedLevel,
        cvss: Option<f32>,
    ) -> ReportedItem {
        ReportedItem {
            source: ReportSource::Nessus,
            check_id: "1234".into(),
            name: name.into(),
            family: None,
            address: ip(WEB),
            port,
            protocol: port.map(|_| Protocol::Tcp),
            service: Some("www".into()),
            level,
            cvss: cvss.map(|score| CvssScore { score, version: 3 }),
            cves: Vec::new(),
            synopsis: "The remote host does a risky thing.".into(),
            solution: "Stop doing it.".into(),
            output: "seen: risky".into(),
            false_positive: false,
            quality: None,
        }
    }

    fn imported(items: Vec<ReportedItem>) -> Case {
        let mut case = Case::new(vec![host(WEB, vec![open(WEB, 443)])]).approving_open_ports();
        case.reported = items;
        case.coverage = ScanCoverage {
            reported_checks: true,
            ..ScanCoverage::default()
        };
        case
    }

    #[test]
    fn items_about_what_a_rule_checks_become_that_rules_findings() {
        let cases = [
            (
                "TLS Version 1.0 Protocol Detection",
                FindingKind::ObsoleteTls,
            ),
            (
                "SSL/TLS: Deprecated TLSv1.0 and TLSv1.1 Protocol Detection",
                FindingKind::ObsoleteTls,
            ),
            (
                "TLS Version 1.1 Deprecated Protocol",
                FindingKind::LegacyTls,
            ),
            (
                "SSL Self-Signed Certificate",
                FindingKind::CertificateSelfSigned,
            ),
            (
                "SSL Certificate Cannot Be Trusted",
                FindingKind::CertificateUntrusted,
            ),
            ("SSL Certificate Expiry", FindingKind::CertificateExpired),
            (
                "SSL Medium Strength Cipher Suites Supported (SWEET32)",
                FindingKind::WeakCipher,
            ),
            (
                "SSL RC4 Cipher Suites Supported (Bar Mitzvah)",
                FindingKind::WeakCipher,
            ),
            (
                "SSL/TLS Diffie-Hellman Modulus <= 1024 Bits (Logjam)",
                FindingKind::WeakDhGroup,
            ),
            (
                "SSH Terrapin Prefix Truncation Weakness (CVE-2023-48795)",
                FindingKind::SshTerrapin,
            ),
            (
                "SSH Weak MAC Algorithms Enabled",
                FindingKind::SshWeakAlgorithms,
            ),
            ("Browsable Web Directories", FindingKind::DirectoryListing),
            ("Anonymous FTP Enabled", FindingKind::UnauthenticatedAccess),
            (
                "PHP Unsupported Version Detection",
                FindingKind::EndOfLifeVersion,
            ),
        ];
        for (name, kind) in cases {
            let found = item(name, Some(443), ReportedLevel::Medium, Some(5.0));
            assert_eq!(kind_of(&found), Some(kind), "{name}");
        }
        let mut vulnerable = item(
            "nginx < 1.20.1 1-Byte Memory Overwrite",
            Some(443),
            ReportedLevel::High,
            Some(7.7),
        );
        vulnerable.cves = vec!["CVE-2021-23017".into()];
        assert_eq!(kind_of(&vulnerable), Some(FindingKind::VulnerableVersion));
        let mut host_level = item(
            "ICMP Timestamp Request Remote Date Disclosure",
            None,
            ReportedLevel::Low,
            Some(2.1),
        );
        host_level.cves = vec!["CVE-1999-0524".into()];
        assert_eq!(kind_of(&host_level), None, "a CVE on no port is no version");
    }

    #[test]
    fn a_mapped_item_keeps_the_rules_key_and_is_as_severe_as_the_asv_would_judge_it() {
        let case = imported(vec![item(
            "TLS Version 1.1 Deprecated Protocol",
            Some(443),
            ReportedLevel::Medium,
            Some(6.5),
        )]);
        let finding = case.the(FindingKind::LegacyTls);
        assert_eq!(finding.key, format!("legacy-tls|{WEB}|tcp/443"));
        assert_eq!(
            finding.severity,
            Severity::High,
            "CVSS 6.5 fails an ASV scan"
        );
        assert_eq!(finding.system_id.map(|id| id.get()), Some(1));
        assert!(
            finding
                .evidence
                .contains("\"TLS Version 1.1 Deprecated Protocol\" (Medium")
        );
        assert!(
            finding.evidence.contains("Nessus plugin 1234"),
            "{}",
            finding.evidence
        );
        assert!(finding.evidence.contains("CVSS v3 6.5"));
    }

    #[test]
    fn other_items_are_reported_problems_in_the_scanners_words() {
        let case = imported(vec![
            item(
                "Web Application Potentially Vulnerable to Clickjacking",
                Some(443),
                ReportedLevel::Medium,
                Some(4.3),
            ),
            item(
                "ICMP Timestamp Request Remote Date Disclosure",
                None,
                ReportedLevel::Low,
                None,
            ),
            ReportedItem {
                false_positive: true,
                ..item(
                    "Something the ASV withdrew",
                    Some(443),
                    ReportedLevel::High,
                    Some(7.5),
                )
            },
        ]);
        let findings: Vec<Finding> = case
            .findings()
            .into_iter()
            .filter(|f| f.kind == FindingKind::ReportedProblem)
            .collect();
        assert_eq!(
            findings.len(),
            2,
            "a false positive raises nothing: {findings:#?}"
        );
        let clickjacking = &findings[0];
        assert_eq!(clickjacking.severity, Severity::High);
        assert_eq!(
            &*clickjacking.title,
            "System 1: Web Application Potentially Vulnerable to Clickjacking (port 443/tcp)"
        );
        assert!(
            clickjacking
                .explanation
                .contains("The remote host does a risky thing. (Nessus plugin 1234.)")
        );
        assert!(
            clickjacking
                .remedy
                .contains("The scanner's advice: Stop doing it.")
        );
        assert_eq!(
            clickjacking.key,
            format!("reported-problem|plugin:1234|{WEB}|tcp/443")
        );
        let icmp = &findings[1];
        assert_eq!(icmp.severity, Severity::Low);
        assert_eq!((icmp.port, icmp.protocol), (None, None));
        assert!(icmp.title.ends_with(&format!("({WEB} as a whole)")));
    }

    #[test]
    fn only_another_report_or_a_shut_port_proves_a_reported_problem_gone() {
        let case = imported(vec![item(
            "Clickjacking",
            Some(443),
            ReportedLevel::Medium,
            Some(4.3),
        )]);
        let finding = case.the(FindingKind::ReportedProblem);
        let own_scan = Coverage::new(&case.report, &crate::evaluate::testkit::full_coverage());
        assert!(
            !own_scan.covers(&finding),
            "Portcullis does not run the scanner's check"
        );
        let report = Coverage::new(&case.report, &case.coverage);
        assert!(
            report.covers(&finding),
            "a new report of the same host would list it"
        );
        let shut = crate::evaluate::testkit::report(vec![host(WEB, vec![])]);
        assert!(Coverage::new(&shut, &crate::evaluate::testkit::full_coverage()).covers(&finding));
    }
}
