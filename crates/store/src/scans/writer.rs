//! Recording a scan as it streams: the "running" row, the events buffered
//! and written in batched transactions (one per [`BATCH_EVENTS`] events or
//! [`BATCH_INTERVAL`], not one per event), and the outcome. A crash loses
//! only the events still in the buffer; the batches written stay whole.

use std::time::{Duration, Instant};

use portcullis_model::compliance::{Exposure, ScanCoverage};
use portcullis_model::import::ReportedItem;
use portcullis_model::scan::{
    HostDone, HostReport, PortResult, PortState, Reason, ScanEvent, ScanSummary,
};
use portcullis_model::service::ServiceReport;
use sqlx::SqliteConnection;

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

/// The model's serde name of a port state, as the table's CHECK spells it.
fn state_name(state: PortState) -> &'static str {
    match state {
        PortState::Open => "open",
        PortState::Closed => "closed",
        PortState::Filtered => "filtered",
        PortState::Unfiltered => "unfiltered",
        PortState::OpenFiltered => "open_filtered",
    }
}

/// An event waiting to be written.
#[derive(Debug)]
enum Pending {
    Host(HostReport),
    Port(PortResult),
    Service(Box<ServiceReport>),
    HostDone(HostDone),
    /// A problem another scanner reported, numbered in file order.
    Reported(u64, Box<ReportedItem>),
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
        match event {
            ScanEvent::Host(host) => self.pending.push(Pending::Host(host.clone())),
            ScanEvent::Port(port) => self.pending.push(Pending::Port(port.clone())),
            ScanEvent::Service(found) => self.pending.push(Pending::Service(found.clone())),
            ScanEvent::HostDone(done) => self.pending.push(Pending::HostDone(done.clone())),
            ScanEvent::Warning { message } => self.warnings.push(message.clone()),
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

    /// Writes everything buffered, in one transaction.
    pub async fn flush(&mut self) -> Result<(), StoreError> {
        self.last_flush = Instant::now();
        let new_warnings = self.warnings.len() > self.warnings_written;
        if self.pending.is_empty() && !new_warnings {
            return Ok(());
        }
        let mut tx = self.store.pool().begin().await?;
        for pending in &self.pending {
            write_pending(&mut tx, self.scan_id, pending).await?;
        }
        if new_warnings {
            sqlx::query("UPDATE scans SET warnings = ? WHERE id = ?")
                .bind(json_text(&self.warnings))
                .bind(self.scan_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        self.pending.clear();
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

async fn write_pending(
    conn: &mut SqliteConnection,
    scan_id: i64,
    pending: &Pending,
) -> Result<(), StoreError> {
    match pending {
        Pending::Host(host) => {
            sqlx::query(
                "INSERT INTO scan_hosts (scan_id, address, name, up, reason)
                 VALUES (?, ?, ?, ?, ?)
                 ON CONFLICT (scan_id, address) DO UPDATE
                 SET name = excluded.name, up = excluded.up, reason = excluded.reason",
            )
            .bind(scan_id)
            .bind(host.address.to_string())
            .bind(&host.name)
            .bind(i64::from(host.up))
            .bind(&host.reason)
            .execute(&mut *conn)
            .await?;
        }
        Pending::Port(port) => {
            sqlx::query(
                "INSERT INTO port_observations
                    (scan_id, address, port, protocol, state, reason, rtt_micros, service,
                     identity, posture)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (scan_id, address, protocol, port) DO UPDATE
                 SET state = excluded.state, reason = excluded.reason,
                     rtt_micros = excluded.rtt_micros, service = excluded.service,
                     identity = coalesce(excluded.identity, identity),
                     posture = coalesce(excluded.posture, posture)",
            )
            .bind(scan_id)
            .bind(port.address.to_string())
            .bind(i64::from(port.port))
            .bind(port.protocol.as_str())
            .bind(state_name(port.state))
            .bind(json_text(&port.reason))
            .bind(port.rtt_micros.and_then(|v| i64::try_from(v).ok()))
            .bind(&port.service)
            .bind(port.identity.as_ref().map(json_text))
            .bind(port.posture.as_ref().map(json_text))
            .execute(&mut *conn)
            .await?;
        }
        Pending::Service(found) => {
            // An identification for a port never reported is kept as an
            // open port of its own, as the report does.
            let posture = (!found.posture.is_empty()).then(|| json_text(&found.posture));
            sqlx::query(
                "INSERT INTO port_observations
                    (scan_id, address, port, protocol, state, reason, identity, posture)
                 VALUES (?, ?, ?, ?, 'open', ?, ?, ?)
                 ON CONFLICT (scan_id, address, protocol, port) DO UPDATE
                 SET identity = excluded.identity, posture = excluded.posture",
            )
            .bind(scan_id)
            .bind(found.address.to_string())
            .bind(i64::from(found.port))
            .bind(found.protocol.as_str())
            .bind(json_text(&Reason::Connected))
            .bind(json_text(&found.identity))
            .bind(posture)
            .execute(&mut *conn)
            .await?;
        }
        Pending::HostDone(done) => {
            sqlx::query(
                "INSERT INTO scan_hosts (scan_id, address, up, reason, counts)
                 VALUES (?, ?, 1, 'answered a port probe', ?)
                 ON CONFLICT (scan_id, address) DO UPDATE SET counts = excluded.counts",
            )
            .bind(scan_id)
            .bind(done.address.to_string())
            .bind(json_text(&done.counts))
            .execute(&mut *conn)
            .await?;
        }
        Pending::Reported(seq, item) => {
            sqlx::query("INSERT INTO reported_items (scan_id, seq, item) VALUES (?, ?, ?)")
                .bind(scan_id)
                .bind(i64::try_from(*seq).unwrap_or(i64::MAX))
                .bind(json_text(item))
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}
