//! One pair of tests per rule: it fires on a case that should, and stays
//! quiet on the nearest case that should not.

use portcullis_model::compliance::{
    AsvScan, Exposure, FindingKind::*, Scope, SegmentationTest, Severity,
};
use portcullis_model::scan::{PortState, Protocol};
use portcullis_model::service::{
    AdvisoryFlag, AlgorithmConcern, CvssScore, DistributionStatus, OpenAccess, OpenAccessKind,
    Posture, SshPosture, TlsVersion, VersionAdvisory, WeakAlgorithm, WeakCipherKind, WeakSuite,
};

use super::EvaluationInput;
use super::testkit::*;
use portcullis_model::SystemId;

// --- unlisted-open-port ----------------------------------------------------

#[test]
fn an_open_port_without_an_entry_is_unlisted() {
    let case = Case::new(vec![host(DB, vec![open(DB, 3306)])]);
    let finding = case.the(UnlistedOpenPort);
    assert_eq!(
        finding.severity,
        Severity::Medium,
        "an ASV does not fail a port for missing from the inventory: action needed"
    );
    assert_eq!(finding.system_id, Some(SystemId(2)));
    assert_eq!(finding.port, Some(3306));
    assert_eq!(finding.requirements[..], ["1.2.1", "1.2.5", "2.2.4"]);
    assert!(finding.title.contains("3306/tcp"), "{}", finding.title);
    assert!(finding.title.contains("System 2"), "{}", finding.title);
    assert_eq!(finding.key, "unlisted-open-port|10.0.0.5|tcp/3306");
}

#[test]
fn each_port_finding_names_its_own_host_and_port() {
    const V6: &str = "2001:db8::7";
    let mut case = Case::new(vec![
        host(DB, vec![open(DB, 3306), open(DB, 5432)]),
        host(V6, vec![open(V6, 8080)]),
        host(WEB, vec![open(WEB, 8443)]),
    ]);
    case.systems
        .push(system(3, V6, Exposure::Internal, Scope::Cde));
    let findings = case.findings();
    let unlisted: Vec<_> = findings
        .iter()
        .filter(|f| f.kind == UnlistedOpenPort)
        .collect();
    assert_eq!(unlisted.len(), 4, "{unlisted:#?}");
    for finding in unlisted {
        let (address, port) = (finding.address.unwrap(), finding.port.unwrap());
        assert_eq!(
            finding.key,
            super::port_key(UnlistedOpenPort, address, Protocol::Tcp, port)
        );
        let place = format!("Port {port}/tcp on {address} answers");
        assert!(
            finding.explanation.contains(&place),
            "{place}: {}",
            finding.explanation
        );
    }
}

#[test]
fn an_open_port_with_an_entry_is_not_unlisted() {
    let case = Case::new(vec![host(DB, vec![open(DB, 3306)])]).approving_open_ports();
    assert!(!case.fires(UnlistedOpenPort));
}

#[test]
fn an_entry_for_another_protocol_does_not_approve_the_port() {
    let mut case = Case::new(vec![host(DB, vec![open(DB, 53)])]);
    case.inventory.push(entry(1, 2, 53, Protocol::Udp));
    assert!(case.fires(UnlistedOpenPort));
}

#[test]
fn open_filtered_udp_is_not_an_open_port() {
    let silent = port(DB, 500, Protocol::Udp, PortState::OpenFiltered);
    assert!(!Case::new(vec![host(DB, vec![silent])]).fires(UnlistedOpenPort));
    let answered = port(DB, 500, Protocol::Udp, PortState::Open);
    assert!(Case::new(vec![host(DB, vec![answered])]).fires(UnlistedOpenPort));
}

// --- unassigned-host ---------------------------------------------------------

#[test]
fn a_host_no_system_claims_is_unassigned() {
    let case = Case::new(vec![host("10.9.9.9", vec![open("10.9.9.9", 22)])]);
    let finding = case.the(UnassignedHost);
    assert_eq!(finding.system_id, None);
    assert!(
        finding.explanation.contains("22/tcp"),
        "{}",
        finding.explanation
    );
    assert!(
        !case.fires(UnlistedOpenPort),
        "its ports are not listed one by one"
    );
}

#[test]
fn a_claimed_or_down_host_is_not_unassigned() {
    assert!(!Case::new(vec![host(DB, vec![open(DB, 22)])]).fires(UnassignedHost));
    assert!(!Case::new(vec![down("10.9.9.9")]).fires(UnassignedHost));
}

#[test]
fn a_network_or_host_name_claims_a_host() {
    let mut case = Case::new(vec![host("10.0.7.3", vec![])]);
    case.systems[1].addresses = vec!["10.0.7.0/24".into()];
    assert!(!case.fires(UnassignedHost));

    let mut named = host("192.0.2.80", vec![]);
    named.host.name = Some("Shop.Example.com".into());
    let mut case = Case::new(vec![named]);
    case.systems[0].addresses.push("shop.example.com".into());
    assert!(!case.fires(UnassignedHost));
}

// --- external-database -------------------------------------------------------

#[test]
fn a_database_port_on_an_external_system_fails() {
    let mut mysql = open(WEB, 3306);
    mysql.service = Some("mysql".into());
    let case = Case::new(vec![host(WEB, vec![mysql])]).approving_open_ports();
    let finding = case.the(ExternalDatabase);
    assert_eq!(finding.severity, Severity::Critical);
    assert!(
        finding
            .explanation
            .contains("a MySQL or MariaDB database (going by the port number)"),
        "{}",
        finding.explanation
    );
}

#[test]
fn a_database_port_on_an_internal_system_is_not_external() {
    let case = Case::new(vec![host(DB, vec![open(DB, 3306)])]).approving_open_ports();
    assert!(!case.fires(ExternalDatabase));
}

#[test]
fn identification_overrides_the_port_number() {
    let web_on_3306 = service(WEB, 3306, "http", Some("nginx"), None);
    let case = Case::new(vec![host(WEB, vec![web_on_3306])]).approving_open_ports();
    assert!(!case.fires(ExternalDatabase));
    let redis_elsewhere = service(WEB, 7777, "redis", Some("Redis"), Some("7.0.15"));
    let case = Case::new(vec![host(WEB, vec![redis_elsewhere])]).approving_open_ports();
    assert!(case.fires(ExternalDatabase));
}

// --- external-remote-access --------------------------------------------------

#[test]
fn ssh_on_an_external_system_needs_justification() {
    let ssh = service(WEB, 22, "ssh", Some("OpenSSH"), Some("9.2p1"));
    let case = Case::new(vec![host(WEB, vec![ssh])]).approving_open_ports();
    let finding = case.the(ExternalRemoteAccess);
    assert_eq!(finding.severity, Severity::Medium);
    assert!(finding.title.contains("OpenSSH 9.2p1"), "{}", finding.title);
}

#[test]
fn ssh_on_an_internal_system_is_not_external_remote_access() {
    let ssh = service(DB, 22, "ssh", Some("OpenSSH"), Some("9.2p1"));
    let case = Case::new(vec![host(DB, vec![ssh])]).approving_open_ports();
    assert!(!case.fires(ExternalRemoteAccess));
}

#[test]
fn rdp_by_port_alone_is_remote_access() {
    let case = Case::new(vec![host(WEB, vec![open(WEB, 3389)])]).approving_open_ports();
    assert!(case.fires(ExternalRemoteAccess));
    let case = Case::new(vec![host(WEB, vec![open(WEB, 3390)])]).approving_open_ports();
    assert!(!case.fires(ExternalRemoteAccess));
}

// --- external-cleartext-login ------------------------------------------------

#[test]
fn telnet_facing_the_internet_fails_as_one_finding() {
    let telnet = service(WEB, 23, "telnet", None, None);
    let case = Case::new(vec![host(WEB, vec![telnet])]).approving_open_ports();
    let finding = case.the(ExternalCleartextLogin);
    assert_eq!(finding.severity, Severity::High);
    assert!(finding.severity.fails_asv_scan());
    assert!(
        !case.fires(ExternalRemoteAccess),
        "said once, not three times"
    );
    assert!(!case.fires(CleartextService));
}

#[test]
fn telnet_inside_is_a_cleartext_service_and_ssh_outside_is_not_cleartext_login() {
    let telnet = service(DB, 23, "telnet", None, None);
    let case = Case::new(vec![host(DB, vec![telnet])]).approving_open_ports();
    assert!(!case.fires(ExternalCleartextLogin));
    assert!(case.fires(CleartextService));
    let ssh = service(WEB, 22, "ssh", Some("OpenSSH"), Some("9.2p1"));
    let case = Case::new(vec![host(WEB, vec![ssh])]).approving_open_ports();
    assert!(!case.fires(ExternalCleartextLogin));
    assert!(case.fires(ExternalRemoteAccess));
}

// --- cleartext-service -------------------------------------------------------

#[test]
fn ftp_is_cleartext_even_internally() {
    let ftp = service(DB, 21, "ftp", Some("vsftpd"), Some("3.0.3"));
    let case = Case::new(vec![host(DB, vec![ftp])]).approving_open_ports();
    let finding = case.the(CleartextService);
    assert_eq!(finding.requirements[..], ["2.2.5", "8.3.2"]);
}

#[test]
fn ftp_inside_tls_is_not_cleartext() {
    let mut ftps = service(DB, 990, "ftp", Some("vsftpd"), Some("3.0.3"));
    ftps.identity.as_mut().unwrap().tls = true;
    let case = Case::new(vec![host(DB, vec![ftps])]).approving_open_ports();
    assert!(!case.fires(CleartextService));
}

#[test]
fn snmp_answering_is_cleartext_and_silent_snmp_is_not() {
    let answering = port(DB, 161, Protocol::Udp, PortState::Open);
    let case = Case::new(vec![host(DB, vec![answering])]).approving_open_ports();
    assert!(case.fires(CleartextService));
    let silent = port(DB, 161, Protocol::Udp, PortState::OpenFiltered);
    let case = Case::new(vec![host(DB, vec![silent])]);
    assert!(!case.fires(CleartextService));
}

#[test]
fn imap_is_cleartext_and_imaps_is_not() {
    let case = Case::new(vec![host(DB, vec![open(DB, 143)])]).approving_open_ports();
    assert!(case.fires(CleartextService));
    let case = Case::new(vec![host(DB, vec![open(DB, 993)])]).approving_open_ports();
    assert!(!case.fires(CleartextService));
}

// --- http-without-https-redirect ---------------------------------------------

#[test]
fn external_http_without_redirect_fires() {
    let case = Case::new(vec![host(WEB, vec![http(WEB, Some(false))])]).approving_open_ports();
    let finding = case.the(HttpWithoutHttpsRedirect);
    assert!(
        finding.explanation.contains("status 200"),
        "{}",
        finding.explanation
    );
}

#[test]
fn external_http_that_redirects_is_quiet() {
    let case = Case::new(vec![host(WEB, vec![http(WEB, Some(true))])]).approving_open_ports();
    assert!(!case.fires(HttpWithoutHttpsRedirect));
}

#[test]
fn http_redirect_is_judged_only_externally_and_when_known() {
    let case = Case::new(vec![host(DB, vec![http(DB, Some(false))])]).approving_open_ports();
    assert!(!case.fires(HttpWithoutHttpsRedirect), "internal");
    let case = Case::new(vec![host(WEB, vec![http(WEB, None)])]).approving_open_ports();
    assert!(!case.fires(HttpWithoutHttpsRedirect), "not checked");
}

// --- obsolete-tls and legacy-tls ---------------------------------------------

#[test]
fn tls_1_0_accepted_fails() {
    let port = https(tls(&[TlsVersion::Tls10, TlsVersion::Tls12]));
    let case = Case::new(vec![host(WEB, vec![port])]).approving_open_ports();
    let finding = case.the(ObsoleteTls);
    assert_eq!(finding.severity, Severity::High);
    assert!(finding.title.contains("TLS 1.0"), "{}", finding.title);
    assert!(!case.fires(LegacyTls));
}

#[test]
fn tls_1_2_only_is_quiet() {
    let port = https(tls(&[TlsVersion::Tls12, TlsVersion::Tls13]));
    let case = Case::new(vec![host(WEB, vec![port])]).approving_open_ports();
    let kinds: Vec<_> = case.findings().iter().map(|f| f.kind).collect();
    assert!(kinds.is_empty(), "{kinds:?}");
}

#[test]
fn sslv3_is_obsolete_too() {
    let port = https(tls(&[TlsVersion::Ssl3]));
    let case = Case::new(vec![host(WEB, vec![port])]).approving_open_ports();
    assert!(case.the(ObsoleteTls).title.contains("SSLv3"));
}

#[test]
fn sslv2_is_obsolete() {
    let port = https(tls(&[TlsVersion::Ssl2, TlsVersion::Tls12]));
    let case = Case::new(vec![host(WEB, vec![port])]).approving_open_ports();
    let finding = case.the(ObsoleteTls);
    assert!(finding.title.contains("SSLv2"), "{}", finding.title);
    assert_eq!(finding.severity, Severity::High);
}

// --- weak-dh-group -------------------------------------------------------------

fn with_dh(bits: Option<u32>) -> portcullis_model::scan::PortResult {
    let mut tls = tls(&[TlsVersion::Tls12]);
    tls.dh_bits = bits;
    https(tls)
}

#[test]
fn a_1024_bit_dh_group_fails() {
    let case = Case::new(vec![host(WEB, vec![with_dh(Some(1024))])]).approving_open_ports();
    let finding = case.the(WeakDhGroup);
    assert_eq!(finding.severity, Severity::High);
    assert!(finding.title.contains("1024-bit"), "{}", finding.title);
}

#[test]
fn a_2048_bit_dh_group_or_no_dhe_is_quiet() {
    for bits in [Some(2048), None] {
        let case = Case::new(vec![host(WEB, vec![with_dh(bits)])]).approving_open_ports();
        assert!(!case.fires(WeakDhGroup), "{bits:?}");
    }
}

#[test]
fn tls_1_1_accepted_needs_justification() {
    let port = https(tls(&[TlsVersion::Tls11, TlsVersion::Tls12]));
    let case = Case::new(vec![host(WEB, vec![port])]).approving_open_ports();
    assert_eq!(case.the(LegacyTls).severity, Severity::Medium);
    assert!(!case.fires(ObsoleteTls));
}

// --- insecure-cipher and weak-cipher -----------------------------------------

fn with_suite(kind: WeakCipherKind, name: &str) -> portcullis_model::scan::PortResult {
    let mut tls = tls(&[TlsVersion::Tls12]);
    tls.weak_suites.push(WeakSuite {
        name: name.into(),
        version: TlsVersion::Tls12,
        kind,
    });
    https(tls)
}

#[test]
fn anonymous_key_exchange_is_insecure() {
    let port = with_suite(
        WeakCipherKind::Anonymous,
        "TLS_DH_anon_WITH_AES_128_CBC_SHA",
    );
    let case = Case::new(vec![host(WEB, vec![port])]).approving_open_ports();
    assert!(
        case.the(InsecureCipher)
            .explanation
            .contains("TLS_DH_anon_WITH_AES_128_CBC_SHA")
    );
    assert!(!case.fires(WeakCipher));
}

#[test]
fn rc4_is_weak_but_not_insecure() {
    let port = with_suite(WeakCipherKind::Rc4, "TLS_RSA_WITH_RC4_128_SHA");
    let case = Case::new(vec![host(WEB, vec![port])]).approving_open_ports();
    assert_eq!(
        case.the(WeakCipher).severity,
        Severity::High,
        "an ASV fails RC4 and 3DES"
    );
    assert!(!case.fires(InsecureCipher));
}

#[test]
fn triple_des_is_weak_and_no_weak_suite_is_quiet() {
    let port = with_suite(WeakCipherKind::TripleDes, "TLS_RSA_WITH_3DES_EDE_CBC_SHA");
    let case = Case::new(vec![host(WEB, vec![port])]).approving_open_ports();
    assert!(case.fires(WeakCipher));
    let case =
        Case::new(vec![host(WEB, vec![https(tls(&[TlsVersion::Tls12]))])]).approving_open_ports();
    assert!(!case.fires(WeakCipher));
}

// --- certificates ------------------------------------------------------------

fn with_certificate(
    edit: impl FnOnce(&mut portcullis_model::service::CertificateInfo),
) -> portcullis_model::scan::PortResult {
    let mut tls = tls(&[TlsVersion::Tls12]);
    edit(tls.certificate.as_mut().unwrap());
    https(tls)
}

#[test]
fn a_certificate_that_ended_yesterday_has_expired() {
    let port = with_certificate(|c| c.not_after = "2025-05-31T12:00:00Z".into());
    let case = Case::new(vec![host(WEB, vec![port])]).approving_open_ports();
    let finding = case.the(CertificateExpired);
    assert!(
        finding.explanation.contains("2025-05-31"),
        "{}",
        finding.explanation
    );
}

#[test]
fn a_certificate_that_ends_tomorrow_has_not_expired() {
    let port = with_certificate(|c| c.not_after = "2025-06-02T12:00:00Z".into());
    let case = Case::new(vec![host(WEB, vec![port])]).approving_open_ports();
    assert!(!case.fires(CertificateExpired));
}

#[test]
fn the_scanners_expired_flag_counts_and_internal_certificates_are_not_judged() {
    let port = with_certificate(|c| c.expired = true);
    let case = Case::new(vec![host(WEB, vec![port])]).approving_open_ports();
    assert!(case.fires(CertificateExpired));

    let mut internal = with_certificate(|c| c.expired = true);
    internal.address = ip(DB);
    let case = Case::new(vec![host(DB, vec![internal])]).approving_open_ports();
    assert!(!case.fires(CertificateExpired));
}

#[test]
fn a_self_signed_certificate_on_a_public_service_fires() {
    let port = with_certificate(|c| {
        c.self_signed = true;
        c.issuer = c.subject.clone();
    });
    let case = Case::new(vec![host(WEB, vec![port])]).approving_open_ports();
    assert_eq!(
        case.the(CertificateSelfSigned).severity,
        Severity::High,
        "an ASV fails a self-signed certificate on a public service"
    );
}

#[test]
fn a_ca_signed_certificate_is_not_self_signed() {
    let case = Case::new(vec![host(WEB, vec![with_certificate(|_| {})])]).approving_open_ports();
    assert!(!case.fires(CertificateSelfSigned));
    assert!(!case.fires(CertificateUntrusted));
}

#[test]
fn a_chain_to_no_trusted_root_fires_once_and_not_for_a_self_signed_one() {
    let private = with_certificate(|c| {
        c.issuer = "CN=Office CA".into();
        c.trusted = Some(false);
    });
    let case = Case::new(vec![host(WEB, vec![private.clone()])]).approving_open_ports();
    let finding = case.the(CertificateUntrusted);
    assert_eq!(
        finding.severity,
        Severity::High,
        "an ASV fails a certificate no browser trusts on a public service"
    );
    assert!(finding.explanation.contains("CN=Office CA"), "{finding:#?}");

    let self_signed = with_certificate(|c| {
        c.self_signed = true;
        c.issuer = c.subject.clone();
        c.trusted = Some(false);
    });
    let case = Case::new(vec![host(WEB, vec![self_signed])]).approving_open_ports();
    assert!(case.fires(CertificateSelfSigned));
    assert!(
        !case.fires(CertificateUntrusted),
        "said once, as self-signed"
    );

    let unknown = with_certificate(|c| c.trusted = None);
    let case = Case::new(vec![host(WEB, vec![unknown])]).approving_open_ports();
    assert!(
        !case.fires(CertificateUntrusted),
        "not told is not untrusted"
    );

    let mut internal = private;
    internal.address = ip(DB);
    let case = Case::new(vec![host(DB, vec![internal])]).approving_open_ports();
    assert!(
        !case.fires(CertificateUntrusted),
        "an office CA is fine inside"
    );
}

/// A host given by name ("shop.example.com"), as a name-based scan has.
fn named_host(
    address: &str,
    name: &str,
    ports: Vec<portcullis_model::scan::PortResult>,
) -> portcullis_model::report::HostResult {
    let mut host = host(address, ports);
    host.host.name = Some(name.into());
    host
}

#[test]
fn a_certificate_for_another_name_fires() {
    let port = with_certificate(|c| {
        c.name_matches = Some(false);
        c.names = vec!["other.example.net".into()];
    });
    let case =
        Case::new(vec![named_host(WEB, "shop.example.com", vec![port])]).approving_open_ports();
    let finding = case.the(CertificateNameMismatch);
    assert_eq!(finding.severity, Severity::High, "an ASV fails it too");
    assert!(
        finding.explanation.contains("other.example.net"),
        "{}",
        finding.explanation
    );
}

#[test]
fn a_host_scanned_by_address_has_no_name_to_mismatch() {
    let port = with_certificate(|c| {
        c.name_matches = Some(false);
        c.names = vec!["shop.example.com".into()];
    });
    let case = Case::new(vec![host(WEB, vec![port])]).approving_open_ports();
    assert!(!case.fires(CertificateNameMismatch));
}

#[test]
fn a_matching_or_uncheckable_name_is_quiet() {
    for matches in [Some(true), None] {
        let port = with_certificate(|c| c.name_matches = matches);
        let case = Case::new(vec![host(WEB, vec![port])]).approving_open_ports();
        assert!(!case.fires(CertificateNameMismatch), "{matches:?}");
    }
}

// --- vulnerable-version and end-of-life-version -------------------------------

fn with_advisory(id: &str, end_of_life: Option<&str>) -> portcullis_model::scan::PortResult {
    let mut ssh = service(DB, 22, "ssh", Some("OpenSSH"), Some("8.5p1"));
    ssh.posture = Some(Box::new(Posture {
        advisories: vec![VersionAdvisory {
            product: "OpenSSH".into(),
            version: "8.5p1".into(),
            affected: "8.5p1 to 9.7p1".into(),
            id: id.into(),
            summary: "remote code execution".into(),
            end_of_life: end_of_life.map(str::to_string),
            source: "https://www.openssh.com/security.html".into(),
            ..VersionAdvisory::default()
        }],
        ..Posture::default()
    }));
    ssh
}

/// A port whose advisory `change` adjusts.
fn advised(
    id: &str,
    change: impl FnOnce(&mut VersionAdvisory),
) -> portcullis_model::scan::PortResult {
    let mut port = with_advisory(id, (id == "EOL").then_some("2024-07-01"));
    if let Some(posture) = port.posture.as_mut() {
        change(&mut posture.advisories[0]);
    }
    port
}

fn cvss(score: f64) -> Option<CvssScore> {
    CvssScore::from_decimal(score)
}

fn judged(port: portcullis_model::scan::PortResult) -> Case {
    Case::new(vec![host(DB, vec![port])]).approving_open_ports()
}

#[test]
fn an_advisory_fails_from_cvss_4_and_is_critical_from_9() {
    for (score, severity) in [
        (9.8, Severity::Critical),
        (9.0, Severity::Critical),
        (8.1, Severity::High),
        (4.0, Severity::High),
        (3.9, Severity::Low),
    ] {
        let case = judged(advised("CVE-2024-6387", |a| a.cvss = cvss(score)));
        let finding = case.the(VulnerableVersion);
        assert_eq!(finding.severity, severity, "CVSS {score}");
        assert!(
            finding.explanation.contains(&format!("CVSS {score}")),
            "{}",
            finding.explanation
        );
    }
    let low = judged(advised("CVE-2024-6387", |a| a.cvss = cvss(3.9))).the(VulnerableVersion);
    assert!(
        low.explanation.contains("does not fail the system"),
        "{}",
        low.explanation
    );
}

#[test]
fn a_flagged_advisory_does_not_fail_and_says_why() {
    let cases = [
        (
            AdvisoryFlag::DenialOfService,
            None,
            "only lets an attacker stop the service",
        ),
        (AdvisoryFlag::ClientSide, None, "in the client programs"),
        (
            AdvisoryFlag::Platform,
            Some("on Windows"),
            "only affects some platforms (on Windows)",
        ),
        (
            AdvisoryFlag::Configuration,
            Some("when the 'resolver' directive is set"),
            "it only applies when the 'resolver' directive is set",
        ),
    ];
    for (flag, condition, why) in cases {
        let case = judged(advised("CVE-2024-6387", |a| {
            a.cvss = cvss(9.8);
            a.flags = vec![flag];
            a.condition = condition.map(str::to_string);
        }));
        let finding = case.the(VulnerableVersion);
        assert_eq!(finding.severity, Severity::Low, "{flag:?}");
        assert!(
            finding
                .explanation
                .contains("does not fail the system because"),
            "{}",
            finding.explanation
        );
        assert!(
            finding.explanation.contains(why),
            "{flag:?}: {}",
            finding.explanation
        );
    }
}

#[test]
fn a_failing_and_a_flagged_advisory_make_one_finding_as_severe_as_the_worst() {
    let mut port = advised("CVE-2024-6387", |a| a.cvss = cvss(8.1));
    if let Some(posture) = port.posture.as_mut() {
        let mut flagged = posture.advisories[0].clone();
        flagged.id = "CVE-2023-38408".into();
        flagged.cvss = cvss(9.8);
        flagged.flags = vec![AdvisoryFlag::ClientSide];
        posture.advisories.push(flagged);
    }
    let case = judged(port);
    let findings: Vec<_> = case
        .findings()
        .into_iter()
        .filter(|f| f.kind == VulnerableVersion)
        .collect();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].severity, Severity::High);
    let text = &findings[0].explanation;
    assert!(
        text.contains("CVE-2024-6387") && text.contains("not failing the system: CVE-2023-38408"),
        "{text}"
    );
}

#[test]
fn a_patched_distribution_build_raises_nothing() {
    let case = judged(advised("CVE-2024-6387", |a| {
        a.cvss = cvss(8.1);
        a.distribution = DistributionStatus::Fixed {
            build: "Debian openssh-server 1:9.2p1-2+deb12u10".into(),
            fixed_in: "1:9.2p1-2+deb12u3".into(),
            source: "https://security-tracker.debian.org/tracker/CVE-2024-6387".into(),
        };
    }));
    assert!(!case.fires(VulnerableVersion));
}

#[test]
fn an_unpatched_distribution_build_fails_and_names_the_fix() {
    let case = judged(advised("CVE-2024-6387", |a| {
        a.cvss = cvss(8.1);
        a.distribution = DistributionStatus::NotFixed {
            build: "Debian openssh-server 1:9.2p1-2".into(),
            fixed_in: "1:9.2p1-2+deb12u3".into(),
            source: "https://security-tracker.debian.org/tracker/CVE-2024-6387".into(),
        };
    }));
    let finding = case.the(VulnerableVersion);
    assert_eq!(finding.severity, Severity::High);
    assert!(
        finding
            .explanation
            .contains("older than the fixed package 1:9.2p1-2+deb12u3"),
        "{}",
        finding.explanation
    );
}

#[test]
fn a_generic_distribution_build_needs_confirmation_with_its_command() {
    let case = judged(advised("CVE-2024-6387", |a| {
        a.cvss = cvss(8.1);
        a.distribution = DistributionStatus::NeedsConfirmation {
            build: "Ubuntu-3ubuntu0.10".into(),
            command: "zgrep CVE-2024-6387 /usr/share/doc/openssh-server/changelog.Debian.gz".into(),
        };
    }));
    let finding = case.the(VulnerableVersion);
    assert_eq!(finding.severity, Severity::Low);
    assert!(
        finding.explanation.contains("needs confirmation"),
        "{}",
        finding.explanation
    );
    assert!(
        finding
            .explanation
            .contains("`zgrep CVE-2024-6387 /usr/share/doc/openssh-server/changelog.Debian.gz`"),
        "{}",
        finding.explanation
    );
}

#[test]
fn an_upstream_end_of_life_the_distribution_supports_says_which_and_does_not_fail() {
    let case = judged(advised("EOL", |a| {
        a.distribution = DistributionStatus::Supported {
            build: "Debian-1~deb12u10".into(),
            release: "Debian 12 (bookworm)".into(),
            until: "2028-06-30".into(),
            source: "https://wiki.debian.org/LTS".into(),
        };
    }));
    let finding = case.the(EndOfLifeVersion);
    assert_eq!(finding.severity, Severity::Info);
    assert!(
        finding
            .explanation
            .contains("Debian 12 (bookworm) supports until 2028-06-30"),
        "{}",
        finding.explanation
    );
    let unknown = judged(advised("EOL", |a| {
        a.distribution = DistributionStatus::NeedsConfirmation {
            build: "(Debian)".into(),
            command: "cat /etc/os-release".into(),
        };
    }));
    let finding = unknown.the(EndOfLifeVersion);
    assert_eq!(finding.severity, Severity::Low);
    assert!(
        finding.explanation.contains("`cat /etc/os-release`"),
        "{}",
        finding.explanation
    );
    // Upstream, it fails as before.
    assert_eq!(
        judged(advised("EOL", |_| {}))
            .the(EndOfLifeVersion)
            .severity,
        Severity::High
    );
}

#[test]
fn a_version_with_an_advisory_is_vulnerable() {
    let case = Case::new(vec![host(DB, vec![with_advisory("CVE-2024-6387", None)])])
        .approving_open_ports();
    let finding = case.the(VulnerableVersion);
    assert!(
        finding.explanation.contains("CVE-2024-6387"),
        "{}",
        finding.explanation
    );
    assert!(
        finding.evidence.contains("openssh.com"),
        "{}",
        finding.evidence
    );
    assert!(!case.fires(EndOfLifeVersion));
}

#[test]
fn a_version_without_advisories_is_quiet() {
    let ssh = service(DB, 22, "ssh", Some("OpenSSH"), Some("9.8p1"));
    let case = Case::new(vec![host(DB, vec![ssh])]).approving_open_ports();
    assert!(!case.fires(VulnerableVersion));
    assert!(!case.fires(EndOfLifeVersion));
}

#[test]
fn an_end_of_life_advisory_is_end_of_life_not_vulnerable() {
    let case = Case::new(vec![host(
        DB,
        vec![with_advisory("EOL", Some("2024-07-01"))],
    )])
    .approving_open_ports();
    let finding = case.the(EndOfLifeVersion);
    assert!(
        finding.explanation.contains("2024-07-01"),
        "{}",
        finding.explanation
    );
    assert!(!case.fires(VulnerableVersion));
}

// --- unauthenticated-access and default-snmp-community ------------------------

fn with_open_access(
    mut port: portcullis_model::scan::PortResult,
    kind: OpenAccessKind,
) -> portcullis_model::scan::PortResult {
    port.posture = Some(Box::new(Posture {
        open_access: vec![OpenAccess {
            kind,
            detail: "answered INFO without AUTH".into(),
        }],
        ..Posture::default()
    }));
    port
}

#[test]
fn redis_without_a_password_is_critical() {
    let redis = service(DB, 6379, "redis", Some("Redis"), Some("7.0.15"));
    let port = with_open_access(redis, OpenAccessKind::RedisNoAuth);
    let case = Case::new(vec![host(DB, vec![port])]).approving_open_ports();
    assert_eq!(case.the(UnauthenticatedAccess).severity, Severity::Critical);
}

#[test]
fn redis_that_asks_for_a_password_is_quiet() {
    let redis = service(DB, 6379, "redis", Some("Redis"), Some("7.0.15"));
    let case = Case::new(vec![host(DB, vec![redis])]).approving_open_ports();
    assert!(!case.fires(UnauthenticatedAccess));
}

#[test]
fn anonymous_ftp_is_unauthenticated() {
    let ftp = service(DB, 21, "ftp", Some("vsftpd"), Some("3.0.3"));
    let port = with_open_access(ftp, OpenAccessKind::FtpAnonymous);
    let case = Case::new(vec![host(DB, vec![port])]).approving_open_ports();
    assert!(case.fires(UnauthenticatedAccess));
}

#[test]
fn snmp_public_is_a_default_community_not_unauthenticated_access() {
    let snmp = port(DB, 161, Protocol::Udp, PortState::Open);
    let port = with_open_access(snmp, OpenAccessKind::SnmpPublicCommunity);
    let case = Case::new(vec![host(DB, vec![port])]).approving_open_ports();
    assert!(case.fires(DefaultSnmpCommunity));
    assert!(!case.fires(UnauthenticatedAccess));
    let plain = self::port(DB, 161, Protocol::Udp, PortState::Open);
    let case = Case::new(vec![host(DB, vec![plain])]).approving_open_ports();
    assert!(!case.fires(DefaultSnmpCommunity));
}

// --- stale-inventory-entry ---------------------------------------------------

#[test]
fn an_approved_port_the_scan_found_shut_is_stale() {
    let mut case = Case::new(vec![host(DB, vec![])]);
    case.inventory.push(entry(7, 2, 8080, Protocol::Tcp));
    let finding = case.the(StaleInventoryEntry);
    assert_eq!(finding.key, "stale-inventory-entry|entry:7");
    assert_eq!(finding.address, Some(ip(DB)));
    assert_eq!(finding.severity, Severity::Low);
}

#[test]
fn an_approved_port_that_is_open_is_not_stale() {
    let case = Case::new(vec![host(DB, vec![open(DB, 8080)])]).approving_open_ports();
    assert!(!case.fires(StaleInventoryEntry));
}

#[test]
fn an_approved_port_outside_the_scanned_range_is_not_stale() {
    let mut case = Case::new(vec![host(DB, vec![])]);
    case.inventory.push(entry(7, 2, 8080, Protocol::Tcp));
    case.coverage.tcp = vec![portcullis_model::compliance::PortRange {
        first: 1,
        last: 1024,
    }];
    assert!(!case.fires(StaleInventoryEntry));
}

#[test]
fn an_approved_port_of_a_host_that_was_down_or_not_scanned_is_not_stale() {
    let mut case = Case::new(vec![down(DB)]);
    case.inventory.push(entry(7, 2, 8080, Protocol::Tcp));
    assert!(!case.fires(StaleInventoryEntry));
    let mut case = Case::new(vec![host(WEB, vec![])]);
    case.inventory.push(entry(7, 2, 8080, Protocol::Tcp));
    assert!(!case.fires(StaleInventoryEntry));
}

#[test]
fn an_approved_udp_port_that_stayed_silent_is_not_stale() {
    let silent = port(DB, 500, Protocol::Udp, PortState::OpenFiltered);
    let mut case = Case::new(vec![host(DB, vec![silent])]);
    case.inventory.push(entry(7, 2, 500, Protocol::Udp));
    assert!(!case.fires(StaleInventoryEntry));
}

// --- expired-inventory-entry -------------------------------------------------

#[test]
fn an_entry_that_expired_yesterday_needs_reapproval() {
    let mut case = Case::new(vec![host(DB, vec![open(DB, 443)])]).approving_open_ports();
    case.inventory[0].expires_at = Some(now() - days(1));
    let finding = case.the(ExpiredInventoryEntry);
    assert!(
        finding.explanation.contains("2025-05-31"),
        "{}",
        finding.explanation
    );
    assert!(
        !case.fires(UnlistedOpenPort),
        "the port is listed, only lapsed"
    );
}

#[test]
fn an_entry_that_expires_tomorrow_is_still_valid() {
    let mut case = Case::new(vec![host(DB, vec![open(DB, 443)])]).approving_open_ports();
    case.inventory[0].expires_at = Some(now() + days(1));
    assert!(!case.fires(ExpiredInventoryEntry));
}

// --- inventory-mismatch ------------------------------------------------------

fn expecting(
    service: &str,
    version: Option<&str>,
    found: portcullis_model::scan::PortResult,
) -> Case {
    let mut case = Case::new(vec![host(DB, vec![found])]).approving_open_ports();
    case.inventory[0].service = Some(service.into());
    case.inventory[0].version = version.map(str::to_string);
    case
}

#[test]
fn the_expected_service_and_version_match() {
    let found = service(DB, 80, "http", Some("nginx"), Some("1.24.0"));
    assert!(!expecting("nginx", Some("1.24"), found.clone()).fires(InventoryMismatch));
    assert!(!expecting("http", None, found).fires(InventoryMismatch));
}

#[test]
fn another_product_differs_from_the_inventory() {
    let found = service(DB, 80, "http", Some("Apache httpd"), Some("2.4.57"));
    let finding = expecting("nginx", None, found).the(InventoryMismatch);
    assert!(
        finding.explanation.contains("Apache httpd 2.4.57"),
        "{}",
        finding.explanation
    );
    assert!(
        finding.explanation.contains("expects nginx"),
        "{}",
        finding.explanation
    );
}

#[test]
fn another_version_differs_from_the_inventory() {
    let found = service(DB, 80, "http", Some("nginx"), Some("1.25.3"));
    assert!(expecting("nginx", Some("1.24"), found).fires(InventoryMismatch));
}

#[test]
fn without_identification_there_is_no_mismatch() {
    assert!(!expecting("nginx", Some("1.24"), open(DB, 80)).fires(InventoryMismatch));
}

// --- internal-scan-overdue and external-scan-overdue --------------------------

#[test]
fn an_internal_scan_91_days_old_is_overdue_and_89_is_not() {
    let mut case = Case::new(vec![]);
    case.history.last_internal_scan = Some(now() - days(91));
    let finding = case.the(InternalScanOverdue);
    assert!(
        finding.explanation.contains("91 days ago"),
        "{}",
        finding.explanation
    );
    assert_eq!(finding.requirements[..], ["11.3.1"]);
    case.history.last_internal_scan = Some(now() - days(89));
    assert!(!case.fires(InternalScanOverdue));
    case.history.last_internal_scan = Some(now() - days(90));
    assert!(
        !case.fires(InternalScanOverdue),
        "exactly 90 days is on time"
    );
}

#[test]
fn no_internal_scan_at_all_is_overdue() {
    let mut case = Case::new(vec![]);
    case.history.last_internal_scan = None;
    assert!(
        case.the(InternalScanOverdue)
            .explanation
            .contains("No internal scan")
    );
}

#[test]
fn a_passing_asv_scan_91_days_old_is_overdue_and_89_is_not() {
    let mut case = Case::new(vec![]);
    case.history.last_asv_scan = Some(AsvScan {
        at: now() - days(91),
        passed: true,
    });
    let finding = case.the(ExternalScanOverdue);
    assert_eq!(finding.requirements[..], ["11.3.2"]);
    assert!(
        finding.explanation.contains("91 days ago"),
        "{}",
        finding.explanation
    );
    case.history.last_asv_scan = Some(AsvScan {
        at: now() - days(89),
        passed: true,
    });
    assert!(!case.fires(ExternalScanOverdue));
}

#[test]
fn a_failed_asv_scan_counts_for_nothing_however_recent() {
    let mut case = Case::new(vec![]);
    case.history.last_asv_scan = Some(AsvScan {
        at: now() - days(2),
        passed: false,
    });
    let finding = case.the(ExternalScanOverdue);
    assert!(
        finding.explanation.contains("did not pass"),
        "{}",
        finding.explanation
    );
}

#[test]
fn portcullis_own_external_scan_does_not_replace_the_asv_scan() {
    let mut case = Case::new(vec![]);
    case.history.last_asv_scan = None;
    case.history.last_external_scan = Some(now() - days(1));
    let finding = case.the(ExternalScanOverdue);
    assert!(
        finding
            .explanation
            .contains("No ASV scan has been recorded")
            && finding.explanation.contains("does not replace the ASV's"),
        "{}",
        finding.explanation
    );
}

#[test]
fn external_scans_are_not_due_without_an_external_system() {
    let mut case = Case::new(vec![]);
    case.systems.retain(|s| s.exposure == Exposure::Internal);
    case.history.last_external_scan = None;
    case.history.last_asv_scan = None;
    assert!(!case.fires(ExternalScanOverdue));
    case.systems.clear();
    case.history.last_internal_scan = None;
    assert!(!case.fires(InternalScanOverdue), "nothing is registered");
}

// --- segmentation-test-overdue and segmentation-test-failed -------------------

fn with_out_of_scope_system() -> Case {
    let mut case = Case::new(vec![]);
    case.systems.push(system(
        3,
        "10.1.0.0/16",
        Exposure::Internal,
        Scope::OutOfScope,
    ));
    case
}

#[test]
fn a_segmentation_test_13_months_old_is_overdue_and_11_is_not() {
    let mut case = with_out_of_scope_system();
    case.history.last_segmentation_test = Some(SegmentationTest {
        at: now() - days(396),
        passed: true,
    });
    assert_eq!(
        case.the(SegmentationTestOverdue).requirements[..],
        ["11.4.5"]
    );
    case.history.last_segmentation_test = Some(SegmentationTest {
        at: now() - days(335),
        passed: true,
    });
    assert!(!case.fires(SegmentationTestOverdue));
}

#[test]
fn segmentation_is_not_due_when_nothing_is_out_of_scope() {
    let mut case = Case::new(vec![]);
    case.history.last_segmentation_test = None;
    assert!(!case.fires(SegmentationTestOverdue));
    let mut case = with_out_of_scope_system();
    case.history.last_segmentation_test = None;
    assert!(case.fires(SegmentationTestOverdue));
}

#[test]
fn a_failed_segmentation_test_is_critical_and_a_passed_one_is_quiet() {
    let mut case = with_out_of_scope_system();
    case.history.last_segmentation_test = Some(SegmentationTest {
        at: now() - days(10),
        passed: false,
    });
    assert_eq!(
        case.the(SegmentationTestFailed).severity,
        Severity::Critical
    );
    assert!(!case.fires(SegmentationTestOverdue));
    case.history.last_segmentation_test = Some(SegmentationTest {
        at: now() - days(10),
        passed: true,
    });
    assert!(!case.fires(SegmentationTestFailed));
}

// --- every rule, together ----------------------------------------------------

/// A scan that trips every rule at once: every kind appears, every text is
/// filled (no `{placeholder}` left), and keys are unique and stable.
#[test]
fn every_rule_fires_somewhere_with_complete_words() {
    let mut ssh = with_advisory("CVE-2024-6387", None);
    ssh.address = ip(WEB);
    let mut eol = with_advisory("EOL", Some("2024-07-01"));
    eol.port = 2222;
    eol.address = ip(WEB);
    let mut bad_tls = tls(&[TlsVersion::Tls10, TlsVersion::Tls11]);
    bad_tls.weak_suites = vec![
        WeakSuite {
            name: "TLS_RSA_WITH_NULL_SHA".into(),
            version: TlsVersion::Tls10,
            kind: WeakCipherKind::Null,
        },
        WeakSuite {
            name: "TLS_RSA_WITH_RC4_128_SHA".into(),
            version: TlsVersion::Tls10,
            kind: WeakCipherKind::Rc4,
        },
    ];
    if let Some(cert) = bad_tls.certificate.as_mut() {
        cert.expired = true;
        cert.self_signed = true;
        cert.name_matches = Some(false);
        cert.key_type = "RSA".into();
        cert.key_bits = Some(1024);
    }
    bad_tls.dh_bits = Some(768);
    let redis = with_open_access(
        service(WEB, 6379, "redis", Some("Redis"), Some("7.0.15")),
        OpenAccessKind::RedisNoAuth,
    );
    let snmp = with_open_access(
        port(WEB, 161, Protocol::Udp, PortState::Open),
        OpenAccessKind::SnmpPublicCommunity,
    );
    let mut remote_login = ssh_with(
        &[
            ("hmac-sha1-96", "MAC truncated to 96 bits, SHA-1"),
            (
                "chacha20-poly1305@openssh.com",
                "Terrapin (CVE-2023-48795): offered without strict key exchange",
            ),
        ],
        Some(true),
    );
    remote_login.port = 2200;
    let mut careless_site = web_with(
        true,
        &["/.git/HEAD (source repository)", "nginx default page"],
    );
    careless_site.port = 8080;
    let mut private_ca = with_certificate(|c| c.trusted = Some(false));
    private_ca.port = 8443;
    let web_ports = vec![
        private_ca,
        ssh,
        eol,
        remote_login,
        careless_site,
        open(WEB, 21),
        http(WEB, Some(false)),
        https(bad_tls),
        redis,
        snmp,
        service(WEB, 23, "telnet", None, None),
    ];
    let mut case = Case::new(vec![
        named_host(WEB, "shop.example.com", web_ports),
        host("10.9.9.9", vec![]),
        host(
            DB,
            vec![service(
                DB,
                80,
                "http",
                Some("Apache httpd"),
                Some("2.4.57"),
            )],
        ),
    ]);
    case.inventory.push(entry(1, 2, 80, Protocol::Tcp));
    case.inventory[0].service = Some("nginx".into());
    case.inventory.push(entry(2, 2, 8080, Protocol::Tcp));
    case.inventory.push(entry(3, 1, 21, Protocol::Tcp));
    case.inventory[2].expires_at = Some(now() - days(1));
    case.systems.push(system(
        3,
        "10.1.0.0/16",
        Exposure::Internal,
        Scope::OutOfScope,
    ));
    case.history = Default::default();
    case.history.last_segmentation_test = Some(SegmentationTest {
        at: now() - days(400),
        passed: false,
    });
    case.reported.push(portcullis_model::import::ReportedItem {
        source: portcullis_model::import::ReportSource::Greenbone,
        check_id: "1.3.6.1.4.1.25623.1.0.80091".into(),
        name: "TCP Timestamps Information Disclosure".into(),
        family: Some("General".into()),
        address: ip(WEB),
        port: None,
        protocol: None,
        service: None,
        level: portcullis_model::import::ReportedLevel::Low,
        cvss: None,
        cves: Vec::new(),
        synopsis: "The remote host implements TCP timestamps.".into(),
        solution: "Turn TCP timestamps off.".into(),
        output: String::new(),
        false_positive: false,
        quality: Some(80),
    });

    let findings = case.findings();
    for kind in portcullis_model::compliance::FindingKind::ALL {
        assert!(
            findings.iter().any(|f| f.kind == kind),
            "{} did not fire",
            kind.id()
        );
    }
    for finding in &findings {
        for text in [&finding.title, &finding.explanation, &finding.remedy] {
            assert!(
                !text.contains('{') && !text.contains('}'),
                "{}: unfilled placeholder in {text:?}",
                finding.kind.id()
            );
        }
        assert!(!finding.requirements.is_empty());
    }
    let mut keys: Vec<&str> = findings.iter().map(|f| f.key.as_str()).collect();
    keys.sort_unstable();
    let before = keys.len();
    keys.dedup();
    assert_eq!(keys.len(), before, "keys are unique");
    let again: Vec<String> = case.findings().into_iter().map(|f| f.key).collect();
    let first: Vec<String> = findings.iter().map(|f| f.key.clone()).collect();
    assert_eq!(again, first, "the same input gives the same findings");
    let severities: Vec<Severity> = findings.iter().map(|f| f.severity).collect();
    assert!(severities.windows(2).all(|w| w[0] >= w[1]), "worst first");
}

// --- ssh-weak-algorithms, ssh-terrapin and ssh-password-login ----------------

/// SSH on port 22 of [`WEB`] (internet-facing) offering `weak` algorithms
/// (name, why, as the scanner words them) and password login or not.
fn ssh_with(
    weak: &[(&str, &str)],
    password_login: Option<bool>,
) -> portcullis_model::scan::PortResult {
    let mut port = service(WEB, 22, "ssh", Some("OpenSSH"), Some("9.2p1"));
    port.posture = Some(Box::new(Posture {
        ssh: Some(SshPosture {
            banner: "SSH-2.0-OpenSSH_9.2p1".into(),
            kex: vec!["curve25519-sha256".into()],
            host_key: vec!["ssh-ed25519".into()],
            ciphers: vec!["aes128-ctr".into()],
            macs: vec!["hmac-sha2-256".into()],
            weak: weak
                .iter()
                .map(|(name, why)| WeakAlgorithm {
                    name: (*name).into(),
                    why: (*why).into(),
                    concern: if why.starts_with("MAC built on SHA-1") {
                        AlgorithmConcern::Dated
                    } else {
                        AlgorithmConcern::Weak
                    },
                })
                .collect(),
            auth_methods: if password_login == Some(true) {
                vec!["publickey".into(), "password".into()]
            } else {
                vec!["publickey".into()]
            },
            password_login,
        }),
        ..Posture::default()
    }));
    port
}

fn ssh_case(port: portcullis_model::scan::PortResult) -> Case {
    Case::new(vec![host(WEB, vec![port])]).approving_open_ports()
}

const TERRAPIN: (&str, &str) = (
    "chacha20-poly1305@openssh.com",
    "Terrapin (CVE-2023-48795): offered without strict key exchange",
);

#[test]
fn weak_ssh_algorithms_are_listed_in_one_finding_that_needs_action() {
    let case = ssh_case(ssh_with(
        &[
            ("aes128-cbc", "CBC mode (plaintext recovery, CVE-2008-5161)"),
            ("ssh-rsa", "RSA host key signatures with SHA-1"),
        ],
        Some(false),
    ));
    let finding = case.the(SshWeakAlgorithms);
    assert_eq!(finding.severity, Severity::Medium);
    assert!(
        finding.explanation.contains("aes128-cbc"),
        "{}",
        finding.explanation
    );
    assert!(finding.explanation.contains("ssh-rsa"));
    assert!(!case.fires(SshTerrapin));
}

/// OpenSSH's default hmac-sha1: ssh-audit warns, ASVs accept it.
const DATED_MAC: (&str, &str) = ("hmac-sha1", "MAC built on SHA-1: sound today, but dated");

#[test]
fn openssh_default_macs_alone_are_a_low_tidy_up_and_do_not_lower_a_weakness() {
    let dated_only = ssh_case(ssh_with(&[DATED_MAC], Some(false)));
    let finding = dated_only.the(SshWeakAlgorithms);
    assert_eq!(finding.severity, Severity::Low);
    assert!(finding.explanation.contains("hmac-sha1"));
    let with_cbc = ssh_case(ssh_with(
        &[
            DATED_MAC,
            ("aes128-cbc", "CBC mode (plaintext recovery, CVE-2008-5161)"),
        ],
        Some(false),
    ));
    assert_eq!(with_cbc.the(SshWeakAlgorithms).severity, Severity::Medium);
}

#[test]
fn broken_ssh_algorithms_fail() {
    let case = ssh_case(ssh_with(&[("arcfour256", "RC4 stream cipher")], None));
    assert_eq!(case.the(SshWeakAlgorithms).severity, Severity::High);
}

#[test]
fn modern_ssh_raises_nothing() {
    let case = ssh_case(ssh_with(&[], Some(false)));
    for kind in [SshWeakAlgorithms, SshTerrapin, SshPasswordLogin] {
        assert!(!case.fires(kind), "{}", kind.id());
    }
}

#[test]
fn terrapin_is_its_own_failing_finding() {
    let case = ssh_case(ssh_with(&[TERRAPIN], Some(false)));
    let finding = case.the(SshTerrapin);
    assert_eq!(finding.severity, Severity::High);
    assert!(
        finding
            .explanation
            .contains("chacha20-poly1305@openssh.com")
    );
    assert!(
        !case.fires(SshWeakAlgorithms),
        "Terrapin alone is not listed twice"
    );
}

#[test]
fn password_login_on_an_internet_facing_system_fires() {
    let case = ssh_case(ssh_with(&[], Some(true)));
    let finding = case.the(SshPasswordLogin);
    assert!(
        finding.explanation.contains("password"),
        "{}",
        finding.explanation
    );
}

#[test]
fn password_login_inside_or_unknown_is_quiet() {
    let mut inside = ssh_with(&[], Some(true));
    inside.address = ip(DB);
    let case = Case::new(vec![host(DB, vec![inside])]).approving_open_ports();
    assert!(
        !case.fires(SshPasswordLogin),
        "the database server is internal"
    );
    assert!(!ssh_case(ssh_with(&[], None)).fires(SshPasswordLogin));
}

// --- directory-listing, exposed-sensitive-page, exposed-admin-page ----------

/// Plain HTTP on port 80 of [`WEB`] that redirects, with a directory
/// listing or not and the pages the scanner found.
fn web_with(directory_listing: bool, pages: &[&str]) -> portcullis_model::scan::PortResult {
    let mut port = http(WEB, Some(true));
    if let Some(http) = port.posture.as_mut().and_then(|p| p.http.as_mut()) {
        http.directory_listing = directory_listing;
        http.title = directory_listing.then(|| "Index of /".into());
        http.exposed_pages = pages.iter().map(|page| (*page).into()).collect();
    }
    port
}

fn web_case(port: portcullis_model::scan::PortResult) -> Case {
    Case::new(vec![host(WEB, vec![port])]).approving_open_ports()
}

#[test]
fn a_directory_listing_fails() {
    let case = web_case(web_with(true, &[]));
    let finding = case.the(DirectoryListing);
    assert_eq!(finding.severity, Severity::High);
    assert!(finding.explanation.contains("Index of /"));
}

#[test]
fn a_git_folder_or_status_page_fails_and_cannot_be_accepted() {
    for page in [
        "/.git/HEAD (source repository)",
        "/nginx_status (nginx stub status)",
        "/server-status (Apache server status)",
    ] {
        let case = web_case(web_with(false, &[page]));
        let finding = case.the(ExposedSensitivePage);
        assert_eq!(finding.severity, Severity::High, "{page}");
        assert!(
            finding.explanation.contains(page),
            "{}",
            finding.explanation
        );
        assert!(!case.fires(ExposedAdminPage), "{page}");
    }
    let book = crate::rulebook::Rulebook::builtin();
    assert_eq!(
        book.rule(ExposedSensitivePage).accept,
        crate::rulebook::AcceptPolicy::No
    );
}

#[test]
fn admin_panels_and_default_pages_need_action() {
    let case = web_case(web_with(
        false,
        &["/phpmyadmin/ (phpMyAdmin)", "nginx default page"],
    ));
    let finding = case.the(ExposedAdminPage);
    assert_eq!(finding.severity, Severity::Medium);
    assert!(finding.explanation.contains("phpMyAdmin"));
    assert!(finding.explanation.contains("nginx default page"));
    assert!(!case.fires(ExposedSensitivePage));
}

#[test]
fn a_tidy_website_raises_no_page_finding() {
    let case = web_case(web_with(false, &[]));
    for kind in [DirectoryListing, ExposedSensitivePage, ExposedAdminPage] {
        assert!(!case.fires(kind), "{}", kind.id());
    }
}

// --- the remote-access and database groups ----------------------------------

#[test]
fn remote_support_tools_and_winrm_facing_the_internet_are_remote_access() {
    for number in [5985, 5986, 5938, 7070, 6568, 4899, 5631] {
        let case = Case::new(vec![host(WEB, vec![open(WEB, number)])]).approving_open_ports();
        assert!(case.fires(ExternalRemoteAccess), "tcp/{number}");
        let inside = Case::new(vec![host(DB, vec![open(DB, number)])]).approving_open_ports();
        assert!(!inside.fires(ExternalRemoteAccess), "tcp/{number} inside");
    }
    let pcanywhere_status = port(WEB, 5632, Protocol::Udp, PortState::Open);
    let case = Case::new(vec![host(WEB, vec![pcanywhere_status])]).approving_open_ports();
    assert!(case.fires(ExternalRemoteAccess), "udp/5632");
}

#[test]
fn more_databases_facing_the_internet_are_databases() {
    for number in [9300, 7474, 7687, 50000, 523] {
        let case = Case::new(vec![host(WEB, vec![open(WEB, number)])]).approving_open_ports();
        assert!(case.fires(ExternalDatabase), "tcp/{number}");
    }
    for number in [1434, 11211] {
        let datagram = port(WEB, number, Protocol::Udp, PortState::Open);
        let case = Case::new(vec![host(WEB, vec![datagram])]).approving_open_ports();
        assert!(case.fires(ExternalDatabase), "udp/{number}");
    }
    let neo4j = service(WEB, 7474, "neo4j", Some("Neo4j"), Some("5.12"));
    let case = Case::new(vec![host(WEB, vec![neo4j])]).approving_open_ports();
    let finding = case.the(ExternalDatabase);
    assert!(
        finding.explanation.contains("Neo4j graph database"),
        "{}",
        finding.explanation
    );
}

// --- weak-certificate --------------------------------------------------------

#[test]
fn a_short_rsa_key_or_a_sha1_signature_fails() {
    let short = with_certificate(|c| {
        c.key_type = "RSA".into();
        c.key_bits = Some(1024);
    });
    let case = Case::new(vec![host(WEB, vec![short])]).approving_open_ports();
    let finding = case.the(WeakCertificate);
    assert_eq!(finding.severity, Severity::High);
    assert!(
        finding.explanation.contains("1024-bit RSA"),
        "{}",
        finding.explanation
    );

    let sha1 = with_certificate(|c| c.signature = Some("sha1WithRSAEncryption".into()));
    let case = Case::new(vec![host(WEB, vec![sha1])]).approving_open_ports();
    assert!(
        case.the(WeakCertificate)
            .explanation
            .contains("sha1WithRSAEncryption")
    );
}

#[test]
fn strong_keys_ecdsa_and_self_signed_signatures_are_not_weak_certificates() {
    let cases = [
        with_certificate(|c| {
            c.key_type = "RSA".into();
            c.key_bits = Some(2048);
        }),
        with_certificate(|c| {
            c.key_type = "ECDSA".into();
            c.key_bits = Some(256);
        }),
        // Its own signature proves nothing; certificate-self-signed says so.
        with_certificate(|c| {
            c.self_signed = true;
            c.signature = Some("sha1WithRSAEncryption".into());
        }),
    ];
    for port in cases {
        let case = Case::new(vec![host(WEB, vec![port])]).approving_open_ports();
        assert!(!case.fires(WeakCertificate));
    }
}

// --- evaluation in parts ---------------------------------------------------

#[test]
fn hosts_given_part_by_part_find_what_the_whole_report_finds() {
    const STRAY: &str = "10.0.0.99";
    let mut case = Case::new(vec![
        host(DB, vec![open(DB, 3306), open(DB, 22)]),
        host(STRAY, vec![open(STRAY, 23), open(STRAY, 80)]),
        down("10.0.0.7"),
        host(WEB, vec![open(WEB, 443), open(WEB, 3389)]),
    ]);
    // Entries for ports the scan found shut (stale), and one it found open.
    case.inventory.push(entry(1, 2, 5432, Protocol::Tcp));
    case.inventory.push(entry(2, 1, 8443, Protocol::Tcp));
    case.inventory.push(entry(3, 2, 3306, Protocol::Tcp));
    let whole = case.findings();
    assert!(whole.len() > 5, "{whole:#?}");

    let input = EvaluationInput {
        report: &report(Vec::new()),
        coverage: &case.coverage,
        systems: &case.systems,
        inventory: &case.inventory,
        history: case.history,
        reported: &case.reported,
        now: now(),
    };
    let mut evaluation = crate::Rulebook::builtin().evaluation(&input);
    for part in case.report.hosts.chunks(1) {
        evaluation.hosts(part);
    }
    assert_eq!(evaluation.finish(), whole);
}
