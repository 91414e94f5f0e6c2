//! Between Rust values and SQLite columns: enumerations by their serde
//! names (the names the migrations' CHECK constraints list), times as
//! RFC 3339 text, and values as JSON (columns and the audit log).

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::StoreError;

/// The serde name of a unit enum variant: `Scope::ConnectedToCde` is
/// "connected-to-cde".
pub(crate) fn name_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        other => panic!("not a unit enum variant: {other:?}"),
    }
}

/// The variant whose serde name is `text`; a stored value the model cannot
/// read (the CHECK constraints make this rare) names its column.
pub(crate) fn parse_name<T: DeserializeOwned>(column: &str, text: &str) -> Result<T, StoreError> {
    use serde::de::value::{BorrowedStrDeserializer, Error};
    T::deserialize(BorrowedStrDeserializer::<Error>::new(text))
        .map_err(|_| StoreError::Corrupt(format!("column {column}: unknown value `{text}`")))
}

/// A stored time.
pub(crate) fn parse_time(column: &str, text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.to_utc())
        .map_err(|e| StoreError::Corrupt(format!("column {column}: `{text}` is not a time ({e})")))
}

/// A value as JSON, for the audit log and JSON columns.
pub(crate) fn json_value<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).expect("model types serialise")
}

/// A value as JSON text.
pub(crate) fn json_text<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("model types serialise")
}
