//! What the application reports about itself: version, where its data lives
//! and the state of its database.

use serde::{Deserialize, Serialize};

use crate::ipc::Event;

/// `app_info` takes no parameters; the empty struct keeps the wire format
/// open to some later.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppInfoRequest {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppInfo {
    /// The Portcullis version, as in Cargo.toml.
    pub version: String,
    /// The directory holding the database and everything else Portcullis
    /// keeps, as an absolute path.
    pub data_dir: String,
    pub database: DatabaseStatus,
    /// The version advisories scans judge with, and how old they are.
    pub advisories: crate::service::AdvisoryData,
}

/// The database as the backend currently sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseStatus {
    /// The database file, as an absolute path.
    pub path: String,
    pub state: DatabaseState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DatabaseState {
    /// Being opened and migrated; a [`DatabaseStatusChanged`] event follows.
    Opening,
    /// Open, at this schema version (the number of the newest migration).
    Ready { schema_version: i64 },
    /// Could not be opened; the message says why.
    Failed { message: String },
}

impl DatabaseState {
    /// A short label for the state, as shown to the user.
    pub fn label(&self) -> &'static str {
        match self {
            DatabaseState::Opening => "opening",
            DatabaseState::Ready { .. } => "ready",
            DatabaseState::Failed { .. } => "failed",
        }
    }
}

/// Emitted whenever the database status changes, e.g. once opening finishes.
#[derive(Debug)]
pub enum DatabaseStatusChanged {}

impl Event for DatabaseStatusChanged {
    const NAME: &'static str = "database-status-changed";
    type Payload = DatabaseStatus;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_state_is_tagged_on_the_wire() {
        let ready = DatabaseState::Ready { schema_version: 3 };
        let json = serde_json::to_value(&ready).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"state": "ready", "schema_version": 3})
        );
        let back: DatabaseState = serde_json::from_value(json).unwrap();
        assert_eq!(back, ready);
    }

    #[test]
    fn empty_request_accepts_an_empty_object() {
        let request: AppInfoRequest = serde_json::from_str("{}").unwrap();
        assert_eq!(request, AppInfoRequest::default());
    }
}
