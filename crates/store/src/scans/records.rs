//! The scan rows read back: one scan, the newest scans, the newest judged
//! scan, and the scan a rescan is compared with. Every `ScanRecord` is
//! built by `scan_record_from_row`, so a row means the same thing whichever
//! query read it.

pub use portcullis_model::scan_record::{ScanRecord, ScanStatus};

use crate::columns::Columns;
use crate::database::Store;
use crate::error::StoreError;
use portcullis_model::ScanId;

/// A scan row read back.
fn scan_record_from_row(row: &impl Columns) -> Result<ScanRecord, StoreError> {
    let count = |name: &str| -> Result<Option<u32>, StoreError> {
        Ok(row.int(name)?.and_then(|v| u32::try_from(v).ok()))
    };
    Ok(ScanRecord {
        id: ScanId(row.required_int("id")?),
        started_at: row
            .time("started_at")?
            .ok_or_else(|| StoreError::Corrupt("a scan without started_at".into()))?,
        finished_at: row.time("finished_at")?,
        actor: row.required_text("actor")?,
        targets: row.required_text("targets")?,
        ports: row.required_text("ports")?,
        requested_method: row.required_text("requested_method")?,
        methods: row.required_json("methods")?,
        profile: row.required_text("profile")?,
        origin: row.name("origin")?,
        coverage: row.required_json("coverage")?,
        status: row.name("status")?,
        hosts_up: count("hosts_up")?,
        hosts_down: count("hosts_down")?,
        open_ports: count("open_ports")?,
        elapsed_seconds: row.real("elapsed_seconds")?,
        warnings: row.required_json("warnings")?,
        writer_pid: count("writer_pid")?,
        evaluated_at: row.time("evaluated_at")?,
    })
}

impl Store {
    /// One scan.
    pub async fn scan(&self, id: ScanId) -> Result<ScanRecord, StoreError> {
        let row = sqlx::query("SELECT * FROM scans WHERE id = ?")
            .bind(id.get())
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "scan",
                key: id.to_string(),
            })?;
        scan_record_from_row(&row)
    }

    /// The newest scans first.
    pub async fn scans(&self, limit: i64) -> Result<Vec<ScanRecord>, StoreError> {
        let rows = sqlx::query("SELECT * FROM scans ORDER BY id DESC LIMIT ?")
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(scan_record_from_row).collect()
    }

    /// The newest scan whose findings were saved, if any: findings are
    /// tracked forward in time, so an older scan is not judged after it.
    pub async fn newest_evaluated_scan(&self) -> Result<Option<ScanId>, StoreError> {
        let newest: Option<i64> =
            sqlx::query_scalar("SELECT max(id) FROM scans WHERE evaluated_at IS NOT NULL")
                .fetch_one(self.pool())
                .await?;
        Ok(newest.map(ScanId))
    }

    /// The newest finished scan before `scan_id` whose targets and ports are
    /// the same: the one a rescan is compared with.
    pub async fn previous_comparable_scan(
        &self,
        scan_id: ScanId,
    ) -> Result<Option<ScanRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT earlier.* FROM scans AS earlier
             JOIN scans AS this ON this.id = ?
             WHERE earlier.id < this.id
               AND earlier.status = 'finished'
               AND earlier.targets = this.targets
               AND earlier.ports = this.ports
             ORDER BY earlier.id DESC LIMIT 1",
        )
        .bind(scan_id.get())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(scan_record_from_row).transpose()
    }
}
