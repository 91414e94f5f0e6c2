use std::net::IpAddr;
use std::sync::Arc;

use portcullis_model::FindingId;
use portcullis_model::compliance::{
    Finding, FindingKind, FixSteps, Platform, PlatformChoice, PlatformFamily, Severity,
};
use portcullis_model::scan::Protocol;

use super::text::Text;
use super::{FixRequest, KnowledgeBase};

/// Kinds about the programme or the inventory, not about what runs on a
/// port: their findings carry no service.
const NOT_ABOUT_A_SERVICE: [FindingKind; 8] = [
    FindingKind::UnassignedHost,
    FindingKind::StaleInventoryEntry,
    FindingKind::ExpiredInventoryEntry,
    FindingKind::InternalScanOverdue,
    FindingKind::ExternalScanOverdue,
    FindingKind::SegmentationTestOverdue,
    FindingKind::SegmentationTestFailed,
    FindingKind::ReportedProblem,
];

/// A finding of `kind` as the evaluator would shape it, on a service
/// known by `name` (or none).
fn finding(kind: FindingKind, name: Option<&str>) -> Finding {
    let address: IpAddr = "203.0.113.10".parse().unwrap();
    let (address, port, protocol) = match kind {
        FindingKind::UnassignedHost => (Some(address), None, None),
        // A reported problem with no service is the host-wide kind.
        FindingKind::ReportedProblem if name.is_none() => (Some(address), None, None),
        FindingKind::InternalScanOverdue
        | FindingKind::ExternalScanOverdue
        | FindingKind::SegmentationTestOverdue
        | FindingKind::SegmentationTestFailed => (None, None, None),
        _ => (Some(address), Some(3306), Some(Protocol::Tcp)),
    };
    Finding {
        kind,
        severity: Severity::High,
        title: "title".into(),
        explanation: Arc::from("Why it matters."),
        remedy: "remedy".into(),
        requirements: Arc::from(vec!["1.2.5".to_owned()]),
        system_id: None,
        address,
        port,
        protocol,
        service: name.map(str::to_owned),
        product: None,
        version: Some("1.0".into()),
        evidence: String::new(),
        key: kind.id().into(),
    }
}

fn request(finding: &Finding, platform: Platform) -> FixRequest<'_> {
    FixRequest {
        finding_id: FindingId::from(1),
        finding,
        system: "Web shop",
        platform,
        choice: &PlatformChoice::Stated,
    }
}

fn fix_for(finding: &Finding, platform: Platform) -> Option<FixSteps> {
    KnowledgeBase::builtin().fix(request(finding, platform))
}

/// Every service name the knowledge base knows, and none.
fn every_service_name() -> Vec<Option<String>> {
    let base = KnowledgeBase::builtin();
    let mut names: Vec<Option<String>> = base
        .services()
        .iter()
        .flat_map(|service| service.names.iter().cloned().map(Some))
        .collect();
    names.push(None);
    names.push(Some("unknown".into()));
    names
}

#[test]
fn every_kind_has_a_filled_fix_for_every_service_on_every_platform() {
    let mut missing = Vec::new();
    for kind in FindingKind::ALL {
        let names = if NOT_ABOUT_A_SERVICE.contains(&kind) {
            vec![None]
        } else {
            every_service_name()
        };
        for name in &names {
            let finding = finding(kind, name.as_deref());
            for platform in Platform::ALL {
                // A fix is only given with every placeholder filled
                // (Text::fill), so "a fix" is "a filled fix".
                if fix_for(&finding, platform).is_none() {
                    missing.push(format!("{} {name:?} on {}", kind.id(), platform.id()));
                }
            }
        }
    }
    assert!(missing.is_empty(), "no fix for:\n{}", missing.join("\n"));
}

/// Linux and Windows get their own commands for every kind about a
/// service, never only the words every platform shares.
#[test]
fn linux_and_windows_have_their_own_fix_for_every_kind() {
    let base = KnowledgeBase::builtin();
    for kind in FindingKind::ALL {
        for family in [PlatformFamily::Linux, PlatformFamily::Windows] {
            let own = base.fixes().iter().any(|fix| {
                fix.kinds.contains(&kind)
                    && fix.platforms.iter().any(|named| {
                        named == family.id()
                            || Platform::ALL
                                .iter()
                                .any(|p| p.family() == family && p.id() == named)
                    })
            });
            let shared = base
                .fixes()
                .iter()
                .any(|fix| fix.kinds.contains(&kind) && fix.platforms.iter().any(|p| p == "any"));
            assert!(
                own || (shared && NOT_ABOUT_A_SERVICE.contains(&kind)),
                "{} has no fix of its own for {}",
                kind.id(),
                family.id()
            );
        }
    }
}

/// A fix that an earlier one always wins over is dead text: it is never
/// shown, so nobody ever reads it.
#[test]
fn every_fix_is_chosen_for_some_finding() {
    let base = KnowledgeBase::builtin();
    let mut chosen = vec![false; base.fixes().len()];
    for kind in FindingKind::ALL {
        for name in every_service_name() {
            let finding = finding(kind, name.as_deref());
            for platform in Platform::ALL {
                if let Some((index, _)) = base.choose(request(&finding, platform)) {
                    chosen[index] = true;
                }
            }
        }
    }
    let never: Vec<String> = base
        .fixes()
        .iter()
        .zip(&chosen)
        .filter(|(_, chosen)| !**chosen)
        .map(|(fix, _)| format!("{}: {}", fix.source, fix.title.words()))
        .collect();
    assert!(never.is_empty(), "never chosen:\n{}", never.join("\n"));
}

#[test]
fn every_service_rules_toml_describes_is_in_the_knowledge_base() {
    let rules: toml::Table = toml::from_str(crate::rulebook::BUILTIN).unwrap();
    let base = KnowledgeBase::builtin();
    let listed = rules["service"].as_array().unwrap();
    for group in listed {
        for name in group["names"].as_array().unwrap() {
            let name = name.as_str().unwrap();
            assert!(
                base.services().iter().any(|s| s.answers_to(name)),
                "rules.toml describes \"{name}\"; services.toml has no entry for it"
            );
        }
    }
}

/// The services the scanner names what it identifies by (its protocols'
/// IANA names: crates/scanner/src/identify/protocols/mod.rs).
const IDENTIFIED: [&str; 30] = [
    "http",
    "https",
    "ssh",
    "ftp",
    "ftps",
    "smtp",
    "submission",
    "submissions",
    "pop3",
    "pop3s",
    "imap",
    "imaps",
    "mysql",
    "postgresql",
    "redis",
    "mongodb",
    "memcache",
    "ms-wbt-server",
    "netbios-ssn",
    "microsoft-ds",
    "telnet",
    "rfb",
    "domain",
    "snmp",
    "ntp",
    "ldap",
    "ldaps",
    "mqtt",
    "amqp",
    "amqps",
];

#[test]
fn every_identified_service_has_its_own_entry() {
    let base = KnowledgeBase::builtin();
    for name in IDENTIFIED {
        let service = base.service_of(&finding(FindingKind::UnlistedOpenPort, Some(name)));
        assert_ne!(service.id, "other", "{name} has no entry in services.toml");
    }
}

#[test]
fn an_external_database_on_debian_is_closed_with_its_own_settings() {
    let mut mysql = finding(FindingKind::ExternalDatabase, Some("mysql"));
    mysql.product = Some("MariaDB".into());
    let fix = fix_for(&mysql, Platform::Debian).unwrap();
    assert_eq!(fix.title, "Make MySQL answer only on this computer");
    let steps = fix.steps.join("\n");
    assert!(steps.contains("`sudo nano /etc/mysql/mariadb.conf.d/50-server.cnf`"));
    assert!(steps.contains("`bind-address = 127.0.0.1`"));
    assert!(steps.contains("`sudo systemctl restart mariadb`"));
    assert!(fix.what.starts_with("MySQL and MariaDB are databases"));
    let windows = fix_for(&mysql, Platform::Windows).unwrap();
    assert!(
        windows
            .steps
            .join("\n")
            .contains("Restart-Service -Name MySQL80")
    );
    // On RHEL the same fix names RHEL's file.
    let rhel = fix_for(&mysql, Platform::Rhel).unwrap();
    assert!(
        rhel.steps
            .join("\n")
            .contains("/etc/my.cnf.d/mariadb-server.cnf")
    );
}

#[test]
fn a_service_without_the_facts_falls_back_to_closing_the_port() {
    // CouchDB has no `listen` line written down: the general fix fills.
    let couch = finding(FindingKind::ExternalDatabase, Some("couchdb"));
    let fix = fix_for(&couch, Platform::Debian).unwrap();
    assert!(fix.title.contains("port 3306"), "{}", fix.title);
    assert!(fix.steps.join("\n").contains("sudo ufw deny 3306/tcp"));
    let windows = fix_for(&couch, Platform::WindowsServer).unwrap();
    assert!(
        windows
            .steps
            .join("\n")
            .contains("-Protocol TCP -LocalPort 3306")
    );
}

#[test]
fn a_bad_knowledge_base_is_refused_with_where() {
    let services = (
        "services.toml",
        "[[service]]\nid = \"other\"\nnames = []\nwhat = \"w\"\nwhy = \"y\"\n",
    );
    let unknown_platform = (
        "fixes/x.toml",
        "[[fix]]\nkinds = [\"unlisted-open-port\"]\nplatforms = [\"beos\"]\ntitle = \"t\"\n\
         steps = [\"s\"]\ncheck = \"c\"\nbreaks = \"b\"\nprovider = \"p\"\nundo = \"u\"\n",
    );
    let error = KnowledgeBase::read(services, &[unknown_platform]).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("fixes/x.toml: fix \"t\": unknown platform \"beos\""),
        "{error}"
    );
    let unclosed = (
        "fixes/y.toml",
        "[[fix]]\nkinds = [\"unlisted-open-port\"]\nplatforms = [\"any\"]\ntitle = \"t {port\"\n\
         steps = [\"s\"]\ncheck = \"c\"\nbreaks = \"b\"\nprovider = \"p\"\nundo = \"u\"\n",
    );
    let error = KnowledgeBase::read(services, &[unclosed]).unwrap_err();
    assert!(error.to_string().contains("never closed"), "{error}");
    let typo = (
        "fixes/z.toml",
        "[[fix]]\nkinds = [\"unlisted-open-port\"]\nplatforms = [\"any\"]\ntitle = \"t\"\n\
         steps = [\"Close {prot}\"]\ncheck = \"c\"\nbreaks = \"b\"\nprovider = \"p\"\nundo = \"u\"\n",
    );
    let error = KnowledgeBase::read(services, &[typo]).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("fixes/z.toml: fix \"t\": no finding or service fills {prot}"),
        "{error}"
    );
}

/// The highest Flesch-Kincaid grade a text may have: a merchant who left
/// school at 15 reads it.
const MAX_GRADE: f64 = 9.0;

/// What a reader reads of `text`: each command in backticks and each
/// placeholder counted as one short word.
fn readable(text: &str) -> String {
    let mut out = String::new();
    for (index, part) in text.split('`').enumerate() {
        if index % 2 == 0 {
            out.push_str(part);
        } else {
            out.push_str("it");
        }
    }
    Text::parse(&out).map_or(out, |parsed| parsed.words())
}

fn grade(text: &str) -> f64 {
    textstat::flesch_kincaid_grade(&readable(text))
}

/// Every user-facing text in assets/: the rule book's explanations and
/// remedies, the knowledge base's services and fixes, and the summary of
/// every advisory in assets/advisories/versions.toml (the scanner reads
/// that file; it is parsed here as plain TOML).
fn every_text() -> Vec<(String, String)> {
    let mut texts = Vec::new();
    let rules: toml::Table = toml::from_str(crate::rulebook::BUILTIN).unwrap();
    for rule in rules["rule"].as_array().unwrap() {
        let id = rule["id"].as_str().unwrap();
        for field in ["explanation", "remedy"] {
            let text = rule[field].as_str().unwrap().to_owned();
            texts.push((format!("rules.toml {id} {field}"), text));
        }
    }
    let base = KnowledgeBase::builtin();
    for service in base.services() {
        texts.push((
            format!("services.toml {}", service.id),
            format!("{} {}", service.what, service.why),
        ));
    }
    for fix in base.fixes() {
        let steps: Vec<String> = fix.steps.iter().map(Text::words).collect();
        for (field, text) in [
            ("steps", steps.join(" ")),
            ("check", fix.check.words()),
            ("breaks", fix.breaks.words()),
            ("provider", fix.provider.words()),
            ("undo", fix.undo.words()),
        ] {
            texts.push((
                format!("{} \"{}\" {field}", fix.source, fix.title.words()),
                text,
            ));
        }
    }
    let advisories: toml::Table =
        toml::from_str(include_str!("../../../../assets/advisories/versions.toml")).unwrap();
    for advisory in advisories["advisory"].as_array().unwrap() {
        let [product, id, summary] =
            ["product", "id", "summary"].map(|field| advisory[field].as_str().unwrap());
        // The ranges tell apart the end-of-life entries of one product.
        let affected: Vec<&str> = advisory["affected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|range| range.as_str().unwrap())
            .collect();
        let affected = affected.join("; ");
        texts.push((
            format!("versions.toml {product} {id} ({affected}) summary"),
            summary.to_owned(),
        ));
    }
    texts
}

#[test]
fn every_text_reads_at_grade_nine_or_below() {
    let hard: Vec<String> = every_text()
        .into_iter()
        .map(|(place, text)| (place, grade(&text)))
        .filter(|(_, grade)| *grade > MAX_GRADE)
        .map(|(place, grade)| format!("{place}: grade {grade:.1}"))
        .collect();
    assert!(
        hard.is_empty(),
        "{} texts read above grade {MAX_GRADE}; use shorter sentences and words:\n{}",
        hard.len(),
        hard.join("\n")
    );
}

#[test]
fn the_grade_tells_plain_words_from_dense_ones() {
    let plain = "Close the port. Then scan again. It should be shut.";
    let dense = "Administrators should systematically reconfigure authentication \
                 infrastructure, prioritising cryptographically robust \
                 implementations throughout organisational environments.";
    assert!(grade(plain) < 4.0, "{}", grade(plain));
    assert!(grade(dense) > 15.0, "{}", grade(dense));
    assert_eq!(
        readable("Run `sudo systemctl restart {unit}` now."),
        "Run it now."
    );
}
