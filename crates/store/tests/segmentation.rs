//! Segmentation tests (PCI DSS 11.4.5): recorded with their evidence,
//! audited, and read back as the testing history the rules judge.

mod common;

use chrono::{TimeZone, Utc};
use common::{ACTOR, new_store};
use portcullis_model::compliance::SegmentationTest;

#[tokio::test]
async fn the_newest_test_is_the_history_and_each_is_audited() {
    let (_dir, store) = new_store().await;
    let spring = Utc.with_ymd_and_hms(2025, 3, 1, 9, 0, 0).unwrap();
    let autumn = Utc.with_ymd_and_hms(2025, 10, 1, 9, 0, 0).unwrap();
    let failed = store
        .record_segmentation_test(
            ACTOR,
            autumn,
            false,
            "Acme Pentest: office VLAN reaches the CDE",
        )
        .await
        .unwrap();
    // Recorded later, carried out earlier: it does not replace the newer one.
    let passed = store
        .record_segmentation_test(ACTOR, spring, true, "Acme Pentest report 2025-03")
        .await
        .unwrap();

    let tests = store.segmentation_tests().await.unwrap();
    let ids: Vec<_> = tests.iter().map(|t| t.id).collect();
    assert_eq!(ids, [failed, passed], "newest carried out first");
    assert_eq!(tests[0].notes, "Acme Pentest: office VLAN reaches the CDE");
    assert_eq!(tests[0].actor, ACTOR);
    assert!(!tests[0].passed && tests[1].passed);

    let history = store.testing_history(None).await.unwrap();
    assert_eq!(
        history.last_segmentation_test,
        Some(SegmentationTest {
            at: autumn,
            passed: false
        })
    );

    let rows = store.audit_rows(None, 10).await.unwrap();
    let recorded: Vec<&str> = rows
        .iter()
        .filter(|r| r.action == "segmentation-test.record")
        .map(|r| r.entity_id.as_str())
        .collect();
    assert_eq!(recorded, [passed.to_string(), failed.to_string()]);
    assert!(store.verify_audit_log().await.unwrap().is_intact());
}

/// A finished scan, as a guided test's scan is recorded.
async fn finished_scan(store: &portcullis_store::Store) -> portcullis_model::ScanId {
    use portcullis_model::compliance::{Exposure, PortRange, ScanCoverage};
    use portcullis_model::scan::{MethodChoice, ScanMethod, ScanSummary};
    let writer = store
        .begin_scan(&portcullis_store::NewScan {
            actor: ACTOR.into(),
            targets: "198.18.0.20".into(),
            ports: "T:1-65535,U:53".into(),
            requested_method: "auto".into(),
            profile: "normal".into(),
            origin: Exposure::Internal,
            coverage: ScanCoverage {
                tcp: vec![PortRange {
                    first: 1,
                    last: 65535,
                }],
                udp: vec![PortRange {
                    first: 53,
                    last: 53,
                }],
                identification: false,
                posture: false,
                reported_checks: false,
            },
        })
        .await
        .unwrap();
    let summary = ScanSummary {
        methods: vec![MethodChoice {
            method: ScanMethod::Connect,
            why: "asked for".into(),
        }],
        hosts_up: 1,
        hosts_down: 0,
        open_ports: 1,
        elapsed_seconds: 1.5,
        partial: false,
    };
    writer.finish(Some(&summary)).await.unwrap().id
}

#[tokio::test]
async fn a_guided_test_keeps_its_evidence_and_its_scan_is_no_internal_scan() {
    use portcullis_model::scan::Protocol;
    use portcullis_model::segmentation::{
        NetworkPosition, SegmentationAnswer, SegmentationEvidence,
    };

    let (_dir, store) = new_store().await;
    let scan_id = finished_scan(&store).await;
    let at = Utc.with_ymd_and_hms(2025, 6, 1, 9, 0, 0).unwrap();
    let evidence = SegmentationEvidence {
        network: "Guest Wi-Fi".into(),
        position: NetworkPosition {
            interface: "wlan0".into(),
            address: "192.168.18.23".parse().unwrap(),
            gateway: Some("192.168.18.1".parse().unwrap()),
        },
        scan_id,
        answers: vec![SegmentationAnswer {
            address: "198.18.0.20".parse().unwrap(),
            port: 5432,
            protocol: Protocol::Tcp,
            service: Some("postgresql".into()),
        }],
        answers_not_listed: 0,
    };
    let id = store
        .record_guided_segmentation_test(ACTOR, at, false, "Failed: 5432 answered", &evidence)
        .await
        .unwrap();
    let manual = store
        .record_segmentation_test(ACTOR, at, true, "Acme Pentest report")
        .await
        .unwrap();

    let tests = store.segmentation_tests().await.unwrap();
    let guided = tests.iter().find(|test| test.id == id).unwrap();
    assert_eq!(guided.evidence.as_ref(), Some(&evidence));
    assert!(!guided.passed);
    let recorded = tests.iter().find(|test| test.id == manual).unwrap();
    assert_eq!(recorded.evidence, None);

    let history = store.testing_history(None).await.unwrap();
    assert_eq!(
        history.last_internal_scan, None,
        "a scan from a network meant to be cut off is no internal scan (11.3.1)"
    );
    let audited = store
        .audit_rows(None, 10)
        .await
        .unwrap()
        .into_iter()
        .any(|row| row.entity_id == id.to_string());
    assert!(audited);
    assert!(store.verify_audit_log().await.unwrap().is_intact());
}
