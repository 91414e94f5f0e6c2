//! The Portcullis database.
//!
//! One SQLite file in the user's data directory holds everything Portcullis
//! knows. The desktop app and the CLI open the same file through this crate,
//! so they always agree on where it is and which schema it has.
//!
//! - `error`: why an operation failed (`StoreError`, `BackupError`).
//! - `database`: opening, migrating.
//! - `scans`: scans recorded as they stream, and read back as reports.
//! - `systems`, `platforms`, `inventory`, `inventory_io`, `findings`: the
//!   compliance data, every change audited in its own transaction.
//! - `dashboard`, `evaluation`: what the shells read to show and to judge.
//! - `segmentation`: the evidence of the segmentation tests Portcullis ran.
//! - `audit`: the append-only, hash-chained audit log.
//! - `backup`: online backup and checked restore.
//! - `writer_lock`: telling a live scan from one whose writer died.

mod asv_scans;
mod audit;
mod backup;
mod codec;
mod columns;
mod dashboard;
mod data_dir;
mod database;
mod error;
mod evaluation;
mod findings;
mod imported_files;
mod inventory;
mod inventory_io;
mod listing;
mod monitoring;
mod platforms;
mod reader;
mod reported;
mod scans;
mod segmentation;
mod settings;
mod sightings;
mod systems;
mod time;
mod writer_lock;

pub use asv_scans::NewAsvScan;
pub use audit::GENESIS_HASH;
pub use backup::{BackupSummary, CopyProgress, RestoreSummary};
pub use data_dir::{DATABASE_FILE_NAME, NoDataDir, default_data_dir, resolve_data_dir};
pub use database::Store;
pub use error::{BackupError, StoreError};
pub use evaluation::EvaluationContext;
pub use imported_files::{IMPORTS_DIR, KeptFile};
pub use inventory_io::ImportSummary;
pub use listing::InventorySelection;
pub use monitoring::{NewAlert, NewNotification, NewReminder, StoredSchedule};
pub use portcullis_model::dashboard::{Dashboard, FindingCount, LastScan, SegmentationRecord};
pub use portcullis_model::judgement::{FindingFilter, ScanFindingsSaved};
pub use portcullis_model::maintenance::{BadRow, ChainProblem, ChainReport};
pub use scans::{
    BATCH_EVENTS, BATCH_INTERVAL, NewScan, ReportPart, ReportPosition, ScanRecord, ScanStatus,
    ScanWriter,
};
pub use sightings::{OpenSighting, PortSeen};
