//! `portcullis export` as a user runs it, on a real database in a
//! temporary directory: the inventory document, a scan's report, a
//! dispute pack and the evidence pack, each read back the way a person or
//! a tool would (poppler's pdftotext and pdftoppm, a browser's view of the
//! HTML, `sha256sum -c` on the unpacked pack). The PDFs' pages are left as
//! PNGs under target/tmp/documents/ for a person to look at. Nothing is
//! scanned.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{add_system, ok, portcullis, stderr, write};

/// An nmap `-sV` run against the shop's server, with a banner that tries
/// to be markup in every format the report is written in.
const SCAN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<nmaprun scanner="nmap" args="nmap -sS -sV -p 21,22,3306 203.0.113.10" start="1764979200" version="7.93" xmloutputversion="1.05">
<scaninfo type="syn" protocol="tcp" numservices="3" services="21,22,3306"/>
<host><status state="up" reason="echo-reply"/>
<address addr="203.0.113.10" addrtype="ipv4"/>
<ports>
<port protocol="tcp" portid="21"><state state="open" reason="syn-ack"/><service name="ftp" product="vsftpd" version="3.0.3" method="probed" conf="10"/></port>
<port protocol="tcp" portid="22"><state state="open" reason="syn-ack"/><service name="ssh" product="OpenSSH" version="9.2p1" method="probed" conf="10"/></port>
<port protocol="tcp" portid="3306"><state state="open" reason="syn-ack"/><service name="mysql" product="&lt;script&gt;alert(1)&lt;/script&gt; #set *bold*" version="8.0.36" method="probed" conf="10"/></port>
</ports>
</host>
<runstats><finished elapsed="4.10" exit="success"/><hosts up="1" down="0" total="1"/></runstats>
</nmaprun>
"#;

/// Where the PNG pages go, for a person to look at.
fn pages_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("documents");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Whether `text` holds `expected`, wherever lines were broken: white
/// space is left out of both.
fn shows(text: &str, expected: &str) -> bool {
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    squash(text).contains(&squash(expected))
}

fn tool(program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("{program} (run `cargo xtask setup`): {error}"));
    assert!(output.status.success(), "{program} {args:?}: {output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The PDF's text (pdftotext, in the order it was written, the break hints
/// a template adds removed) and page count
/// (pdfinfo); its pages are rendered to `target/tmp/documents/NAME-N.png`.
fn read_pdf(pdf: &Path, name: &str) -> (String, usize) {
    let path = pdf.to_str().unwrap();
    let text = tool("pdftotext", &["-raw", path, "-"]).replace('\u{200B}', "");
    let info = tool("pdfinfo", &[path]);
    let pages = info
        .lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .map(|count| count.trim().parse().unwrap())
        .unwrap();
    let prefix = pages_dir().join(name);
    tool(
        "pdftoppm",
        &["-png", "-r", "60", path, prefix.to_str().unwrap()],
    );
    (text, pages)
}

/// A shop with a judged scan, an approved port with a hostile
/// justification, and an ASV finding disputed.
fn shop() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    add_system(data, "Web shop", "203.0.113.10", "web-server", "external");
    ok(
        data,
        &[
            "inventory",
            "add",
            "--system",
            "Web shop",
            "--port",
            "22",
            "--protocol",
            "tcp",
            "--service",
            "ssh",
            "--justification",
            "=HYPERLINK(\"http://203.0.113.9\") admin logins",
            "--approver",
            "Ann Owner",
        ],
    );
    ok(
        data,
        &[
            "inventory",
            "add",
            "--system",
            "Web shop",
            "--port",
            "21",
            "--protocol",
            "tcp",
            "--service",
            "ftp",
            "--justification",
            "Supplier uploads price lists",
            "--approver",
            "Ann Owner",
            "--notes",
            "Only from the supplier's address; FTP over TLS",
        ],
    );
    let scan = write(data, "scan.xml", SCAN.as_bytes());
    ok(
        data,
        &["import", scan.to_str().unwrap(), "--origin", "external"],
    );
    ok(
        data,
        &[
            "export",
            "inventory",
            "--format",
            "json",
            "-o",
            data.join("warm.json").to_str().unwrap(),
            "--business",
            "Corner Shop & Co <Ltd>",
        ],
    );
    dir
}

#[test]
fn the_inventory_document_comes_as_pdf_csv_and_json() {
    let dir = shop();
    let data = dir.path();
    let json_path = data.join("inventory.json");
    ok(
        data,
        &[
            "export",
            "inventory",
            "--format",
            "json",
            "-o",
            json_path.to_str().unwrap(),
        ],
    );
    let document: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    assert_eq!(
        document["business"], "Corner Shop & Co <Ltd>",
        "the name is remembered"
    );
    let allowed = &document["systems"][0]["allowed"];
    assert_eq!(allowed[0]["port"], 21);
    assert_eq!(
        allowed[0]["insecure"],
        "FTP, an old file transfer service: it sends passwords and data unencrypted",
        "{allowed}"
    );
    assert!(allowed[1]["last_seen"].is_string(), "the scan saw port 22");
    assert_eq!(document["not_allowed"][0]["port"], 3306);
    assert_eq!(document["review_log"].as_array().unwrap().len(), 2);

    let csv_path = data.join("inventory.csv");
    ok(
        data,
        &[
            "export",
            "inventory",
            "--format",
            "csv",
            "-o",
            csv_path.to_str().unwrap(),
        ],
    );
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    assert!(
        csv.starts_with("section,system,scope,exposure,address,protocol,port,"),
        "{csv}"
    );
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://203.0.113.9\"\") admin logins\""),
        "no cell starts a formula: {csv}"
    );
    assert!(
        csv.contains("found but not allowed,Web shop,,,203.0.113.10,tcp,3306"),
        "{csv}"
    );

    let pdf_path = data.join("inventory.pdf");
    let said = ok(
        data,
        &[
            "export",
            "inventory",
            "--format",
            "pdf",
            "-o",
            pdf_path.to_str().unwrap(),
        ],
    );
    assert!(said.contains("Wrote the port inventory as PDF"), "{said}");
    let (text, pages) = read_pdf(&pdf_path, "inventory");
    assert!(pages >= 2, "a title page, then the inventory: {pages}");
    for expected in [
        "Port inventory",
        "Corner Shop & Co <Ltd>",
        "=HYPERLINK(\"http://203.0.113.9\") admin logins",
        "Only from the supplier's address; FTP over TLS",
        "Found by scans but not allowed",
        "Review log",
        &format!("Page {pages} of {pages}"),
    ] {
        assert!(shows(&text, expected), "{expected:?} missing from:\n{text}");
    }
}

#[test]
fn the_scan_report_comes_in_five_formats_and_never_claims_to_be_an_asv_report() {
    let dir = shop();
    let data = dir.path();
    let out = |name: &str| data.join(name).to_str().unwrap().to_owned();

    ok(
        data,
        &[
            "export",
            "report",
            "--format",
            "html",
            "-o",
            &out("report.html"),
        ],
    );
    let html = std::fs::read_to_string(data.join("report.html")).unwrap();
    assert!(
        html.contains("It is not an ASV scan report and not an Attestation of Scan Compliance")
    );
    assert!(!html.contains("<script>"), "a banner is text, never markup");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("<svg"), "the charts are inline");
    assert!(
        html.contains("default-src 'none'"),
        "the page may load nothing"
    );

    let pdf = data.join("report.pdf");
    ok(
        data,
        &[
            "export",
            "report",
            "--scan",
            "1",
            "--format",
            "pdf",
            "-o",
            &out("report.pdf"),
        ],
    );
    let (text, pages) = read_pdf(&pdf, "report");
    assert!(pages >= 2);
    for expected in [
        "Scan readiness report",
        "not an ASV scan report",
        "<script>alert(1)</script> #set *bold*",
        // The external-database finding's title, in plain words.
        "can be reached from the internet",
        "Findings",
        "Open ports",
        "not in the inventory",
    ] {
        assert!(shows(&text, expected), "{expected:?} missing from:\n{text}");
    }

    ok(
        data,
        &[
            "export",
            "report",
            "--format",
            "csv",
            "-o",
            &out("report.csv"),
        ],
    );
    let csv = std::fs::read_to_string(data.join("report.csv")).unwrap();
    assert!(csv.starts_with("row,address,port,protocol,service,system,severity,weight,title"));
    assert!(csv.contains("open port,203.0.113.10,3306,tcp,"), "{csv}");

    ok(
        data,
        &[
            "export",
            "report",
            "--format",
            "json",
            "-o",
            &out("report.json"),
        ],
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["scan"]["id"], 1);
    assert!(
        json["notice"]
            .as_str()
            .unwrap()
            .contains("not an ASV scan report")
    );

    // nmap XML out, and in again: the same ports and services.
    ok(
        data,
        &[
            "export",
            "report",
            "--format",
            "xml",
            "-o",
            &out("again.xml"),
        ],
    );
    let again = ok(data, &["import", &out("again.xml"), "--json"]);
    let again: serde_json::Value = serde_json::from_str(&again).unwrap();
    assert_eq!(again["scan"]["open_ports"], 3, "{again}");

    let refused = portcullis(
        data,
        &[
            "export",
            "inventory",
            "--format",
            "html",
            "-o",
            &out("x.html"),
        ],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("the port inventory comes as pdf, csv, json, not html"));
    assert!(!data.join("x.html").exists(), "nothing is written");
}

#[test]
fn a_dispute_pack_carries_a_letter_and_what_the_scans_saw() {
    let dir = shop();
    let data = dir.path();
    let findings: serde_json::Value =
        serde_json::from_str(&ok(data, &["findings", "--json"])).unwrap();
    let database = findings
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["finding"]["kind"] == "external-database")
        .unwrap();
    let id = database["id"].to_string();
    let pdf = data.join("dispute.pdf");
    ok(
        data,
        &[
            "export",
            "dispute",
            "--finding",
            &id,
            "-o",
            pdf.to_str().unwrap(),
        ],
    );
    let (text, _) = read_pdf(&pdf, "dispute");
    for expected in [
        "Letter to the ASV",
        "To our Approved Scanning Vendor (ASV):",
        "port 3306/tcp",
        "What our scans saw",
        "open",
    ] {
        assert!(shows(&text, expected), "{expected:?} missing from:\n{text}");
    }
}

#[test]
fn the_evidence_pack_passes_sha256sum_and_is_the_same_bytes_twice() {
    let dir = shop();
    let data = dir.path();
    let first = data.join("first.zip");
    let second = data.join("second.zip");
    let said = ok(data, &["export", "evidence", "-o", first.to_str().unwrap()]);
    assert!(said.contains("Wrote the evidence pack"), "{said}");
    ok(
        data,
        &["export", "evidence", "-o", second.to_str().unwrap()],
    );
    assert_eq!(
        std::fs::read(&first).unwrap(),
        std::fs::read(&second).unwrap(),
        "the same records give the same bytes"
    );

    let unpacked = data.join("unpacked");
    tool(
        "unzip",
        &[
            "-q",
            first.to_str().unwrap(),
            "-d",
            unpacked.to_str().unwrap(),
        ],
    );
    let bag = std::fs::read_dir(&unpacked)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let check = Command::new("sha256sum")
        .args(["-c", "manifest-sha256.txt"])
        .current_dir(&bag)
        .output()
        .unwrap();
    assert!(check.status.success(), "{check:?}");
    let listed = String::from_utf8(check.stdout).unwrap();
    for file in [
        "data/inventory/inventory.pdf",
        "data/findings/findings.csv",
        "data/audit/chain-check.json",
        "data/imported/scan-1-scan.xml",
    ] {
        assert!(listed.contains(&format!("{file}: OK")), "{file}: {listed}");
    }
    assert!(listed.contains("data/scan-reports/scan-1-"), "{listed}");
    assert_eq!(
        std::fs::read(bag.join("data/imported/scan-1-scan.xml")).unwrap(),
        SCAN.as_bytes(),
        "the original, unchanged"
    );
    let tags = Command::new("sha256sum")
        .args(["-c", "tagmanifest-sha256.txt"])
        .current_dir(&bag)
        .output()
        .unwrap();
    assert!(tags.status.success(), "{tags:?}");
    let info = std::fs::read_to_string(bag.join("bag-info.txt")).unwrap();
    assert!(
        info.contains("Source-Organization: Corner Shop & Co <Ltd>"),
        "{info}"
    );
}
