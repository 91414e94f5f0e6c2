//! What the shell keeps between commands: where the data lives and the
//! store, once it is open.

use std::path::PathBuf;

use portcullis_model::{DatabaseState, DatabaseStatus};
use portcullis_store::{DATABASE_FILE_NAME, Store};
use tokio::sync::RwLock;

#[derive(Debug)]
pub struct AppState {
    pub data_dir: PathBuf,
    store: RwLock<StoreSlot>,
}

#[derive(Debug)]
enum StoreSlot {
    Opening,
    Open(Store),
    Failed(String),
}

impl AppState {
    pub fn new(data_dir: PathBuf) -> Self {
        Self {
            data_dir,
            store: RwLock::new(StoreSlot::Opening),
        }
    }

    /// Opens the store and remembers the outcome; returns the new status.
    pub async fn open_store(&self) -> DatabaseStatus {
        let slot = match Store::open(&self.data_dir).await {
            Ok(store) => StoreSlot::Open(store),
            Err(error) => StoreSlot::Failed(error.to_string()),
        };
        *self.store.write().await = slot;
        self.database_status().await
    }

    pub async fn database_status(&self) -> DatabaseStatus {
        match &*self.store.read().await {
            StoreSlot::Open(store) => store.status().await,
            StoreSlot::Opening => self.status_without_store(DatabaseState::Opening),
            StoreSlot::Failed(message) => self.status_without_store(DatabaseState::Failed {
                message: message.clone(),
            }),
        }
    }

    fn status_without_store(&self, state: DatabaseState) -> DatabaseStatus {
        DatabaseStatus {
            path: self.data_dir.join(DATABASE_FILE_NAME).display().to_string(),
            state,
        }
    }
}
