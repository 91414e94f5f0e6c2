//! Recording a scan as it streams: the "running" row, the events buffered
//! and written in batched transactions (one per [`BATCH_EVENTS`] events or
//! [`BATCH_INTERVAL`], not one per event), and the outcome. A crash loses
//! only the events still in the buffer; the batches written stay whole.
//! The batches go through rusqlite (`bulk` says why); the scan's row, its
//! outcome and a discard through sqlx, as every other write.

use std::time::{Duration, Instant};

use portcullis_model::compliance::{Exposure, ScanCoverage};
use portcullis_model::import::ReportedItem;
use portcullis_model::scan::{ScanEvent, ScanSummary};

use super::bulk;
use super::pending::{self, Pending};
use super::records::{ScanRecord, ScanStatus};
use crate::codec::{json_text, name_of};
use crate::database::Store;
use crate::error::StoreError;
use crate::time::now_rfc3339;
use crate::writer_lock::WriterLock;
use portcullis_model::ScanId;

/// Events buffered before a batch is written.
pub const BATCH_EVENTS: usize = 500;
/// The longest an event waits in the buffer (checked as events arrive; the
/// scan's progress events arrive several times a second).
pub const BATCH_INTERVAL: Duration = Duration::from_millis(200);

/// A scan about to start, as the user asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewScan {
    pub actor: String,
    pub targets: String,
    pub ports: String,
    /// The TCP method asked for: "auto", "syn", "connect", or "none".
    pub requested_method: String,
    pub profile: String,
    /// Where the scan runs from: inside the network (PCI DSS 11.3.1) or
    /// from the internet (11.3.2).
    pub origin: Exposure,
    /// What the scan will look for.
    pub coverage: ScanCoverage,
}

/// Records one scan as it streams. Dropping it without [`finish`] leaves
/// the scan "running" until the next open marks it interrupted, which is
/// what a crash does too.
///
/// [`finish`]: ScanWriter::finish
#[derive(Debug)]
pub struct ScanWriter {
    store: Store,
    scan_id: i64,
    pending: Vec<Pending>,
    warnings: Vec<String>,
    warnings_written: usize,
    /// Reported items taken so far: the next one's number.
    reported: u64,
    last_flush: Instant,
    /// The connection the batches are written through, opened by the
    /// first; `None` again after a batch failed, so the next opens anew.
    batches: Option<rusqlite::Connection>,
    /// Held until the writer is finished or dropped.
    _lock: WriterLock,
}

impl Store {
    /// Writes a new scan row, "running", owned by this process.
    pub async fn begin_scan(&self, scan: &NewScan) -> Result<ScanWriter, StoreError> {
        let lock =
            WriterLock::acquire(self.data_dir()).map_err(|source| StoreError::WriterLock {
                path: self.data_dir().to_path_buf(),
                source,
            })?;
        let scan_id: i64 = sqlx::query_scalar(
            "INSERT INTO scans
                (started_at, actor, targets, ports, requested_method, profile, origin,
                 coverage, status, writer_pid, writer_lock)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?)
             RETURNING id",
        )
        .bind(now_rfc3339())
        .bind(&scan.actor)
        .bind(&scan.targets)
        .bind(&scan.ports)
        .bind(&scan.requested_method)
        .bind(&scan.profile)
        .bind(name_of(&scan.origin))
        .bind(json_text(&scan.coverage))
        .bind(i64::from(std::process::id()))
        .bind(lock.name())
        .fetch_one(self.pool())
        .await?;
        Ok(ScanWriter {
            store: self.clone(),
            scan_id,
            pending: Vec::new(),
            warnings: Vec::new(),
            warnings_written: 0,
            reported: 0,
            last_flush: Instant::now(),
            batches: None,
            _lock: lock,
        })
    }
}

impl ScanWriter {
    /// The scan's id.
    pub fn id(&self) -> ScanId {
        ScanId(self.scan_id)
    }

    /// The warnings the scan gave so far.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Takes one event of the scan; writes a batch when one is due.
    /// `Finished` is not written here: pass its summary to [`finish`].
    ///
    /// [`finish`]: ScanWriter::finish
    pub async fn record(&mut self, event: &ScanEvent) -> Result<(), StoreError> {
        self.record_owned(event.clone()).await
    }

    /// [`record`], taking the event: an import owns the events it reads,
    /// and copying each was a visible part of its time.
    ///
    /// [`record`]: ScanWriter::record
    pub async fn record_owned(&mut self, event: ScanEvent) -> Result<(), StoreError> {
        match event {
            ScanEvent::Host(host) => self.pending.push(Pending::Host(host, None)),
            ScanEvent::Port(port) => self.pending.push(Pending::Port(port, None)),
            ScanEvent::Service(found) => pending::push_service(&mut self.pending, found),
            ScanEvent::HostDone(done) => pending::push_host_done(&mut self.pending, done),
            ScanEvent::Warning { message } => self.warnings.push(message),
            ScanEvent::Progress(_) | ScanEvent::Finished(_) => {}
        }
        if self.pending.len() >= BATCH_EVENTS || self.last_flush.elapsed() >= BATCH_INTERVAL {
            self.flush().await?;
        }
        Ok(())
    }

    /// Takes one problem another scanner reported (an import's); written
    /// with the next batch.
    pub async fn record_reported(&mut self, item: &ReportedItem) -> Result<(), StoreError> {
        self.pending
            .push(Pending::Reported(self.reported, Box::new(item.clone())));
        self.reported += 1;
        if self.pending.len() >= BATCH_EVENTS || self.last_flush.elapsed() >= BATCH_INTERVAL {
            self.flush().await?;
        }
        Ok(())
    }

    /// Writes everything buffered, in one transaction, on a blocking
    /// thread. If it fails, the events stay buffered for the next flush.
    pub async fn flush(&mut self) -> Result<(), StoreError> {
        self.last_flush = Instant::now();
        let new_warnings = self.warnings.len() > self.warnings_written;
        if self.pending.is_empty() && !new_warnings {
            return Ok(());
        }
        let warnings = new_warnings.then(|| json_text(&self.warnings));
        let pending = std::mem::take(&mut self.pending);
        let batch = Batch {
            path: self.store.path().to_path_buf(),
            scan_id: self.scan_id,
            conn: self.batches.take(),
        };
        let (conn, mut pending, written) =
            tokio::task::spawn_blocking(move || batch.write(pending, warnings.as_deref()))
                .await
                .unwrap_or_else(|join_error| std::panic::resume_unwind(join_error.into_panic()));
        self.batches = conn;
        if let Err(error) = written {
            self.pending = pending;
            return Err(StoreError::Write(error));
        }
        // The buffer is kept, with its capacity, for the next batch.
        pending.clear();
        self.pending = pending;
        self.warnings_written = self.warnings.len();
        Ok(())
    }

    /// Removes the scan and everything written of it, in one transaction:
    /// for an import that failed part-way, which must leave nothing.
    pub async fn discard(self) -> Result<(), StoreError> {
        let mut tx = self.store.pool().begin().await?;
        for statement in [
            "DELETE FROM reported_items WHERE scan_id = ?",
            "DELETE FROM port_observations WHERE scan_id = ?",
            "DELETE FROM scan_hosts WHERE scan_id = ?",
            "DELETE FROM scans WHERE id = ? AND status = 'running'",
        ] {
            sqlx::query(statement)
                .bind(self.scan_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Writes the rest and the outcome: "finished" for a complete scan,
    /// "cancelled" for a partial one or one without a summary.
    pub async fn finish(mut self, summary: Option<&ScanSummary>) -> Result<ScanRecord, StoreError> {
        self.flush().await?;
        let status = match summary {
            Some(summary) if !summary.partial => ScanStatus::Finished,
            _ => ScanStatus::Cancelled,
        };
        let methods = summary.map(|s| s.methods.clone()).unwrap_or_default();
        sqlx::query(
            "UPDATE scans SET status = ?, finished_at = ?, methods = ?, hosts_up = ?,
                hosts_down = ?, open_ports = ?, elapsed_seconds = ?
             WHERE id = ? AND status = 'running'",
        )
        .bind(status.as_str())
        .bind(now_rfc3339())
        .bind(json_text(&methods))
        .bind(summary.map(|s| s.hosts_up))
        .bind(summary.map(|s| s.hosts_down))
        .bind(summary.map(|s| s.open_ports))
        .bind(summary.map(|s| s.elapsed_seconds))
        .bind(self.scan_id)
        .execute(self.store.pool())
        .await?;
        self.store.scan(self.id()).await
    }
}

/// What a blocking thread needs to write one batch.
struct Batch {
    path: std::path::PathBuf,
    scan_id: i64,
    conn: Option<rusqlite::Connection>,
}

impl Batch {
    /// Writes `pending`; hands back the connection (unless it failed) and
    /// the events, written or not.
    fn write(
        self,
        pending: Vec<Pending>,
        warnings: Option<&str>,
    ) -> (
        Option<rusqlite::Connection>,
        Vec<Pending>,
        rusqlite::Result<()>,
    ) {
        let mut conn = match self.conn.map_or_else(|| bulk::open(&self.path), Ok) {
            Ok(conn) => conn,
            Err(error) => return (None, pending, Err(error)),
        };
        match bulk::write_batch(&mut conn, self.scan_id, &pending, warnings) {
            Ok(()) => (Some(conn), pending, Ok(())),
            Err(error) => (None, pending, Err(error)),
        }
    }
}
