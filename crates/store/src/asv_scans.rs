//! ASV scans (PCI DSS 11.3.2): what an Approved Scanning Vendor's report
//! said, recorded by a person and kept apart from Portcullis's own scans.

use chrono::{DateTime, Utc};
use portcullis_model::AsvScanId;
use portcullis_model::compliance::{AsvScan, AuditAction};
use portcullis_model::dashboard::AsvScanRecord;
use sqlx::Row;

use crate::audit::{self, Change};
use crate::codec::{json_value, parse_time};
use crate::database::Store;
use crate::error::StoreError;
use crate::time::to_rfc3339;

/// What the caller records of one ASV scan.
#[derive(Debug, Clone, Copy)]
pub struct NewAsvScan<'a> {
    pub at: DateTime<Utc>,
    pub passed: bool,
    pub vendor: &'a str,
    pub notes: &'a str,
}

impl Store {
    /// Records an ASV scan. Whether the record makes sense (a vendor, a
    /// date not in the future) is the application's to decide.
    pub async fn record_asv_scan(
        &self,
        actor: &str,
        scan: NewAsvScan<'_>,
    ) -> Result<AsvScanId, StoreError> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO asv_scans (at, passed, vendor, actor, notes) VALUES (?, ?, ?, ?, ?)
             RETURNING id",
        )
        .bind(to_rfc3339(scan.at))
        .bind(i64::from(scan.passed))
        .bind(scan.vendor)
        .bind(actor)
        .bind(scan.notes)
        .fetch_one(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            Change {
                actor,
                action: AuditAction::AsvScanRecord,
                entity: "asv_scan",
                entity_id: id.to_string(),
                before: None,
                after: Some(json_value(&serde_json::json!({
                    "at": to_rfc3339(scan.at),
                    "passed": scan.passed,
                    "vendor": scan.vendor,
                    "notes": scan.notes,
                }))),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(AsvScanId(id))
    }

    /// Every recorded ASV scan, the newest (by when the vendor scanned)
    /// first.
    pub async fn asv_scans(&self) -> Result<Vec<AsvScanRecord>, StoreError> {
        sqlx::query(
            "SELECT id, at, passed, vendor, actor, notes FROM asv_scans
             ORDER BY at DESC, id DESC",
        )
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(AsvScanRecord {
                id: AsvScanId(row.try_get("id")?),
                at: parse_time("at", row.try_get("at")?)?,
                passed: row.try_get::<i64, _>("passed")? == 1,
                vendor: row.try_get("vendor")?,
                actor: row.try_get("actor")?,
                notes: row.try_get("notes")?,
            })
        })
        .collect()
    }

    /// The newest ASV scan, by when the vendor scanned.
    pub(crate) async fn last_asv_scan(&self) -> Result<Option<AsvScan>, StoreError> {
        sqlx::query("SELECT at, passed FROM asv_scans ORDER BY at DESC, id DESC LIMIT 1")
            .fetch_optional(self.pool())
            .await?
            .map(|row| -> Result<AsvScan, StoreError> {
                Ok(AsvScan {
                    at: parse_time("at", row.try_get("at")?)?,
                    passed: row.try_get::<i64, _>("passed")? == 1,
                })
            })
            .transpose()
    }
}
