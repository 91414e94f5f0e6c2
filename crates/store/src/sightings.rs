//! What the documents read across scans: when each port was last found
//! open, the judged scans over time, and the audit trail of one kind of
//! record.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use portcullis_model::ScanId;
use portcullis_model::compliance::AuditEntry;
use portcullis_model::documents::HistoryPoint;
use portcullis_model::scan::Protocol;

use crate::audit::AuditRow;
use crate::codec::parse_time;
use crate::database::Store;
use crate::error::StoreError;

/// A port some finished scan found open, and when the newest such scan
/// started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSighting {
    pub address: IpAddr,
    pub protocol: Protocol,
    pub port: u16,
    pub last_seen: DateTime<Utc>,
}

impl Store {
    /// Every port a finished scan (or a whole import) found open, with
    /// the newest such scan's start.
    pub async fn open_sightings(&self) -> Result<Vec<OpenSighting>, StoreError> {
        let rows: Vec<(String, String, i64, String)> = sqlx::query_as(
            "SELECT o.address, o.protocol, o.port, max(s.started_at)
             FROM port_observations o JOIN scans s ON s.id = o.scan_id
             WHERE o.state = 'open' AND s.status = 'finished'
             GROUP BY o.address, o.protocol, o.port
             ORDER BY o.address, o.protocol, o.port",
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(address, protocol, port, at)| {
                Ok(OpenSighting {
                    address: address.parse().map_err(|_| {
                        StoreError::Corrupt(format!("port_observations.address '{address}'"))
                    })?,
                    protocol: match protocol.as_str() {
                        "udp" => Protocol::Udp,
                        _ => Protocol::Tcp,
                    },
                    port: u16::try_from(port).map_err(|_| {
                        StoreError::Corrupt(format!("port_observations.port {port}"))
                    })?,
                    last_seen: parse_time("scans.started_at", &at)?,
                })
            })
            .collect()
    }

    /// The judged scans up to `last` (the newest `limit` of them), oldest
    /// first, each with its open ports and the findings it produced that
    /// fail and that need action (by their severity now).
    pub async fn scan_history(
        &self,
        last: ScanId,
        limit: i64,
    ) -> Result<Vec<HistoryPoint>, StoreError> {
        let rows: Vec<(i64, String, i64, i64, i64)> = sqlx::query_as(
            "SELECT * FROM (
                SELECT s.id, s.started_at, coalesce(s.open_ports, 0),
                    coalesce(sum(f.severity IN ('high', 'critical')), 0),
                    coalesce(sum(f.severity IN ('medium', 'low')), 0)
                FROM scans s
                LEFT JOIN scan_findings sf ON sf.scan_id = s.id
                LEFT JOIN findings f ON f.id = sf.finding_id
                WHERE s.evaluated_at IS NOT NULL AND s.id <= ?
                GROUP BY s.id ORDER BY s.id DESC LIMIT ?)
             ORDER BY 1",
        )
        .bind(last.get())
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(id, at, open, failing, action)| {
                let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
                Ok(HistoryPoint {
                    scan_id: ScanId(id),
                    at: parse_time("scans.started_at", &at)?,
                    open_ports: count(open),
                    failing: count(failing),
                    action_needed: count(action),
                })
            })
            .collect()
    }

    /// The newest `limit` audit rows about records of `entity` (such as
    /// "inventory_entry"), oldest first.
    pub async fn audit_trail(
        &self,
        entity: &str,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM (SELECT * FROM audit_log WHERE entity = ? ORDER BY id DESC LIMIT ?)
             ORDER BY id",
        )
        .bind(entity)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| AuditRow::from_row(row)?.into_entry())
            .collect()
    }
}
