//! Crash recovery: a scan row says "running" until its writer finishes it,
//! so a writer killed mid-scan leaves it "running" for ever. The writer's
//! OS file lock (`writer_lock`) tells a scan some live process is still
//! recording from one nobody will finish; [`Store::open`] and a restore
//! mark the latter interrupted, and a restore refuses to run during the
//! former.
//!
//! [`Store::open`]: crate::Store::open

use crate::database::Store;
use crate::error::StoreError;
use crate::time::now_rfc3339;
use crate::writer_lock;
use portcullis_model::ScanId;

impl Store {
    /// Marks interrupted every "running" scan whose writer is gone. A scan
    /// whose writer still holds its lock (another process recording right
    /// now) is left alone. Returns the scans marked.
    pub async fn interrupt_abandoned_scans(&self) -> Result<Vec<ScanId>, StoreError> {
        let running: Vec<(i64, Option<String>)> =
            sqlx::query_as("SELECT id, writer_lock FROM scans WHERE status = 'running'")
                .fetch_all(self.pool())
                .await?;
        let mut marked = Vec::new();
        for (id, lock) in running {
            let alive = lock
                .as_deref()
                .is_some_and(|name| writer_lock::is_held(self.data_dir(), name));
            if alive {
                continue;
            }
            // `AND status = 'running'`: the writer may have finished
            // between our read and now; then its outcome stands.
            let done = sqlx::query(
                "UPDATE scans SET status = 'interrupted', finished_at = ?
                 WHERE id = ? AND status = 'running'",
            )
            .bind(now_rfc3339())
            .bind(id)
            .execute(self.pool())
            .await?;
            if done.rows_affected() == 1 {
                marked.push(ScanId(id));
            }
        }
        Ok(marked)
    }

    /// A scan some live process is recording right now, if any.
    pub async fn scan_being_written(&self) -> Result<Option<ScanId>, StoreError> {
        let running: Vec<(i64, Option<String>)> =
            sqlx::query_as("SELECT id, writer_lock FROM scans WHERE status = 'running'")
                .fetch_all(self.pool())
                .await?;
        Ok(running.into_iter().find_map(|(id, lock)| {
            lock.filter(|name| writer_lock::is_held(self.data_dir(), name))
                .map(|_| ScanId(id))
        }))
    }
}
