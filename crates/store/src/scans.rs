//! Scans, recorded as they stream.
//!
//! [`Store::begin_scan`] writes the scan row as "running" before the first
//! packet; [`ScanWriter::record`] buffers the scan's events and writes them
//! in batches, each in its own transaction, every [`BATCH_EVENTS`] events or
//! [`BATCH_INTERVAL`], whichever comes first; [`ScanWriter::finish`] writes
//! the rest and the outcome. A process killed at any moment leaves whole
//! batches and a "running" row, which the next [`Store::open`] marks
//! interrupted once it sees that nobody holds the writer's lock.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use portcullis_model::compliance::{Exposure, ScanCoverage};
use portcullis_model::report::{HostResult, ScanReport};
use portcullis_model::scan::{
    HostDone, HostReport, PortCount, PortResult, PortState, Reason, ScanEvent, ScanSummary,
};
pub use portcullis_model::scan_record::{ScanRecord, ScanStatus};
use portcullis_model::service::{Posture, ServiceIdentity, ServiceReport};
use sqlx::SqliteConnection;

use crate::codec::{json_text, name_of};
use crate::columns::{Columns, query_all};
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

/// A scan row read back.
pub(crate) fn scan_record_from_row(row: &impl Columns) -> Result<ScanRecord, StoreError> {
    let count = |name: &str| -> Result<Option<u32>, StoreError> {
        Ok(row.int(name)?.and_then(|v| u32::try_from(v).ok()))
    };
    Ok(ScanRecord {
        id: row.required_int("id")?,
        started_at: row
            .time("started_at")?
            .ok_or_else(|| StoreError::Corrupt("a scan without started_at".into()))?,
        finished_at: row.time("finished_at")?,
        actor: row.required_text("actor")?,
        targets: row.required_text("targets")?,
        ports: row.required_text("ports")?,
        requested_method: row.required_text("requested_method")?,
        methods: row.required_json("methods")?,
        profile: row.required_text("profile")?,
        origin: row.name("origin")?,
        coverage: row.required_json("coverage")?,
        status: row.name("status")?,
        hosts_up: count("hosts_up")?,
        hosts_down: count("hosts_down")?,
        open_ports: count("open_ports")?,
        elapsed_seconds: row.real("elapsed_seconds")?,
        warnings: row.required_json("warnings")?,
        writer_pid: count("writer_pid")?,
        evaluated_at: row.time("evaluated_at")?,
    })
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
        scan_record_from_row(&row)
    }

    /// The newest scans first.
    pub async fn scans(&self, limit: i64) -> Result<Vec<ScanRecord>, StoreError> {
        let rows = sqlx::query("SELECT * FROM scans ORDER BY id DESC LIMIT ?")
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(scan_record_from_row).collect()
    }

    /// The newest scan whose findings were saved, if any: findings are
    /// tracked forward in time, so an older scan is not judged after it.
    pub async fn newest_evaluated_scan(&self) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT max(id) FROM scans WHERE evaluated_at IS NOT NULL")
                .fetch_one(self.pool())
                .await?,
        )
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
        row.as_ref().map(scan_record_from_row).transpose()
    }

    /// Every port observation of a scan, host by host, each host's by
    /// protocol and port.
    pub async fn observations(&self, scan_id: i64) -> Result<Vec<PortResult>, StoreError> {
        let by_host = self
            .readers()
            .read(move |conn| read_ports_by_host(conn, scan_id))
            .await?;
        Ok(by_host.into_iter().flat_map(|(_, ports)| ports).collect())
    }

    /// A stored scan as one report: the same value the scan printed.
    ///
    /// Built directly rather than by replaying events, which would copy
    /// each of up to 65,535 port results once more.
    pub async fn scan_report(&self, scan_id: i64) -> Result<ScanReport, StoreError> {
        let record = self.scan(scan_id).await?;
        let (hosts, by_host) = self
            .readers()
            .read(move |conn| {
                Ok((
                    read_hosts(conn, scan_id)?,
                    read_ports_by_host(conn, scan_id)?,
                ))
            })
            .await?;
        let mut ports_of: HashMap<IpAddr, Vec<PortResult>> = by_host.into_iter().collect();
        let mut results: Vec<HostResult> = hosts
            .into_iter()
            .map(|(host, counts)| HostResult {
                ports: ports_of.remove(&host.address).unwrap_or_default(),
                host,
                counts,
            })
            .collect();
        // Ports of a host the scan never announced, as the report keeps them.
        let mut unannounced: Vec<(IpAddr, Vec<PortResult>)> = ports_of.into_iter().collect();
        unannounced.sort_by_key(|(address, _)| *address);
        results.extend(unannounced.into_iter().map(|(address, ports)| HostResult {
            host: HostReport {
                address,
                name: None,
                up: true,
                reason: "answered a port probe".into(),
            },
            ports,
            counts: Vec::new(),
        }));
        Ok(ScanReport {
            hosts: results,
            summary: record.summary(),
            warnings: record.warnings,
        })
    }
}

/// A scan's hosts in the order the scan met them, with their port counts.
fn read_hosts(
    conn: &rusqlite::Connection,
    scan_id: i64,
) -> Result<Vec<(HostReport, Vec<PortCount>)>, StoreError> {
    query_all(
        conn,
        "SELECT address, name, up, reason, counts FROM scan_hosts WHERE scan_id = ?
         ORDER BY rowid",
        [scan_id],
        |row| {
            let host = HostReport {
                address: row.with_text("address", parse_address)?,
                name: row.text("name")?,
                up: row.required_int("up")? == 1,
                reason: row.required_text("reason")?,
            };
            Ok((host, row.required_json("counts")?))
        },
    )
}

/// The columns of a port observation, in the order the query selects them
/// and [`observation_from_row`] reads them, by position: looking each value
/// up by name was a fifth of reading a full scan.
const OBSERVATION_COLUMNS: [&str; 9] = [
    "address",
    "port",
    "protocol",
    "state",
    "reason",
    "rtt_micros",
    "service",
    "identity",
    "posture",
];

/// A scan's port observations grouped by host, each group in protocol and
/// port order: the order of the table's unique index, so SQLite walks the
/// index and sorts nothing.
fn read_ports_by_host(
    conn: &rusqlite::Connection,
    scan_id: i64,
) -> Result<Vec<(IpAddr, Vec<PortResult>)>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT address, port, protocol, state, reason, rtt_micros, service, identity, posture
         FROM port_observations WHERE scan_id = ?
         ORDER BY address, protocol, port",
    )?;
    debug_assert_eq!(statement.column_names(), OBSERVATION_COLUMNS);
    let mut rows = statement.query([scan_id])?;
    let mut hosts: Vec<(IpAddr, Vec<PortResult>)> = Vec::new();
    let mut current: Option<String> = None;
    while let Some(row) = rows.next()? {
        let text = observation_text(row, 0)?.unwrap_or_default();
        if current.as_deref() != Some(text) {
            current = Some(text.to_owned());
            hosts.push((parse_address(Some(text))?, Vec::new()));
        }
        let (address, ports) = hosts.last_mut().expect("a host was pushed");
        ports.push(observation_from_row(row, *address)?);
    }
    for (_, ports) in &mut hosts {
        if !ports.is_sorted_by_key(|p| (p.protocol, p.port)) {
            ports.sort_by_key(|p| (p.protocol, p.port));
        }
    }
    Ok(hosts)
}

fn parse_address(text: Option<&str>) -> Result<IpAddr, StoreError> {
    let text = text.unwrap_or_default();
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("address `{text}`")))
}

/// A stored reason. The common ones are matched as text: parsing JSON for
/// each of 65,535 rows was a tenth of the time it took to read a scan.
fn parse_reason(text: Option<&str>) -> Result<Reason, StoreError> {
    let text = text.ok_or_else(|| StoreError::Corrupt("column reason is empty".into()))?;
    Ok(match text {
        r#"{"kind":"syn-ack"}"# => Reason::SynAck,
        r#"{"kind":"connected"}"# => Reason::Connected,
        r#"{"kind":"rst"}"# => Reason::Rst,
        r#"{"kind":"udp-response"}"# => Reason::UdpResponse,
        r#"{"kind":"no-response"}"# => Reason::NoResponse,
        r#"{"kind":"host-unreachable"}"# => Reason::HostUnreachable,
        other => serde_json::from_str(other)
            .map_err(|e| StoreError::Corrupt(format!("column reason: {e}")))?,
    })
}

/// Column `index` of [`OBSERVATION_COLUMNS`], as text or NULL.
fn observation_text<'r>(
    row: &'r rusqlite::Row<'_>,
    index: usize,
) -> Result<Option<&'r str>, StoreError> {
    row.get_ref(index)?
        .as_str_or_null()
        .map_err(|e| StoreError::Corrupt(format!("column {}: {e}", OBSERVATION_COLUMNS[index])))
}

/// Column `index` of [`OBSERVATION_COLUMNS`], as JSON or NULL.
fn observation_json<T: serde::de::DeserializeOwned>(
    row: &rusqlite::Row<'_>,
    index: usize,
) -> Result<Option<T>, StoreError> {
    observation_text(row, index)?
        .map(|text| {
            serde_json::from_str(text).map_err(|e| {
                StoreError::Corrupt(format!("column {}: {e}", OBSERVATION_COLUMNS[index]))
            })
        })
        .transpose()
}

/// One row of [`read_ports_by_host`]'s query.
fn observation_from_row(
    row: &rusqlite::Row<'_>,
    address: IpAddr,
) -> Result<PortResult, StoreError> {
    let required = |index: usize| {
        observation_text(row, index)?.ok_or_else(|| {
            StoreError::Corrupt(format!(
                "column {} is unexpectedly empty",
                OBSERVATION_COLUMNS[index]
            ))
        })
    };
    let port = row
        .get_ref(1)?
        .as_i64()
        .map_err(|e| StoreError::Corrupt(format!("column port: {e}")))?;
    Ok(PortResult {
        address,
        port: u16::try_from(port).map_err(|_| StoreError::Corrupt(format!("port {port}")))?,
        protocol: crate::codec::parse_name("protocol", required(2)?)?,
        state: crate::codec::parse_name("state", required(3)?)?,
        reason: parse_reason(Some(required(4)?))?,
        rtt_micros: row
            .get_ref(5)?
            .as_i64_or_null()
            .map_err(|e| StoreError::Corrupt(format!("column rtt_micros: {e}")))?
            .and_then(|v| u64::try_from(v).ok()),
        service: observation_text(row, 6)?.map(str::to_owned),
        identity: observation_json::<ServiceIdentity>(row, 7)?.map(Box::new),
        posture: observation_json::<Posture>(row, 8)?.map(Box::new),
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
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_back_as_written() {
        let reasons = [
            Reason::SynAck,
            Reason::Connected,
            Reason::Rst,
            Reason::UdpResponse,
            Reason::NoResponse,
            Reason::HostUnreachable,
            Reason::Icmp {
                icmp_type: 3,
                code: 3,
            },
        ];
        for reason in reasons {
            assert_eq!(parse_reason(Some(&json_text(&reason))).unwrap(), reason);
        }
        assert!(parse_reason(Some("{\"kind\":\"nonsense\"}")).is_err());
    }
}
