//! The types every part of Portcullis agrees on.
//!
//! This crate is the contract between the Leptos UI (compiled to wasm32), the
//! Tauri shell, the CLI and the engine crates. It holds plain data and the
//! names that tie them to the IPC layer, and nothing that does I/O, so that it
//! builds for every target the others build for.

pub mod app;
pub mod compliance;
pub mod ipc;
pub mod report;
pub mod scan;
pub mod service;

pub use app::{
    AppInfo, AppInfoCommand, AppInfoRequest, DatabaseState, DatabaseStatus, DatabaseStatusChanged,
};
pub use ipc::{Command, Event, IpcError};
