//! The merchant's systems. Every change is audited: a system's scope and
//! exposure decide which rules apply to it, so who changed them matters.

use crate::audit::{self, Change};
use crate::codec::{json_text, json_value, name_of};
use crate::columns::{Columns, query_all};
use crate::database::Store;
use crate::error::StoreError;
use crate::time::now_rfc3339;
use portcullis_model::SystemId;
use portcullis_model::compliance::AuditAction;
use portcullis_model::compliance::{NewSystem, System};
use sqlx::SqliteConnection;

/// The audit log's name for a system.
const ENTITY: &str = "system";

impl Store {
    /// Every system, by name.
    pub async fn systems(&self) -> Result<Vec<System>, StoreError> {
        self.readers()
            .read(|conn| {
                query_all(
                    conn,
                    "SELECT * FROM systems ORDER BY name COLLATE NOCASE",
                    [],
                    |row| system_from_row(row),
                )
            })
            .await
    }

    /// The system with this id.
    pub async fn system(&self, id: SystemId) -> Result<System, StoreError> {
        let mut conn = self.pool().acquire().await?;
        load_system(&mut conn, id).await
    }

    /// The system called `name` (case does not matter), or with that id
    /// when `name` is a number no system is called.
    pub async fn find_system(&self, name_or_id: &str) -> Result<System, StoreError> {
        let row = sqlx::query("SELECT * FROM systems WHERE name = ?")
            .bind(name_or_id)
            .fetch_optional(self.pool())
            .await?;
        match (row, name_or_id.parse::<SystemId>()) {
            (Some(row), _) => system_from_row(&row),
            (None, Ok(id)) => self.system(id).await,
            (None, Err(_)) => Err(not_found(format!("called `{name_or_id}`"))),
        }
    }

    /// Creates a system.
    pub async fn add_system(&self, actor: &str, system: NewSystem) -> Result<System, StoreError> {
        validate(&system.name, &system.addresses)?;
        let now = now_rfc3339();
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query_scalar::<_, i64>(
            "INSERT INTO systems
                (name, addresses, role, scope, exposure, notes, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(system.name.trim())
        .bind(json_text(&system.addresses))
        .bind(name_of(&system.role))
        .bind(name_of(&system.scope))
        .bind(name_of(&system.exposure))
        .bind(&system.notes)
        .bind(&now)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await;
        let id = inserted.map_err(|e| duplicate_name(e, &system.name))?;
        let id = SystemId(id);
        let mut system = system.with_id(id);
        system.name = system.name.trim().to_owned();
        audit::append(
            &mut tx,
            Change {
                actor,
                action: AuditAction::SystemAdd,
                entity: ENTITY,
                entity_id: id.to_string(),
                before: None,
                after: Some(json_value(&system)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(system)
    }

    /// Replaces a system's name, addresses, role, scope, exposure and notes.
    pub async fn update_system(&self, actor: &str, system: System) -> Result<System, StoreError> {
        validate(&system.name, &system.addresses)?;
        let mut tx = self.begin_write().await?;
        let before = load_system(&mut tx, system.id).await?;
        let mut after = system;
        after.name = after.name.trim().to_owned();
        if before == after {
            return Ok(after);
        }
        sqlx::query(
            "UPDATE systems SET name = ?, addresses = ?, role = ?, scope = ?, exposure = ?,
                notes = ?, updated_at = ?
             WHERE id = ?",
        )
        .bind(&after.name)
        .bind(json_text(&after.addresses))
        .bind(name_of(&after.role))
        .bind(name_of(&after.scope))
        .bind(name_of(&after.exposure))
        .bind(&after.notes)
        .bind(now_rfc3339())
        .bind(after.id.get())
        .execute(&mut *tx)
        .await
        .map_err(|e| duplicate_name(e, &after.name))?;
        audit::append(
            &mut tx,
            Change {
                actor,
                action: AuditAction::SystemUpdate,
                entity: ENTITY,
                entity_id: after.id.to_string(),
                before: Some(json_value(&before)),
                after: Some(json_value(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Removes a system that has no inventory entries left; its findings
    /// stay, no longer attached to it.
    pub async fn remove_system(&self, actor: &str, id: SystemId) -> Result<System, StoreError> {
        let mut tx = self.begin_write().await?;
        let system = load_system(&mut tx, id).await?;
        let entries: i64 =
            sqlx::query_scalar("SELECT count(*) FROM inventory_entries WHERE system_id = ?")
                .bind(id.get())
                .fetch_one(&mut *tx)
                .await?;
        if entries > 0 {
            return Err(StoreError::Invalid(format!(
                "system `{}` still has {entries} inventory entries; remove them first",
                system.name
            )));
        }
        sqlx::query("DELETE FROM systems WHERE id = ?")
            .bind(id.get())
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            Change {
                actor,
                action: AuditAction::SystemRemove,
                entity: ENTITY,
                entity_id: id.to_string(),
                before: Some(json_value(&system)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(system)
    }
}

async fn load_system(conn: &mut SqliteConnection, id: SystemId) -> Result<System, StoreError> {
    let row = sqlx::query("SELECT * FROM systems WHERE id = ?")
        .bind(id.get())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| not_found(id.to_string()))?;
    system_from_row(&row)
}

pub(crate) fn system_from_row(row: &impl Columns) -> Result<System, StoreError> {
    Ok(System {
        id: SystemId(row.required_int("id")?),
        name: row.required_text("name")?,
        addresses: row.required_json("addresses")?,
        role: row.name("role")?,
        scope: row.name("scope")?,
        exposure: row.name("exposure")?,
        notes: row.required_text("notes")?,
    })
}

fn not_found(key: String) -> StoreError {
    StoreError::NotFound {
        entity: "system",
        key,
    }
}

/// A UNIQUE failure on the name becomes a message about the name.
fn duplicate_name(error: sqlx::Error, name: &str) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate {
            what: format!("a system called `{}`", name.trim()),
        },
        _ => error.into(),
    }
}

/// A name and at least one address. What an address may look like is the
/// rules' business (`portcullis_compliance::estate::SystemAddress::parse`),
/// which the shells call before they get here.
fn validate(name: &str, addresses: &[String]) -> Result<(), StoreError> {
    if name.trim().is_empty() {
        return Err(StoreError::Invalid("a system needs a name".into()));
    }
    if addresses.iter().all(|address| address.trim().is_empty()) {
        return Err(StoreError::Invalid(format!(
            "system `{}` needs at least one address, CIDR block or host name",
            name.trim()
        )));
    }
    Ok(())
}
