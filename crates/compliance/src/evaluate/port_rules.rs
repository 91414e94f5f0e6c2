//! Rules about one open port: whether it is approved, whether it should be
//! reachable from where it is, whether its service is safe to run, and
//! whether its encryption and software are sound.

use chrono::DateTime;
use portcullis_model::compliance::{Exposure, FindingKind, Severity, System};
use portcullis_model::report::HostResult;
use portcullis_model::scan::PortResult;
use portcullis_model::service::{
    AlgorithmConcern, CertificateInfo, DistributionStatus, OpenAccessKind, Posture, TlsPosture,
    TlsVersion, VersionAdvisory, WeakAlgorithm, WeakCipherKind,
};

use super::{Draft, Evaluator, ServiceView, join_limited};
use crate::estate::entry_accepts;
use crate::rulebook::Category;

/// Everything a port rule needs to know about where it is.
struct Site<'a> {
    host: &'a HostResult,
    system: Option<&'a System>,
    view: ServiceView<'a>,
}

impl<'a> Site<'a> {
    fn external(&self) -> bool {
        self.system
            .is_some_and(|s| s.exposure == Exposure::External)
    }

    fn posture(&self) -> Option<&'a Posture> {
        self.view.port.posture.as_deref()
    }

    fn tls(&self) -> Option<&'a TlsPosture> {
        self.posture().and_then(|p| p.tls.as_ref())
    }

    fn draft<'d>(&self, ev: &Evaluator<'d>, kind: FindingKind, detail: String) -> Draft<'d>
    where
        'a: 'd,
    {
        let port = self.view.port;
        let mut evidence = self.view.evidence();
        if !detail.is_empty() {
            evidence.push_str("; ");
            evidence.push_str(&detail);
        }
        Draft {
            kind,
            system: self.system,
            address: Some(port.address),
            port: Some(port.port),
            protocol: Some(port.protocol),
            service_label: self.view.label(),
            what: self.view.plain(ev.book),
            detail,
            evidence,
            key: None,
            service: self.view.service_name(),
            product: self.view.product(),
            version: self.view.version(),
        }
    }
}

/// Runs every port rule on one open port.
pub(super) fn check<'h>(
    ev: &mut Evaluator<'_>,
    host: &'h HostResult,
    system: Option<&'h System>,
    port: &'h PortResult,
) {
    let site = Site {
        host,
        system,
        view: ServiceView::new(port),
    };
    inventory(ev, &site);
    let groups = &ev.book.categories;
    external(ev, &site, &groups.database, FindingKind::ExternalDatabase);
    // An unencrypted remote login facing the internet is one failing
    // finding, which says both what the remote-access and the cleartext
    // rules would.
    if !external_cleartext_login(ev, &site) {
        external(
            ev,
            &site,
            &groups.remote_access,
            FindingKind::ExternalRemoteAccess,
        );
        cleartext(ev, &site);
    }
    http_redirect(ev, &site);
    tls_versions(ev, &site);
    cipher_suites(ev, &site);
    dh_group(ev, &site);
    certificate(ev, &site);
    advisories(ev, &site);
    open_access(ev, &site);
    ssh_algorithms(ev, &site);
    ssh_password_login(ev, &site);
    web_pages(ev, &site);
}

/// A host that is up but that no system claims (checked once per host).
pub(super) fn unassigned_host(ev: &mut Evaluator<'_>, host: &HostResult) {
    let open: Vec<String> = host
        .ports_in(portcullis_model::scan::PortState::Open)
        .map(|p| format!("{}/{}", p.port, p.protocol.as_str()))
        .collect();
    let detail = if open.is_empty() {
        format!("it answered discovery: {}", host.host.reason)
    } else {
        format!("open ports: {}", join_limited(&open, 10))
    };
    let address = host.host.address;
    let kind = FindingKind::UnassignedHost;
    let mut evidence = format!("{address} up ({})", host.host.reason);
    if let Some(name) = &host.host.name {
        evidence.push_str(&format!(", scanned as {name}"));
    }
    ev.emit(Draft {
        kind,
        system: None,
        address: Some(address),
        port: None,
        protocol: None,
        service_label: "".into(),
        what: "".into(),
        detail,
        evidence,
        key: Some(format!("{}|{address}", kind.id())),
        service: None,
        product: None,
        version: None,
    });
}

/// Not in the inventory; or in it, but running something else.
fn inventory(ev: &mut Evaluator<'_>, site: &Site<'_>) {
    let Some(system) = site.system else { return };
    let port = site.view.port;
    match ev.inventory.get(system.id, port.protocol, port.port) {
        None => {
            let draft = site.draft(ev, FindingKind::UnlistedOpenPort, String::new());
            ev.emit(draft);
        }
        Some(entry) => {
            let Some(found) = site.view.identified else {
                return;
            };
            if !entry_accepts(entry, found) {
                let expected = [entry.service.as_deref(), entry.version.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                let detail = format!(
                    "{} where the inventory expects {expected}",
                    site.view.label()
                );
                let draft = site.draft(ev, FindingKind::InventoryMismatch, detail);
                ev.emit(draft);
            }
        }
    }
}

/// A service of a group that should not face the internet (databases,
/// remote access), on an internet-facing system.
fn external(ev: &mut Evaluator<'_>, site: &Site<'_>, group: &Category, kind: FindingKind) {
    if site.external() && site.view.is_in(group) {
        let draft = site.draft(ev, kind, String::new());
        ev.emit(draft);
    }
}

/// Cleartext services, on any system: PCI DSS 2.2.5 does not depend on
/// exposure. A service that speaks inside TLS is not cleartext. An SNMP
/// port counts only when it answered, which the scanner's probe (SNMP v1/v2c
/// with a community) establishes; an SNMPv3-only agent stays silent.
fn cleartext(ev: &mut Evaluator<'_>, site: &Site<'_>) {
    let listed = site.view.is_in(&ev.book.categories.cleartext) && !site.view.tls();
    if listed || telnet_seen(site) {
        let draft = site.draft(ev, FindingKind::CleartextService, String::new());
        ev.emit(draft);
    }
}

/// Telnet, rlogin, rsh or rexec on an internet-facing system; whether it
/// fired.
fn external_cleartext_login(ev: &mut Evaluator<'_>, site: &Site<'_>) -> bool {
    let fires = site.external()
        && !site.view.tls()
        && (site.view.is_in(&ev.book.categories.cleartext_login) || telnet_seen(site));
    if fires {
        let draft = site.draft(ev, FindingKind::ExternalCleartextLogin, String::new());
        ev.emit(draft);
    }
    fires
}

/// Whether the posture check saw a Telnet negotiation on the port.
fn telnet_seen(site: &Site<'_>) -> bool {
    site.posture().is_some_and(|p| {
        p.open_access
            .iter()
            .any(|a| a.kind == OpenAccessKind::TelnetPresent)
    })
}

/// Plain HTTP on an internet-facing system that does not send visitors to
/// HTTPS. Judged only when the posture check asked (`redirects_to_https` is
/// known); on internal systems PCI DSS 4.2.1 does not apply.
fn http_redirect(ev: &mut Evaluator<'_>, site: &Site<'_>) {
    if !site.external() || site.view.tls() {
        return;
    }
    let Some(http) = site.posture().and_then(|p| p.http.as_ref()) else {
        return;
    };
    if http.redirects_to_https != Some(false) {
        return;
    }
    let detail = match (http.status, &http.location) {
        (Some(status), Some(location)) => {
            format!("it answered with status {status}, sending visitors to {location}")
        }
        (Some(status), None) => format!("it answered with status {status}"),
        (None, _) => "it answered without a redirect".into(),
    };
    let draft = site.draft(ev, FindingKind::HttpWithoutHttpsRedirect, detail);
    ev.emit(draft);
}

fn tls_versions(ev: &mut Evaluator<'_>, site: &Site<'_>) {
    let Some(tls) = site.tls() else { return };
    let obsolete: Vec<&str> = tls
        .versions
        .iter()
        .filter(|v| matches!(v, TlsVersion::Ssl2 | TlsVersion::Ssl3 | TlsVersion::Tls10))
        .map(|v| v.label())
        .collect();
    if !obsolete.is_empty() {
        let draft = site.draft(ev, FindingKind::ObsoleteTls, obsolete.join(" and "));
        ev.emit(draft);
    }
    if tls.versions.contains(&TlsVersion::Tls11) {
        let draft = site.draft(ev, FindingKind::LegacyTls, "TLS 1.1".into());
        ev.emit(draft);
    }
}

/// Diffie-Hellman groups of 1024 bits or less can be broken by a
/// well-funded attacker (Logjam); an ASV fails them.
const WEAKEST_SAFE_DH_BITS: u32 = 1025;

fn dh_group(ev: &mut Evaluator<'_>, site: &Site<'_>) {
    let Some(bits) = site.tls().and_then(|tls| tls.dh_bits) else {
        return;
    };
    if bits < WEAKEST_SAFE_DH_BITS {
        let detail = format!("a {bits}-bit Diffie-Hellman group");
        let draft = site.draft(ev, FindingKind::WeakDhGroup, detail);
        ev.emit(draft);
    }
}

fn cipher_suites(ev: &mut Evaluator<'_>, site: &Site<'_>) {
    let Some(tls) = site.tls() else { return };
    let named = |kinds: &[WeakCipherKind]| {
        let mut names: Vec<&str> = tls
            .weak_suites
            .iter()
            .filter(|s| kinds.contains(&s.kind))
            .map(|s| s.name.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    };
    let insecure = named(&[
        WeakCipherKind::Anonymous,
        WeakCipherKind::Null,
        WeakCipherKind::Export,
    ]);
    if !insecure.is_empty() {
        let draft = site.draft(ev, FindingKind::InsecureCipher, join_limited(insecure, 6));
        ev.emit(draft);
    }
    let weak = named(&[WeakCipherKind::Rc4, WeakCipherKind::TripleDes]);
    if !weak.is_empty() {
        let draft = site.draft(ev, FindingKind::WeakCipher, join_limited(weak, 6));
        ev.emit(draft);
    }
}

/// Certificates matter where the public meets them: on internet-facing
/// systems. A certificate counts as expired when the scanner said so, or
/// when its end date is not after the evaluation's `now`.
fn certificate(ev: &mut Evaluator<'_>, site: &Site<'_>) {
    if !site.external() {
        return;
    }
    let Some(cert) = site.tls().and_then(|t| t.certificate.as_ref()) else {
        return;
    };
    if is_expired(cert, ev.input.now) {
        let detail = format!("valid until {}", cert.not_after);
        let draft = site.draft(ev, FindingKind::CertificateExpired, detail);
        ev.emit(draft);
    }
    if let Some(detail) = weak_certificate(cert) {
        let draft = site.draft(ev, FindingKind::WeakCertificate, detail);
        ev.emit(draft);
    }
    if cert.self_signed {
        let detail = format!("issued by {} to itself", cert.subject);
        let draft = site.draft(ev, FindingKind::CertificateSelfSigned, detail);
        ev.emit(draft);
    }
    // Self-signed is the plainest untrusted chain, said once as such.
    if !cert.self_signed && cert.trusted == Some(false) {
        let detail = format!("issued by {}", cert.issuer);
        let draft = site.draft(ev, FindingKind::CertificateUntrusted, detail);
        ev.emit(draft);
    }
    // A host scanned by address has no name to match: the certificate
    // names the site, and an ASV scanning by address does not fail it.
    let scanned_by_name = site.host.host.name.is_some();
    if cert.name_matches == Some(false) && scanned_by_name {
        let scanned = site
            .host
            .host
            .name
            .clone()
            .unwrap_or_else(|| site.host.host.address.to_string());
        let names = if cert.names.is_empty() {
            cert.subject.clone()
        } else {
            join_limited(&cert.names, 5)
        };
        let detail = format!("it names {names}; the scan reached {scanned}");
        let draft = site.draft(ev, FindingKind::CertificateNameMismatch, detail);
        ev.emit(draft);
    }
}

/// What the server's SSH key-exchange offer says about its algorithms:
/// Terrapin on its own (an ASV fails it), the other weak ones together.
/// The scanner flags Terrapin from the offer itself (strict key exchange
/// absent), never from the version.
fn ssh_algorithms(ev: &mut Evaluator<'_>, site: &Site<'_>) {
    let Some(ssh) = site.posture().and_then(|p| p.ssh.as_ref()) else {
        return;
    };
    let (terrapin, weak): (Vec<_>, Vec<_>) = ssh
        .weak
        .iter()
        .partition(|w| w.why.starts_with(TERRAPIN_WHY));
    if let Some(first) = terrapin.first() {
        let detail = format!("{} is offered without strict key exchange", first.name);
        let draft = site.draft(ev, FindingKind::SshTerrapin, detail);
        ev.emit(draft);
    }
    if weak.is_empty() {
        return;
    }
    let listed: Vec<String> = weak
        .iter()
        .map(|w| format!("{} ({})", w.name, w.why))
        .collect();
    let severity = ssh_weakness_severity(&weak);
    let draft = site.draft(ev, FindingKind::SshWeakAlgorithms, join_limited(&listed, 6));
    ev.emit(draft);
    if let Some(finding) = ev.findings.last_mut() {
        finding.severity = severity;
    }
}

/// RC4, single DES, no encryption and protocol 1 are what ASVs fail;
/// SHA-1 key exchange, CBC and 1024-bit groups are weaknesses to plan
/// away; OpenSSH's dated default MACs (hmac-sha1, umac-64) are a tidy-up.
fn ssh_weakness_severity(weak: &[&WeakAlgorithm]) -> Severity {
    if weak.iter().any(|w| is_broken_ssh_algorithm(&w.name)) {
        Severity::High
    } else if weak.iter().all(|w| w.concern == AlgorithmConcern::Dated) {
        Severity::Low
    } else {
        Severity::Medium
    }
}

/// How the scanner's Terrapin entry begins (posture/ssh.rs).
const TERRAPIN_WHY: &str = "Terrapin";

fn is_broken_ssh_algorithm(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "none"
        || lower.starts_with("arcfour")
        || lower.starts_with("des-cbc")
        || lower.starts_with("ssh protocol 1")
}

/// Password login offered to the whole internet: anyone can guess. Only
/// internet-facing systems; inside, the firewall limits who can try.
fn ssh_password_login(ev: &mut Evaluator<'_>, site: &Site<'_>) {
    if !site.external() {
        return;
    }
    let Some(ssh) = site.posture().and_then(|p| p.ssh.as_ref()) else {
        return;
    };
    if ssh.password_login == Some(true) {
        let detail = format!("it offers {}", ssh.auth_methods.join(", "));
        let draft = site.draft(ev, FindingKind::SshPasswordLogin, detail);
        ev.emit(draft);
    }
}

/// What a web server shows anyone: a folder's file list, pages that give
/// away internals, admin panels and default pages. On every system: a
/// status page or a `.git` inside the network helps an intruder as much.
fn web_pages(ev: &mut Evaluator<'_>, site: &Site<'_>) {
    let Some(http) = site.posture().and_then(|p| p.http.as_ref()) else {
        return;
    };
    if http.directory_listing {
        let detail = match &http.title {
            Some(title) => format!("the page titled \"{title}\" lists files"),
            None => "the home page lists files".into(),
        };
        let draft = site.draft(ev, FindingKind::DirectoryListing, detail);
        ev.emit(draft);
    }
    let (sensitive, admin): (Vec<&String>, Vec<&String>) = http
        .exposed_pages
        .iter()
        .partition(|page| is_sensitive_page(page));
    for (kind, pages) in [
        (FindingKind::ExposedSensitivePage, sensitive),
        (FindingKind::ExposedAdminPage, admin),
    ] {
        if !pages.is_empty() {
            let draft = site.draft(ev, kind, join_limited(pages, 6));
            ev.emit(draft);
        }
    }
}

/// Pages that give away internals: a source repository, or a server's
/// status page (who is connected, what is requested).
fn is_sensitive_page(page: &str) -> bool {
    const SENSITIVE: [&str; 3] = ["/.git", "/server-status", "/nginx_status"];
    SENSITIVE.iter().any(|path| page.starts_with(path))
}

/// A key an ASV calls too short (RSA or DSA under 2048 bits), or a
/// signature made with a broken hash (MD5, SHA-1). A self-signed
/// certificate's own signature proves nothing anyway, and has its finding.
fn weak_certificate(cert: &CertificateInfo) -> Option<String> {
    let mut weaknesses = Vec::new();
    let short_key = matches!(cert.key_type.as_str(), "RSA" | "DSA")
        && cert.key_bits.is_some_and(|bits| bits < 2048);
    if short_key && let Some(bits) = cert.key_bits {
        weaknesses.push(format!("a {bits}-bit {} key", cert.key_type));
    }
    let signature = cert.signature.as_deref().unwrap_or_default();
    let lower = signature.to_ascii_lowercase();
    if !cert.self_signed && (lower.contains("md5") || lower.contains("sha1")) {
        weaknesses.push(format!("a {signature} signature"));
    }
    (!weaknesses.is_empty()).then(|| weaknesses.join(" and "))
}

fn is_expired(cert: &CertificateInfo, now: chrono::DateTime<chrono::Utc>) -> bool {
    cert.expired || DateTime::parse_from_rfc3339(&cert.not_after).is_ok_and(|end| end <= now)
}

/// Known vulnerabilities and end-of-life releases, from the scanner's
/// advisory matches, judged as an ASV judges them: one finding of each
/// kind per port, listing them all, as severe as the worst.
fn advisories(ev: &mut Evaluator<'_>, site: &Site<'_>) {
    let Some(posture) = site.posture() else {
        return;
    };
    let (end_of_life, vulnerable): (Vec<_>, Vec<_>) = posture
        .advisories
        .iter()
        .partition(|a| a.id.eq_ignore_ascii_case("EOL"));
    for (kind, matches) in [
        (FindingKind::VulnerableVersion, vulnerable),
        (FindingKind::EndOfLifeVersion, end_of_life),
    ] {
        let judged: Vec<Judged> = matches.into_iter().filter_map(judge).collect();
        let Some(severity) = judged.iter().map(|j| j.severity).max() else {
            continue;
        };
        let failing: Vec<&str> = judged
            .iter()
            .filter(|j| j.fails())
            .map(|j| j.text.as_str())
            .collect();
        let passing: Vec<&str> = judged
            .iter()
            .filter(|j| !j.fails())
            .map(|j| j.text.as_str())
            .collect();
        let mut detail = numbered(&failing);
        if !passing.is_empty() {
            if !detail.is_empty() {
                detail.push_str("; and, not failing the system: ");
            }
            detail.push_str(&numbered(&passing));
        }
        let sources = judged.iter().map(|j| j.source.as_str());
        let mut draft = site.draft(ev, kind, detail);
        draft
            .evidence
            .push_str(&format!("; sources: {}", join_limited(sources, 5)));
        ev.emit(draft);
        // The rule's severity is the worst a match can be; this finding is
        // as severe as its worst match.
        if let Some(finding) = ev.findings.last_mut() {
            finding.severity = severity;
        }
    }
}

/// Items in one sentence, numbered when there are several: "(1) ...; (2)
/// ...", at most 6, saying how many more there were.
fn numbered(items: &[&str]) -> String {
    const SHOWN: usize = 6;
    if items.len() == 1 {
        return items[0].to_owned();
    }
    let mut text = items
        .iter()
        .take(SHOWN)
        .enumerate()
        .map(|(index, item)| format!("({}) {item}", index + 1))
        .collect::<Vec<_>>()
        .join("; ");
    if items.len() > SHOWN {
        text.push_str(&format!("; and {} more", items.len() - SHOWN));
    }
    text
}

/// One advisory match, judged.
struct Judged {
    severity: Severity,
    /// What it is and, when it does not fail the system, why.
    text: String,
    source: String,
}

impl Judged {
    fn fails(&self) -> bool {
        self.severity >= Severity::High
    }
}

/// How an ASV weighs one match: a score of 4.0 or more fails the system
/// (9.0 or more is Critical), an unsupported release fails it by rule,
/// and a match that is flagged, scored under 4.0, fixed by the
/// distribution's package, or left to confirm on the server does not
/// (Low; Info for an upstream end of life the distribution still
/// supports). `None` for a distribution build that carries the fix.
fn judge(advisory: &VersionAdvisory) -> Option<Judged> {
    let a = advisory;
    let source = a.source.clone();
    let score = a.cvss.map(|s| format!("CVSS {s}, ")).unwrap_or_default();
    if a.id.eq_ignore_ascii_case("EOL") {
        let ended = match &a.end_of_life {
            Some(date) => format!("{} {}: support ended on {date}", a.product, a.version),
            None => format!("{} {}: {}", a.product, a.version, a.summary),
        };
        let (severity, text) = match &a.distribution {
            DistributionStatus::Fixed { .. } => return None,
            DistributionStatus::Supported {
                build,
                release,
                until,
                ..
            } => (
                Severity::Info,
                format!(
                    "{ended} upstream, but this is {release}'s package ({build}), which {release} supports until {until}: it is not end of life while you keep it updated"
                ),
            ),
            DistributionStatus::NeedsConfirmation { build, command } => (
                Severity::Low,
                format!(
                    "{ended} upstream, but this is a Linux distribution's build ({build}), and a distribution keeps supporting the packages of a release it still supports: run `{command}` on the server to see the release, and check that it is still supported"
                ),
            ),
            DistributionStatus::Upstream | DistributionStatus::NotFixed { .. } => {
                (Severity::High, ended)
            }
        };
        return Some(Judged {
            severity,
            text,
            source,
        });
    }
    let what = format!("{} ({score}{})", a.id, sentence_part(&a.summary));
    let built = match &a.distribution {
        DistributionStatus::Fixed { .. } | DistributionStatus::Supported { .. } => return None,
        DistributionStatus::NeedsConfirmation { build, command } => {
            return Some(Judged {
                severity: Severity::Low,
                text: format!(
                    "{what} needs confirmation: this is a Linux distribution's build ({build}), which may carry the fix without a new version number, so run `{command}` on the server to confirm it"
                ),
                source,
            });
        }
        DistributionStatus::NotFixed {
            build, fixed_in, ..
        } => format!(", and this build ({build}) is older than the fixed package {fixed_in}"),
        DistributionStatus::Upstream => String::new(),
    };
    if !a.flags.is_empty() {
        let reasons: Vec<String> = a
            .flags
            .iter()
            .map(|f| f.reason(a.condition.as_deref()))
            .collect();
        return Some(Judged {
            severity: Severity::Low,
            text: format!(
                "{what}{built} does not fail the system because {}, so check that this does not apply to you",
                reasons.join(", and ")
            ),
            source,
        });
    }
    let severity = match a.cvss {
        Some(score) if !score.fails_asv() => Severity::Low,
        Some(score) if score.tenths() >= 90 => Severity::Critical,
        // A score of 4.0 or more, or none known: it fails, as an ASV fails it.
        _ => Severity::High,
    };
    let text = if severity == Severity::Low {
        format!("{what}{built} does not fail the system: it is scored under 4.0")
    } else {
        format!("{what}, affects {}{built}", a.affected)
    };
    Some(Judged {
        severity,
        text,
        source,
    })
}

/// A summary sentence as part of another: its full stop dropped, and its
/// first letter lowered when it starts an ordinary word ("A crafted
/// file..." but not "TLS session..." or the name in "Heartbleed: ...").
fn sentence_part(summary: &str) -> String {
    let summary = summary.trim().trim_end_matches('.');
    let word = summary.split(' ').next().unwrap_or_default();
    let mut letters = word.chars();
    let ordinary =
        letters.next().is_some_and(char::is_uppercase) && letters.all(char::is_lowercase);
    if ordinary {
        let mut chars = summary.chars();
        chars
            .next()
            .into_iter()
            .flat_map(char::to_lowercase)
            .chain(chars)
            .collect()
    } else {
        summary.to_owned()
    }
}

/// Services that answered without asking who we are. Telnet's presence is
/// the cleartext rule's business.
fn open_access(ev: &mut Evaluator<'_>, site: &Site<'_>) {
    let Some(posture) = site.posture() else {
        return;
    };
    let unauthenticated: Vec<&str> = posture
        .open_access
        .iter()
        .filter(|a| {
            matches!(
                a.kind,
                OpenAccessKind::RedisNoAuth
                    | OpenAccessKind::MongoDbNoAuth
                    | OpenAccessKind::MemcachedNoAuth
                    | OpenAccessKind::ElasticsearchNoAuth
                    | OpenAccessKind::FtpAnonymous
            )
        })
        .map(|a| a.detail.as_str())
        .collect();
    if !unauthenticated.is_empty() {
        let detail = join_limited(unauthenticated, 3);
        let draft = site.draft(ev, FindingKind::UnauthenticatedAccess, detail);
        ev.emit(draft);
    }
    if let Some(snmp) = posture
        .open_access
        .iter()
        .find(|a| a.kind == OpenAccessKind::SnmpPublicCommunity)
    {
        let draft = site.draft(ev, FindingKind::DefaultSnmpCommunity, snmp.detail.clone());
        ev.emit(draft);
    }
}
