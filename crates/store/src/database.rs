//! Opening the database: create it if needed, migrate it, report on it.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use portcullis_model::{DatabaseState, DatabaseStatus};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

use crate::data_dir::DATABASE_FILE_NAME;
// Still imported from here by inventory and inventory_io; new code takes
// it from `crate::error`.
use crate::error::StoreError;
use crate::reader::Readers;

/// The schema, applied at every open; sqlx records which migrations ran.
pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// An open, migrated Portcullis database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    readers: Readers,
    data_dir: PathBuf,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database in `data_dir` and applies any
    /// pending migrations.
    ///
    /// WAL mode lets the desktop app read while a CLI scan writes; foreign
    /// keys are off by default in SQLite and must be asked for on every
    /// connection. Scans left "running" by a process that is gone are marked
    /// interrupted (see `writer_lock`).
    pub async fn open(data_dir: &Path) -> Result<Store, StoreError> {
        if data_dir.exists() && !data_dir.is_dir() {
            return Err(StoreError::Invalid(format!(
                "{} is a file, not a directory: the data directory must be a directory \
                 (Portcullis keeps {DATABASE_FILE_NAME} inside it)",
                data_dir.display()
            )));
        }
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::CreateDataDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let path = data_dir.join(DATABASE_FILE_NAME);
        let open_error = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        let options = SqliteConnectOptions::from_str("sqlite:")
            .map_err(open_error)?
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(open_error)?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|source| StoreError::Migrate {
                path: path.clone(),
                source,
            })?;
        let store = Store {
            pool,
            readers: Readers::new(path.clone()),
            data_dir: data_dir.to_path_buf(),
            path,
        };
        store.interrupt_abandoned_scans().await?;
        Ok(store)
    }

    /// The connections, for this crate's repositories.
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The rusqlite connections for bulk reads.
    pub(crate) fn readers(&self) -> &Readers {
        &self.readers
    }

    /// The directory holding the database, its lock files and backups.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// A write transaction that takes SQLite's write lock at once: every
    /// change that appends to the audit chain reads its head and appends in
    /// one step no other writer can interleave with.
    pub(crate) async fn begin_write(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A number that changes whenever anything is committed to the
    /// database, by this process or another: what a cache of something
    /// worked out from the data is kept by.
    pub async fn data_version(&self) -> Result<i64, StoreError> {
        let readers = self.readers.clone();
        tokio::task::spawn_blocking(move || readers.data_version())
            .await
            .unwrap_or_else(|join_error| std::panic::resume_unwind(join_error.into_panic()))
    }

    /// The version of the newest migration applied.
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        let version: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await?;
        Ok(version.unwrap_or(0))
    }

    /// The database's status as the UI and CLI report it.
    pub async fn status(&self) -> DatabaseStatus {
        let state = match self.schema_version().await {
            Ok(schema_version) => DatabaseState::Ready { schema_version },
            Err(error) => DatabaseState::Failed {
                message: error.to_string(),
            },
        };
        DatabaseStatus {
            path: self.path.display().to_string(),
            state,
        }
    }

    /// Closes every connection, checkpointing the WAL.
    pub async fn close(self) {
        self.readers.clear();
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn open_creates_and_migrates_a_new_database() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().join("nested").join("data");
        let store = Store::open(&data_dir).await.unwrap();
        assert_eq!(store.path(), data_dir.join(DATABASE_FILE_NAME));
        assert!(store.path().is_file());
        let newest = MIGRATOR.iter().map(|m| m.version).max().unwrap();
        assert_eq!(
            store.status().await.state,
            DatabaseState::Ready {
                schema_version: newest
            }
        );
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(foreign_keys, 1);
    }

    #[tokio::test]
    async fn reopening_keeps_the_data() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        sqlx::query("INSERT INTO settings (key, value) VALUES ('k', 'v')")
            .execute(&store.pool)
            .await
            .unwrap();
        store.close().await;
        let store = Store::open(dir.path()).await.unwrap();
        let value: String = sqlx::query_scalar("SELECT value FROM settings WHERE key = 'k'")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(value, "v");
    }

    #[tokio::test]
    async fn a_file_that_is_not_a_database_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(DATABASE_FILE_NAME), vec![0x42u8; 4096]).unwrap();
        let error = Store::open(dir.path()).await.unwrap_err();
        assert!(
            error.to_string().contains(DATABASE_FILE_NAME),
            "error should name the file: {error}"
        );
    }
}
