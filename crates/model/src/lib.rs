//! The types every part of Portcullis agrees on.
//!
//! This crate is the contract between the Leptos UI (compiled to wasm32), the
//! Tauri shell, the CLI and the engine crates. It holds plain data and the
//! names that tie them to the IPC layer, and nothing that does I/O, so that it
//! builds for every target the others build for.

/// Address blocks (inventory sources), for crates that only depend on the
/// model.
pub use ipnet::IpNet;

pub mod app;
pub mod commands;
pub mod compliance;
pub mod dashboard;
pub mod diff_view;
pub mod documents;
pub mod error;
pub mod guided;
pub mod ids;
pub mod import;
pub mod ipc;
pub mod judgement;
pub mod listing;
pub mod maintenance;
pub mod monitor;
pub mod numbers;
pub mod report;
pub mod requests;
pub mod review;
pub mod scan;
pub mod scan_record;
pub mod segmentation;
pub mod service;
pub mod wizard;

pub use app::{AppInfo, AppInfoRequest, DatabaseState, DatabaseStatus, DatabaseStatusChanged};
pub use commands::{AppInfoCommand, COMMAND_NAMES};
pub use error::{AppError, ErrorKind, Problem};
pub use ids::{
    AsvScanId, AuditEntryId, FindingId, InventoryEntryId, RunId, ScanId, SegmentationTestId,
    SystemId,
};
pub use ipc::{Command, Event};
