//! The compliance commands as a user runs them, on a real database file in
//! a temporary directory, scanning only 127.0.0.1.

use std::net::{Ipv4Addr, TcpListener};
use std::path::Path;
use std::process::{Command, Output};

fn portcullis(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--actor", "tester"])
        .args(args)
        .output()
        .unwrap()
}

fn ok(data_dir: &Path, args: &[&str]) -> String {
    let output = portcullis(data_dir, args);
    assert!(output.status.success(), "{args:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

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

/// Scan, see the unlisted port, close it, rescan: the finding is fixed and
/// verified by the second scan, and the diff shows the port closed.
#[test]
fn a_closed_port_is_verified_fixed_by_the_rescan() {
    let dir = tempfile::tempdir().unwrap();
    add_loopback_system(dir.path());
    let approved = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let unwanted = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let approved_port = approved.local_addr().unwrap().port().to_string();
    let unwanted_port = unwanted.local_addr().unwrap().port().to_string();
    ok(
        dir.path(),
        &[
            "inventory",
            "add",
            "--system",
            "loopback",
            "--port",
            &approved_port,
            "--justification",
            "the shop",
            "--approver",
            "alice",
        ],
    );
    let ports = format!("{approved_port},{unwanted_port}");
    let scan = |dir: &Path| {
        let output = portcullis(
            dir,
            &[
                "scan",
                "127.0.0.1",
                "-p",
                &ports,
                "--connect",
                "--no-ping",
                "--save",
            ],
        );
        assert!(output.status.success(), "{output:?}");
        stderr(&output)
    };

    let said = scan(dir.path());
    assert!(said.contains("Saved as scan 1"), "{said}");
    let findings: serde_json::Value =
        serde_json::from_str(&ok(dir.path(), &["findings", "--scan", "1", "--json"])).unwrap();
    let unlisted: Vec<&serde_json::Value> = findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["finding"]["kind"] == "unlisted-open-port")
        .collect();
    assert_eq!(unlisted.len(), 1, "{findings:#}");
    assert_eq!(unlisted[0]["finding"]["port"].to_string(), unwanted_port);
    assert_eq!(unlisted[0]["status"], "open");
    let id = unlisted[0]["id"].as_i64().unwrap();

    drop(unwanted);
    let said = scan(dir.path());
    assert!(said.contains("Saved as scan 2"), "{said}");
    let record: serde_json::Value =
        serde_json::from_str(&ok(dir.path(), &["findings", "--json"])).unwrap();
    let record = record
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap();
    assert_eq!(record["status"], "verified", "{record:#}");
    assert_eq!(record["verified_by_scan"], 2);

    let diff = ok(dir.path(), &["diff", "1", "2"]);
    assert!(diff.contains("127.0.0.1 (system loopback):\n"), "{diff}");
    assert!(
        diff.contains(&format!(
            "  {unwanted_port}/tcp closed: it is not in the inventory, so closing it was right\n"
        )),
        "{diff}"
    );
    assert!(
        diff.ends_with("In all: 0 ports opened, 1 closed, 0 otherwise changed.\n"),
        "{diff}"
    );
    assert!(!diff.contains(&approved_port), "{diff}");
    let history = ok(dir.path(), &["audit", "show", "--json"]);
    assert!(history.contains("finding.fixed-by-scan"), "{history}");

    // Judging the newest scan again changes nothing; the older one is refused.
    let again = ok(dir.path(), &["findings", "evaluate", "2"]);
    assert!(again.contains("Saved as scan 2: 0 new findings"), "{again}");
    let said = refused(dir.path(), &["findings", "evaluate", "1"]);
    assert!(said.contains("older than scan 2"), "{said}");
}

/// The status of the one finding of `kind`, if there is one.
fn finding_status(data_dir: &Path, kind: &str) -> Option<String> {
    let records: serde_json::Value =
        serde_json::from_str(&ok(data_dir, &["findings", "--json"])).unwrap();
    let matching: Vec<&serde_json::Value> = records
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["finding"]["kind"] == kind)
        .collect();
    assert!(matching.len() <= 1, "{kind}: {records:#}");
    matching
        .first()
        .map(|r| r["status"].as_str().unwrap().to_owned())
}

/// PCI DSS 11.4.5 from the command line: with a system out of scope, a
/// judged scan says the segmentation test is overdue; recording a failed
/// test turns that into a failed test, and a passed one clears it.
#[test]
fn recording_segmentation_tests_moves_the_11_4_5_findings() {
    let dir = tempfile::tempdir().unwrap();
    let said = ok(
        dir.path(),
        &["segmentation", "record", "--passed", "--note", "early test"],
    );
    assert!(said.contains("No scan has been judged yet"), "{said}");
    assert!(ok(dir.path(), &["segmentation", "list"]).contains("early test"));
    // Move that test out of the way: it was a year and a half ago.
    let conn = rusqlite::Connection::open(dir.path().join("portcullis.sqlite3")).unwrap();
    conn.execute(
        "UPDATE segmentation_tests SET at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-540 days')",
        [],
    )
    .unwrap();
    drop(conn);

    ok(
        dir.path(),
        &[
            "systems",
            "add",
            "guest wifi",
            "--address",
            "127.0.0.1",
            "--role",
            "office",
            "--scope",
            "out-of-scope",
            "--exposure",
            "internal",
        ],
    );
    let closed = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = closed.local_addr().unwrap().port().to_string();
    drop(closed);
    let output = portcullis(
        dir.path(),
        &[
            "scan",
            "127.0.0.1",
            "-p",
            &port,
            "--connect",
            "--no-ping",
            "--save",
        ],
    );
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        finding_status(dir.path(), "segmentation-test-overdue").as_deref(),
        Some("open")
    );

    let said = ok(
        dir.path(),
        &[
            "segmentation",
            "record",
            "--failed",
            "--note",
            "Acme Pentest: the guest wifi reaches the till",
        ],
    );
    assert!(
        said.contains("Recorded segmentation test 2: FAILED"),
        "{said}"
    );
    assert!(said.contains("Judged scan 1 again"), "{said}");
    assert_eq!(
        finding_status(dir.path(), "segmentation-test-overdue").as_deref(),
        Some("verified")
    );
    assert_eq!(
        finding_status(dir.path(), "segmentation-test-failed").as_deref(),
        Some("open")
    );

    ok(
        dir.path(),
        &[
            "segmentation",
            "record",
            "--passed",
            "--note",
            "Acme Pentest retest after the VLAN fix",
        ],
    );
    assert_eq!(
        finding_status(dir.path(), "segmentation-test-failed").as_deref(),
        Some("verified")
    );
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let status = ok(dir.path(), &["status"]);
    assert!(
        status.contains(&format!("Last segmentation test: {today} (passed)")),
        "{status}"
    );
    let listed = ok(dir.path(), &["segmentation", "list"]);
    assert!(
        listed.contains("Acme Pentest retest") && listed.contains("FAILED"),
        "{listed}"
    );
    let history = ok(dir.path(), &["audit", "show", "--json"]);
    assert_eq!(
        history.matches("segmentation-test.record").count(),
        3,
        "{history}"
    );
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

/// `inventory approve` renews an approval for the term it had, unless told
/// otherwise; it never makes one permanent by omission, nor ends it in the
/// past.
#[test]
fn approving_an_entry_again_keeps_its_term_unless_told_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    add_loopback_system(dir.path());
    let in_90_days = (chrono::Utc::now() + chrono::TimeDelta::days(90))
        .format("%Y-%m-%d")
        .to_string();
    fn add(expires: &str) -> [&str; 12] {
        [
            "inventory",
            "add",
            "--system",
            "loopback",
            "--port",
            "443",
            "--justification",
            "the shop",
            "--approver",
            "alice",
            "--expires",
            expires,
        ]
    }
    let said = refused(dir.path(), &add("2020-01-01"));
    assert!(said.contains("would never hold"), "{said}");
    ok(dir.path(), &add(&in_90_days));

    let entry = |dir: &Path| -> serde_json::Value {
        let list: serde_json::Value =
            serde_json::from_str(&ok(dir, &["inventory", "list", "--json"])).unwrap();
        list[0].clone()
    };
    let days_left = |entry: &serde_json::Value| {
        let expires: chrono::DateTime<chrono::Utc> =
            entry["expires_at"].as_str().unwrap().parse().unwrap();
        (expires - chrono::Utc::now()).num_days()
    };
    let first = entry(dir.path());

    let said = ok(
        dir.path(),
        &["inventory", "approve", "1", "--approver", "bob"],
    );
    assert!(said.contains("approved by bob until"), "{said}");
    let renewed = entry(dir.path());
    assert_eq!(renewed["approver"], "bob");
    assert_eq!(renewed["justification"], "the shop");
    assert!(
        (89..=90).contains(&days_left(&renewed)),
        "the same term, from now: {renewed:#}"
    );
    assert_ne!(renewed["approved_at"], first["approved_at"]);

    let said = refused(
        dir.path(),
        &[
            "inventory",
            "approve",
            "1",
            "--approver",
            "bob",
            "--expires",
            "2020-01-01",
        ],
    );
    assert!(
        said.contains("inventory entry 1: the approval must end after now"),
        "{said}"
    );
    refused(
        dir.path(),
        &["inventory", "approve", "1", "--approver", " "],
    );

    let said = ok(
        dir.path(),
        &[
            "inventory",
            "approve",
            "1",
            "--approver",
            "carol",
            "--no-expiry",
            "--justification",
            "card payments",
        ],
    );
    assert!(said.contains("approved by carol with no expiry"), "{said}");
    let permanent = entry(dir.path());
    assert_eq!(permanent["expires_at"], serde_json::Value::Null);
    assert_eq!(permanent["justification"], "card payments");
    let history = ok(dir.path(), &["audit", "show", "--json"]);
    assert_eq!(history.matches("inventory.approve").count(), 2, "{history}");
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
