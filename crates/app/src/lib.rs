//! The Portcullis use cases: the one API the CLI and the desktop app call.
//!
//! A [`Workspace`] is opened on a data directory with an actor (who the
//! audit log names) and a clock; every use case is one of its methods,
//! taking and returning plain values from `portcullis-model`. It wires the
//! engine crates together: the scanner finds, the rules
//! (`portcullis-compliance`) decide, the store remembers. Nothing here
//! prints, parses a command line or knows Tauri: the shells translate
//! between a person and these methods, and nothing else.
//!
//! One vocabulary throughout: *evaluate* turns a scan into findings,
//! *reconcile* folds them into the tracked ones, *assess* gives the verdict;
//! *judge* is all three, saved. The sentences a person reads about a
//! verdict, a diff or a judged scan come from [`words`], so the window and
//! the terminal say the same thing.

mod actor;
mod asv_scans;
mod audit;
mod background;
mod backup;
mod business;
mod clock;
mod diff;
mod documents;
mod error;
mod evidence;
mod export;
mod findings;
mod firewall;
mod guided;
mod import;
mod import_watch;
mod inventory;
pub mod inventory_file;
mod judge;
mod monitor;
pub mod monitor_install;
mod remediation;
mod review;
mod scan_plan;
mod scans;
mod segmentation;
mod status;
mod supervisor;
mod systems;
pub mod watch;
mod wizard;
pub mod words;
mod workspace;

pub use actor::{actor_or_os_user, os_user};
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::Result;
pub use import_watch::ImportWatch;
pub use inventory_file::{parse_date, parse_sources};
pub use portcullis_store::DATABASE_FILE_NAME;
pub use scan_plan::{LIST_EVERY_PORT_UP_TO, ScanPlan};
pub use scans::{ScanOutcome, Scanner, advisories_in_use};
pub use segmentation::SegmentationRun;
pub use status::DASHBOARD_SYSTEMS;
pub use supervisor::{ScanRun, Subscription, UPDATE_INTERVAL};
pub use workspace::{Workspace, WorkspaceOptions, resolve_data_dir};

/// The model's types, for shells that only depend on this crate and the
/// model.
pub use portcullis_model as model;
