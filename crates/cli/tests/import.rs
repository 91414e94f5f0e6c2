//! `portcullis import` as a user runs it, on a real database file in a
//! temporary directory: an nmap XML file becomes a judged scan; a file
//! that is hostile, of another kind or broken is refused with what is
//! wrong, and the database is left as it was. Nothing is scanned.

mod common;

use std::path::Path;
use std::process::Command;

use common::{ok, portcullis, write};

/// An nmap `-sV` run against a shop's server that faces the internet:
/// SSH, and MySQL open to everyone.
const SCAN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<nmaprun scanner="nmap" args="nmap -sS -sV -p 22,80,3306 203.0.113.10" start="1764979200" version="7.93" xmloutputversion="1.05">
<scaninfo type="syn" protocol="tcp" numservices="3" services="22,80,3306"/>
<host><status state="up" reason="echo-reply"/>
<address addr="203.0.113.10" addrtype="ipv4"/>
<ports>
<port protocol="tcp" portid="22"><state state="open" reason="syn-ack"/><service name="ssh" product="OpenSSH" version="9.2p1 Debian 2+deb12u3" method="probed" conf="10"/></port>
<port protocol="tcp" portid="80"><state state="closed" reason="reset"/><service name="http" method="table" conf="3"/></port>
<port protocol="tcp" portid="3306"><state state="open" reason="syn-ack"/><service name="mysql" product="MySQL" version="8.0.36" method="probed" conf="10"/></port>
</ports>
</host>
<runstats><finished elapsed="4.10" exit="success"/><hosts up="1" down="0" total="1"/></runstats>
</nmaprun>
"#;

fn add_shop(data_dir: &Path) {
    ok(
        data_dir,
        &[
            "systems",
            "add",
            "Web shop",
            "--address",
            "203.0.113.10",
            "--role",
            "web-server",
            "--scope",
            "cde",
            "--exposure",
            "external",
        ],
    );
}

fn scan_count(data_dir: &Path) -> usize {
    let scans: serde_json::Value =
        serde_json::from_str(&ok(data_dir, &["scans", "--json"])).unwrap();
    scans.as_array().unwrap().len()
}

#[test]
fn an_nmap_file_becomes_a_judged_scan_with_its_findings() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    add_shop(data);
    let file = write(data, "shop.xml", SCAN.as_bytes());
    let said = ok(
        data,
        &["import", file.to_str().unwrap(), "--origin", "external"],
    );
    assert!(
        said.contains(
            "Imported nmap XML (-oX) from nmap 7.93 as scan 1: 1 hosts up, 2 open ports."
        ),
        "{said}"
    );

    let findings = ok(data, &["findings", "--json"]);
    let findings: serde_json::Value = serde_json::from_str(&findings).unwrap();
    let kinds: Vec<(String, u64)> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|record| {
            (
                record["finding"]["kind"].as_str().unwrap().to_owned(),
                record["finding"]["port"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert!(
        kinds.contains(&("external-database".to_owned(), 3306)),
        "{kinds:?}"
    );

    // nmap's identification is kept: the finding names the product.
    let database = findings
        .as_array()
        .unwrap()
        .iter()
        .find(|record| record["finding"]["kind"] == "external-database")
        .unwrap();
    assert_eq!(database["finding"]["product"], "MySQL", "{database}");
}

#[test]
fn a_bad_file_is_refused_with_why_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    add_shop(data);
    let good = write(data, "good.xml", SCAN.as_bytes());
    ok(data, &["import", good.to_str().unwrap()]);
    assert_eq!(scan_count(data), 1);
    let findings_before = ok(data, &["findings", "--json"]);

    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE nmaprun [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<nmaprun scanner="nmap" args="&lol2;"></nmaprun>"#;
    let external = r#"<?xml version="1.0"?>
<!DOCTYPE nmaprun [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<nmaprun scanner="nmap" args="&xxe;"></nmaprun>"#;
    let nessus = r#"<?xml version="1.0" ?>
<NessusClientData_v2><Report name="ASV scan"><ReportHost name="203.0.113.10"/></Report></NessusClientData_v2>"#;
    let mut invalid = SCAN.as_bytes().to_vec();
    let at = SCAN.find("MySQL").unwrap();
    invalid[at] = 0xff;
    // Halfway through its last host: the host before it would import, so
    // the cut is inside the only host's port list, at a broken tag.
    let broken = SCAN.replacen("</ports>", "</portz>", 1);
    let huge = format!(
        "<nmaprun scanner=\"nmap\" args=\"{}\"></nmaprun>",
        "a".repeat(6 * 1024 * 1024)
    );
    let cases: [(&str, &[u8], &str); 6] = [
        ("laughs.xml", laughs.as_bytes(), "document type"),
        ("external.xml", external.as_bytes(), "document type"),
        ("renamed.xml", nessus.as_bytes(), "Nessus report"),
        ("invalid.xml", &invalid, "not well-formed"),
        ("broken.xml", broken.as_bytes(), "not well-formed"),
        ("huge.xml", huge.as_bytes(), "longer than"),
    ];
    for (name, content, why) in cases {
        let path = write(data, name, content);
        let output = portcullis(data, &["import", path.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(2), "{name}: {output:?}");
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(said.contains(name), "{name}: {said}");
        assert!(said.contains(why), "{name}: {said}");
        assert_eq!(scan_count(data), 1, "{name} left a scan behind");
        assert_eq!(ok(data, &["findings", "--json"]), findings_before, "{name}");
    }
}

#[test]
fn an_interrupted_run_is_kept_unjudged_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    add_shop(data);
    let cut = &SCAN[..SCAN.find("<runstats>").unwrap()];
    let file = write(data, "interrupted.xml", cut.as_bytes());
    let said = ok(data, &["import", file.to_str().unwrap()]);
    assert!(
        said.contains("Warning: the file ends before nmap finished"),
        "{said}"
    );
    assert!(said.contains("Not judged"), "{said}");
    assert_eq!(scan_count(data), 1);
    let findings: serde_json::Value =
        serde_json::from_str(&ok(data, &["findings", "--json"])).unwrap();
    assert_eq!(findings.as_array().unwrap().len(), 0);
}

/// An ASV's Nessus report, written here from Tenable's documented format.
const NESSUS: &str = include_str!("../../formats/tests/fixtures/asv-scan.nessus");

fn findings(data_dir: &Path) -> Vec<serde_json::Value> {
    let all: serde_json::Value =
        serde_json::from_str(&ok(data_dir, &["findings", "--json"])).unwrap();
    all.as_array().unwrap().clone()
}

fn finding_of<'f>(
    findings: &'f [serde_json::Value],
    kind: &str,
    port: Option<u16>,
) -> &'f serde_json::Value {
    findings
        .iter()
        .find(|f| f["finding"]["kind"] == kind && f["finding"]["port"] == serde_json::json!(port))
        .unwrap_or_else(|| panic!("no {kind} on {port:?}: {findings:#?}"))
}

#[test]
fn an_asv_nessus_report_becomes_a_judged_scan_with_the_asvs_findings() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    add_shop(data);
    let report = write(data, "asv-scan.nessus", NESSUS.as_bytes());
    let outcome: serde_json::Value = serde_json::from_str(&ok(
        data,
        &[
            "import",
            report.to_str().unwrap(),
            "--origin",
            "external",
            "--json",
        ],
    ))
    .unwrap();
    assert_eq!(outcome["kind"], "Nessus report (.nessus)");
    assert_eq!(outcome["reported_items"], 5);
    assert_eq!(outcome["scan"]["status"], "finished");
    assert_eq!(outcome["scan"]["open_ports"], 4);
    assert!(outcome["judgement"].is_object(), "{outcome}");
    // The original is kept unchanged, with its SHA-256, for the evidence pack.
    let kept = data.join("imports/scan-1-asv-scan.nessus");
    assert_eq!(std::fs::read(&kept).unwrap(), NESSUS.as_bytes());
    let sha256sum = Command::new("sha256sum").arg(&kept).output().unwrap();
    let digest = String::from_utf8(sha256sum.stdout).unwrap();
    assert_eq!(
        outcome["original_sha256"],
        digest.split_whitespace().next().unwrap()
    );

    let found = findings(data);
    // What Portcullis's own rules say of the ports the report lists.
    assert_eq!(
        finding_of(&found, "external-database", Some(3306))["finding"]["severity"],
        "critical"
    );
    // The ASV's items about what a rule checks, as that rule's findings.
    let tls = finding_of(&found, "obsolete-tls", Some(443));
    assert_eq!(tls["finding"]["severity"], "high");
    assert!(
        tls["finding"]["evidence"]
            .as_str()
            .unwrap()
            .contains("Nessus plugin 104743 \"TLS Version 1.0 Protocol Detection\"")
    );
    finding_of(&found, "certificate-self-signed", Some(443));
    let mysql = finding_of(&found, "vulnerable-version", Some(3306));
    assert_eq!(
        mysql["finding"]["severity"], "high",
        "CVSS 7.5, as the ASV scores it"
    );
    finding_of(&found, "default-snmp-community", Some(161));
    // The rest in the ASV's words.
    let icmp = finding_of(&found, "reported-problem", None);
    assert_eq!(icmp["finding"]["severity"], "low");
    assert!(
        icmp["finding"]["title"]
            .as_str()
            .unwrap()
            .starts_with("Web shop: ICMP Timestamp Request Remote Date Disclosure"),
        "{icmp}"
    );
    assert!(
        icmp["finding"]["remedy"]
            .as_str()
            .unwrap()
            .contains("Filter out the ICMP timestamp requests")
    );

    let text = ok(
        data,
        &["import", report.to_str().unwrap(), "--origin", "external"],
    );
    assert!(
        text.contains("The report lists 5 problems in its own words."),
        "{text}"
    );
}

#[test]
fn a_report_under_another_formats_name_is_refused_unless_chosen() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    add_shop(data);
    let renamed = write(data, "asv-scan.xml", NESSUS.as_bytes());
    let output = portcullis(data, &["import", renamed.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("its name says nmap XML (-oX) or Greenbone/OpenVAS report (XML), but it holds a Nessus report (.nessus)"),
        "{said}"
    );
    assert_eq!(scan_count(data), 0);

    let output = portcullis(
        data,
        &["import", renamed.to_str().unwrap(), "--format", "csv"],
    );
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("the format chosen says CSV findings list")
    );
    assert_eq!(scan_count(data), 0);

    ok(
        data,
        &["import", renamed.to_str().unwrap(), "--format", "nessus"],
    );
    assert_eq!(scan_count(data), 1);
}

/// A Greenbone report as its web UI downloads it, written here from the
/// management protocol's documented format.
const GREENBONE: &str = include_str!("../../formats/tests/fixtures/greenbone-download.xml");

fn add_system(data_dir: &Path, name: &str, address: &str, exposure: &str) {
    common::add_system(data_dir, name, address, "other", exposure);
}

#[test]
fn a_greenbone_report_keeps_its_false_positives_and_raises_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    add_system(data, "Shop", "198.18.0.10", "external");
    add_system(data, "Cache", "198.18.0.11", "internal");
    let report = write(data, "report.xml", GREENBONE.as_bytes());
    let outcome: serde_json::Value =
        serde_json::from_str(&ok(data, &["import", report.to_str().unwrap(), "--json"])).unwrap();
    assert_eq!(outcome["kind"], "Greenbone/OpenVAS report (XML)");
    assert_eq!(outcome["scanner"], "Greenbone 22.4");
    assert_eq!(outcome["reported_items"], 4);
    assert_eq!(outcome["false_positives"], 1);

    let found = findings(data);
    finding_of(&found, "obsolete-tls", Some(443));
    let redis = finding_of(&found, "unauthenticated-access", Some(6379));
    assert!(
        redis["finding"]["evidence"]
            .as_str()
            .unwrap()
            .contains("Redis Server: Unauthenticated Access & Data Exposure")
    );
    let timestamps = finding_of(&found, "reported-problem", None);
    assert!(
        timestamps["finding"]["title"]
            .as_str()
            .unwrap()
            .contains("TCP Timestamps Information Disclosure")
    );
    let all = serde_json::to_string(&found).unwrap();
    assert!(
        !all.contains("Apache HTTP Server"),
        "the false positive raises nothing"
    );
}

#[test]
fn a_csv_findings_list_imports_and_a_bad_cell_is_named_by_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    add_system(data, "Shop", "198.18.0.10", "external");
    let list = "host,port,protocol,finding,severity,cvss,solution\n\
                198.18.0.10,443,tcp,\"TLS 1.0, an obsolete protocol\",medium,6.5,Disable TLS 1.0\n\
                198.18.0.10,8443,tcp,=HYPERLINK(\"http://203.0.113.9\"),high,7.5,Ask the ASV\n\
                198.18.0.10,,,Operating system past its end of life,high,,Upgrade the operating system\n";
    let path = write(data, "asv.csv", list.as_bytes());
    let output = ok(data, &["import", path.to_str().unwrap()]);
    assert!(output.contains("Imported CSV findings list"), "{output}");
    assert!(
        output.contains("line 3, column 4 (finding) starts like a spreadsheet formula; it was kept as plain text"),
        "{output}"
    );
    let found = findings(data);
    finding_of(&found, "obsolete-tls", Some(443));
    let formula = finding_of(&found, "reported-problem", Some(8443));
    assert!(
        formula["finding"]["title"]
            .as_str()
            .unwrap()
            .contains("=HYPERLINK(\"http://203.0.113.9\")"),
        "kept as text: {formula}"
    );
    finding_of(&found, "end-of-life-version", None);
    assert_eq!(scan_count(data), 1);

    let bad = list.replace("8443,tcp", "https,tcp");
    let path = write(data, "bad.csv", bad.as_bytes());
    let output = portcullis(data, &["import", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("bad.csv was not imported: line 3, column 2"),
        "{said}"
    );
    assert!(said.contains("'https'"), "{said}");
    assert_eq!(scan_count(data), 1, "nothing of the bad file was kept");
}

/// An ASV's PDF report, in the shape the ASV Program Guide gives it
/// (vulnerabilities noted per component; every open port listed), typeset
/// here with Portcullis's own typesetter: no third-party file.
const ASV_REPORT: &str = include_str!("../../formats/tests/fixtures/asv-report.typ");

#[test]
fn an_asv_pdf_is_proposed_as_rows_to_confirm_then_imported_with_the_pdf_as_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    add_shop(data);
    let made = chrono::DateTime::parse_from_rfc3339("2026-11-30T12:00:00Z")
        .unwrap()
        .to_utc();
    let pdf = portcullis_documents::render_pdf(ASV_REPORT, &[], made).unwrap();
    let report = write(data, "asv-q4.pdf", &pdf);

    let said = ok(data, &["import", report.to_str().unwrap()]);
    assert!(said.contains("Nothing is saved yet."), "{said}");
    assert_eq!(scan_count(data), 0, "a proposal saves nothing");
    let proposal = std::fs::read_to_string(data.join("asv-q4.proposed.csv")).unwrap();
    for expected in [
        "203.0.113.10,443,tcp,TLS Version 1.0 Protocol Detection,medium,6.5,",
        "203.0.113.10,3306,tcp,MySQL 5.7.x < 5.7.44 Multiple Vulnerabilities,high,7.5,",
        "203.0.113.10,22,tcp,Open port,info,,",
    ] {
        assert!(
            proposal.contains(expected),
            "{expected:?} not in:\n{proposal}"
        );
    }

    // The merchant deletes the row they know is wrong, and imports the rest.
    let corrected: String = proposal
        .lines()
        .filter(|line| !line.contains("Self-Signed"))
        .map(|line| format!("{line}\n"))
        .collect();
    let rows = write(data, "asv-q4.proposed.csv", corrected.as_bytes());
    let outcome: serde_json::Value = serde_json::from_str(&ok(
        data,
        &[
            "import",
            rows.to_str().unwrap(),
            "--origin",
            "external",
            "--evidence",
            report.to_str().unwrap(),
            "--json",
        ],
    ))
    .unwrap();
    assert_eq!(outcome["scan"]["open_ports"], 3, "{outcome}");
    let kept = data.join("imports/scan-1-asv-q4.pdf");
    assert_eq!(std::fs::read(&kept).unwrap(), pdf, "the PDF, unchanged");
    let found = findings(data);
    finding_of(&found, "obsolete-tls", Some(443));
    assert!(
        found
            .iter()
            .all(|f| f["finding"]["kind"] != "certificate-self-signed"),
        "the row deleted was not imported"
    );

    let not_pdf = write(data, "fake.pdf", b"<nmaprun></nmaprun>");
    let refused = portcullis(data, &["import", not_pdf.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("does not start with %PDF-"),
        "{refused:?}"
    );
}
