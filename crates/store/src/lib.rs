//! The Portcullis database.
//!
//! One SQLite file in the user's data directory holds everything Portcullis
//! knows. The desktop app and the CLI open the same file through this crate,
//! so they always agree on where it is and which schema it has.

mod data_dir;
mod database;

pub use data_dir::{DATABASE_FILE_NAME, NoDataDir, default_data_dir, resolve_data_dir};
pub use database::{Store, StoreError};
