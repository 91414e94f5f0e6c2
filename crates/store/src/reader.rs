//! Bulk reads through rusqlite.
//!
//! sqlx's SQLite driver copies every value of every row into its own
//! allocation and hands rows across threads; reading one 65,535-port scan
//! took over 350 ms that way, ten times what SQLite itself needs. Large
//! reads (scans, findings, the inventory, the systems) therefore run on a
//! blocking thread over rusqlite connections kept in a small pool, with
//! `query_only` set so that they cannot write. Writes, which must append to
//! the audit chain in their own transaction, stay with sqlx, but for a
//! scan's batches of events, which no audit row follows (`scans::bulk`
//! says why they go through rusqlite). Both drivers
//! use the same SQLite library (libsqlite3-sys 0.30), and WAL mode lets the
//! two kinds of connection work side by side.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::StoreError;

/// Idle connections kept for the next read.
const IDLE_READERS: usize = 4;
/// How long a read waits for a writer's checkpoint or a restore.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The read connections of one store.
#[derive(Debug, Clone)]
pub(crate) struct Readers {
    path: PathBuf,
    idle: Arc<Mutex<Vec<Connection>>>,
    /// One connection kept for [`Readers::data_version`] alone: SQLite's
    /// change counter is per connection, so it must always be the same one.
    watcher: Arc<Mutex<Option<Connection>>>,
}

impl Readers {
    pub fn new(path: PathBuf) -> Readers {
        Readers {
            path,
            idle: Arc::default(),
            watcher: Arc::default(),
        }
    }

    /// Runs `work` on a read connection, off the async runtime's threads.
    pub async fn read<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let readers = self.clone();
        tokio::task::spawn_blocking(move || {
            let conn = readers.take()?;
            let result = work(&conn);
            readers.give_back(conn);
            result
        })
        .await
        .unwrap_or_else(|join_error| std::panic::resume_unwind(join_error.into_panic()))
    }

    fn take(&self) -> Result<Connection, StoreError> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match idle {
            Some(conn) => Ok(conn),
            None => self.open(),
        }
    }

    fn give_back(&self, conn: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < IDLE_READERS {
            idle.push(conn);
        }
    }

    fn open(&self) -> Result<Connection, StoreError> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "query_only", true)?;
        Ok(conn)
    }

    /// SQLite's `data_version` as the watcher connection sees it: it moves
    /// whenever another connection (this process's writers, a CLI, a
    /// restore) commits, and only then, since the watcher never writes.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        let mut watcher = self.watcher.lock().unwrap_or_else(|p| p.into_inner());
        if watcher.is_none() {
            *watcher = Some(self.open()?);
        }
        let conn = watcher.as_ref().expect("opened above");
        Ok(conn.query_row("PRAGMA data_version", [], |row| row.get(0))?)
    }

    /// Drops the idle connections (before a restore replaces the file's
    /// content; they would notice anyway, this only frees them early).
    pub fn clear(&self) {
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}
