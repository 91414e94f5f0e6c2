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
    let output = portcullis(
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
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        stderr(&output).contains("10.0.0.0/33"),
        "{}",
        stderr(&output)
    );

    let output = portcullis(
        dir.path(),
        &["inventory", "approve", "42", "--approver", "a"],
    );
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        stderr(&output).contains("inventory entry 42"),
        "{}",
        stderr(&output)
    );

    let output = portcullis(dir.path(), &["systems", "add", "x", "--role", "castle"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
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
    let output = portcullis(dir.path(), &["inventory", "import", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let message = stderr(&output);
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
    let output = portcullis(dir.path(), &["backup", backup.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");

    ok(dir.path(), &["systems", "remove", "loopback"]);
    assert!(ok(dir.path(), &["systems", "list"]).contains("No systems"));
    let said = ok(dir.path(), &["restore", backup.to_str().unwrap()]);
    assert!(said.contains("saved as"), "{said}");
    assert!(ok(dir.path(), &["systems", "list"]).contains("loopback"));

    let junk = dir.path().join("junk.sqlite3");
    std::fs::write(&junk, b"not a database at all").unwrap();
    let output = portcullis(dir.path(), &["restore", junk.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        stderr(&output).contains("refusing to restore"),
        "{}",
        stderr(&output)
    );
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
    assert!(
        diff.contains(&format!("127.0.0.1 {unwanted_port}/tcp: closed")),
        "{diff}"
    );
    let history = ok(dir.path(), &["audit", "show", "--json"]);
    assert!(history.contains("finding.fixed-by-scan"), "{history}");

    // Judging the newest scan again changes nothing; the older one is refused.
    let again = ok(dir.path(), &["findings", "evaluate", "2"]);
    assert!(again.contains("Saved as scan 2: 0 new findings"), "{again}");
    let output = portcullis(dir.path(), &["findings", "evaluate", "1"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        stderr(&output).contains("older than scan 2"),
        "{}",
        stderr(&output)
    );
}
