//! The findings and the inventory a page at a time: filtered, sorted and
//! cut by SQLite, so a page over 20,000 rows decodes 50 of them.

use chrono::{DateTime, Utc};
use portcullis_model::SystemId;
use portcullis_model::compliance::{FindingKind, InventoryEntry};
use portcullis_model::listing::{
    FindingPage, FindingQuery, FindingRow, InventoryPage, InventoryRow, InventorySort, PageRequest,
    SystemName,
};
use rusqlite::params_from_iter;
use rusqlite::types::Value;

use crate::codec::{name_of, parse_name};
use crate::columns::{Columns, query_all};
use crate::database::Store;
use crate::error::StoreError;
use crate::findings::{self, stored_as_dispute, stored_status};
use crate::inventory;
use crate::time::to_rfc3339;

/// Which inventory entries, as the store reads them: the caller turns
/// "ending soon" or "review due" into times (the store decides nothing).
#[derive(Debug, Clone, Default)]
pub struct InventorySelection {
    pub system_id: Option<SystemId>,
    pub port: Option<u16>,
    /// Only approvals that end after this time...
    pub ends_after: Option<DateTime<Utc>>,
    /// ...and no later than this one.
    pub ends_by: Option<DateTime<Utc>>,
    /// Only approvals given no later than this time.
    pub approved_by: Option<DateTime<Utc>>,
    /// Only entries whose port a stale-entry finding says the newest scan
    /// did not find open.
    pub not_seen: bool,
    pub sort: InventorySort,
    pub descending: bool,
    pub page: PageRequest,
}

/// The findings' order: open before answered, worst first, then oldest.
const FINDING_ORDER: &str = "(f.status <> 'open'),
     CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2
                     WHEN 'low' THEN 3 ELSE 4 END,
     f.id";

/// The findings' filters; parameters ?1 to ?5.
const FINDING_FILTER: &str = "(?1 IS NULL OR f.system_id = ?1)
       AND (?2 IS NULL OR f.severity = ?2)
       AND (?3 IS NULL OR f.kind = ?3)
       AND (?4 IS NULL OR f.status = ?4)
       AND (?5 IS NULL OR (f.dispute_kind IS NOT NULL) = ?5)";

/// The inventory's filters; parameters ?1 to ?6.
const INVENTORY_FILTER: &str = "(?1 IS NULL OR e.system_id = ?1)
       AND (?2 IS NULL OR e.port = ?2)
       AND (?3 IS NULL OR e.expires_at > ?3)
       AND (?4 IS NULL OR e.expires_at <= ?4)
       AND (?5 IS NULL OR e.approved_at <= ?5)
       AND (NOT ?6 OR EXISTS (
             SELECT 1 FROM findings AS f
             WHERE f.kind = 'stale-inventory-entry' AND f.status = 'open'
               AND f.system_id = e.system_id AND f.port = e.port
               AND f.protocol = e.protocol))";

impl Store {
    /// Every system's id and name, by name.
    pub async fn system_names(&self) -> Result<Vec<SystemName>, StoreError> {
        self.readers()
            .read(|conn| {
                query_all(
                    conn,
                    "SELECT id, name, scope FROM systems ORDER BY name COLLATE NOCASE",
                    [],
                    |row| {
                        Ok(SystemName {
                            id: SystemId(row.required_int("id")?),
                            name: row.required_text("name")?,
                            scope: row.name("scope")?,
                        })
                    },
                )
            })
            .await
    }

    /// One page of the findings the query admits, with how many it admits,
    /// how many there are and which kinds.
    pub async fn finding_page(&self, query: &FindingQuery) -> Result<FindingPage, StoreError> {
        let query = query.clone();
        self.readers()
            .read(move |conn| {
                let filter = finding_filter(&query);
                let total: i64 = conn.query_row(
                    &format!("SELECT count(*) FROM findings AS f WHERE {FINDING_FILTER}"),
                    params_from_iter(&filter),
                    |row| row.get(0),
                )?;
                let all: i64 =
                    conn.query_row("SELECT count(*) FROM findings", [], |row| row.get(0))?;
                let kinds = query_all(
                    conn,
                    "SELECT DISTINCT kind FROM findings ORDER BY kind",
                    [],
                    |row| parse_name::<FindingKind>("kind", &row.required_text("kind")?),
                )?;
                let rows = query_all(
                    conn,
                    &format!(
                        "SELECT f.*, s.name AS system_name
                         FROM findings AS f LEFT JOIN systems AS s ON s.id = f.system_id
                         WHERE {FINDING_FILTER}
                         ORDER BY {FINDING_ORDER}
                         LIMIT ?6 OFFSET ?7"
                    ),
                    params_from_iter(paged(filter, query.page)),
                    |row| {
                        Ok(FindingRow {
                            record: findings::record_from_row(row)?,
                            system_name: row.text("system_name")?,
                        })
                    },
                )?;
                Ok(FindingPage {
                    rows,
                    total: count(total),
                    all: count(all),
                    kinds,
                })
            })
            .await
    }

    /// One page of the inventory entries the selection admits, sorted,
    /// with how many it admits and how many there are.
    pub async fn inventory_page(
        &self,
        selection: &InventorySelection,
    ) -> Result<InventoryPage, StoreError> {
        let selection = selection.clone();
        self.readers()
            .read(move |conn| {
                let filter = inventory_filter(&selection);
                let total: i64 = conn.query_row(
                    &format!(
                        "SELECT count(*) FROM inventory_entries AS e WHERE {INVENTORY_FILTER}"
                    ),
                    params_from_iter(&filter),
                    |row| row.get(0),
                )?;
                let all: i64 =
                    conn.query_row("SELECT count(*) FROM inventory_entries", [], |row| {
                        row.get(0)
                    })?;
                let rows = query_all(
                    conn,
                    &format!(
                        "SELECT e.*, s.name AS system_name
                         FROM inventory_entries AS e JOIN systems AS s ON s.id = e.system_id
                         WHERE {INVENTORY_FILTER}
                         ORDER BY {}
                         LIMIT ?7 OFFSET ?8",
                        inventory_order(selection.sort, selection.descending)
                    ),
                    params_from_iter(paged(filter, selection.page)),
                    |row| {
                        let entry: InventoryEntry = inventory::entry_from_row(row)?;
                        Ok(InventoryRow {
                            entry,
                            system_name: row.required_text("system_name")?,
                        })
                    },
                )?;
                Ok(InventoryPage {
                    rows,
                    total: count(total),
                    all: count(all),
                })
            })
            .await
    }
}

/// The ORDER BY terms of a sort; each ends with the id, so pages never
/// overlap.
fn inventory_order(sort: InventorySort, descending: bool) -> String {
    let direction = if descending { "DESC" } else { "ASC" };
    let terms: &[&str] = match sort {
        InventorySort::System => &["s.name COLLATE NOCASE", "e.port", "e.protocol"],
        InventorySort::Port => &["e.port", "e.protocol", "s.name COLLATE NOCASE"],
        InventorySort::Approved => &["e.approved_at"],
        // Approvals without an end come last either way: they need no
        // renewal.
        InventorySort::Until => {
            return format!("(e.expires_at IS NULL), e.expires_at {direction}, e.id {direction}");
        }
    };
    terms
        .iter()
        .chain(&["e.id"])
        .map(|term| format!("{term} {direction}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The values of [`FINDING_FILTER`]'s parameters.
fn finding_filter(query: &FindingQuery) -> Vec<Value> {
    vec![
        query.system_id.map(SystemId::get).into(),
        query.severity.map(|s| name_of(&s)).into(),
        query.kind.map(|k| name_of(&k)).into(),
        query.status.map(stored_status).into(),
        query.status.and_then(stored_as_dispute).into(),
    ]
}

/// The values of [`INVENTORY_FILTER`]'s parameters.
fn inventory_filter(selection: &InventorySelection) -> Vec<Value> {
    let time = |t: Option<DateTime<Utc>>| Value::from(t.map(to_rfc3339));
    vec![
        selection.system_id.map(SystemId::get).into(),
        selection.port.into(),
        time(selection.ends_after),
        time(selection.ends_by),
        time(selection.approved_by),
        selection.not_seen.into(),
    ]
}

/// A filter's values, then the page's LIMIT and OFFSET.
fn paged(mut values: Vec<Value>, page: PageRequest) -> Vec<Value> {
    values.push(page.bounded_limit().into());
    values.push(page.offset.into());
    values
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}
