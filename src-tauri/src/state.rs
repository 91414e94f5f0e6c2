//! What the shell keeps between commands: where the data lives and the
//! workspace, once it is open.

use std::path::PathBuf;
use std::sync::Arc;

use portcullis_app::{Workspace, WorkspaceOptions};
use portcullis_model::{AppError, DatabaseState, DatabaseStatus, ErrorKind};
use tokio::sync::RwLock;

use crate::files::Transfers;

#[derive(Debug)]
pub struct AppState {
    pub data_dir: PathBuf,
    /// The import under way and the ASV report last proposed.
    pub transfers: Transfers,
    /// Wakes the monitoring watch before its minute is up.
    pub watch_wake: Arc<tokio::sync::Notify>,
    /// Ends the monitoring watch.
    pub watch_stop: tokio::sync::Notify,
    slot: RwLock<Slot>,
}

#[derive(Debug)]
enum Slot {
    Opening,
    Open(Arc<Workspace>),
    Failed(String),
}

impl AppState {
    pub fn new(data_dir: PathBuf) -> Self {
        Self {
            data_dir,
            transfers: Transfers::default(),
            watch_wake: Arc::default(),
            watch_stop: tokio::sync::Notify::new(),
            slot: RwLock::new(Slot::Opening),
        }
    }

    /// Opens the workspace and remembers the outcome; returns the new
    /// status.
    pub async fn open(&self) -> DatabaseStatus {
        let options = WorkspaceOptions::new(self.data_dir.clone(), portcullis_app::os_user());
        let slot = match Workspace::open(options).await {
            Ok(workspace) => Slot::Open(Arc::new(workspace)),
            Err(error) => Slot::Failed(error.message),
        };
        *self.slot.write().await = slot;
        self.database_status().await
    }

    /// Has the watch take its next turn now.
    pub fn wake_watch(&self) {
        self.watch_wake.notify_one();
    }

    /// The open workspace, or why there is none.
    pub async fn workspace(&self) -> Result<Arc<Workspace>, AppError> {
        match &*self.slot.read().await {
            Slot::Open(workspace) => Ok(Arc::clone(workspace)),
            Slot::Opening => Err(AppError::new(
                ErrorKind::Busy,
                "the database is still opening; try again in a moment",
            )),
            Slot::Failed(message) => Err(AppError::new(ErrorKind::Unavailable, message.clone())),
        }
    }

    pub async fn database_status(&self) -> DatabaseStatus {
        match &*self.slot.read().await {
            Slot::Open(workspace) => workspace.info().await.database,
            Slot::Opening => self.status_without_store(DatabaseState::Opening),
            Slot::Failed(message) => self.status_without_store(DatabaseState::Failed {
                message: message.clone(),
            }),
        }
    }

    fn status_without_store(&self, state: DatabaseState) -> DatabaseStatus {
        DatabaseStatus {
            path: self
                .data_dir
                .join(portcullis_app::DATABASE_FILE_NAME)
                .display()
                .to_string(),
            state,
        }
    }
}
