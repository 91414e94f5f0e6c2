//! The compliance use cases through the workspace: a closed port verified
//! fixed by the rescan, segmentation tests moving the 11.4.5 findings, an
//! approval renewed for its term, the refusals that name what is wrong,
//! backup and restore. Real SQLite in a temporary directory, real scans of
//! 127.0.0.1 only (listeners this test opens), and a fixed clock that each
//! test moves on where time must pass.
//!
//! The `portcullis` binary's parsing, output and exit codes for the same
//! commands are tested in `crates/cli/tests/compliance.rs`.

use portcullis_model::{InventoryEntryId, ScanId, SegmentationTestId, SystemId};
use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use portcullis_app::{FixedClock, Workspace, WorkspaceOptions};
use portcullis_model::ErrorKind;
use portcullis_model::compliance::{
    AuditAction, DisputeKind, Exposure, FindingKind, FindingState, FindingStatus, NewSystem, Scope,
    SegmentationTest, SystemRole, Verdict,
};
use portcullis_model::judgement::FindingFilter;
use portcullis_model::requests::{
    DiffRequest, FindingAcceptance, FindingDisputal, InventoryAddition, InventoryRenewal,
    RenewalTerm, SegmentationTestInput,
};
use portcullis_model::scan::Protocol;
use portcullis_model::scan_record::{ScanSettings, TcpChoice};
use portcullis_model::segmentation::SegmentationRunInput;
use tempfile::TempDir;

/// Noon UTC on a day. The store refuses a segmentation test dated after
/// the machine's own clock, so the tests keep their fixed clocks in the
/// past.
fn day(year: i32, month: u32, day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, 12, 0, 0).unwrap()
}

/// A workspace on a fresh database in a temporary directory (kept while
/// the `TempDir` lives), reading the time from the clock returned, set to
/// `now`.
async fn open(now: DateTime<Utc>) -> (TempDir, Arc<FixedClock>, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let clock = FixedClock::new(now);
    let options = WorkspaceOptions {
        clock: clock.clone(),
        ..WorkspaceOptions::new(dir.path().to_path_buf(), "tester".into())
    };
    let workspace = Workspace::open(options).await.expect("workspace opens");
    (dir, clock, workspace)
}

/// A connect scan of `ports` on 127.0.0.1, without host discovery.
fn loopback(ports: String) -> ScanSettings {
    ScanSettings {
        targets: vec!["127.0.0.1".into()],
        ports,
        tcp: TcpChoice::Connect,
        discover: false,
        ..ScanSettings::default()
    }
}

fn system(name: &str, role: SystemRole, scope: Scope) -> NewSystem {
    NewSystem {
        name: name.into(),
        addresses: vec!["127.0.0.1".into()],
        role,
        scope,
        exposure: Exposure::Internal,
        notes: String::new(),
    }
}

fn approval(
    system_id: SystemId,
    port: u16,
    expires_at: Option<DateTime<Utc>>,
) -> InventoryAddition {
    InventoryAddition {
        system_id,
        port,
        protocol: Protocol::Tcp,
        service: None,
        version: None,
        justification: "the shop".into(),
        approver: "alice".into(),
        expires_at,
        sources: Vec::new(),
        notes: String::new(),
    }
}

/// A port on 127.0.0.1 that nothing listens on (bound, then let go).
fn closed_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    listener.local_addr().unwrap().port()
}

/// How many audit rows record `action`.
async fn audited(workspace: &Workspace, action: &str) -> usize {
    let rows = workspace.audit_rows(1_000).await.unwrap();
    rows.iter().filter(|row| row.action == action).count()
}

/// The status of the one finding of `kind`, if there is one.
async fn finding_status(workspace: &Workspace, kind: FindingKind) -> Option<FindingStatus> {
    let records = workspace.findings(&FindingFilter::default()).await.unwrap();
    let matching: Vec<FindingStatus> = records
        .iter()
        .filter(|r| r.finding.kind == kind)
        .map(|r| r.status())
        .collect();
    assert!(matching.len() <= 1, "{kind:?}: {records:#?}");
    matching.first().copied()
}

/// Scan, see the unlisted port, close it, rescan: the finding is fixed and
/// verified by the second scan, and the diff shows the port closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_port_is_verified_fixed_by_the_rescan() {
    let (_dir, _, workspace) = open(day(2026, 6, 1)).await;
    let loopback_system = workspace
        .add_system(system("loopback", SystemRole::WebServer, Scope::Cde))
        .await
        .unwrap();
    let approved = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let unwanted = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let approved_port = approved.local_addr().unwrap().port();
    let unwanted_port = unwanted.local_addr().unwrap().port();
    workspace
        .add_inventory_entry(approval(loopback_system.id, approved_port, None))
        .await
        .unwrap();
    let ports = format!("{approved_port},{unwanted_port}");

    let first = workspace
        .scan_to_end(loopback(ports.clone()), true)
        .await
        .unwrap();
    let first_id = first.record.expect("recorded").id;
    assert_eq!(first_id, ScanId(1));
    let judgement = first.judgement.expect("a finished recorded scan is judged");
    assert!(
        judgement.sentence.starts_with("Saved as scan 1:"),
        "{}",
        judgement.sentence
    );
    let found = workspace
        .findings(&FindingFilter {
            scan_id: Some(first_id),
            ..FindingFilter::default()
        })
        .await
        .unwrap();
    let unlisted: Vec<_> = found
        .iter()
        .filter(|f| f.finding.kind == FindingKind::UnlistedOpenPort)
        .collect();
    assert_eq!(unlisted.len(), 1, "{found:#?}");
    assert_eq!(unlisted[0].finding.port, Some(unwanted_port));
    assert_eq!(unlisted[0].state, FindingState::Open);
    let id = unlisted[0].id;

    drop(unwanted);
    let second = workspace.scan_to_end(loopback(ports), true).await.unwrap();
    let second_id = second.record.expect("recorded").id;
    assert_eq!(second_id, ScanId(2));
    let judgement = second.judgement.expect("judged");
    assert!(
        judgement.sentence.starts_with("Saved as scan 2:"),
        "{}",
        judgement.sentence
    );
    let record = workspace
        .findings(&FindingFilter::default())
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.id == id)
        .expect("the finding is still listed");
    assert_eq!(
        record.state,
        FindingState::Verified { by_scan: second_id },
        "{record:#?}"
    );

    let diff = workspace
        .diff(DiffRequest {
            before: first_id,
            after: second_id,
        })
        .await
        .unwrap();
    assert_eq!(diff.addresses.len(), 1, "{diff:#?}");
    let at = &diff.addresses[0];
    assert_eq!(at.address, IpAddr::V4(Ipv4Addr::LOCALHOST));
    assert_eq!(at.system, "system loopback");
    assert_eq!(
        at.changes,
        [format!(
            "{unwanted_port}/tcp closed: it is not in the inventory, so closing it was right"
        )]
    );
    assert_eq!(
        diff.summary,
        "In all: 0 ports opened, 1 closed, 0 otherwise changed."
    );
    // The approved port, open in both, is not a change.
    assert!(
        diff.diff.ports.iter().all(|p| p.port != approved_port),
        "{diff:#?}"
    );
    assert_eq!(audited(&workspace, "finding.fixed-by-scan").await, 1);

    // Judging the newest scan again changes nothing; the older one is refused.
    let again = workspace.judge_scan(second_id).await.unwrap();
    assert!(again.saved.new.is_empty(), "{again:#?}");
    assert!(
        again
            .sentence
            .starts_with("Saved as scan 2: 0 new findings"),
        "{}",
        again.sentence
    );
    let error = workspace.judge_scan(first_id).await.expect_err("older");
    assert_eq!(error.kind, ErrorKind::Conflict);
    assert!(error.message.contains("older than scan 2"), "{error}");
    drop(approved);
}

/// PCI DSS 11.4.5: with a system out of scope, a judged scan says the
/// segmentation test is overdue; recording a failed test turns that into a
/// failed test, and a passed one clears it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recording_segmentation_tests_moves_the_11_4_5_findings() {
    let early = day(2024, 12, 1);
    let (_dir, clock, workspace) = open(early).await;
    let recorded = workspace
        .record_segmentation_test(SegmentationTestInput {
            passed: true,
            note: "early test".into(),
            at: None,
        })
        .await
        .unwrap();
    assert_eq!(recorded.rejudged, None, "no scan has been judged yet");
    let tests = workspace.segmentation_tests().await.unwrap();
    assert_eq!(tests.len(), 1);
    assert_eq!(tests[0].notes, "early test");
    assert_eq!(tests[0].at, early, "dated now, by the workspace's clock");

    // A year and a half later.
    let now = early + TimeDelta::days(540);
    clock.set(now);
    workspace
        .add_system(system("guest wifi", SystemRole::Office, Scope::OutOfScope))
        .await
        .unwrap();
    let scan = workspace
        .scan_to_end(loopback(closed_port().to_string()), true)
        .await
        .unwrap();
    let scan_id = scan.record.expect("recorded").id;
    assert_eq!(scan_id, ScanId(1));
    assert_eq!(
        finding_status(&workspace, FindingKind::SegmentationTestOverdue).await,
        Some(FindingStatus::Open)
    );

    let failed = workspace
        .record_segmentation_test(SegmentationTestInput {
            passed: false,
            note: "Acme Pentest: the guest wifi reaches the till".into(),
            at: None,
        })
        .await
        .unwrap();
    assert_eq!(failed.id, SegmentationTestId(2));
    assert_eq!(
        failed.rejudged.map(|judgement| judgement.scan_id),
        Some(scan_id),
        "the newest judged scan is judged again"
    );
    assert_eq!(
        finding_status(&workspace, FindingKind::SegmentationTestOverdue).await,
        Some(FindingStatus::Verified)
    );
    assert_eq!(
        finding_status(&workspace, FindingKind::SegmentationTestFailed).await,
        Some(FindingStatus::Open)
    );

    // The retest, a week after the fix.
    let retested = now + TimeDelta::days(7);
    clock.set(retested);
    workspace
        .record_segmentation_test(SegmentationTestInput {
            passed: true,
            note: "Acme Pentest retest after the VLAN fix".into(),
            at: None,
        })
        .await
        .unwrap();
    assert_eq!(
        finding_status(&workspace, FindingKind::SegmentationTestFailed).await,
        Some(FindingStatus::Verified)
    );
    let status = workspace.status().await.unwrap();
    assert_eq!(
        status.history.last_segmentation_test,
        Some(SegmentationTest {
            at: retested,
            passed: true
        })
    );
    let tests = workspace.segmentation_tests().await.unwrap();
    let listed: Vec<(SegmentationTestId, bool, &str)> = tests
        .iter()
        .map(|t| (t.id, t.passed, t.notes.as_str()))
        .collect();
    assert_eq!(
        listed,
        [
            (
                SegmentationTestId(3),
                true,
                "Acme Pentest retest after the VLAN fix"
            ),
            (
                SegmentationTestId(2),
                false,
                "Acme Pentest: the guest wifi reaches the till"
            ),
            (SegmentationTestId(1), true, "early test"),
        ],
        "newest first"
    );
    assert_eq!(audited(&workspace, "segmentation-test.record").await, 3);
}

/// The guided segmentation test, from this computer: with a listener on
/// 127.0.0.1 and a system in scope there, the test fails and names the
/// port; it is recorded with its evidence, the 11.4.5 finding follows,
/// and the test's own scan is recorded but not judged (from a network
/// meant to be cut off, every port would look closed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guided_segmentation_test_names_what_answered_and_feeds_11_4_5() {
    let (_dir, _clock, workspace) = open(day(2025, 3, 1)).await;
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let open_port = listener.local_addr().unwrap().port();
    workspace
        .add_system(system("till", SystemRole::Payment, Scope::Cde))
        .await
        .unwrap();
    // Never scanned: the test scans only what is in scope.
    let guest = NewSystem {
        addresses: vec!["198.18.0.90".into()],
        ..system("guest wifi", SystemRole::Office, Scope::OutOfScope)
    };
    workspace.add_system(guest).await.unwrap();
    let judged = workspace
        .scan_to_end(loopback(closed_port().to_string()), true)
        .await
        .unwrap()
        .record
        .expect("recorded")
        .id;

    let run = workspace
        .start_segmentation_test(SegmentationRunInput {
            network: " Guest Wi-Fi ".into(),
        })
        .await
        .unwrap();
    assert_eq!(run.network, "Guest Wi-Fi");
    assert_eq!(run.position.address, IpAddr::V4(Ipv4Addr::LOCALHOST));
    let outcome = workspace.finish_segmentation_test(run).await.unwrap();
    drop(listener);

    assert!(!outcome.passed);
    assert!(
        outcome
            .evidence
            .answers
            .iter()
            .any(|answer| answer.port == open_port
                && answer.protocol == Protocol::Tcp
                && answer.address == IpAddr::V4(Ipv4Addr::LOCALHOST)),
        "{:?}",
        outcome.evidence.answers
    );
    assert!(
        outcome
            .summary
            .contains(&format!("127.0.0.1 port {open_port}/tcp"))
    );
    assert_eq!(
        outcome.rejudged.map(|judgement| judgement.scan_id),
        Some(judged),
        "the newest judged scan is judged again, not the test's own"
    );
    let own_scan = workspace.scan(outcome.evidence.scan_id).await.unwrap();
    assert_eq!(own_scan.evaluated_at, None, "the test's scan is not judged");
    assert_eq!(
        finding_status(&workspace, FindingKind::SegmentationTestFailed).await,
        Some(FindingStatus::Open)
    );
    let tests = workspace.segmentation_tests().await.unwrap();
    assert_eq!(tests[0].evidence.as_ref(), Some(&outcome.evidence));
}

/// A guided test needs a network's name and something in scope to test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guided_segmentation_test_needs_a_name_and_a_system_in_scope() {
    let (_dir, _clock, workspace) = open(day(2025, 3, 1)).await;
    let refused = |network: &str| {
        workspace.start_segmentation_test(SegmentationRunInput {
            network: network.into(),
        })
    };
    let nothing_in_scope = refused("Guest Wi-Fi").await.unwrap_err();
    assert_eq!(nothing_in_scope.kind, ErrorKind::BadInput);
    assert_eq!(nothing_in_scope.field.as_deref(), Some("systems"));
    let unnamed = refused("  ").await.unwrap_err();
    assert_eq!(unnamed.field.as_deref(), Some("network"));
    assert!(workspace.segmentation_tests().await.unwrap().is_empty());
}

/// A segmentation test is evidence: it needs a note, and it cannot have
/// happened in the future. Refused tests are not recorded.
#[tokio::test]
async fn a_segmentation_test_needs_a_note_and_a_past_date() {
    let (_dir, _, workspace) = open(day(2026, 6, 1)).await;
    // 2026-09-01 is after the workspace's clock, though not after the
    // machine's: the workspace's clock decides.
    for (note, at, field, says) in [
        (" ", None, "note", "needs a note"),
        ("x", Some(day(2026, 9, 1)), "at", "in the future"),
    ] {
        let error = workspace
            .record_segmentation_test(SegmentationTestInput {
                passed: true,
                note: note.into(),
                at,
            })
            .await
            .expect_err("refused");
        assert_eq!(error.kind, ErrorKind::BadInput, "{error}");
        assert_eq!(error.field.as_deref(), Some(field), "{error}");
        assert!(error.message.contains(says), "{error}");
    }
    assert!(workspace.segmentation_tests().await.unwrap().is_empty());
    assert_eq!(audited(&workspace, "segmentation-test.record").await, 0);
}

/// Approving an entry again renews it for the term it had, unless told
/// otherwise; it never makes one permanent by omission, nor ends it in the
/// past.
#[tokio::test]
async fn approving_an_entry_again_keeps_its_term_unless_told_otherwise() {
    let start = day(2026, 6, 1);
    let (_dir, clock, workspace) = open(start).await;
    let loopback_system = workspace
        .add_system(system("loopback", SystemRole::WebServer, Scope::Cde))
        .await
        .unwrap();
    let error = workspace
        .add_inventory_entry(approval(loopback_system.id, 443, Some(day(2020, 1, 1))))
        .await
        .expect_err("an approval that ended before it was given");
    assert_eq!(error.kind, ErrorKind::BadInput);
    assert!(error.message.contains("would never hold"), "{error}");
    let first = workspace
        .add_inventory_entry(approval(
            loopback_system.id,
            443,
            Some(start + TimeDelta::days(90)),
        ))
        .await
        .unwrap();
    let id = first.id;

    // A month on, bob approves it again, naming no term.
    let renewed_at = start + TimeDelta::days(30);
    clock.set(renewed_at);
    let renewed = workspace
        .renew_inventory_entry(InventoryRenewal {
            id,
            approver: "bob".into(),
            justification: None,
            term: RenewalTerm::SameAsBefore,
        })
        .await
        .unwrap();
    assert_eq!(renewed.approver, "bob");
    assert_eq!(renewed.justification, "the shop");
    assert_eq!(
        renewed.expires_at,
        Some(renewed_at + TimeDelta::days(90)),
        "the same term, from now"
    );
    assert_eq!(renewed.approved_at, renewed_at);
    assert_ne!(renewed.approved_at, first.approved_at);
    assert_eq!(
        workspace.inventory(None).await.unwrap(),
        std::slice::from_ref(&renewed)
    );

    let error = workspace
        .renew_inventory_entry(InventoryRenewal {
            id,
            approver: "bob".into(),
            justification: None,
            term: RenewalTerm::Until(day(2020, 1, 1)),
        })
        .await
        .expect_err("an approval ending in the past");
    assert_eq!(error.kind, ErrorKind::BadInput);
    assert_eq!(error.field.as_deref(), Some("until"));
    assert!(
        error.message.starts_with(&format!(
            "inventory entry {id}: the approval must end after now"
        )),
        "{error}"
    );
    let error = workspace
        .renew_inventory_entry(InventoryRenewal {
            id,
            approver: " ".into(),
            justification: None,
            term: RenewalTerm::SameAsBefore,
        })
        .await
        .expect_err("nobody approves");
    assert_eq!(error.kind, ErrorKind::BadInput);
    assert_eq!(error.field.as_deref(), Some("approver"));
    assert_eq!(
        workspace.inventory(None).await.unwrap(),
        [renewed],
        "refused renewals change nothing"
    );

    let permanent = workspace
        .renew_inventory_entry(InventoryRenewal {
            id,
            approver: "carol".into(),
            justification: Some("card payments".into()),
            term: RenewalTerm::NoExpiry,
        })
        .await
        .unwrap();
    assert_eq!(permanent.approver, "carol");
    assert_eq!(permanent.expires_at, None);
    assert_eq!(permanent.justification, "card payments");
    assert_eq!(workspace.inventory(None).await.unwrap(), [permanent]);
    assert_eq!(audited(&workspace, "inventory.approve").await, 2);
}

/// A refusal names the thing at fault and, where there is one, the field;
/// a refused change is not audited.
#[tokio::test]
async fn refusals_name_the_field_and_the_thing() {
    let (_dir, _, workspace) = open(day(2026, 6, 1)).await;
    let error = workspace
        .add_system(NewSystem {
            addresses: vec!["10.0.0.0/33".into()],
            ..system("shop", SystemRole::WebServer, Scope::Cde)
        })
        .await
        .expect_err("no such block");
    assert_eq!(error.kind, ErrorKind::BadInput);
    assert_eq!(error.field.as_deref(), Some("addresses"));
    assert!(error.message.contains("10.0.0.0/33"), "{error}");

    let error = workspace
        .renew_inventory_entry(InventoryRenewal {
            id: InventoryEntryId(42),
            approver: "a".into(),
            justification: None,
            term: RenewalTerm::SameAsBefore,
        })
        .await
        .expect_err("no such entry");
    assert_eq!(error.kind, ErrorKind::NotFound);
    assert!(error.message.contains("inventory entry 42"), "{error}");

    assert!(workspace.audit_rows(100).await.unwrap().is_empty());
}

/// A backup restores what it saved; a backup never overwrites a file, and
/// a file that is not a Portcullis database is not restored.
#[tokio::test]
async fn backup_and_restore_round_trip() {
    let (dir, _, workspace) = open(day(2026, 6, 1)).await;
    let shop = workspace
        .add_system(system("loopback", SystemRole::WebServer, Scope::Cde))
        .await
        .unwrap();
    let backup = dir.path().join("copy.sqlite3");
    let summary = workspace.backup(&backup, |_| {}).await.unwrap();
    assert_eq!(summary.path, backup.display().to_string());
    let error = workspace
        .backup(&backup, |_| {})
        .await
        .expect_err("the file exists");
    assert_eq!(error.kind, ErrorKind::BadInput);
    assert_eq!(error.field.as_deref(), Some("file"));

    workspace.remove_system(shop.id).await.unwrap();
    assert!(workspace.systems().await.unwrap().is_empty());
    let restored = workspace.restore(&backup, |_| {}).await.unwrap();
    assert!(
        std::path::Path::new(&restored.previous_saved_to).exists(),
        "{restored:?}"
    );
    assert_eq!(
        workspace.systems().await.unwrap(),
        std::slice::from_ref(&shop)
    );

    let junk = dir.path().join("junk.sqlite3");
    std::fs::write(&junk, b"not a database at all").unwrap();
    let error = workspace
        .restore(&junk, |_| {})
        .await
        .expect_err("not a database");
    assert_eq!(error.kind, ErrorKind::BadInput);
    assert!(error.message.contains("refusing to restore"), "{error}");
    assert_eq!(workspace.systems().await.unwrap(), [shop]);

    let missing = dir.path().join("no such folder").join("copy.sqlite3");
    let error = workspace
        .backup(&missing, |_| {})
        .await
        .expect_err("no such folder");
    assert_eq!(error.kind, ErrorKind::BadInput);
    assert!(
        error.message.contains("the folder") && error.message.contains("does not exist"),
        "{error}"
    );
}

/// A database port facing the internet fails an ASV scan: no business need
/// passes it, a dispute on grounds that do not apply is refused beside its
/// field, and a false-positive dispute leaves the system "passing only if
/// the ASV accepts the dispute", audited and read back from SQLite.
#[tokio::test]
async fn a_failing_finding_is_disputed_not_accepted() {
    let (_dir, _, workspace) = open(day(2026, 6, 1)).await;
    let mut shop = system("shop", SystemRole::WebServer, Scope::Cde);
    shop.exposure = Exposure::External;
    let shop = workspace.add_system(shop).await.unwrap();
    // DB2's registered port: the rules take an unidentified service there
    // for a database. Nothing answers on it but this listener.
    let Ok(db2) = TcpListener::bind((Ipv4Addr::LOCALHOST, 50000)) else {
        eprintln!("port 50000 is taken on 127.0.0.1; nothing to test");
        return;
    };
    let scan = workspace
        .scan_to_end(loopback("50000".into()), true)
        .await
        .unwrap();
    drop(db2);
    assert!(scan.judgement.is_some());
    let findings = workspace.findings(&FindingFilter::default()).await.unwrap();
    let database = findings
        .iter()
        .find(|f| f.finding.kind == FindingKind::ExternalDatabase)
        .unwrap_or_else(|| panic!("{findings:#?}"));
    let id = database.id;

    let refused = workspace
        .accept_finding(FindingAcceptance {
            id,
            justification: "Our shop software needs it from the office".into(),
            approver: "Sam Owner".into(),
            until: None,
        })
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::BadInput);
    assert!(
        refused.message.contains("fails an ASV scan"),
        "{}",
        refused.message
    );

    let wrong_grounds = workspace
        .dispute_finding(FindingDisputal {
            id,
            kind: DisputeKind::PoiTerminalEarlyTls,
            evidence: "Only terminals connect".into(),
            submitted_by: "Sam Owner".into(),
            until: None,
        })
        .await
        .unwrap_err();
    assert_eq!(wrong_grounds.field.as_deref(), Some("kind"));

    let disputed = workspace
        .dispute_finding(FindingDisputal {
            id,
            kind: DisputeKind::FalsePositive,
            evidence: "Port 50000 is our print server's status page, not a database".into(),
            submitted_by: "Sam Owner".into(),
            until: None,
        })
        .await
        .unwrap();
    assert_eq!(disputed.status(), FindingStatus::Disputed);
    let stored = workspace
        .findings(&FindingFilter {
            status: Some(FindingStatus::Disputed),
            ..FindingFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].state, disputed.state);
    let accepted = FindingFilter {
        status: Some(FindingStatus::Accepted),
        ..FindingFilter::default()
    };
    assert!(workspace.findings(&accepted).await.unwrap().is_empty());

    let status = workspace.status().await.unwrap();
    let verdict = status
        .status
        .systems
        .iter()
        .find(|s| s.system_id == shop.id)
        .unwrap();
    assert_eq!(verdict.verdict, Verdict::Disputed, "{:?}", verdict.reasons);
    assert!(
        verdict.reasons.iter().any(|reason| reason
            .starts_with("Passes only if your ASV accepts the dispute (false positive")),
        "{:?}",
        verdict.reasons
    );
    let audit = workspace.audit_rows(50).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|row| row.action == AuditAction::FindingDispute
                && row.entity_id == id.to_string()),
        "{audit:#?}"
    );
    assert!(workspace.verify_audit_log().await.unwrap().is_intact());
}
