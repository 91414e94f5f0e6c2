//! The workspace: one data directory, the person acting, the clock, and
//! the scans running in it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use chrono::{DateTime, Utc};
use portcullis_compliance::Rulebook;
use portcullis_model::{AppError, AppInfo, ErrorKind};
use portcullis_store::Store;

use crate::clock::{Clock, SystemClock};
use crate::error::{Result, from_store};
use crate::supervisor::Supervisor;

/// How many scans may run at once in one workspace: a second (a rescan of
/// one fix while a full scan runs) is useful, more only divide the network.
pub const DEFAULT_SCAN_SLOTS: usize = 2;

/// The data directory the shells use: `requested`, or the OS's per-user
/// data directory, the same for the desktop app and the CLI.
pub fn resolve_data_dir(requested: Option<&Path>) -> Result<PathBuf> {
    portcullis_store::resolve_data_dir(requested)
        .map_err(|error| AppError::new(ErrorKind::Unavailable, error.to_string()))
}

/// How to open a workspace.
#[derive(Debug, Clone)]
pub struct WorkspaceOptions {
    pub data_dir: PathBuf,
    /// Who the audit log names for the changes made through it.
    pub actor: String,
    pub clock: Arc<dyn Clock>,
    /// Scans that may run at once.
    pub scan_slots: usize,
}

impl WorkspaceOptions {
    pub fn new(data_dir: PathBuf, actor: String) -> WorkspaceOptions {
        WorkspaceOptions {
            data_dir,
            actor,
            clock: Arc::new(SystemClock),
            scan_slots: DEFAULT_SCAN_SLOTS,
        }
    }
}

/// An open data directory and everything the use cases need.
///
/// Cheap to share behind an `Arc`; every method takes `&self`. Dropping
/// the last handle cancels the scans still running (they are recorded as
/// cancelled, with what they found); [`Workspace::shutdown`] does the same
/// and waits until they are written.
#[derive(Debug)]
pub struct Workspace {
    pub(crate) store: Store,
    pub(crate) actor: String,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) rulebook: &'static Rulebook,
    pub(crate) supervisor: Arc<Supervisor>,
    /// Set by [`Workspace::cancel_copy`]: the backup or restore under way
    /// stops at its next step.
    pub(crate) copy_cancelled: Arc<AtomicBool>,
    pub(crate) status_cache: crate::status::StatusCache,
}

impl Workspace {
    /// Opens (creating and migrating if needed) the database in the data
    /// directory. Scans a crashed process left "running" are marked
    /// interrupted.
    pub async fn open(options: WorkspaceOptions) -> Result<Workspace> {
        let store = Store::open(&options.data_dir).await.map_err(from_store)?;
        crate::scans::install_kept_advisories(&options.data_dir);
        Ok(Workspace {
            supervisor: Arc::new(Supervisor::new(options.scan_slots)),
            store,
            actor: options.actor,
            clock: options.clock,
            rulebook: Rulebook::builtin(),
            copy_cancelled: Arc::default(),
            status_cache: Default::default(),
        })
    }

    /// Who the audit log names for this workspace's changes.
    pub fn actor(&self) -> &str {
        &self.actor
    }

    pub fn data_dir(&self) -> &Path {
        self.store.data_dir()
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// What judging needs, for a task that outlives this borrow (a running
    /// scan judges itself when it finishes). It holds no supervisor, so a
    /// running scan never keeps its workspace alive.
    pub(crate) fn judge(&self) -> crate::judge::Judge {
        crate::judge::Judge {
            store: self.store.clone(),
            actor: self.actor.clone(),
            clock: Arc::clone(&self.clock),
            rulebook: self.rulebook,
        }
    }

    /// The version, the data directory and the database's state.
    pub async fn info(&self) -> AppInfo {
        AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            data_dir: self.data_dir().display().to_string(),
            database: self.store.status().await,
            advisories: self.advisory_data(),
        }
    }

    /// Cancels every running scan, waits until each is recorded as
    /// cancelled with what it found, and closes the database. Nothing
    /// starts after it.
    pub async fn shutdown(&self) {
        self.supervisor.shutdown().await;
        self.store.clone().close().await;
    }
}
