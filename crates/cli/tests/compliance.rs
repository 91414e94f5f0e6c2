//! The compliance commands as a user runs them, on a real database file in
//! a temporary directory, scanning only 127.0.0.1: what the `portcullis`
//! binary parses, prints and exits with. What the use cases decide is
//! tested on the workspace, with a fixed clock, in
//! crates/app/tests/compliance.rs.

mod common;

use std::net::{Ipv4Addr, TcpListener};
use std::path::Path;

use common::{ok, portcullis, stderr};

/// Runs a command that must be refused as bad input (exit 2); returns what
/// it said on standard error.
fn refused(data_dir: &Path, args: &[&str]) -> String {
    let output = portcullis(data_dir, args);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
    stderr(&output)
}

fn add_loopback_system(data_dir: &Path) {
    ok(
        data_dir,
        &[
            "systems",
            "add",
            "loopback",
            "--address",
            "127.0.0.1",
            "--role",
            "web-server",
            "--scope",
            "cde",
            "--exposure",
            "internal",
        ],
    );
}

/// Scans `port` of 127.0.0.1 (connect, saved) and returns the id of the
/// finding of `kind` it raised.
fn scan_and_find(dir: &Path, port: &str, kind: &str) -> String {
    ok(
        dir,
        &[
            "scan",
            "127.0.0.1",
            "-p",
            port,
            "--connect",
            "--no-ping",
            "--save",
        ],
    );
    let findings: serde_json::Value =
        serde_json::from_str(&ok(dir, &["findings", "--json"])).unwrap();
    findings
        .as_array()
        .unwrap()
        .iter()
        .find(|record| record["finding"]["kind"] == kind)
        .map(|record| record["id"].to_string())
        .unwrap_or_else(|| panic!("no {kind} finding: {findings:#}"))
}

#[test]
fn bad_input_exits_2_and_says_what_and_where() {
    let dir = tempfile::tempdir().unwrap();
    let said = refused(
        dir.path(),
        &[
            "systems",
            "add",
            "shop",
            "--address",
            "10.0.0.0/33",
            "--role",
            "web-server",
            "--scope",
            "cde",
            "--exposure",
            "external",
        ],
    );
    assert!(said.contains("10.0.0.0/33"), "{said}");

    let said = refused(
        dir.path(),
        &["inventory", "approve", "42", "--approver", "a"],
    );
    assert!(said.contains("inventory entry 42"), "{said}");

    refused(dir.path(), &["systems", "add", "x", "--role", "castle"]);

    for command in [
        &["audit", "show", "--limit", "0"][..],
        &["scans", "--limit", "0"],
    ] {
        let said = refused(dir.path(), command);
        assert!(said.contains("'0'"), "{said}");
    }
    let shown = ok(dir.path(), &["audit", "show"]);
    assert!(shown.contains("nothing has been changed yet"), "{shown}");
}

#[test]
fn a_bad_import_names_line_and_field_and_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    add_loopback_system(dir.path());
    let file = dir.path().join("ports.csv");
    std::fs::write(
        &file,
        "system,port,protocol,justification,approver\n\
         loopback,443,tcp,shop,alice\n\
         loopback,22,tcpx,admin,alice\n",
    )
    .unwrap();
    let message = refused(dir.path(), &["inventory", "import", file.to_str().unwrap()]);
    assert!(message.contains("ports.csv"), "{message}");
    assert!(message.contains("line 3, field `protocol`"), "{message}");
    let listed = ok(dir.path(), &["inventory", "list", "--json"]);
    assert_eq!(listed.trim(), "[]");
}

#[test]
fn audit_verify_names_the_tampered_row() {
    let dir = tempfile::tempdir().unwrap();
    add_loopback_system(dir.path());
    for port in ["22", "443"] {
        ok(
            dir.path(),
            &[
                "inventory",
                "add",
                "--system",
                "loopback",
                "--port",
                port,
                "--justification",
                "needed",
                "--approver",
                "alice",
            ],
        );
    }
    let verified = ok(dir.path(), &["audit", "verify"]);
    assert!(verified.contains("intact: 3 rows"), "{verified}");

    let conn = rusqlite::Connection::open(dir.path().join("portcullis.sqlite3")).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_update;
         UPDATE audit_log SET actor = 'someone else' WHERE id = 2;",
    )
    .unwrap();
    drop(conn);
    let output = portcullis(dir.path(), &["audit", "verify"]);
    assert_eq!(output.status.code(), Some(5), "{output:?}");
    assert!(
        stderr(&output).contains("audit row 2"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn backup_and_restore_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    add_loopback_system(dir.path());
    let backup = dir.path().join("copy.sqlite3");
    let said = ok(dir.path(), &["backup", backup.to_str().unwrap()]);
    assert!(said.contains("Backed up"), "{said}");
    // A second backup to the same file is refused, the first kept.
    refused(dir.path(), &["backup", backup.to_str().unwrap()]);

    ok(dir.path(), &["systems", "remove", "loopback"]);
    assert!(ok(dir.path(), &["systems", "list"]).contains("No systems"));
    let said = ok(dir.path(), &["restore", backup.to_str().unwrap()]);
    assert!(said.contains("saved as"), "{said}");
    assert!(ok(dir.path(), &["systems", "list"]).contains("loopback"));

    let junk = dir.path().join("junk.sqlite3");
    std::fs::write(&junk, b"not a database at all").unwrap();
    let said = refused(dir.path(), &["restore", junk.to_str().unwrap()]);
    assert!(said.contains("refusing to restore"), "{said}");
    assert!(ok(dir.path(), &["systems", "list"]).contains("loopback"));
}

/// The output wiring of a saved scan: what `scan --save` says, the
/// findings as JSON and as text, and the verdict as text. What the use
/// cases decide (a rescan verifying a fix, segmentation tests, renewals)
/// is tested on the workspace, in crates/app/tests/compliance.rs.
#[test]
fn a_saved_scan_shows_in_findings_and_status() {
    let dir = tempfile::tempdir().unwrap();
    add_loopback_system(dir.path());
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let day = || chrono::Utc::now().format("%Y-%m-%d").to_string();
    let before = day();
    let output = portcullis(
        dir.path(),
        &[
            "scan",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "--connect",
            "--no-ping",
            "--save",
        ],
    );
    assert!(output.status.success(), "{output:?}");
    let said = stderr(&output);
    assert!(
        said.contains("Saved as scan 1: 1 new finding. Details: portcullis findings --scan 1"),
        "{said}"
    );
    let shown = String::from_utf8(output.stdout).unwrap();
    assert!(shown.contains(&format!("{port}/tcp   open")), "{shown}");

    let findings: serde_json::Value =
        serde_json::from_str(&ok(dir.path(), &["findings", "--scan", "1", "--json"])).unwrap();
    let [record] = findings.as_array().unwrap().as_slice() else {
        panic!("one finding: {findings:#}");
    };
    assert_eq!(record["finding"]["kind"], "unlisted-open-port");
    assert_eq!(record["finding"]["port"], port);
    assert_eq!(record["state"]["status"], "open");
    let brief = ok(dir.path(), &["findings", "--brief"]);
    let words: Vec<&str> = brief.split_whitespace().collect();
    assert_eq!(
        words[..3],
        [format!("#{}", record["id"]).as_str(), "Medium", "open"],
        "{brief}"
    );
    // The port is the one the OS chose, so its name is whatever the IANA
    // registry says of it ("unknown service" for most; 39681 is
    // "turbonote-1").
    assert!(
        brief.contains(&format!("Port {port}/tcp on loopback is open ("))
            && brief.contains(") but not in the approved inventory"),
        "{brief}"
    );
    assert_eq!(brief.lines().count(), 1, "one line a finding: {brief}");

    let status = ok(dir.path(), &["status"]);
    assert!(
        status.starts_with(
            "Nothing will fail your ASV scan; 1 decision still needs a fix or a stated business \
             need.\n\nOverall: ACTION NEEDED\n"
        ),
        "{status}"
    );
    assert!(
        status.contains("Next:\n  - Run the next internal scan by "),
        "{status}"
    );
    assert!(status.contains("\nloopback: ACTION NEEDED\n"), "{status}");
    let after = day();
    assert!(
        status.contains(&format!("Last internal scan: {before} "))
            || status.contains(&format!("Last internal scan: {after} ")),
        "{status}"
    );
    assert!(
        status.contains("Last segmentation test: never "),
        "{status}"
    );
    drop(listener);
}

#[test]
fn a_segmentation_test_needs_one_outcome_a_note_and_a_past_date() {
    let dir = tempfile::tempdir().unwrap();
    for (args, says) in [
        (
            &["--passed", "--failed", "--note", "x"][..],
            "cannot be used with",
        ),
        (&["--note", "x"][..], "--passed"),
        (&["--passed", "--note", " "][..], "needs a note"),
        (
            &["--passed", "--note", "x", "--at", "2999-01-01"][..],
            "in the future",
        ),
        (
            &["--passed", "--note", "x", "--at", "last week"][..],
            "last week",
        ),
    ] {
        let said = refused(
            dir.path(),
            &[&["segmentation", "record"][..], args].concat(),
        );
        assert!(said.contains(says), "{args:?}: {said}");
    }
    assert!(ok(dir.path(), &["segmentation", "list"]).contains("No segmentation test"));
}

/// Paths the user names that cannot be used are bad input (exit 2), said
/// once and plainly.
#[test]
fn unusable_paths_are_bad_input_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-directory");
    std::fs::write(&file, "x").unwrap();
    let message = refused(&file, &["status"]);
    assert!(message.contains("is a file, not a directory"), "{message}");

    let data = dir.path().join("data");
    let missing = dir.path().join("no such folder").join("copy.sqlite3");
    let message = refused(&data, &["backup", missing.to_str().unwrap()]);
    assert!(
        message.contains("the folder") && message.contains("does not exist"),
        "{message}"
    );
    assert_eq!(message.matches("no such folder").count(), 2, "{message}");
}

/// 11.3.2 asks for a passing ASV scan: an internet-facing system judged
/// without one raises external-scan-overdue; recording a passing ASV scan
/// settles it and a newer failed one raises it again, each judging the
/// newest scan again. Portcullis's own scan does not count as one.
#[test]
fn an_asv_scan_is_recorded_and_judged_for_11_3_2() {
    let dir = tempfile::tempdir().unwrap();
    ok(
        dir.path(),
        &[
            "systems",
            "add",
            "shop",
            "--address",
            "127.0.0.1",
            "--role",
            "web-server",
            "--scope",
            "cde",
            "--exposure",
            "external",
        ],
    );
    assert!(ok(dir.path(), &["asv", "list"]).contains("No ASV scan recorded"));
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    ok(
        dir.path(),
        &[
            "scan",
            "127.0.0.1",
            "-p",
            &port,
            "--connect",
            "--no-ping",
            "--save",
            "--external",
        ],
    );
    let overdue = |dir: &Path| {
        let findings: serde_json::Value =
            serde_json::from_str(&ok(dir, &["findings", "--json"])).unwrap();
        findings
            .as_array()
            .unwrap()
            .iter()
            .find(|record| {
                record["finding"]["kind"] == "external-scan-overdue"
                    && record["state"]["status"] == "open"
            })
            .map(|record| {
                record["finding"]["explanation"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
    };
    let explained = overdue(dir.path()).expect("no ASV scan: overdue");
    assert!(
        explained.contains("No ASV scan has been recorded")
            && explained.contains("does not replace the ASV's"),
        "{explained}"
    );

    let refused_vendor = refused(dir.path(), &["asv", "record", "--passed", "--vendor", " "]);
    assert!(
        refused_vendor.contains("Approved Scanning Vendor"),
        "{refused_vendor}"
    );
    let said = ok(
        dir.path(),
        &[
            "asv",
            "record",
            "--passed",
            "--vendor",
            "Example ASV Ltd",
            "--at",
            "2020-01-01",
        ],
    );
    assert!(
        said.contains("Recorded ASV scan 1: passed on 2020-01-01."),
        "{said}"
    );
    assert!(
        overdue(dir.path()).is_some_and(|text| text.contains("2020-01-01")),
        "a passing scan years ago is still overdue"
    );
    ok(
        dir.path(),
        &["asv", "record", "--passed", "--vendor", "Example ASV Ltd"],
    );
    assert_eq!(overdue(dir.path()), None, "a passing scan today settles it");
    let status = ok(dir.path(), &["status"]);
    assert!(status.contains("Last ASV scan: "), "{status}");
    assert!(status.contains("(passed) (PCI DSS 11.3.2"), "{status}");

    ok(
        dir.path(),
        &[
            "asv",
            "record",
            "--failed",
            "--vendor",
            "Example ASV Ltd",
            "--note",
            "report 7",
        ],
    );
    assert!(
        overdue(dir.path()).is_some_and(|text| text.contains("did not pass")),
        "the newest ASV scan failed"
    );
    let listed = ok(dir.path(), &["asv", "list"]);
    assert_eq!(listed.lines().count(), 3, "{listed}");
    assert!(
        listed.contains("FAILED  Example ASV Ltd, recorded by tester: report 7"),
        "{listed}"
    );
    drop(listener);
}

/// A database port facing the internet fails an ASV scan: no business need
/// settles it, a dispute does, and then the status says it passes only if
/// the ASV accepts the dispute.
#[test]
fn a_failing_finding_is_disputed_not_accepted() {
    let dir = tempfile::tempdir().unwrap();
    ok(
        dir.path(),
        &[
            "systems",
            "add",
            "shop",
            "--address",
            "127.0.0.1",
            "--role",
            "database",
            "--scope",
            "cde",
            "--exposure",
            "external",
        ],
    );
    // A database's port (CouchDB, Neo4j, Elasticsearch's transport,
    // MongoDB): the first this machine lets us listen on.
    let listener = [5984, 7474, 9300, 27017]
        .into_iter()
        .find_map(|port| TcpListener::bind((Ipv4Addr::LOCALHOST, port)).ok())
        .expect("one database port free on 127.0.0.1");
    let port = listener.local_addr().unwrap().port().to_string();
    let id = scan_and_find(dir.path(), &port, "external-database");

    let said = refused(
        dir.path(),
        &[
            "findings",
            "accept",
            &id,
            "--justification",
            "the shop needs its database",
            "--approver",
            "Sam Owner",
        ],
    );
    assert!(said.contains("dispute"), "{said}");
    let said = refused(
        dir.path(),
        &[
            "findings",
            "dispute",
            &id,
            "--kind",
            "poi-terminal-early-tls",
            "--evidence",
            "only our terminals use it",
            "--by",
            "Sam Owner",
        ],
    );
    assert!(said.contains("SSL and early TLS only"), "{said}");
    let said = refused(
        dir.path(),
        &[
            "findings",
            "dispute",
            &id,
            "--kind",
            "compensating-control",
            "--evidence",
            " ",
            "--by",
            "Sam Owner",
        ],
    );
    assert!(said.contains("evidence"), "{said}");

    let said = ok(
        dir.path(),
        &[
            "findings",
            "dispute",
            &id,
            "--kind",
            "compensating-control",
            "--evidence",
            "The host firewall lets only the web server's address reach this port",
            "--by",
            "Sam Owner",
            "--until",
            "2099-01-31",
        ],
    );
    assert_eq!(
        said,
        format!(
            "Finding {id} disputed as a compensating control until 2099-01-31: it passes only \
             if your ASV accepts the dispute.\n"
        )
    );
    let listed = ok(dir.path(), &["findings", "--status", "disputed"]);
    assert!(
        listed.contains(
            "Disputed as a compensating control by Sam Owner until 2099-01-31: The host \
             firewall lets only the web server's address reach this port"
        ),
        "{listed}"
    );
    // An external system also needs a passing ASV scan (11.3.2).
    ok(
        dir.path(),
        &["asv", "record", "--passed", "--vendor", "Example ASV"],
    );
    let status = ok(dir.path(), &["status"]);
    assert!(
        status.starts_with(
            "Your ASV scan passes only if your ASV accepts your dispute; 1 decision still \
             needs a fix or a stated business need.\n"
        ),
        "{status}"
    );
    assert!(
        status.contains("\nOverall: PASS IF THE ASV ACCEPTS THE DISPUTES\n"),
        "{status}"
    );
    drop(listener);
}

/// `firewall` writes what the inventory approves, no more, with the
/// commands that apply and undo it; an unknown firewall is refused with
/// the names it knows.
#[test]
fn the_firewall_lets_in_exactly_the_approved_ports() {
    let dir = tempfile::tempdir().unwrap();
    add_loopback_system(dir.path());
    let approve = |port: &str, why: &str, from: &[&str]| {
        let mut args = vec![
            "inventory",
            "add",
            "--system",
            "loopback",
            "--port",
            port,
            "--justification",
            why,
            "--approver",
            "Sam Owner",
        ];
        args.extend(from);
        portcullis(dir.path(), &args)
    };
    let said = stderr(&approve(
        "22",
        "Our developer logs in",
        &["--from", "the office"],
    ));
    assert!(said.contains("`the`"), "{said}");
    for (port, why, from) in [
        ("443", "Customers reach the shop", &[][..]),
        ("22", "Our developer logs in", &["--from", "198.51.100.7"]),
    ] {
        assert!(approve(port, why, from).status.success());
    }
    let listed = ok(dir.path(), &["inventory", "list"]);
    assert!(listed.contains("only from 198.51.100.7/32"), "{listed}");
    let out = dir.path().join("firewall");
    let output = portcullis(
        dir.path(),
        &[
            "firewall",
            "loopback",
            "--format",
            "nftables",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(output.status.success(), "{output:?}");
    assert!(stderr(&output).is_empty(), "SSH is approved: {output:?}");
    let rules = std::fs::read_to_string(out.join("portcullis.nft")).unwrap();
    let allowed: Vec<&str> = rules
        .lines()
        .map(str::trim)
        .filter(|line| line.ends_with(" accept") && line.contains("dport"))
        .collect();
    assert_eq!(
        allowed,
        [
            "ip saddr { 198.51.100.7/32 } tcp dport 22 accept",
            "tcp dport 443 accept"
        ],
        "{rules}"
    );
    assert!(
        rules.contains("inventory entry 1: \"Customers reach the shop\" (approved by Sam Owner)"),
        "{rules}"
    );
    let apply = std::fs::read_to_string(out.join("apply.sh")).unwrap();
    assert!(apply.contains("read -r -t 60"), "{apply}");
    assert_eq!(
        std::fs::read_to_string(out.join("rollback.sh")).unwrap(),
        "#!/bin/bash\nnft delete table inet portcullis\n"
    );

    let json = ok(
        dir.path(),
        &["firewall", "1", "--format", "iptables", "--json"],
    );
    let ruleset: serde_json::Value = serde_json::from_str(&json).unwrap();
    let files: Vec<&str> = ruleset["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| file["name"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["rules.v4", "rules.v6"]);

    let said = refused(dir.path(), &["firewall", "loopback", "--format", "castle"]);
    assert!(
        said.contains(
            "nftables, iptables, ufw, firewalld, windows, pf, aws, azure, gcp, digitalocean"
        ),
        "{said}"
    );
    let said = refused(dir.path(), &["firewall", "nowhere", "--format", "ufw"]);
    assert!(said.contains("nowhere"), "{said}");
}

/// `verify` rescans exactly the finding's port and records the scan: while
/// the port still answers, it says so with what to do and exits 1; once
/// it is closed, the fix is proven and it exits 0. A finding that is not
/// about a port cannot be proven by a scan.
#[test]
fn verify_proves_a_fix_or_says_what_is_still_found() {
    let dir = tempfile::tempdir().unwrap();
    add_loopback_system(dir.path());
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let id = scan_and_find(dir.path(), &port, "unlisted-open-port");

    let still = portcullis(dir.path(), &["verify", &id]);
    assert_eq!(still.status.code(), Some(1), "{still:?}");
    let said = String::from_utf8(still.stdout).unwrap();
    assert!(
        said.contains(&format!(
            "Finding {id}: still found by scan 2: Port {port}/tcp"
        )) && said.contains("What to do:"),
        "{said}"
    );

    drop(listener);
    let proven = ok(dir.path(), &["verify", &id]);
    assert_eq!(
        proven.trim(),
        format!("Finding {id}: fixed, proven by scan 3.")
    );
    let status: serde_json::Value =
        serde_json::from_str(&ok(dir.path(), &["findings", "--json"])).unwrap();
    let record = status
        .as_array()
        .unwrap()
        .iter()
        .find(|record| record["id"].as_i64() == id.parse().ok())
        .unwrap();
    assert_eq!(record["last_seen_scan"], 2, "{record}");
    assert_eq!(record["state"]["status"], "verified", "{record}");
    assert_eq!(record["state"]["by_scan"], 3, "{record}");

    let said = refused(dir.path(), &["verify", "999"]);
    assert!(said.contains("999"), "{said}");
}

/// `fix` prints the steps for the system's platform with the port filled
/// in; a platform given is remembered for the system (and audited), and
/// an unknown one is refused with the list to choose from.
#[test]
fn fix_prints_the_steps_for_the_platform_and_remembers_it() {
    let dir = tempfile::tempdir().unwrap();
    add_loopback_system(dir.path());
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let id = scan_and_find(dir.path(), &port, "unlisted-open-port");

    let assumed = ok(dir.path(), &["fix", &id]);
    assert!(
        assumed.contains("For Debian or Ubuntu Linux, the most common. Not right? Add --platform"),
        "{assumed}"
    );
    assert!(
        assumed.contains(&format!("`sudo ss -lnp 'sport = :{port}'`")),
        "{assumed}"
    );
    assert!(
        assumed.contains("PCI DSS requirements: 1.2.1, 1.2.5"),
        "{assumed}"
    );
    assert!(assumed.contains(&format!("Then prove it: portcullis verify {id}")));

    let windows = ok(dir.path(), &["fix", &id, "--platform", "windows-server"]);
    assert!(windows.contains("For Windows Server.\n"), "{windows}");
    assert!(
        windows.contains(&format!("-Protocol TCP -LocalPort {port} -Action Block")),
        "{windows}"
    );
    let remembered = ok(dir.path(), &["fix", &id, "--json"]);
    let steps: serde_json::Value = serde_json::from_str(&remembered).unwrap();
    assert_eq!(steps["platform"], "windows-server", "{steps:#}");
    assert_eq!(steps["choice"]["source"], "stated", "{steps:#}");
    assert!(steps["steps"].as_array().unwrap().len() >= 2, "{steps:#}");
    let audit = ok(dir.path(), &["audit", "show"]);
    assert!(audit.contains("system.platform"), "{audit}");

    let said = refused(dir.path(), &["fix", &id, "--platform", "beos"]);
    assert!(
        said.contains("no platform named 'beos': one of debian, rhel"),
        "{said}"
    );
    drop(listener);
}
