//! Why a store operation failed: [`StoreError`], which the store's
//! operations return, and [`BackupError`], what a backup or restore adds.
//!
//! Both live here, apart from the code that fails, so that the other
//! modules depend on this one and it on none of them. `StoreError` wraps
//! `BackupError`, and `backup` adds `Store` methods that return
//! `StoreError`: with `StoreError` in `database` and `BackupError` in
//! `backup`, those two modules imported each other.

use std::path::PathBuf;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data directory {path}: {source}")]
    CreateDataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the database {path}: {source}")]
    Open { path: PathBuf, source: sqlx::Error },
    #[error("cannot bring the database {path} up to date: {source}")]
    Migrate {
        path: PathBuf,
        source: sqlx::migrate::MigrateError,
    },
    #[error("database query failed: {0}")]
    Query(#[from] sqlx::Error),
    #[error("database read failed: {0}")]
    Read(#[from] rusqlite::Error),
    /// A write through rusqlite (a scan's batch of events).
    #[error("database write failed: {0}")]
    Write(rusqlite::Error),
    #[error("cannot keep track of a running scan in {path}: {source}")]
    WriterLock {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Backup(#[from] BackupError),
    #[error("{0}")]
    Invalid(String),
    #[error("there is no {entity} {key}")]
    NotFound { entity: &'static str, key: String },
    #[error("{what} already exists")]
    Duplicate { what: String },
    #[error("stored data cannot be read back: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Whether the user's input was at fault (CLI exit code 2) rather than
    /// the database (exit code 3).
    pub fn is_bad_input(&self) -> bool {
        match self {
            StoreError::Invalid(_) | StoreError::NotFound { .. } | StoreError::Duplicate { .. } => {
                true
            }
            StoreError::Backup(error) => error.is_bad_input(),
            _ => false,
        }
    }
}

/// Why a backup or restore did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{path} already exists; choose another file name or remove it first")]
    DestinationExists { path: PathBuf },
    #[error("{path} does not exist")]
    NoSuchFile { path: PathBuf },
    #[error("cannot write {path}: the folder {} does not exist", .folder.display())]
    NoSuchFolder { path: PathBuf, folder: PathBuf },
    #[error("refusing to restore {path}: {reason}; the current database was not touched")]
    Refused { path: PathBuf, reason: String },
    #[error("refusing to restore while scan {scan_id} is being recorded; wait for it or cancel it")]
    ScanRunning { scan_id: portcullis_model::ScanId },
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("the copy was given up after {seconds} s of the database being busy")]
    Busy { seconds: u64 },
    #[error("the copy was cancelled; nothing was changed")]
    Cancelled,
}

impl BackupError {
    /// Whether the user named a file that cannot be used (CLI exit code 2).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            BackupError::DestinationExists { .. }
                | BackupError::NoSuchFile { .. }
                | BackupError::NoSuchFolder { .. }
                | BackupError::Refused { .. }
                | BackupError::ScanRunning { .. }
        )
    }
}
