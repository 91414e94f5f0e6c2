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
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior, params};

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
    for row in pending {
        write_pending(&tx, scan_id, row)?;
    }
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

fn write_pending(conn: &Connection, scan_id: i64, pending: &Pending) -> rusqlite::Result<()> {
    match pending {
        Pending::Host(host, None) => {
            conn.prepare_cached(
                "INSERT INTO scan_hosts (scan_id, address, name, up, reason)
                 VALUES (?, ?, ?, ?, ?)
                 ON CONFLICT (scan_id, address) DO UPDATE
                 SET name = excluded.name, up = excluded.up, reason = excluded.reason",
            )?
            .execute(params![
                scan_id,
                host.address.to_string(),
                host.name,
                i64::from(host.up),
                host.reason,
            ])?;
        }
        Pending::Host(host, Some(counts)) => {
            // The host, then its counts: what the two upserts leave.
            conn.prepare_cached(
                "INSERT INTO scan_hosts (scan_id, address, name, up, reason, counts)
                 VALUES (?, ?, ?, ?, ?, ?)
                 ON CONFLICT (scan_id, address) DO UPDATE
                 SET name = excluded.name, up = excluded.up, reason = excluded.reason,
                     counts = excluded.counts",
            )?
            .execute(params![
                scan_id,
                host.address.to_string(),
                host.name,
                i64::from(host.up),
                host.reason,
                json_text(counts),
            ])?;
        }
        Pending::Port(port, None) => {
            conn.prepare_cached(
                "INSERT INTO port_observations
                    (scan_id, address, port, protocol, state, reason, rtt_micros, service,
                     identity, posture)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (scan_id, address, protocol, port) DO UPDATE
                 SET state = excluded.state, reason = excluded.reason,
                     rtt_micros = excluded.rtt_micros, service = excluded.service,
                     identity = coalesce(excluded.identity, identity),
                     posture = coalesce(excluded.posture, posture)",
            )?
            .execute(params![
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
            // The port, then its identification: what the two upserts
            // leave (the identification's identity and posture replace
            // whatever the row held).
            conn.prepare_cached(
                "INSERT INTO port_observations
                    (scan_id, address, port, protocol, state, reason, rtt_micros, service,
                     identity, posture)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (scan_id, address, protocol, port) DO UPDATE
                 SET state = excluded.state, reason = excluded.reason,
                     rtt_micros = excluded.rtt_micros, service = excluded.service,
                     identity = excluded.identity, posture = excluded.posture",
            )?
            .execute(params![
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
            // An identification for a port never reported is kept as an
            // open port of its own, as the report does.
            conn.prepare_cached(
                "INSERT INTO port_observations
                    (scan_id, address, port, protocol, state, reason, identity, posture)
                 VALUES (?, ?, ?, ?, 'open', ?, ?, ?)
                 ON CONFLICT (scan_id, address, protocol, port) DO UPDATE
                 SET identity = excluded.identity, posture = excluded.posture",
            )?
            .execute(params![
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
            conn.prepare_cached(
                "INSERT INTO scan_hosts (scan_id, address, up, reason, counts)
                 VALUES (?, ?, 1, 'answered a port probe', ?)
                 ON CONFLICT (scan_id, address) DO UPDATE SET counts = excluded.counts",
            )?
            .execute(params![
                scan_id,
                done.address.to_string(),
                json_text(&done.counts)
            ])?;
        }
        Pending::Reported(seq, item) => {
            conn.prepare_cached(
                "INSERT INTO reported_items (scan_id, seq, item) VALUES (?, ?, ?)",
            )?
            .execute(params![
                scan_id,
                i64::try_from(*seq).unwrap_or(i64::MAX),
                json_text(item)
            ])?;
        }
    }
    Ok(())
}
