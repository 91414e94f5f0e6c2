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

/// What one scan recorded of one port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortSeen {
    /// The host did not answer that scan, or the scan did not list it.
    HostAbsent,
    /// The host answered and the port was not listed: the scan counted it
    /// closed or filtered with the rest.
    NotListed,
    Listed {
        state: portcullis_model::scan::PortState,
        service: Option<String>,
        identity: Option<portcullis_model::service::ServiceIdentity>,
    },
}

impl Store {
    /// What scan `scan_id` recorded of `address`'s `protocol`/`port`.
    pub async fn port_seen(
        &self,
        scan_id: ScanId,
        address: IpAddr,
        protocol: Protocol,
        port: u16,
    ) -> Result<PortSeen, StoreError> {
        let up: Option<i64> =
            sqlx::query_scalar("SELECT up FROM scan_hosts WHERE scan_id = ? AND address = ?")
                .bind(scan_id.get())
                .bind(address.to_string())
                .fetch_optional(self.pool())
                .await?;
        if up != Some(1) {
            return Ok(PortSeen::HostAbsent);
        }
        let row: Option<(String, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT state, service, identity FROM port_observations
             WHERE scan_id = ? AND address = ? AND protocol = ? AND port = ?",
        )
        .bind(scan_id.get())
        .bind(address.to_string())
        .bind(protocol.as_str())
        .bind(i64::from(port))
        .fetch_optional(self.pool())
        .await?;
        let Some((state, service, identity)) = row else {
            return Ok(PortSeen::NotListed);
        };
        Ok(PortSeen::Listed {
            state: crate::codec::parse_name("port_observations.state", &state)?,
            service,
            identity: identity
                .map(|json| {
                    serde_json::from_str(&json).map_err(|error| {
                        StoreError::Corrupt(format!("port_observations.identity: {error}"))
                    })
                })
                .transpose()?,
        })
    }
}
