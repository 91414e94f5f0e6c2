//! What the dashboard and `portcullis status` show at a glance, each a
//! single aggregate query over an index, and the testing history the
//! programme rules (PCI DSS 11.3.1, 11.3.2, 11.4.5) judge.

use chrono::{DateTime, Utc};
use portcullis_model::compliance::AuditAction;
use portcullis_model::compliance::{Exposure, SegmentationTest, TestingHistory};
use portcullis_model::dashboard::{
    Dashboard, FindingCount, LastScan, SegmentationRecord, TREND_SCANS, TrendPoint,
};
use sqlx::Row;

use crate::audit::{self, Change};
use crate::codec::{json_value, parse_name, parse_time};
use crate::database::Store;
use crate::error::StoreError;
use crate::time::to_rfc3339;
use portcullis_model::{ScanId, SegmentationTestId};

impl Store {
    /// The dashboard's figures.
    /// The newest finished scans, oldest first, with the ports each found
    /// open and the findings each saw (`scan_findings`, by its key).
    async fn trend(&self) -> Result<Vec<TrendPoint>, StoreError> {
        let mut points = sqlx::query_as::<_, (i64, String, Option<i64>, i64)>(
            "SELECT s.id, s.started_at, s.open_ports,
                    (SELECT count(*) FROM scan_findings f WHERE f.scan_id = s.id)
             FROM scans s WHERE s.status = 'finished'
             ORDER BY s.id DESC LIMIT ?",
        )
        .bind(TREND_SCANS)
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(|(id, started_at, open_ports, findings)| {
            Ok::<_, StoreError>(TrendPoint {
                scan_id: ScanId(id),
                at: parse_time("started_at", &started_at)?,
                open_ports: u32::try_from(open_ports.unwrap_or(0)).unwrap_or(u32::MAX),
                findings: u64::try_from(findings).unwrap_or(0),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        points.reverse();
        Ok(points)
    }

    pub async fn dashboard(&self) -> Result<Dashboard, StoreError> {
        let findings = sqlx::query(
            "SELECT status, severity, count(*) AS n FROM findings GROUP BY status, severity",
        )
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(FindingCount {
                status: parse_name("status", row.try_get("status")?)?,
                severity: parse_name("severity", row.try_get("severity")?)?,
                count: count(row)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        let last_scan = sqlx::query_as::<_, (i64, String, String)>(
            "SELECT id, started_at, status FROM scans ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(self.pool())
        .await?
        .map(|(id, started_at, status)| {
            Ok::<_, StoreError>(LastScan {
                id: ScanId(id),
                started_at: parse_time("started_at", &started_at)?,
                status: parse_name("status", &status)?,
            })
        })
        .transpose()?;
        Ok(Dashboard {
            findings,
            history: self.testing_history(None).await?,
            last_scan,
            trend: self.trend().await?,
        })
    }

    /// When the recurring tests last happened. With `up_to_scan`, only
    /// scans up to and including that one count: the history as it stood
    /// when that scan was evaluated.
    pub async fn testing_history(
        &self,
        up_to_scan: Option<ScanId>,
    ) -> Result<TestingHistory, StoreError> {
        let last_scan = |origin: Exposure| async move {
            let at: Option<String> = sqlx::query_scalar(
                // A segmentation test's scan ran from a network that is
                // meant to be cut off: it is no internal or external scan.
                "SELECT max(finished_at) FROM scans
                 WHERE origin = ? AND status = 'finished' AND (?2 IS NULL OR id <= ?2)
                   AND id NOT IN (SELECT scan_id FROM segmentation_runs)",
            )
            .bind(crate::codec::name_of(&origin))
            .bind(up_to_scan.map(ScanId::get))
            .fetch_one(self.pool())
            .await?;
            at.map(|at| parse_time("finished_at", &at)).transpose()
        };
        let segmentation = sqlx::query(
            "SELECT at, passed FROM segmentation_tests ORDER BY at DESC, id DESC LIMIT 1",
        )
        .fetch_optional(self.pool())
        .await?
        .map(|row| -> Result<SegmentationTest, StoreError> {
            Ok(SegmentationTest {
                at: parse_time("at", row.try_get("at")?)?,
                passed: row.try_get::<i64, _>("passed")? == 1,
            })
        })
        .transpose()?;
        Ok(TestingHistory {
            last_internal_scan: last_scan(Exposure::Internal).await?,
            last_external_scan: last_scan(Exposure::External).await?,
            last_segmentation_test: segmentation,
            last_asv_scan: self.last_asv_scan().await?,
            service_provider: false,
        })
    }

    /// Records a segmentation test (PCI DSS 11.4.5) someone carried out.
    /// Whether the record makes sense (a note, a date not in the future)
    /// is the application's to decide.
    pub async fn record_segmentation_test(
        &self,
        actor: &str,
        at: DateTime<Utc>,
        passed: bool,
        notes: &str,
    ) -> Result<SegmentationTestId, StoreError> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO segmentation_tests (at, passed, actor, notes) VALUES (?, ?, ?, ?)
             RETURNING id",
        )
        .bind(to_rfc3339(at))
        .bind(i64::from(passed))
        .bind(actor)
        .bind(notes)
        .fetch_one(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            Change {
                actor,
                action: AuditAction::SegmentationTestRecord,
                entity: "segmentation_test",
                entity_id: id.to_string(),
                before: None,
                after: Some(json_value(&serde_json::json!({
                    "at": to_rfc3339(at),
                    "passed": passed,
                    "notes": notes,
                }))),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(SegmentationTestId(id))
    }

    /// Every recorded segmentation test, the newest (by when it was
    /// carried out) first.
    /// A guided test carries its evidence.
    pub async fn segmentation_tests(&self) -> Result<Vec<SegmentationRecord>, StoreError> {
        let mut evidence = self.segmentation_evidence().await?;
        sqlx::query(
            "SELECT id, at, passed, actor, notes FROM segmentation_tests
             ORDER BY at DESC, id DESC",
        )
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            let id = SegmentationTestId(row.try_get("id")?);
            Ok(SegmentationRecord {
                id,
                at: parse_time("at", row.try_get("at")?)?,
                passed: row.try_get::<i64, _>("passed")? == 1,
                actor: row.try_get("actor")?,
                notes: row.try_get("notes")?,
                evidence: evidence.remove(&id),
            })
        })
        .collect()
    }
}

fn count(row: &sqlx::sqlite::SqliteRow) -> Result<u64, StoreError> {
    let n: i64 = row.try_get("n")?;
    Ok(u64::try_from(n).unwrap_or(0))
}
