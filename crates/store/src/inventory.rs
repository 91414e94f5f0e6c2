//! The approved port inventory (PCI DSS 1.2.5): which ports each system may
//! have open, why, who approved it and until when. Every change, removals
//! included, is written to the audit log in the same transaction, with the
//! entry as it was and as it became.

use chrono::{DateTime, Utc};
use portcullis_model::compliance::AuditAction;
use portcullis_model::compliance::{InventoryEntry, NewInventoryEntry};
use sqlx::SqliteConnection;

use crate::audit::{self, Change};
use crate::codec::{json_value, name_of};
use crate::columns::{Columns, query_all};
use crate::database::Store;
use crate::error::StoreError;
use crate::time::{now_rfc3339, to_rfc3339};
use portcullis_model::{InventoryEntryId, IpNet, SystemId};

/// The audit log's name for an inventory entry.
const ENTITY: &str = "inventory_entry";

impl Store {
    /// The inventory, of one system or of all, by system, protocol, port.
    pub async fn inventory(
        &self,
        system_id: Option<SystemId>,
    ) -> Result<Vec<InventoryEntry>, StoreError> {
        let system_id = system_id.map(SystemId::get);
        self.readers()
            .read(move |conn| {
                query_all(
                    conn,
                    "SELECT * FROM inventory_entries WHERE ?1 IS NULL OR system_id = ?1
                     ORDER BY system_id, protocol, port",
                    [system_id],
                    |row| entry_from_row(row),
                )
            })
            .await
    }

    /// One entry.
    pub async fn inventory_entry(
        &self,
        id: InventoryEntryId,
    ) -> Result<InventoryEntry, StoreError> {
        let mut conn = self.pool().acquire().await?;
        load_entry(&mut conn, id).await
    }

    /// Adds an approved port.
    pub async fn add_inventory_entry(
        &self,
        actor: &str,
        entry: NewInventoryEntry,
    ) -> Result<InventoryEntry, StoreError> {
        validate(
            &entry.justification,
            &entry.approver,
            entry.approved_at,
            entry.expires_at,
        )?;
        let mut tx = self.begin_write().await?;
        let entry = insert_entry(&mut tx, entry).await?;
        audit_entry(
            &mut tx,
            actor,
            AuditAction::InventoryAdd,
            None,
            Some(&entry),
        )
        .await?;
        tx.commit().await?;
        Ok(entry)
    }

    /// Replaces everything about an entry but its id.
    pub async fn update_inventory_entry(
        &self,
        actor: &str,
        entry: InventoryEntry,
    ) -> Result<InventoryEntry, StoreError> {
        validate(
            &entry.justification,
            &entry.approver,
            entry.approved_at,
            entry.expires_at,
        )?;
        let mut tx = self.begin_write().await?;
        let before = load_entry(&mut tx, entry.id).await?;
        let after = rewrite_entry(&mut tx, &entry).await?;
        if before == after {
            return Ok(before);
        }
        audit_entry(
            &mut tx,
            actor,
            AuditAction::InventoryUpdate,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Records a renewed approval (see `portcullis_compliance::renew`):
    /// from `renewed`, only what an approval decides is written (approver,
    /// approval time, expiry, justification); the port and what is expected
    /// on it stay as stored.
    pub async fn approve_inventory_entry(
        &self,
        actor: &str,
        renewed: &InventoryEntry,
    ) -> Result<InventoryEntry, StoreError> {
        let id = renewed.id;
        let mut tx = self.begin_write().await?;
        let before = load_entry(&mut tx, id).await?;
        let after = InventoryEntry {
            approver: renewed.approver.trim().to_owned(),
            approved_at: renewed.approved_at,
            expires_at: renewed.expires_at,
            justification: renewed.justification.clone(),
            ..before.clone()
        };
        validate(
            &after.justification,
            &after.approver,
            after.approved_at,
            after.expires_at,
        )?;
        let after = rewrite_entry(&mut tx, &after).await?;
        audit_entry(
            &mut tx,
            actor,
            AuditAction::InventoryApprove,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Removes an entry; the audit log keeps it as it was. The reason, when
    /// one is given, is first written into the entry's notes (audited as an
    /// update), so the last state the log keeps says why it went; both rows
    /// are one transaction.
    pub async fn remove_inventory_entry(
        &self,
        actor: &str,
        id: InventoryEntryId,
        reason: Option<&str>,
    ) -> Result<InventoryEntry, StoreError> {
        let mut tx = self.begin_write().await?;
        let mut before = load_entry(&mut tx, id).await?;
        if let Some(reason) = reason.map(str::trim).filter(|reason| !reason.is_empty()) {
            let noted = InventoryEntry {
                notes: noted_removal(&before.notes, reason),
                ..before.clone()
            };
            let noted = rewrite_entry(&mut tx, &noted).await?;
            audit_entry(
                &mut tx,
                actor,
                AuditAction::InventoryUpdate,
                Some(&before),
                Some(&noted),
            )
            .await?;
            before = noted;
        }
        sqlx::query("DELETE FROM inventory_entries WHERE id = ?")
            .bind(id.get())
            .execute(&mut *tx)
            .await?;
        audit_entry(
            &mut tx,
            actor,
            AuditAction::InventoryRemove,
            Some(&before),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(before)
    }
}

/// The notes with "Removed: <reason>" as their last line.
fn noted_removal(notes: &str, reason: &str) -> String {
    let line = format!("Removed: {reason}");
    if notes.trim().is_empty() {
        line
    } else {
        format!("{}\n{line}", notes.trim_end())
    }
}

/// Every entry, read on `conn` (inside a write transaction, so that a
/// decision taken on them holds when it is written).
pub(crate) async fn all_entries(
    conn: &mut SqliteConnection,
) -> Result<Vec<InventoryEntry>, StoreError> {
    sqlx::query("SELECT * FROM inventory_entries ORDER BY system_id, protocol, port")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(entry_from_row)
        .collect()
}

pub(crate) async fn load_entry(
    conn: &mut SqliteConnection,
    id: InventoryEntryId,
) -> Result<InventoryEntry, StoreError> {
    let row = sqlx::query("SELECT * FROM inventory_entries WHERE id = ?")
        .bind(id.get())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "inventory entry",
            key: id.to_string(),
        })?;
    entry_from_row(&row)
}

/// The entry for a system's port, if there is one.
pub(crate) async fn entry_for_port(
    conn: &mut SqliteConnection,
    system_id: SystemId,
    protocol: &str,
    port: u16,
) -> Result<Option<InventoryEntry>, StoreError> {
    let row = sqlx::query(
        "SELECT * FROM inventory_entries WHERE system_id = ? AND protocol = ? AND port = ?",
    )
    .bind(system_id.get())
    .bind(protocol)
    .bind(i64::from(port))
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(entry_from_row).transpose()
}

/// Inserts a new entry and returns it as stored.
pub(crate) async fn insert_entry(
    conn: &mut SqliteConnection,
    entry: NewInventoryEntry,
) -> Result<InventoryEntry, StoreError> {
    let now = now_rfc3339();
    let id = sqlx::query_scalar::<_, i64>(
        "INSERT INTO inventory_entries
            (system_id, port, protocol, service, version, justification, approver,
             approved_at, expires_at, sources, notes, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(entry.system_id.get())
    .bind(i64::from(entry.port))
    .bind(name_of(&entry.protocol))
    .bind(&entry.service)
    .bind(&entry.version)
    .bind(entry.justification.trim())
    .bind(entry.approver.trim())
    .bind(to_rfc3339(entry.approved_at))
    .bind(entry.expires_at.map(to_rfc3339))
    .bind(sources_column(&entry.sources))
    .bind(&entry.notes)
    .bind(&now)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| constraint_error(e, entry.system_id, entry.protocol.as_str(), entry.port))?;
    load_entry(conn, InventoryEntryId(id)).await
}

/// Writes `entry` over the stored one with its id and returns it as stored
/// (times keep milliseconds: compare what was written, not what was given).
pub(crate) async fn rewrite_entry(
    conn: &mut SqliteConnection,
    entry: &InventoryEntry,
) -> Result<InventoryEntry, StoreError> {
    write_entry(conn, entry).await?;
    load_entry(conn, entry.id).await
}

/// Records a change of an inventory entry in the audit log, in the caller's
/// transaction: no `before` for an entry added, no `after` for one removed.
pub(crate) async fn audit_entry(
    conn: &mut SqliteConnection,
    actor: &str,
    action: AuditAction,
    before: Option<&InventoryEntry>,
    after: Option<&InventoryEntry>,
) -> Result<(), StoreError> {
    let id = after
        .or(before)
        .expect("a change has an entry before or after it")
        .id;
    audit::append(
        conn,
        Change {
            actor,
            action,
            entity: ENTITY,
            entity_id: id.to_string(),
            before: before.map(json_value),
            after: after.map(json_value),
        },
    )
    .await?;
    Ok(())
}

/// Writes every field of an existing entry.
async fn write_entry(
    conn: &mut SqliteConnection,
    entry: &InventoryEntry,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE inventory_entries SET system_id = ?, port = ?, protocol = ?, service = ?,
            version = ?, justification = ?, approver = ?, approved_at = ?, expires_at = ?,
            sources = ?, notes = ?, updated_at = ?
         WHERE id = ?",
    )
    .bind(entry.system_id.get())
    .bind(i64::from(entry.port))
    .bind(name_of(&entry.protocol))
    .bind(&entry.service)
    .bind(&entry.version)
    .bind(entry.justification.trim())
    .bind(entry.approver.trim())
    .bind(to_rfc3339(entry.approved_at))
    .bind(entry.expires_at.map(to_rfc3339))
    .bind(sources_column(&entry.sources))
    .bind(&entry.notes)
    .bind(now_rfc3339())
    .bind(entry.id.get())
    .execute(&mut *conn)
    .await
    .map_err(|e| constraint_error(e, entry.system_id, entry.protocol.as_str(), entry.port))?;
    Ok(())
}

pub(crate) fn entry_from_row(row: &impl Columns) -> Result<InventoryEntry, StoreError> {
    // In the table's order, which bulk reads look up fastest.
    let id = row.required_int("id")?;
    let system_id = row.required_int("system_id")?;
    let port = row.required_int("port")?;
    Ok(InventoryEntry {
        id: InventoryEntryId(id),
        system_id: SystemId(system_id),
        port: u16::try_from(port).map_err(|_| StoreError::Corrupt(format!("port {port}")))?,
        protocol: row.name("protocol")?,
        service: row.text("service")?,
        version: row.text("version")?,
        justification: row.required_text("justification")?,
        approver: row.required_text("approver")?,
        approved_at: row
            .time("approved_at")?
            .ok_or_else(|| StoreError::Corrupt("column approved_at is empty".into()))?,
        expires_at: row.time("expires_at")?,
        sources: sources_from_column(&row.required_text("sources")?)?,
        notes: row.required_text("notes")?,
    })
}

/// The sources column: CIDR blocks separated by single spaces.
fn sources_column(sources: &[IpNet]) -> String {
    sources
        .iter()
        .map(IpNet::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

fn sources_from_column(text: &str) -> Result<Vec<IpNet>, StoreError> {
    text.split_whitespace()
        .map(|block| {
            block
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("inventory source `{block}`")))
        })
        .collect()
}

/// Foreign-key and uniqueness failures, in words.
fn constraint_error(
    error: sqlx::Error,
    system_id: SystemId,
    protocol: &str,
    port: u16,
) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate {
            what: format!("an inventory entry for system {system_id}, {port}/{protocol}"),
        },
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::NotFound {
            entity: "system",
            key: system_id.to_string(),
        },
        _ => error.into(),
    }
}

/// An approval needs a reason and a person.
fn validate(
    justification: &str,
    approver: &str,
    approved_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
) -> Result<(), StoreError> {
    if let Some(expires_at) = expires_at
        && expires_at <= approved_at
    {
        return Err(StoreError::Invalid(format!(
            "an approval cannot expire ({}) before it was given ({}): it would never hold",
            expires_at.format("%Y-%m-%d"),
            approved_at.format("%Y-%m-%d")
        )));
    }
    if justification.trim().is_empty() {
        return Err(StoreError::Invalid(
            "an inventory entry needs a business justification".into(),
        ));
    }
    if approver.trim().is_empty() {
        return Err(StoreError::Invalid(
            "an inventory entry needs the name of who approved it".into(),
        ));
    }
    Ok(())
}
