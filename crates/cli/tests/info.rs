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

/// The advisories file as shipped, reviewed on `reviewed` instead.
fn advisories_reviewed_on(dir: &std::path::Path, reviewed: &str) -> std::path::PathBuf {
    let shipped = include_str!("../../../assets/advisories/versions.toml");
    let line = shipped
        .lines()
        .find(|line| line.starts_with("reviewed = "))
        .expect("the shipped file says when it was reviewed");
    let path = dir.join(format!("advisories-{reviewed}.toml"));
    std::fs::write(
        &path,
        shipped.replace(line, &format!("reviewed = \"{reviewed}\"")),
    )
    .unwrap();
    path
}

fn advisories(data_dir: &std::path::Path, extra: &[&std::ffi::OsStr]) -> std::process::Output {
    portcullis()
        .arg("--data-dir")
        .arg(data_dir)
        .args(["advisories", "--json"])
        .args(extra)
        .output()
        .unwrap()
}

fn reviewed(output: &std::process::Output) -> String {
    assert!(output.status.success(), "{output:?}");
    let data: portcullis_model::service::AdvisoryData =
        serde_json::from_slice(&output.stdout).unwrap();
    data.reviewed
}

/// A newer advisories file, loaded once, is what the next run uses; an
/// older one is refused with a message that says why, and changes nothing.
#[test]
fn a_newer_advisories_file_is_kept_for_the_next_run_and_an_older_one_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let newer = advisories_reviewed_on(dir.path(), "2099-01-15");
    let loaded = advisories(&data, &["--load".as_ref(), newer.as_os_str()]);
    assert_eq!(reviewed(&loaded), "2099-01-15");
    assert_eq!(
        reviewed(&advisories(&data, &[])),
        "2099-01-15",
        "kept for the next run"
    );

    let older = advisories_reviewed_on(dir.path(), "2020-01-01");
    let refused = advisories(&data, &["--load".as_ref(), older.as_os_str()]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("2020-01-01"), "{stderr}");
    assert_eq!(reviewed(&advisories(&data, &[])), "2099-01-15");
}

/// `info` says how old the advisories are.
#[test]
fn info_says_when_the_advisories_were_checked() {
    let dir = tempfile::tempdir().unwrap();
    let output = portcullis()
        .args(["info", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("last checked against their sources on"),
        "{text}"
    );
}
