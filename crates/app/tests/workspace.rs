//! The application layer's use cases against a real SQLite database and
//! real scans of 127.0.0.1 (listeners this test opens), with a fixed clock.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use portcullis_app::{FixedClock, Scanner, UPDATE_INTERVAL, Workspace, WorkspaceOptions};
use portcullis_model::ErrorKind;
use portcullis_model::compliance::{Exposure, FindingKind, NewSystem, Scope, System, SystemRole};
use portcullis_model::judgement::{FindingFilter, InventoryFormat};
use portcullis_model::requests::FindingAcceptance;
use portcullis_model::scan::PortState;
use portcullis_model::scan_record::{RunState, ScanId, ScanSettings, ScanStatus, TcpChoice};

async fn open(dir: &std::path::Path) -> Workspace {
    let mut options = WorkspaceOptions::new(dir.to_path_buf(), "alice".into());
    options.clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap());
    Workspace::open(options).await.expect("workspace opens")
}

/// Adds a web server in the card-data environment at `address`.
async fn add_in_scope(
    workspace: &Workspace,
    name: impl Into<String>,
    address: impl Into<String>,
    exposure: Exposure,
) -> System {
    let system = NewSystem {
        name: name.into(),
        addresses: vec![address.into()],
        role: SystemRole::WebServer,
        scope: Scope::Cde,
        exposure,
        notes: String::new(),
    };
    workspace
        .add_system(system)
        .await
        .expect("the system is added")
}

fn loopback(ports: String) -> ScanSettings {
    ScanSettings {
        targets: vec!["127.0.0.1".into()],
        ports,
        tcp: TcpChoice::Connect,
        discover: false,
        ..ScanSettings::default()
    }
}

/// A full 65,535-port scan streams its results to a subscriber in at most
/// 2 + (scan time / 100 ms) messages, with every open port exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_scan_reaches_a_subscriber_coalesced_with_nothing_lost() {
    let listeners: Vec<TcpListener> = (0..300)
        .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    let mut expected: Vec<u16> = listeners
        .iter()
        .map(|l| l.local_addr().unwrap().port())
        .collect();
    expected.sort_unstable();

    let scanner = Scanner::default();
    let plan = scanner.plan(loopback("-".into())).await.unwrap();
    let started = Instant::now();
    let run = scanner.start(plan).await.unwrap();
    let mut updates = run.subscribe();
    let mut messages = 0u64;
    let mut open: Vec<u16> = Vec::new();
    let mut last_state = RunState::Running;
    while let Some(update) = updates.next().await {
        messages += 1;
        open.extend(
            update
                .ports
                .iter()
                .filter(|p| p.state == PortState::Open)
                .map(|p| p.port),
        );
        last_state = update.state;
    }
    let elapsed = started.elapsed();
    let outcome = run.outcome().await.unwrap();
    assert_eq!(last_state, RunState::Finished);
    open.sort_unstable();
    // Every port this test listens on, once; the machine's own listeners
    // on 127.0.0.1 may come too.
    for port in &expected {
        assert_eq!(open.iter().filter(|p| *p == port).count(), 1, "port {port}");
    }
    let in_report = outcome.report.hosts[0].ports_in(PortState::Open).count();
    assert_eq!(open.len(), in_report, "the stream and the report agree");
    let bound = 2 + (elapsed.as_millis() / UPDATE_INTERVAL.as_millis()) as u64;
    eprintln!(
        "65,535 ports in {elapsed:?}: {} open ports in {messages} messages (bound {bound})",
        open.len()
    );
    assert!(
        messages <= bound,
        "{messages} messages in {elapsed:?}: more than the bound {bound}"
    );
    assert!(
        messages < open.len() as u64,
        "{messages} messages for {} open ports: not coalesced",
        open.len()
    );
    drop(listeners);
}

/// Starts a recorded scan of `port` and 3,000 ports after it at 300 a
/// second (ten seconds of scan), and returns its id once `port` was found
/// open: a scan caught in the middle, with something to keep.
async fn slow_recorded_scan_past(workspace: &Workspace, port: u16) -> ScanId {
    let last = port.saturating_add(3_000);
    let mut settings = loopback(format!("{port}-{last}"));
    settings.max_rate = Some(300);
    let plan = workspace.plan_scan(settings).await.unwrap();
    let run = workspace.start_scan(plan, true).await.unwrap();
    let mut updates = run.subscribe();
    loop {
        let update = updates.next().await.expect("the scan runs");
        if update.ports.iter().any(|p| p.port == port) {
            return update.scan_id.expect("recorded");
        }
    }
}

/// Dropping the workspace cancels its scans: a recorded scan ends up
/// cancelled, with the ports it had found.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_workspace_records_its_scan_cancelled_with_its_partial_ports() {
    let dir = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let workspace = open(dir.path()).await;
    let scan_id = slow_recorded_scan_past(&workspace, port).await;
    drop(workspace);

    let reopened = open(dir.path()).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let record = loop {
        let record = reopened.scan(scan_id).await.unwrap();
        if record.status != ScanStatus::Running || Instant::now() > deadline {
            break record;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(record.status, ScanStatus::Cancelled);
    let report = reopened.scan_report(scan_id).await.unwrap();
    let found: Vec<u16> = report.hosts[0]
        .ports_in(PortState::Open)
        .map(|p| p.port)
        .collect();
    assert!(found.contains(&port), "{found:?}");
    assert!(report.summary.unwrap().partial);
    drop(listener);
}

/// Two people accepting the same finding at once are served one after the
/// other: both acceptances are audited, and the inventory gets one entry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_acceptances_of_one_finding_lose_neither() {
    let dir = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let workspace = Arc::new(open(dir.path()).await);
    add_in_scope(&workspace, "this machine", "127.0.0.1", Exposure::Internal).await;
    let outcome = workspace
        .scan_to_end(loopback(port.to_string()), true)
        .await
        .unwrap();
    let judgement = outcome
        .judgement
        .expect("a finished recorded scan is judged");
    assert!(
        judgement.sentence.starts_with("Saved as scan"),
        "{}",
        judgement.sentence
    );
    let finding = workspace
        .findings(&FindingFilter::default())
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.finding.kind == FindingKind::UnlistedOpenPort && r.finding.port == Some(port))
        .expect("the open port is unlisted");

    let accept = |who: &'static str| {
        let workspace = Arc::clone(&workspace);
        tokio::spawn(async move {
            workspace
                .accept_finding(FindingAcceptance {
                    id: finding.id,
                    justification: format!("{who} needs it for the shop"),
                    approver: who.into(),
                    until: None,
                })
                .await
        })
    };
    let (first, second) = tokio::join!(accept("bob"), accept("carol"));
    first.unwrap().unwrap();
    second.unwrap().unwrap();

    let audit = workspace.audit_rows(100).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|row| row.action == "finding.accept")
            .count(),
        2
    );
    let entries = workspace.inventory(None).await.unwrap();
    assert_eq!(entries.iter().filter(|e| e.port == port).count(), 1);
    let accepted = workspace.finding(finding.id).await.unwrap();
    let approver = accepted
        .state
        .business_need()
        .map(|need| need.approver.as_str());
    assert!(matches!(approver, Some("bob" | "carol")), "{accepted:#?}");
    drop(listener);
}

/// An import with problems names each row and changes nothing.
#[tokio::test]
async fn an_import_with_problems_names_each_row_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let workspace = open(dir.path()).await;
    let before = workspace.audit_rows(100).await.unwrap().len();
    let text = "system,port,protocol,justification,approver\n\
                nowhere,22,tcp,remote admin,alice\n\
                nowhere,99999,tcp,web,alice\n";
    let error = workspace
        .import_inventory(InventoryFormat::Csv, text)
        .await
        .expect_err("refused");
    assert_eq!(error.kind, ErrorKind::BadInput);
    let lines: Vec<Option<usize>> = error.problems.iter().map(|p| p.line).collect();
    assert!(
        lines.contains(&Some(2)) && lines.contains(&Some(3)),
        "{error}"
    );
    assert!(workspace.inventory(None).await.unwrap().is_empty());
    assert_eq!(workspace.audit_rows(100).await.unwrap().len(), before);
}

/// Only a finished scan is judged, and never one older than a judged scan.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn judging_refuses_an_older_scan_with_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let workspace = open(dir.path()).await;
    let first = workspace
        .scan_to_end(loopback("1".into()), true)
        .await
        .unwrap();
    let second = workspace
        .scan_to_end(loopback("1".into()), true)
        .await
        .unwrap();
    let (first, second) = (first.record.unwrap().id, second.record.unwrap().id);
    let error = workspace.judge_scan(first).await.expect_err("older");
    assert_eq!(error.kind, ErrorKind::Conflict);
    assert!(
        error.message.contains(&format!("older than scan {second}")),
        "{error}"
    );
    workspace
        .judge_scan(second)
        .await
        .expect("the newest again");
}

/// A scan refused for want of a slot leaves no record and no entry in the
/// running list; the slot is free again once the first scan is cancelled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scan_beyond_the_slots_is_refused_as_busy_and_leaves_no_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = WorkspaceOptions::new(dir.path().to_path_buf(), "alice".into());
    options.scan_slots = 1;
    let workspace = Workspace::open(options).await.unwrap();
    let mut slow = loopback("1-3000".into());
    slow.max_rate = Some(300);
    let plan = workspace.plan_scan(slow.clone()).await.unwrap();
    let first = workspace.start_scan(plan, true).await.unwrap();

    let plan = workspace.plan_scan(slow.clone()).await.unwrap();
    let refused = workspace.start_scan(plan, true).await.expect_err("no slot");
    assert_eq!(refused.kind, ErrorKind::Busy);
    assert_eq!(workspace.scans(10).await.unwrap().len(), 1);
    assert_eq!(workspace.running_scans().len(), 1);

    workspace.cancel_scan(first.id()).unwrap();
    let outcome = first.outcome().await.unwrap();
    assert_eq!(outcome.record.unwrap().status, ScanStatus::Cancelled);
    // The slot and the list are given back when the run's task ends.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !workspace.running_scans().is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(workspace.running_scans().is_empty());
    let plan = workspace.plan_scan(loopback("1".into())).await.unwrap();
    workspace
        .start_scan(plan, false)
        .await
        .expect("a slot again");
}

/// Shutting down waits until every running scan is recorded cancelled,
/// with what it found: nothing is left "running" for the next start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_records_running_scans_cancelled_before_it_returns() {
    let dir = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let workspace = open(dir.path()).await;
    let scan_id = slow_recorded_scan_past(&workspace, port).await;
    workspace.shutdown().await;
    drop(workspace);

    let reopened = open(dir.path()).await;
    let record = reopened.scan(scan_id).await.unwrap();
    assert_eq!(record.status, ScanStatus::Cancelled);
    let refused = reopened.running_scans();
    assert!(refused.is_empty());
    drop(listener);
}

/// Watching from the tray is off until chosen, and the choice survives a
/// restart either way.
#[tokio::test]
async fn keeping_watch_from_the_tray_is_off_until_chosen_and_remembered() {
    let dir = tempfile::tempdir().unwrap();
    let workspace = open(dir.path()).await;
    assert!(!workspace.keep_watching().await.unwrap(), "off by default");
    assert!(workspace.set_keep_watching(true).await.unwrap());
    workspace.shutdown().await;
    drop(workspace);

    let reopened = open(dir.path()).await;
    assert!(reopened.keep_watching().await.unwrap());
    assert!(!reopened.set_keep_watching(false).await.unwrap());
    assert!(!reopened.keep_watching().await.unwrap());
}

/// An approval is removed only with a reason, which the audit log keeps
/// in the entry's last state; a blank reason is refused beside its field
/// and removes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inventory_entry_is_removed_only_with_a_reason_the_log_keeps() {
    use portcullis_model::requests::{InventoryAddition, InventoryRemoval};
    let dir = tempfile::tempdir().unwrap();
    let workspace = open(dir.path()).await;
    let system = add_in_scope(&workspace, "Web shop", "203.0.113.10", Exposure::External).await;
    let entry = workspace
        .add_inventory_entry(InventoryAddition {
            system_id: system.id,
            port: 22,
            protocol: portcullis_model::scan::Protocol::Tcp,
            service: Some("ssh".into()),
            version: None,
            justification: "Remote administration by the hosting company".into(),
            approver: "Sam Owner".into(),
            expires_at: None,
            sources: Vec::new(),
            notes: String::new(),
        })
        .await
        .unwrap();

    let refused = workspace
        .remove_inventory_entry(InventoryRemoval {
            id: entry.id,
            reason: "  ".into(),
        })
        .await
        .expect_err("a blank reason is refused");
    assert_eq!(refused.kind, ErrorKind::BadInput);
    assert_eq!(refused.field.as_deref(), Some("reason"));
    assert_eq!(workspace.inventory(None).await.unwrap().len(), 1);

    let removed = workspace
        .remove_inventory_entry(InventoryRemoval {
            id: entry.id,
            reason: "The hosting company no longer manages the server".into(),
        })
        .await
        .unwrap();
    assert!(workspace.inventory(None).await.unwrap().is_empty());
    assert!(
        removed
            .notes
            .ends_with("Removed: The hosting company no longer manages the server"),
        "{}",
        removed.notes
    );
    let rows = workspace.audit_rows(10).await.unwrap();
    let last = rows
        .iter()
        .find(|row| row.after.is_none())
        .expect("the removal");
    assert!(
        last.before
            .as_deref()
            .unwrap_or("")
            .contains("no longer manages"),
        "the removal's row keeps the reason: {last:?}"
    );
}

/// The dashboard's chart over time: one point per finished scan, oldest
/// first, with the ports it found open and the findings it saw.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_trend_counts_each_finished_scans_ports_and_findings() {
    let dir = tempfile::tempdir().unwrap();
    let workspace = open(dir.path()).await;
    add_in_scope(&workspace, "this machine", "127.0.0.1", Exposure::Internal).await;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let first = workspace
        .scan_to_end(loopback(port.to_string()), true)
        .await
        .unwrap();
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let second = workspace
        .scan_to_end(loopback(port.to_string()), true)
        .await
        .unwrap();
    drop(listener);

    let trend = workspace.dashboard().await.unwrap().trend;
    let points: Vec<(ScanId, u32, bool)> = trend
        .iter()
        .map(|p| (p.scan_id, p.open_ports, p.findings > 0))
        .collect();
    assert_eq!(
        points,
        vec![
            (first.record.expect("recorded").id, 0, false),
            (second.record.expect("recorded").id, 1, true)
        ],
        "{trend:?}"
    );
}

/// The inventory page is cut out by the database: filtered by system, port
/// and what needs attention, sorted by any column either way, a page at a
/// time, with how many match and how many there are.
#[tokio::test]
async fn the_inventory_comes_a_page_at_a_time_filtered_and_sorted() {
    use portcullis_model::listing::{
        InventoryAttention, InventoryQuery, InventorySort, PageRequest,
    };
    use portcullis_model::requests::InventoryAddition;
    let dir = tempfile::tempdir().unwrap();
    let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap());
    let mut options = WorkspaceOptions::new(dir.path().to_path_buf(), "alice".into());
    options.clock = clock.clone();
    let workspace = Workspace::open(options).await.unwrap();
    let mut systems = Vec::new();
    for (name, address) in [("beta", "203.0.113.2"), ("Alpha", "203.0.113.1")] {
        let system = add_in_scope(&workspace, name, address, Exposure::External).await;
        systems.push(system);
    }
    let approve = |system: usize, port: u16, until: Option<chrono::DateTime<Utc>>| {
        let addition = InventoryAddition {
            system_id: systems[system].id,
            port,
            protocol: portcullis_model::scan::Protocol::Tcp,
            service: None,
            version: None,
            justification: "The shop needs it".into(),
            approver: "Sam Owner".into(),
            expires_at: until,
            sources: Vec::new(),
            notes: String::new(),
        };
        let workspace = &workspace;
        async move { workspace.add_inventory_entry(addition).await.unwrap() }
    };
    // Approved in January: 30 ports of beta, 30 of Alpha.
    for port in 1000..1030 {
        approve(0, port, None).await;
        approve(1, port, None).await;
    }
    // Approved in June, one ending in ten days and one in ninety.
    clock.set(Utc.with_ymd_and_hms(2026, 6, 20, 12, 0, 0).unwrap());
    approve(
        0,
        443,
        Some(Utc.with_ymd_and_hms(2026, 7, 30, 0, 0, 0).unwrap()),
    )
    .await;
    approve(
        1,
        443,
        Some(Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap()),
    )
    .await;
    clock.set(Utc.with_ymd_and_hms(2026, 7, 20, 12, 0, 0).unwrap());

    let page = |query: InventoryQuery| {
        let workspace = &workspace;
        async move { workspace.inventory_page(&query).await.unwrap() }
    };
    let first = page(InventoryQuery::default()).await;
    assert_eq!((first.total, first.all, first.rows.len()), (62, 62, 50));
    // By system name whatever its case, then port: Alpha's come first.
    assert_eq!(first.rows[0].system_name, "Alpha");
    assert_eq!(first.rows[0].entry.port, 443);
    assert_eq!(first.rows[1].entry.port, 1000);
    let second = page(InventoryQuery {
        page: PageRequest {
            offset: 50,
            limit: 50,
        },
        ..InventoryQuery::default()
    })
    .await;
    assert_eq!(second.rows.len(), 12);
    assert!(
        second
            .rows
            .iter()
            .all(|row| !first.rows.iter().any(|seen| seen.entry.id == row.entry.id)),
        "pages do not overlap"
    );

    let by_port_down = page(InventoryQuery {
        sort: InventorySort::Port,
        descending: true,
        ..InventoryQuery::default()
    })
    .await;
    assert_eq!(by_port_down.rows[0].entry.port, 1029);
    let ending = page(InventoryQuery {
        sort: InventorySort::Until,
        ..InventoryQuery::default()
    })
    .await;
    assert_eq!(ending.rows[0].entry.port, 443);
    assert_eq!(ending.rows[0].system_name, "beta", "the soonest end first");

    let one_port = page(InventoryQuery {
        port: Some(1003),
        system_id: Some(systems[0].id),
        ..InventoryQuery::default()
    })
    .await;
    assert_eq!((one_port.total, one_port.all), (1, 62));
    let attention = |attention: InventoryAttention| {
        page(InventoryQuery {
            attention,
            ..InventoryQuery::default()
        })
    };
    let ending_soon = attention(InventoryAttention::EndingSoon).await;
    assert_eq!(ending_soon.total, 1);
    assert_eq!(ending_soon.rows[0].system_name, "beta");
    assert_eq!(attention(InventoryAttention::Ended).await.total, 0);
    // Six months after January's approvals, they are due for review.
    assert_eq!(attention(InventoryAttention::ReviewDue).await.total, 60);
    assert_eq!(attention(InventoryAttention::NotSeenLately).await.total, 0);
}

/// The findings page is cut out by the database: open before answered,
/// worst first, filtered by kind, state and system, with the kinds there
/// are for the filter.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn findings_come_a_page_at_a_time_open_and_worst_first() {
    use portcullis_model::compliance::FindingStatus;
    use portcullis_model::listing::{FindingQuery, PageRequest};
    let dir = tempfile::tempdir().unwrap();
    let workspace = open(dir.path()).await;
    let system = add_in_scope(&workspace, "this machine", "127.0.0.1", Exposure::Internal).await;
    let listeners: Vec<TcpListener> = (0..3)
        .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    let mut ports: Vec<String> = listeners
        .iter()
        .map(|l| l.local_addr().unwrap().port().to_string())
        .collect();
    // An approved port nothing listens on: the scan finds it closed.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    ports.push(closed_port.to_string());
    workspace
        .add_inventory_entry(portcullis_model::requests::InventoryAddition {
            system_id: system.id,
            port: closed_port,
            protocol: portcullis_model::scan::Protocol::Tcp,
            service: None,
            version: None,
            justification: "The old admin panel".into(),
            approver: "Sam Owner".into(),
            expires_at: None,
            sources: Vec::new(),
            notes: String::new(),
        })
        .await
        .unwrap();
    workspace
        .scan_to_end(loopback(ports.join(",")), true)
        .await
        .unwrap();
    let everything = workspace.findings(&FindingFilter::default()).await.unwrap();
    let unlisted: Vec<_> = everything
        .iter()
        .filter(|r| r.finding.kind == FindingKind::UnlistedOpenPort)
        .collect();
    assert_eq!(unlisted.len(), 3, "{everything:#?}");
    workspace
        .accept_finding(FindingAcceptance {
            id: unlisted[0].id,
            justification: "The shop needs it".into(),
            approver: "Sam Owner".into(),
            until: None,
        })
        .await
        .unwrap();

    let page = |query: FindingQuery| {
        let workspace = &workspace;
        async move { workspace.finding_page(&query).await.unwrap() }
    };
    let all = page(FindingQuery::default()).await;
    assert_eq!(all.total as usize, everything.len());
    assert_eq!(all.all, all.total);
    assert!(all.kinds.contains(&FindingKind::UnlistedOpenPort));
    let states: Vec<bool> = all
        .rows
        .iter()
        .map(|row| row.record.status() == FindingStatus::Open)
        .collect();
    assert!(
        states.windows(2).all(|pair| pair[0] >= pair[1]),
        "open before answered: {states:?}"
    );
    let open_severities: Vec<_> = all
        .rows
        .iter()
        .filter(|row| row.record.status() == FindingStatus::Open)
        .map(|row| row.record.finding.severity)
        .collect();
    assert!(
        open_severities.windows(2).all(|pair| pair[0] >= pair[1]),
        "worst first: {open_severities:?}"
    );
    assert!(
        all.rows
            .iter()
            .all(|row| row.system_name.as_deref() == Some("this machine"))
    );

    let accepted = page(FindingQuery {
        status: Some(FindingStatus::Accepted),
        ..FindingQuery::default()
    })
    .await;
    assert_eq!(accepted.total, 1);
    assert_eq!(accepted.rows[0].record.id, unlisted[0].id);
    let open_unlisted = page(FindingQuery {
        kind: Some(FindingKind::UnlistedOpenPort),
        status: Some(FindingStatus::Open),
        system_id: Some(system.id),
        page: PageRequest {
            offset: 1,
            limit: 1,
        },
        ..FindingQuery::default()
    })
    .await;
    assert_eq!((open_unlisted.total, open_unlisted.rows.len()), (2, 1));
    let elsewhere = page(FindingQuery {
        system_id: Some(portcullis_model::SystemId(system.id.get() + 1)),
        ..FindingQuery::default()
    })
    .await;
    assert_eq!((elsewhere.total, elsewhere.all), (0, all.all));

    // The approved port the scan found closed is "not seen lately"; the
    // one accepted from an open port is not.
    let not_seen = workspace
        .inventory_page(&portcullis_model::listing::InventoryQuery {
            attention: portcullis_model::listing::InventoryAttention::NotSeenLately,
            ..Default::default()
        })
        .await
        .unwrap();
    let ports_not_seen: Vec<u16> = not_seen.rows.iter().map(|row| row.entry.port).collect();
    assert_eq!((not_seen.all, ports_not_seen), (2, vec![closed_port]));

    // A finding's own page: the record, its system's name, and the card
    // that decides it, worked out from its system's findings alone.
    let open_one = &open_unlisted.rows[0].record;
    let detail = workspace.finding_detail(open_one.id).await.unwrap();
    assert_eq!(detail.record.id, open_one.id);
    assert_eq!(
        detail.system.map(|s| s.name).as_deref(),
        Some("this machine")
    );
    let card = detail.card.expect("an open finding has its decision card");
    assert!(
        card.group
            .findings
            .iter()
            .any(|member| member.id == open_one.id)
    );
    let missing = workspace
        .finding_detail(portcullis_model::FindingId(open_one.id.get() + 1000))
        .await
        .expect_err("no such finding");
    assert_eq!(missing.kind, ErrorKind::NotFound);
    drop(listeners);
}

/// The dashboard lists the systems that need the merchant most, a few of
/// them; the verdict counts still cover every system, and follow every
/// change.
#[tokio::test]
async fn the_dashboard_names_a_few_systems_and_counts_them_all() {
    let dir = tempfile::tempdir().unwrap();
    let workspace = open(dir.path()).await;
    for n in 0..12 {
        add_in_scope(
            &workspace,
            format!("till {n:02}"),
            format!("203.0.113.{}", n + 1),
            Exposure::Internal,
        )
        .await;
    }
    let full = workspace.status().await.unwrap();
    assert_eq!(full.status.systems.len(), 12);
    let dashboard = workspace.dashboard_status().await.unwrap();
    assert_eq!(
        dashboard.status.systems.len(),
        portcullis_app::DASHBOARD_SYSTEMS
    );
    let counted: u32 = dashboard.verdict_counts.iter().map(|c| c.count).sum();
    assert_eq!(counted, 12);
    assert_eq!(dashboard.verdict_counts, full.verdict_counts);
    let names: Vec<&str> = dashboard
        .status
        .systems
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "same verdict: by name");

    // The status is kept between visits, but never past a change: a
    // system added here, or by another process on the same data, counts
    // at once.
    add_in_scope(&workspace, "till 12", "203.0.113.13", Exposure::Internal).await;
    let counted = |report: portcullis_model::dashboard::StatusReport| -> u32 {
        report.verdict_counts.iter().map(|c| c.count).sum()
    };
    assert_eq!(counted(workspace.dashboard_status().await.unwrap()), 13);
    let other = open(dir.path()).await;
    add_in_scope(&other, "till 13", "203.0.113.14", Exposure::Internal).await;
    assert_eq!(counted(workspace.dashboard_status().await.unwrap()), 14);
}
