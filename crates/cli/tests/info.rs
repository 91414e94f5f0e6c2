//! `portcullis info` against a real database file.

use std::process::Command;

use portcullis_model::{AppInfo, DatabaseState};

fn portcullis() -> Command {
    Command::new(env!("CARGO_BIN_EXE_portcullis"))
}

#[test]
fn info_creates_the_database_and_reports_it_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let output = portcullis()
        .args(["info", "--json", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let info: AppInfo = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(info.data_dir, dir.path().display().to_string());
    assert!(
        matches!(info.database.state, DatabaseState::Ready { schema_version } if schema_version >= 1)
    );
    assert!(std::path::Path::new(&info.database.path).is_file());
}

#[test]
fn an_unusable_data_dir_fails_with_a_message_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, b"not a directory").unwrap();
    let output = portcullis()
        .args(["info", "--data-dir"])
        .arg(&blocker)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("a-file"), "{stderr}");
}

#[test]
fn an_unknown_subcommand_is_a_usage_error() {
    let output = portcullis().arg("frobnicate").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}
