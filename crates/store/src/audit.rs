//! The append-only, hash-chained audit log (PCI DSS 10.2, 10.3, 10.5).
//!
//! Every change to the inventory, a finding's status or a system's scope
//! calls [`append`] inside the transaction that makes the change, so the
//! change and its record commit or vanish together. Each row's hash covers
//! the previous row's hash and the row's own canonical content; [`verify`]
//! recomputes the chain and names the first row that does not fit. The
//! table's triggers refuse UPDATE and DELETE, and nothing in Portcullis
//! offers a way around them.

use portcullis_model::compliance::{AuditAction, AuditEntry};
use portcullis_model::maintenance::{BadRow, ChainProblem, ChainReport};
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::{Row, SqliteConnection};

use crate::database::Store;
use crate::error::StoreError;
use crate::time::now_rfc3339;
use portcullis_model::AuditEntryId;

/// The `prev_hash` of the first row: there is nothing before it.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How many rows [`verify`] reads at a time: the log grows for years.
const VERIFY_PAGE: i64 = 1_000;

/// A change about to be recorded.
#[derive(Debug, Clone)]
pub(crate) struct Change<'a> {
    pub actor: &'a str,
    pub action: AuditAction,
    /// The kind of thing changed: "inventory_entry", "finding", "system".
    pub entity: &'a str,
    pub entity_id: String,
    /// The thing before and after the change; `None` for "did not exist".
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// One row of the log exactly as stored: the hash covers this text, so it is
/// checked before anything is parsed. Callers get [`AuditEntry`]s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuditRow {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// JSON text, exactly as hashed.
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRow {
    /// The bytes the hash covers, after the previous hash: a JSON array of
    /// every column but the hashes. JSON gives one spelling per value, and
    /// the id binds the row to its place in the chain.
    fn canonical_content(&self) -> String {
        serde_json::json!([
            self.id,
            self.at,
            self.actor,
            self.action,
            self.entity,
            self.entity_id,
            self.before,
            self.after,
        ])
        .to_string()
    }

    /// The hash this row must carry, given the previous row's.
    fn expected_hash(&self, prev_hash: &str) -> String {
        chain_hash(prev_hash, &self.canonical_content())
    }

    pub(crate) fn into_entry(self) -> Result<AuditEntry, StoreError> {
        let at = chrono::DateTime::parse_from_rfc3339(&self.at)
            .map_err(|e| StoreError::Corrupt(format!("audit row {} time: {e}", self.id)))?
            .to_utc();
        Ok(AuditEntry {
            id: AuditEntryId(self.id),
            at,
            actor: self.actor,
            action: AuditAction::from_name(&self.action).ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "audit row {} names an unknown action `{}`",
                    self.id, self.action
                ))
            })?,
            entity: self.entity,
            entity_id: self.entity_id,
            before: self.before,
            after: self.after,
            hash: self.hash,
            prev_hash: self.prev_hash,
        })
    }

    pub(crate) fn from_row(row: &sqlx::sqlite::SqliteRow) -> Result<AuditRow, sqlx::Error> {
        Ok(AuditRow {
            id: row.try_get("id")?,
            at: row.try_get("at")?,
            actor: row.try_get("actor")?,
            action: row.try_get("action")?,
            entity: row.try_get("entity")?,
            entity_id: row.try_get("entity_id")?,
            before: row.try_get("before")?,
            after: row.try_get("after")?,
            prev_hash: row.try_get("prev_hash")?,
            hash: row.try_get("hash")?,
        })
    }
}

/// SHA-256 over the previous hash (as its hex text) and the content, hex.
fn chain_hash(prev_hash: &str, content: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(content.as_bytes());
    format!("{:x}", hasher.finalize())
}

/// Records `change` as the next row of the chain, inside the caller's
/// transaction (which must be `BEGIN IMMEDIATE`, so that no other writer can
/// append between our read of the last row and our insert).
pub(crate) async fn append(
    conn: &mut SqliteConnection,
    change: Change<'_>,
) -> Result<AuditEntry, StoreError> {
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    let (last_id, prev_hash) = last.unwrap_or((0, GENESIS_HASH.to_owned()));
    let mut row = AuditRow {
        id: last_id + 1,
        at: now_rfc3339(),
        actor: change.actor.to_owned(),
        action: change.action.name().to_owned(),
        entity: change.entity.to_owned(),
        entity_id: change.entity_id,
        before: change.before.map(|v| v.to_string()),
        after: change.after.map(|v| v.to_string()),
        prev_hash,
        hash: String::new(),
    };
    row.hash = row.expected_hash(&row.prev_hash);
    sqlx::query(
        "INSERT INTO audit_log
            (id, at, actor, action, entity, entity_id, before, after, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(row.id)
    .bind(&row.at)
    .bind(&row.actor)
    .bind(&row.action)
    .bind(&row.entity)
    .bind(&row.entity_id)
    .bind(&row.before)
    .bind(&row.after)
    .bind(&row.prev_hash)
    .bind(&row.hash)
    .execute(&mut *conn)
    .await?;
    row.into_entry()
}

impl Store {
    /// Walks the whole audit chain from the first row and reports the first
    /// row that does not fit.
    pub async fn verify_audit_log(&self) -> Result<ChainReport, StoreError> {
        let mut expected_prev = GENESIS_HASH.to_owned();
        let mut expected_id = 1;
        let mut rows_checked = 0;
        loop {
            let page = sqlx::query("SELECT * FROM audit_log WHERE id >= ? ORDER BY id LIMIT ?")
                .bind(expected_id)
                .bind(VERIFY_PAGE)
                .fetch_all(self.pool())
                .await?;
            if page.is_empty() {
                let head_hash = (rows_checked > 0).then_some(expected_prev);
                return Ok(ChainReport {
                    rows_checked,
                    head_hash,
                    first_bad: None,
                });
            }
            for row in &page {
                let row = AuditRow::from_row(row)?;
                rows_checked += 1;
                if let Some(problem) = check_row(&row, expected_id, &expected_prev) {
                    return Ok(ChainReport {
                        rows_checked,
                        head_hash: None,
                        first_bad: Some(BadRow {
                            id: AuditEntryId(row.id),
                            problem,
                        }),
                    });
                }
                expected_prev = row.hash;
                expected_id = row.id + 1;
            }
        }
    }

    /// The log, newest first, optionally for one entity.
    pub async fn audit_rows(
        &self,
        entity: Option<(&str, &str)>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = match entity {
            Some((entity, id)) => {
                sqlx::query(
                    "SELECT * FROM audit_log WHERE entity = ? AND entity_id = ?
                     ORDER BY id DESC LIMIT ?",
                )
                .bind(entity)
                .bind(id)
                .bind(limit)
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?")
                    .bind(limit)
                    .fetch_all(self.pool())
                    .await?
            }
        };
        rows.iter()
            .map(|row| AuditRow::from_row(row)?.into_entry())
            .collect()
    }
}

/// What is wrong with `row`, given the id and previous hash it must have.
fn check_row(row: &AuditRow, expected_id: i64, expected_prev: &str) -> Option<ChainProblem> {
    if row.id != expected_id {
        Some(ChainProblem::Gap {
            expected_id: AuditEntryId(expected_id),
        })
    } else if row.prev_hash != expected_prev {
        Some(ChainProblem::BrokenLink)
    } else if row.hash != row.expected_hash(&row.prev_hash) {
        Some(ChainProblem::ContentChanged)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, prev_hash: &str) -> AuditRow {
        let mut row = AuditRow {
            id,
            at: "2025-01-01T00:00:00.000Z".into(),
            actor: "alice".into(),
            action: "inventory.add".into(),
            entity: "inventory_entry".into(),
            entity_id: "7".into(),
            before: None,
            after: Some(r#"{"port":443}"#.into()),
            prev_hash: prev_hash.into(),
            hash: String::new(),
        };
        row.hash = row.expected_hash(prev_hash);
        row
    }

    #[test]
    fn a_well_formed_row_passes_and_any_edit_is_caught() {
        let first = row(1, GENESIS_HASH);
        assert_eq!(check_row(&first, 1, GENESIS_HASH), None);

        let mut edited = first.clone();
        edited.after = Some(r#"{"port":444}"#.into());
        assert_eq!(
            check_row(&edited, 1, GENESIS_HASH),
            Some(ChainProblem::ContentChanged)
        );

        let second = row(2, &first.hash);
        assert_eq!(
            check_row(&second, 2, GENESIS_HASH),
            Some(ChainProblem::BrokenLink)
        );
        assert_eq!(
            check_row(&second, 1, GENESIS_HASH),
            Some(ChainProblem::Gap {
                expected_id: AuditEntryId(1)
            })
        );
    }

    #[test]
    fn the_hash_covers_the_absence_of_a_value() {
        let mut a = row(1, GENESIS_HASH);
        a.before = None;
        let mut b = a.clone();
        b.before = Some("null".into());
        assert_ne!(a.expected_hash(GENESIS_HASH), b.expected_hash(GENESIS_HASH));
    }
}
