//! Backup and restore, with progress, and a way to stop them.

use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use portcullis_model::maintenance::{BackupSummary, CopyProgress, RestoreSummary};

use crate::error::{Result, from_store};
use crate::workspace::Workspace;

impl Workspace {
    /// Copies the database to `destination` (which must not exist),
    /// consistently even while a scan writes; `progress` is called after
    /// every step. [`Workspace::cancel_copy`] stops it, leaving nothing at
    /// `destination`.
    pub async fn backup(
        &self,
        destination: &Path,
        progress: impl Fn(CopyProgress) + Send + 'static,
    ) -> Result<BackupSummary> {
        let progress = self.stoppable(progress);
        self.store
            .backup_to(destination, progress)
            .await
            .map_err(from_store)
    }

    /// Replaces the database with a checked backup (integrity and schema
    /// first); the database it replaces is saved aside.
    /// [`Workspace::cancel_copy`] stops it, leaving the database as it was.
    pub async fn restore(
        &self,
        backup: &Path,
        progress: impl Fn(CopyProgress) + Send + 'static,
    ) -> Result<RestoreSummary> {
        let progress = self.stoppable(progress);
        self.store
            .restore_from(backup, progress)
            .await
            .map_err(from_store)
    }

    /// Stops the backup or restore under way at its next step.
    pub fn cancel_copy(&self) {
        self.copy_cancelled.store(true, Ordering::Relaxed);
    }

    /// `progress`, then whether to go on: a new copy starts uncancelled.
    fn stoppable(
        &self,
        progress: impl Fn(CopyProgress) + Send + 'static,
    ) -> impl FnMut(CopyProgress) -> ControlFlow<()> + Send + 'static {
        self.copy_cancelled.store(false, Ordering::Relaxed);
        let cancelled: Arc<AtomicBool> = Arc::clone(&self.copy_cancelled);
        move |step| {
            progress(step);
            if cancelled.load(Ordering::Relaxed) {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }
    }
}
