//! Scans, recorded as they stream.
//!
//! [`Store::begin_scan`] writes the scan row as "running" before the first
//! packet; [`ScanWriter::record`] buffers the scan's events and writes them
//! in batches, each in its own transaction, every [`BATCH_EVENTS`] events or
//! [`BATCH_INTERVAL`], whichever comes first; [`ScanWriter::finish`] writes
//! the rest and the outcome. A process killed at any moment leaves whole
//! batches and a "running" row, which the next [`Store::open`] marks
//! interrupted once it sees that nobody holds the writer's lock.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use portcullis_model::compliance::{Exposure, ScanCoverage};
use portcullis_model::report::{ReportBuilder, ScanReport};
use portcullis_model::scan::{
    HostDone, HostReport, MethodChoice, PortCount, PortResult, PortState, Protocol, Reason,
    ScanEvent, ScanSummary,
};
use portcullis_model::service::{Posture, ServiceIdentity, ServiceReport};
use serde::{Deserialize, Serialize};
use sqlx::{Row, SqliteConnection};

use crate::codec::{name_of, parse_name};
use crate::database::{Store, StoreError};
use crate::time::now_rfc3339;
use crate::writer_lock::{self, WriterLock};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanStatus {
    Running,
    Finished,
    Cancelled,
    /// The writer died (killed, crashed, power cut) before the end.
    Interrupted,
}

impl ScanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ScanStatus::Running => "running",
            ScanStatus::Finished => "finished",
            ScanStatus::Cancelled => "cancelled",
            ScanStatus::Interrupted => "interrupted",
        }
    }

    fn parse(text: &str) -> Result<ScanStatus, StoreError> {
        Ok(match text {
            "running" => ScanStatus::Running,
            "finished" => ScanStatus::Finished,
            "cancelled" => ScanStatus::Cancelled,
            "interrupted" => ScanStatus::Interrupted,
            other => return Err(StoreError::Corrupt(format!("scan status `{other}`"))),
        })
    }
}

/// A scan as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanRecord {
    pub id: i64,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub actor: String,
    pub targets: String,
    pub ports: String,
    pub requested_method: String,
    /// What ran and why; empty until the scan finished.
    pub methods: Vec<MethodChoice>,
    pub profile: String,
    pub origin: Exposure,
    pub coverage: ScanCoverage,
    pub status: ScanStatus,
    pub hosts_up: Option<u32>,
    pub hosts_down: Option<u32>,
    pub open_ports: Option<u32>,
    pub elapsed_seconds: Option<f64>,
    pub warnings: Vec<String>,
    pub writer_pid: Option<u32>,
    /// When its findings were saved; `None`: not judged yet.
    pub evaluated_at: Option<String>,
}

impl ScanRecord {
    fn from_row(row: &sqlx::sqlite::SqliteRow) -> Result<ScanRecord, StoreError> {
        let count = |name: &str| -> Result<Option<u32>, StoreError> {
            let value: Option<i64> = row.try_get(name)?;
            Ok(value.and_then(|v| u32::try_from(v).ok()))
        };
        Ok(ScanRecord {
            id: row.try_get("id")?,
            started_at: row.try_get("started_at")?,
            finished_at: row.try_get("finished_at")?,
            actor: row.try_get("actor")?,
            targets: row.try_get("targets")?,
            ports: row.try_get("ports")?,
            requested_method: row.try_get("requested_method")?,
            methods: json_column(row, "methods")?,
            profile: row.try_get("profile")?,
            origin: parse_name("origin", row.try_get("origin")?)?,
            coverage: json_column(row, "coverage")?,
            status: ScanStatus::parse(row.try_get("status")?)?,
            hosts_up: count("hosts_up")?,
            hosts_down: count("hosts_down")?,
            open_ports: count("open_ports")?,
            elapsed_seconds: row.try_get("elapsed_seconds")?,
            warnings: json_column(row, "warnings")?,
            writer_pid: count("writer_pid")?,
            evaluated_at: row.try_get("evaluated_at")?,
        })
    }

    /// The summary a report of this scan carries; `None` while running.
    fn summary(&self) -> Option<ScanSummary> {
        match self.status {
            ScanStatus::Running => None,
            status => Some(ScanSummary {
                methods: self.methods.clone(),
                hosts_up: self.hosts_up.unwrap_or(0),
                hosts_down: self.hosts_down.unwrap_or(0),
                open_ports: self.open_ports.unwrap_or(0),
                elapsed_seconds: self.elapsed_seconds.unwrap_or(0.0),
                partial: status != ScanStatus::Finished,
            }),
        }
    }
}

/// Reads a JSON column into `T`, naming the column when it does not fit.
pub(crate) fn json_column<T: serde::de::DeserializeOwned>(
    row: &sqlx::sqlite::SqliteRow,
    name: &str,
) -> Result<T, StoreError> {
    let text: String = row.try_get(name)?;
    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("column {name}: {e}")))
}

fn optional_json<T: serde::de::DeserializeOwned>(
    row: &sqlx::sqlite::SqliteRow,
    name: &str,
) -> Result<Option<T>, StoreError> {
    let text: Option<String> = row.try_get(name)?;
    text.map(|text| {
        serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("column {name}: {e}")))
    })
    .transpose()
}

fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string(value).expect("model types serialise")
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

fn parse_state(text: &str) -> Result<PortState, StoreError> {
    Ok(match text {
        "open" => PortState::Open,
        "closed" => PortState::Closed,
        "filtered" => PortState::Filtered,
        "unfiltered" => PortState::Unfiltered,
        "open_filtered" => PortState::OpenFiltered,
        other => return Err(StoreError::Corrupt(format!("port state `{other}`"))),
    })
}

fn parse_protocol(text: &str) -> Result<Protocol, StoreError> {
    match text {
        "tcp" => Ok(Protocol::Tcp),
        "udp" => Ok(Protocol::Udp),
        other => Err(StoreError::Corrupt(format!("protocol `{other}`"))),
    }
}

fn parse_address(text: &str) -> Result<IpAddr, StoreError> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("address `{text}`")))
}

/// An event waiting to be written.
#[derive(Debug)]
enum Pending {
    Host(HostReport),
    Port(PortResult),
    Service(ServiceReport),
    HostDone(HostDone),
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
        .bind(to_json(&scan.coverage))
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
            last_flush: Instant::now(),
            _lock: lock,
        })
    }

    /// Marks interrupted every "running" scan whose writer is gone. A scan
    /// whose writer still holds its lock (another process recording right
    /// now) is left alone. Returns the scans marked.
    pub async fn interrupt_abandoned_scans(&self) -> Result<Vec<i64>, StoreError> {
        let running: Vec<(i64, Option<String>)> =
            sqlx::query_as("SELECT id, writer_lock FROM scans WHERE status = 'running'")
                .fetch_all(self.pool())
                .await?;
        let mut marked = Vec::new();
        for (id, lock) in running {
            let alive = lock
                .as_deref()
                .is_some_and(|name| writer_lock::is_held(self.data_dir(), name));
            if alive {
                continue;
            }
            // `AND status = 'running'`: the writer may have finished
            // between our read and now; then its outcome stands.
            let done = sqlx::query(
                "UPDATE scans SET status = 'interrupted', finished_at = ?
                 WHERE id = ? AND status = 'running'",
            )
            .bind(now_rfc3339())
            .bind(id)
            .execute(self.pool())
            .await?;
            if done.rows_affected() == 1 {
                marked.push(id);
            }
        }
        Ok(marked)
    }

    /// A scan some live process is recording right now, if any.
    pub async fn scan_being_written(&self) -> Result<Option<i64>, StoreError> {
        let running: Vec<(i64, Option<String>)> =
            sqlx::query_as("SELECT id, writer_lock FROM scans WHERE status = 'running'")
                .fetch_all(self.pool())
                .await?;
        Ok(running.into_iter().find_map(|(id, lock)| {
            lock.filter(|name| writer_lock::is_held(self.data_dir(), name))
                .map(|_| id)
        }))
    }

    /// One scan.
    pub async fn scan(&self, id: i64) -> Result<ScanRecord, StoreError> {
        let row = sqlx::query("SELECT * FROM scans WHERE id = ?")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "scan",
                key: id.to_string(),
            })?;
        ScanRecord::from_row(&row)
    }

    /// The newest scans first.
    pub async fn scans(&self, limit: i64) -> Result<Vec<ScanRecord>, StoreError> {
        let rows = sqlx::query("SELECT * FROM scans ORDER BY id DESC LIMIT ?")
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(ScanRecord::from_row).collect()
    }

    /// The newest finished scan before `scan_id` whose targets and ports are
    /// the same: the one a rescan is compared with.
    pub async fn previous_comparable_scan(
        &self,
        scan_id: i64,
    ) -> Result<Option<ScanRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT earlier.* FROM scans AS earlier
             JOIN scans AS this ON this.id = ?
             WHERE earlier.id < this.id
               AND earlier.status = 'finished'
               AND earlier.targets = this.targets
               AND earlier.ports = this.ports
             ORDER BY earlier.id DESC LIMIT 1",
        )
        .bind(scan_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(ScanRecord::from_row).transpose()
    }

    /// Every port observation of a scan, by address, protocol and port.
    pub async fn observations(&self, scan_id: i64) -> Result<Vec<PortResult>, StoreError> {
        let rows = sqlx::query(
            "SELECT address, port, protocol, state, reason, rtt_micros, service, identity, posture
             FROM port_observations WHERE scan_id = ?",
        )
        .bind(scan_id)
        .fetch_all(self.pool())
        .await?;
        let mut ports = rows
            .iter()
            .map(observation_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        ports.sort_by_key(|p| (p.address, p.protocol, p.port));
        Ok(ports)
    }

    /// A stored scan as one report: the same value the scan printed.
    pub async fn scan_report(&self, scan_id: i64) -> Result<ScanReport, StoreError> {
        let record = self.scan(scan_id).await?;
        let hosts = sqlx::query(
            "SELECT address, name, up, reason, counts FROM scan_hosts WHERE scan_id = ?
             ORDER BY rowid",
        )
        .bind(scan_id)
        .fetch_all(self.pool())
        .await?;
        let mut builder = ReportBuilder::default();
        for row in &hosts {
            let address = parse_address(row.try_get("address")?)?;
            builder.apply(ScanEvent::Host(HostReport {
                address,
                name: row.try_get("name")?,
                up: row.try_get::<i64, _>("up")? == 1,
                reason: row.try_get("reason")?,
            }));
            let counts: Vec<PortCount> = json_column(row, "counts")?;
            if !counts.is_empty() {
                builder.apply(ScanEvent::HostDone(HostDone { address, counts }));
            }
        }
        for port in self.observations(scan_id).await? {
            builder.apply(ScanEvent::Port(port));
        }
        for message in record.warnings.iter().cloned() {
            builder.apply(ScanEvent::Warning { message });
        }
        if let Some(summary) = record.summary() {
            builder.apply(ScanEvent::Finished(summary));
        }
        Ok(builder.finish())
    }
}

fn observation_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<PortResult, StoreError> {
    let reason: Reason = json_column(row, "reason")?;
    let port: i64 = row.try_get("port")?;
    let rtt: Option<i64> = row.try_get("rtt_micros")?;
    Ok(PortResult {
        address: parse_address(row.try_get("address")?)?,
        port: u16::try_from(port).map_err(|_| StoreError::Corrupt(format!("port {port}")))?,
        protocol: parse_protocol(row.try_get("protocol")?)?,
        state: parse_state(row.try_get("state")?)?,
        reason,
        rtt_micros: rtt.and_then(|v| u64::try_from(v).ok()),
        service: row.try_get("service")?,
        identity: optional_json::<ServiceIdentity>(row, "identity")?,
        posture: optional_json::<Posture>(row, "posture")?,
    })
}

impl ScanWriter {
    /// The scan's id.
    pub fn id(&self) -> i64 {
        self.scan_id
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
                .bind(to_json(&self.warnings))
                .bind(self.scan_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        self.pending.clear();
        self.warnings_written = self.warnings.len();
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
        .bind(to_json(&methods))
        .bind(summary.map(|s| s.hosts_up))
        .bind(summary.map(|s| s.hosts_down))
        .bind(summary.map(|s| s.open_ports))
        .bind(summary.map(|s| s.elapsed_seconds))
        .bind(self.scan_id)
        .execute(self.store.pool())
        .await?;
        self.store.scan(self.scan_id).await
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
            .bind(to_json(&port.reason))
            .bind(port.rtt_micros.and_then(|v| i64::try_from(v).ok()))
            .bind(&port.service)
            .bind(port.identity.as_ref().map(to_json))
            .bind(port.posture.as_ref().map(to_json))
            .execute(&mut *conn)
            .await?;
        }
        Pending::Service(found) => {
            // An identification for a port never reported is kept as an
            // open port of its own, as the report does.
            let posture = (!found.posture.is_empty()).then(|| to_json(&found.posture));
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
            .bind(to_json(&Reason::Connected))
            .bind(to_json(&found.identity))
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
            .bind(to_json(&done.counts))
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}
