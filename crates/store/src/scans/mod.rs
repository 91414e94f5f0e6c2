//! Scans, recorded as they stream.
//!
//! [`Store::begin_scan`] writes the scan row as "running" before the first
//! packet; [`ScanWriter::record`] buffers the scan's events and writes them
//! in batches, each in its own transaction, every [`BATCH_EVENTS`] events or
//! [`BATCH_INTERVAL`], whichever comes first; [`ScanWriter::finish`] writes
//! the rest and the outcome. A process killed at any moment leaves whole
//! batches and a "running" row, which the next [`Store::open`] marks
//! interrupted once it sees that nobody holds the writer's lock.
//!
//! - `writer`: beginning a scan and recording its events.
//! - `pending`: the events waiting for the next batch.
//! - `bulk`: a batch of events written through rusqlite.
//! - `recovery`: telling a scan being written from one whose writer died.
//! - `records`: the scan rows read back.
//! - `report`: a scan's hosts and port observations read back, whole or
//!   part by part.
//!
//! [`Store::begin_scan`]: crate::Store::begin_scan
//! [`Store::open`]: crate::Store::open

mod bulk;
mod pending;
mod records;
mod recovery;
mod report;
mod writer;

pub use records::{ScanRecord, ScanStatus};
pub use report::{ReportPart, ReportPosition};
pub use writer::{BATCH_EVENTS, BATCH_INTERVAL, NewScan, ScanWriter};
