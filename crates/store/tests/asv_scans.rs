//! ASV scans (PCI DSS 11.3.2): recorded with the vendor's name, audited,
//! and the newest read back as the testing history the rules judge.

mod common;

use chrono::{TimeZone, Utc};
use common::{ACTOR, new_store};
use portcullis_model::compliance::AsvScan;
use portcullis_store::NewAsvScan;

#[tokio::test]
async fn the_newest_asv_scan_is_the_history_and_each_is_audited() {
    let (_dir, store) = new_store().await;
    let history = store.testing_history(None).await.unwrap();
    assert_eq!(history.last_asv_scan, None);

    let july = Utc.with_ymd_and_hms(2025, 7, 2, 9, 0, 0).unwrap();
    let october = Utc.with_ymd_and_hms(2025, 10, 1, 9, 0, 0).unwrap();
    let failed = store
        .record_asv_scan(
            ACTOR,
            NewAsvScan {
                at: october,
                passed: false,
                vendor: "Example ASV Ltd",
                notes: "report Q4-001: FAIL on 3306",
            },
        )
        .await
        .unwrap();
    // Recorded later, scanned earlier: it does not replace the newer one.
    let passed = store
        .record_asv_scan(
            ACTOR,
            NewAsvScan {
                at: july,
                passed: true,
                vendor: "Example ASV Ltd",
                notes: "report Q3-007",
            },
        )
        .await
        .unwrap();

    let scans = store.asv_scans().await.unwrap();
    let ids: Vec<_> = scans.iter().map(|s| s.id).collect();
    assert_eq!(ids, [failed, passed], "newest scanned first");
    assert_eq!(scans[0].vendor, "Example ASV Ltd");
    assert_eq!(scans[0].notes, "report Q4-001: FAIL on 3306");
    assert!(!scans[0].passed && scans[1].passed);

    let history = store.testing_history(None).await.unwrap();
    assert_eq!(
        history.last_asv_scan,
        Some(AsvScan {
            at: october,
            passed: false
        })
    );
    // Portcullis's own external scans are another thing.
    assert_eq!(history.last_external_scan, None);

    let rows = store.audit_rows(None, 10).await.unwrap();
    let recorded: Vec<&str> = rows
        .iter()
        .filter(|r| r.action == "asv-scan.record")
        .map(|r| r.entity_id.as_str())
        .collect();
    assert_eq!(recorded, [passed.to_string(), failed.to_string()]);
    assert!(store.verify_audit_log().await.unwrap().is_intact());
}
