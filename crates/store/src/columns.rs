//! Reading a row's columns by name, the same way from an sqlx row (inside
//! a write transaction) and from a rusqlite row (bulk reads, see
//! `reader`), so that each model type is decoded by one function.

use std::cell::Cell;
use std::collections::HashMap;

use serde::de::DeserializeOwned;

use crate::error::StoreError;

/// A row whose columns can be read by name.
pub(crate) trait Columns {
    /// A text column, borrowed for `read`.
    fn with_text<T>(
        &self,
        name: &str,
        read: impl FnOnce(Option<&str>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError>;
    fn int(&self, name: &str) -> Result<Option<i64>, StoreError>;
    fn real(&self, name: &str) -> Result<Option<f64>, StoreError>;

    /// A text column that may be NULL.
    fn text(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.with_text(name, |text| Ok(text.map(str::to_owned)))
    }

    /// A text column that must not be NULL.
    fn required_text(&self, name: &str) -> Result<String, StoreError> {
        self.text(name)?.ok_or_else(|| null(name))
    }

    /// A text column that must not be NULL, as a shared string (the texts
    /// of findings), copied once from the row.
    fn required_shared_text(&self, name: &str) -> Result<std::sync::Arc<str>, StoreError> {
        self.with_text(name, |text| {
            text.map(std::sync::Arc::from).ok_or_else(|| null(name))
        })
    }

    /// An integer column that must not be NULL.
    fn required_int(&self, name: &str) -> Result<i64, StoreError> {
        self.int(name)?.ok_or_else(|| null(name))
    }

    /// A JSON column that may be NULL.
    fn json<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, StoreError> {
        self.with_text(name, |text| {
            text.map(|text| {
                serde_json::from_str(text)
                    .map_err(|e| StoreError::Corrupt(format!("column {name}: {e}")))
            })
            .transpose()
        })
    }

    /// A JSON column that must not be NULL.
    fn required_json<T: DeserializeOwned>(&self, name: &str) -> Result<T, StoreError> {
        self.json(name)?.ok_or_else(|| null(name))
    }

    /// A text column holding one of the model's enumeration names.
    fn name<T: DeserializeOwned>(&self, name: &str) -> Result<T, StoreError> {
        self.with_text(name, |text| {
            crate::codec::parse_name(name, text.ok_or_else(|| null(name))?)
        })
    }

    /// A text column holding a time.
    fn time(&self, name: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>, StoreError> {
        self.with_text(name, |text| {
            text.map(|text| crate::codec::parse_time(name, text))
                .transpose()
        })
    }
}

fn null(name: &str) -> StoreError {
    StoreError::Corrupt(format!("column {name} is unexpectedly empty"))
}

impl Columns for sqlx::sqlite::SqliteRow {
    fn with_text<T>(
        &self,
        name: &str,
        read: impl FnOnce(Option<&str>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        use sqlx::Row;
        read(self.try_get::<Option<&str>, _>(name)?)
    }

    fn int(&self, name: &str) -> Result<Option<i64>, StoreError> {
        use sqlx::Row;
        Ok(self.try_get(name)?)
    }

    fn real(&self, name: &str) -> Result<Option<f64>, StoreError> {
        use sqlx::Row;
        Ok(self.try_get(name)?)
    }
}

/// A rusqlite row with its statement's column names resolved once:
/// rusqlite finds a column by name by asking SQLite for every column's name
/// in turn, which for a 65,535-row scan cost more than reading it. Decoders
/// ask for columns in the same order on every row, so the next lookup is
/// tried first at the column after the last one found.
pub(crate) struct IndexedRow<'a, 'r> {
    row: &'a rusqlite::Row<'r>,
    columns: &'a ColumnMap,
    next: Cell<usize>,
}

/// Column names and their indexes, for one statement.
#[derive(Debug, Default)]
pub(crate) struct ColumnMap {
    names: Vec<String>,
    index: HashMap<String, usize>,
}

impl ColumnMap {
    pub fn of(statement: &rusqlite::Statement<'_>) -> ColumnMap {
        let names: Vec<String> = statement
            .column_names()
            .into_iter()
            .map(str::to_owned)
            .collect();
        let index = names
            .iter()
            .enumerate()
            .map(|(index, name)| (name.clone(), index))
            .collect();
        ColumnMap { names, index }
    }
}

impl<'a, 'r> IndexedRow<'a, 'r> {
    pub fn new(row: &'a rusqlite::Row<'r>, columns: &'a ColumnMap) -> IndexedRow<'a, 'r> {
        IndexedRow {
            row,
            columns,
            next: Cell::new(0),
        }
    }

    fn value(&self, name: &str) -> Result<rusqlite::types::ValueRef<'_>, StoreError> {
        let guess = self.next.get();
        let index = if self.columns.names.get(guess).is_some_and(|n| n == name) {
            guess
        } else {
            *self
                .columns
                .index
                .get(name)
                .ok_or_else(|| StoreError::Corrupt(format!("no column {name}")))?
        };
        self.next.set(index + 1);
        Ok(self.row.get_ref(index)?)
    }
}

impl Columns for IndexedRow<'_, '_> {
    fn with_text<T>(
        &self,
        name: &str,
        read: impl FnOnce(Option<&str>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let text = self
            .value(name)?
            .as_str_or_null()
            .map_err(|e| StoreError::Corrupt(format!("column {name}: {e}")))?;
        read(text)
    }

    fn int(&self, name: &str) -> Result<Option<i64>, StoreError> {
        self.value(name)?
            .as_i64_or_null()
            .map_err(|e| StoreError::Corrupt(format!("column {name}: {e}")))
    }

    fn real(&self, name: &str) -> Result<Option<f64>, StoreError> {
        self.value(name)?
            .as_f64_or_null()
            .map_err(|e| StoreError::Corrupt(format!("column {name}: {e}")))
    }
}

/// Runs `sql` with `params` and decodes every row with `decode`.
pub(crate) fn query_all<T>(
    conn: &rusqlite::Connection,
    sql: &str,
    params: impl rusqlite::Params,
    mut decode: impl FnMut(&IndexedRow<'_, '_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut statement = conn.prepare_cached(sql)?;
    let columns = ColumnMap::of(&statement);
    let mut rows = statement.query(params)?;
    let mut decoded = Vec::new();
    while let Some(row) = rows.next()? {
        decoded.push(decode(&IndexedRow::new(row, &columns))?);
    }
    Ok(decoded)
}
