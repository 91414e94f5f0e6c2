//! Writing an imported inventory: the entries a file held, already read
//! and checked by the application (`portcullis_app`'s inventory files),
//! written in one transaction with an audit row per entry added or
//! changed.

use portcullis_model::compliance::AuditAction;
use portcullis_model::compliance::NewInventoryEntry;
pub use portcullis_model::judgement::ImportSummary;

use crate::database::Store;
use crate::error::StoreError;
use crate::inventory::{audit_entry, entry_for_port, insert_entry, rewrite_entry};

impl Store {
    /// Writes `entries` in one transaction; an entry for a port the
    /// inventory already has replaces that entry.
    pub async fn import_inventory(
        &self,
        actor: &str,
        entries: Vec<NewInventoryEntry>,
    ) -> Result<ImportSummary, StoreError> {
        let mut tx = self.begin_write().await?;
        let mut summary = ImportSummary::default();
        for entry in entries {
            let existing = entry_for_port(
                &mut tx,
                entry.system_id,
                entry.protocol.as_str(),
                entry.port,
            )
            .await?;
            let (before, after) = match existing {
                None => (None, insert_entry(&mut tx, entry).await?),
                Some(existing) => {
                    let after = rewrite_entry(&mut tx, &entry.with_id(existing.id)).await?;
                    if after == existing {
                        summary.unchanged += 1;
                        continue;
                    }
                    (Some(existing), after)
                }
            };
            if before.is_some() {
                summary.updated += 1;
            } else {
                summary.added += 1;
            }
            audit_entry(
                &mut tx,
                actor,
                AuditAction::InventoryImport,
                before.as_ref(),
                Some(&after),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(summary)
    }
}
