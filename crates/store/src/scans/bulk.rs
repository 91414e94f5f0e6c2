//! A scan's batches written through rusqlite, on a blocking thread.
//!
//! Every statement sqlx runs is a message to its connection's worker
//! thread and an answer back: two thread switches a row. A 96,000-host
//! nmap import writes about 860,000 rows, and those switches took most of
//! its 52 seconds. Here a batch's rows run on one thread, through
//! statements prepared once per connection, in one `BEGIN IMMEDIATE`
//! transaction: a batch is written whole or not at all, as before.

use std::path::Path;
use std::time::Duration;

use portcullis_model::scan::{PortState, Reason};
use portcullis_model::service::ServiceReport;
use rusqlite::{CachedStatement, Connection, OpenFlags, Transaction, TransactionBehavior, params};

use super::pending::Pending;
use crate::codec::json_text;

/// How long a batch waits for another writer (sqlx's default, which the
/// rest of the store's writes use).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A connection for a scan's batches: foreign keys enforced, as on every
/// sqlx connection of the store.
///
/// Its commits do not wait for the disk (`synchronous = NORMAL`; the
/// store's other connections keep SQLite's default, `FULL`): a
/// 96,000-host import commits some 1,700 batches, and waiting for the disk
/// at each took seconds. The database stays consistent: in WAL mode a commit is one
/// append to the log, and a power cut loses, at worst, the last batches
/// appended, never part of one. And a scan is finished (or discarded) by a
/// `FULL` commit through sqlx, which waits until the log is on disk with
/// every batch appended before it: a finished scan never lacks a batch.
pub(super) fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(conn)
}

/// Writes `pending`, in order, and the scan's warnings when they changed,
/// in one transaction.
pub(super) fn write_batch(
    conn: &mut Connection,
    scan_id: i64,
    pending: &[Pending],
    warnings: Option<&str>,
) -> rusqlite::Result<()> {
    let tx = Transaction::new(conn, TransactionBehavior::Immediate)?;
    let mut statements = Statements::of(&tx)?;
    for row in pending {
        write_pending(&mut statements, scan_id, row)?;
    }
    drop(statements);
    if let Some(warnings) = warnings {
        tx.prepare_cached("UPDATE scans SET warnings = ? WHERE id = ?")?
            .execute(params![warnings, scan_id])?;
    }
    tx.commit()
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

/// An identification's posture as stored: `NULL` when no check applied.
fn posture_text(found: &ServiceReport) -> Option<String> {
    (!found.posture.is_empty()).then(|| json_text(&found.posture))
}

/// A host, as the scan announced it.
const HOST: &str = "INSERT INTO scan_hosts (scan_id, address, name, up, reason)
    VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (scan_id, address) DO UPDATE
    SET name = excluded.name, up = excluded.up, reason = excluded.reason";

/// A host, then its counts: what the two upserts leave.
const HOST_WITH_COUNTS: &str = "INSERT INTO scan_hosts
    (scan_id, address, name, up, reason, counts)
    VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (scan_id, address) DO UPDATE
    SET name = excluded.name, up = excluded.up, reason = excluded.reason,
        counts = excluded.counts";

/// A port.
const PORT: &str = "INSERT INTO port_observations
    (scan_id, address, port, protocol, state, reason, rtt_micros, service,
        identity, posture)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (scan_id, address, protocol, port) DO UPDATE
    SET state = excluded.state, reason = excluded.reason,
        rtt_micros = excluded.rtt_micros, service = excluded.service,
        identity = coalesce(excluded.identity, identity),
        posture = coalesce(excluded.posture, posture)";

/// A port, then its identification: what the two upserts leave (the
/// identification's identity and posture replace whatever the row held).
const IDENTIFIED_PORT: &str = "INSERT INTO port_observations
    (scan_id, address, port, protocol, state, reason, rtt_micros, service,
        identity, posture)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (scan_id, address, protocol, port) DO UPDATE
    SET state = excluded.state, reason = excluded.reason,
        rtt_micros = excluded.rtt_micros, service = excluded.service,
        identity = excluded.identity, posture = excluded.posture";

/// An identification; for a port never reported, an open port of its own,
/// as the report keeps it.
const SERVICE: &str = "INSERT INTO port_observations
    (scan_id, address, port, protocol, state, reason, identity, posture)
    VALUES (?, ?, ?, ?, 'open', ?, ?, ?)
    ON CONFLICT (scan_id, address, protocol, port) DO UPDATE
    SET identity = excluded.identity, posture = excluded.posture";

/// A host's counts.
const HOST_DONE: &str = "INSERT INTO scan_hosts (scan_id, address, up, reason, counts)
    VALUES (?, ?, 1, 'answered a port probe', ?)
    ON CONFLICT (scan_id, address) DO UPDATE SET counts = excluded.counts";

/// A problem another scanner reported.
const REPORTED: &str = "INSERT INTO reported_items (scan_id, seq, item) VALUES (?, ?, ?)";

/// The statements a batch runs, prepared once a connection and taken from
/// its cache once a batch: looked up for every row, hashing and comparing
/// their text was a visible part of writing one.
struct Statements<'c> {
    host: CachedStatement<'c>,
    host_with_counts: CachedStatement<'c>,
    port: CachedStatement<'c>,
    identified_port: CachedStatement<'c>,
    service: CachedStatement<'c>,
    host_done: CachedStatement<'c>,
    reported: CachedStatement<'c>,
}

impl<'c> Statements<'c> {
    fn of(conn: &'c Connection) -> rusqlite::Result<Statements<'c>> {
        Ok(Statements {
            host: conn.prepare_cached(HOST)?,
            host_with_counts: conn.prepare_cached(HOST_WITH_COUNTS)?,
            port: conn.prepare_cached(PORT)?,
            identified_port: conn.prepare_cached(IDENTIFIED_PORT)?,
            service: conn.prepare_cached(SERVICE)?,
            host_done: conn.prepare_cached(HOST_DONE)?,
            reported: conn.prepare_cached(REPORTED)?,
        })
    }
}

fn write_pending(
    statements: &mut Statements<'_>,
    scan_id: i64,
    pending: &Pending,
) -> rusqlite::Result<()> {
    match pending {
        Pending::Host(host, None) => {
            statements.host.execute(params![
                scan_id,
                host.address.to_string(),
                host.name,
                i64::from(host.up),
                host.reason,
            ])?;
        }
        Pending::Host(host, Some(counts)) => {
            statements.host_with_counts.execute(params![
                scan_id,
                host.address.to_string(),
                host.name,
                i64::from(host.up),
                host.reason,
                json_text(counts),
            ])?;
        }
        Pending::Port(port, None) => {
            statements.port.execute(params![
                scan_id,
                port.address.to_string(),
                i64::from(port.port),
                port.protocol.as_str(),
                state_name(port.state),
                json_text(&port.reason),
                port.rtt_micros.and_then(|v| i64::try_from(v).ok()),
                port.service,
                port.identity.as_ref().map(json_text),
                port.posture.as_ref().map(json_text),
            ])?;
        }
        Pending::Port(port, Some(found)) => {
            statements.identified_port.execute(params![
                scan_id,
                port.address.to_string(),
                i64::from(port.port),
                port.protocol.as_str(),
                state_name(port.state),
                json_text(&port.reason),
                port.rtt_micros.and_then(|v| i64::try_from(v).ok()),
                port.service,
                json_text(&found.identity),
                posture_text(found),
            ])?;
        }
        Pending::Service(found) => {
            statements.service.execute(params![
                scan_id,
                found.address.to_string(),
                i64::from(found.port),
                found.protocol.as_str(),
                json_text(&Reason::Connected),
                json_text(&found.identity),
                posture_text(found),
            ])?;
        }
        Pending::HostDone(done) => {
            statements.host_done.execute(params![
                scan_id,
                done.address.to_string(),
                json_text(&done.counts)
            ])?;
        }
        Pending::Reported(seq, item) => {
            statements.reported.execute(params![
                scan_id,
                i64::try_from(*seq).unwrap_or(i64::MAX),
                json_text(item)
            ])?;
        }
    }
    Ok(())
}
