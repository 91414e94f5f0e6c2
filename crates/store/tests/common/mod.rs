//! Shared set-up for the store's integration tests: real database files in
//! temporary directories.

#![allow(dead_code)]

use chrono::{TimeZone, Utc};
use portcullis_model::compliance::{
    Exposure, InventoryEntry, NewInventoryEntry, NewSystem, Scope, System, SystemRole,
};
use portcullis_model::scan::Protocol;
use portcullis_store::{DATABASE_FILE_NAME, Store};
use tempfile::TempDir;

pub const ACTOR: &str = "tester";

pub async fn new_store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    (dir, store)
}

pub fn database_file(dir: &TempDir) -> std::path::PathBuf {
    dir.path().join(DATABASE_FILE_NAME)
}

pub async fn add_shop(store: &Store) -> System {
    store
        .add_system(
            ACTOR,
            NewSystem {
                name: "shop".into(),
                addresses: vec!["203.0.113.10".into()],
                role: SystemRole::WebServer,
                scope: Scope::Cde,
                exposure: Exposure::External,
                notes: String::new(),
            },
        )
        .await
        .unwrap()
}

pub fn entry(system_id: portcullis_model::SystemId, port: u16) -> NewInventoryEntry {
    NewInventoryEntry {
        system_id,
        port,
        protocol: Protocol::Tcp,
        service: Some("https".into()),
        version: None,
        justification: format!("port {port} serves the shop"),
        approver: "alice".into(),
        approved_at: Utc.with_ymd_and_hms(2025, 1, 31, 12, 0, 0).unwrap(),
        expires_at: Some(Utc.with_ymd_and_hms(2099, 1, 1, 0, 0, 0).unwrap()),
        sources: Vec::new(),
        notes: String::new(),
    }
}

pub async fn add_entries(
    store: &Store,
    system_id: portcullis_model::SystemId,
    ports: &[u16],
) -> Vec<InventoryEntry> {
    let mut entries = Vec::new();
    for port in ports {
        entries.push(
            store
                .add_inventory_entry(ACTOR, entry(system_id, *port))
                .await
                .unwrap(),
        );
    }
    entries
}

/// A raw connection to the database file, past the store's API: for tests
/// that play the attacker or the crash.
pub fn raw(path: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

/// Every inventory row, every column, as text: to compare byte for byte.
pub fn inventory_dump(path: &std::path::Path) -> Vec<String> {
    let conn = raw(path);
    let mut statement = conn
        .prepare("SELECT quote(id) || '|' || quote(system_id) || '|' || quote(port) || '|' || quote(protocol) || '|' || quote(service) || '|' || quote(version) || '|' || quote(justification) || '|' || quote(approver) || '|' || quote(approved_at) || '|' || quote(expires_at) || '|' || quote(notes) || '|' || quote(created_at) || '|' || quote(updated_at) FROM inventory_entries ORDER BY id")
        .unwrap();
    statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}
