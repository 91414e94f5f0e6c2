//! Monitoring checks against 127.0.0.1 (a listener this test opens), with
//! a fixed clock: a service whose version changes between two checks is
//! news once, though no rule makes a new finding of it.

use std::io::Write;
use std::net::{Ipv4Addr, TcpListener};
use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use portcullis_app::{FixedClock, Workspace, WorkspaceOptions};
use portcullis_model::compliance::{Exposure, NewSystem, Scope, SystemRole};
use portcullis_model::monitor::DriftReason;

/// Ports the quick check covers; the first free one is opened.
const CANDIDATES: [u16; 5] = [8080, 8000, 8888, 8081, 9000];

async fn open(dir: &std::path::Path) -> Workspace {
    let mut options = WorkspaceOptions::new(dir.to_path_buf(), "alice".into());
    options.clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap());
    Workspace::open(options).await.expect("workspace opens")
}

/// An SSH server's greeting, as told: each connection gets the banner
/// the test last set, then is closed.
fn ssh_banner_server() -> (u16, Arc<Mutex<&'static str>>) {
    let (listener, port) = CANDIDATES
        .iter()
        .find_map(|&port| {
            TcpListener::bind((Ipv4Addr::LOCALHOST, port))
                .ok()
                .map(|listener| (listener, port))
        })
        .expect("one of the candidate ports is free");
    let banner = Arc::new(Mutex::new("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"));
    let told = Arc::clone(&banner);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let line = *told.lock().unwrap();
            let _ = stream.write_all(line.as_bytes());
        }
    });
    (port, banner)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_that_changes_between_checks_is_news_once() {
    let dir = tempfile::tempdir().unwrap();
    let workspace = open(dir.path()).await;
    workspace
        .add_system(NewSystem {
            name: "Laptop".into(),
            addresses: vec!["127.0.0.1".into()],
            role: SystemRole::WebServer,
            scope: Scope::Cde,
            exposure: Exposure::Internal,
            notes: String::new(),
        })
        .await
        .unwrap();
    let (port, banner) = ssh_banner_server();

    let first = workspace.monitor_once().await.unwrap();
    assert!(
        first
            .drift
            .iter()
            .any(|drift| drift.reason == DriftReason::New
                && drift.title.contains(&format!("{port}/tcp"))),
        "the port is new: {:#?}",
        first.drift
    );

    *banner.lock().unwrap() = "SSH-2.0-OpenSSH_9.6p1 Debian-4\r\n";
    let second = workspace.monitor_once().await.unwrap();
    let changed: Vec<_> = second
        .drift
        .iter()
        .filter(|drift| drift.reason == DriftReason::Changed)
        .collect();
    assert_eq!(changed.len(), 1, "{:#?}", second.drift);
    assert!(
        changed[0]
            .title
            .contains(&format!("Port {port}/tcp on Laptop")),
        "{}",
        changed[0].title
    );
    assert!(changed[0].title.contains("9.6"), "{}", changed[0].title);
    assert_eq!(changed[0].finding, None);

    let third = workspace.monitor_once().await.unwrap();
    assert!(
        third
            .drift
            .iter()
            .all(|drift| drift.reason != DriftReason::Changed),
        "the same version is not news twice: {:#?}",
        third.drift
    );
    let alerts = workspace.alerts(false, 100).await.unwrap();
    assert_eq!(
        alerts
            .iter()
            .filter(|alert| alert.reason == DriftReason::Changed)
            .count(),
        1
    );
}

/// A segmentation test seven months old is in time for a merchant and
/// overdue for a service provider; the answer is remembered.
#[tokio::test]
async fn a_service_provider_is_due_its_segmentation_test_after_six_months() {
    use portcullis_model::dashboard::RecurringTask;
    use portcullis_model::requests::SegmentationTestInput;
    let dir = tempfile::tempdir().unwrap();
    let workspace = open(dir.path()).await;
    for (name, scope) in [("Till", Scope::Cde), ("Guest Wi-Fi", Scope::OutOfScope)] {
        workspace
            .add_system(NewSystem {
                name: name.into(),
                addresses: vec![format!(
                    "198.18.0.{}",
                    if scope == Scope::Cde { 10 } else { 99 }
                )],
                role: SystemRole::WebServer,
                scope,
                exposure: Exposure::Internal,
                notes: String::new(),
            })
            .await
            .unwrap();
    }
    workspace
        .record_segmentation_test(SegmentationTestInput {
            at: Some(Utc.with_ymd_and_hms(2025, 11, 1, 9, 0, 0).unwrap()),
            passed: true,
            note: "Tested by our IT firm; report in the shared folder".into(),
        })
        .await
        .unwrap();
    let overdue = async |workspace: &Workspace| {
        workspace
            .status()
            .await
            .unwrap()
            .next_steps
            .into_iter()
            .find(|step| step.task == RecurringTask::SegmentationTest)
            .map(|step| step.overdue)
    };
    assert_eq!(overdue(&workspace).await, Some(false), "a merchant: yearly");
    assert!(workspace.service_provider(Some(true)).await.unwrap());
    assert_eq!(
        overdue(&workspace).await,
        Some(true),
        "a provider: six-monthly"
    );
    assert!(
        workspace.service_provider(None).await.unwrap(),
        "remembered"
    );
}
