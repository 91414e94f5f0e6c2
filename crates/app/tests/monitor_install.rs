//! The files `portcullis monitor install` writes, read by the programs
//! that will read them: systemd's own checker for the timer and service,
//! and a plist parser for the launchd agent.

use std::path::{Path, PathBuf};
use std::process::Command;

use portcullis_app::monitor_install::{Account, Cadence, MonitorJob, Scheduler, install_plan};

fn job(data_dir: &Path, cadence: Cadence) -> MonitorJob {
    MonitorJob {
        // systemd checks that the program exists and may run.
        program: std::env::current_exe().unwrap(),
        data_dir: data_dir.to_path_buf(),
        cadence,
    }
}

/// Writes the plan's systemd units into `folder` and runs
/// `systemd-analyze verify` on them: its success and what it said.
fn verify_units(folder: &Path, edit: impl Fn(&str) -> String, cadence: Cadence) -> (bool, String) {
    let account = Account {
        home: folder.to_path_buf(),
        user_id: 1000,
    };
    let plan = install_plan(Scheduler::SystemdUser, &job(folder, cadence), &account);
    let mut paths: Vec<PathBuf> = Vec::new();
    for file in &plan.files {
        let path = folder.join(file.path.file_name().unwrap());
        std::fs::write(&path, edit(&file.contents)).unwrap();
        paths.push(path);
    }
    // System mode: the user manager needs a login session, which tests lack;
    // the units' syntax is checked the same.
    let output = Command::new("systemd-analyze")
        .arg("verify")
        .args(&paths)
        .output()
        .expect("systemd-analyze (Debian package systemd; `cargo xtask setup` installs it)");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_systemd_timer_and_service_pass_systemd_analyze_verify() {
    for cadence in Cadence::ALL {
        let folder = tempfile::Builder::new()
            .prefix("monitor 100% ")
            .tempdir()
            .unwrap();
        let (passed, said) = verify_units(folder.path(), str::to_owned, cadence);
        assert!(passed, "{cadence:?}: {said}");
        assert!(
            !said.contains("portcullis-monitor"),
            "{cadence:?}: systemd-analyze complained: {said}"
        );
    }
}

#[test]
fn systemd_analyze_verify_refuses_a_broken_timer() {
    let folder = tempfile::tempdir().unwrap();
    let broken = |contents: &str| {
        contents
            .lines()
            .map(|line| match line.starts_with("OnCalendar=") {
                true => "OnCalendar=every other blue moon".to_owned(),
                false => line.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (passed, said) = verify_units(folder.path(), broken, Cadence::Daily);
    assert!(!passed, "a broken timer passed: {said}");
}

#[test]
fn the_launchd_agent_is_a_plist_with_the_whole_command() {
    for cadence in Cadence::ALL {
        let data_dir = Path::new("/Users/sam/Library/Application Support/100% shop & co");
        let account = Account {
            home: PathBuf::from("/Users/sam"),
            user_id: 501,
        };
        let plan = install_plan(Scheduler::Launchd, &job(data_dir, cadence), &account);
        let file = &plan.files[0];
        assert_eq!(
            file.path,
            Path::new("/Users/sam/Library/LaunchAgents/org.portcullis.monitor.plist")
        );
        let agent: plist::Value = plist::from_bytes(file.contents.as_bytes())
            .unwrap_or_else(|error| panic!("{cadence:?}: {error}\n{}", file.contents));
        let agent = agent.as_dictionary().expect("a dictionary");
        assert_eq!(
            agent.get("Label").and_then(plist::Value::as_string),
            Some("org.portcullis.monitor")
        );
        let arguments: Vec<&str> = agent
            .get("ProgramArguments")
            .and_then(plist::Value::as_array)
            .expect("the program and its arguments")
            .iter()
            .filter_map(plist::Value::as_string)
            .collect();
        let program = std::env::current_exe().unwrap();
        assert_eq!(
            arguments,
            [
                program.to_str().unwrap(),
                "--data-dir",
                data_dir.to_str().unwrap(),
                "monitor",
                "--once"
            ]
        );
        assert!(agent.contains_key("StartCalendarInterval"), "{cadence:?}");
    }
}
