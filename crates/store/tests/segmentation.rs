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
