//! The append-only audit log.

use portcullis_model::compliance::AuditEntry;
use portcullis_model::maintenance::ChainReport;

use crate::error::{Result, from_store};
use crate::workspace::Workspace;

impl Workspace {
    /// Walks the hash chain and names the first row that does not fit.
    pub async fn verify_audit_log(&self) -> Result<ChainReport> {
        self.store.verify_audit_log().await.map_err(from_store)
    }

    /// The newest rows, newest first.
    pub async fn audit_rows(&self, limit: i64) -> Result<Vec<AuditEntry>> {
        self.store.audit_rows(None, limit).await.map_err(from_store)
    }
}
