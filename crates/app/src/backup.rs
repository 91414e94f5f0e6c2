//! Backup and restore, with progress.

use std::path::Path;

use portcullis_model::maintenance::{BackupSummary, CopyProgress, RestoreSummary};

use crate::error::{Result, from_store};
use crate::workspace::Workspace;

impl Workspace {
    /// Copies the database to `destination` (which must not exist),
    /// consistently even while a scan writes; `progress` is called after
    /// every step.
    pub async fn backup(
        &self,
        destination: &Path,
        progress: impl Fn(CopyProgress) + Send + 'static,
    ) -> Result<BackupSummary> {
        self.store
            .backup_to(destination, progress)
            .await
            .map_err(from_store)
    }

    /// Replaces the database with a checked backup (integrity and schema
    /// first); the database it replaces is saved aside.
    pub async fn restore(
        &self,
        backup: &Path,
        progress: impl Fn(CopyProgress) + Send + 'static,
    ) -> Result<RestoreSummary> {
        self.store
            .restore_from(backup, progress)
            .await
            .map_err(from_store)
    }
}
